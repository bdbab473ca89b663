from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from accounts.access import Perm, can_create_root, check_unit, get_unit_for, units_visible_to
from core.choices import Rating
from core.text import fold
from organizations import services
from organizations.models import Unit, UnitKind, UnitRating, UnitStatus

router = Router(tags=["Đơn vị"])


class UnitIn(Schema):
    code: str = Field(..., min_length=1, max_length=32)
    name: str = Field(..., min_length=1, max_length=255)
    parent: str | None = None
    kind: UnitKind = UnitKind.OFFICE
    short_name: str = ""
    valid_from: dt.date | None = None


class UnitOut(Schema):
    code: str
    name: str
    short_name: str
    kind: str
    status: str
    parent: str | None
    children: list[str]
    predecessors: list[str]
    successors: list[str]
    valid_from: dt.date
    valid_to: dt.date | None


class UnitSummary(Schema):
    code: str
    name: str
    kind: str
    status: str
    parent: str | None


class RatingIn(Schema):
    rating: Rating


class UnitRatingOut(Schema):
    unit: str
    year: int
    rating: str


class ErrorOut(Schema):
    detail: str


class FieldErrorOut(Schema):
    field: str
    message: str


class ValidationOut(Schema):
    detail: str
    errors: list[FieldErrorOut]


ERRORS: dict[int, Any] = {
    401: ErrorOut,
    403: ErrorOut,
    404: ErrorOut,
    409: ErrorOut,
    422: ValidationOut,
}


def unit_out(unit: Unit) -> dict[str, Any]:
    return {
        "code": unit.code,
        "name": unit.name,
        "short_name": unit.short_name,
        "kind": unit.kind,
        "status": unit.status,
        "parent": unit.parent.code if unit.parent_id and unit.parent else None,
        "children": list(
            unit.children.filter(status=UnitStatus.ACTIVE)
            .order_by("code")
            .values_list("code", flat=True)
        ),
        "predecessors": list(
            unit.predecessions.order_by("predecessor__code").values_list(
                "predecessor__code", flat=True
            )
        ),
        "successors": list(
            unit.successions.order_by("successor__code").values_list("successor__code", flat=True)
        ),
        "valid_from": unit.valid_from,
        "valid_to": unit.valid_to,
    }


def referenced_unit(user: Any, code: str, write: Perm | None = None) -> Unit:
    """A unit named in a request body: unknown and out-of-scope both answer 404."""
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise Http404(_("Không tìm thấy đơn vị “%(code)s”.") % {"code": code})
    try:
        check_unit(user, unit, write)
    except Http404:
        raise Http404(_("Không tìm thấy đơn vị “%(code)s”.") % {"code": code}) from None
    return unit


@router.post("", response={201: UnitOut, **ERRORS}, summary="Tạo đơn vị")
def create_unit(request: HttpRequest, payload: UnitIn) -> Status:
    if payload.parent:
        parent: Unit | None = referenced_unit(request.user, payload.parent, Perm.MANAGE_ORG)
    elif can_create_root(request.user):
        parent = None
    else:
        raise PermissionDenied
    unit = services.unit_create(
        actor=request.user,
        code=payload.code,
        name=payload.name,
        parent=parent,
        kind=payload.kind,
        short_name=payload.short_name,
        valid_from=payload.valid_from,
    )
    return Status(201, unit_out(unit))


@router.get("", response={200: list[UnitSummary], **ERRORS}, summary="Danh sách đơn vị")
def list_units(
    request: HttpRequest, q: str = "", status: str = "", limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    qs = units_visible_to(request.user).select_related("parent")
    if q:
        qs = qs.filter(search_text__contains=fold(q))
    if status:
        qs = qs.filter(status=status)
    limit = max(1, min(limit, 1000))
    return [
        {
            "code": u.code,
            "name": u.name,
            "kind": u.kind,
            "status": u.status,
            "parent": u.parent.code if u.parent else None,
        }
        for u in qs.order_by("path")[offset : offset + limit]
    ]


@router.get("/{code}", response={200: UnitOut, **ERRORS}, summary="Xem đơn vị")
def get_unit(request: HttpRequest, code: str) -> dict[str, Any]:
    return unit_out(get_unit_for(request.user, code))


@router.put(
    "/{code}/ratings/{year}", response={200: UnitRatingOut, **ERRORS}, summary="Xếp loại đơn vị"
)
def put_unit_rating(
    request: HttpRequest, code: str, year: int, payload: RatingIn
) -> dict[str, Any]:
    unit = get_unit_for(request.user, code, write=Perm.MANAGE_PEOPLE)
    rating: UnitRating = services.unit_rating_set(
        actor=request.user, unit=unit, year=year, rating=payload.rating
    )
    return {"unit": unit.code, "year": rating.year, "rating": rating.rating}
