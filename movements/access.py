"""Who sees and changes movements and registrations (built on accounts.access).

A movement is launched for the launching unit's whole subtree, so it is seen
both by whoever covers the launching unit and by everyone below it (they are
the ones who register). Registrations are seen by the registering unit's
scope and by the launching unit's scope (which reviews them).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.http import Http404

from accounts.access import Perm, can, scope_for, units_visible_to
from movements.models import Movement, Registration
from organizations.models import Unit


def movements_visible_to(user: Any) -> QuerySet[Movement]:
    scope = scope_for(user, Perm.VIEW)
    if scope.everything:
        return Movement.objects.all()
    return Movement.objects.filter(
        scope.unit_q("launching_unit__") | Q(launching_unit_id__in=scope.ids_at_or_above())
    )


def get_movement_for(user: Any, pk: int, write: Perm | None = None) -> Movement:
    """`write` is checked on the launching unit (editing, criteria, reviews)."""
    movement = movements_visible_to(user).select_related("launching_unit").filter(pk=pk).first()
    if movement is None:
        raise Http404
    if write is not None and not can(user, write, movement.launching_unit):
        raise PermissionDenied
    return movement


def units_acting_in(user: Any, movement: Movement, perm: Perm) -> QuerySet[Unit]:
    """Units of the movement's subtree on which the user holds `perm`."""
    return units_visible_to(user, perm).filter(path__startswith=movement.launching_unit.path)


def require_acting_unit(user: Any, movement: Movement, perm: Perm) -> None:
    """403 unless the user holds `perm` on some unit taking part in the movement."""
    if not units_acting_in(user, movement, perm).exists():
        raise PermissionDenied


def registrations_visible_to(user: Any, perm: Perm = Perm.VIEW) -> QuerySet[Registration]:
    return Registration.objects.filter(
        scope_for(user, perm).any_q("unit__", "movement__launching_unit__")
    )


def get_registration_for(user: Any, pk: int, write: Perm | None = None) -> Registration:
    """`write` is checked on the registering unit (edit, submit, confirm)."""
    registration = (
        registrations_visible_to(user)
        .select_related("movement__launching_unit", "unit", "person", "confirmed_by")
        .filter(pk=pk)
        .first()
    )
    if registration is None:
        raise Http404
    if write is not None and not can(user, write, registration.unit):
        raise PermissionDenied
    return registration


def may_review(user: Any, movement: Movement) -> bool:
    """Reviews (marks, outcome, exemplar recommendation) belong to the launching unit."""
    return can(user, Perm.MANAGE_MOVEMENTS, movement.launching_unit)
