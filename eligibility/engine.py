"""Set-wise evaluation of a rule set for many people and units at once.

Facts are loaded with a bounded number of queries (eligibility.facts); every
rule then runs over every subject in memory. Rules run in file order, so a
title of the year (LĐTT) is known before the rules that read it (CSTĐCS, the
70 % of a collective). Explanations are produced only when asked for (one
subject's page, an export), which keeps a 100,000-person run small.
"""

from __future__ import annotations

import enum
import gc
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from django.db.models import Q

from eligibility import facts as facts_mod
from eligibility.checks import APPLICABILITY, CHECKS, Context
from eligibility.facts import PersonFacts, UnitFacts
from eligibility.rules import Condition, Rule, RuleSet, rule_set_for_year
from organizations.models import Unit
from people.models import Person

NOT_APPLICABLE = "n/a"


class Verdict(enum.StrEnum):
    ELIGIBLE = "ELIGIBLE"  # a route is met by records and its judgements were recorded as met
    NEEDS_JUDGEMENT = "NEEDS_JUDGEMENT"  # records open a route; a judgement is still to be made
    NOT_ELIGIBLE = "NOT_ELIGIBLE"


VERDICT_LABELS = {
    Verdict.ELIGIBLE: "Đủ điều kiện",
    Verdict.NEEDS_JUDGEMENT: "Cần đánh giá",
    Verdict.NOT_ELIGIBLE: "Chưa đủ điều kiện",
}


@dataclass(slots=True)
class ConditionOutcome:
    condition: Condition
    route: str | None  # None for cross-cutting conditions
    met: bool | None
    values: dict[str, Any] | None

    @property
    def explanation(self) -> str:
        return self.condition.explain(self.values)


@dataclass(slots=True)
class AwardResult:
    award: str
    eligible: bool
    verdict: Verdict
    routes: tuple[tuple[str, bool], ...]
    # Aligned with rule.all_conditions; NOT_APPLICABLE where a condition does not apply.
    mets: tuple[Any, ...]
    values: tuple[dict[str, Any] | None, ...] | None
    rule: Rule

    def conditions(self) -> list[ConditionOutcome]:
        out = []
        route_of = {c.id: r.id for r in self.rule.routes for c in r.conditions}
        for i, c in enumerate(self.rule.all_conditions):
            met = self.mets[i]
            if met is NOT_APPLICABLE or met is NOT_EVALUATED:
                continue
            values = self.values[i] if self.values is not None else None
            out.append(ConditionOutcome(c, route_of.get(c.id), met, values))
        return out

    def unmet(self) -> list[Condition]:
        """Record conditions not met and judgements recorded as not met (for lists)."""
        return [
            c for c, met in zip(self.rule.all_conditions, self.mets, strict=True) if met is False
        ]

    def pending_judgements(self) -> list[Condition]:
        return [
            c
            for c, met in zip(self.rule.all_conditions, self.mets, strict=True)
            if met is None and c.kind == "judgement"
        ]


class SubjectResult:
    """One subject's results. A bulk (vectorised) run fills them in only when read."""

    __slots__ = ("_results", "_source", "code", "id", "kind", "name", "sort_key", "unit_id")

    def __init__(
        self,
        kind: str,
        id: int,
        code: str,
        name: str,
        sort_key: str,
        unit_id: int | None,
        source: tuple[list[Any], int] | None = None,
    ) -> None:
        self.kind = kind  # "person" | "unit"
        self.id = id
        self.code = code
        self.name = name
        self.sort_key = sort_key
        self.unit_id = unit_id  # people: their unit on 31/12; units: themselves
        self._results: list[AwardResult] | None = None if source is not None else []
        self._source = source

    @property
    def results(self) -> list[AwardResult]:
        if self._results is None:
            assert self._source is not None
            rules, index = self._source
            self._results = [_from_arrays(r, index) for r in rules]
        return self._results

    def result(self, award: str) -> AwardResult | None:
        return next((r for r in self.results if r.award == award), None)


@dataclass
class Evaluation:
    rule_set: RuleSet
    year: int
    people: dict[int, SubjectResult]
    units: dict[int, SubjectResult]
    unit_names: dict[int, str]


NOT_EVALUATED = "skipped"  # bulk runs stop at a failed cross-cutting condition


@dataclass(frozen=True)
class _Plan:
    """A rule flattened once per run, so the per-subject loop does no attribute work."""

    rule: Rule
    # (condition, check or None for judgements, applicability test or None, cross-cutting)
    conds: tuple[tuple[Condition, Any, Any, bool], ...]
    n_cross: int
    routes: tuple[tuple[str, int, int, bool], ...]  # id, first index, end index, decidable


def _plan(rule: Rule) -> _Plan:
    conds = tuple(
        (
            c,
            CHECKS[c.check] if c.kind == "record" else None,
            APPLICABILITY[c.applies_if] if c.applies_if else None,
            c.cross_cutting,
        )
        for c in rule.all_conditions
    )
    routes = []
    offset = len(rule.cross_cutting)
    for route in rule.routes:
        routes.append((route.id, offset, offset + len(route.conditions), route.decidable))
        offset += len(route.conditions)
    return _Plan(rule, conds, len(rule.cross_cutting), tuple(routes))


def _condition(
    c: Condition, check: Any, applies: Any, subject: PersonFacts | UnitFacts, ctx: Context
) -> tuple[Any, dict[str, Any] | None, bool]:
    """(met, values, leaned) of one condition for one subject."""
    vals = None
    if applies is not None:
        vals = applies(ctx, subject, c.params)
        if vals is None:
            return NOT_APPLICABLE, None, False
    if check is None:
        met = subject.judgements.get(c.id) if subject.judgements else None
        return met, _judgement_values(vals, met) if ctx.explain else None, False
    ctx.leaning = False
    met, vals = check(ctx, subject, c.params)
    return met, vals, ctx.leaning


def _evaluate_rule(
    plan: _Plan, subject: PersonFacts | UnitFacts, ctx: Context, cache: dict[str, Any]
) -> AwardResult:
    """Without explanations (bulk runs), a route stops at its first unmet condition and
    nothing after a failed cross-cutting condition is evaluated: the verdict and a
    reason for it are known. Pages that explain evaluate every condition."""
    explain = ctx.explain
    conds = plan.conds
    n = len(conds)
    mets: list[Any] = [NOT_EVALUATED] * n
    values: list[dict[str, Any] | None] | None = [None] * n if explain else None
    leaning = 0  # bit i: condition i is met only through a title still awaiting judgement
    cross_ok = True
    cross_pending = False
    for i in range(plan.n_cross):
        c, check, applies, _cross = conds[i]
        hit = cache.get(c.id)
        if hit is None:
            hit = _condition(c, check, applies, subject, ctx)
            cache[c.id] = hit
        met, vals, leaned = hit
        mets[i] = met
        if values is not None:
            values[i] = vals
        if leaned:
            leaning |= 1 << i
        if met is False:
            cross_ok = False
            if not explain:
                break
        elif met is None:
            cross_pending = True
    routes: list[tuple[str, bool]] = []
    eligible = False
    all_judged = False
    cross_leaning = leaning != 0
    for route_id, first, end, decidable in plan.routes:
        ok = decidable and cross_ok
        pending = cross_pending or cross_leaning
        if cross_ok or explain:
            for i in range(first, end):
                c, check, applies, _cross = conds[i]
                met, vals, leaned = _condition(c, check, applies, subject, ctx)
                mets[i] = met
                if values is not None:
                    values[i] = vals
                if met is False:
                    ok = False
                    if not explain:
                        break
                elif met is None or leaned:
                    pending = True
                    if leaned:
                        leaning |= 1 << i
        routes.append((route_id, ok))
        if ok:
            eligible = True
            if not pending:
                all_judged = True
    if not eligible:
        verdict = Verdict.NOT_ELIGIBLE
    elif all_judged:
        verdict = Verdict.ELIGIBLE
    else:
        verdict = Verdict.NEEDS_JUDGEMENT
    return AwardResult(
        award=plan.rule.award,
        eligible=eligible,
        verdict=verdict,
        routes=tuple(routes),
        mets=tuple(mets),
        values=tuple(values) if values is not None else None,
        rule=plan.rule,
    )


def _judgement_values(vals: dict[str, Any] | None, recorded: bool | None) -> dict[str, Any]:
    out = dict(vals or {})
    detail = out.get("detail", "")
    if recorded is not None:
        verdict = "Đã đánh giá: " + ("đạt." if recorded else "không đạt.")
        detail = f"{detail} {verdict}" if detail else verdict
    out["detail"] = detail
    return out


def _run(
    rule_set: RuleSet,
    year: int,
    people: dict[int, PersonFacts],
    units: dict[int, UnitFacts],
    unit_names: dict[int, str],
    explain: bool,
    evaluated_people: Iterable[int] | None = None,
    *,
    period_from: int = 0,
    extra: dict[str, Any] | None = None,
) -> Evaluation:
    with _no_gc():
        return _run_rules(
            rule_set,
            year,
            people,
            units,
            unit_names,
            explain,
            evaluated_people,
            period_from=period_from,
            extra=extra,
        )


@contextmanager
def _no_gc() -> Iterator[None]:
    """A large run allocates millions of small objects that all live to its end; the
    cyclic garbage collector would re-scan them again and again for nothing (none of
    them forms a cycle), which more than doubles the time."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _run_rules(
    rule_set: RuleSet,
    year: int,
    people: dict[int, PersonFacts],
    units: dict[int, UnitFacts],
    unit_names: dict[int, str],
    explain: bool,
    evaluated_people: Iterable[int] | None = None,
    *,
    period_from: int = 0,
    extra: dict[str, Any] | None = None,
) -> Evaluation:
    ctx = Context(
        year=year,
        explain=explain,
        people=people,
        unit_names=unit_names,
        period_from=period_from,
        extra=extra or {},
    )
    wanted = set(evaluated_people) if evaluated_people is not None else set(people)
    person_out = {
        pid: SubjectResult("person", pid, f.code, f.name, f.sort_key, f.unit_id)
        for pid, f in people.items()
        if pid in wanted
    }
    caches: dict[int, dict[str, Any]] = {pid: {} for pid in people}
    for rule in rule_set.rules_for("person"):
        plan = _plan(rule)
        ctx.award = rule.award
        eligible: set[int] = set()
        pending: set[int] = set()
        for pid, f in people.items():
            result = _evaluate_rule(plan, f, ctx, caches[pid])
            if result.eligible:
                eligible.add(pid)
                if result.verdict == Verdict.NEEDS_JUDGEMENT:
                    pending.add(pid)
            if pid in wanted:
                person_out[pid].results.append(result)
        ctx.eligible[rule.award] = eligible
        ctx.pending[rule.award] = pending
    unit_out = {
        uid: SubjectResult("unit", uid, f.code, f.name, f.sort_key, uid) for uid, f in units.items()
    }
    unit_caches: dict[int, dict[str, Any]] = {uid: {} for uid in units}
    for rule in rule_set.rules_for("unit"):
        plan = _plan(rule)
        ctx.award = rule.award
        eligible = set()
        pending = set()
        for uid, uf in units.items():
            result = _evaluate_rule(plan, uf, ctx, unit_caches[uid])
            if result.eligible:
                eligible.add(uid)
                if result.verdict == Verdict.NEEDS_JUDGEMENT:
                    pending.add(uid)
            unit_out[uid].results.append(result)
        ctx.unit_eligible[rule.award] = eligible
        ctx.unit_pending[rule.award] = pending
    return Evaluation(rule_set, year, person_out, unit_out, unit_names)


def _unit_names(unit_ids: Iterable[int | None]) -> dict[int, str]:
    ids = {u for u in unit_ids if u is not None}
    return dict(Unit.objects.filter(pk__in=ids).values_list("id", "name")) if ids else {}


def evaluate_subtree(
    root: Unit,
    year: int,
    *,
    explain: bool = False,
    include_people: bool = True,
    include_units: bool = True,
    rule_set: RuleSet | None = None,
    vectorised: bool = True,
) -> Evaluation:
    """Every person who is a member (on 31/12) of a unit of the subtree, and every unit of it.

    Without explanations the run is vectorised (eligibility.vector); with them, or with
    `vectorised=False`, every subject goes through the per-subject checks.
    """
    rs = rule_set or rule_set_for_year(year)
    in_tree = Q(unit__path__startswith=root.path)
    member_ids = facts_mod.members_query(year, unit_q=in_tree).values("person_id")
    with _no_gc():
        people = facts_mod.load_people(year, member_ids, _person_award_codes(rs))
    units: dict[int, UnitFacts] = {}
    if include_units:
        unit_ids = Unit.objects.filter(path__startswith=root.path).values("id")
        units = facts_mod.load_units(year, unit_ids, _unit_award_codes(rs))
        for pid, f in people.items():
            if f.unit_id in units:
                units[f.unit_id].members.append(pid)
    names = {uid: u.name for uid, u in units.items()} or _unit_names(
        f.unit_id for f in people.values()
    )
    if explain or not vectorised:
        return _run(rs, year, people, units, names, explain, None if include_people else ())
    with _no_gc():
        return _run_vectorised(rs, year, people, units, names, include_people)


def _run_vectorised(
    rs: RuleSet,
    year: int,
    people: dict[int, PersonFacts],
    units: dict[int, UnitFacts],
    names: dict[int, str],
    include_people: bool,
) -> Evaluation:
    from eligibility.vector import evaluate_all

    _p, person_rules, _u, unit_rules = evaluate_all(
        rs, year, people, units, _person_award_codes(rs), _unit_award_codes(rs)
    )
    person_out: dict[int, SubjectResult] = {}
    if include_people:
        for index, f in enumerate(people.values()):
            person_out[f.id] = SubjectResult(
                "person", f.id, f.code, f.name, f.sort_key, f.unit_id, (person_rules, index)
            )
    unit_out = {
        u.id: SubjectResult("unit", u.id, u.code, u.name, u.sort_key, u.id, (unit_rules, index))
        for index, u in enumerate(units.values())
    }
    return Evaluation(rs, year, person_out, unit_out, names)


_MET_OF_CODE: dict[int, Any] = {1: True, 0: False, -1: None, 2: NOT_APPLICABLE}
_VERDICTS = (Verdict.NOT_ELIGIBLE, Verdict.NEEDS_JUDGEMENT, Verdict.ELIGIBLE)


def _from_arrays(arrays: Any, index: int) -> AwardResult:
    rule = arrays.rule
    return AwardResult(
        award=rule.award,
        eligible=bool(arrays.eligible[index]),
        verdict=_VERDICTS[int(arrays.verdict[index])],
        routes=tuple(
            (route.id, bool(arrays.routes[r, index])) for r, route in enumerate(rule.routes)
        ),
        mets=tuple(_MET_OF_CODE[int(code)] for code in arrays.codes[:, index]),
        values=None,
        rule=rule,
    )


def evaluate_person(
    person: Person, year: int, *, explain: bool = True, rule_set: RuleSet | None = None
) -> tuple[RuleSet, SubjectResult]:
    rs, people = evaluate_people([person.pk], year, explain=explain, rule_set=rule_set)
    return rs, people[person.pk]


def evaluate_unit(
    unit: Unit, year: int, *, explain: bool = True, rule_set: RuleSet | None = None
) -> tuple[RuleSet, SubjectResult | None]:
    """A unit, with its members of the year evaluated too (their titles count for it).

    None when the unit did not exist yet in that year.
    """
    rs, units = evaluate_units([unit.pk], year, explain=explain, rule_set=rule_set)
    return rs, units.get(unit.pk)


def evaluate_people(
    person_ids: Iterable[int], year: int, *, explain: bool = True, rule_set: RuleSet | None = None
) -> tuple[RuleSet, dict[int, SubjectResult]]:
    """Several chosen people at once (a proposal's items): one load of their facts and
    one run, whatever their number. Someone not a member anywhere on 31/12 is absent."""
    rs = rule_set or rule_set_for_year(year)
    ids = sorted(set(person_ids))
    if not ids:
        return rs, {}
    people = facts_mod.load_people(year, ids, _person_award_codes(rs))
    names = _unit_names(f.unit_id for f in people.values())
    return rs, _run(rs, year, people, {}, names, explain).people


def evaluate_units(
    unit_ids: Iterable[int], year: int, *, explain: bool = True, rule_set: RuleSet | None = None
) -> tuple[RuleSet, dict[int, SubjectResult]]:
    """Several chosen units at once, each with its members of the year (their titles
    count for it). A unit that did not exist yet in that year is absent."""
    rs = rule_set or rule_set_for_year(year)
    ids = sorted(set(unit_ids))
    if not ids:
        return rs, {}
    member_ids = facts_mod.members_query(year, units=ids).values("person_id")
    people = facts_mod.load_people(year, member_ids, _person_award_codes(rs))
    units = facts_mod.load_units(year, ids, _unit_award_codes(rs))
    for pid, f in people.items():
        if f.unit_id in units:
            units[f.unit_id].members.append(pid)
    names = {uid: u.name for uid, u in units.items()}
    return rs, _run(rs, year, people, units, names, explain, ()).units


def _codes_read(rs: RuleSet, subject: str) -> set[str]:
    codes = set(rs.award_codes(subject))
    for rule in rs.rules_for(subject):
        for c in rule.all_conditions:
            for key in ("award", "after_award"):
                if key in c.params:
                    codes.add(c.params[key])
    return codes


def _person_award_codes(rs: RuleSet) -> list[str]:
    # Units' rules read their members' titles too (LĐTT, CSTĐCS).
    return sorted(_codes_read(rs, "person") | _member_codes(rs))


def _member_codes(rs: RuleSet) -> set[str]:
    return {
        c.params["award"]
        for rule in rs.rules_for("unit")
        for c in rule.all_conditions
        if c.check in ("members_share_title", "members_with_title")
    }


def _unit_award_codes(rs: RuleSet) -> list[str]:
    return sorted(_codes_read(rs, "unit") - _member_codes(rs) | set(rs.award_codes("unit")))
