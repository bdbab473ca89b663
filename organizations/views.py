"""Pages of the organisation tree: units, restructuring, clusters, councils, imports.

Each view parses input, authorises through accounts.access, calls one service
and renders. Restructuring (merge, split) cannot be undone, so those forms go
through a summary page with an explicit confirmation before the service runs.
"""

from __future__ import annotations

import datetime as dt
import json
from collections import Counter
from typing import Any

from django.contrib import messages
from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Value,
    When,
)
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from accounts.access import (
    Perm,
    access,
    can,
    can_create_root,
    check_unit,
    clusters_visible_to,
    councils_visible_to,
    get_cluster_for,
    get_council_for,
    get_unit_for,
    people_visible_to,
    scope_for,
    units_visible_to,
)
from audit.models import AuditEvent
from audit.services import history_for
from awards.views import unit_records_context
from core.dates import today
from core.errors import DomainError
from core.paging import paginate
from core.text import fold
from core.xlsx import RowError, error_report_response, stash_error_report, xlsx_response
from organizations import forms, services
from organizations.imports import (
    AllocationRow,
    check_split_allocation,
    import_units,
    read_split_allocation,
    split_allocation_response,
    unit_template_response,
)
from organizations.models import (
    Cluster,
    ClusterKind,
    ClusterMember,
    Council,
    CouncilMember,
    CouncilRole,
    SuccessionKind,
    Unit,
    UnitKind,
    UnitStatus,
    UnitSuccession,
    path_ids,
)
from people.models import Person

STATUS_FILTERS: dict[str, str | None] = {
    "active": UnitStatus.ACTIVE,
    "merged": UnitStatus.MERGED,
    "split": UnitStatus.SPLIT,
    "dissolved": UnitStatus.DISSOLVED,
    "all": None,
}
EXPORT_LIMIT = 50_000
HISTORY_LIMIT = 100
# Past this many people the split page stops offering a select per person: the
# allocation is made in an Excel file (downloaded pre-filled, uploaded back) instead.
SPLIT_ALLOCATION_LIMIT = 300
# The page lists this many errors of an upload; the error workbook has them all.
IMPORT_ERRORS_SHOWN = 500
# Blank rows are ignored, so one spare row saves a round trip for a three-way split.
SPLIT_DEFAULT_ROWS = 3


# --- helpers ------------------------------------------------------------------------


def _manageable(user: Any) -> QuerySet[Unit]:
    """Active units the user may restructure or hang new units under."""
    return units_visible_to(user, Perm.MANAGE_ORG).filter(status=UnitStatus.ACTIVE)


def _base_depth(user: Any) -> int:
    """Depth of the user's highest scope root, so indentation starts at the left edge."""
    scope = scope_for(user, Perm.VIEW)
    if scope.everything or not scope.paths:
        return 0
    return min(path.count("/") - 2 for path in scope.paths)


def _parse_year(raw: str | None, default: int) -> int:
    try:
        year = int(raw or default)
    except ValueError:
        return default
    return year if 1945 <= year <= dt.date.today().year + 1 else default


def _detail(unit: Unit) -> HttpResponse:
    return redirect("organizations:detail", code=unit.code)


def _confirm_or_run(request: HttpRequest, valid: bool, confirmed: bool) -> str:
    """Where a two-step (summary, then confirm) form stands: 'form', 'confirm' or 'run'."""
    if request.method != "POST" or not valid:
        return "form"
    steps = request.POST.getlist("step")
    if "edit" in steps:
        return "form"
    if "confirm" in steps and confirmed:
        return "run"
    return "confirm"


# --- unit list, tree, detail ----------------------------------------------------------


@access(Perm.VIEW)
def unit_list(request: HttpRequest) -> HttpResponse:
    """Visible units in tree order, searchable, filterable and exportable."""
    user = request.user
    visible = units_visible_to(user)
    q = request.GET.get("q", "").strip()
    kind = request.GET.get("kind", "")
    status = request.GET.get("status", "active")
    if status not in STATUS_FILTERS:
        status = "active"
    under = request.GET.get("under", "").strip()
    branches = list(
        visible.filter(status=UnitStatus.ACTIVE)
        .filter(Exists(Unit.objects.filter(parent=OuterRef("pk"))))
        .only("code", "name", "depth", "path")
        .order_by("path")
    )
    units = visible.select_related("parent").prefetch_related(
        Prefetch(
            "successions",
            queryset=UnitSuccession.objects.select_related("successor").order_by("successor__code"),
        )
    )
    if q:
        units = units.filter(search_text__contains=fold(q))
    if kind in UnitKind.values:
        units = units.filter(kind=kind)
    else:
        kind = ""
    if STATUS_FILTERS[status] is not None:
        units = units.filter(status=STATUS_FILTERS[status])
    root = None
    if under:
        root = (
            next((b for b in branches if b.code == under), None)
            or visible.filter(code=under).first()
        )
        # An unknown or invisible code matches nothing rather than everything.
        units = units.filter(path__startswith=root.path) if root else units.none()
    units = units.order_by("path")
    if request.GET.get("format") == "xlsx":
        rows = (
            (u.code, u.name, u.short_name, u.get_kind_display(), u.parent.code if u.parent else "",
             u.get_status_display(), u.valid_from, u.valid_to)
            for u in units[:EXPORT_LIMIT]
        )  # fmt: skip
        return xlsx_response(
            "don-vi.xlsx",
            "Đơn vị",
            ["Mã đơn vị", "Tên đơn vị", "Tên viết tắt", "Loại", "Mã đơn vị cấp trên",
             "Trạng thái", "Hiệu lực từ", "Hiệu lực đến"],
            rows,
        )  # fmt: skip
    page = paginate(request, units)
    base = _base_depth(user)
    for unit in page.object_list:
        unit.indent = max(0, unit.depth - base)  # type: ignore[attr-defined]
    return render(
        request,
        "organizations/unit_list.html",
        {
            "page": page,
            "q": q,
            "kind": kind,
            "status": status,
            "under": under,
            "branches": [
                (b.code, f"{'— ' * max(0, b.depth - base)}{b.name} ({b.code})") for b in branches
            ],
            "kinds": UnitKind.choices,
            "statuses": [
                ("active", _("Đang hoạt động")),
                ("merged", _("Đã sáp nhập")),
                ("split", _("Đã chia tách")),
                ("dissolved", _("Đã giải thể")),
                ("all", _("Tất cả")),
            ],
            "filtered": bool(q or kind or under or status != "active"),
        },
    )


@access(Perm.VIEW)
def unit_tree(request: HttpRequest) -> HttpResponse:
    """The tree as it stood on 31 December of a year, limited to the user's scope."""
    year = _parse_year(request.GET.get("year"), dt.date.today().year)
    scope = scope_for(request.user, Perm.VIEW)
    rows = [
        (depth, version)
        for depth, version in services.tree_as_of(dt.date(year, 12, 31))
        if scope.covers(version.unit)
    ]
    base = min((depth for depth, _v in rows), default=0)
    return render(
        request,
        "organizations/unit_tree.html",
        {
            "year": year,
            "rows": [(depth - base, version) for depth, version in rows],
            "this_year": dt.date.today().year,
        },
    )


@access(Perm.VIEW)
def unit_detail(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    unit = get_unit_for(user, code)
    predecessors = list(
        unit.predecessions.select_related("predecessor").order_by("on", "predecessor__code")
    )
    successors = [
        (succession, can(user, Perm.VIEW, succession.successor))
        for succession in unit.successions.select_related("successor").order_by(
            "on", "successor__code"
        )
    ]
    ratings = [
        (rating, rating.unit_id != unit.pk and can(user, Perm.VIEW, rating.unit))
        for rating in services.ratings_with_lineage(unit)
    ]
    context = {
        "unit": unit,
        "children": unit.children.filter(status=UnitStatus.ACTIVE).order_by("sort_key", "code"),
        "direct_people": Person.objects.filter(unit=unit).count(),
        "subtree_people": Person.objects.filter(unit__path__startswith=unit.path).count(),
        "ratings": ratings,
        "predecessors": predecessors,
        "successors": successors,
        "merged_into": [s for s, _v in successors if s.kind == SuccessionKind.MERGE],
        "split_into": [s for s, _v in successors if s.kind == SuccessionKind.SPLIT],
        "versions": unit.versions.select_related("parent").order_by("-valid_from"),
        # Its own changes, plus those recorded against it on other objects (ratings,
        # units merged into it), newest first.
        "events": (
            history_for(unit)
            | AuditEvent.objects.filter(unit=unit, action__startswith="unit.").select_related(
                "actor"
            )
        )[:50],
        "can_manage": unit.is_active and can(user, Perm.MANAGE_ORG, unit),
        "can_rate": can(user, Perm.MANAGE_PEOPLE, unit),
        "council": Council.objects.filter(unit=unit).first(),
        "show_eligibility": can(user, Perm.VIEW_SENSITIVE, unit),
        **unit_records_context(request, unit),
    }
    return render(request, "organizations/unit_detail.html", context)


# --- creating and changing one unit ----------------------------------------------------


def _form_page(request: HttpRequest, **context: Any) -> HttpResponse:
    return render(request, "organizations/form_page.html", context)


@access(Perm.MANAGE_ORG)
def unit_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    parents = _manageable(user).order_by("path")
    initial: dict[str, Any] = {"kind": UnitKind.OFFICE}
    parent_code = request.GET.get("parent", "")
    if parent_code and parents.filter(code=parent_code).exists():
        initial["parent"] = parent_code
    allow_root = can_create_root(user)
    form = forms.UnitCreateForm(
        request.POST or None, initial=initial, parents=parents, allow_root=allow_root
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            unit = services.unit_create(
                actor=user, code=data["code"], name=data["name"], parent=data["parent"],
                kind=data["kind"], short_name=data["short_name"], valid_from=data["valid_from"],
            )  # fmt: skip
        except DomainError as exc:
            forms.apply_domain_error(form, exc, conflict_field="code")
        else:
            messages.success(request, _("Đã tạo đơn vị “%(u)s”.") % {"u": unit.name})
            return _detail(unit)
    return _form_page(
        request,
        title=_("Tạo đơn vị mới"),
        form=form,
        submit=_("Tạo đơn vị"),
        cancel=reverse("organizations:list"),
    )


@access(Perm.MANAGE_ORG, object_page=True)
def unit_edit(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_unit_for(request.user, code, write=Perm.MANAGE_ORG)
    initial = {"name": unit.name, "short_name": unit.short_name, "kind": unit.kind}
    form = forms.UnitEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.unit_update(
                actor=request.user, unit=unit, name=data["name"], short_name=data["short_name"],
                kind=data["kind"], on=data["on"],
            )  # fmt: skip
        except DomainError as exc:
            forms.apply_domain_error(form, exc)
        else:
            messages.success(request, _("Đã lưu thông tin đơn vị."))
            return _detail(unit)
    return _form_page(
        request,
        title=_("Sửa thông tin đơn vị"),
        unit=unit,
        form=form,
        submit=_("Lưu"),
        cancel=reverse("organizations:detail", args=[unit.code]),
    )


@access(Perm.MANAGE_ORG, object_page=True)
def unit_move(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_unit_for(request.user, code, write=Perm.MANAGE_ORG)
    if (back := _active_or_back(request, unit)) is not None:
        return back
    parents = (
        _manageable(request.user)
        .exclude(path__startswith=unit.path)
        .exclude(pk=unit.parent_id or 0)
        .order_by("path")
    )
    form = forms.UnitMoveForm(request.POST or None, initial={"on": today()}, parents=parents)
    if request.method == "POST" and form.is_valid():
        try:
            services.unit_move(
                actor=request.user, unit=unit, new_parent=form.cleaned_data["parent"],
                on=form.cleaned_data["on"],
            )  # fmt: skip
        except DomainError as exc:
            forms.apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Đã chuyển “%(u)s” về trực thuộc “%(p)s”.")
                % {"u": unit.name, "p": form.cleaned_data["parent"].name},
            )
            return _detail(unit)
    return _form_page(
        request,
        title=_("Chuyển đơn vị sang đơn vị cấp trên khác"),
        intro=_("Các đơn vị cấp dưới đi theo. Vị trí cũ vẫn được lưu trong lịch sử."),
        unit=unit,
        form=form,
        submit=_("Chuyển"),
        cancel=reverse("organizations:detail", args=[unit.code]),
    )


@access(Perm.MANAGE_PEOPLE, object_page=True)
def unit_rating(request: HttpRequest, code: str) -> HttpResponse:
    unit = get_unit_for(request.user, code, write=Perm.MANAGE_PEOPLE)
    initial: dict[str, Any] = {"year": dt.date.today().year - 1}
    form = forms.UnitRatingForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            rating = services.unit_rating_set(
                actor=request.user, unit=unit, year=form.cleaned_data["year"],
                rating=form.cleaned_data["rating"],
            )  # fmt: skip
        except DomainError as exc:
            forms.apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Đã xếp loại năm %(y)d: %(r)s.")
                % {"y": rating.year, "r": rating.get_rating_display()},
            )
            return _detail(unit)
    return _form_page(
        request,
        title=_("Xếp loại đơn vị"),
        intro=_("Nếu năm đó đã có xếp loại, xếp loại mới sẽ thay thế (có ghi nhật ký)."),
        unit=unit,
        form=form,
        submit=_("Lưu xếp loại"),
        cancel=reverse("organizations:detail", args=[unit.code]),
    )


# --- restructuring ------------------------------------------------------------------------


def _people_counts(units: list[Unit]) -> dict[int, int]:
    rows = (
        Person.objects.filter(unit__in=units)
        .values_list("unit_id")
        .annotate(n=Count("id"))
        .order_by()
    )
    return dict(rows)


def _active_or_back(request: HttpRequest, unit: Unit) -> HttpResponse | None:
    if unit.is_active:
        return None
    messages.error(
        request, _("Đơn vị “%(u)s” đã ngừng hoạt động, không thể tổ chức lại.") % {"u": unit}
    )
    return _detail(unit)


@access(Perm.MANAGE_ORG, object_page=True)
def unit_merge(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    unit = get_unit_for(user, code, write=Perm.MANAGE_ORG)
    if (back := _active_or_back(request, unit)) is not None:
        return back
    ancestors = path_ids(unit.path)
    outside = _manageable(user).exclude(path__startswith=unit.path).order_by("path")
    form = forms.UnitMergeForm(
        request.POST or None,
        initial={"on": today()},
        others=outside.exclude(pk__in=ancestors),
        targets=outside,
        parents=outside,
        allow_root=can_create_root(user),
    )
    valid = request.method == "POST" and form.is_valid()
    stage = _confirm_or_run(request, valid, bool(valid and form.cleaned_data["confirmed"]))
    if stage == "run":
        data = form.cleaned_data
        existing = data["target"] == forms.UnitMergeForm.TARGET_EXISTING
        try:
            successor = services.units_merge(
                actor=user,
                sources=[unit, *data["others"]],
                on=data["on"],
                into=data["into"] if existing else None,
                code="" if existing else data["code"],
                name="" if existing else data["name"],
                kind="" if existing else data["kind"],
                parent=None if existing else data["parent"],
                note=data["note"],
            )
        except DomainError as exc:
            forms.apply_domain_error(
                form, exc, field_map={"sources": "others"}, conflict_field="code"
            )
            stage = "form"
        else:
            messages.success(
                request,
                _("Đã sáp nhập vào “%(u)s”. Cán bộ, xếp loại và hồ sơ của đơn vị cũ được giữ "
                  "và xem được từ đơn vị này.") % {"u": successor.name},
            )  # fmt: skip
            return _detail(successor)
    if stage == "confirm" and request.POST.get("step") == "confirm":
        form.add_error("confirmed", _("Hãy đánh dấu ô xác nhận để thực hiện."))
    if stage == "confirm":
        data = form.cleaned_data
        sources = [unit, *data["others"]]
        counts = _people_counts(sources)
        return render(
            request,
            "organizations/unit_merge_confirm.html",
            {
                "unit": unit,
                "form": form,
                "sources": [(s, counts.get(s.pk, 0)) for s in sources],
                "people_total": sum(counts.values()),
                "existing": data["target"] == forms.UnitMergeForm.TARGET_EXISTING,
                "data": data,
                "kind_label": dict(UnitKind.choices).get(data.get("kind") or sources[0].kind),
                "end": data["on"] - dt.timedelta(days=1),
            },
        )
    return render(request, "organizations/unit_merge.html", {"unit": unit, "form": form})


def _split_rows(request: HttpRequest) -> int:
    """How many part rows the page holds: posted with the formset, or `?parts=` on a GET."""
    source = request.POST if request.method == "POST" else request.GET
    key = "parts-TOTAL_FORMS" if request.method == "POST" else "parts"
    try:
        rows = int(source.get(key, SPLIT_DEFAULT_ROWS))
    except ValueError:
        rows = SPLIT_DEFAULT_ROWS
    return min(max(rows, 2), forms.MAX_SPLIT_PARTS)


def _typed_parts(data: Any, rows: int) -> list[dict[str, str]]:
    """The part rows as typed, unchecked, so they can be shown again or put in a file."""
    return [
        {key: data.get(f"parts-{i}-{key}", "").strip() for key in ("code", "name", "kind")}
        for i in range(rows)
    ]


def _allocation_rows(raw: str) -> list[AllocationRow]:
    """Rows of an allocation file read on an earlier step, carried in a hidden field."""
    try:
        loaded = json.loads(raw) if raw else []
        return [(int(n), str(p), str(c)) for n, p, c in loaded]
    except (ValueError, TypeError):
        return []  # a tampered field counts as no file; the summary shows the outcome


@access(Perm.MANAGE_ORG, object_page=True)
def unit_split(request: HttpRequest, code: str) -> HttpResponse:
    user = request.user
    unit = get_unit_for(user, code, write=Perm.MANAGE_ORG)
    if (back := _active_or_back(request, unit)) is not None:
        return back
    data = request.POST if request.method == "POST" else None
    steps = request.POST.getlist("step") if data is not None else []
    rows = _split_rows(request)
    people_count = Person.objects.filter(unit=unit).count()
    by_file = people_count > SPLIT_ALLOCATION_LIMIT
    if "download" in steps and by_file:
        typed = [p for p in _typed_parts(request.POST, rows) if p["code"]]
        return split_allocation_response(
            unit=unit,
            first_code=typed[0]["code"] if typed else "",
            parts=[(p["code"], p["name"]) for p in typed],
        )
    people = [] if by_file else list(Person.objects.filter(unit=unit).order_by("sort_key", "code"))
    # Large units: the allocation file is read once, then its rows travel with the form
    # (hidden field) through "add a row", the summary and "edit", and are checked anew
    # against the parts as they stand each time.
    file_rows: list[AllocationRow] = []
    file_errors: list[RowError] = []
    if by_file and data is not None:
        upload = request.FILES.get("allocation_file")
        if upload is not None:
            file_rows, file_errors = read_split_allocation(upload)
        else:
            file_rows = _allocation_rows(request.POST.get("allocation_rows", ""))
    page = {
        "unit": unit,
        "people_count": people_count,
        "by_file": by_file,
        "file_rows": len(file_rows),
        "allocation_rows": json.dumps(file_rows, ensure_ascii=False, separators=(",", ":")),
    }

    if "add" in steps:
        # Adding a row re-shows everything typed so far, unchecked, with one more row.
        rows = min(rows + 1, forms.MAX_SPLIT_PARTS)
        formset = forms.split_formset_class(rows)(
            prefix="parts", row_values=_typed_parts(request.POST, rows)
        )
        form = forms.UnitSplitForm(
            initial={"on": today()}, people=people, rows=rows, by_file=by_file
        )
        form.initial.update(
            {name: request.POST[name] for name in form.fields if name in request.POST}
        )
        return _split_form_page(request, page, form, formset, rows, file_errors)

    formset = forms.split_formset_class(rows)(data, prefix="parts")
    form = forms.UnitSplitForm(
        data, request.FILES or None, initial={"on": today()}, people=people, rows=rows,
        by_file=by_file,
    )  # fmt: skip
    # Both are validated even when one fails, so every error shows at once.
    form_ok = data is not None and form.is_valid()
    parts_ok = data is not None and formset.is_valid()
    valid = form_ok and parts_ok
    filled: list[int] = formset.filled_rows() if parts_ok else []
    parts = [formset.forms[i].cleaned_data for i in filled]
    allocation: dict[int, int] = {}
    if by_file and parts_ok and file_rows and not file_errors:
        allocation, file_errors = check_split_allocation(
            unit=unit, rows=file_rows, part_codes=[p["code"] for p in parts]
        )
    if file_errors:
        valid = False
        form.add_error(
            "allocation_file",
            ngettext(
                "Tệp phân bổ có %(n)d lỗi (xem bảng bên dưới); chưa có gì được ghi.",
                "Tệp phân bổ có %(n)d lỗi (xem bảng bên dưới); chưa có gì được ghi.",
                len(file_errors),
            )
            % {"n": len(file_errors)},
        )
    if valid and not by_file:
        # A person may only be sent to a row that was filled in; no choice means the
        # first filled row, whichever it is.
        for pid, row in form.allocation().items():
            if row is None:
                allocation[pid] = 0
            elif row in filled:
                allocation[pid] = filled.index(row)
            else:
                form.add_error(f"alloc_{pid}", _("Dòng đơn vị mới này đang để trống."))
                valid = False
    stage = _confirm_or_run(request, valid, bool(valid and form.cleaned_data["confirmed"]))
    if stage == "run":
        try:
            new_units = services.unit_split(
                actor=user,
                source=unit,
                on=form.cleaned_data["on"],
                parts=[{"code": p["code"], "name": p["name"], "kind": p["kind"]} for p in parts],
                allocation=allocation,
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            forms.apply_domain_error(form, exc, conflict_field=None)
            stage = "form"
        else:
            messages.success(
                request,
                _("Đã chia tách “%(u)s” thành: %(parts)s.")
                % {"u": unit.name, "parts": ", ".join(u.name for u in new_units)},
            )
            return _detail(new_units[0])
    if stage == "confirm" and request.POST.get("step") == "confirm":
        form.add_error("confirmed", _("Hãy đánh dấu ô xác nhận để thực hiện."))
    if stage == "confirm":
        kinds = dict(UnitKind.choices)
        # Whoever the allocation leaves out (not in the file, or joined the unit since
        # the page was opened) goes to the first new unit, as the service does.
        counts = Counter(allocation.values())
        counts[0] += people_count - len(allocation)
        summary = [
            {
                "part": p,
                "kind_label": kinds.get(p["kind"] or unit.kind),
                "count": counts[i],
                "people": [person for person in people if allocation.get(person.pk) == i],
            }
            for i, p in enumerate(parts)
        ]
        return render(
            request,
            "organizations/unit_split_confirm.html",
            {
                **page,
                "form": form,
                "formset": formset,
                "summary": summary,
                "end": form.cleaned_data["on"] - dt.timedelta(days=1),
            },
        )
    return _split_form_page(request, page, form, formset, rows, file_errors)


def _split_form_page(
    request: HttpRequest,
    page: dict[str, Any],
    form: forms.UnitSplitForm,
    formset: forms.BaseSplitPartFormSet,
    rows: int,
    file_errors: list[RowError],
) -> HttpResponse:
    return render(
        request,
        "organizations/unit_split.html",
        {
            **page,
            "form": form,
            "formset": formset,
            "rows": rows,
            "can_add": rows < forms.MAX_SPLIT_PARTS,
            "file_errors": file_errors[:IMPORT_ERRORS_SHOWN],
            "file_errors_total": len(file_errors),
        },
    )


# --- import ---------------------------------------------------------------------------


@access(Perm.MANAGE_ORG)
def unit_import(request: HttpRequest) -> HttpResponse:
    form = forms.ImportForm(request.POST or None, request.FILES or None)
    result = None
    errors_token = ""
    if request.method == "POST" and form.is_valid():
        result = import_units(actor=request.user, upload=form.cleaned_data["file"])
        if result.errors:
            errors_token = stash_error_report(request.user, result.errors)
    return render(
        request,
        "organizations/unit_import.html",
        {
            "form": form,
            "result": result,
            "errors_shown": result.errors[:IMPORT_ERRORS_SHOWN] if result else [],
            "errors_token": errors_token,
        },
    )


@access(Perm.VIEW)
def unit_import_errors(request: HttpRequest, token: str) -> HttpResponse:
    """The full error list of the user's own last bad import (kept for an hour)."""
    return error_report_response(request.user, token, "loi-nhap-don-vi.xlsx")


@access(Perm.MANAGE_ORG)
def unit_import_template(request: HttpRequest) -> HttpResponse:
    example = _manageable(request.user).order_by("path").values_list("code", flat=True).first()
    return unit_template_response(example or "MA_CAP_TREN")


# --- clusters -----------------------------------------------------------------------------


@access(Perm.VIEW)
def cluster_list(request: HttpRequest) -> HttpResponse:
    clusters = clusters_visible_to(request.user)
    organizers = Unit.objects.filter(pk__in=clusters.values("organizer_id")).order_by("path")
    years = sorted(set(clusters.values_list("year", flat=True)), reverse=True)
    year = request.GET.get("year", "")
    organizer = request.GET.get("organizer", "")
    kind = request.GET.get("kind", "")
    if year.isdigit():
        clusters = clusters.filter(year=int(year))
    else:
        year = ""
    if organizer:
        clusters = clusters.filter(organizer__code=organizer)
    if kind in ClusterKind.values:
        clusters = clusters.filter(kind=kind)
    else:
        kind = ""
    clusters = (
        clusters.select_related("organizer", "leader", "deputy", "follower")
        .annotate(member_count=Count("memberships"))
        .order_by("-year", "name")
    )
    if request.GET.get("format") == "xlsx":
        exported = clusters.prefetch_related(
            Prefetch(
                "memberships",
                queryset=ClusterMember.objects.select_related("unit").order_by("unit__path"),
            )
        )[:EXPORT_LIMIT]
        rows = (
            (c.year, c.get_kind_display(), c.name, c.organizer.code,
             c.leader.code if c.leader else "", c.deputy.code if c.deputy else "",
             c.follower.full_name if c.follower else "", c.member_count,
             ", ".join(m.unit.code for m in c.memberships.all()))
            for c in exported
        )  # fmt: skip
        return xlsx_response(
            "cum-khoi-thi-dua.xlsx",
            "Cụm, khối",
            ["Năm", "Loại", "Tên", "Đơn vị tổ chức", "Cụm trưởng", "Cụm phó",
             "Người theo dõi", "Số thành viên", "Mã đơn vị thành viên"],
            rows,
        )  # fmt: skip
    return render(
        request,
        "organizations/cluster_list.html",
        {
            "page": paginate(request, clusters),
            "years": years,
            "year": year,
            "organizers": organizers,
            "organizer": organizer,
            "kind": kind,
            "kinds": ClusterKind.choices,
        },
    )


@access(Perm.VIEW)
def cluster_detail(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = get_cluster_for(request.user, pk)
    scope = scope_for(request.user, Perm.VIEW)
    members = [
        (m.unit, scope.covers(m.unit))
        for m in cluster.memberships.select_related("unit").order_by("unit__path")
    ]
    follower_visible = cluster.follower is not None and scope.covers(cluster.follower.unit)
    return render(
        request,
        "organizations/cluster_detail.html",
        {
            "cluster": cluster,
            "members": members,
            "follower_visible": follower_visible,
            "can_manage": can(request.user, Perm.MANAGE_ORG, cluster.organizer),
            "events": list(history_for(cluster).order_by("-seq")[:HISTORY_LIMIT]),
        },
    )


def _cluster_crumbs(cluster: Cluster) -> list[tuple[str, str]]:
    return [
        (_("Cụm, khối thi đua"), reverse("organizations:clusters")),
        (str(cluster), reverse("organizations:cluster_detail", args=[cluster.pk])),
    ]


@access(Perm.MANAGE_ORG)
def cluster_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    units = units_visible_to(user).filter(status=UnitStatus.ACTIVE).order_by("path")
    form = forms.ClusterForm(
        request.POST or None,
        initial={"year": dt.date.today().year, "kind": ClusterKind.CLUSTER},
        organizers=_manageable(user).order_by("path"),
        units=units,
        people=people_visible_to(user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            cluster = services.cluster_create(
                actor=user, organizer=data["organizer"], kind=data["kind"], name=data["name"],
                year=data["year"], members=list(data["members"]), leader=data["leader"],
                deputy=data["deputy"], follower=data["follower"],
            )  # fmt: skip
        except DomainError as exc:
            forms.apply_domain_error(form, exc, conflict_field="name")
        else:
            messages.success(request, _("Đã tạo “%(c)s”.") % {"c": cluster})
            return redirect("organizations:cluster_detail", pk=cluster.pk)
    return _form_page(
        request,
        title=_("Tạo cụm, khối thi đua"),
        form=form,
        submit=_("Tạo"),
        cancel=reverse("organizations:clusters"),
    )


@access(Perm.MANAGE_ORG, object_page=True)
def cluster_edit(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    cluster = get_cluster_for(user, pk, write=Perm.MANAGE_ORG)
    current = ClusterMember.objects.filter(cluster=cluster).values("unit_id")
    # Current members stay choosable even when merged since or outside this user's
    # view (a ministry officer may have added them), so saving never drops them silently.
    units = (
        units_visible_to(user).filter(status=UnitStatus.ACTIVE)
        | Unit.objects.filter(pk__in=current)
    ).order_by("path")
    people = people_visible_to(user) | Person.objects.filter(pk=cluster.follower_id or 0)
    initial = {
        "kind": cluster.kind,
        "name": cluster.name,
        "members": list(
            Unit.objects.filter(pk__in=current).order_by("path").values_list("code", flat=True)
        ),
        "leader": cluster.leader.code if cluster.leader else "",
        "deputy": cluster.deputy.code if cluster.deputy else "",
        "follower": cluster.follower.code if cluster.follower else "",
    }
    form = forms.ClusterEditForm(request.POST or None, initial=initial, units=units, people=people)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.cluster_update(
                actor=user, cluster=cluster, name=data["name"], kind=data["kind"],
                leader=data["leader"], deputy=data["deputy"], follower=data["follower"],
                members=list(data["members"]),
            )  # fmt: skip
        except DomainError as exc:
            forms.apply_domain_error(form, exc, conflict_field="name")
        else:
            messages.success(request, _("Đã lưu cụm, khối thi đua."))
            return redirect("organizations:cluster_detail", pk=cluster.pk)
    return _form_page(
        request,
        title=_("Sửa cụm, khối thi đua"),
        crumbs=_cluster_crumbs(cluster),
        subtitle=_("%(c)s – đơn vị tổ chức: %(u)s") % {"c": cluster, "u": cluster.organizer.name},
        form=form,
        submit=_("Lưu"),
        cancel=reverse("organizations:cluster_detail", args=[cluster.pk]),
    )


@access(Perm.MANAGE_ORG, object_page=True)
def cluster_copy(request: HttpRequest, pk: int) -> HttpResponse:
    cluster = get_cluster_for(request.user, pk, write=Perm.MANAGE_ORG)
    form = forms.ClusterCopyForm(request.POST or None, initial={"year": cluster.year + 1})
    if request.method == "POST" and form.is_valid():
        try:
            copy = services.cluster_copy_to_year(
                actor=request.user, cluster=cluster, year=form.cleaned_data["year"]
            )
        except DomainError as exc:
            forms.apply_domain_error(form, exc, conflict_field="year")
        else:
            messages.success(
                request, _("Đã chép “%(c)s” sang năm %(y)d.") % {"c": cluster.name, "y": copy.year}
            )
            left_out = cluster.memberships.count() - copy.memberships.count()
            if left_out:
                messages.warning(
                    request,
                    ngettext(
                        "%(n)d đơn vị đã ngừng hoạt động không được chép sang.",
                        "%(n)d đơn vị đã ngừng hoạt động không được chép sang.",
                        left_out,
                    )
                    % {"n": left_out},
                )
            return redirect("organizations:cluster_detail", pk=copy.pk)
    return _form_page(
        request,
        title=_("Chép cụm, khối sang năm khác"),
        crumbs=_cluster_crumbs(cluster),
        intro=_(
            "Cụm, khối được lập theo từng năm. Bản chép giữ tên, loại, cụm trưởng, cụm phó, "
            "người theo dõi và các đơn vị thành viên; sau đó có thể sửa riêng."
        ),
        form=form,
        submit=_("Chép"),
        cancel=reverse("organizations:cluster_detail", args=[cluster.pk]),
    )


# --- councils -------------------------------------------------------------------------------


def _current_q(prefix: str = "") -> Q:
    return Q(**{f"{prefix}valid_to__isnull": True}) | Q(**{f"{prefix}valid_to__gte": today()})


@access(Perm.VIEW)
def council_list(request: HttpRequest) -> HttpResponse:
    councils = (
        councils_visible_to(request.user)
        .select_related("unit")
        .annotate(current_members=Count("members", filter=_current_q("members__")))
        .order_by("unit__path")
    )
    q = request.GET.get("q", "").strip()
    if q:
        # Councils are found by their unit's code or name, the way people look for them.
        councils = councils.filter(unit__search_text__contains=fold(q))
    if request.GET.get("format") == "xlsx":
        rows = (
            (c.name, c.unit.code, c.unit.name, c.established_on, c.decision_number,
             c.current_members)
            for c in councils[:EXPORT_LIMIT]
        )  # fmt: skip
        return xlsx_response(
            "hoi-dong-thi-dua.xlsx",
            "Hội đồng",
            ["Tên hội đồng", "Mã đơn vị", "Đơn vị", "Ngày thành lập", "Số quyết định",
             "Thành viên hiện nay"],
            rows,
        )  # fmt: skip
    return render(
        request,
        "organizations/council_list.html",
        {"page": paginate(request, councils), "q": q},
    )


ROLE_ORDER = Case(
    *[When(role=role, then=Value(i)) for i, role in enumerate(CouncilRole.values)],
    default=Value(99),
    output_field=IntegerField(),
)


@access(Perm.VIEW)
def council_detail(request: HttpRequest, pk: int) -> HttpResponse:
    council = get_council_for(request.user, pk)
    members = (
        council.members.select_related("person", "person__unit")
        .annotate(
            past=Case(When(_current_q(), then=Value(0)), default=Value(1)),
            role_order=ROLE_ORDER,
        )
        .order_by("past", "role_order", "valid_from", "person__sort_key")
    )
    scope = scope_for(request.user, Perm.VIEW)
    rows = list(members)
    # Members are rows of their own in the log; the council's story includes them.
    member_events = AuditEvent.objects.filter(
        object_type=CouncilMember._meta.label_lower, object_id__in=[str(m.pk) for m in rows]
    )
    events = list((history_for(council) | member_events).order_by("-seq")[:HISTORY_LIMIT])
    return render(
        request,
        "organizations/council_detail.html",
        {
            "council": council,
            "members": [(m, scope.covers(m.person.unit)) for m in rows],
            "can_manage": can(request.user, Perm.MANAGE_ORG, council.unit),
            "events": events,
        },
    )


@access(Perm.MANAGE_ORG)
def council_create(request: HttpRequest) -> HttpResponse:
    units = _manageable(request.user).filter(council__isnull=True).order_by("path")
    initial: dict[str, Any] = {"established_on": today()}
    if request.GET.get("unit"):
        initial["unit"] = request.GET["unit"]
    form = forms.CouncilForm(request.POST or None, initial=initial, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            council = services.council_create(
                actor=request.user, unit=data["unit"], name=data["name"],
                established_on=data["established_on"], decision_number=data["decision_number"],
            )  # fmt: skip
        except DomainError as exc:
            forms.apply_domain_error(form, exc, conflict_field="unit")
        else:
            messages.success(request, _("Đã thành lập “%(c)s”.") % {"c": council.name})
            return redirect("organizations:council_detail", pk=council.pk)
    return _form_page(
        request,
        title=_("Thành lập hội đồng thi đua – khen thưởng"),
        form=form,
        submit=_("Lưu"),
        cancel=reverse("organizations:councils"),
    )


@access(Perm.MANAGE_ORG, object_page=True)
def council_member_add(request: HttpRequest, pk: int) -> HttpResponse:
    council = get_council_for(request.user, pk, write=Perm.MANAGE_ORG)
    form = forms.CouncilMemberForm(
        request.POST or None,
        initial={"valid_from": today(), "role": CouncilRole.MEMBER},
        people=people_visible_to(request.user),
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member = services.council_member_add(
                actor=request.user, council=council, person=data["person"], role=data["role"],
                valid_from=data["valid_from"],
            )  # fmt: skip
        except DomainError as exc:
            forms.apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Đã thêm %(p)s vào hội đồng (%(r)s).")
                % {"p": member.person.full_name, "r": member.get_role_display()},
            )
            return redirect("organizations:council_detail", pk=council.pk)
    return _form_page(
        request,
        title=_("Thêm thành viên hội đồng"),
        subtitle=council.name,
        form=form,
        submit=_("Thêm"),
        cancel=reverse("organizations:council_detail", args=[council.pk]),
    )


@access(Perm.MANAGE_ORG, object_page=True)
def council_member_end(request: HttpRequest, pk: int) -> HttpResponse:
    member = (
        CouncilMember.objects.select_related("council", "council__unit", "person")
        .filter(pk=pk)
        .first()
    )
    if member is None:
        raise Http404
    check_unit(request.user, member.council.unit, Perm.MANAGE_ORG)
    form = forms.CouncilMemberEndForm(request.POST or None, initial={"on": today()})
    if request.method == "POST" and form.is_valid():
        try:
            services.council_member_end(
                actor=request.user, member=member, on=form.cleaned_data["on"]
            )
        except DomainError as exc:
            forms.apply_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("%(p)s đã thôi tham gia hội đồng.") % {"p": member.person.full_name},
            )
            return redirect("organizations:council_detail", pk=member.council_id)
    return _form_page(
        request,
        title=_("Kết thúc tham gia hội đồng"),
        subtitle=_("%(p)s – %(r)s, %(c)s")
        % {
            "p": member.person.full_name,
            "r": member.get_role_display(),
            "c": member.council.name,
        },
        form=form,
        submit=_("Kết thúc"),
        danger=True,
        cancel=reverse("organizations:council_detail", args=[member.council_id]),
    )
