"""Organisation pages as the personas of tests/conftest.py see them: the unit list
(search, filters, export, query count), detail, restructuring through the forms
(merge, split, move, rename, rating), the tree as of a year, clusters and councils."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from core.choices import Rating
from organizations import services as org
from organizations.models import (
    Cluster,
    Council,
    CouncilMember,
    CouncilRole,
    Unit,
    UnitKind,
    UnitRating,
    UnitStatus,
)
from people import services as ppl
from people.models import Person
from tests.conftest import START

pytestmark = pytest.mark.django_db


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def listed(response: Any) -> list[str]:
    assert response.status_code == 200
    return [u.code for u in response.context["page"].object_list]


def text(response: Any) -> str:
    return response.content.decode()


def merge_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "others": ["KTTV_B"],
        "target": "new",
        "code": "KTTV_NB",
        "name": "Đài Khí tượng Thủy văn Nam Bộ mới",
        "kind": UnitKind.AFFILIATED,
        "parent": "KTTV",
        "on": "01/01/2025",
        "note": "Quyết định 123/QĐ-BTNMT",
    }
    data.update(overrides)
    return data


# --- list ---------------------------------------------------------------------------------


def test_list_search_ignores_diacritics_and_case(tree: Any, personas: Any) -> None:
    client = login(personas.standing)
    assert listed(client.get("/units/", {"q": "soc trang"})) == ["STNMT_ST"]
    assert listed(client.get("/units/", {"q": "SÓC TRĂNG"})) == ["STNMT_ST"]
    assert listed(client.get("/units/", {"q": "khi tuong thuy van"})) == [
        "KTTV", "KTTV_A", "KTTV_B",
    ]  # fmt: skip
    # The code is searchable as well.
    assert listed(client.get("/units/", {"q": "st_vp"})) == ["ST_VP"]
    response = client.get("/units/", {"q": "không có đơn vị này"})
    assert listed(response) == []
    assert "Không có đơn vị nào khớp" in text(response)


def test_list_is_tree_ordered_and_limited_to_scope(tree: Any, personas: Any) -> None:
    codes = listed(login(personas.standing).get("/units/"))
    # Each unit comes after its parent, and a subtree stays together.
    assert codes[0] == "MIN"
    assert codes.index("KTTV") < codes.index("KTTV_A")
    assert codes.index("STNMT_ST") + 1 == codes.index("ST_VP")
    assert set(codes) == {"MIN", "TCCB", "KTTV", "KTTV_A", "KTTV_B", "STNMT_ST", "ST_VP"}
    # An officer of KTTV sees only that subtree.
    assert listed(login(personas.officer).get("/units/")) == ["KTTV", "KTTV_A", "KTTV_B"]


def test_list_filters_kind_subtree_and_status(tree: Any, personas: Any) -> None:
    client = login(personas.standing)
    assert listed(client.get("/units/", {"kind": UnitKind.AFFILIATED})) == ["KTTV_A", "KTTV_B"]
    assert listed(client.get("/units/", {"under": "STNMT_ST"})) == ["STNMT_ST", "ST_VP"]
    org.units_merge(actor=None, sources=[tree.KTTV_B], into=tree.KTTV_A, on=dt.date(2025, 1, 1))
    # Active units by default; merged ones on request.
    assert "KTTV_B" not in listed(client.get("/units/"))
    merged = client.get("/units/", {"status": "merged"})
    assert listed(merged) == ["KTTV_B"]
    assert "Đài Khí tượng Thủy văn khu vực Nam Bộ" in text(merged)  # its successor is named
    assert "KTTV_B" in listed(client.get("/units/", {"status": "all", "under": "KTTV"}))
    # A subtree outside the user's scope matches nothing.
    assert listed(login(personas.officer).get("/units/", {"under": "STNMT_ST"})) == []


def test_list_offers_create_and_import_only_to_org_managers(tree: Any, personas: Any) -> None:
    assert "/units/new/" in text(login(personas.standing).get("/units/"))
    assert "/units/import/" in text(login(personas.standing).get("/units/"))
    for persona in (personas.viewer, personas.officer, personas.head):
        page = text(login(persona).get("/units/"))
        assert "/units/new/" not in page
        assert "/units/import/" not in page


def test_list_pagination(tree: Any, personas: Any, settings: Any) -> None:
    settings.PAGE_SIZE = 3
    client = login(personas.standing)
    first = client.get("/units/")
    assert len(listed(first)) == 3
    assert "Trang 1/3" in text(first)
    last = client.get("/units/", {"page": 3})
    assert listed(last) == ["ST_VP"]


def test_export_holds_the_filtered_rows(tree: Any, personas: Any) -> None:
    response = login(personas.standing).get("/units/", {"under": "KTTV", "format": "xlsx"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:5] == ("Mã đơn vị", "Tên đơn vị", "Tên viết tắt", "Loại", "Mã đơn vị cấp trên")
    body: dict[Any, Any] = {row[0]: row for row in rows[1:]}
    assert set(body) == {"KTTV", "KTTV_A", "KTTV_B"}
    assert body["KTTV_A"][1] == "Đài Khí tượng Thủy văn khu vực Nam Bộ"
    assert body["KTTV_A"][4] == "KTTV"
    assert body["KTTV_A"][5] == "Đang hoạt động"
    assert body["KTTV_A"][6].date() == START


def test_list_query_count_does_not_grow_with_units(
    tree: Any, personas: Any, django_assert_max_num_queries: Any
) -> None:
    client = login(personas.standing)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/units/", {"status": "all"}).status_code == 200
    for index in range(30):
        unit = org.unit_create(
            actor=None, code=f"X{index}", name=f"Phòng {index}", parent=tree.KTTV_A,
            valid_from=START,
        )  # fmt: skip
        if index % 3 == 0:
            org.unit_create(actor=None, code=f"Y{index}", name=f"Tổ {index}", parent=unit,
                            valid_from=START)  # fmt: skip
    org.units_merge(actor=None, sources=[tree.KTTV_B], into=tree.KTTV_A, on=dt.date(2025, 1, 1))
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/units/", {"status": "all"})
    assert len(listed(response)) == 25


# --- detail -------------------------------------------------------------------------------


def test_detail_is_404_outside_the_scope(tree: Any, personas: Any) -> None:
    outsider = login(personas.outsider)
    assert outsider.get("/units/KTTV_A/").status_code == 404
    assert outsider.get("/units/NO_SUCH_UNIT/").status_code == 404
    assert outsider.get("/units/ST_VP/").status_code == 200


def test_detail_shows_people_children_versions_and_history(
    tree: Any, personas: Any, person_a: Any
) -> None:
    response = login(personas.viewer).get("/units/KTTV/")
    page = text(response)
    assert response.status_code == 200
    assert "Tổng cục Khí tượng Thủy văn" in page
    assert "/people/?unit=KTTV" in page
    assert "Đài Khí tượng Thủy văn khu vực Nam Bộ" in page  # an active child
    assert "1 kể cả các đơn vị cấp dưới" in page  # person_a sits in KTTV_A
    assert "Tạo đơn vị" in page  # audit history, by its readable label
    # A read-only user gets no action buttons.
    assert "/units/KTTV/merge/" not in page
    assert "/units/KTTV/merge/" in text(login(personas.standing).get("/units/KTTV/"))


ACTION_PAGES = ["edit", "move", "merge", "split", "rating"]


@pytest.mark.parametrize("action", ACTION_PAGES)
def test_read_only_user_gets_403_on_action_pages(
    action: str, tree: Any, personas: Any, person_a: Any
) -> None:
    viewer = login(personas.viewer)
    assert viewer.get(f"/units/KTTV_A/{action}/").status_code == 403
    posted = viewer.post(f"/units/KTTV_A/{action}/", {
        **merge_form(), "step": "confirm", "confirmed": "on", "name": "Đổi tên",
        "year": "2024", "rating": Rating.HTXSNV, "parts-TOTAL_FORMS": "2",
        "parts-INITIAL_FORMS": "0", "parts-0-code": "S1", "parts-0-name": "A",
        "parts-1-code": "S2", "parts-1-name": "B",
    })  # fmt: skip
    assert posted.status_code == 403
    unit = Unit.objects.get(code="KTTV_A")
    assert unit.status == UnitStatus.ACTIVE
    assert unit.name == "Đài Khí tượng Thủy văn khu vực Nam Bộ"
    assert not UnitRating.objects.exists()
    assert not Unit.objects.filter(code__in=["KTTV_NB", "S1"]).exists()


@pytest.mark.parametrize("action", ACTION_PAGES)
def test_outsider_gets_404_on_action_pages(action: str, tree: Any, personas: Any) -> None:
    assert login(personas.outsider).get(f"/units/KTTV_A/{action}/").status_code == 404


# --- restructuring through the forms -------------------------------------------------------


def test_merge_into_a_new_unit_keeps_people_and_ratings_reachable(
    tree: Any, personas: Any, person_a: Any
) -> None:
    org.unit_rating_set(actor=None, unit=tree.KTTV_A, year=2023, rating=Rating.HTXSNV)
    org.unit_rating_set(actor=None, unit=tree.KTTV_B, year=2024, rating=Rating.HTTNV)
    client = login(personas.standing)

    # First post: a summary to confirm, nothing written yet.
    summary = client.post("/units/KTTV_A/merge/", merge_form())
    assert summary.status_code == 200
    assert "Tôi xác nhận việc sáp nhập" in text(summary)
    assert "1 cán bộ sẽ chuyển sang" in text(summary)
    assert not Unit.objects.filter(code="KTTV_NB").exists()

    # Confirming without ticking the box still writes nothing.
    unticked = client.post("/units/KTTV_A/merge/", {**merge_form(), "step": "confirm"})
    assert "Hãy đánh dấu ô xác nhận" in text(unticked)
    assert not Unit.objects.filter(code="KTTV_NB").exists()

    done = client.post(
        "/units/KTTV_A/merge/", {**merge_form(), "step": "confirm", "confirmed": "on"}
    )
    assert done.status_code == 302
    assert done["Location"] == "/units/KTTV_NB/"

    successor = Unit.objects.get(code="KTTV_NB")
    assert successor.parent == tree.KTTV
    for code in ("KTTV_A", "KTTV_B"):
        old = Unit.objects.get(code=code)
        assert old.status == UnitStatus.MERGED
        assert old.valid_to == dt.date(2024, 12, 31)
    assert Person.objects.get(pk=person_a.pk).unit == successor

    page = client.get("/units/KTTV_NB/")
    ratings = page.context["ratings"]
    assert {(r.year, r.rating, r.unit.code) for r, _link in ratings} == {
        (2023, Rating.HTXSNV, "KTTV_A"), (2024, Rating.HTTNV, "KTTV_B"),
    }  # fmt: skip
    html = text(page)
    assert "Hoàn thành xuất sắc nhiệm vụ" in html
    assert "tiền thân" in html
    assert "Đài Khí tượng Thủy văn khu vực Nam Bộ" in html  # the predecessor is named
    assert page.context["direct_people"] == 1

    old_page = client.get("/units/KTTV_A/")
    assert old_page.status_code == 200
    assert "Đã sáp nhập vào Đài Khí tượng Thủy văn Nam Bộ mới" in text(old_page)
    # A closed unit cannot be restructured again.
    assert "/units/KTTV_A/merge/" not in text(old_page)
    # The head of KTTV still reaches the merged units through the successor's subtree.
    assert login(personas.head).get("/units/KTTV_B/").status_code == 200


def test_merge_into_an_existing_unit(tree: Any, personas: Any) -> None:
    client = login(personas.standing)
    data = merge_form(others=[], target="existing", into="KTTV_A", code="", name="")
    summary = client.post("/units/KTTV_B/merge/", data)
    assert "Tôi xác nhận" in text(summary)
    # "Back to edit" returns to the filled-in form without writing anything.
    back = client.post("/units/KTTV_B/merge/", {**data, "step": ["confirm", "edit"]})
    assert "Xem lại trước khi sáp nhập" in text(back)
    assert back.context["form"]["into"].value() == "KTTV_A"
    assert Unit.objects.get(code="KTTV_B").status == UnitStatus.ACTIVE
    done = client.post("/units/KTTV_B/merge/", {**data, "step": "confirm", "confirmed": "on"})
    assert done["Location"] == "/units/KTTV_A/"
    assert Unit.objects.get(code="KTTV_B").status == UnitStatus.MERGED
    assert Unit.objects.get(code="KTTV_B").parent == tree.KTTV_A


def test_merge_form_errors_show_next_to_the_fields(tree: Any, personas: Any) -> None:
    client = login(personas.standing)
    # Form-level: an existing code, and a new unit without other units.
    response = client.post("/units/KTTV_A/merge/", merge_form(others=[], code="KTTV_B"))
    assert response.status_code == 200
    assert "Mã đơn vị “KTTV_B” đã tồn tại." in text(response)
    assert "cần ít nhất một đơn vị khác" in text(response)
    assert 'id="id_code_error"' in text(response)
    # Service-level: the date precedes the units' own start; it is refused on confirmation.
    early = merge_form(on="01/01/2019")
    response = client.post("/units/KTTV_A/merge/", {**early, "step": "confirm", "confirmed": "on"})
    assert response.status_code == 200
    assert "Ngày sáp nhập phải sau ngày thành lập" in text(response)
    assert 'id="id_on_error"' in text(response)
    assert not Unit.objects.filter(code="KTTV_NB").exists()
    assert Unit.objects.get(code="KTTV_A").status == UnitStatus.ACTIVE


def split_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "parts-TOTAL_FORMS": "3",
        "parts-INITIAL_FORMS": "0",
        "parts-0-code": "KTTV_A1",
        "parts-0-name": "Đài Khí tượng Thủy văn Tây Nam Bộ",
        "parts-0-kind": "",
        "parts-1-code": "KTTV_A2",
        "parts-1-name": "Đài Khí tượng Thủy văn Đông Nam Bộ",
        "parts-1-kind": UnitKind.AFFILIATED,
        "parts-2-code": "",
        "parts-2-name": "",
        "parts-2-kind": "",
        "on": "01/07/2025",
        "note": "",
    }
    data.update(overrides)
    return data


def test_split_with_confirmation_and_allocation(tree: Any, personas: Any, person_a: Any) -> None:
    second = ppl.person_create(actor=None, code="P002", full_name="Trần Thị Bích",
                               unit=tree.KTTV_A, started_on=START)  # fmt: skip
    client = login(personas.standing)
    assert client.get("/units/KTTV_A/split/").status_code == 200
    data = split_form(**{f"alloc_{second.pk}": "1", f"alloc_{person_a.pk}": "0"})
    summary = client.post("/units/KTTV_A/split/", data)
    assert summary.status_code == 200
    assert "Tôi xác nhận việc chia tách" in text(summary)
    assert not Unit.objects.filter(code="KTTV_A1").exists()

    done = client.post("/units/KTTV_A/split/", {**data, "step": "confirm", "confirmed": "on"})
    assert done.status_code == 302
    assert Unit.objects.get(code="KTTV_A").status == UnitStatus.SPLIT
    first, other = Unit.objects.get(code="KTTV_A1"), Unit.objects.get(code="KTTV_A2")
    assert first.parent == tree.KTTV and other.parent == tree.KTTV
    assert Person.objects.get(pk=person_a.pk).unit == first
    assert Person.objects.get(pk=second.pk).unit == other
    old_page = text(client.get("/units/KTTV_A/"))
    assert "Đã chia tách thành" in old_page


def test_split_needs_two_parts_and_free_codes(tree: Any, personas: Any) -> None:
    client = login(personas.standing)
    one = split_form(**{"parts-1-code": "", "parts-1-name": "", "parts-1-kind": ""})
    assert "cần ít nhất hai đơn vị mới" in text(client.post("/units/KTTV_A/split/", one))
    taken = split_form(**{"parts-1-code": "KTTV_B"})
    assert "Mã đơn vị “KTTV_B” đã tồn tại." in text(client.post("/units/KTTV_A/split/", taken))
    assert Unit.objects.get(code="KTTV_A").status == UnitStatus.ACTIVE


def test_move_under_another_parent(tree: Any, personas: Any) -> None:
    client = login(personas.standing)
    form = client.get("/units/KTTV_A/move/")
    choices = [c for c, _label in form.context["form"].fields["parent"].choices if c]
    assert "KTTV" not in {str(c) for c in choices}  # already there
    response = client.post("/units/KTTV_A/move/", {"parent": "STNMT_ST", "on": "01/03/2025"})
    assert response.status_code == 302
    unit = Unit.objects.get(code="KTTV_A")
    assert unit.parent == tree.ST
    versions = list(unit.versions.order_by("valid_from"))
    assert [v.parent_id for v in versions] == [tree.KTTV.pk, tree.ST.pk]
    assert versions[0].valid_to == dt.date(2025, 2, 28)
    page = text(client.get("/units/KTTV_A/"))
    assert "28/02/2025" in page and "01/03/2025" in page


def test_move_into_own_subtree_is_not_offered_nor_accepted(tree: Any, personas: Any) -> None:
    client = login(personas.standing)
    response = client.post("/units/KTTV/move/", {"parent": "KTTV_A", "on": "01/03/2025"})
    assert response.status_code == 200
    assert "is-invalid" in text(response)
    assert Unit.objects.get(code="KTTV").parent == tree.MIN


def test_rename_with_effective_date(tree: Any, personas: Any) -> None:
    client = login(personas.standing)
    response = client.post("/units/ST_VP/edit/", {
        "name": "Văn phòng Sở Nông nghiệp và Môi trường", "short_name": "VP",
        "kind": UnitKind.OFFICE, "on": "01/03/2025",
    })  # fmt: skip
    assert response.status_code == 302
    unit = Unit.objects.get(code="ST_VP")
    assert unit.name == "Văn phòng Sở Nông nghiệp và Môi trường"
    assert [v.name for v in unit.versions.order_by("valid_from")] == [
        "Văn phòng Sở", "Văn phòng Sở Nông nghiệp và Môi trường",
    ]  # fmt: skip
    empty = client.post("/units/ST_VP/edit/", {"name": "", "kind": UnitKind.OFFICE})
    assert empty.status_code == 200 and 'id="id_name_error"' in text(empty)


def test_unit_rating_by_people_manager(tree: Any, personas: Any) -> None:
    client = login(personas.officer)  # MANAGE_PEOPLE on KTTV, not MANAGE_ORG
    response = client.post("/units/KTTV_A/rating/", {"year": "2024", "rating": Rating.HTXSNV})
    assert response.status_code == 302
    assert UnitRating.objects.get(unit=tree.KTTV_A, year=2024).rating == Rating.HTXSNV
    bad = client.post("/units/KTTV_A/rating/", {"year": "1900", "rating": Rating.HTXSNV})
    assert bad.status_code == 200 and 'id="id_year_error"' in text(bad)
    assert login(personas.officer).get("/units/KTTV_A/merge/").status_code == 403


def test_create_unit_under_a_parent(tree: Any, personas: Any) -> None:
    client = login(personas.standing)
    form = client.get("/units/new/", {"parent": "KTTV"})
    assert form.context["form"].initial["parent"] == "KTTV"
    response = client.post("/units/new/", {
        "code": "KTTV_C", "name": "Trung tâm Thông tin và Dữ liệu", "kind": UnitKind.AFFILIATED,
        "parent": "KTTV", "valid_from": "15/02/2025",
    })  # fmt: skip
    assert response["Location"] == "/units/KTTV_C/"
    unit = Unit.objects.get(code="KTTV_C")
    assert unit.parent == tree.KTTV and unit.valid_from == dt.date(2025, 2, 15)
    duplicate = client.post("/units/new/", {
        "code": "KTTV_C", "name": "Khác", "kind": UnitKind.OFFICE, "parent": "KTTV",
    })  # fmt: skip
    assert "đã tồn tại" in text(duplicate)
    # Non-admins cannot create a root, and cannot hang a unit outside their scope.
    assert login(personas.viewer).get("/units/new/").status_code == 403


def test_tree_as_of_a_year_shows_former_names_within_scope(tree: Any, personas: Any) -> None:
    org.unit_update(actor=None, unit=tree.KTTV_A, name="Đài KTTV Nam Bộ", on=dt.date(2025, 1, 1))
    client = login(personas.officer)
    before = client.get("/units/tree/", {"year": 2024})
    names = [v.name for _depth, v in before.context["rows"]]
    assert names[0] == "Tổng cục Khí tượng Thủy văn"
    assert before.context["rows"][0][0] == 0  # the scope root starts at the left edge
    assert "Đài Khí tượng Thủy văn khu vực Nam Bộ" in names
    assert "Bộ Tài nguyên và Môi trường" not in names  # outside the officer's scope
    after = client.get("/units/tree/", {"year": 2025})
    assert "Đài KTTV Nam Bộ" in [v.name for _d, v in after.context["rows"]]
    assert client.get("/units/tree/", {"year": 2019}).context["rows"] == []


# --- clusters --------------------------------------------------------------------------------


def test_cluster_creation_and_pages(tree: Any, personas: Any, person_a: Any) -> None:
    client = login(personas.standing)
    response = client.post("/units/clusters/new/", {
        "organizer": "MIN", "kind": "CLUSTER", "name": "Cụm thi đua số 1", "year": "2025",
        "members": ["KTTV", "STNMT_ST", "TCCB"], "leader": "KTTV", "deputy": "STNMT_ST",
        "follower": "P001",
    })  # fmt: skip
    assert response.status_code == 302
    cluster = Cluster.objects.get(name="Cụm thi đua số 1")
    assert cluster.leader == tree.KTTV and cluster.follower == person_a
    assert cluster.memberships.count() == 3

    detail = text(client.get(f"/units/clusters/{cluster.pk}/"))
    assert "Cụm trưởng" in detail and "Nguyễn Văn An" in detail
    assert "Sở Tài nguyên và Môi trường Sóc Trăng" in detail
    assert listed_clusters(client.get("/units/clusters/", {"year": 2025})) == ["Cụm thi đua số 1"]
    assert listed_clusters(client.get("/units/clusters/", {"year": 2024})) == []

    # A leader outside the members is refused next to the field.
    bad = client.post("/units/clusters/new/", {
        "organizer": "MIN", "kind": "CLUSTER", "name": "Cụm 2", "year": "2025",
        "members": ["KTTV"], "leader": "TCCB",
    })  # fmt: skip
    assert 'id="id_leader_error"' in text(bad)
    # The KTTV officer sees the cluster because KTTV is a member, but cannot create one.
    assert client.get("/units/clusters/", {"format": "xlsx"}).status_code == 200
    assert login(personas.officer).get(f"/units/clusters/{cluster.pk}/").status_code == 200
    assert login(personas.officer).get("/units/clusters/new/").status_code == 403


def test_cluster_hidden_from_users_outside_it(tree: Any, personas: Any) -> None:
    cluster = org.cluster_create(actor=None, organizer=tree.ST, kind="BLOCK", name="Khối Sở",
                                 year=2025, members=[tree.ST_VP])  # fmt: skip
    assert login(personas.officer).get(f"/units/clusters/{cluster.pk}/").status_code == 404
    assert listed_clusters(login(personas.officer).get("/units/clusters/")) == []


def listed_clusters(response: Any) -> list[str]:
    assert response.status_code == 200
    return [c.name for c in response.context["page"].object_list]


# --- councils ----------------------------------------------------------------------------------


def test_council_creation_members_and_end(tree: Any, personas: Any, person_a: Any) -> None:
    outsider_person = ppl.person_create(actor=None, code="P900", full_name="Lý Thị Sóc",
                                        unit=tree.ST_VP, started_on=START)  # fmt: skip
    client = login(personas.standing)
    response = client.post("/units/councils/new/", {
        "unit": "KTTV", "name": "Hội đồng Thi đua – Khen thưởng Tổng cục",
        "established_on": "02/01/2024", "decision_number": "15/QĐ-TCKTTV",
    })  # fmt: skip
    assert response.status_code == 302
    council = Council.objects.get(unit=tree.KTTV)
    url = f"/units/councils/{council.pk}/"
    assert response["Location"] == url

    added = client.post(f"{url}members/new/", {
        "person": "P001", "role": CouncilRole.CHAIR, "valid_from": "02/01/2024",
    })  # fmt: skip
    assert added.status_code == 302
    member = CouncilMember.objects.get(council=council, person=person_a)

    # The KTTV head may not pick people outside their scope.
    ppl_head = login(personas.head)
    assert ppl_head.get(f"{url}members/new/").status_code == 403
    org.council_member_add(actor=None, council=council, person=outsider_person,
                           role=CouncilRole.MEMBER, valid_from=dt.date(2024, 1, 2))  # fmt: skip
    second_chair = client.post(f"{url}members/new/", {
        "person": "P900", "role": CouncilRole.CHAIR, "valid_from": "02/01/2024",
    })  # fmt: skip
    assert "đang là thành viên" in text(second_chair)

    ended = client.post(f"/units/councils/members/{member.pk}/end/", {"on": "31/12/2024"})
    assert ended.status_code == 302
    assert CouncilMember.objects.get(pk=member.pk).valid_to == dt.date(2024, 12, 31)

    detail = client.get(url)
    rows = [m.person.code for m, _visible in detail.context["members"]]
    assert rows == ["P900", "P001"]  # current members first
    assert "Nguyễn Văn An" in text(detail)
    assert "Hội đồng Thi đua – Khen thưởng Tổng cục" in text(client.get("/units/councils/"))
    # Outside the council's unit: not found.
    assert login(personas.outsider).get(url).status_code == 404
    assert "Tổng cục" not in text(login(personas.outsider).get("/units/councils/"))


def test_council_member_must_be_visible(tree: Any, personas: Any) -> None:
    council = org.council_create(actor=None, unit=tree.ST, name="Hội đồng Sở",
                                 established_on=dt.date(2024, 1, 1))  # fmt: skip
    ppl.person_create(actor=None, code="P777", full_name="Phạm Văn Kỳ", unit=tree.KTTV_A,
                      started_on=START)  # fmt: skip
    # A standing-body officer scoped to Sóc Trăng cannot add a KTTV person by guessing a code.
    from tests.conftest import make_user

    st_standing = make_user("st_standing", [("STANDING", tree.ST)])
    response = login(st_standing).post(f"/units/councils/{council.pk}/members/new/", {
        "person": "P777", "role": CouncilRole.MEMBER, "valid_from": "01/02/2024",
    })  # fmt: skip
    assert response.status_code == 200
    assert "Không tìm thấy cán bộ có mã “P777” trong phạm vi của bạn." in text(response)
    assert not CouncilMember.objects.exists()
