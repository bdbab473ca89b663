"""Pages of inspections: plans by year, teams, inspections, findings and follow-ups."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from accounts.access import Perm, access, scope_for
from audit.models import AuditEvent
from audit.services import history_for
from core.dates import fmt_date
from core.errors import Conflict, ValidationFailed
from core.paging import paginate
from core.text import fold
from core.xlsx import xlsx_response
from inspections import services
from inspections.access import (
    follow_ups_visible_to,
    get_follow_up_for,
    get_inspection_for,
    get_plan_for,
    inspections_visible_to,
    may_manage,
    plans_visible_to,
)
from inspections.forms import (
    FindingsForm,
    FollowUpFilterForm,
    FollowUpForm,
    FollowUpStatusForm,
    InspectionForm,
    PlanFilterForm,
    PlanForm,
    TeamForm,
)
from inspections.models import (
    FollowUp,
    FollowUpStatus,
    Inspection,
    InspectionPlan,
    InspectionTeam,
    TeamRole,
)
from organizations.models import Council, CouncilMember, Unit, UnitStatus
from people.forms import add_service_errors
from people.models import Person

HISTORY_LIMIT = 100
UNIT_FIELDS = ("code", "name", "depth", "path", "status")


def _today() -> dt.date:
    return dt.date.today()


def _managed_councils(user: Any) -> list[Council]:
    scope = scope_for(user, Perm.MANAGE_INSPECTIONS)
    return list(
        Council.objects.filter(scope.unit_q("unit__")).select_related("unit").order_by("unit__path")
    )


# --- plans -----------------------------------------------------------------------------------


@access(Perm.VIEW)
def plan_list(request: HttpRequest) -> HttpResponse:
    councils = list(
        Council.objects.filter(pk__in=plans_visible_to(request.user).values("council"))
        .select_related("unit")
        .order_by("unit__path")
    )
    form = PlanFilterForm(request.GET, councils=councils)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    plans = plans_visible_to(request.user).select_related("council__unit")
    q = fold(data.get("q"))
    if q:
        plans = plans.filter(search_text__contains=q)
    if data.get("year"):
        plans = plans.filter(year=data["year"])
    if data.get("council"):
        plans = plans.filter(council_id=data["council"])
    today = _today()
    visible = inspections_visible_to(request.user).values("pk")
    plans = plans.annotate(
        inspection_count=Count("inspections", filter=Q(inspections__in=visible), distinct=True),
        done_count=Count(
            "inspections",
            filter=Q(inspections__in=visible, inspections__done_on__isnull=False),
            distinct=True,
        ),
        overdue_count=Count(
            "inspections__follow_ups",
            filter=Q(inspections__in=visible, inspections__follow_ups__due_on__lt=today)
            & ~Q(inspections__follow_ups__status=FollowUpStatus.CLOSED),
            distinct=True,
        ),
    ).order_by("-year", "title", "id")
    if request.GET.get("format") == "xlsx":
        rows = (
            inspections_visible_to(request.user)
            .filter(plan__in=plans.values("pk"))
            .select_related("plan__council", "unit", "team")
            .annotate(
                open_count=Count("follow_ups", filter=~Q(follow_ups__status=FollowUpStatus.CLOSED))
            )
            .order_by("-plan__year", "plan__title", "scheduled_on", "id")
        )
        return _export_inspections(rows)
    return render(
        request,
        "inspections/list.html",
        {
            "form": form,
            "page": paginate(request, plans),
            "can_create": bool(_managed_councils(request.user)),
        },
    )


def _export_inspections(inspections: QuerySet[Inspection]) -> HttpResponse:
    headers = [
        _("Năm"),
        _("Kế hoạch"),
        _("Hội đồng"),
        _("Đơn vị được kiểm tra"),
        _("Đoàn kiểm tra"),
        _("Ngày dự kiến"),
        _("Ngày kiểm tra"),
        _("Kết quả kiểm tra"),
        _("Kiến nghị"),
        _("Việc chưa hoàn thành"),
    ]
    rows = (
        (
            i.plan.year,
            i.plan.title,
            i.plan.council.name,
            i.unit.name,
            i.team.name if i.team else "",
            fmt_date(i.scheduled_on),
            fmt_date(i.done_on),
            i.findings,
            i.recommendations,
            i.open_count,  # type: ignore[attr-defined]
        )
        for i in inspections.iterator(chunk_size=2000)
    )
    return xlsx_response("kiem-tra.xlsx", _("Kiểm tra"), headers, rows)


@access(Perm.MANAGE_INSPECTIONS)
def plan_create(request: HttpRequest) -> HttpResponse:
    councils = _managed_councils(request.user)
    form = PlanForm(request.POST or None, councils=councils, initial={"year": _today().year})
    if request.method == "POST" and form.is_valid():
        data = dict(form.cleaned_data)
        council = next((c for c in councils if str(c.pk) == data.pop("council")), None)
        if council is None:
            raise PermissionDenied
        try:
            plan = services.plan_create(actor=request.user, council=council, **data)
        except Conflict as exc:
            form.add_error("title", exc.message)
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, {})
        else:
            messages.success(request, _("Đã tạo kế hoạch kiểm tra."))
            return redirect("inspections:plan_detail", plan=plan.pk)
    return render(request, "inspections/plan_form.html", {"form": form, "plan": None})


@access(Perm.MANAGE_INSPECTIONS, object_page=True)
def plan_edit(request: HttpRequest, plan: int) -> HttpResponse:
    obj = get_plan_for(request.user, plan, write=Perm.MANAGE_INSPECTIONS)
    if request.method == "POST":
        form = PlanForm(request.POST)
        if form.is_valid():
            try:
                services.plan_update(actor=request.user, plan=obj, **form.cleaned_data)
            except Conflict as exc:
                form.add_error("title", exc.message)
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors, {})
            else:
                messages.success(request, _("Đã lưu thay đổi."))
                return redirect("inspections:plan_detail", plan=obj.pk)
    else:
        form = PlanForm(
            initial={n: getattr(obj, n) for n in PlanForm.base_fields if n != "council"}
        )
    return render(request, "inspections/plan_form.html", {"form": form, "plan": obj})


@access(Perm.VIEW)
def plan_detail(request: HttpRequest, plan: int) -> HttpResponse:
    obj = get_plan_for(request.user, plan)
    today = _today()
    inspections = list(
        inspections_visible_to(request.user)
        .filter(plan=obj)
        .select_related("unit", "team")
        .annotate(
            open_count=Count("follow_ups", filter=~Q(follow_ups__status=FollowUpStatus.CLOSED)),
            overdue_count=Count(
                "follow_ups",
                filter=~Q(follow_ups__status=FollowUpStatus.CLOSED)
                & Q(follow_ups__due_on__lt=today),
            ),
        )
        .order_by("scheduled_on", "id")
    )
    teams = list(obj.teams.prefetch_related("members"))
    team_events = AuditEvent.objects.filter(
        object_type=InspectionTeam._meta.label_lower, object_id__in=[str(t.pk) for t in teams]
    )
    manage = may_manage(request.user, obj)
    events = list((history_for(obj) | team_events).order_by("-seq")[:HISTORY_LIMIT])
    return render(
        request,
        "inspections/plan_detail.html",
        {
            "plan": obj,
            "inspections": inspections,
            "teams": teams,
            "events": events,
            "can_manage": manage,
        },
    )


def _council_people(plan: InspectionPlan, today: dt.date) -> list[Person]:
    members = (
        CouncilMember.objects.filter(council=plan.council, valid_from__lte=today)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=today))
        .select_related("person")
    )
    seen: dict[int, Person] = {}
    for member in members:
        seen.setdefault(member.person_id, member.person)
    return sorted(seen.values(), key=lambda p: p.sort_key)


@access(Perm.MANAGE_INSPECTIONS, object_page=True)
def team_create(request: HttpRequest, plan: int) -> HttpResponse:
    obj = get_plan_for(request.user, plan, write=Perm.MANAGE_INSPECTIONS)
    people = _council_people(obj, _today())
    form = TeamForm(request.POST or None, people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        by_id = {str(p.pk): p for p in people}
        members = [services.NewMember(role=TeamRole.LEADER, person=by_id[data["leader"]])]
        members += [
            services.NewMember(role=TeamRole.MEMBER, person=by_id[pk])
            for pk in data["members"]
            if pk != data["leader"]
        ]
        for line in data["others"].splitlines():
            if line.strip():
                name, _sep, affiliation = line.partition("|")
                members.append(
                    services.NewMember(
                        role=TeamRole.MEMBER, name=name.strip(), affiliation=affiliation.strip()
                    )
                )
        try:
            services.team_create(actor=request.user, plan=obj, name=data["name"], members=members)
        except Conflict as exc:
            form.add_error("name", exc.message)
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, {})
        else:
            messages.success(request, _("Đã lập đoàn kiểm tra."))
            return redirect("inspections:plan_detail", plan=obj.pk)
    return render(request, "inspections/team_form.html", {"form": form, "plan": obj})


# --- inspections ------------------------------------------------------------------------------


def _council_units(plan: InspectionPlan) -> list[Unit]:
    return list(
        Unit.objects.filter(path__startswith=plan.council.unit.path, status=UnitStatus.ACTIVE)
        .only(*UNIT_FIELDS)
        .order_by("path")
    )


def _teams(plan: InspectionPlan) -> list[tuple[int, str]]:
    return list(plan.teams.order_by("name").values_list("pk", "name"))


def _team_of(plan: InspectionPlan, raw: str | None) -> InspectionTeam | None:
    if not raw:
        return None
    return plan.teams.filter(pk=int(raw)).first() if raw.isdigit() else None


@access(Perm.MANAGE_INSPECTIONS, object_page=True)
def inspection_create(request: HttpRequest, plan: int) -> HttpResponse:
    obj = get_plan_for(request.user, plan, write=Perm.MANAGE_INSPECTIONS)
    units = _council_units(obj)
    form = InspectionForm(request.POST or None, units=units, teams=_teams(obj))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = next((u for u in units if u.code == data["unit"]), None)
        try:
            if unit is None:
                raise ValidationFailed([])
            inspection = services.inspection_create(
                actor=request.user,
                plan=obj,
                unit=unit,
                scheduled_on=data["scheduled_on"],
                team=_team_of(obj, data["team"]),
            )
        except Conflict as exc:
            form.add_error("unit", exc.message)
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, {})
        else:
            messages.success(request, _("Đã thêm cuộc kiểm tra."))
            return redirect("inspections:detail", pk=inspection.pk)
    return render(
        request, "inspections/inspection_form.html", {"form": form, "plan": obj, "inspection": None}
    )


@access(Perm.MANAGE_INSPECTIONS, object_page=True)
def inspection_edit(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_inspection_for(request.user, pk, write=Perm.MANAGE_INSPECTIONS)
    plan = inspection.plan
    if request.method == "POST":
        form = InspectionForm(request.POST, units=None, teams=_teams(plan))
        if form.is_valid():
            try:
                services.inspection_update(
                    actor=request.user,
                    inspection=inspection,
                    scheduled_on=form.cleaned_data["scheduled_on"],
                    team=_team_of(plan, form.cleaned_data["team"]),
                )
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors, {})
            else:
                messages.success(request, _("Đã lưu thay đổi."))
                return redirect("inspections:detail", pk=inspection.pk)
    else:
        form = InspectionForm(
            units=None,
            teams=_teams(plan),
            initial={
                "scheduled_on": inspection.scheduled_on,
                "team": str(inspection.team_id or ""),
            },
        )
    return render(
        request,
        "inspections/inspection_form.html",
        {"form": form, "plan": plan, "inspection": inspection},
    )


@access(Perm.VIEW)
def inspection_detail(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_inspection_for(request.user, pk)
    follow_ups = list(
        inspection.follow_ups.select_related("responsible_unit").order_by("due_on", "id")
    )
    today = _today()
    manage = may_manage(request.user, inspection.plan)
    follow_events = AuditEvent.objects.filter(
        object_type=FollowUp._meta.label_lower, object_id__in=[str(f.pk) for f in follow_ups]
    )
    events = list((history_for(inspection) | follow_events).order_by("-seq")[:HISTORY_LIMIT])
    return render(
        request,
        "inspections/detail.html",
        {
            "inspection": inspection,
            "plan": inspection.plan,
            "members": list(inspection.team.members.all()) if inspection.team else [],
            "follow_ups": [(f, f.is_overdue(today)) for f in follow_ups],
            "events": events,
            "can_manage": manage,
        },
    )


@access(Perm.MANAGE_INSPECTIONS, object_page=True)
def inspection_findings(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_inspection_for(request.user, pk, write=Perm.MANAGE_INSPECTIONS)
    if request.method == "POST":
        form = FindingsForm(request.POST)
        if form.is_valid():
            try:
                services.findings_record(
                    actor=request.user, inspection=inspection, today=_today(), **form.cleaned_data
                )
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors, {})
            else:
                messages.success(request, _("Đã ghi kết quả kiểm tra."))
                return redirect("inspections:detail", pk=inspection.pk)
    else:
        form = FindingsForm(
            initial={
                "done_on": inspection.done_on or _today(),
                "findings": inspection.findings,
                "recommendations": inspection.recommendations,
            }
        )
    return render(
        request,
        "inspections/findings_form.html",
        {"form": form, "inspection": inspection, "plan": inspection.plan},
    )


# --- follow-ups ---------------------------------------------------------------------------------


@access(Perm.MANAGE_INSPECTIONS, object_page=True)
def follow_up_create(request: HttpRequest, pk: int) -> HttpResponse:
    inspection = get_inspection_for(request.user, pk, write=Perm.MANAGE_INSPECTIONS)
    units = _council_units(inspection.plan)
    form = FollowUpForm(
        request.POST or None, units=units, initial={"responsible_unit": inspection.unit.code}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = next((u for u in units if u.code == data["responsible_unit"]), None)
        try:
            if unit is None:
                raise ValidationFailed([])
            services.follow_up_add(
                actor=request.user,
                inspection=inspection,
                action=data["action"],
                responsible_unit=unit,
                due_on=data["due_on"],
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, {})
        else:
            messages.success(request, _("Đã thêm việc cần thực hiện sau kiểm tra."))
            return redirect("inspections:detail", pk=inspection.pk)
    return render(
        request,
        "inspections/follow_up_form.html",
        {"form": form, "inspection": inspection, "plan": inspection.plan},
    )


@access(Perm.MANAGE_INSPECTIONS, object_page=True)
def follow_up_status(request: HttpRequest, fu: int) -> HttpResponse:
    follow_up = get_follow_up_for(request.user, fu, write=Perm.MANAGE_INSPECTIONS)
    statuses = sorted(services.TRANSITIONS[follow_up.status])
    inspection = follow_up.inspection
    if not statuses:
        messages.info(request, _("Việc này đã hoàn thành."))
        return redirect("inspections:detail", pk=inspection.pk)
    if request.method == "POST":
        form = FollowUpStatusForm(request.POST, statuses=statuses)
        if form.is_valid():
            try:
                services.follow_up_set_status(
                    actor=request.user, follow_up=follow_up, today=_today(), **form.cleaned_data
                )
            except Conflict as exc:
                messages.error(request, exc.message)
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors, {})
            else:
                messages.success(request, _("Đã cập nhật trạng thái."))
                return redirect("inspections:detail", pk=inspection.pk)
    else:
        form = FollowUpStatusForm(
            statuses=statuses, initial={"status": statuses[0], "closed_on": _today()}
        )
    return render(
        request,
        "inspections/follow_up_status.html",
        {
            "form": form,
            "follow_up": follow_up,
            "inspection": inspection,
            "plan": inspection.plan,
            "overdue": follow_up.is_overdue(_today()),
        },
    )


@access(Perm.VIEW)
def follow_up_list(request: HttpRequest) -> HttpResponse:
    form = FollowUpFilterForm(request.GET)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    today = _today()
    items = follow_ups_visible_to(request.user).select_related(
        "inspection__unit", "inspection__plan", "responsible_unit"
    )
    state = data.get("state")
    if state == "overdue":
        items = services.overdue_follow_ups(items, today)
    elif state:
        items = items.filter(status=state)
    if data.get("year"):
        items = items.filter(inspection__plan__year=data["year"])
    items = items.order_by("status", "due_on", "id")
    if request.GET.get("format") == "xlsx":
        statuses = dict(FollowUpStatus.choices)
        headers = [
            _("Kế hoạch"),
            _("Đơn vị được kiểm tra"),
            _("Nội dung cần thực hiện"),
            _("Đơn vị thực hiện"),
            _("Hạn hoàn thành"),
            _("Trạng thái"),
            _("Quá hạn"),
            _("Ngày hoàn thành"),
            _("Kết quả thực hiện"),
        ]
        rows = (
            (
                f.inspection.plan.title,
                f.inspection.unit.name,
                f.action,
                f.responsible_unit.name,
                fmt_date(f.due_on),
                str(statuses.get(f.status, f.status)),
                f.is_overdue(today),
                fmt_date(f.closed_on),
                f.closing_note,
            )
            for f in items.iterator(chunk_size=2000)
        )
        return xlsx_response("viec-sau-kiem-tra.xlsx", _("Việc sau kiểm tra"), headers, rows)
    page = paginate(request, items)
    return render(
        request,
        "inspections/follow_ups.html",
        {"form": form, "page": page, "rows": [(f, f.is_overdue(today)) for f in page.object_list]},
    )
