from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_login_shows_the_dashboard_of_the_users_scope(
    page: Any, personas: Any, person_a: Any
) -> None:
    page.goto("/")
    assert "/accounts/login/" in page.url
    login(page, "officer")
    expect(page.get_by_role("heading", name="Tổng quan")).to_be_visible()
    # The KTTV officer sees KTTV and its two units, and the one person in them.
    assert page.get_by_test_id("count-units").inner_text() == "3"
    assert page.get_by_test_id("count-people").inner_text() == "1"


def test_wrong_password_is_refused_in_vietnamese(page: Any, personas: Any) -> None:
    page.goto("/accounts/login/")
    page.get_by_label("Tên đăng nhập").fill("officer")
    page.get_by_label("Mật khẩu").fill("wrong")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("alert").filter(has_text="không đúng")).to_be_visible()
