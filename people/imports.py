"""Importing people from an XLSX template: validate every row, then write all or nothing."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import IO, Any

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.access import Perm, scope_for
from core.choices import Gender
from core.errors import Conflict, ValidationFailed
from core.text import fold
from core.xlsx import Column, RowError, read_sheet
from organizations.models import Unit
from people import services
from people.services import NewPerson

COLUMNS: list[Column] = [
    Column(
        "code",
        "Mã cán bộ",
        required=True,
        help=gettext_noop("Duy nhất, không có khoảng trắng."),
        example="CB0001",
    ),
    Column("full_name", "Họ và tên", required=True, example="Nguyễn Văn An"),
    Column("gender", "Giới tính", help=gettext_noop("Nam hoặc Nữ (hoặc M/F)."), example="Nam"),
    Column("birth_date", "Ngày sinh", kind="date", help="dd/mm/yyyy", example=dt.date(1985, 3, 2)),
    Column("position", "Chức vụ", example="Chuyên viên"),
    Column(
        "is_head",
        "Thủ trưởng",
        kind="bool",
        help=gettext_noop("Ghi “x” hoặc “có” nếu là thủ trưởng đơn vị."),
    ),
    Column("email", "Thư điện tử", example="an.nv@example.gov.vn"),
    Column(
        "unit",
        "Mã đơn vị",
        required=True,
        help=gettext_noop("Mã của một đơn vị đang hoạt động trong phạm vi bạn quản lý."),
        example="DV01",
    ),
    Column(
        "started_on",
        "Ngày vào đơn vị",
        kind="date",
        required=True,
        help="dd/mm/yyyy",
        example=dt.date(2020, 1, 1),
    ),
]
HEADER = {column.key: column.header for column in COLUMNS}
_ORDER = {column.header: index for index, column in enumerate(COLUMNS)}

# Accepted spellings of the gender cell, compared after folding diacritics and case.
_GENDERS = {"nam": Gender.MALE, "m": Gender.MALE, "nu": Gender.FEMALE, "f": Gender.FEMALE}

# Field names used by services.validate_person_fields, mapped to template columns.
_FIELD_COLUMN = {
    "code": HEADER["code"],
    "full_name": HEADER["full_name"],
    "unit": HEADER["unit"],
    "started_on": HEADER["started_on"],
    "gender": HEADER["gender"],
}


@dataclass
class ImportResult:
    rows_read: int = 0
    created: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors})


class _Errors:
    """Collects row errors, keeping one message per (row, column): the first is the cause."""

    def __init__(self, initial: list[RowError]) -> None:
        self.items: list[RowError] = []
        self.seen: set[tuple[int, str]] = set()
        for error in initial:
            self.add(error.row, error.column, error.message)

    def add(self, row: int, column: str, message: str) -> None:
        if (row, column) in self.seen:
            return
        self.seen.add((row, column))
        self.items.append(RowError(row, column, message))

    def sorted(self) -> list[RowError]:
        return sorted(self.items, key=lambda e: (e.row, _ORDER.get(e.column, -1)))


def _units_by_code(codes: set[str]) -> dict[str, Unit]:
    # Unit codes in one file are few (one per unit, not per person): a single query.
    return {unit.code: unit for unit in Unit.objects.filter(code__in=sorted(codes))}


def import_people(*, actor: Any, upload: IO[bytes]) -> ImportResult:
    """Validate the whole sheet; write nothing unless every row is valid.

    The number of queries does not depend on the number of rows: units and
    existing codes are loaded once for the whole file, the write is bulk.
    """
    parsed = read_sheet(upload, COLUMNS)
    result = ImportResult(rows_read=len(parsed.rows))
    errors = _Errors(parsed.errors)
    if not parsed.rows and not parsed.errors:
        errors.add(0, "", _("Tệp không có dòng dữ liệu nào."))
    if any(e.row <= 1 for e in parsed.errors):
        # The file or its header cannot be read: row checks would only add noise.
        result.errors = errors.sorted()
        return result

    scope = scope_for(actor, Perm.MANAGE_PEOPLE)
    units = _units_by_code(
        {str(values["unit"]) for _row, values in parsed.rows if "unit" in values}
    )
    codes = [str(values["code"]).strip() for _row, values in parsed.rows if "code" in values]
    taken = services.existing_person_codes(codes)
    first_row_of_code: dict[str, int] = {}
    ready: list[NewPerson] = []

    for number, values in parsed.rows:
        code = str(values.get("code", "")).strip()
        unit_code = str(values.get("unit", "")).strip()
        unit = units.get(unit_code)
        if unit_code and (unit is None or not scope.covers(unit)):
            # Same words for "does not exist" and "not yours": an import must not
            # reveal which units exist outside the user's scope.
            errors.add(
                number,
                HEADER["unit"],
                _("Không tìm thấy đơn vị “%(u)s” trong phạm vi của bạn.") % {"u": unit_code},
            )
            unit = None

        gender = ""
        raw_gender = values.get("gender")
        if raw_gender:
            mapped = _GENDERS.get(fold(str(raw_gender)))
            if mapped is None:
                errors.add(number, HEADER["gender"], _("Giới tính ghi “Nam” hoặc “Nữ”."))
            else:
                gender = str(mapped)

        email = str(values.get("email") or "").strip()
        if email:
            try:
                validate_email(email)
            except ValidationError:
                errors.add(number, HEADER["email"], _("Địa chỉ thư điện tử không hợp lệ."))

        position = str(values.get("position") or "").strip()
        if len(position) > 150:
            errors.add(number, HEADER["position"], _("Chức vụ tối đa 150 ký tự."))

        started_on = values.get("started_on")
        birth_date = values.get("birth_date")
        if birth_date and started_on and birth_date >= started_on:
            errors.add(number, HEADER["birth_date"], _("Ngày sinh phải trước ngày vào đơn vị."))

        for problem in services.validate_person_fields(
            code=code,
            full_name=str(values.get("full_name") or ""),
            unit=unit,
            started_on=started_on,
            gender=gender,
        ):
            if problem.field == "unit" and unit is None:
                continue  # already reported above, or the cell was empty
            errors.add(number, _FIELD_COLUMN.get(problem.field, ""), problem.message)

        if code:
            if code in taken:
                errors.add(
                    number,
                    HEADER["code"],
                    _("Mã cán bộ “%(c)s” đã có trong hệ thống.") % {"c": code},
                )
            elif code in first_row_of_code:
                errors.add(
                    number,
                    HEADER["code"],
                    _("Mã cán bộ “%(c)s” bị trùng: dòng %(a)d và dòng %(b)d.")
                    % {"c": code, "a": first_row_of_code[code], "b": number},
                )
            else:
                first_row_of_code[code] = number

        if unit is not None and started_on is not None:
            ready.append(
                NewPerson(
                    code=code,
                    full_name=str(values.get("full_name") or ""),
                    unit=unit,
                    started_on=started_on,
                    gender=gender,
                    is_head=bool(values.get("is_head")),
                    position=position,
                    birth_date=birth_date,
                    email=email,
                )
            )

    if errors.items:
        result.errors = errors.sorted()
        return result
    try:
        created = services.people_bulk_create(actor=actor, rows=ready)
    except (ValidationFailed, Conflict) as exc:
        # Someone else wrote between our checks and the write: report, write nothing.
        result.errors = [RowError(0, "", exc.message)]
        return result
    result.created = len(created)
    return result
