from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from accounts.access import Perm, has_perm_anywhere, roles_of


def navigation(request: HttpRequest) -> dict[str, Any]:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav": {}}
    return {
        "nav": {
            "view": has_perm_anywhere(user, Perm.VIEW),
            "manage_org": has_perm_anywhere(user, Perm.MANAGE_ORG),
            "manage_people": has_perm_anywhere(user, Perm.MANAGE_PEOPLE),
            "audit": has_perm_anywhere(user, Perm.VIEW_AUDIT),
            "sensitive": has_perm_anywhere(user, Perm.VIEW_SENSITIVE),
            "users": has_perm_anywhere(user, Perm.MANAGE_USERS),
            "stories": has_perm_anywhere(user, Perm.PUBLISH_STORIES),
            "roles": sorted(roles_of(user)),
        }
    }
