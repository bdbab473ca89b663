"""Organisation services: the tree, its history (renames, moves, merges, splits),
clusters and councils."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from accounts.access import people_visible_to, units_visible_to
from accounts.models import Role, RoleGrant
from audit.models import AuditEvent
from core.errors import Conflict, ValidationFailed
from organizations import services as org
from organizations.models import (
    Cluster,
    ClusterKind,
    CouncilRole,
    SuccessionKind,
    Unit,
    UnitKind,
    UnitRating,
    UnitStatus,
    UnitSuccession,
    UnitVersion,
)
from people import services as ppl
from people.models import Assignment, Person
from tests.conftest import START, Tree, make_user

D = dt.date
MERGE_DAY = D(2025, 1, 1)


def fresh(unit: Unit) -> Unit:
    return Unit.objects.get(pk=unit.pk)


def fields_of(exc: pytest.ExceptionInfo[ValidationFailed]) -> set[str]:
    return {e.field for e in exc.value.errors}


def tree_names(day: dt.date, root: Unit | None = None) -> list[tuple[int, str]]:
    return [(depth, v.name) for depth, v in org.tree_as_of(day, root)]


def tree_codes(day: dt.date, root: Unit | None = None) -> list[str]:
    return [v.unit.code for _, v in org.tree_as_of(day, root)]


def person(code: str, name: str, unit: Unit, started_on: dt.date = START) -> Person:
    return ppl.person_create(
        actor=None, code=code, full_name=name, unit=unit, started_on=started_on
    )


# --- create ----------------------------------------------------------------------------


def test_create_sets_path_depth_version_and_search_keys(tree: Tree) -> None:
    unit = org.unit_create(
        actor=None,
        code="KTTV_C",
        name="Trung tâm Đào tạo",
        parent=tree.KTTV,
        kind=UnitKind.AFFILIATED,
        short_name="TTĐT",
        valid_from=D(2021, 3, 1),
    )
    assert unit.path == f"{tree.KTTV.path}{unit.pk}/"
    assert unit.depth == 2
    assert unit.status == UnitStatus.ACTIVE
    assert unit.valid_from == D(2021, 3, 1)
    assert "trung tam dao tao" in unit.search_text
    assert Unit.objects.filter(search_text__contains="dao tao").get() == unit
    version = UnitVersion.objects.get(unit=unit)
    assert (version.name, version.parent, version.valid_from, version.valid_to) == (
        "Trung tâm Đào tạo",
        tree.KTTV,
        D(2021, 3, 1),
        None,
    )


def test_create_defaults_to_today_and_office(tree: Tree) -> None:
    unit = org.unit_create(actor=None, code="P1", name="Phòng 1", parent=tree.ST)
    assert unit.valid_from == dt.date.today()
    assert unit.kind == UnitKind.OFFICE


def test_create_duplicate_code_is_a_conflict(tree: Tree) -> None:
    with pytest.raises(Conflict):
        org.unit_create(actor=None, code="KTTV", name="Trùng", parent=tree.MIN)
    assert Unit.objects.filter(code="KTTV").count() == 1


def test_create_bad_kind_is_a_validation_error(tree: Tree) -> None:
    with pytest.raises(ValidationFailed) as exc:
        org.unit_create(actor=None, code="X", name="X", parent=tree.MIN, kind="PLANET")
    assert fields_of(exc) == {"kind"}


def test_create_reports_every_bad_field_at_once(tree: Tree) -> None:
    org.units_merge(actor=None, sources=[tree.KTTV_B], into=tree.KTTV_A, on=MERGE_DAY)
    with pytest.raises(ValidationFailed) as exc:
        org.unit_create(actor=None, code="X", name="  ", parent=fresh(tree.KTTV_B), kind="?")
    assert fields_of(exc) == {"name", "kind", "parent"}


@pytest.mark.parametrize("code", ["", "   ", "HAS SPACE", "X" * 33])
def test_create_bad_code(tree: Tree, code: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        org.unit_create(actor=None, code=code, name="Tên", parent=tree.MIN)
    assert fields_of(exc) == {"code"}


# --- update / rename -------------------------------------------------------------------


def test_rename_opens_a_new_version_and_keeps_the_old_name_in_history(tree: Tree) -> None:
    org.unit_update(actor=None, unit=tree.KTTV_A, name="Đài KTTV Nam Bộ", on=D(2024, 6, 1))
    unit = fresh(tree.KTTV_A)
    assert unit.name == "Đài KTTV Nam Bộ"
    assert "dai kttv nam bo" in unit.search_text
    versions = list(UnitVersion.objects.filter(unit=unit).order_by("valid_from"))
    assert [(v.name, v.valid_from, v.valid_to) for v in versions] == [
        ("Đài Khí tượng Thủy văn khu vực Nam Bộ", START, D(2024, 5, 31)),
        ("Đài KTTV Nam Bộ", D(2024, 6, 1), None),
    ]
    assert (2, "Đài Khí tượng Thủy văn khu vực Nam Bộ") in tree_names(D(2024, 5, 31))
    assert (2, "Đài KTTV Nam Bộ") not in tree_names(D(2024, 5, 31))
    assert (2, "Đài KTTV Nam Bộ") in tree_names(D(2024, 6, 1))


def test_renaming_twice_on_the_same_day_keeps_one_version(tree: Tree) -> None:
    org.unit_update(actor=None, unit=tree.KTTV_A, name="Tên 1", on=D(2024, 6, 1))
    org.unit_update(actor=None, unit=tree.KTTV_A, name="Tên 2", on=D(2024, 6, 1))
    assert list(UnitVersion.objects.filter(unit=tree.KTTV_A).values_list("name", flat=True)) == [
        "Đài Khí tượng Thủy văn khu vực Nam Bộ",
        "Tên 2",
    ]


def test_update_without_rename_opens_no_version(tree: Tree) -> None:
    org.unit_update(actor=None, unit=tree.KTTV_A, short_name="Đài NB", kind=UnitKind.OTHER)
    unit = fresh(tree.KTTV_A)
    assert (unit.short_name, unit.kind) == ("Đài NB", UnitKind.OTHER)
    assert UnitVersion.objects.filter(unit=unit).count() == 1


def test_update_refuses_empty_name_and_bad_kind(tree: Tree) -> None:
    with pytest.raises(ValidationFailed):
        org.unit_update(actor=None, unit=tree.KTTV_A, name="  ")
    with pytest.raises(ValidationFailed):
        org.unit_update(actor=None, unit=tree.KTTV_A, kind="NOPE")
    assert fresh(tree.KTTV_A).name == "Đài Khí tượng Thủy văn khu vực Nam Bộ"


# --- move ------------------------------------------------------------------------------


def test_move_updates_the_paths_of_the_whole_subtree(tree: Tree) -> None:
    child = org.unit_create(
        actor=None, code="A1", name="Trạm 1", parent=tree.KTTV_A, valid_from=START
    )
    grandchild = org.unit_create(
        actor=None, code="A11", name="Tổ 1", parent=child, valid_from=START
    )
    org.unit_move(actor=None, unit=tree.KTTV_A, new_parent=tree.ST, on=D(2024, 1, 1))
    a, child, grandchild = fresh(tree.KTTV_A), fresh(child), fresh(grandchild)
    st = fresh(tree.ST)
    assert a.parent == st
    assert a.path == f"{st.path}{a.pk}/"
    assert child.path == f"{a.path}{child.pk}/"
    assert grandchild.path == f"{child.path}{grandchild.pk}/"
    assert (a.depth, child.depth, grandchild.depth) == (2, 3, 4)
    # The old parent's subtree no longer holds them; the new one does.
    kttv_subtree = set(
        Unit.objects.filter(path__startswith=tree.KTTV.path).values_list("code", flat=True)
    )
    assert kttv_subtree == {"KTTV", "KTTV_B"}
    st_subtree = set(Unit.objects.filter(path__startswith=st.path).values_list("code", flat=True))
    assert st_subtree == {"STNMT_ST", "ST_VP", "KTTV_A", "A1", "A11"}
    # History: under KTTV until the day before, under STNMT_ST from the move.
    assert tree_codes(D(2023, 12, 31), fresh(tree.KTTV)) == [
        "KTTV",
        "KTTV_A",
        "A1",
        "A11",
        "KTTV_B",
    ]
    assert "KTTV_A" in tree_codes(D(2024, 1, 1), st)
    assert "A11" in tree_codes(D(2024, 1, 1), st)


def test_move_to_the_root(tree: Tree) -> None:
    org.unit_move(actor=None, unit=tree.ST, new_parent=None, on=D(2024, 1, 1))
    st, vp = fresh(tree.ST), fresh(tree.ST_VP)
    assert (st.parent, st.path, st.depth) == (None, f"/{st.pk}/", 0)
    assert vp.path == f"/{st.pk}/{vp.pk}/"
    assert vp.depth == 1


@pytest.mark.parametrize("target", ["KTTV", "KTTV_A"])
def test_move_into_own_subtree_is_refused(tree: Tree, target: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        org.unit_move(
            actor=None, unit=tree.KTTV, new_parent=getattr(tree, target), on=D(2024, 1, 1)
        )
    assert fields_of(exc) == {"parent"}
    assert fresh(tree.KTTV).parent == tree.MIN


def test_move_to_the_same_parent_or_an_inactive_one_is_refused(tree: Tree) -> None:
    with pytest.raises(ValidationFailed):
        org.unit_move(actor=None, unit=tree.KTTV_A, new_parent=tree.KTTV, on=D(2024, 1, 1))
    org.units_merge(actor=None, sources=[tree.KTTV_B], into=tree.KTTV_A, on=MERGE_DAY)
    with pytest.raises(ValidationFailed):
        org.unit_move(actor=None, unit=tree.ST_VP, new_parent=tree.KTTV_B, on=D(2025, 2, 1))


# --- merge into a new unit --------------------------------------------------------------


@pytest.fixture
def merged(tree: Tree) -> dict[str, Any]:
    """KTTV_A and KTTV_B merge into a new KTTV_AB on 2025-01-01.

    Before: An and Bình in A (An since 2020), Cường in B, a station A1 under A;
    ratings of both units for 2023–2024.
    """
    an = person("P1", "Nguyễn Văn An", tree.KTTV_A)
    binh = person("P2", "Trần Thị Bình", tree.KTTV_A, D(2022, 3, 1))
    cuong = person("P3", "Lê Văn Cường", tree.KTTV_B)
    station = org.unit_create(
        actor=None,
        code="A1",
        name="Trạm Cần Thơ",
        parent=tree.KTTV_A,
        kind=UnitKind.AFFILIATED,
        valid_from=START,
    )
    dung = person("P4", "Phạm Văn Dũng", station)
    org.unit_rating_set(actor=None, unit=tree.KTTV_A, year=2023, rating="HTXSNV")
    org.unit_rating_set(actor=None, unit=tree.KTTV_A, year=2024, rating="HTTNV")
    org.unit_rating_set(actor=None, unit=tree.KTTV_B, year=2024, rating="HTNV")
    audit_before = AuditEvent.objects.count()
    successor = org.units_merge(
        actor=None,
        sources=[tree.KTTV_A, tree.KTTV_B],
        on=MERGE_DAY,
        code="KTTV_AB",
        name="Đài Khí tượng Thủy văn Nam Bộ",
        parent=tree.KTTV,
        kind=UnitKind.AFFILIATED,
        note="QĐ 123/QĐ-BTNMT",
    )
    return {
        "successor": successor,
        "a": fresh(tree.KTTV_A),
        "b": fresh(tree.KTTV_B),
        "station": fresh(station),
        "an": an,
        "binh": binh,
        "cuong": cuong,
        "dung": dung,
        "audit_before": audit_before,
    }


def test_merge_creates_the_successor(tree: Tree, merged: dict[str, Any]) -> None:
    successor = merged["successor"]
    assert (successor.code, successor.name, successor.parent) == (
        "KTTV_AB",
        "Đài Khí tượng Thủy văn Nam Bộ",
        tree.KTTV,
    )
    assert successor.valid_from == MERGE_DAY
    assert successor.is_active


def test_merge_closes_the_sources_the_day_before(merged: dict[str, Any]) -> None:
    for source in (merged["a"], merged["b"]):
        assert source.status == UnitStatus.MERGED
        assert source.valid_to == D(2024, 12, 31)
        assert not UnitVersion.objects.filter(unit=source, valid_to__isnull=True).exists()


def test_merge_records_the_successions(merged: dict[str, Any]) -> None:
    rows = UnitSuccession.objects.filter(successor=merged["successor"]).order_by(
        "predecessor__code"
    )
    assert [(r.predecessor.code, r.kind, r.on, r.note) for r in rows] == [
        ("KTTV_A", SuccessionKind.MERGE, MERGE_DAY, "QĐ 123/QĐ-BTNMT"),
        ("KTTV_B", SuccessionKind.MERGE, MERGE_DAY, "QĐ 123/QĐ-BTNMT"),
    ]
    assert {u.code for u in org.lineage(merged["successor"])} == {"KTTV_AB", "KTTV_A", "KTTV_B"}


def test_merge_transfers_the_people(merged: dict[str, Any]) -> None:
    successor = merged["successor"]
    for key in ("an", "binh", "cuong"):
        p = Person.objects.get(pk=merged[key].pk)
        assert p.unit == successor
        old, new = Assignment.objects.filter(person=p).order_by("start")
        assert old.end == D(2024, 12, 31)
        assert (new.unit, new.start, new.end) == (successor, MERGE_DAY, None)
    an_history = Assignment.objects.filter(person=merged["an"]).order_by("start")
    assert [(a.unit.code, a.start, a.end) for a in an_history] == [
        ("KTTV_A", START, D(2024, 12, 31)),
        ("KTTV_AB", MERGE_DAY, None),
    ]


def test_merge_keeps_active_children_under_the_successor(merged: dict[str, Any]) -> None:
    station, successor = merged["station"], merged["successor"]
    assert station.is_active
    assert station.parent == successor
    assert station.path == f"{successor.path}{station.pk}/"
    # Its people stay in it.
    assert Person.objects.get(pk=merged["dung"].pk).unit == station


def test_merge_keeps_the_ratings_reachable(merged: dict[str, Any]) -> None:
    rows = org.ratings_with_lineage(merged["successor"])
    assert sorted((r.unit.code, r.year, r.rating) for r in rows) == [
        ("KTTV_A", 2023, "HTXSNV"),
        ("KTTV_A", 2024, "HTTNV"),
        ("KTTV_B", 2024, "HTNV"),
    ]


def test_merged_units_lie_in_the_successors_subtree(merged: dict[str, Any]) -> None:
    successor = merged["successor"]
    for source in (merged["a"], merged["b"]):
        assert source.path.startswith(successor.path)
        assert source.parent == successor
    officer = make_user("ab_officer", [(Role.OFFICER, successor)])
    visible = set(units_visible_to(officer).values_list("code", flat=True))
    assert visible == {"KTTV_AB", "KTTV_A", "KTTV_B", "A1"}
    assert set(people_visible_to(officer).values_list("code", flat=True)) == {
        "P1",
        "P2",
        "P3",
        "P4",
    }
    # Someone scoped to a sibling sees none of it.
    st_officer = make_user("st_officer", [(Role.OFFICER, Unit.objects.get(code="STNMT_ST"))])
    assert not units_visible_to(st_officer).filter(code__in=["KTTV_A", "KTTV_AB"]).exists()


def test_members_before_the_merge_are_still_listed(merged: dict[str, Any]) -> None:
    a, b, successor = merged["a"], merged["b"], merged["successor"]
    names = lambda people: [p.full_name for p in people]  # noqa: E731
    assert names(ppl.unit_members_for_year(a, 2024)) == ["Nguyễn Văn An", "Trần Thị Bình"]
    assert names(ppl.unit_members_for_year(b, 2024)) == ["Lê Văn Cường"]
    assert names(ppl.unit_members_for_year(a, 2021)) == ["Nguyễn Văn An"]
    assert ppl.unit_members_for_year(a, 2025) == []
    assert ppl.unit_members_for_year(successor, 2024) == []
    assert names(ppl.unit_members_for_year(successor, 2025)) == [
        "Nguyễn Văn An",
        "Trần Thị Bình",
        "Lê Văn Cường",
    ]


def test_tree_as_of_before_and_after_the_merge(merged: dict[str, Any]) -> None:
    kttv = Unit.objects.get(code="KTTV")
    assert tree_codes(D(2024, 12, 31), kttv) == ["KTTV", "KTTV_A", "A1", "KTTV_B"]
    assert tree_codes(MERGE_DAY, kttv) == ["KTTV", "KTTV_AB", "A1"]
    before = [v for _, v in org.tree_as_of(D(2024, 12, 31))]
    assert "KTTV_AB" not in {v.unit.code for v in before}
    after = {v.unit.code for _, v in org.tree_as_of(MERGE_DAY)}
    assert not after & {"KTTV_A", "KTTV_B"}


def test_merge_is_audited(merged: dict[str, Any]) -> None:
    new = AuditEvent.objects.filter(seq__gt=merged["audit_before"])
    actions = sorted(new.values_list("action", flat=True))
    assert actions == sorted(["unit.create"] + ["unit.merge"] * 2 + ["person.transfer"] * 3)
    merge_event = new.filter(action="unit.merge", object_id=str(merged["a"].pk)).get()
    assert merge_event.before is not None and merge_event.after is not None
    assert merge_event.before["status"] == UnitStatus.ACTIVE
    assert merge_event.after["status"] == UnitStatus.MERGED
    assert merge_event.after["successor"] == "KTTV_AB"


# --- merge into an existing unit --------------------------------------------------------


def test_merge_into_an_existing_unit(tree: Tree) -> None:
    cuong = person("P3", "Lê Văn Cường", tree.KTTV_B)
    org.unit_rating_set(actor=None, unit=tree.KTTV_B, year=2024, rating="HTNV")
    units_before = Unit.objects.count()
    result = org.units_merge(actor=None, sources=[tree.KTTV_B], into=tree.KTTV_A, on=MERGE_DAY)
    assert result == tree.KTTV_A
    assert Unit.objects.count() == units_before
    b, a = fresh(tree.KTTV_B), fresh(tree.KTTV_A)
    assert (b.status, b.valid_to, b.parent) == (UnitStatus.MERGED, D(2024, 12, 31), a)
    assert b.path.startswith(a.path)
    assert a.is_active
    assert a.valid_to is None
    assert Person.objects.get(pk=cuong.pk).unit == a
    assert [r.unit.code for r in org.ratings_with_lineage(a)] == ["KTTV_B"]
    assert UnitSuccession.objects.get(predecessor=b).successor == a
    assert tree_codes(D(2024, 12, 31), fresh(tree.KTTV)) == ["KTTV", "KTTV_A", "KTTV_B"]
    assert tree_codes(MERGE_DAY, fresh(tree.KTTV)) == ["KTTV", "KTTV_A"]


def test_lineage_follows_merges_of_merges(tree: Tree) -> None:
    org.units_merge(actor=None, sources=[tree.KTTV_B], into=tree.KTTV_A, on=D(2024, 1, 1))
    org.unit_rating_set(actor=None, unit=tree.KTTV_B, year=2022, rating="HTXSNV")
    org.units_merge(actor=None, sources=[tree.KTTV_A], into=tree.TCCB, on=MERGE_DAY)
    tccb = fresh(tree.TCCB)
    assert {u.code for u in org.lineage(tccb)} == {"TCCB", "KTTV_A", "KTTV_B"}
    assert [(r.unit.code, r.year) for r in org.ratings_with_lineage(tccb)] == [("KTTV_B", 2022)]
    # The grand-predecessor followed its successor into TCCB's subtree.
    assert fresh(tree.KTTV_B).path.startswith(tccb.path)


# --- merge refusals ---------------------------------------------------------------------


def test_merge_needs_two_sources_for_a_new_unit(tree: Tree) -> None:
    with pytest.raises(ValidationFailed) as exc:
        org.units_merge(
            actor=None, sources=[tree.KTTV_A], on=MERGE_DAY, code="N", name="N", parent=tree.KTTV
        )
    assert fields_of(exc) == {"sources"}


def test_merge_refuses_the_target_among_the_sources(tree: Tree) -> None:
    with pytest.raises(ValidationFailed) as exc:
        org.units_merge(
            actor=None, sources=[tree.KTTV_A, tree.KTTV_B], into=tree.KTTV_A, on=MERGE_DAY
        )
    assert "into" in fields_of(exc)


def test_merge_refuses_a_target_inside_a_source(tree: Tree) -> None:
    with pytest.raises(ValidationFailed) as exc:
        org.units_merge(actor=None, sources=[tree.KTTV], into=tree.KTTV_A, on=MERGE_DAY)
    assert "parent" in fields_of(exc)
    with pytest.raises(ValidationFailed):
        org.units_merge(
            actor=None,
            sources=[tree.KTTV, tree.ST],
            on=MERGE_DAY,
            code="N",
            name="N",
            parent=tree.KTTV_A,
        )


def test_merge_refuses_inactive_sources_and_early_dates(tree: Tree) -> None:
    org.units_merge(actor=None, sources=[tree.KTTV_B], into=tree.KTTV_A, on=MERGE_DAY)
    with pytest.raises(ValidationFailed) as exc:
        org.units_merge(actor=None, sources=[tree.KTTV_B], into=tree.TCCB, on=D(2025, 6, 1))
    assert fields_of(exc) == {"sources"}
    with pytest.raises(ValidationFailed) as exc:
        org.units_merge(actor=None, sources=[tree.ST_VP], into=tree.TCCB, on=START)
    assert fields_of(exc) == {"on"}


def test_a_failed_merge_changes_nothing(tree: Tree) -> None:
    person("P1", "Nguyễn Văn An", tree.KTTV_A)
    audit_before = AuditEvent.objects.count()
    with pytest.raises(Conflict):
        # The new unit's code is taken: found only after validation passed.
        org.units_merge(
            actor=None,
            sources=[tree.KTTV_A, tree.KTTV_B],
            on=MERGE_DAY,
            code="ST_VP",
            name="Trùng mã",
            parent=tree.KTTV,
        )
    assert AuditEvent.objects.count() == audit_before
    assert fresh(tree.KTTV_A).is_active
    assert Person.objects.get(code="P1").unit == tree.KTTV_A
    assert not UnitSuccession.objects.exists()


# --- split ------------------------------------------------------------------------------


def test_split_into_new_units(tree: Tree) -> None:
    an = person("P1", "Nguyễn Văn An", tree.KTTV_B)
    binh = person("P2", "Trần Thị Bình", tree.KTTV_B)
    station = org.unit_create(
        actor=None, code="B_ST", name="Trạm", parent=tree.KTTV_B, valid_from=START
    )
    org.unit_rating_set(actor=None, unit=tree.KTTV_B, year=2024, rating="HTXSNV")
    parts = [
        {"code": "B1", "name": "Trung tâm Dự báo", "kind": UnitKind.AFFILIATED},
        {"code": "B2", "name": "Trung tâm Mạng lưới"},
    ]
    b1, b2 = org.unit_split(
        actor=None,
        source=tree.KTTV_B,
        on=MERGE_DAY,
        parts=parts,
        allocation={binh.pk: 1},
        note="QĐ 9",
    )
    b = fresh(tree.KTTV_B)
    assert (b.status, b.valid_to) == (UnitStatus.SPLIT, D(2024, 12, 31))
    for part in (b1, b2):
        assert (part.parent, part.valid_from, part.is_active) == (tree.KTTV, MERGE_DAY, True)
    assert b1.kind == UnitKind.AFFILIATED
    assert b2.kind == tree.KTTV_B.kind
    assert sorted(
        UnitSuccession.objects.filter(predecessor=b).values_list("successor__code", "kind")
    ) == [("B1", SuccessionKind.SPLIT), ("B2", SuccessionKind.SPLIT)]
    assert Person.objects.get(pk=an.pk).unit == b1
    assert Person.objects.get(pk=binh.pk).unit == b2
    assert fresh(station).parent == b1
    assert [p.code for p in ppl.unit_members_for_year(b, 2024)] == ["P1", "P2"]
    assert [r.unit.code for r in org.ratings_with_lineage(b2)] == ["KTTV_B"]
    kttv = fresh(tree.KTTV)
    assert tree_codes(D(2024, 12, 31), kttv) == ["KTTV", "KTTV_A", "KTTV_B", "B_ST"]
    assert tree_codes(MERGE_DAY, kttv) == ["KTTV", "KTTV_A", "B1", "B_ST", "B2"]


def test_split_refusals(tree: Tree) -> None:
    one = [{"code": "B1", "name": "Một"}]
    with pytest.raises(ValidationFailed):
        org.unit_split(actor=None, source=tree.KTTV_B, on=MERGE_DAY, parts=one)
    same = [{"code": "B1", "name": "Một"}, {"code": "B1", "name": "Hai"}]
    with pytest.raises(ValidationFailed):
        org.unit_split(actor=None, source=tree.KTTV_B, on=MERGE_DAY, parts=same)
    taken = [{"code": "B1", "name": "Một"}, {"code": "KTTV_A", "name": "Hai"}]
    with pytest.raises(Conflict):
        org.unit_split(actor=None, source=tree.KTTV_B, on=MERGE_DAY, parts=taken)
    ok = [{"code": "B1", "name": "Một"}, {"code": "B2", "name": "Hai"}]
    with pytest.raises(ValidationFailed):
        org.unit_split(actor=None, source=tree.KTTV_B, on=START, parts=ok)
    assert fresh(tree.KTTV_B).is_active
    assert not Unit.objects.filter(code="B1").exists()


# --- ratings ----------------------------------------------------------------------------


def test_unit_rating_upsert(tree: Tree) -> None:
    org.unit_rating_set(actor=None, unit=tree.KTTV_A, year=2024, rating="HTTNV")
    org.unit_rating_set(actor=None, unit=tree.KTTV_A, year=2024, rating="HTXSNV")
    assert list(UnitRating.objects.filter(unit=tree.KTTV_A).values_list("year", "rating")) == [
        (2024, "HTXSNV")
    ]
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert (event.before, event.after) == (
        {"year": 2024, "rating": "HTTNV"},
        {"year": 2024, "rating": "HTXSNV"},
    )


@pytest.mark.parametrize(("year", "rating"), [(2024, "GOOD"), (1900, "HTNV"), (2999, "HTNV")])
def test_unit_rating_refusals(tree: Tree, year: int, rating: str) -> None:
    with pytest.raises(ValidationFailed):
        org.unit_rating_set(actor=None, unit=tree.KTTV_A, year=year, rating=rating)
    assert not UnitRating.objects.exists()


# --- tree_as_of -------------------------------------------------------------------------


def test_tree_as_of_shows_depths_and_vietnamese_sibling_order(tree: Tree) -> None:
    assert tree_names(D(2024, 1, 1)) == [
        (0, "Bộ Tài nguyên và Môi trường"),
        (1, "Sở Tài nguyên và Môi trường Sóc Trăng"),
        (2, "Văn phòng Sở"),
        (1, "Tổng cục Khí tượng Thủy văn"),
        (2, "Đài Khí tượng Thủy văn khu vực Nam Bộ"),
        (2, "Trung tâm Dự báo khí tượng thủy văn quốc gia"),
        (1, "Vụ Tổ chức cán bộ"),
    ]
    assert org.tree_as_of(D(2019, 12, 31)) == []


def test_tree_as_of_orders_siblings_by_the_name_they_had_then(tree: Tree) -> None:
    # From 2024 "Trung tâm…" becomes "Ban…", which sorts first; before, it sorted second.
    org.unit_update(actor=None, unit=tree.KTTV_B, name="Ban Dự báo", on=D(2024, 1, 1))
    kttv = fresh(tree.KTTV)
    assert tree_codes(D(2023, 6, 1), kttv) == ["KTTV", "KTTV_A", "KTTV_B"]
    assert tree_codes(D(2024, 6, 1), kttv) == ["KTTV", "KTTV_B", "KTTV_A"]


def test_tree_as_of_a_root_that_did_not_exist_yet(tree: Tree) -> None:
    unit = org.unit_create(
        actor=None, code="NEW", name="Mới", parent=tree.MIN, valid_from=D(2024, 1, 1)
    )
    assert org.tree_as_of(D(2023, 1, 1), unit) == []
    assert tree_codes(D(2024, 1, 1), unit) == ["NEW"]


# --- clusters ---------------------------------------------------------------------------


def make_cluster(tree: Tree, **overrides: Any) -> Cluster:
    args: dict[str, Any] = {
        "actor": None,
        "organizer": tree.MIN,
        "kind": ClusterKind.CLUSTER,
        "name": "Cụm thi đua số 1",
        "year": 2024,
        "members": [tree.KTTV, tree.ST, tree.TCCB],
        "leader": tree.KTTV,
        "deputy": tree.ST,
    }
    args.update(overrides)
    return org.cluster_create(**args)


def test_cluster_create(tree: Tree) -> None:
    cluster = make_cluster(tree)
    assert set(cluster.members.values_list("code", flat=True)) == {"KTTV", "STNMT_ST", "TCCB"}
    assert (cluster.leader, cluster.deputy) == (tree.KTTV, tree.ST)


def test_cluster_leader_and_deputy_must_be_members(tree: Tree) -> None:
    with pytest.raises(ValidationFailed) as exc:
        make_cluster(tree, members=[tree.TCCB, tree.ST])
    assert fields_of(exc) == {"leader"}
    with pytest.raises(ValidationFailed) as exc:
        make_cluster(tree, members=[tree.KTTV, tree.TCCB])
    assert fields_of(exc) == {"deputy"}
    with pytest.raises(ValidationFailed) as exc:
        make_cluster(tree, deputy=tree.KTTV)
    assert fields_of(exc) == {"deputy"}
    assert not Cluster.objects.exists()


def test_cluster_other_refusals(tree: Tree) -> None:
    with pytest.raises(ValidationFailed) as exc:
        make_cluster(tree, kind="GROUP", name=" ")
    assert fields_of(exc) == {"kind", "name"}
    make_cluster(tree)
    with pytest.raises(Conflict):
        make_cluster(tree)
    # Same name another year is a different cluster.
    make_cluster(tree, year=2025)
    assert Cluster.objects.count() == 2


def test_cluster_member_listed_twice_counts_once(tree: Tree) -> None:
    cluster = make_cluster(tree, members=[tree.KTTV, tree.ST, tree.KTTV])
    assert cluster.members.count() == 2


def test_cluster_without_leader(tree: Tree) -> None:
    cluster = make_cluster(tree, leader=None, deputy=None, kind=ClusterKind.BLOCK)
    assert cluster.leader is None
    assert cluster.kind == ClusterKind.BLOCK


# --- councils ---------------------------------------------------------------------------


def test_one_council_per_unit(tree: Tree) -> None:
    org.council_create(actor=None, unit=tree.MIN, name="Hội đồng TĐKT Bộ", established_on=START)
    with pytest.raises(Conflict):
        org.council_create(actor=None, unit=tree.MIN, name="Hội đồng 2", established_on=START)
    with pytest.raises(ValidationFailed):
        org.council_create(actor=None, unit=tree.KTTV, name=" ", established_on=START)


def test_council_has_one_chair_at_a_time(tree: Tree) -> None:
    council = org.council_create(actor=None, unit=tree.MIN, name="HĐ", established_on=START)
    chair = person("P1", "Nguyễn Văn An", tree.TCCB)
    next_chair = person("P2", "Trần Thị Bình", tree.TCCB)
    member = org.council_member_add(
        actor=None, council=council, person=chair, role=CouncilRole.CHAIR, valid_from=START
    )
    with pytest.raises(Conflict):
        org.council_member_add(
            actor=None,
            council=council,
            person=next_chair,
            role=CouncilRole.CHAIR,
            valid_from=D(2024, 1, 1),
        )
    # Other roles are not limited.
    org.council_member_add(
        actor=None,
        council=council,
        person=next_chair,
        role=CouncilRole.VICE_CHAIR,
        valid_from=START,
    )
    # Once the chair steps down, a new one may be appointed.
    org.council_member_end(actor=None, member=member, on=D(2023, 12, 31))
    third = person("P3", "Lê Văn Cường", tree.TCCB)
    org.council_member_add(
        actor=None, council=council, person=third, role=CouncilRole.CHAIR, valid_from=D(2024, 1, 1)
    )
    assert (
        council.members.filter(role=CouncilRole.CHAIR, valid_to__isnull=True).get().person == third
    )


def test_council_member_refusals(tree: Tree, person_a: Person) -> None:
    council = org.council_create(actor=None, unit=tree.MIN, name="HĐ", established_on=START)
    with pytest.raises(ValidationFailed):
        org.council_member_add(
            actor=None, council=council, person=person_a, role="KING", valid_from=START
        )
    member = org.council_member_add(
        actor=None,
        council=council,
        person=person_a,
        role=CouncilRole.MEMBER,
        valid_from=D(2022, 1, 1),
    )
    with pytest.raises(Conflict):
        org.council_member_add(
            actor=None,
            council=council,
            person=person_a,
            role=CouncilRole.SECRETARY,
            valid_from=START,
        )
    with pytest.raises(ValidationFailed):
        org.council_member_end(actor=None, member=member, on=D(2021, 12, 31))
    org.council_member_end(actor=None, member=member, on=D(2024, 1, 1))
    with pytest.raises(Conflict):
        org.council_member_end(actor=None, member=member, on=D(2024, 2, 1))


def test_role_grants_on_a_merged_unit_still_reach_it(tree: Tree, merged: dict[str, Any]) -> None:
    """A grant on the old unit keeps working for that unit's history (not the successor)."""
    a = merged["a"]
    officer = make_user("old_a", [(Role.OFFICER, a)])
    assert RoleGrant.objects.filter(user=officer, unit=a).exists()
    assert set(units_visible_to(officer).values_list("code", flat=True)) == {"KTTV_A"}


def test_a_merged_unit_cannot_be_moved_or_renamed(tree: Tree, merged: dict[str, Any]) -> None:
    a = merged["a"]
    with pytest.raises(ValidationFailed):
        org.unit_move(actor=None, unit=a, new_parent=tree.ST, on=D(2025, 6, 1))
    with pytest.raises(ValidationFailed):
        org.unit_update(actor=None, unit=a, name="Tên khác", on=D(2025, 6, 1))
    a = fresh(a)
    assert a.parent == merged["successor"]
    # Still absent from the tree after the merge, present before it under its old name.
    assert "KTTV_A" not in tree_codes(D(2025, 6, 1))
    assert (2, "Đài Khí tượng Thủy văn khu vực Nam Bộ") in tree_names(D(2024, 6, 1))
