"""Read side of the council, decision and certificate pages.

The writes (session_create, attendance_set, voting_open/close, cast_vote,
decision_issue, revoke) live in commendations/services.py; these helpers only
gather what the pages and documents show, so the views never query models
directly. Nothing here ever joins a ballot receipt to a vote: the secret ballot
holds by construction.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from commendations.models import (
    Attendance,
    BallotReceipt,
    Certificate,
    CouncilSession,
    Decision,
    ItemStatus,
    ProposalItem,
    Round,
    SessionStatus,
)
from commendations.services import Tally, council_members, member_of, quorum, tallies
from organizations.models import CouncilMember, CouncilRole

IS = ItemStatus
# Members who may follow the live tally besides the standing body.
TALLY_ROLES = (CouncilRole.CHAIR, CouncilRole.VICE_CHAIR, CouncilRole.SECRETARY)


@dataclass
class AttendanceRow:
    member: CouncilMember
    present: bool | None  # None: not recorded yet


@dataclass
class QuorumInfo:
    present: int
    total: int
    reached: bool
    fraction: str  # "2/3"
    needed: int  # members who must be present


@dataclass
class RoundResult:
    number: int
    tallies: list[Tally] = field(default_factory=list)


def sessions_of(round: Round) -> QuerySet[CouncilSession]:
    return round.sessions.select_related("council").order_by("held_on", "pk")


def decisions_of(round: Round) -> QuerySet[Decision]:
    return round.decisions.order_by("signed_on", "pk")


def attendance_rows(session: CouncilSession) -> list[AttendanceRow]:
    recorded = dict(Attendance.objects.filter(session=session).values_list("member_id", "present"))
    return [
        AttendanceRow(m, recorded.get(m.pk))
        for m in council_members(session.council, session.held_on)
    ]


def quorum_info(session: CouncilSession) -> QuorumInfo:
    present, total, reached = quorum(session)
    return QuorumInfo(
        present=present,
        total=total,
        reached=reached,
        fraction=f"{session.quorum_num}/{session.quorum_den}",
        needed=-(-session.quorum_num * total // session.quorum_den),
    )


def agenda(session: CouncilSession) -> list[ProposalItem]:
    return list(
        session.items.select_related(
            "award_type", "person__unit", "unit", "proposal__unit"
        ).order_by("award_type__order", "proposal__unit__path", "pk")
    )


def absent_members(session: CouncilSession) -> list[CouncilMember]:
    return [row.member for row in attendance_rows(session) if row.present is False]


def voted_item_ids(session: CouncilSession, member: CouncilMember) -> set[int]:
    """Items this member has voted on in the current round (not how)."""
    return set(
        BallotReceipt.objects.filter(
            session=session, member=member, voting_round=session.voting_round
        ).values_list("item_id", flat=True)
    )


def ballot_items(session: CouncilSession) -> list[ProposalItem]:
    """The items of the open round, in agenda order."""
    if session.status != SessionStatus.OPEN:
        return []
    return [item for item in agenda(session) if item.status == IS.ACCEPTED]


def may_follow_tally(session: CouncilSession, user: Any) -> bool:
    member = member_of(session, user)
    return member is not None and member.role in TALLY_ROLES


def open_ballots_for(user: Any) -> list[tuple[CouncilSession, CouncilMember]]:
    """Sessions voting now in which the user sits on the council."""
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        return []
    sessions = (
        CouncilSession.objects.filter(
            status=SessionStatus.OPEN, council__members__person_id=person_id
        )
        .select_related("council", "round")
        .distinct()
    )
    out = []
    for session in sessions:
        member = member_of(session, user)
        if member is not None:
            out.append((session, member))
    return out


def round_results(session: CouncilSession) -> list[RoundResult]:
    """Every voting round held, each with the items that were put to the vote in it:
    an item passed in one round is not voted again in the next."""
    out: list[RoundResult] = []
    passed_before: set[int] = set()
    for number in range(1, session.voting_round + 1):
        rows = [t for t in tallies(session, number) if t.item.pk not in passed_before]
        out.append(RoundResult(number, rows))
        passed_before |= {t.item.pk for t in rows if t.passed}
    return out


def written_opinions(session: CouncilSession) -> int:
    """Written ballots sent by absent members, over every item and round."""
    return BallotReceipt.objects.filter(session=session, written=True).count()


def written_members(session: CouncilSession) -> int:
    return (
        BallotReceipt.objects.filter(session=session, written=True)
        .values("member")
        .distinct()
        .count()
    )


def decidable_items(round: Round) -> list[ProposalItem]:
    """Items of the round approved (by the council, or directly when no vote is due)
    and not decided yet."""
    return list(
        ProposalItem.objects.filter(proposal__round=round, status=IS.PASSED)
        .select_related("award_type", "person__unit", "unit", "proposal__unit")
        .order_by("award_type__order", "proposal__unit__path", "pk")
    )


def decision_items(decision: Decision) -> list[ProposalItem]:
    return list(
        ProposalItem.objects.filter(award__certificate__decision=decision)
        .select_related(
            "award_type", "person__unit", "unit", "award__certificate", "award__revocation"
        )
        .order_by("award__certificate__number")
    )


def certificate_of_award(award_id: int) -> Certificate | None:
    return (
        Certificate.objects.select_related("decision__round__deciding_unit", "award")
        .filter(award_id=award_id)
        .first()
    )


def certificate_for_token(token: uuid.UUID) -> Certificate | None:
    return (
        Certificate.objects.select_related(
            "award__award_type",
            "award__person__unit",
            "award__unit",
            "award__revocation",
            "decision__round",
        )
        .filter(token=token)
        .first()
    )


def printable_certificates(decision: Decision) -> list[tuple[Certificate, str]]:
    """The decision's certificates still in force, in register order, each with the
    achievement of its item (three queries whatever their number)."""
    certificates = list(
        Certificate.objects.filter(decision=decision, award__revocation__isnull=True)
        .select_related(
            "decision__round__deciding_unit",
            "award__award_type",
            "award__person__unit",
            "award__unit__parent",
        )
        .order_by("number")
    )
    achievements = dict(
        ProposalItem.objects.filter(award__in=[c.award_id for c in certificates]).values_list(
            "award", "achievement"
        )
    )
    return [(c, achievements.get(c.award_id, "")) for c in certificates]


def achievement_of(certificate: Certificate) -> str:
    item = ProposalItem.objects.filter(award=certificate.award_id).only("achievement").first()
    return item.achievement if item is not None else ""


def default_signed_on() -> dt.date:
    return timezone.localdate()
