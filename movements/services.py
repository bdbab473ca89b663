"""State changes of emulation movements. Each validates first and audits in its transaction.

Registration lifecycle: DRAFT → SUBMITTED → CONFIRMED | REJECTED; a rejected
registration may be edited and submitted again. Only the head of the unit
(Perm.CONFIRM on the registering unit) confirms or rejects; only confirmed
registrations are reviewed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Max, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import Perm, can
from audit import services as audit
from awards.models import AwardType, RecipientKind
from core.errors import Conflict, FieldError, ValidationFailed, invalid
from core.text import search_key
from movements.models import (
    Criterion,
    CriterionTarget,
    Movement,
    MovementKind,
    Registration,
    RegistrationStatus,
    ReviewMark,
    ReviewStage,
)
from organizations.models import Unit
from people.models import Assignment, Person

MOVEMENT_FIELDS = [
    "code",
    "name",
    "kind",
    "launching_unit_id",
    "starts_on",
    "ends_on",
    "contents",
    "preliminary_review_on",
    "final_review_on",
    "document_number",
    "document_date",
]
EDITABLE_MOVEMENT_FIELDS = set(MOVEMENT_FIELDS) - {"code", "launching_unit_id"}
CRITERION_FIELDS = ["movement_id", "target", "order", "text", "max_points"]
REGISTRATION_FIELDS = [
    "movement_id",
    "unit_id",
    "person_id",
    "pledge",
    "registered_on",
    "status",
    "rejection_reason",
    "review_result",
    "exemplar_recommended",
    "exemplar_note",
]
MARK_FIELDS = ["registration_id", "criterion_id", "stage", "met", "score", "comment"]
EDITABLE_STATES = {RegistrationStatus.DRAFT, RegistrationStatus.REJECTED}
SUBJECT_RECIPIENTS: dict[str, set[str]] = {
    CriterionTarget.COLLECTIVE: {RecipientKind.COLLECTIVE, RecipientKind.BOTH},
    CriterionTarget.INDIVIDUAL: {RecipientKind.INDIVIDUAL, RecipientKind.BOTH},
}


# --- movements -------------------------------------------------------------------------


def validate_movement(
    *,
    code: str,
    name: str,
    kind: str,
    starts_on: dt.date | None,
    ends_on: dt.date | None,
    preliminary_review_on: dt.date | None,
    final_review_on: dt.date | None,
) -> list[FieldError]:
    errors: list[FieldError] = []
    code = (code or "").strip()
    if not code:
        errors.append(FieldError("code", _("Mã phong trào không được để trống.")))
    elif len(code) > 32 or any(ch.isspace() for ch in code):
        errors.append(FieldError("code", _("Mã tối đa 32 ký tự và không có khoảng trắng.")))
    if not (name or "").strip():
        errors.append(FieldError("name", _("Chủ đề phong trào không được để trống.")))
    elif len(name.strip()) > 500:
        errors.append(FieldError("name", _("Chủ đề tối đa 500 ký tự.")))
    if kind not in MovementKind.values:
        errors.append(FieldError("kind", _("Loại phong trào không hợp lệ.")))
    if starts_on is None:
        errors.append(FieldError("starts_on", _("Chưa nhập ngày bắt đầu.")))
    else:
        if ends_on is not None and ends_on < starts_on:
            errors.append(FieldError("ends_on", _("Ngày kết thúc sớm hơn ngày bắt đầu.")))
        for field, day in (
            ("preliminary_review_on", preliminary_review_on),
            ("final_review_on", final_review_on),
        ):
            if day is not None and day < starts_on:
                errors.append(FieldError(field, _("Ngày đánh giá sớm hơn ngày bắt đầu.")))
    if (
        preliminary_review_on is not None
        and final_review_on is not None
        and final_review_on < preliminary_review_on
    ):
        errors.append(FieldError("final_review_on", _("Ngày tổng kết sớm hơn ngày sơ kết.")))
    return errors


def _refresh_movement(movement: Movement) -> None:
    movement.name = " ".join(movement.name.split())
    movement.search_text = search_key(movement.code, movement.name, movement.document_number)


@transaction.atomic
def movement_create(
    *,
    actor: Any,
    launching_unit: Unit,
    code: str,
    name: str,
    kind: str,
    starts_on: dt.date,
    ends_on: dt.date | None = None,
    contents: str = "",
    preliminary_review_on: dt.date | None = None,
    final_review_on: dt.date | None = None,
    document_number: str = "",
    document_date: dt.date | None = None,
) -> Movement:
    errors = validate_movement(
        code=code,
        name=name,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        preliminary_review_on=preliminary_review_on,
        final_review_on=final_review_on,
    )
    if not launching_unit.is_active:
        errors.append(
            FieldError(
                "launching_unit", _("Đơn vị “%(u)s” đã ngừng hoạt động.") % {"u": launching_unit}
            )
        )
    if errors:
        raise ValidationFailed(errors)
    code = code.strip()
    if Movement.objects.filter(code=code).exists():
        raise Conflict(_("Mã phong trào “%(c)s” đã tồn tại.") % {"c": code})
    movement = Movement(
        launching_unit=launching_unit,
        code=code,
        name=name,
        kind=kind,
        starts_on=starts_on,
        ends_on=ends_on,
        contents=contents.strip(),
        preliminary_review_on=preliminary_review_on,
        final_review_on=final_review_on,
        document_number=document_number.strip(),
        document_date=document_date,
    )
    _refresh_movement(movement)
    movement.save()
    audit.record(
        actor=actor,
        action="movement.create",
        obj=movement,
        after=audit.snapshot(movement, MOVEMENT_FIELDS),
        unit=launching_unit,
    )
    return movement


@transaction.atomic
def movement_update(*, actor: Any, movement: Movement, **changes: Any) -> Movement:
    """Edit everything but the code and the launching unit (registrations hang on both)."""
    unknown = set(changes) - EDITABLE_MOVEMENT_FIELDS
    if unknown:
        raise ValueError(f"movement_update cannot change {sorted(unknown)}")
    movement = Movement.objects.select_for_update(of=("self",)).get(pk=movement.pk)
    before = audit.snapshot(movement, MOVEMENT_FIELDS)
    for name, value in changes.items():
        setattr(movement, name, value.strip() if isinstance(value, str) else value)
    errors = validate_movement(
        code=movement.code,
        name=movement.name,
        kind=movement.kind,
        starts_on=movement.starts_on,
        ends_on=movement.ends_on,
        preliminary_review_on=movement.preliminary_review_on,
        final_review_on=movement.final_review_on,
    )
    if errors:
        raise ValidationFailed(errors)
    _refresh_movement(movement)
    movement.save()
    audit.record(
        actor=actor,
        action="movement.update",
        obj=movement,
        before=before,
        after=audit.snapshot(movement, MOVEMENT_FIELDS),
        unit=movement.launching_unit,
    )
    return movement


# --- criteria --------------------------------------------------------------------------


def _validate_criterion(target: str, text: str, max_points: Decimal | None) -> list[FieldError]:
    errors: list[FieldError] = []
    if target not in CriterionTarget.values:
        errors.append(FieldError("target", _("Đối tượng phải là tập thể hoặc cá nhân.")))
    if not (text or "").strip():
        errors.append(FieldError("text", _("Nội dung tiêu chí không được để trống.")))
    if max_points is not None and (max_points <= 0 or max_points >= 10000):
        errors.append(FieldError("max_points", _("Điểm tối đa phải lớn hơn 0 và nhỏ hơn 10.000.")))
    return errors


@transaction.atomic
def criterion_add(
    *,
    actor: Any,
    movement: Movement,
    target: str,
    text: str,
    max_points: Decimal | None = None,
) -> Criterion:
    errors = _validate_criterion(target, text, max_points)
    if errors:
        raise ValidationFailed(errors)
    Movement.objects.select_for_update(of=("self",)).filter(pk=movement.pk).first()
    last = Criterion.objects.filter(movement=movement, target=target).aggregate(m=Max("order"))
    criterion = Criterion.objects.create(
        movement=movement,
        target=target,
        order=(last["m"] or 0) + 1,
        text=text.strip(),
        max_points=max_points,
    )
    audit.record(
        actor=actor,
        action="movement.criterion_add",
        obj=criterion,
        after=audit.snapshot(criterion, CRITERION_FIELDS),
        unit=movement.launching_unit,
    )
    return criterion


@transaction.atomic
def criterion_update(
    *, actor: Any, criterion: Criterion, text: str, max_points: Decimal | None = None
) -> Criterion:
    criterion = (
        Criterion.objects.select_for_update(of=("self",))
        .select_related("movement")
        .get(pk=criterion.pk)
    )
    errors = _validate_criterion(criterion.target, text, max_points)
    if errors:
        raise ValidationFailed(errors)
    before = audit.snapshot(criterion, CRITERION_FIELDS)
    criterion.text = text.strip()
    criterion.max_points = max_points
    criterion.save()
    audit.record(
        actor=actor,
        action="movement.criterion_update",
        obj=criterion,
        before=before,
        after=audit.snapshot(criterion, CRITERION_FIELDS),
        unit=criterion.movement.launching_unit,
    )
    return criterion


@transaction.atomic
def criteria_reorder(
    *, actor: Any, movement: Movement, target: str, ids: Sequence[int]
) -> list[Criterion]:
    """Renumber one list of criteria (collective or individual) in the given order."""
    criteria = {
        c.pk: c
        for c in Criterion.objects.select_for_update(of=("self",)).filter(
            movement=movement, target=target
        )
    }
    if sorted(ids) != sorted(criteria) or len(set(ids)) != len(ids):
        raise invalid("order", _("Danh sách sắp xếp phải gồm đúng các tiêu chí của nhóm này."))
    changed: list[tuple[Any, Any, Any, Any]] = []
    for position, pk in enumerate(ids, start=1):
        criterion = criteria[pk]
        if criterion.order != position:
            before = {"order": criterion.order}
            criterion.order = position
            criterion.save(update_fields=["order"])
            changed.append((criterion, before, {"order": position}, movement.launching_unit))
    audit.record_many(actor=actor, action="movement.criterion_move", items=changed)
    return [criteria[pk] for pk in ids]


def criterion_move(*, actor: Any, criterion: Criterion, step: int) -> None:
    """Move one criterion up (step -1) or down (+1) within its list."""
    ids = list(
        Criterion.objects.filter(movement_id=criterion.movement_id, target=criterion.target)
        .order_by("order", "id")
        .values_list("pk", flat=True)
    )
    index = ids.index(criterion.pk)
    other = index + step
    if not 0 <= other < len(ids):
        return
    ids[index], ids[other] = ids[other], ids[index]
    criteria_reorder(actor=actor, movement=criterion.movement, target=criterion.target, ids=ids)


@transaction.atomic
def criterion_delete(*, actor: Any, criterion: Criterion) -> None:
    criterion = (
        Criterion.objects.select_for_update(of=("self",))
        .select_related("movement")
        .get(pk=criterion.pk)
    )
    if criterion.marks.exists():
        raise Conflict(_("Tiêu chí đã được dùng để đánh giá, không thể xóa."))
    before = audit.snapshot(criterion, CRITERION_FIELDS)
    audit.record(
        actor=actor,
        action="movement.criterion_delete",
        obj=criterion,
        before=before,
        unit=criterion.movement.launching_unit,
    )
    criterion.delete()


# --- registrations -------------------------------------------------------------------------


@dataclass(frozen=True)
class NewRegistration:
    unit: Unit
    person: Person | None
    aimed_titles: Sequence[str]  # award type codes
    pledge: str = ""


def person_in_unit_on(person: Person, unit: Unit, on: dt.date) -> bool:
    return Assignment.objects.filter(
        Q(end__isnull=True) | Q(end__gte=on), person=person, unit=unit, start__lte=on
    ).exists()


def titles_for(target: str) -> list[AwardType]:
    """The titles and forms a collective (or an individual) may aim for."""
    return list(
        AwardType.objects.filter(active=True, recipient__in=SUBJECT_RECIPIENTS[target]).order_by(
            "order", "code"
        )
    )


def _check_titles(
    codes: Sequence[str], target: str, catalogue: dict[str, AwardType], label: str
) -> tuple[list[AwardType], list[FieldError]]:
    titles: list[AwardType] = []
    errors: list[FieldError] = []
    if not codes:
        errors.append(
            FieldError("aimed_titles", _("%(s)s: chưa chọn danh hiệu đăng ký.") % {"s": label})
        )
    for code in dict.fromkeys(codes):
        award_type = catalogue.get(code)
        if award_type is None or not award_type.active:
            errors.append(
                FieldError("aimed_titles", _("Không có danh hiệu mã “%(c)s”.") % {"c": code})
            )
        elif award_type.recipient not in SUBJECT_RECIPIENTS[target]:
            message = (
                _("%(s)s: “%(t)s” không xét cho tập thể.")
                if target == CriterionTarget.COLLECTIVE
                else _("%(s)s: “%(t)s” không xét cho cá nhân.")
            )
            errors.append(FieldError("aimed_titles", message % {"s": label, "t": award_type.name}))
        else:
            titles.append(award_type)
    return titles, errors


@transaction.atomic
def registrations_create(
    *, actor: Any, movement: Movement, rows: Sequence[NewRegistration], on: dt.date
) -> list[Registration]:
    """Register units and staff in one go; every row is checked before anything is written."""
    movement = (
        Movement.objects.select_for_update(of=("self",))
        .select_related("launching_unit")
        .get(pk=movement.pk)
    )
    catalogue = {t.code: t for t in AwardType.objects.all()}
    errors: list[FieldError] = []
    if not rows:
        errors.append(FieldError("rows", _("Chưa chọn tập thể hay cá nhân nào để đăng ký.")))
    if movement.ends_on is not None and on > movement.ends_on:
        errors.append(FieldError("registered_on", _("Phong trào đã kết thúc, không nhận đăng ký.")))
    planned: list[tuple[NewRegistration, list[AwardType]]] = []
    seen: set[tuple[int, int | None]] = set()
    for row in rows:
        unit, person = row.unit, row.person
        label = person.full_name if person is not None else unit.name
        if not unit.path.startswith(movement.launching_unit.path):
            errors.append(
                FieldError(
                    "unit",
                    _("“%(u)s” không thuộc phạm vi của đơn vị phát động phong trào.") % {"u": unit},
                )
            )
        if not unit.is_active:
            errors.append(FieldError("unit", _("Đơn vị “%(u)s” đã ngừng hoạt động.") % {"u": unit}))
        if person is not None and not person_in_unit_on(person, unit, on):
            errors.append(
                FieldError(
                    "person",
                    _("%(p)s không công tác tại “%(u)s” vào ngày %(d)s.")
                    % {"p": person.full_name, "u": unit.name, "d": on.strftime("%d/%m/%Y")},
                )
            )
        target = CriterionTarget.INDIVIDUAL if person is not None else CriterionTarget.COLLECTIVE
        titles, title_errors = _check_titles(row.aimed_titles, target, catalogue, label)
        errors.extend(title_errors)
        key = (unit.pk, person.pk if person is not None else None)
        if key in seen:
            errors.append(FieldError("rows", _("%(s)s được chọn hai lần.") % {"s": label}))
        seen.add(key)
        planned.append((row, titles))
    if errors:
        raise ValidationFailed(errors)
    existing = set(
        Registration.objects.filter(
            movement=movement, unit_id__in={r.unit.pk for r in rows}
        ).values_list("unit_id", "person_id")
    )
    duplicates = [r for r in rows if (r.unit.pk, r.person.pk if r.person else None) in existing]
    if duplicates:
        names = ", ".join(r.person.full_name if r.person else r.unit.name for r in duplicates)
        raise Conflict(_("Đã đăng ký trong phong trào này: %(n)s.") % {"n": names})
    created: list[Registration] = []
    for row, titles in planned:
        registration = Registration.objects.create(
            movement=movement,
            unit=row.unit,
            person=row.person,
            pledge=row.pledge.strip(),
            registered_on=on,
        )
        registration.aimed_titles.set(titles)
        after = audit.snapshot(registration, REGISTRATION_FIELDS)
        after["aimed_titles"] = [t.code for t in titles]
        audit.record(
            actor=actor,
            action="movement.registration_create",
            obj=registration,
            after=after,
            unit=row.unit,
        )
        created.append(registration)
    return created


def registration_create(
    *,
    actor: Any,
    movement: Movement,
    unit: Unit,
    person: Person | None = None,
    aimed_titles: Sequence[str],
    pledge: str = "",
    on: dt.date,
) -> Registration:
    rows = [NewRegistration(unit=unit, person=person, aimed_titles=aimed_titles, pledge=pledge)]
    return registrations_create(actor=actor, movement=movement, rows=rows, on=on)[0]


def _locked(registration: Registration) -> Registration:
    return (
        Registration.objects.select_for_update(of=("self",))
        .select_related("movement__launching_unit", "unit", "person")
        .get(pk=registration.pk)
    )


def _snapshot(registration: Registration) -> dict[str, Any]:
    data = audit.snapshot(registration, REGISTRATION_FIELDS)
    data["aimed_titles"] = sorted(registration.aimed_titles.values_list("code", flat=True))
    return data


@transaction.atomic
def registration_update(
    *, actor: Any, registration: Registration, aimed_titles: Sequence[str], pledge: str
) -> Registration:
    registration = _locked(registration)
    if registration.status not in EDITABLE_STATES:
        raise Conflict(_("Chỉ sửa được đăng ký ở trạng thái nháp hoặc bị từ chối."))
    catalogue = {t.code: t for t in AwardType.objects.all()}
    titles, errors = _check_titles(
        aimed_titles, registration.target, catalogue, registration.subject_name
    )
    if errors:
        raise ValidationFailed(errors)
    before = _snapshot(registration)
    registration.pledge = pledge.strip()
    registration.save()
    registration.aimed_titles.set(titles)
    audit.record(
        actor=actor,
        action="movement.registration_update",
        obj=registration,
        before=before,
        after=_snapshot(registration),
        unit=registration.unit,
    )
    return registration


@transaction.atomic
def registration_delete(*, actor: Any, registration: Registration) -> None:
    registration = _locked(registration)
    if registration.status != RegistrationStatus.DRAFT:
        raise Conflict(_("Chỉ xóa được đăng ký ở trạng thái nháp."))
    audit.record(
        actor=actor,
        action="movement.registration_delete",
        obj=registration,
        before=_snapshot(registration),
        unit=registration.unit,
    )
    registration.delete()


@transaction.atomic
def registrations_submit(*, actor: Any, registrations: Sequence[Registration]) -> int:
    """Send draft (or rejected, then corrected) registrations to the head for confirmation."""
    locked = [_locked(r) for r in registrations]
    wrong = [r for r in locked if r.status not in EDITABLE_STATES]
    if wrong:
        names = ", ".join(r.subject_name for r in wrong)
        raise Conflict(_("Các đăng ký sau đã được gửi trước đó: %(n)s.") % {"n": names})
    now = timezone.now()
    for registration in locked:
        before = {"status": registration.status}
        registration.status = RegistrationStatus.SUBMITTED
        registration.submitted_at = now
        registration.rejection_reason = ""
        registration.save()
        audit.record(
            actor=actor,
            action="movement.registration_submit",
            obj=registration,
            before=before,
            after={"status": registration.status},
            unit=registration.unit,
        )
    return len(locked)


def registration_submit(*, actor: Any, registration: Registration) -> Registration:
    registrations_submit(actor=actor, registrations=[registration])
    registration.refresh_from_db()
    return registration


def _check_head(actor: Any, registrations: Sequence[Registration]) -> None:
    """Only the head of the registering unit (or above) decides; None is the system (demo)."""
    if actor is None:
        return
    if any(not can(actor, Perm.CONFIRM, r.unit) for r in registrations):
        raise PermissionDenied(_("Chỉ thủ trưởng đơn vị mới xác nhận được đăng ký thi đua."))


def _decide(
    *, actor: Any, registrations: Sequence[Registration], confirm: bool, reason: str = ""
) -> int:
    locked = [_locked(r) for r in registrations]
    if not locked:
        raise invalid("registrations", _("Chưa chọn đăng ký nào."))
    _check_head(actor, locked)
    if not confirm and not reason.strip():
        raise invalid("reason", _("Cần ghi lý do từ chối."))
    wrong = [r for r in locked if r.status != RegistrationStatus.SUBMITTED]
    if wrong:
        names = ", ".join(r.subject_name for r in wrong)
        raise Conflict(_("Các đăng ký sau không ở trạng thái chờ xác nhận: %(n)s.") % {"n": names})
    now = timezone.now()
    is_user = actor is not None and getattr(actor, "pk", None) is not None
    for registration in locked:
        before = audit.snapshot(registration, ["status", "rejection_reason"])
        if confirm:
            registration.status = RegistrationStatus.CONFIRMED
            registration.confirmed_by = actor if is_user else None
            registration.confirmed_at = now
        else:
            registration.status = RegistrationStatus.REJECTED
            registration.rejection_reason = reason.strip()
        registration.save()
        audit.record(
            actor=actor,
            action="movement.registration_confirm" if confirm else "movement.registration_reject",
            obj=registration,
            before=before,
            after=audit.snapshot(registration, ["status", "rejection_reason"]),
            unit=registration.unit,
        )
    return len(locked)


@transaction.atomic
def registrations_confirm(*, actor: Any, registrations: Sequence[Registration]) -> int:
    return _decide(actor=actor, registrations=registrations, confirm=True)


@transaction.atomic
def registrations_reject(*, actor: Any, registrations: Sequence[Registration], reason: str) -> int:
    return _decide(actor=actor, registrations=registrations, confirm=False, reason=reason)


# --- reviews ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class MarkEntry:
    registration_id: int
    criterion_id: int
    met: bool | None
    score: Decimal | None = None
    comment: str = ""


@transaction.atomic
def review_marks_save(
    *, actor: Any, movement: Movement, stage: str, entries: Sequence[MarkEntry]
) -> int:
    """Save a grid of marks for one review stage; returns how many marks changed."""
    if stage not in ReviewStage.values:
        raise invalid("stage", _("Đợt đánh giá không hợp lệ."))
    registrations = {
        r.pk: r
        for r in Registration.objects.filter(
            movement=movement, pk__in={e.registration_id for e in entries}
        ).select_related("unit", "person")
    }
    criteria = {c.pk: c for c in Criterion.objects.filter(movement=movement)}
    errors: list[FieldError] = []
    for entry in entries:
        registration = registrations.get(entry.registration_id)
        criterion = criteria.get(entry.criterion_id)
        if registration is None or criterion is None:
            errors.append(
                FieldError("marks", _("Đăng ký hoặc tiêu chí không thuộc phong trào này."))
            )
            continue
        if registration.status != RegistrationStatus.CONFIRMED:
            errors.append(
                FieldError(
                    "marks",
                    _("%(s)s: chỉ đánh giá đăng ký đã được thủ trưởng xác nhận.")
                    % {"s": registration.subject_name},
                )
            )
        if criterion.target != registration.target:
            errors.append(
                FieldError(
                    "marks",
                    _("%(s)s: tiêu chí không áp dụng cho đối tượng này.")
                    % {"s": registration.subject_name},
                )
            )
        if entry.score is not None and (
            entry.score < 0
            or (criterion.max_points is not None and entry.score > criterion.max_points)
        ):
            errors.append(
                FieldError(
                    "marks",
                    _("%(s)s: điểm phải từ 0 đến điểm tối đa của tiêu chí.")
                    % {"s": registration.subject_name},
                )
            )
    if errors:
        raise ValidationFailed(errors)
    current = {
        (m.registration_id, m.criterion_id): m
        for m in ReviewMark.objects.select_for_update(of=("self",)).filter(
            registration_id__in=list(registrations), stage=stage
        )
    }
    is_user = actor is not None and getattr(actor, "pk", None) is not None
    changed: list[tuple[Any, Any, Any, Any]] = []
    for entry in entries:
        mark = current.get((entry.registration_id, entry.criterion_id))
        values = {"met": entry.met, "score": entry.score, "comment": entry.comment.strip()}
        if mark is None:
            if entry.met is None and entry.score is None and not values["comment"]:
                continue  # an untouched cell is not a mark
            mark = ReviewMark(
                registration_id=entry.registration_id,
                criterion_id=entry.criterion_id,
                stage=stage,
            )
            before = None
        else:
            if (mark.met, mark.score, mark.comment) == (
                values["met"],
                values["score"],
                values["comment"],
            ):
                continue
            before = audit.snapshot(mark, MARK_FIELDS)
        for name, value in values.items():
            setattr(mark, name, value)
        mark.marked_by = actor if is_user else None
        mark.save()
        registration = registrations[entry.registration_id]
        changed.append((mark, before, audit.snapshot(mark, MARK_FIELDS), registration.unit))
    audit.record_many(actor=actor, action="movement.review_mark", items=changed)
    return len(changed)


def _reviewable(registration: Registration) -> Registration:
    registration = _locked(registration)
    if registration.status != RegistrationStatus.CONFIRMED:
        raise Conflict(_("Chỉ đánh giá đăng ký đã được thủ trưởng xác nhận."))
    return registration


@transaction.atomic
def registration_result_set(*, actor: Any, registration: Registration, result: str) -> Registration:
    registration = _reviewable(registration)
    before = audit.snapshot(registration, ["review_result"])
    registration.review_result = result.strip()
    registration.save()
    audit.record(
        actor=actor,
        action="movement.review_result",
        obj=registration,
        before=before,
        after=audit.snapshot(registration, ["review_result"]),
        unit=registration.unit,
    )
    return registration


@transaction.atomic
def register_as_exemplar_candidate(
    *, actor: Any, registration: Registration, note: str = ""
) -> Registration:
    """Recommend the subject as a newly discovered exemplar (phát hiện điển hình).

    Exemplar records belong to another module (issue 4); until it exists the
    recommendation lives on the registration and `exemplar_candidates` hands
    the list over.
    """
    registration = _reviewable(registration)
    before = audit.snapshot(registration, ["exemplar_recommended", "exemplar_note"])
    registration.exemplar_recommended = True
    registration.exemplar_note = note.strip()
    registration.save()
    audit.record(
        actor=actor,
        action="movement.exemplar_recommend",
        obj=registration,
        before=before,
        after=audit.snapshot(registration, ["exemplar_recommended", "exemplar_note"]),
        unit=registration.unit,
    )
    return registration


@transaction.atomic
def exemplar_candidate_withdraw(*, actor: Any, registration: Registration) -> Registration:
    registration = _locked(registration)
    if not registration.exemplar_recommended:
        raise Conflict(_("Đăng ký này chưa được đề xuất phát hiện điển hình."))
    before = audit.snapshot(registration, ["exemplar_recommended", "exemplar_note"])
    registration.exemplar_recommended = False
    registration.save()
    audit.record(
        actor=actor,
        action="movement.exemplar_withdraw",
        obj=registration,
        before=before,
        after=audit.snapshot(registration, ["exemplar_recommended", "exemplar_note"]),
        unit=registration.unit,
    )
    return registration


def exemplar_candidates(movement: Movement) -> list[Registration]:
    """Confirmed registrations recommended as exemplars: the input of the exemplar module."""
    return list(
        Registration.objects.filter(
            movement=movement,
            exemplar_recommended=True,
            status=RegistrationStatus.CONFIRMED,
        )
        .select_related("unit", "person", "movement")
        .prefetch_related("aimed_titles")
        .order_by("unit__path", F("person__sort_key").asc(nulls_first=True), "id")
    )
