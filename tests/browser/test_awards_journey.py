"""Recording an award through the pages, as an emulation officer does it."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import expect

from awards.catalogue import sync_catalogue
from awards.models import Award, AwardType
from people.models import Person
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def fill_award(page: Any) -> None:
    page.get_by_label("Mã cán bộ").fill("P001")
    page.get_by_label("Mã cán bộ").press("Tab")
    # The form looks the person up while the user goes on typing.
    assert page.get_by_test_id("picked-person").inner_text().find("Nguyễn Văn An") >= 0
    page.get_by_label("Danh hiệu, hình thức khen thưởng").select_option("LDTT")
    page.get_by_label("Năm được khen").fill("2024")
    page.get_by_label("Số quyết định").fill("123/QĐ-KTTV")
    page.get_by_label("Ngày quyết định").fill("15/01/2025")
    page.get_by_label("Người ký").fill("Trần Văn Ký")


def test_officer_records_an_award_and_cannot_record_it_twice(
    page: Any, personas: Any, person_a: Person
) -> None:
    # Transactional tests empty the tables the catalogue migration filled.
    sync_catalogue(AwardType)
    login(page, "officer")
    page.goto("/awards/")
    page.get_by_role("link", name="Thêm khen thưởng").click()
    # Collective titles are hidden while "Cá nhân" is chosen.
    assert page.locator('select[name="award_type"] option[value="TTLDTT"]').is_hidden()
    fill_award(page)
    page.get_by_role("button", name="Lưu").click()

    page.wait_for_url(re.compile(r"/awards/\d+/$"))
    expect(page.get_by_role("heading", name=re.compile("Lao động tiên tiến 2024"))).to_be_visible()
    expect(
        page.get_by_text("Đã ghi “Lao động tiên tiến” năm 2024 cho Nguyễn Văn An.")
    ).to_be_visible()

    page.get_by_role("link", name="Khen thưởng", exact=True).first.click()
    page.get_by_label("Tìm đối tượng").fill("nguyen van an")
    page.get_by_role("button", name="Lọc").click()
    row = page.get_by_test_id("award-table").locator("tbody tr")
    expect(row).to_have_count(1)
    assert "Nguyễn Văn An" in row.inner_text()
    assert "Lao động tiên tiến" in row.inner_text()

    page.get_by_role("link", name="Thêm khen thưởng").click()
    fill_award(page)
    page.get_by_role("button", name="Lưu").click()
    error = page.get_by_test_id("form-errors")
    assert "Nguyễn Văn An đã có “Lao động tiên tiến” năm 2024." in error.inner_text()
    assert Award.objects.count() == 1
