"""Exemplar pages as the personas see them: list, board, register, edit, delete, the
exemplar page with its moves and timeline, evidence files, export, permissions."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from openpyxl import load_workbook

from exemplars import services as ex
from exemplars.models import Attachment, Exemplar, ExemplarState
from exemplars.urls_pages import urlpatterns as page_patterns
from movements import services as mv
from movements.models import MovementKind
from tests import test_permissions
from tests.test_eligibility_rules import initiative, make_person, rate
from tests.test_exemplars_lifecycle import Y, excellent, judge_all, register
from tests.test_permissions import assert_object_pages

pytestmark = pytest.mark.django_db
S = ExemplarState
# A 1×1 transparent PNG.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489"
    "0000000d4944415478da63f8ffff3f0005fe02fea7d6a4b40000000049454e44ae426082"
)


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def fostering(actor: Any, tree: Any, code: str = "E10", passes: bool = True) -> Exemplar:
    person = make_person(tree, code)
    if passes:
        excellent(person, range(Y, Y + 1))
        initiative(person, Y)
    else:
        rate(person, {Y: "HTTNV"})
    exemplar = register(actor, tree.KTTV_A, person=person)
    return ex.transition(actor=actor, exemplar=exemplar, to=S.FOSTERING, note="Bồi dưỡng")


def form_data(**changes: Any) -> dict[str, Any]:
    data = {
        "subject_kind": "person",
        "person": "P001",
        "subject_unit": "",
        "unit": "KTTV_A",
        "title": "Mô hình cảnh báo lũ quét sớm",
        "field": "Khí tượng thủy văn",
        "scope": "COMPREHENSIVE",
        "practice_summary": "Kết hợp dữ liệu radar và trạm đo mưa tự động.",
        "practice_results": "Cảnh báo sớm 6 giờ cho 12 xã.",
        "year": str(Y),
        "plan": "",
        "movement": "",
    }
    data.update(changes)
    return data


# --- permissions ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["outsider", "viewer", "officer", "head", "standing", "council", "comms"]
)
def test_object_pages_allow_deny_and_hide(
    tree: Any, personas: Any, person_a: Any, persona: str, monkeypatch: Any
) -> None:
    exemplar = register(personas.officer, tree.KTTV_A, person=person_a)
    attachment = ex.attachment_add(
        actor=None,
        exemplar=exemplar,
        kind="PHOTO",
        file=SimpleUploadedFile("anh.png", PNG, content_type="image/png"),
    )
    # Only the pages of this module: the assessment and dashboard pages of the same
    # namespace are walked by their own tests with their own objects.
    mine = {p.name for p in page_patterns}
    every = test_permissions.site_patterns
    monkeypatch.setattr(
        test_permissions,
        "site_patterns",
        lambda: [(r, ns, p) for r, ns, p in every() if ns != "exemplars" or p.name in mine],
    )
    client = login(getattr(personas, persona))
    checked = assert_object_pages(
        client, persona, "exemplars", {"pk": str(exemplar.pk), "att": str(attachment.pk)}
    )
    assert checked == 7
    assert Exemplar.objects.filter(pk=exemplar.pk, state=S.DISCOVERED).exists()


def test_list_and_board_show_only_the_users_scope(tree: Any, personas: Any) -> None:
    mine = register(personas.officer, tree.KTTV_A, person=make_person(tree, "E01"))
    other = register(None, tree.ST, person=make_person(tree, "E02", unit=tree.ST))
    for url in ("/exemplars/", "/exemplars/board/"):
        page = login(personas.officer).get(url).content.decode()
        assert mine.title in page
        assert f"/exemplars/{other.pk}/" not in page
        assert f"/exemplars/{mine.pk}/" in page
    assert login(personas.officer).get(f"/exemplars/{other.pk}/").status_code == 404


def test_readers_see_no_action_buttons(tree: Any, personas: Any, person_a: Any) -> None:
    exemplar = register(personas.officer, tree.KTTV_A, person=person_a)
    for persona in ("comms", "viewer", "council"):
        response = login(getattr(personas, persona)).get(f"/exemplars/{exemplar.pk}/")
        assert response.status_code == 200
        assert response.context["moves"] == []
        page = response.content.decode()
        assert f"/exemplars/{exemplar.pk}/edit/" not in page
        assert f"/exemplars/{exemplar.pk}/transition/" not in page
        assert f"/exemplars/{exemplar.pk}/attachments/new/" not in page
        assert "Đưa vào bồi dưỡng" not in page
    officer = login(personas.officer).get(f"/exemplars/{exemplar.pk}/").content.decode()
    assert "Đưa vào bồi dưỡng" in officer
    assert "Dừng theo dõi" in officer
    assert f"/exemplars/{exemplar.pk}/delete/" in officer


def test_create_is_offered_only_to_those_who_manage_exemplars(tree: Any, personas: Any) -> None:
    assert login(personas.comms).get("/exemplars/new/").status_code == 403
    assert login(personas.viewer).get("/exemplars/new/").status_code == 403
    assert (
        'href="/exemplars/new/"' not in login(personas.viewer).get("/exemplars/").content.decode()
    )
    assert 'href="/exemplars/new/"' in login(personas.officer).get("/exemplars/").content.decode()


# --- create, edit, delete ------------------------------------------------------------------


def test_create_registers_and_opens_the_exemplar(tree: Any, personas: Any, person_a: Any) -> None:
    response = login(personas.officer).post("/exemplars/new/", form_data())
    exemplar = Exemplar.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/exemplars/{exemplar.pk}/"
    assert exemplar.person == person_a
    assert exemplar.unit == tree.KTTV_A
    assert exemplar.state == S.DISCOVERED
    assert exemplar.created_by == personas.officer
    assert list(exemplar.transitions.values_list("to_state", flat=True)) == [S.DISCOVERED]


def test_create_a_collective(tree: Any, personas: Any) -> None:
    data = form_data(subject_kind="unit", person="", subject_unit="KTTV_B", unit="KTTV")
    assert login(personas.officer).post("/exemplars/new/", data).status_code == 302
    exemplar = Exemplar.objects.get()
    assert exemplar.subject_unit == tree.KTTV_B and exemplar.person is None
    assert exemplar.unit == tree.KTTV


def test_create_with_errors_shows_them_next_to_fields_and_writes_nothing(
    tree: Any, personas: Any, person_a: Any
) -> None:
    client = login(personas.officer)
    response = client.post(
        "/exemplars/new/", form_data(person="NOBODY", title="", practice_summary="")
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "NOBODY" in form.errors["person"][0]
    assert "title" in form.errors and "practice_summary" in form.errors
    assert 'id="id_person_error"' in response.content.decode()
    # A person of another unit's scope reads like an unknown one.
    outside = make_person(tree, "E09", unit=tree.ST)
    response = client.post("/exemplars/new/", form_data(person=outside.code))
    assert outside.code in response.context["form"].errors["person"][0]
    # The service's own check (the subject must belong to the discovering unit) lands
    # on the subject's field.
    response = client.post("/exemplars/new/", form_data(unit="KTTV_B"))
    assert response.status_code == 200
    assert "không thuộc đơn vị" in response.context["form"].errors["person"][0]
    assert Exemplar.objects.count() == 0


def test_create_prefills_from_a_movements_exemplar_candidate(
    tree: Any, personas: Any, person_a: Any
) -> None:
    movement = mv.movement_create(
        actor=None,
        launching_unit=tree.KTTV,
        code="PT2025",
        name="Kỷ cương trách nhiệm",
        kind=MovementKind.REGULAR,
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2099, 12, 31),
    )
    client = login(personas.officer)
    response = client.get(f"/exemplars/new/?movement={movement.pk}&person={person_a.code}")
    initial = response.context["form"].initial
    assert initial["movement"] == str(movement.pk)
    assert initial["person"] == "P001"
    assert initial["unit"] == "KTTV_A"
    assert initial["subject_kind"] == "person"
    assert initial["year"] == dt.date.today().year
    response = client.get(f"/exemplars/new/?movement={movement.pk}&unit=KTTV_B")
    initial = response.context["form"].initial
    assert (initial["subject_kind"], initial["subject_unit"], initial["unit"]) == (
        "unit",
        "KTTV_B",
        "KTTV_B",
    )
    # A person out of the user's reach is not prefilled.
    outside = make_person(tree, "E09", unit=tree.ST)
    response = client.get(f"/exemplars/new/?person={outside.code}")
    assert "person" not in response.context["form"].initial


def test_edit_saves_and_shows_errors(tree: Any, personas: Any, person_a: Any) -> None:
    exemplar = register(personas.officer, tree.KTTV_A, person=person_a)
    client = login(personas.officer)
    url = f"/exemplars/{exemplar.pk}/edit/"
    assert client.get(url).context["form"].initial["title"] == exemplar.title
    data = form_data(title="Tên mới", field="Thủy văn")
    assert client.post(url, data).status_code == 302
    exemplar.refresh_from_db()
    assert (exemplar.title, exemplar.field) == ("Tên mới", "Thủy văn")
    response = client.post(url, form_data(title="   "))
    assert response.status_code == 200
    assert "title" in response.context["form"].errors
    exemplar.refresh_from_db()
    assert exemplar.title == "Tên mới"


def test_delete_asks_first_and_works_only_for_a_new_exemplar(
    tree: Any, personas: Any, person_a: Any
) -> None:
    exemplar = register(personas.officer, tree.KTTV_A, person=person_a)
    client = login(personas.officer)
    url = f"/exemplars/{exemplar.pk}/delete/"
    assert "Xóa điển hình?" in client.get(url).content.decode()
    assert Exemplar.objects.filter(pk=exemplar.pk).exists()
    moved = fostering(personas.officer, tree)
    response = client.post(f"/exemplars/{moved.pk}/delete/", {"confirmed": "1"}, follow=True)
    assert "Chỉ xóa được điển hình mới phát hiện" in response.content.decode()
    assert Exemplar.objects.filter(pk=moved.pk).exists()
    response = client.post(url, {"confirmed": "1"})
    assert response.status_code == 302
    assert not Exemplar.objects.filter(pk=exemplar.pk).exists()


# --- moves of the lifecycle ---------------------------------------------------------------


def test_a_refused_recognition_lists_every_failing_criterion_and_changes_nothing(
    tree: Any, personas: Any
) -> None:
    exemplar = fostering(personas.officer, tree, passes=False)
    response = login(personas.head).post(
        f"/exemplars/{exemplar.pk}/transition/", {"to": S.RECOGNIZED, "year": str(Y)}
    )
    assert response.status_code == 200
    error = response.context["transition_error"]
    assert "3 tiêu chí chưa đạt" in error["message"]
    assert len(error["conditions"]) == 3
    page = response.content.decode()
    for explanation in error["conditions"]:
        assert explanation in page
    exemplar.refresh_from_db()
    assert exemplar.state == S.FOSTERING
    assert exemplar.transitions.count() == 2


def test_recognising_warns_of_judgement_criteria_not_yet_reviewed(tree: Any, personas: Any) -> None:
    exemplar = fostering(personas.officer, tree)
    client = login(personas.head)
    response = client.get(f"/exemplars/{exemplar.pk}/")
    assert response.context["pending"]
    assert 'data-testid="pending-judgements"' in response.content.decode()
    judge_all(personas.head, exemplar)
    response = client.get(f"/exemplars/{exemplar.pk}/")
    assert response.context["pending"] == []
    response = client.post(
        f"/exemplars/{exemplar.pk}/transition/", {"to": S.RECOGNIZED, "year": str(Y)}
    )
    assert response.status_code == 302
    exemplar.refresh_from_db()
    assert (exemplar.state, exemplar.recognized_year) == (S.RECOGNIZED, Y)


def test_each_move_belongs_to_its_role(tree: Any, personas: Any, person_a: Any) -> None:
    exemplar = register(personas.officer, tree.KTTV_A, person=person_a)
    url = f"/exemplars/{exemplar.pk}/transition/"
    officer = login(personas.officer)
    assert officer.post(url, {"to": S.FOSTERING, "note": "Theo dõi"}).status_code == 302
    exemplar.refresh_from_db()
    assert exemplar.state == S.FOSTERING
    # Recognition is the head's; the service answers 403 to the officer.
    assert officer.post(url, {"to": S.RECOGNIZED}).status_code == 403
    moves = [m["to"] for m in officer.get(f"/exemplars/{exemplar.pk}/").context["moves"]]
    assert moves == [S.DROPPED]
    head_moves = login(personas.head).get(f"/exemplars/{exemplar.pk}/").context["moves"]
    assert [m["label"] for m in head_moves] == ["Công nhận điển hình", "Dừng theo dõi"]
    assert login(personas.viewer).post(url, {"to": S.DROPPED, "note": "x"}).status_code == 403
    assert login(personas.outsider).post(url, {"to": S.DROPPED, "note": "x"}).status_code == 404


def test_an_illegal_move_shows_the_conflict(tree: Any, personas: Any, person_a: Any) -> None:
    exemplar = register(personas.officer, tree.KTTV_A, person=person_a)
    response = login(personas.admin).post(
        f"/exemplars/{exemplar.pk}/transition/", {"to": S.NATIONAL}
    )
    assert response.status_code == 200
    assert "Không thể chuyển điển hình" in response.context["transition_error"]["message"]
    exemplar.refresh_from_db()
    assert exemplar.state == S.DISCOVERED


def test_dropping_needs_a_reason_shown_next_to_the_field(
    tree: Any, personas: Any, person_a: Any
) -> None:
    exemplar = register(personas.officer, tree.KTTV_A, person=person_a)
    client = login(personas.officer)
    response = client.post(f"/exemplars/{exemplar.pk}/transition/", {"to": S.DROPPED})
    assert response.status_code == 200
    move = next(m for m in response.context["moves"] if m["to"] == S.DROPPED)
    assert move["open"] and "note" in move["form"].errors
    assert 'id="id_dropped_note_error"' in response.content.decode()
    exemplar.refresh_from_db()
    assert exemplar.state == S.DISCOVERED
    client.post(f"/exemplars/{exemplar.pk}/transition/", {"to": S.DROPPED, "note": "Nghỉ hưu"})
    exemplar.refresh_from_db()
    assert exemplar.state == S.DROPPED


def test_sector_decision_is_required_and_shown_on_the_timeline(tree: Any, personas: Any) -> None:
    exemplar = fostering(personas.officer, tree)
    ex.transition(actor=personas.head, exemplar=exemplar, to=S.RECOGNIZED, year=Y)
    ex.transition(actor=personas.standing, exemplar=exemplar, to=S.PROPOSED)
    client = login(personas.standing)
    url = f"/exemplars/{exemplar.pk}/transition/"
    response = client.post(url, {"to": S.SECTOR})
    move = next(m for m in response.context["moves"] if m["to"] == S.SECTOR)
    assert {"decision_number", "decision_date", "authority"} <= set(move["form"].errors)
    response = client.post(url, {"to": S.SECTOR, "decision_date": "32/13/2025"})
    move = next(m for m in response.context["moves"] if m["to"] == S.SECTOR)
    assert "decision_date" in move["form"].errors
    response = client.post(
        url,
        {
            "to": S.SECTOR,
            "decision_number": "123/QĐ-BTNMT",
            "decision_date": "01/03/2025",
            "authority": "Bộ Tài nguyên và Môi trường",
        },
        follow=True,
    )
    exemplar.refresh_from_db()
    assert exemplar.state == S.SECTOR
    timeline = response.context["timeline"]
    assert [t.to_state for t in timeline] == [
        S.DISCOVERED,
        S.FOSTERING,
        S.RECOGNIZED,
        S.PROPOSED,
        S.SECTOR,
    ]
    page = response.content.decode()
    assert "Quyết định số 123/QĐ-BTNMT ngày 01/03/2025 của Bộ Tài nguyên và Môi trường" in page
    assert "standing" in page
    assert timezone.localtime(timeline[-1].at).strftime("%d/%m/%Y %H:%M") in page


def test_a_proposal_sent_back_needs_the_reason(tree: Any, personas: Any) -> None:
    exemplar = fostering(personas.officer, tree)
    ex.transition(actor=personas.head, exemplar=exemplar, to=S.RECOGNIZED, year=Y)
    ex.transition(actor=personas.standing, exemplar=exemplar, to=S.PROPOSED)
    client = login(personas.standing)
    labels = [m["label"] for m in client.get(f"/exemplars/{exemplar.pk}/").context["moves"]]
    assert "Cấp trên chưa công nhận (trả lại)" in labels
    assert "Ghi nhận quyết định toàn ngành" in labels
    response = client.post(f"/exemplars/{exemplar.pk}/transition/", {"to": S.RECOGNIZED})
    move = next(m for m in response.context["moves"] if m["to"] == S.RECOGNIZED)
    assert "note" in move["form"].errors
    exemplar.refresh_from_db()
    assert exemplar.state == S.PROPOSED


# --- evidence files ---------------------------------------------------------------------------


def test_photos_and_documents_are_uploaded_served_and_deleted(
    tree: Any, personas: Any, person_a: Any
) -> None:
    exemplar = register(personas.officer, tree.KTTV_A, person=person_a)
    client = login(personas.officer)
    add = f"/exemplars/{exemplar.pk}/attachments/new/"
    photo = SimpleUploadedFile("hien-truong.png", PNG, content_type="image/png")
    response = client.post(add, {"kind": "PHOTO", "file": photo, "caption": "Hiện trường"})
    assert response.status_code == 302
    doc = SimpleUploadedFile("bao-cao.pdf", b"%PDF-1.4 test", content_type="application/pdf")
    assert client.post(add, {"kind": "DOCUMENT", "file": doc}).status_code == 302
    photo_row, doc_row = Attachment.objects.order_by("pk")
    page = client.get(f"/exemplars/{exemplar.pk}/").content.decode()
    photo_url = f"/exemplars/{exemplar.pk}/attachments/{photo_row.pk}/"
    assert f'<img src="{photo_url}"' in page
    assert 'alt="Hiện trường"' in page
    assert f'href="/exemplars/{exemplar.pk}/attachments/{doc_row.pk}/">bao-cao.pdf</a>' in page
    assert "/media/" not in page
    # Files come through the permission check: a reader of the unit, not an outsider.
    response = login(personas.viewer).get(photo_url)
    assert response.status_code == 200
    assert response.getvalue() == PNG
    assert not response["Content-Disposition"].startswith("attachment")
    document = login(personas.viewer).get(f"/exemplars/{exemplar.pk}/attachments/{doc_row.pk}/")
    assert document["Content-Disposition"].startswith("attachment")
    assert login(personas.outsider).get(photo_url).status_code == 404
    # A wrong type is refused next to the field; nothing is stored.
    bad = SimpleUploadedFile("virus.exe", b"MZ", content_type="application/octet-stream")
    response = client.post(add, {"kind": "DOCUMENT", "file": bad})
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert Attachment.objects.count() == 2
    # Delete asks first.
    delete = f"/exemplars/{exemplar.pk}/attachments/{photo_row.pk}/delete/"
    assert "Xóa tệp?" in client.get(delete).content.decode()
    assert client.post(delete, {"confirmed": "1"}).status_code == 302
    assert list(Attachment.objects.values_list("pk", flat=True)) == [doc_row.pk]


def test_an_attachment_of_another_exemplar_is_not_found(
    tree: Any, personas: Any, person_a: Any
) -> None:
    first = register(personas.officer, tree.KTTV_A, person=person_a)
    second = register(personas.officer, tree.KTTV_A, person=make_person(tree, "E01"))
    attachment = ex.attachment_add(
        actor=None,
        exemplar=first,
        kind="PHOTO",
        file=SimpleUploadedFile("a.png", PNG, content_type="image/png"),
    )
    client = login(personas.officer)
    assert client.get(f"/exemplars/{second.pk}/attachments/{attachment.pk}/").status_code == 404
    url = f"/exemplars/{second.pk}/attachments/{attachment.pk}/delete/"
    assert client.post(url, {"confirmed": "1"}).status_code == 404
    assert Attachment.objects.filter(pk=attachment.pk).exists()


# --- list, board, export -----------------------------------------------------------------------


@pytest.fixture
def catalogue(tree: Any, personas: Any) -> dict[str, Exemplar]:
    """Four exemplars inside KTTV (three states, two years, a collective) and one outside."""
    radar = register(personas.officer, tree.KTTV_A, person=make_person(tree, "E01"))
    ex.exemplar_update(actor=None, exemplar=radar, field="Khí tượng")
    flood = fostering(personas.officer, tree, code="E02")
    ex.exemplar_update(
        actor=None, exemplar=flood, title="Cảnh báo lũ quét cho vùng núi", field="Thủy văn"
    )
    team = ex.exemplar_create(
        actor=None,
        unit=tree.KTTV_B,
        subject_unit=tree.KTTV_B,
        title="Tập thể đổi mới công nghệ dự báo",
        practice_summary="Tự động hóa bản tin.",
        year=Y - 1,
        field="Khí tượng",
    )
    dropped = register(personas.officer, tree.KTTV_A, person=make_person(tree, "E03"))
    ex.transition(actor=personas.officer, exemplar=dropped, to=S.DROPPED, note="Chuyển công tác")
    outside = register(None, tree.ST, person=make_person(tree, "E04", unit=tree.ST))
    return {"radar": radar, "flood": flood, "team": team, "dropped": dropped, "outside": outside}


def listed(client: Client, **params: Any) -> set[int]:
    response = client.get("/exemplars/", params)
    assert response.status_code == 200
    return {e.pk for e in response.context["page"].object_list}


def test_list_search_and_filters(personas: Any, catalogue: dict[str, Exemplar]) -> None:
    c = catalogue
    client = login(personas.standing)
    inside = {c["radar"].pk, c["flood"].pk, c["team"].pk, c["dropped"].pk}
    assert listed(client) == inside | {c["outside"].pk}
    # Diacritic-insensitive, on the title and the subject's name.
    assert listed(client, q="lu quet") == {c["flood"].pk}
    assert listed(client, q="CẢNH BÁO LŨ") == {c["flood"].pk}
    assert listed(client, q="can bo e01") == {c["radar"].pk}
    assert listed(client, unit="KTTV") == inside
    assert listed(client, unit="KTTV_B") == {c["team"].pk}
    assert listed(client, field="Khí tượng") == {c["radar"].pk, c["team"].pk}
    assert listed(client, year=str(Y - 1)) == {c["team"].pk}
    assert listed(client, state=S.FOSTERING) == {c["flood"].pk}
    assert listed(client, kind="unit") == {c["team"].pk}
    assert c["team"].pk not in listed(client, kind="person")
    assert listed(client, q="khong co gi nhu the") == set()
    response = client.get("/exemplars/", {"q": "khong co gi nhu the"})
    assert "Không có điển hình nào khớp" in response.content.decode()
    # The field filter offers the fields in use.
    choices = dict(client.get("/exemplars/").context["form"].fields["field"].choices)
    assert {"Khí tượng", "Thủy văn"} <= set(choices)


def test_board_columns_by_state_with_closed_counts_and_filters(
    personas: Any, catalogue: dict[str, Exemplar]
) -> None:
    c = catalogue
    client = login(personas.officer)
    response = client.get("/exemplars/board/")
    columns = {col["state"]: col for col in response.context["columns"]}
    assert list(columns) == [S.DISCOVERED, S.FOSTERING, S.RECOGNIZED, S.PROPOSED, S.SECTOR,
                             S.NATIONAL]  # fmt: skip
    assert {e.pk for e in columns[S.DISCOVERED]["cards"]} == {c["radar"].pk, c["team"].pk}
    assert [e.pk for e in columns[S.FOSTERING]["cards"]] == [c["flood"].pk]
    assert columns[S.RECOGNIZED]["count"] == 0
    closed = {col["state"]: col for col in response.context["closed"]}
    assert closed[S.DROPPED]["count"] == 1
    assert closed[S.DROPPED]["list_url"].endswith("state=DROPPED")
    page = response.content.decode()
    assert f'href="/exemplars/{c["flood"].pk}/"' in page
    assert f"/exemplars/{c['dropped'].pk}/" not in page  # only counted, behind the link
    response = client.get("/exemplars/board/", {"unit": "KTTV_B", "year": str(Y - 1)})
    columns = {col["state"]: col for col in response.context["columns"]}
    assert [e.pk for e in columns[S.DISCOVERED]["cards"]] == [c["team"].pk]
    assert columns[S.FOSTERING]["count"] == 0
    closed_link = response.context["closed"][0]["list_url"]
    assert "unit=KTTV_B" in closed_link and f"year={Y - 1}" in closed_link


def test_board_caps_each_column_and_links_to_the_rest(tree: Any, personas: Any) -> None:
    from exemplars import views

    for n in range(views.BOARD_CARDS + 2):
        register(None, tree.KTTV_A, person=make_person(tree, f"B{n:02d}"))
    response = login(personas.officer).get("/exemplars/board/")
    column = response.context["columns"][0]
    assert column["count"] == views.BOARD_CARDS + 2
    assert len(column["cards"]) == views.BOARD_CARDS
    assert column["more"]
    assert "state=DISCOVERED" in column["list_url"]


def test_export_has_vietnamese_headers_and_the_filtered_rows(
    personas: Any, catalogue: dict[str, Exemplar]
) -> None:
    response = login(personas.officer).get(
        "/exemplars/", {"format": "xlsx", "field": "Khí tượng", "page": "2"}
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == (
        "Tên điển hình",
        "Đối tượng",
        "Mã cá nhân, tập thể",
        "Cá nhân, tập thể",
        "Đơn vị phát hiện",
    )
    assert "Trạng thái" in rows[0] and "Tiêu chuẩn áp dụng" in rows[0]
    body = {r[0]: r for r in rows[1:]}
    assert set(body) == {catalogue["radar"].title, catalogue["team"].title}
    team = body[catalogue["team"].title]
    assert team[1] == "Tập thể"
    assert team[2] == "KTTV_B"
    assert team[8] == "Mới phát hiện"
    assert team[7] == Y - 1


def test_list_and_board_query_counts_do_not_grow(
    tree: Any, personas: Any, django_assert_max_num_queries: Any
) -> None:
    register(personas.officer, tree.KTTV_A, person=make_person(tree, "Q00"))
    client = login(personas.officer)
    few: dict[str, int] = {}
    for url in ("/exemplars/", "/exemplars/board/", "/exemplars/?format=xlsx"):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        few[url] = len(captured.captured_queries)
    for n in range(1, 40):
        person = make_person(tree, f"Q{n:02d}", unit=tree.KTTV_B if n % 2 else tree.KTTV_A)
        exemplar = ex.exemplar_create(
            actor=None,
            unit=person.unit,
            person=person,
            title=f"Điển hình {n}",
            practice_summary="Cách làm hay.",
            year=Y - n % 3,
            field=f"Lĩnh vực {n % 4}",
        )
        if n % 3 == 0:
            ex.transition(actor=personas.admin, exemplar=exemplar, to=S.FOSTERING)
    for url, count in few.items():
        with django_assert_max_num_queries(count):
            response = client.get(url)
        assert response.status_code == 200
    assert len(client.get("/exemplars/").context["page"].object_list) == 25


def test_person_suggestions_come_from_the_users_scope(
    tree: Any, personas: Any, person_a: Any
) -> None:
    make_person(tree, "E09", unit=tree.ST)
    client = login(personas.officer)
    options = client.get("/exemplars/person-options/", {"person": "nguyen van an"}).content
    assert b'value="P001"' in options
    assert b"E09" not in client.get("/exemplars/person-options/", {"person": "E09"}).content
    assert login(personas.viewer).get("/exemplars/person-options/").status_code == 403


def test_list_filters_one_unit_only_and_several_states(tree: Any, personas: Any) -> None:
    """The quota dashboard drills down to a unit's own exemplars, the funnel to a stage
    and everything beyond it."""
    own = register(personas.officer, tree.KTTV, subject_unit=tree.KTTV_B)
    below = register(personas.officer, tree.KTTV_A, person=make_person(tree, "F01"))
    ex.transition(actor=personas.officer, exemplar=below, to=ExemplarState.FOSTERING)
    client = login(personas.officer)
    subtree = client.get(f"/exemplars/?unit=KTTV&year={Y}")
    assert {e.pk for e in subtree.context["page"]} == {own.pk, below.pk}
    only = client.get(f"/exemplars/?unit=KTTV&year={Y}&only=1")
    assert {e.pk for e in only.context["page"]} == {own.pk}
    states = client.get("/exemplars/?state=FOSTERING&state=RECOGNIZED")
    assert {e.pk for e in states.context["page"]} == {below.pk}


def test_a_dropped_exemplar_takes_no_more_reviews(tree: Any, personas: Any) -> None:
    from core.errors import Conflict

    exemplar = register(personas.officer, tree.KTTV_A, person=make_person(tree, "F02"))
    ex.transition(
        actor=personas.officer, exemplar=exemplar, to=ExemplarState.DROPPED, note="Nghỉ hưu"
    )
    with pytest.raises(Conflict):
        ex.review_record(
            actor=personas.head,
            exemplar=exemplar,
            year=Y,
            condition_id="DH.chung.tuong_than",
            met=True,
            comment="Tốt.",
        )
