"""Who may read and change plans (built on accounts.access; the lead may move it there).

A plan is read by whoever sees its issuer, and also by the units that must
answer it: a unit officer sees the ministry's plan that asks their unit for a
report, without seeing the ministry itself. Changing the plan needs
MANAGE_PLANS on the issuer; answering it needs MANAGE_PLANS on the answering
unit. Outsiders get 404, insiders without the right to write 403.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from accounts.access import Perm, can, scope_for
from organizations.models import path_ids
from plans.models import Plan, Requirement, RequirementScope, Submission


def plans_visible_to(user: Any) -> QuerySet[Plan]:
    scope = scope_for(user, Perm.VIEW)
    if scope.everything:
        return Plan.objects.all()
    if scope.empty:
        return Plan.objects.none()
    # A scope root R lies in a requirement's scope when the issuer is R's parent
    # (CHILD_UNITS) or any strict ancestor of R (SUBTREE); deeper units of the
    # user's subtree are reached through R itself.
    parents: set[int] = set()
    ancestors: set[int] = set()
    for path in scope.paths:
        chain = path_ids(path)[:-1]
        if chain:
            parents.add(chain[-1])
            ancestors.update(chain)
    child_req = Requirement.objects.filter(plan=OuterRef("pk"), scope=RequirementScope.CHILD_UNITS)
    subtree_req = Requirement.objects.filter(plan=OuterRef("pk"), scope=RequirementScope.SUBTREE)
    condition = scope.unit_q("issuer__")
    if parents:
        condition |= Q(issuer_id__in=parents) & Q(Exists(child_req))
    if ancestors:
        condition |= Q(issuer_id__in=ancestors) & Q(Exists(subtree_req))
    return Plan.objects.filter(condition)


def sees_issuer(user: Any, plan: Plan) -> bool:
    return can(user, Perm.VIEW, plan.issuer)


def get_plan_for(user: Any, code: str, write: Perm | None = None) -> Plan:
    """A plan the user may read (404 otherwise); `write` asks for that right on the issuer."""
    plan = plans_visible_to(user).select_related("issuer", "parent").filter(code=code).first()
    if plan is None:
        raise Http404
    if write is not None and not can(user, write, plan.issuer):
        raise PermissionDenied
    return plan


def submissions_visible_to(user: Any) -> QuerySet[Submission]:
    """A submission is read by its own unit's subtree and by whoever sees the issuer."""
    scope = scope_for(user, Perm.VIEW)
    return Submission.objects.filter(
        scope.unit_q("unit__") | scope.unit_q("requirement__plan__issuer__")
    )


def get_submission_for(user: Any, pk: int, write: Perm | None = None) -> Submission:
    submission = (
        submissions_visible_to(user)
        .select_related("requirement__plan__issuer", "unit", "child_plan", "submitted_by")
        .filter(pk=pk)
        .first()
    )
    if submission is None:
        raise Http404
    if write is not None and not can(user, write, submission.unit):
        raise PermissionDenied
    return submission
