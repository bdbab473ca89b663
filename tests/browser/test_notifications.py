from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import expect

from notifications import services
from notifications.models import Notification, NotificationKind
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)


def test_officer_reads_a_notification(page: Any, personas: Any, tree: Any) -> None:
    for title in ("Sắp đến hạn gửi: Kế hoạch của đơn vị", "Quá hạn gửi: Báo cáo hằng năm"):
        services.notify(
            [personas.officer],
            kind=NotificationKind.PLAN_DUE_SOON,
            title=title,
            body="Đài Khí tượng Thủy văn khu vực Nam Bộ chưa gửi.",
            url="/units/KTTV_A/",
            unit=tree.KTTV_A,
        )
    services.notify([personas.head], kind="GENERAL", title="Thông báo của người khác")
    login(page, "officer")
    page.goto("/notifications/")
    expect(page.get_by_role("heading", name="Thông báo")).to_be_visible()
    assert page.get_by_test_id("unread-total").inner_text() == "2 chưa đọc"
    expect(page.get_by_text("Thông báo của người khác")).to_have_count(0)

    item = page.get_by_role("listitem").filter(has_text="Quá hạn gửi: Báo cáo hằng năm")
    item.get_by_role("button", name="Đánh dấu đã đọc").click()
    page.get_by_role("alert").filter(has_text="Đã đánh dấu thông báo là đã đọc").wait_for()
    assert page.get_by_test_id("unread-total").inner_text() == "1 chưa đọc"
    read = Notification.objects.get(title="Quá hạn gửi: Báo cáo hằng năm")
    assert read.read_at is not None
    # The one still unread is listed first and leads to its unit.
    page.get_by_role("link", name="Sắp đến hạn gửi: Kế hoạch của đơn vị").click()
    page.wait_for_url("**/units/KTTV_A/")
    assert Notification.objects.filter(user=personas.officer, read_at__isnull=True).count() == 0
