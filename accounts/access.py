"""The one access layer: every lookup of scoped data goes through here.

A user's roles are granted on a unit and cover its whole subtree (merged
units hang under their successor, so they are covered too). The same policy
answers "which ones?" as a queryset and "may I?" for one object, so that a
list and a detail page cannot disagree. Outsiders get 404, never a hint that
the object exists; insiders without the right to write get 403.
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from accounts.models import Role, RoleGrant, User

if TYPE_CHECKING:
    from awards.models import Award, Discipline, Initiative
    from organizations.models import Cluster, Council, Unit
    from people.models import Person


class Perm(enum.StrEnum):
    VIEW = "view"  # read the unit tree, people and their records in scope
    MANAGE_ORG = "manage_org"  # create units, restructure, clusters, councils
    MANAGE_PEOPLE = "manage_people"  # people, transfers, person and unit ratings, imports
    VIEW_AUDIT = "view_audit"
    MANAGE_USERS = "manage_users"  # accounts and role grants on units in scope
    VIEW_SENSITIVE = "view_sensitive"  # discipline records and eligibility verdicts
    MANAGE_RECORDS = "manage_records"  # awards, initiatives, discipline, judgements
    MANAGE_PLANS = "manage_plans"  # issue plans and requirements, send submissions
    MANAGE_MOVEMENTS = "manage_movements"  # movements, registrations, reviews
    CONFIRM = "confirm"  # the head's confirmation (movement registrations, reports)
    MANAGE_INSPECTIONS = "manage_inspections"  # council inspection plans and findings
    MANAGE_REPORTS = "manage_reports"  # annual reports, compilations, selections
    MANAGE_EXEMPLARS = "manage_exemplars"  # register, foster, monitor exemplars of a unit
    ASSESS_EXEMPLARS = "assess_exemplars"  # record verdicts on the standard's judgement criteria
    PROPOSE_EXEMPLARS = "propose_exemplars"  # standing body: propose upward, record decisions
    MANAGE_OUTREACH = "manage_outreach"  # outreach items, events, contests, trainings
    PUBLISH_STORIES = "publish_stories"  # write, review, publish and withdraw portal stories
    MANAGE_REPLICATION = "manage_replication"  # a unit's replications of others' practices


ALL_ROLES = frozenset(Role)
PERMISSIONS: dict[Perm, frozenset[str]] = {
    Perm.VIEW: frozenset(ALL_ROLES),
    Perm.MANAGE_ORG: frozenset({Role.ADMIN, Role.STANDING}),
    Perm.MANAGE_PEOPLE: frozenset({Role.ADMIN, Role.STANDING, Role.OFFICER, Role.HEAD}),
    Perm.VIEW_AUDIT: frozenset({Role.ADMIN, Role.STANDING, Role.OFFICER, Role.HEAD}),
    Perm.MANAGE_USERS: frozenset({Role.ADMIN}),
    # Discipline is personal data: communication staff and read-only viewers
    # do not see it, nor the verdicts that would reveal it.
    Perm.VIEW_SENSITIVE: frozenset(
        {Role.ADMIN, Role.STANDING, Role.OFFICER, Role.HEAD, Role.COUNCIL}
    ),
    Perm.MANAGE_RECORDS: frozenset({Role.ADMIN, Role.STANDING, Role.OFFICER, Role.HEAD}),
    Perm.MANAGE_PLANS: frozenset({Role.ADMIN, Role.STANDING, Role.OFFICER}),
    Perm.MANAGE_MOVEMENTS: frozenset({Role.ADMIN, Role.STANDING, Role.OFFICER, Role.HEAD}),
    Perm.CONFIRM: frozenset({Role.ADMIN, Role.HEAD}),
    Perm.MANAGE_INSPECTIONS: frozenset({Role.ADMIN, Role.STANDING, Role.COUNCIL}),
    Perm.MANAGE_REPORTS: frozenset({Role.ADMIN, Role.STANDING, Role.OFFICER, Role.HEAD}),
    Perm.MANAGE_EXEMPLARS: frozenset({Role.ADMIN, Role.STANDING, Role.OFFICER, Role.HEAD}),
    Perm.ASSESS_EXEMPLARS: frozenset(
        {Role.ADMIN, Role.STANDING, Role.OFFICER, Role.HEAD, Role.COUNCIL}
    ),
    Perm.PROPOSE_EXEMPLARS: frozenset({Role.ADMIN, Role.STANDING}),
    Perm.MANAGE_OUTREACH: frozenset({Role.ADMIN, Role.STANDING, Role.OFFICER, Role.COMMS}),
    # The portal speaks for the agency: only communication staff publish.
    Perm.PUBLISH_STORIES: frozenset({Role.ADMIN, Role.COMMS}),
    Perm.MANAGE_REPLICATION: frozenset({Role.ADMIN, Role.STANDING, Role.OFFICER, Role.HEAD}),
}


@dataclass
class Scope:
    """The unit paths a user may reach with a given permission."""

    paths: list[str] = field(default_factory=list)
    everything: bool = False

    def unit_q(self, prefix: str = "") -> Q:
        """A filter on a Unit relation (`prefix` like "unit__") restricted to this scope."""
        if self.everything:
            return Q()
        if not self.paths:
            return Q(pk__in=[])
        q = Q()
        for path in self.paths:
            q |= Q(**{f"{prefix}path__startswith": path})
        return q

    def any_q(self, *prefixes: str) -> Q:
        """Rows tied to a unit of this scope through any of several relations.

        Not `unit_q(a) | unit_q(b)`: for an unlimited scope both are Q(), and
        Q() | Q(x) is Q(x), not "everything".
        """
        if self.everything:
            return Q()
        q = Q(pk__in=[])
        for prefix in prefixes:
            q |= self.unit_q(prefix)
        return q

    def ids_at_or_above(self) -> set[int]:
        """Ids of the scope's root units and of every unit above them."""
        from organizations.models import path_ids

        return {pk for path in self.paths for pk in path_ids(path)}

    def covers(self, unit: Unit) -> bool:
        return self.everything or any(unit.path.startswith(p) for p in self.paths)

    @property
    def empty(self) -> bool:
        return not self.everything and not self.paths


def _grants(user: Any) -> list[tuple[str, str]]:
    """(role, unit path) pairs, loaded once per user object."""
    cached = getattr(user, "_thidua_grants", None)
    if cached is None:
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            cached = []
        else:
            cached = list(user.grants.values_list("role", "unit__path"))
        user._thidua_grants = cached
    return cached  # type: ignore[no-any-return]


def roles_of(user: Any) -> set[str]:
    return {role for role, _ in _grants(user)}


def scope_for(user: Any, perm: Perm) -> Scope:
    if getattr(user, "is_superuser", False) and user.is_active:
        return Scope(everything=True)
    allowed = PERMISSIONS[perm]
    paths = sorted({path for role, path in _grants(user) if role in allowed})
    # Drop paths already covered by a shorter one, so filters stay small.
    minimal: list[str] = []
    for path in paths:
        if not any(path.startswith(kept) for kept in minimal):
            minimal.append(path)
    return Scope(paths=minimal)


def has_perm_anywhere(user: Any, perm: Perm) -> bool:
    return not scope_for(user, perm).empty


# --- "which ones?" ---------------------------------------------------------------


def units_visible_to(user: Any, perm: Perm = Perm.VIEW) -> QuerySet[Unit]:
    from organizations.models import Unit

    return Unit.objects.filter(scope_for(user, perm).unit_q())


def people_visible_to(user: Any, perm: Perm = Perm.VIEW) -> QuerySet[Person]:
    from people.models import Person

    return Person.objects.filter(scope_for(user, perm).unit_q("unit__"))


def filter_by_unit_scope(
    qs: QuerySet[Any], user: Any, perm: Perm, unit_field: str
) -> QuerySet[Any]:
    """Restrict any queryset whose rows belong to a unit through `unit_field`."""
    return qs.filter(scope_for(user, perm).unit_q(f"{unit_field}__"))


# --- "may I?" for one object --------------------------------------------------------

T = TypeVar("T")


def _check_object(user: Any, unit: Unit, write: Perm | None) -> None:
    if not scope_for(user, Perm.VIEW).covers(unit):
        raise Http404
    if write is not None and not scope_for(user, write).covers(unit):
        raise PermissionDenied


def get_unit_for(user: Any, code: str, write: Perm | None = None) -> Unit:
    from organizations.models import Unit

    unit = Unit.objects.select_related("parent").filter(code=code).first()
    if unit is None:
        raise Http404
    _check_object(user, unit, write)
    return unit


def get_person_for(user: Any, code: str, write: Perm | None = None) -> Person:
    from people.models import Person

    person = Person.objects.select_related("unit").filter(code=code).first()
    if person is None:
        raise Http404
    _check_object(user, person.unit, write)
    return person


def users_visible_to(actor: Any) -> QuerySet[User]:
    """Accounts an administrator manages: those holding a role on a unit in their scope.

    Superusers see every account, including ones without any role yet.
    """
    scope = scope_for(actor, Perm.MANAGE_USERS)
    if scope.everything:
        return User.objects.all()
    in_scope = RoleGrant.objects.filter(scope.unit_q("unit__"), user=OuterRef("pk"))
    return User.objects.filter(Exists(in_scope))


def may_manage_account(actor: Any, target: User) -> bool:
    """May `actor` change the account itself (lock it, issue its tokens, mail a password link)?

    Only when every role the account holds lies inside the actor's scope and
    it is not a superuser: otherwise a subtree administrator could take over
    powers they do not have themselves (a token of a ministry-wide user, say).
    """
    scope = scope_for(actor, Perm.MANAGE_USERS)
    if scope.everything:
        return True
    if target.is_superuser or scope.empty:
        return False
    return not target.grants.exclude(scope.unit_q("unit__")).exists()


def get_user_for(actor: Any, pk: int, write: bool = False) -> User:
    """An account the actor manages (404 otherwise); `write` asks for the account itself (403)."""
    target = users_visible_to(actor).select_related("person").filter(pk=pk).first()
    if target is None:
        raise Http404
    if write and not may_manage_account(actor, target):
        raise PermissionDenied
    return target


def clusters_visible_to(user: Any) -> QuerySet[Cluster]:
    """Clusters organised by a visible unit, or having a visible unit as a member."""
    from organizations.models import Cluster, ClusterMember

    visible = units_visible_to(user)
    has_member = ClusterMember.objects.filter(cluster=OuterRef("pk"), unit__in=visible)
    return Cluster.objects.filter(Q(organizer__in=visible) | Q(Exists(has_member)))


def get_cluster_for(user: Any, pk: int, write: Perm | None = None) -> Cluster:
    """A cluster is seen through its organiser or a member unit, but changed only by
    whoever holds `write` on its organiser, as the unit's own pages are."""
    from organizations.models import Cluster

    related = ("organizer", "leader", "deputy", "follower", "follower__unit")
    source = Cluster.objects.all() if write is not None else clusters_visible_to(user)
    cluster = source.select_related(*related).filter(pk=pk).first()
    if cluster is None:
        raise Http404
    if write is not None:
        _check_object(user, cluster.organizer, write)
    return cluster


def councils_visible_to(user: Any) -> QuerySet[Council]:
    from organizations.models import Council

    return Council.objects.filter(unit__in=units_visible_to(user))


def get_council_for(user: Any, pk: int, write: Perm | None = None) -> Council:
    from organizations.models import Council

    council = Council.objects.select_related("unit").filter(pk=pk).first()
    if council is None:
        raise Http404
    _check_object(user, council.unit, write)
    return council


def awards_visible_to(user: Any, perm: Perm = Perm.VIEW) -> QuerySet[Award]:
    """Awards of people (through their current unit) and of units in scope."""
    from awards.models import Award

    return Award.objects.filter(scope_for(user, perm).any_q("person__unit__", "unit__"))


def get_award_for(user: Any, pk: int, write: Perm | None = None) -> Award:
    from awards.models import Award

    award = Award.objects.select_related("person__unit", "unit", "award_type").filter(pk=pk).first()
    if award is None:
        raise Http404
    holder = award.person.unit if award.person is not None else award.unit
    assert holder is not None
    _check_object(user, holder, write)
    return award


def initiatives_visible_to(user: Any, perm: Perm = Perm.VIEW) -> QuerySet[Initiative]:
    from awards.models import Initiative

    return Initiative.objects.filter(scope_for(user, perm).unit_q("unit__"))


def get_initiative_for(user: Any, pk: int, write: Perm | None = None) -> Initiative:
    from awards.models import Initiative

    initiative = Initiative.objects.select_related("unit", "used_by").filter(pk=pk).first()
    if initiative is None:
        raise Http404
    _check_object(user, initiative.unit, write)
    return initiative


def disciplines_visible_to(user: Any) -> QuerySet[Discipline]:
    """Discipline is personal: only roles with VIEW_SENSITIVE see it, in their scope."""
    from awards.models import Discipline

    return Discipline.objects.filter(scope_for(user, Perm.VIEW_SENSITIVE).unit_q("person__unit__"))


def get_discipline_for(user: Any, pk: int, write: Perm | None = None) -> Discipline:
    from awards.models import Discipline

    discipline = Discipline.objects.select_related("person__unit").filter(pk=pk).first()
    if discipline is None:
        raise Http404
    _check_object(user, discipline.person.unit, write)
    if not scope_for(user, Perm.VIEW_SENSITIVE).covers(discipline.person.unit):
        raise PermissionDenied
    return discipline


def check_unit(user: Any, unit: Unit, write: Perm | None = None) -> None:
    """For an object already loaded through another route (e.g. a form's unit choice)."""
    _check_object(user, unit, write)


def can_create_root(user: Any) -> bool:
    """A new top of the tree (a ministry) is a system-wide decision, not a subtree's."""
    return bool(getattr(user, "is_superuser", False) and user.is_active)


def can(user: Any, perm: Perm, unit: Unit) -> bool:
    return scope_for(user, perm).covers(unit)


# --- views -------------------------------------------------------------------------

ViewFunc = Callable[..., HttpResponse]


def access(
    perm: Perm | None, *, object_page: bool = False, login_only: bool = False
) -> Callable[[ViewFunc], ViewFunc]:
    """Mark a view as access-checked (the permission test walks every URL for this).

    `perm` is the least a user must hold somewhere to open the page; object
    views then narrow it with get_*_for. `None` means the page is public.

    `object_page=True` is for a page that changes one object and loads it with
    get_*_for(..., write=perm) / check_unit(..., write=perm): the up-front check
    then only asks for VIEW somewhere, so the lookup decides, and an outsider
    gets 404 from it (as on every other page of that object) rather than a 403
    that would set write pages apart from missing ones.

    `login_only=True` is for pages whose lookup grants access by something other
    than a role: a council member votes on the ballot even without any role grant.
    """
    upfront = Perm.VIEW if object_page else perm

    def decorate(view: ViewFunc) -> ViewFunc:
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if upfront is not None:
                if not request.user.is_authenticated:
                    return redirect_to_login(request.get_full_path())
                if not login_only and not has_perm_anywhere(request.user, upfront):
                    raise PermissionDenied
            return view(request, *args, **kwargs)

        wrapper.access_perm = perm  # type: ignore[attr-defined]
        wrapper.access_checked = True  # type: ignore[attr-defined]
        return wrapper

    return decorate


def public(view: ViewFunc) -> ViewFunc:
    return access(None)(view)


def mark_checked(view: Any, perm: Perm | None) -> Any:
    """For third-party views (auth, i18n) that enforce their own rules."""
    view.access_perm = perm
    view.access_checked = True
    return view


def paths_of(units: Iterable[Unit]) -> list[str]:
    return [u.path for u in units]
