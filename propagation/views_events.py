"""Pages of events: the list (filters, search, Excel), an event's page by kind, the forms,
participating units (htmx or plain forms), and a contest's entries, jury scores and results.

Every change goes through propagation.services_events; pages only parse input, show the
service's errors next to the fields and offer what the user may do on the organising unit
(MANAGE_OUTREACH).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.contrib import messages
from django.db.models import (
    Avg,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
)
from django.db.models.functions import Coalesce
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from django.views.decorators.http import require_POST

from accounts.access import Perm, access, can, units_visible_to
from audit.services import history_for
from core.errors import Conflict, ValidationFailed
from core.paging import paginate
from core.text import fold
from core.xlsx import xlsx_response
from exemplars.access import exemplars_visible_to
from exemplars.models import Exemplar
from organizations.models import Unit, UnitStatus
from people.forms import add_service_errors
from propagation import services_events as services
from propagation.access import (
    events_visible_to,
    get_event_for,
    get_jury_contest_for,
    get_jury_member_for,
    jury_contests_of,
)
from propagation.forms_events import (
    EntryForm,
    EventFilterForm,
    EventForm,
    JuryForm,
    MyScoresForm,
    ParticipationForm,
    ResultsForm,
    ScoreForm,
    WithdrawForm,
)
from propagation.models import ContestEntry, ContestResult, Event, EventKind, JuryScore
from propagation.models import Participation as Part

UNIT_FIELDS = ("code", "name", "depth", "path", "status")
HISTORY_LIMIT = 100
EXEMPLAR_RELATED = ("unit", "person", "subject_unit")


def _is_htmx(request: HttpRequest) -> bool:
    return request.headers.get("HX-Request") == "true"


def _units(user: Any, perm: Perm = Perm.VIEW) -> list[Unit]:
    return list(
        units_visible_to(user, perm)
        .filter(status=UnitStatus.ACTIVE)
        .only(*UNIT_FIELDS)
        .order_by("path")
    )


def _exemplar_choices(user: Any, keep: list[Exemplar] | None = None) -> list[Exemplar]:
    """Eligible exemplars of the user's scope; an edit keeps the ones already chosen."""
    rows = list(
        services.eligible_exemplars(user).select_related(*EXEMPLAR_RELATED).order_by("title", "pk")
    )
    have = {e.pk for e in rows}
    for exemplar in keep or []:
        if exemplar.pk not in have:
            rows.insert(0, exemplar)
    return rows


def detail_url(event: Event, section: str = "") -> str:
    url = reverse("propagation:event_detail", args=[event.pk])
    return f"{url}#{section}" if section else url


# --- the list ---------------------------------------------------------------------------------


def _with_counts(rows: QuerySet[Event]) -> QuerySet[Event]:
    """Participants, units, entries and exemplars per event, each as a subquery (joining
    them all at once would multiply the rows)."""
    parts = Part.objects.filter(event=OuterRef("pk")).order_by().values("event")
    entries = ContestEntry.objects.filter(event=OuterRef("pk")).order_by().values("event")
    through = Event.exemplars.through
    linked = through.objects.filter(event_id=OuterRef("pk")).order_by().values("event_id")

    def count(sub: Any, expr: Any) -> Coalesce:
        return Coalesce(
            Subquery(sub.annotate(n=expr).values("n")[:1], output_field=IntegerField()),
            Value(0),
        )

    return rows.annotate(
        participants_total=count(parts, Sum("participants")),
        units_count=count(parts, Count("pk")),
        entries_count=count(entries, Count("pk")),
        exemplars_count=count(linked, Count("pk")),
    )


def _filtered(request: HttpRequest, form: EventFilterForm, units: list[Unit]) -> QuerySet[Event]:
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    rows = events_visible_to(request.user)
    if data.get("kind"):
        rows = rows.filter(kind=data["kind"])
    if data.get("year"):
        rows = rows.filter(starts_on__year=data["year"])
    if data.get("unit"):
        unit = next((u for u in units if u.code == data["unit"]), None)
        if unit is not None:
            rows = rows.filter(unit__path__startswith=unit.path)
    if data.get("field"):
        rows = rows.filter(field=data["field"])
    q = fold(data.get("q"))
    if q:
        rows = rows.filter(search_text__contains=q)
    return rows


LIST_HEADERS = [
    gettext_noop("Loại sự kiện"),
    gettext_noop("Tên sự kiện"),
    gettext_noop("Đơn vị tổ chức"),
    gettext_noop("Lĩnh vực"),
    gettext_noop("Từ ngày"),
    gettext_noop("Đến ngày"),
    gettext_noop("Địa điểm"),
    gettext_noop("Số điển hình"),
    gettext_noop("Số đơn vị tham gia"),
    gettext_noop("Số người tham gia"),
    gettext_noop("Số tác phẩm dự thi"),
]


def _list_rows(rows: QuerySet[Event]) -> Iterator[list[Any]]:
    kinds = dict(EventKind.choices)
    for e in rows.iterator(chunk_size=2000):
        yield [
            str(kinds.get(e.kind, e.kind)),
            e.title,
            e.unit.name,
            e.field,
            e.starts_on.strftime("%d/%m/%Y"),
            e.ends_on.strftime("%d/%m/%Y") if e.ends_on else "",
            e.location,
            e.exemplars_count,  # type: ignore[attr-defined]
            e.units_count,  # type: ignore[attr-defined]
            e.participants_total,  # type: ignore[attr-defined]
            e.entries_count,  # type: ignore[attr-defined]
        ]


@access(Perm.VIEW)
def event_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    units = _units(user)
    fields = list(
        events_visible_to(user)
        .exclude(field="")
        .order_by("field")
        .values_list("field", flat=True)
        .distinct()
    )
    form = EventFilterForm(request.GET, units=units, fields=fields)
    rows = _with_counts(_filtered(request, form, units).select_related("unit"))
    if request.GET.get("format") == "xlsx":
        return xlsx_response(
            "su-kien-tuyen-truyen.xlsx",
            _("Sự kiện tuyên truyền"),
            [_(h) for h in LIST_HEADERS],
            _list_rows(rows),
        )
    return render(
        request,
        "propagation/events/list.html",
        {
            "form": form,
            "page": paginate(request, rows),
            "can_create": units_visible_to(user, Perm.MANAGE_OUTREACH).exists(),
            "kinds": EventKind.choices,
        },
    )


# --- create, edit, delete -------------------------------------------------------------------


def _event_data(data: dict[str, Any], kind: str) -> services.EventData:
    return services.EventData(
        kind=kind,
        title=data["title"],
        unit=data["unit_obj"],
        starts_on=data["starts_on"],
        ends_on=data.get("ends_on"),
        field=data.get("field") or "",
        location=data.get("location") or "",
        description=data.get("description") or "",
        learned=data.get("learned") or "",
        exemplars=data["exemplar_objs"],
    )


@access(Perm.MANAGE_OUTREACH)
def event_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    options: dict[str, Any] = {
        "units": _units(user, Perm.MANAGE_OUTREACH),
        "exemplars": _exemplar_choices(user),
    }
    if request.method != "POST":
        kind = request.GET.get("kind", "")
        initial: dict[str, Any] = {"kind": kind if kind in EventKind.values else ""}
        if len(options["units"]) == 1:
            initial["unit"] = options["units"][0].code
        form = EventForm(initial=initial, **options)
        return render(request, "propagation/events/form.html", {"form": form, "event": None})
    form = EventForm(request.POST, **options)
    if form.is_valid():
        data = form.cleaned_data
        if data["unit_obj"] is None:
            form.add_error("unit", _("Chọn đơn vị tổ chức."))
        else:
            try:
                event = services.event_create(actor=user, data=_event_data(data, data["kind"]))
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors, {})
            else:
                messages.success(request, _("Đã tạo sự kiện “%(t)s”.") % {"t": event.title})
                return redirect("propagation:event_detail", pk=event.pk)
    return render(request, "propagation/events/form.html", {"form": form, "event": None})


@access(Perm.MANAGE_OUTREACH, object_page=True)
def event_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    event = get_event_for(user, pk, write=Perm.MANAGE_OUTREACH)
    current = list(event.exemplars.select_related(*EXEMPLAR_RELATED))
    units = _units(user, Perm.MANAGE_OUTREACH)
    if all(u.pk != event.unit_id for u in units):
        units.insert(0, event.unit)
    options: dict[str, Any] = {
        "units": units,
        "exemplars": _exemplar_choices(user, current),
        "fixed_kind": event.kind,
    }
    if request.method != "POST":
        initial = {
            "title": event.title,
            "unit": event.unit.code,
            "field": event.field,
            "starts_on": event.starts_on,
            "ends_on": event.ends_on,
            "location": event.location,
            "description": event.description,
            "learned": event.learned,
            "exemplars": [str(e.pk) for e in current],
        }
        form = EventForm(initial=initial, **options)
        return render(request, "propagation/events/form.html", {"form": form, "event": event})
    form = EventForm(request.POST, **options)
    if form.is_valid():
        data = form.cleaned_data
        if data["unit_obj"] is None:
            form.add_error("unit", _("Chọn đơn vị tổ chức."))
        else:
            try:
                services.event_update(actor=user, event=event, data=_event_data(data, event.kind))
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors, {})
            else:
                messages.success(request, _("Đã lưu thay đổi."))
                return redirect("propagation:event_detail", pk=event.pk)
    return render(request, "propagation/events/form.html", {"form": form, "event": event})


@access(Perm.MANAGE_OUTREACH, object_page=True)
def event_delete(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_event_for(request.user, pk, write=Perm.MANAGE_OUTREACH)
    if request.method == "POST" and request.POST.get("confirmed") == "1":
        services.event_delete(actor=request.user, event=event)
        messages.success(request, _("Đã xóa sự kiện “%(t)s”.") % {"t": event.title})
        return redirect("propagation:event_list")
    counts = event.participations.aggregate(n=Count("pk"))
    return render(
        request,
        "propagation/events/confirm_delete.html",
        {
            "event": event,
            "participations": counts["n"],
            "entries": event.entries.count(),
        },
    )


# --- the event page ---------------------------------------------------------------------------


def _participants_context(
    request: HttpRequest,
    event: Event,
    can_manage: bool,
    form: ParticipationForm | None = None,
    status: str = "",
) -> dict[str, Any]:
    rows = list(event.participations.select_related("unit"))
    if can_manage and form is None:
        form = ParticipationForm(units=_units(request.user))
    return {
        "event": event,
        "participations": rows,
        "total_people": sum(p.participants for p in rows),
        "can_manage": can_manage,
        "participation_form": form,
        "status": status,
    }


def _contest_context(request: HttpRequest, event: Event, can_manage: bool) -> dict[str, Any]:
    entries = list(services.ranked_entries(event))
    published = any(e.result for e in entries)
    scores: dict[int, list[JuryScore]] = {}
    if can_manage:
        for score in (
            JuryScore.objects.filter(entry__event=event)
            .select_related("juror")
            .order_by("entry_id", "juror__username")
        ):
            scores.setdefault(score.entry_id, []).append(score)
    for rank, entry in enumerate(entries, start=1):
        entry.rank = rank  # type: ignore[attr-defined]
        entry.jury = scores.get(entry.pk, [])  # type: ignore[attr-defined]
    visible = set(
        exemplars_visible_to(request.user)
        .filter(pk__in=[e.exemplar_id for e in entries])
        .values_list("pk", flat=True)
    )
    jury = services.jury_progress(event)
    jury_form = None
    if can_manage and not published:
        jury_form = _jury_form(event)
    return {
        "jury": jury,
        "jury_form": jury_form,
        "is_juror": any(j.member.user_id == request.user.pk for j in jury),
        "entries": entries,
        "published": published,
        # The jury's marks stay with the organisers until the results are out.
        "show_scores": can_manage or published,
        "winners": [e for e in entries if e.result in services.AWARDED],
        "all_scored": bool(entries) and all(e.n_scores for e in entries),  # type: ignore[attr-defined]
        "visible_exemplars": visible,
    }


def _export_event(event: Event, context: dict[str, Any]) -> HttpResponse:
    if event.kind == EventKind.CONTEST:
        show = context["show_scores"]
        headers = [
            _("Xếp theo điểm"),
            _("Tên tác phẩm"),
            _("Tác giả"),
            _("Đơn vị của tác giả"),
            _("Điển hình được viết về"),
            _("Đường dẫn"),
            _("Số giám khảo đã chấm"),
            _("Điểm trung bình"),
            _("Kết quả"),
        ]
        results = dict(ContestResult.choices)
        rows: list[list[Any]] = [
            [
                e.rank if show else "",
                e.title,
                e.author,
                e.unit.name if e.unit else "",
                e.exemplar.title,
                e.url,
                e.n_scores if show else "",
                round(float(e.mean), 2) if show and e.mean is not None else "",
                str(results.get(e.result, "")) if e.result else "",
            ]
            for e in context["entries"]
        ]
        return xlsx_response(
            f"ket-qua-cuoc-thi-{event.pk}.xlsx", _("Kết quả cuộc thi"), headers, rows
        )
    headers = [_("Mã đơn vị"), _("Đơn vị tham gia"), _("Số người tham gia"), _("Ghi chú")]
    rows = [[p.unit.code, p.unit.name, p.participants, p.note] for p in context["participations"]]
    return xlsx_response(f"don-vi-tham-gia-{event.pk}.xlsx", _("Đơn vị tham gia"), headers, rows)


def _detail_context(request: HttpRequest, event: Event) -> dict[str, Any]:
    user = request.user
    can_manage = can(user, Perm.MANAGE_OUTREACH, event.unit)
    exemplars = list(event.exemplars.select_related(*EXEMPLAR_RELATED).order_by("title"))
    visible = set(
        exemplars_visible_to(user)
        .filter(pk__in=[e.pk for e in exemplars])
        .values_list("pk", flat=True)
    )
    context = {
        **_participants_context(request, event, can_manage),
        "exemplars": exemplars,
        "visible_exemplars": visible,
        "is_contest": event.kind == EventKind.CONTEST,
        "with_exemplars": event.kind in services.WITH_EXEMPLARS,
        # The organisers' history: before the results it holds the jury's marks, which
        # readers do not see.
        "history": list(history_for(event).order_by("-seq")[:HISTORY_LIMIT]) if can_manage else [],
    }
    if event.kind == EventKind.CONTEST:
        contest = _contest_context(request, event, can_manage)
        contest["visible_exemplars"] |= visible
        context.update(contest)
    return context


@access(Perm.VIEW)
def event_detail(request: HttpRequest, pk: int) -> HttpResponse:
    event = get_event_for(request.user, pk)
    context = _detail_context(request, event)
    if request.GET.get("format") == "xlsx":
        return _export_event(event, context)
    return render(request, "propagation/events/detail.html", context)


# --- participating units ---------------------------------------------------------------------


@access(Perm.MANAGE_OUTREACH, object_page=True)
@require_POST
def participation_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Add a unit (or change its numbers). htmx redraws the section; a plain form comes
    back to the event page."""
    event = get_event_for(request.user, pk, write=Perm.MANAGE_OUTREACH)
    form = ParticipationForm(request.POST, units=_units(request.user))
    status = ""
    if form.is_valid():
        data = form.cleaned_data
        try:
            row = services.participation_save(
                actor=request.user,
                event=event,
                unit=data["unit_obj"],
                participants=data["participants"],
                note=data["note"],
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, {})
        else:
            status = _("Đã ghi %(u)s: %(n)s người.") % {"u": row.unit.name, "n": row.participants}
            form = ParticipationForm(units=_units(request.user))
    if _is_htmx(request):
        return render(
            request,
            "propagation/events/_participants.html",
            _participants_context(request, event, True, form, status),
        )
    if status:
        messages.success(request, status)
    else:
        errors = "; ".join(str(e) for errs in form.errors.values() for e in errs)
        messages.error(request, _("Chưa ghi được đơn vị tham gia: %(e)s") % {"e": errors})
    return redirect(detail_url(event, "participants"))


@access(Perm.MANAGE_OUTREACH, object_page=True)
def participation_remove(request: HttpRequest, pk: int, part: int) -> HttpResponse:
    event = get_event_for(request.user, pk, write=Perm.MANAGE_OUTREACH)
    row = get_object_or_404(Part.objects.select_related("unit", "event"), event=event, pk=part)
    if request.method == "POST" and request.POST.get("confirmed") == "1":
        services.participation_remove(actor=request.user, participation=row)
        status = _("Đã bỏ %(u)s khỏi danh sách tham gia.") % {"u": row.unit.name}
        if _is_htmx(request):
            return render(
                request,
                "propagation/events/_participants.html",
                _participants_context(request, event, True, status=status),
            )
        messages.success(request, status)
        return redirect(detail_url(event, "participants"))
    return render(
        request, "propagation/events/participation_remove.html", {"event": event, "row": row}
    )


# --- contests: entries -------------------------------------------------------------------------


def _contest_for(request: HttpRequest, pk: int) -> Event:
    event = get_event_for(request.user, pk, write=Perm.MANAGE_OUTREACH)
    if event.kind != EventKind.CONTEST:
        raise Http404
    return event


def _entry_of(event: Event, entry: int) -> ContestEntry:
    return get_object_or_404(
        ContestEntry.objects.select_related("exemplar", "unit", "event"), event=event, pk=entry
    )


def _locked(request: HttpRequest, event: Event) -> HttpResponse | None:
    if services.results_published(event):
        messages.error(
            request,
            _("Cuộc thi đã công bố kết quả: không thay đổi tác phẩm, điểm được nữa. "
              "Cần sửa thì hủy công bố kết quả trước."),
        )  # fmt: skip
        return redirect(detail_url(event, "entries"))
    return None


def _entry_page(request: HttpRequest, event: Event, entry: ContestEntry | None) -> HttpResponse:
    if (stop := _locked(request, event)) is not None:
        return stop
    keep = [entry.exemplar] if entry is not None else []
    options: dict[str, Any] = {
        "units": _units(request.user),
        "exemplars": _exemplar_choices(request.user, keep),
    }
    if (
        entry is not None
        and entry.unit is not None
        and entry.unit.code not in {u.code for u in options["units"]}
    ):
        options["units"].insert(0, entry.unit)
    if request.method == "POST":
        form = EntryForm(request.POST, **options)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = services.entry_save(
                    actor=request.user,
                    event=event,
                    entry=entry,
                    data=services.EntryData(
                        exemplar=data["exemplar_obj"],
                        title=data["title"],
                        author=data["author"],
                        unit=data["unit_obj"],
                        url=data["url"],
                    ),
                )
            except Conflict as exc:
                messages.error(request, exc.message)
                return redirect(detail_url(event, "entries"))
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors, {})
            else:
                messages.success(request, _("Đã lưu tác phẩm “%(t)s”.") % {"t": saved.title})
                return redirect(detail_url(event, "entries"))
    else:
        initial = {}
        if entry is not None:
            initial = {
                "exemplar": str(entry.exemplar_id),
                "title": entry.title,
                "author": entry.author,
                "unit": entry.unit.code if entry.unit else "",
                "url": entry.url,
            }
        form = EntryForm(initial=initial, **options)
    return render(
        request,
        "propagation/events/entry_form.html",
        {"event": event, "entry": entry, "form": form},
    )


@access(Perm.MANAGE_OUTREACH, object_page=True)
def entry_add(request: HttpRequest, pk: int) -> HttpResponse:
    return _entry_page(request, _contest_for(request, pk), None)


@access(Perm.MANAGE_OUTREACH, object_page=True)
def entry_edit(request: HttpRequest, pk: int, entry: int) -> HttpResponse:
    event = _contest_for(request, pk)
    return _entry_page(request, event, _entry_of(event, entry))


@access(Perm.MANAGE_OUTREACH, object_page=True)
def entry_delete(request: HttpRequest, pk: int, entry: int) -> HttpResponse:
    event = _contest_for(request, pk)
    row = _entry_of(event, entry)
    if (stop := _locked(request, event)) is not None:
        return stop
    if request.method == "POST" and request.POST.get("confirmed") == "1":
        try:
            services.entry_delete(actor=request.user, entry=row)
        except Conflict as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã xóa tác phẩm “%(t)s”.") % {"t": row.title})
        return redirect(detail_url(event, "entries"))
    return render(
        request,
        "propagation/events/entry_delete.html",
        {"event": event, "entry": row, "scores": row.scores.count()},
    )


# --- contests: jury scores and results ---------------------------------------------------------


@access(Perm.MANAGE_OUTREACH, object_page=True)
def entry_score(request: HttpRequest, pk: int, entry: int) -> HttpResponse:
    """The entry's jury scores, and the form that records one juror's score (again: replaces)."""
    event = _contest_for(request, pk)
    row = _entry_of(event, entry)
    if (stop := _locked(request, event)) is not None:
        return stop
    jurors = [j.member.user for j in services.jury_progress(event)]
    if not jurors:
        messages.error(request, _("Cuộc thi chưa có ban giám khảo: thêm thành viên trước."))
        return redirect(detail_url(event, "jury"))
    if request.method == "POST":
        form = ScoreForm(request.POST, jurors=jurors)
        if form.is_valid():
            data = form.cleaned_data
            try:
                saved = services.score_set(
                    actor=request.user,
                    entry=row,
                    juror=data["juror_obj"],
                    score=data["score"],
                    comment=data["comment"],
                )
            except Conflict as exc:
                messages.error(request, exc.message)
                return redirect(detail_url(event, "entries"))
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors, {})
            else:
                messages.success(
                    request,
                    _("Đã ghi điểm %(s)s của giám khảo %(j)s cho tác phẩm “%(t)s”.")
                    % {
                        "s": saved.score,
                        "j": saved.juror.get_full_name() or saved.juror.username,
                        "t": row.title,
                    },
                )
                return redirect(detail_url(event, "entries"))
    else:
        mine = row.scores.filter(juror_id=request.user.pk).first()
        initial: dict[str, Any] = {}
        if any(u.pk == request.user.pk for u in jurors):
            initial["juror"] = str(request.user.pk)
        if mine is not None:
            initial.update(score=mine.score, comment=mine.comment)
        form = ScoreForm(initial=initial, jurors=jurors)
    scores = list(row.scores.select_related("juror").order_by("juror__username"))
    mean = row.scores.aggregate(mean=Avg("score"))["mean"]
    return render(
        request,
        "propagation/events/score.html",
        {"event": event, "entry": row, "form": form, "scores": scores, "mean": mean},
    )


# --- contests: the jury -----------------------------------------------------------------------


def _jury_form(event: Event, data: Any = None) -> JuryForm:
    return JuryForm(
        data,
        candidates=services.jurors_for(event),
        options_url=reverse("propagation:event_jury_candidates", args=[event.pk]),
    )


@access(Perm.MANAGE_OUTREACH, object_page=True)
def jury_candidates(request: HttpRequest, pk: int) -> HttpResponse:
    """Suggestions (<option> elements) for the jury box."""
    event = _contest_for(request, pk)
    people = services.juror_candidates(event, request.GET.get("user") or "")
    return render(request, "propagation/events/juror_options.html", {"people": people})


@access(Perm.MANAGE_OUTREACH, object_page=True)
@require_POST
def jury_add(request: HttpRequest, pk: int) -> HttpResponse:
    """Name a jury member (the form sits on the contest page)."""
    event = _contest_for(request, pk)
    if (stop := _locked(request, event)) is not None:
        return stop
    form = _jury_form(event, request.POST)
    if not form.is_valid():
        problems = [str(e) for errors in form.errors.values() for e in errors]
        messages.error(request, " ".join(problems) or _("Chọn người cần thêm vào ban giám khảo."))
        return redirect(detail_url(event, "jury"))
    try:
        member = services.jury_add(
            actor=request.user,
            event=event,
            user=form.cleaned_data["user_obj"],
            is_chair=form.cleaned_data["is_chair"],
        )
    except ValidationFailed as exc:
        messages.error(request, " ".join(e.message for e in exc.errors))
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã thêm %(u)s vào ban giám khảo.") % {"u": member})
    return redirect(detail_url(event, "jury"))


@access(Perm.MANAGE_OUTREACH, object_page=True)
def jury_remove(request: HttpRequest, pk: int, member: int) -> HttpResponse:
    row = get_jury_member_for(request.user, pk, member)
    event = row.event
    if (stop := _locked(request, event)) is not None:
        return stop
    if request.method == "POST" and request.POST.get("confirmed") == "1":
        try:
            gone = services.jury_remove(actor=request.user, member=row)
        except Conflict as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request,
                _("Đã bỏ %(u)s khỏi ban giám khảo (cùng %(n)s điểm đã chấm).")
                % {"u": row, "n": gone},
            )
        return redirect(detail_url(event, "jury"))
    scored = JuryScore.objects.filter(entry__event=event, juror_id=row.user_id).count()
    return render(
        request,
        "propagation/events/jury_remove.html",
        {"event": event, "member": row, "scored": scored},
    )


@access(Perm.VIEW, login_only=True)
def my_contests(request: HttpRequest) -> HttpResponse:
    """The contests the user judges, with how many entries they have scored."""
    contests = (
        jury_contests_of(request.user)
        .annotate(
            entries_count=Count("entries", distinct=True),
            scored=Coalesce(
                Subquery(
                    JuryScore.objects.filter(entry__event=OuterRef("pk"), juror_id=request.user.pk)
                    .values("entry__event")
                    .annotate(n=Count("pk"))
                    .values("n"),
                    output_field=IntegerField(),
                ),
                Value(0),
            ),
            published=Exists(ContestEntry.objects.filter(event=OuterRef("pk")).exclude(result="")),
        )
        .order_by("-starts_on", "pk")
    )
    return render(
        request,
        "propagation/events/my_contests.html",
        {"page": paginate(request, contests)},
    )


@access(Perm.VIEW, object_page=True, login_only=True)
def my_scores(request: HttpRequest, pk: int) -> HttpResponse:
    """A jury member's own sheet: every entry with their score and remark."""
    event = get_jury_contest_for(request.user, pk)
    entries = list(event.entries.select_related("exemplar", "unit").order_by("title", "pk"))
    mine = {
        s.entry_id: s
        for s in JuryScore.objects.filter(entry__event=event, juror_id=request.user.pk)
    }
    published = services.results_published(event)
    form = MyScoresForm(
        request.POST if request.method == "POST" and not published else None,
        entries=entries,
        mine=mine,
    )
    if published:
        for field in form.fields.values():
            field.disabled = True
    if form.is_bound and form.is_valid():
        try:
            saved = services.my_scores_set(actor=request.user, event=event, marks=form.marks())
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("propagation:event_my_scores", pk=event.pk)
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, {})
        else:
            messages.success(
                request,
                _("Đã lưu điểm của bạn cho %(n)s tác phẩm.") % {"n": len(saved)},
            )
            return redirect("propagation:event_my_scores", pk=event.pk)
    return render(
        request,
        "propagation/events/my_scores.html",
        {
            "event": event,
            "form": form,
            "published": published,
            "done": len(mine),
            "total": len(entries),
            # A juror from a unit below the organiser may not see the contest's page.
            "event_visible": events_visible_to(request.user).filter(pk=event.pk).exists(),
        },
    )


@access(Perm.MANAGE_OUTREACH, object_page=True)
def results(request: HttpRequest, pk: int) -> HttpResponse:
    """The ranking by mean score, and one result per entry for the officer to publish."""
    event = _contest_for(request, pk)
    entries = list(services.ranked_entries(event))
    if request.method == "POST":
        form = ResultsForm(request.POST, entries=entries)
        if form.is_valid():
            try:
                services.results_publish(actor=request.user, event=event, results=form.results())
            except Conflict as exc:
                messages.error(request, exc.message)
                return redirect(detail_url(event, "entries"))
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors, {})
            else:
                messages.success(request, _("Đã công bố kết quả cuộc thi."))
                return redirect(detail_url(event, "results"))
    else:
        form = ResultsForm(entries=entries)
    for rank, entry in enumerate(entries, start=1):
        entry.rank = rank  # type: ignore[attr-defined]
        entry.result_field = form[f"result_{entry.pk}"]  # type: ignore[attr-defined]
    return render(
        request,
        "propagation/events/results.html",
        {
            "event": event,
            "entries": entries,
            "form": form,
            "unscored": [e for e in entries if not e.n_scores],  # type: ignore[attr-defined]
            "published": any(e.result for e in entries),
        },
    )


@access(Perm.MANAGE_OUTREACH, object_page=True)
def results_withdraw(request: HttpRequest, pk: int) -> HttpResponse:
    event = _contest_for(request, pk)
    if request.method == "POST":
        form = WithdrawForm(request.POST)
        if form.is_valid():
            try:
                services.results_withdraw(
                    actor=request.user, event=event, reason=form.cleaned_data["reason"]
                )
            except Conflict as exc:
                messages.error(request, exc.message)
                return redirect(detail_url(event, "entries"))
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors, {})
            else:
                messages.success(request, _("Đã hủy công bố kết quả; có thể chấm, sửa lại."))
                return redirect(detail_url(event, "entries"))
    else:
        form = WithdrawForm()
    return render(
        request,
        "propagation/events/results_withdraw.html",
        {"event": event, "form": form, "published": services.results_published(event)},
    )
