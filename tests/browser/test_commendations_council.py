"""A council session end to end in the browser: the standing body opens the vote, the
members vote from their phones, the chair follows the live tally, the decision is
issued, and the certificate's QR address says valid, then revoked."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.sync_api import expect

from awards.catalogue import sync_catalogue
from awards.models import AwardType
from commendations.models import Certificate, ProposalItem
from tests.browser.conftest import login
from tests.test_commendations_council import NAMES, council_world

pytestmark = pytest.mark.django_db(transaction=True)
PHONE = {"width": 390, "height": 844}


def phone(browser: Any, live_server: Any) -> Any:
    context = browser.new_context(
        base_url=live_server.url, locale="vi-VN", viewport=PHONE, is_mobile=True, has_touch=True
    )
    context.set_default_timeout(15_000)
    return context


def test_the_council_votes_and_the_certificate_verifies(
    page: Any, browser: Any, live_server: Any, tree: Any, personas: Any, settings: Any
) -> None:
    sync_catalogue(AwardType)  # transactional tests empty the catalogue migration's rows
    settings.SITE_URL = live_server.url
    world = council_world(tree, personas, size=3, codes=("CSTDCS", "CSTD_BO"))
    login(page, "standing")
    council_journey(
        page,
        browser,
        live_server,
        round_pk=world.round.pk,
        items=world.items,
        usernames=[u.username for u in world.users],
        members=[m.person.full_name for m in world.members],
        council_name="Hội đồng TĐKT Tổng cục",
        held_on=dt.date(2024, 12, 20),
        signed_on=dt.date(2024, 12, 28),
        revoked_on=dt.date(2025, 3, 1),
        winner=NAMES[0],
    )


def council_journey(
    page: Any,
    browser: Any,
    live_server: Any,
    *,
    round_pk: int,
    items: list[ProposalItem],
    usernames: list[str],
    members: list[str],
    council_name: str,
    held_on: dt.date,
    signed_on: dt.date,
    revoked_on: dt.date,
    winner: str,
) -> None:
    """From a round whose two items await the council (the second one will miss its
    threshold by one vote) to a revoked certificate. `page` is the standing body's."""
    held, signed, revoked = (d.strftime("%d/%m/%Y") for d in (held_on, signed_on, revoked_on))

    # The standing body sets up the session and opens the first voting round.
    page.goto(f"/commendations/rounds/{round_pk}/council/")
    page.get_by_role("link", name="Lập phiên họp Hội đồng").click()
    expect(page.get_by_label("Ngày họp")).to_have_value(held)
    page.get_by_role("button", name="Lưu").click()
    expect(page.get_by_role("heading", name=f"Phiên họp Hội đồng ngày {held}")).to_be_visible()
    session_url = page.url
    for name in members:
        page.get_by_label(re.compile(name)).check()
    page.get_by_role("button", name="Lưu điểm danh").click()
    expect(page.get_by_test_id("quorum")).to_contain_text(f"{len(members)}/{len(members)}")
    page.get_by_role("link", name="Mở vòng bỏ phiếu thứ 1").click()
    page.get_by_role("button", name="Mở bỏ phiếu").click()
    expect(page.get_by_text("Đã mở vòng bỏ phiếu thứ 1.")).to_be_visible()

    # The chair follows the tally live while the members vote.
    chair_context = browser.new_context(base_url=live_server.url, locale="vi-VN")
    chair = chair_context.new_page()
    login(chair, usernames[0])
    chair.goto(session_url + "tally/")
    first = items[0]
    expect(chair.get_by_test_id(f"tally-{first.pk}").locator('[data-col="ballots"]')).to_have_text(
        "0"
    )

    for index, username in enumerate(usernames):
        context = phone(browser, live_server)
        member = context.new_page()
        login(member, username)
        member.goto("/commendations/ballot/")
        member.get_by_role("link", name=re.compile(council_name)).click()
        cards = member.get_by_test_id("ballot-item")
        expect(cards).to_have_count(2)
        for position in range(2):
            card = cards.nth(position)
            # Everyone approves the first item; the last member rejects the 90 % one.
            name = "Không đồng ý" if position == 1 and index == 2 else "Đồng ý"
            card.get_by_role("button", name=name, exact=True).click()
            expect(card.get_by_test_id("voted")).to_have_text("Đã bỏ phiếu")
        expect(member.get_by_test_id("ballot-left")).to_contain_text("Bạn đã bỏ phiếu tất cả")
        if index == 0:
            # A late duplicate (another tab, a retried request) answers 409 with a message.
            member.evaluate(
                """([url, item]) => htmx.ajax('POST', url, {
                    source: '#ballot-item-' + item, target: '#ballot-item-' + item,
                    swap: 'outerHTML', values: {item: item, choice: 'NO'}})""",
                [session_url + "ballot/vote/", first.pk],
            )
            expect(cards.first.get_by_role("status")).to_contain_text("đã bỏ phiếu cho đề nghị này")
        # The ballot keeps no trace of the choice.
        assert "Không đồng ý" not in member.get_by_test_id("ballot-item").first.inner_text()
        # One column on a phone: nothing overflows sideways.
        assert member.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        context.close()

    row = chair.get_by_test_id(f"tally-{first.pk}")
    expect(row.locator('[data-col="yes"]')).to_have_text("3")  # refreshed by htmx polling
    expect(row.locator('[data-col="needed"]')).to_contain_text("3")
    expect(row.locator('[data-col="passed"]')).to_have_text("Đạt")
    second = chair.get_by_test_id(f"tally-{items[1].pk}")
    expect(second.locator('[data-col="yes"]')).to_have_text("2")
    expect(second.locator('[data-col="passed"]')).to_have_text("Chưa đạt")
    chair_context.close()

    # Close the round, then decide over the passed item.
    page.goto(session_url)
    page.get_by_role("link", name="Kết thúc vòng bỏ phiếu thứ 1").click()
    page.get_by_role("button", name="Kết thúc vòng bỏ phiếu").click()
    expect(page.get_by_text("1/2 đề nghị đạt tỷ lệ")).to_be_visible()
    page.goto(f"/commendations/rounds/{round_pk}/council/")
    page.get_by_role("link", name="Ban hành quyết định").click()
    page.get_by_label("Số quyết định").fill("15/QĐ-KTTV")
    page.get_by_label("Ngày ký").fill(signed)
    page.get_by_label("Người ký").fill("Hoàng Văn Ký")
    expect(page.get_by_label(re.compile(winner))).to_be_checked()
    page.get_by_role("button", name="Ban hành quyết định").click()
    expect(page.get_by_role("heading", name="Quyết định số 15/QĐ-KTTV")).to_be_visible()
    assert ProposalItem.objects.get(pk=first.pk).status == "DECIDED"

    page.get_by_role("link", name="Giấy chứng nhận", exact=True).first.click()
    verify_url = page.get_by_test_id("verify-url").inner_text()
    certificate = Certificate.objects.get()
    assert verify_url == f"{live_server.url}/commendations/verify/{certificate.token}/"

    visitor_context = browser.new_context(locale="vi-VN")  # nobody logged in
    visitor = visitor_context.new_page()
    visitor.goto(verify_url)
    expect(visitor.get_by_test_id("verify-status")).to_contain_text("Còn hiệu lực")
    expect(visitor.get_by_test_id("verify-recipient")).to_contain_text(winner)

    page.get_by_role("link", name="Thu hồi khen thưởng").click()
    page.get_by_label("Lý do thu hồi").fill("Kê khai không trung thực thành tích.")
    page.get_by_label("Số quyết định thu hồi").fill("3/QĐ-KTTV")
    page.get_by_label("Ngày quyết định thu hồi").fill(revoked)
    page.get_by_label(re.compile("Tôi xác nhận thu hồi")).check()
    page.get_by_role("button", name="Thu hồi", exact=True).click()
    expect(page.get_by_text("Đã thu hồi khen thưởng")).to_be_visible()

    visitor.reload()
    status = visitor.get_by_test_id("verify-status")
    expect(status).to_contain_text("Đã thu hồi")
    expect(status).to_contain_text(revoked)
    visitor_context.close()
