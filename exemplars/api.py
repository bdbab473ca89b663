"""Exemplars API (CONTRACT.md, "Exemplars": create, read, transitions, assessment).

Replication, outreach and spread come with the propagation issue.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from accounts.access import Perm, can, get_person_for
from core.errors import invalid
from core.text import fold
from exemplars import services
from exemplars.access import exemplars_visible_to, get_exemplar_for
from exemplars.assessment import assess
from exemplars.models import (
    CheckIn,
    Exemplar,
    ExemplarScope,
    ExemplarState,
    SupportKind,
    SupportStatus,
)
from movements.models import Movement
from organizations.api import ERRORS, referenced_unit
from organizations.models import Unit
from people.models import Person
from plans.models import Plan

# by_alias: the history's "from" (CONTRACT.md) is the alias of HistoryOut.from_, and ninja
# serialises field names unless told otherwise.
router = Router(tags=["Điển hình tiên tiến"], by_alias=True)


class SubjectRef(Schema):
    kind: Literal["person", "unit"]
    code: str = Field(..., min_length=1)


class ExemplarIn(Schema):
    subject: SubjectRef
    title: str = Field(..., min_length=1, max_length=500)
    practice_summary: str = Field(..., min_length=1)
    unit: str = Field(..., min_length=1)
    year: int
    field: str = ""
    scope: ExemplarScope = ExemplarScope.COMPREHENSIVE
    practice_results: str = ""
    plan: str | None = None
    movement: str | None = None


class ExemplarPatch(Schema):
    title: str | None = Field(None, min_length=1, max_length=500)
    practice_summary: str | None = Field(None, min_length=1)
    practice_results: str | None = None
    field: str | None = None
    scope: ExemplarScope | None = None
    weaknesses: str | None = None
    remedies: str | None = None
    mentor: str | None = None


class SubjectOut(Schema):
    kind: str
    code: str
    name: str


class HistoryOut(Schema):
    model_config = {"populate_by_name": True}

    from_: str | None = Field(None, alias="from")
    to: str
    at: dt.datetime
    by: str | None
    note: str
    year: int | None = None
    decision_number: str = ""
    decision_date: dt.date | None = None
    authority: str = ""


class ExemplarOut(Schema):
    id: int
    subject: SubjectOut
    title: str
    practice_summary: str
    practice_results: str
    unit: str
    year: int
    field: str
    scope: str
    plan: str | None
    movement: str | None
    standard: str
    state: str
    recognized_year: int | None
    history: list[HistoryOut]


class StateOut(Schema):
    id: int
    state: str


class TransitionIn(Schema):
    to: str = Field(..., min_length=1)
    note: str = ""
    year: int | None = None
    decision_number: str = ""
    decision_date: dt.date | None = None
    authority: str = ""


class ConditionOut(Schema):
    id: str
    met: bool | None
    kind: str
    citation: str
    explanation: str


class AssessmentOut(Schema):
    exemplar: int
    standard: str
    year: int
    period_from: int
    passed: bool
    conditions: list[ConditionOut]


class ReviewIn(Schema):
    year: int
    condition: str = Field(..., min_length=1)
    met: bool
    comment: str = Field(..., min_length=1)


class ReviewOut(Schema):
    id: int
    year: int
    condition: str
    met: bool
    comment: str


class ActionIn(Schema):
    kind: SupportKind
    description: str = Field(..., min_length=1)
    due_on: dt.date
    responsible: str | None = None
    status: SupportStatus = SupportStatus.PLANNED
    done_on: dt.date | None = None
    note: str = ""


class ActionOut(Schema):
    id: int
    kind: str
    description: str
    due_on: dt.date
    responsible: str | None
    status: str
    done_on: dt.date | None
    note: str


class CheckInIn(Schema):
    checked_on: dt.date
    effect: int
    efficiency: int
    potential: int
    influence: int
    narrative: str = Field(..., min_length=1)
    difficulties: str = ""
    help_given: str = ""


class CheckInOut(CheckInIn):
    id: int


def exemplar_out(exemplar: Exemplar) -> dict[str, Any]:
    history = [
        {
            "from": t.from_state or None,
            "to": t.to_state,
            "at": t.at,
            "by": t.by.username if t.by else None,
            "note": t.note,
            "year": t.year,
            "decision_number": t.decision_number,
            "decision_date": t.decision_date,
            "authority": t.authority,
        }
        # .all() so a list's prefetch serves it (Transition is ordered by time).
        for t in exemplar.transitions.all()
    ]
    return {
        "id": exemplar.pk,
        "subject": {
            "kind": exemplar.subject_kind,
            "code": exemplar.subject_code,
            "name": exemplar.subject_name,
        },
        "title": exemplar.title,
        "practice_summary": exemplar.practice_summary,
        "practice_results": exemplar.practice_results,
        "unit": exemplar.unit.code,
        "year": exemplar.year,
        "field": exemplar.field,
        "scope": exemplar.scope,
        "plan": exemplar.plan.code if exemplar.plan else None,
        "movement": exemplar.movement.code if exemplar.movement else None,
        "standard": exemplar.standard_id,
        "state": exemplar.state,
        "recognized_year": exemplar.recognized_year,
        "history": history,
    }


def _referenced_person(user: Any, code: str) -> Person:
    try:
        return get_person_for(user, code)
    except Http404:
        raise Http404(_("Không tìm thấy cán bộ “%(code)s”.") % {"code": code}) from None


def _referenced_plan(code: str | None) -> Plan | None:
    if not code:
        return None
    plan = Plan.objects.filter(code=code).first()
    if plan is None:
        raise invalid("plan", _("Không tìm thấy kế hoạch “%(c)s”.") % {"c": code})
    return plan


def _referenced_movement(code: str | None) -> Movement | None:
    if not code:
        return None
    movement = Movement.objects.select_related("launching_unit").filter(code=code).first()
    if movement is None:
        raise invalid("movement", _("Không tìm thấy phong trào “%(c)s”.") % {"c": code})
    return movement


@router.post("", response={201: ExemplarOut, **ERRORS}, summary="Đăng ký điển hình mới phát hiện")
def create_exemplar(request: HttpRequest, payload: ExemplarIn) -> Status:
    unit = referenced_unit(request.user, payload.unit, Perm.MANAGE_EXEMPLARS)
    person: Person | None = None
    subject_unit: Unit | None = None
    if payload.subject.kind == "person":
        person = _referenced_person(request.user, payload.subject.code)
    else:
        subject_unit = referenced_unit(request.user, payload.subject.code)
    exemplar = services.exemplar_create(
        actor=request.user,
        unit=unit,
        person=person,
        subject_unit=subject_unit,
        title=payload.title,
        practice_summary=payload.practice_summary,
        practice_results=payload.practice_results,
        year=payload.year,
        field=payload.field,
        scope=payload.scope,
        plan=_referenced_plan(payload.plan),
        movement=_referenced_movement(payload.movement),
    )
    return Status(201, exemplar_out(exemplar))


@router.get("", response={200: list[ExemplarOut], **ERRORS}, summary="Danh sách điển hình")
def list_exemplars(
    request: HttpRequest,
    unit: str | None = None,
    year: int | None = None,
    state: ExemplarState | None = None,
    kind: Literal["person", "unit"] | None = None,
    q: str = "",
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    """`unit` selects that unit's subtree; at most 500 rows per call (`limit`, `offset`)."""
    rows = exemplars_visible_to(request.user).select_related(
        "unit", "person", "subject_unit", "plan", "movement"
    )
    if unit:
        root = referenced_unit(request.user, unit)
        rows = rows.filter(unit__path__startswith=root.path)
    if year:
        rows = rows.filter(year=year)
    if state:
        rows = rows.filter(state=state)
    if kind:
        rows = rows.filter(Q(person__isnull=False) if kind == "person" else Q(person__isnull=True))
    if q.strip():
        rows = rows.filter(search_text__contains=fold(q))
    limit = max(1, min(limit, 500))
    page = list(rows.prefetch_related("transitions__by")[offset : offset + limit])
    return [exemplar_out(e) for e in page]


@router.get("/{exemplar_id}", response={200: ExemplarOut, **ERRORS}, summary="Một điển hình")
def get_exemplar(request: HttpRequest, exemplar_id: int) -> dict[str, Any]:
    exemplar = get_exemplar_for(request.user, exemplar_id)
    return exemplar_out(Exemplar.objects.prefetch_related("transitions__by").get(pk=exemplar.pk))


@router.patch("/{exemplar_id}", response={200: ExemplarOut, **ERRORS}, summary="Sửa điển hình")
def patch_exemplar(request: HttpRequest, exemplar_id: int, payload: ExemplarPatch) -> Any:
    exemplar = get_exemplar_for(request.user, exemplar_id, write=Perm.MANAGE_EXEMPLARS)
    changes: dict[str, Any] = payload.dict(exclude_unset=True)
    if "mentor" in changes:
        code = changes.pop("mentor")
        changes["mentor"] = _referenced_person(request.user, code) if code else None
    updated = services.exemplar_update(actor=request.user, exemplar=exemplar, **changes)
    return exemplar_out(updated)


@router.post(
    "/{exemplar_id}/transitions",
    response={200: StateOut, **ERRORS},
    summary="Chuyển trạng thái điển hình",
    description=(
        "`409` khi không được chuyển từ trạng thái hiện tại; `422` với `errors` khi điều kiện "
        "không đạt (ví dụ chưa đạt tiêu chuẩn: mỗi tiêu chí chưa đạt là một lỗi "
        "`conditions.<id>`). SECTOR, NATIONAL cần `decision_number`, `decision_date`, "
        "`authority`; DROPPED, REVOKED cần `note` (lý do). `year`: năm đánh giá khi công nhận "
        "(mặc định năm đăng ký)."
    ),
)
def post_transition(request: HttpRequest, exemplar_id: int, payload: TransitionIn) -> Any:
    exemplar = get_exemplar_for(request.user, exemplar_id)
    moved = services.transition(
        actor=request.user,
        exemplar=exemplar,
        to=payload.to,
        note=payload.note,
        year=payload.year,
        decision=services.Decision(
            payload.decision_number, payload.decision_date, payload.authority
        ),
    )
    return {"id": moved.pk, "state": moved.state}


@router.get(
    "/{exemplar_id}/assessment",
    response={200: AssessmentOut, **ERRORS},
    summary="Đánh giá điển hình theo tiêu chuẩn",
)
def get_assessment(request: HttpRequest, exemplar_id: int, year: int | None = None) -> Any:
    exemplar = get_exemplar_for(request.user, exemplar_id)
    # Like eligibility verdicts, the assessment reveals discipline.
    if not can(request.user, Perm.VIEW_SENSITIVE, exemplar.unit):
        raise PermissionDenied
    result = assess(exemplar, year or exemplar.year)
    return {
        "exemplar": exemplar.pk,
        "standard": exemplar.standard_id,
        "year": result.year,
        "period_from": result.period_from,
        **result.as_json(),
    }


@router.post(
    "/{exemplar_id}/reviews",
    response={201: ReviewOut, **ERRORS},
    summary="Ghi kết quả đánh giá một tiêu chí",
)
def post_review(request: HttpRequest, exemplar_id: int, payload: ReviewIn) -> Status:
    exemplar = get_exemplar_for(request.user, exemplar_id, write=Perm.ASSESS_EXEMPLARS)
    review = services.review_record(
        actor=request.user,
        exemplar=exemplar,
        year=payload.year,
        condition_id=payload.condition,
        met=payload.met,
        comment=payload.comment,
    )
    return Status(
        201,
        {
            "id": review.pk,
            "year": review.year,
            "condition": review.condition_id,
            "met": review.met,
            "comment": review.comment,
        },
    )


@router.post(
    "/{exemplar_id}/support-actions",
    response={201: ActionOut, **ERRORS},
    summary="Thêm biện pháp vào kế hoạch bồi dưỡng",
)
def post_action(request: HttpRequest, exemplar_id: int, payload: ActionIn) -> Status:
    exemplar = get_exemplar_for(request.user, exemplar_id, write=Perm.MANAGE_EXEMPLARS)
    responsible = (
        _referenced_person(request.user, payload.responsible) if payload.responsible else None
    )
    action = services.action_save(
        actor=request.user,
        exemplar=exemplar,
        kind=payload.kind,
        description=payload.description,
        due_on=payload.due_on,
        responsible=responsible,
        status=payload.status,
        done_on=payload.done_on,
        note=payload.note,
    )
    return Status(
        201,
        {
            "id": action.pk,
            "kind": action.kind,
            "description": action.description,
            "due_on": action.due_on,
            "responsible": responsible.code if responsible else None,
            "status": action.status,
            "done_on": action.done_on,
            "note": action.note,
        },
    )


@router.post(
    "/{exemplar_id}/checkins",
    response={201: CheckInOut, **ERRORS},
    summary="Ghi một lần theo dõi điển hình",
)
def post_checkin(request: HttpRequest, exemplar_id: int, payload: CheckInIn) -> Status:
    exemplar = get_exemplar_for(request.user, exemplar_id, write=Perm.MANAGE_EXEMPLARS)
    checkin: CheckIn = services.checkin_save(
        actor=request.user, exemplar=exemplar, **payload.dict()
    )
    return Status(201, {"id": checkin.pk, **payload.dict()})
