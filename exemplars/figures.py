"""The exemplar section of the annual report figures (reports.figures).

It keeps the plan registration rows of reports.figures.registrations_section and
fills the rows that section leaves at zero from the exemplars themselves.
`register()` replaces the placeholder section; ExemplarsConfig.ready() calls it.
"""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q, Subquery
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from exemplars.models import RECOGNIZED_STATES, Exemplar, ExemplarState, Transition
from organizations.models import Unit
from reports.figures import Row, register_section, registrations_section

SECTION_KEY = "exemplars"
SECTION_ORDER = 40


def exemplar_counts(unit: Unit, year: int) -> dict[str, int]:
    """For `unit`'s subtree, in one query: exemplars recognised for `year`, proposed
    upward during `year`, and being fostered at the end of `year`.

    "Being fostered" reads the state each exemplar had on 31/12 (its last move up to
    then), so a report written later for a past year counts that year, not today.
    """
    proposed = Transition.objects.filter(
        exemplar=OuterRef("pk"), to_state=ExemplarState.PROPOSED, at__year=year
    )
    state_at_year_end = Subquery(
        Transition.objects.filter(exemplar=OuterRef("pk"), at__year__lte=year)
        .order_by("-at", "-pk")
        .values("to_state")[:1]
    )
    result: dict[str, int] = (
        Exemplar.objects.filter(unit__path__startswith=unit.path)
        # Both correlated subqueries as annotations: the aggregate then wraps the query
        # and counts over their columns (an Exists inside the filter would lose its
        # outer reference there).
        .annotate(state_then=state_at_year_end, proposed_then=Exists(proposed))
        .aggregate(
            recognized=Count("pk", filter=Q(recognized_year=year, state__in=RECOGNIZED_STATES)),
            proposed_upward=Count("pk", filter=Q(proposed_then=True)),
            fostering=Count("pk", filter=Q(state_then=ExemplarState.FOSTERING)),
        )
    )
    return result


def exemplars_section(unit: Unit, year: int) -> list[Row]:
    """The registration rows, then the exemplars' own counts in place of the zeros."""
    counts = exemplar_counts(unit, year)
    filled = {
        "exemplars.fostering": Row(
            "exemplars.fostering", _("Điển hình đang bồi dưỡng"), counts["fostering"]
        ),
        "exemplars.recognized": Row(
            "exemplars.recognized",
            _("Điển hình được công nhận, tuyên dương"),
            counts["recognized"],
        ),
        "exemplars.proposed_upward": Row(
            "exemplars.proposed_upward",
            _("Điển hình đề nghị cấp trên khen thưởng"),
            counts["proposed_upward"],
        ),
    }
    rows: list[Row] = []
    for row in registrations_section(unit, year):
        if row.key == "exemplars.recognized":
            # In the funnel's order: fostered, then recognised.
            rows.append(filled["exemplars.fostering"])
        rows.append(filled.get(row.key, row))
    present = {r.key for r in rows}
    rows.extend(row for key, row in filled.items() if key not in present)
    return rows


def register() -> None:
    register_section(
        SECTION_KEY,
        gettext_lazy("Xây dựng điển hình tiên tiến"),
        SECTION_ORDER,
        exemplars_section,
    )
