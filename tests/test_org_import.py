"""Importing units from the XLSX template: everything or nothing, errors named by row."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from accounts.models import Role
from audit.models import AuditEvent
from organizations import services as org
from organizations.imports import import_units
from organizations.models import Unit, UnitKind, UnitVersion
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

HEADERS = ["Mã đơn vị", "Tên đơn vị", "Tên viết tắt", "Loại", "Mã đơn vị cấp trên", "Hiệu lực từ"]


def xlsx(rows: list[list[Any]], headers: list[str] = HEADERS) -> BytesIO:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_template_lists_columns_and_unit_kinds(tree: Any, personas: Any) -> None:
    response = login(personas.officer).get("/units/import/template/")
    assert response.status_code == 403  # an officer does not manage the tree
    response = login(personas.standing).get("/units/import/template/")
    assert response.status_code == 200
    workbook = load_workbook(BytesIO(response.content))
    data, notes = workbook.worksheets[0], workbook.worksheets[1]
    assert [c.value for c in data[1]] == HEADERS
    assert data["E2"].value == "MIN"  # the example parent is a unit the user manages
    assert notes.title == "Hướng dẫn"
    note_values = [row[0] for row in notes.iter_rows(values_only=True)]
    for kind in UnitKind.values:
        assert kind in note_values
    assert "Đơn vị trực thuộc" in [row[1] for row in notes.iter_rows(values_only=True)]


def test_import_creates_all_rows_parents_first(tree: Any, personas: Any) -> None:
    events_before = AuditEvent.objects.count()
    upload = xlsx([
        # The child comes before its parent in the file.
        ["KTTV_C1", "Phòng Dự báo", "", "Văn phòng, phòng", "KTTV_C", "01/03/2025"],
        ["KTTV_C", "Trung tâm Thông tin", "TTTT", "AFFILIATED", "KTTV", dt.datetime(2025, 2, 1)],
        ["KTTV_C2", "Phòng Dữ liệu", None, None, "KTTV_C", None],
        ["ST_P1", "Phòng Đất đai", None, "office", "STNMT_ST", "15/01/2025"],
    ])  # fmt: skip
    result = import_units(actor=personas.standing, upload=upload)
    assert result.ok, result.errors
    assert [u.code for u in result.created] == ["KTTV_C", "KTTV_C1", "KTTV_C2", "ST_P1"]
    center = Unit.objects.get(code="KTTV_C")
    assert center.parent == tree.KTTV
    assert center.short_name == "TTTT"
    assert center.kind == UnitKind.AFFILIATED
    assert center.valid_from == dt.date(2025, 2, 1)
    child = Unit.objects.get(code="KTTV_C1")
    assert child.parent == center and child.path.startswith(center.path)
    assert child.kind == UnitKind.OFFICE  # given by its Vietnamese name
    assert child.valid_from == dt.date(2025, 3, 1)
    assert Unit.objects.get(code="KTTV_C2").kind == UnitKind.OFFICE  # blank kind
    assert Unit.objects.get(code="ST_P1").parent == tree.ST
    assert UnitVersion.objects.filter(unit__code__startswith="KTTV_C").count() == 3
    assert AuditEvent.objects.count() == events_before + 4


def test_import_with_bad_rows_writes_nothing_and_names_them(tree: Any, personas: Any) -> None:
    org.units_merge(actor=None, sources=[tree.KTTV_B], into=tree.KTTV_A, on=dt.date(2025, 1, 1))
    units_before = Unit.objects.count()
    events_before = AuditEvent.objects.count()
    upload = xlsx([
        ["OK1", "Phòng tốt", None, None, "KTTV", None],                  # row 2: fine
        ["NONAME", None, None, None, "KTTV", None],                      # row 3
        ["BADKIND", "Phòng A", None, "PHONG", "KTTV", None],              # row 4
        ["OK1", "Phòng trùng mã", None, None, "KTTV", None],              # row 5
        ["KTTV_A", "Đã có", None, None, "KTTV", None],                    # row 6
        ["ORPHAN", "Phòng B", None, None, "KHONG_CO", None],              # row 7
        ["LOOP1", "Vòng 1", None, None, "LOOP2", None],                   # row 8
        ["LOOP2", "Vòng 2", None, None, "LOOP1", None],                   # row 9
        ["BADDATE", "Phòng C", None, None, "KTTV", "31/02/2025"],         # row 10
        ["CLOSED", "Phòng D", None, None, "KTTV_B", None],                # row 11
        ["HAS SPACE", "Phòng E", None, None, "KTTV", None],               # row 12
        ["OK2", "Phòng tốt 2", None, None, "OK1", None],                  # row 13: fine
    ])  # fmt: skip
    result = import_units(actor=personas.standing, upload=upload)
    assert not result.ok
    assert result.created == []
    assert Unit.objects.count() == units_before
    assert AuditEvent.objects.count() == events_before
    found = {(e.row, e.column) for e in result.errors}
    assert found == {
        (3, "Tên đơn vị"), (4, "Loại"), (5, "Mã đơn vị"), (6, "Mã đơn vị"),
        (7, "Mã đơn vị cấp trên"), (8, "Mã đơn vị cấp trên"), (9, "Mã đơn vị cấp trên"),
        (10, "Hiệu lực từ"), (11, "Mã đơn vị cấp trên"), (12, "Mã đơn vị"),
    }  # fmt: skip
    messages = {e.row: e.message for e in result.errors}
    assert messages[3] == "Không được để trống."
    assert "PHONG" in messages[4]
    assert messages[5] == "Mã “OK1” trùng với dòng 2."
    assert messages[6] == "Mã đơn vị “KTTV_A” đã tồn tại."
    assert "KHONG_CO" in messages[7]
    assert "LOOP1 → LOOP2 → LOOP1" in messages[8]
    assert "dd/mm/yyyy" in messages[10]
    assert "ngừng hoạt động" in messages[11]
    assert [e.row for e in result.errors] == sorted(e.row for e in result.errors)


def test_parent_outside_the_users_scope_reads_as_unknown(tree: Any) -> None:
    st_admin = make_user("st_admin", [(Role.STANDING, tree.ST), (Role.VIEWER, tree.KTTV)])
    result = import_units(actor=st_admin, upload=xlsx([
        ["A1", "Phòng 1", None, None, "ST_VP", None],
        ["A2", "Phòng 2", None, None, "KTTV", None],   # visible, not managed
        ["A3", "Phòng 3", None, None, "TCCB", None],   # not visible at all
        ["A4", "Phòng 4", None, None, "NOPE", None],   # does not exist
    ]))  # fmt: skip
    messages = {e.row: e.message for e in result.errors}
    assert set(messages) == {3, 4, 5}
    assert messages[3] == "Bạn không có quyền quản lý đơn vị cấp trên “KTTV”."
    # Out of scope and missing answer alike, so the file cannot probe for units.
    assert messages[4].replace("TCCB", "X") == messages[5].replace("NOPE", "X")
    assert not Unit.objects.filter(code="A1").exists()


def test_not_an_excel_file_or_missing_header(tree: Any, personas: Any) -> None:
    result = import_units(actor=personas.standing, upload=BytesIO(b"code,name\nA,B\n"))
    assert [e.message for e in result.errors] == ["Tệp không phải là tệp Excel (.xlsx) hợp lệ."]
    result = import_units(
        actor=personas.standing, upload=xlsx([["A", "B"]], headers=["Mã đơn vị", "Tên"])
    )
    assert {e.column for e in result.errors} == {"Tên đơn vị", "Mã đơn vị cấp trên"}
    assert all(e.row == 1 for e in result.errors)
    empty = import_units(actor=personas.standing, upload=xlsx([]))
    assert [e.message for e in empty.errors] == ["Tệp không có dòng dữ liệu nào."]


def test_import_page(tree: Any, personas: Any) -> None:
    assert login(personas.viewer).get("/units/import/").status_code == 403
    client = login(personas.standing)
    page = client.get("/units/import/")
    assert page.status_code == 200 and "/units/import/template/" in page.content.decode()

    bad = SimpleUploadedFile("don-vi.xlsx", xlsx([
        ["N1", "Phòng 1", None, None, "KTTV", None],
        ["N2", "Phòng 2", None, "SAI", "KTTV", None],
    ]).getvalue())  # fmt: skip
    response = client.post("/units/import/", {"file": bad})
    html = response.content.decode()
    assert response.status_code == 200
    assert "chưa đơn vị nào được ghi" in html
    assert "<td>3</td><td>Loại</td>" in html
    assert not Unit.objects.filter(code="N1").exists()

    good = SimpleUploadedFile("don-vi.xlsx", xlsx([
        ["N1", "Phòng 1", None, None, "KTTV", None],
        ["N2", "Phòng 2", None, "OFFICE", "N1", None],
    ]).getvalue())  # fmt: skip
    response = client.post("/units/import/", {"file": good})
    assert "Đã tạo 2 đơn vị" in response.content.decode()
    assert Unit.objects.get(code="N2").parent == Unit.objects.get(code="N1")
