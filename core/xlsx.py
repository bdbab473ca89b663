"""Excel exchange: every list exports to XLSX; main records import from templates.

Imports validate every row before anything is written: the caller gets either
all parsed rows or the full list of (row, column, message) errors.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from io import BytesIO
from typing import IO, Any

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.utils import timezone
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from openpyxl import Workbook, load_workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter

from core.dates import parse_vn_date

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_IMPORT_ROWS = 50_000


def _cell(value: Any) -> Any:
    if isinstance(value, bool):
        return _("Có") if value else ""
    return value


def build_workbook(title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]) -> bytes:
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(title=title[:31])
    for index, header in enumerate(headers, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = max(12, min(50, len(header) + 6))
    sheet.append(list(headers))
    for row in rows:
        sheet.append([_cell(v) for v in row])
    buffer = BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def xlsx_response(
    filename: str, title: str, headers: Sequence[str], rows: Iterable[Sequence[Any]]
) -> HttpResponse:
    response = HttpResponse(build_workbook(title, headers, rows), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


# --- imports ------------------------------------------------------------------------


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    required: bool = False
    kind: str = "text"  # text | date | int | bool
    help: str = ""
    example: Any = ""


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    message: str


@dataclass
class ParsedSheet:
    rows: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)


def template_response(filename: str, title: str, columns: Sequence[Column]) -> HttpResponse:
    """A blank import template: bold headers, a notes sheet, one example row."""
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.title = title[:31]
    fill = PatternFill("solid", fgColor="DDEBF7")
    for index, column in enumerate(columns, start=1):
        cell = sheet.cell(row=1, column=index, value=column.header)
        cell.font = Font(bold=True)
        cell.fill = fill
        sheet.column_dimensions[get_column_letter(index)].width = max(14, len(column.header) + 6)
        example = column.example
        example_cell = sheet.cell(row=2, column=index, value=example)
        if column.kind == "date":
            example_cell.number_format = "DD/MM/YYYY"
    notes = workbook.create_sheet(_("Hướng dẫn"))
    notes.append([_("Cột"), _("Bắt buộc"), _("Ghi chú")])
    for column in columns:
        help_text = _(column.help) if column.help else ""  # gettext("") is the catalogue header
        notes.append([column.header, _("Có") if column.required else "", help_text])
    notes.append([])
    notes.append([_("Xóa dòng ví dụ trước khi nhập. Ngày ghi theo dạng dd/mm/yyyy.")])
    buffer = BytesIO()
    workbook.save(buffer)
    response = HttpResponse(buffer.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


def _parse_value(column: Column, raw: Any) -> Any:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return None
    if column.kind == "date":
        return parse_vn_date(raw)
    if column.kind == "int":
        if isinstance(raw, float) and raw.is_integer():
            return int(raw)
        return int(str(raw).strip())
    if column.kind == "bool":
        text = str(raw).strip().lower()
        if text in {"1", "x", "có", "co", "true", "yes"}:
            return True
        if text in {"0", "không", "khong", "false", "no"}:
            return False
        raise ValueError(text)
    if isinstance(raw, float) and raw.is_integer():
        raw = int(raw)
    if isinstance(raw, dt.datetime):
        return raw.date().isoformat()
    return str(raw).strip()


_KIND_MESSAGES = {
    "date": gettext_noop("Ngày không hợp lệ (dùng dạng dd/mm/yyyy)."),
    "int": gettext_noop("Phải là số nguyên."),
    "bool": gettext_noop("Ghi “x” hoặc “có” nếu đúng, để trống nếu không."),
}


def read_sheet(upload: IO[bytes], columns: Sequence[Column]) -> ParsedSheet:
    """Parse the first sheet against `columns` (matched by header text)."""
    result = ParsedSheet()
    try:
        workbook = load_workbook(upload, read_only=True, data_only=True)
    except Exception:
        result.errors.append(RowError(0, "", _("Tệp không phải là tệp Excel (.xlsx) hợp lệ.")))
        return result
    sheet = workbook.worksheets[0]
    rows = sheet.iter_rows(values_only=True)
    header_row = next(rows, None)
    if header_row is None:
        result.errors.append(RowError(1, "", _("Tệp không có dòng tiêu đề.")))
        return result
    headers = [str(h).strip() if h is not None else "" for h in header_row]
    positions: dict[str, int] = {}
    for column in columns:
        if column.header in headers:
            positions[column.key] = headers.index(column.header)
        elif column.required:
            result.errors.append(
                RowError(
                    1,
                    column.header,
                    _("Thiếu cột “%(c)s” trong dòng tiêu đề.") % {"c": column.header},
                )
            )
    if result.errors:
        return result
    for number, values in enumerate(rows, start=2):
        if values is None or all(
            v is None or (isinstance(v, str) and not v.strip()) for v in values
        ):
            continue
        if len(result.rows) >= MAX_IMPORT_ROWS:
            result.errors.append(
                RowError(number, "", _("Tệp vượt quá %(n)d dòng.") % {"n": MAX_IMPORT_ROWS})
            )
            break
        parsed: dict[str, Any] = {}
        for column in columns:
            position = positions.get(column.key)
            raw = values[position] if position is not None and position < len(values) else None
            try:
                value = _parse_value(column, raw)
            except (ValueError, TypeError):
                result.errors.append(
                    RowError(number, column.header, _(_KIND_MESSAGES[column.kind]))
                )
                continue
            if value is None and column.required:
                result.errors.append(RowError(number, column.header, _("Không được để trống.")))
                continue
            parsed[column.key] = value
        result.rows.append((number, parsed))
    workbook.close()
    return result


Validator = Callable[[list[tuple[int, dict[str, Any]]]], list[RowError]]


# --- error reports of imports -----------------------------------------------------------

# A bad import's full error list is kept for a while as a workbook the user can fetch
# without uploading the file again. Files live in the default storage (shared by all
# app processes, like other uploads) under a name derived with the secret key from the
# owner and a random token: the link carries only the token, so another user, or anyone
# reaching the storage folder directly (MEDIA is served as-is in DEBUG), cannot find it.
ERROR_REPORT_DIR = "import-errors"
ERROR_REPORT_TTL = dt.timedelta(hours=1)
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]{20,64}")


def error_workbook(errors: Iterable[RowError]) -> bytes:
    """Every error of an import, one line each, in the order shown on the page."""
    rows = ((e.row or "", e.column, e.message) for e in errors)
    return build_workbook(_("Lỗi"), [_("Dòng"), _("Cột"), _("Lỗi")], rows)


def _error_report_name(user: Any, token: str) -> str:
    digest = salted_hmac("core.xlsx.error_report", f"{user.pk}:{token}", algorithm="sha256")
    return f"{ERROR_REPORT_DIR}/{digest.hexdigest()}.xlsx"


def _purge_error_reports() -> None:
    """Drop reports past their hour; done on each new report, so no scheduled job is needed."""
    try:
        _dirs, files = default_storage.listdir(ERROR_REPORT_DIR)
    except FileNotFoundError:
        return
    limit = timezone.now() - ERROR_REPORT_TTL
    for name in files:
        path = f"{ERROR_REPORT_DIR}/{name}"
        try:
            if default_storage.get_modified_time(path) < limit:
                default_storage.delete(path)
        except FileNotFoundError:
            continue  # another process removed it first


def stash_error_report(user: Any, errors: Sequence[RowError]) -> str:
    """Keep the errors as a workbook for `user`; returns the token of its download link."""
    _purge_error_reports()
    token = secrets.token_urlsafe(24)
    default_storage.save(_error_report_name(user, token), ContentFile(error_workbook(errors)))
    return token


def error_report_response(user: Any, token: str, filename: str) -> HttpResponse:
    """The stashed workbook, for its owner only and within the hour; 404 otherwise."""
    if not _TOKEN_RE.fullmatch(token):
        raise Http404
    name = _error_report_name(user, token)
    try:
        if default_storage.get_modified_time(name) < timezone.now() - ERROR_REPORT_TTL:
            default_storage.delete(name)
            raise Http404
        with default_storage.open(name, "rb") as handle:
            content = handle.read()
    except FileNotFoundError as exc:
        raise Http404 from exc
    response = HttpResponse(content, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response["Cache-Control"] = "private, no-store"
    return response
