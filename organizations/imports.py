"""Importing units from an XLSX template, and the people allocation file of a split.

Every row is checked before anything is written; one bad row means nothing is
written and the caller gets each bad row with its number, column and message.
Rows may name a parent defined further down the same file, so valid rows are
created parents-first.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from io import BytesIO
from typing import IO, Any

from django.db import transaction
from django.http import HttpResponse
from django.utils.translation import gettext as _
from openpyxl import Workbook, load_workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from accounts.access import Perm, scope_for
from core.errors import Conflict, ValidationFailed
from core.text import fold
from core.xlsx import XLSX_TYPE, Column, RowError, read_sheet, template_response
from organizations import services
from organizations.models import Unit, UnitKind
from people.models import Person

H_CODE = "Mã đơn vị"
H_NAME = "Tên đơn vị"
H_SHORT = "Tên viết tắt"
H_KIND = "Loại"
H_PARENT = "Mã đơn vị cấp trên"
H_FROM = "Hiệu lực từ"
HEADER_OF = {
    "code": H_CODE, "name": H_NAME, "short_name": H_SHORT, "kind": H_KIND,
    "parent": H_PARENT, "valid_from": H_FROM,
}  # fmt: skip


def unit_columns(example_parent: str = "MA_CAP_TREN") -> list[Column]:
    """The template's columns. Headers are a fixed exchange format and are not translated."""
    return [
        Column("code", H_CODE, required=True, example="PHONG_TDKT",
               help=_("Tối đa 32 ký tự, không có khoảng trắng, chưa có trong hệ thống.")),
        Column("name", H_NAME, required=True, example="Phòng Thi đua – Khen thưởng",
               help=_("Tối đa 255 ký tự.")),
        Column("short_name", H_SHORT, example="TĐKT", help=_("Tối đa 64 ký tự.")),
        Column("kind", H_KIND, example=UnitKind.OFFICE.value,
               help=_("Mã loại đơn vị (bảng bên dưới) hoặc tên loại; để trống là OFFICE.")),
        Column("parent", H_PARENT, required=True, example=example_parent,
               help=_("Mã một đơn vị đang hoạt động mà bạn được quản lý, hoặc mã một đơn vị "
                      "ở dòng khác trong cùng tệp.")),
        Column("valid_from", H_FROM, kind="date", example=dt.date(dt.date.today().year, 1, 1),
               help=_("Ngày dạng dd/mm/yyyy; để trống là hôm nay.")),
    ]  # fmt: skip


def unit_template_response(example_parent: str = "MA_CAP_TREN") -> HttpResponse:
    """The blank template, with the list of unit kinds added to its notes sheet."""
    response = template_response("mau-nhap-don-vi.xlsx", "Đơn vị", unit_columns(example_parent))
    workbook = load_workbook(BytesIO(response.content))
    notes = workbook.worksheets[1]
    notes.append([])
    heading_row = notes.max_row + 1
    notes.append([_("Mã loại đơn vị"), _("Tên loại")])
    for cell in notes[heading_row]:
        cell.font = Font(bold=True)
    for value, label in UnitKind.choices:
        notes.append([value, str(label)])
    notes.column_dimensions["A"].width = 26
    notes.column_dimensions["C"].width = 70
    buffer = BytesIO()
    workbook.save(buffer)
    response.content = buffer.getvalue()
    return response


@dataclass
class ImportResult:
    created: list[Unit] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    rows: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


@dataclass
class _Row:
    number: int
    code: str
    name: str
    short_name: str
    kind: str
    parent_code: str
    valid_from: dt.date | None


class _Abort(Exception):
    def __init__(self, errors: list[RowError]) -> None:
        super().__init__("import aborted")
        self.errors = errors


def _kind_lookup() -> dict[str, str]:
    """Kind codes and their Vietnamese names, both accepted (an export reads back in)."""
    table: dict[str, str] = {}
    for value, label in UnitKind.choices:
        table[fold(value)] = value
        table[fold(str(label))] = value
    return table


def _find_cycles(parent_of: dict[str, str]) -> dict[str, list[str]]:
    """For each code on a parent cycle within the file, the cycle it lies on."""
    state: dict[str, int] = {}  # 1 = on the current walk, 2 = finished
    cycles: dict[str, list[str]] = {}
    for start in parent_of:
        walk: list[str] = []
        code: str | None = start
        while code is not None and code in parent_of and state.get(code) is None:
            state[code] = 1
            walk.append(code)
            code = parent_of[code]
        if code is not None and state.get(code) == 1:
            loop = walk[walk.index(code) :]
            for member in loop:
                cycles[member] = loop
        for member in walk:
            state[member] = 2
    return cycles


def _check_rows(
    actor: Any, parsed: list[tuple[int, dict[str, Any]]]
) -> tuple[list[_Row], dict[str, Unit], list[RowError]]:
    errors: list[RowError] = []
    kinds = _kind_lookup()
    codes = [str(d.get("code") or "").strip() for _n, d in parsed]
    parent_codes = [str(d.get("parent") or "").strip() for _n, d in parsed]
    taken = set(
        Unit.objects.filter(code__in=[c for c in codes if c]).values_list("code", flat=True)
    )
    first_row: dict[str, int] = {}
    for (number, _data), code in zip(parsed, codes, strict=True):
        if code:
            first_row.setdefault(code, number)
    outside = {c for c in parent_codes if c and c not in first_row}
    existing = {u.code: u for u in Unit.objects.filter(code__in=outside)}
    view_scope = scope_for(actor, Perm.VIEW)
    manage_scope = scope_for(actor, Perm.MANAGE_ORG)

    rows: list[_Row] = []

    def fail(number: int, header: str, message: str) -> None:
        errors.append(RowError(number, header, message))

    for number, data in parsed:
        code = str(data.get("code") or "").strip()
        if code:
            if len(code) > 32 or any(ch.isspace() for ch in code):
                fail(number, H_CODE, _("Mã đơn vị tối đa 32 ký tự và không có khoảng trắng."))
            elif first_row[code] != number:
                fail(
                    number,
                    H_CODE,
                    _("Mã “%(c)s” trùng với dòng %(n)d.") % {"c": code, "n": first_row[code]},
                )
            elif code in taken:
                fail(number, H_CODE, _("Mã đơn vị “%(c)s” đã tồn tại.") % {"c": code})
        name = " ".join(str(data.get("name") or "").split())
        if len(name) > 255:
            fail(number, H_NAME, _("Tên đơn vị tối đa 255 ký tự."))
        short_name = str(data.get("short_name") or "").strip()
        if len(short_name) > 64:
            fail(number, H_SHORT, _("Tên viết tắt tối đa 64 ký tự."))
        raw_kind = str(data.get("kind") or "").strip()
        kind = kinds.get(fold(raw_kind), "") if raw_kind else UnitKind.OFFICE.value
        if not kind:
            fail(
                number,
                H_KIND,
                _("Loại đơn vị “%(k)s” không hợp lệ (xem trang Hướng dẫn).") % {"k": raw_kind},
            )
        parent_code = str(data.get("parent") or "").strip()
        if parent_code and parent_code not in first_row:
            parent = existing.get(parent_code)
            if parent is None or not view_scope.covers(parent):
                message = _(
                    "Không tìm thấy đơn vị cấp trên “%(c)s” trong tệp hoặc trong phạm vi của bạn."
                )
                fail(number, H_PARENT, message % {"c": parent_code})
            elif not manage_scope.covers(parent):
                message = _("Bạn không có quyền quản lý đơn vị cấp trên “%(c)s”.")
                fail(number, H_PARENT, message % {"c": parent_code})
            elif not parent.is_active:
                fail(
                    number,
                    H_PARENT,
                    _("Đơn vị cấp trên “%(c)s” đã ngừng hoạt động.") % {"c": parent_code},
                )
        rows.append(_Row(number, code, name, short_name, kind, parent_code, data.get("valid_from")))

    # Only first occurrences take part in the tree; duplicates were reported above.
    parent_of = {
        r.code: r.parent_code
        for r in rows
        if r.code and first_row.get(r.code) == r.number and r.parent_code in first_row
    }
    for code, loop in _find_cycles(parent_of).items():
        chain = " → ".join([*loop, loop[0]])
        message = _("Vòng lặp đơn vị cấp trên trong tệp: %(c)s.") % {"c": chain}
        errors.append(RowError(first_row[code], H_PARENT, message))
    return rows, existing, errors


_COLUMN_ORDER = [H_CODE, H_NAME, H_SHORT, H_KIND, H_PARENT, H_FROM]


def _error_order(error: RowError) -> tuple[int, int]:
    """Row by row, and within a row in the order of the columns in the template."""
    column = _COLUMN_ORDER.index(error.column) if error.column in _COLUMN_ORDER else -1
    return error.row, column


def _parents_first(rows: list[_Row]) -> list[_Row]:
    in_file = {r.code for r in rows}
    children: dict[str, list[_Row]] = {}
    ordered: list[_Row] = []
    for row in rows:
        if row.parent_code in in_file:
            children.setdefault(row.parent_code, []).append(row)
    stack = [r for r in reversed(rows) if r.parent_code not in in_file]
    while stack:
        row = stack.pop()
        ordered.append(row)
        stack.extend(reversed(children.get(row.code, [])))
    return ordered


def import_units(*, actor: Any, upload: IO[bytes]) -> ImportResult:
    """Create every unit of the file, or none of them and say which rows are wrong."""
    sheet = read_sheet(upload, unit_columns())
    if sheet.errors and not sheet.rows:
        return ImportResult(errors=sheet.errors)
    if not sheet.rows:
        return ImportResult(errors=[RowError(0, "", _("Tệp không có dòng dữ liệu nào."))])
    rows, existing, errors = _check_rows(actor, sheet.rows)
    errors = sorted([*sheet.errors, *errors], key=_error_order)
    result = ImportResult(rows=len(rows))
    if errors:
        result.errors = errors
        return result
    try:
        with transaction.atomic():
            # Lock the outside parents and read them again: one may have been merged
            # or moved since the rows were checked.
            fresh = {
                u.code: u for u in Unit.objects.select_for_update().filter(code__in=list(existing))
            }
            created: dict[str, Unit] = {}
            for row in _parents_first(rows):
                parent = created.get(row.parent_code) or fresh[row.parent_code]
                try:
                    unit = services.unit_create(
                        actor=actor, code=row.code, name=row.name, parent=parent,
                        kind=row.kind, short_name=row.short_name, valid_from=row.valid_from,
                    )  # fmt: skip
                except ValidationFailed as exc:
                    raise _Abort(
                        [RowError(row.number, HEADER_OF.get(e.field, H_PARENT), e.message)
                         for e in exc.errors]
                    ) from exc  # fmt: skip
                except Conflict as exc:
                    raise _Abort([RowError(row.number, H_CODE, exc.message)]) from exc
                created[row.code] = unit
                result.created.append(unit)
    except _Abort as abort:
        return ImportResult(errors=abort.errors, rows=len(rows))
    return result


# --- allocating people when a large unit is split ------------------------------------------

# Past a few hundred people a select per person is unusable, so officers allocate in
# Excel, as they already do: download the unit's list, write each person's new unit
# code, upload it on the split page. Headers are a fixed exchange format.
A_PERSON = "Mã cán bộ"
A_NAME = "Họ và tên"
A_POSITION = "Chức vụ"
A_PART = "Mã đơn vị mới"
_ALLOCATION_ORDER = [A_PERSON, A_NAME, A_POSITION, A_PART]

AllocationRow = tuple[int, str, str]
"""(row number in the workbook, person code, new unit code) as read, not yet checked."""


def split_allocation_response(
    *, unit: Unit, first_code: str, parts: list[tuple[str, str]]
) -> HttpResponse:
    """Everyone in `unit`, each pre-assigned to `first_code`, with the new units listed."""
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("Phân bổ cán bộ")
    for letter, width in zip("ABCD", (16, 34, 28, 20), strict=True):
        sheet.column_dimensions[letter].width = width
    header = []
    for title in _ALLOCATION_ORDER:
        cell = WriteOnlyCell(sheet, value=title)
        cell.font = Font(bold=True)
        header.append(cell)
    sheet.append(header)
    people = (
        Person.objects.filter(unit=unit)
        .order_by("sort_key", "code")
        .values_list("code", "full_name", "position")
    )
    for code, full_name, position in people.iterator(chunk_size=2000):
        sheet.append([code, full_name, position, first_code])
    notes = workbook.create_sheet(_("Hướng dẫn"))
    notes.column_dimensions["A"].width = 24
    notes.column_dimensions["B"].width = 60
    how = _(
        "Ghi ở cột “Mã đơn vị mới” mã đơn vị mà từng cán bộ chuyển sang, rồi tải tệp lên "
        "trang chia tách. Chỉ cột “Mã cán bộ” và “Mã đơn vị mới” được đọc."
    )
    notes.append([how])
    notes.append([_("Cán bộ không có trong tệp chuyển sang đơn vị mới đầu tiên.")])
    notes.append([])
    notes.append([_("Mã đơn vị mới"), _("Tên đơn vị mới")])
    for code, name in parts:
        notes.append([code, name])
    if not parts:
        notes.append([_("(Chưa nhập đơn vị mới nào trên trang chia tách.)")])
    buffer = BytesIO()
    workbook.save(buffer)
    safe = re.sub(r"[^A-Za-z0-9_-]+", "-", unit.code).strip("-") or "don-vi"
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="phan-bo-can-bo-{safe}.xlsx"'
    return response


def read_split_allocation(upload: IO[bytes]) -> tuple[list[AllocationRow], list[RowError]]:
    """The rows of an allocation workbook, or why the file itself cannot be read.

    Rows are checked later, against the new units typed on the page at that moment
    (see check_split_allocation): the rows travel with the form until then.
    """
    columns = [Column("person", A_PERSON, required=True), Column("part", A_PART, required=True)]
    sheet = read_sheet(upload, columns)
    # Empty cells are reported by check_split_allocation, with the other row errors.
    errors = [e for e in sheet.errors if e.row <= 1 or not e.column]
    if errors:
        return [], errors
    rows = [(n, str(d.get("person") or ""), str(d.get("part") or "")) for n, d in sheet.rows]
    if not rows:
        return [], [RowError(0, "", _("Tệp không có dòng dữ liệu nào."))]
    return rows, []


def check_split_allocation(
    *, unit: Unit, rows: list[AllocationRow], part_codes: list[str]
) -> tuple[dict[int, int], list[RowError]]:
    """Map person id → index in `part_codes`, or every bad row (and then no mapping)."""
    people = dict(Person.objects.filter(unit=unit).values_list("code", "pk"))
    index = {code: i for i, code in enumerate(part_codes)}
    errors: list[RowError] = []
    allocation: dict[int, int] = {}
    first_row: dict[str, int] = {}
    for number, raw_person, raw_part in rows:
        person_code, part_code = raw_person.strip(), raw_part.strip()
        person_ok = False
        if not person_code:
            errors.append(RowError(number, A_PERSON, _("Không được để trống.")))
        elif person_code not in people:
            # Same words for "no such person" and "someone elsewhere": the file must not
            # reveal who exists outside this unit.
            message = _("Không có cán bộ mã “%(c)s” trong đơn vị “%(u)s”.")
            errors.append(RowError(number, A_PERSON, message % {"c": person_code, "u": unit.name}))
        elif person_code in first_row:
            message = _("Cán bộ “%(c)s” đã có ở dòng %(n)d.")
            errors.append(
                RowError(
                    number, A_PERSON, message % {"c": person_code, "n": first_row[person_code]}
                )
            )
        else:
            first_row[person_code] = number
            person_ok = True
        if not part_code:
            errors.append(RowError(number, A_PART, _("Không được để trống.")))
        elif part_code not in index:
            message = _("“%(c)s” không phải mã của một đơn vị mới (%(codes)s).")
            errors.append(
                RowError(number, A_PART, message % {"c": part_code, "codes": ", ".join(part_codes)})
            )
        elif person_ok:
            allocation[people[person_code]] = index[part_code]
    if errors:
        return {}, sorted(errors, key=lambda e: (e.row, _ALLOCATION_ORDER.index(e.column)))
    return allocation, []
