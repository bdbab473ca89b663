"""The demo is built once for all the demo tests of this package.

Building it takes the best part of a minute; every module used to build its own.
The package fixture builds it inside a transaction that is rolled back when the
last test of the package has run, and each test runs in its own savepoint inside
it (pytest-django), so a test that changes the demo does not affect the next.
"""

from __future__ import annotations

import io
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings


@pytest.fixture(scope="package")
def demo_loaded(
    django_db_setup: Any, django_db_blocker: Any, tmp_path_factory: Any
) -> Iterator[str]:
    """What `manage.py load_demo` printed; the database holds the demo meanwhile."""
    # The dossiers the commendations demo generates go to a temporary media folder.
    media = tmp_path_factory.mktemp("media")
    with (
        django_db_blocker.unblock(),
        override_settings(MEDIA_ROOT=media),
        transaction.atomic(),
    ):
        out = io.StringIO()
        call_command("load_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)
