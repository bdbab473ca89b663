"""Changes to exemplars. Each validates everything first, then writes and audits in one
transaction.

Lifecycle (GLOSSARY.md): DISCOVERED → FOSTERING → RECOGNIZED → PROPOSED → SECTOR →
NATIONAL, with DROPPED and REVOKED (a reason is required). Guards: recognising needs
a passed assessment against the exemplar's standard; SECTOR and NATIONAL need the
decision of the level above. Each move needs the role that owns it on the
exemplar's unit (TRANSITION_PERMS); an illegal move is a Conflict (409).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import PERMISSIONS, Perm, can
from accounts.models import RoleGrant
from audit import services as audit
from core.errors import Conflict, FieldError, ValidationFailed, invalid
from core.text import search_key
from exemplars.assessment import assess, check_year, judgement_conditions
from exemplars.models import (
    SCORE,
    Attachment,
    AttachmentKind,
    CheckIn,
    CriterionReview,
    Exemplar,
    ExemplarScope,
    ExemplarState,
    SupportAction,
    SupportKind,
    SupportStatus,
    Transition,
)
from exemplars.standards import standard_for_plan
from notifications.models import NotificationKind
from notifications.services import notify
from organizations.models import Unit, path_ids
from people.models import Person

S = ExemplarState

ALLOWED: dict[str, tuple[str, ...]] = {
    S.DISCOVERED: (S.FOSTERING, S.DROPPED),
    S.FOSTERING: (S.RECOGNIZED, S.DROPPED),
    S.RECOGNIZED: (S.PROPOSED, S.REVOKED),
    # The level above may decline: the exemplar stays recognised at its unit.
    S.PROPOSED: (S.SECTOR, S.RECOGNIZED, S.REVOKED),
    S.SECTOR: (S.NATIONAL, S.REVOKED),
    S.NATIONAL: (S.REVOKED,),
    # A dropped new factor may be taken up again.
    S.DROPPED: (S.FOSTERING,),
    S.REVOKED: (),
}


def transition_perm(current: str, target: str) -> Perm:
    """The permission a move needs on the exemplar's unit.

    The unit's officers register, foster and drop new factors; the head of the
    unit recognises (and drops or revokes what was recognised at the unit); the
    standing body proposes upward and records the decisions of the level above.
    """
    if target in (S.FOSTERING,):
        return Perm.MANAGE_EXEMPLARS
    if target == S.DROPPED:
        return Perm.MANAGE_EXEMPLARS if current in (S.DISCOVERED, S.FOSTERING) else Perm.CONFIRM
    if target == S.RECOGNIZED and current == S.FOSTERING:
        return Perm.CONFIRM
    if target == S.REVOKED and current == S.RECOGNIZED:
        return Perm.CONFIRM
    return Perm.PROPOSE_EXEMPLARS


NEEDS_REASON = (S.DROPPED, S.REVOKED)
NEEDS_DECISION = (S.SECTOR, S.NATIONAL)


@dataclass
class Decision:
    number: str = ""
    date: dt.date | None = None
    authority: str = ""


def _refresh_search(exemplar: Exemplar) -> None:
    subject = exemplar.person.full_name if exemplar.person_id else exemplar.subject_unit.name  # type: ignore[union-attr]
    exemplar.search_text = search_key(exemplar.title, subject, exemplar.field)


FIELDS = [
    "title",
    "field",
    "scope",
    "practice_summary",
    "practice_results",
    "year",
    "plan_id",
    "movement_id",
    "weaknesses",
    "remedies",
    "mentor_id",
]


def _validate(
    *,
    unit: Unit,
    person: Person | None,
    subject_unit: Unit | None,
    title: str,
    practice_summary: str,
    year: int,
    field: str,
    scope: str,
    plan: Any,
    movement: Any,
) -> list[FieldError]:
    errors: list[FieldError] = []
    if (person is None) == (subject_unit is None):
        errors.append(FieldError("subject", _("Chọn một cá nhân hoặc một tập thể.")))
    if person is not None and not person.unit.path.startswith(unit.path):
        errors.append(
            FieldError(
                "subject",
                _("%(p)s không thuộc đơn vị “%(u)s”.") % {"p": person.full_name, "u": unit.name},
            )
        )
    if subject_unit is not None and not subject_unit.path.startswith(unit.path):
        errors.append(
            FieldError(
                "subject",
                _("Tập thể “%(s)s” không thuộc đơn vị “%(u)s”.")
                % {"s": subject_unit.name, "u": unit.name},
            )
        )
    if not title.strip():
        errors.append(FieldError("title", _("Tên điển hình không được để trống.")))
    elif len(title.strip()) > 500:
        errors.append(FieldError("title", _("Tên điển hình tối đa 500 ký tự.")))
    if not practice_summary.strip():
        errors.append(
            FieldError(
                "practice_summary", _("Mô tả mô hình mới, cách làm hay không được để trống.")
            )
        )
    this_year = timezone.localdate().year
    if year < 2000 or year > this_year + 1:
        errors.append(
            FieldError("year", _("Năm đăng ký phải từ 2000 đến %(y)s.") % {"y": this_year + 1})
        )
    if len(field) > 255:
        errors.append(FieldError("field", _("Lĩnh vực tối đa 255 ký tự.")))
    if scope not in ExemplarScope.values:
        errors.append(FieldError("scope", _("Phạm vi điển hình không hợp lệ.")))
    if plan is not None and not (plan.starts_on.year <= year <= plan.ends_on.year):
        errors.append(
            FieldError(
                "plan",
                _("Năm đăng ký %(y)s nằm ngoài thời gian của kế hoạch (%(a)s–%(b)s).")
                % {"y": year, "a": plan.starts_on.year, "b": plan.ends_on.year},
            )
        )
    if movement is not None and not unit.path.startswith(movement.launching_unit.path):
        errors.append(FieldError("movement", _("Đơn vị không tham gia phong trào thi đua này.")))
    return errors


@transaction.atomic
def exemplar_create(
    *,
    actor: Any,
    unit: Unit,
    title: str,
    practice_summary: str,
    year: int,
    person: Person | None = None,
    subject_unit: Unit | None = None,
    field: str = "",
    scope: str = ExemplarScope.COMPREHENSIVE,
    practice_results: str = "",
    plan: Any = None,
    movement: Any = None,
    note: str = "",
) -> Exemplar:
    errors = _validate(
        unit=unit,
        person=person,
        subject_unit=subject_unit,
        title=title,
        practice_summary=practice_summary,
        year=year,
        field=field,
        scope=scope,
        plan=plan,
        movement=movement,
    )
    if errors:
        raise ValidationFailed(errors)
    exemplar = Exemplar(
        unit=unit,
        person=person,
        subject_unit=subject_unit,
        title=title.strip(),
        field=field.strip(),
        scope=scope,
        practice_summary=practice_summary.strip(),
        practice_results=practice_results.strip(),
        year=year,
        plan=plan,
        movement=movement,
        standard_id=standard_for_plan(plan, year).id,
        state=S.DISCOVERED,
        state_changed_at=timezone.now(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    _refresh_search(exemplar)
    exemplar.save()
    Transition.objects.create(
        exemplar=exemplar,
        from_state="",
        to_state=S.DISCOVERED,
        by=exemplar.created_by,
        note=note.strip() or _("Phát hiện, đăng ký điển hình."),
    )
    audit.record(
        actor=actor,
        action="exemplar.create",
        obj=exemplar,
        after=audit.snapshot(exemplar, [*FIELDS, "state", "standard_id"]),
        unit=unit,
    )
    return exemplar


@transaction.atomic
def exemplar_update(*, actor: Any, exemplar: Exemplar, **changes: Any) -> Exemplar:
    """Edit the description and the fostering fields (weaknesses, remedies, mentor)."""
    exemplar = Exemplar.objects.select_for_update(of=("self",)).get(pk=exemplar.pk)
    _check_fostering(exemplar)
    before = audit.snapshot(exemplar, FIELDS)
    allowed = {f.removesuffix("_id") for f in FIELDS}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"unknown fields {unknown}")
    for name, value in changes.items():
        setattr(exemplar, name, value.strip() if isinstance(value, str) else value)
    errors = _validate(
        unit=exemplar.unit,
        person=exemplar.person,
        subject_unit=exemplar.subject_unit,
        title=exemplar.title,
        practice_summary=exemplar.practice_summary,
        year=exemplar.year,
        field=exemplar.field,
        scope=exemplar.scope,
        plan=exemplar.plan,
        movement=exemplar.movement,
    )
    mentor = exemplar.mentor
    if mentor is not None and exemplar.person_id == mentor.pk:
        errors.append(FieldError("mentor", _("Người kèm cặp phải là người khác.")))
    if errors:
        raise ValidationFailed(errors)
    _refresh_search(exemplar)
    exemplar.save()
    after = audit.snapshot(exemplar, FIELDS)
    if after != before:
        audit.record(
            actor=actor,
            action="exemplar.update",
            obj=exemplar,
            before=before,
            after=after,
            unit=exemplar.unit,
        )
    return exemplar


@transaction.atomic
def exemplar_delete(*, actor: Any, exemplar: Exemplar) -> None:
    """Only a newly discovered exemplar registered by mistake; later ones are dropped."""
    exemplar = Exemplar.objects.select_for_update(of=("self",)).get(pk=exemplar.pk)
    if exemplar.state != S.DISCOVERED or exemplar.transitions.count() > 1:
        raise Conflict(
            _(
                "Chỉ xóa được điển hình mới phát hiện; điển hình đã bồi dưỡng thì chuyển "
                "“Dừng theo dõi”."
            )
        )
    before = audit.snapshot(exemplar, [*FIELDS, "state"])
    audit.record(
        actor=actor, action="exemplar.delete", obj=exemplar, before=before, unit=exemplar.unit
    )
    exemplar.delete()


@transaction.atomic
def transition(
    *,
    actor: Any,
    exemplar: Exemplar,
    to: str,
    note: str = "",
    year: int | None = None,
    decision: Decision | None = None,
) -> Exemplar:
    """Move an exemplar. 409 for a move the lifecycle does not allow, 403 for a role that
    does not own the move, 422 when a guard fails (with the failing criteria)."""
    exemplar = (
        Exemplar.objects.select_for_update(of=("self",))
        .select_related("unit", "person__unit", "subject_unit", "plan")
        .get(pk=exemplar.pk)
    )
    current = exemplar.state
    if to not in S.values:
        raise invalid("to", _("Trạng thái “%(s)s” không tồn tại.") % {"s": to})
    if to not in ALLOWED[current]:
        raise Conflict(
            _("Không thể chuyển điển hình từ “%(a)s” sang “%(b)s”.")
            % {"a": S(current).label, "b": S(to).label}
        )
    if not can(actor, transition_perm(current, to), exemplar.unit):
        raise PermissionDenied
    note = note.strip()
    decision = decision or Decision()
    errors: list[FieldError] = []
    if to in NEEDS_REASON and not note:
        errors.append(FieldError("note", _("Cần ghi rõ lý do.")))
    if to == S.RECOGNIZED and current == S.PROPOSED and not note:
        errors.append(FieldError("note", _("Cần ghi rõ lý do cấp trên chưa công nhận.")))
    if to in NEEDS_DECISION:
        if not decision.number.strip():
            errors.append(FieldError("decision_number", _("Cần số quyết định của cấp trên.")))
        if decision.date is None:
            errors.append(FieldError("decision_date", _("Cần ngày quyết định của cấp trên.")))
        elif decision.date > timezone.localdate():
            errors.append(FieldError("decision_date", _("Ngày quyết định không được sau hôm nay.")))
        if not decision.authority.strip():
            errors.append(FieldError("authority", _("Cần ghi cơ quan, cấp quyết định.")))
    assessed_year = None
    if to == S.RECOGNIZED and current == S.FOSTERING:
        assessed_year = year or exemplar.year
        check_year(assessed_year)
        result = assess(exemplar, assessed_year)
        if not result.passed:
            failing = result.failing()
            errors.extend(
                FieldError(f"conditions.{c.condition.id}", c.explanation) for c in failing
            )
            raise ValidationFailed(
                errors,
                _("Chưa đạt tiêu chuẩn điển hình tiên tiến năm %(y)s: %(n)s tiêu chí chưa đạt.")
                % {"y": assessed_year, "n": len(failing)},
            )
    if errors:
        raise ValidationFailed(errors)
    before = audit.snapshot(exemplar, ["state", "recognized_year"])
    exemplar.state = to
    exemplar.state_changed_at = timezone.now()
    if assessed_year is not None:
        exemplar.recognized_year = assessed_year
    exemplar.save(update_fields=["state", "state_changed_at", "recognized_year", "updated_at"])
    step = Transition.objects.create(
        exemplar=exemplar,
        from_state=current,
        to_state=to,
        by=actor if getattr(actor, "pk", None) else None,
        note=note,
        year=assessed_year,
        decision_number=decision.number.strip(),
        decision_date=decision.date,
        authority=decision.authority.strip(),
    )
    audit.record(
        actor=actor,
        action="exemplar.transition",
        obj=exemplar,
        before=before,
        after={
            **audit.snapshot(exemplar, ["state", "recognized_year"]),
            "note": note,
            "decision_number": step.decision_number,
            "decision_date": step.decision_date.isoformat() if step.decision_date else None,
            "authority": step.authority,
        },
        unit=exemplar.unit,
    )
    _notify_next_owners(actor, exemplar)
    return exemplar


def _notify_next_owners(actor: Any, exemplar: Exemplar) -> None:
    """Tell whoever owns the next move that the file is now with them."""
    perms = {
        transition_perm(exemplar.state, nxt)
        for nxt in ALLOWED[exemplar.state]
        if nxt not in NEEDS_REASON
    }
    roles = {role for perm in perms for role in PERMISSIONS[perm]}
    if not roles:
        return
    users = RoleGrant.objects.filter(
        unit_id__in=path_ids(exemplar.unit.path), role__in=roles, user__is_active=True
    ).values_list("user_id", flat=True)
    actor_id = getattr(actor, "pk", None)
    try:
        url = reverse("exemplars:detail", args=[exemplar.pk])
    except NoReverseMatch:
        url = ""
    notify(
        [u for u in users if u != actor_id],
        kind=NotificationKind.GENERAL,
        title=_("Điển hình “%(t)s” chuyển sang “%(s)s”")
        % {"t": exemplar.title, "s": S(exemplar.state).label},
        body=_("%(subject)s, %(unit)s. Bước tiếp theo thuộc thẩm quyền của anh/chị.")
        % {"subject": exemplar.subject_name, "unit": exemplar.unit.name},
        url=url,
        unit=exemplar.unit,
    )


def allowed_moves(user: Any, exemplar: Exemplar) -> list[str]:
    """The moves this user may try now (the page shows a button for each)."""
    return [
        to
        for to in ALLOWED[exemplar.state]
        if can(user, transition_perm(exemplar.state, to), exemplar.unit)
    ]


# --- assessment: judgement criteria ---------------------------------------------------


@transaction.atomic
def review_record(
    *,
    actor: Any,
    exemplar: Exemplar,
    year: int,
    condition_id: str,
    met: bool,
    comment: str,
    evidence: Any = None,
) -> CriterionReview:
    check_year(year)
    _check_fostering(exemplar)
    ids = {c.id for c in judgement_conditions(exemplar)}
    errors = []
    if condition_id not in ids:
        errors.append(
            FieldError(
                "condition_id",
                _("“%(c)s” không phải tiêu chí cần đánh giá của tiêu chuẩn này.")
                % {"c": condition_id},
            )
        )
    if not comment.strip():
        errors.append(FieldError("comment", _("Cần ghi nhận xét của người đánh giá.")))
    if errors:
        raise ValidationFailed(errors)
    review = (
        CriterionReview.objects.select_for_update()
        .filter(exemplar=exemplar, year=year, condition_id=condition_id)
        .first()
    )
    fields = ["year", "condition_id", "met", "comment", "evidence"]
    before = audit.snapshot(review, fields) if review else None
    if review is None:
        review = CriterionReview(exemplar=exemplar, year=year, condition_id=condition_id)
    review.met = met
    review.comment = comment.strip()
    if evidence:
        review.evidence = evidence
    review.reviewed_by = actor if getattr(actor, "pk", None) else None
    review.save()
    audit.record(
        actor=actor,
        action="exemplar.review",
        obj=exemplar,
        before=before,
        after=audit.snapshot(review, fields),
        unit=exemplar.unit,
    )
    return review


@transaction.atomic
def review_clear(*, actor: Any, review: CriterionReview) -> None:
    fields = ["year", "condition_id", "met", "comment", "evidence"]
    audit.record(
        actor=actor,
        action="exemplar.review_clear",
        obj=review.exemplar,
        before=audit.snapshot(review, fields),
        unit=review.exemplar.unit,
    )
    review.delete()


# --- fostering plan ---------------------------------------------------------------------

ACTION_FIELDS = ["kind", "description", "responsible_id", "due_on", "status", "done_on", "note"]


def _validate_action(exemplar: Exemplar, action: SupportAction) -> None:
    errors = []
    if action.kind not in SupportKind.values:
        errors.append(FieldError("kind", _("Hình thức hỗ trợ không hợp lệ.")))
    if not action.description.strip():
        errors.append(FieldError("description", _("Nội dung hỗ trợ không được để trống.")))
    if action.status not in SupportStatus.values:
        errors.append(FieldError("status", _("Tình trạng không hợp lệ.")))
    if action.due_on is None:
        errors.append(FieldError("due_on", _("Cần thời hạn thực hiện.")))
    if action.status == SupportStatus.DONE and action.done_on is None:
        errors.append(FieldError("done_on", _("Cần ngày hoàn thành.")))
    if action.done_on is not None and action.done_on > timezone.localdate():
        errors.append(FieldError("done_on", _("Ngày hoàn thành không được sau hôm nay.")))
    responsible = action.responsible
    if responsible is not None and not responsible.unit.path.startswith(_root_path(exemplar.unit)):
        errors.append(
            FieldError(
                "responsible", _("Người phụ trách phải thuộc đơn vị hoặc cấp trên của đơn vị.")
            )
        )
    if errors:
        raise ValidationFailed(errors)


def _root_path(unit: Unit) -> str:
    # Support may come from any level of the same ministry or department.
    return unit.path.split("/")[0] + "/" if "/" in unit.path else unit.path


def _check_fostering(exemplar: Exemplar) -> None:
    # Read the state now, not what the caller's object remembers (a move may have
    # happened since it was loaded).
    state = Exemplar.objects.filter(pk=exemplar.pk).values_list("state", flat=True).get()
    if state in (S.DROPPED, S.REVOKED):
        raise Conflict(
            _("Điển hình ở trạng thái “%(s)s”: không cập nhật được nữa.") % {"s": S(state).label}
        )


@transaction.atomic
def action_save(
    *, actor: Any, exemplar: Exemplar, action: SupportAction | None = None, **values: Any
) -> SupportAction:
    _check_fostering(exemplar)
    creating = action is None
    if action is None:
        action = SupportAction(exemplar=exemplar)
        before = None
    else:
        before = audit.snapshot(action, ACTION_FIELDS)
    for name, value in values.items():
        setattr(action, name, value.strip() if isinstance(value, str) else value)
    if action.status != SupportStatus.DONE:
        action.done_on = None
    _validate_action(exemplar, action)
    action.save()
    audit.record(
        actor=actor,
        action="exemplar.action_create" if creating else "exemplar.action_update",
        obj=exemplar,
        before=before,
        after=audit.snapshot(action, ACTION_FIELDS),
        unit=exemplar.unit,
    )
    return action


@transaction.atomic
def action_delete(*, actor: Any, action: SupportAction) -> None:
    exemplar = action.exemplar
    audit.record(
        actor=actor,
        action="exemplar.action_delete",
        obj=exemplar,
        before=audit.snapshot(action, ACTION_FIELDS),
        unit=exemplar.unit,
    )
    action.delete()


# --- monitoring -------------------------------------------------------------------------

CHECKIN_FIELDS = [
    "checked_on",
    "effect",
    "efficiency",
    "potential",
    "influence",
    "narrative",
    "difficulties",
    "help_given",
]
SCORE_FIELDS = ("effect", "efficiency", "potential", "influence")


@transaction.atomic
def checkin_save(
    *, actor: Any, exemplar: Exemplar, checkin: CheckIn | None = None, **values: Any
) -> CheckIn:
    _check_fostering(exemplar)
    creating = checkin is None
    before = None if checkin is None else audit.snapshot(checkin, CHECKIN_FIELDS)
    checkin = checkin or CheckIn(exemplar=exemplar)
    for name, value in values.items():
        setattr(checkin, name, value.strip() if isinstance(value, str) else value)
    errors = []
    low, high = SCORE[0].limit_value, SCORE[1].limit_value
    for name in SCORE_FIELDS:
        value = getattr(checkin, name)
        if not isinstance(value, int) or not low <= value <= high:
            errors.append(FieldError(name, _("Điểm phải từ 1 đến 5.")))
    if checkin.checked_on is None:
        errors.append(FieldError("checked_on", _("Cần ngày theo dõi.")))
    elif checkin.checked_on > timezone.localdate():
        errors.append(FieldError("checked_on", _("Ngày theo dõi không được sau hôm nay.")))
    if not (checkin.narrative or "").strip():
        errors.append(FieldError("narrative", _("Cần nhận xét.")))
    if errors:
        raise ValidationFailed(errors)
    checkin.by = actor if getattr(actor, "pk", None) else None
    checkin.save()
    audit.record(
        actor=actor,
        action="exemplar.checkin_create" if creating else "exemplar.checkin_update",
        obj=exemplar,
        before=before,
        after=audit.snapshot(checkin, CHECKIN_FIELDS),
        unit=exemplar.unit,
    )
    return checkin


@transaction.atomic
def checkin_delete(*, actor: Any, checkin: CheckIn) -> None:
    exemplar = checkin.exemplar
    audit.record(
        actor=actor,
        action="exemplar.checkin_delete",
        obj=exemplar,
        before=audit.snapshot(checkin, CHECKIN_FIELDS),
        unit=exemplar.unit,
    )
    checkin.delete()


# --- evidence files and photos --------------------------------------------------------

MAX_UPLOAD = 20 * 1024 * 1024
PHOTO_TYPES = (".jpg", ".jpeg", ".png", ".webp")
DOCUMENT_TYPES = (".pdf", ".doc", ".docx", ".xls", ".xlsx", ".jpg", ".jpeg", ".png", ".mp4")


@transaction.atomic
def attachment_add(
    *, actor: Any, exemplar: Exemplar, kind: str, file: Any, caption: str = ""
) -> Attachment:
    errors = []
    if kind not in AttachmentKind.values:
        errors.append(FieldError("kind", _("Loại tệp không hợp lệ.")))
    if file is None:
        errors.append(FieldError("file", _("Chọn tệp cần tải lên.")))
    else:
        name = str(getattr(file, "name", "")).lower()
        allowed = PHOTO_TYPES if kind == AttachmentKind.PHOTO else DOCUMENT_TYPES
        if not name.endswith(allowed):
            errors.append(FieldError("file", _("Chỉ nhận tệp %(t)s.") % {"t": ", ".join(allowed)}))
        if getattr(file, "size", 0) > MAX_UPLOAD:
            errors.append(FieldError("file", _("Tệp tối đa 20 MB.")))
    if len(caption) > 500:
        errors.append(FieldError("caption", _("Mô tả tối đa 500 ký tự.")))
    if errors:
        raise ValidationFailed(errors)
    attachment = Attachment.objects.create(
        exemplar=exemplar,
        kind=kind,
        file=file,
        caption=caption.strip(),
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(
        actor=actor,
        action="exemplar.attachment_add",
        obj=exemplar,
        after={"kind": kind, "file": attachment.file.name, "caption": attachment.caption},
        unit=exemplar.unit,
    )
    return attachment


@transaction.atomic
def attachment_delete(*, actor: Any, attachment: Attachment) -> None:
    exemplar = attachment.exemplar
    audit.record(
        actor=actor,
        action="exemplar.attachment_delete",
        obj=exemplar,
        before={
            "kind": attachment.kind,
            "file": attachment.file.name,
            "caption": attachment.caption,
        },
        unit=exemplar.unit,
    )
    attachment.file.delete(save=False)
    attachment.delete()
