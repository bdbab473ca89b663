"""Pages for people: list, detail, create, edit, transfer, rating, XLSX import."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

from django.contrib import messages
from django.db.models import Exists, OuterRef, QuerySet, Subquery
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from accounts.access import (
    Perm,
    access,
    can,
    get_person_for,
    get_unit_for,
    people_visible_to,
    units_visible_to,
)
from audit.models import AuditEvent
from audit.services import history_for
from awards.views import person_records_context
from core.choices import Gender, Rating
from core.dates import fmt_date
from core.errors import Conflict, ValidationFailed
from core.paging import paginate
from core.text import fold
from core.xlsx import (
    error_report_response,
    stash_error_report,
    template_response,
    xlsx_response,
)
from organizations.models import Unit, UnitStatus
from people import services
from people.forms import (
    ImportForm,
    PersonCreateForm,
    PersonEditForm,
    PersonFilterForm,
    RatingForm,
    TransferForm,
    add_service_errors,
)
from people.imports import COLUMNS, import_people
from people.models import Person, PersonRating

HISTORY_LIMIT = 100
IMPORT_ERRORS_SHOWN = 500
UNIT_FIELDS = ("code", "name", "depth", "path", "status")


def _default_year() -> int:
    """Ratings are settled after the year ends, so the year just past is the useful default."""
    return dt.date.today().year - 1


def _managed_units(user: Any) -> list[Unit]:
    """Active units where the user may place people (new people, transfers)."""
    return list(
        units_visible_to(user, Perm.MANAGE_PEOPLE)
        .filter(status=UnitStatus.ACTIVE)
        .only(*UNIT_FIELDS)
        .order_by("path")
    )


# --- list ---------------------------------------------------------------------------


def _filtered_people(
    request: HttpRequest, form: PersonFilterForm, units: list[Unit]
) -> tuple[QuerySet[Person], int, bool]:
    """The visible people matching the filters, the rating year, and whether it was asked for."""
    form.is_valid()  # invalid filters are dropped and shown; the valid ones still apply
    data = getattr(form, "cleaned_data", {})
    people = people_visible_to(request.user).select_related("unit")
    q = fold(data.get("q"))
    if q:
        people = people.filter(search_text__contains=q)
    unit_code = data.get("unit")
    if unit_code:
        unit = next((u for u in units if u.code == unit_code), None)
        if unit is not None:
            people = people.filter(unit__path__startswith=unit.path)
    head = data.get("head")
    if head in {"yes", "no"}:
        people = people.filter(is_head=head == "yes")
    if data.get("gender"):
        people = people.filter(gender=data["gender"])
    year_asked = bool(data.get("year") or data.get("rating"))
    year = data.get("year") or _default_year()
    rated = PersonRating.objects.filter(person=OuterRef("pk"), year=year)
    rating = data.get("rating")
    if rating == PersonFilterForm.NO_RATING:
        people = people.filter(~Exists(rated))
    elif rating:
        people = people.filter(Exists(rated.filter(rating=rating)))
    people = people.annotate(year_rating=Subquery(rated.values("rating")[:1]))
    return people.order_by("sort_key", "code"), year, year_asked


@access(Perm.VIEW)
def person_list(request: HttpRequest) -> HttpResponse:
    units = list(units_visible_to(request.user).only(*UNIT_FIELDS).order_by("path"))
    form = PersonFilterForm(request.GET, units=units)
    people, year, year_asked = _filtered_people(request, form, units)
    if request.GET.get("format") == "xlsx":
        return _export(people, year)
    return render(
        request,
        "people/list.html",
        {
            "form": form,
            "page": paginate(request, people),
            "year": year,
            "show_rating": year_asked,
            "rating_labels": dict(Rating.choices),
        },
    )


def _export(people: QuerySet[Person], year: int) -> HttpResponse:
    genders = dict(Gender.choices)
    headers = [
        _("Mã cán bộ"),
        _("Họ và tên"),
        _("Giới tính"),
        _("Chức vụ"),
        _("Thủ trưởng"),
        _("Mã đơn vị"),
        _("Tên đơn vị"),
        _("Ngày vào đơn vị"),
        _("Xếp loại năm %(y)s") % {"y": year},
    ]
    rows = (
        (
            p.code,
            p.full_name,
            str(genders.get(p.gender, "")),
            p.position,
            p.is_head,
            p.unit.code,
            p.unit.name,
            fmt_date(p.started_on),
            p.year_rating or "",  # type: ignore[attr-defined]
        )
        for p in people.iterator(chunk_size=2000)
    )
    return xlsx_response("can-bo.xlsx", _("Cán bộ"), headers, rows)


# --- detail -------------------------------------------------------------------------


@access(Perm.VIEW)
def person_detail(request: HttpRequest, code: str) -> HttpResponse:
    person = get_person_for(request.user, code)
    ratings = list(person.ratings.order_by("-year"))
    # Whoever may see the person may see how their record changed; ratings are
    # rows of their own in the log, and the person's story includes them.
    rating_events = AuditEvent.objects.filter(
        object_type=PersonRating._meta.label_lower, object_id__in=[str(r.pk) for r in ratings]
    )
    events = list((history_for(person) | rating_events).order_by("-seq")[:HISTORY_LIMIT])
    return render(
        request,
        "people/detail.html",
        {
            "person": person,
            "assignments": person.assignments.select_related("unit").order_by("-start"),
            "ratings": ratings,
            "events": events,
            "can_manage": can(request.user, Perm.MANAGE_PEOPLE, person.unit),
            "show_eligibility": can(request.user, Perm.VIEW_SENSITIVE, person.unit),
            **person_records_context(request, person),
        },
    )


# --- create and edit -----------------------------------------------------------------


@access(Perm.MANAGE_PEOPLE)
def person_create(request: HttpRequest) -> HttpResponse:
    units = _managed_units(request.user)
    if request.method == "POST":
        form = PersonCreateForm(request.POST, units=units)
        if form.is_valid():
            data = form.cleaned_data
            unit = get_unit_for(request.user, data["unit"], write=Perm.MANAGE_PEOPLE)
            try:
                person = services.person_create(
                    actor=request.user,
                    code=data["code"],
                    full_name=data["full_name"],
                    unit=unit,
                    started_on=data["started_on"],
                    gender=data["gender"],
                    is_head=data["is_head"],
                    position=data["position"],
                    birth_date=data["birth_date"],
                    email=data["email"],
                )
            except Conflict as exc:
                form.add_error("code", exc.message)
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors, {})
            else:
                messages.success(request, _("Đã thêm cán bộ %(n)s.") % {"n": person.full_name})
                return redirect("people:detail", code=person.code)
    else:
        form = PersonCreateForm(units=units, initial={"unit": request.GET.get("unit", "")})
    return render(request, "people/form.html", {"form": form, "person": None})


@access(Perm.MANAGE_PEOPLE)
def person_edit(request: HttpRequest, code: str) -> HttpResponse:
    person = get_person_for(request.user, code, write=Perm.MANAGE_PEOPLE)
    if request.method == "POST":
        form = PersonEditForm(request.POST)
        if form.is_valid():
            try:
                services.person_update(actor=request.user, person=person, **form.cleaned_data)
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors, {})
            else:
                messages.success(request, _("Đã lưu thay đổi."))
                return redirect("people:detail", code=person.code)
    else:
        form = PersonEditForm(
            initial={name: getattr(person, name) for name in PersonEditForm.base_fields}
        )
    return render(request, "people/form.html", {"form": form, "person": person})


# --- transfer and rating -------------------------------------------------------------


@access(Perm.MANAGE_PEOPLE)
def person_transfer(request: HttpRequest, code: str) -> HttpResponse:
    person = get_person_for(request.user, code, write=Perm.MANAGE_PEOPLE)
    units = [u for u in _managed_units(request.user) if u.pk != person.unit_id]
    form = TransferForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        target = get_unit_for(request.user, form.cleaned_data["unit"], write=Perm.MANAGE_PEOPLE)
        on = form.cleaned_data["on"]
        if request.POST.get("confirm") != "1":
            # A transfer closes the current assignment: ask once more before writing.
            return render(
                request,
                "people/transfer_confirm.html",
                {"person": person, "target": target, "on": on, "form": form},
            )
        try:
            services.person_transfer(actor=request.user, person=person, unit=target, on=on)
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, {})
        else:
            messages.success(
                request,
                _("Đã chuyển %(p)s sang %(u)s từ ngày %(d)s.")
                % {"p": person.full_name, "u": target.name, "d": fmt_date(on)},
            )
            return redirect("people:detail", code=person.code)
    return render(request, "people/transfer.html", {"person": person, "form": form})


@access(Perm.MANAGE_PEOPLE)
def person_rating(request: HttpRequest, code: str) -> HttpResponse:
    person = get_person_for(request.user, code, write=Perm.MANAGE_PEOPLE)
    if request.method == "POST":
        form = RatingForm(request.POST)
        if form.is_valid():
            try:
                services.person_rating_set(
                    actor=request.user,
                    person=person,
                    year=form.cleaned_data["year"],
                    rating=form.cleaned_data["rating"],
                )
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors, {})
            else:
                messages.success(
                    request,
                    _("Đã lưu xếp loại năm %(y)s.") % {"y": form.cleaned_data["year"]},
                )
                return redirect("people:detail", code=person.code)
    else:
        raw = request.GET.get("year", "")
        year = int(raw) if raw.isdigit() and 1945 <= int(raw) <= 2100 else _default_year()
        current = person.ratings.filter(year=year).first()
        form = RatingForm(initial={"year": year, "rating": current.rating if current else ""})
    return render(
        request,
        "people/rating.html",
        {"person": person, "form": form, "ratings": person.ratings.order_by("-year")},
    )


# --- import ----------------------------------------------------------------------------


@access(Perm.MANAGE_PEOPLE)
def person_import(request: HttpRequest) -> HttpResponse:
    result = None
    errors_token = ""
    if request.method == "POST":
        form = ImportForm(request.POST, request.FILES)
        if form.is_valid():
            result = import_people(actor=request.user, upload=form.cleaned_data["file"])
            if result.ok:
                count = number_format(result.created, force_grouping=True)
                messages.success(request, _("Đã nhập %(n)s cán bộ.") % {"n": count})
                return redirect("people:list")
            errors_token = stash_error_report(request.user, result.errors)
    else:
        form = ImportForm()
    return render(
        request,
        "people/import.html",
        {
            "form": form,
            "result": result,
            "errors_shown": result.errors[:IMPORT_ERRORS_SHOWN] if result else [],
            "errors_token": errors_token,
            "columns": COLUMNS,
        },
    )


@access(Perm.VIEW)
def person_import_errors(request: HttpRequest, token: str) -> HttpResponse:
    """The full error list of the user's own last bad import (kept for an hour)."""
    return error_report_response(request.user, token, "loi-nhap-can-bo.xlsx")


@access(Perm.MANAGE_PEOPLE)
def import_template(request: HttpRequest) -> HttpResponse:
    managed = _managed_units(request.user)
    columns = [
        dataclasses.replace(c, example=managed[0].code) if c.key == "unit" and managed else c
        for c in COLUMNS
    ]
    return template_response("mau-nhap-can-bo.xlsx", _("Cán bộ"), columns)
