"""Records pages: catalogue, awards, initiatives, discipline, and the record panels of the
person and unit pages, as the personas of tests/conftest.py use them."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from audit.models import AuditEvent
from awards import services
from awards.models import Award, AwardType, Discipline, Initiative
from awards.views import person_records_context, unit_records_context
from people import services as ppl
from people.models import Person
from tests.conftest import START

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def add_person(code: str, name: str, unit: Any) -> Person:
    return ppl.person_create(actor=None, code=code, full_name=name, unit=unit, started_on=START)


def award_type(code: str) -> AwardType:
    return AwardType.objects.get(code=code)


def give(
    code: str, year: int, person: Person | None = None, unit: Any = None, **extra: Any
) -> Award:
    return services.award_create(
        actor=None,
        data=services.AwardData(
            award_type=award_type(code),
            year=year,
            decision_number=extra.pop("decision_number", f"QĐ-{year}-{code}"),
            decision_date=extra.pop("decision_date", dt.date(year + 1, 1, 15)),
            person=person,
            unit=unit,
            **extra,
        ),
    )


def initiative(title: str, authors: list[Person], unit: Any, year: int = 2023) -> Initiative:
    return services.initiative_create(
        actor=None,
        data=services.InitiativeData(
            title=title,
            authors=authors,
            unit=unit,
            level="CO_SO",
            recognized_on=dt.date(year, 6, 1),
            year=year,
        ),
    )


def discipline(person: Person, status: str = "DECIDED", form: str = "KHIEN_TRACH") -> Discipline:
    decided = dt.date(2024, 3, 1) if status == "DECIDED" else None
    return services.discipline_create(
        actor=None,
        data=services.DisciplineData(
            person=person,
            form=form,
            status=status,
            decided_on=decided,
            ends_on=dt.date(2025, 3, 1) if decided else None,
        ),
    )


def listed(response: Any) -> list[Any]:
    assert response.status_code == 200
    return list(response.context["page"].object_list)


def workbook_rows(response: Any) -> list[tuple[Any, ...]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    return [tuple(row) for row in sheet.iter_rows(values_only=True)]


def award_post(**changes: Any) -> dict[str, Any]:
    data = {
        "recipient_kind": "person",
        "person": "P001",
        "unit": "",
        "award_type": "LDTT",
        "year": "2024",
        "decision_number": "123/QĐ-KTTV",
        "decision_date": "15/01/2025",
        "signer": "Trần Văn Ký",
        "authority": "Tổng cục KTTV",
        "note": "",
    }
    data.update(changes)
    return data


# --- catalogue -------------------------------------------------------------------------


def test_catalogue_lists_every_title_and_form(tree: Any, personas: Any) -> None:
    client = login(personas.viewer)
    response = client.get("/awards/catalogue/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("Lao động tiên tiến", "Chiến sĩ thi đua cơ sở", "Cờ thi đua của Chính phủ"):
        assert name in html
    assert "Luật TĐKT 2022, Điều 24" in html
    assert "tối thiểu 90%" in html  # CSTĐ cấp bộ: council vote of 90 %

    rows = workbook_rows(client.get("/awards/catalogue/", {"format": "xlsx"}))
    assert rows[0][0] == "Mã"
    by_code = {row[0]: row for row in rows[1:]}
    assert len(by_code) == AwardType.objects.count()
    ldtt = by_code["LDTT"]
    assert ldtt[1] == "Lao động tiên tiến"
    assert ldtt[3] == "Cá nhân"
    assert float(ldtt[7]) == 0.3
    assert by_code["CO_CP"][10] == 80


# --- awards: list ----------------------------------------------------------------------


def test_search_by_recipient_ignores_diacritics(tree: Any, personas: Any, person_a: Person) -> None:
    other = add_person("P002", "Trần Thị Bình", tree.KTTV_A)
    give("LDTT", 2024, person=person_a)
    give("LDTT", 2024, person=other)
    give("TTLDTT", 2024, unit=tree.KTTV_B)
    client = login(personas.officer)

    found = listed(client.get("/awards/", {"q": "nguyen"}))
    assert [a.person.full_name for a in found] == ["Nguyễn Văn An"]
    assert "Nguyễn Văn An" in client.get("/awards/", {"q": "nguyen"}).content.decode()
    assert [a.person for a in listed(client.get("/awards/", {"q": "TRAN thi"}))] == [other]
    assert [a.person for a in listed(client.get("/awards/", {"q": "p002"}))] == [other]
    # Collective awards are found by the unit's name or code.
    assert [a.unit for a in listed(client.get("/awards/", {"q": "du bao"}))] == [tree.KTTV_B]
    response = client.get("/awards/", {"q": "không ai"})
    assert listed(response) == []
    assert "Không có khen thưởng nào khớp" in response.content.decode()


def test_list_filters_and_order(tree: Any, personas: Any, person_a: Person) -> None:
    b = add_person("B01", "Lê Văn Bảo", tree.KTTV_B)
    give("LDTT", 2022, person=person_a)
    give("LDTT", 2024, person=person_a)
    give("CSTDCS", 2024, person=person_a)
    give("LDTT", 2024, person=b)
    give("TTLDTT", 2023, unit=tree.KTTV_A)
    client = login(personas.officer)

    everything = listed(client.get("/awards/"))
    assert [a.year for a in everything] == sorted((a.year for a in everything), reverse=True)
    assert len(everything) == 5

    def keys(**params: Any) -> set[tuple[str, int, str]]:
        return {
            (a.award_type.code, a.year, a.recipient_code)
            for a in listed(client.get("/awards/", params))
        }

    assert keys(award_type="LDTT", year=2024) == {("LDTT", 2024, "P001"), ("LDTT", 2024, "B01")}
    assert keys(recipient="unit") == {("TTLDTT", 2023, "KTTV_A")}
    assert keys(recipient="person", year=2022) == {("LDTT", 2022, "P001")}
    # A unit filter covers its subtree, people and the units themselves.
    assert keys(unit="KTTV_B") == {("LDTT", 2024, "B01")}
    assert len(keys(unit="KTTV")) == 5
    assert keys(unit="KTTV_A", recipient="unit") == {("TTLDTT", 2023, "KTTV_A")}
    assert keys(person="P001", year=2024) == {("LDTT", 2024, "P001"), ("CSTDCS", 2024, "P001")}
    # A bad year is reported, the other filters still apply.
    response = client.get("/awards/", {"year": "abc", "award_type": "CSTDCS"})
    assert [a.award_type.code for a in listed(response)] == ["CSTDCS"]


def test_list_shows_only_records_in_scope(tree: Any, personas: Any, person_a: Person) -> None:
    st = add_person("ST1", "Võ Thị Sóc", tree.ST_VP)
    give("LDTT", 2024, person=person_a)
    give("LDTT", 2024, person=st)
    assert [a.recipient_code for a in listed(login(personas.viewer).get("/awards/"))] == ["P001"]
    assert [a.recipient_code for a in listed(login(personas.outsider).get("/awards/"))] == ["ST1"]
    assert len(listed(login(personas.standing).get("/awards/"))) == 2


def test_export_follows_the_filters(tree: Any, personas: Any, person_a: Person) -> None:
    give("LDTT", 2024, person=person_a, signer="Phạm Ký")
    give("LDTT", 2023, person=person_a)
    give("TTLDTT", 2024, unit=tree.KTTV_A)
    rows = workbook_rows(
        login(personas.viewer).get("/awards/", {"year": "2024", "format": "xlsx", "page": "2"})
    )
    header, *body = rows
    assert header[:3] == ("Năm", "Mã khen thưởng", "Danh hiệu, hình thức")
    assert len(body) == 2
    person_row = next(r for r in body if r[4] == "P001")
    assert person_row[:8] == (
        2024, "LDTT", "Lao động tiên tiến", "Cá nhân", "P001", "Nguyễn Văn An", "KTTV_A",
        "Đài Khí tượng Thủy văn khu vực Nam Bộ",
    )  # fmt: skip
    assert person_row[9] == "15/01/2025"
    assert person_row[10] == "Phạm Ký"
    unit_row = next(r for r in body if r[4] == "KTTV_A")
    assert unit_row[3] == "Tập thể"


@pytest.mark.parametrize(
    ("url", "make"),
    [
        ("/awards/", "award"),
        ("/awards/initiatives/", "initiative"),
        ("/awards/disciplines/", "discipline"),
    ],
)
def test_lists_run_a_fixed_number_of_queries(
    url: str, make: str, tree: Any, personas: Any, django_assert_max_num_queries: Any
) -> None:
    people = [add_person(f"Q{i:02d}", f"Người Số {i}", tree.KTTV_A) for i in range(30)]

    def create(rows: list[Person]) -> None:
        for p in rows:
            if make == "award":
                give("LDTT", 2024, person=p)
            elif make == "initiative":
                initiative(f"Sáng kiến của {p.code}", [p, people[0]], tree.KTTV_A)
            else:
                discipline(p)

    create(people[:3])
    client = login(personas.officer)
    with CaptureQueriesContext(connection) as few:
        assert len(listed(client.get(url))) == 3
    create(people[3:])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(listed(client.get(url))) == 25  # one full page
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(listed(client.get(url, {"page": 2}))) == 5


# --- awards: create, edit, delete ---------------------------------------------------------


def test_officer_adds_an_award_and_a_duplicate_is_refused(
    tree: Any, personas: Any, person_a: Person
) -> None:
    client = login(personas.officer)
    form = client.get("/awards/new/", {"person": "P001"})
    assert form.status_code == 200
    assert form.context["form"]["person"].value() == "P001"

    response = client.post("/awards/new/", award_post())
    award = Award.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/awards/{award.pk}/"
    assert (award.person, award.award_type.code, award.year) == (person_a, "LDTT", 2024)
    assert award.decision_date == dt.date(2025, 1, 15)
    assert award.signer == "Trần Văn Ký"
    assert AuditEvent.objects.filter(action="award.create").count() == 1
    detail = client.get(response["Location"]).content.decode()
    assert "123/QĐ-KTTV" in detail
    assert "15/01/2025" in detail

    again = client.post("/awards/new/", award_post(decision_number="999/QĐ"))
    assert again.status_code == 200
    html = again.content.decode()
    assert "Nguyễn Văn An đã có “Lao động tiên tiến” năm 2024." in html
    assert again.context["form"].non_field_errors()
    assert Award.objects.count() == 1
    assert AuditEvent.objects.filter(action__startswith="award.").count() == 1
    # What the user typed is kept on the page.
    assert 'value="999/QĐ"' in html


def test_form_errors_are_shown_on_their_fields(tree: Any, personas: Any, person_a: Person) -> None:
    client = login(personas.officer)
    # A title for people cannot go to a unit.
    response = client.post(
        "/awards/new/", award_post(recipient_kind="unit", unit="KTTV_A", person="")
    )
    assert response.status_code == 200
    assert "chỉ dành cho cá nhân" in str(response.context["form"].errors["award_type"])
    # A decision before the year it rewards.
    response = client.post("/awards/new/", award_post(decision_date="01/03/2023"))
    assert "không thể trước năm" in str(response.context["form"].errors["decision_date"])
    # Missing and malformed fields.
    response = client.post("/awards/new/", award_post(decision_number="", decision_date="x"))
    errors = response.context["form"].errors
    assert "decision_number" in errors
    assert "decision_date" in errors
    assert Award.objects.count() == 0


def test_people_outside_the_managed_scope_cannot_be_picked(
    tree: Any, personas: Any, person_a: Person
) -> None:
    add_person("ST1", "Võ Thị Sóc", tree.ST_VP)
    response = login(personas.officer).post("/awards/new/", award_post(person="ST1"))
    assert response.status_code == 200
    assert "Không tìm thấy cán bộ có mã “ST1”" in str(response.context["form"].errors["person"])
    # Units too: the officer's choices stop at KTTV's subtree.
    response = login(personas.officer).post(
        "/awards/new/",
        award_post(recipient_kind="unit", unit="STNMT_ST", person="", award_type="TTLDTT"),
    )
    assert "unit" in response.context["form"].errors
    assert Award.objects.count() == 0


def test_collective_award_for_a_unit(tree: Any, personas: Any) -> None:
    client = login(personas.head)
    form = client.get("/awards/new/", {"unit": "KTTV_A"})
    assert form.context["form"]["recipient_kind"].value() == "unit"
    response = client.post(
        "/awards/new/",
        award_post(recipient_kind="unit", unit="KTTV_A", person="", award_type="TTLDTT"),
    )
    assert response.status_code == 302
    award = Award.objects.get()
    assert award.unit == tree.KTTV_A
    assert award.person is None


def test_award_uses_free_initiatives_of_its_person(
    tree: Any, personas: Any, person_a: Person
) -> None:
    other = add_person("P002", "Trần Thị Bình", tree.KTTV_A)
    free = initiative("Dự báo mưa lớn bằng radar", [person_a], tree.KTTV_A)
    used = initiative("Cảnh báo lũ quét", [person_a], tree.KTTV_A)
    give("CSTDCS", 2023, person=person_a, initiatives=[used])
    initiative("Sáng kiến của người khác", [other], tree.KTTV_A)
    client = login(personas.officer)

    fragment = client.get("/awards/options/initiatives/", {"person": "P001"})
    assert fragment.status_code == 200
    assert [i.pk for i in fragment.context["offered"]] == [free.pk]
    assert "Nguyễn Văn An" in fragment.content.decode()
    missing = client.get("/awards/options/initiatives/", {"person": "NOPE"}).content.decode()
    assert "Không tìm thấy cán bộ có mã “NOPE”" in missing

    # A used initiative is not offered, so it cannot be posted either.
    response = client.post("/awards/new/", award_post(initiatives=[str(used.pk)]))
    assert response.status_code == 200
    assert "initiatives" in response.context["form"].errors

    response = client.post("/awards/new/", award_post(initiatives=[str(free.pk)]))
    assert response.status_code == 302
    award = Award.objects.get(year=2024)
    free.refresh_from_db()
    assert free.used_by == award
    assert "Dự báo mưa lớn bằng radar" in client.get(f"/awards/{award.pk}/").content.decode()

    # Editing the award still offers (and keeps) its own initiative.
    edit = client.get(f"/awards/{award.pk}/edit/")
    assert [i.pk for i in edit.context["offered"]] == [free.pk]
    assert edit.context["selected"] == {str(free.pk)}


def test_edit_records_the_change_in_the_history(tree: Any, personas: Any, person_a: Person) -> None:
    award = give("LDTT", 2024, person=person_a)
    client = login(personas.officer)
    form = client.get(f"/awards/{award.pk}/edit/")
    assert form.context["form"]["decision_number"].value() == award.decision_number
    response = client.post(f"/awards/{award.pk}/edit/", award_post(decision_number="55/QĐ-SUA"))
    assert response.status_code == 302
    award.refresh_from_db()
    assert award.decision_number == "55/QĐ-SUA"
    detail = client.get(f"/awards/{award.pk}/")
    assert [e.action for e in detail.context["events"]] == ["award.update", "award.create"]
    assert "55/QĐ-SUA" in detail.content.decode()


def test_edit_into_an_existing_award_is_refused(tree: Any, personas: Any, person_a: Person) -> None:
    give("LDTT", 2023, person=person_a)
    award = give("LDTT", 2024, person=person_a)
    response = login(personas.officer).post(f"/awards/{award.pk}/edit/", award_post(year="2023"))
    assert response.status_code == 200
    assert "đã có “Lao động tiên tiến” năm 2023" in response.content.decode()
    award.refresh_from_db()
    assert award.year == 2024


def test_delete_asks_first_and_frees_the_initiatives(
    tree: Any, personas: Any, person_a: Person
) -> None:
    used = initiative("Cảnh báo lũ quét", [person_a], tree.KTTV_A)
    award = give("CSTDCS", 2024, person=person_a, initiatives=[used])
    client = login(personas.officer)
    page = client.get(f"/awards/{award.pk}/delete/")
    assert page.status_code == 200
    assert "Cảnh báo lũ quét" in page.content.decode()
    assert Award.objects.filter(pk=award.pk).exists()

    response = client.post(f"/awards/{award.pk}/delete/")
    assert response.status_code == 302
    assert not Award.objects.filter(pk=award.pk).exists()
    used.refresh_from_db()
    assert used.used_by is None
    assert AuditEvent.objects.filter(action="award.delete").count() == 1


def test_decision_file_is_uploaded_and_downloaded_in_scope(
    tree: Any, personas: Any, person_a: Person
) -> None:
    client = login(personas.officer)
    upload = SimpleUploadedFile("qd-123.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    response = client.post("/awards/new/", {**award_post(), "file": upload})
    assert response.status_code == 302
    award = Award.objects.get()
    detail = client.get(f"/awards/{award.pk}/").content.decode()
    assert f"/awards/{award.pk}/file/" in detail

    download = login(personas.viewer).get(f"/awards/{award.pk}/file/")
    assert download.status_code == 200
    assert download.getvalue() == b"%PDF-1.4 test"
    assert "attachment" in download["Content-Disposition"]
    assert login(personas.outsider).get(f"/awards/{award.pk}/file/").status_code == 404

    bad = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    response = client.post("/awards/new/", {**award_post(year="2023"), "file": bad})
    assert "file" in response.context["form"].errors


def test_person_suggestions_stay_in_the_managed_scope(
    tree: Any, personas: Any, person_a: Person
) -> None:
    add_person("ST1", "Nguyễn Thị Sóc", tree.ST_VP)
    response = login(personas.officer).get("/awards/options/people/", {"q": "nguyen"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="P001"' in html
    assert "ST1" not in html
    assert login(personas.viewer).get("/awards/options/people/").status_code == 403


# --- initiatives ---------------------------------------------------------------------------


def test_initiative_list_search_filters_and_export(
    tree: Any, personas: Any, person_a: Person
) -> None:
    other = add_person("P002", "Trần Thị Bình", tree.KTTV_B)
    used = initiative("Ứng dụng ảnh vệ tinh", [person_a, other], tree.KTTV_A, year=2022)
    free = initiative("Quy trình đo mưa tự động", [other], tree.KTTV_B, year=2023)
    give("CSTDCS", 2023, person=person_a, initiatives=[used])
    client = login(personas.viewer)

    assert listed(client.get("/awards/initiatives/", {"q": "nguyen"})) == [used]
    assert listed(client.get("/awards/initiatives/", {"q": "do mua"})) == [free]
    assert listed(client.get("/awards/initiatives/", {"used": "unused"})) == [free]
    assert listed(client.get("/awards/initiatives/", {"used": "used"})) == [used]
    assert listed(client.get("/awards/initiatives/", {"year": 2022})) == [used]
    assert listed(client.get("/awards/initiatives/", {"unit": "KTTV_B"})) == [free]
    assert listed(client.get("/awards/initiatives/", {"person": "P001"})) == [used]
    assert listed(client.get("/awards/initiatives/", {"level": "TOAN_QUOC"})) == []
    assert listed(client.get("/awards/initiatives/", {"kind": "INITIATIVE"})) == [free, used]

    header, *body = workbook_rows(
        client.get("/awards/initiatives/", {"used": "used", "format": "xlsx"})
    )
    assert header[2] == "Tên sáng kiến, đề tài"
    assert len(body) == 1
    assert body[0][2] == "Ứng dụng ảnh vệ tinh"
    assert set(body[0][3].split(", ")) == {"P001", "P002"}
    assert body[0][10].startswith("Chiến sĩ thi đua cơ sở 2023")


def test_initiative_create_edit_and_delete(tree: Any, personas: Any, person_a: Person) -> None:
    add_person("P002", "Trần Thị Bình", tree.KTTV_B)
    client = login(personas.officer)
    prefilled = client.get("/awards/initiatives/new/", {"person": "P001"})
    assert prefilled.context["form"]["unit"].value() == "KTTV_A"

    post = {
        "kind": "INITIATIVE",
        "title": "Dự báo sương mù",
        "authors": "P001, P002",
        "unit": "KTTV_A",
        "level": "CO_SO",
        "recognized_on": "01/06/2024",
        "year": "2024",
        "decision_number": "",
        "summary": "",
    }
    response = client.post("/awards/initiatives/new/", post)
    assert response.status_code == 302
    item = Initiative.objects.get()
    assert {a.code for a in item.authors.all()} == {"P001", "P002"}

    response = client.post("/awards/initiatives/new/", {**post, "authors": "P001 NOPE"})
    assert "NOPE" in str(response.context["form"].errors["authors"])
    assert Initiative.objects.count() == 1

    response = client.post(
        f"/awards/initiatives/{item.pk}/edit/", {**post, "title": "Dự báo sương mù dày đặc"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.title == "Dự báo sương mù dày đặc"
    detail = client.get(f"/awards/initiatives/{item.pk}/")
    assert [e.action for e in detail.context["events"]] == [
        "initiative.update",
        "initiative.create",
    ]

    # Used for an award: the delete is refused with the service's reason.
    award = give("CSTDCS", 2024, person=person_a, initiatives=[item])
    assert (
        "Chiến sĩ thi đua cơ sở" in client.get(f"/awards/initiatives/{item.pk}/").content.decode()
    )
    response = client.post(f"/awards/initiatives/{item.pk}/delete/")
    assert response.status_code == 200
    assert "đã được dùng cho một khen thưởng" in response.context["error"]
    assert Initiative.objects.filter(pk=item.pk).exists()

    services.award_delete(actor=None, award=award)
    assert client.get(f"/awards/initiatives/{item.pk}/delete/").status_code == 200
    response = client.post(f"/awards/initiatives/{item.pk}/delete/")
    assert response.status_code == 302
    assert not Initiative.objects.filter(pk=item.pk).exists()


def test_initiative_of_a_winner_keeps_its_author(
    tree: Any, personas: Any, person_a: Person
) -> None:
    other = add_person("P002", "Trần Thị Bình", tree.KTTV_A)
    item = initiative("Quan trắc tự động", [person_a, other], tree.KTTV_A)
    give("CSTDCS", 2024, person=person_a, initiatives=[item])
    response = login(personas.officer).post(
        f"/awards/initiatives/{item.pk}/edit/",
        {
            "kind": "INITIATIVE",
            "title": item.title,
            "authors": "P002",
            "unit": "KTTV_A",
            "level": "CO_SO",
            "recognized_on": "01/06/2023",
            "year": "2023",
        },
    )
    assert response.status_code == 200
    assert "không thể bỏ tác giả" in str(response.context["form"].errors["authors"])


# --- discipline ----------------------------------------------------------------------------


def test_discipline_pages_are_for_sensitive_roles_only(
    tree: Any, personas: Any, person_a: Person
) -> None:
    case = discipline(person_a)
    for name in ("viewer", "comms"):
        client = login(getattr(personas, name))
        assert client.get("/awards/disciplines/").status_code == 403
        assert client.get(f"/awards/disciplines/{case.pk}/").status_code == 403
    council = login(personas.council)
    assert listed(council.get("/awards/disciplines/")) == [case]
    assert council.get("/awards/disciplines/new/").status_code == 403


def test_discipline_list_filters_and_export(tree: Any, personas: Any, person_a: Person) -> None:
    other = add_person("P002", "Trần Thị Bình", tree.KTTV_B)
    decided = discipline(person_a, form="CANH_CAO")
    pending = discipline(other, status="PENDING")
    client = login(personas.officer)
    # Pending cases come first: they block every award.
    assert listed(client.get("/awards/disciplines/")) == [pending, decided]
    assert listed(client.get("/awards/disciplines/", {"status": "PENDING"})) == [pending]
    assert listed(client.get("/awards/disciplines/", {"form": "CANH_CAO"})) == [decided]
    assert listed(client.get("/awards/disciplines/", {"year": 2024})) == [decided]
    assert listed(client.get("/awards/disciplines/", {"q": "tran"})) == [pending]
    assert listed(client.get("/awards/disciplines/", {"unit": "KTTV_A"})) == [decided]

    header, *body = workbook_rows(client.get("/awards/disciplines/", {"format": "xlsx"}))
    assert header[0] == "Mã cán bộ"
    assert [r[0] for r in body] == ["P002", "P001"]
    assert body[1][4] == "Cảnh cáo"
    assert body[1][7] == "01/03/2024"


def test_discipline_create_and_edit(tree: Any, personas: Any, person_a: Person) -> None:
    client = login(personas.officer)
    post = {
        "person": "P001",
        "form": "KHIEN_TRACH",
        "status": "PENDING",
        "opened_on": "01/02/2024",
        "decided_on": "",
        "ends_on": "01/02/2025",
        "decision_number": "",
        "reason": "Vi phạm quy chế",
    }
    response = client.post("/awards/disciplines/new/", post)
    assert response.status_code == 200
    assert "chưa có thời hạn" in str(response.context["form"].errors["ends_on"])
    assert Discipline.objects.count() == 0

    response = client.post("/awards/disciplines/new/", {**post, "ends_on": ""})
    assert response.status_code == 302
    case = Discipline.objects.get()
    assert case.status == "PENDING"

    response = client.post(
        f"/awards/disciplines/{case.pk}/edit/",
        {**post, "status": "DECIDED", "decided_on": "01/04/2024", "ends_on": "01/04/2025"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.decided_on) == ("DECIDED", dt.date(2024, 4, 1))
    detail = client.get(f"/awards/disciplines/{case.pk}/")
    assert [e.action for e in detail.context["events"]] == [
        "discipline.update",
        "discipline.create",
    ]


# --- panels of the person and unit pages ------------------------------------------------------


def _panel(user: Any, fn: Any, subject: Any, template: str) -> tuple[str, int]:
    request = RequestFactory().get("/")
    request.user = user
    with CaptureQueriesContext(connection) as queries:
        context = fn(request, subject)
        html = render_to_string(template, context, request=request)
    return html, len(queries.captured_queries)


def test_person_records_panel(tree: Any, personas: Any, person_a: Person) -> None:
    item = initiative("Cảnh báo lũ quét", [person_a], tree.KTTV_A)
    give("CSTDCS", 2024, person=person_a, initiatives=[item])
    discipline(person_a, status="PENDING")
    template = "awards/includes/person_records.html"

    html, few = _panel(personas.officer, person_records_context, person_a, template)
    assert "Chiến sĩ thi đua cơ sở" in html
    assert "Cảnh báo lũ quét" in html
    assert "Khiển trách" in html
    assert "chờ xem xét" in html
    assert "/awards/new/?person=P001" in html

    viewer_html, _n = _panel(personas.viewer, person_records_context, person_a, template)
    assert "Chiến sĩ thi đua cơ sở" in viewer_html
    assert "Khiển trách" not in viewer_html  # discipline is personal data
    assert "/awards/new/" not in viewer_html

    for year in range(2000, 2024):
        give("LDTT", year, person=person_a)
    html, many = _panel(personas.officer, person_records_context, person_a, template)
    assert many <= few
    assert "Xem tất cả khen thưởng" in html


def test_unit_records_panel(tree: Any, personas: Any, person_a: Person) -> None:
    give("TTLDTT", 2024, unit=tree.KTTV_A)
    give("LDTT", 2024, person=person_a)
    initiative("Cảnh báo lũ quét", [person_a], tree.KTTV_A)
    discipline(person_a, status="PENDING")
    template = "awards/includes/unit_records.html"

    html, few = _panel(personas.head, unit_records_context, tree.KTTV, template)
    assert "Cảnh báo lũ quét" in html
    assert "1 khen thưởng cá nhân" in html
    assert "1 vụ việc đang xem xét" in html
    own, _n = _panel(personas.head, unit_records_context, tree.KTTV_A, template)
    assert "Tập thể lao động tiên tiến" in own
    assert "/awards/new/?unit=KTTV_A" in own

    comms_html, _n = _panel(personas.comms, unit_records_context, tree.KTTV_A, template)
    assert "đang xem xét" not in comms_html
    assert "/awards/new/" not in comms_html
    for year in range(2000, 2024):
        give("TTLDTT", year, unit=tree.KTTV_A)
    _html, many = _panel(personas.head, unit_records_context, tree.KTTV_A, template)
    assert many <= few + 1


def test_co_authors_outside_the_scope_are_named_not_linked(
    tree: Any, personas: Any, person_a: Person
) -> None:
    st = add_person("ST1", "Võ Thị Sóc", tree.ST_VP)
    item = initiative("Liên kết quan trắc vùng", [person_a, st], tree.KTTV_A)
    html = login(personas.officer).get(f"/awards/initiatives/{item.pk}/").content.decode()
    assert "Võ Thị Sóc" in html
    assert "/people/ST1/" not in html
    assert "/people/P001/" in html
