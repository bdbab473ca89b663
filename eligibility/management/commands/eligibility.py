"""python manage.py eligibility --unit CODE --year Y --format json|xlsx [--output FILE]"""

from __future__ import annotations

import json
import sys
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import ValidationFailed
from eligibility.engine import evaluate_subtree
from eligibility.exports import evaluation_json, evaluation_workbook
from organizations.models import Unit


class Command(BaseCommand):
    help = (
        "Xét điều kiện khen thưởng cho mọi cá nhân và tập thể của một đơn vị (cả cây đơn vị "
        "trực thuộc) trong một năm; in JSON hoặc ghi tệp Excel."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--unit", required=True, help="mã đơn vị gốc")
        parser.add_argument("--year", required=True, type=int, help="năm xét")
        parser.add_argument("--format", choices=["json", "xlsx"], default="json")
        parser.add_argument(
            "--output", help="tệp kết quả (mặc định: stdout cho JSON, eligibility-…xlsx)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        unit = Unit.objects.filter(code=options["unit"]).first()
        if unit is None:
            raise CommandError(f"Không tìm thấy đơn vị “{options['unit']}”.")
        try:
            evaluation = evaluate_subtree(unit, options["year"], explain=True)
        except ValidationFailed as exc:
            raise CommandError(exc.message) from exc
        output = options.get("output")
        if options["format"] == "json":
            text = json.dumps(evaluation_json(evaluation), ensure_ascii=False, indent=2)
            if output:
                with open(output, "w", encoding="utf-8") as fh:
                    fh.write(text + "\n")
            else:
                sys.stdout.write(text + "\n")
            return
        path = output or f"eligibility-{unit.code}-{options['year']}.xlsx"
        with open(path, "wb") as fh:
            fh.write(evaluation_workbook(evaluation))
        self.stderr.write(
            f"Đã ghi {path}: {len(evaluation.people)} cá nhân, {len(evaluation.units)} tập thể."
        )
