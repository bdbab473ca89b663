"""Who sees and changes inspections (built on accounts.access).

The council's unit plans and changes them (Perm.MANAGE_INSPECTIONS); an
inspected unit sees its own inspections and their follow-ups, and the plans
that contain them.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, QuerySet
from django.http import Http404

from accounts.access import Perm, can, scope_for
from inspections.models import FollowUp, Inspection, InspectionPlan


def inspections_visible_to(user: Any) -> QuerySet[Inspection]:
    scope = scope_for(user, Perm.VIEW)
    return Inspection.objects.filter(scope.any_q("plan__council__unit__", "unit__"))


def plans_visible_to(user: Any) -> QuerySet[InspectionPlan]:
    scope = scope_for(user, Perm.VIEW)
    if scope.everything:
        return InspectionPlan.objects.all()
    inspected = Inspection.objects.filter(scope.unit_q("unit__"), plan=OuterRef("pk"))
    return InspectionPlan.objects.filter(scope.unit_q("council__unit__") | Exists(inspected))


def follow_ups_visible_to(user: Any) -> QuerySet[FollowUp]:
    return FollowUp.objects.filter(inspection__in=inspections_visible_to(user))


def may_manage(user: Any, plan: InspectionPlan) -> bool:
    return can(user, Perm.MANAGE_INSPECTIONS, plan.council.unit)


def get_plan_for(user: Any, pk: int, write: Perm | None = None) -> InspectionPlan:
    plan = plans_visible_to(user).select_related("council__unit").filter(pk=pk).first()
    if plan is None:
        raise Http404
    if write is not None and not can(user, write, plan.council.unit):
        raise PermissionDenied
    return plan


def get_inspection_for(user: Any, pk: int, write: Perm | None = None) -> Inspection:
    inspection = (
        inspections_visible_to(user)
        .select_related("plan__council__unit", "unit", "team")
        .filter(pk=pk)
        .first()
    )
    if inspection is None:
        raise Http404
    if write is not None and not can(user, write, inspection.plan.council.unit):
        raise PermissionDenied
    return inspection


def get_follow_up_for(user: Any, pk: int, write: Perm | None = None) -> FollowUp:
    follow_up = (
        follow_ups_visible_to(user)
        .select_related("inspection__plan__council__unit", "inspection__unit", "responsible_unit")
        .filter(pk=pk)
        .first()
    )
    if follow_up is None:
        raise Http404
    if write is not None and not can(user, write, follow_up.inspection.plan.council.unit):
        raise PermissionDenied
    return follow_up
