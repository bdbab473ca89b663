"""Exemplar standards (tiêu chuẩn điển hình tiên tiến): versioned files, eligibility's shape.

Each file of exemplars/standards/ is a rule set as eligibility.rules reads it,
with one rule per subject (award code "DHTT"), plus `default` (the standard
used when a plan names none) and `issuer` (the code of the unit that issued
it). Several standards coexist; an exemplar keeps the id of the standard of
the plan it was registered under.
"""

from __future__ import annotations

import datetime as dt
import tomllib
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from django.utils.translation import gettext as _

from core.errors import invalid
from eligibility.rules import RuleSet, RuleSetError, parse_rule_set

STANDARD_DIR = Path(__file__).resolve().parent / "standards"
AWARD = "DHTT"


@dataclass(frozen=True)
class Standard:
    rule_set: RuleSet
    default: bool
    issuer: str

    @property
    def id(self) -> str:
        return self.rule_set.id

    @property
    def title(self) -> str:
        return self.rule_set.title

    @property
    def effective_from(self) -> dt.date:
        return self.rule_set.effective_from


def parse_standard(data: dict[str, Any], source: str) -> Standard:
    rule_set = parse_rule_set(data, source)
    for rule in rule_set.rules:
        if rule.award != AWARD:
            raise RuleSetError(f"{source}: a standard has only {AWARD} rules, not {rule.award}")
    if {r.subject for r in rule_set.rules} != {"person", "unit"}:
        raise RuleSetError(f"{source}: a standard needs a rule for persons and one for units")
    return Standard(rule_set, bool(data.get("default", False)), str(data.get("issuer", "")))


@cache
def standards() -> tuple[Standard, ...]:
    found = []
    for path in sorted(STANDARD_DIR.glob("*.toml")):
        with path.open("rb") as fh:
            found.append(parse_standard(tomllib.load(fh), path.name))
    ids = [s.id for s in found]
    if len(ids) != len(set(ids)):
        raise RuleSetError("two standards share an id")
    if not any(s.default for s in found):
        raise RuleSetError("no default standard")
    return tuple(sorted(found, key=lambda s: s.effective_from))


def standard_by_id(standard_id: str) -> Standard | None:
    return next((s for s in standards() if s.id == standard_id), None)


def standard_choices() -> list[tuple[str, str]]:
    return [(s.id, f"{s.id} — {s.title}") for s in standards()]


def default_standard(year: int) -> Standard:
    """The default standard in force on 31/12 of `year` (the earliest one before that)."""
    review_day = dt.date(year, 12, 31)
    defaults = [s for s in standards() if s.default]
    in_force = [s for s in defaults if s.effective_from <= review_day]
    return in_force[-1] if in_force else defaults[0]


def standard_for_plan(plan: Any, year: int) -> Standard:
    """The plan's own standard, else the nearest plan above it that names one, else the
    default standard."""
    seen: set[int] = set()
    while plan is not None and plan.pk not in seen:
        seen.add(plan.pk)
        if plan.exemplar_standard:
            found = standard_by_id(plan.exemplar_standard)
            if found is not None:
                return found
        plan = plan.parent
    return default_standard(year)


def require_standard(standard_id: str) -> Standard:
    found = standard_by_id(standard_id)
    if found is None:
        raise invalid(
            "standard", _("Không có tiêu chuẩn điển hình mã “%(id)s”.") % {"id": standard_id}
        )
    return found
