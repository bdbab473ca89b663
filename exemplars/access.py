"""Who sees and changes exemplars (built on accounts.access).

An exemplar belongs to the unit that discovered it: that unit's scope (and so
every level above it) sees it. Each move of the lifecycle needs the role that
owns it, on the exemplar's unit (see services.TRANSITION_PERMS).
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.http import Http404

from accounts.access import Perm, can, scope_for
from exemplars.models import Exemplar


def exemplars_visible_to(user: Any, perm: Perm = Perm.VIEW) -> QuerySet[Exemplar]:
    return Exemplar.objects.filter(scope_for(user, perm).unit_q("unit__"))


def get_exemplar_for(user: Any, pk: int, write: Perm | None = None) -> Exemplar:
    exemplar = (
        exemplars_visible_to(user)
        .select_related("unit", "person__unit", "subject_unit", "plan", "movement", "mentor")
        .filter(pk=pk)
        .first()
    )
    if exemplar is None:
        raise Http404
    if write is not None and not can(user, write, exemplar.unit):
        raise PermissionDenied
    return exemplar
