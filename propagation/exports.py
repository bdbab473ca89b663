"""The replication and outreach lists as workbooks (the rows the page shows, every page)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import QuerySet
from django.http import HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from core.xlsx import xlsx_response
from propagation.models import Channel, Outreach, OutreachKind, Replication, Stage

REPLICATION_HEADERS = [
    gettext_noop("Mã hồ sơ"),
    gettext_noop("Tên điển hình"),
    gettext_noop("Cá nhân, tập thể"),
    gettext_noop("Đơn vị có điển hình"),
    gettext_noop("Đơn vị nhân rộng"),
    gettext_noop("Mã đơn vị nhân rộng"),
    gettext_noop("Giai đoạn"),
    gettext_noop("Ngày bắt đầu"),
    gettext_noop("Ngày chuyển giai đoạn"),
    gettext_noop("Cách vận dụng, điều chỉnh"),
    gettext_noop("Chỉ số đo kết quả"),
    gettext_noop("Đơn vị tính"),
    gettext_noop("Trước khi áp dụng"),
    gettext_noop("Sau khi áp dụng"),
    gettext_noop("Lý do dừng"),
    gettext_noop("Cập nhật lần cuối"),
]

OUTREACH_HEADERS = [
    gettext_noop("Tiêu đề"),
    gettext_noop("Hình thức"),
    gettext_noop("Kênh"),
    gettext_noop("Tên kênh, cơ quan báo chí"),
    gettext_noop("Ngày đăng, phát"),
    gettext_noop("Lượt xem, người nghe"),
    gettext_noop("Đường dẫn"),
    gettext_noop("Tên điển hình"),
    gettext_noop("Đơn vị có điển hình"),
]


def _date(value: Any) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def _replication_rows(rows: QuerySet[Replication]) -> Iterator[list[Any]]:
    stages = dict(Stage.choices)
    for r in rows.iterator(chunk_size=2000):
        updated = timezone.localtime(r.last_update_at)
        yield [
            r.pk,
            r.exemplar.title,
            r.exemplar.subject_name,
            r.exemplar.unit.name,
            r.unit.name,
            r.unit.code,
            str(stages.get(r.stage, r.stage)),
            _date(r.started_on),
            _date(r.stage_changed_on),
            r.adaptation,
            r.outcome_measure,
            r.outcome_unit,
            r.outcome_before if r.outcome_before is not None else "",
            r.outcome_after if r.outcome_after is not None else "",
            r.discontinued_reason,
            updated.strftime("%d/%m/%Y %H:%M"),
        ]


def export_replications(rows: QuerySet[Replication]) -> HttpResponse:
    return xlsx_response(
        "nhan-rong-mo-hinh.xlsx",
        _("Nhân rộng mô hình"),
        [_(h) for h in REPLICATION_HEADERS],
        _replication_rows(rows),
    )


def _outreach_rows(rows: QuerySet[Outreach]) -> Iterator[list[Any]]:
    kinds = dict(OutreachKind.choices)
    channels = dict(Channel.choices)
    for o in rows.iterator(chunk_size=2000):
        yield [
            o.title,
            str(kinds.get(o.kind, o.kind)),
            str(channels.get(o.channel, o.channel)),
            o.channel_name,
            _date(o.published_on),
            o.reach if o.reach is not None else "",
            o.url,
            o.exemplar.title,
            o.exemplar.unit.name,
        ]


def export_outreach(rows: QuerySet[Outreach]) -> HttpResponse:
    return xlsx_response(
        "tuyen-truyen-dien-hinh.xlsx",
        _("Tuyên truyền điển hình"),
        [_(h) for h in OUTREACH_HEADERS],
        _outreach_rows(rows),
    )
