"""Set-wise evaluation of a rule set for many people and units at once.

Facts are loaded with a bounded number of queries (eligibility.facts); every
rule then runs over every subject in memory. Rules run in file order, so a
title of the year (LĐTT) is known before the rules that read it (CSTĐCS, the
70 % of a collective). Explanations are produced only when asked for (one
subject's page, an export), which keeps a 100,000-person run small.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass, field
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


@dataclass(slots=True)
class SubjectResult:
    kind: str  # "person" | "unit"
    id: int
    code: str
    name: str
    sort_key: str
    unit_id: int | None  # people: their unit on 31/12; units: themselves
    results: list[AwardResult] = field(default_factory=list)

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


def _evaluate_rule(
    plan: _Plan, subject: PersonFacts | UnitFacts, ctx: Context, cache: dict[str, Any]
) -> AwardResult:
    explain = ctx.explain
    n = len(plan.conds)
    mets: list[Any] = [NOT_EVALUATED] * n
    values: list[dict[str, Any] | None] | None = [None] * n if explain else None
    leaning = 0  # bit i: condition i is met only through a title still awaiting judgement
    cross_ok = True
    cross_pending = False
    for i, (c, check, applies, cross) in enumerate(plan.conds):
        if i == plan.n_cross and not cross_ok and not explain:
            break  # the verdict is settled; only pages that explain need the rest
        hit = cache.get(c.id) if cross else None
        if hit is not None:
            met, vals, leaned = hit
        else:
            vals = None
            leaned = False
            met = None
            if applies is not None:
                vals = applies(ctx, subject, c.params)
                if vals is None:
                    met = NOT_APPLICABLE
            if met is not NOT_APPLICABLE:
                if check is None:
                    met = subject.judgements.get(c.id) if subject.judgements else None
                    if explain:
                        vals = _judgement_values(vals, met)
                else:
                    ctx.leaning = False
                    met, vals = check(ctx, subject, c.params)
                    leaned = ctx.leaning
            if cross:
                cache[c.id] = (met, vals, leaned)
        mets[i] = met
        if values is not None:
            values[i] = vals
        if leaned:
            leaning |= 1 << i
        if i < plan.n_cross:
            if met is False:
                cross_ok = False
            elif met is None:
                cross_pending = True
    routes: list[tuple[str, bool]] = []
    eligible = False
    all_judged = False
    cross_leaning = leaning & ((1 << plan.n_cross) - 1)
    for route_id, first, end, decidable in plan.routes:
        ok = decidable and cross_ok
        pending = cross_pending or bool(cross_leaning)
        if ok:
            for i in range(first, end):
                m = mets[i]
                if m is False:
                    ok = False
                    break
                if m is None or leaning >> i & 1:
                    pending = True
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
) -> Evaluation:
    ctx = Context(year=year, explain=explain, people=people, unit_names=unit_names)
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
) -> Evaluation:
    """Every person who is a member (on 31/12) of a unit of the subtree, and every unit of it."""
    rs = rule_set or rule_set_for_year(year)
    in_tree = Q(unit__path__startswith=root.path)
    member_ids = facts_mod.members_query(year, unit_q=in_tree).values("person_id")
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
    return _run(rs, year, people, units, names, explain, None if include_people else ())


def evaluate_person(
    person: Person, year: int, *, explain: bool = True, rule_set: RuleSet | None = None
) -> tuple[RuleSet, SubjectResult]:
    rs = rule_set or rule_set_for_year(year)
    people = facts_mod.load_people(year, [person.pk], _person_award_codes(rs))
    names = _unit_names(f.unit_id for f in people.values())
    evaluation = _run(rs, year, people, {}, names, explain)
    return rs, evaluation.people[person.pk]


def evaluate_unit(
    unit: Unit, year: int, *, explain: bool = True, rule_set: RuleSet | None = None
) -> tuple[RuleSet, SubjectResult | None]:
    """A unit, with its members of the year evaluated too (their titles count for it).

    None when the unit did not exist yet in that year.
    """
    rs = rule_set or rule_set_for_year(year)
    member_ids = facts_mod.members_query(year, units=[unit.pk]).values("person_id")
    people = facts_mod.load_people(year, member_ids, _person_award_codes(rs))
    units = facts_mod.load_units(year, [unit.pk], _unit_award_codes(rs))
    if unit.pk not in units:
        return rs, None
    units[unit.pk].members = [pid for pid, f in people.items() if f.unit_id == unit.pk]
    evaluation = _run(rs, year, people, units, {unit.pk: unit.name}, explain, ())
    return rs, evaluation.units[unit.pk]


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
