"""Records that eligibility reads (CONTRACT.md): awards, initiatives, disciplines."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import Http404, HttpRequest
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema, Status

from accounts.access import (
    Perm,
    awards_visible_to,
    check_unit,
    disciplines_visible_to,
    get_award_for,
    get_person_for,
    initiatives_visible_to,
)
from awards import services
from awards.models import (
    Award,
    AwardType,
    Discipline,
    DisciplineForm,
    DisciplineStatus,
    Initiative,
    InitiativeKind,
    RecognitionLevel,
)
from core.errors import invalid
from organizations.api import ERRORS, referenced_unit
from people.models import Person

awards_router = Router(tags=["Khen thưởng"])
initiatives_router = Router(tags=["Sáng kiến"])
disciplines_router = Router(tags=["Kỷ luật"])


def referenced_person(user: Any, code: str, write: Perm | None = None) -> Person:
    """A person named in a request body: unknown and out-of-scope both answer 404."""
    try:
        return get_person_for(user, code, write)
    except Http404:
        raise Http404(_("Không tìm thấy cán bộ “%(code)s”.") % {"code": code}) from None


def referenced_award_type(code: str) -> AwardType:
    award_type = AwardType.objects.filter(code=code, active=True).first()
    if award_type is None:
        raise invalid(
            "award", _("Mã khen thưởng “%(code)s” không có trong danh mục.") % {"code": code}
        )
    return award_type


# --- awards -------------------------------------------------------------------------


class RecipientRef(Schema):
    kind: Literal["person", "unit"]
    code: str = Field(..., min_length=1)


class AwardIn(Schema):
    recipient: RecipientRef
    award: str = Field(..., min_length=1)
    year: int
    decision_number: str = Field(..., min_length=1, max_length=64)
    decision_date: dt.date
    authority: str = ""
    signer: str = ""
    note: str = ""
    initiatives: list[int] = []


class RecipientOut(Schema):
    kind: str
    code: str
    name: str


class AwardOut(Schema):
    id: int
    recipient: RecipientOut
    award: str
    award_name: str
    year: int
    decision_number: str
    decision_date: dt.date
    signer: str
    authority: str
    note: str
    initiatives: list[int]


def award_out(award: Award, initiative_ids: list[int] | None = None) -> dict[str, Any]:
    recipient: Any = award.person if award.person_id else award.unit
    if initiative_ids is None:
        initiative_ids = sorted(award.initiatives_used.values_list("pk", flat=True))
    return {
        "id": award.pk,
        "recipient": {
            "kind": award.recipient_kind,
            "code": recipient.code,
            "name": recipient.full_name if award.person_id else recipient.name,
        },
        "award": award.award_type.code,
        "award_name": award.award_type.name,
        "year": award.year,
        "decision_number": award.decision_number,
        "decision_date": award.decision_date,
        "signer": award.signer,
        "authority": award.authority,
        "note": award.note,
        "initiatives": initiative_ids,
    }


def _referenced_initiatives(user: Any, ids: list[int]) -> list[Initiative]:
    found = {i.pk: i for i in initiatives_visible_to(user).filter(pk__in=ids)}
    missing = [str(i) for i in ids if i not in found]
    if missing:
        raise Http404(_("Không tìm thấy sáng kiến: %(ids)s.") % {"ids": ", ".join(missing)})
    return [found[i] for i in ids]


@awards_router.post("", response={201: AwardOut, **ERRORS}, summary="Ghi nhận khen thưởng")
def create_award(request: HttpRequest, payload: AwardIn) -> Status:
    if payload.recipient.kind == "person":
        person: Person | None = referenced_person(
            request.user, payload.recipient.code, Perm.MANAGE_RECORDS
        )
        unit = None
    else:
        person = None
        unit = referenced_unit(request.user, payload.recipient.code, Perm.MANAGE_RECORDS)
    data = services.AwardData(
        award_type=referenced_award_type(payload.award),
        year=payload.year,
        decision_number=payload.decision_number,
        decision_date=payload.decision_date,
        person=person,
        unit=unit,
        signer=payload.signer,
        authority=payload.authority,
        note=payload.note,
        initiatives=_referenced_initiatives(request.user, payload.initiatives),
    )
    award = services.award_create(actor=request.user, data=data)
    return Status(201, award_out(award))


@awards_router.get("", response={200: list[AwardOut], **ERRORS}, summary="Danh sách khen thưởng")
def list_awards(
    request: HttpRequest,
    recipient_kind: Literal["person", "unit", ""] = "",
    recipient_code: str = "",
    award: str = "",
    year: int | None = None,
    limit: int = 500,
    offset: int = 0,
) -> list[dict[str, Any]]:
    qs = awards_visible_to(request.user).select_related("person", "unit", "award_type")
    if recipient_code:
        # A named recipient outside the caller's scope is "not found", as elsewhere.
        if recipient_kind == "unit":
            target_unit = referenced_unit(request.user, recipient_code)
            qs = qs.filter(unit=target_unit)
        elif recipient_kind == "person":
            qs = qs.filter(person=referenced_person(request.user, recipient_code))
        else:
            raise invalid("recipient_kind", _("Cho biết loại đối tượng: person hoặc unit."))
    elif recipient_kind == "person":
        qs = qs.filter(person__isnull=False)
    elif recipient_kind == "unit":
        qs = qs.filter(unit__isnull=False)
    if award:
        qs = qs.filter(award_type__code=award)
    if year is not None:
        qs = qs.filter(year=year)
    limit = max(1, min(limit, 5000))
    page = list(qs.order_by("-year", "award_type__order", "id")[offset : offset + limit])
    used: dict[int, list[int]] = {}
    for pk, award_id in Initiative.objects.filter(used_by__in=page).values_list("pk", "used_by"):
        used.setdefault(award_id, []).append(pk)
    return [award_out(a, sorted(used.get(a.pk, []))) for a in page]


@awards_router.get("/{award_id}", response={200: AwardOut, **ERRORS}, summary="Xem khen thưởng")
def get_award(request: HttpRequest, award_id: int) -> dict[str, Any]:
    return award_out(get_award_for(request.user, award_id))


# --- initiatives --------------------------------------------------------------------


class InitiativeIn(Schema):
    title: str = Field(..., min_length=1, max_length=500)
    authors: list[str] = Field(..., min_length=1)
    level: RecognitionLevel
    recognized_on: dt.date
    year: int
    kind: InitiativeKind = InitiativeKind.INITIATIVE
    unit: str | None = None
    decision_number: str = ""
    summary: str = ""


class InitiativeOut(Schema):
    id: int
    title: str
    kind: str
    authors: list[str]
    unit: str
    level: str
    recognized_on: dt.date
    year: int
    decision_number: str
    used_by: int | None


def initiative_out(initiative: Initiative) -> dict[str, Any]:
    return {
        "id": initiative.pk,
        "title": initiative.title,
        "kind": initiative.kind,
        "authors": sorted(initiative.authors.values_list("code", flat=True)),
        "unit": initiative.unit.code,
        "level": initiative.level,
        "recognized_on": initiative.recognized_on,
        "year": initiative.year,
        "decision_number": initiative.decision_number,
        "used_by": initiative.used_by_id,
    }


@initiatives_router.post(
    "", response={201: InitiativeOut, **ERRORS}, summary="Ghi nhận sáng kiến, đề tài"
)
def create_initiative(request: HttpRequest, payload: InitiativeIn) -> Status:
    authors = [referenced_person(request.user, code) for code in dict.fromkeys(payload.authors)]
    # Without a unit, the initiative belongs to the first author's unit.
    if payload.unit:
        unit = referenced_unit(request.user, payload.unit, Perm.MANAGE_RECORDS)
    else:
        unit = authors[0].unit
        check_unit(request.user, unit, Perm.MANAGE_RECORDS)
    data = services.InitiativeData(
        title=payload.title,
        authors=authors,
        unit=unit,
        level=payload.level,
        recognized_on=payload.recognized_on,
        year=payload.year,
        kind=payload.kind,
        decision_number=payload.decision_number,
        summary=payload.summary,
    )
    initiative = services.initiative_create(actor=request.user, data=data)
    return Status(201, initiative_out(initiative))


@initiatives_router.get(
    "", response={200: list[InitiativeOut], **ERRORS}, summary="Danh sách sáng kiến, đề tài"
)
def list_initiatives(
    request: HttpRequest,
    author: str = "",
    year: int | None = None,
    limit: int = 500,
    offset: int = 0,
) -> list[dict[str, Any]]:
    qs = initiatives_visible_to(request.user).select_related("unit")
    if author:
        qs = qs.filter(authors=referenced_person(request.user, author))
    if year is not None:
        qs = qs.filter(year=year)
    limit = max(1, min(limit, 5000))
    page = list(qs.prefetch_related("authors").order_by("-year", "id")[offset : offset + limit])
    return [{**initiative_out(i), "authors": sorted(a.code for a in i.authors.all())} for i in page]


# --- disciplines --------------------------------------------------------------------


class DisciplineIn(Schema):
    person: str = Field(..., min_length=1)
    form: DisciplineForm
    status: DisciplineStatus
    decided_on: dt.date | None = None
    ends_on: dt.date | None = None
    opened_on: dt.date | None = None
    decision_number: str = ""
    reason: str = ""


class DisciplineOut(Schema):
    id: int
    person: str
    form: str
    status: str
    opened_on: dt.date | None
    decided_on: dt.date | None
    ends_on: dt.date | None
    decision_number: str


def discipline_out(discipline: Discipline) -> dict[str, Any]:
    return {
        "id": discipline.pk,
        "person": discipline.person.code,
        "form": discipline.form,
        "status": discipline.status,
        "opened_on": discipline.opened_on,
        "decided_on": discipline.decided_on,
        "ends_on": discipline.ends_on,
        "decision_number": discipline.decision_number,
    }


@disciplines_router.post("", response={201: DisciplineOut, **ERRORS}, summary="Ghi nhận kỷ luật")
def create_discipline(request: HttpRequest, payload: DisciplineIn) -> Status:
    person = referenced_person(request.user, payload.person, Perm.MANAGE_RECORDS)
    data = services.DisciplineData(
        person=person,
        form=payload.form,
        status=payload.status,
        decided_on=payload.decided_on,
        ends_on=payload.ends_on,
        opened_on=payload.opened_on,
        decision_number=payload.decision_number,
        reason=payload.reason,
    )
    discipline = services.discipline_create(actor=request.user, data=data)
    return Status(201, discipline_out(discipline))


@disciplines_router.get(
    "", response={200: list[DisciplineOut], **ERRORS}, summary="Danh sách kỷ luật"
)
def list_disciplines(
    request: HttpRequest, person: str = "", limit: int = 500, offset: int = 0
) -> list[dict[str, Any]]:
    qs = disciplines_visible_to(request.user).select_related("person")
    if person:
        qs = qs.filter(person=referenced_person(request.user, person))
    limit = max(1, min(limit, 5000))
    return [discipline_out(d) for d in qs.order_by("-id")[offset : offset + limit]]
