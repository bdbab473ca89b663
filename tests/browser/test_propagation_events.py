"""A writing contest in the browser: the unit's officer creates it, adds an entry about a
recognised exemplar and names the jury; the officer records their own score, the council
member scores on their own sheet; the officer publishes the results with the help of the
ranking, and a reader of the unit sees them."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from exemplars.models import Exemplar, ExemplarState
from propagation.models import ContestEntry, ContestResult, Event, EventKind, JuryScore
from tests.browser.conftest import login
from tests.browser.test_accessibility import FLATTEN_ROW_SHADES, blocking_violations
from tests.test_eligibility_rules import make_person
from tests.test_exemplars_lifecycle import register

pytestmark = pytest.mark.django_db(transaction=True)
CONTEST = "Cuộc thi viết về gương điển hình khí tượng 2025"
ENTRY = "Người “bắt” mưa lớn trước 6 giờ"


def score(page: Any, juror: str, value: str) -> None:
    page.get_by_role("link", name=f"Chấm điểm {ENTRY}").click()
    form = page.get_by_role("form", name="Ghi điểm của một giám khảo")
    form.get_by_label("Giám khảo").select_option(label=juror)
    form.get_by_label("Điểm (0–100)").fill(value)
    form.get_by_role("button", name="Lưu điểm").click()
    page.get_by_text("Đã ghi điểm").wait_for()


def name_juror(page: Any, username: str, chair: bool = False) -> None:
    """Type the name in the jury box, see it suggested, pick it, add."""
    jury = page.get_by_role("form", name="Thêm thành viên ban giám khảo")
    box = jury.get_by_role("combobox", name="Thành viên ban giám khảo")
    box.fill(username[:4])
    page.locator(f"#juror-options option[value={username}]").wait_for(state="attached")
    box.fill(username)
    if chair:
        jury.get_by_label("Trưởng ban giám khảo").check()
    jury.get_by_role("button", name="Thêm vào ban giám khảo").click()
    page.get_by_text(f"Đã thêm {username} vào ban giám khảo.").wait_for()


def test_an_officer_runs_a_contest_from_entry_to_results(
    page: Any, tree: Any, personas: Any
) -> None:
    person = make_person(tree, "E01")
    exemplar = register(None, tree.KTTV_A, person=person)
    Exemplar.objects.filter(pk=exemplar.pk).update(
        state=ExemplarState.RECOGNIZED, title="Dự báo mưa lớn bằng radar"
    )
    axe = Axe()

    login(page, "officer")
    page.goto("/propagation/events/")
    page.get_by_text("Chưa có sự kiện tuyên truyền nào trong phạm vi của bạn.").wait_for()
    page.get_by_role("button", name="Tạo sự kiện").click()
    page.get_by_role("link", name="Cuộc thi viết, phóng sự").click()
    page.wait_for_url("**/propagation/events/new/?kind=CONTEST")
    # Exemplars are chosen on each entry of a contest, not on the contest.
    assert not page.locator("#exemplars-box").is_visible()
    page.get_by_label("Tên sự kiện").fill(CONTEST)
    page.get_by_label("Đơn vị tổ chức").select_option("KTTV")
    page.get_by_label("Từ ngày").fill("01/06/2025")
    page.get_by_label("Đến ngày").fill("31/05/2025")
    page.get_by_role("button", name="Tạo sự kiện").click()
    page.get_by_text("Ngày kết thúc không được trước ngày bắt đầu.").wait_for()
    page.get_by_label("Đến ngày").fill("30/09/2025")
    page.get_by_role("button", name="Tạo sự kiện").click()
    page.wait_for_url(re.compile(r".*/propagation/events/\d+/$"))
    event = Event.objects.get()
    assert event.kind == EventKind.CONTEST
    assert page.get_by_test_id("kind").inner_text().strip() == "Cuộc thi viết, phóng sự"

    # An entry about the recognised exemplar.
    page.get_by_role("link", name="Thêm tác phẩm").click()
    page.get_by_label("Điển hình được viết về").select_option(str(exemplar.pk))
    page.get_by_label("Tên tác phẩm").fill(ENTRY)
    page.get_by_label("Tác giả, nhóm tác giả").fill("Nguyễn Thu Trang")
    page.get_by_label("Đơn vị của tác giả").select_option("KTTV_A")
    page.get_by_role("button", name="Lưu tác phẩm").click()
    page.get_by_text(f"Đã lưu tác phẩm “{ENTRY}”.").wait_for()
    assert ContestEntry.objects.get().exemplar_id == exemplar.pk

    # Results wait for the jury.
    page.get_by_role("link", name="Công bố kết quả").click()
    page.get_by_test_id("unscored").wait_for()
    assert page.get_by_role("button", name="Công bố kết quả").is_disabled()
    page.get_by_role("link", name="Quay lại").click()

    # The jury: the officer chairs it, the ministry's council member sits on it.
    name_juror(page, "officer", chair=True)
    name_juror(page, "council")
    assert "Trưởng ban" in page.get_by_test_id("jury").inner_text()
    score(page, "officer (officer)", "82")

    # The council member finds the invitation and scores on their own sheet.
    page.context.clear_cookies()
    login(page, "council")
    page.goto("/notifications/")
    page.get_by_role("link", name=f"Mời chấm thi: {CONTEST}").click()
    page.wait_for_url(f"**/propagation/events/{event.pk}/my-scores/")
    expect(page.get_by_test_id("my-progress")).to_have_text("Bạn đã chấm 0/1 tác phẩm.")
    page.get_by_label(f"Điểm cho “{ENTRY}”").fill("90.5")
    page.get_by_label(f"Nhận xét cho “{ENTRY}”").fill("Chi tiết, giàu cảm xúc.")
    assert not blocking_violations(axe, page)
    page.get_by_role("button", name="Lưu điểm").click()
    page.get_by_text("Đã lưu điểm của bạn cho 1 tác phẩm.").wait_for()
    expect(page.get_by_test_id("my-progress")).to_have_text("Bạn đã chấm 1/1 tác phẩm.")
    assert JuryScore.objects.count() == 2

    page.context.clear_cookies()
    login(page, "officer")
    page.goto(f"/propagation/events/{event.pk}/")
    expect(page.get_by_test_id("juror-progress").first).to_have_text("Đã chấm 1/1 tác phẩm")
    mean = page.get_by_test_id("entry-mean").inner_text()
    assert mean.startswith("86,25")
    page.evaluate(FLATTEN_ROW_SHADES)
    assert not blocking_violations(axe, page)

    # The ranking helps; the officer decides the prize and publishes.
    page.get_by_role("link", name="Công bố kết quả").click()
    ranking = page.get_by_test_id("ranking")
    assert "86,25" in ranking.inner_text()
    page.get_by_label(f"Kết quả của “{ENTRY}”").select_option(ContestResult.FIRST)
    page.evaluate(FLATTEN_ROW_SHADES)
    assert not blocking_violations(axe, page)
    page.get_by_role("button", name="Công bố kết quả").click()
    page.get_by_text("Đã công bố kết quả cuộc thi.").wait_for()
    winners = page.get_by_test_id("contest-winners").inner_text()
    assert "Giải Nhất" in winners and ENTRY in winners
    assert ContestEntry.objects.get().result == ContestResult.FIRST
    # Frozen now: no more scoring from the page.
    expect(page.get_by_role("link", name=f"Chấm điểm {ENTRY}")).to_have_count(0)

    # A reader of the unit sees the published results, without any button.
    page.context.clear_cookies()
    login(page, "viewer")
    page.goto(f"/propagation/events/{event.pk}/")
    assert "Giải Nhất" in page.get_by_test_id("contest-winners").inner_text()
    assert page.get_by_test_id("entry-result").inner_text().strip() == "Giải Nhất"
    expect(page.get_by_role("link", name="Sửa thông tin")).to_have_count(0)


def test_trainees_by_unit_are_recorded_in_place(page: Any, tree: Any, personas: Any) -> None:
    """The participants section is redrawn by htmx: no page load, totals kept right."""
    from propagation import services_events as ev

    event = ev.event_create(
        actor=None,
        data=ev.EventData(
            kind=EventKind.TRAINING,
            title="Tập huấn nghiệp vụ thi đua, khen thưởng",
            unit=tree.KTTV,
            starts_on=date(2025, 8, 12),
            description="Cán bộ thi đua, báo cáo viên, tuyên truyền viên.",
        ),
    )
    login(page, "officer")
    page.goto(f"/propagation/events/{event.pk}/")
    page.evaluate("window.__same_page = true")
    form = page.get_by_role("form", name="Ghi đơn vị tham gia")
    for code, people in (("KTTV_A", "12"), ("KTTV_B", "7")):
        form.get_by_label("Đơn vị tham gia").select_option(code)
        form.get_by_label("Số người").fill(people)
        form.get_by_role("button", name="Ghi đơn vị").click()
        page.get_by_test_id("participants-status").get_by_text(f": {people} người.").wait_for()
        form = page.get_by_role("form", name="Ghi đơn vị tham gia")
    assert page.get_by_test_id("participants-total").inner_text() == "19"
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Bỏ Trung tâm Dự báo khí tượng thủy văn quốc gia").click()
    page.get_by_text("Đã bỏ Trung tâm Dự báo khí tượng thủy văn quốc gia").wait_for()
    assert page.get_by_test_id("participants-total").inner_text() == "12"
    assert page.evaluate("window.__same_page") is True
