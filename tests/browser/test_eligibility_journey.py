"""The head of KTTV checks what P001 may be proposed for in 2024, records the
judgement the law leaves to them, and sees the verdict change."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from people import services as ppl
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_head_records_a_judgement_and_ldtt_becomes_eligible(
    page: Any, personas: Any, tree: Any, person_a: Any
) -> None:
    ppl.person_rating_set(actor=None, person=person_a, year=2024, rating="HTTNV")
    login(page, "head")
    page.goto(f"/eligibility/people/{person_a.code}/?year=2024")
    expect(
        page.get_by_role("heading", name="Có thể đề nghị khen thưởng gì năm 2024")
    ).to_be_visible()

    ldtt = page.locator("#award-LDTT")
    verdict = ldtt.locator(".verdict")
    assert verdict.inner_text().strip() == "Cần đánh giá"
    expect(ldtt.get_by_text("Luật TĐKT 2022, Điều 24 khoản 1 điểm b")).to_be_visible()

    form = page.get_by_role("form", name="Đánh giá: Có tinh thần tự lực").first
    form.get_by_label("Ghi chú").fill("Tích cực trong phong trào thi đua")
    form.get_by_role("button", name="Đạt", exact=True).click()
    page.wait_for_load_state()

    expect(page.get_by_role("alert").filter(has_text="Đã ghi đánh giá")).to_be_visible()
    assert page.locator("#award-LDTT .verdict").inner_text().strip() == "Đủ điều kiện"
    expect(page.locator("#award-LDTT").get_by_text("Đã đánh giá: Đạt")).to_be_visible()

    # The summary at the top of the page agrees.
    summary = page.locator("#verdict-summary tr", has_text="Lao động tiên tiến").first
    assert "Đủ điều kiện" in summary.inner_text()
