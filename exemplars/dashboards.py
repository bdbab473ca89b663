"""Figures of the exemplar dashboards: the discovery → recognition funnel and the yearly
quota of every unit (PROCESS.md §2: each unit builds 1–2 exemplars a year).

Both are computed set-wise: a fixed number of aggregate queries whatever the number
of exemplars, transitions or units. Callers pass querysets already narrowed to what
the user may see.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.db.models import (
    Case,
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Greatest
from django.utils.translation import gettext_lazy as _

from exemplars.models import FUNNEL, RECOGNIZED_STATES, Exemplar, ExemplarState, Transition
from organizations.models import Unit, UnitStatus, path_ids

# --- funnel ---------------------------------------------------------------------------

RANK = {str(state): index for index, state in enumerate(FUNNEL)}


def _rank_of(field: str) -> Case:
    """The position in FUNNEL of a state column (-1 for DROPPED / REVOKED)."""
    return Case(
        *[When(**{field: state}, then=Value(rank)) for state, rank in RANK.items()],
        default=Value(-1),
        output_field=IntegerField(),
    )


@dataclass(frozen=True)
class FunnelStage:
    state: str
    label: str
    reached: int  # exemplars that got at least this far, whatever became of them since
    current: int  # exemplars in this state now
    conversion: float | None  # reached / reached of the stage before, in %
    share: float | None  # reached / discovered, in %

    @property
    def states_from_here(self) -> list[str]:
        """This stage and every later one: the states of those still at or beyond it."""
        return [str(s) for s in FUNNEL[RANK[self.state] :]]


@dataclass(frozen=True)
class Funnel:
    year: int
    stages: list[FunnelStage]
    dropped: int
    revoked: int

    @property
    def total(self) -> int:
        return self.stages[0].reached if self.stages else 0


def _percent(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


def funnel(exemplars: QuerySet[Exemplar], year: int) -> Funnel:
    """How many exemplars registered in `year` reached each stage of FUNNEL.

    "Reached" is the furthest stage an exemplar's transitions ever took it to (or
    its current state, if later): an exemplar now at SECTOR went through all the
    stages before; one DROPPED or REVOKED keeps the stage it had got to. Every
    exemplar was at least discovered. One query: the furthest stage is a
    correlated subquery, and the rows are grouped by (furthest stage, state).
    """
    furthest_move = (
        Transition.objects.filter(exemplar=OuterRef("pk"))
        .annotate(rank=_rank_of("to_state"))
        .order_by("-rank")
        .values("rank")[:1]
    )
    reached = Greatest(
        Coalesce(Subquery(furthest_move, output_field=IntegerField()), Value(0)),
        _rank_of("state"),
        Value(0),
        output_field=IntegerField(),
    )
    groups = (
        exemplars.filter(year=year)
        .order_by()
        .annotate(reached=reached)
        .values_list("reached", "state")
        .annotate(n=Count("pk"))
    )
    at_least = [0] * len(FUNNEL)
    by_state: dict[str, int] = {}
    for rank, state, n in groups:
        for index in range(rank + 1):
            at_least[index] += n
        by_state[state] = by_state.get(state, 0) + n
    stages = []
    for index, state in enumerate(FUNNEL):
        stages.append(
            FunnelStage(
                state=str(state),
                label=str(state.label),
                reached=at_least[index],
                current=by_state.get(str(state), 0),
                conversion=(_percent(at_least[index], at_least[index - 1]) if index else None),
                share=_percent(at_least[index], at_least[0]),
            )
        )
    return Funnel(
        year=year,
        stages=stages,
        dropped=by_state.get(ExemplarState.DROPPED, 0),
        revoked=by_state.get(ExemplarState.REVOKED, 0),
    )


# --- quota ------------------------------------------------------------------------------

QUOTA_MIN = 1
QUOTA_MAX = 2


class QuotaStatus(enum.StrEnum):
    BELOW = "BELOW"
    WITHIN = "WITHIN"
    ABOVE = "ABOVE"


QUOTA_LABELS = {
    QuotaStatus.BELOW: _("Chưa đạt chỉ tiêu"),
    QuotaStatus.WITHIN: _("Đạt"),
    QuotaStatus.ABOVE: _("Vượt chỉ tiêu"),
}


def quota_status(registered: int) -> QuotaStatus:
    if registered < QUOTA_MIN:
        return QuotaStatus.BELOW
    if registered > QUOTA_MAX:
        return QuotaStatus.ABOVE
    return QuotaStatus.WITHIN


@dataclass(frozen=True)
class QuotaRow:
    unit: Unit
    level: int  # depth below the shallowest root shown, for the indent
    registered: int
    recognized: int

    @property
    def status(self) -> QuotaStatus:
        return quota_status(self.registered)

    @property
    def status_label(self) -> str:
        return str(QUOTA_LABELS[self.status])


@dataclass(frozen=True)
class QuotaSummary:
    below: int
    within: int
    above: int
    registered: int
    recognized: int

    @property
    def units(self) -> int:
        return self.below + self.within + self.above


def _covering_roots(roots: Iterable[Unit]) -> list[Unit]:
    """Roots without the ones already inside another root, so no unit is listed twice."""
    kept: list[Unit] = []
    for unit in sorted(roots, key=lambda u: len(u.path)):
        if not any(unit.path.startswith(k.path) for k in kept):
            kept.append(unit)
    return kept


def _subtree(roots: Sequence[Unit], prefix: str = "") -> Q:
    q = Q(pk__in=[])
    for root in roots:
        q |= Q(**{f"{prefix}path__startswith": root.path})
    return q


def tree_order(units: Sequence[Unit]) -> list[Unit]:
    """Depth first, siblings in Vietnamese name order (Unit.sort_key), not by id."""
    by_id = {u.pk: u for u in units}

    def key(unit: Unit) -> list[tuple[str, str]]:
        return [(by_id[i].sort_key, by_id[i].code) for i in path_ids(unit.path) if i in by_id]

    return sorted(units, key=key)


def quota_rows(root_units: Iterable[Unit], year: int) -> list[QuotaRow]:
    """One row per active unit of the roots' subtrees: the exemplars it discovered and
    registered in `year` (any state) and how many of them are recognised now.

    Two queries: the units, and the counts grouped by unit.
    """
    roots = _covering_roots(root_units)
    if not roots:
        return []
    units = list(
        Unit.objects.filter(_subtree(roots), status=UnitStatus.ACTIVE).only(
            "code", "name", "short_name", "path", "depth", "sort_key", "status", "kind"
        )
    )
    counts = {
        unit_id: (registered, recognized)
        for unit_id, registered, recognized in Exemplar.objects.filter(
            _subtree(roots, "unit__"), year=year, unit__status=UnitStatus.ACTIVE
        )
        .order_by()
        .values_list("unit_id")
        .annotate(
            registered=Count("pk"),
            recognized=Count("pk", filter=Q(state__in=RECOGNIZED_STATES)),
        )
        .values_list("unit_id", "registered", "recognized")
    }
    base = min((r.depth for r in roots), default=0)
    return [
        QuotaRow(
            unit=unit,
            level=max(0, unit.depth - base),
            registered=counts.get(unit.pk, (0, 0))[0],
            recognized=counts.get(unit.pk, (0, 0))[1],
        )
        for unit in tree_order(units)
    ]


def quota_summary(rows: Sequence[QuotaRow]) -> QuotaSummary:
    statuses = [r.status for r in rows]
    return QuotaSummary(
        below=statuses.count(QuotaStatus.BELOW),
        within=statuses.count(QuotaStatus.WITHIN),
        above=statuses.count(QuotaStatus.ABOVE),
        registered=sum(r.registered for r in rows),
        recognized=sum(r.recognized for r in rows),
    )
