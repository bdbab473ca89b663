from __future__ import annotations

import hashlib
import secrets
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.contrib.auth import password_validation
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext

from accounts.models import ApiToken, Role, RoleGrant, User
from audit import services as audit
from core.errors import Conflict, FieldError, ValidationFailed, invalid
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
    password: str | None,
    email: str = "",
    full_name: str = "",
    first_name: str = "",
    last_name: str = "",
    person: Any = None,
    is_superuser: bool = False,
) -> User:
    """Create a login. The password is hashed; the audit row never holds it.

    `password=None` leaves the account without a usable password until its
    owner sets one through the e-mailed link (see user_password_email_send).
    """
    username = (username or "").strip()
    if not username:
        raise invalid("username", gettext("Tên đăng nhập không được để trống."))
    if User.objects.filter(username=username).exists():
        raise Conflict(gettext("Tên đăng nhập “%(u)s” đã tồn tại.") % {"u": username})
    if person is not None and User.objects.filter(person=person).exists():
        message = gettext("Cán bộ %(code)s đã có tài khoản khác.") % {"code": person.code}
        raise invalid("person", message)
    # Vietnamese names run family-middle-given, so a whole name goes in
    # first_name and get_full_name() shows it in the right order; callers that
    # split it put family and middle names in first_name, the given name in last_name.
    user = User(
        username=username, email=(email or "").strip(),
        first_name=(full_name or first_name or "").strip(), last_name=(last_name or "").strip(),
        person=person, is_superuser=is_superuser, is_staff=is_superuser,
    )  # fmt: skip
    if password is None:
        user.set_unusable_password()
    else:
        user.set_password(password)
    user.save()
    audit.record(
        actor=actor, action="user.create", obj=user,
        after={
            "username": username, "email": user.email, "is_superuser": is_superuser,
            "first_name": user.first_name, "last_name": user.last_name,
            "person": person.code if person is not None else None,
            "password_set": password is not None,
        },
    )  # fmt: skip
    return user


def _check_password(password: str, user: User) -> None:
    """Django's configured validators, reported as one field error per message."""
    try:
        password_validation.validate_password(password, user=user)
    except DjangoValidationError as exc:
        raise ValidationFailed(
            [FieldError("password", str(message)) for message in exc.messages]
        ) from exc


@transaction.atomic
def user_onboard(
    *,
    actor: Any,
    username: str,
    first_name: str,
    last_name: str,
    email: str,
    person: Any,
    password: str | None,
    role: str,
    unit: Unit,
) -> User:
    """A new account with its first role; without a password, a set-password e-mail goes out.

    One transaction: an account is never left behind without the role that
    makes it visible to the administrator who created it.
    """
    if role not in Role.values:
        raise invalid("role", f"Unknown role {role}")
    email = (email or "").strip()
    if password is None and not email:
        raise invalid("email", gettext("Cần địa chỉ thư điện tử để gửi thư đặt mật khẩu."))
    if password is not None:
        _check_password(
            password,
            User(username=username, first_name=first_name, last_name=last_name, email=email),
        )
    user = user_create(
        actor=actor,
        username=username,
        password=password,
        email=email,
        first_name=first_name,
        last_name=last_name,
        person=person,
    )
    role_grant(actor=actor, user=user, role=role, unit=unit)
    if password is None:
        user_password_email_send(actor=actor, user=user)
    return user


@transaction.atomic
def user_set_active(*, actor: Any, user: User, active: bool) -> User:
    """Lock or unlock an account; a locked account loses its sessions and API tokens at once.

    (Django refuses sessions of inactive users and user_for_token refuses their tokens.)
    """
    if not active and actor is not None and getattr(actor, "pk", None) == user.pk:
        raise Conflict(gettext("Bạn không thể tự khóa tài khoản của chính mình."))
    locked = User.objects.select_for_update().get(pk=user.pk)
    if locked.is_active == active:
        raise Conflict(
            gettext("Tài khoản đang hoạt động.") if active else gettext("Tài khoản đã bị khóa.")
        )
    locked.is_active = active
    locked.save(update_fields=["is_active"])
    audit.record(
        actor=actor,
        action="user.activate" if active else "user.deactivate",
        obj=locked,
        before={"is_active": not active},
        after={"is_active": active},
    )
    user.is_active = active
    return locked


@transaction.atomic
def user_password_email_send(*, actor: Any, user: User) -> None:
    """E-mail the user a one-time link to set a password (Django's reset token and page).

    The link stays valid for PASSWORD_RESET_TIMEOUT and dies once a password is
    set, because the token is bound to the password hash. Sent after commit, so
    a rolled-back account never receives mail.
    """
    if not user.email:
        raise invalid("email", gettext("Tài khoản chưa có địa chỉ thư điện tử."))
    site = urlsplit(settings.SITE_URL)
    context = {
        "email": user.email,
        "domain": site.netloc,
        "site_name": site.netloc,
        "protocol": site.scheme or "https",
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "days": max(1, settings.PASSWORD_RESET_TIMEOUT // 86400),
    }
    audit.record(actor=actor, action="user.password_email", obj=user, after={"email": user.email})
    sender = PasswordResetForm()
    transaction.on_commit(
        lambda: sender.send_mail(
            "accounts/emails/set_password_subject.txt",
            "accounts/emails/set_password_email.txt",
            context,
            None,
            user.email,
        )
    )
