"""People pages: list (search, Vietnamese order, filters, export), detail, create, edit,
transfer and rating, as the personas of tests/conftest.py see them."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from audit.models import AuditEvent
from core.text import name_sort_key
from people import services as ppl
from people.models import Person
from tests.conftest import START

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def add(code: str, name: str, unit: Any, **extra: Any) -> Person:
    return ppl.person_create(
        actor=None, code=code, full_name=name, unit=unit, started_on=START, **extra
    )


def listed(response: Any) -> list[str]:
    assert response.status_code == 200
    return [p.full_name for p in response.context["page"].object_list]


# --- list: search, order, filters -------------------------------------------------------


def test_search_ignores_diacritics_and_case(tree: Any, personas: Any) -> None:
    add("P1", "Nguyễn Văn Bình", tree.KTTV_A)
    add("P2", "Đặng Thị Hoa", tree.KTTV_B)
    add("P3", "Lê Văn Nguyên", tree.KTTV_A)
    add("P4", "Nguyễn Thị Vân", tree.KTTV_A)
    client = login(personas.officer)

    response = client.get("/people/", {"q": "nguyen van"})
    assert listed(response) == ["Nguyễn Văn Bình"]
    assert "Nguyễn Văn Bình" in response.content.decode()

    assert listed(client.get("/people/", {"q": "dang"})) == ["Đặng Thị Hoa"]
    assert listed(client.get("/people/", {"q": "ĐẶNG"})) == ["Đặng Thị Hoa"]
    assert listed(client.get("/people/", {"q": "  NGUYỄN   văn "})) == ["Nguyễn Văn Bình"]
    # The code is searchable too.
    assert listed(client.get("/people/", {"q": "p3"})) == ["Lê Văn Nguyên"]
    response = client.get("/people/", {"q": "không có ai"})
    assert listed(response) == []
    assert "Không có cán bộ nào khớp" in response.content.decode()


def test_list_is_in_vietnamese_name_order(tree: Any, personas: Any) -> None:
    names = ["Trần Thị Bích", "Nguyễn Văn An", "Lê Anh", "Đặng Văn Ân", "Phạm Thị Ánh"]
    for index, name in enumerate(names):
        add(f"N{index}", name, tree.KTTV_A)
    # Given name first; "An" before "Anh" (a prefix comes first); the letter "a" before
    # "â" (Vietnamese alphabet a, ă, â), so Anh and Ánh come before Ân; tones only break
    # ties between equal letters (Anh before Ánh). The brief's draft order put Ân before
    # Ánh and Anh before An, which the Vietnamese alphabet does not allow.
    expected = ["Nguyễn Văn An", "Lê Anh", "Phạm Thị Ánh", "Đặng Văn Ân", "Trần Thị Bích"]
    assert sorted(names, key=name_sort_key) == expected
    assert listed(login(personas.officer).get("/people/")) == expected


def test_list_shows_only_people_in_scope(tree: Any, personas: Any, person_a: Person) -> None:
    add("ST1", "Võ Thị Sóc", tree.ST_VP)
    response = login(personas.officer).get("/people/")
    assert listed(response) == ["Nguyễn Văn An"]
    unit_codes = [code for code, _label in response.context["form"].fields["unit"].choices]
    assert "KTTV_A" in unit_codes and "ST_VP" not in unit_codes
    # Asking for a unit outside the scope does not reveal anyone from it.
    assert listed(login(personas.officer).get("/people/", {"unit": "ST_VP"})) == ["Nguyễn Văn An"]


def test_filters(tree: Any, personas: Any) -> None:
    a = add("F1", "Nguyễn Văn An", tree.KTTV_A, gender="M", is_head=True)
    b = add("F2", "Trần Thị Bích", tree.KTTV_B, gender="F")
    add("F3", "Lê Văn Cường", tree.KTTV, gender="M")
    ppl.person_rating_set(actor=None, person=a, year=2024, rating="HTXSNV")
    ppl.person_rating_set(actor=None, person=b, year=2024, rating="HTTNV")
    ppl.person_rating_set(actor=None, person=b, year=2023, rating="HTXSNV")
    client = login(personas.officer)

    # A unit includes its whole subtree.
    assert listed(client.get("/people/", {"unit": "KTTV"})) == [
        "Nguyễn Văn An",
        "Trần Thị Bích",
        "Lê Văn Cường",
    ]
    assert listed(client.get("/people/", {"unit": "KTTV_B"})) == ["Trần Thị Bích"]
    assert listed(client.get("/people/", {"head": "yes"})) == ["Nguyễn Văn An"]
    assert listed(client.get("/people/", {"head": "no"})) == ["Trần Thị Bích", "Lê Văn Cường"]
    assert listed(client.get("/people/", {"gender": "F"})) == ["Trần Thị Bích"]
    assert listed(client.get("/people/", {"year": "2024", "rating": "HTXSNV"})) == ["Nguyễn Văn An"]
    assert listed(client.get("/people/", {"year": "2023", "rating": "HTXSNV"})) == ["Trần Thị Bích"]
    assert listed(client.get("/people/", {"year": "2024", "rating": "NONE"})) == ["Lê Văn Cường"]
    # Filters combine.
    assert listed(client.get("/people/", {"unit": "KTTV", "gender": "M", "head": "no"})) == [
        "Lê Văn Cường"
    ]
    # The year's rating is shown as a column once a year is asked for.
    page = client.get("/people/", {"year": "2024"}).content.decode()
    assert "Xếp loại 2024" in page and "HTXSNV" in page


def test_head_badge_and_links(tree: Any, personas: Any) -> None:
    add("H1", "Nguyễn Văn An", tree.KTTV_A, is_head=True, position="Giám đốc")
    page = login(personas.officer).get("/people/").content.decode()
    assert 'href="/people/H1/"' in page
    assert "Giám đốc" in page
    assert "badge" in page and "Thủ trưởng" in page


def test_pagination(tree: Any, personas: Any, settings: Any) -> None:
    settings.PAGE_SIZE = 2
    for index, name in enumerate(["An", "Bình", "Chi", "Dũng", "Em"]):
        add(f"G{index}", f"Nguyễn Văn {name}", tree.KTTV_A)
    client = login(personas.officer)
    first = client.get("/people/", {"unit": "KTTV_A"})
    assert listed(first) == ["Nguyễn Văn An", "Nguyễn Văn Bình"]
    assert "Trang 1/3" in first.content.decode()
    assert "unit=KTTV_A" in first.content.decode()  # next-page link keeps the filter
    assert listed(client.get("/people/", {"unit": "KTTV_A", "page": "3"})) == ["Nguyễn Văn Em"]


def test_list_query_count_does_not_grow_with_rows(
    tree: Any, personas: Any, django_assert_max_num_queries: Any
) -> None:
    def people(start: int, count: int) -> list[ppl.NewPerson]:
        return [
            ppl.NewPerson(
                code=f"Q{n:04d}",
                full_name=f"Nguyễn Văn {n}",
                unit=tree.KTTV_A if n % 2 else tree.KTTV_B,
                started_on=START,
            )
            for n in range(start, start + count)
        ]

    ppl.people_bulk_create(actor=None, rows=people(0, 5))
    client = login(personas.officer)
    params = {"q": "nguyen", "unit": "KTTV", "year": "2024"}
    client.get("/people/", params)  # warm the session
    with CaptureQueriesContext(connection) as few:
        assert len(listed(client.get("/people/", params))) == 5
    ppl.people_bulk_create(actor=None, rows=people(5, 55))
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(listed(client.get("/people/", params))) == 25  # one full page
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/people/", {**params, "format": "xlsx"}).status_code == 200


def test_export_has_the_filtered_rows(tree: Any, personas: Any) -> None:
    a = add("E1", "Nguyễn Văn An", tree.KTTV_A, gender="M", is_head=True, position="Giám đốc")
    add("E2", "Trần Thị Bích", tree.KTTV_B, gender="F")
    ppl.person_rating_set(actor=None, person=a, year=2024, rating="HTXSNV")
    response = login(personas.officer).get(
        "/people/", {"unit": "KTTV_A", "year": "2024", "format": "xlsx"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[0] == [
        "Mã cán bộ",
        "Họ và tên",
        "Giới tính",
        "Chức vụ",
        "Thủ trưởng",
        "Mã đơn vị",
        "Tên đơn vị",
        "Ngày vào đơn vị",
        "Xếp loại năm 2024",
    ]
    assert rows[1:] == [
        [
            "E1",
            "Nguyễn Văn An",
            "Nam",
            "Giám đốc",
            "Có",
            "KTTV_A",
            "Đài Khí tượng Thủy văn khu vực Nam Bộ",
            "01/01/2020",
            "HTXSNV",
        ]
    ]


# --- detail --------------------------------------------------------------------------


def test_detail_shows_unit_assignments_ratings_and_history(
    tree: Any, personas: Any, person_a: Person
) -> None:
    ppl.person_rating_set(actor=personas.officer, person=person_a, year=2024, rating="HTTNV")
    response = login(personas.officer).get("/people/P001/")
    assert response.status_code == 200
    page = response.content.decode()
    assert 'href="/units/KTTV_A/"' in page
    assert "01/01/2020" in page
    assert "Hoàn thành tốt nhiệm vụ" in page
    actions = [e.action for e in response.context["events"]]
    assert "person.create" in actions and "person.rating" in actions
    # The officer may act here.
    for link in ("/people/P001/edit/", "/people/P001/transfer/", "/people/P001/rating/"):
        assert link in page


def test_detail_for_viewer_and_outsider(tree: Any, personas: Any, person_a: Person) -> None:
    viewer_page = login(personas.viewer).get("/people/P001/")
    assert viewer_page.status_code == 200
    assert "/people/P001/edit/" not in viewer_page.content.decode()
    assert login(personas.outsider).get("/people/P001/").status_code == 404
    assert login(personas.outsider).get("/people/NOBODY/").status_code == 404


@pytest.mark.parametrize("action", ["edit", "transfer", "rating"])
def test_viewer_cannot_open_or_post_change_pages(
    tree: Any, personas: Any, person_a: Person, action: str
) -> None:
    client = login(personas.viewer)
    assert client.get(f"/people/P001/{action}/").status_code == 403
    assert client.post(f"/people/P001/{action}/", {"full_name": "X"}).status_code == 403
    assert login(personas.outsider).get(f"/people/P001/{action}/").status_code == 404


# --- create and edit ---------------------------------------------------------------------


def test_create_person(tree: Any, personas: Any) -> None:
    client = login(personas.officer)
    form_page = client.get("/people/new/", {"unit": "KTTV_B"})
    assert form_page.status_code == 200
    assert form_page.context["form"]["unit"].value() == "KTTV_B"
    response = client.post(
        "/people/new/",
        {
            "code": "N100",
            "full_name": "  Hoàng   Thị Lan ",
            "gender": "F",
            "birth_date": "02/03/1990",
            "position": "Chuyên viên",
            "email": "lan@example.gov.vn",
            "unit": "KTTV_B",
            "started_on": "15/07/2021",
        },
    )
    assert response.status_code == 302 and response["Location"] == "/people/N100/"
    person = Person.objects.get(code="N100")
    assert person.full_name == "Hoàng Thị Lan"
    assert person.unit == tree.KTTV_B
    assert person.started_on == dt.date(2021, 7, 15)
    assert person.birth_date == dt.date(1990, 3, 2)
    assert person.assignments.get().start == dt.date(2021, 7, 15)
    assert AuditEvent.objects.filter(action="person.create", object_id=str(person.pk)).exists()


def test_create_duplicate_code_shows_conflict_on_the_code_field(
    tree: Any, personas: Any, person_a: Person
) -> None:
    response = login(personas.officer).post(
        "/people/new/",
        {"code": "P001", "full_name": "Lê Văn Khác", "unit": "KTTV_A", "started_on": "01/01/2022"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["code"] == ["Mã cán bộ “P001” đã tồn tại."]
    assert "đã tồn tại" in response.content.decode()
    assert Person.objects.count() == 1


def test_create_checks_unit_scope_and_dates(tree: Any, personas: Any) -> None:
    client = login(personas.officer)
    outside = client.post(
        "/people/new/",
        {"code": "X1", "full_name": "Lê Văn X", "unit": "ST_VP", "started_on": "01/01/2022"},
    )
    assert "unit" in outside.context["form"].errors
    too_early = client.post(
        "/people/new/",
        {"code": "X2", "full_name": "Lê Văn Y", "unit": "KTTV_A", "started_on": "01/01/2019"},
    )
    assert too_early.context["form"].errors["started_on"] == [
        "Ngày vào đơn vị sớm hơn ngày thành lập đơn vị."
    ]
    bad_date = client.post(
        "/people/new/",
        {"code": "X3", "full_name": "Lê Văn Z", "unit": "KTTV_A", "started_on": "31/02/2022"},
    )
    assert "started_on" in bad_date.context["form"].errors
    assert Person.objects.count() == 0


def test_viewer_cannot_create(tree: Any, personas: Any) -> None:
    assert login(personas.viewer).get("/people/new/").status_code == 403


def test_edit_person(tree: Any, personas: Any, person_a: Person) -> None:
    client = login(personas.officer)
    form = client.get("/people/P001/edit/")
    assert form.context["form"]["full_name"].value() == "Nguyễn Văn An"
    response = client.post(
        "/people/P001/edit/",
        {"full_name": "Nguyễn Văn Ân", "gender": "M", "position": "Phó Giám đốc", "is_head": "on"},
    )
    assert response.status_code == 302
    person_a.refresh_from_db()
    assert (person_a.full_name, person_a.position, person_a.is_head) == (
        "Nguyễn Văn Ân",
        "Phó Giám đốc",
        True,
    )
    # The new name is searchable and the change is in the history.
    assert listed(client.get("/people/", {"q": "nguyen van an"})) == ["Nguyễn Văn Ân"]
    detail = client.get("/people/P001/")
    assert "person.update" in [e.action for e in detail.context["events"]]


# --- transfer and rating -----------------------------------------------------------------


def test_transfer_through_the_ui(tree: Any, personas: Any, person_a: Person) -> None:
    client = login(personas.officer)
    form = client.get("/people/P001/transfer/")
    choices = [c for c, _l in form.context["form"].fields["unit"].choices]
    assert "KTTV_B" in choices and "KTTV_A" not in choices and "ST_VP" not in choices

    # First POST asks for confirmation and changes nothing.
    confirm = client.post("/people/P001/transfer/", {"unit": "KTTV_B", "on": "01/03/2024"})
    assert confirm.status_code == 200
    assert "Xác nhận điều chuyển" in confirm.content.decode()
    person_a.refresh_from_db()
    assert person_a.unit == tree.KTTV_A

    done = client.post(
        "/people/P001/transfer/", {"unit": "KTTV_B", "on": "01/03/2024", "confirm": "1"}
    )
    assert done.status_code == 302
    person_a.refresh_from_db()
    assert person_a.unit == tree.KTTV_B
    history = [(a.unit.code, a.start, a.end) for a in person_a.assignments.order_by("start")]
    assert history == [
        ("KTTV_A", START, dt.date(2024, 2, 29)),
        ("KTTV_B", dt.date(2024, 3, 1), None),
    ]
    detail = client.get("/people/P001/")
    page = detail.content.decode()
    assert 'href="/units/KTTV_B/"' in page and "29/02/2024" in page
    assert "person.transfer" in [e.action for e in detail.context["events"]]


def test_transfer_rejects_bad_input(tree: Any, personas: Any, person_a: Person) -> None:
    client = login(personas.officer)
    outside = client.post(
        "/people/P001/transfer/", {"unit": "ST_VP", "on": "01/03/2024", "confirm": "1"}
    )
    assert "unit" in outside.context["form"].errors
    before_start = client.post(
        "/people/P001/transfer/", {"unit": "KTTV_B", "on": "01/01/2020", "confirm": "1"}
    )
    assert before_start.status_code == 200
    assert "on" in before_start.context["form"].errors
    person_a.refresh_from_db()
    assert person_a.unit == tree.KTTV_A
    assert person_a.assignments.count() == 1


def test_set_rating_through_the_ui(tree: Any, personas: Any, person_a: Person) -> None:
    client = login(personas.officer)
    assert client.get("/people/P001/rating/").status_code == 200
    response = client.post("/people/P001/rating/", {"year": "2024", "rating": "HTXSNV"})
    assert response.status_code == 302
    assert person_a.ratings.get(year=2024).rating == "HTXSNV"
    # Setting it again replaces it; both changes are in the history.
    client.post("/people/P001/rating/", {"year": "2024", "rating": "HTNV"})
    assert person_a.ratings.get(year=2024).rating == "HTNV"
    detail = client.get("/people/P001/")
    rating_events = [e for e in detail.context["events"] if e.action == "person.rating"]
    assert len(rating_events) == 2
    assert "Hoàn thành nhiệm vụ" in detail.content.decode()
    bad = client.post("/people/P001/rating/", {"year": "2024", "rating": "GIOI"})
    assert "rating" in bad.context["form"].errors
