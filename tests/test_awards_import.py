"""Importing award history, initiatives and yearly ratings from XLSX: every row checked
first, all or nothing, set-wise checks so thousands of rows take seconds."""

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

from accounts.models import User
from audit.models import AuditEvent
from audit.services import verify_chain
from awards.imports import import_awards, import_initiatives, import_ratings
from awards.models import Award, Initiative, InitiativeKind
from organizations import services as org
from organizations.models import UnitRating
from people import services as ppl
from people.models import Person, PersonRating

pytestmark = pytest.mark.django_db

AWARD_HEADERS = [
    "Loại đối tượng",
    "Mã đối tượng",
    "Mã khen thưởng",
    "Năm",
    "Số quyết định",
    "Ngày quyết định",
    "Người ký",
    "Cơ quan quyết định",
    "Ghi chú",
]
INITIATIVE_HEADERS = [
    "Tên",
    "Loại",
    "Mã tác giả",
    "Mã đơn vị",
    "Cấp công nhận",
    "Ngày công nhận",
    "Năm",
    "Số quyết định",
]
PERSON_TYPES = ["LDTT", "CSTDCS", "CSTD_BO", "CSTD_TQ", "GIAY_KHEN", "BK_BO", "BK_TTG", "HCLD3"]
UNIT_TYPES = ["TTLDTT", "TTLDXS", "CO_BO", "CO_CP", "GIAY_KHEN", "BK_BO", "BK_TTG", "HCLD3"]
START = dt.date(2020, 1, 1)


def workbook(rows: list[list[Any]], headers: list[str]) -> SimpleUploadedFile:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(headers)
    for row in rows:
        sheet.append(row)
    buffer = BytesIO()
    book.save(buffer)
    return SimpleUploadedFile("nhap.xlsx", buffer.getvalue())


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make_people(tree: Any, count: int = 8) -> list[Person]:
    units = [tree.KTTV_A, tree.KTTV_B]
    return [
        ppl.person_create(
            actor=None,
            code=f"CB{n:03d}",
            full_name=f"Trần Văn Số {n}",
            unit=units[n % 2],
            started_on=START,
        )
        for n in range(count)
    ]


def award_rows(count: int, people: list[str], units: list[str]) -> list[list[Any]]:
    """Distinct (recipient, award, year) rows, people and units interleaved, as a unit's
    history file would be: spelled kinds vary, dates are text or real Excel dates."""
    rows: list[list[Any]] = []
    year = 1999
    while len(rows) < count:
        year += 1
        assert year <= dt.date.today().year - 1, "not enough distinct rows"
        for index, code in enumerate(PERSON_TYPES):
            for person in people:
                date: Any = dt.date(year + 1, 1, 10) if index % 2 else f"15/01/{year + 1}"
                kind = ["CN", "cá nhân", "person"][index % 3]
                rows.append([kind, person, code, year, f"{index}/QĐ-{year}", date,
                             "Nguyễn Văn Ký", "Tổng cục KTTV", ""])  # fmt: skip
            for unit in units:
                rows.append(["TT", unit, UNIT_TYPES[index], year, f"T{index}/QĐ-{year}",
                             f"20/02/{year + 1}", "", "", "ghi chú"])  # fmt: skip
    return rows[:count]


def errors_of(result: Any) -> list[tuple[int, str]]:
    return [(e.row, e.column) for e in result.errors]


# --- acceptance: 2,000 award rows -------------------------------------------------------------


def test_2000_award_rows_with_a_duplicate_and_an_unknown_code_write_nothing(
    tree: Any, personas: Any
) -> None:
    people = [p.code for p in make_people(tree)]
    rows = award_rows(2000, people, ["KTTV_A", "KTTV_B", "KTTV"])
    rows[1499] = list(rows[9])  # Excel row 1501 repeats row 11
    rows[775][2] = "KHONG_CO"  # Excel row 777: not in the catalogue
    events_before = AuditEvent.objects.count()

    response = login(personas.officer).post(
        "/awards/import/", {"file": workbook(rows, AWARD_HEADERS)}
    )

    assert response.status_code == 200
    result = response.context["result"]
    assert errors_of(result) == [(777, "Mã khen thưởng"), (1501, "Mã khen thưởng")]
    assert result.errors[0].message == (
        "Mã khen thưởng “KHONG_CO” không có trong danh mục (xem trang Hướng dẫn của tệp mẫu)."
    )
    assert result.errors[1].message == "Trùng với dòng 11: cùng đối tượng, khen thưởng và năm."
    assert Award.objects.count() == 0
    assert AuditEvent.objects.count() == events_before
    page = response.content.decode()
    assert "Chưa nhập dòng nào" in page
    assert "<td>777</td>" in page and "<td>1501</td>" in page and "KHONG_CO" in page


def test_clean_2000_award_rows_import_in_seconds_and_are_audited(tree: Any, personas: Any) -> None:
    people = [p.code for p in make_people(tree)]
    upload = workbook(award_rows(2000, people, ["KTTV_A", "KTTV_B", "KTTV"]), AWARD_HEADERS)
    started = time.monotonic()
    result = import_awards(actor=personas.officer, upload=upload)
    elapsed = time.monotonic() - started

    assert result.ok, result.errors[:5]
    assert result.created == 2000
    assert Award.objects.count() == 2000
    assert Award.objects.filter(unit__isnull=False).count() > 300
    assert AuditEvent.objects.filter(action="award.import").count() == 2000
    assert verify_chain().ok
    assert elapsed < 30  # a few seconds in practice; a per-row import takes far longer

    first = Award.objects.get(person__code="CB000", award_type__code="LDTT", year=2000)
    assert first.decision_date == dt.date(2001, 1, 15)  # text date dd/mm/yyyy
    assert first.signer == "Nguyễn Văn Ký" and first.authority == "Tổng cục KTTV"
    second = Award.objects.get(person__code="CB000", award_type__code="CSTDCS", year=2000)
    assert second.decision_date == dt.date(2001, 1, 10)  # a real Excel date cell
    event = AuditEvent.objects.filter(action="award.import", object_id=str(first.pk)).get()
    assert event.actor == personas.officer
    assert event.unit == tree.KTTV_A
    assert (event.after or {})["recipient"] == {"kind": "person", "code": "CB000"}

    # The same file again: every row is now a duplicate of the database.
    again = import_awards(
        actor=personas.officer,
        upload=workbook(award_rows(3, people, ["KTTV_A"]), AWARD_HEADERS),
    )
    assert errors_of(again) == [(2, "Mã khen thưởng"), (3, "Mã khen thưởng"), (4, "Mã khen thưởng")]
    assert (
        again.errors[0].message
        == "Trần Văn Số 0 đã có “Lao động tiên tiến” năm 2000 trong hệ thống."
    )
    assert Award.objects.count() == 2000


def test_every_kind_of_bad_award_row_is_reported(
    tree: Any, personas: Any, person_a: Person
) -> None:
    future = dt.date.today() + dt.timedelta(days=30)
    rows: list[list[Any]] = [
        ["CN", "P001", "LDTT", 2022, "1/QĐ", "10/01/2023", "", "", ""],  # 2: fine
        ["XX", "P001", "LDTT", 2021, "1/QĐ", "10/01/2022", "", "", ""],  # 3: kind
        ["CN", "KHONG_CO", "LDTT", 2021, "1/QĐ", "10/01/2022", "", "", ""],  # 4: person
        ["TT", "STNMT_ST", "TTLDTT", 2021, "1/QĐ", "10/01/2022", "", "", ""],  # 5: scope
        ["CN", "P001", "TTLDTT", 2021, "1/QĐ", "10/01/2022", "", "", ""],  # 6: units only
        ["TT", "KTTV_A", "CSTDCS", 2021, "1/QĐ", "10/01/2022", "", "", ""],  # 7: people only
        ["CN", "P001", "CSTDCS", "năm ngoái", "1/QĐ", "10/01/2022", "", "", ""],  # 8: year
        ["CN", "P001", "CSTDCS", 1900, "1/QĐ", "10/01/2022", "", "", ""],  # 9: year range
        ["CN", "P001", "GIAY_KHEN", 2021, "1/QĐ", "31/02/2022", "", "", ""],  # 10: date
        ["CN", "P001", "BK_BO", 2021, "1/QĐ", "10/01/2020", "", "", ""],  # 11: date < year
        ["CN", "P001", "BK_TTG", 2021, "1/QĐ", future, "", "", ""],  # 12: future
        ["CN", "P001", "HCLD3", 2021, "", "10/01/2022", "", "", ""],  # 13: no number
        ["CN", "P001", "LDTT", 2022, "2/QĐ", "11/01/2023", "", "", ""],  # 14: dup of 2
        ["CN", "P001", "CSTD_BO", 2021, "x" * 65, "10/01/2022", "y" * 151, "", ""],  # 15
    ]
    result = import_awards(actor=personas.officer, upload=workbook(rows, AWARD_HEADERS))
    found = {(e.row, e.column): e.message for e in result.errors}
    assert errors_of(result) == [
        (3, "Loại đối tượng"),
        (4, "Mã đối tượng"),
        (5, "Mã đối tượng"),
        (6, "Mã khen thưởng"),
        (7, "Mã khen thưởng"),
        (8, "Năm"),
        (9, "Năm"),
        (10, "Ngày quyết định"),
        (11, "Ngày quyết định"),
        (12, "Ngày quyết định"),
        (13, "Số quyết định"),
        (14, "Mã khen thưởng"),
        (15, "Số quyết định"),
        (15, "Người ký"),
    ]
    assert found[(4, "Mã đối tượng")] == "Không tìm thấy cán bộ “KHONG_CO” trong phạm vi của bạn."
    assert found[(5, "Mã đối tượng")] == "Không tìm thấy đơn vị “STNMT_ST” trong phạm vi của bạn."
    assert "chỉ dành cho tập thể" in found[(6, "Mã khen thưởng")]
    assert "chỉ dành cho cá nhân" in found[(7, "Mã khen thưởng")]
    assert "dd/mm/yyyy" in found[(10, "Ngày quyết định")]
    assert "tương lai" in found[(12, "Ngày quyết định")]
    assert found[(14, "Mã khen thưởng")] == "Trùng với dòng 2: cùng đối tượng, khen thưởng và năm."
    assert Award.objects.count() == 0


def test_out_of_scope_unit_or_person_reads_like_an_unknown_one(
    tree: Any, personas: Any, person_a: Person
) -> None:
    ppl.person_create(
        actor=None, code="ST01", full_name="Lê Thị Sóc", unit=tree.ST_VP, started_on=START
    )
    rows = [
        ["TT", "ST_VP", "TTLDTT", 2021, "1/QĐ", "10/01/2022", "", "", ""],
        ["TT", "KHONG_CO", "TTLDTT", 2021, "1/QĐ", "10/01/2022", "", "", ""],
        ["CN", "ST01", "LDTT", 2021, "1/QĐ", "10/01/2022", "", "", ""],
        ["CN", "KHONG_CO", "LDTT", 2021, "1/QĐ", "10/01/2022", "", "", ""],
    ]
    result = import_awards(actor=personas.officer, upload=workbook(rows, AWARD_HEADERS))
    messages = [
        e.message.replace("ST_VP", "X").replace("ST01", "X").replace("KHONG_CO", "X")
        for e in result.errors
    ]
    assert len(messages) == 4
    assert messages[0] == messages[1] and messages[2] == messages[3]
    # The outsider sees its own unit, but not KTTV's person.
    outsider = import_awards(actor=personas.outsider, upload=workbook(rows, AWARD_HEADERS))
    assert errors_of(outsider) == [(3, "Mã đối tượng"), (5, "Mã đối tượng")]


def test_validation_queries_do_not_grow_with_the_rows(tree: Any, personas: Any) -> None:
    people = [p.code for p in make_people(tree)]

    def queries_for(count: int) -> tuple[int, int]:
        rows = award_rows(count, people, ["KTTV_A", "KTTV_B"])
        rows[-1][2] = "KHONG_CO"  # refused: only the checks run
        actor = User.objects.get(pk=personas.officer.pk)  # grants not cached yet
        with CaptureQueriesContext(connection) as checks:
            refused = import_awards(actor=actor, upload=workbook(rows, AWARD_HEADERS))
        assert errors_of(refused) == [(count + 1, "Mã khen thưởng")]
        rows[-1][2] = "LDTT" if rows[-1][0] != "TT" else "TTLDTT"
        rows[-1][3] = 1990  # a year no other row uses, so the row stays distinct
        rows[-1][5] = "01/02/1991"
        actor = User.objects.get(pk=personas.officer.pk)
        with CaptureQueriesContext(connection) as clean:
            done = import_awards(actor=actor, upload=workbook(rows, AWARD_HEADERS))
        assert done.ok, done.errors[:3]
        Award.objects.all().delete()
        selects = [q for q in clean.captured_queries if q["sql"].startswith("SELECT")]
        return len(checks.captured_queries), len(selects)

    small, small_selects = queries_for(50)
    large, large_selects = queries_for(500)
    assert small == large <= 8
    assert small_selects == large_selects


# --- initiatives -----------------------------------------------------------------------------


def test_initiatives_import_good_file(tree: Any, personas: Any, person_a: Person) -> None:
    ppl.person_create(
        actor=None, code="P002", full_name="Lê Thị Bình", unit=tree.KTTV_B, started_on=START
    )
    rows: list[list[Any]] = [
        ["Dự báo mưa lớn bằng học máy", "SANG_KIEN", "P001; P002", "", "CO_SO",
         "20/12/2023", "", "45/QĐ"],
        ["Mô hình thủy văn lưu vực", "đề tài", "P002,P001", "KTTV", "Cấp bộ, ngành, tỉnh",
         dt.date(2022, 6, 1), 2022, ""],
        ["Cải tiến quy trình quan trắc", "", "P001", "KTTV_A", "TOAN_QUOC",
         "01/03/2024", 2023, ""],
    ]  # fmt: skip
    result = import_initiatives(actor=personas.officer, upload=workbook(rows, INITIATIVE_HEADERS))
    assert result.ok, result.errors
    assert result.created == 3
    first = Initiative.objects.get(title="Dự báo mưa lớn bằng học máy")
    assert first.unit == tree.KTTV_A  # the first author's unit
    assert first.year == 2023 and first.level == "CO_SO"
    assert first.kind == InitiativeKind.INITIATIVE
    assert sorted(first.authors.values_list("code", flat=True)) == ["P001", "P002"]
    second = Initiative.objects.get(title="Mô hình thủy văn lưu vực")
    assert second.kind == InitiativeKind.RESEARCH and second.level == "BO_TINH"
    assert second.unit == tree.KTTV
    assert Initiative.objects.get(title="Cải tiến quy trình quan trắc").year == 2023
    assert AuditEvent.objects.filter(action="initiative.import").count() == 3
    # Search works on imported rows.
    assert Initiative.objects.filter(search_text__contains="du bao mua lon").exists()


def test_initiatives_import_bad_file_writes_nothing(
    tree: Any, personas: Any, person_a: Person
) -> None:
    ppl.person_create(
        actor=None, code="ST01", full_name="Lê Thị Sóc", unit=tree.ST_VP, started_on=START
    )
    good: list[Any] = [
        "Sáng kiến A",
        "SANG_KIEN",
        "P001",
        "KTTV_A",
        "CO_SO",
        "01/03/2023",
        2023,
        "",
    ]
    future = dt.date.today() + dt.timedelta(days=10)
    rows: list[list[Any]] = [
        good,  # 2
        ["Sáng kiến B", "SANG_KIEN", "P001; KHONG_CO; ST01", "", "CO_SO", "01/03/2023", "", ""],
        ["Sáng kiến C", "SANG_KIEN", "P001", "STNMT_ST", "CO_SO", "01/03/2023", "", ""],  # 4
        ["Sáng kiến D", "KHAC", "P001", "", "CAP_XA", "01/03/2023", "", ""],  # 5: kind, level
        ["Sáng kiến E", "", "P001", "", "CO_SO", future, "", ""],  # 6: future
        ["sáng kiến a", "SANG_KIEN", "P001", "KTTV_A", "CO_SO", "02/03/2023", 2023, ""],  # 7
        ["Sáng kiến F", "", "", "", "CO_SO", "01/03/2023", "", ""],  # 8: no author
    ]
    result = import_initiatives(actor=personas.officer, upload=workbook(rows, INITIATIVE_HEADERS))
    found = {(e.row, e.column): e.message for e in result.errors}
    assert errors_of(result) == [
        (3, "Mã tác giả"),
        (4, "Mã đơn vị"),
        (5, "Loại"),
        (5, "Cấp công nhận"),
        (6, "Ngày công nhận"),
        (7, "Tên"),
        (8, "Mã tác giả"),
    ]
    assert found[(3, "Mã tác giả")] == (
        "Không tìm thấy cán bộ “KHONG_CO”, “ST01” trong phạm vi của bạn."
    )
    assert found[(4, "Mã đơn vị")] == "Không tìm thấy đơn vị “STNMT_ST” trong phạm vi của bạn."
    assert found[(7, "Tên")] == "Trùng với dòng 2: cùng tên, đơn vị và năm."
    assert Initiative.objects.count() == 0

    # Once imported, the same initiative again is a duplicate of the database.
    assert import_initiatives(
        actor=personas.officer, upload=workbook([good], INITIATIVE_HEADERS)
    ).ok
    again = import_initiatives(actor=personas.officer, upload=workbook([good], INITIATIVE_HEADERS))
    assert errors_of(again) == [(2, "Tên")]
    assert "đã có sáng kiến" in again.errors[0].message
    assert Initiative.objects.count() == 1


# --- ratings ---------------------------------------------------------------------------------


def test_person_ratings_import_inserts_and_replaces_with_audit(
    tree: Any, personas: Any, person_a: Person
) -> None:
    ppl.person_rating_set(actor=None, person=person_a, year=2023, rating="HTNV")
    ppl.person_rating_set(actor=None, person=person_a, year=2021, rating="HTTNV")
    rows = [
        ["P001", 2023, "HTXSNV"],  # replaces HTNV
        ["P001", 2022, "Hoàn thành tốt nhiệm vụ"],  # new, spelled out
        ["P001", 2021, "HTTNV"],  # the same as before
    ]
    client = login(personas.officer)
    response = client.post(
        "/awards/ratings/import/person/",
        {"file": workbook(rows, ["Mã cán bộ", "Năm", "Xếp loại"])},
        follow=True,
    )
    assert response.redirect_chain[-1][0] == "/awards/ratings/import/person/"
    assert (
        "Đã nhập xếp loại: 1 mới, 1 thay thế xếp loại cũ, 1 không thay đổi."
        in response.content.decode()
    )
    assert dict(person_a.ratings.values_list("year", "rating")) == {
        2023: "HTXSNV",
        2022: "HTTNV",
        2021: "HTTNV",
    }
    replaced = AuditEvent.objects.filter(action="person.rating", actor=personas.officer)
    assert replaced.count() == 2
    change = replaced.get(before__isnull=False)
    assert change.before == {"year": 2023, "rating": "HTNV"}
    assert change.after == {"year": 2023, "rating": "HTXSNV", "person": "P001"}
    assert change.unit == tree.KTTV_A
    assert verify_chain().ok
    # The person's page shows the imported change in their history.
    page = client.get("/people/P001/").content.decode()
    assert "HTXSNV" in page


def test_unit_ratings_import_and_its_errors(tree: Any, personas: Any) -> None:
    org.unit_rating_set(actor=None, unit=tree.KTTV_A, year=2023, rating="HTNV")
    headers = ["Mã đơn vị", "Năm", "Xếp loại"]
    bad = [
        ["KTTV_A", 2023, "HTXSNV"],  # 2
        ["STNMT_ST", 2023, "HTXSNV"],  # 3: outside
        ["KTTV_B", 2023, "GIOI"],  # 4: rating
        ["KTTV_A", 2023, "HTTNV"],  # 5: twice in the file
        ["KTTV_B", 3000, "HTNV"],  # 6: year
    ]
    result = import_ratings(actor=personas.officer, kind="unit", upload=workbook(bad, headers))
    assert errors_of(result) == [(3, "Mã đơn vị"), (4, "Xếp loại"), (5, "Năm"), (6, "Năm")]
    assert result.errors[0].message == "Không tìm thấy đơn vị “STNMT_ST” trong phạm vi của bạn."
    assert result.errors[2].message == "Trùng với dòng 2: cùng mã “KTTV_A” và năm."
    assert UnitRating.objects.get(unit=tree.KTTV_A, year=2023).rating == "HTNV"

    good = [["KTTV_A", 2023, "HTXSNV"], ["KTTV_B", 2023, "htnv"], ["KTTV", 2022, "HTTNV"]]
    done = import_ratings(actor=personas.officer, kind="unit", upload=workbook(good, headers))
    assert done.ok, done.errors
    assert (done.created, done.updated, done.unchanged) == (2, 1, 0)
    assert UnitRating.objects.get(unit=tree.KTTV_A, year=2023).rating == "HTXSNV"
    assert UnitRating.objects.get(unit=tree.KTTV_B, year=2023).rating == "HTNV"
    event = AuditEvent.objects.get(
        action="unit.rating", actor=personas.officer, before__isnull=False
    )
    assert event.before == {"year": 2023, "rating": "HTNV"}
    assert event.unit == tree.KTTV_A


def test_outsider_cannot_rate_another_units_people(
    tree: Any, personas: Any, person_a: Person
) -> None:
    rows = [["P001", 2023, "KHTNV"], ["KHONG_CO", 2023, "KHTNV"]]
    response = login(personas.outsider).post(
        "/awards/ratings/import/person/",
        {"file": workbook(rows, ["Mã cán bộ", "Năm", "Xếp loại"])},
    )
    assert response.status_code == 200
    result = response.context["result"]
    assert [e.message for e in result.errors] == [
        "Không tìm thấy cán bộ “P001” trong phạm vi của bạn.",
        "Không tìm thấy cán bộ “KHONG_CO” trong phạm vi của bạn.",
    ]
    assert PersonRating.objects.count() == 0


# --- pages, templates, error workbooks, permissions --------------------------------------------


def test_error_workbook_download_is_for_its_owner_only(
    tree: Any, personas: Any, person_a: Person
) -> None:
    rows = [["CN", "P001", "KHONG_CO", 2021, "1/QĐ", "10/01/2022", "", "", ""]] * 3
    client = login(personas.officer)
    response = client.post("/awards/import/", {"file": workbook(rows, AWARD_HEADERS)})
    link = response.context["errors_link"]
    assert link.startswith("/awards/import/errors/")
    assert link in response.content.decode()
    download = client.get(link)
    assert download.status_code == 200
    sheet = load_workbook(BytesIO(download.content)).worksheets[0]
    lines = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert lines[0] == ["Dòng", "Cột", "Lỗi"]
    assert [line[0] for line in lines[1:]] == [2, 3, 4]
    assert all("KHONG_CO" in str(line[2]) for line in lines[1:])
    assert login(personas.head).get(link).status_code == 404

    # Ratings and initiatives have their own links, with the kind in the path.
    refused = client.post(
        "/awards/ratings/import/unit/",
        {"file": workbook([["KHONG_CO", 2023, "HTNV"]], ["Mã đơn vị", "Năm", "Xếp loại"])},
    )
    rating_link = refused.context["errors_link"]
    assert rating_link.startswith("/awards/ratings/import/unit/errors/")
    assert client.get(rating_link).status_code == 200
    refused = client.post(
        "/awards/initiatives/import/",
        {"file": workbook([["A", "", "KHONG_CO", "", "CO_SO", "01/01/2023", "", ""]],
                          INITIATIVE_HEADERS)},
    )  # fmt: skip
    assert refused.context["errors_link"].startswith("/awards/initiatives/import/errors/")
    assert client.get(refused.context["errors_link"]).status_code == 200


def test_templates_carry_headers_and_valid_codes(tree: Any, personas: Any) -> None:
    client = login(personas.officer)
    cases = [
        ("/awards/import/template/", AWARD_HEADERS, ["LDTT", "TTLDXS", "CN", "TT"]),
        ("/awards/initiatives/import/template/", INITIATIVE_HEADERS,
         ["SANG_KIEN", "DE_TAI", "TOAN_QUOC"]),
        ("/awards/ratings/import/person/template/", ["Mã cán bộ", "Năm", "Xếp loại"],
         ["HTXSNV", "KHTNV"]),
        ("/awards/ratings/import/unit/template/", ["Mã đơn vị", "Năm", "Xếp loại"], ["HTTNV"]),
    ]  # fmt: skip
    for url, headers, codes in cases:
        response = client.get(url)
        assert response.status_code == 200, url
        book = load_workbook(BytesIO(response.content))
        header = [c.value for c in next(book.worksheets[0].iter_rows(max_row=1))]
        assert header == headers
        notes = {str(c) for row in book.worksheets[1].iter_rows(values_only=True) for c in row}
        assert book.worksheets[1].title == "Hướng dẫn"
        assert set(codes) <= notes, url
    assert client.get("/awards/ratings/import/other/").status_code == 404
    assert client.get("/awards/ratings/import/other/template/").status_code == 404


def test_a_template_filled_in_imports_back(tree: Any, personas: Any, person_a: Person) -> None:
    """The example row of the downloaded template, with a real code, is accepted."""
    client = login(personas.officer)
    book = load_workbook(BytesIO(client.get("/awards/import/template/").content))
    sheet = book.worksheets[0]
    sheet.cell(row=2, column=2, value="P001")
    buffer = BytesIO()
    book.save(buffer)
    response = client.post(
        "/awards/import/", {"file": SimpleUploadedFile("mau.xlsx", buffer.getvalue())}, follow=True
    )
    assert "Đã nhập 1 khen thưởng." in response.content.decode()
    assert Award.objects.get().person == person_a


@pytest.mark.parametrize(
    "url",
    [
        "/awards/import/",
        "/awards/import/template/",
        "/awards/initiatives/import/",
        "/awards/initiatives/import/template/",
        "/awards/ratings/import/person/",
        "/awards/ratings/import/unit/template/",
    ],
)
def test_read_only_users_cannot_import(tree: Any, personas: Any, url: str) -> None:
    for persona in ("viewer", "comms", "council"):
        client = login(getattr(personas, persona))
        assert client.get(url).status_code == 403, (persona, url)
    assert login(personas.officer).get(url).status_code == 200
    assert Client().get(url).status_code == 302  # anonymous: to the login page


def test_viewer_post_writes_nothing(tree: Any, personas: Any, person_a: Person) -> None:
    rows = [["CN", "P001", "LDTT", 2021, "1/QĐ", "10/01/2022", "", "", ""]]
    response = login(personas.viewer).post(
        "/awards/import/", {"file": workbook(rows, AWARD_HEADERS)}
    )
    assert response.status_code == 403
    response = login(personas.viewer).post(
        "/awards/ratings/import/person/",
        {"file": workbook([["P001", 2023, "HTNV"]], ["Mã cán bộ", "Năm", "Xếp loại"])},
    )
    assert response.status_code == 403
    assert Award.objects.count() == 0 and PersonRating.objects.count() == 0


def test_not_an_excel_file_and_missing_columns(tree: Any, personas: Any) -> None:
    upload = SimpleUploadedFile("x.xlsx", b"Loai;Ma\nCN;P001\n")
    result = import_awards(actor=personas.officer, upload=upload)
    assert "không phải là tệp Excel" in result.errors[0].message
    headers = [h for h in AWARD_HEADERS if h != "Mã khen thưởng"]
    result = import_awards(
        actor=personas.officer,
        upload=workbook([["CN", "P001", 2021, "1", "10/01/2022", "", "", ""]], headers),
    )
    assert errors_of(result) == [(1, "Mã khen thưởng")]
    empty = import_ratings(
        actor=personas.officer, kind="person", upload=workbook([], ["Mã cán bộ", "Năm", "Xếp loại"])
    )
    assert [e.message for e in empty.errors] == ["Tệp không có dòng dữ liệu nào."]
