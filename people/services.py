"""State changes of people: creation, edits, transfers, ratings. Each audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext as _

from audit import services as audit
from core.choices import Gender
from core.errors import Conflict, FieldError, ValidationFailed
from core.ratings import rating_set
from core.text import name_sort_key, search_key
from organizations.models import Unit
from people.models import Assignment, Person, PersonRating

ONE_DAY = dt.timedelta(days=1)
PERSON_FIELDS = [
    "code",
    "full_name",
    "gender",
    "birth_date",
    "position",
    "is_head",
    "email",
    "unit_id",
    "started_on",
]


def refresh_keys(person: Person) -> None:
    person.search_text = search_key(person.full_name, person.code, person.position)
    person.sort_key = name_sort_key(person.full_name)


def validate_person_fields(
    *,
    code: str,
    full_name: str,
    unit: Unit | None,
    started_on: dt.date | None,
    gender: str = "",
) -> list[FieldError]:
    """Checks that need no database; shared by the form, the API and the importer."""
    errors: list[FieldError] = []
    if not code or not code.strip():
        errors.append(FieldError("code", _("Mã cán bộ không được để trống.")))
    elif len(code.strip()) > 32 or any(ch.isspace() for ch in code.strip()):
        errors.append(FieldError("code", _("Mã cán bộ tối đa 32 ký tự và không có khoảng trắng.")))
    if not full_name or not full_name.strip():
        errors.append(FieldError("full_name", _("Họ và tên không được để trống.")))
    elif len(full_name.strip()) > 150:
        errors.append(FieldError("full_name", _("Họ và tên tối đa 150 ký tự.")))
    if unit is None:
        errors.append(FieldError("unit", _("Chưa chọn đơn vị.")))
    elif not unit.is_active:
        errors.append(FieldError("unit", _("Đơn vị “%(u)s” đã ngừng hoạt động.") % {"u": unit}))
    if started_on is None:
        errors.append(FieldError("started_on", _("Chưa nhập ngày vào đơn vị.")))
    elif unit is not None and started_on < unit.valid_from:
        errors.append(FieldError("started_on", _("Ngày vào đơn vị sớm hơn ngày thành lập đơn vị.")))
    if gender and gender not in Gender.values:
        errors.append(FieldError("gender", _("Giới tính phải là F (nữ) hoặc M (nam).")))
    return errors


@transaction.atomic
def person_create(
    *,
    actor: Any,
    code: str,
    full_name: str,
    unit: Unit,
    started_on: dt.date,
    gender: str = "",
    is_head: bool = False,
    position: str = "",
    birth_date: dt.date | None = None,
    email: str = "",
) -> Person:
    errors = validate_person_fields(
        code=code, full_name=full_name, unit=unit, started_on=started_on, gender=gender
    )
    if errors:
        raise ValidationFailed(errors)
    code = code.strip()
    if Person.objects.filter(code=code).exists():
        raise Conflict(_("Mã cán bộ “%(code)s” đã tồn tại.") % {"code": code})
    person = Person(
        code=code,
        full_name=" ".join(full_name.split()),
        gender=gender,
        unit=unit,
        started_on=started_on,
        is_head=is_head,
        position=position.strip(),
        birth_date=birth_date,
        email=email.strip(),
    )
    refresh_keys(person)
    person.save()
    Assignment.objects.create(person=person, unit=unit, start=started_on)
    audit.record(
        actor=actor,
        action="person.create",
        obj=person,
        after=audit.snapshot(person, PERSON_FIELDS),
        unit=unit,
    )
    return person


@transaction.atomic
def person_update(*, actor: Any, person: Person, **changes: Any) -> Person:
    """Edit personal fields. The unit changes only through a transfer."""
    allowed = {"full_name", "gender", "birth_date", "position", "is_head", "email"}
    unknown = set(changes) - allowed
    if unknown:
        raise ValueError(f"person_update cannot change {sorted(unknown)}")
    person = Person.objects.select_for_update().select_related("unit").get(pk=person.pk)
    before = audit.snapshot(person, PERSON_FIELDS)
    for name, value in changes.items():
        setattr(person, name, value.strip() if isinstance(value, str) else value)
    errors = validate_person_fields(
        code=person.code,
        full_name=person.full_name,
        unit=person.unit,
        started_on=person.started_on,
        gender=person.gender,
    )
    # Placement rules (active unit, start after the unit's founding) apply when a
    # person is placed; an edit must work after merges moved them to a younger unit.
    errors = [e for e in errors if e.field not in {"unit", "started_on"}]
    if errors:
        raise ValidationFailed(errors)
    person.full_name = " ".join(person.full_name.split())
    refresh_keys(person)
    person.save()
    audit.record(
        actor=actor,
        action="person.update",
        obj=person,
        before=before,
        after=audit.snapshot(person, PERSON_FIELDS),
        unit=person.unit,
    )
    return person


def transfer_many(*, actor: Any, moves: list[tuple[Person, Unit]], on: dt.date) -> None:
    """Move each person to a unit from `on`: close the open assignment the day before.

    Used by single transfers and by merges/splits that move whole units, so it
    writes in bulk and audits once per person.
    """
    if not moves:
        return
    person_ids = [p.pk for p, _ in moves]
    open_assignments = {
        a.person_id: a
        for a in Assignment.objects.select_for_update().filter(
            person_id__in=person_ids, end__isnull=True
        )
    }
    errors: list[FieldError] = []
    for person, target in moves:
        current = open_assignments.get(person.pk)
        if current is not None and current.start >= on:
            errors.append(
                FieldError(
                    "on",
                    _(
                        "%(p)s: ngày chuyển phải sau ngày bắt đầu công tác tại đơn vị hiện tại"
                        " (%(d)s)."
                    )
                    % {"p": person.full_name, "d": current.start.strftime("%d/%m/%Y")},
                )
            )
        if current is not None and current.unit_id == target.pk:
            errors.append(
                FieldError("unit", _("%(p)s đã thuộc đơn vị này.") % {"p": person.full_name})
            )
        if not target.is_active:
            errors.append(
                FieldError("unit", _("Đơn vị “%(u)s” đã ngừng hoạt động.") % {"u": target})
            )
        elif on < target.valid_from:
            # Same rule as for a new person: no assignment before the unit existed.
            errors.append(
                FieldError("on", _("Ngày chuyển sớm hơn ngày thành lập “%(u)s”.") % {"u": target})
            )
    if errors:
        raise ValidationFailed(errors)
    closing = []
    for person, _target in moves:
        current = open_assignments.get(person.pk)
        if current is not None:
            current.end = on - ONE_DAY
            closing.append(current)
    Assignment.objects.bulk_update(closing, ["end"], batch_size=500)
    Assignment.objects.bulk_create(
        [Assignment(person=p, unit=t, start=on) for p, t in moves], batch_size=500
    )
    items = []
    for person, target in moves:
        before = {"unit": person.unit.code if person.unit_id else None}
        person.unit = target
        items.append((person, before, {"unit": target.code, "on": on.isoformat()}, target))
    Person.objects.bulk_update([p for p, _ in moves], ["unit"], batch_size=500)
    audit.record_many(actor=actor, action="person.transfer", items=items)


@transaction.atomic
def person_transfer(*, actor: Any, person: Person, unit: Unit, on: dt.date) -> Person:
    person = Person.objects.select_for_update().select_related("unit").get(pk=person.pk)
    transfer_many(actor=actor, moves=[(person, unit)], on=on)
    return person


@transaction.atomic
def person_rating_set(*, actor: Any, person: Person, year: int, rating: str) -> PersonRating:
    return rating_set(
        PersonRating, actor=actor, owner_field="person", owner=person, year=year, rating=rating,
        action="person.rating", unit=person.unit, extra={"person": person.code},
    )  # fmt: skip


def members_on(unit_ids: list[int], day: dt.date) -> dict[int, list[int]]:
    """Person ids assigned to each unit on `day`, for many units in one query."""
    rows = Assignment.objects.filter(unit_id__in=unit_ids, start__lte=day).filter(
        Q(end__isnull=True) | Q(end__gte=day)
    )
    result: dict[int, list[int]] = {uid: [] for uid in unit_ids}
    for unit_id, person_id in rows.values_list("unit_id", "person_id"):
        result[unit_id].append(person_id)
    return result


def unit_members_for_year(unit: Unit, year: int) -> list[Person]:
    """Members of a unit for year Y are the people assigned to it on 31/12/Y."""
    day = dt.date(year, 12, 31)
    held = Assignment.objects.filter(unit=unit, start__lte=day).filter(
        Q(end__isnull=True) | Q(end__gte=day)
    )
    return list(Person.objects.filter(pk__in=held.values("person_id")).order_by("sort_key"))


@dataclass(frozen=True)
class NewPerson:
    """One already-validated person to create in bulk (see people.imports)."""

    code: str
    full_name: str
    unit: Unit
    started_on: dt.date
    gender: str = ""
    is_head: bool = False
    position: str = ""
    birth_date: dt.date | None = None
    email: str = ""


# Keeps each `code IN (...)` below SQLite's bound-parameter limit.
_CODE_CHUNK = 10_000


def existing_person_codes(codes: Collection[str]) -> set[str]:
    """Which of `codes` are already taken: one query per 10,000 codes, not one per code."""
    unique = sorted(set(codes))
    taken: set[str] = set()
    for start in range(0, len(unique), _CODE_CHUNK):
        chunk = unique[start : start + _CODE_CHUNK]
        taken.update(Person.objects.filter(code__in=chunk).values_list("code", flat=True))
    return taken


@transaction.atomic
def people_bulk_create(*, actor: Any, rows: Sequence[NewPerson]) -> list[Person]:
    """Create many people, their first assignments and one audit row each, all or nothing.

    The caller validates row by row (to report every bad row at once); the checks
    here only guard the invariants again, cheaply, in case the data changed since.
    """
    if not rows:
        return []
    errors: list[FieldError] = []
    for row in rows:
        errors.extend(
            validate_person_fields(
                code=row.code,
                full_name=row.full_name,
                unit=row.unit,
                started_on=row.started_on,
                gender=row.gender,
            )
        )
    if errors:
        raise ValidationFailed(errors)
    codes = [row.code.strip() for row in rows]
    if len(set(codes)) != len(codes):
        raise Conflict(_("Danh sách có mã cán bộ bị trùng."))
    taken = existing_person_codes(codes)
    if taken:
        raise Conflict(_("Mã cán bộ đã tồn tại: %(codes)s.") % {"codes": ", ".join(sorted(taken))})
    people: list[Person] = []
    for row, code in zip(rows, codes, strict=True):
        person = Person(
            code=code,
            full_name=" ".join(row.full_name.split()),
            gender=row.gender,
            unit=row.unit,
            started_on=row.started_on,
            is_head=row.is_head,
            position=row.position.strip(),
            birth_date=row.birth_date,
            email=row.email.strip(),
        )
        refresh_keys(person)
        people.append(person)
    created = Person.objects.bulk_create(people, batch_size=500)
    if any(person.pk is None for person in created):
        # Backends that cannot return ids from a bulk insert: read them back by code.
        ids = dict(Person.objects.filter(code__in=codes).values_list("code", "pk"))
        for person in created:
            person.pk = ids[person.code]
    Assignment.objects.bulk_create(
        [Assignment(person=p, unit=p.unit, start=p.started_on) for p in created], batch_size=500
    )
    audit.record_many(
        actor=actor,
        action="person.create",
        items=[
            (p, None, {**audit.snapshot(p, PERSON_FIELDS), "source": "xlsx"}, p.unit)
            for p in created
        ],
    )
    return created
