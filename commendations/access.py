"""Who reaches the rounds, proposals and dossier documents (built on accounts.access).

- A round belongs to its deciding unit. It is seen by whoever sees that unit, and
  by the units that may propose in it (those in its subtree: their scope lies
  under the deciding unit). The standing body of the deciding unit
  (Perm.PROPOSE_EXEMPLARS there) opens and edits it.
- A proposal belongs to the proposing unit: seen by whoever sees that unit (the
  levels above it, the deciding unit among them, see it too). The unit's
  officers prepare it (Perm.MANAGE_RECORDS on the unit), its head overrides an
  ineligible item (Perm.CONFIRM), and the standing body of the round's deciding
  unit appraises it (Perm.PROPOSE_EXEMPLARS on the deciding unit).
- The dossier's documents carry personal records (ratings, awards): they need
  Perm.VIEW_SENSITIVE on the proposing unit, like the eligibility verdicts.
- Sessions, decisions and the round's council page belong to the deciding unit:
  seen by whoever sees that unit, changed by its standing body.
- The ballot belongs to the council's members (services.member_of), whatever
  their roles: a member votes even without a role on the deciding unit.
- The live tally: the standing body, or the council's chair, vice-chair or
  secretary.
- A certificate is seen through its award (the holder's unit) and revoked by the
  standing body of the unit that decided it.

Outsiders get 404, insiders without the right get 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.access import Perm, can, check_unit, get_award_for, scope_for, units_visible_to
from commendations import services
from commendations.models import (
    Certificate,
    CouncilSession,
    Decision,
    Document,
    PostingComment,
    Proposal,
    ProposalItem,
    Round,
)
from commendations.services_council import may_follow_tally
from organizations.models import CouncilMember, Unit, UnitStatus

STANDING = Perm.PROPOSE_EXEMPLARS  # the standing body of the deciding unit
UNIT = Perm.MANAGE_RECORDS  # the proposing unit's officers
HEAD = Perm.CONFIRM  # the proposing unit's head
SENSITIVE = Perm.VIEW_SENSITIVE


# --- rounds -----------------------------------------------------------------------------


def rounds_visible_to(user: Any) -> QuerySet[Round]:
    """Rounds decided in the user's scope, or above it (the user's units may propose)."""
    scope = scope_for(user, Perm.VIEW)
    if scope.everything:
        return Round.objects.all()
    return Round.objects.filter(
        scope.unit_q("deciding_unit__") | Q(deciding_unit_id__in=scope.ids_at_or_above())
    )


def get_round_for(user: Any, pk: int, write: Perm | None = None) -> Round:
    rnd = rounds_visible_to(user).select_related("deciding_unit", "movement").filter(pk=pk).first()
    if rnd is None:
        raise Http404
    if write is not None and not can(user, write, rnd.deciding_unit):
        raise PermissionDenied
    return rnd


def may_manage_round(user: Any, rnd: Round) -> bool:
    return can(user, STANDING, rnd.deciding_unit)


def deciding_units_for(user: Any) -> QuerySet[Unit]:
    """Units where the user may open a round (the standing body's scope)."""
    return units_visible_to(user, STANDING).filter(status=UnitStatus.ACTIVE).order_by("path")


def proposing_units(user: Any, rnd: Round) -> QuerySet[Unit]:
    """Active units of the round's subtree the user prepares proposals for."""
    return (
        units_visible_to(user, UNIT)
        .filter(path__startswith=rnd.deciding_unit.path, status=UnitStatus.ACTIVE)
        .order_by("path")
    )


# --- proposals --------------------------------------------------------------------------


def proposals_visible_to(user: Any) -> QuerySet[Proposal]:
    """Proposals of units in scope. The deciding unit is always above (or is) the
    proposing unit, so whoever sees it sees every proposal of its rounds."""
    return Proposal.objects.filter(scope_for(user, Perm.VIEW).unit_q("unit__"))


def get_proposal_for(
    user: Any, pk: int, write: Perm | None = None, *, at_deciding: bool = False
) -> Proposal:
    """`write` is checked on the proposing unit, or on the round's deciding unit with
    `at_deciding` (the standing body's appraisal)."""
    proposal = (
        proposals_visible_to(user)
        .select_related("round__deciding_unit", "unit")
        .filter(pk=pk)
        .first()
    )
    if proposal is None:
        raise Http404
    if write is not None:
        target = proposal.round.deciding_unit if at_deciding else proposal.unit
        if not can(user, write, target):
            raise PermissionDenied
    return proposal


def get_item_of(proposal: Proposal, pk: int) -> ProposalItem:
    item = (
        proposal.items.select_related("person__unit", "unit", "award_type", "exemplar")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404
    item.proposal = proposal  # already checked; keep the loaded round and unit
    return item


def get_document_of(proposal: Proposal, pk: int) -> Document:
    document = proposal.documents.select_related("item").filter(pk=pk).first()
    if document is None:
        raise Http404
    return document


def may_prepare(user: Any, proposal: Proposal) -> bool:
    return can(user, UNIT, proposal.unit)


def may_override(user: Any, proposal: Proposal) -> bool:
    return can(user, HEAD, proposal.unit)


def may_appraise(user: Any, proposal: Proposal) -> bool:
    return can(user, STANDING, proposal.round.deciding_unit)


def may_see_records(user: Any, proposal: Proposal) -> bool:
    """Verdicts and dossier documents reveal personal records (discipline among them)."""
    return can(user, SENSITIVE, proposal.unit)


# --- council, decisions, certificates ----------------------------------------------------


def get_round_council_for(user: Any, pk: int, write: Perm | None = None) -> Round:
    """Stricter than access.get_round_for: the council's side of a round (sessions,
    passed items of every unit, decisions) is for those who see the deciding unit,
    not for the units below that only propose in it."""
    rnd = Round.objects.select_related("deciding_unit").filter(pk=pk).first()
    if rnd is None:
        raise Http404
    check_unit(user, rnd.deciding_unit, write)
    return rnd


def _session(pk: int) -> CouncilSession:
    session = (
        CouncilSession.objects.select_related("round__deciding_unit", "council__unit")
        .filter(pk=pk)
        .first()
    )
    if session is None:
        raise Http404
    return session


def get_session_for(user: Any, pk: int, write: Perm | None = None) -> CouncilSession:
    session = _session(pk)
    check_unit(user, session.round.deciding_unit, write)
    return session


def get_ballot_for(user: Any, pk: int) -> tuple[CouncilSession, CouncilMember]:
    """The session and the user's seat on its council; non-members are refused."""
    session = _session(pk)
    member = services.member_of(session, user)
    if member is None:
        check_unit(user, session.round.deciding_unit)  # 404 for outsiders
        raise PermissionDenied
    return session, member


def get_tally_for(user: Any, pk: int) -> CouncilSession:
    session = _session(pk)
    if can(user, STANDING, session.round.deciding_unit) or may_follow_tally(session, user):
        return session
    check_unit(user, session.round.deciding_unit)
    raise PermissionDenied


def may_manage(user: Any, rnd: Round) -> bool:
    return can(user, STANDING, rnd.deciding_unit)


def get_decision_for(user: Any, pk: int, write: Perm | None = None) -> Decision:
    decision = Decision.objects.select_related("round__deciding_unit").filter(pk=pk).first()
    if decision is None:
        raise Http404
    check_unit(user, decision.round.deciding_unit, write)
    return decision


def get_certificate_for(user: Any, pk: int, write: Perm | None = None) -> Certificate:
    certificate = (
        Certificate.objects.select_related(
            "decision__round__deciding_unit", "award__award_type", "award__revocation"
        )
        .filter(pk=pk)
        .first()
    )
    if certificate is None:
        raise Http404
    get_award_for(user, certificate.award_id)  # 404 unless the holder is in scope
    if write is not None and not can(user, write, certificate.decision.round.deciding_unit):
        raise PermissionDenied
    return certificate


def get_posting_comment_for(
    user: Any, round: int, pk: int, write: Perm | None = None
) -> PostingComment:
    """An opinion on the public posting belongs to the round's deciding unit."""
    rnd = get_round_council_for(user, round, write)
    comment = rnd.posting_comments.select_related("round__deciding_unit").filter(pk=pk).first()
    if comment is None:
        raise Http404
    return comment
