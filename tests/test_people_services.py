"""People services: creation, edits, transfers, membership by year, ratings."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from audit.models import AuditEvent
from core.errors import Conflict, ValidationFailed
from core.text import name_sort_key
from organizations import services as org
from people import services as ppl
from people.models import Assignment, Person, PersonRating
from tests.conftest import START, Tree

D = dt.date


def fields_of(exc: pytest.ExceptionInfo[ValidationFailed]) -> set[str]:
    return {e.field for e in exc.value.errors}


def create(tree: Tree, **overrides: Any) -> Person:
    args: dict[str, Any] = {
        "actor": None,
        "code": "P100",
        "full_name": "Trần Thị Bình",
        "unit": tree.KTTV_B,
        "started_on": START,
    }
    args.update(overrides)
    return ppl.person_create(**args)


def history(p: Person) -> list[tuple[str, dt.date, dt.date | None]]:
    rows = Assignment.objects.filter(person=p).select_related("unit").order_by("start")
    return [(a.unit.code, a.start, a.end) for a in rows]


def codes(people: list[Person]) -> list[str]:
    return [p.code for p in people]


# --- create ----------------------------------------------------------------------------


def test_create_opens_an_assignment_and_search_keys(tree: Tree) -> None:
    p = create(
        tree,
        full_name="  Trần   Thị  Bình ",
        gender="F",
        is_head=True,
        position="Giám đốc",
        birth_date=D(1980, 5, 17),
        email=" b@example.vn ",
    )
    p.refresh_from_db()
    assert p.full_name == "Trần Thị Bình"
    assert (p.gender, p.is_head, p.position, p.email) == ("F", True, "Giám đốc", "b@example.vn")
    assert p.unit == tree.KTTV_B
    assert history(p) == [("KTTV_B", START, None)]
    assert p.sort_key == name_sort_key("Trần Thị Bình")
    assert Person.objects.get(search_text__contains="tran thi binh") == p
    assert Person.objects.get(search_text__contains="giam doc") == p
    assert Person.objects.get(search_text__contains="p100") == p


def test_create_duplicate_code_is_a_conflict_and_writes_nothing(
    tree: Tree, person_a: Person
) -> None:
    audit_before = AuditEvent.objects.count()
    with pytest.raises(Conflict):
        create(tree, code="P001")
    assert Person.objects.count() == 1
    assert Assignment.objects.count() == 1
    assert AuditEvent.objects.count() == audit_before


def test_create_reports_every_bad_field(tree: Tree) -> None:
    with pytest.raises(ValidationFailed) as exc:
        create(tree, code="HAS SPACE", full_name=" ", started_on=None, gender="X")
    assert fields_of(exc) == {"code", "full_name", "started_on", "gender"}
    with pytest.raises(ValidationFailed) as exc:
        create(tree, code="", full_name="x" * 151, unit=None)
    assert fields_of(exc) == {"code", "full_name", "unit"}
    assert not Person.objects.exists()


def test_create_refuses_a_start_before_the_unit_existed(tree: Tree) -> None:
    new = org.unit_create(
        actor=None, code="NEW", name="Mới", parent=tree.KTTV, valid_from=D(2024, 1, 1)
    )
    with pytest.raises(ValidationFailed) as exc:
        create(tree, unit=new, started_on=D(2023, 12, 31))
    assert fields_of(exc) == {"started_on"}
    assert create(tree, unit=new, started_on=D(2024, 1, 1)).unit == new


def test_create_refuses_an_inactive_unit(tree: Tree) -> None:
    org.units_merge(actor=None, sources=[tree.KTTV_B], into=tree.KTTV_A, on=D(2025, 1, 1))
    tree.KTTV_B.refresh_from_db()
    with pytest.raises(ValidationFailed) as exc:
        create(tree, unit=tree.KTTV_B)
    assert fields_of(exc) == {"unit"}


# --- update ----------------------------------------------------------------------------


def test_update_refreshes_sort_and_search_keys(tree: Tree, person_a: Person) -> None:
    ppl.person_update(
        actor=None, person=person_a, full_name=" Đặng  Văn Ân ", position="Phó Giám đốc", gender="M"
    )
    p = Person.objects.get(pk=person_a.pk)
    assert p.full_name == "Đặng Văn Ân"
    assert p.sort_key == name_sort_key("Đặng Văn Ân")
    assert "dang van an" in p.search_text
    assert "pho giam doc" in p.search_text
    assert "nguyen" not in p.search_text
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None and event.before is not None and event.after is not None
    assert (event.action, event.before["full_name"], event.after["full_name"]) == (
        "person.update",
        "Nguyễn Văn An",
        "Đặng Văn Ân",
    )


def test_update_refuses_bad_values_and_the_unit(tree: Tree, person_a: Person) -> None:
    with pytest.raises(ValidationFailed):
        ppl.person_update(actor=None, person=person_a, full_name="  ")
    with pytest.raises(ValidationFailed):
        ppl.person_update(actor=None, person=person_a, gender="Z")
    with pytest.raises(ValueError):
        ppl.person_update(actor=None, person=person_a, unit=tree.ST)  # only through a transfer
    assert Person.objects.get(pk=person_a.pk).full_name == "Nguyễn Văn An"


# --- transfer --------------------------------------------------------------------------


def test_transfer_closes_the_old_assignment_the_day_before(tree: Tree, person_a: Person) -> None:
    ppl.person_transfer(actor=None, person=person_a, unit=tree.KTTV_B, on=D(2024, 7, 1))
    p = Person.objects.get(pk=person_a.pk)
    assert p.unit == tree.KTTV_B
    assert p.started_on == START  # the date the person joined the organisation is kept
    assert history(p) == [("KTTV_A", START, D(2024, 6, 30)), ("KTTV_B", D(2024, 7, 1), None)]
    ppl.person_transfer(actor=None, person=p, unit=tree.ST_VP, on=D(2025, 2, 1))
    assert history(p)[-2:] == [
        ("KTTV_B", D(2024, 7, 1), D(2025, 1, 31)),
        ("ST_VP", D(2025, 2, 1), None),
    ]


@pytest.mark.parametrize("on", [START, D(2019, 12, 31)])
def test_transfer_date_must_be_after_the_current_start(
    tree: Tree, person_a: Person, on: dt.date
) -> None:
    with pytest.raises(ValidationFailed) as exc:
        ppl.person_transfer(actor=None, person=person_a, unit=tree.KTTV_B, on=on)
    assert fields_of(exc) == {"on"}
    assert history(person_a) == [("KTTV_A", START, None)]


def test_transfer_to_the_same_unit_is_refused(tree: Tree, person_a: Person) -> None:
    with pytest.raises(ValidationFailed) as exc:
        ppl.person_transfer(actor=None, person=person_a, unit=tree.KTTV_A, on=D(2024, 1, 1))
    assert fields_of(exc) == {"unit"}


def test_transfer_to_an_inactive_unit_is_refused(tree: Tree, person_a: Person) -> None:
    org.units_merge(actor=None, sources=[tree.ST_VP], into=tree.ST, on=D(2023, 1, 1))
    tree.ST_VP.refresh_from_db()
    audit_before = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        ppl.person_transfer(actor=None, person=person_a, unit=tree.ST_VP, on=D(2024, 1, 1))
    assert fields_of(exc) == {"unit"}
    assert Person.objects.get(pk=person_a.pk).unit == tree.KTTV_A
    assert AuditEvent.objects.count() == audit_before


def test_transfer_before_the_target_existed_is_refused(tree: Tree, person_a: Person) -> None:
    new = org.unit_create(
        actor=None, code="NEW", name="Mới", parent=tree.KTTV, valid_from=D(2024, 1, 1)
    )
    with pytest.raises(ValidationFailed) as exc:
        ppl.person_transfer(actor=None, person=person_a, unit=new, on=D(2023, 6, 1))
    assert fields_of(exc) == {"on"}
    ppl.person_transfer(actor=None, person=person_a, unit=new, on=D(2024, 1, 1))
    assert Person.objects.get(pk=person_a.pk).unit == new


def test_transfer_is_audited(tree: Tree, person_a: Person, personas: Any) -> None:
    ppl.person_transfer(actor=personas.officer, person=person_a, unit=tree.KTTV_B, on=D(2024, 7, 1))
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert (event.action, event.actor, event.unit) == (
        "person.transfer",
        personas.officer,
        tree.KTTV_B,
    )


# --- members of a unit for a year ------------------------------------------------------


def test_members_for_a_year_are_those_assigned_on_31_december(tree: Tree, person_a: Person) -> None:
    a, b = tree.KTTV_A, tree.KTTV_B
    ppl.person_transfer(actor=None, person=person_a, unit=b, on=D(2024, 7, 1))
    assert codes(ppl.unit_members_for_year(b, 2024)) == ["P001"]
    assert codes(ppl.unit_members_for_year(a, 2023)) == ["P001"]
    assert ppl.unit_members_for_year(a, 2024) == []
    assert ppl.unit_members_for_year(b, 2023) == []
    assert codes(ppl.unit_members_for_year(b, 2030)) == ["P001"]
    assert ppl.unit_members_for_year(a, 2019) == []


def test_membership_edges_around_new_year(tree: Tree) -> None:
    late = create(tree, code="LATE", unit=tree.KTTV_A)
    early = create(tree, code="EARLY", full_name="Lê Văn An", unit=tree.KTTV_A)
    # Moved on 31/12: already in the new unit on the day that counts.
    ppl.person_transfer(actor=None, person=late, unit=tree.KTTV_B, on=D(2024, 12, 31))
    # Moved on 1/1: still in the old unit on 31/12 of the year before.
    ppl.person_transfer(actor=None, person=early, unit=tree.KTTV_B, on=D(2025, 1, 1))
    assert codes(ppl.unit_members_for_year(tree.KTTV_A, 2024)) == ["EARLY"]
    assert codes(ppl.unit_members_for_year(tree.KTTV_B, 2024)) == ["LATE"]
    assert set(codes(ppl.unit_members_for_year(tree.KTTV_B, 2025))) == {"LATE", "EARLY"}


def test_members_are_listed_in_vietnamese_name_order(tree: Tree) -> None:
    for code, name in [
        ("1", "Vũ Văn Dũng"),
        ("2", "Lê Anh"),
        ("3", "Phạm Thị Đức"),
        ("4", "Nguyễn Văn An"),
        ("5", "Lê Văn Đức"),
    ]:
        create(tree, code=code, full_name=name)
    assert [p.full_name for p in ppl.unit_members_for_year(tree.KTTV_B, 2024)] == [
        "Nguyễn Văn An",
        "Lê Anh",
        "Vũ Văn Dũng",
        "Phạm Thị Đức",
        "Lê Văn Đức",
    ]


def test_members_on_many_units_at_once(tree: Tree, person_a: Person) -> None:
    ppl.person_transfer(actor=None, person=person_a, unit=tree.KTTV_B, on=D(2024, 7, 1))
    other = create(tree, unit=tree.KTTV_A)
    ids = [tree.KTTV_A.pk, tree.KTTV_B.pk, tree.ST.pk]
    on_june = ppl.members_on(ids, D(2024, 6, 30))
    assert sorted(on_june[tree.KTTV_A.pk]) == sorted([person_a.pk, other.pk])
    assert on_june[tree.KTTV_B.pk] == on_june[tree.ST.pk] == []
    on_july = ppl.members_on(ids, D(2024, 7, 1))
    assert on_july[tree.KTTV_A.pk] == [other.pk]
    assert on_july[tree.KTTV_B.pk] == [person_a.pk]
    assert on_july[tree.ST.pk] == []


# --- ratings ---------------------------------------------------------------------------


def test_rating_upsert_keeps_one_row_per_year(tree: Tree, person_a: Person) -> None:
    ppl.person_rating_set(actor=None, person=person_a, year=2024, rating="HTTNV")
    ppl.person_rating_set(actor=None, person=person_a, year=2024, rating="HTXSNV")
    ppl.person_rating_set(actor=None, person=person_a, year=2023, rating="HTNV")
    assert list(PersonRating.objects.filter(person=person_a).values_list("year", "rating")) == [
        (2024, "HTXSNV"),
        (2023, "HTNV"),
    ]
    events = AuditEvent.objects.filter(action="person.rating").order_by("seq")
    assert [(e.before, e.after) for e in events] == [
        (None, {"year": 2024, "rating": "HTTNV", "person": "P001"}),
        ({"year": 2024, "rating": "HTTNV"}, {"year": 2024, "rating": "HTXSNV", "person": "P001"}),
        (None, {"year": 2023, "rating": "HTNV", "person": "P001"}),
    ]


@pytest.mark.parametrize(
    ("year", "rating", "field"), [(2024, "A+", "rating"), (1900, "HTNV", "year")]
)
def test_rating_refusals(tree: Tree, person_a: Person, year: int, rating: str, field: str) -> None:
    with pytest.raises(ValidationFailed) as exc:
        ppl.person_rating_set(actor=None, person=person_a, year=year, rating=rating)
    assert fields_of(exc) == {field}
    assert not PersonRating.objects.exists()
