"""Plans and compliance API (CONTRACT.md, "Plans and compliance")."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import Http404, HttpRequest
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from accounts.access import Perm, people_visible_to, units_visible_to
from core.text import fold
from organizations.api import ERRORS, referenced_unit
from organizations.models import Unit
from plans import services
from plans.access import get_plan_for, plans_visible_to, sees_issuer
from plans.compliance import plan_compliance
from plans.models import Plan, RequirementKind, RequirementScope, Submission

router = Router(tags=["Kế hoạch"])


class RequirementIn(Schema):
    key: str = Field(..., min_length=1, max_length=64)
    kind: RequirementKind
    due_on: dt.date
    scope: RequirementScope = RequirementScope.CHILD_UNITS
    min_count: int | None = Field(None, ge=0)
    max_count: int | None = Field(None, ge=0)
    title: str = ""
    year: int | None = None


class PhaseIn(Schema):
    name: str = Field(..., min_length=1, max_length=255)
    starts_on: dt.date
    ends_on: dt.date


class PlanIn(Schema):
    code: str = Field(..., min_length=1, max_length=64)
    title: str = Field(..., min_length=1, max_length=500)
    issuer: str
    parent: str | None = None
    starts_on: dt.date
    ends_on: dt.date
    requirements: list[RequirementIn] = []
    phases: list[PhaseIn] = []
    document_number: str = ""
    document_date: dt.date | None = None
    signer: str = ""
    summary: str = ""
    exemplar_standard: str = Field(
        "", description="Mã tiêu chuẩn điển hình tiên tiến; để trống: theo kế hoạch cấp trên"
    )


class RequirementOut(Schema):
    key: str
    kind: str
    title: str
    due_on: dt.date
    scope: str
    min_count: int | None
    max_count: int | None
    year: int | None


class PhaseOut(Schema):
    name: str
    starts_on: dt.date
    ends_on: dt.date


class MilestoneOut(Schema):
    title: str
    due_on: dt.date
    phase: str | None


class PlanOut(Schema):
    code: str
    title: str
    issuer: str
    parent: str | None
    starts_on: dt.date
    ends_on: dt.date
    document_number: str
    document_date: dt.date | None
    signer: str
    summary: str
    exemplar_standard: str
    requirements: list[RequirementOut]
    phases: list[PhaseOut]
    milestones: list[MilestoneOut]
    children: list[str]


class PlanSummary(Schema):
    code: str
    title: str
    issuer: str
    parent: str | None
    starts_on: dt.date
    ends_on: dt.date


class EntryIn(Schema):
    title: str = Field(..., min_length=1, max_length=500)
    person: str | None = None
    unit: str | None = None
    field: str = ""


class SubmissionIn(Schema):
    requirement: str
    unit: str
    submitted_on: dt.date | None = None
    exemplars: list[int] = []
    entries: list[EntryIn] = []
    note: str = ""
    child_plan: str | None = None


class EntryOut(Schema):
    title: str
    person: str | None
    unit: str | None
    field: str


class SubmissionOut(Schema):
    id: int
    plan: str
    requirement: str
    unit: str
    submitted_on: dt.date
    note: str
    child_plan: str | None
    entries: list[EntryOut]


class UnitStatusOut(Schema):
    unit: str
    status: str
    submitted_on: dt.date | None


class RequirementStatusOut(Schema):
    key: str
    kind: str
    due_on: dt.date
    units: list[UnitStatusOut]


class ComplianceOut(Schema):
    """Exactly the contract's shape: nothing else at any level."""

    requirements: list[RequirementStatusOut]


def plan_out(plan: Plan) -> dict[str, Any]:
    return {
        "code": plan.code,
        "title": plan.title,
        "issuer": plan.issuer.code,
        "parent": plan.parent.code if plan.parent_id and plan.parent else None,
        "starts_on": plan.starts_on,
        "ends_on": plan.ends_on,
        "document_number": plan.document_number,
        "document_date": plan.document_date,
        "signer": plan.signer,
        "summary": plan.summary,
        "exemplar_standard": plan.exemplar_standard,
        "requirements": [
            {
                "key": r.key,
                "kind": r.kind,
                "title": r.title,
                "due_on": r.due_on,
                "scope": r.scope,
                "min_count": r.min_count,
                "max_count": r.max_count,
                "year": r.year,
            }
            for r in plan.requirements.order_by("due_on", "key")
        ],
        "phases": [
            {"name": p.name, "starts_on": p.starts_on, "ends_on": p.ends_on}
            for p in plan.phases.all()
        ],
        "milestones": [
            {"title": m.title, "due_on": m.due_on, "phase": m.phase.name if m.phase else None}
            for m in plan.milestones.select_related("phase")
        ],
        "children": list(plan.children.order_by("code").values_list("code", flat=True)),
    }


def submission_out(submission: Submission) -> dict[str, Any]:
    return {
        "id": submission.pk,
        "plan": submission.requirement.plan.code,
        "requirement": submission.requirement.key,
        "unit": submission.unit.code,
        "submitted_on": submission.submitted_on,
        "note": submission.note,
        "child_plan": submission.child_plan.code if submission.child_plan else None,
        "entries": [
            {
                "title": e.title,
                "person": e.person.code if e.person else None,
                "unit": e.unit.code if e.unit else None,
                "field": e.field,
            }
            for e in submission.entries.select_related("person", "unit")
        ],
    }


def referenced_plan(user: Any, code: str) -> Plan:
    plan = plans_visible_to(user).select_related("issuer").filter(code=code).first()
    if plan is None:
        raise Http404(_("Không tìm thấy kế hoạch “%(code)s”.") % {"code": code})
    return plan


@router.post("", response={201: PlanOut, **ERRORS}, summary="Tạo kế hoạch")
def create_plan(request: HttpRequest, payload: PlanIn) -> Status:
    issuer = referenced_unit(request.user, payload.issuer, Perm.MANAGE_PLANS)
    parent = referenced_plan(request.user, payload.parent) if payload.parent else None
    plan = services.plan_create(
        actor=request.user,
        data=services.PlanData(
            code=payload.code,
            title=payload.title,
            issuer=issuer,
            starts_on=payload.starts_on,
            ends_on=payload.ends_on,
            parent=parent,
            document_number=payload.document_number,
            document_date=payload.document_date,
            signer=payload.signer,
            summary=payload.summary,
            exemplar_standard=payload.exemplar_standard,
        ),
        requirements=[
            services.RequirementData(
                key=r.key,
                kind=r.kind,
                due_on=r.due_on,
                scope=r.scope,
                min_count=r.min_count,
                max_count=r.max_count,
                title=r.title,
                year=r.year,
            )
            for r in payload.requirements
        ],
        phases=[
            services.PhaseData(name=p.name, starts_on=p.starts_on, ends_on=p.ends_on)
            for p in payload.phases
        ],
    )
    return Status(201, plan_out(plan))


@router.get("", response={200: list[PlanSummary], **ERRORS}, summary="Danh sách kế hoạch")
def list_plans(
    request: HttpRequest,
    q: str = "",
    issuer: str = "",
    year: int | None = None,
    limit: int = 100,
    offset: int = 0,
) -> list[dict[str, Any]]:
    qs = plans_visible_to(request.user).select_related("issuer", "parent")
    if q:
        qs = qs.filter(search_text__contains=fold(q))
    if issuer:
        qs = qs.filter(issuer__code=issuer)
    if year:
        qs = qs.filter(starts_on__year__lte=year, ends_on__year__gte=year)
    limit = max(1, min(limit, 1000))
    return [
        {
            "code": p.code,
            "title": p.title,
            "issuer": p.issuer.code,
            "parent": p.parent.code if p.parent else None,
            "starts_on": p.starts_on,
            "ends_on": p.ends_on,
        }
        for p in qs.order_by("-starts_on", "code")[offset : offset + limit]
    ]


@router.get("/{code}", response={200: PlanOut, **ERRORS}, summary="Xem kế hoạch")
def get_plan(request: HttpRequest, code: str) -> dict[str, Any]:
    return plan_out(get_plan_for(request.user, code))


def _entry(user: Any, unit: Unit, entry: EntryIn) -> services.EntryData:
    person = None
    if entry.person:
        person = people_visible_to(user).select_related("unit").filter(code=entry.person).first()
        if person is None:
            raise Http404(_("Không tìm thấy cán bộ “%(code)s”.") % {"code": entry.person})
    entry_unit = referenced_unit(user, entry.unit) if entry.unit else None
    return services.EntryData(title=entry.title, person=person, unit=entry_unit, field=entry.field)


@router.post(
    "/{code}/submissions", response={201: SubmissionOut, **ERRORS}, summary="Đơn vị gửi báo cáo"
)
def submit(request: HttpRequest, code: str, payload: SubmissionIn) -> Status:
    plan = get_plan_for(request.user, code)
    requirement = plan.requirements.filter(key=payload.requirement).first()
    if requirement is None:
        raise Http404(_("Kế hoạch không có yêu cầu “%(k)s”.") % {"k": payload.requirement})
    unit = referenced_unit(request.user, payload.unit, Perm.MANAGE_PLANS)
    child_plan = referenced_plan(request.user, payload.child_plan) if payload.child_plan else None
    entries = services.exemplar_entries(payload.exemplars)
    entries += [_entry(request.user, unit, e) for e in payload.entries]
    submission = services.submission_submit(
        actor=request.user,
        requirement=requirement,
        unit=unit,
        submitted_on=payload.submitted_on,
        note=payload.note,
        child_plan=child_plan,
        entries=entries,
    )
    return Status(201, submission_out(submission))


@router.get(
    "/{code}/compliance", response={200: ComplianceOut, **ERRORS}, summary="Tình hình thực hiện"
)
def compliance(request: HttpRequest, code: str, as_of: dt.date | None = None) -> dict[str, Any]:
    plan = get_plan_for(request.user, code)
    day = as_of or timezone.localdate()
    # A unit that only answers the plan sees its own rows, not its neighbours'.
    units = None if sees_issuer(request.user, plan) else units_visible_to(request.user)
    return {
        "requirements": [
            {
                "key": rc.requirement.key,
                "kind": rc.requirement.kind,
                "due_on": rc.requirement.due_on,
                "units": [
                    {
                        "unit": uc.unit.code,
                        "status": uc.status.value,
                        "submitted_on": uc.submitted_on,
                    }
                    for uc in rc.units
                ],
            }
            for rc in plan_compliance(plan, day, units)
        ],
    }
