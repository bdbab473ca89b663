from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from notifications.services import unread_count


def unread(request: HttpRequest) -> dict[str, Any]:
    """The unread badge in the navigation bar: one COUNT per page, none when logged out."""
    return {"unread_notifications": unread_count(getattr(request, "user", None))}
