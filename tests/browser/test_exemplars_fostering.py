"""Fostering and assessing an exemplar: an officer plans support and records a check-in
(the chart appears); the head finds a judgement criterion not met and the assessment
against the standard turns "Chưa đạt"."""

from __future__ import annotations

import os
import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from exemplars.assessment import judgement_conditions
from exemplars.models import CheckIn, CriterionReview, SupportAction
from tests.browser.conftest import login
from tests.browser.test_accessibility import blocking_violations
from tests.test_exemplars_lifecycle import Y
from tests.test_exemplars_sections import fostered

pytestmark = pytest.mark.django_db(transaction=True)
SHOTS = os.environ.get("THIDUA_SCREENSHOTS")  # a folder, to look at the pages by eye


def shot(page: Any, name: str) -> None:
    if SHOTS:
        for section in ("assessment", "fostering", "monitoring"):
            path = os.path.join(SHOTS, f"{name}-{section}.png")
            page.locator(f"#{section}").screenshot(path=path)


def test_officer_fosters_and_head_finds_a_criterion_not_met(
    page: Any, personas: Any, tree: Any
) -> None:
    exemplar = fostered(tree, personas)
    detail = f"/exemplars/{exemplar.pk}/"

    login(page, "officer")
    page.goto(detail)
    expect(page.get_by_test_id("actions-empty")).to_be_visible()
    expect(page.get_by_test_id("checkins-empty")).to_be_visible()
    page.get_by_role("link", name="Thêm hoạt động hỗ trợ").click()
    page.get_by_label("Hình thức hỗ trợ").select_option(label="Đào tạo, bồi dưỡng")
    page.get_by_label("Nội dung hỗ trợ").fill("Cử đi tập huấn dự báo mưa lớn bằng radar")
    page.get_by_label("Thời hạn").fill("30/06/2025")
    page.get_by_role("button", name="Lưu hoạt động").click()
    page.wait_for_url(f"**{detail}#fostering")
    table = page.get_by_test_id("actions-table")
    assert "Cử đi tập huấn dự báo mưa lớn bằng radar" in table.inner_text()
    # Not done and past its due date: flagged.
    assert "Quá hạn" in table.inner_text()
    assert SupportAction.objects.filter(exemplar=exemplar).count() == 1

    page.get_by_role("link", name="Thêm lần theo dõi").click()
    page.get_by_label("Ngày theo dõi").fill("15/03/2025")
    page.get_by_label("Tác dụng").fill("4")
    page.get_by_label("Hiệu quả").fill("3")
    page.get_by_label("Khả năng phát triển").fill("5")
    page.get_by_label("Sức ảnh hưởng").fill("9")
    page.get_by_label(re.compile(r"^Nhận xét")).fill("Mô hình được các đài bạn học tập")
    page.get_by_role("button", name="Lưu lần theo dõi").click()
    # A score outside 1–5: the message sits next to the field, nothing is saved.
    expect(page.get_by_text("Điểm phải từ 1 đến 5.")).to_be_visible()
    assert CheckIn.objects.count() == 0
    found = blocking_violations(Axe(), page)
    assert not found, "\n".join(found)
    page.get_by_label("Sức ảnh hưởng").fill("3")
    page.get_by_role("button", name="Lưu lần theo dõi").click()
    page.wait_for_url(f"**{detail}#monitoring")
    chart = page.get_by_role("img", name="Điểm theo dõi điển hình", exact=False)
    expect(chart).to_be_visible()
    assert "15/03/2025" in page.get_by_test_id("checkin-chart").inner_text()
    assert "Mô hình được các đài bạn học tập" in page.get_by_test_id("checkins-table").inner_text()
    shot(page, "exemplar-officer")
    found = blocking_violations(Axe(), page)
    assert not found, "\n".join(found)

    page.context.clear_cookies()
    login(page, "head")
    page.goto(detail)
    result = page.get_by_test_id("assessment-result")
    assert result.inner_text().startswith("Đạt")
    condition = judgement_conditions(exemplar)[0].id
    row = page.locator(f'tr[data-condition="{condition}"]')
    row.locator("summary").click()
    form = page.get_by_role("form", name=f"Đánh giá tiêu chí {condition}")
    form.get_by_label("Không đạt").check()
    form.get_by_label("Nhận xét của người đánh giá").fill("Chưa có mô hình được nhân rộng.")
    form.get_by_role("button", name="Lưu đánh giá").click()
    page.wait_for_url(f"**{detail}?year={Y}#assessment")
    assert page.get_by_test_id("assessment-result").inner_text().startswith("Chưa đạt")
    row = page.locator(f'tr[data-condition="{condition}"]')
    assert "Không đạt" in row.get_by_test_id("met").inner_text()
    assert "Chưa có mô hình được nhân rộng." in row.inner_text()
    review = CriterionReview.objects.get(exemplar=exemplar, condition_id=condition, year=Y)
    assert review.met is False and review.reviewed_by == personas.head
    shot(page, "exemplar-head")
    row.locator("summary").click()  # the review form open, too
    found = blocking_violations(Axe(), page)
    assert not found, "\n".join(found)
