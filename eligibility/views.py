"""Eligibility pages: the rule sets as the engine reads them, one person's or unit's
answer for a year (with the judgements still to make), and a unit's whole list.

Verdicts reveal discipline indirectly (a pending case blocks every award), so every
page that shows one asks for VIEW_SENSITIVE on the subject's unit, as the API does.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import (
    Perm,
    access,
    can,
    get_person_for,
    get_unit_for,
    scope_for,
    units_visible_to,
)
from awards import services as award_services
from awards.models import AwardKind, AwardType, Judgement
from core.errors import ValidationFailed
from core.text import fold
from core.xlsx import XLSX_TYPE, xlsx_response
from eligibility.checks import AWARD_LABEL
from eligibility.engine import (
    AwardResult,
    ConditionOutcome,
    Evaluation,
    SubjectResult,
    Verdict,
    evaluate_person,
    evaluate_subtree,
    evaluate_unit,
)
from eligibility.exports import evaluation_workbook, sorted_subjects
from eligibility.forms import (
    KIND_CHOICES,
    VERDICT_TEXT,
    EntryForm,
    JudgementForm,
    ListFilterForm,
    YearForm,
    default_year,
)
from eligibility.rules import Condition, Rule, RuleSet, rule_set_by_id, rule_set_for_year, rule_sets
from organizations.models import Unit
from people.models import Person

UNIT_FIELDS = ("code", "name", "depth", "path", "status")
# Solid badges for the verdict itself; colour is never the only signal (the text says it).
VERDICT_CSS = {
    Verdict.ELIGIBLE: "text-bg-success",
    Verdict.NEEDS_JUDGEMENT: "text-bg-warning",
    Verdict.NOT_ELIGIBLE: "text-bg-danger",
}
VERDICT_SHORT = {
    Verdict.ELIGIBLE: gettext_lazy("Đủ"),
    Verdict.NEEDS_JUDGEMENT: gettext_lazy("Cần ĐG"),
    Verdict.NOT_ELIGIBLE: gettext_lazy("Chưa đủ"),
}
KIND_LABEL = {"record": gettext_lazy("Hồ sơ"), "judgement": gettext_lazy("Cần đánh giá")}
SUBJECT_LABEL = dict(KIND_CHOICES)
AWARD_KIND_LABEL = {
    AwardKind.TITLE: gettext_lazy("Danh hiệu thi đua"),
    AwardKind.FORM: gettext_lazy("Hình thức khen thưởng"),
    "": gettext_lazy("Khác"),
}


def _require_sensitive(user: Any, unit: Unit) -> None:
    if not can(user, Perm.VIEW_SENSITIVE, unit):
        raise PermissionDenied


def _with_default_year(query: QueryDict, **defaults: str) -> QueryDict:
    data = query.copy()
    data.setdefault("year", str(default_year()))
    for key, value in defaults.items():
        data.setdefault(key, value)
    return data


# --- award names and grouping ----------------------------------------------------------


@dataclass(frozen=True)
class AwardInfo:
    code: str
    name: str
    kind: str  # AwardKind value, "" when the catalogue does not list it


def award_infos(codes: Iterable[str]) -> dict[str, AwardInfo]:
    """Names and kinds from the catalogue (one query); the engine's labels otherwise."""
    wanted = list(dict.fromkeys(codes))
    found = {
        code: AwardInfo(code, name, kind)
        for code, name, kind in AwardType.objects.filter(code__in=wanted).values_list(
            "code", "name", "kind"
        )
    }
    return {c: found.get(c) or AwardInfo(c, AWARD_LABEL.get(c, c), "") for c in wanted}


def _kind_order(info: AwardInfo) -> int:
    return {AwardKind.TITLE: 0, AwardKind.FORM: 1}.get(info.kind, 2)  # type: ignore[call-overload]


def titles_then_forms(codes: Sequence[str], infos: dict[str, AwardInfo]) -> list[str]:
    """Titles before forms, each in the rule set's own order (a stable sort)."""
    return sorted(codes, key=lambda c: _kind_order(infos[c]))


# --- one subject's answer ----------------------------------------------------------------


@dataclass
class ConditionView:
    condition: Condition
    met: bool | None
    explanation: str
    judgement: Judgement | None = None

    @property
    def kind_label(self) -> str:
        return str(KIND_LABEL.get(self.condition.kind, self.condition.kind))

    @property
    def anchor(self) -> str:
        return slugify(self.condition.id.replace(".", "-").replace("_", "-"))


@dataclass
class RouteView:
    id: str
    label: str
    status: str  # met | pending | unmet | judgement_only
    conditions: list[ConditionView]

    STATUS = {
        "met": (gettext_lazy("Đạt"), "bg-success-subtle text-success-emphasis"),
        "pending": (
            gettext_lazy("Đủ theo hồ sơ, cần đánh giá"),
            "bg-warning-subtle text-warning-emphasis",
        ),
        "unmet": (gettext_lazy("Chưa đạt"), "bg-danger-subtle text-danger-emphasis"),
        "judgement_only": (
            gettext_lazy("Chỉ xét qua đánh giá, không tự xác định từ hồ sơ"),
            "bg-secondary-subtle text-secondary-emphasis",
        ),
    }

    @property
    def status_label(self) -> str:
        return str(self.STATUS[self.status][0])

    @property
    def status_css(self) -> str:
        return self.STATUS[self.status][1]


@dataclass
class AwardCard:
    code: str
    info: AwardInfo
    rule: Rule
    verdict: Verdict
    common: list[ConditionView]
    routes: list[RouteView]

    @property
    def verdict_label(self) -> str:
        return str(VERDICT_TEXT[self.verdict])

    @property
    def verdict_css(self) -> str:
        return VERDICT_CSS[self.verdict]

    @property
    def kind_label(self) -> str:
        return str(AWARD_KIND_LABEL.get(self.info.kind, AWARD_KIND_LABEL[""]))

    @property
    def pending(self) -> list[ConditionView]:
        seen: set[str] = set()
        out = []
        for c in self.common + [c for r in self.routes for c in r.conditions]:
            if c.condition.kind == "judgement" and c.met is None and c.condition.id not in seen:
                seen.add(c.condition.id)
                out.append(c)
        return out


def _card(result: AwardResult, info: AwardInfo, judgements: dict[str, Judgement]) -> AwardCard:
    outcomes: list[ConditionOutcome] = result.conditions()

    def view(o: ConditionOutcome) -> ConditionView:
        return ConditionView(o.condition, o.met, o.explanation, judgements.get(o.condition.id))

    common = [view(o) for o in outcomes if o.route is None]
    common_pending = any(c.met is None for c in common)
    route_met = dict(result.routes)
    routes = []
    for route in result.rule.routes:
        own = [view(o) for o in outcomes if o.route == route.id]
        if route_met.get(route.id):
            pending = common_pending or any(c.met is None for c in own)
            status = "pending" if pending else "met"
        elif not route.decidable:
            status = "judgement_only"
        else:
            status = "unmet"
        routes.append(RouteView(route.id, route.label, status, own))
    return AwardCard(result.award, info, result.rule, result.verdict, common, routes)


def _cards(subject: SubjectResult, judgements: Iterable[Judgement]) -> list[AwardCard]:
    by_condition = {j.condition_id: j for j in judgements}
    infos = award_infos(r.award for r in subject.results)
    order = titles_then_forms([r.award for r in subject.results], infos)
    results = {r.award: r for r in subject.results}
    return [_card(results[code], infos[code], by_condition) for code in order]


def _subject_context(form: YearForm, year: int, can_judge: bool) -> dict[str, Any]:
    return {"form": form, "year": year, "can_judge": can_judge}


@access(Perm.VIEW_SENSITIVE)
def person_page(request: HttpRequest, person_code: str) -> HttpResponse:
    person = get_person_for(request.user, person_code)
    _require_sensitive(request.user, person.unit)
    form = YearForm(_with_default_year(request.GET))
    year = form.chosen_year()
    context = _subject_context(form, year, can(request.user, Perm.MANAGE_RECORDS, person.unit))
    context.update(person=person, subject_kind="person")
    try:
        rule_set, subject = evaluate_person(person, year)
    except ValidationFailed as exc:
        context["error"] = exc.message
    else:
        judgements = Judgement.objects.filter(person=person, year=year).select_related(
            "recorded_by"
        )
        context.update(rule_set=rule_set, cards=_cards(subject, judgements))
        context["year_unit"] = _year_unit(subject, person)
    return render(request, "eligibility/person.html", context)


def _year_unit(subject: SubjectResult, person: Person) -> Unit | None:
    """The unit the person belonged to on 31/12 of the year (it may differ from today's)."""
    if subject.unit_id is None:
        return None
    if subject.unit_id == person.unit_id:
        return person.unit
    return Unit.objects.filter(pk=subject.unit_id).only("code", "name").first()


@access(Perm.VIEW_SENSITIVE)
def unit_page(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_unit_for(request.user, code)
    _require_sensitive(request.user, unit)
    form = YearForm(_with_default_year(request.GET))
    year = form.chosen_year()
    context = _subject_context(form, year, can(request.user, Perm.MANAGE_RECORDS, unit))
    context.update(unit=unit, subject_kind="unit")
    try:
        rule_set, subject = evaluate_unit(unit, year)
    except ValidationFailed as exc:
        context["error"] = exc.message
    else:
        context["rule_set"] = rule_set
        if subject is None:
            context["error"] = _("Đơn vị “%(name)s” chưa thành lập vào năm %(year)s.") % {
                "name": unit.name,
                "year": year,
            }
        else:
            judgements = Judgement.objects.filter(unit=unit, year=year).select_related(
                "recorded_by"
            )
            context["cards"] = _cards(subject, judgements)
    return render(request, "eligibility/unit.html", context)


# --- judgements ------------------------------------------------------------------------


def _judgement_condition(rule_set: RuleSet, subject_kind: str, condition_id: str) -> Condition:
    for rule in rule_set.rules_for(subject_kind):
        for c in rule.all_conditions:
            if c.id == condition_id and c.kind == "judgement":
                return c
    raise ValidationFailed(
        [],
        _("“%(id)s” không phải là điều kiện cần đánh giá của bộ quy tắc %(rs)s.")
        % {"id": condition_id, "rs": rule_set.id},
    )


def _judge(
    request: HttpRequest, *, person: Person | None, unit: Unit | None, page_url: str
) -> HttpResponse:
    form = JudgementForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Không ghi được đánh giá: thiếu điều kiện, năm hoặc kết quả."))
        return redirect(page_url)
    data = form.cleaned_data
    year = data["year"]
    anchor = f"#award-{data['award']}" if data.get("award") else ""
    back = f"{page_url}?{urlencode({'year': year})}{anchor}"
    met = form.met()
    try:
        rule_set = rule_set_for_year(year)
        condition = _judgement_condition(
            rule_set, "person" if person is not None else "unit", data["condition"]
        )
        award_services.judgement_set(
            actor=request.user,
            condition_id=condition.id,
            year=year,
            met=met,
            person=person,
            unit=unit,
            note=data.get("note") or "",
        )
    except ValidationFailed as exc:
        details = "; ".join(e.message for e in exc.errors) or exc.message
        messages.error(request, _("Không ghi được đánh giá: %(e)s") % {"e": details})
        return redirect(back)
    if met is None:
        text = _("Đã bỏ đánh giá “%(c)s” năm %(y)s.")
    elif met:
        text = _("Đã ghi đánh giá “%(c)s” năm %(y)s: Đạt.")
    else:
        text = _("Đã ghi đánh giá “%(c)s” năm %(y)s: Không đạt.")
    messages.success(request, text % {"c": condition.text, "y": year})
    return redirect(back)


@access(Perm.MANAGE_RECORDS, object_page=True)
@require_POST
def person_judgement(request: HttpRequest, person_code: str) -> HttpResponse:
    person = get_person_for(request.user, person_code, write=Perm.MANAGE_RECORDS)
    page_url = reverse("eligibility:person", args=[person.code])
    return _judge(request, person=person, unit=None, page_url=page_url)


@access(Perm.MANAGE_RECORDS, object_page=True)
@require_POST
def unit_judgement(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_unit_for(request.user, code, write=Perm.MANAGE_RECORDS)
    page_url = reverse("eligibility:unit", args=[unit.code])
    return _judge(request, person=None, unit=unit, page_url=page_url)


# --- a unit's list ----------------------------------------------------------------------


@dataclass
class Cell:
    award: str
    verdict: Verdict
    reasons: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(VERDICT_TEXT[self.verdict])

    @property
    def short(self) -> str:
        return str(VERDICT_SHORT[self.verdict])

    @property
    def css(self) -> str:
        return VERDICT_CSS[self.verdict]


@dataclass
class Row:
    subject: SubjectResult
    unit_name: str
    cells: list[Cell]


def reasons(result: AwardResult) -> list[str]:
    """Why not (unmet conditions), or what is still to judge when records are enough."""
    if result.verdict == Verdict.NOT_ELIGIBLE:
        return [c.text for c in result.unmet()] or [
            _("Chỉ xét được qua đánh giá thành tích (không tự xác định từ hồ sơ).")
        ]
    return list(dict.fromkeys(c.text for c in result.pending_judgements()))


def _award_options() -> tuple[dict[str, list[tuple[str, str]]], dict[str, AwardInfo]]:
    """Every code any rule set gives, per subject kind, with its name."""
    per_kind: dict[str, list[str]] = {"person": [], "unit": []}
    for rs in rule_sets():
        for kind, codes in per_kind.items():
            codes.extend(c for c in rs.award_codes(kind) if c not in codes)
    infos = award_infos(per_kind["person"] + per_kind["unit"])
    options = {
        kind: [(c, infos[c].name) for c in titles_then_forms(codes, infos)]
        for kind, codes in per_kind.items()
    }
    return options, infos


def _subject_unit_names(evaluation: Evaluation, root: Unit, kind: str) -> dict[int, str]:
    """People: their unit on 31/12; units: the unit above them."""
    if kind == "person":
        return evaluation.unit_names
    return dict(Unit.objects.filter(path__startswith=root.path).values_list("id", "parent__name"))


@access(Perm.VIEW_SENSITIVE)
def unit_list(request: HttpRequest, code: str) -> HttpResponse:
    root = get_unit_for(request.user, code)
    _require_sensitive(request.user, root)
    options, infos = _award_options()
    form = ListFilterForm(_with_default_year(request.GET, kind="person"), awards=options)
    form.is_valid()  # invalid filters are dropped and shown; the valid ones still apply
    data = getattr(form, "cleaned_data", {})
    year = data.get("year") or default_year()
    kind = data.get("kind") or "person"
    context: dict[str, Any] = {"root": root, "form": form, "year": year, "kind": kind}
    try:
        rule_set = rule_set_for_year(year)
    except ValidationFailed as exc:
        context["error"] = exc.message
        return render(request, "eligibility/list.html", context)
    codes = titles_then_forms(rule_set.award_codes(kind), infos)
    award = data.get("award") or ""
    if award and award not in codes:
        form.add_error(
            "award",
            _("%(a)s không áp dụng cho đối tượng “%(k)s” theo bộ quy tắc này.")
            % {"a": award, "k": SUBJECT_LABEL[kind]},
        )
        award = ""
    export = request.GET.get("format")
    if export == "full":
        full = evaluate_subtree(root, year, rule_set=rule_set)
        response = HttpResponse(evaluation_workbook(full), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="{_filename(root, year)}"'
        return response
    evaluation = evaluate_subtree(
        root,
        year,
        rule_set=rule_set,
        include_people=kind == "person",
        include_units=kind == "unit",
    )
    subjects = sorted_subjects(evaluation.people if kind == "person" else evaluation.units)
    q = fold(data.get("q"))
    if q:
        subjects = [s for s in subjects if q in fold(s.name) or q in fold(s.code)]
    summary = _summary(subjects, codes, infos)
    verdict = data.get("verdict") or ""
    if verdict:
        wanted = Verdict(verdict)
        subjects = [
            s
            for s in subjects
            if any(r.verdict == wanted for r in s.results if not award or r.award == award)
        ]
    unit_names = _subject_unit_names(evaluation, root, kind)
    shown = [award] if award else codes
    if export == "xlsx":
        return _export(subjects, shown, infos, unit_names, root, year, kind)
    page = Paginator(subjects, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [_row(s, shown, unit_names, with_reasons=bool(award)) for s in page.object_list]
    context.update(
        rule_set=rule_set,
        award=award,
        award_info=infos.get(award),
        codes=codes,
        award_names={c: infos[c].name for c in codes},
        summary=summary,
        page=page,
        rows=rows,
        verdicts=[(v.value, VERDICT_TEXT[v], VERDICT_CSS[v], VERDICT_SHORT[v]) for v in Verdict],
    )
    return render(request, "eligibility/list.html", context)


def _row(
    subject: SubjectResult, codes: list[str], unit_names: dict[int, str], with_reasons: bool
) -> Row:
    cells = []
    for code in codes:
        result = subject.result(code)
        if result is not None:
            cells.append(Cell(code, result.verdict, reasons(result) if with_reasons else []))
    return Row(subject, unit_names.get(subject.unit_id or 0) or "", cells)


@dataclass
class SummaryLine:
    code: str
    info: AwardInfo
    counts: list[tuple[str, int]]  # (verdict value, count) in Verdict order
    total: int


def _summary(
    subjects: list[SubjectResult], codes: list[str], infos: dict[str, AwardInfo]
) -> list[SummaryLine]:
    counts: dict[str, Counter[str]] = {c: Counter() for c in codes}
    for s in subjects:
        for r in s.results:
            if r.award in counts:
                counts[r.award][r.verdict.value] += 1
    return [
        SummaryLine(
            c,
            infos[c],
            [(v.value, counts[c][v.value]) for v in Verdict],
            sum(counts[c].values()),
        )
        for c in codes
    ]


def _filename(root: Unit, year: int, suffix: str = "") -> str:
    name = slugify(f"xet-khen-thuong-{root.code}-{year}{suffix}") or "xet-khen-thuong"
    return f"{name}.xlsx"


def _export(
    subjects: list[SubjectResult],
    codes: list[str],
    infos: dict[str, AwardInfo],
    unit_names: dict[int, str],
    root: Unit,
    year: int,
    kind: str,
) -> HttpResponse:
    headers = [
        _("Mã"),
        _("Họ và tên") if kind == "person" else _("Tên đơn vị"),
        _("Đơn vị (31/12/%(y)s)") % {"y": year} if kind == "person" else _("Đơn vị cấp trên"),
        _("Danh hiệu, hình thức"),
        _("Kết quả"),
        _("Lý do / cần đánh giá"),
    ]

    def rows() -> Iterable[list[Any]]:
        for s in subjects:
            unit_name = unit_names.get(s.unit_id or 0) or ""
            for code in codes:
                result = s.result(code)
                if result is None:
                    continue
                yield [
                    s.code,
                    s.name,
                    unit_name,
                    f"{code} — {infos[code].name}",
                    str(VERDICT_TEXT[result.verdict]),
                    "; ".join(reasons(result)),
                ]

    title = _("Xét khen thưởng %(y)s") % {"y": year}
    return xlsx_response(_filename(root, year, "-loc"), title, headers, rows())


# --- entry page and rules ----------------------------------------------------------------


@access(Perm.VIEW_SENSITIVE)
def index(request: HttpRequest) -> HttpResponse:
    units = list(
        units_visible_to(request.user, Perm.VIEW_SENSITIVE).only(*UNIT_FIELDS).order_by("path")
    )
    if "unit" in request.GET:
        form = EntryForm(request.GET, units=units)
        if form.is_valid():
            url = reverse("eligibility:list", args=[form.cleaned_data["unit"]])
            return redirect(f"{url}?{urlencode({'year': form.cleaned_data['year']})}")
    else:
        form = EntryForm(units=units)
    scope = scope_for(request.user, Perm.VIEW_SENSITIVE)
    roots = [u for u in units if (scope.everything and u.depth == 0) or u.path in scope.paths]
    return render(
        request,
        "eligibility/index.html",
        {"form": form, "roots": roots, "year": default_year()},
    )


@dataclass
class RuleGroup:
    subject: str
    subject_label: str
    kinds: list[tuple[str, list[tuple[Rule, AwardInfo]]]]  # (kind label, rules)


@dataclass
class CrossCutting:
    condition: Condition
    subject: str
    awards: list[AwardInfo]


def _rule_groups(rule_set: RuleSet, infos: dict[str, AwardInfo]) -> list[RuleGroup]:
    groups = []
    for subject, label in KIND_CHOICES:
        rules = rule_set.rules_for(subject)
        if not rules:
            continue
        by_kind: dict[str, list[tuple[Rule, AwardInfo]]] = {}
        for rule in sorted(rules, key=lambda r: _kind_order(infos[r.award])):
            kind_label = str(AWARD_KIND_LABEL.get(infos[rule.award].kind, AWARD_KIND_LABEL[""]))
            by_kind.setdefault(kind_label, []).append((rule, infos[rule.award]))
        groups.append(RuleGroup(subject, str(label), list(by_kind.items())))
    return groups


def _cross_cutting(rule_set: RuleSet, infos: dict[str, AwardInfo]) -> list[CrossCutting]:
    found: dict[tuple[str, str], CrossCutting] = {}
    for rule in rule_set.rules:
        for c in rule.cross_cutting:
            entry = found.setdefault((rule.subject, c.id), CrossCutting(c, rule.subject, []))
            entry.awards.append(infos[rule.award])
    return list(found.values())


@access(Perm.VIEW)
def rules(request: HttpRequest) -> HttpResponse:
    available = rule_sets()
    today = dt.date.today()
    in_force = next((r for r in reversed(available) if r.effective_from <= today), None)
    asked = request.GET.get("rule_set")
    if asked:
        rule_set = rule_set_by_id(asked)
        if rule_set is None:
            raise Http404
    else:
        rule_set = in_force or (available[-1] if available else None)
    context: dict[str, Any] = {
        "rule_sets": available,
        "in_force": in_force,
        "rule_set": rule_set,
        "today": today,
    }
    if rule_set is not None:
        infos = award_infos(r.award for r in rule_set.rules)
        context.update(
            groups=_rule_groups(rule_set, infos),
            cross_cutting=_cross_cutting(rule_set, infos),
            subject_labels={k: str(v) for k, v in KIND_CHOICES},
            kind_labels={k: str(v) for k, v in KIND_LABEL.items()},
        )
    return render(request, "eligibility/rules.html", context)
