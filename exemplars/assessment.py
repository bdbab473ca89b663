"""Assess an exemplar against its standard, with eligibility's engine and condition shape.

The review period runs from the start year of the plan the exemplar was
registered under (its registration year without a plan) to the year assessed.
Judgement criteria take the reviewer's verdicts recorded for that exemplar and
year; `passed` follows the rule of `eligible`: a record route fully met and no
judgement recorded as not met.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _

from core.errors import invalid
from eligibility import facts as facts_mod
from eligibility.engine import AwardResult, ConditionOutcome, Verdict, _run
from exemplars.models import RECOGNIZED_STATES, CriterionReview, Exemplar, ExemplarState
from exemplars.standards import AWARD, Standard, require_standard

MIN_YEAR = 2000


@dataclass
class Assessment:
    exemplar: Exemplar
    standard: Standard
    year: int
    period_from: int
    result: AwardResult
    reviews: dict[str, CriterionReview]

    @property
    def passed(self) -> bool:
        return self.result.eligible

    @property
    def verdict(self) -> Verdict:
        return self.result.verdict

    def conditions(self) -> list[ConditionOutcome]:
        return self.result.conditions()

    def failing(self) -> list[ConditionOutcome]:
        return [c for c in self.conditions() if c.met is False]

    def pending(self) -> list[ConditionOutcome]:
        return [c for c in self.conditions() if c.met is None]

    def as_json(self) -> dict[str, Any]:
        return {
            "passed": self.passed,
            "conditions": [
                {
                    "id": c.condition.id,
                    "met": c.met,
                    "kind": c.condition.kind,
                    "citation": c.condition.citation,
                    "explanation": c.explanation,
                }
                for c in self.conditions()
            ],
        }


def period_start(exemplar: Exemplar, year: int) -> int:
    start = exemplar.plan.starts_on.year if exemplar.plan_id else exemplar.year  # type: ignore[union-attr]
    return min(start, year)


def check_year(year: int) -> None:
    if year < MIN_YEAR or year > 2100:
        raise invalid("year", _("Năm đánh giá không hợp lệ: %(y)s.") % {"y": year})


def assess(exemplar: Exemplar, year: int) -> Assessment:
    check_year(year)
    standard = require_standard(exemplar.standard_id)
    rs = standard.rule_set
    reviews = {r.condition_id: r for r in exemplar.reviews.filter(year=year).select_related()}
    judged = {cid: r.met for cid, r in reviews.items()}
    codes = sorted(
        {c.params["award"] for rule in rs.rules for c in rule.all_conditions if "award" in c.params}
    )
    start = period_start(exemplar, year)
    extra: dict[str, Any] = {}
    if exemplar.person_id:
        person = exemplar.person
        assert person is not None
        people = facts_mod.load_people(year, [person.pk], codes)
        facts = people.get(person.pk)
        if facts is None:
            raise invalid("year", _("Không có dữ liệu của cá nhân cho năm %(y)s.") % {"y": year})
        facts.judgements = {**facts.judgements, **judged}
        if person.is_head:
            head_unit = person.unit
            extra["heads"] = {person.pk: (head_unit.pk, head_unit.name)}
            recognised = (
                Exemplar.objects.filter(subject_unit=head_unit, state__in=RECOGNIZED_STATES)
                .order_by("-state_changed_at")
                .values_list("state", flat=True)
                .first()
            )
            if recognised:
                extra["exemplar_units"] = {head_unit.pk: ExemplarState(recognised).label}
        names = {facts.unit_id: person.unit.name} if facts.unit_id else {}
        evaluation = _run(rs, year, people, {}, names, True, period_from=start, extra=extra)
        subject = evaluation.people[person.pk]
    else:
        unit = exemplar.subject_unit
        assert unit is not None
        units = facts_mod.load_units(year, [unit.pk], codes)
        if unit.pk not in units:
            raise invalid(
                "year",
                _("Tập thể “%(u)s” chưa thành lập vào năm %(y)s.") % {"u": unit.name, "y": year},
            )
        units[unit.pk].judgements = {**units[unit.pk].judgements, **judged}
        evaluation = _run(rs, year, {}, units, {unit.pk: unit.name}, True, (), period_from=start)
        subject = evaluation.units[unit.pk]
    result = subject.result(AWARD)
    assert result is not None
    return Assessment(exemplar, standard, year, start, result, reviews)


def judgement_conditions(exemplar: Exemplar) -> list[Any]:
    """The standard's criteria a reviewer decides for this exemplar's kind of subject."""
    rule = require_standard(exemplar.standard_id).rule_set.rule(exemplar.subject_kind, AWARD)
    assert rule is not None
    return [c for c in rule.all_conditions if c.kind == "judgement"]
