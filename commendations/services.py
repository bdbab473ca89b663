"""The commendation procedure: rounds, proposals, appraisal, council votes, decisions.

Every change validates first and audits in its transaction. Workflow of a
proposal: DRAFT → SUBMITTED → APPRAISAL (the standing body of the deciding
unit may return it, or single items, with comments; the unit corrects and
resubmits) → COUNCIL → DECIDED. Items: PROPOSED → ACCEPTED → PASSED (council
vote, or directly when the law puts the award to no vote) → DECIDED.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import Perm, can
from audit import services as audit
from awards import services as award_services
from awards.models import Award, AwardType, Initiative
from commendations.models import (
    Attendance,
    BallotReceipt,
    Certificate,
    CouncilSession,
    Decision,
    ItemStatus,
    Proposal,
    ProposalItem,
    ProposalStatus,
    Revocation,
    Round,
    RoundKind,
    SessionStatus,
    Vote,
    VoteChoice,
)
from core.errors import Conflict, FieldError, ValidationFailed, invalid
from core.text import search_key
from eligibility.engine import Verdict, evaluate_people, evaluate_units
from organizations.models import Council, CouncilMember, Unit
from people.models import Person

PS = ProposalStatus
IS = ItemStatus
EDITABLE = (PS.DRAFT, PS.RETURNED)


# --- rounds ---------------------------------------------------------------------------

ROUND_FIELDS = [
    "code",
    "title",
    "kind",
    "year",
    "deciding_unit_id",
    "movement_id",
    "submission_due",
    "appraisal_due",
    "council_on",
    "posting_working_days",
    "note",
]


@dataclass
class RoundData:
    code: str
    title: str
    kind: str
    year: int
    deciding_unit: Unit
    submission_due: dt.date
    appraisal_due: dt.date | None = None
    council_on: dt.date | None = None
    posting_working_days: int = 10
    movement: Any = None
    note: str = ""


def _round_errors(data: RoundData) -> list[FieldError]:
    errors = []
    if not data.code.strip():
        errors.append(FieldError("code", _("Mã đợt không được để trống.")))
    if not data.title.strip():
        errors.append(FieldError("title", _("Tên đợt xét không được để trống.")))
    if data.kind not in RoundKind.values:
        errors.append(FieldError("kind", _("Loại đợt xét không hợp lệ.")))
    if not 2000 <= data.year <= timezone.localdate().year + 1:
        errors.append(FieldError("year", _("Năm thành tích không hợp lệ.")))
    if data.appraisal_due and data.appraisal_due < data.submission_due:
        errors.append(FieldError("appraisal_due", _("Hạn thẩm định phải sau hạn gửi hồ sơ.")))
    if data.council_on and data.council_on < data.submission_due:
        errors.append(FieldError("council_on", _("Ngày họp hội đồng phải sau hạn gửi hồ sơ.")))
    if not 0 <= data.posting_working_days <= 60:
        errors.append(FieldError("posting_working_days", _("Số ngày niêm yết từ 0 đến 60.")))
    return errors


@transaction.atomic
def round_create(*, actor: Any, data: RoundData) -> Round:
    if not can(actor, Perm.PROPOSE_EXEMPLARS, data.deciding_unit):
        raise PermissionDenied
    errors = _round_errors(data)
    if errors:
        raise ValidationFailed(errors)
    if Round.objects.filter(code=data.code.strip()).exists():
        raise Conflict(_("Mã đợt “%(c)s” đã tồn tại.") % {"c": data.code.strip()})
    rnd = Round(
        code=data.code.strip(),
        title=data.title.strip(),
        kind=data.kind,
        year=data.year,
        deciding_unit=data.deciding_unit,
        movement=data.movement,
        submission_due=data.submission_due,
        appraisal_due=data.appraisal_due,
        council_on=data.council_on,
        posting_working_days=data.posting_working_days,
        note=data.note.strip(),
    )
    rnd.search_text = search_key(rnd.code, rnd.title)
    rnd.save()
    audit.record(
        actor=actor,
        action="commendation.round_create",
        obj=rnd,
        after=audit.snapshot(rnd, ROUND_FIELDS),
        unit=rnd.deciding_unit,
    )
    return rnd


# --- proposals and items --------------------------------------------------------------


@transaction.atomic
def proposal_create(*, actor: Any, round: Round, unit: Unit, simplified: bool = False) -> Proposal:
    if not can(actor, Perm.MANAGE_RECORDS, unit):
        raise PermissionDenied
    if not unit.path.startswith(round.deciding_unit.path):
        raise invalid("unit", _("Đơn vị không thuộc phạm vi của cấp quyết định đợt này."))
    if Proposal.objects.filter(round=round, unit=unit).exists():
        raise Conflict(_("Đơn vị đã có hồ sơ trong đợt này."))
    proposal = Proposal.objects.create(round=round, unit=unit, simplified=simplified)
    audit.record(
        actor=actor,
        action="commendation.proposal_create",
        obj=proposal,
        after=audit.snapshot(proposal, ["round_id", "unit_id", "simplified"]),
        unit=unit,
    )
    return proposal


def _unit_officer(actor: Any, proposal: Proposal) -> None:
    """The proposing unit's officers prepare its file; the views check the same through the
    access layer, and the services check again so that no other caller skips it."""
    if not can(actor, Perm.MANAGE_RECORDS, proposal.unit):
        raise PermissionDenied


def _lock(proposal: Proposal) -> Proposal:
    return (
        Proposal.objects.select_for_update(of=("self",))
        .select_related("round__deciding_unit", "unit")
        .get(pk=proposal.pk)
    )


def conflicts(
    *,
    round: Round,
    award_type: AwardType,
    person: Person | None,
    unit: Unit | None,
    initiatives: Sequence[Initiative],
    exclude_item: ProposalItem | None = None,
) -> list[FieldError]:
    """Double reward and reused initiatives, each naming the conflicting record."""
    errors: list[FieldError] = []
    held = (
        Award.objects.filter(award_type=award_type, year=round.year, revoked_on__isnull=True)
        .filter(Q(person=person) if person is not None else Q(unit=unit))
        .first()
    )
    if held is not None:
        errors.append(
            FieldError(
                "award",
                _("Đã được khen “%(a)s” năm %(y)s theo Quyết định số %(n)s ngày %(d)s.")
                % {
                    "a": award_type.name,
                    "y": round.year,
                    "n": held.decision_number,
                    "d": held.decision_date.strftime("%d/%m/%Y"),
                },
            )
        )
    pending = ProposalItem.objects.filter(
        proposal__round__year=round.year,
        award_type=award_type,
        status__in=[IS.PROPOSED, IS.RETURNED, IS.ACCEPTED, IS.PASSED],
    ).filter(Q(person=person) if person is not None else Q(unit=unit))
    if exclude_item is not None:
        pending = pending.exclude(pk=exclude_item.pk)
    other = pending.select_related("proposal__round", "proposal__unit").first()
    if other is not None:
        errors.append(
            FieldError(
                "award",
                _("Đã được đề nghị “%(a)s” năm %(y)s trong hồ sơ của %(u)s (đợt %(r)s).")
                % {
                    "a": award_type.name,
                    "y": round.year,
                    "u": other.proposal.unit.name,
                    "r": other.proposal.round.code,
                },
            )
        )
    # Read who uses each initiative now, not what the caller's objects remember.
    used_now = dict(
        Initiative.objects.filter(pk__in=[i.pk for i in initiatives]).values_list(
            "pk", "used_by_id"
        )
    )
    for initiative in initiatives:
        used_by = used_now.get(initiative.pk)
        if used_by is not None:
            used = Award.objects.select_related("award_type").get(pk=used_by)
            errors.append(
                FieldError(
                    "initiatives",
                    _("Sáng kiến “%(i)s” đã dùng cho “%(a)s” năm %(y)s (Quyết định số %(n)s).")
                    % {
                        "i": initiative.title,
                        "a": used.award_type.name,
                        "y": used.year,
                        "n": used.decision_number,
                    },
                )
            )
            continue
        cited = (
            ProposalItem.objects.filter(
                initiatives=initiative,
                status__in=[IS.PROPOSED, IS.RETURNED, IS.ACCEPTED, IS.PASSED],
            )
            .exclude(pk__in=[exclude_item.pk] if exclude_item is not None else [])
            .select_related("award_type")
            .first()
        )
        if cited is not None:
            errors.append(
                FieldError(
                    "initiatives",
                    _("Sáng kiến “%(i)s” đã được dùng trong đề nghị “%(a)s” khác.")
                    % {"i": initiative.title, "a": cited.award_type.name},
                )
            )
    return errors


@dataclass
class ItemData:
    award_type: AwardType
    achievement: str
    person: Person | None = None
    unit: Unit | None = None
    exemplar: Any = None
    initiatives: Sequence[Initiative] = ()


def _item_errors(proposal: Proposal, data: ItemData) -> list[FieldError]:
    errors = []
    if (data.person is None) == (data.unit is None):
        errors.append(FieldError("recipient", _("Chọn một cá nhân hoặc một tập thể.")))
    elif data.person is not None:
        if not data.award_type.for_people:
            errors.append(FieldError("award", _("Hình thức này chỉ dành cho tập thể.")))
        if not data.person.unit.path.startswith(proposal.unit.path):
            errors.append(
                FieldError(
                    "recipient",
                    _("%(p)s không thuộc đơn vị đề nghị.") % {"p": data.person.full_name},
                )
            )
    elif data.unit is not None:
        if not data.award_type.for_units:
            errors.append(FieldError("award", _("Hình thức này chỉ dành cho cá nhân.")))
        if not data.unit.path.startswith(proposal.unit.path):
            errors.append(FieldError("recipient", _("Tập thể không thuộc đơn vị đề nghị.")))
    if not data.achievement.strip():
        errors.append(FieldError("achievement", _("Cần tóm tắt thành tích.")))
    if data.exemplar is not None and (
        (data.person is not None and data.exemplar.person_id != data.person.pk)
        or (data.unit is not None and data.exemplar.subject_unit_id != data.unit.pk)
    ):
        errors.append(
            FieldError("exemplar", _("Điển hình này không phải của đối tượng được đề nghị."))
        )
    for initiative in data.initiatives:
        if data.person is None or not initiative.authors.filter(pk=data.person.pk).exists():
            errors.append(
                FieldError(
                    "initiatives",
                    _("“%(i)s” không phải sáng kiến của người được đề nghị.")
                    % {"i": initiative.title},
                )
            )
    return errors


ITEM_FIELDS = ["person_id", "unit_id", "award_type_id", "achievement", "exemplar_id", "status"]


@transaction.atomic
def item_add(*, actor: Any, proposal: Proposal, data: ItemData) -> ProposalItem:
    proposal = _lock(proposal)
    _unit_officer(actor, proposal)
    if proposal.status not in EDITABLE:
        raise Conflict(_("Hồ sơ đã gửi, không thêm được đề nghị."))
    errors = _item_errors(proposal, data)
    if not errors:
        errors = conflicts(
            round=proposal.round,
            award_type=data.award_type,
            person=data.person,
            unit=data.unit,
            initiatives=data.initiatives,
        )
    if errors:
        raise ValidationFailed(errors)
    item = ProposalItem.objects.create(
        proposal=proposal,
        person=data.person,
        unit=data.unit,
        award_type=data.award_type,
        achievement=data.achievement.strip(),
        exemplar=data.exemplar,
    )
    item.initiatives.set(data.initiatives)
    audit.record(
        actor=actor,
        action="commendation.item_add",
        obj=proposal,
        after=audit.snapshot(item, ITEM_FIELDS),
        unit=proposal.unit,
    )
    return item


@transaction.atomic
def item_update(
    *, actor: Any, item: ProposalItem, achievement: str, initiatives: Sequence[Initiative] = ()
) -> ProposalItem:
    """The unit corrects an item (also one returned by the standing body)."""
    proposal = _lock(item.proposal)
    _unit_officer(actor, proposal)
    if proposal.status not in EDITABLE:
        raise Conflict(_("Hồ sơ đã gửi, không sửa được."))
    data = ItemData(
        item.award_type, achievement, item.person, item.unit, item.exemplar, initiatives
    )
    errors = _item_errors(proposal, data) or conflicts(
        round=proposal.round,
        award_type=item.award_type,
        person=item.person,
        unit=item.unit,
        initiatives=initiatives,
        exclude_item=item,
    )
    if errors:
        raise ValidationFailed(errors)
    before = audit.snapshot(item, [*ITEM_FIELDS, "return_comment"])
    item.achievement = achievement.strip()
    if item.status == IS.RETURNED:
        item.status = IS.PROPOSED
    item.save()
    item.initiatives.set(initiatives)
    audit.record(
        actor=actor,
        action="commendation.item_update",
        obj=proposal,
        before=before,
        after=audit.snapshot(item, [*ITEM_FIELDS, "return_comment"]),
        unit=proposal.unit,
    )
    return item


@transaction.atomic
def item_delete(*, actor: Any, item: ProposalItem) -> None:
    proposal = _lock(item.proposal)
    _unit_officer(actor, proposal)
    if proposal.status not in EDITABLE:
        raise Conflict(_("Hồ sơ đã gửi, không xóa được đề nghị."))
    audit.record(
        actor=actor,
        action="commendation.item_delete",
        obj=proposal,
        before=audit.snapshot(item, ITEM_FIELDS),
        unit=proposal.unit,
    )
    item.delete()


@dataclass
class ItemVerdict:
    item: ProposalItem
    verdict: str  # Verdict value, or "" when the rule set has no rule for this award
    unmet: list[str]  # explanations of failing conditions


def item_verdicts(items: Iterable[ProposalItem], year: int) -> list[ItemVerdict]:
    """Each item's eligibility for the round's year, with the failing conditions named.
    The people and the collectives are evaluated as two sets, not one by one."""
    items = list(items)
    _rs, people = evaluate_people({i.person_id for i in items if i.person_id}, year)
    _rs, units = evaluate_units({i.unit_id for i in items if not i.person_id and i.unit_id}, year)
    out = []
    for item in items:
        subject = people.get(item.person_id) if item.person_id else units.get(item.unit_id)  # type: ignore[arg-type]
        result = subject.result(item.award_type.code) if subject is not None else None
        if result is None:
            out.append(ItemVerdict(item, "", []))
            continue
        unmet = [o.explanation for o in result.conditions() if o.met is False]
        out.append(ItemVerdict(item, result.verdict.value, unmet))
    return out


@transaction.atomic
def item_override(*, actor: Any, item: ProposalItem, reason: str) -> ProposalItem:
    """An authorised user (the head of the proposing unit) proposes an item that records say
    is not eligible, with a written reason (e.g. an outstanding achievement)."""
    proposal = _lock(item.proposal)
    if not can(actor, Perm.CONFIRM, proposal.unit):
        raise PermissionDenied
    if proposal.status not in EDITABLE:
        raise Conflict(_("Hồ sơ đã gửi."))
    if len(reason.strip()) < 10:
        raise invalid("override_reason", _("Cần ghi rõ lý do (ít nhất 10 ký tự)."))
    before = audit.snapshot(item, ["override_reason", "override_by_id"])
    item.override_reason = reason.strip()
    item.override_by = actor
    item.override_at = timezone.now()
    item.save(update_fields=["override_reason", "override_by", "override_at"])
    audit.record(
        actor=actor,
        action="commendation.item_override",
        obj=proposal,
        before=before,
        after=audit.snapshot(item, ["override_reason", "override_by_id"]),
        unit=proposal.unit,
    )
    return item


@transaction.atomic
def proposal_submit(*, actor: Any, proposal: Proposal) -> Proposal:
    """Send to the deciding level. A hard eligibility failure blocks unless overridden."""
    proposal = _lock(proposal)
    _unit_officer(actor, proposal)
    if proposal.status not in EDITABLE:
        raise Conflict(_("Hồ sơ đã gửi."))
    items = list(proposal.items.select_related("person__unit", "unit", "award_type").order_by("pk"))
    if not items:
        raise invalid("items", _("Hồ sơ chưa có đề nghị nào."))
    errors: list[FieldError] = [
        FieldError(
            f"items.{it.pk}",
            _("Đề nghị của %(who)s bị trả lại chưa được sửa: %(c)s")
            % {"who": it.person or it.unit, "c": it.return_comment},
        )
        for it in items
        if it.status == IS.RETURNED
    ]
    items = [it for it in items if it.status == IS.PROPOSED]
    if not items and not errors:
        raise invalid("items", _("Hồ sơ không còn đề nghị nào để gửi."))
    verdicts = item_verdicts(items, proposal.round.year)
    for v in verdicts:
        v.item.verdict = v.verdict
        if v.verdict == Verdict.NOT_ELIGIBLE and not v.item.override_reason:
            who = v.item.person or v.item.unit
            errors.append(
                FieldError(
                    f"items.{v.item.pk}",
                    _("%(who)s chưa đủ điều kiện “%(a)s”: %(why)s")
                    % {"who": who, "a": v.item.award_type.name, "why": " ".join(v.unmet)},
                )
            )
    if errors:
        raise ValidationFailed(
            errors, _("Có đề nghị chưa đủ điều kiện: sửa, bỏ hoặc ghi lý do đề nghị.")
        )
    ProposalItem.objects.bulk_update(items, ["verdict"])
    before = audit.snapshot(proposal, ["status"])
    proposal.status = PS.SUBMITTED
    proposal.submitted_at = timezone.now()
    proposal.save(update_fields=["status", "submitted_at", "updated_at"])
    audit.record(
        actor=actor,
        action="commendation.proposal_submit",
        obj=proposal,
        before=before,
        after=audit.snapshot(proposal, ["status"]),
        unit=proposal.unit,
    )
    return proposal


def _standing(actor: Any, proposal: Proposal) -> None:
    if not can(actor, Perm.PROPOSE_EXEMPLARS, proposal.round.deciding_unit):
        raise PermissionDenied


@transaction.atomic
def item_return(*, actor: Any, item: ProposalItem, comment: str) -> Proposal:
    """The standing body returns one item; the proposal goes back to the unit."""
    proposal = _lock(item.proposal)
    _standing(actor, proposal)
    if proposal.status not in (PS.SUBMITTED, PS.APPRAISAL):
        raise Conflict(_("Hồ sơ không ở bước thẩm định."))
    if not comment.strip():
        raise invalid("comment", _("Cần ghi ý kiến để đơn vị bổ sung."))
    before = audit.snapshot(item, ["status", "return_comment"])
    item.status = IS.RETURNED
    item.return_comment = comment.strip()
    item.save(update_fields=["status", "return_comment"])
    # The item carries its own comment; the proposal's comment is for a return of
    # the whole file and must not be overwritten by the last item returned.
    proposal.status = PS.RETURNED
    proposal.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action="commendation.item_return",
        obj=proposal,
        before=before,
        after=audit.snapshot(item, ["status", "return_comment"]),
        unit=proposal.unit,
    )
    return proposal


@transaction.atomic
def proposal_return(*, actor: Any, proposal: Proposal, comment: str) -> Proposal:
    """The standing body returns the whole file (e.g. a missing document)."""
    proposal = _lock(proposal)
    _standing(actor, proposal)
    if proposal.status not in (PS.SUBMITTED, PS.APPRAISAL):
        raise Conflict(_("Hồ sơ không ở bước thẩm định."))
    if not comment.strip():
        raise invalid("comment", _("Cần ghi ý kiến để đơn vị bổ sung."))
    before = audit.snapshot(proposal, ["status", "return_comment"])
    proposal.status = PS.RETURNED
    proposal.return_comment = comment.strip()
    proposal.save(update_fields=["status", "return_comment", "updated_at"])
    audit.record(
        actor=actor,
        action="commendation.proposal_return",
        obj=proposal,
        before=before,
        after=audit.snapshot(proposal, ["status", "return_comment"]),
        unit=proposal.unit,
    )
    return proposal


@transaction.atomic
def item_reject(*, actor: Any, item: ProposalItem, reason: str) -> ProposalItem:
    """The standing body does not put an item to the council, with its reason."""
    proposal = _lock(item.proposal)
    _standing(actor, proposal)
    if proposal.status not in (PS.SUBMITTED, PS.APPRAISAL):
        raise Conflict(_("Hồ sơ không ở bước thẩm định."))
    item = ProposalItem.objects.select_for_update().get(pk=item.pk)
    if item.status != IS.PROPOSED:
        raise Conflict(_("Đề nghị này không còn chờ thẩm định."))
    if not reason.strip():
        raise invalid("comment", _("Cần ghi lý do không trình Hội đồng."))
    before = audit.snapshot(item, ["status", "return_comment"])
    item.status = IS.REJECTED
    item.return_comment = reason.strip()
    item.save(update_fields=["status", "return_comment"])
    audit.record(
        actor=actor,
        action="commendation.item_reject",
        obj=proposal,
        before=before,
        after=audit.snapshot(item, ["status", "return_comment"]),
        unit=proposal.unit,
    )
    return item


@transaction.atomic
def proposal_accept(*, actor: Any, proposal: Proposal) -> Proposal:
    """Appraisal done: items go to the council (or straight to PASSED when the law puts
    the award to no vote)."""
    proposal = _lock(proposal)
    _standing(actor, proposal)
    if proposal.status not in (PS.SUBMITTED, PS.APPRAISAL):
        raise Conflict(_("Hồ sơ không ở bước thẩm định."))
    items = list(proposal.items.select_related("award_type").filter(status=IS.PROPOSED))
    for item in items:
        item.status = IS.ACCEPTED if item.award_type.council_vote else IS.PASSED
    ProposalItem.objects.bulk_update(items, ["status"])
    proposal.status = PS.COUNCIL if items else PS.REJECTED
    proposal.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action="commendation.proposal_accept",
        obj=proposal,
        after={"status": proposal.status, "items": {i.pk: i.status for i in items}},
        unit=proposal.unit,
    )
    return proposal


# --- council sessions and votes ------------------------------------------------------


def council_members(council: Council, on: dt.date) -> list[CouncilMember]:
    """Members in office on the session day: the total the thresholds count on."""
    return list(
        council.members.filter(valid_from__lte=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .select_related("person")
        .order_by("role", "person__sort_key")
    )


@transaction.atomic
def session_create(
    *,
    actor: Any,
    round: Round,
    held_on: dt.date,
    max_rounds: int = 2,
    quorum: tuple[int, int] = (2, 3),
) -> CouncilSession:
    council = Council.objects.filter(unit=round.deciding_unit).first()
    if council is None:
        raise invalid("council", _("Cấp quyết định chưa có Hội đồng Thi đua – Khen thưởng."))
    if not 1 <= max_rounds <= 5:
        raise invalid("max_rounds", _("Số vòng bỏ phiếu từ 1 đến 5."))
    num, den = quorum
    if not (1 <= num <= den <= 20 and 2 * num >= den):
        raise invalid("quorum", _("Tỷ lệ có mặt tối thiểu phải từ một nửa đến toàn bộ thành viên."))
    session = CouncilSession.objects.create(
        round=round,
        council=council,
        held_on=held_on,
        max_rounds=max_rounds,
        quorum_num=num,
        quorum_den=den,
    )
    agenda = ProposalItem.objects.filter(
        proposal__round=round, proposal__status=PS.COUNCIL, status=IS.ACCEPTED
    )
    session.items.set(agenda)
    audit.record(
        actor=actor,
        action="commendation.session_create",
        obj=session,
        after={"held_on": held_on.isoformat(), "items": sorted(i.pk for i in agenda)},
        unit=round.deciding_unit,
    )
    return session


@transaction.atomic
def attendance_set(*, actor: Any, session: CouncilSession, present: Iterable[int]) -> None:
    """`present`: ids of the CouncilMember rows present; everyone else is absent."""
    if session.status != SessionStatus.PLANNED:
        raise Conflict(_("Phiên họp đã bắt đầu, không sửa điểm danh."))
    members = council_members(session.council, session.held_on)
    here = set(present)
    Attendance.objects.filter(session=session).delete()
    Attendance.objects.bulk_create(
        [Attendance(session=session, member=m, present=m.pk in here) for m in members]
    )
    audit.record(
        actor=actor,
        action="commendation.attendance",
        obj=session,
        after={"present": sorted(m.pk for m in members if m.pk in here)},
        unit=session.round.deciding_unit,
    )


def quorum(session: CouncilSession) -> tuple[int, int, bool]:
    """(present, total members, quorum reached): present ≥ num/den of the members."""
    total = len(council_members(session.council, session.held_on))
    present = Attendance.objects.filter(session=session, present=True).count()
    return present, total, total > 0 and present * session.quorum_den >= session.quorum_num * total


@transaction.atomic
def voting_open(*, actor: Any, session: CouncilSession) -> CouncilSession:
    """Open the next voting round (the first needs the quorum)."""
    session = CouncilSession.objects.select_for_update().get(pk=session.pk)
    if session.status == SessionStatus.CLOSED:
        raise Conflict(_("Phiên họp đã kết thúc."))
    if session.voting_round >= session.max_rounds:
        raise Conflict(_("Đã bỏ phiếu đủ %(n)s vòng theo quy chế.") % {"n": session.max_rounds})
    present, total, ok = quorum(session)
    if not ok:
        raise invalid(
            "quorum",
            _("Chưa đủ số thành viên có mặt: %(p)s/%(t)s, cần từ %(n)s/%(d)s tổng số thành viên.")
            % {"p": present, "t": total, "n": session.quorum_num, "d": session.quorum_den},
        )
    session.status = SessionStatus.OPEN
    session.voting_round += 1
    session.save(update_fields=["status", "voting_round"])
    audit.record(
        actor=actor,
        action="commendation.voting_open",
        obj=session,
        after={"voting_round": session.voting_round},
        unit=session.round.deciding_unit,
    )
    return session


def member_of(session: CouncilSession, user: Any) -> CouncilMember | None:
    person_id = getattr(user, "person_id", None)
    if person_id is None:
        return None
    return next(
        (m for m in council_members(session.council, session.held_on) if m.person_id == person_id),
        None,
    )


def open_items(session: CouncilSession) -> list[ProposalItem]:
    """Items still to be voted in the current round (not yet passed)."""
    return list(session.items.filter(status=IS.ACCEPTED).select_related("award_type"))


class AlreadyVoted(Conflict):
    pass


def cast_vote(
    *,
    session: CouncilSession,
    item: ProposalItem,
    member: CouncilMember,
    choice: str,
    written: bool = False,
    actor: Any = None,
) -> None:
    """One ballot per member, item and round: the unique receipt makes a repeated or
    parallel request fail without counting twice. Not audited per vote: the audit
    would link the member to the choice and break the secret ballot; the receipt is
    the record that the member voted."""
    if choice not in VoteChoice.values:
        raise invalid("choice", _("Phiếu không hợp lệ."))
    with transaction.atomic():
        current = CouncilSession.objects.select_for_update().get(pk=session.pk)
        if current.status != SessionStatus.OPEN:
            raise Conflict(_("Chưa mở hoặc đã kết thúc bỏ phiếu."))
        if not current.items.filter(pk=item.pk, status=IS.ACCEPTED).exists():
            raise Conflict(_("Đề nghị này không còn trong lượt bỏ phiếu."))
        present = Attendance.objects.filter(session=current, member=member, present=True).exists()
        if written == present:
            raise invalid(
                "member",
                _(
                    "Thành viên vắng mặt gửi ý kiến bằng văn bản; thành viên có mặt bỏ phiếu "
                    "trực tiếp."
                )
                if not written
                else _("Thành viên có mặt bỏ phiếu trực tiếp, không ghi ý kiến bằng văn bản."),
            )
        try:
            with transaction.atomic():
                BallotReceipt.objects.create(
                    session=current,
                    item=item,
                    voting_round=current.voting_round,
                    member=member,
                    written=written,
                )
        except IntegrityError:
            raise AlreadyVoted(_("Thành viên đã bỏ phiếu cho đề nghị này ở vòng này.")) from None
        Vote.objects.create(
            session=current, item=item, voting_round=current.voting_round, choice=choice
        )


@dataclass
class Tally:
    item: ProposalItem
    yes: int
    no: int
    ballots: int
    members: int
    threshold: int  # percent of the council's total membership

    @property
    def needed(self) -> int:
        # ceil(threshold% of members) in integers: 80 % of 10 → 8, 90 % of 10 → 9.
        return -(-self.threshold * self.members // 100)

    @property
    def passed(self) -> bool:
        return self.members > 0 and self.yes * 100 >= self.threshold * self.members


def tallies(session: CouncilSession, voting_round: int | None = None) -> list[Tally]:
    rnd = voting_round or (
        CouncilSession.objects.filter(pk=session.pk).values_list("voting_round", flat=True).get()
    )
    members = len(council_members(session.council, session.held_on))
    items = list(session.items.select_related("award_type", "person", "unit").order_by("pk"))
    counts = {
        (row["item_id"], row["choice"]): row["n"]
        for row in Vote.objects.filter(session=session, voting_round=rnd)
        .values("item_id", "choice")
        .annotate(n=Count("id"))
    }
    out = []
    for item in items:
        yes = counts.get((item.pk, VoteChoice.YES), 0)
        no = counts.get((item.pk, VoteChoice.NO), 0)
        threshold = item.award_type.vote_threshold or 50
        out.append(Tally(item, yes, no, yes + no, members, threshold))
    return out


@transaction.atomic
def voting_close(*, actor: Any, session: CouncilSession) -> list[Tally]:
    """Close the current round: items reaching the threshold pass. Others stay for the
    next round if the rules allow one, else they fail."""
    session = CouncilSession.objects.select_for_update().get(pk=session.pk)
    if session.status != SessionStatus.OPEN:
        raise Conflict(_("Không có vòng bỏ phiếu đang mở."))
    results = tallies(session)
    last_round = session.voting_round >= session.max_rounds
    for t in results:
        if t.item.status != IS.ACCEPTED:
            continue
        if t.passed:
            t.item.status = IS.PASSED
        elif last_round:
            t.item.status = IS.FAILED
    ProposalItem.objects.bulk_update([t.item for t in results], ["status"])
    still_open = any(t.item.status == IS.ACCEPTED for t in results)
    session.status = (
        SessionStatus.PLANNED if still_open and not last_round else SessionStatus.CLOSED
    )
    session.save(update_fields=["status"])
    audit.record(
        actor=actor,
        action="commendation.voting_close",
        obj=session,
        after={
            "voting_round": session.voting_round,
            "results": {
                str(t.item.pk): {"yes": t.yes, "no": t.no, "passed": t.passed} for t in results
            },
        },
        unit=session.round.deciding_unit,
    )
    return results


# --- decisions, certificates, revocation ------------------------------------------------


@dataclass
class DecisionData:
    number: str
    signed_on: dt.date | None
    signer: str
    authority: str


@transaction.atomic
def decision_issue(
    *, actor: Any, round: Round, data: DecisionData, items: Sequence[ProposalItem]
) -> Decision:
    """Create the award records of the approved items in one transaction (next year's
    eligibility sees them), with a certificate each."""
    errors = []
    if not data.number.strip():
        errors.append(FieldError("number", _("Cần số quyết định.")))
    if data.signed_on is None:
        errors.append(FieldError("signed_on", _("Cần ngày ký.")))
    elif data.signed_on > timezone.localdate():
        errors.append(FieldError("signed_on", _("Ngày ký không được sau hôm nay.")))
    if not data.signer.strip():
        errors.append(FieldError("signer", _("Cần người ký.")))
    if not data.authority.strip():
        errors.append(FieldError("authority", _("Cần cơ quan quyết định.")))
    if not items:
        errors.append(FieldError("items", _("Chọn các đề nghị được khen thưởng.")))
    locked = list(
        ProposalItem.objects.select_for_update(of=("self",))
        .filter(pk__in=[i.pk for i in items])
        .select_related("award_type", "person__unit", "unit", "proposal__round")
    )
    for item in locked:
        if item.proposal.round_id != round.pk or item.status != IS.PASSED:
            errors.append(
                FieldError(
                    f"items.{item.pk}",
                    _("“%(i)s” chưa được thông qua trong đợt này.") % {"i": item},
                )
            )
    if errors:
        raise ValidationFailed(errors)
    if Decision.objects.filter(
        authority=data.authority.strip(), number=data.number.strip()
    ).exists():
        raise Conflict(_("Số quyết định này đã được dùng."))
    assert data.signed_on is not None
    decision = Decision.objects.create(
        round=round,
        number=data.number.strip(),
        signed_on=data.signed_on,
        signer=data.signer.strip(),
        authority=data.authority.strip(),
        created_by=actor if getattr(actor, "pk", None) else None,
    )
    prefix = f"{round.year}/{decision.pk}"
    for index, item in enumerate(locked, start=1):
        award = award_services.award_create(
            actor=actor,
            data=award_services.AwardData(
                award_type=item.award_type,
                year=round.year,
                decision_number=decision.number,
                decision_date=decision.signed_on,
                person=item.person,
                unit=item.unit,
                signer=decision.signer,
                authority=decision.authority,
                initiatives=list(item.initiatives.all()),
            ),
        )
        item.award = award
        item.status = IS.DECIDED
        item.save(update_fields=["award", "status"])
        Certificate.objects.create(
            award=award,
            decision=decision,
            number=f"{prefix}-{index:04d}",
            issued_on=decision.signed_on,
        )
    Proposal.objects.filter(pk__in={i.proposal_id for i in locked}, status=PS.COUNCIL).exclude(
        items__status__in=[IS.ACCEPTED]
    ).update(status=PS.DECIDED)
    audit.record(
        actor=actor,
        action="commendation.decision_issue",
        obj=decision,
        after={
            "number": decision.number,
            "signed_on": decision.signed_on.isoformat(),
            "items": [i.pk for i in locked],
        },
        unit=round.deciding_unit,
    )
    return decision


@transaction.atomic
def revoke(
    *, actor: Any, award: Award, reason: str, decision_number: str, decision_date: dt.date | None
) -> Revocation:
    """Law Art. 93: the award is cancelled; eligibility stops counting it and the
    certificate's verification page says revoked."""
    award = Award.objects.select_for_update(of=("self",)).get(pk=award.pk)
    errors = []
    if not reason.strip():
        errors.append(FieldError("reason", _("Cần ghi lý do thu hồi.")))
    if not decision_number.strip():
        errors.append(FieldError("decision_number", _("Cần số quyết định thu hồi.")))
    if decision_date is None:
        errors.append(FieldError("decision_date", _("Cần ngày quyết định thu hồi.")))
    elif decision_date < award.decision_date:
        errors.append(
            FieldError("decision_date", _("Ngày thu hồi không thể trước ngày khen thưởng."))
        )
    if errors:
        raise ValidationFailed(errors)
    if award.revoked_on is not None:
        raise Conflict(_("Khen thưởng này đã bị thu hồi."))
    assert decision_date is not None
    revocation = Revocation.objects.create(
        award=award,
        reason=reason.strip(),
        decision_number=decision_number.strip(),
        decision_date=decision_date,
        by=actor if getattr(actor, "pk", None) else None,
    )
    award.revoked_on = decision_date
    award.save(update_fields=["revoked_on", "updated_at"])
    # The initiatives it used are not freed: the achievement was judged, not reused.
    audit.record(
        actor=actor,
        action="commendation.revoke",
        obj=award,
        before={"revoked_on": None},
        after={
            "revoked_on": decision_date.isoformat(),
            "reason": revocation.reason,
            "decision_number": revocation.decision_number,
        },
        unit=award.person.unit if award.person_id else award.unit,  # type: ignore[union-attr]
    )
    return revocation
