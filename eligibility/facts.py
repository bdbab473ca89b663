"""Set-wise loading of the facts the rules read, a bounded number of queries for any
number of subjects.

Aggregation happens in SQL so that one row per subject reaches Python however
many years of history exist: ratings come back as one integer whose decimal
digits are the yearly ranks (digit i = year Y-i), awards as one bit mask per
title (bit i = held in year Y-i) plus the earliest year held.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    BigIntegerField,
    Case,
    Count,
    ExpressionWrapper,
    F,
    IntegerField,
    Max,
    Min,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast

from awards.models import (
    LEVEL_RANK,
    Award,
    AwardType,
    Discipline,
    DisciplineStatus,
    Initiative,
    Judgement,
)
from organizations.models import Cluster, Unit, UnitRating
from people.models import Assignment, Person, PersonRating

RATING_WINDOW = 10  # years of ratings kept as digits (fits a 64-bit integer)
AWARD_WINDOW = 16  # years of awards kept as bits
RATING_RANK = {"HTXSNV": 4, "HTTNV": 3, "HTNV": 2, "KHTNV": 1}


@dataclass(slots=True)
class InitiativeFact:
    id: int
    year: int
    level: int  # LEVEL_RANK
    kind: str
    used_award: str | None  # award code that used it
    used_year: int | None
    used_person: int | None


@dataclass(slots=True)
class DisciplineFact:
    form: str
    status: str
    decided_on: dt.date | None
    ends_on: dt.date | None
    opened_on: dt.date | None


@dataclass(slots=True)
class PersonFacts:
    id: int
    code: str
    name: str
    sort_key: str
    unit_id: int | None  # the unit they belong to on 31/12 of the year (None: no unit)
    current_unit_id: int
    recruited_on: dt.date | None = None
    ratings: int = 0
    awards: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    initiatives: list[InitiativeFact] = field(default_factory=list)
    disciplines: list[DisciplineFact] = field(default_factory=list)
    judgements: dict[str, bool] = field(default_factory=dict)
    transfer: tuple[str, int] | None = None  # (old unit name, months there in the year)
    free_from: int = -1  # cache of checks.discipline_free_from (-1: not computed yet)


@dataclass(slots=True)
class UnitFacts:
    id: int
    code: str
    name: str
    sort_key: str
    path: str
    valid_from: dt.date
    valid_to: dt.date | None
    status: str
    ratings: int = 0
    awards: dict[str, tuple[int, int | None]] = field(default_factory=dict)
    members: list[int] = field(default_factory=list)
    leads: list[str] = field(default_factory=list)  # clusters it leads in the year
    judgements: dict[str, bool] = field(default_factory=dict)


def year_end(year: int) -> dt.date:
    return dt.date(year, 12, 31)


def _rating_code(year: int) -> Any:
    # 64-bit from the start: PostgreSQL types small literals as 32-bit integers, and
    # rank × 10⁹ overflows them.
    rank = Case(
        *[
            When(rating=code, then=Cast(Value(r), BigIntegerField()))
            for code, r in RATING_RANK.items()
        ],
        default=Cast(Value(0), BigIntegerField()),
        output_field=BigIntegerField(),
    )
    weight = Case(
        *[
            When(year=year - i, then=Cast(Value(10**i), BigIntegerField()))
            for i in range(RATING_WINDOW)
        ],
        default=Cast(Value(0), BigIntegerField()),
        output_field=BigIntegerField(),
    )
    return Sum(ExpressionWrapper(rank * weight, output_field=BigIntegerField()))


def _award_aggregates(year: int, type_ids: dict[str, int]) -> dict[str, Any]:
    bits = Case(
        *[
            When(year=year - i, then=Cast(Value(1 << i), BigIntegerField()))
            for i in range(AWARD_WINDOW)
        ],
        default=Cast(Value(0), BigIntegerField()),
        output_field=BigIntegerField(),
    )
    aggregates: dict[str, Any] = {}
    for code, type_id in type_ids.items():
        aggregates[f"m_{code}"] = Sum(
            Case(When(award_type_id=type_id, then=bits), default=Value(0)),
            output_field=BigIntegerField(),
        )
        aggregates[f"y_{code}"] = Min(
            Case(When(award_type_id=type_id, then=F("year")), default=Value(None)),
            output_field=IntegerField(),
        )
    return aggregates


def award_type_ids(codes: list[str]) -> dict[str, int]:
    return dict(AwardType.objects.filter(code__in=codes).values_list("code", "id"))


def members_query(year: int, unit_q: Q | None = None, units: Any = None) -> QuerySet[Assignment]:
    """Assignments that make someone a member of a unit for the year (held on 31/12)."""
    day = year_end(year)
    qs = Assignment.objects.filter(start__lte=day).filter(Q(end__isnull=True) | Q(end__gte=day))
    if unit_q is not None:
        qs = qs.filter(unit_q)
    if units is not None:
        qs = qs.filter(unit__in=units)
    return qs


def load_people(year: int, person_filter: Any, award_codes: list[str]) -> dict[int, PersonFacts]:
    """Facts of the people selected by `person_filter` (a queryset of ids or a list)."""
    day = year_end(year)
    jan1 = dt.date(year, 1, 1)
    people: dict[int, PersonFacts] = {}
    # One pass over the assignments gives who they are, their unit on 31/12, when they
    # were recruited and whether they moved during the year.
    member = Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gte=day))
    in_year = Q(start__lte=day) & (Q(end__isnull=True) | Q(end__gte=jan1))
    moved: list[int] = []
    assignment_rows = (
        Assignment.objects.filter(person_id__in=person_filter)
        .values("person_id", "person__code", "person__full_name", "person__sort_key")
        .annotate(
            current=Max("person__unit_id"),
            unit_on=Max(Case(When(member, then=F("unit_id")), default=Value(None))),
            first=Min("start"),
            n_year=Count("id", filter=in_year),
        )
        .values_list(
            "person_id",
            "person__code",
            "person__full_name",
            "person__sort_key",
            "current",
            "unit_on",
            "first",
            "n_year",
        )
    )
    for pid, code, name, sort_key, current, unit_on, first, n_year in assignment_rows.iterator(
        chunk_size=5000
    ):
        people[pid] = PersonFacts(pid, code, name, sort_key, unit_on, current, first)
        if n_year > 1:
            moved.append(pid)
    if isinstance(person_filter, list | tuple | set):
        # Someone recorded without any assignment is still a subject (of no unit).
        for pid, code, name, sort_key, current in Person.objects.filter(
            pk__in=[p for p in person_filter if p not in people]
        ).values_list("id", "code", "full_name", "sort_key", "unit_id"):
            people[pid] = PersonFacts(pid, code, name, sort_key, None, current)
    if not people:
        return people
    if moved:
        _load_transfers(year, people, moved)

    for pid, rcode in (
        PersonRating.objects.filter(
            person_id__in=person_filter, year__gt=year - RATING_WINDOW, year__lte=year
        )
        .values("person_id")
        .annotate(code=_rating_code(year))
        .values_list("person_id", "code")
    ):
        if pid in people:
            people[pid].ratings = int(rcode or 0)

    type_ids = award_type_ids(award_codes)
    if type_ids:
        aggregates = _award_aggregates(year, type_ids)
        rows = (
            Award.objects.filter(
                person_id__in=person_filter,
                award_type_id__in=type_ids.values(),
                year__lte=year,
                revoked_on__isnull=True,
            )
            .values("person_id")
            .annotate(**aggregates)
        )
        keys = [(code, f"m_{code}", f"y_{code}") for code in type_ids]
        for row in rows:
            facts = people.get(row["person_id"])
            if facts is None:
                continue
            facts.awards = {code: (row[m] or 0, row[y]) for code, m, y in keys}

    through = Initiative.authors.through
    for pid, iid, iyear, level, kind, used_code, used_year, used_person in through.objects.filter(
        person_id__in=person_filter,
        initiative__year__gt=year - AWARD_WINDOW,
        initiative__year__lte=year,
    ).values_list(
        "person_id",
        "initiative_id",
        "initiative__year",
        "initiative__level",
        "initiative__kind",
        "initiative__used_by__award_type__code",
        "initiative__used_by__year",
        "initiative__used_by__person_id",
    ):
        if pid in people:
            people[pid].initiatives.append(
                InitiativeFact(
                    iid, iyear, LEVEL_RANK[level], kind, used_code, used_year, used_person
                )
            )

    for pid, form, status, decided_on, ends_on, opened_on in (
        Discipline.objects.filter(person_id__in=person_filter)
        .filter(Q(status=DisciplineStatus.PENDING) | Q(decided_on__lte=day))
        .values_list("person_id", "form", "status", "decided_on", "ends_on", "opened_on")
    ):
        if pid in people:
            people[pid].disciplines.append(
                DisciplineFact(form, status, decided_on, ends_on, opened_on)
            )

    for pid, condition_id, met in Judgement.objects.filter(
        person_id__in=person_filter, year=year
    ).values_list("person_id", "condition_id", "met"):
        if pid in people:
            people[pid].judgements[condition_id] = met
    return people


def _load_transfers(year: int, people: dict[int, PersonFacts], moved: list[int]) -> None:
    """For people who changed unit during the year: the unit they left and how long they
    were there that year (its comments are needed from 6 months on)."""
    jan1, day = dt.date(year, 1, 1), year_end(year)
    rows = (
        Assignment.objects.filter(person_id__in=moved, start__lte=day)
        .filter(Q(end__isnull=True) | Q(end__gte=jan1))
        .order_by("person_id", "start")
        .values_list("person_id", "unit__name", "start", "end")
    )
    spans: dict[int, list[tuple[str, dt.date, dt.date | None]]] = defaultdict(list)
    for pid, unit_name, start, end in rows:
        spans[pid].append((unit_name, start, end))
    for pid, items in spans.items():
        earlier = [s for s in items if s[2] is not None and s[2] < day]
        if not earlier:
            continue
        longest = max(earlier, key=lambda s: (min(s[2] or day, day) - max(s[1], jan1)).days)
        name, start, end = longest
        days = (min(end or day, day) - max(start, jan1)).days + 1
        people[pid].transfer = (name, days * 12 // 365)


def load_units(year: int, unit_filter: Any, award_codes: list[str]) -> dict[int, UnitFacts]:
    units: dict[int, UnitFacts] = {}
    for uid, code, name, sort_key, path, vfrom, vto, status in (
        Unit.objects.filter(pk__in=unit_filter)
        .filter(valid_from__lte=year_end(year))
        .values_list("id", "code", "name", "sort_key", "path", "valid_from", "valid_to", "status")
    ):
        units[uid] = UnitFacts(uid, code, name, sort_key, path, vfrom, vto, status)
    if not units:
        return units
    for uid, rcode in (
        UnitRating.objects.filter(
            unit_id__in=unit_filter, year__gt=year - RATING_WINDOW, year__lte=year
        )
        .values("unit_id")
        .annotate(code=_rating_code(year))
        .values_list("unit_id", "code")
    ):
        if uid in units:
            units[uid].ratings = int(rcode or 0)
    type_ids = award_type_ids(award_codes)
    if type_ids:
        for row in (
            Award.objects.filter(
                unit_id__in=unit_filter,
                award_type_id__in=type_ids.values(),
                year__lte=year,
                revoked_on__isnull=True,
            )
            .values("unit_id")
            .annotate(**_award_aggregates(year, type_ids))
        ):
            facts = units.get(row["unit_id"])
            if facts is not None:
                facts.awards = {
                    code: (int(row[f"m_{code}"] or 0), row[f"y_{code}"]) for code in type_ids
                }
    for uid, name in Cluster.objects.filter(year=year, leader_id__in=unit_filter).values_list(
        "leader_id", "name"
    ):
        if uid in units:
            units[uid].leads.append(name)
    for uid, condition_id, met in Judgement.objects.filter(
        unit_id__in=unit_filter, year=year
    ).values_list("unit_id", "condition_id", "met"):
        if uid in units:
            units[uid].judgements[condition_id] = met
    return units
