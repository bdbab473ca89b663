"""State changes of inspections. Each validates first and audits in its transaction.

Follow-up lifecycle: OPEN → IN_PROGRESS → CLOSED (or OPEN → CLOSED directly);
a closed follow-up is final, with its closing date and note.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from audit import services as audit
from core.errors import Conflict, FieldError, ValidationFailed
from core.text import search_key
from inspections.models import (
    FollowUp,
    FollowUpStatus,
    Inspection,
    InspectionPlan,
    InspectionTeam,
    TeamMember,
    TeamRole,
)
from organizations.models import Council, Unit
from people.models import Person

PLAN_FIELDS = ["council_id", "year", "title", "document_number", "document_date", "contents"]
INSPECTION_FIELDS = [
    "plan_id",
    "unit_id",
    "team_id",
    "scheduled_on",
    "done_on",
    "findings",
    "recommendations",
]
FOLLOW_UP_FIELDS = [
    "inspection_id",
    "action",
    "responsible_unit_id",
    "due_on",
    "status",
    "closed_on",
    "closing_note",
]
TRANSITIONS: dict[str, set[str]] = {
    FollowUpStatus.OPEN: {FollowUpStatus.IN_PROGRESS, FollowUpStatus.CLOSED},
    FollowUpStatus.IN_PROGRESS: {FollowUpStatus.CLOSED},
    FollowUpStatus.CLOSED: set(),
}


# --- plans -----------------------------------------------------------------------------------


def _validate_plan(year: int | None, title: str) -> list[FieldError]:
    errors: list[FieldError] = []
    if year is None or not 1945 <= year <= 2100:
        errors.append(FieldError("year", _("Năm không hợp lệ.")))
    if not (title or "").strip():
        errors.append(FieldError("title", _("Tên kế hoạch không được để trống.")))
    return errors


def _refresh_plan(plan: InspectionPlan) -> None:
    plan.title = " ".join(plan.title.split())
    plan.search_text = search_key(plan.title, plan.document_number)


@transaction.atomic
def plan_create(
    *,
    actor: Any,
    council: Council,
    year: int,
    title: str,
    document_number: str = "",
    document_date: dt.date | None = None,
    contents: str = "",
) -> InspectionPlan:
    errors = _validate_plan(year, title)
    if errors:
        raise ValidationFailed(errors)
    title = " ".join(title.split())
    if InspectionPlan.objects.filter(council=council, year=year, title=title).exists():
        raise Conflict(
            _("Hội đồng đã có kế hoạch kiểm tra cùng tên trong năm %(y)s.") % {"y": year}
        )
    plan = InspectionPlan(
        council=council,
        year=year,
        title=title,
        document_number=document_number.strip(),
        document_date=document_date,
        contents=contents.strip(),
    )
    _refresh_plan(plan)
    plan.save()
    audit.record(
        actor=actor,
        action="inspection.plan_create",
        obj=plan,
        after=audit.snapshot(plan, PLAN_FIELDS),
        unit=council.unit,
    )
    return plan


@transaction.atomic
def plan_update(*, actor: Any, plan: InspectionPlan, **changes: Any) -> InspectionPlan:
    allowed = {"year", "title", "document_number", "document_date", "contents"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"plan_update cannot change {sorted(unknown)}")
    plan = (
        InspectionPlan.objects.select_for_update(of=("self",))
        .select_related("council__unit")
        .get(pk=plan.pk)
    )
    before = audit.snapshot(plan, PLAN_FIELDS)
    for name, value in changes.items():
        setattr(plan, name, value.strip() if isinstance(value, str) else value)
    errors = _validate_plan(plan.year, plan.title)
    if errors:
        raise ValidationFailed(errors)
    clash = InspectionPlan.objects.filter(
        council=plan.council, year=plan.year, title=" ".join(plan.title.split())
    ).exclude(pk=plan.pk)
    if clash.exists():
        raise Conflict(
            _("Hội đồng đã có kế hoạch kiểm tra cùng tên trong năm %(y)s.") % {"y": plan.year}
        )
    _refresh_plan(plan)
    plan.save()
    audit.record(
        actor=actor,
        action="inspection.plan_update",
        obj=plan,
        before=before,
        after=audit.snapshot(plan, PLAN_FIELDS),
        unit=plan.council.unit,
    )
    return plan


# --- teams -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class NewMember:
    role: str
    person: Person | None = None
    name: str = ""
    affiliation: str = ""


@transaction.atomic
def team_create(
    *, actor: Any, plan: InspectionPlan, name: str, members: Sequence[NewMember]
) -> InspectionTeam:
    errors: list[FieldError] = []
    if not (name or "").strip():
        errors.append(FieldError("name", _("Tên đoàn không được để trống.")))
    if not members:
        errors.append(FieldError("members", _("Đoàn kiểm tra cần ít nhất một thành viên.")))
    leaders = [m for m in members if m.role == TeamRole.LEADER]
    if members and len(leaders) != 1:
        errors.append(FieldError("members", _("Đoàn kiểm tra có đúng một trưởng đoàn.")))
    people = [m.person.pk for m in members if m.person is not None]
    if len(people) != len(set(people)):
        errors.append(FieldError("members", _("Một người được chọn hai lần.")))
    for member in members:
        if member.role not in TeamRole.values:
            errors.append(FieldError("members", _("Vai trò trong đoàn không hợp lệ.")))
        if member.person is None and not member.name.strip():
            errors.append(FieldError("members", _("Thành viên ngoài danh sách cần có họ tên.")))
    if errors:
        raise ValidationFailed(errors)
    if InspectionTeam.objects.filter(plan=plan, name=name.strip()).exists():
        raise Conflict(_("Kế hoạch đã có đoàn “%(n)s”.") % {"n": name.strip()})
    team = InspectionTeam.objects.create(plan=plan, name=name.strip())
    for member in members:
        TeamMember.objects.create(
            team=team,
            person=member.person,
            name=member.person.full_name if member.person else " ".join(member.name.split()),
            affiliation=member.affiliation.strip()
            or (member.person.position if member.person else ""),
            role=member.role,
        )
    audit.record(
        actor=actor,
        action="inspection.team_create",
        obj=team,
        after={
            "plan_id": plan.pk,
            "name": team.name,
            "members": [f"{m.name} ({m.role})" for m in team.members.all()],
        },
        unit=plan.council.unit,
    )
    return team


# --- inspections -------------------------------------------------------------------------------


def _validate_inspection(
    plan: InspectionPlan,
    unit: Unit | None,
    team: InspectionTeam | None,
    scheduled_on: dt.date | None,
) -> list[FieldError]:
    errors: list[FieldError] = []
    if unit is None:
        errors.append(FieldError("unit", _("Chưa chọn đơn vị được kiểm tra.")))
    elif not unit.path.startswith(plan.council.unit.path):
        errors.append(
            FieldError("unit", _("“%(u)s” không thuộc phạm vi của hội đồng.") % {"u": unit})
        )
    if team is not None and team.plan_id != plan.pk:
        errors.append(FieldError("team", _("Đoàn kiểm tra không thuộc kế hoạch này.")))
    if scheduled_on is None:
        errors.append(FieldError("scheduled_on", _("Chưa nhập ngày dự kiến kiểm tra.")))
    elif scheduled_on.year != plan.year:
        errors.append(
            FieldError("scheduled_on", _("Ngày kiểm tra phải thuộc năm %(y)s.") % {"y": plan.year})
        )
    return errors


@transaction.atomic
def inspection_create(
    *,
    actor: Any,
    plan: InspectionPlan,
    unit: Unit,
    scheduled_on: dt.date,
    team: InspectionTeam | None = None,
) -> Inspection:
    errors = _validate_inspection(plan, unit, team, scheduled_on)
    if errors:
        raise ValidationFailed(errors)
    if Inspection.objects.filter(plan=plan, unit=unit).exists():
        raise Conflict(_("Kế hoạch đã có cuộc kiểm tra tại “%(u)s”.") % {"u": unit})
    inspection = Inspection.objects.create(
        plan=plan, unit=unit, team=team, scheduled_on=scheduled_on
    )
    audit.record(
        actor=actor,
        action="inspection.create",
        obj=inspection,
        after=audit.snapshot(inspection, INSPECTION_FIELDS),
        unit=unit,
    )
    return inspection


@transaction.atomic
def inspection_update(
    *,
    actor: Any,
    inspection: Inspection,
    scheduled_on: dt.date,
    team: InspectionTeam | None,
) -> Inspection:
    inspection = (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("plan__council__unit", "unit")
        .get(pk=inspection.pk)
    )
    errors = _validate_inspection(inspection.plan, inspection.unit, team, scheduled_on)
    if errors:
        raise ValidationFailed(errors)
    before = audit.snapshot(inspection, INSPECTION_FIELDS)
    inspection.scheduled_on = scheduled_on
    inspection.team = team
    inspection.save()
    audit.record(
        actor=actor,
        action="inspection.update",
        obj=inspection,
        before=before,
        after=audit.snapshot(inspection, INSPECTION_FIELDS),
        unit=inspection.unit,
    )
    return inspection


@transaction.atomic
def findings_record(
    *,
    actor: Any,
    inspection: Inspection,
    done_on: dt.date,
    findings: str,
    recommendations: str = "",
    today: dt.date | None = None,
) -> Inspection:
    inspection = (
        Inspection.objects.select_for_update(of=("self",))
        .select_related("plan__council__unit", "unit")
        .get(pk=inspection.pk)
    )
    errors: list[FieldError] = []
    if done_on is None:
        errors.append(FieldError("done_on", _("Chưa nhập ngày kiểm tra.")))
    elif done_on > (today or dt.date.today()):
        errors.append(FieldError("done_on", _("Ngày kiểm tra không được ở tương lai.")))
    if not (findings or "").strip():
        errors.append(FieldError("findings", _("Chưa nhập kết quả kiểm tra.")))
    if errors:
        raise ValidationFailed(errors)
    before = audit.snapshot(inspection, INSPECTION_FIELDS)
    inspection.done_on = done_on
    inspection.findings = findings.strip()
    inspection.recommendations = recommendations.strip()
    inspection.save()
    audit.record(
        actor=actor,
        action="inspection.findings",
        obj=inspection,
        before=before,
        after=audit.snapshot(inspection, INSPECTION_FIELDS),
        unit=inspection.unit,
    )
    return inspection


# --- follow-ups ---------------------------------------------------------------------------------


@transaction.atomic
def follow_up_add(
    *,
    actor: Any,
    inspection: Inspection,
    action: str,
    responsible_unit: Unit,
    due_on: dt.date,
) -> FollowUp:
    errors: list[FieldError] = []
    if not (action or "").strip():
        errors.append(FieldError("action", _("Chưa nhập nội dung cần thực hiện.")))
    if due_on is None:
        errors.append(FieldError("due_on", _("Chưa nhập hạn hoàn thành.")))
    elif inspection.done_on is not None and due_on < inspection.done_on:
        errors.append(FieldError("due_on", _("Hạn hoàn thành sớm hơn ngày kiểm tra.")))
    if responsible_unit is None:
        errors.append(FieldError("responsible_unit", _("Chưa chọn đơn vị thực hiện.")))
    elif not responsible_unit.path.startswith(inspection.plan.council.unit.path):
        errors.append(
            FieldError("responsible_unit", _("Đơn vị thực hiện không thuộc phạm vi của hội đồng."))
        )
    if errors:
        raise ValidationFailed(errors)
    follow_up = FollowUp.objects.create(
        inspection=inspection,
        action=action.strip(),
        responsible_unit=responsible_unit,
        due_on=due_on,
    )
    audit.record(
        actor=actor,
        action="inspection.follow_up_add",
        obj=follow_up,
        after=audit.snapshot(follow_up, FOLLOW_UP_FIELDS),
        unit=inspection.unit,
    )
    return follow_up


@transaction.atomic
def follow_up_set_status(
    *,
    actor: Any,
    follow_up: FollowUp,
    status: str,
    closed_on: dt.date | None = None,
    note: str = "",
    today: dt.date | None = None,
) -> FollowUp:
    """Move a follow-up along OPEN → IN_PROGRESS → CLOSED; closing needs a date and a note."""
    follow_up = (
        FollowUp.objects.select_for_update(of=("self",))
        .select_related("inspection__unit", "inspection")
        .get(pk=follow_up.pk)
    )
    if status not in TRANSITIONS.get(follow_up.status, set()):
        raise Conflict(
            _("Không thể chuyển từ “%(a)s” sang “%(b)s”.")
            % {
                "a": FollowUpStatus(follow_up.status).label,
                "b": FollowUpStatus(status).label if status in FollowUpStatus.values else status,
            }
        )
    before = audit.snapshot(follow_up, FOLLOW_UP_FIELDS)
    if status == FollowUpStatus.CLOSED:
        errors: list[FieldError] = []
        if closed_on is None:
            errors.append(FieldError("closed_on", _("Chưa nhập ngày hoàn thành.")))
        elif closed_on > (today or dt.date.today()):
            errors.append(FieldError("closed_on", _("Ngày hoàn thành không được ở tương lai.")))
        elif follow_up.inspection.done_on and closed_on < follow_up.inspection.done_on:
            errors.append(FieldError("closed_on", _("Ngày hoàn thành sớm hơn ngày kiểm tra.")))
        if not note.strip():
            errors.append(FieldError("note", _("Cần ghi kết quả thực hiện khi đóng.")))
        if errors:
            raise ValidationFailed(errors)
        follow_up.closed_on = closed_on
        follow_up.closing_note = note.strip()
    elif note.strip():
        follow_up.closing_note = note.strip()
    follow_up.status = status
    follow_up.save()
    audit.record(
        actor=actor,
        action="inspection.follow_up_close"
        if status == FollowUpStatus.CLOSED
        else "inspection.follow_up_status",
        obj=follow_up,
        before=before,
        after=audit.snapshot(follow_up, FOLLOW_UP_FIELDS),
        unit=follow_up.inspection.unit,
    )
    return follow_up


def overdue_follow_ups(queryset: Any, today: dt.date) -> Any:
    return queryset.exclude(status=FollowUpStatus.CLOSED).filter(due_on__lt=today)
