"""State changes of the records that eligibility reads. Every change is audited in
its own transaction; validation happens before anything is written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from audit import services as audit
from awards.models import (
    Award,
    AwardType,
    Discipline,
    DisciplineForm,
    DisciplineStatus,
    Initiative,
    InitiativeKind,
    Judgement,
    RecognitionLevel,
)
from core.errors import Conflict, FieldError, ValidationFailed
from core.ratings import check_year
from core.text import search_key
from organizations.models import Unit
from people.models import Person

AWARD_FIELDS = [
    "award_type",
    "year",
    "decision_number",
    "decision_date",
    "signer",
    "authority",
    "note",
    "file",
]
INITIATIVE_FIELDS = [
    "kind",
    "title",
    "unit",
    "level",
    "recognized_on",
    "year",
    "decision_number",
    "summary",
    "used_by",
]
DISCIPLINE_FIELDS = [
    "form",
    "status",
    "opened_on",
    "decided_on",
    "ends_on",
    "decision_number",
    "reason",
]


def _year_errors(year: int | None, field_name: str = "year") -> list[FieldError]:
    if year is None:
        return [FieldError(field_name, _("Năm là bắt buộc."))]
    try:
        check_year(year)
    except ValidationFailed as exc:
        return [FieldError(field_name, exc.message)]
    return []


# --- awards -------------------------------------------------------------------------


@dataclass
class AwardData:
    """The fields of an award, validated together before any write."""

    award_type: AwardType
    year: int
    decision_number: str
    decision_date: dt.date | None
    person: Person | None = None
    unit: Unit | None = None
    signer: str = ""
    authority: str = ""
    note: str = ""
    file: Any = None
    initiatives: Sequence[Initiative] = field(default_factory=list)


def validate_award(data: AwardData, *, instance: Award | None = None) -> list[FieldError]:
    errors: list[FieldError] = []
    if (data.person is None) == (data.unit is None):
        errors.append(
            FieldError("recipient", _("Chọn đúng một đối tượng: một cá nhân hoặc một tập thể."))
        )
    elif data.person is not None and not data.award_type.for_people:
        errors.append(
            FieldError(
                "award",
                _("“%(name)s” chỉ dành cho tập thể.") % {"name": data.award_type.name},
            )
        )
    elif data.unit is not None and not data.award_type.for_units:
        errors.append(
            FieldError(
                "award",
                _("“%(name)s” chỉ dành cho cá nhân.") % {"name": data.award_type.name},
            )
        )
    errors += _year_errors(data.year)
    if not (data.decision_number or "").strip():
        errors.append(FieldError("decision_number", _("Số quyết định là bắt buộc.")))
    if data.decision_date is None:
        errors.append(FieldError("decision_date", _("Ngày quyết định là bắt buộc.")))
    elif data.year and data.decision_date.year < data.year:
        errors.append(
            FieldError(
                "decision_date",
                _("Ngày quyết định không thể trước năm được khen (%(y)s).") % {"y": data.year},
            )
        )
    # Read who uses each initiative now, not what the caller's objects remember.
    used_now = dict(
        Initiative.objects.filter(pk__in=[i.pk for i in data.initiatives]).values_list(
            "pk", "used_by_id"
        )
    )
    for initiative in data.initiatives:
        used_by = used_now.get(initiative.pk)
        if data.person is None or not initiative.authors.filter(pk=data.person.pk).exists():
            errors.append(
                FieldError(
                    "initiatives",
                    _("Sáng kiến “%(t)s” không phải của người được khen.") % {"t": initiative},
                )
            )
        elif used_by and (instance is None or used_by != instance.pk):
            errors.append(
                FieldError(
                    "initiatives",
                    _(
                        "Sáng kiến “%(t)s” đã được dùng cho một khen thưởng khác: mỗi sáng kiến "
                        "chỉ được dùng một lần (Luật TĐKT 2022, Điều 5.2.c)."
                    )
                    % {"t": initiative},
                )
            )
    return errors


def _duplicate_award(data: AwardData, exclude: int | None = None) -> bool:
    qs = Award.objects.filter(award_type=data.award_type, year=data.year)
    qs = qs.filter(person=data.person) if data.person is not None else qs.filter(unit=data.unit)
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return qs.exists()


def _duplicate_message(data: AwardData) -> str:
    recipient = data.person if data.person is not None else data.unit
    return _("%(who)s đã có “%(award)s” năm %(year)s.") % {
        "who": recipient,
        "award": data.award_type.name,
        "year": data.year,
    }


def _scope_unit(award: Award) -> Unit:
    if award.person_id:
        assert award.person is not None
        return award.person.unit
    assert award.unit is not None
    return award.unit


def _award_snapshot(award: Award) -> dict[str, Any]:
    snap = audit.snapshot(award, AWARD_FIELDS)
    snap["recipient"] = {"kind": award.recipient_kind, "code": award.recipient_code}
    snap["initiatives"] = sorted(award.initiatives_used.values_list("pk", flat=True))
    return snap


@transaction.atomic
def award_create(*, actor: Any, data: AwardData) -> Award:
    errors = validate_award(data)
    if errors:
        raise ValidationFailed(errors)
    if _duplicate_award(data):
        raise Conflict(_duplicate_message(data))
    award = Award(  # type: ignore[misc]  # validated above
        person=data.person,
        unit=data.unit,
        award_type=data.award_type,
        year=data.year,
        decision_number=data.decision_number.strip(),
        decision_date=data.decision_date,
        signer=data.signer.strip(),
        authority=data.authority.strip(),
        note=data.note.strip(),
    )
    if data.file:
        award.file = data.file
    try:
        with transaction.atomic():
            award.save()
    except IntegrityError as exc:  # a concurrent insert of the same award
        raise Conflict(_duplicate_message(data)) from exc
    _use_initiatives(award, data.initiatives)
    audit.record(
        actor=actor,
        action="award.create",
        obj=award,
        after=_award_snapshot(award),
        unit=_scope_unit(award),
    )
    return award


def _use_initiatives(award: Award, initiatives: Iterable[Initiative]) -> None:
    chosen = [i.pk for i in initiatives]
    Initiative.objects.filter(used_by=award).exclude(pk__in=chosen).update(used_by=None)
    if chosen:
        Initiative.objects.filter(pk__in=chosen).update(used_by=award)


@transaction.atomic
def award_update(*, actor: Any, award: Award, data: AwardData) -> Award:
    award = (
        Award.objects.select_for_update(of=("self",))
        .select_related("person__unit", "unit")
        .get(pk=award.pk)
    )
    errors = validate_award(data, instance=award)
    if errors:
        raise ValidationFailed(errors)
    if _duplicate_award(data, exclude=award.pk):
        raise Conflict(_duplicate_message(data))
    before = _award_snapshot(award)
    award.person = data.person
    award.unit = data.unit
    award.award_type = data.award_type
    award.year = data.year
    award.decision_number = data.decision_number.strip()
    award.decision_date = data.decision_date  # type: ignore[assignment]  # validated above
    award.signer = data.signer.strip()
    award.authority = data.authority.strip()
    award.note = data.note.strip()
    if data.file:
        award.file = data.file
    try:
        with transaction.atomic():
            award.save()
    except IntegrityError as exc:
        raise Conflict(_duplicate_message(data)) from exc
    _use_initiatives(award, data.initiatives)
    audit.record(
        actor=actor,
        action="award.update",
        obj=award,
        before=before,
        after=_award_snapshot(award),
        unit=_scope_unit(award),
    )
    return award


@transaction.atomic
def award_delete(*, actor: Any, award: Award) -> None:
    """Remove a wrongly entered award; the initiatives it used become free again."""
    award = (
        Award.objects.select_for_update(of=("self",))
        .select_related("person__unit", "unit")
        .get(pk=award.pk)
    )
    before = _award_snapshot(award)
    unit = _scope_unit(award)
    Initiative.objects.filter(used_by=award).update(used_by=None)
    audit.record(actor=actor, action="award.delete", obj=award, before=before, unit=unit)
    award.delete()


def awards_bulk_create(*, actor: Any, rows: Sequence[AwardData]) -> list[Award]:
    """Create many already-validated awards at once (imports); all or nothing.

    The caller (awards.imports) has checked every row, duplicates included;
    the database constraint still stops a concurrent duplicate, and then the
    whole batch is rolled back.
    """
    with transaction.atomic():
        objs = [
            Award(  # type: ignore[misc]  # validated by the importer
                person=r.person,
                unit=r.unit,
                award_type=r.award_type,
                year=r.year,
                decision_number=r.decision_number.strip(),
                decision_date=r.decision_date,
                signer=r.signer.strip(),
                authority=r.authority.strip(),
                note=r.note.strip(),
            )
            for r in rows
        ]
        try:
            with transaction.atomic():
                created = Award.objects.bulk_create(objs, batch_size=1000)
        except IntegrityError as exc:
            raise Conflict(
                _("Một số khen thưởng vừa được người khác nhập trùng; không có gì được ghi.")
            ) from exc
        audit.record_many(
            actor=actor,
            action="award.import",
            items=[
                (
                    award,
                    None,
                    {
                        **audit.snapshot(award, AWARD_FIELDS),
                        "recipient": {"kind": award.recipient_kind, "code": award.recipient_code},
                    },
                    award.person.unit if award.person is not None else award.unit,
                )
                for award in created
            ],
        )
        return created


# --- initiatives --------------------------------------------------------------------


@dataclass
class InitiativeData:
    title: str
    authors: Sequence[Person]
    unit: Unit | None
    level: str
    recognized_on: dt.date | None
    year: int
    kind: str = InitiativeKind.INITIATIVE
    decision_number: str = ""
    summary: str = ""


def validate_initiative(data: InitiativeData) -> list[FieldError]:
    errors: list[FieldError] = []
    if not data.title.strip():
        errors.append(FieldError("title", _("Tên sáng kiến là bắt buộc.")))
    if not data.authors:
        errors.append(FieldError("authors", _("Cần ít nhất một tác giả.")))
    if data.unit is None:
        errors.append(FieldError("unit", _("Đơn vị là bắt buộc.")))
    if data.level not in RecognitionLevel.values:
        errors.append(
            FieldError(
                "level",
                _("Cấp công nhận phải là một trong: %(v)s.")
                % {"v": ", ".join(RecognitionLevel.values)},
            )
        )
    if data.kind not in InitiativeKind.values:
        errors.append(FieldError("kind", _("Loại không hợp lệ.")))
    errors += _year_errors(data.year)
    if data.recognized_on is None:
        errors.append(FieldError("recognized_on", _("Ngày công nhận là bắt buộc.")))
    elif data.recognized_on > dt.date.today():
        errors.append(FieldError("recognized_on", _("Ngày công nhận không thể ở tương lai.")))
    return errors


def _initiative_snapshot(initiative: Initiative) -> dict[str, Any]:
    snap = audit.snapshot(initiative, INITIATIVE_FIELDS)
    snap["authors"] = sorted(initiative.authors.values_list("code", flat=True))
    return snap


def _fill_initiative(initiative: Initiative, data: InitiativeData) -> None:
    assert data.unit is not None
    initiative.kind = data.kind
    initiative.title = " ".join(data.title.split())
    initiative.unit = data.unit
    initiative.level = data.level
    initiative.recognized_on = data.recognized_on  # type: ignore[assignment]
    initiative.year = data.year
    initiative.decision_number = data.decision_number.strip()
    initiative.summary = data.summary.strip()
    initiative.search_text = search_key(
        initiative.title, *(a.full_name for a in data.authors), *(a.code for a in data.authors)
    )


@transaction.atomic
def initiative_create(*, actor: Any, data: InitiativeData) -> Initiative:
    errors = validate_initiative(data)
    if errors:
        raise ValidationFailed(errors)
    initiative = Initiative()
    _fill_initiative(initiative, data)
    initiative.save()
    initiative.authors.set(data.authors)
    audit.record(
        actor=actor,
        action="initiative.create",
        obj=initiative,
        after=_initiative_snapshot(initiative),
        unit=initiative.unit,
    )
    return initiative


@transaction.atomic
def initiative_update(*, actor: Any, initiative: Initiative, data: InitiativeData) -> Initiative:
    initiative = Initiative.objects.select_for_update(of=("self",)).get(pk=initiative.pk)
    errors = validate_initiative(data)
    if initiative.used_by_id:
        assert initiative.used_by is not None
        holder = initiative.used_by.person_id
        if holder is not None and holder not in {a.pk for a in data.authors}:
            errors.append(
                FieldError(
                    "authors",
                    _("Sáng kiến đã dùng cho khen thưởng của %(who)s: không thể bỏ tác giả này.")
                    % {"who": initiative.used_by.recipient_label},
                )
            )
    if errors:
        raise ValidationFailed(errors)
    before = _initiative_snapshot(initiative)
    _fill_initiative(initiative, data)
    initiative.save()
    initiative.authors.set(data.authors)
    audit.record(
        actor=actor,
        action="initiative.update",
        obj=initiative,
        before=before,
        after=_initiative_snapshot(initiative),
        unit=initiative.unit,
    )
    return initiative


@transaction.atomic
def initiative_delete(*, actor: Any, initiative: Initiative) -> None:
    initiative = Initiative.objects.select_for_update(of=("self",)).get(pk=initiative.pk)
    if initiative.used_by_id:
        raise Conflict(
            _("Sáng kiến đã được dùng cho một khen thưởng; bỏ liên kết đó trước khi xóa.")
        )
    before = _initiative_snapshot(initiative)
    audit.record(
        actor=actor, action="initiative.delete", obj=initiative, before=before, unit=initiative.unit
    )
    initiative.delete()


def initiatives_bulk_create(*, actor: Any, rows: Sequence[InitiativeData]) -> list[Initiative]:
    """Create many validated initiatives (imports) in one transaction."""
    with transaction.atomic():
        created: list[Initiative] = []
        for data in rows:
            initiative = Initiative()
            _fill_initiative(initiative, data)
            created.append(initiative)
        # SQLite and PostgreSQL both return the new ids, which the authors' rows need.
        Initiative.objects.bulk_create(created, batch_size=1000)
        through = Initiative.authors.through
        through.objects.bulk_create(
            [
                through(initiative_id=i.pk, person_id=a.pk)
                for i, data in zip(created, rows, strict=True)
                for a in data.authors
            ],
            batch_size=2000,
        )
        audit.record_many(
            actor=actor,
            action="initiative.import",
            items=[
                (
                    i,
                    None,
                    {
                        **audit.snapshot(i, INITIATIVE_FIELDS),
                        "authors": sorted(a.code for a in data.authors),
                    },
                    i.unit,
                )
                for i, data in zip(created, rows, strict=True)
            ],
        )
        return created


# --- discipline ---------------------------------------------------------------------


@dataclass
class DisciplineData:
    person: Person
    form: str
    status: str
    decided_on: dt.date | None = None
    ends_on: dt.date | None = None
    opened_on: dt.date | None = None
    decision_number: str = ""
    reason: str = ""


def validate_discipline(data: DisciplineData) -> list[FieldError]:
    errors: list[FieldError] = []
    if data.form not in DisciplineForm.values:
        errors.append(
            FieldError(
                "form",
                _("Hình thức kỷ luật phải là một trong: %(v)s.")
                % {"v": ", ".join(DisciplineForm.values)},
            )
        )
    if data.status not in DisciplineStatus.values:
        errors.append(FieldError("status", _("Trạng thái phải là PENDING hoặc DECIDED.")))
    if data.status == DisciplineStatus.DECIDED and data.decided_on is None:
        errors.append(FieldError("decided_on", _("Kỷ luật đã quyết định phải có ngày quyết định.")))
    if data.status == DisciplineStatus.PENDING and data.ends_on is not None:
        errors.append(FieldError("ends_on", _("Vụ việc đang xem xét chưa có thời hạn hiệu lực.")))
    if data.decided_on and data.ends_on and data.ends_on < data.decided_on:
        errors.append(FieldError("ends_on", _("Ngày hết hiệu lực phải sau ngày quyết định.")))
    if data.opened_on and data.decided_on and data.decided_on < data.opened_on:
        errors.append(FieldError("decided_on", _("Ngày quyết định phải sau ngày phát sinh.")))
    return errors


def _fill_discipline(discipline: Discipline, data: DisciplineData) -> None:
    discipline.person = data.person
    discipline.form = data.form
    discipline.status = data.status
    discipline.opened_on = data.opened_on
    discipline.decided_on = data.decided_on
    discipline.ends_on = data.ends_on
    discipline.decision_number = data.decision_number.strip()
    discipline.reason = data.reason.strip()


@transaction.atomic
def discipline_create(*, actor: Any, data: DisciplineData) -> Discipline:
    errors = validate_discipline(data)
    if errors:
        raise ValidationFailed(errors)
    discipline = Discipline()
    _fill_discipline(discipline, data)
    discipline.save()
    audit.record(
        actor=actor,
        action="discipline.create",
        obj=discipline,
        after={**audit.snapshot(discipline, DISCIPLINE_FIELDS), "person": data.person.code},
        unit=data.person.unit,
    )
    return discipline


@transaction.atomic
def discipline_update(*, actor: Any, discipline: Discipline, data: DisciplineData) -> Discipline:
    discipline = Discipline.objects.select_for_update(of=("self",)).get(pk=discipline.pk)
    errors = validate_discipline(data)
    if errors:
        raise ValidationFailed(errors)
    before = {**audit.snapshot(discipline, DISCIPLINE_FIELDS), "person": discipline.person.code}
    _fill_discipline(discipline, data)
    discipline.save()
    audit.record(
        actor=actor,
        action="discipline.update",
        obj=discipline,
        before=before,
        after={**audit.snapshot(discipline, DISCIPLINE_FIELDS), "person": data.person.code},
        unit=data.person.unit,
    )
    return discipline


# --- judgements ---------------------------------------------------------------------


@transaction.atomic
def judgement_set(
    *,
    actor: Any,
    condition_id: str,
    year: int,
    met: bool | None,
    person: Person | None = None,
    unit: Unit | None = None,
    note: str = "",
) -> Judgement | None:
    """Record (or with `met=None` withdraw) a judgement on one condition for one subject."""
    if (person is None) == (unit is None):
        raise ValidationFailed([FieldError("subject", _("Chọn đúng một cá nhân hoặc tập thể."))])
    check_year(year)
    subject: dict[str, Any] = {"person": person} if person is not None else {"unit": unit}
    scope_unit = person.unit if person is not None else unit
    existing = (
        Judgement.objects.select_for_update(of=("self",))
        .filter(**subject, year=year, condition_id=condition_id)
        .first()
    )
    fields = ["condition_id", "year", "met", "note"]
    before = audit.snapshot(existing, fields) if existing else None
    if met is None:
        if existing is None:
            return None
        audit.record(
            actor=actor, action="judgement.withdraw", obj=existing, before=before, unit=scope_unit
        )
        existing.delete()
        return None
    judgement = existing or Judgement(**subject, year=year, condition_id=condition_id)
    judgement.met = met
    judgement.note = note.strip()
    judgement.recorded_by = actor if getattr(actor, "pk", None) is not None else None
    judgement.save()
    audit.record(
        actor=actor,
        action="judgement.set",
        obj=judgement,
        before=before,
        after=audit.snapshot(judgement, fields),
        unit=scope_unit,
    )
    return judgement
