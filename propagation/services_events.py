"""Events around exemplars: exchange sessions, study visits, writing contests, trainings.

Who sees an event: whoever's VIEW scope covers the organising unit or one of the
participating units (a unit that sent people to a study visit sees it too). Who
changes it: whoever holds MANAGE_OUTREACH on the organising unit (the views check
that through propagation.access.get_event_for(..., write=Perm.MANAGE_OUTREACH)).

Every change validates first, then writes and audits in one transaction (the audit
row is on the event, under the organising unit). Contests add entries about
exemplars, one score per juror per entry (the entry's score is the jurors' mean,
computed in the database), and results the officer publishes once every entry has
been scored; after that the entries and scores are frozen until the results are
withdrawn.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Avg, Count, Exists, F, OuterRef, Q, QuerySet, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.access import Perm, can, scope_for
from accounts.models import RoleGrant, User
from audit import services as audit
from core.errors import Conflict, FieldError, ValidationFailed
from core.text import fold
from exemplars.access import exemplars_visible_to
from exemplars.models import RECOGNIZED_STATES, Exemplar, ExemplarState
from organizations.models import Unit, path_ids
from propagation.models import (
    ContestEntry,
    ContestResult,
    Event,
    EventKind,
    JuryMember,
    JuryScore,
    Participation,
)

# Exemplars an event may present: the recognised ones and beyond, and also those being
# fostered. The plans (seeds 001 and 004) ask units to propagate new factors while they
# are built up, and to take staff to see them, so that they grow into sector and national
# exemplars; a discovered-but-unchecked one, a dropped one or a revoked one is not held
# up to others.
ELIGIBLE_STATES: list[str] = [ExemplarState.FOSTERING, *RECOGNIZED_STATES]
# Kinds whose exemplars are on the event itself (exchange: those who share their
# experience; study visit: the hosts). A contest's exemplars are on its entries.
WITH_EXEMPLARS = (EventKind.EXCHANGE, EventKind.STUDY_VISIT)
MIN_YEAR = 2000
MAX_PARTICIPANTS = 100_000
AWARDED = (
    ContestResult.FIRST,
    ContestResult.SECOND,
    ContestResult.THIRD,
    ContestResult.CONSOLATION,
)

EVENT_FIELDS = [
    "kind",
    "title",
    "unit_id",
    "field",
    "starts_on",
    "ends_on",
    "location",
    "description",
    "learned",
]
PARTICIPATION_FIELDS = ["unit_id", "participants", "note"]
ENTRY_FIELDS = ["exemplar_id", "title", "author", "unit_id", "url", "result"]
SCORE_FIELDS = ["entry_id", "juror_id", "score", "comment"]
JURY_FIELDS = ["user_id", "is_chair"]


# --- who sees what ------------------------------------------------------------------------


def eligible_exemplars(user: Any) -> QuerySet[Exemplar]:
    """Exemplars the user may put on an event: visible to them, in an eligible state."""
    return exemplars_visible_to(user).filter(state__in=ELIGIBLE_STATES)


def jurors_for(event: Event) -> QuerySet[User]:
    """Who may sit on the jury: active users holding a role at the organising unit, above
    it or below it (council members, leaders, communication staff…)."""
    unit = event.unit
    grants = RoleGrant.objects.filter(
        Q(unit_id__in=path_ids(unit.path)) | Q(unit__path__startswith=unit.path),
        user=OuterRef("pk"),
    )
    return User.objects.filter(Q(Exists(grants)) | Q(is_superuser=True), is_active=True)


# --- events --------------------------------------------------------------------------------


@dataclass
class EventData:
    kind: str
    title: str
    unit: Unit
    starts_on: dt.date | None
    ends_on: dt.date | None = None
    field: str = ""
    location: str = ""
    description: str = ""
    learned: str = ""
    exemplars: Sequence[Exemplar] = dataclasses.field(default_factory=list)


def _validate_event(actor: Any, data: EventData, *, kept: Iterable[int] = ()) -> list[FieldError]:
    errors: list[FieldError] = []
    if data.kind not in EventKind.values:
        errors.append(FieldError("kind", _("Loại sự kiện không hợp lệ.")))
    title = data.title.strip()
    if not title:
        errors.append(FieldError("title", _("Tên sự kiện không được để trống.")))
    elif len(title) > 500:
        errors.append(FieldError("title", _("Tên sự kiện tối đa 500 ký tự.")))
    if len(data.field.strip()) > 255:
        errors.append(FieldError("field", _("Lĩnh vực tối đa 255 ký tự.")))
    if len(data.location.strip()) > 500:
        errors.append(FieldError("location", _("Địa điểm tối đa 500 ký tự.")))
    if data.starts_on is None:
        errors.append(FieldError("starts_on", _("Cần ngày bắt đầu.")))
    else:
        latest = timezone.localdate().year + 2
        if not MIN_YEAR <= data.starts_on.year <= latest:
            errors.append(
                FieldError(
                    "starts_on",
                    _("Ngày bắt đầu phải trong khoảng năm %(a)s đến %(b)s.")
                    % {"a": MIN_YEAR, "b": latest},
                )
            )
        if data.ends_on is not None and data.ends_on < data.starts_on:
            errors.append(FieldError("ends_on", _("Ngày kết thúc không được trước ngày bắt đầu.")))
    exemplars = list(data.exemplars)
    if data.kind in WITH_EXEMPLARS:
        if not exemplars:
            message = (
                _("Chọn ít nhất một điển hình chia sẻ kinh nghiệm.")
                if data.kind == EventKind.EXCHANGE
                else _("Chọn điển hình (mô hình) đón đoàn tham quan, học tập.")
            )
            errors.append(FieldError("exemplars", message))
    elif exemplars:
        errors.append(
            FieldError(
                "exemplars",
                _("Chỉ buổi giao lưu và đoàn tham quan học tập mới gắn điển hình; "
                  "tác phẩm dự thi gắn điển hình ở từng tác phẩm."),
            )
        )  # fmt: skip
    # Exemplars already on the event stay even if the editor cannot see them or they
    # have since been revoked (the event happened); new ones must be eligible and lie in
    # the editor's scope.
    kept_ids = set(kept)
    new_ids = {e.pk for e in exemplars} - kept_ids
    not_eligible = [e for e in exemplars if e.pk in new_ids and e.state not in ELIGIBLE_STATES]
    if not_eligible:
        errors.append(
            FieldError(
                "exemplars",
                _("Chỉ giới thiệu điển hình đang bồi dưỡng hoặc đã được công nhận: %(t)s.")
                % {"t": "; ".join(e.title for e in not_eligible)},
            )
        )
    if new_ids and _is_user(actor):
        visible = exemplars_visible_to(actor).filter(pk__in=new_ids).values_list("pk", flat=True)
        if new_ids - set(visible):
            errors.append(
                FieldError("exemplars", _("Có điển hình không thuộc phạm vi bạn quản lý."))
            )
    return errors


def _apply(event: Event, data: EventData) -> None:
    event.title = data.title.strip()
    event.unit = data.unit
    event.field = data.field.strip()
    event.starts_on = data.starts_on  # type: ignore[assignment]
    event.ends_on = data.ends_on
    event.location = data.location.strip()
    event.description = data.description.strip()
    event.learned = data.learned.strip()


def _snapshot(event: Event) -> dict[str, Any]:
    return {
        **audit.snapshot(event, EVENT_FIELDS),
        "exemplars": sorted(event.exemplars.values_list("pk", flat=True)),
    }


def _is_user(actor: Any) -> bool:
    """Demo loaders and commands act as the system (None): no scope to check."""
    return actor is not None and getattr(actor, "pk", None) is not None


def _unit_errors(
    actor: Any, unit: Unit | None, name: str, kept: int | None = None
) -> list[FieldError]:
    """A unit picked by a person must lie in their scope (as the pickers offer)."""
    if unit is None or unit.pk == kept or not _is_user(actor):
        return []
    if scope_for(actor, Perm.VIEW).covers(unit):
        return []
    return [FieldError(name, _("Đơn vị không thuộc phạm vi của bạn."))]


def _check_organiser(actor: Any, unit: Unit) -> None:
    if _is_user(actor) and not can(actor, Perm.MANAGE_OUTREACH, unit):
        raise PermissionDenied


@transaction.atomic
def event_create(*, actor: Any, data: EventData) -> Event:
    _check_organiser(actor, data.unit)
    errors = _validate_event(actor, data)
    if errors:
        raise ValidationFailed(errors)
    event = Event(kind=data.kind, created_by=actor if getattr(actor, "pk", None) else None)
    _apply(event, data)
    event.save()
    event.exemplars.set(data.exemplars)
    audit.record(
        actor=actor, action="event.create", obj=event, after=_snapshot(event), unit=event.unit
    )
    return event


@transaction.atomic
def event_update(*, actor: Any, event: Event, data: EventData) -> Event:
    """Change what was recorded; the kind stays (entries and participants depend on it)."""
    event = Event.objects.select_for_update(of=("self",)).select_related("unit").get(pk=event.pk)
    if data.unit.pk != event.unit_id:
        _check_organiser(actor, data.unit)
    data.kind = event.kind
    before = _snapshot(event)
    errors = _validate_event(actor, data, kept=before["exemplars"])
    if errors:
        raise ValidationFailed(errors)
    _apply(event, data)
    event.save()
    event.exemplars.set(data.exemplars)
    after = _snapshot(event)
    if after != before:
        audit.record(
            actor=actor,
            action="event.update",
            obj=event,
            before=before,
            after=after,
            unit=event.unit,
        )
    return event


@transaction.atomic
def event_delete(*, actor: Any, event: Event) -> None:
    """Removes the event with its participants, entries and scores (outreach items that
    named it keep existing, without the link)."""
    event = Event.objects.select_for_update(of=("self",)).select_related("unit").get(pk=event.pk)
    before = {
        **_snapshot(event),
        "participations": [
            audit.snapshot(p, PARTICIPATION_FIELDS) for p in event.participations.all()
        ],
        "entries": [audit.snapshot(e, ENTRY_FIELDS) for e in event.entries.all()],
        "scores": JuryScore.objects.filter(entry__event=event).count(),
    }
    audit.record(actor=actor, action="event.delete", obj=event, before=before, unit=event.unit)
    event.delete()


# --- participating units -------------------------------------------------------------------


@transaction.atomic
def participation_save(
    *, actor: Any, event: Event, unit: Unit | None, participants: int | None, note: str = ""
) -> Participation:
    """Add a unit with its number of participants, or change the numbers of one already in."""
    errors: list[FieldError] = []
    if unit is None:
        errors.append(FieldError("unit", _("Chọn đơn vị tham gia.")))
    if participants is None:
        errors.append(FieldError("participants", _("Nhập số người tham gia.")))
    elif not 0 <= participants <= MAX_PARTICIPANTS:
        errors.append(
            FieldError(
                "participants",
                _("Số người tham gia phải từ 0 đến %(n)s.") % {"n": f"{MAX_PARTICIPANTS:,}"},
            )
        )
    if len(note.strip()) > 500:
        errors.append(FieldError("note", _("Ghi chú tối đa 500 ký tự.")))
    errors += _unit_errors(actor, unit, "unit")
    if errors:
        raise ValidationFailed(errors)
    assert unit is not None and participants is not None
    row = Participation.objects.select_for_update().filter(event=event, unit=unit).first()
    before = audit.snapshot(row, PARTICIPATION_FIELDS) if row is not None else None
    row = row or Participation(event=event, unit=unit)
    row.participants = participants
    row.note = note.strip()
    row.save()
    after = audit.snapshot(row, PARTICIPATION_FIELDS)
    if after != before:
        audit.record(
            actor=actor,
            action="event.participation",
            obj=event,
            before=before,
            after=after,
            unit=event.unit,
        )
    return row


@transaction.atomic
def participation_remove(*, actor: Any, participation: Participation) -> None:
    event = participation.event
    audit.record(
        actor=actor,
        action="event.participation_remove",
        obj=event,
        before=audit.snapshot(participation, PARTICIPATION_FIELDS),
        unit=event.unit,
    )
    participation.delete()


def participation_totals(event: Event) -> dict[str, int]:
    totals = event.participations.aggregate(units=Count("pk"), people=Sum("participants"))
    return {"units": totals["units"] or 0, "people": totals["people"] or 0}


# --- contests: entries, scores, results ------------------------------------------------------


def _contest(event: Event) -> Event:
    """The event, locked, if it is a contest."""
    locked = Event.objects.select_for_update(of=("self",)).select_related("unit").get(pk=event.pk)
    if locked.kind != EventKind.CONTEST:
        raise Conflict(_("Chỉ cuộc thi mới có tác phẩm dự thi, chấm điểm và kết quả."))
    return locked


def results_published(event: Event) -> bool:
    return event.entries.exclude(result="").exists()


def _check_open(event: Event) -> None:
    if results_published(event):
        raise Conflict(
            _("Cuộc thi đã công bố kết quả: không thay đổi tác phẩm, điểm được nữa. "
              "Cần sửa thì hủy công bố kết quả trước.")
        )  # fmt: skip


@dataclass
class EntryData:
    exemplar: Exemplar | None
    title: str
    author: str
    unit: Unit | None = None
    url: str = ""


def _validate_entry(
    actor: Any, data: EntryData, *, kept_exemplar: int | None = None
) -> list[FieldError]:
    errors: list[FieldError] = []
    exemplar = data.exemplar
    if exemplar is None:
        errors.append(FieldError("exemplar", _("Chọn điển hình mà tác phẩm viết về.")))
    elif exemplar.pk != kept_exemplar:
        if exemplar.state not in ELIGIBLE_STATES:
            errors.append(
                FieldError(
                    "exemplar",
                    _("Chỉ viết về điển hình đang bồi dưỡng hoặc đã được công nhận."),
                )
            )
        if _is_user(actor) and not exemplars_visible_to(actor).filter(pk=exemplar.pk).exists():
            errors.append(FieldError("exemplar", _("Điển hình không thuộc phạm vi bạn quản lý.")))
    title = data.title.strip()
    if not title:
        errors.append(FieldError("title", _("Tên tác phẩm không được để trống.")))
    elif len(title) > 500:
        errors.append(FieldError("title", _("Tên tác phẩm tối đa 500 ký tự.")))
    author = data.author.strip()
    if not author:
        errors.append(FieldError("author", _("Ghi tên tác giả, nhóm tác giả.")))
    elif len(author) > 255:
        errors.append(FieldError("author", _("Tên tác giả tối đa 255 ký tự.")))
    if len(data.url.strip()) > 1000:
        errors.append(FieldError("url", _("Đường dẫn tối đa 1000 ký tự.")))
    return errors


@transaction.atomic
def entry_save(
    *, actor: Any, event: Event, data: EntryData, entry: ContestEntry | None = None
) -> ContestEntry:
    event = _contest(event)
    _check_open(event)
    if entry is not None:
        entry = ContestEntry.objects.select_for_update().get(pk=entry.pk, event=event)
    errors = _validate_entry(actor, data, kept_exemplar=entry.exemplar_id if entry else None)
    errors += _unit_errors(actor, data.unit, "unit", entry.unit_id if entry else None)
    if errors:
        raise ValidationFailed(errors)
    before = audit.snapshot(entry, ENTRY_FIELDS) if entry is not None else None
    creating = entry is None
    entry = entry or ContestEntry(event=event)
    assert data.exemplar is not None
    entry.exemplar = data.exemplar
    entry.title = data.title.strip()
    entry.author = data.author.strip()
    entry.unit = data.unit
    entry.url = data.url.strip()
    entry.save()
    after = audit.snapshot(entry, ENTRY_FIELDS)
    if after != before:
        audit.record(
            actor=actor,
            action="contest.entry_add" if creating else "contest.entry_update",
            obj=event,
            before=before,
            after={"entry": entry.pk, **after},
            unit=event.unit,
        )
    return entry


@transaction.atomic
def entry_delete(*, actor: Any, entry: ContestEntry) -> None:
    event = _contest(entry.event)
    _check_open(event)
    audit.record(
        actor=actor,
        action="contest.entry_delete",
        obj=event,
        before={
            "entry": entry.pk,
            **audit.snapshot(entry, ENTRY_FIELDS),
            "scores": [audit.snapshot(s, SCORE_FIELDS) for s in entry.scores.all()],
        },
        unit=event.unit,
    )
    entry.delete()


@transaction.atomic
def score_set(
    *,
    actor: Any,
    entry: ContestEntry,
    juror: User | None,
    score: Decimal | None,
    comment: str = "",
) -> JuryScore:
    """One juror's score of one entry (0–100); scoring again replaces the juror's score.

    The juror scores on their own page, or the organisers record a score given on paper;
    nobody else records one."""
    event = _contest(entry.event)
    if _is_user(actor) and (juror is None or actor.pk != juror.pk):
        _check_organiser(actor, event.unit)
    _check_open(event)
    errors: list[FieldError] = []
    if juror is None or not event.jury.filter(user=juror).exists():
        errors.append(FieldError("juror", _("Chọn một thành viên ban giám khảo của cuộc thi.")))
    errors.extend(_score_errors(score, comment))
    if errors:
        raise ValidationFailed(errors)
    assert juror is not None and score is not None
    return _write_score(actor, event, entry, juror, score, comment)


def _write_score(
    actor: Any, event: Event, entry: ContestEntry, juror: User, score: Decimal, comment: str
) -> JuryScore:
    """Store one checked mark (the contest locked, the juror on its jury) and audit it."""
    row = JuryScore.objects.select_for_update().filter(entry=entry, juror=juror).first()
    before = audit.snapshot(row, SCORE_FIELDS) if row is not None else None
    row = row or JuryScore(entry=entry, juror=juror)
    row.score = score  # type: ignore[assignment]
    row.comment = comment.strip()
    row.save()
    row.refresh_from_db(fields=["score"])
    after = audit.snapshot(row, SCORE_FIELDS)
    if after != before:
        audit.record(
            actor=actor,
            action="contest.score",
            obj=event,
            before=before,
            after=after,
            unit=event.unit,
        )
    return row


@transaction.atomic
def my_scores_set(
    *, actor: Any, event: Event, marks: Mapping[int, tuple[Decimal | None, str]]
) -> list[JuryScore]:
    """A juror's scores of several entries at once, from their own page: every mark is
    checked before any is written. An entry left blank keeps the score it had (or none)."""
    event = _contest(event)
    _check_open(event)
    if not event.jury.filter(user_id=actor.pk).exists():
        raise PermissionDenied
    entries = {e.pk: e for e in event.entries.all()}
    errors: list[FieldError] = []
    given: list[tuple[ContestEntry, Decimal, str]] = []
    for entry_id, (score, comment) in marks.items():
        entry = entries.get(entry_id)
        if entry is None:
            errors.append(FieldError("marks", _("Có tác phẩm không thuộc cuộc thi này.")))
            continue
        if score is None:
            if comment.strip():
                errors.append(
                    FieldError(f"score_{entry_id}", _("Nhập điểm trước khi ghi nhận xét."))
                )
            continue
        errors.extend(
            FieldError(f"{e.field}_{entry_id}", e.message) for e in _score_errors(score, comment)
        )
        given.append((entry, score, comment))
    if errors:
        raise ValidationFailed(errors)
    # The contest is locked and the juror checked once for the whole sheet.
    return [
        _write_score(actor, event, entry, actor, score, comment) for entry, score, comment in given
    ]


@dataclass
class JurorProgress:
    member: JuryMember
    scored: int  # entries this juror has scored
    entries: int  # entries in the contest


def jury_progress(event: Event) -> list[JurorProgress]:
    """Each jury member with how many entries they have scored (three queries)."""
    total = event.entries.count()
    counts = dict(
        JuryScore.objects.filter(entry__event=event)
        .values("juror_id")
        .annotate(n=Count("pk"))
        .values_list("juror_id", "n")
    )
    members = event.jury.select_related("user").order_by(
        "-is_chair", "user__last_name", "user__first_name", "user__username"
    )
    return [JurorProgress(m, counts.get(m.user_id, 0), total) for m in members]


CANDIDATES_LIMIT = 20


def juror_candidates(event: Event, q: str) -> list[User]:
    """Who may still be named to the jury and matches `q` (name or username, with or
    without diacritics). Names on accounts have no stored search key, so the match runs
    in Python over three short columns of the candidates (one query)."""
    needle = fold(q)
    if not needle:
        return []
    rows = (
        jurors_for(event)
        .exclude(pk__in=event.jury.values("user_id"))
        .order_by("last_name", "first_name", "username")
        # first_name holds the family and middle names (accounts.services), so this
        # reads in the order Vietnamese names are written and typed.
        .values_list("pk", "username", "first_name", "last_name")
    )
    ids = [pk for pk, *texts in rows.iterator(chunk_size=5000) if needle in fold(" ".join(texts))]
    found = User.objects.in_bulk(ids[:CANDIDATES_LIMIT])
    return [found[pk] for pk in ids[:CANDIDATES_LIMIT]]


@transaction.atomic
def jury_add(*, actor: Any, event: Event, user: User | None, is_chair: bool = False) -> JuryMember:
    """Name a jury member: a user holding a role at, above or below the organising unit.
    Naming a new chair makes the former chair an ordinary member."""
    event = _contest(event)
    _check_organiser(actor, event.unit)
    _check_open(event)
    if user is None or not jurors_for(event).filter(pk=user.pk).exists():
        raise ValidationFailed(
            [FieldError("user", _("Chọn người dùng có vai trò ở đơn vị tổ chức hoặc liên quan."))]
        )
    if event.jury.filter(user=user).exists():
        raise Conflict(
            _("%(u)s đã ở trong ban giám khảo.") % {"u": user.get_full_name() or user.username}
        )
    before = None
    if is_chair:
        former = event.jury.filter(is_chair=True).first()
        if former is not None:
            before = {"chair": former.user_id}
            event.jury.filter(pk=former.pk).update(is_chair=False)
    member = JuryMember.objects.create(event=event, user=user, is_chair=is_chair)
    _tell_juror(event, member)
    audit.record(
        actor=actor,
        action="contest.jury_add",
        obj=event,
        before=before,
        after=audit.snapshot(member, JURY_FIELDS),
        unit=event.unit,
    )
    return member


def _tell_juror(event: Event, member: JuryMember) -> None:
    """The juror learns of it in the app, with a link to their scoring page (they may
    not otherwise see the contest: a juror may work at a unit below the organiser)."""
    from notifications.models import NotificationKind
    from notifications.services import notify

    with translation.override(settings.LANGUAGE_CODE):
        context = {"event": event.title, "unit": event.unit.name}
        role = _("trưởng ban giám khảo") if member.is_chair else _("thành viên ban giám khảo")
        notify(
            [member.user_id],
            kind=NotificationKind.JURY.value,
            title=_("Mời chấm thi: %(event)s") % context,
            body=_(
                "%(unit)s mời bạn làm %(role)s cuộc thi “%(event)s”. Chấm điểm từng tác "
                "phẩm trên trang chấm điểm của bạn."
            )
            % {**context, "role": role},
            url=reverse("propagation:event_my_scores", args=[event.pk]),
            unit=event.unit,
        )


@transaction.atomic
def jury_remove(*, actor: Any, member: JuryMember) -> int:
    """Take someone off the jury, with the scores they gave in this contest (the page
    asks first, saying how many). Returns how many scores went."""
    event = _contest(member.event)
    _check_organiser(actor, event.unit)
    _check_open(event)
    scores = list(
        JuryScore.objects.filter(entry__event=event, juror_id=member.user_id).order_by("entry_id")
    )
    audit.record(
        actor=actor,
        action="contest.jury_remove",
        obj=event,
        before={
            **audit.snapshot(member, JURY_FIELDS),
            "scores": [audit.snapshot(row, SCORE_FIELDS) for row in scores],
        },
        unit=event.unit,
    )
    JuryScore.objects.filter(pk__in=[row.pk for row in scores]).delete()
    member.delete()
    return len(scores)


def _score_errors(score: Decimal | None, comment: str) -> list[FieldError]:
    errors = []
    if score is None:
        errors.append(FieldError("score", _("Nhập điểm.")))
    elif not Decimal(0) <= score <= Decimal(100):
        errors.append(FieldError("score", _("Điểm phải từ 0 đến 100.")))
    elif score != score.quantize(Decimal("0.01")):
        errors.append(FieldError("score", _("Điểm lấy tối đa hai chữ số thập phân.")))
    if len(comment.strip()) > 1000:
        errors.append(FieldError("comment", _("Nhận xét tối đa 1000 ký tự.")))
    return errors


def ranked_entries(event: Event) -> QuerySet[ContestEntry]:
    """Entries with the jurors' mean score and how many scored, best first (one query)."""
    return (
        event.entries.select_related("exemplar", "unit")
        .annotate(mean=Avg("scores__score"), n_scores=Count("scores"))
        .order_by(F("mean").desc(nulls_last=True), "title", "pk")
    )


@transaction.atomic
def results_publish(*, actor: Any, event: Event, results: Mapping[int, str]) -> Event:
    """Give every entry its result (the officer decides; the ranking only helps).

    Only once every entry has been scored by at least one juror.
    """
    event = _contest(event)
    entries = list(ranked_entries(event))
    errors: list[FieldError] = []
    if not entries:
        raise Conflict(_("Cuộc thi chưa có tác phẩm dự thi."))
    unscored = [e for e in entries if e.n_scores == 0]  # type: ignore[attr-defined]
    if unscored:
        raise Conflict(
            _("Chưa công bố được kết quả: còn %(n)s tác phẩm chưa được chấm điểm (%(t)s).")
            % {"n": len(unscored), "t": "; ".join(e.title for e in unscored)}
        )
    allowed = {c for c in ContestResult.values if c}
    ids = {e.pk for e in entries}
    unknown = set(results) - ids
    if unknown:
        errors.append(FieldError("results", _("Có tác phẩm không thuộc cuộc thi này.")))
    for entry in entries:
        value = results.get(entry.pk, "")
        if value not in allowed:
            errors.append(
                FieldError(
                    f"result_{entry.pk}",
                    _("Chọn kết quả cho tác phẩm “%(t)s”.") % {"t": entry.title},
                )
            )
    if errors:
        raise ValidationFailed(errors)
    before = {str(e.pk): e.result for e in entries}
    changed = []
    for entry in entries:
        if entry.result != results[entry.pk]:
            entry.result = results[entry.pk]
            changed.append(entry)
    ContestEntry.objects.bulk_update(changed, ["result"])
    after = {str(e.pk): e.result for e in entries}
    if after != before:
        audit.record(
            actor=actor,
            action="contest.results",
            obj=event,
            before=before,
            after={
                **after,
                "means": {
                    str(e.pk): str(round(e.mean, 2))  # type: ignore[attr-defined]
                    for e in entries
                },
            },
            unit=event.unit,
        )
    return event


@transaction.atomic
def results_withdraw(*, actor: Any, event: Event, reason: str) -> Event:
    """Take the results back (to correct a score or an entry); a reason is required."""
    event = _contest(event)
    if not reason.strip():
        raise ValidationFailed([FieldError("reason", _("Cần ghi rõ lý do hủy công bố."))])
    if not results_published(event):
        raise Conflict(_("Cuộc thi chưa công bố kết quả."))
    before = dict(event.entries.values_list("pk", "result"))
    event.entries.update(result="")
    audit.record(
        actor=actor,
        action="contest.results_withdraw",
        obj=event,
        before={str(k): v for k, v in before.items()},
        after={"reason": reason.strip()},
        unit=event.unit,
    )
    return event
