"""Vectorised evaluation for bulk runs (a subtree's list, exports, 100,000 people).

The same rules and the same semantics as the per-subject checks of
eligibility/checks.py, computed column-wise with numpy over every subject at
once: each condition becomes an array of codes (met, not met, awaiting
judgement, not applicable), routes combine them with AND, a rule with OR. The
per-subject checks stay the reference: they explain a verdict on a page, and a
test compares both paths subject by subject. Results are turned into objects
only for the subjects someone looks at.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from awards.models import DISCIPLINE_RANK, LEVEL_RANK, DisciplineStatus
from eligibility.checks import add_months, discipline_free_from
from eligibility.facts import AWARD_WINDOW, RATING_RANK, RATING_WINDOW, PersonFacts, UnitFacts
from eligibility.rules import Condition, Rule, RuleSet

Bools = npt.NDArray[np.bool_]
Ints = npt.NDArray[np.int64]
Codes = npt.NDArray[np.int8]

MET, UNMET, AWAITING, NOT_APPLICABLE = 1, 0, -1, 2
NONE_YEAR = -(10**6)
FAR_FUTURE = 10**9
KIND_CODES = {"INITIATIVE": 0, "RESEARCH": 1}


@dataclass
class Side:
    """The arrays of one kind of subject (people or units)."""

    ids: Ints
    ranks: npt.NDArray[np.int8]  # [years back, subject]
    masks: dict[str, Ints]
    earliest: dict[str, Ints]
    judgements: dict[str, Codes]
    eligible: dict[str, Bools] = field(default_factory=dict)
    pending: dict[str, Bools] = field(default_factory=dict)

    @property
    def n(self) -> int:
        return len(self.ids)


def _side(subjects: list[Any], codes: list[str]) -> Side:
    n = len(subjects)
    ratings = np.fromiter((s.ratings for s in subjects), dtype=np.int64, count=n)
    ranks = np.empty((RATING_WINDOW, n), dtype=np.int8)
    for back in range(RATING_WINDOW):
        ranks[back] = (ratings // 10**back) % 10
    masks: dict[str, Ints] = {}
    earliest: dict[str, Ints] = {}
    for code in codes:
        masks[code] = np.fromiter(
            (s.awards.get(code, (0, None))[0] for s in subjects), dtype=np.int64, count=n
        )
        earliest[code] = np.fromiter(
            (
                y if (y := s.awards.get(code, (0, None))[1]) is not None else FAR_FUTURE
                for s in subjects
            ),
            dtype=np.int64,
            count=n,
        )
    judgements: dict[str, Codes] = {}
    for i, s in enumerate(subjects):
        for condition_id, met in s.judgements.items():
            column = judgements.setdefault(condition_id, np.full(n, AWAITING, dtype=np.int8))
            column[i] = MET if met else UNMET
    ids = np.fromiter((s.id for s in subjects), dtype=np.int64, count=n)
    return Side(ids, ranks, masks, earliest, judgements)


@dataclass
class PeopleArrays:
    side: Side
    facts: list[PersonFacts]
    unit_id: Ints  # -1: no unit on 31/12
    recruited: Ints  # proleptic ordinal; FAR_FUTURE when unknown
    pending_case: Bools
    free_from: Ints
    transfer_months: Ints  # -1: did not move in the year
    disciplined_rank: Ints  # highest form decided in the year (0: none)
    # initiative authorships, one row each
    i_person: Ints
    i_year: Ints
    i_level: Ints
    i_kind: Ints
    i_used_award: npt.NDArray[np.object_]
    i_used_year: Ints
    i_used_person: Ints


def people_arrays(people: dict[int, PersonFacts], year: int, codes: list[str]) -> PeopleArrays:
    facts = list(people.values())
    n = len(facts)
    side = _side(facts, codes)
    unit_id = np.fromiter(
        (f.unit_id if f.unit_id is not None else -1 for f in facts), dtype=np.int64, count=n
    )
    recruited = np.fromiter(
        (f.recruited_on.toordinal() if f.recruited_on else FAR_FUTURE for f in facts),
        dtype=np.int64,
        count=n,
    )
    pending_case = np.zeros(n, dtype=np.bool_)
    free_from = np.zeros(n, dtype=np.int64)
    disciplined_rank = np.zeros(n, dtype=np.int64)
    transfer_months = np.full(n, -1, dtype=np.int64)
    rows: list[tuple[int, int, int, int, str | None, int, int]] = []
    for i, f in enumerate(facts):
        if f.disciplines:
            free_from[i] = discipline_free_from(f)
            for d in f.disciplines:
                if d.status == DisciplineStatus.PENDING:
                    pending_case[i] = True
                elif d.decided_on is not None and d.decided_on.year == year:
                    disciplined_rank[i] = max(disciplined_rank[i], DISCIPLINE_RANK.get(d.form, 0))
        if f.transfer is not None:
            transfer_months[i] = f.transfer[1]
        for ini in f.initiatives:
            rows.append(
                (
                    i,
                    ini.year,
                    ini.level,
                    KIND_CODES.get(ini.kind, 9),
                    ini.used_award,
                    ini.used_year if ini.used_year is not None else NONE_YEAR,
                    ini.used_person if ini.used_person is not None else -1,
                )
            )
    columns = list(zip(*rows, strict=True)) if rows else [()] * 7
    return PeopleArrays(
        side=side,
        facts=facts,
        unit_id=unit_id,
        recruited=recruited,
        pending_case=pending_case,
        free_from=free_from,
        transfer_months=transfer_months,
        disciplined_rank=disciplined_rank,
        i_person=np.array(columns[0], dtype=np.int64),
        i_year=np.array(columns[1], dtype=np.int64),
        i_level=np.array(columns[2], dtype=np.int64),
        i_kind=np.array(columns[3], dtype=np.int64),
        i_used_award=np.array(columns[4], dtype=object),
        i_used_year=np.array(columns[5], dtype=np.int64),
        i_used_person=np.array(columns[6], dtype=np.int64),
    )


@dataclass
class UnitArrays:
    side: Side
    facts: list[UnitFacts]
    active: Bools
    leads: Bools


def unit_arrays(units: dict[int, UnitFacts], year: int, codes: list[str]) -> UnitArrays:
    facts = list(units.values())
    day = dt.date(year, 12, 31)
    n = len(facts)
    return UnitArrays(
        side=_side(facts, codes),
        facts=facts,
        active=np.fromiter(
            (u.valid_from <= day and (u.valid_to is None or u.valid_to >= day) for u in facts),
            dtype=np.bool_,
            count=n,
        ),
        leads=np.fromiter((bool(u.leads) for u in facts), dtype=np.bool_, count=n),
    )


@dataclass
class VContext:
    year: int
    people: PeopleArrays
    units: UnitArrays | None
    member_of: Ints  # per person: index of their unit among `units`, or -1
    award: str = ""


# A vector check answers (met, leaning) for every subject; `leaning` marks those met
# only through a title of the year that still awaits a judgement.
VResult = tuple[Bools, Bools | None]


def _held(ctx: VContext, side: Side, code: str, y: int) -> VResult:
    back = ctx.year - y
    mask = side.masks.get(code)
    recorded = (
        ((mask >> back) & 1).astype(np.bool_)
        if mask is not None and 0 <= back < AWARD_WINDOW
        else np.zeros(side.n, dtype=np.bool_)
    )
    if back != 0 or code not in side.eligible:
        return recorded, None
    by_record = side.eligible[code] & ~recorded
    return recorded | side.eligible[code], by_record & side.pending[code]


def _latest_before(side: Side, code: str, year: int) -> Ints:
    mask = side.masks.get(code, np.zeros(side.n, dtype=np.int64))
    older = mask >> 1
    lowest = older & -older
    position = np.where(lowest > 0, np.log2(np.maximum(lowest, 1)).astype(np.int64), 0)
    earliest = side.earliest.get(code, np.full(side.n, FAR_FUTURE, dtype=np.int64))
    return np.where(older > 0, year - 1 - position, np.where(earliest < year, earliest, NONE_YEAR))


def _floor(ctx: VContext, side: Side, p: dict[str, Any], person: bool) -> Ints:
    floor = ctx.people.free_from.copy() if person else np.zeros(side.n, dtype=np.int64)
    after = p.get("after_award")
    if after:
        last = _latest_before(side, after, ctx.year)
        floor = np.where((last != NONE_YEAR) & (last + 1 > floor), last + 1, floor)
    return floor


def _or(a: Bools | None, b: Bools | None) -> Bools | None:
    if a is None:
        return b
    if b is None:
        return a
    return a | b


def _chain(
    ctx: VContext, side: Side, code: str, years: list[int], p: dict[str, Any], person: bool
) -> VResult:
    ok = np.ones(side.n, dtype=np.bool_)
    leaning: Bools | None = None
    for y in years:
        held, lean = _held(ctx, side, code, y)
        ok &= held
        leaning = _or(leaning, lean)
    return ok & (years[0] >= _floor(ctx, side, p, person)), leaning


def v_title_chain(ctx: VContext, p: dict[str, Any]) -> VResult:
    n = int(p["years"])
    years = list(range(ctx.year - n + 1, ctx.year + 1))
    return _chain(ctx, ctx.people.side, p["award"], years, p, True)


def v_title_cycle(ctx: VContext, p: dict[str, Any]) -> VResult:
    years = sorted(ctx.year - k * int(p["every"]) for k in range(int(p["times"])))
    return _chain(ctx, ctx.people.side, p["award"], years, p, True)


def _rating_chain(ctx: VContext, side: Side, p: dict[str, Any], person: bool) -> VResult:
    need, n = RATING_RANK[p["min"]], int(p["years"])
    ok = np.ones(side.n, dtype=np.bool_)
    for back in range(n):
        ok &= side.ranks[back] >= need
    return ok & (ctx.year - n + 1 >= _floor(ctx, side, p, person)), None


def v_rating_chain(ctx: VContext, p: dict[str, Any]) -> VResult:
    return _rating_chain(ctx, ctx.people.side, p, True)


def v_unit_rating_chain(ctx: VContext, p: dict[str, Any]) -> VResult:
    assert ctx.units is not None
    return _rating_chain(ctx, ctx.units.side, p, False)


def v_unit_title_chain(ctx: VContext, p: dict[str, Any]) -> VResult:
    assert ctx.units is not None
    n = int(p["years"])
    years = list(range(ctx.year - n + 1, ctx.year + 1))
    return _chain(ctx, ctx.units.side, p["award"], years, p, False)


def v_rating_count(ctx: VContext, p: dict[str, Any]) -> VResult:
    side = ctx.people.side
    need, n, count = RATING_RANK[p["min"]], int(p["years"]), int(p["count"])
    found = np.zeros(side.n, dtype=np.int64)
    for back in range(n):
        found += (side.ranks[back] >= need) & (ctx.year - back >= ctx.people.free_from)
    return found >= count, None


def v_title_count(ctx: VContext, p: dict[str, Any]) -> VResult:
    side = ctx.people.side
    code, n, count = p["award"], int(p["years"]), int(p["count"])
    found = np.zeros(side.n, dtype=np.int64)
    leaning: Bools | None = None
    for y in range(ctx.year - n + 1, ctx.year + 1):
        held, lean = _held(ctx, side, code, y)
        counted = held & (y >= ctx.people.free_from)
        found += counted
        if lean is not None:
            leaning = _or(leaning, lean & counted)
    return found >= count, leaning


def v_holds_award_before(ctx: VContext, p: dict[str, Any]) -> VResult:
    side = ctx.people.side
    code, n = p["award"], int(p["years"])
    mask = side.masks.get(code, np.zeros(side.n, dtype=np.int64))
    earliest = side.earliest.get(code, np.full(side.n, FAR_FUTURE, dtype=np.int64))
    return ((mask >> n) != 0) | (earliest <= ctx.year - n), None


def v_initiatives(ctx: VContext, p: dict[str, Any]) -> VResult:
    people = ctx.people
    n_people = people.side.n
    min_level = LEVEL_RANK[p["min_level"]]
    kinds = [KIND_CODES[k] for k in p.get("kinds", ["INITIATIVE", "RESEARCH"])]
    n, count = int(p["years"]), int(p["count"])
    if len(people.i_person) == 0:
        return np.zeros(n_people, dtype=np.bool_) if count > 0 else np.ones(
            n_people, np.bool_
        ), None
    first = np.maximum(ctx.year - n + 1, people.free_from[people.i_person])
    in_scope = (
        (people.i_year >= first)
        & (people.i_year <= ctx.year)
        & (people.i_level >= min_level)
        & np.isin(people.i_kind, kinds)
    )
    unused = people.i_used_award == None  # noqa: E711 - element-wise comparison
    own_use = (
        (people.i_used_award == ctx.award)
        & (people.i_used_year == ctx.year)
        & (people.i_used_person == people.side.ids[people.i_person])
    )
    usable = in_scope & (unused | own_use)
    if p.get("same_kind"):
        found = np.zeros(n_people, dtype=np.int64)
        for kind in kinds:
            rows = usable & (people.i_kind == kind)
            found = np.maximum(found, np.bincount(people.i_person[rows], minlength=n_people))
    else:
        found = np.bincount(people.i_person[usable], minlength=n_people)
    return found >= count, None


def v_member_on_year_end(ctx: VContext, p: dict[str, Any]) -> VResult:
    return ctx.people.unit_id >= 0, None


def _cutoff(year: int, months: int) -> int:
    return (add_months(dt.date(year, 12, 31), -months) + dt.timedelta(days=1)).toordinal()


def v_not_newcomer(ctx: VContext, p: dict[str, Any]) -> VResult:
    return ctx.people.recruited <= _cutoff(ctx.year, int(p.get("months", 6))), None


def v_no_pending_discipline(ctx: VContext, p: dict[str, Any]) -> VResult:
    return ~ctx.people.pending_case, None


def v_no_discipline_in_effect(ctx: VContext, p: dict[str, Any]) -> VResult:
    months = int(p.get("default_months", 12))
    free = ctx.people.free_from
    if months != 12:
        free = np.array([discipline_free_from(f, months) for f in ctx.people.facts], dtype=np.int64)
    return ctx.year >= free, None


def v_rating_at_least(ctx: VContext, p: dict[str, Any]) -> VResult:
    return ctx.people.side.ranks[0] >= RATING_RANK[p["min"]], None


def v_unit_rating_at_least(ctx: VContext, p: dict[str, Any]) -> VResult:
    assert ctx.units is not None
    return ctx.units.side.ranks[0] >= RATING_RANK[p["min"]], None


def v_meets_rule(ctx: VContext, p: dict[str, Any]) -> VResult:
    side = ctx.people.side
    met = side.eligible[p["award"]]
    return met, met & side.pending[p["award"]]


def v_unit_active_on_year_end(ctx: VContext, p: dict[str, Any]) -> VResult:
    assert ctx.units is not None
    return ctx.units.active, None


def v_cluster_leader(ctx: VContext, p: dict[str, Any]) -> VResult:
    assert ctx.units is not None
    return ctx.units.leads, None


def _per_unit(ctx: VContext, people_mask: Bools) -> Ints:
    assert ctx.units is not None
    rows = people_mask & (ctx.member_of >= 0)
    return np.bincount(ctx.member_of[rows], minlength=ctx.units.side.n)


def v_members_share_title(ctx: VContext, p: dict[str, Any]) -> VResult:
    code, min_pct = p["award"], int(p["min_pct"])
    considered = ~(
        (ctx.people.recruited != FAR_FUTURE) & (ctx.people.recruited > _cutoff(ctx.year, 6))
    )
    held, lean = _held(ctx, ctx.people.side, code, ctx.year)
    found = _per_unit(ctx, considered & held)
    total = _per_unit(ctx, considered)
    met = (total > 0) & (found * 100 >= min_pct * total)
    leaning = _per_unit(ctx, considered & held & lean) > 0 if lean is not None else None
    return met, leaning


def v_members_share_rating(ctx: VContext, p: dict[str, Any]) -> VResult:
    need, min_pct = RATING_RANK[p["min"]], int(p["min_pct"])
    everyone = np.ones(ctx.people.side.n, dtype=np.bool_)
    found = _per_unit(ctx, ctx.people.side.ranks[0] >= need)
    total = _per_unit(ctx, everyone)
    return (total > 0) & (found * 100 >= min_pct * total), None


def v_members_with_title(ctx: VContext, p: dict[str, Any]) -> VResult:
    held, lean = _held(ctx, ctx.people.side, p["award"], ctx.year)
    met = _per_unit(ctx, held) >= int(p["count"])
    leaning = _per_unit(ctx, held & lean) > 0 if lean is not None else None
    return met, leaning


def v_no_member_disciplined(ctx: VContext, p: dict[str, Any]) -> VResult:
    hit = ctx.people.disciplined_rank >= DISCIPLINE_RANK[p["min_form"]]
    return _per_unit(ctx, hit) == 0, None


VCHECKS: dict[str, Callable[[VContext, dict[str, Any]], VResult]] = {
    "member_on_year_end": v_member_on_year_end,
    "not_newcomer": v_not_newcomer,
    "no_pending_discipline": v_no_pending_discipline,
    "no_discipline_in_effect": v_no_discipline_in_effect,
    "rating_at_least": v_rating_at_least,
    "meets_rule": v_meets_rule,
    "title_chain": v_title_chain,
    "title_cycle": v_title_cycle,
    "rating_chain": v_rating_chain,
    "rating_count": v_rating_count,
    "title_count": v_title_count,
    "holds_award_before": v_holds_award_before,
    "initiatives": v_initiatives,
    "unit_active_on_year_end": v_unit_active_on_year_end,
    "unit_rating_at_least": v_unit_rating_at_least,
    "unit_rating_chain": v_unit_rating_chain,
    "unit_title_chain": v_unit_title_chain,
    "members_share_title": v_members_share_title,
    "members_share_rating": v_members_share_rating,
    "members_with_title": v_members_with_title,
    "no_member_disciplined": v_no_member_disciplined,
    "cluster_leader": v_cluster_leader,
}


def v_transferred_with_months(ctx: VContext, p: dict[str, Any]) -> Bools:
    return ctx.people.transfer_months >= int(p.get("months", 6))


VAPPLICABILITY: dict[str, Callable[[VContext, dict[str, Any]], Bools]] = {
    "transferred_with_months": v_transferred_with_months,
}


@dataclass
class RuleArrays:
    """The outcome of one rule for every subject of one side."""

    rule: Rule
    codes: Codes  # [condition, subject]: MET / UNMET / AWAITING / NOT_APPLICABLE
    routes: Bools  # [route, subject]
    eligible: Bools
    verdict: npt.NDArray[np.int8]  # 0 not eligible, 1 needs judgement, 2 eligible


def _condition_codes(c: Condition, ctx: VContext, side: Side) -> tuple[Codes, Bools | None]:
    if c.kind == "judgement":
        codes = side.judgements.get(c.id)
        codes = codes.copy() if codes is not None else np.full(side.n, AWAITING, np.int8)
        leaning = None
    else:
        met, leaning = VCHECKS[c.check](ctx, c.params)
        codes = np.where(met, MET, UNMET).astype(np.int8)
    if c.applies_if:
        applies = VAPPLICABILITY[c.applies_if](ctx, c.params)
        codes[~applies] = NOT_APPLICABLE
    return codes, leaning


def evaluate_rule(rule: Rule, ctx: VContext, side: Side) -> RuleArrays:
    ctx.award = rule.award
    conditions = rule.all_conditions
    codes = np.empty((len(conditions), side.n), dtype=np.int8)
    waits = np.zeros((len(conditions), side.n), dtype=np.bool_)
    for i, c in enumerate(conditions):
        codes[i], leaning = _condition_codes(c, ctx, side)
        waits[i] = codes[i] == AWAITING
        if leaning is not None:
            waits[i] |= leaning & (codes[i] == MET)
    n_cross = len(rule.cross_cutting)
    cross_ok = np.all(codes[:n_cross] != UNMET, axis=0)
    cross_wait = np.any(waits[:n_cross], axis=0)
    route_ok = np.zeros((len(rule.routes), side.n), dtype=np.bool_)
    eligible = np.zeros(side.n, dtype=np.bool_)
    judged = np.zeros(side.n, dtype=np.bool_)
    first = n_cross
    for r, route in enumerate(rule.routes):
        end = first + len(route.conditions)
        ok = cross_ok & np.all(codes[first:end] != UNMET, axis=0)
        if not route.decidable:
            ok[:] = False
        wait = cross_wait | np.any(waits[first:end], axis=0)
        route_ok[r] = ok
        eligible |= ok
        judged |= ok & ~wait
        first = end
    verdict = np.where(eligible, np.where(judged, 2, 1), 0).astype(np.int8)
    side.eligible[rule.award] = eligible
    side.pending[rule.award] = eligible & ~judged
    return RuleArrays(rule, codes, route_ok, eligible, verdict)


def evaluate_all(
    rule_set: RuleSet,
    year: int,
    people: dict[int, PersonFacts],
    units: dict[int, UnitFacts],
    person_codes: list[str],
    unit_codes: list[str],
) -> tuple[PeopleArrays, list[RuleArrays], UnitArrays | None, list[RuleArrays]]:
    p_arrays = people_arrays(people, year, person_codes)
    u_arrays = unit_arrays(units, year, unit_codes) if units else None
    if u_arrays is not None:
        position = {uid: i for i, uid in enumerate(u_arrays.side.ids.tolist())}
        member_of = np.fromiter(
            (position.get(u, -1) for u in p_arrays.unit_id.tolist()),
            dtype=np.int64,
            count=p_arrays.side.n,
        )
    else:
        member_of = np.full(p_arrays.side.n, -1, dtype=np.int64)
    ctx = VContext(year, p_arrays, u_arrays, member_of)
    person_rules = [evaluate_rule(r, ctx, p_arrays.side) for r in rule_set.rules_for("person")]
    unit_rules: list[RuleArrays] = []
    if u_arrays is not None:
        unit_rules = [evaluate_rule(r, ctx, u_arrays.side) for r in rule_set.rules_for("unit")]
    return p_arrays, person_rules, u_arrays, unit_rules
