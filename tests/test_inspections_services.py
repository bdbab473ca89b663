"""Inspection services: plans, teams, scope of inspected units, findings, follow-up states."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from audit.models import AuditEvent
from core.errors import Conflict, ValidationFailed
from inspections import services as ins
from inspections.models import FollowUp, FollowUpStatus, Inspection, TeamRole
from organizations import services as org
from organizations.models import Council

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 10, 1)


@pytest.fixture
def council(tree: Any) -> Council:
    return org.council_create(
        actor=None,
        unit=tree.MIN,
        name="Hội đồng Thi đua – Khen thưởng Bộ",
        established_on=dt.date(2020, 1, 1),
    )


def make_plan(council: Council, title: str = "Kiểm tra năm 2025") -> Any:
    return ins.plan_create(actor=None, council=council, year=2025, title=title)


def test_plan_title_is_unique_per_council_and_year(council: Council) -> None:
    make_plan(council)
    with pytest.raises(Conflict):
        make_plan(council, "  Kiểm tra   năm 2025 ")
    ins.plan_create(actor=None, council=council, year=2026, title="Kiểm tra năm 2025")
    with pytest.raises(ValidationFailed):
        ins.plan_create(actor=None, council=council, year=2025, title=" ")
    assert AuditEvent.objects.filter(action="inspection.plan_create").count() == 2


def test_team_needs_exactly_one_leader(council: Council, person_a: Any) -> None:
    plan = make_plan(council)
    with pytest.raises(ValidationFailed):
        ins.team_create(
            actor=None, plan=plan, name="Đoàn 1",
            members=[ins.NewMember(role=TeamRole.MEMBER, person=person_a)],
        )  # fmt: skip
    team = ins.team_create(
        actor=None,
        plan=plan,
        name="Đoàn 1",
        members=[
            ins.NewMember(role=TeamRole.LEADER, person=person_a),
            ins.NewMember(role=TeamRole.MEMBER, name="Lê Văn Khách", affiliation="Sở Nội vụ"),
        ],
    )
    assert [m.name for m in team.members.order_by("id")] == ["Nguyễn Văn An", "Lê Văn Khách"]
    with pytest.raises(Conflict):
        ins.team_create(
            actor=None, plan=plan, name="Đoàn 1",
            members=[ins.NewMember(role=TeamRole.LEADER, person=person_a)],
        )  # fmt: skip


def test_inspected_unit_must_be_under_the_council(tree: Any, council: Council) -> None:
    kttv_council = org.council_create(
        actor=None, unit=tree.KTTV, name="Hội đồng Tổng cục", established_on=dt.date(2020, 1, 1)
    )
    plan = make_plan(kttv_council)
    with pytest.raises(ValidationFailed) as exc:
        ins.inspection_create(
            actor=None, plan=plan, unit=tree.ST_VP, scheduled_on=dt.date(2025, 5, 1)
        )
    assert exc.value.errors[0].field == "unit"
    with pytest.raises(ValidationFailed) as exc:
        ins.inspection_create(
            actor=None, plan=plan, unit=tree.KTTV_A, scheduled_on=dt.date(2026, 5, 1)
        )
    assert exc.value.errors[0].field == "scheduled_on"
    ins.inspection_create(actor=None, plan=plan, unit=tree.KTTV_A, scheduled_on=dt.date(2025, 5, 1))
    with pytest.raises(Conflict):
        ins.inspection_create(
            actor=None, plan=plan, unit=tree.KTTV_A, scheduled_on=dt.date(2025, 6, 1)
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Inspection.objects.create(plan=plan, unit=tree.KTTV_A, scheduled_on=dt.date(2025, 7, 1))


def test_findings_cannot_be_dated_in_the_future(tree: Any, council: Council) -> None:
    plan = make_plan(council)
    inspection = ins.inspection_create(
        actor=None, plan=plan, unit=tree.KTTV, scheduled_on=dt.date(2025, 5, 1)
    )
    with pytest.raises(ValidationFailed):
        ins.findings_record(
            actor=None, inspection=inspection, done_on=dt.date(2025, 10, 2),
            findings="Tốt", today=TODAY,
        )  # fmt: skip
    ins.findings_record(
        actor=None, inspection=inspection, done_on=dt.date(2025, 5, 2),
        findings="Tốt", recommendations="Bổ sung biên bản", today=TODAY,
    )  # fmt: skip
    inspection.refresh_from_db()
    assert inspection.is_done
    event = AuditEvent.objects.get(action="inspection.findings")
    assert event.before is not None and event.after is not None
    assert event.before["findings"] == "" and event.after["findings"] == "Tốt"


def inspected(tree: Any, council: Council) -> Inspection:
    plan = make_plan(council)
    inspection = ins.inspection_create(
        actor=None, plan=plan, unit=tree.KTTV_A, scheduled_on=dt.date(2025, 5, 1)
    )
    return ins.findings_record(
        actor=None, inspection=inspection, done_on=dt.date(2025, 5, 2),
        findings="Còn thiếu sót", today=TODAY,
    )  # fmt: skip


def test_follow_up_moves_forward_until_closed(tree: Any, council: Council) -> None:
    inspection = inspected(tree, council)
    follow_up = ins.follow_up_add(
        actor=None, inspection=inspection, action="Bổ sung biên bản",
        responsible_unit=tree.KTTV_A, due_on=dt.date(2025, 9, 1),
    )  # fmt: skip
    assert follow_up.status == FollowUpStatus.OPEN
    assert follow_up.is_overdue(TODAY)
    ins.follow_up_set_status(
        actor=None, follow_up=follow_up, status=FollowUpStatus.IN_PROGRESS, today=TODAY
    )
    with pytest.raises(Conflict):  # no way back
        ins.follow_up_set_status(
            actor=None, follow_up=follow_up, status=FollowUpStatus.OPEN, today=TODAY
        )
    with pytest.raises(ValidationFailed) as exc:  # closing needs a date and a note
        ins.follow_up_set_status(
            actor=None, follow_up=follow_up, status=FollowUpStatus.CLOSED, today=TODAY
        )
    assert {e.field for e in exc.value.errors} == {"closed_on", "note"}
    with pytest.raises(ValidationFailed):  # not before the inspection itself
        ins.follow_up_set_status(
            actor=None, follow_up=follow_up, status=FollowUpStatus.CLOSED,
            closed_on=dt.date(2025, 4, 1), note="Xong", today=TODAY,
        )  # fmt: skip
    ins.follow_up_set_status(
        actor=None, follow_up=follow_up, status=FollowUpStatus.CLOSED,
        closed_on=dt.date(2025, 9, 20), note="Đã bổ sung", today=TODAY,
    )  # fmt: skip
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.CLOSED
    assert not follow_up.is_overdue(TODAY)
    with pytest.raises(Conflict):  # closed is final
        ins.follow_up_set_status(
            actor=None, follow_up=follow_up, status=FollowUpStatus.IN_PROGRESS, today=TODAY
        )
    actions = list(
        AuditEvent.objects.filter(object_type="inspections.followup")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "inspection.follow_up_add",
        "inspection.follow_up_status",
        "inspection.follow_up_close",
    ]
    with pytest.raises(IntegrityError), transaction.atomic():
        FollowUp.objects.filter(pk=follow_up.pk).update(closed_on=None)


def test_follow_up_checks_dates_and_responsible_unit(tree: Any, council: Council) -> None:
    inspection = inspected(tree, council)
    with pytest.raises(ValidationFailed) as exc:
        ins.follow_up_add(
            actor=None, inspection=inspection, action=" ",
            responsible_unit=tree.KTTV_A, due_on=dt.date(2025, 4, 1),
        )  # fmt: skip
    assert {e.field for e in exc.value.errors} == {"action", "due_on"}
    assert not FollowUp.objects.exists()


def test_people_outside_the_staff_lists_can_sit_on_a_team(council: Council) -> None:
    plan = make_plan(council)
    team = ins.team_create(
        actor=None, plan=plan, name="Đoàn 2",
        members=[ins.NewMember(role=TeamRole.LEADER, name="Phạm Văn Khách")],
    )  # fmt: skip
    assert team.members.get().person is None
