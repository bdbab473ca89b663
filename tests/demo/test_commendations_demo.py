"""commendations.demo: a round decided last year, this year's round under way, live pages."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from accounts.models import User
from audit.models import AuditEvent
from awards.models import Award
from commendations import demo, dossier
from commendations import services as cm
from commendations import services_proposals as sp
from commendations.models import (
    Attendance,
    BallotReceipt,
    Certificate,
    ItemStatus,
    ProposalItem,
    ProposalStatus,
    Revocation,
    Round,
    RoundKind,
    SessionStatus,
)
from eligibility.engine import Verdict

TODAY = dt.date.today()
OPEN_VERDICTS = {Verdict.ELIGIBLE.value, Verdict.NEEDS_JUDGEMENT.value}
IS = ItemStatus
PS = ProposalStatus


@pytest.fixture
def loaded(demo_loaded: str) -> None:
    """The demo, built once for the package (tests/demo/conftest.py)."""


pytestmark = pytest.mark.django_db


def rounds() -> tuple[Round, Round]:
    return (
        Round.objects.get(code=f"KT-BTNMT-{TODAY.year - 1}"),
        Round.objects.get(code=f"KT-BTNMT-{TODAY.year}"),
    )


def login(username: str) -> Client:
    client = Client()
    client.force_login(User.objects.get(username=username))
    return client


def test_both_rounds_are_the_ministrys_annual_rounds(loaded: None) -> None:
    past, current = rounds()
    assert Round.objects.count() == 2
    for rnd in (past, current):
        assert rnd.deciding_unit.code == "BTNMT" and rnd.kind == RoundKind.ANNUAL
        assert "Bộ Tài nguyên và Môi trường" in rnd.title
    assert (past.year, current.year) == (TODAY.year - 1, TODAY.year)


def test_last_years_round_was_voted_decided_and_certified(loaded: None) -> None:
    past, _ = rounds()
    assert past.proposals.count() == 3
    assert set(past.proposals.values_list("status", flat=True)) == {PS.DECIDED}
    session = past.sessions.get()
    assert session.status == SessionStatus.CLOSED and session.voting_round == 2
    assert session.held_on <= TODAY
    members = cm.council_members(session.council, session.held_on)
    assert len(members) >= 5
    # Everyone present; every member voted on every item of the agenda in round one.
    assert Attendance.objects.filter(session=session, present=True).count() == len(members)
    agenda = session.items.count()
    assert agenda >= 3
    assert BallotReceipt.objects.filter(session=session, voting_round=1).count() == (
        len(members) * agenda
    )
    items = ProposalItem.objects.filter(proposal__round=past)
    assert items.filter(status=IS.FAILED).count() == 1
    # Items passed by a vote and items the law puts to no vote were both decided.
    decided = items.filter(status=IS.DECIDED)
    assert decided.filter(award_type__council_vote=True).exists()
    assert decided.filter(award_type__council_vote=False).exists()
    assert decided.filter(person__isnull=True).exists() and decided.filter(unit=None).exists()
    decision = past.decisions.get()
    assert session.held_on <= decision.signed_on <= TODAY
    awards = Award.objects.filter(proposal_item__in=decided)
    assert awards.count() == decided.count() >= 5
    assert set(awards.values_list("decision_number", flat=True)) == {decision.number}
    assert Certificate.objects.filter(decision=decision).count() == decided.count()
    # The recipients' records opened what they were proposed for: nothing overridden.
    assert not items.exclude(override_reason="").exists()
    assert set(items.values_list("verdict", flat=True)) <= OPEN_VERDICTS
    # Sent before the deadline: the sending times were dated back to the story's days.
    for proposal in past.proposals.all():
        assert sp.deadline_marks(proposal, TODAY) == []


def test_one_award_of_last_year_was_revoked_with_its_reason(loaded: None) -> None:
    past, _ = rounds()
    revocation = Revocation.objects.select_related("award").get()
    award = revocation.award
    assert award.proposal_item.proposal.round == past  # type: ignore[attr-defined]
    assert award.revoked_on == revocation.decision_date
    assert award.decision_date <= revocation.decision_date <= TODAY
    assert "Điều 93" in revocation.reason and revocation.decision_number
    certificate = Certificate.objects.get(award=award)
    page = Client().get(reverse("commendations:verify", args=[certificate.token]))
    assert page.status_code == 200 and "Đã thu hồi" in page.content.decode()


def test_this_years_round_has_a_proposal_at_every_step(loaded: None) -> None:
    _, current = rounds()
    statuses = dict(current.proposals.values_list("unit__code", "status"))
    assert sorted(statuses.values()) == sorted([PS.COUNCIL, PS.RETURNED, PS.SUBMITTED, PS.DRAFT])
    returned = ProposalItem.objects.get(proposal__round=current, status=IS.RETURNED)
    assert returned.proposal.status == PS.RETURNED and returned.return_comment
    sent = ProposalItem.objects.filter(proposal__round=current).exclude(proposal__status=PS.DRAFT)
    assert set(sent.values_list("verdict", flat=True)) <= OPEN_VERDICTS
    assert not sent.exclude(override_reason="").exists()
    for proposal in current.proposals.all():
        assert sp.deadline_marks(proposal, TODAY) == []
    # The dossiers of the proposals sent with them were generated from the records.
    for status in (PS.COUNCIL, PS.RETURNED):
        assert current.proposals.get(status=status).documents.filter(generated=True).exists()


def test_the_drafting_unit_has_one_ineligible_item_overridden_by_its_head(loaded: None) -> None:
    _, current = rounds()
    draft = current.proposals.get(status=PS.DRAFT)
    item = draft.items.exclude(override_reason="").get()
    assert draft.items.count() >= 2
    assert item.override_by is not None and item.override_by.username == "thutruong.kttv"
    assert len(item.override_reason) >= 10
    [verdict] = cm.item_verdicts([item], current.year)
    assert verdict.verdict == Verdict.NOT_ELIGIBLE and verdict.unmet


def test_the_public_posting_is_open_and_lists_the_candidates(loaded: None) -> None:
    past, current = rounds()
    window = sp.posting_window(current)
    assert window is not None and window.state(TODAY) == "open"
    posted = list(sp.posted_items(current))
    assert len(posted) >= 2
    assert {i.status for i in posted} == {IS.ACCEPTED, IS.PASSED}
    response = Client().get(reverse("commendations:posting", args=[current.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    for item in posted:
        assert dossier.recipient_name(item) in page
    window = sp.posting_window(past)
    assert window is not None and window.state(TODAY) == "after"


def test_two_opinions_on_the_posting_one_answered(loaded: None) -> None:
    _, current = rounds()
    comments = current.posting_comments.all()
    assert comments.count() == 2
    answered = comments.exclude(response="").get()
    assert answered.handled_by is not None and answered.handled_by.username == "thuongtruc"
    assert answered.item is not None and answered.item.proposal.status == PS.COUNCIL
    assert all(c.ip_hash == "" for c in comments)
    page = login("thuongtruc").get(reverse("commendations:posting_comments", args=[current.pk]))
    assert page.status_code == 200 and answered.name in page.content.decode()


def test_the_demo_logins_reach_the_pages(loaded: None) -> None:
    past, current = rounds()
    standing = login("thuongtruc")
    decision = past.decisions.get()
    certificate = Certificate.objects.filter(decision=decision).order_by("pk").first()
    assert certificate is not None
    urls = [
        reverse("commendations:rounds"),
        reverse("commendations:round", args=[past.pk]),
        reverse("commendations:round", args=[current.pk]),
        reverse("commendations:round_council", args=[past.pk]),
        reverse("commendations:session", args=[past.sessions.get().pk]),
        reverse("commendations:decision", args=[decision.pk]),
        reverse("commendations:certificate", args=[certificate.pk]),
        *[reverse("commendations:proposal", args=[p.pk]) for p in current.proposals.all()],
    ]
    for url in urls:
        assert standing.get(url).status_code == 200, url
    draft = current.proposals.get(status=PS.DRAFT)
    for username in ("canbo.kttv", "thutruong.kttv"):
        page = login(username).get(reverse("commendations:proposal", args=[draft.pk]))
        assert page.status_code == 200, username


def test_the_steps_were_taken_by_the_demo_logins_and_audited(loaded: None) -> None:
    events = AuditEvent.objects.filter(action__startswith="commendation.")
    actions = set(events.values_list("action", flat=True))
    assert {
        "commendation.round_create", "commendation.proposal_create", "commendation.item_add",
        "commendation.item_override", "commendation.proposal_submit",
        "commendation.proposal_take", "commendation.item_return",
        "commendation.proposal_accept", "commendation.dossier_generate",
        "commendation.session_create", "commendation.attendance",
        "commendation.voting_open", "commendation.voting_close",
        "commendation.decision_issue", "commendation.revoke",
        "commendation.posting_comment", "commendation.posting_comment_handle",
    } <= actions  # fmt: skip
    by = dict(
        events.filter(action="commendation.round_create").values_list("actor__username", "action")
    )
    assert set(by) == {"thuongtruc"}
    submitters = set(
        events.filter(action="commendation.proposal_submit").values_list(
            "actor__username", flat=True
        )
    )
    assert {"canbo.soctrang", "canbo.kttv"} <= submitters
    # Only the public opinions are anonymous.
    anonymous = set(events.filter(actor=None).values_list("action", flat=True))
    assert anonymous == {"commendation.posting_comment"}


def test_the_demo_is_built_once_and_the_audit_chain_holds(loaded: None) -> None:
    before = (Round.objects.count(), ProposalItem.objects.count(), AuditEvent.objects.count())
    demo.build(TODAY)
    assert (
        Round.objects.count(),
        ProposalItem.objects.count(),
        AuditEvent.objects.count(),
    ) == before
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "intact" in out.getvalue()
