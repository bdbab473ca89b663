"""The public API v1 (fixed part in shared/api/CONTRACT.md)."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError
from ninja.errors import ValidationError as NinjaValidationError
from ninja.security import HttpBearer

from accounts.services import user_for_token
from core.errors import Conflict, ValidationFailed


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = user_for_token(token)
        if user is None:
            return None
        # The access layer reads request.user, exactly as for a logged-in page.
        request.user = user
        return user


api = NinjaAPI(
    title="thidua API",
    version="1",
    description=(
        "API công khai của hệ thống thi đua – khen thưởng. Phần cố định: "
        "shared/api/CONTRACT.md. Xác thực: `Authorization: Bearer <token>` "
        "(cấp bằng `python manage.py issue_api_token USERNAME`)."
    ),
    auth=BearerToken(),
    urls_namespace="api",
    docs_url="/docs",
    openapi_url="/openapi.json",
)


def _field_name(loc: list[Any]) -> str:
    # ninja locations look like ["body", "payload", "unit"]; keep the field path.
    parts = [str(p) for p in loc if p not in ("body", "payload", "query", "path")]
    return ".".join(parts) or "body"


def _schema_message(err: dict[str, Any]) -> str:
    """pydantic's messages are English only; give the common ones in the request's language."""
    kind = str(err.get("type", ""))
    ctx = err.get("ctx") or {}
    if kind == "missing":
        return _("Trường này là bắt buộc.")
    if kind == "string_too_short":
        if ctx.get("min_length") == 1:
            return _("Không được để trống.")
        return _("Tối thiểu %(n)s ký tự.") % {"n": ctx.get("min_length")}
    if kind == "string_too_long":
        return _("Tối đa %(n)s ký tự.") % {"n": ctx.get("max_length")}
    if kind in ("enum", "literal_error"):
        return _("Giá trị phải là một trong: %(values)s.") % {"values": ctx.get("expected", "")}
    if kind.startswith("date"):
        return _("Ngày không hợp lệ (định dạng YYYY-MM-DD).")
    if kind.startswith("int_"):
        return _("Phải là số nguyên.")
    if kind.startswith("bool_"):
        return _("Phải là true hoặc false.")
    if kind == "string_type":
        return _("Phải là chuỗi ký tự.")
    return str(err.get("msg", ""))


@api.exception_handler(NinjaValidationError)
def on_schema_error(request: HttpRequest, exc: NinjaValidationError) -> HttpResponse:
    errors = [
        {"field": _field_name(list(err.get("loc", []))), "message": _schema_message(err)}
        for err in exc.errors
    ]
    return api.create_response(
        request, {"detail": _("Dữ liệu không hợp lệ."), "errors": errors}, status=422
    )


@api.exception_handler(ValidationFailed)
def on_validation_failed(request: HttpRequest, exc: ValidationFailed) -> HttpResponse:
    errors = [{"field": e.field, "message": e.message} for e in exc.errors]
    return api.create_response(request, {"detail": exc.message, "errors": errors}, status=422)


@api.exception_handler(Conflict)
def on_conflict(request: HttpRequest, exc: Conflict) -> HttpResponse:
    return api.create_response(request, {"detail": exc.message}, status=409)


@api.exception_handler(Http404)
def on_not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    message = str(exc) if exc.args else _("Không tìm thấy đối tượng.")
    return api.create_response(request, {"detail": message}, status=404)


@api.exception_handler(PermissionDenied)
def on_forbidden(request: HttpRequest, exc: PermissionDenied) -> HttpResponse:
    return api.create_response(
        request, {"detail": _("Bạn không có quyền thực hiện thao tác này.")}, status=403
    )


@api.exception_handler(AuthenticationError)
def on_unauthenticated(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return api.create_response(
        request, {"detail": _("Thiếu hoặc sai mã truy cập (Bearer token).")}, status=401
    )


@api.exception_handler(HttpError)
def on_http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return api.create_response(request, {"detail": str(exc)}, status=exc.status_code)


api.add_router("/units", "organizations.api.router")
api.add_router("/people", "people.api.router")
api.add_router("/awards", "awards.api.awards_router")
api.add_router("/initiatives", "awards.api.initiatives_router")
api.add_router("/disciplines", "awards.api.disciplines_router")
api.add_router("/eligibility", "eligibility.api.router")
api.add_router("/plans", "plans.api.router")
api.add_router("/exemplars", "exemplars.api.router")
api.add_router("", "propagation.api.router")
