"""Inspection pages: plans by year, inspections, findings, follow-ups; who sees and changes them."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from typing import Any

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from inspections import services as ins
from inspections.models import FollowUp, FollowUpStatus, Inspection, InspectionPlan, TeamRole
from organizations import services as org
from organizations.models import Council, CouncilRole
from tests.test_permissions import assert_object_pages

pytestmark = pytest.mark.django_db
TODAY = dt.date(2025, 10, 1)


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def council(tree: Any) -> Council:
    return org.council_create(
        actor=None, unit=tree.MIN, name="Hội đồng TĐKT Bộ", established_on=dt.date(2020, 1, 1)
    )


def inspection_of(council: Council, unit: Any, title: str = "Kiểm tra năm 2025") -> Inspection:
    plan = InspectionPlan.objects.filter(council=council, title=title).first() or ins.plan_create(
        actor=None, council=council, year=2025, title=title
    )
    inspection = ins.inspection_create(
        actor=None, plan=plan, unit=unit, scheduled_on=dt.date(2025, 5, 1)
    )
    return ins.findings_record(
        actor=None, inspection=inspection, done_on=dt.date(2025, 5, 2),
        findings="Hồ sơ đầy đủ", recommendations="Tập huấn cán bộ", today=TODAY,
    )  # fmt: skip


@pytest.mark.parametrize(
    "persona", ["outsider", "viewer", "officer", "head", "standing", "council", "comms"]
)
def test_object_pages_allow_deny_and_hide(
    tree: Any, personas: Any, council: Council, persona: str
) -> None:
    inspection = inspection_of(council, tree.KTTV_A)
    follow_up = ins.follow_up_add(
        actor=None, inspection=inspection, action="Bổ sung", responsible_unit=tree.KTTV_A,
        due_on=dt.date(2025, 9, 1),
    )  # fmt: skip
    client = login(getattr(personas, persona))
    checked = assert_object_pages(
        client,
        persona,
        "inspections",
        {"pk": str(inspection.pk), "plan": str(inspection.plan_id), "fu": str(follow_up.pk)},
    )
    assert checked == 9


def test_inspected_units_see_only_their_inspections(
    tree: Any, personas: Any, council: Council
) -> None:
    mine = inspection_of(council, tree.KTTV_A)
    theirs = inspection_of(council, tree.ST_VP)
    officer = login(personas.officer)
    plan_page = officer.get(f"/inspections/plans/{mine.plan_id}/")
    assert [i.pk for i in plan_page.context["inspections"]] == [mine.pk]
    assert officer.get(f"/inspections/{theirs.pk}/").status_code == 404
    assert officer.get(f"/inspections/{mine.pk}/").status_code == 200
    # A plan that inspects nobody in the officer's scope is not listed at all.
    other = ins.plan_create(actor=None, council=council, year=2025, title="Kế hoạch khác")
    ins.inspection_create(actor=None, plan=other, unit=tree.ST, scheduled_on=dt.date(2025, 8, 1))
    titles = [p.title for p in officer.get("/inspections/").context["page"].object_list]
    assert titles == ["Kiểm tra năm 2025"]
    assert officer.get(f"/inspections/plans/{other.pk}/").status_code == 404
    council_member = login(personas.council)
    titles = [p.title for p in council_member.get("/inspections/").context["page"].object_list]
    assert sorted(titles) == ["Kiểm tra năm 2025", "Kế hoạch khác"]


@time_machine.travel(dt.datetime(2025, 10, 1, 9, 0), tick=False)
def test_council_records_a_whole_inspection_through_the_pages(
    tree: Any, personas: Any, council: Council, person_a: Any
) -> None:
    org.council_member_add(
        actor=None, council=council, person=person_a, role=CouncilRole.MEMBER,
        valid_from=dt.date(2020, 1, 1),
    )  # fmt: skip
    client = login(personas.council)
    response = client.post(
        "/inspections/new/",
        {"council": str(council.pk), "year": "2025", "title": "Kiểm tra công tác TĐKT 2025",
         "document_number": "12/KH-HĐTĐKT", "document_date": "01/04/2025"},
    )  # fmt: skip
    plan = InspectionPlan.objects.get()
    assert response["Location"] == f"/inspections/plans/{plan.pk}/"
    client.post(
        f"/inspections/plans/{plan.pk}/teams/new/",
        {"name": "Đoàn số 1", "leader": str(person_a.pk), "others": "Lê Thị Khách | Sở Nội vụ"},
    )
    team = plan.teams.get()
    assert sorted(team.members.values_list("name", "role")) == [
        ("Lê Thị Khách", TeamRole.MEMBER), ("Nguyễn Văn An", TeamRole.LEADER),
    ]  # fmt: skip
    client.post(
        f"/inspections/plans/{plan.pk}/inspections/new/",
        {"unit": "KTTV_A", "scheduled_on": "20/05/2025", "team": str(team.pk)},
    )
    inspection = Inspection.objects.get()
    response = client.post(
        f"/inspections/{inspection.pk}/findings/",
        {"done_on": "02/10/2025", "findings": "Tốt"},
    )
    assert "Ngày kiểm tra không được ở tương lai." in response.content.decode()
    client.post(
        f"/inspections/{inspection.pk}/findings/",
        {"done_on": "20/05/2025", "findings": "Thực hiện tốt", "recommendations": "Bổ sung"},
    )
    client.post(
        f"/inspections/{inspection.pk}/follow-ups/new/",
        {"action": "Bổ sung biên bản", "responsible_unit": "KTTV_A", "due_on": "01/09/2025"},
    )
    follow_up = FollowUp.objects.get()
    page = client.get(f"/inspections/{inspection.pk}/").content.decode()
    assert "Thực hiện tốt" in page
    assert "table-danger" in page and "Quá hạn" in page  # due 01/09, today 01/10
    client.post(
        f"/inspections/follow-ups/{follow_up.pk}/",
        {"status": "CLOSED", "closed_on": "30/09/2025", "note": "Đã bổ sung"},
    )
    follow_up.refresh_from_db()
    assert follow_up.status == FollowUpStatus.CLOSED
    page = client.get(f"/inspections/{inspection.pk}/").content.decode()
    assert "table-danger" not in page
    # Closed is final: the status page sends the user back.
    assert client.get(f"/inspections/follow-ups/{follow_up.pk}/").status_code == 302


@time_machine.travel(dt.datetime(2025, 10, 1, 9, 0), tick=False)
def test_follow_up_list_filters_overdue_and_exports(
    tree: Any, personas: Any, council: Council
) -> None:
    inspection = inspection_of(council, tree.KTTV_A)
    late = ins.follow_up_add(
        actor=None, inspection=inspection, action="Việc trễ hạn",
        responsible_unit=tree.KTTV_A, due_on=dt.date(2025, 9, 1),
    )  # fmt: skip
    ins.follow_up_add(
        actor=None, inspection=inspection, action="Việc còn hạn",
        responsible_unit=tree.KTTV_A, due_on=dt.date(2025, 12, 1),
    )  # fmt: skip
    client = login(personas.viewer)
    rows = client.get("/inspections/follow-ups/", {"state": "overdue"}).context["rows"]
    assert [(f.pk, overdue) for f, overdue in rows] == [(late.pk, True)]
    response = client.get("/inspections/follow-ups/", {"format": "xlsx"})
    sheet = list(load_workbook(BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert [r[2] for r in sheet[1:]] == ["Việc trễ hạn", "Việc còn hạn"]
    assert sheet[1][6] == "Có"
    plans = client.get("/inspections/", {"format": "xlsx"})
    sheet = list(load_workbook(BytesIO(plans.content)).worksheets[0].iter_rows(values_only=True))
    assert sheet[1][3] == tree.KTTV_A.name and sheet[1][9] == 2


def test_plan_list_query_count_does_not_grow(
    tree: Any, personas: Any, council: Council, django_assert_max_num_queries: Any
) -> None:
    inspection_of(council, tree.KTTV_A, "Kế hoạch 0")
    client = login(personas.standing)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/inspections/").status_code == 200
    for n in range(1, 30):
        inspection = inspection_of(council, tree.KTTV_B, f"Kế hoạch {n}")
        ins.follow_up_add(
            actor=None, inspection=inspection, action="Việc", responsible_unit=tree.KTTV_B,
            due_on=dt.date(2025, 9, 1),
        )  # fmt: skip
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get("/inspections/").context["page"].object_list) == 25
    with django_assert_max_num_queries(len(few.captured_queries) + 2):
        assert len(client.get("/inspections/follow-ups/").context["rows"]) == 25


def test_viewer_cannot_plan(personas: Any) -> None:
    assert login(personas.viewer).get("/inspections/new/").status_code == 403
