"""State changes of plans, their requirements, phases, milestones and submissions.

Each function validates everything before writing, runs in one transaction and
audits every change in it. Units in a requirement's scope are read from the
tree as it stood on the due date (UnitVersion), so a later merge or move does
not rewrite who owed what.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from audit import services as audit
from core.errors import Conflict, FieldError, ValidationFailed, invalid
from core.text import search_key
from exemplars.standards import standard_by_id
from organizations.models import Unit, UnitVersion
from people.models import Person
from plans.models import (
    Milestone,
    Phase,
    Plan,
    RegistrationEntry,
    Requirement,
    RequirementKind,
    RequirementScope,
    Submission,
)

PLAN_FIELDS = [
    "code",
    "title",
    "issuer_id",
    "parent_id",
    "document_number",
    "document_date",
    "signer",
    "starts_on",
    "ends_on",
    "summary",
    "file",
    "exemplar_standard",
]
REQUIREMENT_FIELDS = [
    "plan_id",
    "key",
    "kind",
    "title",
    "due_on",
    "scope",
    "min_count",
    "max_count",
    "year",
]
PHASE_FIELDS = ["plan_id", "name", "starts_on", "ends_on", "order"]
MILESTONE_FIELDS = ["plan_id", "phase_id", "title", "due_on", "description"]
SUBMISSION_FIELDS = [
    "requirement_id",
    "unit_id",
    "submitted_on",
    "note",
    "file",
    "child_plan_id",
    "submitted_by_id",
]
# Letters (Vietnamese included), digits, ".", "_" and "-": the code is a URL segment.
CODE_RE = re.compile(r"^[\w.\-]+$")
RESERVED_CODES = {"new"}


@dataclass
class RequirementData:
    key: str
    kind: str
    due_on: dt.date
    scope: str = "CHILD_UNITS"
    min_count: int | None = None
    max_count: int | None = None
    title: str = ""
    year: int | None = None


@dataclass
class PhaseData:
    name: str
    starts_on: dt.date
    ends_on: dt.date


@dataclass
class PlanData:
    code: str
    title: str
    issuer: Unit
    starts_on: dt.date
    ends_on: dt.date
    parent: Plan | None = None
    document_number: str = ""
    document_date: dt.date | None = None
    signer: str = ""
    summary: str = ""
    # The id of an exemplar standard (exemplars/standards); "" = the plan above's or the
    # default one. None leaves a plan's current choice alone (callers that do not know it).
    exemplar_standard: str | None = None


@dataclass
class EntryData:
    title: str
    person: Person | None = None
    unit: Unit | None = None
    field: str = ""


# --- validation ----------------------------------------------------------------------


def validate_plan_data(data: PlanData, *, plan: Plan | None = None) -> list[FieldError]:
    """Checks on the plan's own fields (no uniqueness: that is a conflict, checked later)."""
    errors: list[FieldError] = []
    code = (data.code or "").strip()
    if not code:
        errors.append(FieldError("code", _("Mã kế hoạch không được để trống.")))
    elif len(code) > 64 or not CODE_RE.match(code) or code.lower() in RESERVED_CODES:
        errors.append(
            FieldError(
                "code",
                _(
                    "Mã kế hoạch tối đa 64 ký tự, chỉ gồm chữ, số và các dấu “.”, “_”, “-”"
                    " (không có khoảng trắng hay “/”)."
                ),
            )
        )
    title = (data.title or "").strip()
    if not title:
        errors.append(FieldError("title", _("Tên kế hoạch không được để trống.")))
    elif len(title) > 500:
        errors.append(FieldError("title", _("Tên kế hoạch tối đa 500 ký tự.")))
    if data.issuer is None:
        errors.append(FieldError("issuer", _("Chưa chọn đơn vị ban hành.")))
    elif not data.issuer.is_active and (plan is None or plan.issuer_id != data.issuer.pk):
        errors.append(
            FieldError("issuer", _("Đơn vị “%(u)s” đã ngừng hoạt động.") % {"u": data.issuer})
        )
    if data.starts_on is None:
        errors.append(FieldError("starts_on", _("Chưa nhập ngày bắt đầu.")))
    if data.ends_on is None:
        errors.append(FieldError("ends_on", _("Chưa nhập ngày kết thúc.")))
    if data.starts_on and data.ends_on and data.ends_on < data.starts_on:
        errors.append(FieldError("ends_on", _("Ngày kết thúc phải sau ngày bắt đầu.")))
    if len(data.document_number or "") > 64:
        errors.append(FieldError("document_number", _("Số văn bản tối đa 64 ký tự.")))
    if len(data.signer or "") > 150:
        errors.append(FieldError("signer", _("Người ký tối đa 150 ký tự.")))
    standard_id = (data.exemplar_standard or "").strip()
    if standard_id and standard_by_id(standard_id) is None:
        errors.append(
            FieldError(
                "exemplar_standard",
                _("Không có tiêu chuẩn điển hình mã “%(id)s”.") % {"id": standard_id},
            )
        )
    parent = data.parent
    if parent is not None:
        if plan is not None and _is_descendant_or_self(parent, plan):
            errors.append(
                FieldError("parent", _("Kế hoạch cấp trên không thể là chính nó hoặc cấp dưới."))
            )
        elif data.issuer is not None and not data.issuer.path.startswith(parent.issuer.path):
            errors.append(
                FieldError(
                    "parent",
                    _("Đơn vị ban hành phải thuộc “%(u)s”, đơn vị ban hành kế hoạch cấp trên.")
                    % {"u": parent.issuer},
                )
            )
    return errors


def _is_descendant_or_self(candidate: Plan, plan: Plan) -> bool:
    node: Plan | None = candidate
    seen: set[int] = set()
    while node is not None and node.pk not in seen:
        if node.pk == plan.pk:
            return True
        seen.add(node.pk)
        node = node.parent
    return False


def validate_requirement_data(data: RequirementData) -> list[FieldError]:
    errors: list[FieldError] = []
    key = (data.key or "").strip()
    if not key:
        errors.append(FieldError("key", _("Mã yêu cầu không được để trống.")))
    elif len(key) > 64 or not CODE_RE.match(key):
        errors.append(
            FieldError(
                "key", _("Mã yêu cầu tối đa 64 ký tự, chỉ gồm chữ, số và các dấu “.”, “_”, “-”.")
            )
        )
    if data.kind not in RequirementKind.values:
        errors.append(
            FieldError("kind", _("Loại yêu cầu “%(k)s” không hợp lệ.") % {"k": data.kind})
        )
    if data.scope not in RequirementScope.values:
        errors.append(FieldError("scope", _("Phạm vi “%(s)s” không hợp lệ.") % {"s": data.scope}))
    if data.due_on is None:
        errors.append(FieldError("due_on", _("Chưa nhập hạn gửi.")))
    for name in ("min_count", "max_count"):
        value = getattr(data, name)
        if value is not None and value < 0:
            errors.append(FieldError(name, _("Số lượng không được âm.")))
    if (
        data.min_count is not None
        and data.max_count is not None
        and data.min_count > data.max_count
    ):
        errors.append(
            FieldError("max_count", _("Số lượng tối đa phải lớn hơn hoặc bằng số tối thiểu."))
        )
    if data.year is not None and not 1945 <= data.year <= 2100:
        errors.append(FieldError("year", _("Năm không hợp lệ.")))
    if len(data.title or "") > 500:
        errors.append(FieldError("title", _("Nội dung tối đa 500 ký tự.")))
    return errors


def validate_phase_data(
    data: PhaseData, plan_start: dt.date, plan_end: dt.date
) -> list[FieldError]:
    errors: list[FieldError] = []
    if not (data.name or "").strip():
        errors.append(FieldError("name", _("Tên giai đoạn không được để trống.")))
    if data.starts_on is None or data.ends_on is None:
        errors.append(FieldError("starts_on", _("Chưa nhập thời gian của giai đoạn.")))
        return errors
    if data.ends_on < data.starts_on:
        errors.append(FieldError("ends_on", _("Giai đoạn phải kết thúc sau khi bắt đầu.")))
    elif data.starts_on < plan_start or data.ends_on > plan_end:
        errors.append(
            FieldError("starts_on", _("Giai đoạn phải nằm trong thời gian của kế hoạch."))
        )
    return errors


def _snap(obj: Any, fields: list[str]) -> dict[str, Any]:
    """audit.snapshot, with stored files as their names (the log holds JSON)."""
    values = audit.snapshot(obj, fields)
    for name, value in values.items():
        if hasattr(value, "name") and hasattr(value, "storage"):
            values[name] = value.name or ""
    return values


def _prefixed(prefix: str, errors: Iterable[FieldError]) -> list[FieldError]:
    return [FieldError(f"{prefix}.{e.field}", e.message) for e in errors]


def _refresh_keys(plan: Plan) -> None:
    plan.search_text = search_key(
        plan.code, plan.title, plan.document_number, plan.signer, plan.issuer.name
    )


def _apply_plan_data(plan: Plan, data: PlanData) -> None:
    plan.code = data.code.strip()
    plan.title = " ".join(data.title.split())
    plan.issuer = data.issuer
    plan.parent = data.parent
    plan.document_number = (data.document_number or "").strip()
    plan.document_date = data.document_date
    plan.signer = (data.signer or "").strip()
    plan.summary = (data.summary or "").strip()
    plan.starts_on = data.starts_on
    plan.ends_on = data.ends_on
    if data.exemplar_standard is not None:
        plan.exemplar_standard = data.exemplar_standard.strip()
    _refresh_keys(plan)


def _requirement_from(plan: Plan, data: RequirementData) -> Requirement:
    return Requirement(
        plan=plan,
        key=data.key.strip(),
        kind=data.kind,
        title=(data.title or "").strip(),
        due_on=data.due_on,
        scope=data.scope,
        min_count=data.min_count,
        max_count=data.max_count,
        year=data.year,
    )


# --- plans -----------------------------------------------------------------------------


@transaction.atomic
def plan_create(
    *,
    actor: Any,
    data: PlanData,
    requirements: Sequence[RequirementData] = (),
    phases: Sequence[PhaseData] = (),
) -> Plan:
    errors = validate_plan_data(data)
    keys: set[str] = set()
    for index, req in enumerate(requirements):
        errors.extend(_prefixed(f"requirements.{index}", validate_requirement_data(req)))
        key = (req.key or "").strip()
        if key and key in keys:
            errors.append(
                FieldError(
                    f"requirements.{index}.key",
                    _("Mã yêu cầu “%(k)s” bị trùng.") % {"k": key},
                )
            )
        keys.add(key)
    if data.starts_on and data.ends_on and data.ends_on >= data.starts_on:
        for index, phase in enumerate(phases):
            errors.extend(
                _prefixed(
                    f"phases.{index}", validate_phase_data(phase, data.starts_on, data.ends_on)
                )
            )
    if errors:
        raise ValidationFailed(errors)
    code = data.code.strip()
    if Plan.objects.filter(code=code).exists():
        raise Conflict(_("Mã kế hoạch “%(code)s” đã tồn tại.") % {"code": code})
    plan = Plan()
    _apply_plan_data(plan, data)
    plan.save()
    audit.record(
        actor=actor,
        action="plan.create",
        obj=plan,
        after=_snap(plan, PLAN_FIELDS),
        unit=plan.issuer,
    )
    for req in requirements:
        _requirement_save(actor, _requirement_from(plan, req))
    for order, phase_data in enumerate(phases, start=1):
        _phase_save(actor, plan, phase_data, order)
    return plan


@transaction.atomic
def plan_update(*, actor: Any, plan: Plan, data: PlanData) -> Plan:
    plan = (
        Plan.objects.select_for_update(of=("self",))
        .select_related("issuer", "parent")
        .get(pk=plan.pk)
    )
    errors = validate_plan_data(data, plan=plan)
    if data.starts_on and data.ends_on and data.ends_on >= data.starts_on:
        outside = plan.phases.filter(Q(starts_on__lt=data.starts_on) | Q(ends_on__gt=data.ends_on))
        if outside.exists():
            errors.append(
                FieldError(
                    "starts_on",
                    _("Thời gian kế hoạch phải bao gồm mọi giai đoạn của kế hoạch."),
                )
            )
    if errors:
        raise ValidationFailed(errors)
    code = data.code.strip()
    if Plan.objects.filter(code=code).exclude(pk=plan.pk).exists():
        raise Conflict(_("Mã kế hoạch “%(code)s” đã tồn tại.") % {"code": code})
    before = _snap(plan, PLAN_FIELDS)
    _apply_plan_data(plan, data)
    plan.save()
    after = _snap(plan, PLAN_FIELDS)
    if after != before:
        audit.record(
            actor=actor, action="plan.update", obj=plan, before=before, after=after,
            unit=plan.issuer,
        )  # fmt: skip
    return plan


@transaction.atomic
def plan_file_set(*, actor: Any, plan: Plan, file: Any) -> Plan:
    """Attach (or replace) the signed document of the plan."""
    plan = Plan.objects.select_for_update(of=("self",)).select_related("issuer").get(pk=plan.pk)
    before = _snap(plan, ["file"])
    plan.file = file
    plan.save(update_fields=["file", "updated_at"])
    audit.record(
        actor=actor, action="plan.update", obj=plan, before=before,
        after=_snap(plan, ["file"]), unit=plan.issuer,
    )  # fmt: skip
    return plan


# --- requirements -----------------------------------------------------------------------


def _requirement_save(actor: Any, requirement: Requirement) -> Requirement:
    requirement.save()
    audit.record(
        actor=actor,
        action="plan.requirement_add",
        obj=requirement,
        after=_snap(requirement, REQUIREMENT_FIELDS),
        unit=requirement.plan.issuer,
    )
    return requirement


@transaction.atomic
def requirement_add(*, actor: Any, plan: Plan, data: RequirementData) -> Requirement:
    errors = validate_requirement_data(data)
    if errors:
        raise ValidationFailed(errors)
    key = data.key.strip()
    if plan.requirements.filter(key=key).exists():
        raise invalid("key", _("Mã yêu cầu “%(k)s” đã có trong kế hoạch.") % {"k": key})
    return _requirement_save(actor, _requirement_from(plan, data))


@transaction.atomic
def requirement_update(
    *, actor: Any, requirement: Requirement, data: RequirementData
) -> Requirement:
    requirement = (
        Requirement.objects.select_for_update(of=("self",))
        .select_related("plan__issuer")
        .get(pk=requirement.pk)
    )
    errors = validate_requirement_data(data)
    key = (data.key or "").strip()
    if key and requirement.plan.requirements.filter(key=key).exclude(pk=requirement.pk).exists():
        errors.append(FieldError("key", _("Mã yêu cầu “%(k)s” đã có trong kế hoạch.") % {"k": key}))
    if data.kind != requirement.kind and requirement.submissions.exists():
        errors.append(
            FieldError("kind", _("Đã có đơn vị gửi theo yêu cầu này, không thể đổi loại."))
        )
    if errors:
        raise ValidationFailed(errors)
    before = _snap(requirement, REQUIREMENT_FIELDS)
    fresh = _requirement_from(requirement.plan, data)
    for name in ("key", "kind", "title", "due_on", "scope", "min_count", "max_count", "year"):
        setattr(requirement, name, getattr(fresh, name))
    requirement.save()
    after = _snap(requirement, REQUIREMENT_FIELDS)
    if after != before:
        audit.record(
            actor=actor, action="plan.requirement_update", obj=requirement, before=before,
            after=after, unit=requirement.plan.issuer,
        )  # fmt: skip
    return requirement


@transaction.atomic
def requirement_delete(*, actor: Any, requirement: Requirement) -> None:
    requirement = Requirement.objects.select_related("plan__issuer").get(pk=requirement.pk)
    if requirement.submissions.exists():
        raise Conflict(
            _("Đã có đơn vị gửi theo yêu cầu “%(k)s”, không thể xóa.") % {"k": requirement.key}
        )
    before = _snap(requirement, REQUIREMENT_FIELDS)
    audit.record(
        actor=actor, action="plan.requirement_delete", obj=requirement, before=before,
        unit=requirement.plan.issuer,
    )  # fmt: skip
    requirement.delete()


# --- phases and milestones ----------------------------------------------------------------


def _phase_save(actor: Any, plan: Plan, data: PhaseData, order: int) -> Phase:
    phase = Phase.objects.create(
        plan=plan,
        name=" ".join(data.name.split()),
        starts_on=data.starts_on,
        ends_on=data.ends_on,
        order=order,
    )
    audit.record(
        actor=actor, action="plan.phase_add", obj=phase,
        after=_snap(phase, PHASE_FIELDS), unit=plan.issuer,
    )  # fmt: skip
    return phase


@transaction.atomic
def phase_add(*, actor: Any, plan: Plan, data: PhaseData) -> Phase:
    errors = validate_phase_data(data, plan.starts_on, plan.ends_on)
    if errors:
        raise ValidationFailed(errors)
    order = (plan.phases.order_by("-order").values_list("order", flat=True).first() or 0) + 1
    return _phase_save(actor, plan, data, order)


@transaction.atomic
def phase_update(*, actor: Any, phase: Phase, data: PhaseData) -> Phase:
    phase = (
        Phase.objects.select_for_update(of=("self",))
        .select_related("plan__issuer")
        .get(pk=phase.pk)
    )
    errors = validate_phase_data(data, phase.plan.starts_on, phase.plan.ends_on)
    if errors:
        raise ValidationFailed(errors)
    before = _snap(phase, PHASE_FIELDS)
    phase.name = " ".join(data.name.split())
    phase.starts_on = data.starts_on
    phase.ends_on = data.ends_on
    phase.save()
    after = _snap(phase, PHASE_FIELDS)
    if after != before:
        audit.record(
            actor=actor, action="plan.phase_update", obj=phase, before=before, after=after,
            unit=phase.plan.issuer,
        )  # fmt: skip
    return phase


@transaction.atomic
def phase_delete(*, actor: Any, phase: Phase) -> None:
    """Remove a phase; its milestones stay in the plan, without a phase."""
    phase = Phase.objects.select_related("plan__issuer").get(pk=phase.pk)
    phase.milestones.update(phase=None)
    audit.record(
        actor=actor, action="plan.phase_delete", obj=phase,
        before=_snap(phase, PHASE_FIELDS), unit=phase.plan.issuer,
    )  # fmt: skip
    phase.delete()


def _validate_milestone(
    plan: Plan, title: str, due_on: dt.date | None, phase: Phase | None
) -> list[FieldError]:
    errors: list[FieldError] = []
    if not (title or "").strip():
        errors.append(FieldError("title", _("Nội dung mốc không được để trống.")))
    elif len(title.strip()) > 500:
        errors.append(FieldError("title", _("Nội dung tối đa 500 ký tự.")))
    if due_on is None:
        errors.append(FieldError("due_on", _("Chưa nhập thời hạn.")))
    if phase is not None and phase.plan_id != plan.pk:
        errors.append(FieldError("phase", _("Giai đoạn không thuộc kế hoạch này.")))
    return errors


@transaction.atomic
def milestone_add(
    *,
    actor: Any,
    plan: Plan,
    title: str,
    due_on: dt.date,
    phase: Phase | None = None,
    description: str = "",
) -> Milestone:
    errors = _validate_milestone(plan, title, due_on, phase)
    if errors:
        raise ValidationFailed(errors)
    milestone = Milestone.objects.create(
        plan=plan,
        phase=phase,
        title=" ".join(title.split()),
        due_on=due_on,
        description=(description or "").strip(),
    )
    audit.record(
        actor=actor, action="plan.milestone_add", obj=milestone,
        after=_snap(milestone, MILESTONE_FIELDS), unit=plan.issuer,
    )  # fmt: skip
    return milestone


@transaction.atomic
def milestone_update(
    *,
    actor: Any,
    milestone: Milestone,
    title: str,
    due_on: dt.date,
    phase: Phase | None = None,
    description: str = "",
) -> Milestone:
    milestone = (
        Milestone.objects.select_for_update(of=("self",))
        .select_related("plan__issuer")
        .get(pk=milestone.pk)
    )
    errors = _validate_milestone(milestone.plan, title, due_on, phase)
    if errors:
        raise ValidationFailed(errors)
    before = _snap(milestone, MILESTONE_FIELDS)
    milestone.title = " ".join(title.split())
    milestone.due_on = due_on
    milestone.phase = phase
    milestone.description = (description or "").strip()
    milestone.save()
    after = _snap(milestone, MILESTONE_FIELDS)
    if after != before:
        audit.record(
            actor=actor, action="plan.milestone_update", obj=milestone, before=before,
            after=after, unit=milestone.plan.issuer,
        )  # fmt: skip
    return milestone


@transaction.atomic
def milestone_delete(*, actor: Any, milestone: Milestone) -> None:
    milestone = Milestone.objects.select_related("plan__issuer").get(pk=milestone.pk)
    audit.record(
        actor=actor, action="plan.milestone_delete", obj=milestone,
        before=_snap(milestone, MILESTONE_FIELDS), unit=milestone.plan.issuer,
    )  # fmt: skip
    milestone.delete()


# --- plan revision (the edit page: plan, requirements and phases at once) ---------------


@dataclass
class RequirementChange:
    """One row of the edit page: `existing` None adds, `data` None deletes."""

    existing: Requirement | None
    data: RequirementData | None


@dataclass
class PhaseChange:
    existing: Phase | None
    data: PhaseData | None


@transaction.atomic
def plan_revise(
    *,
    actor: Any,
    plan: Plan,
    data: PlanData,
    requirements: Sequence[RequirementChange] = (),
    phases: Sequence[PhaseChange] = (),
) -> Plan:
    """Apply the whole edit page in one transaction: all of it or none of it.

    Errors are reported per row ("requirements.2.key") so the page shows each
    next to its input.
    """
    errors: list[FieldError] = []
    kept_keys: dict[str, int] = {}
    for index, change in enumerate(requirements):
        if change.data is None:
            continue
        errors.extend(_prefixed(f"requirements.{index}", validate_requirement_data(change.data)))
        key = (change.data.key or "").strip()
        if key in kept_keys:
            errors.append(
                FieldError(
                    f"requirements.{index}.key", _("Mã yêu cầu “%(k)s” bị trùng.") % {"k": key}
                )
            )
        kept_keys[key] = index
        if (
            change.existing is not None
            and change.data.kind != change.existing.kind
            and change.existing.submissions.exists()
        ):
            errors.append(
                FieldError(
                    f"requirements.{index}.kind",
                    _("Đã có đơn vị gửi theo yêu cầu này, không thể đổi loại."),
                )
            )
    for index, change in enumerate(requirements):
        deleting = change.data is None and change.existing is not None
        if deleting and change.existing.submissions.exists():  # type: ignore[union-attr]
            errors.append(
                FieldError(
                    f"requirements.{index}.key",
                    _("Đã có đơn vị gửi theo yêu cầu “%(k)s”, không thể xóa.")
                    % {"k": change.existing.key},  # type: ignore[union-attr]
                )
            )
    if data.starts_on and data.ends_on and data.ends_on >= data.starts_on:
        for index, phase_change in enumerate(phases):
            if phase_change.data is not None:
                errors.extend(
                    _prefixed(
                        f"phases.{index}",
                        validate_phase_data(phase_change.data, data.starts_on, data.ends_on),
                    )
                )
    if errors:
        raise ValidationFailed(errors)
    # Deletions first, so that the phases check of plan_update sees the final set
    # and a key freed by a deleted row can be reused by a new one.
    for change in requirements:
        if change.data is None and change.existing is not None:
            requirement_delete(actor=actor, requirement=change.existing)
    for phase_change in phases:
        if phase_change.data is None and phase_change.existing is not None:
            phase_delete(actor=actor, phase=phase_change.existing)
    # Renamed keys are parked on a temporary value first, so swapping two keys works.
    renamed = [
        c
        for c in requirements
        if c.existing is not None and c.data is not None and c.data.key.strip() != c.existing.key
    ]
    for change in renamed:
        assert change.existing is not None
        Requirement.objects.filter(pk=change.existing.pk).update(key=f"~{change.existing.pk}")
        change.existing.key = f"~{change.existing.pk}"
    # Kept phases move into the new period before the plan's own check runs.
    for phase_change in phases:
        if phase_change.data is not None and phase_change.existing is not None:
            phase = phase_change.existing
            before = _snap(phase, PHASE_FIELDS)
            phase.name = " ".join(phase_change.data.name.split())
            phase.starts_on = phase_change.data.starts_on
            phase.ends_on = phase_change.data.ends_on
            phase.save()
            after = _snap(phase, PHASE_FIELDS)
            if after != before:
                audit.record(
                    actor=actor, action="plan.phase_update", obj=phase, before=before,
                    after=after, unit=plan.issuer,
                )  # fmt: skip
    plan = plan_update(actor=actor, plan=plan, data=data)
    for change in requirements:
        if change.data is None:
            continue
        if change.existing is None:
            requirement_add(actor=actor, plan=plan, data=change.data)
        else:
            requirement_update(actor=actor, requirement=change.existing, data=change.data)
    for phase_change in phases:
        if phase_change.data is not None and phase_change.existing is None:
            phase_add(actor=actor, plan=plan, data=phase_change.data)
    return plan


# --- scope of a requirement ----------------------------------------------------------------


class TreeOnDates:
    """The unit tree on given dates, from one query on UnitVersion.

    Merged and split units stop on their last day; a unit moved since keeps
    the parent it had then.
    """

    def __init__(self, days: Iterable[dt.date]) -> None:
        days = sorted(set(days))
        self.versions: list[UnitVersion] = []
        if days:
            self.versions = list(
                UnitVersion.objects.filter(valid_from__lte=days[-1])
                .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=days[0]))
                .select_related("unit")
            )
        self._children: dict[dt.date, dict[int | None, list[Unit]]] = {}

    def children_on(self, day: dt.date) -> dict[int | None, list[Unit]]:
        cached = self._children.get(day)
        if cached is None:
            cached = {}
            for version in self.versions:
                if (
                    version.valid_from <= day
                    and (version.valid_to is None or version.valid_to >= day)
                    and version.unit.active_on(day)
                ):
                    cached.setdefault(version.parent_id, []).append(version.unit)
            self._children[day] = cached
        return cached

    def scope(self, issuer_id: int, scope: str, day: dt.date) -> list[Unit]:
        children = self.children_on(day)
        if scope == RequirementScope.CHILD_UNITS:
            found = list(children.get(issuer_id, []))
        else:
            found = []
            stack = [issuer_id]
            seen = {issuer_id}
            while stack:
                for unit in children.get(stack.pop(), []):
                    if unit.pk not in seen:
                        seen.add(unit.pk)
                        found.append(unit)
                        stack.append(unit.pk)
        return sorted(found, key=lambda u: (u.path, u.code))


def units_in_scope(requirement: Requirement) -> list[Unit]:
    """Units that owe an answer: the issuer's children (CHILD_UNITS) or all its
    descendants (SUBTREE), as the tree stood on the due date, active that day."""
    tree = TreeOnDates([requirement.due_on])
    return tree.scope(requirement.plan.issuer_id, requirement.scope, requirement.due_on)


# --- submissions -------------------------------------------------------------------------


def _entries_snapshot(submission: Submission) -> list[dict[str, Any]]:
    return [
        {"title": e.title, "person_id": e.person_id, "unit_id": e.unit_id, "field": e.field}
        for e in submission.entries.all()
    ]


def _submission_snapshot(submission: Submission) -> dict[str, Any]:
    return {
        **_snap(submission, SUBMISSION_FIELDS),
        "plan_id": submission.requirement.plan_id,
        "entries": _entries_snapshot(submission),
    }


def _validate_entries(unit: Unit, entries: Sequence[EntryData]) -> list[FieldError]:
    errors: list[FieldError] = []
    for index, entry in enumerate(entries):
        prefix = f"entries.{index}"
        if not (entry.title or "").strip():
            errors.append(FieldError(f"{prefix}.title", _("Tên điển hình không được để trống.")))
        elif len(entry.title.strip()) > 500:
            errors.append(FieldError(f"{prefix}.title", _("Tên điển hình tối đa 500 ký tự.")))
        if entry.person is not None and not entry.person.unit.path.startswith(unit.path):
            errors.append(
                FieldError(
                    f"{prefix}.person",
                    _("%(p)s không thuộc đơn vị gửi đăng ký.") % {"p": entry.person.full_name},
                )
            )
        if entry.unit is not None and not entry.unit.path.startswith(unit.path):
            errors.append(
                FieldError(
                    f"{prefix}.unit",
                    _("“%(u)s” không thuộc đơn vị gửi đăng ký.") % {"u": entry.unit.name},
                )
            )
        if len(entry.field or "") > 255:
            errors.append(FieldError(f"{prefix}.field", _("Lĩnh vực tối đa 255 ký tự.")))
    return errors


def exemplar_entries(ids: Sequence[int]) -> list[EntryData]:
    """Registration rows from exemplar records; unknown ids are a 422 on "exemplars"."""
    model = apps.get_model("exemplars", "Exemplar")
    found: dict[Any, Any] = (
        model.objects.select_related("person", "subject_unit").in_bulk(list(ids)) if ids else {}
    )
    unknown = [str(i) for i in ids if i not in found]
    if unknown:
        raise invalid(
            "exemplars",
            _("Không tìm thấy điển hình có mã số: %(ids)s.") % {"ids": ", ".join(unknown)},
        )
    entries = []
    for pk in ids:
        record = found[pk]
        entries.append(
            EntryData(
                title=str(getattr(record, "title", "") or record),
                person=record.person,
                # The registered collective is the exemplar's subject, not its
                # discovering unit.
                unit=record.subject_unit,
                field=str(getattr(record, "field", "") or ""),
            )
        )
    return entries


@transaction.atomic
def submission_submit(
    *,
    actor: Any,
    requirement: Requirement,
    unit: Unit,
    submitted_on: dt.date | None = None,
    note: str = "",
    child_plan: Plan | None = None,
    entries: Sequence[EntryData] = (),
    file: Any = None,
) -> Submission:
    """Record a unit's answer; a second answer to the same requirement replaces the first."""
    requirement = Requirement.objects.select_related("plan__issuer").get(pk=requirement.pk)
    submitted_on = submitted_on or timezone.localdate()
    errors: list[FieldError] = []
    if unit.pk not in {u.pk for u in units_in_scope(requirement)}:
        errors.append(
            FieldError(
                "unit",
                _("“%(u)s” không thuộc phạm vi phải gửi của yêu cầu “%(k)s”.")
                % {"u": unit.name, "k": requirement.key},
            )
        )
    if submitted_on > timezone.localdate():
        errors.append(FieldError("submitted_on", _("Ngày gửi không được sau ngày hôm nay.")))
    if entries and requirement.kind != RequirementKind.EXEMPLAR_REGISTRATION:
        errors.append(
            FieldError("entries", _("Danh sách điển hình chỉ gửi kèm yêu cầu đăng ký điển hình."))
        )
    errors.extend(_validate_entries(unit, entries))
    if child_plan is not None:
        if requirement.kind != RequirementKind.UNIT_PLAN:
            errors.append(
                FieldError("child_plan", _("Chỉ yêu cầu gửi kế hoạch mới kèm kế hoạch của đơn vị."))
            )
        elif child_plan.parent_id != requirement.plan_id or child_plan.issuer_id != unit.pk:
            errors.append(
                FieldError(
                    "child_plan",
                    _("Kế hoạch kèm theo phải do đơn vị gửi ban hành, cụ thể hóa kế hoạch này."),
                )
            )
    if errors:
        raise ValidationFailed(errors)
    existing = (
        Submission.objects.select_for_update(of=("self",))
        .select_related("requirement")
        .filter(requirement=requirement, unit=unit)
        .first()
    )
    before = _submission_snapshot(existing) if existing is not None else None
    submission = existing or Submission(requirement=requirement, unit=unit)
    submission.submitted_on = submitted_on
    submission.note = (note or "").strip()
    submission.child_plan = child_plan
    submission.submitted_by = actor if getattr(actor, "pk", None) is not None else None
    if file is not None:
        submission.file = file
    elif existing is not None:
        submission.file = ""  # a replacement stands on its own: the old attachment goes
    submission.save()
    if existing is not None:
        submission.entries.all().delete()
    RegistrationEntry.objects.bulk_create(
        [
            RegistrationEntry(
                submission=submission,
                title=" ".join(e.title.split()),
                person=e.person,
                unit=e.unit,
                field=(e.field or "").strip(),
                order=index,
            )
            for index, e in enumerate(entries, start=1)
        ]
    )
    audit.record(
        actor=actor,
        action="plan.submission_replace" if existing is not None else "plan.submission_submit",
        obj=submission,
        before=before,
        after=_submission_snapshot(submission),
        unit=unit,
    )
    return submission


@transaction.atomic
def submission_withdraw(*, actor: Any, submission: Submission) -> None:
    submission = Submission.objects.select_related("requirement", "unit").get(pk=submission.pk)
    audit.record(
        actor=actor,
        action="plan.submission_withdraw",
        obj=submission,
        before=_submission_snapshot(submission),
        unit=submission.unit,
    )
    submission.delete()
