"""Spread (sức lan tỏa) of exemplars: counts by stage, outreach and reach, the ranking of
the most replicated practices, and the picture of one exemplar's spread.

Every figure is computed set-wise: one aggregate per exemplar page, and for lists
annotations on the exemplar queryset (subqueries, so that joining replications and
outreach items never multiplies one by the other).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from django.db.models import (
    Count,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from accounts.access import Perm, can
from exemplars.models import RECOGNIZED_STATES, Exemplar
from propagation.access import adopting_units_for
from propagation.models import STAGE_ORDER, Outreach, Replication, Stage

# Okabe–Ito colours (distinguishable with the common colour-vision deficiencies); the
# stage is also told by the line's width and dash, the legend and the table.
STAGE_COLOURS: dict[str, str] = {
    Stage.INTERESTED: "#E69F00",
    Stage.PILOTING: "#56B4E9",
    Stage.ADOPTED: "#009E73",
    Stage.SCALED: "#0072B2",
    Stage.DISCONTINUED: "#8C8C8C",
}
STAGE_WIDTHS: dict[str, float] = {
    Stage.INTERESTED: 1.5,
    Stage.PILOTING: 2.5,
    Stage.ADOPTED: 3.5,
    Stage.SCALED: 5.0,
    Stage.DISCONTINUED: 1.5,
}
# Furthest first, so that similar colours sit together around the circle.
DRAW_ORDER = [Stage.SCALED, Stage.ADOPTED, Stage.PILOTING, Stage.INTERESTED, Stage.DISCONTINUED]
MAX_NODES = 24  # drawn; the table lists more
MAX_ROWS = 200  # in the page's table; the replication list has them all
LABEL_CHARS = 34


@dataclass
class Spread:
    """What the API's spread line answers."""

    units_adopting: int
    by_stage: dict[str, int]
    outreach_count: int
    reach_total: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "units_adopting": self.units_adopting,
            "by_stage": dict(self.by_stage),
            "outreach_count": self.outreach_count,
            "reach_total": self.reach_total,
        }


def spread_of(exemplar: Exemplar) -> Spread:
    """Two queries: replications by stage, outreach count and reach.

    `units_adopting` counts the units at a stage other than DISCONTINUED (one
    replication per unit); `by_stage` names every stage, zeros included.
    """
    counts = dict(
        Replication.objects.filter(exemplar=exemplar)
        .order_by()
        .values("stage")
        .annotate(n=Count("pk"))
        .values_list("stage", "n")
    )
    by_stage = {stage: counts.get(stage, 0) for stage in Stage.values}
    outreach = Outreach.objects.filter(exemplar=exemplar).aggregate(
        n=Count("pk"), reach=Coalesce(Sum("reach"), 0)
    )
    return Spread(
        units_adopting=sum(by_stage[s] for s in STAGE_ORDER),
        by_stage=by_stage,
        outreach_count=outreach["n"],
        reach_total=outreach["reach"],
    )


def _count(stage_q: Q) -> Subquery:
    rows = (
        Replication.objects.filter(stage_q, exemplar=OuterRef("pk"))
        .order_by()
        .values("exemplar")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(rows, output_field=IntegerField()), Value(0))  # type: ignore[return-value]


def with_spread(exemplars: QuerySet[Exemplar]) -> QuerySet[Exemplar]:
    """Annotate `n_<STAGE>` per stage, `units_adopting`, `outreach_count`, `reach_total`."""
    outreach = Outreach.objects.filter(exemplar=OuterRef("pk")).order_by().values("exemplar")
    annotations: dict[str, Any] = {f"n_{s}": _count(Q(stage=s)) for s in Stage.values}
    annotations["units_adopting"] = _count(Q(stage__in=STAGE_ORDER))
    annotations["outreach_count"] = Coalesce(
        Subquery(outreach.annotate(n=Count("pk")).values("n"), output_field=IntegerField()),
        Value(0),
    )
    annotations["reach_total"] = Coalesce(
        Subquery(outreach.annotate(r=Sum("reach")).values("r"), output_field=IntegerField()),
        Value(0),
    )
    return exemplars.annotate(**annotations)


def ranking(exemplars: QuerySet[Exemplar]) -> QuerySet[Exemplar]:
    """The most replicated practices first: units adopting, then furthest stages, then reach."""
    return (
        with_spread(exemplars)
        .filter(Q(units_adopting__gt=0) | Q(n_DISCONTINUED__gt=0) | Q(outreach_count__gt=0))
        .order_by(
            "-units_adopting",
            "-n_SCALED",
            "-n_ADOPTED",
            "-reach_total",
            "-outreach_count",
            "title",
            "pk",
        )
    )


# --- the picture ------------------------------------------------------------------------


@dataclass
class Node:
    replication: Replication
    stage: str
    stage_label: str
    colour: str
    width: float
    dashed: bool
    x: float
    y: float
    lx: float
    ly: float
    anchor: str
    label: str
    name: str


@dataclass
class Picture:
    width: int = 960
    height: int = 540
    cx: float = 480
    cy: float = 270
    radius: float = 190
    origin_y: float = 316
    origin_name: str = ""
    origin_label: str = ""
    nodes: list[Node] = field(default_factory=list)
    hidden: int = 0
    description: str = ""


def _short(text: str, limit: int = LABEL_CHARS) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _unit_label(unit: Any) -> str:
    """The short name when the full one would be cut (the full name is in the node's title)."""
    if len(unit.name) > LABEL_CHARS and unit.short_name:
        return str(unit.short_name)
    return str(unit.name)


def _draw_key(r: Replication) -> tuple[int, str, int]:
    return (DRAW_ORDER.index(Stage(r.stage)), r.unit.sort_key or r.unit.name, r.pk)


def picture(exemplar: Exemplar, rows: list[Replication], spread: Spread) -> Picture:
    """The origin unit in the centre, the adopting units on a circle around it."""
    pic = Picture(origin_name=exemplar.unit.name, origin_label=_short(exemplar.unit.name, 40))
    drawn = sorted(rows, key=_draw_key)[:MAX_NODES]
    pic.hidden = max(0, sum(spread.by_stage.values()) - len(drawn))
    count = len(drawn)
    for index, replication in enumerate(drawn):
        angle = -math.pi / 2 + (2 * math.pi * index / count)
        cos, sin = math.cos(angle), math.sin(angle)
        x = pic.cx + pic.radius * cos
        y = pic.cy + pic.radius * sin
        if cos > 0.25:
            anchor, lx, ly = "start", x + 16, y + 4
        elif cos < -0.25:
            anchor, lx, ly = "end", x - 16, y + 4
        else:
            anchor, lx, ly = "middle", x, (y - 18 if sin < 0 else y + 28)
        stage = replication.stage
        pic.nodes.append(
            Node(
                replication=replication,
                stage=stage,
                stage_label=str(Stage(stage).label),
                colour=STAGE_COLOURS[stage],
                width=STAGE_WIDTHS[stage],
                dashed=stage == Stage.DISCONTINUED,
                x=round(x, 1),
                y=round(y, 1),
                lx=round(lx, 1),
                ly=round(ly, 1),
                anchor=anchor,
                label=_short(_unit_label(replication.unit)),
                name=replication.unit.name,
            )
        )
    parts = [
        _("%(n)s %(s)s") % {"n": spread.by_stage[s], "s": str(Stage(s).label).lower()}
        for s in Stage.values
        if spread.by_stage[s]
    ]
    if parts:
        pic.description = _(
            "Từ %(origin)s, mô hình đã lan tỏa tới %(n)s đơn vị đang áp dụng: %(parts)s."
        ) % {"origin": exemplar.unit.name, "n": spread.units_adopting, "parts": "; ".join(parts)}
    else:
        pic.description = _("Chưa có đơn vị nào đăng ký nhân rộng mô hình của %(origin)s.") % {
            "origin": exemplar.unit.name
        }
    return pic


def spread_context(user: Any, exemplar: Exemplar) -> dict[str, Any]:
    """Everything the exemplar page's spread section shows; three queries (four with
    the create button's unit check)."""
    spread = spread_of(exemplar)
    rows = list(
        Replication.objects.filter(exemplar=exemplar)
        .select_related("unit")
        .order_by("unit__sort_key", "unit__name", "pk")[:MAX_ROWS]
    )
    legend = [
        {
            "stage": s,
            "label": Stage(s).label,
            "colour": STAGE_COLOURS[s],
            "width": STAGE_WIDTHS[s],
            "dashed": s == Stage.DISCONTINUED,
            "count": spread.by_stage[s],
        }
        for s in Stage.values
    ]
    recognized = exemplar.state in RECOGNIZED_STATES
    can_replicate = recognized and adopting_units_for(user, exemplar).exists()
    return {
        "exemplar": exemplar,
        "spread": spread,
        "rows": rows,
        "more_rows": sum(spread.by_stage.values()) > len(rows),
        "legend": legend,
        "picture": picture(exemplar, rows, spread),
        "recognized": recognized,
        "can_replicate": can_replicate,
        "can_outreach": can(user, Perm.MANAGE_OUTREACH, exemplar.unit),
        "can_write_story": recognized and can(user, Perm.PUBLISH_STORIES, exemplar.unit),
    }
