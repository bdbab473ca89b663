from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.models import ApiToken, Role, RoleGrant, User
from audit import services as audit
from core.errors import Conflict, invalid
from organizations.models import Unit

TOKEN_PREFIX = "thd_"


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


@transaction.atomic
def api_token_issue(*, actor: Any, user: User) -> str:
    """Create a token for `user` and return it; only its hash is kept."""
    token = TOKEN_PREFIX + secrets.token_urlsafe(32)
    record = ApiToken.objects.create(
        user=user, prefix=token[: len(TOKEN_PREFIX) + 6], key_hash=hash_token(token)
    )
    audit.record(
        actor=actor,
        action="api_token.issue",
        obj=record,
        after={"user": user.username, "prefix": record.prefix},
    )
    return token


def user_for_token(token: str) -> User | None:
    record = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=hash_token(token), revoked_at__isnull=True)
        .first()
    )
    if record is None or not record.user.is_active:
        return None
    # Bounded write: touch last_used at most once a minute per token.
    now = timezone.now()
    if record.last_used_at is None or (now - record.last_used_at).total_seconds() > 60:
        ApiToken.objects.filter(pk=record.pk).update(last_used_at=now)
    return record.user


@transaction.atomic
def api_token_revoke(*, actor: Any, token: ApiToken) -> None:
    if token.revoked_at is not None:
        raise Conflict("Token already revoked")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record(actor=actor, action="api_token.revoke", obj=token, after={"prefix": token.prefix})


@transaction.atomic
def role_grant(*, actor: Any, user: User, role: str, unit: Unit) -> RoleGrant:
    if role not in Role.values:
        raise invalid("role", f"Unknown role {role}")
    if RoleGrant.objects.filter(user=user, role=role, unit=unit).exists():
        raise Conflict("Role already granted")
    grant = RoleGrant.objects.create(user=user, role=role, unit=unit)
    audit.record(
        actor=actor,
        action="role.grant",
        obj=grant,
        after={"user": user.username, "role": role, "unit": unit.code},
        unit=unit,
    )
    return grant


@transaction.atomic
def role_revoke(*, actor: Any, grant: RoleGrant) -> None:
    before = {"user": grant.user.username, "role": grant.role, "unit": grant.unit.code}
    unit = grant.unit
    audit.record(actor=actor, action="role.revoke", obj=grant, before=before, unit=unit)
    grant.delete()


@transaction.atomic
def user_create(
    *,
    actor: Any,
    username: str,
    password: str,
    email: str = "",
    full_name: str = "",
    person: Any = None,
    is_superuser: bool = False,
) -> User:
    """Create a login. The password is hashed; the audit row never holds it."""
    username = (username or "").strip()
    if not username:
        raise invalid("username", "Tên đăng nhập không được để trống.")
    if User.objects.filter(username=username).exists():
        raise Conflict(f"Tên đăng nhập “{username}” đã tồn tại.")
    # Vietnamese names run family-middle-given, so the whole name goes in
    # first_name and get_full_name() shows it in the right order.
    user = User(
        username=username, email=email.strip(), first_name=full_name.strip(), person=person,
        is_superuser=is_superuser, is_staff=is_superuser,
    )  # fmt: skip
    user.set_password(password)
    user.save()
    audit.record(
        actor=actor, action="user.create", obj=user,
        after={
            "username": username, "email": user.email, "is_superuser": is_superuser,
            "person": person.code if person is not None else None,
        },
    )  # fmt: skip
    return user
