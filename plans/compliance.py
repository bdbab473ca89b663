"""Who has answered what, as of a date (CONTRACT.md, "Plans and compliance").

As of D a submission counts only if it was sent on or before D. Sent:
INVALID for a registration whose number of entries is outside
[min_count, max_count], else LATE if sent after the due date, else ON_TIME.
Not sent: MISSING once D is past the due date, else PENDING.

Everything is read set-wise: the requirements, the tree on the due dates, the
submissions with their entry counts, and (optionally) the allowed units — a
fixed handful of queries however many units and requirements the plan has.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass, field

from django.db.models import Count, QuerySet
from django.utils.translation import gettext_lazy as _

from organizations.models import Unit
from plans.models import Plan, Requirement, RequirementKind, Submission
from plans.services import TreeOnDates


class ComplianceStatus(enum.StrEnum):
    ON_TIME = "ON_TIME"
    LATE = "LATE"
    MISSING = "MISSING"
    PENDING = "PENDING"
    INVALID = "INVALID"

    @property
    def label(self) -> str:
        return str(STATUS_LABELS[self])


STATUS_LABELS = {
    ComplianceStatus.ON_TIME: _("Đúng hạn"),
    ComplianceStatus.LATE: _("Trễ hạn"),
    ComplianceStatus.MISSING: _("Chưa gửi, quá hạn"),
    ComplianceStatus.PENDING: _("Chưa đến hạn"),
    ComplianceStatus.INVALID: _("Sai số lượng"),
}


@dataclass
class UnitCompliance:
    unit: Unit
    status: ComplianceStatus
    submitted_on: dt.date | None
    submission: Submission | None


@dataclass
class RequirementCompliance:
    requirement: Requirement
    units: list[UnitCompliance] = field(default_factory=list)

    def count(self, status: ComplianceStatus) -> int:
        return sum(1 for u in self.units if u.status == status)

    @property
    def counts(self) -> dict[str, int]:
        return {s.value: self.count(s) for s in ComplianceStatus}


def count_in_range(requirement: Requirement, count: int) -> bool:
    if requirement.min_count is not None and count < requirement.min_count:
        return False
    return requirement.max_count is None or count <= requirement.max_count


def status_of(
    requirement: Requirement, submission: Submission | None, entry_count: int, as_of: dt.date
) -> ComplianceStatus:
    if submission is not None and submission.submitted_on <= as_of:
        if requirement.kind == RequirementKind.EXEMPLAR_REGISTRATION and not count_in_range(
            requirement, entry_count
        ):
            return ComplianceStatus.INVALID
        if submission.submitted_on > requirement.due_on:
            return ComplianceStatus.LATE
        return ComplianceStatus.ON_TIME
    return ComplianceStatus.MISSING if as_of > requirement.due_on else ComplianceStatus.PENDING


def plan_compliance(
    plan: Plan, as_of: dt.date, units: QuerySet[Unit] | None = None
) -> list[RequirementCompliance]:
    """One entry per requirement (in due-date order), one row per unit in its scope.

    `units`, when given, keeps only those units (e.g. the ones a reader may see).
    """
    requirements = list(plan.requirements.order_by("due_on", "key"))
    if not requirements:
        return []
    tree = TreeOnDates(r.due_on for r in requirements)
    submissions = {
        (s.requirement_id, s.unit_id): s
        for s in Submission.objects.filter(requirement__plan=plan)
        .annotate(entry_count=Count("entries"))
        .select_related("child_plan")
    }
    allowed: set[int] | None = None
    if units is not None:
        allowed = set(units.values_list("pk", flat=True))
    result: list[RequirementCompliance] = []
    for requirement in requirements:
        row = RequirementCompliance(requirement=requirement)
        for unit in tree.scope(plan.issuer_id, requirement.scope, requirement.due_on):
            if allowed is not None and unit.pk not in allowed:
                continue
            submission = submissions.get((requirement.pk, unit.pk))
            if submission is not None and submission.submitted_on > as_of:
                submission = None  # not yet sent as of that day
            count = getattr(submission, "entry_count", 0) if submission is not None else 0
            status = status_of(requirement, submission, count, as_of)
            row.units.append(
                UnitCompliance(
                    unit=unit,
                    status=status,
                    submitted_on=submission.submitted_on if submission is not None else None,
                    submission=submission,
                )
            )
        result.append(row)
    return result


@dataclass
class Grid:
    """The dashboard's view: units as rows, requirements as columns."""

    requirements: list[Requirement]
    rows: list[tuple[Unit, list[UnitCompliance | None]]]
    totals: dict[int, dict[str, int]]


def compliance_grid(results: list[RequirementCompliance]) -> Grid:
    units: dict[int, Unit] = {}
    cells: dict[tuple[int, int], UnitCompliance] = {}
    for rc in results:
        for uc in rc.units:
            units.setdefault(uc.unit.pk, uc.unit)
            cells[(uc.unit.pk, rc.requirement.pk)] = uc
    ordered = sorted(units.values(), key=lambda u: (u.path, u.code))
    rows = [(u, [cells.get((u.pk, rc.requirement.pk)) for rc in results]) for u in ordered]
    return Grid(
        requirements=[rc.requirement for rc in results],
        rows=rows,
        totals={rc.requirement.pk: rc.counts for rc in results},
    )
