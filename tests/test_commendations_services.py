"""Commendation procedure at the service level: eligibility gate, appraisal, votes,
decisions, revocation."""

from __future__ import annotations

import datetime as dt
import threading
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection

from awards.models import Award, AwardType
from commendations import services as cm
from commendations.models import (
    BallotReceipt,
    Certificate,
    ItemStatus,
    ProposalStatus,
    RoundKind,
    Vote,
)
from core.errors import Conflict, ValidationFailed
from eligibility.engine import evaluate_person
from organizations import services as org
from organizations.models import CouncilRole
from tests.test_eligibility_rules import give, initiative, make_person, rate

Y = 2024
D = dt.date


def award_type(code: str) -> AwardType:
    return AwardType.objects.get(code=code)


def make_round(tree: Any, personas: Any, **extra: Any) -> Any:
    return cm.round_create(
        actor=personas.standing,
        data=cm.RoundData(
            code=extra.pop("code", "KT-2024"),
            title="Xét khen thưởng năm 2024",
            kind=RoundKind.ANNUAL,
            year=Y,
            deciding_unit=tree.MIN,
            submission_due=D(2024, 12, 10),
            **extra,
        ),
    )


def make_council(tree: Any, size: int) -> list[Any]:
    council = org.council_create(
        actor=None, unit=tree.MIN, name="Hội đồng TĐKT Bộ", established_on=D(2020, 1, 1)
    )
    members = []
    for i in range(size):
        person = make_person(tree, f"HD{i:02d}", unit=tree.TCCB)
        role = CouncilRole.CHAIR if i == 0 else CouncilRole.MEMBER
        members.append(
            org.council_member_add(
                actor=None, council=council, person=person, role=role, valid_from=D(2020, 1, 1)
            )
        )
    return members


def cstdcs_candidate(tree: Any, code: str) -> Any:
    person = make_person(tree, code)
    rate(person, {Y: "HTXSNV"})
    return person


def to_council(
    tree: Any, personas: Any, items: list[tuple[Any, str]], override: bool = False
) -> tuple[Any, list[Any]]:
    rnd = make_round(tree, personas)
    proposal = cm.proposal_create(actor=personas.officer, round=rnd, unit=tree.KTTV)
    added = [
        cm.item_add(
            actor=personas.officer,
            proposal=proposal,
            data=cm.ItemData(award_type(code), "Hoàn thành xuất sắc nhiệm vụ.", person=person),
        )
        for person, code in items
    ]
    if override:  # the vote is what these tests are about, not eligibility
        for item in added:
            cm.item_override(actor=personas.head, item=item, reason="Thành tích xuất sắc đột xuất.")
    cm.proposal_submit(actor=personas.officer, proposal=proposal)
    cm.proposal_accept(actor=personas.standing, proposal=proposal)
    return rnd, added


def test_an_ineligible_item_blocks_submission_until_overridden_with_a_reason(
    tree: Any, personas: Any
) -> None:
    good = cstdcs_candidate(tree, "C01")
    weak = make_person(tree, "C02")
    rate(weak, {Y: "HTNV"})
    rnd = make_round(tree, personas)
    proposal = cm.proposal_create(actor=personas.officer, round=rnd, unit=tree.KTTV)
    for person in (good, weak):
        cm.item_add(
            actor=personas.officer,
            proposal=proposal,
            data=cm.ItemData(award_type("CSTDCS"), "Thành tích năm 2024.", person=person),
        )
    with pytest.raises(ValidationFailed) as err:
        cm.proposal_submit(actor=personas.officer, proposal=proposal)
    assert len(err.value.errors) == 1
    assert weak.full_name in err.value.errors[0].message
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.DRAFT
    weak_item = proposal.items.get(person=weak)
    with pytest.raises(PermissionDenied):
        cm.item_override(actor=personas.officer, item=weak_item, reason="Thành tích đột xuất.")
    cm.item_override(actor=personas.head, item=weak_item, reason="Có thành tích đột xuất cứu hộ.")
    cm.proposal_submit(actor=personas.officer, proposal=proposal)
    proposal.refresh_from_db()
    assert proposal.status == ProposalStatus.SUBMITTED


def test_double_reward_and_a_reused_initiative_name_the_conflicting_record(
    tree: Any, personas: Any
) -> None:
    person = cstdcs_candidate(tree, "C03")
    give(person, "CSTDCS", Y)
    used = initiative(person, Y)
    give(person, "LDTT", Y, initiatives=[used])
    rnd = make_round(tree, personas)
    proposal = cm.proposal_create(actor=personas.officer, round=rnd, unit=tree.KTTV)
    with pytest.raises(ValidationFailed) as err:
        cm.item_add(
            actor=personas.officer,
            proposal=proposal,
            data=cm.ItemData(
                award_type("CSTDCS"), "Thành tích.", person=person, initiatives=[used]
            ),
        )
    messages = [e.message for e in err.value.errors]
    assert any("CSTDCS/2024" in m for m in messages)  # the decision already held
    assert any("LDTT/2024" in m and used.title in m for m in messages)
    assert not proposal.items.exists()


def test_the_standing_body_returns_an_item_and_the_unit_fixes_it(tree: Any, personas: Any) -> None:
    person = cstdcs_candidate(tree, "C04")
    rnd = make_round(tree, personas)
    proposal = cm.proposal_create(actor=personas.officer, round=rnd, unit=tree.KTTV)
    item = cm.item_add(
        actor=personas.officer,
        proposal=proposal,
        data=cm.ItemData(award_type("CSTDCS"), "Thành tích.", person=person),
    )
    cm.proposal_submit(actor=personas.officer, proposal=proposal)
    with pytest.raises(ValidationFailed):
        cm.item_return(actor=personas.standing, item=item, comment=" ")
    cm.item_return(actor=personas.standing, item=item, comment="Bổ sung số liệu cụ thể.")
    proposal.refresh_from_db()
    item.refresh_from_db()
    assert (proposal.status, item.status) == (ProposalStatus.RETURNED, ItemStatus.RETURNED)
    cm.item_update(
        actor=personas.officer, item=item, achievement="Chủ trì 12 bản tin dự báo mưa lớn."
    )
    cm.proposal_submit(actor=personas.officer, proposal=proposal)
    cm.proposal_accept(actor=personas.standing, proposal=proposal)
    item.refresh_from_db()
    assert item.status == ItemStatus.ACCEPTED  # CSTĐCS goes to the council's vote


def _vote(session: Any, item: Any, members: list[Any], yes: int) -> None:
    for i, member in enumerate(members):
        cm.cast_vote(session=session, item=item, member=member, choice="YES" if i < yes else "NO")


@pytest.mark.parametrize(
    ("code", "yes", "passed"),
    [("CSTDCS", 8, True), ("CSTDCS", 7, False), ("CSTD_BO", 8, False), ("CSTD_BO", 9, True)],
)
def test_thresholds_count_the_whole_council_absent_members_included(
    tree: Any, personas: Any, code: str, yes: int, passed: bool
) -> None:
    members = make_council(tree, 10)
    person = cstdcs_candidate(tree, "C05")
    rnd, (item,) = to_council(tree, personas, [(person, code)], override=True)
    session = cm.session_create(actor=personas.standing, round=rnd, held_on=D(2024, 12, 20))
    cm.attendance_set(actor=personas.standing, session=session, present=[m.pk for m in members[:9]])
    cm.voting_open(actor=personas.standing, session=session)
    # Nine present; the absent tenth may send a written opinion, and still counts in the total.
    _vote(session, item, members[:9], min(yes, 9))
    if yes > 9:
        cm.cast_vote(session=session, item=item, member=members[9], choice="YES", written=True)
    (tally,) = cm.tallies(session)
    assert tally.members == 10
    assert tally.passed is passed
    assert tally.needed == (8 if code == "CSTDCS" else 9)


def test_quorum_is_required_to_open_voting(tree: Any, personas: Any) -> None:
    members = make_council(tree, 9)
    rnd, _items = to_council(tree, personas, [(cstdcs_candidate(tree, "C06"), "CSTDCS")])
    session = cm.session_create(actor=personas.standing, round=rnd, held_on=D(2024, 12, 20))
    cm.attendance_set(actor=personas.standing, session=session, present=[m.pk for m in members[:5]])
    with pytest.raises(ValidationFailed) as short:
        cm.voting_open(actor=personas.standing, session=session)
    assert "5/9" in short.value.message
    # Exactly two thirds (6 of 9) is a quorum.
    cm.attendance_set(actor=personas.standing, session=session, present=[m.pk for m in members[:6]])
    assert cm.quorum(session) == (6, 9, True)
    cm.voting_open(actor=personas.standing, session=session)
    with pytest.raises(ValidationFailed):
        cm.session_create(
            actor=personas.standing, round=rnd, held_on=D(2024, 12, 21), quorum=(1, 3)
        )


def test_a_member_votes_once_per_item_and_round(tree: Any, personas: Any) -> None:
    members = make_council(tree, 3)
    rnd, (item,) = to_council(tree, personas, [(cstdcs_candidate(tree, "C07"), "CSTDCS")])
    session = cm.session_create(actor=personas.standing, round=rnd, held_on=D(2024, 12, 20))
    cm.attendance_set(actor=personas.standing, session=session, present=[m.pk for m in members])
    cm.voting_open(actor=personas.standing, session=session)
    cm.cast_vote(session=session, item=item, member=members[0], choice="YES")
    with pytest.raises(Conflict):
        cm.cast_vote(session=session, item=item, member=members[0], choice="NO")
    assert Vote.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_twenty_parallel_votes_of_one_member_count_once(tree: Any, personas: Any) -> None:
    members = make_council(tree, 3)
    rnd, (item,) = to_council(tree, personas, [(cstdcs_candidate(tree, "C08"), "CSTDCS")])
    session = cm.session_create(actor=personas.standing, round=rnd, held_on=D(2024, 12, 20))
    cm.attendance_set(actor=personas.standing, session=session, present=[m.pk for m in members])
    cm.voting_open(actor=personas.standing, session=session)
    start = threading.Barrier(20)
    outcomes: list[str] = []

    def vote() -> None:
        try:
            start.wait()
            cm.cast_vote(session=session, item=item, member=members[0], choice="YES")
            outcomes.append("counted")
        except Conflict:
            outcomes.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=vote) for _ in range(20)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(outcomes) == ["counted"] + ["refused"] * 19
    assert BallotReceipt.objects.filter(member=members[0]).count() == 1
    assert Vote.objects.filter(item=item).count() == 1


def test_a_decision_creates_the_awards_and_next_year_eligibility_follows(
    tree: Any, personas: Any
) -> None:
    person = make_person(tree, "C09")
    rate(person, {Y: "HTXSNV", Y + 1: "HTXSNV"})
    _rs, before = evaluate_person(person, Y + 1)
    assert not before.result("BK_BO").eligible  # type: ignore[union-attr]
    members = make_council(tree, 5)
    rnd, (item,) = to_council(tree, personas, [(person, "CSTDCS")])
    session = cm.session_create(actor=personas.standing, round=rnd, held_on=D(2024, 12, 20))
    cm.attendance_set(actor=personas.standing, session=session, present=[m.pk for m in members])
    cm.voting_open(actor=personas.standing, session=session)
    _vote(session, item, members, 5)
    cm.voting_close(actor=personas.standing, session=session)
    item.refresh_from_db()
    assert item.status == ItemStatus.PASSED
    decision = cm.decision_issue(
        actor=personas.standing,
        round=rnd,
        data=cm.DecisionData("99/QĐ-BTNMT", D(2024, 12, 28), "Nguyễn Văn Bộ", "Bộ TN&MT"),
        items=[item],
    )
    award = Award.objects.get(person=person, award_type__code="CSTDCS", year=Y)
    assert award.decision_number == "99/QĐ-BTNMT"
    assert Certificate.objects.get(award=award).decision == decision
    # Next year, a second consecutive CSTĐCS (2024 decided, 2025 by record) opens the
    # Minister's Bằng khen (Art. 74.1.d).
    _rs, after = evaluate_person(person, Y + 1)
    assert after.result("BK_BO").eligible  # type: ignore[union-attr]
    # Revoked, the award no longer counts.
    cm.revoke(
        actor=personas.standing,
        award=award,
        reason="Kê khai không trung thực thành tích.",
        decision_number="5/QĐ-BTNMT",
        decision_date=D(2025, 3, 1),
    )
    _rs, revoked = evaluate_person(person, Y + 1)
    assert not revoked.result("BK_BO").eligible  # type: ignore[union-attr]
