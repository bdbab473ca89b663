"""Emulation clusters/blocks and councils: editing a cluster, rolling it over to the next
year, the change history on cluster and council pages, and the XLSX exports of both lists."""

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
from core.errors import Conflict, ValidationFailed
from organizations import services as org
from organizations.models import Cluster, ClusterKind, CouncilRole, Unit
from people import services as ppl
from tests.conftest import START, make_user

pytestmark = pytest.mark.django_db

YEAR = 2025


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def text(response: Any) -> str:
    return response.content.decode()


def member_codes(cluster: Cluster) -> list[str]:
    return sorted(cluster.memberships.values_list("unit__code", flat=True))


def make_cluster(tree: Any, organizer: Unit | None = None, **overrides: Any) -> Cluster:
    data: dict[str, Any] = {
        "actor": None,
        "organizer": organizer or tree.MIN,
        "kind": ClusterKind.CLUSTER,
        "name": "Cụm thi đua số 1",
        "year": YEAR,
        "members": [tree.KTTV, tree.TCCB, tree.ST],
        "leader": tree.KTTV,
        "deputy": tree.TCCB,
    }
    data.update(overrides)
    return org.cluster_create(**data)


def xlsx_rows(response: Any) -> list[tuple[Any, ...]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    sheet: Any = load_workbook(BytesIO(response.content)).active
    return list(sheet.iter_rows(values_only=True))


# --- cluster_update ------------------------------------------------------------------------


def test_update_replaces_name_roles_and_members_and_is_audited(
    tree: Any, personas: Any, person_a: Any
) -> None:
    cluster = make_cluster(tree)
    updated = org.cluster_update(
        actor=personas.standing, cluster=cluster, name="  Khối các đài khu vực ",
        kind=ClusterKind.BLOCK, leader=tree.KTTV_A, deputy=tree.KTTV, follower=person_a,
        members=[tree.KTTV_A, tree.KTTV, tree.KTTV_A],
    )  # fmt: skip

    cluster.refresh_from_db()
    assert updated.pk == cluster.pk
    assert (cluster.name, cluster.kind, cluster.year) == ("Khối các đài khu vực", "BLOCK", YEAR)
    assert (cluster.leader, cluster.deputy, cluster.follower) == (tree.KTTV_A, tree.KTTV, person_a)
    # The unit picked twice is one membership; units left out are no longer members.
    assert member_codes(cluster) == ["KTTV", "KTTV_A"]

    event: Any = AuditEvent.objects.get(action="cluster.update")
    assert event.actor == personas.standing and event.unit == tree.MIN
    assert event.object_id == str(cluster.pk)
    assert event.before["members"] == ["KTTV", "STNMT_ST", "TCCB"]
    assert event.after["members"] == ["KTTV", "KTTV_A"]
    assert event.before["name"] == "Cụm thi đua số 1"
    assert event.after["name"] == "Khối các đài khu vực"
    assert (event.before["leader_id"], event.after["leader_id"]) == (tree.KTTV.pk, tree.KTTV_A.pk)


def test_update_refuses_bad_roles_and_writes_nothing(tree: Any) -> None:
    cluster = make_cluster(tree)
    base: dict[str, Any] = {
        "actor": None, "cluster": cluster, "name": "Cụm mới", "kind": ClusterKind.CLUSTER,
        "follower": None,
    }  # fmt: skip

    with pytest.raises(ValidationFailed) as outside:
        org.cluster_update(**base, leader=tree.ST_VP, deputy=None, members=[tree.KTTV])
    assert [e.field for e in outside.value.errors] == ["leader"]

    with pytest.raises(ValidationFailed) as same:
        org.cluster_update(**base, leader=tree.KTTV, deputy=tree.KTTV, members=[tree.KTTV])
    assert [e.field for e in same.value.errors] == ["deputy"]

    with pytest.raises(ValidationFailed) as blank:
        org.cluster_update(**{**base, "name": "  "}, leader=None, deputy=None, members=[tree.KTTV])
    assert [e.field for e in blank.value.errors] == ["name"]

    cluster.refresh_from_db()
    assert cluster.name == "Cụm thi đua số 1" and cluster.leader == tree.KTTV
    assert member_codes(cluster) == ["KTTV", "STNMT_ST", "TCCB"]
    assert not AuditEvent.objects.filter(action="cluster.update").exists()


def test_update_refuses_a_name_taken_in_the_same_organizer_and_year(tree: Any) -> None:
    cluster = make_cluster(tree)
    make_cluster(tree, name="Cụm thi đua số 2")
    make_cluster(tree, name="Cụm thi đua số 3", year=YEAR - 1)
    make_cluster(tree, organizer=tree.KTTV, name="Cụm thi đua số 4")
    common: dict[str, Any] = {
        "actor": None, "cluster": cluster, "kind": ClusterKind.CLUSTER, "leader": None,
        "deputy": None, "follower": None, "members": [tree.KTTV],
    }  # fmt: skip

    with pytest.raises(Conflict):
        org.cluster_update(**common, name="Cụm thi đua số 2")
    # The same name in another year or under another organiser is a different cluster.
    org.cluster_update(**common, name="Cụm thi đua số 3")
    org.cluster_update(**common, name="Cụm thi đua số 4")
    # Keeping its own name is not a clash with itself.
    org.cluster_update(**common, name="Cụm thi đua số 4")
    cluster.refresh_from_db()
    assert cluster.name == "Cụm thi đua số 4"


def test_saving_an_unchanged_cluster_writes_no_audit_row(tree: Any) -> None:
    cluster = make_cluster(tree)
    org.cluster_update(
        actor=None, cluster=cluster, name=cluster.name, kind=cluster.kind, leader=tree.KTTV,
        deputy=tree.TCCB, follower=None, members=[tree.ST, tree.KTTV, tree.TCCB],
    )  # fmt: skip
    assert not AuditEvent.objects.filter(action="cluster.update").exists()


# --- cluster_copy_to_year ------------------------------------------------------------------


def test_copy_to_next_year_keeps_roles_and_members(tree: Any, person_a: Any) -> None:
    cluster = make_cluster(tree, follower=person_a)
    copy = org.cluster_copy_to_year(actor=None, cluster=cluster, year=YEAR + 1)

    assert copy.pk != cluster.pk
    assert (copy.name, copy.kind, copy.year, copy.organizer) == (
        cluster.name, cluster.kind, YEAR + 1, tree.MIN,
    )  # fmt: skip
    assert (copy.leader, copy.deputy, copy.follower) == (tree.KTTV, tree.TCCB, person_a)
    assert member_codes(copy) == member_codes(cluster) == ["KTTV", "STNMT_ST", "TCCB"]
    event: Any = AuditEvent.objects.get(action="cluster.copy")
    assert event.object_id == str(copy.pk) and event.unit == tree.MIN
    assert event.after["copied_from"] == cluster.pk
    assert event.after["year"] == YEAR + 1
    assert event.after["members"] == ["KTTV", "STNMT_ST", "TCCB"]

    # Copying again to the same year is refused, and so is "copying" onto itself.
    with pytest.raises(Conflict):
        org.cluster_copy_to_year(actor=None, cluster=cluster, year=YEAR + 1)
    with pytest.raises(Conflict):
        org.cluster_copy_to_year(actor=None, cluster=cluster, year=YEAR)
    assert Cluster.objects.count() == 2


def test_copy_leaves_out_units_that_no_longer_exist(tree: Any) -> None:
    cluster = make_cluster(
        tree, members=[tree.KTTV_A, tree.KTTV_B, tree.TCCB], leader=tree.KTTV_B, deputy=tree.TCCB
    )
    org.units_merge(actor=None, sources=[tree.KTTV_B], into=tree.KTTV_A, on=dt.date(YEAR, 7, 1))
    copy = org.cluster_copy_to_year(actor=None, cluster=cluster, year=YEAR + 1)
    assert member_codes(copy) == ["KTTV_A", "TCCB"]
    # The merged leader is gone; the organiser picks a new one.
    assert copy.leader is None and copy.deputy == tree.TCCB
    # The original year keeps its history untouched.
    assert member_codes(cluster) == ["KTTV_A", "KTTV_B", "TCCB"]


def test_copy_refuses_an_impossible_year(tree: Any) -> None:
    cluster = make_cluster(tree)
    with pytest.raises(ValidationFailed):
        org.cluster_copy_to_year(actor=None, cluster=cluster, year=dt.date.today().year + 5)
    assert Cluster.objects.count() == 1


# --- edit and copy pages -------------------------------------------------------------------


def edit_form(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "kind": "BLOCK",
        "name": "Khối Khí tượng",
        "members": ["KTTV_A", "KTTV_B"],
        "leader": "KTTV_A",
        "deputy": "KTTV_B",
        "follower": "P001",
    }
    data.update(overrides)
    return data


def test_standing_body_edits_a_cluster(tree: Any, personas: Any, person_a: Any) -> None:
    cluster = make_cluster(tree)
    client = login(personas.standing)
    url = f"/units/clusters/{cluster.pk}/edit/"

    page = client.get(url)
    assert page.status_code == 200
    form = page.context["form"]
    assert form.initial["members"] == ["TCCB", "KTTV", "STNMT_ST"]
    assert (form.initial["leader"], form.initial["deputy"]) == ("KTTV", "TCCB")
    assert 'value="Cụm thi đua số 1"' in text(page)

    response = client.post(url, edit_form())
    assert response.status_code == 302
    assert response["Location"] == f"/units/clusters/{cluster.pk}/"
    cluster.refresh_from_db()
    assert (cluster.name, cluster.kind, cluster.leader, cluster.follower) == (
        "Khối Khí tượng", "BLOCK", tree.KTTV_A, person_a,
    )  # fmt: skip
    assert member_codes(cluster) == ["KTTV_A", "KTTV_B"]

    # A service refusal shows next to its field and changes nothing.
    bad = client.post(url, edit_form(leader="TCCB", name="Tên khác"))
    assert bad.status_code == 200
    assert 'id="id_leader_error"' in text(bad)
    cluster.refresh_from_db()
    assert cluster.name == "Khối Khí tượng"


def test_edit_shows_a_name_clash_next_to_the_name(tree: Any, personas: Any) -> None:
    cluster = make_cluster(tree)
    make_cluster(tree, name="Khối Khí tượng")
    response = login(personas.standing).post(
        f"/units/clusters/{cluster.pk}/edit/", edit_form(follower="")
    )
    assert response.status_code == 200
    assert 'id="id_name_error"' in text(response)
    assert "đã tồn tại" in text(response)


def test_edit_page_is_404_outside_and_403_for_readers(tree: Any, personas: Any) -> None:
    # KTTV organises; the viewer and the officer hold roles on KTTV, the outsider on STNMT_ST.
    cluster = make_cluster(tree, organizer=tree.KTTV, members=[tree.KTTV_A, tree.KTTV_B],
                           leader=None, deputy=None)  # fmt: skip
    for action in ("edit", "copy"):
        url = f"/units/clusters/{cluster.pk}/{action}/"
        assert login(personas.outsider).get(url).status_code == 404
        assert login(personas.viewer).get(url).status_code == 403
        assert login(personas.officer).post(url, edit_form()).status_code == 403
        assert login(personas.standing).get(url).status_code == 200
        assert Client().get(url).status_code == 302
    assert login(personas.standing).get("/units/clusters/999999/edit/").status_code == 404
    cluster.refresh_from_db()
    assert cluster.name == "Cụm thi đua số 1"


def test_cluster_seen_through_a_member_cannot_be_edited(tree: Any, personas: Any) -> None:
    # The Sóc Trăng department organises a block that a KTTV unit takes part in: the KTTV
    # viewer sees the block, but its organiser is outside their scope, so edit is not found.
    cluster = make_cluster(tree, organizer=tree.ST, members=[tree.ST_VP, tree.KTTV_A],
                           leader=None, deputy=None)  # fmt: skip
    viewer = login(personas.viewer)
    assert viewer.get(f"/units/clusters/{cluster.pk}/").status_code == 200
    assert f"/units/clusters/{cluster.pk}/edit/" not in text(
        viewer.get(f"/units/clusters/{cluster.pk}/")
    )
    assert viewer.get(f"/units/clusters/{cluster.pk}/edit/").status_code == 404


def test_edit_keeps_members_outside_the_editors_view(tree: Any, personas: Any) -> None:
    # The ministry put a Sóc Trăng unit into a KTTV cluster; a KTTV standing officer
    # can still save the cluster without losing (or being refused for) that member.
    cluster = make_cluster(tree, organizer=tree.KTTV, members=[tree.KTTV_A, tree.ST_VP],
                           leader=None, deputy=None)  # fmt: skip
    kttv_standing = make_user("kttv_standing", [("STANDING", tree.KTTV)])
    client = login(kttv_standing)
    url = f"/units/clusters/{cluster.pk}/edit/"
    assert "Văn phòng Sở" in text(client.get(url))
    response = client.post(url, edit_form(members=["KTTV_A", "KTTV_B", "ST_VP"], follower=""))
    assert response.status_code == 302
    assert member_codes(cluster) == ["KTTV_A", "KTTV_B", "ST_VP"]
    # Units outside the view that were not members cannot be slipped in.
    sneaky = client.post(url, edit_form(members=["KTTV_A", "STNMT_ST"], leader="", deputy="",
                                        follower=""))  # fmt: skip
    assert sneaky.status_code == 200
    assert 'id="id_members_error"' in text(sneaky)
    assert member_codes(cluster) == ["KTTV_A", "KTTV_B", "ST_VP"]


def test_copy_page_rolls_the_cluster_over(tree: Any, personas: Any) -> None:
    cluster = make_cluster(tree)
    client = login(personas.standing)
    url = f"/units/clusters/{cluster.pk}/copy/"
    assert client.get(url).context["form"].initial["year"] == YEAR + 1

    response = client.post(url, {"year": str(YEAR + 1)})
    copy = Cluster.objects.get(year=YEAR + 1)
    assert response.status_code == 302
    assert response["Location"] == f"/units/clusters/{copy.pk}/"
    assert member_codes(copy) == ["KTTV", "STNMT_ST", "TCCB"]
    detail = text(client.get(response["Location"]))
    assert "Đã chép “Cụm thi đua số 1” sang năm 2026." in detail

    again = client.post(url, {"year": str(YEAR + 1)})
    assert again.status_code == 200
    assert 'id="id_year_error"' in text(again)
    assert "đã tồn tại" in text(again)
    assert Cluster.objects.count() == 2


def test_copy_page_says_which_units_were_left_out(tree: Any, personas: Any) -> None:
    cluster = make_cluster(tree, members=[tree.KTTV_A, tree.KTTV_B], leader=None, deputy=None)
    org.units_merge(actor=None, sources=[tree.KTTV_B], into=tree.KTTV_A, on=dt.date(YEAR, 7, 1))
    client = login(personas.standing)
    response = client.post(f"/units/clusters/{cluster.pk}/copy/", {"year": str(YEAR + 1)})
    assert response.status_code == 302
    page = text(client.get(response["Location"]))
    assert "1 đơn vị đã ngừng hoạt động không được chép sang." in page


# --- history -------------------------------------------------------------------------------


def test_cluster_page_shows_its_history(tree: Any, personas: Any) -> None:
    client = login(personas.standing)
    cluster = make_cluster(tree, actor=personas.standing)
    client.post(f"/units/clusters/{cluster.pk}/edit/", edit_form(follower=""))
    other = make_cluster(tree, name="Cụm khác")

    response = login(personas.viewer).get(f"/units/clusters/{cluster.pk}/")
    assert response.status_code == 200
    events = response.context["events"]
    assert [e.action for e in events] == ["cluster.update", "cluster.create"]
    assert all(e.object_id == str(cluster.pk) for e in events)
    page = text(response)
    assert "Lịch sử thay đổi" in page
    assert "Sửa cụm, khối thi đua" in page and "Tạo cụm, khối thi đua" in page
    assert "standing" in page
    assert other.name not in page
    # The copy's page tells where it came from.
    org.cluster_copy_to_year(actor=personas.standing, cluster=cluster, year=YEAR + 1)
    copy = Cluster.objects.get(year=YEAR + 1)
    copied = login(personas.standing).get(f"/units/clusters/{copy.pk}/")
    assert [e.action for e in copied.context["events"]] == ["cluster.copy"]
    assert "Chép cụm, khối sang năm khác" in text(copied)


def test_council_page_shows_its_history_and_its_members_history(
    tree: Any, personas: Any, person_a: Any, django_assert_max_num_queries: Any
) -> None:
    council = org.council_create(actor=personas.standing, unit=tree.KTTV,
                                 name="Hội đồng Thi đua – Khen thưởng Tổng cục",
                                 established_on=dt.date(2024, 1, 2))  # fmt: skip
    member = org.council_member_add(
        actor=personas.standing, council=council, person=person_a, role=CouncilRole.CHAIR,
        valid_from=dt.date(2024, 1, 2),
    )  # fmt: skip
    org.council_member_end(actor=personas.standing, member=member, on=dt.date(2024, 12, 31))
    # Another council's events stay on its own page.
    other = org.council_create(actor=None, unit=tree.ST, name="Hội đồng Sở",
                               established_on=dt.date(2024, 1, 1))  # fmt: skip

    client = login(personas.viewer)
    url = f"/units/councils/{council.pk}/"
    with CaptureQueriesContext(connection) as one_member:
        response = client.get(url)
    assert response.status_code == 200
    actions = [e.action for e in response.context["events"]]
    assert actions == ["council.member_end", "council.member_add", "council.create"]
    page = text(response)
    for label in ("Thành lập hội đồng", "Bổ sung thành viên hội đồng", "Thôi thành viên hội đồng"):
        assert label in page
    assert "2024-12-31" in page  # the end date that changed
    assert other.name not in page

    # More members (and their events) do not mean more queries.
    for index in range(6):
        person = ppl.person_create(actor=None, code=f"P10{index}", full_name=f"Trần Văn {index}",
                                   unit=tree.KTTV_B, started_on=START)  # fmt: skip
        org.council_member_add(actor=None, council=council, person=person,
                               role=CouncilRole.MEMBER, valid_from=dt.date(2025, 1, 1))  # fmt: skip
    with django_assert_max_num_queries(len(one_member.captured_queries)):
        response = client.get(url)
    assert len(response.context["events"]) == 9


# --- exports -------------------------------------------------------------------------------


def test_cluster_export_holds_the_filtered_rows_with_members(tree: Any, personas: Any) -> None:
    make_cluster(tree)
    make_cluster(tree, name="Khối Khí tượng", kind=ClusterKind.BLOCK,
                 members=[tree.KTTV_A, tree.KTTV_B], leader=tree.KTTV_A, deputy=None)  # fmt: skip
    make_cluster(tree, name="Cụm năm trước", year=YEAR - 1)
    client = login(personas.standing)

    rows = xlsx_rows(client.get("/units/clusters/", {"year": str(YEAR), "format": "xlsx"}))
    header, body = rows[0], rows[1:]
    assert header[:3] == ("Năm", "Loại", "Tên") and header[-1] == "Mã đơn vị thành viên"
    by_name = {row[2]: row for row in body}
    assert sorted(by_name) == ["Cụm thi đua số 1", "Khối Khí tượng"]
    assert by_name["Khối Khí tượng"][1] == "Khối thi đua"
    assert by_name["Khối Khí tượng"][4] == "KTTV_A"
    assert by_name["Khối Khí tượng"][7] == 2
    assert by_name["Khối Khí tượng"][8] == "KTTV_A, KTTV_B"
    assert by_name["Cụm thi đua số 1"][8] == "TCCB, KTTV, STNMT_ST"

    blocks = xlsx_rows(client.get("/units/clusters/", {"kind": "BLOCK", "format": "xlsx"}))
    assert [row[2] for row in blocks[1:]] == ["Khối Khí tượng"]
    # Sóc Trăng sees the cluster it belongs to, not the KTTV block.
    outsider = xlsx_rows(login(personas.outsider).get("/units/clusters/", {"format": "xlsx"}))
    assert sorted(row[2] for row in outsider[1:]) == ["Cụm năm trước", "Cụm thi đua số 1"]


def test_council_list_search_and_export(tree: Any, personas: Any, person_a: Any) -> None:
    kttv = org.council_create(actor=None, unit=tree.KTTV, name="Hội đồng TĐKT Tổng cục",
                              established_on=dt.date(2024, 1, 2),
                              decision_number="15/QĐ-TCKTTV")  # fmt: skip
    org.council_member_add(actor=None, council=kttv, person=person_a, role=CouncilRole.CHAIR,
                           valid_from=dt.date(2024, 1, 2))  # fmt: skip
    org.council_create(actor=None, unit=tree.ST, name="Hội đồng TĐKT Sở",
                       established_on=dt.date(2024, 3, 1))  # fmt: skip
    client = login(personas.standing)

    rows = xlsx_rows(client.get("/units/councils/", {"format": "xlsx"}))
    assert rows[0] == ("Tên hội đồng", "Mã đơn vị", "Đơn vị", "Ngày thành lập", "Số quyết định",
                       "Thành viên hiện nay")  # fmt: skip
    assert [row[1] for row in rows[1:]] == ["KTTV", "STNMT_ST"]
    assert rows[1][0] == "Hội đồng TĐKT Tổng cục" and rows[1][4] == "15/QĐ-TCKTTV"
    assert rows[1][3].date() == dt.date(2024, 1, 2)
    assert rows[1][5] == 1

    # Search ignores diacritics and case, and the export follows it.
    listed = client.get("/units/councils/", {"q": "khi tuong"})
    assert [c.unit.code for c in listed.context["page"].object_list] == ["KTTV"]
    searched = xlsx_rows(client.get("/units/councils/", {"q": "soc trang", "format": "xlsx"}))
    assert [row[1] for row in searched[1:]] == ["STNMT_ST"]
    nothing = client.get("/units/councils/", {"q": "không có"})
    assert "Không có hội đồng nào phù hợp" in text(nothing)

    # The KTTV officer only ever exports what they can see.
    officer = xlsx_rows(login(personas.officer).get("/units/councils/", {"format": "xlsx"}))
    assert [row[1] for row in officer[1:]] == ["KTTV"]


# --- navigation in English -----------------------------------------------------------------


def test_units_link_reads_units_in_english(personas: Any) -> None:
    client = login(personas.officer)
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = text(client.get("/"))
    assert ">Units</a>" in page and ">Staff</a>" in page
    client.post("/i18n/setlang/", {"language": "vi", "next": "/"})
    assert ">Đơn vị</a>" in text(client.get("/"))
