"""Pages of emulation movements: list, detail, criteria, registration, confirmation, review."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, F, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.access import Perm, access, can, scope_for, units_visible_to
from audit.models import AuditEvent
from audit.services import history_for
from awards.models import AwardKind
from core.dates import fmt_date
from core.errors import Conflict, ValidationFailed
from core.paging import paginate
from core.text import fold
from core.xlsx import xlsx_response
from exemplars.models import Exemplar
from movements import services
from movements.access import (
    get_movement_for,
    get_registration_for,
    may_review,
    movements_visible_to,
    registrations_visible_to,
    require_acting_unit,
    units_acting_in,
)
from movements.forms import (
    CriterionForm,
    MovementFilterForm,
    MovementForm,
    OutcomeForm,
    RegistrationEditForm,
    RegistrationFilterForm,
    ReviewChoiceForm,
    title_choices,
)
from movements.models import (
    Criterion,
    CriterionTarget,
    Movement,
    MovementKind,
    Registration,
    RegistrationStatus,
    ReviewMark,
    ReviewStage,
)
from organizations.models import Unit, UnitStatus
from people.forms import add_service_errors
from people.models import Person

HISTORY_LIMIT = 100
UNIT_FIELDS = ("code", "name", "depth", "path", "status")
REVIEW_PAGE_SIZE = 50
DEFAULT_INDIVIDUAL_TITLE = "LDTT"
# By unit in tree order, the unit's own (collective) registration first, then its staff.
REG_ORDER = ("unit__path", F("person__sort_key").asc(nulls_first=True), "id")


def _today() -> dt.date:
    return dt.date.today()


# --- list ---------------------------------------------------------------------------------


def _filtered_movements(request: HttpRequest, form: MovementFilterForm) -> QuerySet[Movement]:
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    movements = movements_visible_to(request.user).select_related("launching_unit")
    q = fold(data.get("q"))
    if q:
        movements = movements.filter(search_text__contains=q)
    if data.get("year"):
        year = data["year"]
        # A movement counts for every year it runs through.
        movements = movements.filter(starts_on__year__lte=year).filter(
            Q(ends_on__isnull=True) | Q(ends_on__year__gte=year)
        )
    if data.get("kind"):
        movements = movements.filter(kind=data["kind"])
    if data.get("unit"):
        movements = movements.filter(launching_unit__code=data["unit"])
    return movements.annotate(
        registration_count=Count("registrations", distinct=True),
        confirmed_count=Count(
            "registrations",
            filter=Q(registrations__status=RegistrationStatus.CONFIRMED),
            distinct=True,
        ),
    ).order_by("-starts_on", "code")


@access(Perm.VIEW)
def movement_list(request: HttpRequest) -> HttpResponse:
    launching = Unit.objects.filter(
        pk__in=movements_visible_to(request.user).values("launching_unit")
    ).only(*UNIT_FIELDS)
    form = MovementFilterForm(request.GET, units=list(launching.order_by("path")))
    movements = _filtered_movements(request, form)
    if request.GET.get("format") == "xlsx":
        return _export_movements(movements)
    return render(
        request,
        "movements/list.html",
        {
            "form": form,
            "page": paginate(request, movements),
            "can_create": can_create(request.user),
        },
    )


def can_create(user: Any) -> bool:
    return units_visible_to(user, Perm.MANAGE_MOVEMENTS).exists()


def _export_movements(movements: QuerySet[Movement]) -> HttpResponse:
    kinds = dict(MovementKind.choices)
    headers = [
        _("Mã"),
        _("Chủ đề"),
        _("Loại"),
        _("Đơn vị phát động"),
        _("Bắt đầu"),
        _("Kết thúc"),
        _("Sơ kết"),
        _("Tổng kết"),
        _("Số văn bản"),
        _("Ngày văn bản"),
        _("Số đăng ký"),
        _("Đã xác nhận"),
    ]
    rows = (
        (
            m.code,
            m.name,
            str(kinds.get(m.kind, m.kind)),
            m.launching_unit.name,
            fmt_date(m.starts_on),
            fmt_date(m.ends_on),
            fmt_date(m.preliminary_review_on),
            fmt_date(m.final_review_on),
            m.document_number,
            fmt_date(m.document_date),
            m.registration_count,  # type: ignore[attr-defined]
            m.confirmed_count,  # type: ignore[attr-defined]
        )
        for m in movements.iterator(chunk_size=2000)
    )
    return xlsx_response("phong-trao-thi-dua.xlsx", _("Phong trào thi đua"), headers, rows)


# --- create, edit, detail -----------------------------------------------------------------


def _managed_units(user: Any) -> list[Unit]:
    return list(
        units_visible_to(user, Perm.MANAGE_MOVEMENTS)
        .filter(status=UnitStatus.ACTIVE)
        .only(*UNIT_FIELDS)
        .order_by("path")
    )


DATE_KEYS = ("starts_on", "ends_on", "preliminary_review_on", "final_review_on", "document_date")
TEXT_KEYS = ("name", "kind", "contents", "document_number")


def _movement_values(data: dict[str, Any]) -> dict[str, Any]:
    return {k: data.get(k) for k in DATE_KEYS} | {k: data.get(k) or "" for k in TEXT_KEYS}


@access(Perm.MANAGE_MOVEMENTS)
def movement_create(request: HttpRequest) -> HttpResponse:
    units = _managed_units(request.user)
    form = MovementForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        unit = next((u for u in units if u.code == data["launching_unit"]), None)
        if unit is None:
            raise PermissionDenied
        try:
            movement = services.movement_create(
                actor=request.user,
                launching_unit=unit,
                code=data["code"],
                **_movement_values(data),
            )
        except Conflict as exc:
            form.add_error("code", exc.message)
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, {})
        else:
            messages.success(request, _("Đã tạo phong trào “%(n)s”.") % {"n": movement.name})
            return redirect("movements:criteria", pk=movement.pk)
    return render(request, "movements/form.html", {"form": form, "movement": None})


@access(Perm.MANAGE_MOVEMENTS, object_page=True)
def movement_edit(request: HttpRequest, pk: int) -> HttpResponse:
    movement = get_movement_for(request.user, pk, write=Perm.MANAGE_MOVEMENTS)
    if request.method == "POST":
        form = MovementForm(request.POST, editing=True)
        if form.is_valid():
            try:
                services.movement_update(
                    actor=request.user, movement=movement, **_movement_values(form.cleaned_data)
                )
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors, {})
            else:
                messages.success(request, _("Đã lưu thay đổi."))
                return redirect("movements:detail", pk=movement.pk)
    else:
        form = MovementForm(
            editing=True,
            initial={
                name: getattr(movement, name)
                for name in MovementForm.base_fields
                if name not in {"code", "launching_unit"}
            },
        )
    return render(request, "movements/form.html", {"form": form, "movement": movement})


def _criteria_by_target(movement: Movement) -> dict[str, list[Criterion]]:
    grouped: dict[str, list[Criterion]] = {t: [] for t in CriterionTarget.values}
    for criterion in movement.criteria.order_by("order", "id"):
        grouped[criterion.target].append(criterion)
    return grouped


def _timeline(movement: Movement, today: dt.date) -> list[dict[str, Any]]:
    steps = [
        (_("Phát động"), movement.document_date),
        (_("Bắt đầu"), movement.starts_on),
        (_("Sơ kết"), movement.preliminary_review_on),
        (_("Tổng kết"), movement.final_review_on),
        (_("Kết thúc"), movement.ends_on),
    ]
    return [
        {"label": label, "on": on, "past": on <= today}
        for label, on in sorted(((lbl, d) for lbl, d in steps if d), key=lambda s: s[1])
    ]


@dataclass(frozen=True)
class CandidateRow:
    """An exemplar candidate with where it leads: its exemplar, or the registration form."""

    registration: Registration
    exemplar_id: int | None
    register_url: str


def _candidate_rows(
    user: Any, movement: Movement, candidates: list[Registration]
) -> list[CandidateRow]:
    """One query for the exemplars already registered from this movement for these subjects.

    An exemplar the user may not open gets no link at all (rather than an offer to
    register the subject a second time).
    """
    person_ids = [r.person_id for r in candidates if r.person_id]
    unit_ids = [r.unit_id for r in candidates if not r.person_id]
    existing: dict[tuple[str, int], tuple[int, str]] = {}
    if candidates:
        rows = (
            Exemplar.objects.filter(movement=movement)
            .filter(
                Q(person_id__in=person_ids) | Q(person__isnull=True, subject_unit_id__in=unit_ids)
            )
            .order_by("pk")
            .values_list("pk", "person_id", "subject_unit_id", "unit__path")
        )
        for found_id, person_id, subject_unit_id, path in rows:
            key = ("person", person_id) if person_id else ("unit", subject_unit_id)
            existing[key] = (found_id, path)
    viewable = scope_for(user, Perm.VIEW)
    create_url = reverse("exemplars:create")
    result = []
    for r in candidates:
        key = ("person", r.person_id) if r.person_id else ("unit", r.unit_id)
        found = existing.get(key)
        exemplar_id: int | None = None
        register_url = ""
        if found is not None:
            if viewable.everything or any(found[1].startswith(p) for p in viewable.paths):
                exemplar_id = found[0]
        elif can(user, Perm.MANAGE_EXEMPLARS, r.unit):
            subject = {"person": r.person.code} if r.person else {"unit": r.unit.code}
            register_url = f"{create_url}?{urlencode({'movement': movement.pk, **subject})}"
        result.append(CandidateRow(r, exemplar_id, register_url))
    return result


@access(Perm.VIEW)
def movement_detail(request: HttpRequest, pk: int) -> HttpResponse:
    movement = get_movement_for(request.user, pk)
    criteria = _criteria_by_target(movement)
    visible = registrations_visible_to(request.user).filter(movement=movement)
    counts = Counter(visible.values_list("status", flat=True))
    status_counts = [(s, label, counts.get(s, 0)) for s, label in RegistrationStatus.choices]
    recent = list(
        visible.select_related("unit", "person")
        .prefetch_related("aimed_titles")
        .order_by("-updated_at", "-id")[:10]
    )
    criterion_ids = [str(c.pk) for group in criteria.values() for c in group]
    criteria_events = AuditEvent.objects.filter(
        object_type=Criterion._meta.label_lower, object_id__in=criterion_ids
    )
    events = list((history_for(movement) | criteria_events).order_by("-seq")[:HISTORY_LIMIT])
    visible_ids = set(visible.values_list("pk", flat=True))
    candidates = [r for r in services.exemplar_candidates(movement) if r.pk in visible_ids]
    user = request.user
    return render(
        request,
        "movements/detail.html",
        {
            "movement": movement,
            "collective_criteria": criteria[CriterionTarget.COLLECTIVE],
            "individual_criteria": criteria[CriterionTarget.INDIVIDUAL],
            "timeline": _timeline(movement, _today()),
            "status_counts": status_counts,
            "total": sum(counts.values()),
            "recent": recent,
            "candidates": candidates,
            "candidate_rows": _candidate_rows(request.user, movement, candidates),
            "events": events,
            "can_manage": can(user, Perm.MANAGE_MOVEMENTS, movement.launching_unit),
            "can_register": units_acting_in(user, movement, Perm.MANAGE_MOVEMENTS).exists(),
            "can_confirm": units_acting_in(user, movement, Perm.CONFIRM).exists(),
        },
    )


# --- criteria -----------------------------------------------------------------------------


def _parse_int(raw: str | None) -> int | None:
    return int(raw) if raw and raw.isdigit() else None


@access(Perm.MANAGE_MOVEMENTS, object_page=True)
def movement_criteria(request: HttpRequest, pk: int) -> HttpResponse:
    movement = get_movement_for(request.user, pk, write=Perm.MANAGE_MOVEMENTS)
    form = CriterionForm(initial={"target": request.GET.get("target", CriterionTarget.COLLECTIVE)})
    editing: Criterion | None = None
    edit_id = _parse_int(request.GET.get("edit"))
    if edit_id is not None:
        editing = movement.criteria.filter(pk=edit_id).first()
        if editing is not None:
            form = CriterionForm(
                initial={
                    "target": editing.target,
                    "text": editing.text,
                    "max_points": editing.max_points,
                }
            )
    if request.method == "POST":
        action = request.POST.get("action", "add")
        criterion = movement.criteria.filter(
            pk=_parse_int(request.POST.get("criterion")) or 0
        ).first()
        try:
            if action in {"up", "down"} and criterion is not None:
                services.criterion_move(
                    actor=request.user, criterion=criterion, step=-1 if action == "up" else 1
                )
                return redirect("movements:criteria", pk=movement.pk)
            if action == "delete" and criterion is not None:
                services.criterion_delete(actor=request.user, criterion=criterion)
                messages.success(request, _("Đã xóa tiêu chí."))
                return redirect("movements:criteria", pk=movement.pk)
            form = CriterionForm(request.POST)
            editing = criterion if action == "save" else None
            if form.is_valid():
                data = form.cleaned_data
                if editing is not None:
                    services.criterion_update(
                        actor=request.user,
                        criterion=editing,
                        text=data["text"],
                        max_points=data["max_points"],
                    )
                    messages.success(request, _("Đã lưu tiêu chí."))
                else:
                    services.criterion_add(
                        actor=request.user,
                        movement=movement,
                        target=data["target"],
                        text=data["text"],
                        max_points=data["max_points"],
                    )
                    messages.success(request, _("Đã thêm tiêu chí."))
                return redirect(f"{request.path}?target={data['target']}")
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("movements:criteria", pk=movement.pk)
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, {})
    criteria = _criteria_by_target(movement)
    return render(
        request,
        "movements/criteria.html",
        {
            "movement": movement,
            "form": form,
            "editing": editing,
            "groups": [
                (
                    CriterionTarget.COLLECTIVE,
                    CriterionTarget.COLLECTIVE.label,
                    criteria[CriterionTarget.COLLECTIVE],
                ),
                (
                    CriterionTarget.INDIVIDUAL,
                    CriterionTarget.INDIVIDUAL.label,
                    criteria[CriterionTarget.INDIVIDUAL],
                ),
            ],
        },
    )


# --- registration -------------------------------------------------------------------------


@access(Perm.MANAGE_MOVEMENTS, object_page=True)
def movement_register(request: HttpRequest, pk: int) -> HttpResponse:
    """A unit officer registers the unit and, in bulk, its staff for the movement."""
    movement = get_movement_for(request.user, pk)
    require_acting_unit(request.user, movement, Perm.MANAGE_MOVEMENTS)
    units = list(
        units_acting_in(request.user, movement, Perm.MANAGE_MOVEMENTS)
        .filter(status=UnitStatus.ACTIVE)
        .only(*UNIT_FIELDS)
        .order_by("path")
    )
    source = request.POST if request.method == "POST" else request.GET
    unit = next((u for u in units if u.code == source.get("unit")), None)
    collective_titles = services.titles_for(CriterionTarget.COLLECTIVE)
    individual_titles = [
        t for t in services.titles_for(CriterionTarget.INDIVIDUAL) if t.kind == AwardKind.TITLE
    ]
    today = _today()
    context: dict[str, Any] = {
        "movement": movement,
        "units": units,
        "unit": unit,
        "collective_titles": title_choices(collective_titles),
        "individual_titles": title_choices(individual_titles),
        "errors": [],
    }
    if unit is None:
        return render(request, "movements/register.html", context)
    registered: dict[int | None, str] = {
        person_id: status
        for person_id, status in Registration.objects.filter(
            movement=movement, unit=unit
        ).values_list("person_id", "status")
    }
    staff = list(Person.objects.filter(unit=unit).order_by("sort_key", "code"))
    posted_people = set(request.POST.getlist("person"))
    context.update(
        {
            "staff": [
                {
                    "person": p,
                    "status": registered.get(p.pk),
                    "checked": str(p.pk) in posted_people,
                    "title": request.POST.get(f"title_{p.pk}", DEFAULT_INDIVIDUAL_TITLE),
                    "pledge": request.POST.get(f"pledge_{p.pk}", ""),
                }
                for p in staff
            ],
            "unit_registered": registered.get(None),
            "collective_checked": request.POST.get("collective") == "1",
            "checked_titles": request.POST.getlist("collective_titles"),
            "collective_pledge": request.POST.get("collective_pledge", ""),
        }
    )
    if request.method == "POST":
        rows: list[services.NewRegistration] = []
        if request.POST.get("collective") == "1":
            rows.append(
                services.NewRegistration(
                    unit=unit,
                    person=None,
                    aimed_titles=request.POST.getlist("collective_titles"),
                    pledge=request.POST.get("collective_pledge", ""),
                )
            )
        by_id = {p.pk: p for p in staff}
        for raw in request.POST.getlist("person"):
            person = by_id.get(_parse_int(raw) or 0)
            if person is None:
                continue
            title = request.POST.get(f"title_{person.pk}", "")
            rows.append(
                services.NewRegistration(
                    unit=unit,
                    person=person,
                    aimed_titles=[title] if title else [],
                    pledge=request.POST.get(f"pledge_{person.pk}", ""),
                )
            )
        try:
            created = services.registrations_create(
                actor=request.user, movement=movement, rows=rows, on=today
            )
            if request.POST.get("submit_now") == "1":
                services.registrations_submit(actor=request.user, registrations=created)
        except (ValidationFailed, Conflict) as exc:
            context["errors"] = (
                [e.message for e in exc.errors]
                if isinstance(exc, ValidationFailed)
                else [exc.message]
            )
        else:
            sent = request.POST.get("submit_now") == "1"
            messages.success(
                request,
                (
                    _("Đã đăng ký %(n)s tập thể, cá nhân và gửi thủ trưởng xác nhận.")
                    if sent
                    else _("Đã lưu %(n)s đăng ký (nháp). Gửi thủ trưởng xác nhận khi sẵn sàng.")
                )
                % {"n": len(created)},
            )
            return redirect(f"/movements/{movement.pk}/registrations/?unit={unit.code}")
    return render(request, "movements/register.html", context)


def _filtered_registrations(
    request: HttpRequest, movement: Movement, form: RegistrationFilterForm, units: list[Unit]
) -> QuerySet[Registration]:
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    regs = (
        registrations_visible_to(request.user)
        .filter(movement=movement)
        .select_related("unit", "person", "confirmed_by")
        .prefetch_related("aimed_titles")
    )
    q = fold(data.get("q"))
    if q:
        regs = regs.filter(Q(person__search_text__contains=q) | Q(unit__search_text__contains=q))
    if data.get("status"):
        regs = regs.filter(status=data["status"])
    if data.get("target") == CriterionTarget.COLLECTIVE:
        regs = regs.filter(person__isnull=True)
    elif data.get("target") == CriterionTarget.INDIVIDUAL:
        regs = regs.filter(person__isnull=False)
    if data.get("unit"):
        unit = next((u for u in units if u.code == data["unit"]), None)
        if unit is not None:
            regs = regs.filter(unit__path__startswith=unit.path)
    return regs.order_by(*REG_ORDER)


def _titles_text(registration: Registration) -> str:
    return ", ".join(t.code for t in registration.aimed_titles.all())


@access(Perm.VIEW)
def registration_list(request: HttpRequest, pk: int) -> HttpResponse:
    movement = get_movement_for(request.user, pk)
    units = list(
        Unit.objects.filter(
            pk__in=registrations_visible_to(request.user).filter(movement=movement).values("unit")
        )
        .only(*UNIT_FIELDS)
        .order_by("path")
    )
    form = RegistrationFilterForm(request.GET, units=units)
    regs = _filtered_registrations(request, movement, form, units)
    if request.GET.get("format") == "xlsx":
        return _export_registrations(movement, regs)
    return render(
        request,
        "movements/registrations.html",
        {
            "movement": movement,
            "form": form,
            "page": paginate(request, regs),
            "can_register": units_acting_in(request.user, movement, Perm.MANAGE_MOVEMENTS).exists(),
            "can_confirm": units_acting_in(request.user, movement, Perm.CONFIRM).exists(),
            "can_review": may_review(request.user, movement),
        },
    )


def _export_registrations(movement: Movement, regs: QuerySet[Registration]) -> HttpResponse:
    statuses = dict(RegistrationStatus.choices)
    headers = [
        _("Đối tượng"),
        _("Mã đơn vị"),
        _("Đơn vị"),
        _("Mã cán bộ"),
        _("Họ và tên"),
        _("Danh hiệu đăng ký"),
        _("Nội dung đăng ký"),
        _("Ngày đăng ký"),
        _("Trạng thái"),
        _("Người xác nhận"),
        _("Lý do từ chối"),
        _("Đề xuất điển hình"),
    ]
    rows = (
        (
            str(CriterionTarget(r.target).label),
            r.unit.code,
            r.unit.name,
            r.person.code if r.person else "",
            r.person.full_name if r.person else "",
            _titles_text(r),
            r.pledge,
            fmt_date(r.registered_on),
            str(statuses.get(r.status, r.status)),
            r.confirmed_by.get_username() if r.confirmed_by else "",
            r.rejection_reason,
            r.exemplar_recommended,
        )
        for r in regs
    )
    return xlsx_response(
        f"dang-ky-thi-dua-{movement.code}.xlsx", _("Đăng ký thi đua"), headers, rows
    )


# --- head confirmation ---------------------------------------------------------------------


@access(Perm.CONFIRM, object_page=True)
def registration_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """The head confirms or rejects submitted registrations, several at once, after a check step."""
    movement = get_movement_for(request.user, pk)
    require_acting_unit(request.user, movement, Perm.CONFIRM)
    pending = (
        registrations_visible_to(request.user, Perm.CONFIRM)
        .filter(movement=movement, status=RegistrationStatus.SUBMITTED)
        .select_related("unit", "person")
        .prefetch_related("aimed_titles")
        .order_by(*REG_ORDER)
    )
    if request.method != "POST":
        preselected = {_parse_int(v) for v in request.GET.getlist("reg")}
        return render(
            request,
            "movements/confirm.html",
            {"movement": movement, "pending": pending, "preselected": preselected},
        )
    ids = [i for i in (_parse_int(v) for v in request.POST.getlist("reg")) if i is not None]
    chosen = list(pending.filter(pk__in=ids))
    action = request.POST.get("action")
    reason = request.POST.get("reason", "").strip()
    problem = ""
    if not chosen:
        problem = _("Chưa chọn đăng ký nào.")
    elif action not in {"confirm", "reject"}:
        problem = _("Chọn xác nhận hoặc từ chối.")
    elif action == "reject" and not reason:
        problem = _("Cần ghi lý do từ chối.")
    if problem:
        messages.error(request, problem)
        return render(
            request,
            "movements/confirm.html",
            {"movement": movement, "pending": pending, "preselected": set(ids), "reason": reason},
        )
    if request.POST.get("confirmed") != "1":
        return render(
            request,
            "movements/confirm_step.html",
            {"movement": movement, "chosen": chosen, "action": action, "reason": reason},
        )
    try:
        if action == "confirm":
            count = services.registrations_confirm(actor=request.user, registrations=chosen)
            messages.success(request, _("Đã xác nhận %(n)s đăng ký.") % {"n": count})
        else:
            count = services.registrations_reject(
                actor=request.user, registrations=chosen, reason=reason
            )
            messages.success(request, _("Đã từ chối %(n)s đăng ký.") % {"n": count})
    except (Conflict, ValidationFailed) as exc:
        messages.error(request, exc.message)
        return redirect("movements:confirm", pk=movement.pk)
    return redirect("movements:registrations", pk=movement.pk)


# --- review --------------------------------------------------------------------------------


def _review_choice(request: HttpRequest) -> tuple[str, str]:
    source = request.POST if request.method == "POST" else request.GET
    form = ReviewChoiceForm(source)
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    return (
        data.get("stage") or ReviewStage.PRELIMINARY,
        data.get("target") or CriterionTarget.COLLECTIVE,
    )


def _confirmed_of(movement: Movement, target: str) -> QuerySet[Registration]:
    regs = Registration.objects.filter(movement=movement, status=RegistrationStatus.CONFIRMED)
    regs = regs.filter(person__isnull=target == CriterionTarget.COLLECTIVE)
    return regs.select_related("unit", "person").order_by(*REG_ORDER)


def _parse_mark(raw: str | None) -> bool | None:
    return {"1": True, "0": False}.get(raw or "")


def _parse_score(raw: str | None) -> Decimal | None:
    if not raw or not raw.strip():
        return None
    try:
        return Decimal(raw.strip().replace(",", "."))
    except InvalidOperation:
        return Decimal(-1)  # the service rejects it with a readable message


@access(Perm.MANAGE_MOVEMENTS, object_page=True)
def movement_review(request: HttpRequest, pk: int) -> HttpResponse:
    """Grid of confirmed registrations × criteria, marked met / not met at one review stage."""
    movement = get_movement_for(request.user, pk, write=Perm.MANAGE_MOVEMENTS)
    stage, target = _review_choice(request)
    criteria = list(movement.criteria.filter(target=target).order_by("order", "id"))
    regs = _confirmed_of(movement, target)
    page = paginate(request, regs, REVIEW_PAGE_SIZE)
    rows = list(page.object_list)
    errors: list[str] = []
    if request.method == "POST":
        posted = {_parse_int(v) for v in request.POST.getlist("regs")}
        entries = [
            services.MarkEntry(
                registration_id=r.pk,
                criterion_id=c.pk,
                met=_parse_mark(request.POST.get(f"m_{r.pk}_{c.pk}")),
                score=_parse_score(request.POST.get(f"s_{r.pk}_{c.pk}"))
                if c.max_points is not None
                else None,
            )
            for r in rows
            if r.pk in posted
            for c in criteria
        ]
        try:
            changed = services.review_marks_save(
                actor=request.user, movement=movement, stage=stage, entries=entries
            )
        except ValidationFailed as exc:
            errors = [e.message for e in exc.errors]
        else:
            messages.success(request, _("Đã lưu %(n)s ô đánh giá.") % {"n": changed})
            page_no = request.POST.get("page", "")
            return redirect(
                f"{request.path}?stage={stage}&target={target}"
                + (f"&page={page_no}" if page_no.isdigit() else "")
            )
    marks = {
        (m.registration_id, m.criterion_id): m
        for m in ReviewMark.objects.filter(registration__in=[r.pk for r in rows], stage=stage)
    }
    grid = [
        {
            "registration": r,
            "cells": [(c, marks.get((r.pk, c.pk))) for c in criteria],
            "met": sum(1 for c in criteria if (m := marks.get((r.pk, c.pk))) and m.met),
        }
        for r in rows
    ]
    return render(
        request,
        "movements/review.html",
        {
            "movement": movement,
            "stage": stage,
            "target": target,
            "stages": ReviewStage.choices,
            "targets": CriterionTarget.choices,
            "criteria": criteria,
            "grid": grid,
            "page": page,
            "errors": errors,
        },
    )


@access(Perm.VIEW)
def review_export(request: HttpRequest, pk: int) -> HttpResponse:
    """Review results of every visible confirmed registration, both stages, as XLSX."""
    movement = get_movement_for(request.user, pk)
    criteria = list(movement.criteria.order_by("target", "order", "id"))
    regs = (
        registrations_visible_to(request.user)
        .filter(movement=movement, status=RegistrationStatus.CONFIRMED)
        .select_related("unit", "person")
        .prefetch_related(Prefetch("marks", queryset=ReviewMark.objects.all()))
        .order_by(*REG_ORDER)
    )
    stage_labels = dict(ReviewStage.choices)
    headers = [_("Đối tượng"), _("Đơn vị"), _("Họ và tên")]
    for stage in ReviewStage.values:
        headers += [
            _("%(s)s: tiêu chí đạt") % {"s": stage_labels[stage]},
            _("%(s)s: tổng số tiêu chí") % {"s": stage_labels[stage]},
        ]
    headers += [_("Kết quả đánh giá"), _("Đề xuất phát hiện điển hình"), _("Ghi chú đề xuất")]
    prefix = {CriterionTarget.COLLECTIVE: "TT", CriterionTarget.INDIVIDUAL: "CN"}
    headers += [
        f"{stage_labels[stage]} — {prefix[CriterionTarget(c.target)]}{c.order}"
        for stage in ReviewStage.values
        for c in criteria
    ]

    def row(r: Registration) -> list[Any]:
        marks = {(m.stage, m.criterion_id): m for m in r.marks.all()}
        own = [c for c in criteria if c.target == r.target]
        values: list[Any] = [
            str(CriterionTarget(r.target).label),
            r.unit.name,
            r.person.full_name if r.person else "",
        ]
        for stage in ReviewStage.values:
            values += [sum(1 for c in own if (m := marks.get((stage, c.pk))) and m.met), len(own)]
        values += [r.review_result, r.exemplar_recommended, r.exemplar_note]
        for stage in ReviewStage.values:
            for c in criteria:
                mark = marks.get((stage, c.pk))
                values.append(
                    ""
                    if mark is None or mark.met is None
                    else (_("Đạt") if mark.met else _("Không đạt"))
                )
        return values

    return xlsx_response(
        f"ket-qua-danh-gia-{movement.code}.xlsx",
        _("Kết quả đánh giá"),
        headers,
        (row(r) for r in regs),
    )


# --- one registration ----------------------------------------------------------------------


@access(Perm.VIEW)
def registration_detail(request: HttpRequest, reg: int) -> HttpResponse:
    registration = get_registration_for(request.user, reg)
    movement = registration.movement
    criteria = list(movement.criteria.filter(target=registration.target).order_by("order", "id"))
    marks = {(m.stage, m.criterion_id): m for m in registration.marks.all()}
    rows = [
        (c, marks.get((ReviewStage.PRELIMINARY, c.pk)), marks.get((ReviewStage.FINAL, c.pk)))
        for c in criteria
    ]
    mark_events = AuditEvent.objects.filter(
        object_type=ReviewMark._meta.label_lower,
        object_id__in=[str(m.pk) for m in marks.values()],
    )
    events = list((history_for(registration) | mark_events).order_by("-seq")[:HISTORY_LIMIT])
    user = request.user
    return render(
        request,
        "movements/registration_detail.html",
        {
            "registration": registration,
            "movement": movement,
            "titles": list(registration.aimed_titles.all()),
            "rows": rows,
            "events": events,
            "can_edit": can(user, Perm.MANAGE_MOVEMENTS, registration.unit),
            "can_confirm": can(user, Perm.CONFIRM, registration.unit),
            "can_review": may_review(user, movement),
            "editable": registration.status in services.EDITABLE_STATES,
        },
    )


@access(Perm.MANAGE_MOVEMENTS, object_page=True)
def registration_edit(request: HttpRequest, reg: int) -> HttpResponse:
    registration = get_registration_for(request.user, reg, write=Perm.MANAGE_MOVEMENTS)
    titles = services.titles_for(registration.target)
    if request.method == "POST":
        form = RegistrationEditForm(request.POST, titles=titles)
        if form.is_valid():
            try:
                services.registration_update(
                    actor=request.user,
                    registration=registration,
                    aimed_titles=form.cleaned_data["aimed_titles"],
                    pledge=form.cleaned_data["pledge"],
                )
            except Conflict as exc:
                messages.error(request, exc.message)
                return redirect("movements:registration_detail", reg=registration.pk)
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors, {})
            else:
                messages.success(request, _("Đã lưu đăng ký."))
                return redirect("movements:registration_detail", reg=registration.pk)
    else:
        form = RegistrationEditForm(
            titles=titles,
            initial={
                "aimed_titles": [t.code for t in registration.aimed_titles.all()],
                "pledge": registration.pledge,
            },
        )
    return render(
        request,
        "movements/registration_edit.html",
        {"registration": registration, "movement": registration.movement, "form": form},
    )


@access(Perm.MANAGE_MOVEMENTS, object_page=True)
@require_POST
def registration_submit(request: HttpRequest, reg: int) -> HttpResponse:
    registration = get_registration_for(request.user, reg, write=Perm.MANAGE_MOVEMENTS)
    try:
        services.registration_submit(actor=request.user, registration=registration)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, _("Đã gửi đăng ký cho thủ trưởng xác nhận."))
    return redirect("movements:registration_detail", reg=registration.pk)


@access(Perm.MANAGE_MOVEMENTS, object_page=True)
def registration_delete(request: HttpRequest, reg: int) -> HttpResponse:
    registration = get_registration_for(request.user, reg, write=Perm.MANAGE_MOVEMENTS)
    if request.method == "POST" and request.POST.get("confirmed") == "1":
        movement_pk = registration.movement_id
        try:
            services.registration_delete(actor=request.user, registration=registration)
        except Conflict as exc:
            messages.error(request, exc.message)
            return redirect("movements:registration_detail", reg=registration.pk)
        messages.success(request, _("Đã xóa đăng ký."))
        return redirect("movements:registrations", pk=movement_pk)
    return render(
        request,
        "movements/registration_delete.html",
        {"registration": registration, "movement": registration.movement},
    )


@access(Perm.MANAGE_MOVEMENTS, object_page=True)
def registration_outcome(request: HttpRequest, reg: int) -> HttpResponse:
    """The launching unit writes the review result and may recommend an exemplar."""
    registration = get_registration_for(request.user, reg)
    if not may_review(request.user, registration.movement):
        raise PermissionDenied
    if registration.status != RegistrationStatus.CONFIRMED:
        messages.error(request, _("Chỉ đánh giá đăng ký đã được thủ trưởng xác nhận."))
        return redirect("movements:registration_detail", reg=registration.pk)
    if request.method == "POST":
        form = OutcomeForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.registration_result_set(
                    actor=request.user, registration=registration, result=data["review_result"]
                )
                if data["exemplar_recommended"]:
                    if (
                        not registration.exemplar_recommended
                        or registration.exemplar_note != data["exemplar_note"].strip()
                    ):
                        services.register_as_exemplar_candidate(
                            actor=request.user,
                            registration=registration,
                            note=data["exemplar_note"],
                        )
                elif registration.exemplar_recommended:
                    services.exemplar_candidate_withdraw(
                        actor=request.user, registration=registration
                    )
            except (Conflict, ValidationFailed) as exc:
                messages.error(request, exc.message)
            else:
                messages.success(request, _("Đã lưu kết quả đánh giá."))
                return redirect("movements:registration_detail", reg=registration.pk)
    else:
        form = OutcomeForm(
            initial={
                "review_result": registration.review_result,
                "exemplar_recommended": registration.exemplar_recommended,
                "exemplar_note": registration.exemplar_note,
            }
        )
    return render(
        request,
        "movements/outcome.html",
        {"registration": registration, "movement": registration.movement, "form": form},
    )
