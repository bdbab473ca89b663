"""Council sessions, the members' ballot, decisions, certificates and revocation, through
the pages: behaviour, permissions, the secret ballot, thresholds and documents."""

from __future__ import annotations

import datetime as dt
import threading
import uuid
from dataclasses import dataclass
from io import BytesIO
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from docx import Document as load_docx
from openpyxl import load_workbook

from accounts.models import Role, RoleGrant
from awards.models import Award, AwardType
from commendations import services as cm
from commendations.models import (
    BallotReceipt,
    Certificate,
    CouncilSession,
    Decision,
    ItemStatus,
    ProposalItem,
    RoundKind,
    SessionStatus,
    Vote,
)
from commendations.urls_council import urlpatterns as council_urls
from organizations import services as org
from organizations.models import CouncilRole
from people import services as ppl
from tests import test_permissions
from tests.conftest import make_user
from tests.test_eligibility_rules import make_person, rate
from tests.test_permissions import assert_object_pages

pytestmark = pytest.mark.django_db
Y = 2024
D = dt.date
HELD_ON = D(2024, 12, 20)
HX = {"HX-Request": "true"}
NAMES = ["Trần Thị Thu Hương", "Lê Đức Thắng", "Phạm Ngọc Ánh"]


@dataclass
class World:
    round: Any
    items: list[ProposalItem]
    members: list[Any]
    users: list[Any]


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def council_world(
    tree: Any, personas: Any, size: int = 5, codes: tuple[str, ...] = ("CSTDCS",)
) -> World:
    """A round decided by KTTV, its council of `size` members (each with an account), and
    one item per code from KTTV_A, appraised and sent to the council."""
    council = org.council_create(
        actor=None, unit=tree.KTTV, name="Hội đồng TĐKT Tổng cục", established_on=D(2020, 1, 1)
    )
    members, users = [], []
    for i in range(size):
        person = make_person(tree, f"HD{i:02d}", unit=tree.KTTV)
        role = CouncilRole.CHAIR if i == 0 else CouncilRole.MEMBER
        members.append(
            org.council_member_add(
                actor=None, council=council, person=person, role=role, valid_from=D(2020, 1, 1)
            )
        )
        users.append(make_user(f"member{i}", [(Role.COUNCIL, tree.KTTV)], person=person))
    rnd = cm.round_create(
        actor=personas.standing,
        data=cm.RoundData(
            code="KT-KTTV-2024",
            title="Xét khen thưởng năm 2024",
            kind=RoundKind.ANNUAL,
            year=Y,
            deciding_unit=tree.KTTV,
            submission_due=D(2024, 12, 10),
            council_on=HELD_ON,
        ),
    )
    proposal = cm.proposal_create(actor=personas.officer, round=rnd, unit=tree.KTTV_A)
    items = []
    for n, code in enumerate(codes):
        person = ppl.person_create(
            actor=None,
            code=f"C{n:02d}",
            full_name=NAMES[n],
            unit=tree.KTTV_A,
            started_on=D(2020, 1, 1),
            gender="F" if n % 2 == 0 else "M",
        )
        rate(person, {Y: "HTXSNV"})
        item = cm.item_add(
            actor=personas.officer,
            proposal=proposal,
            data=cm.ItemData(
                AwardType.objects.get(code=code),
                "Chủ trì xây dựng bản tin dự báo mưa lớn khu vực Nam Bộ.",
                person=person,
            ),
        )
        # The vote is what these tests are about, not eligibility.
        cm.item_override(actor=personas.head, item=item, reason="Thành tích xuất sắc đột xuất.")
        items.append(item)
    cm.proposal_submit(actor=personas.officer, proposal=proposal)
    cm.proposal_accept(actor=personas.standing, proposal=proposal)
    return World(rnd, items, members, users)


def open_session(world: World, personas: Any, present: int | None = None) -> CouncilSession:
    session = cm.session_create(actor=personas.standing, round=world.round, held_on=HELD_ON)
    here = world.members[: len(world.members) if present is None else present]
    cm.attendance_set(actor=personas.standing, session=session, present=[m.pk for m in here])
    return cm.voting_open(actor=personas.standing, session=session)


def vote(user: Any, session: CouncilSession, item: ProposalItem, choice: str, **h: str) -> Any:
    return login(user).post(
        reverse("commendations:ballot_vote", args=[session.pk]),
        {"item": item.pk, "choice": choice},
        headers=h,
    )


def decided(world: World, personas: Any) -> Decision:
    """Everyone votes yes, the round closes, the decision is issued."""
    session = open_session(world, personas)
    for member in world.members:
        for item in world.items:
            cm.cast_vote(session=session, item=item, member=member, choice="YES")
    cm.voting_close(actor=personas.standing, session=session)
    return cm.decision_issue(
        actor=personas.standing,
        round=world.round,
        data=cm.DecisionData("15/QĐ-KTTV", D(2024, 12, 28), "Hoàng Văn Ký", "Tổng cục KTTV"),
        items=world.items,
    )


# --- permissions -------------------------------------------------------------------------


MINE = {p.name for p in council_urls}
# Walked by their own tests below: the ballot answers to council membership, not to a
# role, and the verification page is public.
OWN_RULES = {"ballot", "ballot_vote", "verify"}


@pytest.mark.parametrize(
    "persona", ["outsider", "viewer", "officer", "head", "standing", "council", "comms"]
)
def test_object_pages_allow_deny_and_hide(
    tree: Any, personas: Any, persona: str, monkeypatch: Any
) -> None:
    world = council_world(tree, personas, size=3)
    decision = decided(world, personas)
    session = CouncilSession.objects.get(round=world.round)
    certificate = Certificate.objects.filter(decision=decision).first()
    assert certificate is not None
    every = test_permissions.site_patterns
    monkeypatch.setattr(
        test_permissions,
        "site_patterns",
        lambda: [
            (r, ns, p)
            for r, ns, p in every()
            if ns != "commendations" or (p.name in MINE and p.name not in OWN_RULES)
        ],
    )
    client = login(getattr(personas, persona))
    checked = assert_object_pages(
        client,
        persona,
        "commendations",
        {
            "round": str(world.round.pk),
            "session": str(session.pk),
            "decision": str(decision.pk),
            "certificate": str(certificate.pk),
            "award": str(certificate.award_id),
        },
    )
    assert checked == 18
    assert Award.objects.filter(revoked_on__isnull=True).count() == 1


def test_only_members_reach_the_ballot(tree: Any, personas: Any) -> None:
    world = council_world(tree, personas, size=3)
    session = open_session(world, personas)
    url = reverse("commendations:ballot", args=[session.pk])
    assert login(world.users[1]).get(url).status_code == 200
    # Seeing the deciding unit is not enough to vote; the standing body does not vote either.
    assert login(personas.viewer).get(url).status_code == 403
    assert login(personas.standing).get(url).status_code == 403
    assert login(personas.outsider).get(url).status_code == 404
    anonymous = Client().get(url)
    assert anonymous.status_code == 302 and "/accounts/login/" in anonymous["Location"]
    refused = vote(personas.viewer, session, world.items[0], "YES", **HX)
    assert refused.status_code == 403
    assert not BallotReceipt.objects.exists()


def test_a_member_without_any_role_still_votes(tree: Any, personas: Any) -> None:
    """An outside member of the council (e.g. the trade union's) may hold no role."""
    world = council_world(tree, personas, size=3)
    RoleGrant.objects.filter(user=world.users[2]).delete()
    session = open_session(world, personas)
    member = login(world.users[2])
    assert "Phiếu bầu của tôi" in member.get("/").content.decode()
    index = member.get(reverse("commendations:ballots")).content.decode()
    assert reverse("commendations:ballot", args=[session.pk]) in index
    assert member.get(reverse("commendations:ballot", args=[session.pk])).status_code == 200
    assert vote(world.users[2], session, world.items[0], "YES", **HX).status_code == 200
    assert BallotReceipt.objects.filter(member=world.members[2]).count() == 1
    # The rest of the deciding unit stays closed to them.
    assert member.get(reverse("commendations:session", args=[session.pk])).status_code == 403


def test_the_live_tally_is_for_the_standing_body_and_the_chair(tree: Any, personas: Any) -> None:
    world = council_world(tree, personas, size=3)
    session = open_session(world, personas)
    url = reverse("commendations:session_tally", args=[session.pk])
    assert login(personas.standing).get(url).status_code == 200
    assert login(world.users[0]).get(url).status_code == 200  # the chair
    assert login(world.users[1]).get(url).status_code == 403  # an ordinary member
    assert login(personas.officer).get(url).status_code == 403
    assert login(personas.outsider).get(url).status_code == 404


# --- sessions and the ballot -----------------------------------------------------------


def test_the_standing_body_runs_a_session_through_the_pages(tree: Any, personas: Any) -> None:
    world = council_world(tree, personas, size=4)
    standing = login(personas.standing)
    council_page = standing.get(reverse("commendations:round_council", args=[world.round.pk]))
    assert "Lập phiên họp Hội đồng" in council_page.content.decode()
    response = standing.post(
        reverse("commendations:session_create", args=[world.round.pk]),
        {"held_on": "20/12/2024", "max_rounds": "2", "quorum": "2/3"},
    )
    session = CouncilSession.objects.get(round=world.round)
    assert response.status_code == 302
    assert list(session.items.all()) == world.items
    # Two of four present: 50 % is under the 67 % quorum, voting does not open.
    standing.post(
        reverse("commendations:session_attendance", args=[session.pk]),
        {"present": [str(m.pk) for m in world.members[:2]]},
    )
    page = standing.get(reverse("commendations:session", args=[session.pk])).content.decode()
    assert "2/4" in page and "Chưa đủ số thành viên" in page
    response = standing.post(reverse("commendations:session_open", args=[session.pk]), follow=True)
    assert "Chưa đủ số thành viên có mặt" in response.content.decode()
    session.refresh_from_db()
    assert session.status == SessionStatus.PLANNED
    standing.post(
        reverse("commendations:session_attendance", args=[session.pk]),
        {"present": [str(m.pk) for m in world.members[:3]]},
    )
    confirm = standing.get(reverse("commendations:session_open", args=[session.pk]))
    assert "Có mặt 3/4" in confirm.content.decode()
    standing.post(reverse("commendations:session_open", args=[session.pk]))
    session.refresh_from_db()
    assert (session.status, session.voting_round) == (SessionStatus.OPEN, 1)

    # A member votes from the phone page: the item then says "voted", never how.
    member = login(world.users[1])
    ballot = member.get(reverse("commendations:ballot", args=[session.pk])).content.decode()
    assert NAMES[0] in ballot and "Đồng ý" in ballot and "Không đồng ý" in ballot
    answer = vote(world.users[1], session, world.items[0], "NO", **HX)
    assert answer.status_code == 200
    fragment = answer.content.decode()
    assert "Đã bỏ phiếu" in fragment
    assert 'value="NO"' not in fragment and "Không đồng ý" not in fragment
    ballot = member.get(reverse("commendations:ballot", args=[session.pk])).content.decode()
    assert "Đã bỏ phiếu" in ballot and 'name="choice"' not in ballot

    # The absent member's written opinion, entered by the secretariat.
    written = reverse("commendations:session_written", args=[session.pk])
    response = standing.post(
        written, {"member": world.members[3].pk, "item": world.items[0].pk, "choice": "YES"}
    )
    assert response.status_code == 302
    assert BallotReceipt.objects.get(member=world.members[3]).written
    # A present member cannot be recorded as a written opinion.
    response = standing.post(
        written, {"member": world.members[0].pk, "item": world.items[0].pk, "choice": "YES"}
    )
    assert response.status_code == 200 and response.context["form"].errors["member"]

    tally = standing.get(reverse("commendations:session_tally", args=[session.pk]))
    row = tally.content.decode()
    assert 'hx-trigger="every 3s"' in row
    assert tally.context["tallies"][0].yes == 1 and tally.context["tallies"][0].no == 1
    partial = standing.get(reverse("commendations:session_tally", args=[session.pk]), headers=HX)
    assert "<html" not in partial.content.decode() and 'id="tally"' in partial.content.decode()
    # Nobody's name appears next to a vote: the tally names only the candidates.
    for m in world.members:
        assert m.person.full_name not in row

    standing.post(reverse("commendations:session_close", args=[session.pk]))
    session.refresh_from_db()
    assert session.status == SessionStatus.PLANNED  # one more round allowed
    world.items[0].refresh_from_db()
    assert world.items[0].status == ItemStatus.ACCEPTED


def test_repeated_votes_answer_clearly_and_count_once(tree: Any, personas: Any) -> None:
    world = council_world(tree, personas, size=3)
    session = open_session(world, personas)
    item = world.items[0]
    assert vote(world.users[2], session, item, "YES", **HX).status_code == 200
    again = vote(world.users[2], session, item, "NO", **HX)
    assert again.status_code == 409
    assert "đã bỏ phiếu" in again.content.decode()
    as_json = vote(world.users[2], session, item, "NO", Accept="application/json")
    assert as_json.status_code == 409 and as_json.json()["voted"] is False
    plain = login(world.users[2]).post(
        reverse("commendations:ballot_vote", args=[session.pk]),
        {"item": item.pk, "choice": "NO"},
        follow=True,
    )
    assert "đã bỏ phiếu cho đề nghị này" in plain.content.decode()
    assert Vote.objects.filter(item=item).count() == 1
    assert Vote.objects.get(item=item).choice == "YES"


def test_an_absent_member_cannot_vote_on_the_ballot(tree: Any, personas: Any) -> None:
    world = council_world(tree, personas, size=4)
    session = open_session(world, personas, present=3)
    page = login(world.users[3]).get(reverse("commendations:ballot", args=[session.pk]))
    assert "vắng mặt" in page.content.decode()
    answer = vote(world.users[3], session, world.items[0], "YES", Accept="application/json")
    assert answer.status_code == 422
    assert not Vote.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_ballot_requests_of_one_member_count_once(tree: Any, personas: Any) -> None:
    world = council_world(tree, personas, size=3)
    session = open_session(world, personas)
    item = world.items[0]
    clients = [login(world.users[1]) for _ in range(20)]
    url = reverse("commendations:ballot_vote", args=[session.pk])
    start = threading.Barrier(20)
    statuses: list[int] = []

    def post(client: Client) -> None:
        try:
            start.wait()
            response = client.post(url, {"item": item.pk, "choice": "YES"}, headers=HX)
            statuses.append(response.status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(statuses) == [200] + [409] * 19
    assert BallotReceipt.objects.filter(member=world.members[1], item=item).count() == 1
    assert Vote.objects.filter(item=item).count() == 1


def test_thresholds_with_ten_members_count_the_absent_through_the_pages(
    tree: Any, personas: Any
) -> None:
    """80 %: 8 of 10 pass; 90 %: 8 are not enough, 9 are; the absent tenth counts in the
    total and may add a written opinion."""
    world = council_world(tree, personas, size=10, codes=("CSTDCS", "CSTD_BO"))
    cstdcs, cstd_bo = world.items
    session = open_session(world, personas, present=9)
    for i, user in enumerate(world.users[:9]):
        choice = "YES" if i < 8 else "NO"
        for item in world.items:
            assert vote(user, session, item, choice, **HX).status_code == 200
    standing = login(personas.standing)
    tally_url = reverse("commendations:session_tally", args=[session.pk])
    tallies = {t.item.pk: t for t in standing.get(tally_url).context["tallies"]}
    assert (tallies[cstdcs.pk].members, tallies[cstdcs.pk].needed) == (10, 8)
    assert (tallies[cstd_bo.pk].members, tallies[cstd_bo.pk].needed) == (10, 9)
    assert tallies[cstdcs.pk].passed and not tallies[cstd_bo.pk].passed
    # The absent member's written "yes" brings the 90 % award to 9 of 10.
    standing.post(
        reverse("commendations:session_written", args=[session.pk]),
        {"member": world.members[9].pk, "item": cstd_bo.pk, "choice": "YES"},
    )
    tallies = {t.item.pk: t for t in standing.get(tally_url).context["tallies"]}
    assert (tallies[cstd_bo.pk].yes, tallies[cstd_bo.pk].passed) == (9, True)
    standing.post(reverse("commendations:session_close", args=[session.pk]))
    assert set(ProposalItem.objects.values_list("status", flat=True)) == {ItemStatus.PASSED}


def test_the_minutes_record_attendance_quorum_votes_and_written_opinions(
    tree: Any, personas: Any
) -> None:
    world = council_world(tree, personas, size=4, codes=("CSTDCS", "CSTD_BO"))
    session = open_session(world, personas, present=3)
    for member in world.members[:3]:
        cm.cast_vote(session=session, item=world.items[0], member=member, choice="YES")
        cm.cast_vote(session=session, item=world.items[1], member=member, choice="NO")
    cm.cast_vote(
        session=session, item=world.items[0], member=world.members[3], choice="YES", written=True
    )
    cm.voting_close(actor=personas.standing, session=session)
    response = login(personas.viewer).get(
        reverse("commendations:session_minutes", args=[session.pk])
    )
    assert response.status_code == 200
    document = load_docx(BytesIO(response.content))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "BIÊN BẢN" in text
    assert "ngày 20/12/2024" in text
    assert "có mặt: 3; vắng mặt: 1" in text and world.members[3].person.full_name in text
    assert "đủ điều kiện tiến hành" in text
    assert "VÒNG 1" in text
    assert "1 phiếu ý kiến bằng văn bản của 1 thành viên" in text
    assert NAMES[0] in cells and NAMES[1] in cells
    assert "Vắng mặt" in cells and "Đạt" in cells and "Không đạt" in cells


# --- decisions, certificates, revocation ---------------------------------------------


def test_a_decision_is_issued_over_passed_items_with_its_documents(
    tree: Any, personas: Any
) -> None:
    world = council_world(tree, personas, size=3, codes=("CSTDCS", "CSTD_BO"))
    session = open_session(world, personas)
    for member in world.members:
        cm.cast_vote(session=session, item=world.items[0], member=member, choice="YES")
        cm.cast_vote(session=session, item=world.items[1], member=member, choice="NO")
    cm.voting_close(actor=personas.standing, session=session)
    cm.voting_open(actor=personas.standing, session=session)
    cm.voting_close(actor=personas.standing, session=session)  # second and last round
    url = reverse("commendations:decision_create", args=[world.round.pk])
    assert login(personas.officer).get(url).status_code == 403
    standing = login(personas.standing)
    form = standing.get(url)
    # Only the passed item is offered.
    assert [c[0] for c in form.context["form"].fields["items"].choices] == [str(world.items[0].pk)]
    missing = standing.post(url, {"number": "", "signed_on": "28/12/2024"})
    assert missing.status_code == 200 and missing.context["form"].errors["number"]
    response = standing.post(
        url,
        {
            "number": "15/QĐ-KTTV",
            "signed_on": "28/12/2024",
            "signer": "Hoàng Văn Ký",
            "authority": "Tổng cục Khí tượng Thủy văn",
            "items": [str(world.items[0].pk)],
        },
    )
    decision = Decision.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("commendations:decision", args=[decision.pk])
    award = Award.objects.get(person=world.items[0].person)
    assert (award.award_type.code, award.year, award.decision_number) == (
        "CSTDCS",
        Y,
        "15/QĐ-KTTV",
    )
    assert not Award.objects.filter(person=world.items[1].person).exists()
    # The same number again is refused next to the field.
    again = standing.post(url, {"number": "15/QĐ-KTTV", "signed_on": "28/12/2024"})
    assert again.status_code == 200

    page = login(personas.viewer).get(reverse("commendations:decision", args=[decision.pk]))
    assert NAMES[0] in page.content.decode()
    docx = login(personas.viewer).get(reverse("commendations:decision_docx", args=[decision.pk]))
    document = load_docx(BytesIO(docx.content))
    text = "\n".join(p.text for p in document.paragraphs)
    cells = "\n".join(c.text for t in document.tables for r in t.rows for c in r.cells)
    assert "QUYẾT ĐỊNH" in text and "Về việc tặng danh hiệu “Chiến sĩ thi đua cơ sở”" in text
    for article in ("Điều 1.", "Điều 2.", "Điều 3."):
        assert article in text
    assert "ngày 20/12/2024" in text  # the council's meeting in the grounds
    assert "Số: 15/QĐ-KTTV" in cells and NAMES[0] in cells and "Hoàng Văn Ký" in cells
    xlsx = login(personas.viewer).get(reverse("commendations:decision_xlsx", args=[decision.pk]))
    sheet = load_workbook(BytesIO(xlsx.content)).active
    assert sheet is not None
    rows = [tuple(r) for r in sheet.iter_rows(values_only=True)]
    assert "15/QĐ-KTTV" in str(rows[1][0])
    assert rows[3][:5] == ("STT", "Họ và tên / Tập thể", "Đơn vị", "Khen thưởng",
                           "Tóm tắt thành tích")  # fmt: skip
    assert rows[4][:4] == (1, NAMES[0], tree.KTTV_A.name, "Chiến sĩ thi đua cơ sở")
    assert "mưa lớn" in str(rows[4][4])


def _pdf(client: Client, certificate: Certificate) -> Any:
    from pypdf import PdfReader

    response = client.get(reverse("commendations:certificate_pdf", args=[certificate.pk]))
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    return PdfReader(BytesIO(response.content))


def test_the_certificate_pdf_renders_vietnamese_and_its_qr_opens_the_verification_page(
    tree: Any, personas: Any, settings: Any
) -> None:
    settings.SITE_URL = "https://thidua.example.vn"
    world = council_world(tree, personas, size=3)
    decision = decided(world, personas)
    certificate = Certificate.objects.get(decision=decision)
    reader = _pdf(login(personas.officer), certificate)
    page = reader.pages[0]
    text = page.extract_text()
    assert NAMES[0] in text  # "Trần Thị Thu Hương", with its diacritics
    assert "CHIẾN SĨ THI ĐUA CƠ SỞ" in text and "15/QĐ-KTTV" in text
    assert certificate.number in text
    fonts = page["/Resources"]["/Font"]
    embedded = [f.get_object() for f in fonts.values()]
    assert any("DejaVuSerif" in str(f["/BaseFont"]) for f in embedded)
    assert all(
        f["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object().get("/FontFile2")
        for f in embedded
        if "/DescendantFonts" in f
    )
    expected = "https://thidua.example.vn" + reverse(
        "commendations:verify", args=[certificate.token]
    )
    assert expected in text.replace("\n", "")
    zxingcpp = pytest.importorskip("zxingcpp")
    (image,) = page.images
    decoded = [r.text for r in zxingcpp.read_barcodes(image.image.convert("L"))]
    assert decoded == [expected]


def test_all_certificates_of_a_decision_print_in_one_file_without_revoked_ones(
    tree: Any, personas: Any
) -> None:
    from pypdf import PdfReader

    world = council_world(tree, personas, size=3, codes=("CSTDCS", "CSTDCS", "CSTDCS"))
    decision = decided(world, personas)
    first, second, third = Certificate.objects.filter(decision=decision).order_by("number")
    cm.revoke(
        actor=personas.standing,
        award=second.award,
        reason="Kê khai không trung thực.",
        decision_number="3/QĐ-KTTV",
        decision_date=D(2025, 3, 1),
    )
    url = reverse("commendations:decision_certificates_pdf", args=[decision.pk])
    client = login(personas.viewer)
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    reader = PdfReader(BytesIO(response.content))
    texts = [page.extract_text() for page in reader.pages]
    assert len(texts) == 2  # the revoked one is not printed
    assert first.number in texts[0] and third.number in texts[1]
    assert NAMES[0] in texts[0] and NAMES[2] in texts[1]
    assert all("CHIẾN SĨ THI ĐUA CƠ SỞ" in t and "15/QĐ-KTTV" in t for t in texts)
    # The queries do not grow with the certificates: one fewer to print costs the same.
    cm.revoke(
        actor=personas.standing,
        award=third.award,
        reason="Kê khai không trung thực.",
        decision_number="4/QĐ-KTTV",
        decision_date=D(2025, 3, 1),
    )
    with CaptureQueriesContext(connection) as fewer:
        assert len(PdfReader(BytesIO(client.get(url).content)).pages) == 1
    assert len(fewer.captured_queries) == len(captured.captured_queries)
    # Another branch does not learn the decision exists.
    assert login(personas.outsider).get(url).status_code == 404
    page = client.get(reverse("commendations:decision", args=[decision.pk])).content.decode()
    assert url in page


def test_verification_is_public_and_follows_revocation(tree: Any, personas: Any) -> None:
    world = council_world(tree, personas, size=3)
    decision = decided(world, personas)
    certificate = Certificate.objects.get(decision=decision)
    public = Client()
    url = reverse("commendations:verify", args=[certificate.token])
    page = public.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert "Còn hiệu lực" in body and NAMES[0] in body and "15/QĐ-KTTV" in body
    assert public.get(reverse("commendations:verify", args=[uuid.uuid4()])).status_code == 404
    assert public.get(f"/commendations/verify/{certificate.pk}/").status_code == 404

    revoke_url = reverse("commendations:certificate_revoke", args=[certificate.pk])
    assert login(personas.officer).get(revoke_url).status_code == 403
    standing = login(personas.standing)
    data = {
        "reason": "Kê khai không trung thực thành tích.",
        "decision_number": "3/QĐ-KTTV",
        "decision_date": "01/03/2025",
    }
    unconfirmed = standing.post(revoke_url, data)
    assert unconfirmed.status_code == 200 and unconfirmed.context["form"].errors["confirm"]
    early = standing.post(revoke_url, {**data, "decision_date": "01/01/2024", "confirm": "on"})
    assert "Ngày thu hồi không thể trước ngày khen thưởng." in early.content.decode()
    done = standing.post(revoke_url, {**data, "confirm": "on"})
    assert done.status_code == 302
    certificate.award.refresh_from_db()
    assert certificate.award.revoked_on == D(2025, 3, 1)
    body = public.get(url).content.decode()
    assert "Đã thu hồi" in body and "Còn hiệu lực" not in body
    assert "01/03/2025" in body and "3/QĐ-KTTV" in body and "Kê khai không trung thực" in body
    # Revoking twice is refused with a message, not an error page.
    again = standing.get(revoke_url, follow=True)
    assert "đã bị thu hồi" in again.content.decode()


def test_an_award_leads_to_its_certificate(tree: Any, personas: Any) -> None:
    world = council_world(tree, personas, size=3)
    decision = decided(world, personas)
    certificate = Certificate.objects.get(decision=decision)
    response = login(personas.viewer).get(
        reverse("commendations:award_certificate", args=[certificate.award_id])
    )
    assert response["Location"] == reverse("commendations:certificate", args=[certificate.pk])
    page = login(personas.viewer).get(response["Location"]).content.decode()
    assert "Còn hiệu lực" in page and "Thu hồi khen thưởng" not in page
    page = login(personas.standing).get(response["Location"]).content.decode()
    assert "Thu hồi khen thưởng" in page
    award_page = login(personas.viewer).get(f"/awards/{certificate.award_id}/").content.decode()
    assert reverse("commendations:certificate", args=[certificate.pk]) in award_page


def test_a_round_without_a_council_cannot_hold_a_session(tree: Any, personas: Any) -> None:
    rnd = cm.round_create(
        actor=personas.standing,
        data=cm.RoundData(
            code="KT-B",
            title="Xét khen thưởng",
            kind=RoundKind.ANNUAL,
            year=Y,
            deciding_unit=tree.KTTV_B,
            submission_due=D(2024, 12, 10),
        ),
    )
    response = login(personas.standing).post(
        reverse("commendations:session_create", args=[rnd.pk]),
        {"held_on": "20/12/2024", "max_rounds": "2", "quorum": "2/3"},
    )
    assert response.status_code == 200
    assert "chưa có Hội đồng" in response.content.decode()
    assert not CouncilSession.objects.exists()


def test_the_ballot_index_lists_open_sessions_of_the_member(tree: Any, personas: Any) -> None:
    world = council_world(tree, personas, size=3)
    url = reverse("commendations:ballots")
    assert "Hiện không có phiên họp" in login(world.users[1]).get(url).content.decode()
    session = open_session(world, personas)
    page = login(world.users[1]).get(url).content.decode()
    assert reverse("commendations:ballot", args=[session.pk]) in page
    assert "Hiện không có phiên họp" in login(personas.officer).get(url).content.decode()
