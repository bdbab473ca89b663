"""An officer of KTTV writes the 2024 annual report and sends it upward."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from reports.models import AnnualReport, ReportStatus
from tests.browser.conftest import login
from tests.test_reports_services import award

pytestmark = pytest.mark.django_db(transaction=True)


def test_officer_creates_edits_and_submits_the_annual_report(
    page: Any, personas: Any, tree: Any, person_a: Any
) -> None:
    award(person=person_a)  # one Chiến sĩ thi đua cơ sở in KTTV_A for 2024
    login(page, "officer")
    page.goto("/reports/")
    page.get_by_role("link", name="Lập báo cáo năm").click()
    page.get_by_label("Đơn vị").select_option("KTTV")
    page.get_by_label("Năm báo cáo").fill("2024")
    page.get_by_role("button", name="Tiếp tục").click()

    # The figures come pre-filled from the records of KTTV's subtree.
    assert page.get_by_label("Chiến sĩ thi đua cơ sở", exact=True).input_value() == "1"
    page.get_by_label("Kết quả đạt được").fill("Hoàn thành xuất sắc các chỉ tiêu thi đua năm 2024.")
    page.get_by_role("button", name="Tạo báo cáo").click()
    page.get_by_role("heading", name="Báo cáo năm 2024: Tổng cục Khí tượng Thủy văn").wait_for()
    expect(page.get_by_text("Đang soạn, chưa gửi")).to_be_visible()

    page.get_by_role("link", name="Sửa báo cáo").click()
    page.get_by_label("Khó khăn, vướng mắc").fill("Kinh phí cho công tác tuyên truyền còn hạn chế.")
    page.get_by_label("Đề xuất, kiến nghị").fill("Đề nghị bổ sung kinh phí năm 2025.")
    page.get_by_role("button", name="Lưu").click()
    difficulties = page.locator("#report-difficulties")
    expect(
        difficulties.get_by_text("Kinh phí cho công tác tuyên truyền còn hạn chế.")
    ).to_be_visible()

    page.get_by_role("link", name="Gửi báo cáo").click()
    page.get_by_role("button", name="Xác nhận gửi").click()
    page.locator("#report-status").get_by_text("Đã gửi").wait_for()
    expect(page.get_by_role("heading").filter(has_text="Đã gửi")).to_have_count(1)
    assert not page.get_by_role("link", name="Sửa báo cáo").is_visible()

    report = AnnualReport.objects.get(unit=tree.KTTV, year=2024)
    assert report.status == ReportStatus.SUBMITTED
    assert report.proposals == "Đề nghị bổ sung kinh phí năm 2025."
