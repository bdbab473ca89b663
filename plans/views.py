"""Pages for plans: list, detail, create/edit, milestones, submissions, compliance, calendar."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from icalendar import Calendar, Event

from accounts.access import (
    Perm,
    access,
    can,
    get_unit_for,
    has_perm_anywhere,
    people_visible_to,
    scope_for,
    units_visible_to,
)
from audit.models import AuditEvent
from audit.services import history_for
from core.dates import fmt_date, parse_vn_date, today
from core.errors import Conflict, DomainError, FieldError, ValidationFailed
from core.paging import paginate
from core.text import fold
from core.xlsx import xlsx_response
from exemplars.standards import Standard, standard_for_plan
from organizations.models import Unit, UnitStatus
from plans import forms, services
from plans.access import (
    get_plan_for,
    get_submission_for,
    plans_visible_to,
    sees_issuer,
)
from plans.compliance import (
    STATUS_LABELS,
    ComplianceStatus,
    compliance_grid,
    plan_compliance,
    status_of,
)
from plans.models import (
    Milestone,
    Phase,
    Plan,
    Requirement,
    RequirementKind,
    Submission,
)

HISTORY_LIMIT = 100
UNIT_FIELDS = ("code", "name", "depth", "path", "status")
ONE_DAY = dt.timedelta(days=1)
STATUS_CSS = {
    ComplianceStatus.ON_TIME: "status-on-time",
    ComplianceStatus.LATE: "status-late",
    ComplianceStatus.MISSING: "status-missing",
    ComplianceStatus.PENDING: "status-pending",
    ComplianceStatus.INVALID: "status-invalid",
}
# A symbol as well as a colour and a word, so the grid reads in greyscale too.
STATUS_ICON = {
    ComplianceStatus.ON_TIME: "✓",
    ComplianceStatus.LATE: "»",  # a Latin-1 sign every font has, unlike a clock
    ComplianceStatus.MISSING: "✗",
    ComplianceStatus.PENDING: "…",
    ComplianceStatus.INVALID: "!",
}


def _legend() -> list[dict[str, str]]:
    return [
        {"css": STATUS_CSS[s], "icon": STATUS_ICON[s], "label": str(STATUS_LABELS[s]), "code": s}
        for s in ComplianceStatus
    ]


def _managed_units(user: Any) -> list[Unit]:
    return list(
        units_visible_to(user, Perm.MANAGE_PLANS)
        .filter(status=UnitStatus.ACTIVE)
        .only(*UNIT_FIELDS)
        .order_by("path")
    )


def _reader_units(user: Any, plan: Plan) -> QuerySet[Unit] | None:
    """None for whoever sees the issuer (every row); otherwise only the reader's own units."""
    return None if sees_issuer(user, plan) else units_visible_to(user)


def _as_of(request: HttpRequest) -> tuple[dt.date, str]:
    raw = request.GET.get("as_of", "").strip()
    if raw:
        try:
            parsed = parse_vn_date(raw)
        except ValueError:
            return today(), _("Ngày không hợp lệ, đang xem theo ngày hôm nay.")
        if parsed is not None:
            return parsed, ""
    return today(), ""


# --- list -----------------------------------------------------------------------------


@access(Perm.VIEW)
def plan_list(request: HttpRequest) -> HttpResponse:
    units = list(units_visible_to(request.user).only(*UNIT_FIELDS).order_by("path"))
    form = forms.PlanFilterForm(request.GET, units=units)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    plans = plans_visible_to(request.user).select_related("issuer", "parent")
    q = fold(data.get("q"))
    if q:
        plans = plans.filter(search_text__contains=q)
    issuer_code = data.get("issuer")
    if issuer_code:
        issuer = next((u for u in units if u.code == issuer_code), None)
        if issuer is not None:
            plans = plans.filter(issuer__path__startswith=issuer.path)
    year = data.get("year")
    if year:
        plans = plans.filter(starts_on__year__lte=year, ends_on__year__gte=year)
    plans = plans.annotate(
        requirement_count=Count("requirements", distinct=True),
        child_count=Count("children", distinct=True),
    ).order_by("-starts_on", "code")
    if request.GET.get("format") == "xlsx":
        return _export_plans(plans)
    return render(
        request,
        "plans/list.html",
        {
            "form": form,
            "page": paginate(request, plans),
            "can_create": has_perm_anywhere(request.user, Perm.MANAGE_PLANS),
        },
    )


def _export_plans(plans: QuerySet[Plan]) -> HttpResponse:
    headers = [
        _("Mã kế hoạch"),
        _("Tên kế hoạch"),
        _("Số văn bản"),
        _("Ngày văn bản"),
        _("Đơn vị ban hành"),
        _("Kế hoạch cấp trên"),
        _("Từ ngày"),
        _("Đến ngày"),
        _("Số yêu cầu"),
        _("Số kế hoạch cấp dưới"),
    ]
    rows = (
        (
            p.code,
            p.title,
            p.document_number,
            fmt_date(p.document_date),
            p.issuer.name,
            p.parent.code if p.parent else "",
            fmt_date(p.starts_on),
            fmt_date(p.ends_on),
            p.requirement_count,  # type: ignore[attr-defined]
            p.child_count,  # type: ignore[attr-defined]
        )
        for p in plans.iterator(chunk_size=2000)
    )
    return xlsx_response("ke-hoach.xlsx", _("Kế hoạch"), headers, rows)


# --- detail ---------------------------------------------------------------------------


def _submittable(user: Any, plan: Plan) -> tuple[list[Requirement], list[Unit]]:
    """Requirements the user can answer and the units they can answer for."""
    requirements = list(plan.requirements.order_by("due_on", "key"))
    manage = scope_for(user, Perm.MANAGE_PLANS)
    if manage.empty or not requirements:
        return [], []
    tree = services.TreeOnDates(r.due_on for r in requirements)
    options: list[Requirement] = []
    units: dict[int, Unit] = {}
    for requirement in requirements:
        covered = [
            u
            for u in tree.scope(plan.issuer_id, requirement.scope, requirement.due_on)
            if manage.covers(u)
        ]
        if covered:
            options.append(requirement)
            for unit in covered:
                units.setdefault(unit.pk, unit)
    return options, sorted(units.values(), key=lambda u: (u.path, u.code))


def _plan_events(plan: Plan, with_submissions: bool) -> list[AuditEvent]:
    types = [Requirement._meta.label_lower, Phase._meta.label_lower, Milestone._meta.label_lower]
    if with_submissions:
        types.append(Submission._meta.label_lower)
    related = AuditEvent.objects.filter(object_type__in=types).filter(
        Q(after__plan_id=plan.pk) | Q(before__plan_id=plan.pk)
    )
    return list((history_for(plan) | related).order_by("-seq")[:HISTORY_LIMIT])


def _standard_in_force(plan: Plan, day: dt.date) -> Standard:
    """The exemplar standard the plan's exemplars are assessed against (for this year, or
    the plan's nearest year): its own, the plan above's, or the default one."""
    year = min(max(day.year, plan.starts_on.year), plan.ends_on.year)
    return standard_for_plan(plan, year)


@access(Perm.VIEW)
def plan_detail(request: HttpRequest, code: str) -> HttpResponse:
    plan = get_plan_for(request.user, code)
    day = today()
    full = sees_issuer(request.user, plan)
    results = plan_compliance(plan, day, _reader_units(request.user, plan))
    phases = list(plan.phases.all())
    milestones = list(plan.milestones.select_related("phase"))
    options, _units = _submittable(request.user, plan)
    children = plans_visible_to(request.user).filter(parent=plan).select_related("issuer")
    answers = list(
        Submission.objects.filter(child_plan=plan).select_related("requirement__plan", "unit")
    )
    return render(
        request,
        "plans/detail.html",
        {
            "plan": plan,
            "today": day,
            "results": results,
            "phases": phases,
            "milestones": milestones,
            "children": children.order_by("issuer__path", "code"),
            "answers": answers,
            "events": _plan_events(plan, with_submissions=full),
            "can_manage": can(request.user, Perm.MANAGE_PLANS, plan.issuer),
            "can_submit": bool(options),
            "exemplar_standard": _standard_in_force(plan, day),
            "legend": _legend(),
            "status_css": STATUS_CSS,
        },
    )


# --- create and edit -------------------------------------------------------------------


def _with_extra_row(post: QueryDict, prefix: str) -> QueryDict:
    """The posted data with one more blank row in formset `prefix` (the no-script "add row")."""
    data = post.copy()
    key = f"{prefix}-TOTAL_FORMS"
    try:
        total = int(data.get(key, "0"))
    except ValueError:
        total = 0
    data[key] = str(min(total + 1, 200))
    return data


def _requirement_data(cleaned: dict[str, Any]) -> services.RequirementData:
    return services.RequirementData(
        key=cleaned["key"],
        kind=cleaned["kind"],
        due_on=cleaned["due_on"],
        scope=cleaned["scope"],
        min_count=cleaned.get("min_count"),
        max_count=cleaned.get("max_count"),
        title=cleaned.get("title") or "",
        year=cleaned.get("year"),
    )


def _phase_data(cleaned: dict[str, Any]) -> services.PhaseData:
    return services.PhaseData(
        name=cleaned["name"], starts_on=cleaned["starts_on"], ends_on=cleaned["ends_on"]
    )


def _live_forms(formset: Any) -> list[tuple[Any, bool]]:
    """(form, deleted) for every row that was filled in or names an existing object."""
    rows = []
    for form in formset.forms:
        cleaned = getattr(form, "cleaned_data", None) or {}
        if not cleaned and not form.has_changed():
            continue
        rows.append((form, bool(cleaned.get("DELETE"))))
    return rows


def _show_errors(
    exc: DomainError,
    plan_form: Any,
    rows: dict[str, list[Any]],
) -> None:
    """Put each service error next to its input: "requirements.2.key" on row 2's key."""
    if not isinstance(exc, ValidationFailed):
        plan_form.add_error("code" if isinstance(exc, Conflict) else None, exc.message)
        return
    for error in exc.errors:
        parts = error.field.split(".")
        if len(parts) == 3 and parts[0] in rows and parts[1].isdigit():
            forms_of = rows[parts[0]]
            index = int(parts[1])
            if index < len(forms_of):
                form = forms_of[index]
                form.add_error(parts[2] if parts[2] in form.fields else None, error.message)
                continue
        name = error.field if error.field in plan_form.fields else None
        plan_form.add_error(name, error.message)


def _plan_data(request: HttpRequest, cleaned: dict[str, Any]) -> services.PlanData:
    issuer = get_unit_for(request.user, cleaned["issuer"], write=Perm.MANAGE_PLANS)
    parent = None
    if cleaned.get("parent"):
        parent = plans_visible_to(request.user).filter(code=cleaned["parent"]).first()
        if parent is None:
            raise Http404
    return services.PlanData(
        code=cleaned["code"],
        title=cleaned["title"],
        issuer=issuer,
        starts_on=cleaned["starts_on"],
        ends_on=cleaned["ends_on"],
        parent=parent,
        document_number=cleaned.get("document_number") or "",
        document_date=cleaned.get("document_date"),
        signer=cleaned.get("signer") or "",
        summary=cleaned.get("summary") or "",
        exemplar_standard=cleaned.get("exemplar_standard") or "",
    )


def _parents_for(user: Any, plan: Plan | None = None) -> list[Plan]:
    parents = plans_visible_to(user).only("code", "title").order_by("-starts_on", "code")
    if plan is not None:
        parents = parents.exclude(pk=plan.pk)
    return list(parents[:500])


def _plan_form_page(
    request: HttpRequest,
    plan: Plan | None,
    plan_form: Any,
    req_formset: Any,
    phase_formset: Any,
) -> HttpResponse:
    return render(
        request,
        "plans/form.html",
        {
            "plan": plan,
            "form": plan_form,
            "req_formset": req_formset,
            "phase_formset": phase_formset,
        },
    )


@access(Perm.MANAGE_PLANS)
def plan_create(request: HttpRequest) -> HttpResponse:
    units = _managed_units(request.user)
    parents = _parents_for(request.user)
    if request.method == "POST":
        data: QueryDict = request.POST
        if "add_requirement" in data:
            data = _with_extra_row(data, "req")
        if "add_phase" in data:
            data = _with_extra_row(data, "phase")
        plan_form = forms.PlanForm(data, request.FILES, units=units, parents=parents)
        req_formset = forms.RequirementFormSet(data, prefix="req")
        phase_formset = forms.PhaseFormSet(data, prefix="phase")
        adding = "add_requirement" in data or "add_phase" in data
        if (
            not adding
            and plan_form.is_valid()
            and req_formset.is_valid()
            and phase_formset.is_valid()
        ):
            req_rows = [f for f, deleted in _live_forms(req_formset) if not deleted]
            phase_rows = [f for f, deleted in _live_forms(phase_formset) if not deleted]
            try:
                with transaction.atomic():
                    plan = services.plan_create(
                        actor=request.user,
                        data=_plan_data(request, plan_form.cleaned_data),
                        requirements=[_requirement_data(f.cleaned_data) for f in req_rows],
                        phases=[_phase_data(f.cleaned_data) for f in phase_rows],
                    )
                    if plan_form.cleaned_data.get("file"):
                        services.plan_file_set(
                            actor=request.user, plan=plan, file=plan_form.cleaned_data["file"]
                        )
            except DomainError as exc:
                _show_errors(exc, plan_form, {"requirements": req_rows, "phases": phase_rows})
            else:
                messages.success(request, _("Đã tạo kế hoạch %(c)s.") % {"c": plan.code})
                return redirect("plans:detail", code=plan.code)
    else:
        initial: dict[str, Any] = {
            "issuer": request.GET.get("issuer", ""),
            "parent": request.GET.get("parent", ""),
        }
        parent = plans_visible_to(request.user).filter(code=initial["parent"]).first()
        if parent is not None:
            initial.update(starts_on=parent.starts_on, ends_on=parent.ends_on)
        plan_form = forms.PlanForm(units=units, parents=parents, initial=initial)
        req_formset = forms.RequirementFormSet(prefix="req")
        phase_formset = forms.PhaseFormSet(prefix="phase")
    return _plan_form_page(request, None, plan_form, req_formset, phase_formset)


@access(Perm.MANAGE_PLANS, object_page=True)
def plan_edit(request: HttpRequest, code: str) -> HttpResponse:
    plan = get_plan_for(request.user, code, write=Perm.MANAGE_PLANS)
    units = _managed_units(request.user)
    if plan.issuer.pk not in {u.pk for u in units}:
        units = [plan.issuer, *units]
    parents = _parents_for(request.user, plan)
    requirements = {r.pk: r for r in plan.requirements.all()}
    phases = {p.pk: p for p in plan.phases.all()}
    if request.method == "POST":
        data: QueryDict = request.POST
        if "add_requirement" in data:
            data = _with_extra_row(data, "req")
        if "add_phase" in data:
            data = _with_extra_row(data, "phase")
        plan_form = forms.PlanForm(data, request.FILES, units=units, parents=parents)
        req_formset = forms.RequirementFormSet(data, prefix="req")
        phase_formset = forms.PhaseFormSet(data, prefix="phase")
        adding = "add_requirement" in data or "add_phase" in data
        if (
            not adding
            and plan_form.is_valid()
            and req_formset.is_valid()
            and phase_formset.is_valid()
        ):
            req_rows = _live_forms(req_formset)
            phase_rows = _live_forms(phase_formset)
            req_changes = [
                services.RequirementChange(
                    requirements.get(f.cleaned_data.get("id") or 0),
                    None if deleted else _requirement_data(f.cleaned_data),
                )
                for f, deleted in req_rows
            ]
            phase_changes = [
                services.PhaseChange(
                    phases.get(f.cleaned_data.get("id") or 0),
                    None if deleted else _phase_data(f.cleaned_data),
                )
                for f, deleted in phase_rows
            ]
            try:
                with transaction.atomic():
                    services.plan_revise(
                        actor=request.user,
                        plan=plan,
                        data=_plan_data(request, plan_form.cleaned_data),
                        requirements=[c for c in req_changes if c.existing or c.data],
                        phases=[c for c in phase_changes if c.existing or c.data],
                    )
                    if plan_form.cleaned_data.get("file"):
                        services.plan_file_set(
                            actor=request.user, plan=plan, file=plan_form.cleaned_data["file"]
                        )
            except DomainError as exc:
                live_req = [f for (f, _d), c in zip(req_rows, req_changes, strict=True)
                            if c.existing or c.data]  # fmt: skip
                live_phase = [f for (f, _d), c in zip(phase_rows, phase_changes, strict=True)
                              if c.existing or c.data]  # fmt: skip
                _show_errors(exc, plan_form, {"requirements": live_req, "phases": live_phase})
            else:
                plan.refresh_from_db()
                messages.success(request, _("Đã lưu kế hoạch."))
                return redirect("plans:detail", code=plan.code)
    else:
        plan_form = forms.PlanForm(
            units=units,
            parents=parents,
            initial={
                "code": plan.code,
                "title": plan.title,
                "issuer": plan.issuer.code,
                "parent": plan.parent.code if plan.parent else "",
                "document_number": plan.document_number,
                "document_date": plan.document_date,
                "signer": plan.signer,
                "starts_on": plan.starts_on,
                "ends_on": plan.ends_on,
                "summary": plan.summary,
                "exemplar_standard": plan.exemplar_standard,
            },
        )
        req_formset = forms.RequirementFormSet(
            prefix="req",
            initial=[
                {
                    "id": r.pk, "key": r.key, "kind": r.kind, "title": r.title,
                    "due_on": r.due_on, "scope": r.scope, "min_count": r.min_count,
                    "max_count": r.max_count, "year": r.year,
                }
                for r in sorted(requirements.values(), key=lambda r: (r.due_on, r.key))
            ],
        )  # fmt: skip
        phase_formset = forms.PhaseFormSet(
            prefix="phase",
            initial=[
                {"id": p.pk, "name": p.name, "starts_on": p.starts_on, "ends_on": p.ends_on}
                for p in phases.values()
            ],
        )
    return _plan_form_page(request, plan, plan_form, req_formset, phase_formset)


# --- milestones --------------------------------------------------------------------------


def _get_milestone(user: Any, pk: int) -> Milestone:
    milestone = Milestone.objects.select_related("plan", "phase").filter(pk=pk).first()
    if milestone is None:
        raise Http404
    get_plan_for(user, milestone.plan.code, write=Perm.MANAGE_PLANS)
    return milestone


def _milestone_page(
    request: HttpRequest, plan: Plan, form: Any, milestone: Milestone | None
) -> HttpResponse:
    return render(
        request, "plans/milestone_form.html", {"plan": plan, "form": form, "milestone": milestone}
    )


def _phase_of(plan: Plan, pk: int | None) -> Phase | None:
    if not pk:
        return None
    return plan.phases.filter(pk=pk).first()


@access(Perm.MANAGE_PLANS, object_page=True)
def milestone_add(request: HttpRequest, code: str) -> HttpResponse:
    plan = get_plan_for(request.user, code, write=Perm.MANAGE_PLANS)
    phases = list(plan.phases.all())
    form = forms.MilestoneForm(request.POST or None, phases=phases)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.milestone_add(
                actor=request.user,
                plan=plan,
                title=data["title"],
                due_on=data["due_on"],
                phase=_phase_of(plan, data.get("phase")),
                description=data.get("description") or "",
            )
        except ValidationFailed as exc:
            for error in exc.errors:
                form.add_error(error.field if error.field in form.fields else None, error.message)
        else:
            messages.success(request, _("Đã thêm mốc thời gian."))
            return redirect("plans:detail", code=plan.code)
    return _milestone_page(request, plan, form, None)


@access(Perm.MANAGE_PLANS, object_page=True)
def milestone_edit(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = _get_milestone(request.user, pk)
    plan = milestone.plan
    phases = list(plan.phases.all())
    if request.method == "POST":
        form = forms.MilestoneForm(request.POST, phases=phases)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.milestone_update(
                    actor=request.user,
                    milestone=milestone,
                    title=data["title"],
                    due_on=data["due_on"],
                    phase=_phase_of(plan, data.get("phase")),
                    description=data.get("description") or "",
                )
            except ValidationFailed as exc:
                for error in exc.errors:
                    name = error.field if error.field in form.fields else None
                    form.add_error(name, error.message)
            else:
                messages.success(request, _("Đã lưu mốc thời gian."))
                return redirect("plans:detail", code=plan.code)
    else:
        form = forms.MilestoneForm(
            phases=phases,
            initial={
                "title": milestone.title,
                "due_on": milestone.due_on,
                "phase": milestone.phase_id or "",
                "description": milestone.description,
            },
        )
    return _milestone_page(request, plan, form, milestone)


@access(Perm.MANAGE_PLANS, object_page=True)
def milestone_delete(request: HttpRequest, pk: int) -> HttpResponse:
    milestone = _get_milestone(request.user, pk)
    if request.method == "POST" and request.POST.get("confirm") == "1":
        services.milestone_delete(actor=request.user, milestone=milestone)
        messages.success(request, _("Đã xóa mốc “%(t)s”.") % {"t": milestone.title})
        return redirect("plans:detail", code=milestone.plan.code)
    return render(
        request,
        "plans/confirm.html",
        {
            "plan": milestone.plan,
            "title": _("Xóa mốc thời gian"),
            "question": _("Xóa mốc “%(t)s” (thời hạn %(d)s) khỏi kế hoạch?")
            % {"t": milestone.title, "d": fmt_date(milestone.due_on)},
            "note": _("Việc xóa được ghi vào nhật ký."),
            "submit": _("Xóa mốc"),
            "cancel": reverse("plans:detail", args=[milestone.plan.code]),
        },
    )


# --- submissions ----------------------------------------------------------------------------


def _entry_rows(request: HttpRequest, formset: Any) -> tuple[list[services.EntryData], bool]:
    """Registration rows from the formset; person codes resolved in the user's scope."""
    entries: list[services.EntryData] = []
    ok = True
    people = people_visible_to(request.user).select_related("unit")
    for form, deleted in _live_forms(formset):
        if deleted:
            continue
        cleaned = form.cleaned_data
        person = None
        if cleaned.get("person"):
            person = people.filter(code=cleaned["person"].strip()).first()
            if person is None:
                form.add_error("person", _("Không tìm thấy cán bộ có mã này."))
                ok = False
        entries.append(
            services.EntryData(
                title=cleaned["title"], person=person, field=cleaned.get("field") or ""
            )
        )
    return entries, ok


def _submission_errors(exc: DomainError, form: Any, entry_forms: list[Any]) -> None:
    aliases = {
        "code": "child_code",
        "title": "child_title",
        "document_number": "child_document_number",
    }
    if not isinstance(exc, ValidationFailed):
        form.add_error("child_code" if isinstance(exc, Conflict) else None, exc.message)
        return
    for error in exc.errors:
        parts = error.field.split(".")
        if (
            parts[0] == "entries"
            and len(parts) == 3
            and parts[1].isdigit()
            and int(parts[1]) < len(entry_forms)
        ):
            target = entry_forms[int(parts[1])]
            target.add_error(parts[2] if parts[2] in target.fields else None, error.message)
            continue
        name = aliases.get(error.field, error.field)
        form.add_error(name if name in form.fields else None, error.message)


@access(Perm.MANAGE_PLANS, object_page=True)
def submission_create(request: HttpRequest, code: str) -> HttpResponse:
    plan = get_plan_for(request.user, code)
    options, units = _submittable(request.user, plan)
    if not options:
        raise PermissionDenied
    by_key = {r.key: r for r in options}
    child_plans = list(
        Plan.objects.filter(parent=plan, issuer__in=[u.pk for u in units]).select_related("issuer")
    )
    choices = [
        (r.key, f"{r.title or r.get_kind_display()} — {r.key}, {_('hạn')} {fmt_date(r.due_on)}")
        for r in options
    ]
    form_kwargs: dict[str, Any] = {
        "requirements": choices,
        "units": units,
        "child_plans": child_plans,
    }
    if request.method == "POST":
        data: QueryDict = request.POST
        adding = "add_entry" in data
        if adding:
            data = _with_extra_row(data, "entry")
        form = forms.SubmissionForm(data, request.FILES, **form_kwargs)
        entry_formset = forms.EntryFormSet(data, prefix="entry")
        if not adding and form.is_valid() and entry_formset.is_valid():
            cleaned = form.cleaned_data
            requirement = by_key[cleaned["requirement"]]
            unit = get_unit_for(request.user, cleaned["unit"], write=Perm.MANAGE_PLANS)
            entries, entries_ok = _entry_rows(request, entry_formset)
            live_entry_forms = [f for f, deleted in _live_forms(entry_formset) if not deleted]
            if requirement.kind != RequirementKind.EXEMPLAR_REGISTRATION:
                entries = []  # rows typed for another kind of requirement are not sent
            if entries_ok:
                try:
                    with transaction.atomic():
                        child_plan = _child_plan(request, plan, requirement, unit, cleaned)
                        submission = services.submission_submit(
                            actor=request.user,
                            requirement=requirement,
                            unit=unit,
                            submitted_on=cleaned["submitted_on"],
                            note=cleaned.get("note") or "",
                            child_plan=child_plan,
                            entries=entries,
                            file=cleaned.get("file"),
                        )
                except DomainError as exc:
                    _submission_errors(exc, form, live_entry_forms)
                else:
                    messages.success(
                        request,
                        _("Đã gửi “%(r)s” của %(u)s.")
                        % {"r": requirement.title or requirement.key, "u": unit.name},
                    )
                    return redirect("plans:submission", pk=submission.pk)
    else:
        initial: dict[str, Any] = {"submitted_on": today()}
        if request.GET.get("requirement") in by_key:
            initial["requirement"] = request.GET["requirement"]
        if request.GET.get("unit") in {u.code for u in units}:
            initial["unit"] = request.GET["unit"]
        elif len(units) == 1:
            initial["unit"] = units[0].code
        form = forms.SubmissionForm(initial=initial, **form_kwargs)
        entry_formset = forms.EntryFormSet(prefix="entry")
    return render(
        request,
        "plans/submission_form.html",
        {
            "plan": plan,
            "form": form,
            "entry_formset": entry_formset,
            "requirements": options,
        },
    )


def _child_plan(
    request: HttpRequest, plan: Plan, requirement: Requirement, unit: Unit, cleaned: dict[str, Any]
) -> Plan | None:
    """The unit's own plan for a UNIT_PLAN answer: an existing one or one made now."""
    if requirement.kind != RequirementKind.UNIT_PLAN:
        return None
    if cleaned.get("create_child"):
        errors = []
        if not cleaned.get("child_code"):
            errors.append(FieldError("child_code", _("Nhập mã kế hoạch của đơn vị.")))
        if not cleaned.get("child_title"):
            errors.append(FieldError("child_title", _("Nhập tên kế hoạch của đơn vị.")))
        if errors:
            raise ValidationFailed(errors)
        return services.plan_create(
            actor=request.user,
            data=services.PlanData(
                code=cleaned["child_code"],
                title=cleaned["child_title"],
                issuer=unit,
                starts_on=plan.starts_on,
                ends_on=plan.ends_on,
                parent=plan,
                document_number=cleaned.get("child_document_number") or "",
                document_date=cleaned["submitted_on"],
            ),
        )
    if cleaned.get("child_plan"):
        child = Plan.objects.filter(code=cleaned["child_plan"], parent=plan).first()
        if child is None:
            raise ValidationFailed([FieldError("child_plan", _("Kế hoạch không hợp lệ."))])
        return child
    return None


@access(Perm.VIEW)
def submission_detail(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_submission_for(request.user, pk)
    requirement = submission.requirement
    entries = list(submission.entries.select_related("person", "unit"))
    status = status_of(requirement, submission, len(entries), today())
    return render(
        request,
        "plans/submission_detail.html",
        {
            "submission": submission,
            "plan": requirement.plan,
            "requirement": requirement,
            "entries": entries,
            "status": status,
            "status_label": STATUS_LABELS[status],
            "status_css": STATUS_CSS[status],
            "status_icon": STATUS_ICON[status],
            "events": list(history_for(submission).order_by("-seq")[:HISTORY_LIMIT]),
            "can_withdraw": can(request.user, Perm.MANAGE_PLANS, submission.unit),
        },
    )


@access(Perm.MANAGE_PLANS, object_page=True)
def submission_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    submission = get_submission_for(request.user, pk, write=Perm.MANAGE_PLANS)
    plan = submission.requirement.plan
    if request.method == "POST" and request.POST.get("confirm") == "1":
        services.submission_withdraw(actor=request.user, submission=submission)
        messages.success(request, _("Đã rút lại bản gửi của %(u)s.") % {"u": submission.unit.name})
        return redirect("plans:detail", code=plan.code)
    return render(
        request,
        "plans/confirm.html",
        {
            "plan": plan,
            "title": _("Rút lại bản đã gửi"),
            "question": _("Rút lại bản gửi ngày %(d)s của %(u)s cho yêu cầu “%(r)s”?")
            % {
                "d": fmt_date(submission.submitted_on),
                "u": submission.unit.name,
                "r": submission.requirement.title or submission.requirement.key,
            },
            "note": _(
                "Sau khi rút, đơn vị được tính là chưa gửi (quá hạn nếu đã qua hạn gửi)."
                " Bản đã gửi vẫn còn trong nhật ký."
            ),
            "submit": _("Rút lại"),
            "cancel": reverse("plans:submission", args=[submission.pk]),
        },
    )


# --- compliance ------------------------------------------------------------------------------


def _cell_text(cell: Any) -> str:
    if cell is None:
        return "—"
    label = str(STATUS_LABELS[cell.status])
    if cell.submitted_on:
        return f"{label} ({fmt_date(cell.submitted_on)})"
    return label


@access(Perm.VIEW)
def compliance(request: HttpRequest, code: str) -> HttpResponse:
    plan = get_plan_for(request.user, code)
    as_of, date_error = _as_of(request)
    results = plan_compliance(plan, as_of, _reader_units(request.user, plan))
    grid = compliance_grid(results)
    if request.GET.get("format") == "xlsx":
        headers = [
            _("Mã đơn vị"),
            _("Đơn vị"),
            *[f"{r.key} ({_('hạn')} {fmt_date(r.due_on)})" for r in grid.requirements],
        ]
        rows = [
            (unit.code, unit.name, *[_cell_text(c) for c in cells]) for unit, cells in grid.rows
        ]
        return xlsx_response(
            f"tinh-hinh-{plan.code}-{as_of:%Y%m%d}.xlsx", _("Tình hình thực hiện"), headers, rows
        )
    return render(
        request,
        "plans/compliance.html",
        {
            "plan": plan,
            "as_of": as_of,
            "date_error": date_error,
            "grid": grid,
            "rows": [
                (u, list(zip(grid.requirements, cells, strict=True))) for u, cells in grid.rows
            ],
            "legend": _legend(),
            "status_css": STATUS_CSS,
            "status_icon": STATUS_ICON,
            "status_labels": {k: str(v) for k, v in STATUS_LABELS.items()},
            "partial": not sees_issuer(request.user, plan),
        },
    )


@access(Perm.VIEW)
def compliance_cell(request: HttpRequest, code: str) -> HttpResponse:
    plan = get_plan_for(request.user, code)
    key = request.GET.get("requirement", "")
    unit_code = request.GET.get("unit", "")
    if not key or not unit_code:
        return redirect("plans:compliance", code=plan.code)
    as_of, _error = _as_of(request)
    units = _reader_units(request.user, plan)
    if units is not None:
        units = units.filter(code=unit_code)
    results = [r for r in plan_compliance(plan, as_of, units) if r.requirement.key == key]
    cell = next((c for r in results for c in r.units if c.unit.code == unit_code), None)
    if cell is None:
        raise Http404
    requirement = results[0].requirement
    entries = (
        list(cell.submission.entries.select_related("person", "unit")) if cell.submission else []
    )
    options, managed = _submittable(request.user, plan)
    return render(
        request,
        "plans/compliance_cell.html",
        {
            "plan": plan,
            "requirement": requirement,
            "cell": cell,
            "entries": entries,
            "as_of": as_of,
            "status_label": STATUS_LABELS[cell.status],
            "status_css": STATUS_CSS[cell.status],
            "status_icon": STATUS_ICON[cell.status],
            "can_submit": requirement in options and cell.unit in managed,
        },
    )


# --- calendar --------------------------------------------------------------------------------


@access(Perm.VIEW)
def calendar(request: HttpRequest, code: str) -> HttpResponse:
    """Milestones and due dates as all-day events; UIDs stay the same across downloads."""
    plan = get_plan_for(request.user, code)
    cal = Calendar()
    cal.add("prodid", "-//thidua//Ke hoach thi dua//VI")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", plan.title)
    stamp = plan.updated_at
    host = "thidua"
    for milestone in plan.milestones.select_related("phase"):
        event = Event()
        event.add("uid", f"plan-{plan.pk}-milestone-{milestone.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add("summary", milestone.title)
        event.add("dtstart", milestone.due_on)
        event.add("dtend", milestone.due_on + ONE_DAY)
        details = [plan.title]
        if milestone.phase:
            details.append(milestone.phase.name)
        if milestone.description:
            details.append(milestone.description)
        event.add("description", "\n".join(details))
        cal.add_component(event)
    for requirement in plan.requirements.order_by("due_on", "key"):
        event = Event()
        event.add("uid", f"plan-{plan.pk}-requirement-{requirement.pk}@{host}")
        event.add("dtstamp", stamp)
        event.add(
            "summary",
            _("Hạn gửi: %(r)s") % {"r": requirement.title or requirement.get_kind_display()},
        )
        event.add("dtstart", requirement.due_on)
        event.add("dtend", requirement.due_on + ONE_DAY)
        event.add(
            "description",
            f"{plan.title}\n{requirement.get_kind_display()} ({requirement.key}) – "
            f"{requirement.get_scope_display()}",
        )
        cal.add_component(event)
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="ke-hoach-{plan.pk}.ics"'
    return response
