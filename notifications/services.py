"""Writing notifications and sending plan deadline reminders.

Notifications are messages, not business records, so creating and reading them
is not audited; a reminder being sent is (ReminderLog, action "plan.reminder").
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from django.conf import settings
from django.core.mail import send_mass_mail
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import Role, RoleGrant
from audit.services import record_many, snapshot
from core.dates import fmt_date
from core.dates import today as local_today
from notifications.models import Notification, NotificationKind, ReminderKind, ReminderLog
from notifications.scope import units_in_scope_many
from organizations.models import Unit
from plans.models import Plan, Requirement, Submission

log = logging.getLogger(__name__)

# --- notifications -------------------------------------------------------------------


def notify(
    users: Iterable[Any],
    *,
    kind: str,
    title: str,
    body: str = "",
    url: str = "",
    unit: Unit | None = None,
) -> list[Notification]:
    """The same notification to each user (users or user ids, once each), in one insert."""
    user_ids = dict.fromkeys(getattr(u, "pk", u) for u in users)
    rows = [
        Notification(
            user_id=user_id,
            kind=kind,
            title=title[:500],
            body=body,
            url=url[:500],
            unit=unit,
        )
        for user_id in user_ids
    ]
    return Notification.objects.bulk_create(rows, batch_size=500)


def unread_count(user: Any) -> int:
    if not getattr(user, "is_authenticated", False):
        return 0
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


@transaction.atomic
def mark_read(*, user: Any, notification: Notification) -> Notification:
    """Mark one of the user's own notifications read (reading it twice keeps the first time)."""
    if notification.user_id != user.pk:
        # Views look notifications up through the owner, so this is a programming error.
        raise PermissionError("a notification can only be read by its recipient")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification


@transaction.atomic
def mark_all_read(*, user: Any) -> int:
    """Mark every unread notification of the user read; returns how many changed."""
    return Notification.objects.filter(user=user, read_at__isnull=True).update(
        read_at=timezone.now()
    )


# --- plan reminders ------------------------------------------------------------------


@dataclass
class ReminderReport:
    """What one run did, for the command's output and the task's result."""

    on: dt.date
    before_due: int = 0
    overdue: int = 0
    notifications: int = 0
    emails: int = 0
    without_recipients: list[str] = field(default_factory=list)

    @property
    def reminders(self) -> int:
        return self.before_due + self.overdue

    def as_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["on"] = self.on.isoformat()
        return data


@dataclass(frozen=True)
class _Due:
    requirement: Requirement
    unit: Unit
    kind: str
    days_before: int | None

    @property
    def key(self) -> tuple[int, int, str, int | None]:
        return (self.requirement.pk, self.unit.pk, self.kind, self.days_before)


AUDITED_FIELDS = ["requirement_id", "unit_id", "kind", "days_before", "recipients"]


def reminder_days() -> list[int]:
    return sorted({int(d) for d in getattr(settings, "PLAN_REMINDER_DAYS_BEFORE", [7]) if d >= 0})


def _before_due_slot(remaining: int, days: list[int]) -> int | None:
    """The reminder that covers `remaining` days to go: the tightest configured one.

    With [7, 1], 7..2 days to go is the 7-day reminder and 1..0 the 1-day one, so
    a run missed on the exact day still reminds once, and never twice a day.
    """
    for d in days:  # ascending
        if 0 <= remaining <= d:
            return d
    return None


def _plan_url(plan: Plan) -> str:
    # The plans pages are built alongside; accept whichever detail route they expose.
    for kwargs in ({"code": plan.code}, {"pk": plan.pk}):
        try:
            return reverse("plans:detail", kwargs=kwargs)
        except NoReverseMatch:
            continue
    try:
        return reverse("plans:list")
    except NoReverseMatch:
        return "/plans/"


def _requirement_label(requirement: Requirement) -> str:
    return requirement.title or requirement.get_kind_display()


def _candidates(on: dt.date, days: list[int]) -> list[Requirement]:
    """Requirements that may need a reminder today: due within the window, or past
    due while their plan still runs (a reminder about a closed plan helps nobody)."""
    window = Q(due_on__gte=on, due_on__lte=on + dt.timedelta(days=max(days))) if days else Q()
    overdue = Q(due_on__lt=on, plan__ends_on__gte=on)
    cond = (window | overdue) if days else overdue
    return list(Requirement.objects.filter(cond).select_related("plan", "plan__issuer"))


def _due_reminders(on: dt.date) -> list[_Due]:
    days = reminder_days()
    requirements = _candidates(on, days)
    if not requirements:
        return []
    scope = units_in_scope_many(requirements)
    submitted = set(
        Submission.objects.filter(requirement__in=requirements).values_list(
            "requirement_id", "unit_id"
        )
    )
    sent = set(
        ReminderLog.objects.filter(requirement__in=requirements).values_list(
            "requirement_id", "unit_id", "kind", "days_before"
        )
    )
    due: list[_Due] = []
    for requirement in requirements:
        remaining = (requirement.due_on - on).days
        if remaining < 0:
            kind, slot = ReminderKind.OVERDUE.value, None
        else:
            kind, slot = ReminderKind.BEFORE_DUE.value, _before_due_slot(remaining, days)
            if slot is None:
                continue
        for unit in scope.get(requirement.pk, []):
            if (requirement.pk, unit.pk) in submitted:
                continue
            item = _Due(requirement, unit, kind, slot)
            if item.key not in sent:
                due.append(item)
    return due


def _recipients(unit_ids: set[int]) -> dict[int, list[tuple[int, str]]]:
    """{unit id: [(user id, e-mail)]}: the unit's own active officers, or its heads
    when it has none. One query."""
    rows = (
        RoleGrant.objects.filter(
            unit_id__in=unit_ids, role__in=[Role.OFFICER, Role.HEAD], user__is_active=True
        )
        .order_by("user_id")
        .values_list("unit_id", "role", "user_id", "user__email")
    )
    by_role: dict[tuple[int, str], list[tuple[int, str]]] = defaultdict(list)
    for unit_id, role, user_id, email in rows:
        by_role[(unit_id, role)].append((user_id, email or ""))
    return {
        unit_id: by_role.get((unit_id, Role.OFFICER)) or by_role.get((unit_id, Role.HEAD)) or []
        for unit_id in unit_ids
    }


def unit_recipients(unit_ids: set[int]) -> dict[int, list[tuple[int, str]]]:
    """The same recipients for other apps' reminders (propagation: stale replications)."""
    return _recipients(unit_ids)


def _insert_logs(
    due: list[_Due], recipients: dict[int, list[tuple[int, str]]]
) -> list[tuple[_Due, ReminderLog]]:
    """Log the reminders, leaving out any another run logged in the meantime.

    The pre-check in _due_reminders reads before this transaction holds any
    lock, so a concurrent run can log the same reminder first: the unique
    constraint then refuses our insert, and we retry without what is there now.
    """
    pending = list(due)
    for _attempt in range(3):
        if not pending:
            return []
        rows = [
            ReminderLog(
                requirement=d.requirement,
                unit=d.unit,
                kind=d.kind,
                days_before=d.days_before,
                recipients=len(recipients.get(d.unit.pk, [])),
            )
            for d in pending
        ]
        try:
            with transaction.atomic():
                created = ReminderLog.objects.bulk_create(rows, batch_size=500)
        except IntegrityError:
            existing = set(
                ReminderLog.objects.filter(
                    requirement__in={d.requirement.pk for d in pending}
                ).values_list("requirement_id", "unit_id", "kind", "days_before")
            )
            pending = [d for d in pending if d.key not in existing]
            continue
        return list(zip(pending, created, strict=True))
    raise RuntimeError("plan reminders kept colliding with another run")


def _texts(item: _Due, on: dt.date, url: str) -> dict[str, str]:
    requirement = item.requirement
    remaining = (requirement.due_on - on).days
    context = {
        "plan": requirement.plan.title,
        "requirement": _requirement_label(requirement),
        "unit": item.unit.name,
        "due": fmt_date(requirement.due_on),
        "remaining": remaining,
        "late": -remaining,
        "overdue": item.kind == ReminderKind.OVERDUE,
        "link": settings.SITE_URL.rstrip("/") + url,
    }
    if item.kind == ReminderKind.OVERDUE:
        title = _("Quá hạn gửi: %(requirement)s – %(plan)s") % context
        body = (
            _(
                "%(unit)s chưa gửi “%(requirement)s” của kế hoạch “%(plan)s”; "
                "hạn gửi là %(due)s (đã quá %(late)s ngày)."
            )
            % context
        )
    else:
        title = _("Sắp đến hạn gửi: %(requirement)s – %(plan)s") % context
        if remaining == 0:
            body = (
                _(
                    "%(unit)s chưa gửi “%(requirement)s” của kế hoạch “%(plan)s”; "
                    "hạn gửi là hôm nay, %(due)s."
                )
                % context
            )
        else:
            body = (
                _(
                    "%(unit)s chưa gửi “%(requirement)s” của kế hoạch “%(plan)s”; "
                    "hạn gửi là %(due)s (còn %(remaining)s ngày)."
                )
                % context
            )
    subject = render_to_string("notifications/emails/plan_reminder_subject.txt", context)
    return {
        "title": title,
        "body": body,
        "subject": " ".join(subject.split()),
        "email": render_to_string("notifications/emails/plan_reminder.txt", context),
    }


@transaction.atomic
def send_plan_reminders(today: dt.date | None = None) -> ReminderReport:
    """Remind every unit in scope that has not answered a requirement: once in the
    window before the due date (settings.PLAN_REMINDER_DAYS_BEFORE) and once when it
    is overdue. In-app notifications to the unit's officers (its heads when it has
    no officer) and an e-mail to those with an address, sent after the commit.

    Safe to run any number of times a day: ReminderLog keeps each reminder to one.
    """
    on = today or local_today()
    report = ReminderReport(on=on)
    due = _due_reminders(on)
    if not due:
        return report
    recipients = _recipients({d.unit.pk for d in due})
    created = _insert_logs(due, recipients)
    if not created:
        return report
    plan_urls: dict[int, str] = {}
    notifications: list[Notification] = []
    mails: list[tuple[str, str, str, list[str]]] = []
    # Stored texts and e-mails are in the site's language, whoever runs the job.
    with translation.override(settings.LANGUAGE_CODE):
        for item, _reminder in created:
            plan = item.requirement.plan
            url = plan_urls.setdefault(plan.pk, _plan_url(plan))
            texts = _texts(item, on, url)
            people = recipients.get(item.unit.pk, [])
            if item.kind == ReminderKind.OVERDUE:
                report.overdue += 1
                kind = NotificationKind.PLAN_OVERDUE.value
            else:
                report.before_due += 1
                kind = NotificationKind.PLAN_DUE_SOON.value
            if not people:
                report.without_recipients.append(item.unit.code)
            for user_id, email in people:
                notifications.append(
                    Notification(
                        user_id=user_id,
                        kind=kind,
                        title=texts["title"][:500],
                        body=texts["body"],
                        url=url,
                        unit=item.unit,
                    )
                )
                if email:
                    mails.append(
                        (texts["subject"], texts["email"], settings.DEFAULT_FROM_EMAIL, [email])
                    )
    Notification.objects.bulk_create(notifications, batch_size=500)
    record_many(
        actor=None,
        action="plan.reminder",
        items=[
            (
                reminder,
                None,
                snapshot(reminder, AUDITED_FIELDS)
                | {"due_on": item.requirement.due_on, "plan": item.requirement.plan.code},
                item.unit,
            )
            for item, reminder in created
        ],
    )
    report.notifications = len(notifications)
    report.emails = len(mails)
    if mails:
        # After the commit: a rolled-back run must not have mailed anyone, and a
        # mail server that fails must not undo the reminders already logged.
        send_mails_after_commit(mails, "plan reminder")
    return report


Mail = tuple[str, str, str, list[str]]  # subject, text, sender, recipients


def send_mails_after_commit(mails: list[Mail], what: str) -> None:
    """Send reminder e-mails once the transaction that logged the reminders commits."""
    if mails:
        transaction.on_commit(lambda: _send_mails(mails, what))


def _send_mails(mails: list[Mail], what: str) -> None:
    try:
        send_mass_mail(mails, fail_silently=False)
    except Exception:
        # The in-app notifications are already there; log it for the operator.
        log.exception("could not send %d %s e-mails", len(mails), what)
