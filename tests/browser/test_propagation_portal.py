"""The issue's acceptance journey in the browser: a communications officer writes and
publishes a story; an anonymous visitor finds it on the portal by searching without
diacritics, opens it (nothing from the story runs; axe finds no serious violation); an
officer of another unit registers to replicate the practice; the exemplar's page shows
the new unit in the spread picture."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from exemplars.models import Exemplar, ExemplarState
from propagation.models import Replication, Stage, Story, StoryStatus
from tests.browser.conftest import login
from tests.browser.test_accessibility import blocking_violations
from tests.test_exemplars_lifecycle import register
from tests.test_propagation_stories import image_bytes

pytestmark = pytest.mark.django_db(transaction=True)
TITLE = "Mô hình nông nghiệp thông minh thích ứng biến đổi khí hậu"
BODY = (
    "<p>Bà con <strong>xuống giống</strong> theo bản tin dự báo.</p>"
    '<script>alert("xss")</script><img src="x" onerror="alert(1)">'
    '<p><a href="javascript:alert(2)">bấm vào đây</a></p>'
)


def switch_user(page: Any, username: str | None) -> None:
    page.context.clear_cookies()
    if username:
        login(page, username)


def test_publish_find_read_and_register_to_replicate(
    page: Any, tree: Any, personas: Any, person_a: Any
) -> None:
    exemplar = register(None, tree.KTTV_A, person=person_a)
    Exemplar.objects.filter(pk=exemplar.pk).update(
        state=ExemplarState.RECOGNIZED, field="Nông nghiệp"
    )
    dialogs: list[str] = []

    def on_dialog(dialog: Any) -> None:
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)

    # The communications officer writes the story and takes it through review.
    login(page, "comms")
    page.goto("/propagation/stories/")
    page.get_by_role("link", name="Viết bài mới").click()
    page.get_by_label("Điển hình").select_option(str(exemplar.pk))
    page.get_by_label("Tiêu đề").fill(TITLE)
    page.get_by_label("Tóm tắt").fill("Nông dân xuống giống đúng lúc nhờ bản tin dự báo.")
    page.get_by_label("Mô hình, cách làm hay").fill("Bản tin dự báo mùa vụ gửi tới từng xã.")
    page.get_by_label("Kết quả đạt được").fill("Năng suất lúa tăng 12%.")
    page.get_by_label("Nội dung bài viết").fill(BODY)
    page.locator("#id_cover").set_input_files(
        {
            "name": "canh-dong.jpg",
            "mimeType": "image/jpeg",
            "buffer": image_bytes(size=(2400, 1200)),
        }
    )
    page.locator("#id_cover_alt").fill("Cánh đồng lúa vào vụ ở Sóc Trăng")
    page.get_by_role("button", name="Lưu bản nháp").click()
    page.wait_for_url(re.compile(r".*/propagation/stories/\d+/$"))
    axe = Axe()
    found = blocking_violations(axe, page)  # the staff page of the story
    assert not found, "\n".join(found)
    story = Story.objects.get()
    assert story.field == "Nông nghiệp"
    assert "<script" not in story.body and "onerror" not in story.body
    page.get_by_role("button", name="Gửi duyệt").click()
    page.get_by_text("Đã gửi duyệt bài viết.").wait_for()
    page.get_by_role("button", name="Đăng bài").click()
    page.get_by_text("Đã đăng bài lên chuyên trang.").wait_for()
    assert page.get_by_test_id("status").inner_text().strip() == "Đã đăng"
    story.refresh_from_db()
    assert story.status == StoryStatus.PUBLISHED and story.published_at is not None

    # An anonymous visitor searches without diacritics and opens the story.
    switch_user(page, None)
    page.goto("/portal/")
    search = page.get_by_role("searchbox", name="Tìm bài viết")
    search.fill("nong nghiep thong minh")
    search.press("Enter")
    page.wait_for_url(re.compile(r".*/portal/tim-kiem/\?q=nong"))
    results = page.get_by_test_id("results")
    results.get_by_role("link", name=TITLE).click()
    page.wait_for_url(f"**/portal/bai-viet/{story.slug}/")
    article = page.get_by_test_id("story")
    assert article.get_by_role("heading", level=1).inner_text() == TITLE
    assert "Năng suất lúa tăng 12%." in article.inner_text()
    assert "xuống giống" in page.get_by_test_id("story-body").inner_text()
    cover = page.get_by_role("img", name="Cánh đồng lúa vào vụ ở Sóc Trăng")
    assert cover.evaluate("img => img.complete && img.naturalWidth") == 1600
    expect(page.get_by_role("link", name="Đăng nhập để đăng ký nhân rộng")).to_have_count(1)
    assert dialogs == []  # nothing from the story ran
    assert page.evaluate("typeof window.xssRan") == "undefined"
    found = blocking_violations(axe, page)
    assert not found, "\n".join(found)
    # The portal's other pages pass the same check.
    for path in ("/portal/", "/portal/tim-kiem/?q=nong+nghiep", "/portal/chuyen-muc/nong-nghiep/"):
        page.goto(path)
        found = blocking_violations(axe, page)
        assert not found, path + "\n" + "\n".join(found)

    # An officer of another unit registers their unit to replicate the practice.
    switch_user(page, "outsider")
    page.goto(f"/portal/bai-viet/{story.slug}/")
    unit_box = page.get_by_label("Đơn vị đăng ký nhân rộng")
    assert unit_box.input_value() == "STNMT_ST"
    page.get_by_role("button", name="Đăng ký nhân rộng").click()
    page.get_by_text("Đã đăng ký nhân rộng mô hình").wait_for()
    replicated = page.get_by_test_id("replicated")
    assert tree.ST.name in replicated.inner_text()
    assert "Đã đăng ký nhân rộng" in replicated.inner_text()  # the INTERESTED stage's label
    replication = Replication.objects.get()
    assert (replication.unit, replication.stage) == (tree.ST, Stage.INTERESTED)
    assert dialogs == []

    # The exemplar's page (staff side) shows the new unit in the spread picture.
    switch_user(page, "standing")
    page.goto(f"/exemplars/{exemplar.pk}/")
    picture = page.get_by_test_id("spread-picture")
    node = picture.locator('[data-unit="STNMT_ST"]')
    expect(node).to_have_count(1)
    assert node.get_attribute("data-stage") == Stage.INTERESTED
    assert page.get_by_test_id("units-adopting").inner_text().strip() == "1"
