"""Pages of reports upward: annual reports, compilations, reviews, conference selection."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import (
    Perm,
    access,
    can,
    get_person_for,
    get_unit_for,
    scope_for,
    units_visible_to,
)
from audit.services import history_for
from core.errors import Conflict, ValidationFailed
from core.paging import paginate
from core.text import fold
from core.xlsx import xlsx_response
from organizations.models import Unit, UnitStatus
from people.forms import add_service_errors
from plans.access import plans_visible_to
from plans.models import Phase, Plan, Requirement
from reports import documents, services
from reports.access import (
    annual_reports_visible_to,
    compiled_reports_visible_to,
    conferences_visible_to,
    get_annual_report_for,
    get_candidate_for,
    get_compiled_report_for,
    get_conference_for,
    get_review_report_for,
    proposing_units,
    review_reports_visible_to,
)
from reports.figures import flat_rows, prefill, sum_figures
from reports.forms import (
    CandidateForm,
    CompiledEditForm,
    CompileForm,
    ConferenceForm,
    CreateReportForm,
    NarrativeForm,
    ReportFilterForm,
    ReviewCreateForm,
    ReviewEditForm,
    UnitYearForm,
    default_year,
    parse_figures,
)
from reports.models import (
    AnnualReport,
    CandidateStatus,
    CompiledReport,
    ConferenceStatus,
    DelegateQuota,
    ReportStatus,
)

UNIT_FIELDS = ("code", "name", "depth", "path", "status", "parent_id", "kind", "sort_key")
HISTORY_LIMIT = 100


def _units(user: Any, perm: Perm = Perm.VIEW, active: bool = False) -> list[Unit]:
    units = units_visible_to(user, perm).only(*UNIT_FIELDS).order_by("path")
    if active:
        units = units.filter(status=UnitStatus.ACTIVE)
    return list(units)


def _figure_errors(form: Any, exc: ValidationFailed) -> dict[str, str]:
    """Service errors on figure rows (field "fig:<key>") by key; the others go on the form."""
    by_key: dict[str, str] = {}
    rest = []
    for error in exc.errors:
        if error.field.startswith("fig:"):
            by_key[error.field[4:]] = error.message
        else:
            rest.append(error)
    add_service_errors(form, rest, {})
    return by_key


def _events(obj: Any) -> list[Any]:
    return list(history_for(obj).order_by("-seq")[:HISTORY_LIMIT])


# --- annual reports: list ------------------------------------------------------------------


def _filtered_reports(
    request: HttpRequest, form: ReportFilterForm, units: list[Unit]
) -> QuerySet[AnnualReport]:
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    reports = annual_reports_visible_to(request.user).select_related("unit", "plan")
    q = fold(data.get("q"))
    if q:
        reports = reports.filter(Q(unit__search_text__contains=q) | Q(unit__code__icontains=q))
    if data.get("year"):
        reports = reports.filter(year=data["year"])
    unit = next((u for u in units if u.code == data.get("unit")), None)
    if unit is not None:
        reports = reports.filter(unit__path__startswith=unit.path)
    if data.get("status"):
        reports = reports.filter(status=data["status"])
    return reports.order_by("-year", "unit__path", "id")


@access(Perm.VIEW)
def report_list(request: HttpRequest) -> HttpResponse:
    units = _units(request.user)
    form = ReportFilterForm(request.GET, units=units)
    reports = _filtered_reports(request, form, units)
    if request.GET.get("format") == "xlsx":
        statuses = dict(ReportStatus.choices)
        rows = (
            (
                r.year,
                r.unit.code,
                r.unit.name,
                r.plan.title if r.plan else "",
                str(statuses.get(r.status, r.status)),
                r.submitted_on.strftime("%d/%m/%Y") if r.submitted_on else "",
            )
            for r in reports.iterator(chunk_size=2000)
        )
        headers = [
            _("Năm"),
            _("Mã đơn vị"),
            _("Đơn vị"),
            _("Kế hoạch"),
            _("Trạng thái"),
            _("Ngày gửi"),
        ]
        return xlsx_response("bao-cao-nam.xlsx", _("Báo cáo năm"), headers, rows)
    return render(
        request,
        "reports/list.html",
        {
            "form": form,
            "page": paginate(request, reports),
            "can_create": scope_for(request.user, Perm.MANAGE_REPORTS).empty is False,
        },
    )


# --- annual reports: create, edit, submit --------------------------------------------------


@access(Perm.MANAGE_REPORTS)
def report_create(request: HttpRequest) -> HttpResponse:
    units = _units(request.user, Perm.MANAGE_REPORTS, active=True)
    source = request.POST if request.method == "POST" else request.GET
    start = UnitYearForm(
        source if "unit" in source else None,
        units=units,
        initial={"year": default_year()},
    )
    if not start.is_bound or not start.is_valid():
        return render(request, "reports/create_start.html", {"start": start})
    unit = get_unit_for(request.user, start.cleaned_data["unit"], write=Perm.MANAGE_REPORTS)
    year = start.cleaned_data["year"]
    requirements = list(services.applicable_requirements(unit, year))
    existing = list(AnnualReport.objects.filter(unit=unit, year=year).select_related("plan"))
    figures = prefill(unit, year)
    figure_errors: dict[str, str] = {}
    if request.method == "POST":
        form = CreateReportForm(request.POST, requirements=requirements)
        values, figure_errors = parse_figures(request.POST, figures)
        if form.is_valid() and not figure_errors:
            data = form.cleaned_data
            requirement = next((r for r in requirements if str(r.pk) == data["requirement"]), None)
            try:
                report = services.annual_report_create(
                    actor=request.user,
                    unit=unit,
                    year=year,
                    requirement=requirement,
                    results=data["results"],
                    difficulties=data["difficulties"],
                    proposals=data["proposals"],
                    values=values,
                )
            except Conflict as exc:
                form.add_error(None, exc.message)
            except ValidationFailed as exc:
                figure_errors = _figure_errors(form, exc)
            else:
                messages.success(request, _("Đã tạo báo cáo năm %(y)s.") % {"y": year})
                return redirect("reports:detail", pk=report.pk)
        figures = _with_posted(figures, request.POST)
    else:
        form = CreateReportForm(
            requirements=requirements,
            initial={"requirement": str(requirements[0].pk) if len(requirements) == 1 else ""},
        )
    return render(
        request,
        "reports/create.html",
        {
            "unit": unit,
            "year": year,
            "form": form,
            "figures": figures,
            "figure_errors": figure_errors,
            "existing": existing,
        },
    )


def _with_posted(figures: dict[str, Any], data: Any) -> dict[str, Any]:
    """Show what the user typed again after an error, even when it is not a number."""
    return {
        "sections": [
            {
                **s,
                "rows": [
                    {**row, "value": data.get(f"fig:{row['key']}", row["value"])}
                    for row in s["rows"]
                ],
            }
            for s in figures["sections"]
        ]
    }


@access(Perm.VIEW)
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_annual_report_for(request.user, pk)
    return render(
        request,
        "reports/detail.html",
        {
            "report": report,
            "can_manage": can(request.user, Perm.MANAGE_REPORTS, report.unit),
            "events": _events(report),
            "compilations": list(report.compilations.select_related("unit")),
        },
    )


@access(Perm.MANAGE_REPORTS, object_page=True)
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_annual_report_for(request.user, pk, write=Perm.MANAGE_REPORTS)
    if not report.is_draft:
        messages.info(request, _("Báo cáo đã gửi, không sửa được nữa."))
        return redirect("reports:detail", pk=report.pk)
    figures = report.figures
    figure_errors: dict[str, str] = {}
    if request.method == "POST":
        form = NarrativeForm(request.POST)
        values, figure_errors = parse_figures(request.POST, report.figures)
        if form.is_valid() and not figure_errors:
            try:
                services.annual_report_update(
                    actor=request.user, report=report, values=values, **form.cleaned_data
                )
            except Conflict as exc:
                form.add_error(None, exc.message)
            except ValidationFailed as exc:
                figure_errors = _figure_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu báo cáo."))
                return redirect("reports:detail", pk=report.pk)
        figures = _with_posted(report.figures, request.POST)
    else:
        form = NarrativeForm(
            initial={
                "results": report.results,
                "difficulties": report.difficulties,
                "proposals": report.proposals,
            }
        )
    return render(
        request,
        "reports/edit.html",
        {"report": report, "form": form, "figures": figures, "figure_errors": figure_errors},
    )


@access(Perm.MANAGE_REPORTS, object_page=True)
def report_refresh(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_annual_report_for(request.user, pk, write=Perm.MANAGE_REPORTS)
    if request.method == "POST":
        try:
            services.annual_report_refresh(actor=request.user, report=report)
        except Conflict as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã cập nhật số liệu từ hồ sơ."))
        return redirect("reports:detail", pk=report.pk)
    return render(request, "reports/refresh_confirm.html", {"report": report})


@access(Perm.MANAGE_REPORTS, object_page=True)
def report_submit(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_annual_report_for(request.user, pk, write=Perm.MANAGE_REPORTS)
    error = ""
    if request.method == "POST":
        try:
            services.annual_report_submit(actor=request.user, report=report)
        except (Conflict, ValidationFailed) as exc:
            error = exc.message
        else:
            messages.success(
                request,
                _("Đã gửi báo cáo năm %(y)s lên cấp trên.") % {"y": report.year},
            )
            return redirect("reports:detail", pk=report.pk)
    return render(request, "reports/submit_confirm.html", {"report": report, "error": error})


@access(Perm.VIEW)
def report_docx(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_annual_report_for(request.user, pk)
    return documents.docx_response(
        documents.annual_report_docx(report), f"bao-cao-{report.unit.code}-{report.year}.docx"
    )


@access(Perm.VIEW)
def report_xlsx(request: HttpRequest, pk: int) -> HttpResponse:
    report = get_annual_report_for(request.user, pk)
    return documents.figures_xlsx(
        f"so-lieu-{report.unit.code}-{report.year}.xlsx",
        _("Số liệu %(y)s") % {"y": report.year},
        report.figures,
    )


# --- compiling ---------------------------------------------------------------------------------


@access(Perm.VIEW)
def compiled_list(request: HttpRequest) -> HttpResponse:
    compiled = compiled_reports_visible_to(request.user).select_related("unit", "plan")
    raw = request.GET.get("year", "")
    if raw.isdigit():
        compiled = compiled.filter(year=int(raw))
    return render(
        request,
        "reports/compiled_list.html",
        {
            "page": paginate(request, compiled.order_by("-year", "unit__path", "id")),
            "can_compile": not scope_for(request.user, Perm.MANAGE_REPORTS).empty,
            "year": raw,
        },
    )


@access(Perm.MANAGE_REPORTS)
def compile_page(request: HttpRequest) -> HttpResponse:
    units = [
        u
        for u in _units(request.user, Perm.MANAGE_REPORTS, active=True)
        if u.pk in _parents_of_active()
    ]
    source = request.POST if request.method == "POST" else request.GET
    bound = "unit" in source
    unit: Unit | None = None
    plans: list[Plan] = []
    if bound:
        code = source.get("unit", "")
        if any(u.code == code for u in units):
            unit = get_unit_for(request.user, code, write=Perm.MANAGE_REPORTS)
            raw_year = str(source.get("year", ""))
            if raw_year.isdigit():
                plans = list(
                    Plan.objects.filter(
                        annual_reports__unit__parent=unit, annual_reports__year=int(raw_year)
                    )
                    .distinct()
                    .order_by("code")
                )
    form = CompileForm(
        source if bound else None,
        units=units,
        plans=plans,
        initial={"year": default_year()},
    )
    context: dict[str, Any] = {"form": form}
    if bound and unit is not None and form.is_valid():
        year = form.cleaned_data["year"]
        plan = next((p for p in plans if p.code == form.cleaned_data["plan"]), None)
        if request.method == "POST":
            requirement = _posted_requirement(request, unit, year)
            try:
                compiled = services.compile_reports(
                    actor=request.user, unit=unit, year=year, plan=plan, requirement=requirement
                )
            except (Conflict, ValidationFailed) as exc:
                messages.error(request, exc.message)
            else:
                messages.success(
                    request, _("Đã tổng hợp %(n)s báo cáo.") % {"n": len(_sent_units(compiled))}
                )
                return redirect("reports:compiled_detail", compiled_pk=compiled.pk)
        statuses = services.children_status(unit, year, plan)
        submitted = [s.report for s in statuses if s.submitted and s.report is not None]
        context.update(
            {
                "unit": unit,
                "year": year,
                "plan": plan,
                "statuses": statuses,
                "sums": sum_figures(r.figures for r in submitted),
                "submitted_count": len(submitted),
                "requirements": list(services.applicable_requirements(unit, year)),
                "existing": CompiledReport.objects.filter(unit=unit, year=year, plan=plan).first(),
            }
        )
    return render(request, "reports/compile.html", context)


def _parents_of_active() -> set[int]:
    return set(
        Unit.objects.filter(status=UnitStatus.ACTIVE, parent__isnull=False)
        .values_list("parent_id", flat=True)
        .distinct()
    )


def _posted_requirement(request: HttpRequest, unit: Unit, year: int) -> Requirement | None:
    raw = request.POST.get("requirement", "")
    if not raw.isdigit():
        return None
    return services.applicable_requirements(unit, year).filter(pk=int(raw)).first()


def _sent_units(compiled: CompiledReport) -> list[dict[str, Any]]:
    return [u for u in compiled.by_unit if u.get("values")]


@access(Perm.VIEW)
def compiled_detail(request: HttpRequest, compiled_pk: int) -> HttpResponse:
    compiled = get_compiled_report_for(request.user, compiled_pk)
    sent = _sent_units(compiled)
    table = [
        {
            "section": section,
            "label": row["label"],
            "values": [int(u["values"].get(row["key"], 0)) for u in sent],
            "total": int(row.get("value") or 0),
        }
        for section, row in flat_rows(compiled.sums)
    ]
    return render(
        request,
        "reports/compiled_detail.html",
        {
            "compiled": compiled,
            "sent": sent,
            "units": [
                {
                    **u,
                    "submitted": dt.date.fromisoformat(u["submitted_on"])
                    if u.get("submitted_on")
                    else None,
                }
                for u in compiled.by_unit
            ],
            "table": table,
            "can_manage": can(request.user, Perm.MANAGE_REPORTS, compiled.unit),
            "events": _events(compiled),
            "status_labels": dict(ReportStatus.choices),
        },
    )


@access(Perm.MANAGE_REPORTS, object_page=True)
def compiled_edit(request: HttpRequest, compiled_pk: int) -> HttpResponse:
    compiled = get_compiled_report_for(request.user, compiled_pk, write=Perm.MANAGE_REPORTS)
    if not compiled.is_draft:
        messages.info(request, _("Báo cáo đã gửi, không sửa được nữa."))
        return redirect("reports:compiled_detail", compiled_pk=compiled.pk)
    if request.method == "POST":
        form = CompiledEditForm(request.POST)
        if form.is_valid():
            try:
                services.compiled_update(actor=request.user, compiled=compiled, **form.cleaned_data)
            except Conflict as exc:
                form.add_error(None, exc.message)
            else:
                messages.success(request, _("Đã lưu báo cáo tổng hợp."))
                return redirect("reports:compiled_detail", compiled_pk=compiled.pk)
    else:
        form = CompiledEditForm(
            initial={
                "results": compiled.results,
                "difficulties": compiled.difficulties,
                "proposals": compiled.proposals,
            }
        )
    return render(request, "reports/compiled_edit.html", {"compiled": compiled, "form": form})


@access(Perm.MANAGE_REPORTS, object_page=True)
def compiled_submit(request: HttpRequest, compiled_pk: int) -> HttpResponse:
    compiled = get_compiled_report_for(request.user, compiled_pk, write=Perm.MANAGE_REPORTS)
    error = ""
    if request.method == "POST":
        try:
            services.compiled_submit(actor=request.user, compiled=compiled)
        except (Conflict, ValidationFailed) as exc:
            error = exc.message
        else:
            messages.success(request, _("Đã gửi báo cáo tổng hợp lên cấp trên."))
            return redirect("reports:compiled_detail", compiled_pk=compiled.pk)
    return render(
        request, "reports/compiled_submit_confirm.html", {"compiled": compiled, "error": error}
    )


@access(Perm.VIEW)
def compiled_docx(request: HttpRequest, compiled_pk: int) -> HttpResponse:
    compiled = get_compiled_report_for(request.user, compiled_pk)
    return documents.docx_response(
        documents.compiled_report_docx(compiled),
        f"bao-cao-tong-hop-{compiled.unit.code}-{compiled.year}.docx",
    )


@access(Perm.VIEW)
def compiled_xlsx(request: HttpRequest, compiled_pk: int) -> HttpResponse:
    compiled = get_compiled_report_for(request.user, compiled_pk)
    return documents.compiled_xlsx(compiled)


# --- reviews (sơ kết, tổng kết) -------------------------------------------------------------


@access(Perm.VIEW)
def review_list(request: HttpRequest) -> HttpResponse:
    reviews = review_reports_visible_to(request.user).select_related("unit", "plan", "phase")
    return render(
        request,
        "reports/review_list.html",
        {
            "page": paginate(request, reviews.order_by("-last_year", "unit__path", "id")),
            "can_create": not scope_for(request.user, Perm.MANAGE_REPORTS).empty,
        },
    )


@access(Perm.MANAGE_REPORTS)
def review_create(request: HttpRequest) -> HttpResponse:
    units = _units(request.user, Perm.MANAGE_REPORTS, active=True)
    plans = list(
        plans_visible_to(request.user).select_related("issuer").order_by("-starts_on", "code")
    )
    phases = list(
        Phase.objects.filter(plan__in=[p.pk for p in plans])
        .select_related("plan")
        .order_by("plan__code", "order", "starts_on")
    )
    form = ReviewCreateForm(
        request.POST or None,
        units=units,
        plans=plans,
        phases=phases,
        initial={"plan": request.GET.get("plan", "")},
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = get_unit_for(request.user, data["unit"], write=Perm.MANAGE_REPORTS)
        plan = next(p for p in plans if p.code == data["plan"])
        phase = next((ph for ph in phases if str(ph.pk) == data["phase"]), None)
        try:
            review = services.review_create(
                actor=request.user,
                unit=unit,
                plan=plan,
                phase=phase,
                kind=data["kind"],
                title=data["title"],
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, {})
        else:
            messages.success(request, _("Đã tạo báo cáo %(t)s.") % {"t": review.title})
            return redirect("reports:review_edit", review_pk=review.pk)
    return render(request, "reports/review_create.html", {"form": form})


@access(Perm.VIEW)
def review_detail(request: HttpRequest, review_pk: int) -> HttpResponse:
    review = get_review_report_for(request.user, review_pk)
    return render(
        request,
        "reports/review_detail.html",
        {
            "review": review,
            "can_manage": can(request.user, Perm.MANAGE_REPORTS, review.unit),
            "events": _events(review),
        },
    )


@access(Perm.MANAGE_REPORTS, object_page=True)
def review_edit(request: HttpRequest, review_pk: int) -> HttpResponse:
    review = get_review_report_for(request.user, review_pk, write=Perm.MANAGE_REPORTS)
    headings = [(part["key"], part["heading"]) for part in review.body]
    figures = review.figures
    figure_errors: dict[str, str] = {}
    if request.method == "POST":
        form = ReviewEditForm(request.POST, headings=headings)
        values, figure_errors = parse_figures(request.POST, review.figures)
        if form.is_valid() and not figure_errors:
            texts = {key: form.cleaned_data[f"text_{key}"] for key, _h in headings}
            try:
                services.review_update(
                    actor=request.user,
                    review=review,
                    title=form.cleaned_data["title"],
                    texts=texts,
                    values=values,
                )
            except ValidationFailed as exc:
                figure_errors = _figure_errors(form, exc)
            else:
                messages.success(request, _("Đã lưu báo cáo."))
                return redirect("reports:review_detail", review_pk=review.pk)
        figures = _with_posted(review.figures, request.POST)
    else:
        initial = {"title": review.title}
        initial.update({f"text_{part['key']}": part.get("text", "") for part in review.body})
        form = ReviewEditForm(initial=initial, headings=headings)
    return render(
        request,
        "reports/review_edit.html",
        {"review": review, "form": form, "figures": figures, "figure_errors": figure_errors},
    )


@access(Perm.VIEW)
def review_docx(request: HttpRequest, review_pk: int) -> HttpResponse:
    review = get_review_report_for(request.user, review_pk)
    return documents.docx_response(
        documents.review_report_docx(review), f"bao-cao-so-tong-ket-{review.pk}.docx"
    )


@access(Perm.VIEW)
def review_xlsx(request: HttpRequest, review_pk: int) -> HttpResponse:
    review = get_review_report_for(request.user, review_pk)
    return documents.figures_xlsx(
        f"so-lieu-so-tong-ket-{review.pk}.xlsx", _("Số liệu"), review.figures
    )


# --- conferences -----------------------------------------------------------------------------


@access(Perm.VIEW)
def conference_list(request: HttpRequest) -> HttpResponse:
    conferences = (
        conferences_visible_to(request.user)
        .select_related("organizer")
        .annotate(
            n_candidates=Count("candidates", distinct=True),
            n_selected=Count(
                "candidates",
                filter=Q(candidates__status=CandidateStatus.SELECTED),
                distinct=True,
            ),
        )
        .order_by("-held_on", "id")
    )
    return render(
        request,
        "reports/conference_list.html",
        {
            "page": paginate(request, conferences),
            "can_create": not scope_for(request.user, Perm.MANAGE_REPORTS).empty,
        },
    )


@access(Perm.MANAGE_REPORTS)
def conference_create(request: HttpRequest) -> HttpResponse:
    units = _units(request.user, Perm.MANAGE_REPORTS, active=True)
    form = ConferenceForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        organizer = get_unit_for(request.user, data["organizer"], write=Perm.MANAGE_REPORTS)
        try:
            conference = services.conference_create(
                actor=request.user,
                organizer=organizer,
                title=data["title"],
                kind=data["kind"],
                held_on=data["held_on"],
                place=data["place"],
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, {})
        else:
            messages.success(
                request, _("Đã tạo hội nghị. Hãy phân bổ số lượng đề cử cho các đơn vị.")
            )
            return redirect("reports:conference_quotas", conference_pk=conference.pk)
    return render(request, "reports/conference_form.html", {"form": form})


@access(Perm.VIEW)
def conference_detail(request: HttpRequest, conference_pk: int) -> HttpResponse:
    conference = get_conference_for(request.user, conference_pk)
    view_scope = scope_for(request.user, Perm.VIEW)
    sees_all = view_scope.covers(conference.organizer)
    quotas = list(conference.quotas.select_related("unit").order_by("unit__path"))
    candidates = list(
        conference.candidates.select_related("unit", "person__unit", "collective").order_by(
            "unit__path", "id"
        )
    )
    if not sees_all:
        # A unit invited to propose sees its own part of the list, not the others'.
        quotas = [q for q in quotas if view_scope.covers(q.unit)]
        candidates = [c for c in candidates if view_scope.covers(c.unit)]
    used: dict[int, int] = {}
    for c in candidates:
        used[c.unit_id] = used.get(c.unit_id, 0) + 1
    manage_scope = scope_for(request.user, Perm.MANAGE_REPORTS)
    return render(
        request,
        "reports/conference_detail.html",
        {
            "conference": conference,
            "quotas": [(q, used.get(q.unit_id, 0)) for q in quotas],
            "candidates": candidates,
            "is_organizer": manage_scope.covers(conference.organizer),
            "can_propose": conference.is_open and bool(proposing_units(request.user, conference)),
            "withdrawable": {
                c.pk
                for c in candidates
                if conference.is_open
                and c.status == CandidateStatus.PROPOSED
                and manage_scope.covers(c.unit)
            },
            "events": _events(conference) if sees_all else None,
        },
    )


@access(Perm.MANAGE_REPORTS, object_page=True)
def conference_quotas(request: HttpRequest, conference_pk: int) -> HttpResponse:
    conference = get_conference_for(request.user, conference_pk, write=Perm.MANAGE_REPORTS)
    current = {q.unit_id: q.quota for q in conference.quotas.all()}
    units = list(
        Unit.objects.filter(
            Q(parent=conference.organizer, status=UnitStatus.ACTIVE) | Q(pk__in=list(current))
        )
        .only(*UNIT_FIELDS)
        .order_by("path")
    )
    errors: dict[str, str] = {}
    if request.method == "POST":
        if not conference.is_open:
            messages.error(request, _("Danh sách đã chốt, không thay đổi được nữa."))
            return redirect("reports:conference_detail", conference_pk=conference.pk)
        quotas: dict[Unit, int] = {}
        for unit in units:
            raw = request.POST.get(f"quota:{unit.code}", "").strip()
            if raw == "":
                raw = "0"
            if not raw.isdigit():
                errors[unit.code] = _("Nhập số nguyên không âm.")
                continue
            quotas[unit] = int(raw)
        if not errors:
            try:
                services.quotas_set(actor=request.user, conference=conference, quotas=quotas)
            except (Conflict, ValidationFailed) as exc:
                for error in getattr(exc, "errors", []):
                    errors[error.field.removeprefix("quota:")] = error.message
                if not errors:
                    messages.error(request, exc.message)
            else:
                messages.success(request, _("Đã lưu số lượng đề cử."))
                return redirect("reports:conference_detail", conference_pk=conference.pk)
    rows = [
        {
            "unit": u,
            "value": request.POST.get(f"quota:{u.code}", current.get(u.pk, ""))
            if request.method == "POST"
            else current.get(u.pk, ""),
            "error": errors.get(u.code, ""),
        }
        for u in units
    ]
    return render(
        request, "reports/conference_quotas.html", {"conference": conference, "rows": rows}
    )


@access(Perm.MANAGE_REPORTS, object_page=True)
def conference_propose(request: HttpRequest, conference_pk: int) -> HttpResponse:
    conference = get_conference_for(request.user, conference_pk)
    units = proposing_units(request.user, conference)
    if not units:
        raise PermissionDenied
    if not conference.is_open:
        messages.info(request, _("Danh sách đã chốt, không nhận thêm đề cử."))
        return redirect("reports:conference_detail", conference_pk=conference.pk)
    collectives = list(
        Unit.objects.filter(status=UnitStatus.ACTIVE)
        .filter(_subtree_q(units))
        .only(*UNIT_FIELDS)
        .order_by("path")
    )
    form = CandidateForm(request.POST or None, units=units, collectives=collectives)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = next(u for u in units if u.code == data["unit"])
        person = None
        collective = None
        try:
            if data["subject"] == "person":
                if not data["person"]:
                    raise ValidationFailed([], _("Nhập mã cán bộ."))
                try:
                    person = get_person_for(request.user, data["person"].strip())
                except Http404:
                    raise ValidationFailed(
                        [], _("Không tìm thấy cán bộ có mã “%(c)s”.") % {"c": data["person"]}
                    ) from None
            else:
                collective = next((u for u in collectives if u.code == data["collective"]), None)
                if collective is None:
                    raise ValidationFailed([], _("Chọn tập thể được đề cử."))
            services.candidate_propose(
                actor=request.user,
                conference=conference,
                unit=unit,
                person=person,
                collective=collective,
                reason=data["reason"],
            )
        except ValidationFailed as exc:
            if exc.errors:
                add_service_errors(form, exc.errors, {"subject": "person"})
            else:
                form.add_error(
                    "person" if data["subject"] == "person" else "collective", exc.message
                )
        except Conflict as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, _("Đã đề cử."))
            return redirect("reports:conference_detail", conference_pk=conference.pk)
    quotas = {q.unit_id: q.quota for q in DelegateQuota.objects.filter(conference=conference)}
    used = dict(
        conference.candidates.values_list("unit_id")
        .annotate(n=Count("id"))
        .values_list("unit_id", "n")
    )
    return render(
        request,
        "reports/conference_propose.html",
        {
            "conference": conference,
            "form": form,
            "quota_rows": [(u, quotas.get(u.pk, 0), used.get(u.pk, 0)) for u in units],
        },
    )


def _subtree_q(units: list[Unit]) -> Q:
    q = Q(pk__in=[])
    for unit in units:
        q |= Q(path__startswith=unit.path)
    return q


@access(Perm.MANAGE_REPORTS, object_page=True)
def candidate_withdraw(request: HttpRequest, conference_pk: int, candidate_pk: int) -> HttpResponse:
    conference = get_conference_for(request.user, conference_pk)
    candidate = get_candidate_for(request.user, conference, candidate_pk, write=Perm.MANAGE_REPORTS)
    if request.method == "POST":
        try:
            services.candidate_withdraw(actor=request.user, candidate=candidate)
        except Conflict as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã rút đề cử."))
        return redirect("reports:conference_detail", conference_pk=conference.pk)
    return render(
        request,
        "reports/candidate_withdraw.html",
        {"conference": conference, "candidate": candidate},
    )


@access(Perm.MANAGE_REPORTS, object_page=True)
def conference_select(request: HttpRequest, conference_pk: int) -> HttpResponse:
    conference = get_conference_for(request.user, conference_pk, write=Perm.MANAGE_REPORTS)
    candidates = list(
        conference.candidates.select_related("unit", "person__unit", "collective").order_by(
            "unit__path", "id"
        )
    )
    if request.method == "POST":
        selected = {int(v) for v in request.POST.getlist("selected") if v.isdigit()}
        finalize = request.POST.get("finalize") == "1"
        if finalize and request.POST.get("confirm") != "1":
            return render(
                request,
                "reports/conference_finalize_confirm.html",
                {
                    "conference": conference,
                    "selected": [c for c in candidates if c.pk in selected],
                },
            )
        try:
            services.candidates_select(
                actor=request.user, conference=conference, selected=selected, finalize=finalize
            )
        except (Conflict, ValidationFailed) as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Đã chốt danh sách chính thức.") if finalize else _("Đã lưu lựa chọn."),
            )
            return redirect("reports:conference_detail", conference_pk=conference.pk)
    return render(
        request,
        "reports/conference_select.html",
        {
            "conference": conference,
            "candidates": candidates,
            "locked": conference.status == ConferenceStatus.FINALIZED,
        },
    )


@access(Perm.VIEW)
def conference_docx(request: HttpRequest, conference_pk: int) -> HttpResponse:
    conference = get_conference_for(request.user, conference_pk)
    _require_organizer_view(request, conference)
    return documents.docx_response(
        documents.conference_docx(conference), f"danh-sach-dai-bieu-{conference.pk}.docx"
    )


@access(Perm.VIEW)
def conference_xlsx(request: HttpRequest, conference_pk: int) -> HttpResponse:
    conference = get_conference_for(request.user, conference_pk)
    _require_organizer_view(request, conference)
    return documents.conference_xlsx(conference)


def _require_organizer_view(request: HttpRequest, conference: Any) -> None:
    """The whole list is the organiser's; an invited unit sees only its own part on the page."""
    if not scope_for(request.user, Perm.VIEW).covers(conference.organizer):
        raise PermissionDenied
