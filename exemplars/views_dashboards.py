"""Dashboards of exemplar work: the funnel, the yearly quota of every unit, the standards."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import pygal
from django import forms
from django.db.models import Max
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from pygal.style import Style

from accounts.access import Perm, access, scope_for, units_visible_to
from core.dates import today
from core.xlsx import xlsx_response
from eligibility.rules import Condition, Rule
from exemplars.access import exemplars_visible_to
from exemplars.dashboards import (
    QUOTA_LABELS,
    QUOTA_MAX,
    QUOTA_MIN,
    Funnel,
    QuotaRow,
    QuotaStatus,
    funnel,
    quota_rows,
    quota_summary,
    tree_order,
)
from exemplars.models import RECOGNIZED_STATES, ExemplarState
from exemplars.standards import AWARD, Standard, standards
from organizations.models import Unit
from people.forms import BootstrapMixin, unit_choices

UNIT_FIELDS = ("code", "name", "depth", "path", "status", "parent_id", "sort_key")
YEAR_MIN, YEAR_MAX = 1945, 2100


class DashboardForm(BootstrapMixin, forms.Form):
    """Which part of the tree and which registration year."""

    unit = forms.ChoiceField(label=gettext_lazy("Đơn vị (cả cấp dưới)"), required=False)
    year = forms.IntegerField(
        label=gettext_lazy("Năm đăng ký"), required=False, min_value=YEAR_MIN, max_value=YEAR_MAX
    )

    def __init__(self, *args: Any, units: Sequence[Unit], everyone: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", everyone), *unit_choices(units)]
        self.style()


@dataclass
class Selection:
    form: DashboardForm
    units: list[Unit]
    unit: Unit | None
    year: int


def _latest_year(user: Any) -> int:
    """The latest year with exemplars in scope (early in a year, the current one is still
    empty: last year's work is what people look at); the current year when there are none."""
    this_year = today().year
    latest = (
        exemplars_visible_to(user)
        .filter(year__lte=this_year)
        .aggregate(latest=Max("year"))["latest"]
    )
    return int(latest or this_year)


def _select(request: HttpRequest, everyone: str) -> Selection:
    """The unit (one of the visible ones, else none) and year asked for; bad values fall
    back to the defaults with the form showing why."""
    units = tree_order(list(units_visible_to(request.user).only(*UNIT_FIELDS)))
    form = DashboardForm(request.GET or None, units=units, everyone=everyone)
    data: dict[str, Any] = {}
    if form.is_bound:
        form.is_valid()
        # The valid fields still count: a unit out of scope keeps the year asked for.
        data = form.cleaned_data
    code = data.get("unit") or ""
    unit = next((u for u in units if u.code == code), None) if code else None
    year = data.get("year") or _latest_year(request.user)
    if not form.is_bound:
        form = DashboardForm(initial={"year": year}, units=units, everyone=everyone)
    return Selection(form, units, unit, year)


def _list_query(
    *, year: int, unit: Unit | None, states: Sequence[str] = (), only: bool = False
) -> str:
    """Query string of the exemplar list (exemplars:list) for a drill-down. `only`: the
    unit's own exemplars, not its subtree's (the quota counts each unit on its own)."""
    params: list[tuple[str, Any]] = [("state", s) for s in states]
    params.append(("year", year))
    if unit is not None:
        params.append(("unit", unit.code))
        if only:
            params.append(("only", 1))
    return urlencode(params)


# --- funnel -------------------------------------------------------------------------------

CHART_STYLE = Style(
    background="transparent",
    plot_background="transparent",
    foreground="#212529",
    foreground_strong="#212529",
    foreground_subtle="#6c757d",
    # Bootstrap's blue-300, opaque: the dark value labels on it keep a 6:1 contrast.
    colors=("#6ea8fe",),
    opacity="1",
    opacity_hover="1",
    font_family="system-ui, -apple-system, 'Segoe UI', Roboto, Arial, sans-serif",
    label_font_size=14,
    major_label_font_size=14,
    value_font_size=15,
    title_font_size=15,
)
_SCRIPT = re.compile(r"<script\b.*?</script>", re.S)


def funnel_chart(data: Funnel, description: str) -> SafeString:
    """The funnel as horizontal bars, as inline SVG: no script, nothing from a CDN."""
    chart = pygal.HorizontalBar(
        js=[],
        style=CHART_STYLE,
        show_legend=False,
        print_values=True,
        width=640,
        height=60 + 48 * len(data.stages),
        margin=10,
        disable_xml_declaration=True,
        no_data_text=_("Chưa có dữ liệu"),
        truncate_label=-1,
        min_scale=1,
        max_scale=6,
    )
    # pygal draws the first label at the bottom: reverse so DISCOVERED sits on top.
    stages = list(reversed(data.stages))
    chart.x_labels = [s.label for s in stages]
    chart.add(_("Đã đạt tới"), [s.reached for s in stages])
    svg = _SCRIPT.sub("", chart.render(is_unicode=True))
    label = escape(description)
    # pygal's root <svg> gets the accessible name; its tooltips are not used (no script).
    svg = svg.replace("<svg ", f'<svg role="img" aria-label="{label}" focusable="false" ', 1)
    return mark_safe(svg)


def _funnel_description(data: Funnel) -> str:
    parts = [f"{s.label}: {s.reached}" for s in data.stages]
    return _("Phễu điển hình đăng ký năm %(y)s — %(parts)s") % {
        "y": data.year,
        "parts": "; ".join(parts),
    }


@access(Perm.VIEW)
def funnel_page(request: HttpRequest) -> HttpResponse:
    selection = _select(request, everyone=_("Tất cả đơn vị được xem"))
    exemplars = exemplars_visible_to(request.user)
    if selection.unit is not None:
        exemplars = exemplars.filter(unit__path__startswith=selection.unit.path)
    data = funnel(exemplars, selection.year)
    year, unit = selection.year, selection.unit
    rows = [
        {
            "stage": stage,
            "reached_query": _list_query(year=year, unit=unit, states=stage.states_from_here),
            "current_query": _list_query(year=year, unit=unit, states=[stage.state]),
        }
        for stage in data.stages
    ]
    description = _funnel_description(data)
    return render(
        request,
        "exemplars/dashboards/funnel.html",
        {
            "form": selection.form,
            "unit": unit,
            "year": year,
            "funnel": data,
            "rows": rows,
            "chart": funnel_chart(data, description) if data.total else "",
            "chart_description": description,
            "all_query": _list_query(year=year, unit=unit),
            "dropped_query": _list_query(year=year, unit=unit, states=[ExemplarState.DROPPED]),
            "revoked_query": _list_query(year=year, unit=unit, states=[ExemplarState.REVOKED]),
        },
    )


# --- quota --------------------------------------------------------------------------------

STATUS_CSS = {
    QuotaStatus.BELOW: "quota-below",
    QuotaStatus.WITHIN: "quota-within",
    QuotaStatus.ABOVE: "quota-above",
}
# A sign as well as a colour and a word, so the table reads in greyscale too.
STATUS_ICON = {QuotaStatus.BELOW: "✗", QuotaStatus.WITHIN: "✓", QuotaStatus.ABOVE: "▲"}


def _top_units(request: HttpRequest, units: Sequence[Unit]) -> list[Unit]:
    """The highest units the user sees: the roots of the tree, or those of their grants."""
    scope = scope_for(request.user, Perm.VIEW)
    if scope.everything:
        return [u for u in units if u.parent_id is None]
    return [u for u in units if u.path in scope.paths]


@access(Perm.VIEW)
def quota_page(request: HttpRequest) -> HttpResponse:
    selection = _select(request, everyone=_("Các đơn vị cao nhất được xem"))
    year, unit = selection.year, selection.unit
    roots = [unit] if unit is not None else _top_units(request, selection.units)
    rows = quota_rows(roots, year)
    if request.GET.get("format") == "xlsx":
        return _quota_xlsx(rows, year, unit)
    summary = quota_summary(rows)
    wanted = request.GET.get("status", "")
    filtered = wanted in {s.value for s in QuotaStatus}
    shown = [r for r in rows if r.status == wanted] if filtered else rows
    recognized = [str(s) for s in RECOGNIZED_STATES]
    table = [
        {
            "row": r,
            "indent": r.level * 1.25,
            "css": STATUS_CSS[r.status],
            "icon": STATUS_ICON[r.status],
            "registered_query": _list_query(year=year, unit=r.unit, only=True),
            "recognized_query": _list_query(year=year, unit=r.unit, states=recognized, only=True),
        }
        for r in shown
    ]
    base: dict[str, str | int] = {"year": year}
    if unit is not None:
        base["unit"] = unit.code
    cards = [
        {
            "status": status,
            "label": QUOTA_LABELS[status],
            "count": getattr(summary, status.name.lower()),
            "css": STATUS_CSS[status],
            "icon": STATUS_ICON[status],
            "query": urlencode({**base, "status": status.value}),
            "active": wanted == status.value,
        }
        for status in QuotaStatus
    ]
    return render(
        request,
        "exemplars/dashboards/quota.html",
        {
            "form": selection.form,
            "unit": unit,
            "roots": roots,
            "year": year,
            "rows": table,
            "summary": summary,
            "cards": cards,
            "filtered": filtered,
            "all_query": urlencode(base),
            "export_query": urlencode({**base, "format": "xlsx"}),
            "quota_min": QUOTA_MIN,
            "quota_max": QUOTA_MAX,
        },
    )


def _quota_xlsx(rows: Sequence[QuotaRow], year: int, unit: Unit | None) -> HttpResponse:
    headers = [
        _("Mã đơn vị"),
        _("Tên đơn vị"),
        _("Cấp"),
        _("Điển hình đăng ký"),
        _("Đã công nhận"),
        _("Tình trạng"),
    ]
    lines = (
        (
            r.unit.code,
            "  " * r.level + r.unit.name,
            r.level + 1,
            r.registered,
            r.recognized,
            r.status_label,
        )
        for r in rows
    )
    suffix = f"-{unit.code}" if unit is not None else ""
    return xlsx_response(
        f"chi-tieu-dien-hinh-{year}{suffix}.xlsx",
        _("Chỉ tiêu %(y)s") % {"y": year},
        headers,
        lines,
    )


# --- standards ----------------------------------------------------------------------------

SUBJECTS = [("unit", gettext_lazy("Tập thể")), ("person", gettext_lazy("Cá nhân"))]


@dataclass
class Criterion:
    condition: Condition
    general: bool  # a general criterion of the standard (tiêu chuẩn chung), not the subject's


@dataclass
class CriteriaGroup:
    label: str  # the route's label ("Cá nhân điển hình tiên tiến")
    criteria: list[Criterion]


@dataclass
class SubjectCriteria:
    subject: str
    label: str
    citation: str
    groups: list[CriteriaGroup]

    @property
    def count(self) -> int:
        return sum(len(g.criteria) for g in self.groups)


@dataclass
class StandardPage:
    standard: Standard
    issuer_name: str
    subjects: list[SubjectCriteria]


def _subject_criteria(rule: Rule, label: str) -> SubjectCriteria:
    general = [Criterion(c, True) for c in rule.cross_cutting]
    groups = []
    for index, route in enumerate(rule.routes):
        own = [Criterion(c, False) for c in route.conditions]
        # The general criteria apply to every route; list them once, with the first.
        groups.append(CriteriaGroup(route.label, (general if index == 0 else []) + own))
    return SubjectCriteria(rule.subject, label, rule.citation, groups)


@access(Perm.VIEW)
def standards_page(request: HttpRequest) -> HttpResponse:
    found = standards()
    names = dict(
        Unit.objects.filter(code__in={s.issuer for s in found if s.issuer}).values_list(
            "code", "name"
        )
    )
    pages = []
    for standard in found:
        subjects = []
        for subject, label in SUBJECTS:
            rule = standard.rule_set.rule(subject, AWARD)
            if rule is not None:
                subjects.append(_subject_criteria(rule, str(label)))
        pages.append(StandardPage(standard, names.get(standard.issuer, ""), subjects))
    return render(request, "exemplars/dashboards/standards.html", {"pages": pages})
