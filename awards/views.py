"""Pages for records: the catalogue of titles and forms, awards held, initiatives and
research topics, discipline; plus the record panels of the person and unit pages.

Each view parses input, authorises through accounts.access, calls one service and
renders. Lists run a fixed number of queries whatever their length.
"""

from __future__ import annotations

import os
from typing import Any, cast

from django.contrib import messages
from django.db.models import F, Prefetch, Q, QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext as _

from accounts.access import (
    Perm,
    access,
    awards_visible_to,
    can,
    disciplines_visible_to,
    get_award_for,
    get_discipline_for,
    get_initiative_for,
    has_perm_anywhere,
    initiatives_visible_to,
    people_visible_to,
    scope_for,
    units_visible_to,
)
from audit.services import history_for
from awards import services
from awards.forms import (
    PERSON,
    UNIT,
    AwardFilterForm,
    AwardForm,
    DisciplineFilterForm,
    DisciplineFormForm,
    InitiativeFilterForm,
    InitiativeForm,
    offered_initiatives,
)
from awards.models import (
    Award,
    AwardType,
    Discipline,
    DisciplineStatus,
    Initiative,
)
from core.dates import fmt_date, today
from core.errors import Conflict, ValidationFailed
from core.paging import paginate
from core.text import fold
from core.xlsx import xlsx_response
from organizations.models import Unit
from people.forms import add_service_errors
from people.models import Person

HISTORY_LIMIT = 100
# The record panels of a person or unit page show this many rows of each kind;
# the "all" link opens the filtered list.
PANEL_LIMIT = 20
OPTIONS_LIMIT = 20
UNIT_FIELDS = ("code", "name", "depth", "path", "status")
# Service field names that the forms call differently.
AWARD_ALIASES = {"award": "award_type"}


def _units(user: Any, perm: Perm = Perm.VIEW) -> list[Unit]:
    return list(units_visible_to(user, perm).only(*UNIT_FIELDS).order_by("path"))


def _types() -> list[AwardType]:
    return list(AwardType.objects.filter(active=True))


def _cleaned(form: Any) -> dict[str, Any]:
    """Valid filters apply; invalid ones are dropped and shown on the form."""
    form.is_valid()
    return getattr(form, "cleaned_data", {})


def _subtree(units: list[Unit], code: str | None) -> Unit | None:
    return next((u for u in units if u.code == code), None) if code else None


def _list_context(request: HttpRequest, import_name: str = "") -> dict[str, Any]:
    """What the tabs and buttons of the list pages need to know about the user."""
    user = request.user
    manage = has_perm_anywhere(user, Perm.MANAGE_RECORDS)
    import_url = ""
    if manage and import_name:
        try:  # the Excel imports are a separate module that may not be installed
            import_url = reverse(f"awards:{import_name}")
        except NoReverseMatch:
            import_url = ""
    return {
        "can_manage": manage,
        "show_disciplines": has_perm_anywhere(user, Perm.VIEW_SENSITIVE),
        "import_url": import_url,
    }


def _holder_unit(award: Award) -> Unit:
    if award.person is not None:
        return award.person.unit
    assert award.unit is not None
    return award.unit


# --- catalogue ----------------------------------------------------------------------


@access(Perm.VIEW)
def catalogue(request: HttpRequest) -> HttpResponse:
    types = list(AwardType.objects.all())
    if request.GET.get("format") == "xlsx":
        headers = [
            _("Mã"),
            _("Tên"),
            _("Loại"),
            _("Đối tượng"),
            _("Cấp"),
            _("Thẩm quyền quyết định"),
            _("Căn cứ"),
            _("Hệ số tiền thưởng (cá nhân)"),
            _("Hệ số tiền thưởng (tập thể)"),
            _("Hội đồng bỏ phiếu"),
            _("Tỷ lệ phiếu tối thiểu (%)"),
            _("Xét hằng năm"),
            _("Đang áp dụng"),
        ]
        rows = (
            (t.code, t.name, str(t.get_kind_display()), str(t.get_recipient_display()),
             str(t.get_level_display()), t.decided_by, t.citation, t.coefficient_individual,
             t.coefficient_collective, t.council_vote, t.vote_threshold, t.yearly, t.active)
            for t in types
        )  # fmt: skip
        return xlsx_response("danh-muc-khen-thuong.xlsx", _("Danh mục"), headers, rows)
    return render(request, "awards/catalogue.html", {"types": types, **_list_context(request)})


# --- awards: list -------------------------------------------------------------------


def _filtered_awards(user: Any, data: dict[str, Any], units: list[Unit]) -> QuerySet[Award]:
    awards = awards_visible_to(user).select_related("person__unit", "unit", "award_type")
    q = fold(data.get("q"))
    if q:
        awards = awards.filter(
            Q(person__search_text__contains=q) | Q(unit__search_text__contains=q)
        )
    if data.get("award_type"):
        awards = awards.filter(award_type__code=data["award_type"])
    if data.get("year"):
        awards = awards.filter(year=data["year"])
    if data.get("recipient") == PERSON:
        awards = awards.filter(person__isnull=False)
    elif data.get("recipient") == UNIT:
        awards = awards.filter(unit__isnull=False)
    if data.get("person"):
        awards = awards.filter(person__code=data["person"])
    unit = _subtree(units, data.get("unit"))
    if unit is not None:
        awards = awards.filter(
            Q(person__unit__path__startswith=unit.path) | Q(unit__path__startswith=unit.path)
        )
    return awards.order_by("-year", "award_type__order", "pk")


@access(Perm.VIEW)
def award_list(request: HttpRequest) -> HttpResponse:
    units = _units(request.user)
    form = AwardFilterForm(request.GET, units=units, types=_types())
    awards = _filtered_awards(request.user, _cleaned(form), units)
    if request.GET.get("format") == "xlsx":
        return _export_awards(awards)
    return render(
        request,
        "awards/award_list.html",
        {
            "form": form,
            "page": paginate(request, awards),
            **_list_context(request, "import"),
        },
    )


def _export_awards(awards: QuerySet[Award]) -> HttpResponse:
    headers = [
        _("Năm"),
        _("Mã khen thưởng"),
        _("Danh hiệu, hình thức"),
        _("Đối tượng"),
        _("Mã đối tượng"),
        _("Tên đối tượng"),
        _("Mã đơn vị"),
        _("Tên đơn vị"),
        _("Số quyết định"),
        _("Ngày quyết định"),
        _("Người ký"),
        _("Cơ quan quyết định"),
        _("Ghi chú"),
    ]

    def row(a: Award) -> tuple[Any, ...]:
        unit = _holder_unit(a)
        return (
            a.year,
            a.award_type.code,
            a.award_type.name,
            _("Cá nhân") if a.person_id else _("Tập thể"),
            a.recipient_code,
            a.recipient_label,
            unit.code,
            unit.name,
            a.decision_number,
            fmt_date(a.decision_date),
            a.signer,
            a.authority,
            a.note,
        )

    rows = (row(a) for a in awards.iterator(chunk_size=2000))
    return xlsx_response("khen-thuong.xlsx", _("Khen thưởng"), headers, rows)


# --- awards: detail, file -------------------------------------------------------------


@access(Perm.VIEW)
def award_detail(request: HttpRequest, pk: int) -> HttpResponse:
    award = get_award_for(request.user, pk)
    holder = _holder_unit(award)
    return render(
        request,
        "awards/award_detail.html",
        {
            "award": award,
            "holder_unit": holder,
            "initiatives": list(
                award.initiatives_used.select_related("unit").order_by("-year", "title")
            ),
            "events": list(history_for(award).order_by("-seq")[:HISTORY_LIMIT]),
            "can_manage": can(request.user, Perm.MANAGE_RECORDS, holder),
            "file_name": os.path.basename(award.file.name) if award.file else "",
        },
    )


@access(Perm.VIEW)
def award_file(request: HttpRequest, pk: int) -> HttpResponse:
    """The decision file, for whoever may see the award (uploads are not served publicly)."""
    award = get_award_for(request.user, pk)
    if not award.file:
        raise Http404
    try:
        handle = award.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(handle, as_attachment=True, filename=os.path.basename(award.file.name))
    response["Cache-Control"] = "private, no-store"
    # Streamed rather than read into memory; the access decorator's type names HttpResponse.
    return cast(HttpResponse, response)


# --- awards: create, edit, delete -------------------------------------------------------


def _award_form(
    request: HttpRequest, *, initial: dict[str, Any] | None = None, award: Award | None = None
) -> AwardForm:
    user = request.user
    post = request.method == "POST"
    return AwardForm(
        request.POST if post else None,
        request.FILES if post else None,
        initial=initial,
        people=people_visible_to(user, Perm.MANAGE_RECORDS),
        units=_units(user, Perm.MANAGE_RECORDS),
        types=_types() if award is None else _types_with(award.award_type),
        award_pk=award.pk if award is not None else None,
    )


def _types_with(current: AwardType) -> list[AwardType]:
    """Active types, plus the award's own one if it has since been retired."""
    types = _types()
    return types if current in types else [*types, current]


def _award_data(form: AwardForm) -> services.AwardData:
    data = form.cleaned_data
    return services.AwardData(
        award_type=data["award_type_obj"],
        year=data["year"],
        decision_number=data["decision_number"],
        decision_date=data["decision_date"],
        person=data["person_obj"],
        unit=data["unit_obj"],
        signer=data["signer"],
        authority=data["authority"],
        note=data["note"],
        file=data.get("file"),
        initiatives=data["initiative_objs"],
    )


def _save_award(request: HttpRequest, form: AwardForm, award: Award | None) -> Award | None:
    """Run the service; its refusals become errors on the form (nothing is written)."""
    try:
        if award is None:
            return services.award_create(actor=request.user, data=_award_data(form))
        return services.award_update(actor=request.user, award=award, data=_award_data(form))
    except Conflict as exc:
        form.add_error(None, exc.message)
    except ValidationFailed as exc:
        add_service_errors(form, exc.errors, AWARD_ALIASES)
    return None


def _award_form_page(request: HttpRequest, form: AwardForm, award: Award | None) -> HttpResponse:
    selected = {str(v) for v in (form["initiatives"].value() or [])}
    code = str(form["person"].value() or "").strip()
    if form["recipient_kind"].value() != PERSON:
        code = ""
    return render(
        request,
        "awards/award_form.html",
        {
            "form": form,
            "award": award,
            "offered": form.offered_initiatives,
            "selected": selected,
            "person_code": code,
            "person": form.people.select_related("unit").filter(code=code).first()
            if code
            else None,
        },
    )


@access(Perm.MANAGE_RECORDS)
def award_create(request: HttpRequest) -> HttpResponse:
    initial: dict[str, Any] = {"decision_date": None, "year": today().year - 1}
    if request.GET.get("unit"):
        initial.update(recipient_kind=UNIT, unit=request.GET["unit"])
    else:
        initial.update(recipient_kind=PERSON, person=request.GET.get("person", ""))
    form = _award_form(request, initial=initial)
    if request.method == "POST" and form.is_valid():
        award = _save_award(request, form, None)
        if award is not None:
            messages.success(
                request,
                _("Đã ghi “%(a)s” năm %(y)s cho %(r)s.")
                % {"a": award.award_type.name, "y": award.year, "r": award.recipient_label},
            )
            return redirect("awards:detail", pk=award.pk)
    return _award_form_page(request, form, None)


@access(Perm.MANAGE_RECORDS, object_page=True)
def award_edit(request: HttpRequest, pk: int) -> HttpResponse:
    award = get_award_for(request.user, pk, write=Perm.MANAGE_RECORDS)
    initial = {
        "recipient_kind": PERSON if award.person_id else UNIT,
        "person": award.person.code if award.person else "",
        "unit": award.unit.code if award.unit else "",
        "award_type": award.award_type.code,
        "year": award.year,
        "decision_number": award.decision_number,
        "decision_date": award.decision_date,
        "signer": award.signer,
        "authority": award.authority,
        "note": award.note,
        "initiatives": [str(pk) for pk in award.initiatives_used.values_list("pk", flat=True)],
    }
    form = _award_form(request, initial=initial, award=award)
    if request.method == "POST" and form.is_valid() and _save_award(request, form, award):
        messages.success(request, _("Đã lưu thay đổi."))
        return redirect("awards:detail", pk=award.pk)
    return _award_form_page(request, form, award)


@access(Perm.MANAGE_RECORDS, object_page=True)
def award_delete(request: HttpRequest, pk: int) -> HttpResponse:
    award = get_award_for(request.user, pk, write=Perm.MANAGE_RECORDS)
    if request.method == "POST":
        label = _("“%(a)s” năm %(y)s của %(r)s") % {
            "a": award.award_type.name,
            "y": award.year,
            "r": award.recipient_label,
        }
        services.award_delete(actor=request.user, award=award)
        messages.success(request, _("Đã xóa khen thưởng %(x)s.") % {"x": label})
        return redirect("awards:list")
    return render(
        request,
        "awards/award_confirm_delete.html",
        {"award": award, "initiatives": list(award.initiatives_used.order_by("title"))},
    )


# --- page helpers: people suggestions and a person's free initiatives --------------------


@access(Perm.MANAGE_RECORDS)
def person_options(request: HttpRequest) -> HttpResponse:
    """Suggestions (<option> elements) for the person boxes, among people the user manages."""
    q = fold(request.GET.get("q") or request.GET.get("person"))
    people: list[Person] = []
    if q:
        people = list(
            people_visible_to(request.user, Perm.MANAGE_RECORDS)
            .filter(Q(search_text__contains=q) | Q(code__iexact=q))
            .select_related("unit")
            .order_by("sort_key", "code")[:OPTIONS_LIMIT]
        )
    return render(request, "awards/includes/person_options.html", {"people": people})


@access(Perm.MANAGE_RECORDS)
def initiative_options(request: HttpRequest) -> HttpResponse:
    """The free initiatives of the person typed on the award form (check boxes)."""
    code = (request.GET.get("person") or "").strip()
    person = (
        people_visible_to(request.user, Perm.MANAGE_RECORDS)
        .select_related("unit")
        .filter(code=code)
        .first()
        if code
        else None
    )
    raw = request.GET.get("award", "")
    award_pk = int(raw) if raw.isdigit() else None
    return render(
        request,
        "awards/includes/initiative_choices.html",
        {
            "person": person,
            "person_code": code,
            "offered": offered_initiatives(person, award_pk),
            "selected": set(request.GET.getlist("initiatives")),
        },
    )


# --- initiatives -------------------------------------------------------------------------


def _authors() -> Prefetch[Any]:
    return Prefetch(
        "authors",
        queryset=Person.objects.only("code", "full_name", "sort_key").order_by("sort_key"),
    )


def _filtered_initiatives(
    user: Any, data: dict[str, Any], units: list[Unit]
) -> QuerySet[Initiative]:
    items = initiatives_visible_to(user).select_related(
        "unit", "used_by__award_type", "used_by__person", "used_by__unit"
    )
    q = fold(data.get("q"))
    if q:
        items = items.filter(search_text__contains=q)
    for name in ("year", "level", "kind"):
        if data.get(name):
            items = items.filter(**{name: data[name]})
    if data.get("used") == "used":
        items = items.filter(used_by__isnull=False)
    elif data.get("used") == "unused":
        items = items.filter(used_by__isnull=True)
    if data.get("person"):
        items = items.filter(authors__code=data["person"])
    unit = _subtree(units, data.get("unit"))
    if unit is not None:
        items = items.filter(unit__path__startswith=unit.path)
    return items.prefetch_related(_authors()).order_by("-year", "title", "pk")


@access(Perm.VIEW)
def initiative_list(request: HttpRequest) -> HttpResponse:
    units = _units(request.user)
    form = InitiativeFilterForm(request.GET, units=units)
    items = _filtered_initiatives(request.user, _cleaned(form), units)
    if request.GET.get("format") == "xlsx":
        return _export_initiatives(items)
    return render(
        request,
        "awards/initiative_list.html",
        {
            "form": form,
            "page": paginate(request, items),
            **_list_context(request, "initiative_import"),
        },
    )


def _export_initiatives(items: QuerySet[Initiative]) -> HttpResponse:
    headers = [
        _("Năm"),
        _("Loại"),
        _("Tên sáng kiến, đề tài"),
        _("Mã tác giả"),
        _("Tác giả"),
        _("Mã đơn vị"),
        _("Tên đơn vị"),
        _("Cấp công nhận"),
        _("Ngày công nhận"),
        _("Số quyết định công nhận"),
        _("Đã dùng cho khen thưởng"),
    ]

    def used(i: Initiative) -> str:
        if i.used_by is None:
            return ""
        return f"{i.used_by.award_type.name} {i.used_by.year} — {i.used_by.recipient_label}"

    def row(i: Initiative) -> tuple[Any, ...]:
        authors = list(i.authors.all())
        return (
            i.year,
            str(i.get_kind_display()),
            i.title,
            ", ".join(a.code for a in authors),
            ", ".join(a.full_name for a in authors),
            i.unit.code,
            i.unit.name,
            str(i.get_level_display()),
            fmt_date(i.recognized_on),
            i.decision_number,
            used(i),
        )

    rows = (row(i) for i in items.iterator(chunk_size=2000))
    return xlsx_response("sang-kien.xlsx", _("Sáng kiến, đề tài"), headers, rows)


@access(Perm.VIEW)
def initiative_detail(request: HttpRequest, initiative_pk: int) -> HttpResponse:
    initiative = get_initiative_for(request.user, initiative_pk)
    scope = scope_for(request.user, Perm.VIEW)
    award = None
    award_visible = False
    if initiative.used_by_id:
        award = (
            Award.objects.select_related("award_type", "person__unit", "unit")
            .filter(pk=initiative.used_by_id)
            .first()
        )
        award_visible = award is not None and scope.covers(_holder_unit(award))
    return render(
        request,
        "awards/initiative_detail.html",
        {
            "initiative": initiative,
            # Co-authors may work in units the user cannot open: named, not linked.
            "authors": [
                (a, scope.covers(a.unit))
                for a in initiative.authors.select_related("unit").order_by("sort_key")
            ],
            "award": award,
            "award_visible": award_visible,
            "events": list(history_for(initiative).order_by("-seq")[:HISTORY_LIMIT]),
            "can_manage": can(request.user, Perm.MANAGE_RECORDS, initiative.unit),
        },
    )


def _initiative_data(form: InitiativeForm) -> services.InitiativeData:
    data = form.cleaned_data
    return services.InitiativeData(
        title=data["title"],
        authors=data["authors"],
        unit=data["unit"],
        level=data["level"],
        recognized_on=data["recognized_on"],
        year=data["year"],
        kind=data["kind"],
        decision_number=data["decision_number"],
        summary=data["summary"],
    )


@access(Perm.MANAGE_RECORDS)
def initiative_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    initial = {
        "authors": request.GET.get("person", ""),
        "unit": request.GET.get("unit", ""),
        "year": today().year - 1,
    }
    if initial["authors"] and not initial["unit"]:
        author = people_visible_to(user, Perm.MANAGE_RECORDS).filter(code=initial["authors"])
        initial["unit"] = author.values_list("unit__code", flat=True).first() or ""
    form = InitiativeForm(
        request.POST or None,
        initial=initial,
        people=people_visible_to(user, Perm.MANAGE_RECORDS),
        units=_units(user, Perm.MANAGE_RECORDS),
    )
    if request.method == "POST" and form.is_valid():
        try:
            initiative = services.initiative_create(actor=user, data=_initiative_data(form))
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, {})
        else:
            messages.success(request, _("Đã thêm “%(t)s”.") % {"t": initiative.title})
            return redirect("awards:initiative_detail", initiative_pk=initiative.pk)
    return render(request, "awards/initiative_form.html", {"form": form, "initiative": None})


@access(Perm.MANAGE_RECORDS, object_page=True)
def initiative_edit(request: HttpRequest, initiative_pk: int) -> HttpResponse:
    user = request.user
    initiative = get_initiative_for(user, initiative_pk, write=Perm.MANAGE_RECORDS)
    current = list(initiative.authors.order_by("sort_key").values_list("code", flat=True))
    # Co-authors from units outside the user's scope stay on the initiative.
    people = people_visible_to(user, Perm.MANAGE_RECORDS) | Person.objects.filter(code__in=current)
    units = _units(user, Perm.MANAGE_RECORDS)
    form = InitiativeForm(
        request.POST or None,
        initial={
            "kind": initiative.kind,
            "title": initiative.title,
            "authors": ", ".join(current),
            "unit": initiative.unit.code,
            "level": initiative.level,
            "recognized_on": initiative.recognized_on,
            "year": initiative.year,
            "decision_number": initiative.decision_number,
            "summary": initiative.summary,
        },
        people=people,
        units=units,
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.initiative_update(
                actor=user, initiative=initiative, data=_initiative_data(form)
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, {})
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("awards:initiative_detail", initiative_pk=initiative.pk)
    return render(request, "awards/initiative_form.html", {"form": form, "initiative": initiative})


@access(Perm.MANAGE_RECORDS, object_page=True)
def initiative_delete(request: HttpRequest, initiative_pk: int) -> HttpResponse:
    initiative = get_initiative_for(request.user, initiative_pk, write=Perm.MANAGE_RECORDS)
    error = ""
    if request.method == "POST":
        try:
            services.initiative_delete(actor=request.user, initiative=initiative)
        except Conflict as exc:
            error = exc.message
        else:
            messages.success(request, _("Đã xóa “%(t)s”.") % {"t": initiative.title})
            return redirect("awards:initiatives")
    return render(
        request,
        "awards/initiative_confirm_delete.html",
        {"initiative": initiative, "error": error},
    )


# --- discipline --------------------------------------------------------------------------


def _filtered_disciplines(
    user: Any, data: dict[str, Any], units: list[Unit]
) -> QuerySet[Discipline]:
    items = disciplines_visible_to(user).select_related("person__unit")
    q = fold(data.get("q"))
    if q:
        items = items.filter(person__search_text__contains=q)
    if data.get("status"):
        items = items.filter(status=data["status"])
    if data.get("form"):
        items = items.filter(form=data["form"])
    if data.get("year"):
        year = data["year"]
        items = items.filter(
            Q(decided_on__year=year) | Q(decided_on__isnull=True, opened_on__year=year)
        )
    if data.get("person"):
        items = items.filter(person__code=data["person"])
    unit = _subtree(units, data.get("unit"))
    if unit is not None:
        items = items.filter(person__unit__path__startswith=unit.path)
    # Pending cases first (they block awards), then the latest decisions.
    return items.order_by(F("decided_on").desc(nulls_first=True), "-pk")


@access(Perm.VIEW_SENSITIVE)
def discipline_list(request: HttpRequest) -> HttpResponse:
    units = _units(request.user, Perm.VIEW_SENSITIVE)
    form = DisciplineFilterForm(request.GET, units=units)
    items = _filtered_disciplines(request.user, _cleaned(form), units)
    if request.GET.get("format") == "xlsx":
        return _export_disciplines(items)
    return render(
        request,
        "awards/discipline_list.html",
        {
            "form": form,
            "page": paginate(request, items),
            **_list_context(request),
        },
    )


def _export_disciplines(items: QuerySet[Discipline]) -> HttpResponse:
    headers = [
        _("Mã cán bộ"),
        _("Họ và tên"),
        _("Mã đơn vị"),
        _("Tên đơn vị"),
        _("Hình thức"),
        _("Trạng thái"),
        _("Ngày phát sinh"),
        _("Ngày quyết định"),
        _("Hết hiệu lực"),
        _("Số quyết định"),
        _("Lý do"),
    ]
    rows = (
        (d.person.code, d.person.full_name, d.person.unit.code, d.person.unit.name,
         str(d.get_form_display()), str(d.get_status_display()), fmt_date(d.opened_on),
         fmt_date(d.decided_on), fmt_date(d.ends_on), d.decision_number, d.reason)
        for d in items.iterator(chunk_size=2000)
    )  # fmt: skip
    return xlsx_response("ky-luat.xlsx", _("Kỷ luật"), headers, rows)


@access(Perm.VIEW_SENSITIVE)
def discipline_detail(request: HttpRequest, discipline_pk: int) -> HttpResponse:
    discipline = get_discipline_for(request.user, discipline_pk)
    return render(
        request,
        "awards/discipline_detail.html",
        {
            "discipline": discipline,
            "events": list(history_for(discipline).order_by("-seq")[:HISTORY_LIMIT]),
            "can_manage": can(request.user, Perm.MANAGE_RECORDS, discipline.person.unit),
        },
    )


def _discipline_data(form: DisciplineFormForm) -> services.DisciplineData:
    data = form.cleaned_data
    return services.DisciplineData(
        person=data["person"],
        form=data["form"],
        status=data["status"],
        opened_on=data["opened_on"],
        decided_on=data["decided_on"],
        ends_on=data["ends_on"],
        decision_number=data["decision_number"],
        reason=data["reason"],
    )


@access(Perm.MANAGE_RECORDS)
def discipline_create(request: HttpRequest) -> HttpResponse:
    form = DisciplineFormForm(
        request.POST or None,
        initial={"person": request.GET.get("person", ""), "status": DisciplineStatus.DECIDED},
        people=people_visible_to(request.user, Perm.MANAGE_RECORDS),
    )
    if request.method == "POST" and form.is_valid():
        try:
            discipline = services.discipline_create(actor=request.user, data=_discipline_data(form))
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, {})
        else:
            messages.success(
                request,
                _("Đã ghi kỷ luật của %(p)s.") % {"p": discipline.person.full_name},
            )
            return redirect("awards:discipline_detail", discipline_pk=discipline.pk)
    return render(request, "awards/discipline_form.html", {"form": form, "discipline": None})


@access(Perm.MANAGE_RECORDS, object_page=True)
def discipline_edit(request: HttpRequest, discipline_pk: int) -> HttpResponse:
    discipline = get_discipline_for(request.user, discipline_pk, write=Perm.MANAGE_RECORDS)
    form = DisciplineFormForm(
        request.POST or None,
        initial={
            "person": discipline.person.code,
            "form": discipline.form,
            "status": discipline.status,
            "opened_on": discipline.opened_on,
            "decided_on": discipline.decided_on,
            "ends_on": discipline.ends_on,
            "decision_number": discipline.decision_number,
            "reason": discipline.reason,
        },
        people=people_visible_to(request.user, Perm.MANAGE_RECORDS),
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.discipline_update(
                actor=request.user, discipline=discipline, data=_discipline_data(form)
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, {})
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("awards:discipline_detail", discipline_pk=discipline.pk)
    return render(request, "awards/discipline_form.html", {"form": form, "discipline": discipline})


# --- panels of the person and unit pages --------------------------------------------------


def person_records_context(request: HttpRequest, person: Person) -> dict[str, Any]:
    """Awards, initiatives and (for those allowed) discipline of one person: four queries.

    The person page includes templates/awards/includes/person_records.html with it.
    """
    user = request.user
    sensitive = can(user, Perm.VIEW_SENSITIVE, person.unit)
    disciplines = (
        list(
            person.disciplines.order_by(F("decided_on").desc(nulls_first=True), "-pk")[
                : PANEL_LIMIT + 1
            ]
        )
        if sensitive
        else None
    )
    awards = list(
        person.awards.select_related("award_type").order_by("-year", "award_type__order", "pk")[
            : PANEL_LIMIT + 1
        ]
    )
    initiatives = list(
        person.initiatives.select_related("used_by__award_type").order_by("-year", "title", "pk")[
            : PANEL_LIMIT + 1
        ]
    )
    return {
        "records": {
            "person": person,
            "awards": awards[:PANEL_LIMIT],
            "awards_more": len(awards) > PANEL_LIMIT,
            "initiatives": initiatives[:PANEL_LIMIT],
            "initiatives_more": len(initiatives) > PANEL_LIMIT,
            "disciplines": disciplines[:PANEL_LIMIT] if disciplines is not None else None,
            "disciplines_more": disciplines is not None and len(disciplines) > PANEL_LIMIT,
            "sensitive": sensitive,
            "pending": any(d.status == DisciplineStatus.PENDING for d in disciplines or []),
            "can_manage": can(user, Perm.MANAGE_RECORDS, person.unit),
        }
    }


def unit_records_context(request: HttpRequest, unit: Unit) -> dict[str, Any]:
    """Collective awards of one unit, initiatives of its subtree, and counts; a fixed
    number of queries. The unit page includes templates/awards/includes/unit_records.html."""
    user = request.user
    sensitive = can(user, Perm.VIEW_SENSITIVE, unit)
    awards = list(
        unit.awards.select_related("award_type").order_by("-year", "award_type__order", "pk")[
            : PANEL_LIMIT + 1
        ]
    )
    in_subtree = Initiative.objects.filter(unit__path__startswith=unit.path)
    initiatives = list(
        in_subtree.select_related("unit", "used_by__award_type").order_by("-year", "title", "pk")[
            : PANEL_LIMIT + 1
        ]
    )
    individual = Award.objects.filter(person__unit__path__startswith=unit.path).count()
    pending = (
        Discipline.objects.filter(
            person__unit__path__startswith=unit.path, status=DisciplineStatus.PENDING
        ).count()
        if sensitive
        else None
    )
    return {
        "records": {
            "unit": unit,
            "awards": awards[:PANEL_LIMIT],
            "awards_more": len(awards) > PANEL_LIMIT,
            "initiatives": initiatives[:PANEL_LIMIT],
            "initiatives_more": len(initiatives) > PANEL_LIMIT,
            "individual_awards": individual,
            "pending_disciplines": pending,
            "sensitive": sensitive,
            "can_manage": can(user, Perm.MANAGE_RECORDS, unit),
        }
    }
