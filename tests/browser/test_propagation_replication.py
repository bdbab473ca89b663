"""Replication in the browser: the adopting unit's officer registers from the exemplar
page, records a stage change on the replication page, and sees the new stage in the
exemplar's spread picture (and its legend and table)."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from propagation import services as svc
from propagation.models import Replication, Stage
from tests.browser.conftest import login
from tests.browser.test_accessibility import assert_accessible, blocking_violations
from tests.test_propagation_replication import recognized, unit

pytestmark = pytest.mark.django_db(transaction=True)


def node(page: Any, code: str) -> Any:
    return page.get_by_test_id("spread-picture").locator(f'g[data-unit="{code}"]')


def test_officer_records_a_stage_change_and_sees_it_in_the_spread_picture(
    page: Any, tree: Any, personas: Any
) -> None:
    exemplar = recognized(tree.KTTV_A)
    other = unit(tree.KTTV, "KTTV_C", "Đài Khí tượng Thủy văn khu vực Bắc Bộ")
    piloting = svc.replication_create(None, exemplar, other, stage=Stage.PILOTING)
    axe = Axe()

    login(page, "officer")
    page.goto(f"/exemplars/{exemplar.pk}/")
    spread = page.get_by_test_id("spread")
    assert spread.get_by_test_id("units-adopting").inner_text() == "1"
    assert node(page, "KTTV_C").get_attribute("data-stage") == "PILOTING"

    # Register KTTV_B from the exemplar page.
    spread.get_by_role("link", name="Đăng ký nhân rộng").click()
    page.get_by_label("Đơn vị nhân rộng").select_option("KTTV_B")
    page.get_by_label("Cách vận dụng, điều chỉnh").fill("Áp dụng tại 3 trạm đo.")
    page.get_by_role("button", name="Đăng ký").click()
    page.wait_for_url("**/propagation/replications/*/")
    assert page.get_by_test_id("stage").inner_text().strip() == "Đã đăng ký nhân rộng"

    # Discontinuing without a reason is refused next to the field.
    form = page.get_by_role("form", name="Chuyển giai đoạn")
    form.get_by_label("Chuyển sang giai đoạn").select_option("DISCONTINUED")
    form.get_by_role("button", name="Lưu giai đoạn").click()
    expect(page.get_by_text("Cần ghi rõ lý do dừng áp dụng.").first).to_be_visible()

    # Move forward two stages at once.
    form = page.get_by_role("form", name="Chuyển giai đoạn")
    form.get_by_label("Chuyển sang giai đoạn").select_option("ADOPTED")
    form.get_by_label("Lý do, ghi chú").fill("Đã ban hành quy chế áp dụng.")
    form.get_by_role("button", name="Lưu giai đoạn").click()
    page.get_by_text("Đã chuyển sang giai đoạn “Đã áp dụng”.").wait_for()
    assert page.get_by_test_id("stage").inner_text().strip() == "Đã áp dụng"
    history = page.get_by_test_id("history")
    assert "Đã ban hành quy chế áp dụng." in history.inner_text()
    found = blocking_violations(axe, page)
    assert not found, "\n".join(found)

    # Back on the exemplar page, the picture shows the new unit at its new stage.
    page.get_by_role("link", name=exemplar.title).first.click()
    page.wait_for_url(f"**/exemplars/{exemplar.pk}/")
    picture = page.get_by_test_id("spread-picture")
    assert picture.get_attribute("role") == "img"
    assert node(page, "KTTV_B").get_attribute("data-stage") == "ADOPTED"
    assert tree.KTTV_B.name[:29] in (node(page, "KTTV_B").text_content() or "")
    assert node(page, "KTTV_C").get_attribute("data-stage") == "PILOTING"
    assert page.get_by_test_id("units-adopting").inner_text() == "2"
    assert "Đã áp dụng: 1" in page.get_by_test_id("spread-legend").inner_text()
    row = page.get_by_test_id("spread-table").get_by_role("row", name=tree.KTTV_B.name)
    assert "Đã áp dụng" in row.inner_text()
    found = blocking_violations(axe, page)
    assert not found, "\n".join(found)

    # The table next to the picture links to each replication.
    page.get_by_test_id("spread-table").get_by_role("link", name=other.name).click()
    page.wait_for_url(f"**/propagation/replications/{piloting.pk}/")
    adopted = Replication.objects.get(unit=tree.KTTV_B)
    assert adopted.stage == Stage.ADOPTED
    assert list(adopted.history.values_list("to_stage", flat=True)) == ["INTERESTED", "ADOPTED"]

    # The other pages of the journey pass the same check.
    for path in (
        "/propagation/replications/",
        "/propagation/replications/ranking/",
        "/propagation/outreach/",
        f"/propagation/exemplars/{exemplar.pk}/outreach/",
        f"/propagation/exemplars/{exemplar.pk}/outreach/new/",
        f"/propagation/replications/{adopted.pk}/edit/",
        "/propagation/units/KTTV_B/replications/",
    ):
        assert_accessible(axe, page, path)
