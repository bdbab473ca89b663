"""Replication, outreach and spread API (CONTRACT.md, "Exemplars", the last four lines).

Units are named by their code, as everywhere in the API. A replication is seen by
whoever sees the exemplar's unit or the adopting unit, and changed only with
MANAGE_REPLICATION on the adopting unit; outreach is changed with MANAGE_OUTREACH on
the exemplar's unit.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from accounts.access import Perm
from exemplars.access import get_exemplar_for
from organizations.api import ERRORS, referenced_unit
from propagation import services
from propagation.access import get_replication_for
from propagation.models import Channel, Outreach, OutreachKind, Replication, Stage
from propagation.spread import spread_of

router = Router(tags=["Tuyên truyền, nhân rộng điển hình"], by_alias=True)


class ReplicationIn(Schema):
    unit: str = Field(..., min_length=1, description="Mã đơn vị nhân rộng")
    stage: Stage = Field(..., description="Giai đoạn ban đầu (không nhận DISCONTINUED)")
    started_on: dt.date
    notes: str = ""
    adaptation: str = ""


class OutcomeIn(Schema):
    measure: str = Field(..., max_length=255, description="Chỉ số đo kết quả")
    unit: str = Field("", max_length=64, description="Đơn vị tính")
    before: Decimal | None = None
    after: Decimal | None = None


class ReplicationPatch(Schema):
    stage: Stage | None = None
    notes: str | None = None
    outcome: OutcomeIn | None = None
    adaptation: str | None = None
    on: dt.date | None = Field(None, description="Ngày chuyển giai đoạn (mặc định hôm nay)")
    reason: str = Field("", description="Lý do; bắt buộc khi chuyển sang DISCONTINUED")


class OutcomeOut(Schema):
    measure: str
    unit: str
    before: float | None
    after: float | None


class StageChangeOut(Schema):
    model_config = {"populate_by_name": True}

    from_: str | None = Field(None, alias="from")
    to: str
    on: dt.date
    at: dt.datetime
    by: str | None
    note: str


class ReplicationOut(Schema):
    id: int
    exemplar: int
    unit: str
    unit_name: str
    stage: str
    started_on: dt.date
    stage_changed_on: dt.date | None
    notes: str
    adaptation: str
    outcome: OutcomeOut | None
    discontinued_reason: str
    last_update_at: dt.datetime
    history: list[StageChangeOut]


class OutreachIn(Schema):
    kind: OutreachKind
    channel: Channel
    title: str = Field(..., min_length=1, max_length=500)
    published_on: dt.date
    url: str = Field("", max_length=1000)
    reach: int | None = Field(None, ge=0, description="Lượt xem, người nghe")
    channel_name: str = Field("", max_length=255, description="Tên kênh, cơ quan báo chí")


class OutreachOut(Schema):
    id: int
    exemplar: int
    kind: str
    channel: str
    channel_name: str
    title: str
    published_on: dt.date
    url: str
    reach: int | None


class SpreadOut(Schema):
    units_adopting: int = Field(
        ..., description="Số đơn vị đang ở một giai đoạn khác DISCONTINUED (mỗi đơn vị một hồ sơ)"
    )
    by_stage: dict[str, int] = Field(
        ..., description="Số hồ sơ theo từng giai đoạn; có đủ mọi giai đoạn, kể cả số 0"
    )
    outreach_count: int = Field(..., description="Số hoạt động tuyên truyền")
    reach_total: int = Field(..., description="Tổng lượt tiếp cận (reach) của các hoạt động")


def _number(value: Decimal | None) -> float | None:
    return float(value) if value is not None else None


def _with_history(replication: Replication) -> Replication:
    return (
        Replication.objects.select_related("unit")
        .prefetch_related("history__by")
        .get(pk=replication.pk)
    )


def replication_out(r: Replication) -> dict[str, Any]:
    outcome = None
    if r.outcome_measure:
        outcome = {
            "measure": r.outcome_measure,
            "unit": r.outcome_unit,
            "before": _number(r.outcome_before),
            "after": _number(r.outcome_after),
        }
    history = [
        {
            "from": h.from_stage or None,
            "to": h.to_stage,
            "on": h.on,
            "at": h.at,
            "by": h.by.username if h.by else None,
            "note": h.note,
        }
        # .all() so a prefetch serves it (StageChange is ordered by time).
        for h in r.history.all()
    ]
    return {
        "id": r.pk,
        "exemplar": r.exemplar_id,
        "unit": r.unit.code,
        "unit_name": r.unit.name,
        "stage": r.stage,
        "started_on": r.started_on,
        "stage_changed_on": r.stage_changed_on,
        "notes": r.notes,
        "adaptation": r.adaptation,
        "outcome": outcome,
        "discontinued_reason": r.discontinued_reason,
        "last_update_at": r.last_update_at,
        "history": history,
    }


def outreach_out(item: Outreach) -> dict[str, Any]:
    return {
        "id": item.pk,
        "exemplar": item.exemplar_id,
        "kind": item.kind,
        "channel": item.channel,
        "channel_name": item.channel_name,
        "title": item.title,
        "published_on": item.published_on,
        "url": item.url,
        "reach": item.reach,
    }


@router.post(
    "/exemplars/{exemplar_id}/replications",
    response={201: ReplicationOut, **ERRORS},
    summary="Đăng ký nhân rộng mô hình của một điển hình",
    description=(
        "`unit`: mã đơn vị nhân rộng (cần quyền quản lý nhân rộng của đơn vị đó, nếu không "
        "`403`; ngoài phạm vi `404`). Chỉ nhận điển hình đã công nhận trở lên, đơn vị khác "
        "đơn vị có điển hình (`422`). Mỗi đơn vị một hồ sơ cho một điển hình: hồ sơ thứ hai "
        "bị từ chối với `409`."
    ),
)
def post_replication(request: HttpRequest, exemplar_id: int, payload: ReplicationIn) -> Status:
    exemplar = get_exemplar_for(request.user, exemplar_id)
    unit = referenced_unit(request.user, payload.unit, Perm.MANAGE_REPLICATION)
    replication = services.replication_create(
        request.user,
        exemplar,
        unit,
        stage=payload.stage,
        started_on=payload.started_on,
        notes=payload.notes,
        adaptation=payload.adaptation,
    )
    return Status(201, replication_out(_with_history(replication)))


@router.get(
    "/exemplars/{exemplar_id}/replications",
    response={200: list[ReplicationOut], **ERRORS},
    summary="Các hồ sơ nhân rộng của một điển hình",
)
def list_replications(request: HttpRequest, exemplar_id: int) -> list[dict[str, Any]]:
    exemplar = get_exemplar_for(request.user, exemplar_id)
    rows = (
        Replication.objects.filter(exemplar=exemplar)
        .select_related("unit")
        .prefetch_related("history__by")
        .order_by("unit__code")
    )
    return [replication_out(r) for r in rows]


@router.get(
    "/replications/{replication_id}",
    response={200: ReplicationOut, **ERRORS},
    summary="Một hồ sơ nhân rộng",
)
def get_replication(request: HttpRequest, replication_id: int) -> dict[str, Any]:
    return replication_out(_with_history(get_replication_for(request.user, replication_id)))


@router.patch(
    "/replications/{replication_id}",
    response={200: ReplicationOut, **ERRORS},
    summary="Cập nhật hồ sơ nhân rộng, chuyển giai đoạn",
    description=(
        "Giai đoạn chỉ đi tới theo thứ tự INTERESTED → PILOTING → ADOPTED → SCALED "
        "(được bỏ qua giai đoạn), hoặc sang DISCONTINUED từ bất kỳ giai đoạn nào với "
        "`reason` (thiếu lý do: `422`). Chuyển lùi, hoặc chuyển tiếp sau DISCONTINUED: "
        "`409`. `outcome`: chỉ số đo kết quả, đơn vị tính, giá trị trước và sau khi áp dụng."
    ),
)
def patch_replication(
    request: HttpRequest, replication_id: int, payload: ReplicationPatch
) -> dict[str, Any]:
    replication = get_replication_for(request.user, replication_id, write=Perm.MANAGE_REPLICATION)
    outcome = None
    if payload.outcome is not None:
        outcome = services.Outcome(
            measure=payload.outcome.measure,
            unit=payload.outcome.unit,
            before=payload.outcome.before,
            after=payload.outcome.after,
        )
    updated = services.replication_update(
        request.user,
        replication,
        stage=payload.stage,
        notes=payload.notes,
        outcome=outcome,
        adaptation=payload.adaptation,
        on=payload.on,
        reason=payload.reason,
    )
    return replication_out(_with_history(updated))


@router.post(
    "/exemplars/{exemplar_id}/outreach",
    response={201: OutreachOut, **ERRORS},
    summary="Ghi nhận một hoạt động tuyên truyền về điển hình",
    description="Cần quyền tuyên truyền (MANAGE_OUTREACH) trên đơn vị có điển hình.",
)
def post_outreach(request: HttpRequest, exemplar_id: int, payload: OutreachIn) -> Status:
    exemplar = get_exemplar_for(request.user, exemplar_id, write=Perm.MANAGE_OUTREACH)
    item = services.outreach_create(
        request.user,
        exemplar,
        kind=payload.kind,
        channel=payload.channel,
        title=payload.title,
        published_on=payload.published_on,
        url=payload.url,
        reach=payload.reach,
        channel_name=payload.channel_name,
    )
    return Status(201, outreach_out(item))


@router.get(
    "/exemplars/{exemplar_id}/outreach",
    response={200: list[OutreachOut], **ERRORS},
    summary="Các hoạt động tuyên truyền về một điển hình",
)
def list_outreach(request: HttpRequest, exemplar_id: int) -> list[dict[str, Any]]:
    exemplar = get_exemplar_for(request.user, exemplar_id)
    return [outreach_out(o) for o in Outreach.objects.filter(exemplar=exemplar)]


@router.get(
    "/exemplars/{exemplar_id}/spread",
    response={200: SpreadOut, **ERRORS},
    summary=(
        "Sức lan tỏa của điển hình: units_adopting = số đơn vị ở giai đoạn khác DISCONTINUED; "
        "by_stage = số hồ sơ theo mọi giai đoạn (kể cả 0); outreach_count, reach_total"
    ),
)
def get_spread(request: HttpRequest, exemplar_id: int) -> dict[str, Any]:
    exemplar = get_exemplar_for(request.user, exemplar_id)
    return spread_of(exemplar).as_dict()
