"""Eligibility answers (CONTRACT.md, "Eligibility"): the shape is fixed there."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema

from accounts.access import Perm, can, get_person_for, get_unit_for
from core.errors import invalid
from eligibility.engine import SubjectResult, evaluate_person, evaluate_unit
from eligibility.exports import results_json
from eligibility.rules import RuleSet
from organizations.api import ERRORS

router = Router(tags=["Điều kiện khen thưởng"])


class SubjectOut(Schema):
    kind: str
    code: str


class RuleSetOut(Schema):
    id: str
    effective_from: str


class ConditionOut(Schema):
    id: str
    met: bool | None
    kind: str
    citation: str
    explanation: str


class ResultOut(Schema):
    award: str
    eligible: bool
    conditions: list[ConditionOut]


class EligibilityOut(Schema):
    subject: SubjectOut
    year: int
    rule_set: RuleSetOut
    results: list[ResultOut]


def eligibility_out(
    kind: str, code: str, year: int, rule_set: RuleSet, subject: SubjectResult | None
) -> dict[str, Any]:
    results = results_json(subject, verdicts=False) if subject is not None else []
    return {
        "subject": {"kind": kind, "code": code},
        "year": year,
        "rule_set": {"id": rule_set.id, "effective_from": rule_set.effective_from.isoformat()},
        "results": results,
    }


@router.get(
    "/people/{code}",
    response={200: EligibilityOut, **ERRORS},
    summary="Điều kiện khen thưởng của một cá nhân",
)
def person_eligibility(request: HttpRequest, code: str, year: int) -> dict[str, Any]:
    person = get_person_for(request.user, code)
    # Verdicts reveal discipline, which only roles with VIEW_SENSITIVE may see.
    if not can(request.user, Perm.VIEW_SENSITIVE, person.unit):
        raise PermissionDenied
    rule_set, subject = evaluate_person(person, year)
    return eligibility_out("person", person.code, year, rule_set, subject)


@router.get(
    "/units/{code}",
    response={200: EligibilityOut, **ERRORS},
    summary="Điều kiện khen thưởng của một tập thể",
)
def unit_eligibility(request: HttpRequest, code: str, year: int) -> dict[str, Any]:
    unit = get_unit_for(request.user, code)
    if not can(request.user, Perm.VIEW_SENSITIVE, unit):
        raise PermissionDenied
    rule_set, subject = evaluate_unit(unit, year)
    if subject is None:
        raise invalid(
            "year",
            _("Đơn vị “%(code)s” chưa thành lập vào năm %(year)s.") % {"code": code, "year": year},
        )
    return eligibility_out("unit", unit.code, year, rule_set, subject)
