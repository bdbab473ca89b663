"""Writing many yearly ratings at once (the ratings import): insert or replace, audited.

The one-by-one service (core.ratings.rating_set) costs a lock and a few queries per
rating; a unit moving ten years of history in has tens of thousands of them. This
writes them in bulk, with the same audit shape as the one-by-one path (same action
codes, before/after of year and rating), so the person's and the unit's history
pages show imported ratings like any other change.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from audit import services as audit
from core.errors import Conflict, FieldError, ValidationFailed
from core.ratings import check_rating, check_year
from organizations.models import Unit, UnitRating
from people.models import Person, PersonRating

# Large enough that a normal file takes one query, small enough for any backend's
# limit on the number of bound parameters of one statement.
CHUNK = 5000

T = TypeVar("T")


def chunks(items: Sequence[T], size: int = CHUNK) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


@dataclass(frozen=True)
class RatingRow:
    owner: Any  # a Person or a Unit, according to the function called
    year: int
    rating: str


@dataclass
class RatingOutcome:
    created: int = 0
    updated: int = 0
    unchanged: int = 0


def _check(rows: Sequence[RatingRow]) -> None:
    errors: list[FieldError] = []
    seen: set[tuple[int, int]] = set()
    for row in rows:
        try:
            check_rating(row.rating)
            check_year(row.year)
        except ValidationFailed as exc:
            errors.extend(exc.errors)
        key = (row.owner.pk, row.year)
        if key in seen:
            errors.append(FieldError("year", _("Một đối tượng có hai xếp loại cho cùng một năm.")))
        seen.add(key)
    if errors:
        raise ValidationFailed(errors)


def _bulk_set(
    model: type[models.Model],
    *,
    actor: Any,
    owner_field: str,
    rows: Sequence[RatingRow],
    action: str,
    unit_of: Callable[[Any], Unit],
    extra_of: Callable[[Any], dict[str, Any]],
) -> RatingOutcome:
    _check(rows)
    outcome = RatingOutcome()
    if not rows:
        return outcome
    owner_id = f"{owner_field}_id"
    owners = {row.owner.pk: row.owner for row in rows}
    years = sorted({row.year for row in rows})
    existing: dict[tuple[int, int], Any] = {}
    for part in chunks(sorted(owners)):
        # Locked, so a rating changed meanwhile by someone else is not silently lost.
        found = model._default_manager.select_for_update(of=("self",)).filter(
            **{f"{owner_id}__in": part, "year__in": years}
        )
        for obj in found:
            existing[(getattr(obj, owner_id), obj.year)] = obj  # type: ignore[attr-defined]

    new: list[Any] = []
    changed: list[tuple[Any, dict[str, Any]]] = []
    for row in rows:
        current = existing.get((row.owner.pk, row.year))
        if current is None:
            new.append(model(**{owner_field: row.owner, "year": row.year, "rating": row.rating}))
        elif current.rating == row.rating:
            outcome.unchanged += 1
        else:
            before = audit.snapshot(current, ["year", "rating"])
            current.rating = row.rating
            setattr(current, owner_field, row.owner)  # for the audit's unit and repr
            changed.append((current, before))
    try:
        with transaction.atomic():
            created = model._default_manager.bulk_create(new, batch_size=1000)
    except IntegrityError as exc:  # someone rated the same year meanwhile
        raise Conflict(
            _("Một số xếp loại vừa được người khác nhập; không có gì được ghi, hãy nhập lại.")
        ) from exc
    if created and created[0].pk is None:  # a backend that does not return ids
        fresh: dict[tuple[int, int], Any] = {
            (getattr(o, owner_id), o.year): o  # type: ignore[attr-defined]
            for o in model._default_manager.filter(
                **{f"{owner_id}__in": list(owners), "year__in": years}
            )
        }
        for obj in created:
            obj.pk = fresh[(getattr(obj, owner_id), obj.year)].pk  # type: ignore[attr-defined]
    if changed:
        model._default_manager.bulk_update([c for c, _b in changed], ["rating"], batch_size=1000)
    outcome.created = len(created)
    outcome.updated = len(changed)

    items: list[tuple[models.Model, dict[str, Any] | None, dict[str, Any] | None, Any]] = []
    for obj in created:
        owner = getattr(obj, owner_field)
        after = {**audit.snapshot(obj, ["year", "rating"]), **extra_of(owner)}
        items.append((obj, None, after, unit_of(owner)))
    for obj, before in changed:
        owner = getattr(obj, owner_field)
        after = {**audit.snapshot(obj, ["year", "rating"]), **extra_of(owner)}
        items.append((obj, before, after, unit_of(owner)))
    audit.record_many(actor=actor, action=action, items=items)
    return outcome


@transaction.atomic
def person_ratings_bulk_set(*, actor: Any, rows: Sequence[RatingRow]) -> RatingOutcome:
    """Set each person's rating for each year given; an existing one is replaced.

    `rows[i].owner` must be a Person with its unit loaded (the audit files the
    change under it, as person_rating_set does).
    """
    assert all(isinstance(r.owner, Person) for r in rows)
    return _bulk_set(
        PersonRating,
        actor=actor,
        owner_field="person",
        rows=rows,
        action="person.rating",
        unit_of=lambda person: person.unit,
        extra_of=lambda person: {"person": person.code},
    )


@transaction.atomic
def unit_ratings_bulk_set(*, actor: Any, rows: Sequence[RatingRow]) -> RatingOutcome:
    """Set each unit's rating for each year given; an existing one is replaced."""
    assert all(isinstance(r.owner, Unit) for r in rows)
    return _bulk_set(
        UnitRating,
        actor=actor,
        owner_field="unit",
        rows=rows,
        action="unit.rating",
        unit_of=lambda unit: unit,
        extra_of=lambda unit: {},
    )
