"""The user's own notifications: list, open (marks read), mark read, mark all read.

Notifications belong to one user, not to a unit, so every lookup goes through
the owner: another user's notification is simply not found (404).
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Case, IntegerField, QuerySet, Value, When
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts.access import Perm, access
from core.paging import paginate
from notifications import services
from notifications.models import Notification


def notifications_of(user: Any) -> QuerySet[Notification]:
    return Notification.objects.filter(user=user)


def get_notification_for(user: Any, pk: int) -> Notification:
    notification = notifications_of(user).filter(pk=pk).first()
    if notification is None:
        raise Http404
    return notification


def _safe_next(request: HttpRequest, target: str | None) -> str | None:
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return None


@access(Perm.VIEW)
def notification_list(request: HttpRequest) -> HttpResponse:
    show = request.GET.get("show", "")
    qs = notifications_of(request.user).select_related("unit")
    if show == "unread":
        qs = qs.filter(read_at__isnull=True)
    unread_first = Case(
        When(read_at__isnull=True, then=Value(0)), default=Value(1), output_field=IntegerField()
    )
    qs = qs.order_by(
        unread_first,
        "-created_at",
        "-id",
    )
    page = paginate(request, qs)
    return render(
        request,
        "notifications/list.html",
        {"page": page, "show": show, "unread_total": services.unread_count(request.user)},
    )


@access(Perm.VIEW, object_page=True)
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    """Follow the notification's link; opening it is reading it."""
    notification = get_notification_for(request.user, pk)
    services.mark_read(user=request.user, notification=notification)
    return redirect(_safe_next(request, notification.url) or reverse("notifications:list"))


@access(Perm.VIEW, object_page=True)
@require_POST
def notification_read(request: HttpRequest, pk: int) -> HttpResponse:
    notification = get_notification_for(request.user, pk)
    services.mark_read(user=request.user, notification=notification)
    messages.success(request, _("Đã đánh dấu thông báo là đã đọc."))
    return redirect(_safe_next(request, request.POST.get("next")) or reverse("notifications:list"))


@access(Perm.VIEW)
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = services.mark_all_read(user=request.user)
    if count:
        messages.success(
            request,
            ngettext(
                "Đã đánh dấu %(n)d thông báo là đã đọc.",
                "Đã đánh dấu %(n)d thông báo là đã đọc.",
                count,
            )
            % {"n": count},
        )
    else:
        messages.info(request, _("Không có thông báo nào chưa đọc."))
    return redirect(_safe_next(request, request.POST.get("next")) or reverse("notifications:list"))
