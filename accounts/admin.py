"""Django admin for superusers, with every change written to the audit log.

The admin saves models directly, bypassing accounts/services.py, so each save
and delete below records an audit row itself: otherwise the admin would be an
unaudited back door to accounts and role grants. Password hashes never enter
the log.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.db import transaction
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet, ModelForm
from django.http import HttpRequest, HttpResponse

from accounts import services
from accounts.models import ApiToken, RoleGrant, User
from audit import services as audit
from audit.models import AuditEvent
from core.errors import Conflict

SECRET_FIELDS = frozenset({"password"})
M2M_FIELDS = ("groups", "user_permissions")


class SuperuserOnly:
    """Staff without superuser status get nothing here, whatever their model permissions."""

    def _is_superuser(self, request: HttpRequest) -> bool:
        return bool(getattr(request.user, "is_active", False) and request.user.is_superuser)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._is_superuser(request)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_superuser(request)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return self._is_superuser(request)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_superuser(request)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return self._is_superuser(request)


def user_snapshot(user: User) -> dict[str, Any]:
    fields = [f.attname for f in user._meta.concrete_fields if f.attname not in SECRET_FIELDS]
    return audit.snapshot(user, fields)


def m2m_snapshot(user: User) -> dict[str, list[int]]:
    if user.pk is None:
        return {name: [] for name in M2M_FIELDS}
    return {name: sorted(getattr(user, name).values_list("pk", flat=True)) for name in M2M_FIELDS}


def grant_snapshot(grant: RoleGrant) -> dict[str, Any]:
    # The same shape as accounts.services.role_grant, so a user's history finds both.
    return {"user": grant.user.username, "role": grant.role, "unit": grant.unit.code}


class RoleGrantInline(SuperuserOnly, admin.TabularInline):  # type: ignore[type-arg]
    model = RoleGrant
    extra = 0
    fields = ("role", "unit", "created_at")
    readonly_fields = ("created_at",)
    # A select of every unit would load the whole tree on each user page.
    raw_id_fields = ("unit",)


@admin.register(User)
class UserAdmin(SuperuserOnly, BaseUserAdmin):  # type: ignore[type-arg]
    inlines = (RoleGrantInline,)
    list_display = ("username", "first_name", "last_name", "email", "is_active", "is_superuser")
    list_select_related = ("person",)
    raw_id_fields = ("person",)
    fieldsets = (
        *BaseUserAdmin.fieldsets,  # type: ignore[misc]
        ("Cán bộ", {"fields": ("person",)}),
    )

    def save_model(
        self, request: HttpRequest, obj: User, form: ModelForm[User], change: bool
    ) -> None:
        with transaction.atomic():
            before = None
            if change:
                current = User.objects.select_for_update().filter(pk=obj.pk).first()
                before = user_snapshot(current) if current is not None else None
            super().save_model(request, obj, form, change)
            after = user_snapshot(obj)
            if before != after:
                audit.record(
                    actor=request.user,
                    action="user.admin_change" if change else "user.admin_create",
                    obj=obj,
                    before=before,
                    after=after,
                )

    def save_related(
        self, request: HttpRequest, form: ModelForm[User], formsets: Any, change: bool
    ) -> None:
        with transaction.atomic():
            user = form.instance
            before = m2m_snapshot(user)
            super().save_related(request, form, formsets, change)
            after = m2m_snapshot(user)
            if before != after:
                # Groups and permissions open admin pages; their changes are logged too.
                audit.record(
                    actor=request.user, action="user.admin_change", obj=user,
                    before=before, after=after,
                )  # fmt: skip

    def save_formset(
        self,
        request: HttpRequest,
        form: ModelForm[User],
        formset: BaseInlineFormSet[Any, Any, Any],
        change: bool,
    ) -> None:
        if formset.model is not RoleGrant:
            super().save_formset(request, form, formset, change)
            return
        with transaction.atomic():
            for grant in formset.save(commit=False):
                if grant.pk is None:
                    grant.save()
                    audit.record(
                        actor=request.user, action="role.grant", obj=grant,
                        after=grant_snapshot(grant), unit=grant.unit,
                    )  # fmt: skip
                else:
                    old = RoleGrant.objects.select_related("user", "unit").get(pk=grant.pk)
                    before = grant_snapshot(old)
                    grant.save()
                    audit.record(
                        actor=request.user, action="role.admin_change", obj=grant,
                        before=before, after=grant_snapshot(grant), unit=grant.unit,
                    )  # fmt: skip
            for grant in formset.deleted_objects:
                audit.record(
                    actor=request.user, action="role.revoke", obj=grant,
                    before=grant_snapshot(grant), unit=grant.unit,
                )  # fmt: skip
                grant.delete()
            formset.save_m2m()

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # An account that has acted is locked, never deleted: its audit rows name it
        # (the reference is PROTECT, since their hashes cover the actor column).
        if obj is not None and AuditEvent.objects.filter(actor=obj).exists():
            return False
        return super().has_delete_permission(request, obj)

    def get_actions(self, request: HttpRequest) -> dict[str, Any]:
        # The bulk delete would skip the per-account check above.
        actions = super().get_actions(request)
        actions.pop("delete_selected", None)
        return actions

    def _record_delete(self, request: HttpRequest, user: User) -> None:
        before = user_snapshot(user)
        before["grants"] = [
            f"{g.role}@{g.unit.code}" for g in user.grants.select_related("unit").order_by("pk")
        ]
        audit.record(actor=request.user, action="user.admin_delete", obj=user, before=before)

    def delete_model(self, request: HttpRequest, obj: User) -> None:
        with transaction.atomic():
            self._record_delete(request, obj)
            super().delete_model(request, obj)

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[User]) -> None:
        with transaction.atomic():
            for user in queryset:
                self._record_delete(request, user)
            super().delete_queryset(request, queryset)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        with transaction.atomic():
            response = super().user_change_password(request, id, form_url)
            if request.method == "POST" and response.status_code == 302:
                user = self.get_object(request, unquote(id))
                if user is not None:
                    # That it changed, never what to.
                    audit.record(
                        actor=request.user, action="user.password_set", obj=user,
                        after={"usable": user.has_usable_password()},
                    )  # fmt: skip
            return response


@admin.register(ApiToken)
class ApiTokenAdmin(SuperuserOnly, admin.ModelAdmin):  # type: ignore[type-arg]
    """Read-only: tokens are issued on the user page (shown once) and revoked by the action."""

    list_display = ("prefix", "user", "created_at", "last_used_at", "revoked_at")
    list_filter = (("revoked_at", admin.EmptyFieldListFilter),)
    list_select_related = ("user",)
    search_fields = ("prefix", "user__username")
    fields = ("prefix", "user", "created_at", "last_used_at", "revoked_at")
    readonly_fields = fields
    actions = ("revoke",)

    def has_add_permission(self, request: HttpRequest, *args: Any) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    @admin.action(description="Thu hồi các mã đã chọn")
    def revoke(self, request: HttpRequest, queryset: QuerySet[ApiToken]) -> None:
        count = 0
        for token in queryset.filter(revoked_at__isnull=True):
            try:
                services.api_token_revoke(actor=request.user, token=token)
            except Conflict:
                continue
            count += 1
        self.message_user(request, f"Đã thu hồi {count} mã.", messages.SUCCESS)
