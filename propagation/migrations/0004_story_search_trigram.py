"""On PostgreSQL, a trigram index lets the portal's search (`search_text LIKE '%word%'`)
use an index instead of reading every story (docs/benchmarks.md, portal). SQLite has no
such index and needs none at the portal's sizes.

pg_trgm is a trusted extension (PostgreSQL 13+): a database owner may create it. Where
even that is not allowed, the search still works, only slower, so the migration logs
and goes on rather than failing the deployment."""

from __future__ import annotations

import logging
from typing import Any

from django.db import DatabaseError, migrations, transaction

log = logging.getLogger(__name__)

INDEX = "propagation_story_search_trgm"


def create(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor != "postgresql":
        return
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
            schema_editor.execute(
                f"CREATE INDEX IF NOT EXISTS {INDEX} ON propagation_story "
                "USING gin (search_text gin_trgm_ops)"
            )
    except DatabaseError:
        log.warning("pg_trgm unavailable: the portal search runs without a trigram index")


def drop(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [("propagation", "0003_story_portal_index")]

    operations = [migrations.RunPython(create, drop)]
