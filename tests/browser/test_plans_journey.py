"""A standing-body officer issues a plan; a unit officer answers; the grid turns green."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from plans.models import Plan, Submission
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_plan_issued_answered_and_shown_on_time(page: Any, personas: Any, tree: Any) -> None:
    today = dt.date.today()
    due = today + dt.timedelta(days=30)

    login(page, "standing")
    page.goto("/plans/")
    page.get_by_role("link", name="Tạo kế hoạch").click()
    page.get_by_label("Mã kế hoạch").fill("KH-BO-THU")
    page.get_by_label("Tên kế hoạch").fill("Kế hoạch nhân rộng điển hình tiên tiến")
    page.get_by_label("Đơn vị ban hành").select_option("MIN")
    page.locator('[name="starts_on"]').fill(f"01/01/{today.year}")
    page.locator('[name="ends_on"]').fill(f"31/12/{today.year + 1}")
    page.locator('[name="req-0-key"]').fill("KH")
    page.locator('[name="req-0-kind"]').select_option("UNIT_PLAN")
    page.locator('[name="req-0-title"]').fill("Kế hoạch của đơn vị")
    page.locator('[name="req-0-due_on"]').fill(due.strftime("%d/%m/%Y"))
    page.locator('[name="req-0-scope"]').select_option("CHILD_UNITS")
    page.get_by_role("button", name="Lưu kế hoạch").click()
    expect(
        page.get_by_role("heading", name="Kế hoạch nhân rộng điển hình tiên tiến")
    ).to_be_visible()
    assert Plan.objects.get(code="KH-BO-THU").requirements.get().key == "KH"
    page.get_by_role("button", name="Đăng xuất").click()

    login(page, "officer")
    page.goto("/plans/KH-BO-THU/")
    page.get_by_role("link", name="Đơn vị gửi").click()
    page.get_by_label("Yêu cầu").first.select_option("KH")
    # KTTV is the officer's only unit in scope, so it is chosen already.
    assert page.locator('[name="unit"]').input_value() == "KTTV"
    page.get_by_label("Ghi chú").fill("Kế hoạch của Tổng cục gửi kèm.")
    page.get_by_role("button", name="Gửi", exact=True).click()
    expect(page.get_by_text("Đã gửi").first).to_be_visible()
    assert Submission.objects.get().unit.code == "KTTV"

    page.get_by_role("link", name="Tình hình thực hiện").click()
    cell = page.locator('td[data-unit="KTTV"]')
    assert cell.get_attribute("data-status") == "ON_TIME"
    assert "Đúng hạn" in cell.inner_text()
    # The officer sees their own unit's row only.
    expect(page.locator("td[data-unit]")).to_have_count(1)
    page.get_by_role("button", name="Đăng xuất").click()

    # The standing body sees every child unit: KTTV green, the others not yet due.
    login(page, "standing")
    page.goto("/plans/KH-BO-THU/compliance/")
    assert page.locator('td[data-unit="KTTV"]').get_attribute("data-status") == "ON_TIME"
    assert page.locator('td[data-unit="TCCB"]').get_attribute("data-status") == "PENDING"
    page.locator('td[data-unit="KTTV"] a').click()
    expect(page.get_by_text("Kế hoạch của Tổng cục gửi kèm.")).to_be_visible()


def test_plan_pages_have_no_serious_accessibility_violations(
    page: Any, personas: Any, tree: Any
) -> None:
    from axe_playwright_python.sync_playwright import Axe

    from plans import services
    from plans.services import EntryData, PhaseData, PlanData, RequirementData
    from tests.browser.test_accessibility import blocking_violations

    plan = services.plan_create(
        actor=personas.admin,
        data=PlanData("KH-A11Y", "Kế hoạch kiểm tra", tree.KTTV, dt.date(2021, 8, 1),
                      dt.date(2025, 12, 31), document_number="1/KH"),
        requirements=[
            RequirementData("KH", "UNIT_PLAN", dt.date(2021, 9, 7)),
            RequirementData("DK", "EXEMPLAR_REGISTRATION", dt.date(2021, 9, 7), min_count=1,
                            max_count=2),
            RequirementData("BC", "ANNUAL_REPORT", dt.date.today() + dt.timedelta(days=9)),
        ],
        phases=[PhaseData("Giai đoạn 1", dt.date(2021, 8, 1), dt.date(2023, 12, 31))],
    )  # fmt: skip
    services.milestone_add(
        actor=None, plan=plan, title="Sơ kết", due_on=dt.date(2023, 6, 30), phase=plan.phases.get()
    )
    kh, dk = plan.requirements.get(key="KH"), plan.requirements.get(key="DK")
    services.submission_submit(actor=None, requirement=kh, unit=tree.KTTV_A,
                               submitted_on=dt.date(2021, 9, 1))  # fmt: skip
    services.submission_submit(actor=None, requirement=kh, unit=tree.KTTV_B,
                               submitted_on=dt.date(2021, 9, 9))  # fmt: skip
    submission = services.submission_submit(
        actor=None, requirement=dk, unit=tree.KTTV_A, submitted_on=dt.date(2021, 9, 1),
        entries=[EntryData("A"), EntryData("B"), EntryData("C")],
    )  # fmt: skip
    axe = Axe()
    login(page, "admin")
    for path in (
        "/plans/",
        "/plans/new/",
        f"/plans/{plan.code}/",
        f"/plans/{plan.code}/edit/",
        f"/plans/{plan.code}/submit/",
        f"/plans/{plan.code}/compliance/",
        f"/plans/{plan.code}/compliance/cell/?requirement=DK&unit=KTTV_A",
        f"/plans/submissions/{submission.pk}/",
        f"/plans/submissions/{submission.pk}/withdraw/",
    ):
        response = page.goto(path)
        assert response is not None and response.status == 200, path
        found = blocking_violations(axe, page)
        assert not found, f"{path}:\n" + "\n".join(found)
