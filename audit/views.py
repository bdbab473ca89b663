from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from accounts.access import Perm, access, filter_by_unit_scope
from audit.labels import action_label
from audit.models import AuditEvent
from core.paging import paginate
from core.xlsx import xlsx_response


@access(Perm.VIEW_AUDIT)
def event_list(request: HttpRequest) -> HttpResponse:
    """The audit trail of the user's scope, newest first, filterable and exportable."""
    events = filter_by_unit_scope(
        AuditEvent.objects.select_related("unit"), request.user, Perm.VIEW_AUDIT, "unit"
    )
    action = request.GET.get("action", "").strip()
    actor = request.GET.get("actor", "").strip()
    if action:
        events = events.filter(action__startswith=action)
    if actor:
        events = events.filter(actor_label__icontains=actor)
    if request.GET.get("format") == "xlsx":
        rows = (
            (
                e.seq,
                e.at.replace(tzinfo=None),
                e.actor_label,
                e.unit.code if e.unit else "",
                action_label(e.action),
                e.object_type,
                e.object_id,
                e.object_repr,
                str(e.before),
                str(e.after),
            )
            for e in events[:50000]
        )
        return xlsx_response(
            "nhat-ky.xlsx",
            "Nhật ký",
            [
                "STT",
                "Thời gian",
                "Người thực hiện",
                "Đơn vị",
                "Hành động",
                "Loại đối tượng",
                "Mã đối tượng",
                "Đối tượng",
                "Trước",
                "Sau",
            ],
            rows,
        )
    actions = AuditEvent.objects.order_by().values_list("action", flat=True).distinct()
    return render(
        request,
        "audit/list.html",
        {
            "page": paginate(request, events),
            "actions": sorted(((a, action_label(a)) for a in set(actions)), key=lambda x: x[1]),
            "action": action,
            "actor": actor,
        },
    )
