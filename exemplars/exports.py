"""The exemplar list as a workbook (the rows the page shows, every page of them)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.xlsx import xlsx_response
from exemplars.forms import SUBJECT_CHOICES
from exemplars.models import Exemplar, ExemplarScope, ExemplarState

HEADERS = [
    gettext_noop("Tên điển hình"),
    gettext_noop("Đối tượng"),
    gettext_noop("Mã cá nhân, tập thể"),
    gettext_noop("Cá nhân, tập thể"),
    gettext_noop("Đơn vị phát hiện"),
    gettext_noop("Lĩnh vực"),
    gettext_noop("Phạm vi"),
    gettext_noop("Năm đăng ký"),
    gettext_noop("Trạng thái"),
    gettext_noop("Năm được công nhận"),
    gettext_noop("Chuyển trạng thái lúc"),
    gettext_noop("Kế hoạch"),
    gettext_noop("Phong trào thi đua"),
    gettext_noop("Tiêu chuẩn áp dụng"),
]


def headers() -> list[str]:
    return [_(h) for h in HEADERS]


def _rows(exemplars: QuerySet[Exemplar]) -> Iterator[list[Any]]:
    subjects = dict(SUBJECT_CHOICES)
    states = dict(ExemplarState.choices)
    scopes = dict(ExemplarScope.choices)
    for e in exemplars.iterator(chunk_size=2000):
        changed = timezone.localtime(e.state_changed_at) if e.state_changed_at else None
        yield [
            e.title,
            str(subjects[e.subject_kind]),
            e.subject_code,
            e.subject_name,
            e.unit.name,
            e.field,
            str(scopes.get(e.scope, e.scope)),
            e.year,
            str(states.get(e.state, e.state)),
            e.recognized_year or "",
            changed.strftime("%d/%m/%Y %H:%M") if changed else "",
            e.plan.code if e.plan else "",
            e.movement.code if e.movement else "",
            e.standard_id,
        ]


def export_exemplars(exemplars: QuerySet[Exemplar]) -> HttpResponse:
    return xlsx_response(
        "dien-hinh-tien-tien.xlsx", _("Điển hình tiên tiến"), headers(), _rows(exemplars)
    )
