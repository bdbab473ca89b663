"""Plan deadline reminders: once before the due date, once when overdue, never twice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from typing import Any

import pytest
import time_machine
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.models import Role, RoleGrant, User
from audit.models import AuditEvent
from audit.services import verify_chain
from notifications import services
from notifications.models import Notification, NotificationKind, ReminderKind, ReminderLog
from notifications.scope import units_in_scope_many
from notifications.tasks import send_plan_reminders_task
from organizations import services as org
from organizations.models import Unit, UnitKind
from plans.models import Plan, Requirement, RequirementKind, RequirementScope, Submission
from tests.conftest import START, make_user

DUE = dt.date(2025, 3, 31)
pytestmark = pytest.mark.django_db


def make_plan(
    issuer: Unit,
    *,
    code: str = "KH-KTTV-2025",
    due_on: dt.date = DUE,
    scope: str = RequirementScope.CHILD_UNITS,
    ends_on: dt.date = dt.date(2025, 12, 31),
) -> Requirement:
    plan = Plan.objects.create(
        code=code,
        title=f"Kế hoạch phát hiện điển hình {code}",
        issuer=issuer,
        starts_on=min(due_on, dt.date(2025, 1, 1)),
        ends_on=ends_on,
    )
    return Requirement.objects.create(
        plan=plan,
        key="KH",
        kind=RequirementKind.UNIT_PLAN,
        title="Kế hoạch của đơn vị",
        due_on=due_on,
        scope=scope,
    )


@pytest.fixture
def staff(tree: Any, personas: Any) -> dict[str, User]:
    """KTTV_A has an officer (with e-mail) and a head; KTTV_B only a head, without e-mail."""
    return {
        "officer_a": make_user(
            "officer_a", [(Role.OFFICER, tree.KTTV_A)], email="officer_a@example.vn"
        ),
        "head_a": make_user("head_a", [(Role.HEAD, tree.KTTV_A)], email="head_a@example.vn"),
        "head_b": make_user("head_b", [(Role.HEAD, tree.KTTV_B)]),
    }


@pytest.fixture
def run(django_capture_on_commit_callbacks: Any) -> Callable[[dt.date], services.ReminderReport]:
    """One reminder run on `day`, on a frozen clock, with its after-commit e-mails sent."""

    def go(day: dt.date) -> services.ReminderReport:
        with (
            time_machine.travel(dt.datetime(day.year, day.month, day.day, 6, 0), tick=False),
            django_capture_on_commit_callbacks(execute=True),
        ):
            return services.send_plan_reminders()

    return go


def inbox(user: User) -> list[Notification]:
    return list(Notification.objects.filter(user=user).order_by("id"))


@pytest.fixture(autouse=True)
def seven_days(settings: Any) -> Iterator[None]:
    settings.PLAN_REMINDER_DAYS_BEFORE = [7]
    settings.SITE_URL = "https://thidua.example.vn"
    yield


def test_reminded_once_before_the_due_date_and_once_when_overdue(
    tree: Any, staff: dict[str, User], run: Any
) -> None:
    make_plan(tree.KTTV)
    assert run(dt.date(2025, 3, 20)).reminders == 0  # 11 days to go: too early
    assert inbox(staff["officer_a"]) == []

    report = run(dt.date(2025, 3, 24))  # 7 days to go
    assert (report.before_due, report.overdue) == (2, 0)
    [note] = inbox(staff["officer_a"])
    assert note.kind == NotificationKind.PLAN_DUE_SOON
    assert note.url == "/plans/KH-KTTV-2025/"
    assert "Kế hoạch của đơn vị" in note.title
    assert "31/03/2025" in note.body and "còn 7 ngày" in note.body
    assert note.unit == tree.KTTV_A and note.read_at is None
    # KTTV_A has an officer, so its head is left alone; KTTV_B has only a head.
    assert inbox(staff["head_a"]) == []
    assert [n.unit for n in inbox(staff["head_b"])] == [tree.KTTV_B]
    # Only the officer has an address: the head without one gets the in-app notice only.
    assert [m.to for m in mail.outbox] == [["officer_a@example.vn"]]
    message = mail.outbox[0]
    assert "Kế hoạch phát hiện điển hình KH-KTTV-2025" in message.subject
    assert "31/03/2025" in message.body
    assert "https://thidua.example.vn/plans/KH-KTTV-2025/" in message.body

    for day in (dt.date(2025, 3, 24), dt.date(2025, 3, 25), DUE):
        assert run(day).reminders == 0
    assert len(inbox(staff["officer_a"])) == 1 and len(mail.outbox) == 1

    report = run(dt.date(2025, 4, 1))
    assert (report.before_due, report.overdue) == (0, 2)
    overdue = inbox(staff["officer_a"])[-1]
    assert overdue.kind == NotificationKind.PLAN_OVERDUE
    assert "quá 1 ngày" in overdue.body
    assert len(mail.outbox) == 2 and "Quá hạn" in mail.outbox[1].subject

    assert run(dt.date(2025, 4, 2)).reminders == 0
    assert run(dt.date(2025, 5, 2)).reminders == 0
    assert len(inbox(staff["officer_a"])) == 2 and len(mail.outbox) == 2
    assert ReminderLog.objects.count() == 4


def test_a_missed_run_still_reminds_once(tree: Any, staff: dict[str, User], run: Any) -> None:
    make_plan(tree.KTTV)
    assert run(dt.date(2025, 3, 27)).before_due == 2  # nobody ran the job on the 24th
    assert run(dt.date(2025, 3, 28)).reminders == 0
    assert len(inbox(staff["officer_a"])) == 1


def test_several_reminder_days_each_remind_once(
    tree: Any, staff: dict[str, User], run: Any, settings: Any
) -> None:
    settings.PLAN_REMINDER_DAYS_BEFORE = [7, 1]
    make_plan(tree.KTTV)
    assert run(dt.date(2025, 3, 24)).before_due == 2
    assert run(dt.date(2025, 3, 29)).before_due == 0
    assert run(dt.date(2025, 3, 30)).before_due == 2
    assert run(dt.date(2025, 3, 31)).before_due == 0
    logs = ReminderLog.objects.filter(unit=tree.KTTV_A).order_by("days_before")
    assert list(logs.values_list("days_before", flat=True)) == [1, 7]
    assert "còn 1 ngày" in inbox(staff["officer_a"])[-1].body


def test_first_run_on_the_due_date_reminds_once_not_for_every_window(
    tree: Any, staff: dict[str, User], run: Any, settings: Any
) -> None:
    settings.PLAN_REMINDER_DAYS_BEFORE = [7, 1]
    make_plan(tree.KTTV)
    assert run(DUE).before_due == 2  # one per unit, not one per configured day
    [note] = inbox(staff["officer_a"])
    assert "hôm nay" in note.body


def test_submitted_units_are_not_reminded(tree: Any, staff: dict[str, User], run: Any) -> None:
    requirement = make_plan(tree.KTTV)
    Submission.objects.create(
        requirement=requirement, unit=tree.KTTV_A, submitted_on=dt.date(2025, 3, 1)
    )
    assert run(dt.date(2025, 3, 24)).before_due == 1
    assert run(dt.date(2025, 4, 1)).overdue == 1
    assert inbox(staff["officer_a"]) == []
    assert len(inbox(staff["head_b"])) == 2
    assert mail.outbox == []


def test_users_of_other_units_get_nothing(
    tree: Any, personas: Any, staff: dict[str, User], run: Any
) -> None:
    make_plan(tree.KTTV)
    run(dt.date(2025, 3, 24))
    run(dt.date(2025, 4, 1))
    # The issuer's own officer, the province's officer and ministry-wide roles:
    # the reminder is for the units that must answer, not everyone above them.
    for name in ("officer", "outsider", "standing", "head", "viewer", "admin"):
        assert inbox(getattr(personas, name)) == [], name
    recipients = set(Notification.objects.values_list("user__username", flat=True))
    assert recipients == {"officer_a", "head_b"}


def test_scope_child_units_or_whole_subtree(
    tree: Any, personas: Any, staff: dict[str, User], run: Any
) -> None:
    make_plan(tree.MIN, code="KH-BO", scope=RequirementScope.CHILD_UNITS)
    make_plan(tree.MIN, code="KH-BO-TOAN-NGANH", scope=RequirementScope.SUBTREE)
    run(dt.date(2025, 3, 24))
    logged = set(ReminderLog.objects.values_list("requirement__plan__code", "unit__code"))
    children = {"TCCB", "KTTV", "STNMT_ST"}
    assert {u for p, u in logged if p == "KH-BO"} == children
    assert {u for p, u in logged if p == "KH-BO-TOAN-NGANH"} == children | {
        "KTTV_A",
        "KTTV_B",
        "ST_VP",
    }
    # The KTTV officer answers for KTTV (a child of the ministry) in both plans.
    assert len(inbox(personas.officer)) == 2
    assert len(inbox(personas.outsider)) == 2


def test_units_not_active_on_the_due_date_are_left_out(
    tree: Any, staff: dict[str, User], run: Any
) -> None:
    Unit.objects.filter(pk=tree.KTTV_B.pk).update(valid_to=dt.date(2025, 3, 1))
    late = org.unit_create(
        actor=None,
        code="KTTV_C",
        name="Đài mới",
        parent=tree.KTTV,
        kind=UnitKind.AFFILIATED,
        valid_from=dt.date(2025, 4, 15),
    )
    make_plan(tree.KTTV)
    run(dt.date(2025, 3, 24))
    assert set(ReminderLog.objects.values_list("unit_id", flat=True)) == {tree.KTTV_A.pk}
    assert late.pk not in set(ReminderLog.objects.values_list("unit_id", flat=True))


def test_inactive_users_get_nothing_and_the_unit_is_reported(
    tree: Any, staff: dict[str, User], run: Any
) -> None:
    User.objects.filter(pk=staff["head_b"].pk).update(is_active=False)
    make_plan(tree.KTTV)
    report = run(dt.date(2025, 3, 24))
    assert inbox(staff["head_b"]) == []
    assert report.without_recipients == ["KTTV_B"]
    log = ReminderLog.objects.get(unit=tree.KTTV_B)
    assert log.recipients == 0  # logged all the same: the unit was due a reminder


def test_overdue_reminders_stop_once_the_plan_has_ended(
    tree: Any, staff: dict[str, User], run: Any
) -> None:
    make_plan(tree.KTTV, due_on=dt.date(2021, 9, 7), ends_on=dt.date(2023, 12, 31))
    assert run(dt.date(2025, 3, 24)).reminders == 0


def test_each_logged_reminder_is_audited(tree: Any, staff: dict[str, User], run: Any) -> None:
    make_plan(tree.KTTV)
    run(dt.date(2025, 3, 24))
    events = AuditEvent.objects.filter(action="plan.reminder")
    assert events.count() == 2
    event = events.get(unit=tree.KTTV_A)
    assert event.actor is None and event.after is not None
    assert event.after["kind"] == ReminderKind.BEFORE_DUE
    assert event.after["days_before"] == 7
    assert event.after["due_on"] == "2025-03-31"
    assert verify_chain().ok


def test_the_database_refuses_a_second_identical_reminder(tree: Any) -> None:
    requirement = make_plan(tree.KTTV)
    for days in (7, None):
        ReminderLog.objects.create(
            requirement=requirement, unit=tree.KTTV_A, kind="OVERDUE", days_before=days
        )
        with pytest.raises(IntegrityError), transaction.atomic():
            ReminderLog.objects.create(
                requirement=requirement, unit=tree.KTTV_A, kind="OVERDUE", days_before=days
            )


def test_a_racing_run_that_logged_first_wins(
    tree: Any, staff: dict[str, User], run: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two workers read "not yet sent" at the same time: the constraint lets one through."""
    make_plan(tree.KTTV)
    real = services._due_reminders
    stale: list[Any] = []

    def remember(on: dt.date) -> list[Any]:
        if not stale:
            stale.extend(real(on))
        return list(stale)

    monkeypatch.setattr(services, "_due_reminders", remember)
    assert run(dt.date(2025, 3, 24)).before_due == 2
    # The second run still believes both reminders are due; the insert collides.
    report = run(dt.date(2025, 3, 24))
    assert report.reminders == 0 and report.notifications == 0
    assert len(inbox(staff["officer_a"])) == 1 and len(mail.outbox) == 1
    assert ReminderLog.objects.count() == 2


def _units_with_officers(parent: Unit, n: int, prefix: str) -> None:
    for i in range(n):
        unit = org.unit_create(
            actor=None,
            code=f"{prefix}{i:02d}",
            name=f"Đơn vị {prefix} {i}",
            parent=parent,
            kind=UnitKind.AFFILIATED,
            valid_from=START,
        )
        user = make_user(f"{prefix.lower()}{i:02d}", email=f"{prefix.lower()}{i}@example.vn")
        RoleGrant.objects.create(user=user, role=Role.OFFICER, unit=unit)


def test_a_run_makes_the_same_number_of_queries_for_5_or_50_units(
    tree: Any, django_capture_on_commit_callbacks: Any
) -> None:
    counts = []
    # The first plan has ended by the second run, so each run sees only its own.
    runs = (
        (5, "SMALL", dt.date(2025, 3, 31), dt.date(2025, 4, 30)),
        (50, "LARGE", dt.date(2025, 6, 30), dt.date(2025, 12, 31)),
    )
    for n, prefix, due_on, ends_on in runs:
        issuer = org.unit_create(
            actor=None,
            code=f"{prefix}_ROOT",
            name=f"Gốc {prefix}",
            parent=tree.MIN,
            kind=UnitKind.DEPARTMENT,
            valid_from=START,
        )
        _units_with_officers(issuer, n, prefix)
        make_plan(issuer, code=f"KH-{prefix}", due_on=due_on, ends_on=ends_on)
        day = due_on - dt.timedelta(days=7)
        with (
            time_machine.travel(dt.datetime(day.year, day.month, day.day, 6, 0), tick=False),
            django_capture_on_commit_callbacks(execute=True),
            CaptureQueriesContext(connection) as queries,
        ):
            report = services.send_plan_reminders()
        assert report.before_due == n and report.emails == n
        counts.append(len(queries))
    assert counts[0] == counts[1], counts
    assert counts[1] <= 20


def test_the_task_and_the_command_run_the_reminders(
    tree: Any, staff: dict[str, User], django_capture_on_commit_callbacks: Any
) -> None:
    make_plan(tree.KTTV)
    with django_capture_on_commit_callbacks(execute=True):
        result = send_plan_reminders_task.enqueue("2025-03-24")
    assert result.return_value is not None
    assert result.return_value["before_due"] == 2
    assert len(mail.outbox) == 1

    out = call_command_output("send_reminders", "--date", "2025-04-01", "--now")
    assert "2 nhắc quá hạn" in out
    # Queued (the tests run tasks at once); nothing is left to send on the same day.
    out = call_command_output("send_reminders", "--date", "2025-04-01")
    assert "hàng đợi" in out
    assert ReminderLog.objects.count() == 4
    with pytest.raises(CommandError):
        call_command("send_reminders", "--date", "31/03/2025")


def call_command_output(*args: str) -> str:
    import io

    buffer = io.StringIO()
    call_command(*args, stdout=buffer)
    return buffer.getvalue()


def test_scope_agrees_with_the_plans_app(tree: Any) -> None:
    from plans.services import units_in_scope

    Unit.objects.filter(pk=tree.KTTV_B.pk).update(valid_to=dt.date(2025, 3, 1))
    requirements = [
        make_plan(tree.MIN, code="A", scope=RequirementScope.CHILD_UNITS),
        make_plan(tree.MIN, code="B", scope=RequirementScope.SUBTREE),
        make_plan(tree.KTTV, code="C", scope=RequirementScope.SUBTREE),
    ]
    requirements = list(
        Requirement.objects.filter(pk__in=[r.pk for r in requirements]).select_related(
            "plan__issuer"
        )
    )
    mine = units_in_scope_many(requirements)
    for requirement in requirements:
        theirs = {u.pk for u in units_in_scope(requirement)}
        assert {u.pk for u in mine[requirement.pk]} == theirs, requirement.plan.code
