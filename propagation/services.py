"""Changes to replications (nhân rộng) and outreach items (tuyên truyền).

Each service validates everything first, then writes and audits in one
transaction. Errors:

- ``core.errors.ValidationFailed`` (HTTP 422): invalid input, with field errors;
- ``IllegalStage`` (a ``core.errors.Conflict``, HTTP 409, ``code == "illegal"``):
  a stage move the rules do not allow;
- ``DuplicateReplication`` (a ``Conflict``, HTTP 409, ``code == "duplicate"``):
  the unit already has a replication of that exemplar; ``exc.existing`` is it;
- ``PermissionDenied`` (HTTP 403): the actor lacks MANAGE_REPLICATION on the
  adopting unit (or MANAGE_OUTREACH on the exemplar's unit). A system actor
  (``None``: demo data, scripts) is not checked.

Stage rules (GLOSSARY.md): INTERESTED → PILOTING → ADOPTED → SCALED, forward
only (skipping stages is allowed); DISCONTINUED from any other stage, with a
reason. Every stage change writes a StageChange row and the audit event
``replication.stage``; other edits are ``replication.update``.
"""

from __future__ import annotations

import datetime as dt
from calendar import monthrange
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.access import Perm, can
from audit import services as audit
from core.errors import Conflict, FieldError, ValidationFailed
from exemplars.models import RECOGNIZED_STATES, Exemplar
from organizations.models import Unit, UnitStatus
from propagation.models import (
    STAGE_ORDER,
    Channel,
    Outreach,
    OutreachKind,
    Replication,
    Stage,
    StageChange,
)

# --- replication -------------------------------------------------------------------

FINAL_STAGES = (Stage.SCALED, Stage.DISCONTINUED)
# Stages at which the unit still applies the practice ("units adopting").
ACTIVE_STAGES = tuple(STAGE_ORDER)

FIELDS = [
    "stage",
    "started_on",
    "stage_changed_on",
    "adaptation",
    "notes",
    "outcome_measure",
    "outcome_unit",
    "outcome_before",
    "outcome_after",
    "evidence",
    "discontinued_reason",
]


class IllegalStage(Conflict):
    """A stage move the rules do not allow (409)."""

    code = "illegal"


class DuplicateReplication(Conflict):
    """The unit already replicates this exemplar (409)."""

    code = "duplicate"

    def __init__(self, message: str, existing: Replication) -> None:
        super().__init__(message)
        self.existing = existing


@dataclass
class Outcome:
    """The outcome measure: what is measured, in what unit, before and after adoption."""

    measure: str = ""
    unit: str = ""
    before: Decimal | None = None
    after: Decimal | None = None


def allowed_stages(current: str) -> list[str]:
    """The stages a replication at `current` may move to (forward ones, then DISCONTINUED)."""
    if current == Stage.DISCONTINUED:
        return []
    index = STAGE_ORDER.index(Stage(current))
    return [*STAGE_ORDER[index + 1 :], Stage.DISCONTINUED]


def stage_label(stage: str) -> str:
    return str(Stage(stage).label) if stage in Stage.values else stage


def _is_user(actor: Any) -> bool:
    return actor is not None and getattr(actor, "pk", None) is not None


def _check_perm(actor: Any, perm: Perm, unit: Unit) -> None:
    if _is_user(actor) and not can(actor, perm, unit):
        raise PermissionDenied


def _decimal(field: str, value: Any, errors: list[FieldError]) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        number = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors.append(FieldError(field, _("Giá trị phải là số.")))
        return None
    if not number.is_finite() or abs(number) >= Decimal("1e12"):
        errors.append(FieldError(field, _("Giá trị quá lớn.")))
        return None
    return number.quantize(Decimal("0.01"))


def _check_outcome(outcome: Outcome, errors: list[FieldError]) -> Outcome:
    measure = (outcome.measure or "").strip()
    unit = (outcome.unit or "").strip()
    before = _decimal("outcome.before", outcome.before, errors)
    after = _decimal("outcome.after", outcome.after, errors)
    if len(measure) > 255:
        errors.append(FieldError("outcome.measure", _("Chỉ số đo kết quả tối đa 255 ký tự.")))
    if len(unit) > 64:
        errors.append(FieldError("outcome.unit", _("Đơn vị tính tối đa 64 ký tự.")))
    if not measure and (before is not None or after is not None or unit):
        errors.append(
            FieldError("outcome.measure", _("Ghi rõ chỉ số đo kết quả trước khi nhập giá trị."))
        )
    return Outcome(measure=measure, unit=unit, before=before, after=after)


def _check_date(field: str, value: dt.date, errors: list[FieldError]) -> None:
    if value > timezone.localdate():
        errors.append(FieldError(field, _("Ngày không được sau hôm nay.")))
    elif value.year < 2000:
        errors.append(FieldError(field, _("Ngày không hợp lệ.")))


def _existing(exemplar: Exemplar, unit: Unit) -> Replication | None:
    return Replication.objects.filter(exemplar=exemplar, unit=unit).first()


def _duplicate(existing: Replication, unit: Unit) -> DuplicateReplication:
    return DuplicateReplication(
        _(
            "Đơn vị “%(unit)s” đã đăng ký nhân rộng mô hình này (hồ sơ số %(id)s, "
            "giai đoạn “%(stage)s”, bắt đầu %(on)s)."
        )
        % {
            "unit": unit.name,
            "id": existing.pk,
            "stage": stage_label(existing.stage),
            "on": existing.started_on.strftime("%d/%m/%Y"),
        },
        existing,
    )


@transaction.atomic
def replication_create(
    actor: Any,
    exemplar: Exemplar,
    unit: Unit,
    *,
    stage: str = Stage.INTERESTED,
    started_on: dt.date | None = None,
    notes: str = "",
    adaptation: str = "",
) -> Replication:
    """Record that `unit` takes up `exemplar`'s practice, at `stage` (not DISCONTINUED)."""
    _check_perm(actor, Perm.MANAGE_REPLICATION, unit)
    started_on = started_on or timezone.localdate()
    notes = (notes or "").strip()
    adaptation = (adaptation or "").strip()
    errors: list[FieldError] = []
    if exemplar.state not in RECOGNIZED_STATES:
        errors.append(
            FieldError(
                "exemplar",
                _("Chỉ nhân rộng điển hình đã được công nhận (hiện đang “%(s)s”).")
                % {"s": exemplar.get_state_display()},
            )
        )
    if unit.pk == exemplar.unit_id or unit.pk == exemplar.subject_unit_id:
        errors.append(FieldError("unit", _("Đơn vị nhân rộng phải khác đơn vị có điển hình.")))
    elif unit.status != UnitStatus.ACTIVE:
        errors.append(
            FieldError("unit", _("Đơn vị “%(u)s” không còn hoạt động.") % {"u": unit.name})
        )
    if stage not in Stage.values:
        errors.append(FieldError("stage", _("Giai đoạn “%(s)s” không tồn tại.") % {"s": stage}))
    elif stage == Stage.DISCONTINUED:
        errors.append(
            FieldError("stage", _("Không thể tạo hồ sơ nhân rộng ở giai đoạn “Dừng áp dụng”."))
        )
    _check_date("started_on", started_on, errors)
    if errors:
        raise ValidationFailed(errors)
    existing = _existing(exemplar, unit)
    if existing is not None:
        raise _duplicate(existing, unit)
    now = timezone.now()
    replication = Replication(
        exemplar=exemplar,
        unit=unit,
        stage=stage,
        started_on=started_on,
        stage_changed_on=started_on,
        notes=notes,
        adaptation=adaptation,
        last_update_at=now,
        created_by=actor if _is_user(actor) else None,
    )
    try:
        with transaction.atomic():
            replication.save()
    except IntegrityError:
        # A concurrent request created it between the check and the insert.
        existing = _existing(exemplar, unit)
        if existing is None:
            raise
        raise _duplicate(existing, unit) from None
    StageChange.objects.create(
        replication=replication,
        from_stage="",
        to_stage=stage,
        on=started_on,
        by=replication.created_by,
        note=notes,
    )
    audit.record(
        actor=actor,
        action="replication.create",
        obj=replication,
        after={**audit.snapshot(replication, FIELDS), "exemplar": exemplar.pk, "unit": unit.pk},
        unit=unit,
    )
    return replication


_UNSET: Any = object()


@transaction.atomic
def replication_update(
    actor: Any,
    replication: Replication,
    *,
    stage: str | None = None,
    notes: str | None = None,
    outcome: Outcome | None = None,
    adaptation: str | None = None,
    on: dt.date | None = None,
    reason: str = "",
    started_on: dt.date | None = None,
    evidence: Any = None,
    clear_evidence: bool = False,
) -> Replication:
    """Move a replication's stage and/or edit it; only what is given changes.

    `on` is the date of the stage change (today by default); `reason` is
    required to discontinue and is kept as the StageChange note for other moves.
    """
    replication = (
        Replication.objects.select_for_update(of=("self",))
        .select_related("unit", "exemplar")
        .get(pk=replication.pk)
    )
    _check_perm(actor, Perm.MANAGE_REPLICATION, replication.unit)
    current = replication.stage
    reason = (reason or "").strip()
    errors: list[FieldError] = []
    moving = stage is not None and stage != current
    if stage is not None and stage not in Stage.values:
        raise ValidationFailed(
            [FieldError("stage", _("Giai đoạn “%(s)s” không tồn tại.") % {"s": stage})]
        )
    if moving:
        assert stage is not None
        if stage not in allowed_stages(current):
            raise IllegalStage(
                _("Không thể chuyển hồ sơ nhân rộng từ “%(a)s” sang “%(b)s”.")
                % {"a": stage_label(current), "b": stage_label(stage)}
            )
        if stage == Stage.DISCONTINUED and not reason:
            errors.append(FieldError("reason", _("Cần ghi rõ lý do dừng áp dụng.")))
        on = on or timezone.localdate()
        _check_date("on", on, errors)
        start = started_on or replication.started_on
        if on < start:
            errors.append(
                FieldError(
                    "on",
                    _("Ngày chuyển giai đoạn không được trước ngày bắt đầu (%(d)s).")
                    % {"d": start.strftime("%d/%m/%Y")},
                )
            )
        elif replication.stage_changed_on and on < replication.stage_changed_on:
            errors.append(
                FieldError(
                    "on",
                    _("Ngày chuyển giai đoạn không được trước lần chuyển trước (%(d)s).")
                    % {"d": replication.stage_changed_on.strftime("%d/%m/%Y")},
                )
            )
    # Before any move the first stage began with the replication: its date follows.
    unmoved = started_on is not None and replication.history.count() <= 1
    if started_on is not None:
        _check_date("started_on", started_on, errors)
        last_move = replication.stage_changed_on
        if not unmoved and last_move and started_on > last_move:
            errors.append(
                FieldError(
                    "started_on",
                    _("Ngày bắt đầu không được sau ngày chuyển giai đoạn gần nhất (%(d)s).")
                    % {"d": last_move.strftime("%d/%m/%Y")},
                )
            )
    checked_outcome = _check_outcome(outcome, errors) if outcome is not None else None
    if errors:
        raise ValidationFailed(errors)

    before = audit.snapshot(replication, FIELDS)
    if notes is not None:
        replication.notes = notes.strip()
    if adaptation is not None:
        replication.adaptation = adaptation.strip()
    if started_on is not None:
        replication.started_on = started_on
        if unmoved:
            replication.stage_changed_on = started_on
    if checked_outcome is not None:
        replication.outcome_measure = checked_outcome.measure
        replication.outcome_unit = checked_outcome.unit
        replication.outcome_before = checked_outcome.before
        replication.outcome_after = checked_outcome.after
    if clear_evidence and replication.evidence:
        replication.evidence = ""
    if evidence is not None:
        replication.evidence = evidence
    edited = audit.snapshot(replication, FIELDS) != before
    if moving:
        assert stage is not None and on is not None
        replication.stage = stage
        replication.stage_changed_on = on
        if stage == Stage.DISCONTINUED:
            replication.discontinued_reason = reason
    if not moving and not edited:
        return replication
    replication.last_update_at = timezone.now()
    replication.reminded_at = None
    replication.save()
    if unmoved and started_on is not None:
        replication.history.filter(from_stage="").update(on=started_on)
    by = actor if _is_user(actor) else None
    if moving:
        assert stage is not None and on is not None
        StageChange.objects.create(
            replication=replication, from_stage=current, to_stage=stage, on=on, by=by, note=reason
        )
        audit.record(
            actor=actor,
            action="replication.stage",
            obj=replication,
            before={"stage": current, "stage_changed_on": before["stage_changed_on"]},
            after={
                "stage": stage,
                "stage_changed_on": on,
                "reason": reason,
            },
            unit=replication.unit,
        )
    if edited:
        after = audit.snapshot(replication, FIELDS)
        changed = [k for k in FIELDS if k not in ("stage", "stage_changed_on")]
        audit.record(
            actor=actor,
            action="replication.update",
            obj=replication,
            before={k: before[k] for k in changed if before[k] != after[k]},
            after={k: after[k] for k in changed if before[k] != after[k]},
            unit=replication.unit,
        )
    return replication


@transaction.atomic
def replication_delete(actor: Any, replication: Replication) -> None:
    """Only a registration of interest made by mistake; later ones are discontinued."""
    replication = (
        Replication.objects.select_for_update(of=("self",))
        .select_related("unit")
        .get(pk=replication.pk)
    )
    _check_perm(actor, Perm.MANAGE_REPLICATION, replication.unit)
    if replication.stage != Stage.INTERESTED or replication.history.count() > 1:
        raise IllegalStage(
            _(
                "Chỉ xóa được hồ sơ mới đăng ký nhân rộng; hồ sơ đã triển khai thì chuyển "
                "“Dừng áp dụng”."
            )
        )
    audit.record(
        actor=actor,
        action="replication.delete",
        obj=replication,
        before={**audit.snapshot(replication, FIELDS), "exemplar": replication.exemplar_id},
        unit=replication.unit,
    )
    replication.delete()


# --- outreach ----------------------------------------------------------------------

OUTREACH_FIELDS = [
    "kind",
    "channel",
    "channel_name",
    "title",
    "published_on",
    "url",
    "reach",
    "event_id",
    "story_id",
]


def _validate_outreach(data: dict[str, Any]) -> list[FieldError]:
    errors: list[FieldError] = []
    if data["kind"] not in OutreachKind.values:
        errors.append(FieldError("kind", _("Hình thức tuyên truyền không hợp lệ.")))
    if data["channel"] not in Channel.values:
        errors.append(FieldError("channel", _("Kênh tuyên truyền không hợp lệ.")))
    title = data["title"]
    if not title:
        errors.append(FieldError("title", _("Tiêu đề không được để trống.")))
    elif len(title) > 500:
        errors.append(FieldError("title", _("Tiêu đề tối đa 500 ký tự.")))
    if len(data["channel_name"]) > 255:
        errors.append(FieldError("channel_name", _("Tên kênh tối đa 255 ký tự.")))
    published_on = data["published_on"]
    if published_on is None:
        errors.append(FieldError("published_on", _("Cần ngày đăng, phát.")))
    else:
        _check_date("published_on", published_on, errors)
    url = data["url"]
    if url:
        if len(url) > 1000:
            errors.append(FieldError("url", _("Đường dẫn tối đa 1000 ký tự.")))
        elif not url.lower().startswith(("http://", "https://")):
            errors.append(
                FieldError("url", _("Đường dẫn phải bắt đầu bằng http:// hoặc https://."))
            )
    reach = data["reach"]
    if reach is not None and (not isinstance(reach, int) or reach < 0):
        errors.append(FieldError("reach", _("Số lượt xem, người nghe phải là số nguyên không âm.")))
    return errors


def _clean_outreach(data: dict[str, Any]) -> dict[str, Any]:
    return {
        **data,
        "title": (data.get("title") or "").strip(),
        "channel_name": (data.get("channel_name") or "").strip(),
        "url": (data.get("url") or "").strip(),
    }


@transaction.atomic
def outreach_create(
    actor: Any,
    exemplar: Exemplar,
    *,
    kind: str,
    channel: str,
    title: str,
    published_on: dt.date | None,
    channel_name: str = "",
    url: str = "",
    reach: int | None = None,
    event: Any = None,
    story: Any = None,
) -> Outreach:
    """Record one piece of propagation about an exemplar (MANAGE_OUTREACH on its unit)."""
    _check_perm(actor, Perm.MANAGE_OUTREACH, exemplar.unit)
    data = _clean_outreach(
        {
            "kind": kind,
            "channel": channel,
            "title": title,
            "published_on": published_on,
            "channel_name": channel_name,
            "url": url,
            "reach": reach,
        }
    )
    errors = _validate_outreach(data)
    if errors:
        raise ValidationFailed(errors)
    item = Outreach.objects.create(
        exemplar=exemplar,
        event=event,
        story=story,
        created_by=actor if _is_user(actor) else None,
        **data,
    )
    audit.record(
        actor=actor,
        action="outreach.create",
        obj=item,
        after={**audit.snapshot(item, OUTREACH_FIELDS), "exemplar": exemplar.pk},
        unit=exemplar.unit,
    )
    return item


OUTREACH_EDITABLE = {"kind", "channel", "channel_name", "title", "published_on", "url", "reach"}


@transaction.atomic
def outreach_update(actor: Any, item: Outreach, **changes: Any) -> Outreach:
    item = (
        Outreach.objects.select_for_update(of=("self",))
        .select_related("exemplar__unit")
        .get(pk=item.pk)
    )
    _check_perm(actor, Perm.MANAGE_OUTREACH, item.exemplar.unit)
    unknown = set(changes) - OUTREACH_EDITABLE
    if unknown:
        raise ValueError(f"unknown fields {unknown}")
    before = audit.snapshot(item, OUTREACH_FIELDS)
    data = _clean_outreach({name: getattr(item, name) for name in OUTREACH_EDITABLE} | changes)
    errors = _validate_outreach(data)
    if errors:
        raise ValidationFailed(errors)
    for name, value in data.items():
        setattr(item, name, value)
    after = audit.snapshot(item, OUTREACH_FIELDS)
    if after != before:
        item.save()
        audit.record(
            actor=actor,
            action="outreach.update",
            obj=item,
            before={k: v for k, v in before.items() if after[k] != v},
            after={k: v for k, v in after.items() if before[k] != v},
            unit=item.exemplar.unit,
        )
    return item


@transaction.atomic
def outreach_delete(actor: Any, item: Outreach) -> None:
    item = (
        Outreach.objects.select_for_update(of=("self",))
        .select_related("exemplar__unit")
        .get(pk=item.pk)
    )
    _check_perm(actor, Perm.MANAGE_OUTREACH, item.exemplar.unit)
    audit.record(
        actor=actor,
        action="outreach.delete",
        obj=item,
        before={**audit.snapshot(item, OUTREACH_FIELDS), "exemplar": item.exemplar_id},
        unit=item.exemplar.unit,
    )
    item.delete()


# --- reminders ---------------------------------------------------------------------

STALE_MONTHS = 6
REMINDER_KIND = "REPLICATION_STALE"  # notifications.models.NotificationKind
REMINDER_FIELDS = ["stage", "last_update_at", "reminded_at", "unit_id", "exemplar_id"]


def months_before(day: dt.date, months: int) -> dt.date:
    """The same day `months` calendar months earlier (the month's last day if shorter)."""
    index = day.year * 12 + day.month - 1 - months
    year, month = divmod(index, 12)
    month += 1
    return day.replace(year=year, month=month, day=min(day.day, monthrange(year, month)[1]))


def stale_cutoff(today: dt.date | None = None) -> dt.datetime:
    """Replications not updated since this moment are stale (six months before today)."""
    day = months_before(today or timezone.localdate(), STALE_MONTHS)
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def stale_q(today: dt.date | None = None) -> Q:
    """Replications still under way (not SCALED nor DISCONTINUED) with no update for six months."""
    return Q(last_update_at__lt=stale_cutoff(today)) & ~Q(stage__in=FINAL_STAGES)


@dataclass
class ReplicationReminderReport:
    on: dt.date
    reminders: int = 0
    notifications: int = 0
    emails: int = 0
    without_recipients: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "on": self.on.isoformat(),
            "reminders": self.reminders,
            "notifications": self.notifications,
            "emails": self.emails,
            "without_recipients": list(self.without_recipients),
        }


@transaction.atomic
def send_replication_reminders(today: dt.date | None = None) -> ReplicationReminderReport:
    """Remind the adopting unit's officers (its heads when it has none) of every
    replication under way with no update for six months.

    Once per silence: `reminded_at` is set, and another reminder comes only when
    six more months pass without an update (any update clears it). Safe to run any
    number of times a day. The rows are locked while they are claimed, so two
    concurrent runs do not both remind.
    """
    from notifications.models import Notification
    from notifications.services import Mail, send_mails_after_commit, unit_recipients

    on = today or timezone.localdate()
    report = ReplicationReminderReport(on=on)
    cutoff = stale_cutoff(on)
    due = list(
        Replication.objects.select_for_update(of=("self",))
        .filter(stale_q(on))
        .filter(Q(reminded_at__isnull=True) | Q(reminded_at__lt=cutoff))
        .select_related("unit", "exemplar")
        .order_by("pk")
    )
    if not due:
        return report
    now = timezone.now()
    Replication.objects.filter(pk__in=[r.pk for r in due]).update(reminded_at=now)
    recipients = unit_recipients({r.unit_id for r in due})
    notifications: list[Notification] = []
    mails: list[Mail] = []
    with translation.override(settings.LANGUAGE_CODE):
        for replication in due:
            replication.reminded_at = now
            people = recipients.get(replication.unit_id, [])
            if not people and replication.unit.code not in report.without_recipients:
                report.without_recipients.append(replication.unit.code)
            context = {
                "exemplar": replication.exemplar.title,
                "unit": replication.unit.name,
                "stage": stage_label(replication.stage),
                "since": timezone.localtime(replication.last_update_at).strftime("%d/%m/%Y"),
            }
            title = _("Cập nhật tình hình nhân rộng: %(exemplar)s") % context
            body = (
                _(
                    "%(unit)s chưa cập nhật việc nhân rộng mô hình “%(exemplar)s” từ "
                    "%(since)s (giai đoạn “%(stage)s”). Đề nghị cập nhật giai đoạn, kết quả, "
                    "hoặc ghi nhận dừng áp dụng nếu không tiếp tục."
                )
                % context
            )
            url = reverse("propagation:replication_detail", args=[replication.pk])
            context["link"] = settings.SITE_URL.rstrip("/") + url
            subject = " ".join(
                render_to_string(
                    "propagation/emails/replication_reminder_subject.txt", context
                ).split()
            )
            text = render_to_string("propagation/emails/replication_reminder.txt", context)
            mails.extend(
                (subject, text, settings.DEFAULT_FROM_EMAIL, [email])
                for _user_id, email in people
                if email
            )
            notifications.extend(
                Notification(
                    user_id=user_id,
                    kind=REMINDER_KIND,
                    title=title[:500],
                    body=body,
                    url=url,
                    unit=replication.unit,
                )
                for user_id, _email in people
            )
    Notification.objects.bulk_create(notifications, batch_size=500)
    audit.record_many(
        actor=None,
        action="replication.reminder",
        items=[
            (
                r,
                None,
                audit.snapshot(r, REMINDER_FIELDS)
                | {"recipients": len(recipients.get(r.unit_id, []))},
                r.unit,
            )
            for r in due
        ],
    )
    report.reminders = len(due)
    report.notifications = len(notifications)
    report.emails = len(mails)
    # After the commit: a rolled-back run must not have mailed anyone.
    send_mails_after_commit(mails, "replication reminder")
    return report
