"""The standing body reads the exemplar funnel, the yearly quota and the standards."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from exemplars.models import ExemplarState
from organizations import services as org
from organizations.models import UnitKind
from tests.browser.conftest import login
from tests.browser.test_accessibility import blocking_violations
from tests.test_exemplars_dashboards import make

pytestmark = pytest.mark.django_db(transaction=True)

Y = 2024
S = ExemplarState


@pytest.fixture
def exemplars(tree: Any) -> None:
    kttv_c = org.unit_create(
        actor=None,
        code="KTTV_C",
        name="Ban Quản lý dự án",
        parent=tree.KTTV,
        kind=UnitKind.AFFILIATED,
        valid_from=dt.date(2020, 1, 1),
    )
    make(tree.KTTV_A, [S.DISCOVERED, S.FOSTERING, S.RECOGNIZED])
    make(tree.KTTV_B, [S.DISCOVERED])
    make(tree.KTTV_B, [S.DISCOVERED, S.FOSTERING, S.DROPPED])
    for _ in range(3):
        make(kttv_c, [S.DISCOVERED, S.FOSTERING, S.RECOGNIZED, S.PROPOSED, S.SECTOR])


def test_standing_body_reads_the_funnel_and_the_quota(
    page: Any, personas: Any, exemplars: None
) -> None:
    axe = Axe()
    login(page, "standing")
    page.get_by_test_id("nav-exemplars").click()
    page.get_by_role("link", name="Phễu phát hiện – công nhận").click()
    page.get_by_label("Năm đăng ký").fill(str(Y))
    page.get_by_label("Đơn vị (cả cấp dưới)").select_option("KTTV")
    page.get_by_role("button", name="Xem").click()
    page.get_by_role("heading", name=f"Phễu phát hiện – công nhận điển hình năm {Y}").wait_for()
    chart = page.get_by_role("img", name="Phễu điển hình đăng ký năm 2024", exact=False)
    expect(chart).to_be_visible()
    assert "Mới phát hiện: 6" in (chart.get_attribute("aria-label") or "")
    table = page.locator("#funnel-table")
    assert table.locator("tr[data-state=DISCOVERED] .reached").inner_text() == "6"
    assert table.locator("tr[data-state=RECOGNIZED] .reached").inner_text() == "4"
    assert table.locator("tr[data-state=SECTOR] .reached").inner_text() == "3"
    assert page.locator("#funnel-out .dropped").inner_text() == "1"
    assert not blocking_violations(axe, page)

    page.get_by_test_id("nav-exemplars").click()
    page.get_by_role("link", name="Chỉ tiêu xây dựng điển hình").click()
    page.get_by_label("Năm đăng ký").fill(str(Y))
    page.get_by_role("button", name="Xem").click()
    rows = page.locator("#quota-table tbody tr")
    expect(rows).to_have_count(8)  # the whole ministry, its 7 units and KTTV_C
    kttv_c = page.locator("#quota-table tr[data-unit=KTTV_C]")
    assert "Vượt chỉ tiêu" in kttv_c.inner_text()
    assert "Đạt" in page.locator("#quota-table tr[data-unit=KTTV_A]").inner_text()
    assert not blocking_violations(axe, page)
    # Only the units that have not registered any exemplar yet.
    page.locator("#quota-summary a[data-status=BELOW]").click()
    page.wait_for_url("**status=BELOW**")
    codes = page.locator("#quota-table tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.unit)"
    )
    assert codes == ["MIN", "STNMT_ST", "ST_VP", "KTTV", "TCCB"]  # Sở < Tổng cục < Vụ
    with page.expect_download() as download:
        page.get_by_role("link", name="Xuất Excel").click()
    assert download.value.suggested_filename == f"chi-tieu-dien-hinh-{Y}.xlsx"


def test_standards_page_reads_well(page: Any, personas: Any, tree: Any) -> None:
    login(page, "viewer")
    page.goto("/exemplars/standards/")
    page.get_by_role("link", name="Tiêu chí điển hình tiên tiến ngành khí tượng thủy văn").click()
    section = page.locator("#std-DHTT-TCKTTV-2021")
    expect(section.get_by_text("01/01/2021").first).to_be_visible()
    expect(section.locator("table.criteria[data-subject=unit]")).to_be_visible()
    assert not blocking_violations(Axe(), page)
