"""Rounds and proposals beyond the core workflow of commendations/services.py: editing a
round, the proposal's cover fields, taking a proposal into appraisal, deleting a draft,
the dossier's files (generated and uploaded), and the read side of the round, proposal
and public posting pages (who holds the file, deadlines, the posting window).

Writes validate first and audit in their transaction, as the core services do.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.access import Perm, can
from audit import services as audit
from awards.models import AwardType, Initiative
from commendations import dossier
from commendations.models import (
    Document,
    DocumentKind,
    ItemStatus,
    PostingComment,
    Proposal,
    ProposalItem,
    ProposalStatus,
    Round,
)
from commendations.services import (
    EDITABLE,
    ROUND_FIELDS,
    RoundData,
    _lock,
    _round_errors,
    _standing,
    _unit_officer,
)
from core.errors import Conflict, FieldError, ValidationFailed, invalid
from core.text import search_key
from exemplars.models import Exemplar
from organizations.models import Council, Unit, UnitStatus
from people.models import Person

PS = ProposalStatus
IS = ItemStatus

# --- rounds ------------------------------------------------------------------------------


@transaction.atomic
def round_update(*, actor: Any, round: Round, data: RoundData) -> Round:
    """Change a round. Its code and deciding unit identify it and stay; the year stays
    once a proposal exists (verdicts and double-reward checks are read for that year)."""
    rnd = Round.objects.select_for_update().select_related("deciding_unit").get(pk=round.pk)
    if not can(actor, Perm.PROPOSE_EXEMPLARS, rnd.deciding_unit):
        raise PermissionDenied
    data.code, data.deciding_unit = rnd.code, rnd.deciding_unit
    errors = _round_errors(data)
    if data.year != rnd.year and rnd.proposals.exists():
        errors.append(
            FieldError("year", _("Đợt đã có hồ sơ đề nghị, không đổi được năm thành tích."))
        )
    if errors:
        raise ValidationFailed(errors)
    before = audit.snapshot(rnd, ROUND_FIELDS)
    rnd.title = data.title.strip()
    rnd.kind = data.kind
    rnd.year = data.year
    rnd.movement = data.movement
    rnd.submission_due = data.submission_due
    rnd.appraisal_due = data.appraisal_due
    rnd.council_on = data.council_on
    rnd.posting_working_days = data.posting_working_days
    rnd.note = data.note.strip()
    rnd.search_text = search_key(rnd.code, rnd.title)
    rnd.save()
    audit.record(
        actor=actor,
        action="commendation.round_update",
        obj=rnd,
        before=before,
        after=audit.snapshot(rnd, ROUND_FIELDS),
        unit=rnd.deciding_unit,
    )
    return rnd


# --- proposals ---------------------------------------------------------------------------

MAX_SUMMARY = 20_000


@transaction.atomic
def proposal_update(*, actor: Any, proposal: Proposal, simplified: bool, summary: str) -> Proposal:
    """The cover submission's text and whether the simplified dossier (Art. 85) applies."""
    proposal = _lock(proposal)
    _unit_officer(actor, proposal)
    if proposal.status not in EDITABLE:
        raise Conflict(_("Hồ sơ đã gửi, không sửa được."))
    if len(summary) > MAX_SUMMARY:
        raise invalid("summary", _("Nội dung tờ trình quá dài."))
    before = audit.snapshot(proposal, ["simplified", "summary"])
    proposal.simplified = simplified
    proposal.summary = summary.strip()
    proposal.save(update_fields=["simplified", "summary", "updated_at"])
    audit.record(
        actor=actor,
        action="commendation.proposal_update",
        obj=proposal,
        before=before,
        after=audit.snapshot(proposal, ["simplified", "summary"]),
        unit=proposal.unit,
    )
    return proposal


@transaction.atomic
def proposal_take(*, actor: Any, proposal: Proposal) -> Proposal:
    """The standing body receives a submitted proposal and starts the appraisal."""
    proposal = _lock(proposal)
    _standing(actor, proposal)
    if proposal.status != PS.SUBMITTED:
        raise Conflict(_("Hồ sơ không ở trạng thái chờ thẩm định."))
    proposal.status = PS.APPRAISAL
    proposal.save(update_fields=["status", "updated_at"])
    audit.record(
        actor=actor,
        action="commendation.proposal_take",
        obj=proposal,
        before={"status": PS.SUBMITTED.value},
        after={"status": proposal.status},
        unit=proposal.unit,
    )
    return proposal


@transaction.atomic
def proposal_delete(*, actor: Any, proposal: Proposal) -> None:
    """A draft never sent may be dropped, with its items and files."""
    proposal = _lock(proposal)
    _unit_officer(actor, proposal)
    if proposal.status != PS.DRAFT or proposal.submitted_at is not None:
        raise Conflict(_("Chỉ xóa được hồ sơ đang soạn, chưa gửi lần nào."))
    items = list(proposal.items.select_related("award_type", "person", "unit"))
    audit.record(
        actor=actor,
        action="commendation.proposal_delete",
        obj=proposal.round,
        before={
            "proposal": proposal.pk,
            "unit_id": proposal.unit_id,
            "items": [str(i) for i in items],
        },
        unit=proposal.unit,
    )
    files = [d.file for d in proposal.documents.all()]
    proposal.delete()
    transaction.on_commit(lambda: [f.delete(save=False) for f in files])


# --- dossier files -----------------------------------------------------------------------

MAX_UPLOAD = 20 * 1024 * 1024
UPLOAD_TYPES = (".pdf", ".doc", ".docx", ".odt", ".xls", ".xlsx", ".jpg", ".jpeg", ".png")
UPLOAD_KINDS = (
    DocumentKind.CERTIFICATION,
    DocumentKind.OTHER,
    DocumentKind.MINUTES,  # the signed minutes, scanned
    DocumentKind.COVER,  # the signed cover submission, scanned
    DocumentKind.REPORT,  # a signed achievement report
)
DOCUMENT_FIELDS = ["kind", "item_id", "file", "generated"]


def _editable(proposal: Proposal) -> None:
    if proposal.status not in EDITABLE:
        raise Conflict(_("Hồ sơ đã gửi, không sửa được tài liệu."))


@transaction.atomic
def document_add(
    *, actor: Any, proposal: Proposal, kind: str, file: Any, item: ProposalItem | None = None
) -> Document:
    """An uploaded file of the dossier (a certification, a signed scan…)."""
    proposal = _lock(proposal)
    _unit_officer(actor, proposal)
    _editable(proposal)
    errors = []
    if kind not in UPLOAD_KINDS:
        errors.append(FieldError("kind", _("Loại tài liệu không hợp lệ.")))
    if item is not None and item.proposal_id != proposal.pk:
        errors.append(FieldError("item", _("Đề nghị không thuộc hồ sơ này.")))
    if file is None:
        errors.append(FieldError("file", _("Chọn tệp cần tải lên.")))
    else:
        name = str(getattr(file, "name", "")).lower()
        if not name.endswith(UPLOAD_TYPES):
            errors.append(
                FieldError("file", _("Chỉ nhận tệp %(t)s.") % {"t": ", ".join(UPLOAD_TYPES)})
            )
        size = getattr(file, "size", 0) or 0
        if size > MAX_UPLOAD:
            errors.append(FieldError("file", _("Tệp tối đa 20 MB.")))
        elif size == 0:
            errors.append(FieldError("file", _("Tệp rỗng.")))
    if errors:
        raise ValidationFailed(errors)
    document = Document.objects.create(
        proposal=proposal,
        item=item,
        kind=kind,
        file=file,
        generated=False,
        uploaded_by=actor if getattr(actor, "pk", None) else None,
    )
    audit.record(
        actor=actor,
        action="commendation.document_add",
        obj=proposal,
        after=audit.snapshot(document, DOCUMENT_FIELDS),
        unit=proposal.unit,
    )
    return document


@transaction.atomic
def document_delete(*, actor: Any, document: Document) -> None:
    proposal = _lock(document.proposal)
    _unit_officer(actor, proposal)
    _editable(proposal)
    audit.record(
        actor=actor,
        action="commendation.document_delete",
        obj=proposal,
        before=audit.snapshot(document, DOCUMENT_FIELDS),
        unit=proposal.unit,
    )
    stored = document.file
    document.delete()
    transaction.on_commit(lambda: stored.delete(save=False))


@transaction.atomic
def dossier_generate(*, actor: Any, proposal: Proposal) -> list[Document]:
    """Generate the dossier's documents from the records and keep them with the proposal
    (replacing the ones generated before): the cover submission, one achievement report
    per item (short ones for a simplified dossier) and, for a full dossier, the skeleton of
    the unit's review minutes."""
    proposal = _lock(proposal)
    _unit_officer(actor, proposal)
    _editable(proposal)
    items = list(
        proposal.items.select_related("person__unit", "unit__parent", "award_type").order_by(
            "award_type__order", "pk"
        )
    )
    if not items:
        raise invalid("items", _("Hồ sơ chưa có đề nghị nào."))
    old = list(proposal.documents.filter(generated=True))
    old_files = [d.file for d in old]
    Document.objects.filter(pk__in=[d.pk for d in old]).delete()
    made: list[Document] = []

    def keep(kind: str, content: bytes, name: str, item: ProposalItem | None = None) -> None:
        document = Document(
            proposal=proposal,
            item=item,
            kind=kind,
            generated=True,
            uploaded_by=actor if getattr(actor, "pk", None) else None,
        )
        document.file.save(name, ContentFile(content), save=False)
        document.save()
        made.append(document)

    tag = dossier.file_tag(proposal)
    keep(DocumentKind.COVER, dossier.cover_docx(proposal, items), f"to-trinh-{tag}.docx")
    for index, item in enumerate(items, start=1):
        keep(
            DocumentKind.REPORT,
            dossier.report_docx(item, proposal.round.year, short=proposal.simplified),
            f"bao-cao-thanh-tich-{tag}-{index:02d}.docx",
            item,
        )
    if not proposal.simplified:
        keep(DocumentKind.MINUTES, dossier.minutes_docx(proposal, items), f"bien-ban-{tag}.docx")
    audit.record(
        actor=actor,
        action="commendation.dossier_generate",
        obj=proposal,
        before={"documents": [os.path.basename(f.name) for f in old_files]} if old else None,
        after={"documents": [os.path.basename(d.file.name) for d in made]},
        unit=proposal.unit,
    )
    transaction.on_commit(lambda: [f.delete(save=False) for f in old_files])
    return made


# --- choices for the item form ------------------------------------------------------------


def people_of(unit: Unit) -> QuerySet[Person]:
    return (
        Person.objects.filter(unit__path__startswith=unit.path)
        .select_related("unit")
        .order_by("sort_key", "code")
    )


def collectives_of(unit: Unit) -> QuerySet[Unit]:
    return Unit.objects.filter(path__startswith=unit.path, status=UnitStatus.ACTIVE).order_by(
        "path"
    )


def award_types() -> QuerySet[AwardType]:
    return AwardType.objects.filter(active=True).order_by("order", "code")


def exemplars_of(unit: Unit) -> QuerySet[Exemplar]:
    """Exemplars discovered by the unit or below it, which an item may link."""
    return (
        Exemplar.objects.filter(unit__path__startswith=unit.path)
        .select_related("person", "subject_unit")
        .order_by("-year", "title")
    )


def initiatives_of(unit: Unit, person: Person | None = None) -> QuerySet[Initiative]:
    """Initiatives (not yet counted for an award) by people of the unit, or by `person`."""
    qs = Initiative.objects.filter(used_by__isnull=True)
    if person is not None:
        qs = qs.filter(authors=person)
    else:
        qs = qs.filter(authors__unit__path__startswith=unit.path)
    return qs.prefetch_related("authors").distinct().order_by("-year", "title")


# --- read side: progress, holder, deadlines ------------------------------------------------


def holder(proposal: Proposal, council: Council | None = None) -> str:
    """Who holds the file now."""
    status = proposal.status
    if status in (PS.DRAFT, PS.RETURNED):
        return proposal.unit.name
    if status in (PS.SUBMITTED, PS.APPRAISAL):
        return _("Cơ quan thường trực – %(u)s") % {"u": proposal.round.deciding_unit.name}
    if status == PS.COUNCIL:
        return council.name if council is not None else _("Hội đồng Thi đua – Khen thưởng")
    return _("Đã kết thúc – %(u)s") % {"u": proposal.round.deciding_unit.name}


@dataclass
class DeadlineMark:
    label: str
    css: str  # a Bootstrap badge class; the text always says it


def deadline_marks(proposal: Proposal, today: dt.date) -> list[DeadlineMark]:
    rnd = proposal.round
    marks = []
    status = proposal.status
    if status == PS.DRAFT and today > rnd.submission_due:
        marks.append(DeadlineMark(_("Quá hạn gửi hồ sơ"), "text-bg-danger"))
    if (
        proposal.submitted_at is not None
        and timezone.localdate(proposal.submitted_at) > rnd.submission_due
    ):
        marks.append(DeadlineMark(_("Gửi muộn"), "text-bg-warning"))
    if status in (PS.SUBMITTED, PS.APPRAISAL) and rnd.appraisal_due and today > rnd.appraisal_due:
        marks.append(DeadlineMark(_("Quá hạn thẩm định"), "text-bg-danger"))
    if (
        status in (PS.SUBMITTED, PS.APPRAISAL, PS.RETURNED)
        and rnd.council_on
        and today > rnd.council_on
    ):
        marks.append(DeadlineMark(_("Quá ngày họp hội đồng"), "text-bg-danger"))
    return marks


@dataclass
class ProgressRow:
    proposal: Proposal
    items: int
    returned: int
    holder: str
    marks: list[DeadlineMark] = field(default_factory=list)


def round_progress(
    round: Round, proposals: QuerySet[Proposal], today: dt.date
) -> list[ProgressRow]:
    council = Council.objects.filter(unit=round.deciding_unit).first()
    rows = []
    annotated = (
        proposals.filter(round=round)
        .select_related("unit", "round__deciding_unit")
        .annotate(
            item_count=Count("items", distinct=True),
            returned_count=Count("items", filter=Q(items__status=IS.RETURNED), distinct=True),
        )
        .order_by("unit__path")
    )
    for proposal in annotated:
        rows.append(
            ProgressRow(
                proposal,
                proposal.item_count,  # type: ignore[attr-defined]
                proposal.returned_count,  # type: ignore[attr-defined]
                holder(proposal, council),
                deadline_marks(proposal, today),
            )
        )
    return rows


@dataclass
class Deadline:
    label: str
    on: dt.date
    days_left: int

    @property
    def past(self) -> bool:
        return self.days_left < 0


def round_deadlines(round: Round, today: dt.date) -> list[Deadline]:
    steps = [
        (_("Hạn gửi hồ sơ"), round.submission_due),
        (_("Hạn thẩm định"), round.appraisal_due),
        (_("Họp hội đồng (dự kiến)"), round.council_on),
    ]
    return [Deadline(label, on, (on - today).days) for label, on in steps if on]


def status_counts(rows: Sequence[ProgressRow]) -> list[tuple[str, str, int]]:
    counts: dict[str, int] = {}
    for row in rows:
        counts[row.proposal.status] = counts.get(row.proposal.status, 0) + 1
    return [(value, str(label), counts.get(value, 0)) for value, label in PS.choices]


def council_of(round: Round) -> Council | None:
    return Council.objects.filter(unit=round.deciding_unit).first()


# --- public posting (Law Art. 84.5) ------------------------------------------------------------


def working_days_before(day: dt.date, count: int) -> dt.date:
    """The first of the `count` working days (Monday–Friday) just before `day`."""
    current, left = day, count
    while left > 0:
        current -= dt.timedelta(days=1)
        if current.weekday() < 5:
            left -= 1
    return current


@dataclass
class PostingWindow:
    starts: dt.date
    ends: dt.date  # the last day before the council meets

    def state(self, today: dt.date) -> str:
        if today < self.starts:
            return "before"
        if today > self.ends:
            return "after"
        return "open"


def posting_window(round: Round) -> PostingWindow | None:
    """The `posting_working_days` working days before the council meets; None when the
    round posts nothing (no council date or no posting days)."""
    if round.council_on is None or round.posting_working_days <= 0:
        return None
    starts = working_days_before(round.council_on, round.posting_working_days)
    return PostingWindow(starts, round.council_on - dt.timedelta(days=1))


def posted_items(round: Round) -> QuerySet[ProposalItem]:
    """Items the standing body sent on (to the council, or passed without a vote)."""
    return (
        ProposalItem.objects.filter(
            proposal__round=round,
            proposal__status=PS.COUNCIL,
            status__in=[IS.ACCEPTED, IS.PASSED],
        )
        .select_related("person__unit", "unit", "award_type", "proposal__unit")
        .order_by("award_type__order", "proposal__unit__path", "person__sort_key", "unit__path")
    )


# --- comments on the public posting -----------------------------------------------------


@dataclass
class CommentData:
    name: str
    content: str
    contact: str = ""
    item_id: int | None = None


def _ip_hash(ip: str) -> str:
    # Salted so the stored value cannot be turned back into an address by a lookup table.
    return hashlib.sha256(f"{settings.SECRET_KEY}:{ip}".encode()).hexdigest() if ip else ""


@transaction.atomic
def posting_comment_add(*, round: Round, data: CommentData, ip: str, on: dt.date) -> PostingComment:
    """A public opinion on the posted list; accepted only while the posting is open."""
    window = posting_window(round)
    if window is None or window.state(on) != "open":
        raise Conflict(_("Danh sách không trong thời gian niêm yết, không nhận góp ý."))
    errors: list[FieldError] = []
    if not data.name.strip():
        errors.append(FieldError("name", _("Cần ghi họ và tên người góp ý.")))
    if not data.content.strip():
        errors.append(FieldError("content", _("Cần ghi nội dung góp ý.")))
    elif len(data.content) > 5000:
        errors.append(FieldError("content", _("Nội dung góp ý tối đa 5.000 ký tự.")))
    item = None
    if data.item_id is not None:
        item = posted_items(round).filter(pk=data.item_id).first()
        if item is None:
            errors.append(FieldError("item", _("Đề nghị này không có trong danh sách niêm yết.")))
    if errors:
        raise ValidationFailed(errors)
    comment = PostingComment.objects.create(
        round=round,
        item=item,
        name=data.name.strip()[:255],
        contact=data.contact.strip()[:255],
        content=data.content.strip(),
        ip_hash=_ip_hash(ip),
    )
    audit.record(
        actor=None,
        action="commendation.posting_comment",
        obj=comment,
        after=audit.snapshot(comment, ["round_id", "item_id", "name", "content"]),
        unit=round.deciding_unit,
    )
    return comment


@transaction.atomic
def posting_comment_handle(*, actor: Any, comment: PostingComment, response: str) -> PostingComment:
    """The standing body records how an opinion was dealt with."""
    if not can(actor, Perm.PROPOSE_EXEMPLARS, comment.round.deciding_unit):
        raise PermissionDenied
    if not response.strip():
        raise invalid("response", _("Cần ghi ý kiến xử lý."))
    before = audit.snapshot(comment, ["response", "handled_by_id"])
    comment.response = response.strip()
    comment.handled_by = actor
    comment.handled_at = timezone.now()
    comment.save(update_fields=["response", "handled_by", "handled_at"])
    audit.record(
        actor=actor,
        action="commendation.posting_comment_handle",
        obj=comment,
        before=before,
        after=audit.snapshot(comment, ["response", "handled_by_id"]),
        unit=comment.round.deciding_unit,
    )
    return comment


def posting_comments(round: Round) -> QuerySet[PostingComment]:
    return round.posting_comments.select_related(
        "item__person", "item__unit", "item__award_type", "handled_by"
    )
