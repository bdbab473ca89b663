"""Importing people from XLSX: every row checked first, all or nothing, fast in bulk."""

from __future__ import annotations

import datetime as dt
import time
from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook, load_workbook

from audit.models import AuditEvent
from audit.services import verify_chain
from organizations import services as org
from organizations.models import UnitKind
from people.imports import import_people
from people.models import Assignment, Person

pytestmark = pytest.mark.django_db

HEADERS = [
    "Mã cán bộ",
    "Họ và tên",
    "Giới tính",
    "Ngày sinh",
    "Chức vụ",
    "Thủ trưởng",
    "Thư điện tử",
    "Mã đơn vị",
    "Ngày vào đơn vị",
]
FAMILY = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Đặng", "Võ", "Bùi"]
MIDDLE = ["Văn", "Thị", "Minh", "Thu", "Đức"]
GIVEN = ["An", "Bình", "Chi", "Dũng", "Hà", "Lan", "Ánh", "Ân", "Thảo", "Yến"]


def workbook(rows: list[list[Any]], headers: list[str] = HEADERS) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("can-bo.xlsx", buffer.getvalue())


def good_rows(count: int, units: list[str]) -> list[list[Any]]:
    """Spreadsheet rows as a unit would type them: text dates, mixed gender spellings."""
    rows = []
    for n in range(count):
        name = f"{FAMILY[n % 8]} {MIDDLE[n % 5]} {GIVEN[n % 10]}"
        rows.append(
            [
                f"CB{n:05d}",
                name,
                ["Nam", "Nữ", "M", "F", "nu", ""][n % 6],
                "15/06/1985" if n % 3 else dt.date(1990, 1, 2),
                "Chuyên viên",
                "x" if n % 50 == 0 else "",
                f"cb{n}@example.gov.vn" if n % 2 else "",
                units[n % len(units)],
                "01/02/2021" if n % 2 else dt.datetime(2022, 3, 4),
            ]
        )
    return rows


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def errors_of(response: Any) -> list[tuple[int, str]]:
    return [(e.row, e.column) for e in response.context["result"].errors]


# --- the acceptance tests: 5,000 rows -------------------------------------------------------


def test_5000_rows_with_3_bad_ones_write_nothing_and_name_those_rows(
    tree: Any, personas: Any, person_a: Person
) -> None:
    rows = good_rows(5000, ["KTTV_A", "KTTV_B", "KTTV"])
    rows[98][7] = "KHONG_CO"  # Excel row 100: unknown unit
    rows[2497][8] = "31/02/2024"  # row 2499: no such date
    rows[4998][0] = "P001"  # row 5000: code already in the database
    people_before = Person.objects.count()
    events_before = AuditEvent.objects.count()

    response = login(personas.officer).post("/people/import/", {"file": workbook(rows)})

    assert response.status_code == 200
    assert errors_of(response) == [
        (100, "Mã đơn vị"),
        (2499, "Ngày vào đơn vị"),
        (5000, "Mã cán bộ"),
    ]
    messages = [e.message for e in response.context["result"].errors]
    assert messages[0] == "Không tìm thấy đơn vị “KHONG_CO” trong phạm vi của bạn."
    assert "dd/mm/yyyy" in messages[1]
    assert "P001" in messages[2]
    assert Person.objects.count() == people_before
    assert Assignment.objects.count() == people_before
    assert AuditEvent.objects.count() == events_before
    page = response.content.decode()
    assert "Chưa nhập dòng nào" in page
    assert "<td>2499</td>" in page and "KHONG_CO" in page


def test_clean_5000_row_import_succeeds_quickly_with_few_queries(tree: Any, personas: Any) -> None:
    upload = workbook(good_rows(5000, ["KTTV_A", "KTTV_B"]))
    started = time.monotonic()
    with CaptureQueriesContext(connection) as queries:
        result = import_people(actor=personas.officer, upload=upload)
    elapsed = time.monotonic() - started

    assert result.ok, result.errors[:5]
    assert result.created == 5000
    assert Person.objects.count() == 5000
    assert Assignment.objects.filter(end__isnull=True).count() == 5000
    assert AuditEvent.objects.filter(action="person.create").count() == 5000
    assert verify_chain().ok
    # Reads are a constant handful (grants, units, taken codes, the audit chain head)...
    statements = [q["sql"] for q in queries.captured_queries]
    assert len([sql for sql in statements if sql.startswith("SELECT")]) <= 5
    # ...and writes are multi-row inserts (SQLite allows ~76 people per statement under
    # its 999-parameter cap), so far fewer statements than rows.
    assert len(statements) < 5000 / 20
    # Generous bound; it takes a few seconds. A per-row import would take minutes.
    assert elapsed < 60

    person = Person.objects.get(code="CB00007")
    assert person.full_name == "Bùi Minh Ân"
    assert person.gender == "F"
    assert person.birth_date == dt.date(1985, 6, 15)
    assert person.started_on == dt.date(2021, 2, 1)
    assert person.email == "cb7@example.gov.vn"
    assert person.unit == tree.KTTV_B
    assert Person.objects.get(code="CB00000").is_head
    assert Person.objects.get(code="CB00000").started_on == dt.date(2022, 3, 4)
    # Search and Vietnamese order work on imported rows (keys were filled in bulk).
    assert Person.objects.filter(search_text__contains="bui minh an").exists()
    assert Person.objects.exclude(sort_key="").count() == 5000
    audit_row = AuditEvent.objects.get(object_id=str(person.pk), action="person.create")
    assert audit_row.actor == personas.officer
    assert (audit_row.after or {})["code"] == "CB00007"


# --- row-level checks -------------------------------------------------------------------


def test_every_kind_of_bad_row_is_reported(tree: Any, personas: Any, person_a: Person) -> None:
    closed = org.unit_create(
        actor=None,
        code="KTTV_OLD",
        name="Đơn vị cũ",
        parent=tree.KTTV,
        kind=UnitKind.OFFICE,
        valid_from=dt.date(2021, 1, 1),
    )
    type(closed).objects.filter(pk=closed.pk).update(status="DISSOLVED")
    rows = [
        ["A1", "Nguyễn Văn An", "Nam", "", "", "", "", "KTTV_A", "01/01/2021"],  # row 2: fine
        ["", "Trần Thị Bích", "", "", "", "", "", "KTTV_A", "01/01/2021"],  # 3: no code
        ["A3", "", "", "", "", "", "", "KTTV_A", "01/01/2021"],  # 4: no name
        ["A4", "Lê Văn Cường", "Khác", "", "", "", "", "KTTV_A", "01/01/2021"],  # 5: gender
        ["A5", "Phạm Thị Dung", "", "", "", "", "", "STNMT_ST", "01/01/2021"],  # 6: scope
        ["A6", "Hoàng Văn Em", "", "", "", "", "", "KTTV_OLD", "01/01/2021"],  # 7: closed
        ["A7", "Võ Thị Gấm", "", "", "", "", "", "KTTV_A", "01/01/2019"],  # 8: too early
        ["A1", "Bùi Văn Hải", "", "", "", "", "", "KTTV_A", "01/01/2021"],  # 9: dup of 2
        ["P001", "Đỗ Văn Khoa", "", "", "", "", "", "KTTV_A", "01/01/2021"],  # 10: in db
        ["A10", "Mai Thị Lan", "", "ngày xưa", "", "", "sai@", "KTTV_A", ""],  # 11: 3 cells
        ["A11", "Ngô Văn Minh", "", "", "", "có lẽ", "", "KTTV_A", "01/01/2021"],  # 12: head
    ]
    response = login(personas.officer).post("/people/import/", {"file": workbook(rows)})
    result = response.context["result"]
    found = {(e.row, e.column): e.message for e in result.errors}
    # Listed by row, then in the template's column order.
    assert [(e.row, e.column) for e in result.errors] == [
        (3, "Mã cán bộ"),
        (4, "Họ và tên"),
        (5, "Giới tính"),
        (6, "Mã đơn vị"),
        (7, "Mã đơn vị"),
        (8, "Ngày vào đơn vị"),
        (9, "Mã cán bộ"),
        (10, "Mã cán bộ"),
        (11, "Ngày sinh"),
        (11, "Thư điện tử"),
        (11, "Ngày vào đơn vị"),
        (12, "Thủ trưởng"),
    ]
    assert found[(6, "Mã đơn vị")] == "Không tìm thấy đơn vị “STNMT_ST” trong phạm vi của bạn."
    assert "ngừng hoạt động" in found[(7, "Mã đơn vị")]
    assert found[(9, "Mã cán bộ")] == "Mã cán bộ “A1” bị trùng: dòng 2 và dòng 9."
    assert "đã có" in found[(10, "Mã cán bộ")]
    assert Person.objects.count() == 1


def test_unknown_and_out_of_scope_units_read_the_same(tree: Any, personas: Any) -> None:
    rows = [
        ["B1", "Nguyễn Văn An", "", "", "", "", "", "STNMT_ST", "01/01/2021"],
        ["B2", "Trần Văn Bình", "", "", "", "", "", "KHONG_CO", "01/01/2021"],
    ]
    result = import_people(actor=personas.officer, upload=workbook(rows))
    messages = [e.message.replace("STNMT_ST", "X").replace("KHONG_CO", "X") for e in result.errors]
    assert messages[0] == messages[1]


def test_missing_header_column_is_reported_once(tree: Any, personas: Any) -> None:
    headers = [h for h in HEADERS if h != "Mã đơn vị"]
    result = import_people(
        actor=personas.officer,
        upload=workbook([["C1", "Nguyễn Văn An", "", "", "", "", "", "01/01/2021"]], headers),
    )
    assert [(e.row, e.column) for e in result.errors] == [(1, "Mã đơn vị")]


def test_not_an_excel_file(tree: Any, personas: Any) -> None:
    upload = SimpleUploadedFile("can-bo.xlsx", b"Ma can bo;Ho va ten\n1;A\n")
    result = import_people(actor=personas.officer, upload=upload)
    assert not result.ok
    assert "không phải là tệp Excel" in result.errors[0].message


def test_import_page_and_template(tree: Any, personas: Any) -> None:
    client = login(personas.officer)
    page = client.get("/people/import/").content.decode()
    assert "Đang kiểm tra và nhập…" in page  # the progress indicator shown while posting
    assert 'enctype="multipart/form-data"' in page
    response = client.get("/people/import/template/")
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    header = [c.value for c in next(sheet.iter_rows(max_row=1))]
    assert header == HEADERS
    # The template's own example row points at a unit the user may fill.
    example_unit = sheet.cell(row=2, column=HEADERS.index("Mã đơn vị") + 1).value
    assert example_unit in {"KTTV", "KTTV_A", "KTTV_B"}


def test_successful_import_through_the_page(tree: Any, personas: Any) -> None:
    client = login(personas.officer)
    response = client.post(
        "/people/import/", {"file": workbook(good_rows(3, ["KTTV_A"]))}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/people/"
    assert "Đã nhập 3 cán bộ." in response.content.decode()
    assert Person.objects.count() == 3


def test_only_people_managers_may_import(tree: Any, personas: Any) -> None:
    viewer = login(personas.viewer)
    assert viewer.get("/people/import/").status_code == 403
    assert viewer.get("/people/import/template/").status_code == 403
    response = viewer.post("/people/import/", {"file": workbook(good_rows(1, ["KTTV_A"]))})
    assert response.status_code == 403
    assert Person.objects.count() == 0
