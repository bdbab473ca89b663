from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from ninja import Field, Router, Schema, Status

from accounts.access import Perm, get_person_for, people_visible_to
from core.choices import Gender
from core.text import fold
from organizations.api import ERRORS, RatingIn, referenced_unit
from people import services
from people.models import Person

router = Router(tags=["Cán bộ"])


class PersonIn(Schema):
    code: str = Field(..., min_length=1, max_length=32)
    full_name: str = Field(..., min_length=1, max_length=150)
    unit: str
    started_on: dt.date
    is_head: bool = False
    gender: Gender | None = None
    position: str = ""
    birth_date: dt.date | None = None
    email: str = ""


class AssignmentOut(Schema):
    unit: str
    start: dt.date
    end: dt.date | None


class PersonOut(Schema):
    code: str
    full_name: str
    gender: str | None
    position: str
    is_head: bool
    unit: str
    started_on: dt.date
    assignments: list[AssignmentOut]


class PersonSummary(Schema):
    code: str
    full_name: str
    unit: str
    is_head: bool


class TransferIn(Schema):
    unit: str
    on: dt.date


class TransferOut(Schema):
    person: str
    unit: str
    on: dt.date


class PersonRatingOut(Schema):
    person: str
    year: int
    rating: str


def person_out(person: Person) -> dict[str, Any]:
    return {
        "code": person.code,
        "full_name": person.full_name,
        "gender": person.gender or None,
        "position": person.position,
        "is_head": person.is_head,
        "unit": person.unit.code,
        "started_on": person.started_on,
        "assignments": [
            {"unit": a.unit.code, "start": a.start, "end": a.end}
            for a in person.assignments.select_related("unit").order_by("start")
        ],
    }


@router.post("", response={201: PersonOut, **ERRORS}, summary="Tạo cán bộ")
def create_person(request: HttpRequest, payload: PersonIn) -> Status:
    unit = referenced_unit(request.user, payload.unit, Perm.MANAGE_PEOPLE)
    person = services.person_create(
        actor=request.user,
        code=payload.code,
        full_name=payload.full_name,
        unit=unit,
        started_on=payload.started_on,
        is_head=payload.is_head,
        gender=payload.gender or "",
        position=payload.position,
        birth_date=payload.birth_date,
        email=payload.email,
    )
    return Status(201, person_out(person))


@router.get("", response={200: list[PersonSummary], **ERRORS}, summary="Danh sách cán bộ")
def list_people(
    request: HttpRequest, q: str = "", unit: str = "", limit: int = 100, offset: int = 0
) -> list[dict[str, Any]]:
    qs = people_visible_to(request.user).select_related("unit")
    if q:
        qs = qs.filter(search_text__contains=fold(q))
    if unit:
        qs = qs.filter(unit__code=unit)
    limit = max(1, min(limit, 1000))
    return [
        {"code": p.code, "full_name": p.full_name, "unit": p.unit.code, "is_head": p.is_head}
        for p in qs.order_by("sort_key", "code")[offset : offset + limit]
    ]


@router.get("/{code}", response={200: PersonOut, **ERRORS}, summary="Xem cán bộ")
def get_person(request: HttpRequest, code: str) -> dict[str, Any]:
    return person_out(get_person_for(request.user, code))


@router.post("/{code}/transfers", response={201: TransferOut, **ERRORS}, summary="Điều chuyển")
def transfer_person(request: HttpRequest, code: str, payload: TransferIn) -> Status:
    person = get_person_for(request.user, code, write=Perm.MANAGE_PEOPLE)
    unit = referenced_unit(request.user, payload.unit, Perm.MANAGE_PEOPLE)
    services.person_transfer(actor=request.user, person=person, unit=unit, on=payload.on)
    return Status(201, {"person": person.code, "unit": unit.code, "on": payload.on})


@router.put(
    "/{code}/ratings/{year}", response={200: PersonRatingOut, **ERRORS}, summary="Xếp loại cán bộ"
)
def put_person_rating(
    request: HttpRequest, code: str, year: int, payload: RatingIn
) -> dict[str, Any]:
    person = get_person_for(request.user, code, write=Perm.MANAGE_PEOPLE)
    rating = services.person_rating_set(
        actor=request.user, person=person, year=year, rating=payload.rating
    )
    return {"person": person.code, "year": rating.year, "rating": rating.rating}
