import json
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandParser

from config.api import api

DEFAULT = Path(settings.BASE_DIR) / "docs" / "openapi.json"


def openapi_text() -> str:
    schema = api.get_openapi_schema(path_prefix="/api/v1/")
    return json.dumps(schema, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


class Command(BaseCommand):
    help = "Write the generated OpenAPI document to docs/openapi.json (or --output)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--output", default=str(DEFAULT))

    def handle(self, *args: Any, **options: Any) -> None:
        Path(options["output"]).write_text(openapi_text(), encoding="utf-8")
        self.stdout.write(f"OpenAPI document written to {options['output']}")
