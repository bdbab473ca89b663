"""The dashboard: deadlines of the plans in the user's scope and last year's awards."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from awards import services as rec
from awards.models import AwardType
from plans import services as plans


def make_plan(tree: Any, code: str, due_in: int) -> Any:
    today = dt.date.today()
    return plans.plan_create(
        actor=None,
        data=plans.PlanData(
            code=code,
            title=f"Kế hoạch {code}",
            issuer=tree.KTTV,
            starts_on=today - dt.timedelta(days=30),
            ends_on=today + dt.timedelta(days=300),
        ),
        requirements=[
            plans.RequirementData(
                key="BC",
                kind="ANNUAL_REPORT",
                due_on=today + dt.timedelta(days=due_in),
                title=f"Báo cáo năm theo {code}",
            )
        ],
    )


def dashboard(user: Any) -> tuple[str, int]:
    client = Client()
    client.force_login(user)
    with CaptureQueriesContext(connection) as ctx:
        response = client.get("/")
    assert response.status_code == 200
    return response.content.decode(), len(ctx.captured_queries)


@pytest.mark.django_db
def test_upcoming_and_overdue_deadlines_of_plans_in_scope(tree: Any, personas: Any) -> None:
    make_plan(tree, "KH-SOON", due_in=10)
    make_plan(tree, "KH-LATE", due_in=-3)
    make_plan(tree, "KH-FAR", due_in=200)
    page, _ = dashboard(personas.officer)
    table = page.split('data-testid="deadlines"')[1].split("</table>")[0]
    assert "Báo cáo năm theo KH-SOON" in table
    assert "Báo cáo năm theo KH-LATE" in table and "đã quá hạn" in table
    assert "KH-FAR" not in table
    assert table.index("KH-LATE") < table.index("KH-SOON")  # by due date
    outsider_page, _ = dashboard(personas.outsider)  # Sóc Trăng: not in the KTTV plans' scope
    assert "KH-SOON" not in outsider_page
    assert "Không có yêu cầu nào đến hạn" in outsider_page


@pytest.mark.django_db
def test_awards_of_last_year_are_counted(tree: Any, personas: Any, person_a: Any) -> None:
    year = dt.date.today().year - 1
    rec.award_create(
        actor=None,
        data=rec.AwardData(
            award_type=AwardType.objects.get(code="LDTT"),
            year=year,
            decision_number="1/QĐ",
            decision_date=dt.date(year, 12, 20),
            person=person_a,
        ),
    )
    page, _ = dashboard(personas.officer)
    assert "1 quyết định khen thưởng" in page
    assert "Xét điều kiện khen thưởng" in page
    viewer_page, _ = dashboard(personas.viewer)
    assert 'href="/eligibility/"' not in viewer_page  # verdicts are not for read-only viewers


@pytest.mark.django_db
def test_dashboard_queries_do_not_grow_with_the_plans(tree: Any, personas: Any) -> None:
    make_plan(tree, "KH-1", due_in=5)
    _, few = dashboard(personas.officer)
    for i in range(2, 8):
        make_plan(tree, f"KH-{i}", due_in=5 + i)
    _, many = dashboard(personas.officer)
    assert few == many
