"""Who sees and changes replications and outreach items (built on accounts.access).

A replication links two units: the exemplar's unit (the origin) and the adopting
unit. Whoever sees either of them sees the replication; only the adopting
unit's managers (MANAGE_REPLICATION) change it. Outreach items are seen with
their exemplar and changed by MANAGE_OUTREACH on the exemplar's unit.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from accounts.access import Perm, can, scope_for, units_visible_to
from exemplars.access import exemplars_visible_to
from organizations.models import Unit, UnitStatus
from propagation.models import Event, EventKind, JuryMember, Outreach, Participation, Replication

REPLICATION_RELATED = ("exemplar__unit", "exemplar__person", "exemplar__subject_unit", "unit")


def replications_visible_to(user: Any) -> QuerySet[Replication]:
    return Replication.objects.filter(
        scope_for(user, Perm.VIEW).any_q("exemplar__unit__", "unit__")
    )


def may_change_replication(user: Any, replication: Replication) -> bool:
    return can(user, Perm.MANAGE_REPLICATION, replication.unit)


def get_replication_for(user: Any, pk: int, write: Perm | None = None) -> Replication:
    """404 outside both units' scope; 403 for `write` without MANAGE_REPLICATION on the
    adopting unit (whatever `write` names, replications change only with that)."""
    replication = (
        replications_visible_to(user).select_related(*REPLICATION_RELATED).filter(pk=pk).first()
    )
    if replication is None:
        raise Http404
    if write is not None and not may_change_replication(user, replication):
        raise PermissionDenied
    return replication


def adopting_units_for(user: Any, exemplar: Any) -> QuerySet[Unit]:
    """Units the user may register as adopting `exemplar`'s practice."""
    return (
        units_visible_to(user, Perm.MANAGE_REPLICATION)
        .filter(status=UnitStatus.ACTIVE)
        .exclude(pk=exemplar.unit_id)
        .exclude(pk=exemplar.subject_unit_id or 0)
    )


def outreach_visible_to(user: Any) -> QuerySet[Outreach]:
    return Outreach.objects.filter(exemplar__in=exemplars_visible_to(user))


def get_outreach_for(user: Any, pk: int, write: Perm | None = None) -> Outreach:
    item = (
        Outreach.objects.filter(scope_for(user, Perm.VIEW).unit_q("exemplar__unit__"))
        .select_related("exemplar__unit", "exemplar__person", "exemplar__subject_unit")
        .filter(pk=pk)
        .first()
    )
    if item is None:
        raise Http404
    if write is not None and not can(user, Perm.MANAGE_OUTREACH, item.exemplar.unit):
        raise PermissionDenied
    return item


def events_visible_to(user: Any, perm: Perm = Perm.VIEW) -> QuerySet[Event]:
    """Events organised by a unit of the scope, or with a participating unit in it."""
    scope = scope_for(user, perm)
    if scope.everything:
        return Event.objects.all()
    joined = Participation.objects.filter(scope.unit_q("unit__"), event=OuterRef("pk"))
    return Event.objects.filter(scope.unit_q("unit__") | Q(Exists(joined)))


def get_event_for(user: Any, pk: int, write: Perm | None = None) -> Event:
    """404 outside the user's scope; 403 when `write` is not held on the organising unit."""
    event = events_visible_to(user).select_related("unit", "created_by").filter(pk=pk).first()
    if event is None:
        raise Http404
    if write is not None and not can(user, write, event.unit):
        raise PermissionDenied
    return event


def jury_contests_of(user: Any) -> QuerySet[Event]:
    """The contests on whose jury the user sits, whatever their scope."""
    if getattr(user, "pk", None) is None:
        return Event.objects.none()
    return Event.objects.filter(kind=EventKind.CONTEST, jury__user_id=user.pk).select_related(
        "unit"
    )


def get_jury_contest_for(user: Any, pk: int) -> Event:
    """A contest on whose jury the user sits (the juror's own scoring page). Being named
    to the jury is what grants it, whatever the user's scope: 404 for anyone else."""
    if getattr(user, "pk", None) is None:
        raise Http404
    member = (
        JuryMember.objects.select_related("event__unit")
        .filter(event_id=pk, event__kind=EventKind.CONTEST, user_id=user.pk)
        .first()
    )
    if member is None:
        raise Http404
    return member.event


def get_jury_member_for(user: Any, pk: int, member: int) -> JuryMember:
    """A member of a contest's jury, for the organisers (MANAGE_OUTREACH) to take off."""
    event = get_event_for(user, pk, write=Perm.MANAGE_OUTREACH)
    if event.kind != EventKind.CONTEST:
        raise Http404
    found = JuryMember.objects.select_related("user", "event__unit").filter(event=event, pk=member)
    row = found.first()
    if row is None:
        raise Http404
    return row
