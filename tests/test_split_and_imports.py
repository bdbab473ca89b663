"""The split page as officers use it (adding rows, a blank first row, allocating a large
unit in Excel) and the error workbook of a bad import, fetched later by its owner only."""

from __future__ import annotations

import datetime as dt
import os
import time
from io import BytesIO
from typing import Any

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from openpyxl import Workbook, load_workbook

from audit.models import AuditEvent
from organizations.models import Unit, UnitKind, UnitStatus
from people import services as ppl
from people.models import Person
from people.services import NewPerson
from tests.conftest import START
from tests.test_org_views import split_form as base_split_form

pytestmark = pytest.mark.django_db

SPLIT = "/units/KTTV_A/split/"


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: Any) -> str:
    return response.content.decode()


def split_form(**overrides: Any) -> dict[str, Any]:
    return base_split_form(**{"note": "Quyết định 45/QĐ-BTNMT", **overrides})


def xlsx_upload(headers: list[str], rows: list[list[Any]], name: str = "f.xlsx") -> Any:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def nothing_split() -> bool:
    return (
        Unit.objects.get(code="KTTV_A").status == UnitStatus.ACTIVE
        and not Unit.objects.filter(code__in=["KTTV_A1", "KTTV_A2", "KTTV_A3"]).exists()
    )


# --- adding a row keeps what was typed --------------------------------------------------------


def test_adding_a_row_keeps_every_typed_value(tree: Any, personas: Any, person_a: Any) -> None:
    client = login(personas.standing)
    page = text(client.get(SPLIT))
    # A real button of the form (works without JavaScript), not a link that reloads.
    assert 'name="step" value="add"' in page

    typed = split_form(**{"parts-2-code": "KTTV_A3", f"alloc_{person_a.pk}": "1", "step": "add"})
    response = client.post(SPLIT, typed)

    assert response.status_code == 200
    page = text(response)
    assert 'name="parts-TOTAL_FORMS" value="4"' in page
    assert 'name="parts-3-code"' in page
    for value in ("KTTV_A1", "Đài Khí tượng Thủy văn Tây Nam Bộ", "KTTV_A2", "KTTV_A3",
                  "01/07/2025", "Quyết định 45/QĐ-BTNMT"):  # fmt: skip
        assert value in page, value
    parts = response.context["formset"].forms
    assert parts[1]["kind"].value() == UnitKind.AFFILIATED
    assert response.context["form"][f"alloc_{person_a.pk}"].value() == "1"
    # Nothing is checked or reported yet, and nothing is written.
    assert "is-invalid" not in page and "alert-danger" not in page
    assert nothing_split()

    # The four-row form then goes through as usual.
    four = split_form(**{
        "parts-TOTAL_FORMS": "4", "parts-2-code": "KTTV_A3", "parts-2-name": "Phòng mới",
        "parts-3-code": "", "parts-3-name": "", "parts-3-kind": "",
        f"alloc_{person_a.pk}": "2",
    })  # fmt: skip
    summary = client.post(SPLIT, four)
    assert "Tôi xác nhận việc chia tách" in text(summary)
    done = client.post(SPLIT, {**four, "step": "confirm", "confirmed": "on"})
    assert done.status_code == 302
    assert Person.objects.get(pk=person_a.pk).unit.code == "KTTV_A3"


def test_rows_stop_at_the_maximum(tree: Any, personas: Any) -> None:
    client = login(personas.standing)
    data = split_form(**{"parts-TOTAL_FORMS": "10", "step": "add"})
    response = client.post(SPLIT, data)
    assert 'name="parts-TOTAL_FORMS" value="10"' in text(response)
    assert 'value="add"' not in text(response)


# --- a blank first row ------------------------------------------------------------------------


def blank_first_row(**overrides: Any) -> dict[str, Any]:
    return split_form(**{
        "parts-0-code": "", "parts-0-name": "", "parts-0-kind": "",
        "parts-1-code": "KTTV_A1", "parts-1-name": "Phòng Một",
        "parts-2-code": "KTTV_A2", "parts-2-name": "Phòng Hai",
        **overrides,
    })  # fmt: skip


def test_blank_first_row_sends_unallocated_people_to_the_first_filled_part(
    tree: Any, personas: Any, person_a: Any
) -> None:
    second = ppl.person_create(actor=None, code="P002", full_name="Trần Thị Bích",
                               unit=tree.KTTV_A, started_on=START)  # fmt: skip
    client = login(personas.standing)
    data = blank_first_row(**{f"alloc_{person_a.pk}": "", f"alloc_{second.pk}": "2"})

    summary = client.post(SPLIT, data)

    assert summary.status_code == 200
    rows = summary.context["summary"]
    assert [r["part"]["code"] for r in rows] == ["KTTV_A1", "KTTV_A2"]
    assert [p.code for p in rows[0]["people"]] == ["P001"]
    assert [p.code for p in rows[1]["people"]] == ["P002"]
    done = client.post(SPLIT, {**data, "step": "confirm", "confirmed": "on"})
    assert done.status_code == 302
    assert Person.objects.get(pk=person_a.pk).unit.code == "KTTV_A1"
    assert Person.objects.get(pk=second.pk).unit.code == "KTTV_A2"


def test_choosing_the_blank_row_for_someone_is_an_error(
    tree: Any, personas: Any, person_a: Any
) -> None:
    client = login(personas.standing)
    response = client.post(SPLIT, blank_first_row(**{f"alloc_{person_a.pk}": "0"}))
    assert response.status_code == 200
    assert "Dòng đơn vị mới này đang để trống." in text(response)
    assert f'id="id_alloc_{person_a.pk}_error"' in text(response)
    assert nothing_split()


# --- large units: allocation by Excel ------------------------------------------------------------

ALLOCATION_HEADERS = ["Mã cán bộ", "Họ và tên", "Chức vụ", "Mã đơn vị mới"]


@pytest.fixture
def large_unit(tree: Any) -> list[str]:
    """301 people in KTTV_A: one more than the page offers a select for."""
    rows = [
        NewPerson(code=f"L{n:03d}", full_name=f"Nguyễn Văn Số {n}", unit=tree.KTTV_A,
                  started_on=START, position="Chuyên viên")
        for n in range(301)
    ]  # fmt: skip
    ppl.people_bulk_create(actor=None, rows=rows)
    return [r.code for r in rows]


def test_large_unit_allocates_people_from_a_downloaded_and_edited_workbook(
    tree: Any, personas: Any, large_unit: list[str]
) -> None:
    client = login(personas.standing)
    page = client.get(SPLIT)
    assert 'name="alloc_' not in text(page)  # no 301 selects
    assert 'enctype="multipart/form-data"' in text(page)
    assert 'name="allocation_file"' in text(page)

    # The list comes from the page itself, with the first new unit typed in so far.
    download = client.post(SPLIT, {**split_form(), "step": "download"})
    assert download.status_code == 200
    assert download["Content-Type"].startswith("application/vnd.openxmlformats")
    book = load_workbook(BytesIO(download.content))
    sheet = book.worksheets[0]
    values = list(sheet.iter_rows(values_only=True))
    assert list(values[0]) == ALLOCATION_HEADERS
    assert len(values) == 302
    assert {row[0] for row in values[1:]} == set(large_unit)
    assert {row[3] for row in values[1:]} == {"KTTV_A1"}
    notes = [row[0] for row in book.worksheets[1].iter_rows(values_only=True)]
    assert "KTTV_A2" in notes

    # The officer moves the last 100 people to the second unit and uploads the file.
    for row in range(203, 303):
        sheet.cell(row=row, column=4, value="KTTV_A2")
    buffer = BytesIO()
    book.save(buffer)
    upload = SimpleUploadedFile("phan-bo.xlsx", buffer.getvalue())
    summary = client.post(SPLIT, {**split_form(), "allocation_file": upload})

    assert summary.status_code == 200, summary.context["form"].errors
    assert "Tôi xác nhận việc chia tách" in text(summary)
    assert [row["count"] for row in summary.context["summary"]] == [201, 100]
    assert "201 cán bộ" in text(summary) and "100 cán bộ" in text(summary)
    assert nothing_split()

    # The confirmation page carries the file's rows; the file is not sent again.
    carried = summary.context["allocation_rows"]
    assert f'value="{carried[:20]}' in text(summary).replace("&quot;", '"')
    done = client.post(
        SPLIT,
        {**split_form(), "allocation_rows": carried, "step": "confirm", "confirmed": "on"},
    )
    assert done.status_code == 302
    moved = {row[0] for row in values[202:]}
    assert set(Person.objects.filter(unit__code="KTTV_A2").values_list("code", flat=True)) == moved
    assert Person.objects.filter(unit__code="KTTV_A1").count() == 201
    assert Unit.objects.get(code="KTTV_A").status == UnitStatus.SPLIT


def test_uploaded_allocation_survives_adding_a_row(
    tree: Any, personas: Any, large_unit: list[str]
) -> None:
    client = login(personas.standing)
    upload = xlsx_upload(ALLOCATION_HEADERS, [[large_unit[0], "", "", "KTTV_A3"]])
    added = client.post(SPLIT, {**split_form(), "allocation_file": upload, "step": "add"})
    assert "Đã nạp tệp phân bổ: 1 dòng" in text(added)

    data = split_form(**{
        "parts-TOTAL_FORMS": "4", "parts-2-code": "KTTV_A3", "parts-2-name": "Phòng Ba",
        "parts-3-code": "", "parts-3-name": "", "parts-3-kind": "",
        "allocation_rows": added.context["allocation_rows"],
    })  # fmt: skip
    summary = client.post(SPLIT, data)
    assert [row["count"] for row in summary.context["summary"]] == [300, 0, 1]


def test_bad_allocation_workbook_lists_every_bad_row_and_writes_nothing(
    tree: Any, personas: Any, large_unit: list[str]
) -> None:
    elsewhere = ppl.person_create(actor=None, code="B001", full_name="Lê Thị Khác",
                                  unit=tree.KTTV_B, started_on=START)  # fmt: skip
    rows = [
        [large_unit[0], "", "", "KTTV_A2"],  # row 2: fine
        ["KHONG_CO", "", "", "KTTV_A1"],  # 3: unknown person
        [elsewhere.code, "", "", "KTTV_A1"],  # 4: person of another unit
        [large_unit[1], "", "", "KTTV_B"],  # 5: not one of the new units
        [large_unit[0], "", "", "KTTV_A1"],  # 6: same person as row 2
        [large_unit[2], "", "", ""],  # 7: no unit
    ]
    client = login(personas.standing)
    events = AuditEvent.objects.count()
    for step in ("review", "confirm"):
        upload = xlsx_upload(ALLOCATION_HEADERS, rows)
        response = client.post(
            SPLIT, {**split_form(), "allocation_file": upload, "step": step, "confirmed": "on"}
        )
        assert response.status_code == 200
        errors = response.context["file_errors"]
        assert [(e.row, e.column) for e in errors] == [
            (3, "Mã cán bộ"),
            (4, "Mã cán bộ"),
            (5, "Mã đơn vị mới"),
            (6, "Mã cán bộ"),
            (7, "Mã đơn vị mới"),
        ]
        page = text(response)
        assert "Không có cán bộ mã “B001” trong đơn vị" in page
        assert "“KTTV_B” không phải mã của một đơn vị mới (KTTV_A1, KTTV_A2)." in page
        assert "đã có ở dòng 2" in page
        assert "Tệp phân bổ có 5 lỗi" in page
        assert "Tôi xác nhận việc chia tách" not in page
    assert nothing_split()
    assert AuditEvent.objects.count() == events
    assert Person.objects.get(code="B001").unit == tree.KTTV_B


def test_allocation_file_without_the_columns_is_refused(
    tree: Any, personas: Any, large_unit: list[str]
) -> None:
    client = login(personas.standing)
    upload = xlsx_upload(["Mã cán bộ", "Đơn vị"], [[large_unit[0], "KTTV_A1"]])
    response = client.post(SPLIT, {**split_form(), "allocation_file": upload})
    assert "Thiếu cột “Mã đơn vị mới”" in text(response)
    assert nothing_split()
    junk = SimpleUploadedFile("x.xlsx", b"not a workbook")
    response = client.post(SPLIT, {**split_form(), "allocation_file": junk})
    assert "không phải là tệp Excel" in text(response)
    assert nothing_split()


# --- the error workbook of a bad import --------------------------------------------------------

PEOPLE_HEADERS = ["Mã cán bộ", "Họ và tên", "Giới tính", "Ngày sinh", "Chức vụ", "Thủ trưởng",
                  "Thư điện tử", "Mã đơn vị", "Ngày vào đơn vị"]  # fmt: skip


def error_rows(response: Any) -> list[tuple[Any, ...]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    return list(sheet.iter_rows(values_only=True))


def test_people_import_error_workbook_has_every_error_for_its_owner_only(
    tree: Any, personas: Any
) -> None:
    # 600 rows without a name: more errors than the page lists.
    rows = [[f"X{n:04d}", "", "", "", "", "", "", "KTTV_A", "01/01/2021"] for n in range(600)]
    client = login(personas.officer)
    response = client.post("/people/import/", {"file": xlsx_upload(PEOPLE_HEADERS, rows)})

    assert response.status_code == 200
    assert len(response.context["errors_shown"]) == 500
    token = response.context["errors_token"]
    url = f"/people/import/errors/{token}/"
    assert url in text(response)
    assert "Tải danh sách lỗi (Excel)" in text(response)
    assert Person.objects.count() == 0

    lines = error_rows(client.get(url))
    assert lines[0] == ("Dòng", "Cột", "Lỗi")
    assert len(lines) == 601
    assert [line[0] for line in lines[1:]] == list(range(2, 602))
    assert {line[1] for line in lines[1:]} == {"Họ và tên"}
    # It can be fetched again within the hour, without uploading the file again.
    assert client.get(url).status_code == 200

    # Nobody else gets it: not another officer of the same unit, not an administrator.
    assert login(personas.head).get(url).status_code == 404
    assert login(personas.admin).get(url).status_code == 404
    assert client.get("/people/import/errors/abc/").status_code == 404


def test_unit_import_error_workbook_and_its_expiry(tree: Any, personas: Any) -> None:
    headers = ["Mã đơn vị", "Tên đơn vị", "Tên viết tắt", "Loại", "Mã đơn vị cấp trên"]
    rows = [[f"U{n}", "", "", "", "KHONG_CO"] for n in range(3)]
    client = login(personas.standing)
    response = client.post("/units/import/", {"file": xlsx_upload(headers, rows)})

    token = response.context["errors_token"]
    url = f"/units/import/errors/{token}/"
    assert url in text(response)
    lines = error_rows(client.get(url))
    shown = [(e.row, e.column, e.message) for e in response.context["result"].errors]
    assert [tuple(line) for line in lines[1:]] == shown
    assert {line[0] for line in lines[1:]} == {2, 3, 4}
    assert login(personas.admin).get(url).status_code == 404

    # After an hour the report is gone, and the next bad import clears it from storage.
    (name,) = default_storage.listdir("import-errors")[1]
    path = default_storage.path(f"import-errors/{name}")
    two_hours_ago = time.time() - 2 * 3600
    os.utime(path, (two_hours_ago, two_hours_ago))
    assert client.get(url).status_code == 404
    assert not os.path.exists(path)


def test_error_reports_are_cleared_after_an_hour(tree: Any, personas: Any) -> None:
    client = login(personas.standing)
    bad = xlsx_upload(["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên"], [["U1", "", "MIN"]])
    client.post("/units/import/", {"file": bad})
    (old,) = default_storage.listdir("import-errors")[1]
    stale = time.time() - dt.timedelta(hours=2).total_seconds()
    os.utime(default_storage.path(f"import-errors/{old}"), (stale, stale))
    bad = xlsx_upload(["Mã đơn vị", "Tên đơn vị", "Mã đơn vị cấp trên"], [["U2", "", "MIN"]])
    client.post("/units/import/", {"file": bad})
    remaining = default_storage.listdir("import-errors")[1]
    assert len(remaining) == 1 and old not in remaining
