"""Main journeys of the foundation, as people click through them."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from openpyxl import Workbook
from playwright.sync_api import expect

from organizations import services as org
from organizations.models import Unit, UnitStatus
from people import services as ppl
from people.models import Person
from tests.browser.conftest import login

pytestmark = pytest.mark.django_db(transaction=True)
START = dt.date(2020, 1, 1)


def add_people(tree: Any) -> None:
    for code, name, unit in [
        ("P101", "Trần Thị Bích", tree.KTTV_A),
        ("P102", "Nguyễn Văn An", tree.KTTV_A),
        ("P103", "Lê Anh", tree.KTTV_B),
        ("P104", "Đặng Văn Ân", tree.KTTV_B),
        ("P105", "Phạm Thị Ánh", tree.KTTV_A),
        ("P106", "Nguyễn Thị Hoa", tree.ST_VP),  # outside the KTTV officer's scope
    ]:
        ppl.person_create(actor=None, code=code, full_name=name, unit=unit, started_on=START)


def expect_names(page: Any, names: list[str]) -> None:
    """The table lists exactly these names, in this order (retried while the page loads)."""
    expect(page.locator("table tbody tr th[scope=row]")).to_have_text(names)


def test_officer_searches_people_without_diacritics(page: Any, personas: Any, tree: Any) -> None:
    add_people(tree)
    login(page, "officer")
    page.get_by_role("link", name="Cán bộ", exact=True).click()
    # Vietnamese name order: given name, then middle, then family name.
    expect_names(page, [
        "Nguyễn Văn An", "Lê Anh", "Phạm Thị Ánh", "Đặng Văn Ân", "Trần Thị Bích",
    ])  # fmt: skip
    page.get_by_label("Tìm kiếm").fill("nguyen van")
    page.get_by_role("button", name="Lọc").click()
    expect_names(page, ["Nguyễn Văn An"])
    page.get_by_label("Tìm kiếm").fill("dang")
    page.get_by_role("button", name="Lọc").click()
    expect_names(page, ["Đặng Văn Ân"])
    page.get_by_role("link", name="Đặng Văn Ân").click()
    expect(page.get_by_role("heading", name="Đặng Văn Ân")).to_be_visible()
    expect(page.get_by_text("Thêm cán bộ").first).to_be_visible()  # its history


def test_standing_officer_merges_two_units_and_history_stays(
    page: Any, personas: Any, tree: Any
) -> None:
    add_people(tree)
    org.unit_rating_set(actor=None, unit=tree.KTTV_A, year=2024, rating="HTXSNV")
    org.unit_rating_set(actor=None, unit=tree.KTTV_B, year=2024, rating="HTTNV")
    login(page, "standing")
    page.goto("/units/KTTV_A/")
    page.get_by_role("link", name="Sáp nhập").click()
    page.get_by_label("Các đơn vị khác cùng sáp nhập").select_option("KTTV_B")
    page.get_by_label("Một đơn vị mới thành lập").check()
    page.get_by_label("Mã đơn vị mới").fill("KTTV_AB")
    page.get_by_label("Tên đơn vị mới").fill("Trung tâm Khí tượng Thủy văn hợp nhất")
    page.get_by_label("Đơn vị cấp trên của đơn vị mới").select_option("KTTV")
    page.get_by_label("Ngày sáp nhập").fill("01/07/2025")
    page.get_by_role("button", name="Xem lại trước khi sáp nhập").click()
    # A summary to confirm before anything is written.
    assert Unit.objects.filter(code="KTTV_AB").count() == 0
    page.get_by_label("Tôi xác nhận việc sáp nhập này. Thao tác không thể hoàn tác.").check()
    page.get_by_role("button", name="Sáp nhập", exact=True).click()
    page.wait_for_url("**/units/KTTV_AB/")
    body = page.locator("main").inner_text()
    # The predecessors and their ratings are reachable from the successor.
    assert "Đài Khí tượng Thủy văn khu vực Nam Bộ" in body
    assert "Trung tâm Dự báo khí tượng thủy văn quốc gia" in body
    assert "Hoàn thành xuất sắc nhiệm vụ" in body and "Hoàn thành tốt nhiệm vụ" in body
    assert Person.objects.filter(unit__code="KTTV_AB").count() == 5
    page.goto("/units/KTTV_A/")
    assert (
        "Đã sáp nhập vào Trung tâm Khí tượng Thủy văn hợp nhất"
        in page.get_by_test_id("merged-into").inner_text()
    )
    assert Unit.objects.get(code="KTTV_A").status == UnitStatus.MERGED


def people_workbook(rows: list[list[Any]], path: Path) -> Path:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["Mã cán bộ", "Họ và tên", "Giới tính", "Ngày sinh", "Chức vụ", "Thủ trưởng",
                  "Thư điện tử", "Mã đơn vị", "Ngày vào đơn vị"])  # fmt: skip
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    path.write_bytes(buffer.getvalue())
    return path


def test_officer_imports_people_and_sees_each_bad_row(
    page: Any, personas: Any, tree: Any, tmp_path: Path
) -> None:
    login(page, "officer")
    page.goto("/people/import/")
    bad = people_workbook(
        [
            ["N001", "Hoàng Văn Nam", "Nam", "", "Chuyên viên", "", "", "KTTV_A", "01/03/2021"],
            ["N002", "", "Nữ", "", "", "", "", "KTTV_A", "01/03/2021"],
            ["N003", "Vũ Thị Lan", "Nữ", "", "", "", "", "ST_VP", "01/03/2021"],
        ],
        tmp_path / "bad.xlsx",
    )
    page.locator("input[type=file]").set_input_files(str(bad))
    page.get_by_role("button", name="Kiểm tra và nhập").click()
    expect(page.locator("#import-errors tbody tr")).to_have_count(2)
    rows = page.locator("#import-errors tbody tr").all_inner_texts()
    # Row 3 of the sheet lacks a name; row 4 names a unit outside the officer's scope.
    assert rows[0].split()[0] == "3" and "Họ và tên" in rows[0]
    assert rows[1].split()[0] == "4" and "Mã đơn vị" in rows[1]
    assert Person.objects.filter(code__startswith="N00").count() == 0
    good = people_workbook(
        [["N001", "Hoàng Văn Nam", "Nam", "", "Chuyên viên", "", "", "KTTV_A", "01/03/2021"]],
        tmp_path / "good.xlsx",
    )
    page.locator("input[type=file]").set_input_files(str(good))
    page.get_by_role("button", name="Kiểm tra và nhập").click()
    page.locator(".alert-success").wait_for()
    assert Person.objects.get(code="N001").unit.code == "KTTV_A"


def test_each_role_sees_only_its_scope(page: Any, personas: Any, tree: Any) -> None:
    add_people(tree)
    login(page, "outsider")  # an officer of the Sóc Trăng department
    page.get_by_role("link", name="Cán bộ", exact=True).click()
    expect_names(page, ["Nguyễn Thị Hoa"])
    response = page.goto("/people/P101/")
    assert response is not None and response.status == 404
    response = page.goto("/units/KTTV/")
    assert response is not None and response.status == 404
