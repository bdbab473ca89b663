"""Pages of replication (nhân rộng) and outreach (tuyên truyền): the replication list in
the user's scope, one replication with its history and stage moves, registration from
an exemplar page, what a unit adopted from whom, the ranking of the most replicated
practices, and the outreach items of an exemplar and of the whole scope.

Every change goes through propagation.services; these pages parse input and show the
service's errors next to the fields.
"""

from __future__ import annotations

import os
from typing import Any, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import Coalesce
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import Perm, access, can, get_unit_for, units_visible_to
from core.errors import Conflict, ValidationFailed
from core.paging import paginate
from core.text import fold
from exemplars.access import exemplars_visible_to, get_exemplar_for
from exemplars.models import RECOGNIZED_STATES, Exemplar
from organizations.models import Unit
from people.forms import add_service_errors
from propagation import services
from propagation.access import (
    REPLICATION_RELATED,
    adopting_units_for,
    get_outreach_for,
    get_replication_for,
    may_change_replication,
    outreach_visible_to,
    replications_visible_to,
)
from propagation.exports import export_outreach, export_replications
from propagation.forms_replication import (
    OutreachFilterForm,
    OutreachForm,
    RankingFilterForm,
    ReplicationCreateForm,
    ReplicationEditForm,
    ReplicationFilterForm,
    StageForm,
)
from propagation.models import Outreach, Replication, Stage
from propagation.spread import STAGE_COLOURS, ranking

UNIT_FIELDS = ("code", "name", "depth", "path", "status")
UNIT_PAGE_LIMIT = 50  # "adopted from this unit" on the unit page; the list has the rest
EXEMPLAR_RELATED = ("exemplar__unit", "exemplar__person", "exemplar__subject_unit")


def _visible_units(user: Any) -> list[Unit]:
    return list(units_visible_to(user).only(*UNIT_FIELDS).order_by("path"))


def _unit_by_code(units: list[Unit], code: str | None) -> Unit | None:
    return next((u for u in units if u.code == code), None) if code else None


# --- replication list -------------------------------------------------------------------


def _replications(request: HttpRequest) -> tuple[ReplicationFilterForm, QuerySet[Replication]]:
    units = _visible_units(request.user)
    form = ReplicationFilterForm(request.GET, units=units)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    rows = replications_visible_to(request.user).select_related(*REPLICATION_RELATED)
    if q := fold(data.get("q")):
        rows = rows.filter(Q(exemplar__search_text__contains=q) | Q(unit__search_text__contains=q))
    if data.get("stage"):
        rows = rows.filter(stage=data["stage"])
    if origin := _unit_by_code(units, data.get("origin")):
        rows = rows.filter(exemplar__unit__path__startswith=origin.path)
    if unit := _unit_by_code(units, data.get("unit")):
        rows = rows.filter(unit__path__startswith=unit.path)
    if data.get("year"):
        rows = rows.filter(started_on__year=data["year"])
    if data.get("stale"):
        rows = rows.filter(services.stale_q())
    if data.get("exemplar"):
        rows = rows.filter(exemplar_id=data["exemplar"])
    return form, rows.order_by("-last_update_at", "-pk")


@access(Perm.VIEW)
def replication_list(request: HttpRequest) -> HttpResponse:
    form, rows = _replications(request)
    if request.GET.get("format") == "xlsx":
        return export_replications(rows)
    exemplar = None
    if exemplar_id := getattr(form, "cleaned_data", {}).get("exemplar"):
        exemplar = exemplars_visible_to(request.user).filter(pk=exemplar_id).first()
    return render(
        request,
        "propagation/replication/list.html",
        {
            "form": form,
            "page": paginate(request, rows),
            "exemplar": exemplar,
            "stale_cutoff": services.stale_cutoff(),
        },
    )


# --- one replication --------------------------------------------------------------------


def _detail_context(
    request: HttpRequest, replication: Replication, stage_form: StageForm | None = None
) -> dict[str, Any]:
    writable = may_change_replication(request.user, replication)
    moves = services.allowed_stages(replication.stage)
    if writable and moves and stage_form is None:
        stage_form = StageForm(current=replication.stage)
    return {
        "replication": replication,
        "exemplar": replication.exemplar,
        "history": list(replication.history.select_related("by").order_by("at", "pk")),
        "writable": writable,
        "stage_form": stage_form if writable and moves else None,
        "deletable": writable
        and replication.stage == Stage.INTERESTED
        and replication.history.count() <= 1,
        "evidence_name": os.path.basename(replication.evidence.name)
        if replication.evidence
        else "",
        "stale": replication.stage not in services.FINAL_STAGES
        and replication.last_update_at < services.stale_cutoff(),
        "colour": STAGE_COLOURS.get(replication.stage, "#8C8C8C"),
    }


@access(Perm.VIEW)
def replication_detail(request: HttpRequest, pk: int) -> HttpResponse:
    replication = get_replication_for(request.user, pk)
    return render(
        request, "propagation/replication/detail.html", _detail_context(request, replication)
    )


@access(Perm.MANAGE_REPLICATION, object_page=True)
@require_POST
def replication_stage(request: HttpRequest, pk: int) -> HttpResponse:
    replication = get_replication_for(request.user, pk, write=Perm.MANAGE_REPLICATION)
    form = StageForm(request.POST, current=replication.stage)
    if form.is_valid():
        data = form.cleaned_data
        try:
            moved = services.replication_update(
                request.user,
                replication,
                stage=data["stage"],
                on=data["on"],
                reason=data["reason"],
            )
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("propagation:replication_detail", pk=replication.pk)
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, {})
        else:
            messages.success(
                request,
                _("Đã chuyển sang giai đoạn “%(s)s”.") % {"s": services.stage_label(moved.stage)},
            )
            return redirect("propagation:replication_detail", pk=replication.pk)
    return render(
        request,
        "propagation/replication/detail.html",
        _detail_context(request, replication, form),
    )


OUTCOME_ALIASES = {
    "outcome.measure": "outcome_measure",
    "outcome.unit": "outcome_unit",
    "outcome.before": "outcome_before",
    "outcome.after": "outcome_after",
}


@access(Perm.MANAGE_REPLICATION, object_page=True)
def replication_edit(request: HttpRequest, pk: int) -> HttpResponse:
    replication = get_replication_for(request.user, pk, write=Perm.MANAGE_REPLICATION)
    has_evidence = bool(replication.evidence)
    if request.method != "POST":
        initial = {
            name: getattr(replication, name)
            for name in (
                "started_on",
                "adaptation",
                "notes",
                "outcome_measure",
                "outcome_unit",
                "outcome_before",
                "outcome_after",
            )
        }
        form = ReplicationEditForm(initial=initial, has_evidence=has_evidence)
    else:
        form = ReplicationEditForm(request.POST, request.FILES, has_evidence=has_evidence)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.replication_update(
                    request.user,
                    replication,
                    started_on=data["started_on"],
                    adaptation=data["adaptation"],
                    notes=data["notes"],
                    outcome=services.Outcome(
                        measure=data["outcome_measure"],
                        unit=data["outcome_unit"],
                        before=data["outcome_before"],
                        after=data["outcome_after"],
                    ),
                    evidence=data["evidence"],
                    clear_evidence=bool(data.get("clear_evidence")),
                )
            except Conflict as exc:
                messages.error(request, exc.message)
                return redirect("propagation:replication_detail", pk=replication.pk)
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors, OUTCOME_ALIASES)
            else:
                messages.success(request, _("Đã lưu thay đổi."))
                return redirect("propagation:replication_detail", pk=replication.pk)
    return render(
        request,
        "propagation/replication/form.html",
        {
            "form": form,
            "replication": replication,
            "exemplar": replication.exemplar,
            "evidence_name": os.path.basename(replication.evidence.name) if has_evidence else "",
        },
    )


@access(Perm.MANAGE_REPLICATION, object_page=True)
def replication_delete(request: HttpRequest, pk: int) -> HttpResponse:
    replication = get_replication_for(request.user, pk, write=Perm.MANAGE_REPLICATION)
    deletable = replication.stage == Stage.INTERESTED and replication.history.count() <= 1
    if request.method == "POST" and request.POST.get("confirmed") == "1":
        try:
            services.replication_delete(request.user, replication)
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("propagation:replication_detail", pk=replication.pk)
        messages.success(request, _("Đã xóa hồ sơ nhân rộng."))
        return redirect("propagation:replication_list")
    return render(
        request,
        "propagation/replication/confirm_delete.html",
        {"replication": replication, "exemplar": replication.exemplar, "deletable": deletable},
    )


@access(Perm.VIEW)
def replication_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """The evidence file, for whoever may see the replication (uploads are not public)."""
    replication = get_replication_for(request.user, pk)
    if not replication.evidence:
        raise Http404
    try:
        handle = replication.evidence.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle, as_attachment=True, filename=os.path.basename(replication.evidence.name)
    )
    response["Cache-Control"] = "private, no-store"
    response["Content-Security-Policy"] = "sandbox; default-src 'none'"
    return cast(HttpResponse, response)


@access(Perm.MANAGE_REPLICATION, object_page=True)
def replication_create(request: HttpRequest, exemplar_pk: int) -> HttpResponse:
    """Register that one of the user's units takes up the exemplar's practice."""
    exemplar = get_exemplar_for(request.user, exemplar_pk)
    units = list(adopting_units_for(request.user, exemplar).only(*UNIT_FIELDS).order_by("path"))
    if not units:
        raise PermissionDenied
    if exemplar.state not in RECOGNIZED_STATES:
        messages.error(request, _("Chỉ đăng ký nhân rộng mô hình của điển hình đã được công nhận."))
        return redirect("exemplars:detail", pk=exemplar.pk)
    if request.method != "POST":
        initial: dict[str, Any] = {
            "started_on": timezone.localdate(),
            "stage": Stage.INTERESTED,
        }
        if len(units) == 1:
            initial["unit"] = units[0].code
        form = ReplicationCreateForm(initial=initial, units=units)
    else:
        form = ReplicationCreateForm(request.POST, units=units)
        if form.is_valid():
            data = form.cleaned_data
            try:
                replication = services.replication_create(
                    request.user,
                    exemplar,
                    data["unit"],
                    stage=data["stage"],
                    started_on=data["started_on"],
                    notes=data["notes"],
                    adaptation=data["adaptation"],
                )
            except services.DuplicateReplication as exc:
                messages.info(request, exc.message)
                return redirect("propagation:replication_detail", pk=exc.existing.pk)
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors, {})
            else:
                messages.success(
                    request,
                    _("Đã đăng ký nhân rộng mô hình cho “%(u)s”.") % {"u": replication.unit.name},
                )
                return redirect("propagation:replication_detail", pk=replication.pk)
    return render(
        request, "propagation/replication/create.html", {"form": form, "exemplar": exemplar}
    )


# --- a unit's adoptions -----------------------------------------------------------------


@access(Perm.VIEW)
def unit_replications(request: HttpRequest, code: str) -> HttpResponse:
    """What this unit (and the units under it) adopted from whom, and who adopted its
    practices."""
    unit = get_unit_for(request.user, code)
    adopted = (
        Replication.objects.filter(unit__path__startswith=unit.path)
        .select_related(*REPLICATION_RELATED)
        .order_by("-last_update_at", "-pk")
    )
    given_all = Replication.objects.filter(exemplar__unit__path__startswith=unit.path)
    given = list(
        given_all.select_related(*REPLICATION_RELATED).order_by("-last_update_at", "-pk")[
            :UNIT_PAGE_LIMIT
        ]
    )
    return render(
        request,
        "propagation/replication/unit.html",
        {
            "unit": unit,
            "page": paginate(request, adopted),
            "given": given,
            "given_count": given_all.count(),
        },
    )


# --- ranking ----------------------------------------------------------------------------


@access(Perm.VIEW)
def replication_ranking(request: HttpRequest) -> HttpResponse:
    """The most replicated practices among the exemplars in the user's scope."""
    units = _visible_units(request.user)
    exemplars = exemplars_visible_to(request.user)
    fields = list(
        exemplars.exclude(field="").order_by("field").values_list("field", flat=True).distinct()
    )
    form = RankingFilterForm(request.GET, units=units, fields=fields)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    if origin := _unit_by_code(units, data.get("origin")):
        exemplars = exemplars.filter(unit__path__startswith=origin.path)
    if data.get("field"):
        exemplars = exemplars.filter(field=data["field"])
    if data.get("year"):
        exemplars = exemplars.filter(year=data["year"])
    rows = ranking(exemplars.select_related("unit", "person", "subject_unit"))
    page = paginate(request, rows)
    return render(
        request,
        "propagation/replication/ranking.html",
        {
            "form": form,
            "page": page,
            "stages": [{"value": s.value, "label": s.label} for s in Stage],
            "offset": page.start_index() - 1 if page.object_list else 0,
        },
    )


# --- outreach ---------------------------------------------------------------------------


def _outreach_totals(rows: QuerySet[Outreach]) -> dict[str, int]:
    return rows.order_by().aggregate(n=Count("pk"), reach=Coalesce(Sum("reach"), 0))


@access(Perm.VIEW)
def outreach_list(request: HttpRequest) -> HttpResponse:
    """Every outreach item about the exemplars in the user's scope."""
    units = _visible_units(request.user)
    form = OutreachFilterForm(request.GET, units=units)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    rows = outreach_visible_to(request.user).select_related(*EXEMPLAR_RELATED)
    if q := fold(data.get("q")):
        rows = rows.filter(Q(search_text__contains=q) | Q(exemplar__search_text__contains=q))
    if data.get("kind"):
        rows = rows.filter(kind=data["kind"])
    if data.get("channel"):
        rows = rows.filter(channel=data["channel"])
    if origin := _unit_by_code(units, data.get("origin")):
        rows = rows.filter(exemplar__unit__path__startswith=origin.path)
    if data.get("year"):
        rows = rows.filter(published_on__year=data["year"])
    if request.GET.get("format") == "xlsx":
        return export_outreach(rows)
    return render(
        request,
        "propagation/outreach/list.html",
        {"form": form, "page": paginate(request, rows), "totals": _outreach_totals(rows)},
    )


@access(Perm.VIEW)
def outreach_exemplar(request: HttpRequest, exemplar_pk: int) -> HttpResponse:
    exemplar = get_exemplar_for(request.user, exemplar_pk)
    rows = Outreach.objects.filter(exemplar=exemplar)
    return render(
        request,
        "propagation/outreach/exemplar.html",
        {
            "exemplar": exemplar,
            "page": paginate(request, rows),
            "totals": _outreach_totals(rows),
            "can_manage": can(request.user, Perm.MANAGE_OUTREACH, exemplar.unit),
        },
    )


def _outreach_values(data: dict[str, Any]) -> dict[str, Any]:
    return {
        name: data[name]
        for name in ("kind", "channel", "channel_name", "title", "published_on", "url", "reach")
    }


def _back_to(exemplar: Exemplar) -> str:
    return reverse("propagation:outreach_exemplar", args=[exemplar.pk])


@access(Perm.MANAGE_OUTREACH, object_page=True)
def outreach_create(request: HttpRequest, exemplar_pk: int) -> HttpResponse:
    exemplar = get_exemplar_for(request.user, exemplar_pk, write=Perm.MANAGE_OUTREACH)
    if request.method != "POST":
        form = OutreachForm(initial={"published_on": timezone.localdate()})
    else:
        form = OutreachForm(request.POST)
        if form.is_valid():
            try:
                services.outreach_create(
                    request.user, exemplar, **_outreach_values(form.cleaned_data)
                )
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors, {})
            else:
                messages.success(request, _("Đã ghi nhận hoạt động tuyên truyền."))
                return redirect(_back_to(exemplar))
    return render(
        request,
        "propagation/outreach/form.html",
        {"form": form, "exemplar": exemplar, "item": None},
    )


@access(Perm.MANAGE_OUTREACH, object_page=True)
def outreach_edit(request: HttpRequest, outreach_pk: int) -> HttpResponse:
    item = get_outreach_for(request.user, outreach_pk, write=Perm.MANAGE_OUTREACH)
    if request.method != "POST":
        form = OutreachForm(initial=_outreach_values(item.__dict__))
    else:
        form = OutreachForm(request.POST)
        if form.is_valid():
            try:
                services.outreach_update(request.user, item, **_outreach_values(form.cleaned_data))
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors, {})
            else:
                messages.success(request, _("Đã lưu thay đổi."))
                return redirect(_back_to(item.exemplar))
    return render(
        request,
        "propagation/outreach/form.html",
        {"form": form, "exemplar": item.exemplar, "item": item},
    )


@access(Perm.MANAGE_OUTREACH, object_page=True)
def outreach_delete(request: HttpRequest, outreach_pk: int) -> HttpResponse:
    item = get_outreach_for(request.user, outreach_pk, write=Perm.MANAGE_OUTREACH)
    if request.method == "POST" and request.POST.get("confirmed") == "1":
        services.outreach_delete(request.user, item)
        messages.success(request, _("Đã xóa hoạt động tuyên truyền “%(t)s”.") % {"t": item.title})
        return redirect(_back_to(item.exemplar))
    return render(
        request,
        "propagation/outreach/confirm_delete.html",
        {"item": item, "exemplar": item.exemplar},
    )
