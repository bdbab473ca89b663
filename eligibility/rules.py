"""Declarative, versioned, effective-dated rule sets (eligibility/rulesets/*.toml).

A rule set is data: titles/forms → routes → conditions, each condition with an
id, a kind (`record` decided from recorded facts, `judgement` decided by a
person), a citation and a Vietnamese explanation template. The engine picks
the rule set in force on 31 December of the year under review (titles are
reviewed at the end of the year); a change of the law is a new file with a
later `effective_from`, never an edit of one already in use.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from core.errors import invalid

RULESET_DIR = Path(__file__).resolve().parent / "rulesets"
KINDS = ("record", "judgement")
SUBJECTS = ("person", "unit")


class RuleSetError(Exception):
    """A rule set file is malformed (raised at load time, never at evaluation)."""


@dataclass(frozen=True)
class Condition:
    id: str
    kind: str
    citation: str
    text: str
    explanation: str
    check: str = ""
    applies_if: str = ""
    params: dict[str, Any] = field(default_factory=dict)
    cross_cutting: bool = False

    @property
    def is_record(self) -> bool:
        return self.kind == "record"

    def explain(self, values: dict[str, Any] | None) -> str:
        if not values:
            return self.explanation if "{" not in self.explanation else self.text
        try:
            return self.explanation.format(**values)
        except (KeyError, IndexError, ValueError):
            return self.text


@dataclass(frozen=True)
class Route:
    id: str
    label: str
    conditions: tuple[Condition, ...]

    @property
    def decidable(self) -> bool:
        """Only a route with a record condition of its own can make a subject eligible:
        "outstanding achievement" routes need a person's judgement to open at all."""
        return any(c.is_record for c in self.conditions)


@dataclass(frozen=True)
class Rule:
    award: str
    subject: str
    citation: str
    routes: tuple[Route, ...]
    cross_cutting: tuple[Condition, ...]

    @property
    def all_conditions(self) -> tuple[Condition, ...]:
        """Cross-cutting first, then each route's own, in file order (the output order)."""
        return self.cross_cutting + tuple(c for r in self.routes for c in r.conditions)


@dataclass(frozen=True)
class RuleSet:
    id: str
    title: str
    effective_from: dt.date
    description: str
    rules: tuple[Rule, ...]
    source: str

    def rules_for(self, subject: str) -> tuple[Rule, ...]:
        return tuple(r for r in self.rules if r.subject == subject)

    def rule(self, subject: str, award: str) -> Rule | None:
        return next((r for r in self.rules if r.subject == subject and r.award == award), None)

    def condition(self, condition_id: str) -> Condition | None:
        for rule in self.rules:
            for c in rule.all_conditions:
                if c.id == condition_id:
                    return c
        return None

    def award_codes(self, subject: str) -> list[str]:
        return [r.award for r in self.rules_for(subject)]


def _condition(raw: dict[str, Any], where: str, cross: bool = False) -> Condition:
    from eligibility.checks import APPLICABILITY, CHECKS

    for key in ("id", "kind", "citation", "text", "explanation"):
        if not raw.get(key):
            raise RuleSetError(f"{where}: condition without {key!r}")
    kind = raw["kind"]
    if kind not in KINDS:
        raise RuleSetError(f"{where}: condition {raw['id']} has unknown kind {kind!r}")
    check = raw.get("check", "")
    if kind == "record" and check not in CHECKS:
        raise RuleSetError(f"{where}: condition {raw['id']} names unknown check {check!r}")
    if kind == "judgement" and check:
        raise RuleSetError(f"{where}: judgement condition {raw['id']} cannot have a check")
    applies_if = raw.get("applies_if", "")
    if applies_if and applies_if not in APPLICABILITY:
        raise RuleSetError(f"{where}: condition {raw['id']} names unknown test {applies_if!r}")
    return Condition(
        id=raw["id"],
        kind=kind,
        citation=raw["citation"],
        text=raw["text"],
        explanation=raw["explanation"],
        check=check,
        applies_if=applies_if,
        params=dict(raw.get("params", {})),
        cross_cutting=cross,
    )


def parse_rule_set(data: dict[str, Any], source: str) -> RuleSet:
    for key in ("id", "title", "effective_from", "rules"):
        if key not in data:
            raise RuleSetError(f"{source}: missing {key!r}")
    effective = data["effective_from"]
    if not isinstance(effective, dt.date):
        raise RuleSetError(f"{source}: effective_from must be a date")
    cross: list[tuple[set[str], str, Condition]] = []
    for raw in data.get("cross_cutting", []):
        subject = raw.get("subject")
        if subject not in SUBJECTS:
            raise RuleSetError(f"{source}: cross-cutting {raw.get('id')} without subject")
        cross.append((set(raw.get("awards", [])), subject, _condition(raw, source, cross=True)))
    rules: list[Rule] = []
    seen_ids: set[str] = set()
    for raw_rule in data["rules"]:
        award, subject = raw_rule.get("award"), raw_rule.get("subject")
        if not award or subject not in SUBJECTS:
            raise RuleSetError(f"{source}: rule without award or subject")
        routes = []
        for raw_route in raw_rule.get("routes", []):
            conditions = tuple(
                _condition(c, f"{source} {award}") for c in raw_route.get("conditions", [])
            )
            if not conditions:
                raise RuleSetError(f"{source}: {award} route {raw_route.get('id')} is empty")
            routes.append(Route(raw_route["id"], raw_route.get("label", ""), conditions))
        if not routes:
            raise RuleSetError(f"{source}: {award} has no route")
        applicable = tuple(c for awards, subj, c in cross if subj == subject and award in awards)
        rule = Rule(award, subject, raw_rule.get("citation", ""), tuple(routes), applicable)
        for c in rule.all_conditions:
            if not c.cross_cutting:
                if c.id in seen_ids:
                    raise RuleSetError(f"{source}: condition id {c.id} is used twice")
                seen_ids.add(c.id)
        rules.append(rule)
    _check_order(rules, source)
    return RuleSet(
        id=data["id"],
        title=data["title"],
        effective_from=effective,
        description=data.get("description", ""),
        rules=tuple(rules),
        source=source,
    )


def _check_order(rules: list[Rule], source: str) -> None:
    """A condition that reads another title of the same year ("meets LĐTT", "3 CSTĐCS
    including this year") needs that title evaluated first, i.e. earlier in the file."""
    done: dict[str, set[str]] = {"person": set(), "unit": set()}
    same_year_checks = {"meets_rule", "title_chain", "title_cycle", "unit_title_chain"}
    for rule in rules:
        for c in rule.all_conditions:
            ref = c.params.get("award")
            if c.check in same_year_checks and ref and ref not in done[rule.subject]:
                raise RuleSetError(
                    f"{source}: {c.id} reads {ref}, which must come before {rule.award}"
                )
        done[rule.subject].add(rule.award)


@cache
def rule_sets() -> tuple[RuleSet, ...]:
    """Every rule set shipped with the product, oldest first."""
    found = []
    for path in sorted(RULESET_DIR.glob("*.toml")):
        with path.open("rb") as fh:
            found.append(parse_rule_set(tomllib.load(fh), path.name))
    ids = [r.id for r in found]
    if len(ids) != len(set(ids)):
        raise RuleSetError("two rule sets share an id")
    return tuple(sorted(found, key=lambda r: r.effective_from))


def rule_set_for_year(year: int, available: tuple[RuleSet, ...] | None = None) -> RuleSet:
    """The rule set in force on 31/12 of `year`; 422 when the year predates all of them."""
    candidates = available if available is not None else rule_sets()
    review_day = dt.date(year, 12, 31)
    in_force = [r for r in candidates if r.effective_from <= review_day]
    if not in_force:
        earliest = min((r.effective_from for r in candidates), default=None)
        raise invalid(
            "year",
            _(
                "Chưa có bộ quy tắc nào có hiệu lực cho năm %(year)s (bộ quy tắc sớm nhất "
                "có hiệu lực từ %(date)s)."
            )
            % {"year": year, "date": earliest.strftime("%d/%m/%Y") if earliest else "—"},
        )
    return in_force[-1]


def rule_set_by_id(rule_set_id: str) -> RuleSet | None:
    return next((r for r in rule_sets() if r.id == rule_set_id), None)
