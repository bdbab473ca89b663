"""User and role management for system administrators, scoped to their unit subtree."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db.models import Exists, OuterRef, Prefetch, Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts import services
from accounts.access import (
    Perm,
    access,
    can,
    get_unit_for,
    get_user_for,
    may_manage_account,
    people_visible_to,
    scope_for,
    units_visible_to,
    users_visible_to,
)
from accounts.forms import GrantForm, UserCreateForm, UserFilterForm, add_service_errors
from accounts.models import ApiToken, Role, RoleGrant, User
from audit.models import AuditEvent
from core.errors import Conflict, ValidationFailed
from core.text import fold
from core.xlsx import xlsx_response
from organizations.models import Unit, UnitStatus

HISTORY_LIMIT = 100
EXPORT_CHUNK = 1000
UNIT_FIELDS = ("code", "name", "depth", "path", "status")
GET_POST = require_http_methods(["GET", "POST"])


def _scope_units(user: Any, active_only: bool = False) -> list[Unit]:
    """Units the administrator manages accounts on, in tree order."""
    units = units_visible_to(user, Perm.MANAGE_USERS).only(*UNIT_FIELDS).order_by("path")
    if active_only:
        # Roles on merged or split units would cover nothing that still works.
        units = units.filter(status=UnitStatus.ACTIVE)
    return list(units)


def _grants_prefetch() -> Prefetch[Any]:
    return Prefetch(
        "grants",
        queryset=RoleGrant.objects.select_related("unit").order_by("unit__path", "role"),
    )


def _confirmed(request: HttpRequest) -> bool:
    return request.method == "POST" and request.POST.get("confirm") == "1"


# --- list ---------------------------------------------------------------------------


def _filtered_users(
    request: HttpRequest, form: UserFilterForm, units: Sequence[Unit]
) -> tuple[QuerySet[User], list[int] | None]:
    """The managed accounts matching the filters; with a search, their ids in list order.

    Names on accounts have no stored search key, so the diacritic-insensitive
    match runs in Python over four short columns of the accounts in scope (one
    query); the page is then loaded by id, which keeps pagination exact.
    """
    form.is_valid()  # invalid filters are dropped and shown; the valid ones still apply
    data = getattr(form, "cleaned_data", {})
    users = users_visible_to(request.user)
    role = data.get("role")
    unit_code = data.get("unit")
    unit = next((u for u in units if u.code == unit_code), None) if unit_code else None
    if role or unit is not None:
        grants = RoleGrant.objects.filter(user=OuterRef("pk"))
        if role:
            grants = grants.filter(role=role)
        if unit is not None:
            grants = grants.filter(unit__path__startswith=unit.path)
        else:
            # "Who is an officer?" answers for the administrator's own units only.
            grants = grants.filter(scope_for(request.user, Perm.MANAGE_USERS).unit_q("unit__"))
        users = users.filter(Exists(grants))
    status = data.get("status")
    if status in {"active", "inactive"}:
        users = users.filter(is_active=status == "active")
    users = users.order_by("username", "pk")
    q = fold(data.get("q"))
    if not q:
        return users, None
    rows = users.values_list("pk", "username", "first_name", "last_name", "email")
    ids = [pk for pk, *texts in rows.iterator(chunk_size=5000) if q in fold(" ".join(texts))]
    return users, ids


def _load(ids: Sequence[int]) -> list[User]:
    """Accounts by id, in the given order, with their roles and units (three queries)."""
    loaded = User.objects.select_related("person").prefetch_related(_grants_prefetch()).in_bulk(ids)
    return [loaded[pk] for pk in ids if pk in loaded]


@access(Perm.MANAGE_USERS)
def user_list(request: HttpRequest) -> HttpResponse:
    units = _scope_units(request.user)
    form = UserFilterForm(request.GET, units=units)
    users, ids = _filtered_users(request, form, units)
    if request.GET.get("format") == "xlsx":
        return _export(users, ids)
    page: Page[Any]
    if ids is None:
        paginator = Paginator(
            users.select_related("person").prefetch_related(_grants_prefetch()),
            settings.PAGE_SIZE,
        )
        page = paginator.get_page(request.GET.get("page"))
    else:
        id_page = Paginator(ids, settings.PAGE_SIZE).get_page(request.GET.get("page"))
        page = Page(_load(list(id_page.object_list)), id_page.number, id_page.paginator)
    return render(
        request,
        "accounts/user_list.html",
        {"form": form, "page": page, "filtered": any(request.GET.get(k) for k in form.fields)},
    )


def _roles_text(user: User) -> str:
    return ", ".join(f"{g.role}@{g.unit.code}" for g in user.grants.all())


def _export(users: QuerySet[User], ids: list[int] | None) -> HttpResponse:
    if ids is None:
        ids = list(users.values_list("pk", flat=True))

    def rows() -> Iterator[tuple[Any, ...]]:
        for start in range(0, len(ids), EXPORT_CHUNK):
            for user in _load(ids[start : start + EXPORT_CHUNK]):
                yield (
                    user.username,
                    user.get_full_name(),
                    user.email,
                    _("Có") if user.is_active else _("Không"),
                    _roles_text(user),
                )

    headers = [_("Tên đăng nhập"), _("Họ và tên"), _("Thư điện tử"), _("Hoạt động"), _("Vai trò")]
    return xlsx_response("nguoi-dung.xlsx", _("Người dùng"), headers, rows())


# --- create ---------------------------------------------------------------------------


@access(Perm.MANAGE_USERS)
@GET_POST
def user_create(request: HttpRequest) -> HttpResponse:
    units = _scope_units(request.user, active_only=True)
    form = UserCreateForm(request.POST or None, units=units)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        person = None
        if data["person"]:
            person = (
                people_visible_to(request.user, Perm.MANAGE_USERS)
                .filter(code=data["person"].strip())
                .first()
            )
            if person is None:
                form.add_error(
                    "person", _("Không có cán bộ mang mã này trong phạm vi bạn quản lý.")
                )
        if not form.errors:
            unit = get_unit_for(request.user, data["unit"], write=Perm.MANAGE_USERS)
            try:
                user = services.user_onboard(
                    actor=request.user,
                    username=data["username"],
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    email=data["email"],
                    person=person,
                    password=form.password,
                    role=data["role"],
                    unit=unit,
                )
            except Conflict as exc:
                form.add_error("username", exc.message)
            except ValidationFailed as exc:
                add_service_errors(form, exc.errors, {"password": "password1"})
            else:
                if form.password is None:
                    messages.success(
                        request,
                        _("Đã tạo tài khoản %(u)s và gửi thư đặt mật khẩu tới %(e)s.")
                        % {"u": user.username, "e": user.email},
                    )
                else:
                    messages.success(request, _("Đã tạo tài khoản %(u)s.") % {"u": user.username})
                return redirect("accounts:detail", pk=user.pk)
    return render(request, "accounts/user_form.html", {"form": form})


# --- detail ---------------------------------------------------------------------------


def _history(target: User, grant_ids: list[int], token_ids: list[int]) -> list[AuditEvent]:
    """Events of the account, of its roles (revoked ones too) and of its API tokens."""
    grant_type = RoleGrant._meta.label_lower
    # Revoked grants are deleted rows; their events still name the user.
    grant_q = Q(object_id__in=[str(pk) for pk in grant_ids])
    grant_q |= Q(after__user=target.username) | Q(before__user=target.username)
    where = (
        Q(object_type=User._meta.label_lower, object_id=str(target.pk))
        | (Q(object_type=grant_type) & grant_q)
        | Q(object_type=ApiToken._meta.label_lower, object_id__in=[str(pk) for pk in token_ids])
    )
    return list(AuditEvent.objects.filter(where).order_by("-seq")[:HISTORY_LIMIT])


def _render_detail(
    request: HttpRequest,
    target: User,
    grant_form: GrantForm | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request.user
    grants = list(target.grants.select_related("unit").order_by("unit__path", "role"))
    tokens = list(target.api_tokens.order_by("-created_at"))
    in_scope = {g.pk for g in grants if can(actor, Perm.MANAGE_USERS, g.unit)}
    if grant_form is None:
        grant_form = GrantForm(units=_scope_units(actor, active_only=True))
    context = {
        "target": target,
        "grants": [(g, g.pk in in_scope) for g in grants],
        "tokens": tokens,
        "grant_form": grant_form,
        "can_manage": may_manage_account(actor, target),
        "is_self": target.pk == actor.pk,
        "events": _history(target, [g.pk for g in grants], [t.pk for t in tokens]),
    }
    return render(request, "accounts/user_detail.html", context, status=status)


@access(Perm.MANAGE_USERS)
@require_http_methods(["GET"])
def user_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _render_detail(request, get_user_for(request.user, pk))


# --- roles -----------------------------------------------------------------------------


@access(Perm.MANAGE_USERS)
@require_http_methods(["POST"])
def grant_add(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_user_for(request.user, pk)
    form = GrantForm(request.POST, units=_scope_units(request.user, active_only=True))
    if form.is_valid():
        # The choice list already holds only units in scope; this is the last word.
        unit = get_unit_for(request.user, form.cleaned_data["unit"], write=Perm.MANAGE_USERS)
        role = form.cleaned_data["role"]
        try:
            services.role_grant(actor=request.user, user=target, role=role, unit=unit)
        except Conflict:
            form.add_error(None, _("Người dùng đã có vai trò này trên đơn vị này."))
        except ValidationFailed as exc:
            add_service_errors(form, exc.errors, {})
        else:
            messages.success(
                request,
                _("Đã cấp vai trò “%(r)s” trên %(u)s.") % {"r": Role(role).label, "u": unit.name},
            )
            return redirect("accounts:detail", pk=target.pk)
    return _render_detail(request, target, grant_form=form)


@access(Perm.MANAGE_USERS)
@GET_POST
def grant_revoke(request: HttpRequest, pk: int, grant_pk: int) -> HttpResponse:
    target = get_user_for(request.user, pk)
    grant = get_object_or_404(RoleGrant.objects.select_related("unit"), pk=grant_pk, user=target)
    if not can(request.user, Perm.MANAGE_USERS, grant.unit):
        raise PermissionDenied
    if not _confirmed(request):
        return render(
            request,
            "accounts/confirm.html",
            {
                "target": target,
                "title": _("Thu hồi vai trò"),
                "question": _(
                    "Thu hồi vai trò “%(r)s” trên %(u)s (%(c)s) của %(n)s? Người dùng sẽ mất "
                    "quyền tương ứng ngay lập tức, trên đơn vị này và mọi đơn vị trực thuộc."
                )
                % {
                    "r": grant.get_role_display(),
                    "u": grant.unit.name,
                    "c": grant.unit.code,
                    "n": target.get_full_name() or target.username,
                },
                "button": _("Thu hồi"),
                "danger": True,
            },
        )
    label = f"{grant.get_role_display()} – {grant.unit.name}"
    services.role_revoke(actor=request.user, grant=grant)
    messages.success(request, _("Đã thu hồi vai trò %(g)s.") % {"g": label})
    if not users_visible_to(request.user).filter(pk=target.pk).exists():
        messages.info(
            request,
            _("%(u)s không còn vai trò nào trong phạm vi bạn quản lý.") % {"u": target.username},
        )
        return redirect("accounts:users")
    return redirect("accounts:detail", pk=target.pk)


# --- the account itself ---------------------------------------------------------------


@access(Perm.MANAGE_USERS)
@GET_POST
def user_set_active(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_user_for(request.user, pk, write=True)
    activate = request.POST.get("active", request.GET.get("active")) == "1"
    if not _confirmed(request):
        question = (
            _("Mở khóa tài khoản %(u)s? Người dùng đăng nhập lại được ngay.")
            if activate
            else _(
                "Khóa tài khoản %(u)s? Người dùng bị đăng xuất khỏi mọi phiên và mọi mã API "
                "của họ ngừng hoạt động cho đến khi được mở khóa."
            )
        )
        return render(
            request,
            "accounts/confirm.html",
            {
                "target": target,
                "title": _("Mở khóa tài khoản") if activate else _("Khóa tài khoản"),
                "question": question % {"u": target.username},
                "button": _("Mở khóa") if activate else _("Khóa"),
                "danger": not activate,
                "hidden": {"active": "1" if activate else "0"},
            },
        )
    try:
        services.user_set_active(actor=request.user, user=target, active=activate)
    except Conflict as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            (_("Đã mở khóa tài khoản %(u)s.") if activate else _("Đã khóa tài khoản %(u)s."))
            % {"u": target.username},
        )
    return redirect("accounts:detail", pk=target.pk)


@access(Perm.MANAGE_USERS)
@GET_POST
def password_email(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_user_for(request.user, pk, write=True)
    if not target.email:
        messages.error(request, _("Tài khoản chưa có địa chỉ thư điện tử."))
        return redirect("accounts:detail", pk=target.pk)
    if not _confirmed(request):
        return render(
            request,
            "accounts/confirm.html",
            {
                "target": target,
                "title": _("Gửi thư đặt mật khẩu"),
                "question": _(
                    "Gửi tới %(e)s một đường dẫn dùng một lần để %(u)s tự đặt mật khẩu mới? "
                    "Mật khẩu hiện tại vẫn dùng được cho đến khi mật khẩu mới được đặt."
                )
                % {"e": target.email, "u": target.username},
                "button": _("Gửi thư"),
                "danger": False,
            },
        )
    services.user_password_email_send(actor=request.user, user=target)
    messages.success(request, _("Đã gửi thư đặt mật khẩu tới %(e)s.") % {"e": target.email})
    return redirect("accounts:detail", pk=target.pk)


# --- API tokens -------------------------------------------------------------------------


@access(Perm.MANAGE_USERS)
@GET_POST
def token_issue(request: HttpRequest, pk: int) -> HttpResponse:
    target = get_user_for(request.user, pk, write=True)
    if not _confirmed(request):
        return render(
            request,
            "accounts/confirm.html",
            {
                "target": target,
                "title": _("Cấp mã API mới"),
                "question": _(
                    "Cấp một mã API mới cho %(u)s? Mã cho phép gọi API với đúng quyền của người "
                    "dùng này và chỉ hiển thị một lần duy nhất."
                )
                % {"u": target.username},
                "button": _("Cấp mã"),
                "danger": False,
            },
        )
    token = services.api_token_issue(actor=request.user, user=target)
    # Rendered, not redirected: the token must never sit in a session or a message.
    response = render(request, "accounts/token_issued.html", {"target": target, "token": token})
    add_never_cache_headers(response)
    return response


@access(Perm.MANAGE_USERS)
@GET_POST
def token_revoke(request: HttpRequest, pk: int, token_pk: int) -> HttpResponse:
    target = get_user_for(request.user, pk, write=True)
    token = get_object_or_404(ApiToken, pk=token_pk, user=target)
    if token.revoked_at is not None:
        messages.info(request, _("Mã %(p)s… đã bị thu hồi trước đó.") % {"p": token.prefix})
        return redirect("accounts:detail", pk=target.pk)
    if not _confirmed(request):
        return render(
            request,
            "accounts/confirm.html",
            {
                "target": target,
                "title": _("Thu hồi mã API"),
                "question": _(
                    "Thu hồi mã %(p)s… của %(u)s? Mọi chương trình đang dùng mã này sẽ bị từ chối "
                    "ngay lập tức; không thể khôi phục."
                )
                % {"p": token.prefix, "u": target.username},
                "button": _("Thu hồi"),
                "danger": True,
            },
        )
    try:
        services.api_token_revoke(actor=request.user, token=token)
    except Conflict:
        messages.info(request, _("Mã %(p)s… đã bị thu hồi trước đó.") % {"p": token.prefix})
    else:
        messages.success(request, _("Đã thu hồi mã %(p)s….") % {"p": token.prefix})
    return redirect("accounts:detail", pk=target.pk)
