"""Main journey of emulation movements: a unit registers, its head confirms."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from playwright.sync_api import expect

from movements import services as mv
from movements.models import MovementKind, Registration, RegistrationStatus
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_officer_registers_and_head_confirms(page: Any, personas: Any, tree: Any) -> None:
    movement = mv.movement_create(
        actor=None,
        launching_unit=tree.MIN,
        code="PTTD-2025",
        name="Kỷ cương trách nhiệm, chủ động kịp thời, tinh gọn hiệu quả, đổi mới sáng tạo",
        kind=MovementKind.REGULAR,
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2099, 12, 31),
    )
    login(page, "officer")
    page.goto("/movements/")
    page.get_by_role("link", name=movement.name).click()
    page.get_by_role("link", name="Đăng ký thi đua", exact=True).click()
    page.get_by_label("Đơn vị đăng ký").select_option("KTTV_A")
    page.get_by_role("button", name="Chọn đơn vị").click()
    page.get_by_label("Đăng ký thi đua cho tập thể đơn vị").check()
    page.get_by_label("Tập thể lao động tiên tiến (TTLDTT)").check()
    page.get_by_label("Nội dung đăng ký, cam kết của tập thể").fill(
        "Hoàn thành xuất sắc nhiệm vụ năm 2025."
    )
    page.get_by_role("button", name="Lưu đăng ký").click()
    page.wait_for_url(f"**/movements/{movement.pk}/registrations/**")
    row = page.get_by_role("row", name="Đài Khí tượng Thủy văn khu vực Nam Bộ")
    assert "Chờ xác nhận" in row.first.inner_text()
    registration = Registration.objects.get(movement=movement, unit=tree.KTTV_A)
    assert registration.status == RegistrationStatus.SUBMITTED

    page.context.clear_cookies()
    login(page, "head")
    page.goto(f"/movements/{movement.pk}/")
    page.get_by_role("link", name="Xác nhận đăng ký").click()
    page.get_by_label("Đài Khí tượng Thủy văn khu vực Nam Bộ").check()
    page.get_by_role("button", name="Xác nhận các đăng ký đã chọn").click()
    # A check step before anything is written.
    expect(page.get_by_role("heading", name="Xác nhận các đăng ký sau?")).to_be_visible()
    page.get_by_role("button", name="Đồng ý xác nhận").click()
    page.wait_for_url(f"**/movements/{movement.pk}/registrations/")
    row = page.get_by_role("row", name="Đài Khí tượng Thủy văn khu vực Nam Bộ")
    assert "Đã xác nhận" in row.first.inner_text()
    registration.refresh_from_db()
    assert registration.status == RegistrationStatus.CONFIRMED
    assert registration.confirmed_by == personas.head
