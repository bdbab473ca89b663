"""The exemplar lifecycle in the browser, each step by the role that owns it: the unit's
officer registers and fosters, the head recognises, the standing body proposes and
records the sector's decision; the timeline shows who did what."""

from __future__ import annotations

import re
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from exemplars import services as ex
from exemplars.models import Exemplar, ExemplarState
from tests.browser.conftest import login
from tests.browser.test_accessibility import blocking_violations
from tests.test_eligibility_rules import initiative, make_person, rate
from tests.test_exemplars_lifecycle import Y, excellent, register

pytestmark = pytest.mark.django_db(transaction=True)
S = ExemplarState
TITLE = "Mô hình dự báo mưa lớn bằng dữ liệu radar"


def switch_user(page: Any, username: str) -> None:
    page.context.clear_cookies()
    login(page, username)


def move(page: Any, label: str, **fields: str) -> None:
    """Open a move's form on the exemplar page, fill it and confirm."""
    page.get_by_role("button", name=label, exact=True).click()
    form = page.get_by_role("form", name=label)
    # Bootstrap grows the panel open; a click while it is still growing can land on the
    # clipped part of the panel and submit nothing, so wait until it has fully opened.
    expect(form.locator("xpath=..")).to_have_class(re.compile(r"\bcollapse\b.*\bshow\b"))
    for name, value in fields.items():
        form.get_by_label(name).fill(value)
    with page.expect_navigation():
        form.get_by_role("button", name=f"Xác nhận: {label}").click()


def state_badge(page: Any) -> str:
    return str(page.get_by_test_id("state").inner_text()).strip()


def test_the_whole_lifecycle_by_the_roles_that_own_each_step(
    page: Any, tree: Any, personas: Any
) -> None:
    person = make_person(tree, "E01")
    excellent(person, range(Y, Y + 1))  # HTXSNV and CSTĐCS for the year
    initiative(person, Y)
    axe = Axe()

    # The unit's officer registers the new factor through the form and starts fostering.
    login(page, "officer")
    page.goto("/exemplars/")
    page.get_by_role("link", name="Đăng ký điển hình", exact=True).click()
    page.get_by_label("Mã cán bộ").fill("E01")
    page.get_by_label("Đơn vị phát hiện").select_option("KTTV_A")
    page.get_by_label("Tên điển hình").fill(TITLE)
    page.get_by_label("Lĩnh vực").fill("Khí tượng")
    page.get_by_label("Năm đăng ký").fill(str(Y))
    page.get_by_label("Mô hình mới, cách làm hay").fill(
        "Ứng dụng radar thời tiết vào dự báo mưa lớn cục bộ."
    )
    page.get_by_label("Kết quả đạt được").fill("Cảnh báo sớm 6 giờ.")
    page.get_by_role("button", name="Đăng ký", exact=True).click()
    page.wait_for_url(re.compile(r".*/exemplars/\d+/$"))
    exemplar = Exemplar.objects.get()
    assert exemplar.person == person
    assert state_badge(page) == "Mới phát hiện"
    move(page, "Đưa vào bồi dưỡng", **{"Ghi chú": "Kèm cặp, hỗ trợ thiết bị."})
    page.get_by_text("Đã chuyển điển hình sang “Đang bồi dưỡng”.").wait_for()
    assert state_badge(page) == "Đang bồi dưỡng"
    # The officer does not own recognition: no button for it.
    expect(page.get_by_role("button", name="Công nhận điển hình")).to_have_count(0)

    # The head recognises, after being told which judgement criteria nobody reviewed.
    switch_user(page, "head")
    page.goto(f"/exemplars/{exemplar.pk}/")
    assert not blocking_violations(axe, page)
    page.get_by_role("button", name="Công nhận điển hình", exact=True).click()
    warning = page.get_by_test_id("pending-judgements")
    warning.wait_for()
    assert "chưa được đánh giá" in warning.inner_text()
    form = page.get_by_role("form", name="Công nhận điển hình")
    expect(form.locator("xpath=..")).to_have_class(re.compile(r"\bcollapse\b.*\bshow\b"))
    assert form.get_by_label("Năm đánh giá").input_value() == str(Y)
    with page.expect_navigation():
        form.get_by_role("button", name="Xác nhận: Công nhận điển hình").click()
    page.get_by_text("Đã chuyển điển hình sang “Đã công nhận”.").wait_for()
    assert state_badge(page) == "Đã công nhận"

    # The standing body proposes upward and records the sector's decision.
    switch_user(page, "standing")
    page.goto("/exemplars/board/")
    page.get_by_role("region", name="Đã công nhận").get_by_role("link", name=TITLE).click()
    page.wait_for_url(f"**/exemplars/{exemplar.pk}/")
    move(page, "Đề nghị cấp trên", **{"Ghi chú": "Đề nghị Bộ công nhận điển hình toàn ngành."})
    page.get_by_text("Đã chuyển điển hình sang “Đã đề nghị cấp trên”.").wait_for()
    move(
        page,
        "Ghi nhận quyết định toàn ngành",
        **{
            "Số quyết định": "123/QĐ-BTNMT",
            "Ngày quyết định": "01/03/2025",
            "Cơ quan quyết định": "Bộ Tài nguyên và Môi trường",
        },
    )
    page.get_by_text("Đã chuyển điển hình sang “Điển hình toàn ngành”.").wait_for()
    assert state_badge(page) == "Điển hình toàn ngành"

    # The timeline: every step, in order, with who did it.
    steps = page.get_by_test_id("timeline").get_by_role("listitem")
    texts = [steps.nth(i).inner_text() for i in range(steps.count())]
    expected = [
        ("Mới phát hiện", "officer"),
        ("Đang bồi dưỡng", "officer"),
        ("Đã công nhận", "head"),
        ("Đã đề nghị cấp trên", "standing"),
        ("Điển hình toàn ngành", "standing"),
    ]
    assert len(texts) == len(expected)
    for text, (state, who) in zip(texts, expected, strict=True):
        assert state in text and who in text, text
        assert re.search(r"\d{2}/\d{2}/\d{4} \d{2}:\d{2}", text), text
    assert "Quyết định số 123/QĐ-BTNMT ngày 01/03/2025 của Bộ Tài nguyên và Môi trường" in texts[-1]
    assert f"Đánh giá theo tiêu chuẩn năm {Y}" in texts[2]
    exemplar.refresh_from_db()
    assert exemplar.state == S.SECTOR
    assert not blocking_violations(axe, page)
    for path in ("/exemplars/", "/exemplars/board/", "/exemplars/new/"):
        page.goto(path)
        found = blocking_violations(axe, page)
        assert not found, f"{path}: {found}"


def test_recognising_a_person_who_fails_the_standard_shows_the_failing_criteria(
    page: Any, tree: Any, personas: Any
) -> None:
    person = make_person(tree, "E02")
    rate(person, {Y: "HTTNV"})  # good, not excellent; no CSTĐCS, no initiative
    exemplar = register(personas.officer, tree.KTTV_A, person=person)
    ex.transition(actor=personas.officer, exemplar=exemplar, to=S.FOSTERING)

    login(page, "head")
    page.goto(f"/exemplars/{exemplar.pk}/")
    move(page, "Công nhận điển hình")
    alert = page.get_by_test_id("transition-error")
    alert.wait_for()
    assert "3 tiêu chí chưa đạt" in alert.inner_text()
    expect(page.get_by_test_id("failing-criteria").get_by_role("listitem")).to_have_count(3)
    assert state_badge(page) == "Đang bồi dưỡng"
    exemplar.refresh_from_db()
    assert exemplar.state == S.FOSTERING
    assert not blocking_violations(Axe(), page)
