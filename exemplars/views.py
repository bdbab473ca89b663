"""Pages of exemplars: list, board, registration, the exemplar page with its timeline,
the moves of the lifecycle and the evidence files.

Every change goes through exemplars.services; the pages only parse input, show the
service's errors next to the fields, and offer the moves the user owns
(services.allowed_moves). The assessment, fostering and monitoring sections of the
exemplar page come from exemplars.sections.
"""

from __future__ import annotations

import os
from typing import Any, cast

from django.contrib import messages
from django.db.models import Count, F, Q, QuerySet, Window
from django.db.models.functions import RowNumber
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from accounts.access import Perm, access, can, people_visible_to, units_visible_to
from core.errors import Conflict, ValidationFailed
from core.paging import paginate
from core.text import fold
from exemplars import services
from exemplars.access import exemplars_visible_to, get_exemplar_for
from exemplars.assessment import assess
from exemplars.exports import export_exemplars
from exemplars.forms import (
    PERSON,
    UNIT,
    AttachmentForm,
    ExemplarFilterForm,
    ExemplarForm,
    TransitionForm,
)
from exemplars.models import (
    FUNNEL,
    Attachment,
    AttachmentKind,
    Exemplar,
    ExemplarScope,
    ExemplarState,
)
from exemplars.sections import detail_sections
from exemplars.standards import standard_by_id
from movements.access import movements_visible_to
from movements.models import Movement, Registration
from organizations.models import Unit, UnitStatus
from people.forms import add_service_errors
from people.models import Person
from plans.access import plans_visible_to
from plans.models import Plan

S = ExemplarState
UNIT_FIELDS = ("code", "name", "depth", "path", "status")
BOARD_CARDS = 30  # per column; the column links to the list for the rest
OPTIONS_LIMIT = 20
CLOSED_STATES = (S.DROPPED, S.REVOKED)

# The button of each move, by (from, to) where the same target means different things.
MOVE_LABELS: dict[tuple[str, str], Any] = {
    (S.DISCOVERED, S.FOSTERING): gettext_lazy("Đưa vào bồi dưỡng"),
    (S.DROPPED, S.FOSTERING): gettext_lazy("Tiếp tục bồi dưỡng"),
    (S.FOSTERING, S.RECOGNIZED): gettext_lazy("Công nhận điển hình"),
    (S.PROPOSED, S.RECOGNIZED): gettext_lazy("Cấp trên chưa công nhận (trả lại)"),
}
TARGET_LABELS: dict[str, Any] = {
    S.PROPOSED: gettext_lazy("Đề nghị cấp trên"),
    S.SECTOR: gettext_lazy("Ghi nhận quyết định toàn ngành"),
    S.NATIONAL: gettext_lazy("Ghi nhận quyết định toàn quốc"),
    S.DROPPED: gettext_lazy("Dừng theo dõi"),
    S.REVOKED: gettext_lazy("Thu hồi công nhận"),
}


def move_label(current: str, to: str) -> str:
    label = MOVE_LABELS.get((current, to)) or TARGET_LABELS.get(to) or S(to).label
    return str(label)


def _move_style(current: str, to: str) -> str:
    if to in CLOSED_STATES:
        return "btn-outline-danger"
    if current == S.PROPOSED and to == S.RECOGNIZED:
        return "btn-outline-secondary"
    return "btn-primary"


# --- list and board -----------------------------------------------------------------------


def _visible_units(user: Any) -> list[Unit]:
    return list(units_visible_to(user).only(*UNIT_FIELDS).order_by("path"))


def _visible_fields(user: Any) -> list[str]:
    fields = (
        exemplars_visible_to(user)
        .exclude(field="")
        .order_by("field")
        .values_list("field", flat=True)
        .distinct()
    )
    return list(fields)


def _filter_form(
    request: HttpRequest, *, with_state: bool
) -> tuple[ExemplarFilterForm, list[Unit]]:
    units = _visible_units(request.user)
    form = ExemplarFilterForm(
        request.GET, units=units, fields=_visible_fields(request.user), with_state=with_state
    )
    return form, units


def _filtered(
    request: HttpRequest, form: ExemplarFilterForm, units: list[Unit]
) -> QuerySet[Exemplar]:
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    rows = exemplars_visible_to(request.user).select_related(
        "unit", "person", "subject_unit", "plan", "movement"
    )
    q = fold(data.get("q"))
    if q:
        rows = rows.filter(search_text__contains=q)
    if data.get("unit"):
        unit = next((u for u in units if u.code == data["unit"]), None)
        if unit is not None:
            rows = (
                rows.filter(unit=unit)
                if data.get("only")
                else rows.filter(unit__path__startswith=unit.path)
            )
    if data.get("field"):
        rows = rows.filter(field=data["field"])
    if data.get("year"):
        rows = rows.filter(year=data["year"])
    if data.get("state"):
        rows = rows.filter(state__in=data["state"])
    if data.get("kind") == PERSON:
        rows = rows.filter(person__isnull=False)
    elif data.get("kind") == UNIT:
        rows = rows.filter(person__isnull=True)
    return rows


def can_create(user: Any) -> bool:
    return units_visible_to(user, Perm.MANAGE_EXEMPLARS).exists()


@access(Perm.VIEW)
def exemplar_list(request: HttpRequest) -> HttpResponse:
    form, units = _filter_form(request, with_state=True)
    rows = _filtered(request, form, units)
    if request.GET.get("format") == "xlsx":
        return export_exemplars(rows)
    return render(
        request,
        "exemplars/list.html",
        {"form": form, "page": paginate(request, rows), "can_create": can_create(request.user)},
    )


def _list_url(request: HttpRequest, state: str) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    params["state"] = state
    return f"{reverse('exemplars:list')}?{params.urlencode()}"


@access(Perm.VIEW)
def exemplar_board(request: HttpRequest) -> HttpResponse:
    """One column per state of the funnel; the cards of each column in one query."""
    form, units = _filter_form(request, with_state=False)
    rows = _filtered(request, form, units)
    counts = dict(rows.order_by().values("state").annotate(n=Count("pk")).values_list("state", "n"))
    ranked = rows.annotate(
        rank=Window(
            RowNumber(),
            partition_by=[F("state")],
            order_by=[F("state_changed_at").desc(nulls_last=True), F("pk").desc()],
        )
    )
    cards: dict[str, list[Exemplar]] = {s: [] for s in FUNNEL}
    for exemplar in ranked.filter(state__in=FUNNEL, rank__lte=BOARD_CARDS).order_by(
        "state", "rank"
    ):
        cards[exemplar.state].append(exemplar)
    columns = [
        {
            "state": state,
            "label": S(state).label,
            "count": counts.get(state, 0),
            "cards": cards[state],
            "more": counts.get(state, 0) > len(cards[state]),
            "list_url": _list_url(request, state),
        }
        for state in FUNNEL
    ]
    closed = [
        {
            "state": s,
            "label": S(s).label,
            "count": counts.get(s, 0),
            "list_url": _list_url(request, s),
        }
        for s in CLOSED_STATES
    ]
    return render(
        request,
        "exemplars/board.html",
        {
            "form": form,
            "columns": columns,
            "closed": closed,
            "total": sum(counts.values()),
            "can_create": can_create(request.user),
        },
    )


# --- register and edit ------------------------------------------------------------------


def _managed_units(user: Any) -> list[Unit]:
    return list(
        units_visible_to(user, Perm.MANAGE_EXEMPLARS)
        .filter(status=UnitStatus.ACTIVE)
        .only(*UNIT_FIELDS)
        .order_by("path")
    )


def _plans(user: Any, keep: Plan | None = None) -> list[Plan]:
    plans = list(plans_visible_to(user).order_by("-starts_on", "code"))
    if keep is not None and all(p.pk != keep.pk for p in plans):
        plans.insert(0, keep)  # an edit must not silently drop a plan the user cannot list
    return plans


def _movements(user: Any, keep: Movement | None = None) -> list[Movement]:
    movements = list(movements_visible_to(user).order_by("-starts_on", "code"))
    if keep is not None and all(m.pk != keep.pk for m in movements):
        movements.insert(0, keep)
    return movements


def _prefill(
    request: HttpRequest, units: list[Unit], people: QuerySet[Person], movements: list[Movement]
) -> dict[str, Any]:
    """Initial values, also from a movement's exemplar candidate
    (?movement=<id>&person=<code> or &unit=<code>)."""
    initial: dict[str, Any] = {
        "year": timezone.localdate().year,
        "subject_kind": PERSON,
        "scope": ExemplarScope.COMPREHENSIVE,
    }
    get = request.GET
    movement = next((m for m in movements if str(m.pk) == get.get("movement", "")), None)
    if movement is not None:
        initial["movement"] = str(movement.pk)
    by_code = {u.code: u for u in units}
    subject_path = ""
    registration = Registration.objects.none()
    if code := (get.get("person") or "").strip():
        person = people.select_related("unit").filter(code=code).first()
        if person is not None:
            initial["person"] = person.code
            subject_path = person.unit.path
            registration = Registration.objects.filter(person=person)
    elif (code := get.get("unit") or "") in by_code:
        initial.update(subject_kind=UNIT, subject_unit=code)
        subject_path = by_code[code].path
        registration = Registration.objects.filter(unit=by_code[code], person__isnull=True)
    # The discovering unit: the nearest managed unit holding the subject.
    holders = [u for u in units if subject_path.startswith(u.path)]
    if holders:
        initial["unit"] = max(holders, key=lambda u: len(u.path)).code
    elif len(units) == 1:
        initial["unit"] = units[0].code
    if movement is not None and subject_path:
        note = (
            registration.filter(movement=movement, exemplar_recommended=True)
            .values_list("exemplar_note", flat=True)
            .first()
        )
        if note:
            initial["practice_summary"] = note
    return initial


def _service_aliases(data: dict[str, Any]) -> dict[str, str]:
    subject = "subject_unit" if data.get("subject_kind") == UNIT else "person"
    return {"subject": subject}


@access(Perm.MANAGE_EXEMPLARS)
def exemplar_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    units = _managed_units(user)
    people = people_visible_to(user, Perm.MANAGE_EXEMPLARS)
    movements = _movements(user)
    options: dict[str, Any] = {
        "people": people,
        "units": units,
        "plans": _plans(user),
        "movements": movements,
    }
    if request.method != "POST":
        form = ExemplarForm(initial=_prefill(request, units, people, movements), **options)
        return render(request, "exemplars/form.html", {"form": form, "exemplar": None})
    form = ExemplarForm(request.POST, **options)
    if form.is_valid():
        data = form.cleaned_data
        try:
            exemplar = services.exemplar_create(
                actor=user,
                unit=data["unit_obj"],
                person=data["person_obj"],
                subject_unit=data["subject_unit_obj"],
                title=data["title"],
                field=data["field"],
                scope=data["scope"],
                practice_summary=data["practice_summary"],
                practice_results=data["practice_results"],
                year=data["year"],
                plan=data["plan_obj"],
                movement=data["movement_obj"],
            )
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, _service_aliases(data))
        else:
            messages.success(request, _("Đã đăng ký điển hình “%(t)s”.") % {"t": exemplar.title})
            return redirect("exemplars:detail", pk=exemplar.pk)
    return render(request, "exemplars/form.html", {"form": form, "exemplar": None})


EDIT_FIELDS = ("title", "field", "scope", "practice_summary", "practice_results", "year")


@access(Perm.MANAGE_EXEMPLARS, object_page=True)
def exemplar_edit(request: HttpRequest, pk: int) -> HttpResponse:
    exemplar = get_exemplar_for(request.user, pk, write=Perm.MANAGE_EXEMPLARS)
    options: dict[str, Any] = {
        "people": None,
        "units": [],
        "plans": _plans(request.user, exemplar.plan),
        "movements": _movements(request.user, exemplar.movement),
        "editing": True,
    }
    if request.method != "POST":
        initial = {name: getattr(exemplar, name) for name in EDIT_FIELDS}
        initial["plan"] = exemplar.plan.code if exemplar.plan else ""
        initial["movement"] = str(exemplar.movement_id or "")
        form = ExemplarForm(initial=initial, **options)
        return render(request, "exemplars/form.html", {"form": form, "exemplar": exemplar})
    form = ExemplarForm(request.POST, **options)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.exemplar_update(
                actor=request.user,
                exemplar=exemplar,
                plan=data["plan_obj"],
                movement=data["movement_obj"],
                **{name: data[name] for name in EDIT_FIELDS},
            )
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("exemplars:detail", pk=exemplar.pk)
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, {})
        else:
            messages.success(request, _("Đã lưu thay đổi."))
            return redirect("exemplars:detail", pk=exemplar.pk)
    return render(request, "exemplars/form.html", {"form": form, "exemplar": exemplar})


@access(Perm.MANAGE_EXEMPLARS, object_page=True)
def exemplar_delete(request: HttpRequest, pk: int) -> HttpResponse:
    exemplar = get_exemplar_for(request.user, pk, write=Perm.MANAGE_EXEMPLARS)
    if request.method == "POST" and request.POST.get("confirmed") == "1":
        try:
            services.exemplar_delete(actor=request.user, exemplar=exemplar)
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("exemplars:detail", pk=exemplar.pk)
        messages.success(request, _("Đã xóa điển hình “%(t)s”.") % {"t": exemplar.title})
        return redirect("exemplars:list")
    return render(
        request,
        "exemplars/confirm_delete.html",
        {"exemplar": exemplar, "deletable": exemplar.state == S.DISCOVERED},
    )


@access(Perm.MANAGE_EXEMPLARS)
def person_options(request: HttpRequest) -> HttpResponse:
    """Suggestions (<option> elements) for the person box, among people the user manages."""
    q = fold(request.GET.get("q") or request.GET.get("person"))
    people: list[Person] = []
    if q:
        people = list(
            people_visible_to(request.user, Perm.MANAGE_EXEMPLARS)
            .filter(Q(search_text__contains=q) | Q(code__iexact=q))
            .select_related("unit")
            .order_by("sort_key", "code")[:OPTIONS_LIMIT]
        )
    return render(request, "exemplars/_person_options.html", {"people": people})


# --- the exemplar page --------------------------------------------------------------------


def _moves(
    request: HttpRequest, exemplar: Exemplar, bound: TransitionForm | None
) -> list[dict[str, Any]]:
    moves = []
    for to in services.allowed_moves(request.user, exemplar):
        if bound is not None and bound.target == to:
            form = bound
        else:
            form = TransitionForm(
                current=exemplar.state, to=to, initial={"to": to, "year": exemplar.year}
            )
        moves.append(
            {
                "to": to,
                "label": move_label(exemplar.state, to),
                "style": _move_style(exemplar.state, to),
                "form": form,
                "open": bound is not None and bound.target == to,
                "recognising": exemplar.state == S.FOSTERING and to == S.RECOGNIZED,
            }
        )
    return moves


def _pending_judgements(exemplar: Exemplar, moves: list[dict[str, Any]]) -> list[Any]:
    """Judgement criteria nobody has reviewed yet: recognising does not wait for them,
    so the head is told before confirming."""
    if not any(m["recognising"] for m in moves):
        return []
    try:
        return assess(exemplar, exemplar.year).pending()
    except ValidationFailed:
        return []  # no data for that year: the move itself will say why


def _detail_context(
    request: HttpRequest,
    exemplar: Exemplar,
    *,
    bound: TransitionForm | None = None,
    transition_error: dict[str, Any] | None = None,
) -> dict[str, Any]:
    user = request.user
    moves = _moves(request, exemplar, bound)
    attachments = list(exemplar.attachments.select_related("uploaded_by"))
    for attachment in attachments:
        attachment.filename = os.path.basename(attachment.file.name)  # type: ignore[attr-defined]
    can_manage = can(user, Perm.MANAGE_EXEMPLARS, exemplar.unit)
    standard = standard_by_id(exemplar.standard_id)
    own = {
        "exemplar": exemplar,
        "standard": standard,
        "timeline": list(exemplar.transitions.select_related("by").order_by("at", "pk")),
        "photos": [a for a in attachments if a.kind == AttachmentKind.PHOTO],
        "documents": [a for a in attachments if a.kind == AttachmentKind.DOCUMENT],
        "moves": moves,
        "pending": _pending_judgements(exemplar, moves),
        "transition_error": transition_error,
        "can_manage": can_manage,
        "can_delete": can_manage and exemplar.state == S.DISCOVERED,
        "attachment_form": AttachmentForm() if can_manage else None,
    }
    return {**detail_sections(request, exemplar), **own}


@access(Perm.VIEW)
def exemplar_detail(request: HttpRequest, pk: int) -> HttpResponse:
    exemplar = get_exemplar_for(request.user, pk)
    return render(request, "exemplars/detail.html", _detail_context(request, exemplar))


@access(Perm.MANAGE_EXEMPLARS, object_page=True)
@require_POST
def exemplar_transition(request: HttpRequest, pk: int) -> HttpResponse:
    """One move. Refused moves re-draw the page with the reason (and, for recognition,
    every failing criterion of the standard); nothing changes."""
    # Every move belongs to a role that also manages exemplars; the service then checks
    # the move's own permission (403).
    exemplar = get_exemplar_for(request.user, pk, write=Perm.MANAGE_EXEMPLARS)
    to = request.POST.get("to", "")
    if to not in S.values:
        messages.error(request, _("Bước chuyển không hợp lệ."))
        return redirect("exemplars:detail", pk=exemplar.pk)
    form = TransitionForm(request.POST, current=exemplar.state, to=to)
    error: dict[str, Any]
    if form.is_valid():
        values = form.values()
        try:
            moved = services.transition(
                actor=request.user,
                exemplar=exemplar,
                to=to,
                note=values["note"],
                year=values["year"],
                decision=services.Decision(values["number"], values["date"], values["authority"]),
            )
        except Conflict as exc:
            error = {"message": exc.message, "conditions": []}
        except ValidationFailed as exc:
            conditions = [e.message for e in exc.errors if e.field.startswith("conditions.")]
            others = [e for e in exc.errors if not e.field.startswith("conditions.")]
            add_service_errors(form, others, {})
            error = {"message": exc.message, "conditions": conditions}
        else:
            messages.success(
                request,
                _("Đã chuyển điển hình sang “%(s)s”.") % {"s": S(moved.state).label},
            )
            return redirect("exemplars:detail", pk=exemplar.pk)
    else:
        error = {"message": _("Vui lòng sửa các ô được đánh dấu."), "conditions": []}
    error["label"] = move_label(exemplar.state, to)
    return render(
        request,
        "exemplars/detail.html",
        _detail_context(request, exemplar, bound=form, transition_error=error),
    )


# --- evidence files and photos ------------------------------------------------------------


@access(Perm.MANAGE_EXEMPLARS, object_page=True)
def attachment_add(request: HttpRequest, pk: int) -> HttpResponse:
    exemplar = get_exemplar_for(request.user, pk, write=Perm.MANAGE_EXEMPLARS)
    if request.method == "POST":
        form = AttachmentForm(request.POST, request.FILES)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.attachment_add(
                    actor=request.user,
                    exemplar=exemplar,
                    kind=data["kind"],
                    file=data["file"],
                    caption=data["caption"],
                )
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors, {})
            else:
                messages.success(request, _("Đã tải lên tệp."))
                return redirect(reverse("exemplars:detail", args=[exemplar.pk]) + "#attachments")
    else:
        form = AttachmentForm(initial={"kind": request.GET.get("kind") or AttachmentKind.PHOTO})
    return render(request, "exemplars/attachment_form.html", {"exemplar": exemplar, "form": form})


def _attachment_of(exemplar: Exemplar, att: int) -> Attachment:
    return get_object_or_404(
        Attachment.objects.select_related("uploaded_by"), exemplar=exemplar, pk=att
    )


@access(Perm.MANAGE_EXEMPLARS, object_page=True)
def attachment_delete(request: HttpRequest, pk: int, att: int) -> HttpResponse:
    exemplar = get_exemplar_for(request.user, pk, write=Perm.MANAGE_EXEMPLARS)
    attachment = _attachment_of(exemplar, att)
    if request.method == "POST" and request.POST.get("confirmed") == "1":
        services.attachment_delete(actor=request.user, attachment=attachment)
        messages.success(request, _("Đã xóa tệp."))
        return redirect(reverse("exemplars:detail", args=[exemplar.pk]) + "#attachments")
    return render(
        request,
        "exemplars/attachment_delete.html",
        {
            "exemplar": exemplar,
            "attachment": attachment,
            "filename": os.path.basename(attachment.file.name),
        },
    )


@access(Perm.VIEW)
def attachment_file(request: HttpRequest, pk: int, att: int) -> HttpResponse:
    """The file, for whoever may see the exemplar (uploads are not served publicly).
    Photos open in the page (thumbnails); documents download."""
    exemplar = get_exemplar_for(request.user, pk)
    attachment = _attachment_of(exemplar, att)
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = FileResponse(
        handle,
        as_attachment=attachment.kind != AttachmentKind.PHOTO,
        filename=os.path.basename(attachment.file.name),
    )
    response["Cache-Control"] = "private, no-store"
    # An uploaded file never runs as a page of this site.
    response["Content-Security-Policy"] = "sandbox; default-src 'none'; img-src 'self'"
    return cast(HttpResponse, response)
