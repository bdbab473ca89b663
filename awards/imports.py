"""Importing award history, initiatives and yearly ratings from XLSX templates.

This is how a unit moves its history in. As with people and units, every row is
checked before anything is written: one bad row and nothing is written, and the
user gets each bad row with its number, column and message. Checks are set-wise
(one query per kind of code referenced, a bounded number for what already
exists), so a file of thousands of rows takes seconds.

A code outside the importing user's scope reads exactly like an unknown one:
an import must not reveal what exists elsewhere.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from typing import IO, Any

from django.http import HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import load_workbook
from openpyxl.styles import Font

from accounts.access import Perm, scope_for
from awards import services
from awards.models import (
    Award,
    AwardType,
    Initiative,
    InitiativeKind,
    RecognitionLevel,
)
from awards.rating_imports import (
    RatingRow,
    chunks,
    person_ratings_bulk_set,
    unit_ratings_bulk_set,
)
from core.choices import Rating
from core.errors import Conflict, ValidationFailed
from core.ratings import check_year
from core.text import fold
from core.xlsx import Column, ParsedSheet, RowError, read_sheet, template_response
from organizations.models import Unit
from people.models import Person

# --- shared -----------------------------------------------------------------------------


@dataclass
class ImportResult:
    rows_read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[RowError] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def error_rows(self) -> int:
        return len({e.row for e in self.errors})


class _Errors:
    """Row errors, one per (row, column) — the first found is the cause — in template order."""

    def __init__(self, columns: Sequence[Column], initial: Iterable[RowError]) -> None:
        self.order = {column.header: index for index, column in enumerate(columns)}
        self.items: list[RowError] = []
        self.seen: set[tuple[int, str]] = set()
        for error in initial:
            self.add(error.row, error.column, error.message)

    def add(self, row: int, column: str, message: str) -> None:
        if (row, column) in self.seen:
            return
        self.seen.add((row, column))
        self.items.append(RowError(row, column, message))

    def has(self, row: int, column: str) -> bool:
        return (row, column) in self.seen

    def sorted(self) -> list[RowError]:
        return sorted(self.items, key=lambda e: (e.row, self.order.get(e.column, -1)))


def _start(parsed: ParsedSheet, columns: Sequence[Column]) -> tuple[ImportResult, _Errors, bool]:
    """The result to fill, the error list, and whether row checks are worth running."""
    result = ImportResult(rows_read=len(parsed.rows))
    errors = _Errors(columns, parsed.errors)
    if not parsed.rows and not parsed.errors:
        errors.add(0, "", _("Tệp không có dòng dữ liệu nào."))
    # The file or its header cannot be read: row checks would only add noise.
    go_on = bool(parsed.rows) and not any(e.row <= 1 for e in parsed.errors)
    return result, errors, go_on


def _text(values: dict[str, Any], key: str) -> str:
    return str(values.get(key) or "").strip()


def _people_by_code(codes: Iterable[str]) -> dict[str, Person]:
    found: dict[str, Person] = {}
    for part in chunks(sorted(set(codes))):
        for person in Person.objects.filter(code__in=part).select_related("unit"):
            found[person.code] = person
    return found


def _units_by_code(codes: Iterable[str]) -> dict[str, Unit]:
    found: dict[str, Unit] = {}
    for part in chunks(sorted(set(codes))):
        for unit in Unit.objects.filter(code__in=part):
            found[unit.code] = unit
    return found


def _not_found_person(code: str) -> str:
    # The same words for "no such person" and "not yours" (see the module docstring).
    return _("Không tìm thấy cán bộ “%(c)s” trong phạm vi của bạn.") % {"c": code}


def _not_found_unit(code: str) -> str:
    return _("Không tìm thấy đơn vị “%(c)s” trong phạm vi của bạn.") % {"c": code}


def _too_long(label: str, limit: int) -> str:
    return _("%(f)s tối đa %(n)d ký tự.") % {"f": label, "n": limit}


def _with_tables(
    response: HttpResponse, tables: Sequence[tuple[Sequence[str], Iterable[Sequence[Any]]]]
) -> HttpResponse:
    """Add tables of valid codes under the notes of a template made by template_response."""
    workbook = load_workbook(BytesIO(response.content))
    notes = workbook.worksheets[1]
    for headers, rows in tables:
        notes.append([])
        notes.append(list(headers))
        for cell in notes[notes.max_row]:
            cell.font = Font(bold=True)
        for row in rows:
            notes.append(list(row))
    notes.column_dimensions["A"].width = 26
    notes.column_dimensions["B"].width = 45
    notes.column_dimensions["C"].width = 60
    buffer = BytesIO()
    workbook.save(buffer)
    response.content = buffer.getvalue()
    return response


def _last_year() -> int:
    return dt.date.today().year - 1


# --- award history ----------------------------------------------------------------------

# Headers are a fixed exchange format and are not translated.
A_KIND = "Loại đối tượng"
A_CODE = "Mã đối tượng"
A_AWARD = "Mã khen thưởng"
A_YEAR = "Năm"
A_NUMBER = "Số quyết định"
A_DATE = "Ngày quyết định"
A_SIGNER = "Người ký"
A_AUTHORITY = "Cơ quan quyết định"
A_NOTE = "Ghi chú"


def award_columns() -> list[Column]:
    year = _last_year()
    return [
        Column("kind", A_KIND, required=True, example="CN",
               help=gettext_noop("CN (cá nhân) hoặc TT (tập thể); cũng nhận person / unit.")),
        Column("code", A_CODE, required=True, example="CB0001",
               help=gettext_noop("Mã cán bộ (CN) hoặc mã đơn vị (TT) trong phạm vi bạn quản lý.")),
        Column("award", A_AWARD, required=True, example="LDTT",
               help=gettext_noop("Mã trong danh mục khen thưởng (bảng bên dưới), đúng loại "
                                 "đối tượng.")),
        Column("year", A_YEAR, required=True, kind="int", example=year,
               help=gettext_noop("Năm được khen, ví dụ 2023.")),
        Column("number", A_NUMBER, required=True, example="125/QĐ-TCKTTV",
               help=gettext_noop("Tối đa 64 ký tự.")),
        Column("date", A_DATE, required=True, kind="date", example=dt.date(year, 12, 28),
               help=gettext_noop("dd/mm/yyyy hoặc ô ngày của Excel; không trước năm được khen.")),
        Column("signer", A_SIGNER, example="Nguyễn Văn A",
               help=gettext_noop("Tối đa 150 ký tự.")),
        Column("authority", A_AUTHORITY, example="Tổng cục Khí tượng Thủy văn",
               help=gettext_noop("Tối đa 255 ký tự.")),
        Column("note", A_NOTE, help=gettext_noop("Không bắt buộc.")),
    ]  # fmt: skip


# Accepted spellings of the recipient kind, compared after folding diacritics and case.
_RECIPIENT_KINDS = {
    "cn": "person", "ca nhan": "person", "person": "person", "individual": "person",
    "tt": "unit", "tap the": "unit", "unit": "unit", "collective": "unit", "don vi": "unit",
}  # fmt: skip


def award_template_response() -> HttpResponse:
    response = template_response("mau-nhap-khen-thuong.xlsx", "Khen thưởng", award_columns())
    catalogue = AwardType.objects.order_by("order", "code")
    return _with_tables(
        response,
        [
            (
                [_("Loại đối tượng"), _("Ý nghĩa")],
                [("CN", _("Cá nhân (ghi mã cán bộ)")), ("TT", _("Tập thể (ghi mã đơn vị)"))],
            ),
            (
                [_("Mã khen thưởng"), _("Tên"), _("Dành cho")],
                [(t.code, t.name, str(t.get_recipient_display())) for t in catalogue],
            ),
        ],
    )


def import_awards(*, actor: Any, upload: IO[bytes]) -> ImportResult:
    """Create every award of the file, or none and say which rows are wrong."""
    columns = award_columns()
    parsed = read_sheet(upload, columns)
    result, errors, go_on = _start(parsed, columns)
    if not go_on:
        result.errors = errors.sorted()
        return result

    scope = scope_for(actor, Perm.MANAGE_RECORDS)
    kinds: dict[int, str] = {}
    for number, values in parsed.rows:
        raw = _text(values, "kind")
        kind = _RECIPIENT_KINDS.get(fold(raw), "")
        if raw and not kind:
            errors.add(
                number,
                A_KIND,
                _("Loại đối tượng “%(k)s” không hợp lệ: ghi CN hoặc TT.") % {"k": raw},
            )
        kinds[number] = kind
    person_codes = {_text(v, "code") for n, v in parsed.rows if kinds[n] == "person"}
    unit_codes = {_text(v, "code") for n, v in parsed.rows if kinds[n] == "unit"}
    people = _people_by_code(person_codes - {""})
    units = _units_by_code(unit_codes - {""})
    types = {t.code.upper(): t for t in AwardType.objects.all()}
    today = dt.date.today()

    ready: list[tuple[int, services.AwardData]] = []
    for number, values in parsed.rows:
        kind = kinds[number]
        code = _text(values, "code")
        person: Person | None = None
        unit: Unit | None = None
        if kind == "person" and code:
            person = people.get(code)
            if person is None or not scope.covers(person.unit):
                errors.add(number, A_CODE, _not_found_person(code))
                person = None
        elif kind == "unit" and code:
            unit = units.get(code)
            if unit is None or not scope.covers(unit):
                errors.add(number, A_CODE, _not_found_unit(code))
                unit = None

        award_code = _text(values, "award")
        award_type = types.get(award_code.upper()) if award_code else None
        if award_code and award_type is None:
            errors.add(
                number,
                A_AWARD,
                _(
                    "Mã khen thưởng “%(c)s” không có trong danh mục "
                    "(xem trang Hướng dẫn của tệp mẫu)."
                )
                % {"c": award_code},
            )

        decision_number = _text(values, "number")
        if len(decision_number) > 64:
            errors.add(number, A_NUMBER, _too_long(A_NUMBER, 64))
        signer = _text(values, "signer")
        if len(signer) > 150:
            errors.add(number, A_SIGNER, _too_long(A_SIGNER, 150))
        authority = _text(values, "authority")
        if len(authority) > 255:
            errors.add(number, A_AUTHORITY, _too_long(A_AUTHORITY, 255))
        decision_date: dt.date | None = values.get("date")
        if decision_date is not None and decision_date > today:
            errors.add(number, A_DATE, _("Ngày quyết định không thể ở tương lai."))
        year: int | None = values.get("year")
        if year is not None:
            try:
                check_year(year)
            except ValidationFailed as exc:
                errors.add(number, A_YEAR, exc.message)

        if (person or unit) and award_type is not None and year is not None and decision_date:
            data = services.AwardData(
                award_type=award_type,
                year=year,
                decision_number=decision_number,
                decision_date=decision_date,
                person=person,
                unit=unit,
                signer=signer,
                authority=authority,
                note=_text(values, "note"),
            )
            column_of = {"award": A_AWARD, "year": A_YEAR, "decision_number": A_NUMBER,
                         "decision_date": A_DATE, "recipient": A_CODE}  # fmt: skip
            for problem in services.validate_award(data):
                errors.add(number, column_of.get(problem.field, ""), problem.message)
            ready.append((number, data))

    _award_duplicates(ready, errors)
    if errors.items:
        result.errors = errors.sorted()
        return result
    try:
        created = services.awards_bulk_create(actor=actor, rows=[d for _n, d in ready])
    except (ValidationFailed, Conflict) as exc:
        # Someone else wrote between our checks and the write: report, write nothing.
        result.errors = [RowError(0, "", exc.message)]
        return result
    result.created = len(created)
    return result


def _award_key(data: services.AwardData) -> tuple[str, int, int, int]:
    recipient = data.person if data.person is not None else data.unit
    assert recipient is not None
    return ("person" if data.person is not None else "unit", recipient.pk, data.award_type.pk,
            data.year)  # fmt: skip


def _award_duplicates(ready: list[tuple[int, services.AwardData]], errors: _Errors) -> None:
    """Same recipient, award and year twice in the file, or already in the database."""
    if not ready:
        return
    years = sorted({d.year for _n, d in ready})
    type_ids = sorted({d.award_type.pk for _n, d in ready})
    taken: set[tuple[str, int, int, int]] = set()
    for kind, field_name in (("person", "person_id"), ("unit", "unit_id")):
        ids = sorted({_award_key(d)[1] for _n, d in ready if _award_key(d)[0] == kind})
        for part in chunks(ids):
            rows = Award.objects.filter(
                **{f"{field_name}__in": part}, year__in=years, award_type_id__in=type_ids
            ).values_list(field_name, "award_type_id", "year")
            taken.update((kind, owner, award_type, year) for owner, award_type, year in rows)
    first_row: dict[tuple[str, int, int, int], int] = {}
    for number, data in ready:
        key = _award_key(data)
        recipient = data.person if data.person is not None else data.unit
        if key in taken:
            errors.add(
                number,
                A_AWARD,
                _("%(who)s đã có “%(award)s” năm %(year)s trong hệ thống.")
                % {"who": recipient, "award": data.award_type.name, "year": data.year},
            )
        elif key in first_row:
            errors.add(
                number,
                A_AWARD,
                _("Trùng với dòng %(n)d: cùng đối tượng, khen thưởng và năm.")
                % {"n": first_row[key]},
            )
        else:
            first_row[key] = number


# --- initiatives ------------------------------------------------------------------------

I_TITLE = "Tên"
I_KIND = "Loại"
I_AUTHORS = "Mã tác giả"
I_UNIT = "Mã đơn vị"
I_LEVEL = "Cấp công nhận"
I_DATE = "Ngày công nhận"
I_YEAR = "Năm"
I_NUMBER = "Số quyết định"


def initiative_columns() -> list[Column]:
    year = _last_year()
    return [
        Column("title", I_TITLE, required=True, example="Ứng dụng học máy trong dự báo mưa lớn",
               help=gettext_noop("Tên sáng kiến, đề tài; tối đa 500 ký tự.")),
        Column("kind", I_KIND, example="SANG_KIEN",
               help=gettext_noop("SANG_KIEN (sáng kiến) hoặc DE_TAI (đề tài, đề án, công trình "
                                 "khoa học); để trống là sáng kiến.")),
        Column("authors", I_AUTHORS, required=True, example="CB0001; CB0002",
               help=gettext_noop("Một hoặc nhiều mã cán bộ, ngăn cách bởi dấu “;” hoặc “,”.")),
        Column("unit", I_UNIT, example="DV01",
               help=gettext_noop("Đơn vị trong phạm vi bạn quản lý; để trống là đơn vị của "
                                 "tác giả đầu tiên.")),
        Column("level", I_LEVEL, required=True, example="CO_SO",
               help=gettext_noop("CO_SO, BO_TINH hoặc TOAN_QUOC.")),
        Column("date", I_DATE, required=True, kind="date", example=dt.date(year, 12, 20),
               help=gettext_noop("dd/mm/yyyy hoặc ô ngày của Excel.")),
        Column("year", I_YEAR, kind="int", example=year,
               help=gettext_noop("Để trống là năm của ngày công nhận.")),
        Column("number", I_NUMBER, example="45/QĐ-HĐSK",
               help=gettext_noop("Số quyết định công nhận; tối đa 64 ký tự.")),
    ]  # fmt: skip


_INITIATIVE_KINDS = {
    "sang_kien": InitiativeKind.INITIATIVE, "sang kien": InitiativeKind.INITIATIVE,
    "initiative": InitiativeKind.INITIATIVE,
    "de_tai": InitiativeKind.RESEARCH, "de tai": InitiativeKind.RESEARCH,
    "research": InitiativeKind.RESEARCH,
}  # fmt: skip


def _level_lookup() -> dict[str, str]:
    """Level codes and their Vietnamese names, both accepted."""
    table: dict[str, str] = {}
    for value, label in RecognitionLevel.choices:
        table[fold(value)] = value
        table[fold(str(label))] = value
    return table


_SEPARATORS = re.compile(r"[;,\n]+")


def initiative_template_response() -> HttpResponse:
    response = template_response(
        "mau-nhap-sang-kien.xlsx", "Sáng kiến, đề tài", initiative_columns()
    )
    return _with_tables(
        response,
        [
            (
                [_("Loại"), _("Ý nghĩa")],
                [("SANG_KIEN", str(InitiativeKind.INITIATIVE.label)),
                 ("DE_TAI", str(InitiativeKind.RESEARCH.label))],
            ),
            (
                [_("Cấp công nhận"), _("Ý nghĩa")],
                [(value, str(label)) for value, label in RecognitionLevel.choices],
            ),
        ],
    )  # fmt: skip


def import_initiatives(*, actor: Any, upload: IO[bytes]) -> ImportResult:
    """Create every initiative of the file, or none and say which rows are wrong."""
    columns = initiative_columns()
    parsed = read_sheet(upload, columns)
    result, errors, go_on = _start(parsed, columns)
    if not go_on:
        result.errors = errors.sorted()
        return result

    # Authors may belong to any unit the user sees (co-authors across units, as on
    # the API); the initiative is filed under a unit whose records they manage.
    view_scope = scope_for(actor, Perm.VIEW)
    manage_scope = scope_for(actor, Perm.MANAGE_RECORDS)
    author_codes: dict[int, list[str]] = {}
    for number, values in parsed.rows:
        codes = [c.strip() for c in _SEPARATORS.split(_text(values, "authors")) if c.strip()]
        author_codes[number] = list(dict.fromkeys(codes))
    people = _people_by_code(c for codes in author_codes.values() for c in codes)
    units = _units_by_code(_text(v, "unit") for _n, v in parsed.rows if _text(v, "unit"))
    levels = _level_lookup()
    today = dt.date.today()

    ready: list[tuple[int, services.InitiativeData]] = []
    for number, values in parsed.rows:
        title = " ".join(_text(values, "title").split())
        if len(title) > 500:
            errors.add(number, I_TITLE, _too_long(I_TITLE, 500))

        raw_kind = _text(values, "kind")
        kind = _INITIATIVE_KINDS.get(fold(raw_kind)) if raw_kind else InitiativeKind.INITIATIVE
        if kind is None:
            errors.add(
                number, I_KIND,
                _("Loại “%(k)s” không hợp lệ: ghi SANG_KIEN hoặc DE_TAI.") % {"k": raw_kind},
            )  # fmt: skip

        authors: list[Person] = []
        missing: list[str] = []
        for code in author_codes[number]:
            person = people.get(code)
            if person is None or not view_scope.covers(person.unit):
                missing.append(code)
            else:
                authors.append(person)
        if missing:
            errors.add(
                number,
                I_AUTHORS,
                _("Không tìm thấy cán bộ %(c)s trong phạm vi của bạn.")
                % {"c": ", ".join(f"“{c}”" for c in missing)},
            )
        elif _text(values, "authors") and not authors:
            errors.add(number, I_AUTHORS, _("Không được để trống."))

        unit_code = _text(values, "unit")
        unit: Unit | None = None
        if unit_code:
            unit = units.get(unit_code)
            if unit is None or not manage_scope.covers(unit):
                errors.add(number, I_UNIT, _not_found_unit(unit_code))
                unit = None
        elif authors:
            if manage_scope.covers(authors[0].unit):
                unit = authors[0].unit
            else:
                errors.add(
                    number,
                    I_UNIT,
                    _("Bạn không quản lý hồ sơ của đơn vị của tác giả đầu tiên: ghi mã đơn vị."),
                )

        raw_level = _text(values, "level")
        level = levels.get(fold(raw_level), "") if raw_level else ""
        if raw_level and not level:
            errors.add(
                number,
                I_LEVEL,
                _("Cấp công nhận “%(v)s” không hợp lệ: ghi CO_SO, BO_TINH hoặc TOAN_QUOC.")
                % {"v": raw_level},
            )

        recognized_on: dt.date | None = values.get("date")
        if recognized_on is not None and recognized_on > today:
            errors.add(number, I_DATE, _("Ngày công nhận không thể ở tương lai."))
        year: int | None = values.get("year")
        if year is None and recognized_on is not None and not errors.has(number, I_YEAR):
            year = recognized_on.year
        if year is not None:
            try:
                check_year(year)
            except ValidationFailed as exc:
                errors.add(number, I_YEAR, exc.message)

        decision_number = _text(values, "number")
        if len(decision_number) > 64:
            errors.add(number, I_NUMBER, _too_long(I_NUMBER, 64))

        if title and kind and authors and unit and level and recognized_on and year:
            data = services.InitiativeData(
                title=title,
                authors=authors,
                unit=unit,
                level=level,
                recognized_on=recognized_on,
                year=year,
                kind=kind,
                decision_number=decision_number,
            )
            column_of = {"title": I_TITLE, "authors": I_AUTHORS, "unit": I_UNIT,
                         "level": I_LEVEL, "kind": I_KIND, "year": I_YEAR,
                         "recognized_on": I_DATE}  # fmt: skip
            for problem in services.validate_initiative(data):
                errors.add(number, column_of.get(problem.field, ""), problem.message)
            ready.append((number, data))

    _initiative_duplicates(ready, errors)
    if errors.items:
        result.errors = errors.sorted()
        return result
    try:
        created = services.initiatives_bulk_create(actor=actor, rows=[d for _n, d in ready])
    except (ValidationFailed, Conflict) as exc:
        result.errors = [RowError(0, "", exc.message)]
        return result
    result.created = len(created)
    return result


def _initiative_duplicates(
    ready: list[tuple[int, services.InitiativeData]], errors: _Errors
) -> None:
    """The same title, unit and year twice: an import run twice must not double the records."""
    if not ready:
        return
    unit_ids = sorted({d.unit.pk for _n, d in ready if d.unit is not None})
    years = sorted({d.year for _n, d in ready})
    taken: set[tuple[str, int, int]] = set()
    for part in chunks(unit_ids):
        rows = Initiative.objects.filter(unit_id__in=part, year__in=years).values_list(
            "title", "unit_id", "year"
        )
        taken.update((fold(title), unit_id, year) for title, unit_id, year in rows)
    first_row: dict[tuple[str, int, int], int] = {}
    for number, data in ready:
        assert data.unit is not None
        key = (fold(data.title), data.unit.pk, data.year)
        if key in taken:
            errors.add(
                number,
                I_TITLE,
                _("Đơn vị “%(u)s” đã có sáng kiến, đề tài “%(t)s” năm %(y)s trong hệ thống.")
                % {"u": data.unit.code, "t": data.title, "y": data.year},
            )
        elif key in first_row:
            errors.add(
                number,
                I_TITLE,
                _("Trùng với dòng %(n)d: cùng tên, đơn vị và năm.") % {"n": first_row[key]},
            )
        else:
            first_row[key] = number


# --- yearly ratings ---------------------------------------------------------------------

R_PERSON = "Mã cán bộ"
R_UNIT = "Mã đơn vị"
R_YEAR = "Năm"
R_RATING = "Xếp loại"
RATING_KINDS = ("person", "unit")


def rating_columns(kind: str) -> list[Column]:
    if kind == "person":
        owner = Column("code", R_PERSON, required=True, example="CB0001",
                       help=gettext_noop("Cán bộ trong phạm vi bạn quản lý."))  # fmt: skip
    else:
        owner = Column("code", R_UNIT, required=True, example="DV01",
                       help=gettext_noop("Đơn vị trong phạm vi bạn quản lý."))  # fmt: skip
    return [
        owner,
        Column("year", R_YEAR, required=True, kind="int", example=_last_year(),
               help=gettext_noop("Năm được xếp loại.")),
        Column("rating", R_RATING, required=True, example=Rating.HTTNV.value,
               help=gettext_noop("HTXSNV, HTTNV, HTNV hoặc KHTNV. Năm đã có xếp loại thì xếp "
                                 "loại mới thay thế.")),
    ]  # fmt: skip


def _rating_lookup() -> dict[str, str]:
    table: dict[str, str] = {}
    for value, label in Rating.choices:
        table[fold(value)] = value
        table[fold(str(label))] = value
    return table


def rating_template_response(kind: str) -> HttpResponse:
    if kind == "person":
        response = template_response(
            "mau-nhap-xep-loai-can-bo.xlsx", "Xếp loại cán bộ", rating_columns(kind)
        )
    else:
        response = template_response(
            "mau-nhap-xep-loai-don-vi.xlsx", "Xếp loại đơn vị", rating_columns(kind)
        )
    return _with_tables(
        response,
        [([_("Xếp loại"), _("Ý nghĩa")], [(v, str(label)) for v, label in Rating.choices])],
    )


def import_ratings(*, actor: Any, kind: str, upload: IO[bytes]) -> ImportResult:
    """Set every rating of the file (replacing a year already rated), or none."""
    if kind not in RATING_KINDS:
        raise ValueError(kind)
    columns = rating_columns(kind)
    owner_header = columns[0].header
    parsed = read_sheet(upload, columns)
    result, errors, go_on = _start(parsed, columns)
    if not go_on:
        result.errors = errors.sorted()
        return result

    # Ratings are kept by whoever manages people, as on the rating pages.
    scope = scope_for(actor, Perm.MANAGE_PEOPLE)
    codes = {_text(v, "code") for _n, v in parsed.rows} - {""}
    owners: dict[str, Any] = _people_by_code(codes) if kind == "person" else _units_by_code(codes)
    ratings = _rating_lookup()
    first_row: dict[tuple[int, int], int] = {}
    ready: list[RatingRow] = []
    for number, values in parsed.rows:
        code = _text(values, "code")
        owner = owners.get(code) if code else None
        if code and owner is not None:
            owner_unit = owner.unit if kind == "person" else owner
            if not scope.covers(owner_unit):
                owner = None
        if code and owner is None:
            message = _not_found_person(code) if kind == "person" else _not_found_unit(code)
            errors.add(number, owner_header, message)

        year: int | None = values.get("year")
        if year is not None:
            try:
                check_year(year)
            except ValidationFailed as exc:
                errors.add(number, R_YEAR, exc.message)
                year = None

        raw = _text(values, "rating")
        rating = ratings.get(fold(raw), "") if raw else ""
        if raw and not rating:
            errors.add(
                number,
                R_RATING,
                _("Xếp loại “%(r)s” không hợp lệ: ghi HTXSNV, HTTNV, HTNV hoặc KHTNV.")
                % {"r": raw},
            )

        if owner is not None and year is not None:
            key = (owner.pk, year)
            if key in first_row:
                errors.add(
                    number,
                    R_YEAR,
                    _("Trùng với dòng %(n)d: cùng mã “%(c)s” và năm.")
                    % {"n": first_row[key], "c": code},
                )
                continue
            first_row[key] = number
            if rating:
                ready.append(RatingRow(owner=owner, year=year, rating=rating))

    if errors.items:
        result.errors = errors.sorted()
        return result
    bulk_set = person_ratings_bulk_set if kind == "person" else unit_ratings_bulk_set
    try:
        outcome = bulk_set(actor=actor, rows=ready)
    except (ValidationFailed, Conflict) as exc:
        result.errors = [RowError(0, "", exc.message)]
        return result
    result.created = outcome.created
    result.updated = outcome.updated
    result.unchanged = outcome.unchanged
    return result
