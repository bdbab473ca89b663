"""One round end to end through the pages: a unit proposes three people (one blocked as
not eligible, one overridden by the head with a reason), submits; the standing body
returns one item, the unit fixes it and resubmits; the standing body sends the proposal
to the council and the list is posted publicly; the council votes from phones, the
decision is issued and the certificate verifies by its QR address (then is revoked)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect

from accounts.models import Role
from awards.catalogue import sync_catalogue
from awards.models import AwardType
from commendations import services as cm
from commendations.models import ItemStatus, Proposal, ProposalStatus, RoundKind
from organizations import services as org
from organizations.models import CouncilRole
from people import services as ppl
from tests.browser.conftest import login
from tests.browser.test_accessibility import assert_accessible
from tests.browser.test_commendations_council import council_journey
from tests.conftest import make_user

pytestmark = pytest.mark.django_db(transaction=True)
Y = 2024


def person(tree: Any, code: str, name: str, rating: str) -> Any:
    p = ppl.person_create(
        actor=None, code=code, full_name=name, unit=tree.KTTV_A, started_on=dt.date(2020, 1, 1)
    )
    ppl.person_rating_set(actor=None, person=p, year=Y, rating=rating)
    return p


def switch(page: Any, username: str) -> None:
    page.context.clear_cookies()
    login(page, username)


def add_item(page: Any, code: str, typed: str, achievement: str) -> None:
    """Type part of the name (without diacritics), see the person suggested, pick them."""
    page.get_by_role("link", name="Thêm đề nghị", exact=True).first.click()
    box = page.get_by_role("combobox", name="Cá nhân")
    box.fill(typed)
    page.locator(f"#person-options option[value={code}]").wait_for(state="attached")
    box.fill(code)
    box.press("Tab")  # the change loads the person's initiatives
    page.get_by_test_id("picked-person").filter(has_text=code).wait_for()
    page.get_by_label("Danh hiệu, hình thức đề nghị").select_option("CSTDCS")
    page.get_by_label("Tóm tắt thành tích").fill(achievement)
    page.get_by_role("button", name="Lưu đề nghị").click()
    page.wait_for_selector(f"[data-testid=item-row] >> text={achievement[:20]}")


def test_one_round_end_to_end(
    page: Any, browser: Any, live_server: Any, personas: Any, tree: Any, settings: Any
) -> None:
    sync_catalogue(AwardType)  # transactional tests empty the catalogue migration's rows
    settings.SITE_URL = live_server.url
    today = dt.date.today()
    rnd = cm.round_create(
        actor=personas.standing,
        data=cm.RoundData(
            code="KT-BO-2024",
            title="Khen thưởng thường xuyên năm 2024 của Bộ",
            kind=RoundKind.ANNUAL,
            year=Y,
            deciding_unit=tree.MIN,
            submission_due=today + dt.timedelta(days=3),
            # The council meets in a week: the list is being posted publicly now.
            council_on=today + dt.timedelta(days=7),
        ),
    )
    person(tree, "P101", "Trần Thị Thu Hương", "HTXSNV")
    person(tree, "P102", "Lê Đức Thắng", "HTNV")
    person(tree, "P103", "Phạm Ngọc Ánh", "HTNV")

    # The unit opens its proposal and adds three people.
    login(page, "officer")
    page.goto("/commendations/rounds/")
    page.get_by_role("link", name=rnd.title).click()
    page.get_by_role("link", name="Lập hồ sơ đề nghị").click()
    page.get_by_label("Đơn vị đề nghị").select_option("KTTV_A")
    page.get_by_role("button", name="Lập hồ sơ").click()
    page.wait_for_url("**/commendations/proposals/*/")
    proposal_url = page.url
    add_item(page, "P101", "thu huong", "Hoàn thành xuất sắc nhiệm vụ dự báo bão năm 2024.")
    add_item(page, "P102", "duc thang", "Cứu hộ đột xuất trong bão số 3, bảo vệ trạm quan trắc.")
    add_item(page, "P103", "ngoc anh", "Hoàn thành nhiệm vụ quan trắc.")
    expect(page.get_by_test_id("blocking")).to_be_visible()

    # Submitting is blocked: both ineligible people are named with their conditions.
    page.get_by_role("link", name="Gửi hồ sơ", exact=True).click()
    blocked = page.get_by_test_id("blocking-item")
    expect(blocked).to_have_count(2)
    assert "Phạm Ngọc Ánh" in page.get_by_test_id("submit-items").inner_text()
    expect(page.get_by_role("button", name="Gửi hồ sơ")).to_have_count(0)
    # The unit drops one of them.
    page.goto(proposal_url)
    page.get_by_role("link", name="Xóa đề nghị của Phạm Ngọc Ánh").click()
    page.get_by_role("button", name="Xóa đề nghị").click()
    page.wait_for_url(proposal_url)
    expect(page.get_by_test_id("item-row")).to_have_count(2)

    # The head proposes the other one with a written reason.
    switch(page, "head")
    page.goto(proposal_url)
    page.get_by_role("link", name="Ghi lý do đề nghị cho Lê Đức Thắng").click()
    page.get_by_label("Lý do đề nghị khi chưa đủ điều kiện").fill(
        "Thành tích đột xuất: cứu hộ trong bão số 3, được Tổng cục biểu dương."
    )
    page.get_by_role("button", name="Ghi lý do và đề nghị").click()
    page.wait_for_url(proposal_url)
    assert "cứu hộ trong bão số 3" in page.get_by_test_id("override").inner_text()

    # The unit submits (its pages read well with assistive technology on the way).
    switch(page, "officer")
    axe = Axe()
    path = proposal_url.split("//", 1)[1].split("/", 1)[1]
    for url in ("", "submit/", "items/new/", "documents/new/"):
        assert_accessible(axe, page, f"/{path}{url}")
    for url in ("/commendations/rounds/", f"/commendations/rounds/{rnd.pk}/"):
        assert_accessible(axe, page, url)
    page.goto(proposal_url)
    page.get_by_role("link", name="Gửi hồ sơ", exact=True).click()
    page.get_by_role("button", name="Gửi hồ sơ").click()
    page.wait_for_url(proposal_url)
    assert page.get_by_test_id("proposal-status").inner_text() == "Đã gửi, chờ thẩm định"
    assert "Cơ quan thường trực" in page.get_by_test_id("holder").inner_text()

    # The standing body takes it, returns one item with a comment.
    switch(page, "standing")
    page.goto(proposal_url)
    page.get_by_role("link", name="Tiếp nhận thẩm định").click()
    page.get_by_role("button", name="Tiếp nhận").click()
    page.wait_for_url(proposal_url)
    page.get_by_role("link", name="Trả lại đề nghị của Trần Thị Thu Hương").click()
    page.get_by_label("Ý kiến thẩm định (nội dung cần bổ sung, sửa)").fill(
        "Bổ sung số liệu dự báo và xác nhận sáng kiến."
    )
    page.get_by_role("button", name="Trả lại").click()
    page.wait_for_url(proposal_url)
    assert page.get_by_test_id("proposal-status").inner_text() == "Trả lại để bổ sung"

    # The unit sees the comment, fixes the item and resubmits.
    switch(page, "officer")
    page.goto(proposal_url)
    assert "Bổ sung số liệu dự báo" in page.get_by_test_id("return-comment").inner_text()
    page.get_by_role("link", name="Sửa đề nghị của Trần Thị Thu Hương").click()
    page.get_by_label("Tóm tắt thành tích").fill(
        "Dự báo chính xác 12 cơn bão năm 2024; sáng kiến cảnh báo lũ quét được áp dụng."
    )
    page.get_by_role("button", name="Lưu đề nghị").click()
    page.wait_for_url(proposal_url)
    page.get_by_role("link", name="Gửi lại hồ sơ").click()
    page.get_by_role("button", name="Gửi hồ sơ").click()
    page.wait_for_url(proposal_url)
    assert page.get_by_test_id("proposal-status").inner_text() == "Đã gửi, chờ thẩm định"

    # The standing body accepts: the items go to the council.
    switch(page, "standing")
    page.goto(proposal_url)
    page.get_by_role("link", name="Thẩm định xong, trình Hội đồng").click()
    page.get_by_role("button", name="Trình Hội đồng").click()
    page.wait_for_url(proposal_url)
    assert page.get_by_test_id("proposal-status").inner_text() == "Trình hội đồng"
    proposal = Proposal.objects.get(round=rnd, unit=tree.KTTV_A)
    assert proposal.status == ProposalStatus.COUNCIL
    assert sorted(proposal.items.values_list("person__code", "status")) == [
        ("P101", ItemStatus.ACCEPTED),
        ("P102", ItemStatus.ACCEPTED),
    ]
    page.goto(f"/commendations/rounds/{rnd.pk}/")
    row = page.locator("[data-testid=progress-table] tr[data-unit=KTTV_A]")
    assert "Trình hội đồng" in row.inner_text()

    # Anyone reads the public posting of the candidates sent to the council.
    page.context.clear_cookies()
    assert_accessible(axe, page, f"/commendations/posting/{rnd.pk}/")
    posted = page.get_by_test_id("posting-table").inner_text()
    assert "Trần Thị Thu Hương" in posted and "Lê Đức Thắng" in posted
    assert "Phạm Ngọc Ánh" not in posted

    # The council meets (today): three members, each with an account on a phone.
    council = org.council_create(
        actor=None, unit=tree.MIN, name="Hội đồng TĐKT Bộ", established_on=dt.date(2020, 1, 1)
    )
    names = ["Vũ Minh Chủ Tịch", "Đặng Thu Uỷ Viên", "Bùi Văn Thư Ký"]
    for n, name in enumerate(names):
        member = ppl.person_create(
            actor=None,
            code=f"HDB{n}",
            full_name=name,
            unit=tree.MIN,
            started_on=dt.date(2020, 1, 1),
        )
        org.council_member_add(
            actor=None,
            council=council,
            person=member,
            role=CouncilRole.CHAIR if n == 0 else CouncilRole.MEMBER,
            valid_from=dt.date(2020, 1, 1),
        )
        make_user(f"hdb{n}", [(Role.COUNCIL, tree.MIN)], person=member)
    type(rnd).objects.filter(pk=rnd.pk).update(council_on=today)
    items = sorted(proposal.items.all(), key=lambda i: i.pk)
    login(page, "standing")
    council_journey(
        page,
        browser,
        live_server,
        round_pk=rnd.pk,
        items=items,
        usernames=["hdb0", "hdb1", "hdb2"],
        members=names,
        council_name="Hội đồng TĐKT Bộ",
        held_on=today,
        signed_on=today,
        revoked_on=today,
        winner="Trần Thị Thu Hương",
    )
