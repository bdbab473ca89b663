from __future__ import annotations

import datetime as dt
from typing import cast

from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import (
    Perm,
    access,
    awards_visible_to,
    filter_by_unit_scope,
    has_perm_anywhere,
    people_visible_to,
    public,
    roles_of,
    units_visible_to,
)
from accounts.models import RoleGrant, User
from audit.models import AuditEvent
from core.choices import Rating
from organizations.models import UnitRating, UnitStatus
from people.models import PersonRating
from plans.access import plans_visible_to
from plans.models import Requirement


@access(Perm.VIEW)
def dashboard(request: HttpRequest) -> HttpResponse:
    """Real counts for the user's scope: a fixed handful of aggregate queries."""
    year = dt.date.today().year - 1
    units = units_visible_to(request.user)
    people = people_visible_to(request.user)
    unit_counts = dict(units.values_list("status").annotate(n=Count("id")).order_by())
    person_ratings = dict(
        PersonRating.objects.filter(person__in=people, year=year)
        .values_list("rating")
        .annotate(n=Count("id"))
        .order_by()
    )
    unit_ratings = dict(
        UnitRating.objects.filter(unit__in=units, year=year)
        .values_list("rating")
        .annotate(n=Count("id"))
        .order_by()
    )
    recent = filter_by_unit_scope(
        AuditEvent.objects.select_related("actor"), request.user, Perm.VIEW, "unit"
    )[:8]
    today = dt.date.today()
    deadlines = (
        Requirement.objects.filter(
            plan__in=plans_visible_to(request.user),
            due_on__gte=today - dt.timedelta(days=14),
            due_on__lte=today + dt.timedelta(days=60),
        )
        .select_related("plan")
        .order_by("due_on", "plan__code")[:8]
    )
    awards = dict(
        awards_visible_to(request.user)
        .filter(year=year)
        .values_list("award_type__code")
        .annotate(n=Count("id"))
        .order_by()
    )
    context = {
        "today": today,
        "deadlines": deadlines,
        "awards_count": sum(awards.values()),
        "can_evaluate": has_perm_anywhere(request.user, Perm.VIEW_SENSITIVE),
        "active_units": unit_counts.get(UnitStatus.ACTIVE, 0),
        "closed_units": sum(n for s, n in unit_counts.items() if s != UnitStatus.ACTIVE),
        "people_count": people.count(),
        "heads_count": people.filter(is_head=True).count(),
        "person_ratings": person_ratings,
        "unit_ratings": unit_ratings,
        "rated_people": sum(person_ratings.values()),
        "recent": recent,
        "roles": sorted(roles_of(request.user)),
        "rating_choices": Rating.choices,
        "grants": RoleGrant.objects.filter(user=cast(User, request.user))
        .select_related("unit")
        .order_by("unit__path"),
    }
    return render(request, "core/dashboard.html", context)


@public
def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")
