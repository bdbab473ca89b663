"""Scoped lookups of reports and conferences, built on the one access layer.

A report belongs to its unit: the unit's subtree roles read it, MANAGE_REPORTS on
the unit writes it. A conference is seen by its organiser's scope and by every
unit given a quota (they must see it to propose candidates), but only the
organiser's MANAGE_REPORTS changes quotas and the final list.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from accounts.access import Perm, check_unit, filter_by_unit_scope, scope_for
from reports.models import AnnualReport, Candidate, CompiledReport, Conference, ReviewReport


def annual_reports_visible_to(user: Any, perm: Perm = Perm.VIEW) -> QuerySet[AnnualReport]:
    return filter_by_unit_scope(AnnualReport.objects.all(), user, perm, "unit")


def get_annual_report_for(user: Any, pk: int, write: Perm | None = None) -> AnnualReport:
    report = (
        AnnualReport.objects.select_related("unit__parent", "plan", "requirement", "submitted_by")
        .filter(pk=pk)
        .first()
    )
    if report is None:
        raise Http404
    check_unit(user, report.unit, write=write)
    return report


def compiled_reports_visible_to(user: Any) -> QuerySet[CompiledReport]:
    return filter_by_unit_scope(CompiledReport.objects.all(), user, Perm.VIEW, "unit")


def get_compiled_report_for(user: Any, pk: int, write: Perm | None = None) -> CompiledReport:
    compiled = (
        CompiledReport.objects.select_related("unit__parent", "plan", "requirement", "submitted_by")
        .filter(pk=pk)
        .first()
    )
    if compiled is None:
        raise Http404
    check_unit(user, compiled.unit, write=write)
    return compiled


def review_reports_visible_to(user: Any) -> QuerySet[ReviewReport]:
    return filter_by_unit_scope(ReviewReport.objects.all(), user, Perm.VIEW, "unit")


def get_review_report_for(user: Any, pk: int, write: Perm | None = None) -> ReviewReport:
    review = (
        ReviewReport.objects.select_related("unit__parent", "plan", "phase").filter(pk=pk).first()
    )
    if review is None:
        raise Http404
    check_unit(user, review.unit, write=write)
    return review


def conferences_visible_to(user: Any) -> QuerySet[Conference]:
    scope = scope_for(user, Perm.VIEW)
    from reports.models import DelegateQuota

    has_quota = DelegateQuota.objects.filter(scope.unit_q("unit__"), conference=OuterRef("pk"))
    return Conference.objects.filter(scope.unit_q("organizer__") | Exists(has_quota))


def get_conference_for(user: Any, pk: int, write: Perm | None = None) -> Conference:
    """`write` is checked on the organiser (quotas, selection, closing)."""
    conference = Conference.objects.select_related("organizer__parent").filter(pk=pk).first()
    if conference is None:
        raise Http404
    if write is not None and scope_for(user, Perm.VIEW).covers(conference.organizer):
        check_unit(user, conference.organizer, write=write)
        return conference
    if not conferences_visible_to(user).filter(pk=pk).exists():
        raise Http404
    if write is not None:
        raise PermissionDenied
    return conference


def proposing_units(user: Any, conference: Conference) -> list[Any]:
    """Units with a quota in this conference whose candidates the user may propose."""
    scope = scope_for(user, Perm.MANAGE_REPORTS)
    return [
        q.unit
        for q in conference.quotas.select_related("unit").order_by("unit__path")
        if scope.covers(q.unit)
    ]


def get_candidate_for(
    user: Any, conference: Conference, pk: int, write: Perm | None = None
) -> Candidate:
    candidate = (
        Candidate.objects.select_related("unit", "person", "collective")
        .filter(pk=pk, conference=conference)
        .first()
    )
    if candidate is None:
        raise Http404
    check_unit(user, candidate.unit, write=write)
    return candidate
