"""The monitoring chart of an exemplar: the four check-in scores over time, as inline SVG.

Rendered on the server with pygal so the page needs no chart library: pygal's
scripts (which it would load from a CDN) are switched off and its inline
configuration script is removed, leaving a static, self-contained SVG. The
check-in table next to it stays the accessible alternative.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import pygal
from django.db import models
from django.utils.safestring import SafeString, mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from pygal.etree import etree
from pygal.style import Style

from exemplars.models import CheckIn

# (score field, dash pattern): the dashes tell the lines apart without relying on colour.
SERIES: tuple[tuple[str, str], ...] = (
    ("effect", ""),
    ("efficiency", "8,4"),
    ("potential", "2,4"),
    ("influence", "10,4,2,4"),
)
# Bootstrap's primary, success, warning (darkened for contrast) and danger.
COLORS = ("#0d6efd", "#198754", "#b35c00", "#dc3545")
FONT = 'system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue","Noto Sans",Arial,sans-serif'


def score_label(field: str) -> str:
    """The model's own name of a score ("tác dụng" → "Tác dụng")."""
    model_field = CheckIn._meta.get_field(field)
    assert isinstance(model_field, models.Field)
    return str(capfirst(model_field.verbose_name))


def series_labels() -> list[str]:
    return [score_label(field) for field, _dash in SERIES]


def checkin_chart(checkins: Sequence[CheckIn], *, title: str, chart_id: str) -> SafeString:
    """The SVG markup of the chart, or an empty string when there is nothing to draw."""
    if not checkins:
        return mark_safe("")
    style = Style(
        font_family=FONT,
        colors=COLORS,
        background="transparent",
        plot_background="transparent",
        foreground="#212529",
        foreground_strong="#212529",
        foreground_subtle="#6c757d",
        label_font_size=12,
        major_label_font_size=12,
        legend_font_size=13,
        stroke_width=2.5,
        guide_stroke_color="#dee2e6",
        major_guide_stroke_color="#ced4da",
        guide_stroke_dasharray="1,0",
        major_guide_stroke_dasharray="1,0",
    )
    chart = pygal.Line(
        js=[],  # no <script src=…> from a CDN; the chart is static
        disable_xml_declaration=True,
        style=style,
        width=800,
        height=320,
        range=(1, 5),
        y_labels=[1, 2, 3, 4, 5],
        include_x_axis=False,
        show_legend=True,
        legend_at_bottom=True,
        legend_at_bottom_columns=4,
        dots_size=4,
        margin_right=48,
        margin_left=16,
        x_label_rotation=30 if len(checkins) > 6 else 0,
        truncate_legend=-1,
        truncate_label=-1,
    )
    chart.x_labels = [c.checked_on.strftime("%d/%m/%Y") for c in checkins]
    for field, dash in SERIES:
        options: dict[str, Any] = {"stroke_style": {"dasharray": dash}} if dash else {}
        chart.add(score_label(field), [getattr(c, field) for c in checkins], **options)
    return _finish(chart.render_tree(), title=title, chart_id=chart_id)


def _finish(tree: Any, *, title: str, chart_id: str) -> SafeString:
    """Strip the scripts and comments; name the image for assistive technology."""
    for parent in list(tree.iter()):
        for child in list(parent):
            if child.tag == "script" or not isinstance(child.tag, str):
                parent.remove(child)
    for old in tree.findall("title"):
        tree.remove(old)
    title_el = etree.Element("title")
    title_el.set("id", f"{chart_id}-title")
    title_el.text = title
    tree.insert(0, title_el)
    tree.set("role", "img")
    tree.set("aria-labelledby", f"{chart_id}-title")
    tree.set("aria-label", title)
    tree.set("focusable", "false")
    # The root keeps the id pygal generated: its CSS is scoped to it.
    markup = etree.tostring(tree, encoding="unicode")
    # Safe: lxml escaped every text node, and the labels and dates are our own values.
    return mark_safe(markup)


def describe(checkins: Sequence[CheckIn]) -> str:
    """A one-line summary for the chart's caption (the latest scores)."""
    if not checkins:
        return ""
    last = checkins[-1]
    parts = [f"{score_label(field)} {getattr(last, field)}" for field, _dash in SERIES]
    return _("Lần theo dõi gần nhất (%(d)s): %(s)s.") % {
        "d": last.checked_on.strftime("%d/%m/%Y"),
        "s": ", ".join(parts),
    }
