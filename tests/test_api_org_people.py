"""The contract's "Organisation and people" section, line by line (shared/api/CONTRACT.md)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from accounts.models import ApiToken, Role
from accounts.services import api_token_revoke
from audit.models import AuditEvent
from core.text import fold
from organizations.models import Unit, UnitRating, UnitVersion
from people import services as ppl
from people.models import Assignment, Person, PersonRating
from tests.conftest import START, ApiClient, Tree, make_user

UNITS = "/api/v1/units"
PEOPLE = "/api/v1/people"


def counts() -> tuple[int, ...]:
    return (
        Unit.objects.count(),
        UnitVersion.objects.count(),
        UnitRating.objects.count(),
        Person.objects.count(),
        Assignment.objects.count(),
        PersonRating.objects.count(),
        # Clients get their tokens (an audited change) when the test creates them.
        AuditEvent.objects.exclude(action="api_token.issue").count(),
    )


def error_fields(response: Any) -> set[str]:
    body = response.json()
    assert isinstance(body["detail"], str) and body["detail"]
    assert all(set(e) == {"field", "message"} and e["message"] for e in body["errors"])
    return {e["field"] for e in body["errors"]}


@pytest.fixture
def st_person(tree: Tree) -> Person:
    return ppl.person_create(
        actor=None,
        code="ST001",
        full_name="Lâm Thị Mai",
        unit=tree.ST_VP,
        started_on=START,
        gender="F",
    )


@pytest.fixture
def st_standing(tree: Tree) -> ApiClient:
    """Someone who may restructure STNMT_ST's subtree, and only that."""
    return ApiClient(make_user("st_standing", [(Role.STANDING, tree.ST)]))


# --- POST /api/v1/units -------------------------------------------------------------------


def test_create_unit_answers_201_with_the_unit(api_as: Any, tree: Tree) -> None:
    r = api_as("standing").post(
        UNITS,
        {"code": "KTTV_C", "name": "Trung tâm Mạng lưới", "parent": "KTTV", "kind": "AFFILIATED"},
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["code"] == "KTTV_C"
    assert body["name"] == "Trung tâm Mạng lưới"
    assert body["parent"] == "KTTV"
    assert body["children"] == []
    assert body["kind"] == "AFFILIATED"
    unit = Unit.objects.get(code="KTTV_C")
    assert unit.parent == tree.KTTV
    event = AuditEvent.objects.order_by("-seq").first()
    assert event is not None
    assert (event.action, event.actor_label) == ("unit.create", "standing")


def test_create_unit_kind_is_optional(api_as: Any, tree: Tree) -> None:
    r = api_as("standing").post(UNITS, {"code": "N1", "name": "Phòng", "parent": "ST_VP"})
    assert r.status_code == 201, r.content
    assert r.json()["kind"] == "OFFICE"


def test_create_root_unit_with_null_parent(api_as: Any, tree: Tree) -> None:
    r = api_as("admin").post(
        UNITS, {"code": "BO2", "name": "Bộ khác", "parent": None, "kind": "MINISTRY"}
    )
    assert r.status_code == 201, r.content
    assert r.json()["parent"] is None
    # Only a system administrator adds a new root.
    before = counts()
    r = api_as("standing").post(UNITS, {"code": "BO3", "name": "Bộ nữa", "parent": None})
    assert r.status_code == 403
    assert counts() == before


def test_create_unit_duplicate_code_is_409(api_as: Any, tree: Tree) -> None:
    before = counts()
    r = api_as("standing").post(UNITS, {"code": "KTTV_A", "name": "Trùng", "parent": "KTTV"})
    assert r.status_code == 409
    assert r.json()["detail"]
    assert counts() == before


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"code": "N1", "parent": "KTTV"}, "name"),
        ({"code": "N1", "name": "", "parent": "KTTV"}, "name"),
        ({"code": "N1", "name": "   ", "parent": "KTTV"}, "name"),
        ({"code": "N1", "name": "Phòng", "parent": "KTTV", "kind": "PLANET"}, "kind"),
        ({"name": "Phòng", "parent": "KTTV"}, "code"),
        ({"code": "HAS SPACE", "name": "Phòng", "parent": "KTTV"}, "code"),
    ],
)
def test_create_unit_invalid_input_is_422_with_errors(
    api_as: Any, tree: Tree, body: dict[str, Any], field: str
) -> None:
    before = counts()
    r = api_as("standing").post(UNITS, body)
    assert r.status_code == 422, r.content
    assert field in error_fields(r)
    assert counts() == before


def test_create_unit_schema_messages_follow_the_interface_language(api_as: Any, tree: Tree) -> None:
    r = api_as("standing").post(UNITS, {"code": "N1", "parent": "KTTV", "kind": "PLANET"})
    messages = {e["field"]: e["message"] for e in r.json()["errors"]}
    assert messages["name"] != "Field required"
    assert "OFFICE" in messages["kind"]  # the allowed values are named


def test_create_unit_under_a_parent_outside_scope_is_404_like_unknown(
    st_standing: ApiClient, api_as: Any, tree: Tree
) -> None:
    before = counts()
    outside = st_standing.post(UNITS, {"code": "N1", "name": "Phòng", "parent": "KTTV"})
    unknown = st_standing.post(UNITS, {"code": "N1", "name": "Phòng", "parent": "NOPE"})
    assert outside.status_code == unknown.status_code == 404
    assert outside.json().keys() == unknown.json().keys() == {"detail"}
    assert "KTTV" in outside.json()["detail"]
    assert outside.json()["detail"].replace("KTTV", "X") == unknown.json()["detail"].replace(
        "NOPE", "X"
    )
    # An outsider without any right to restructure gets the same answer.
    assert (
        api_as("outsider").post(UNITS, {"code": "N1", "name": "P", "parent": "KTTV"}).status_code
        == 404
    )
    assert counts() == before
    # Inside its own subtree it works.
    r = st_standing.post(UNITS, {"code": "N1", "name": "Phòng", "parent": "ST_VP"})
    assert r.status_code == 201


@pytest.mark.parametrize("persona", ["viewer", "officer", "head", "council"])
def test_create_unit_under_a_visible_parent_without_write_is_403(
    api_as: Any, tree: Tree, persona: str
) -> None:
    before = counts()
    r = api_as(persona).post(UNITS, {"code": "N1", "name": "Phòng", "parent": "KTTV"})
    assert r.status_code == 403
    assert r.json()["detail"]
    assert counts() == before


# --- GET /api/v1/units/{code} -------------------------------------------------------------


def test_get_unit_has_parent_and_children_codes(api_as: Any, tree: Tree) -> None:
    r = api_as("viewer").get(f"{UNITS}/KTTV")
    assert r.status_code == 200
    body = r.json()
    assert (body["code"], body["name"], body["parent"]) == ("KTTV", tree.KTTV.name, "MIN")
    assert sorted(body["children"]) == ["KTTV_A", "KTTV_B"]
    leaf = api_as("viewer").get(f"{UNITS}/KTTV_A").json()
    assert (leaf["parent"], leaf["children"]) == ("KTTV", [])
    root = api_as("standing").get(f"{UNITS}/MIN").json()
    assert root["parent"] is None
    assert sorted(root["children"]) == ["KTTV", "STNMT_ST", "TCCB"]


def test_get_unit_outside_scope_is_404_like_unknown(api_as: Any, tree: Tree) -> None:
    api = api_as("outsider")
    outside = api.get(f"{UNITS}/KTTV")
    unknown = api.get(f"{UNITS}/NOPE")
    assert outside.status_code == unknown.status_code == 404
    assert outside.json() == unknown.json()
    # The officer of KTTV cannot see its parent either.
    assert api_as("officer").get(f"{UNITS}/MIN").status_code == 404
    assert api_as("outsider").get(f"{UNITS}/ST_VP").status_code == 200


# --- PUT /api/v1/units/{code}/ratings/{year} ----------------------------------------------


def test_put_unit_rating(api_as: Any, tree: Tree) -> None:
    api = api_as("officer")
    r = api.put(f"{UNITS}/KTTV_A/ratings/2024", {"rating": "HTTNV"})
    assert r.status_code == 200, r.content
    assert r.json()["rating"] == "HTTNV"
    r = api.put(f"{UNITS}/KTTV_A/ratings/2024", {"rating": "HTXSNV"})
    assert r.status_code == 200
    assert list(UnitRating.objects.filter(unit=tree.KTTV_A).values_list("year", "rating")) == [
        (2024, "HTXSNV")
    ]


@pytest.mark.parametrize(
    ("path", "body", "field"),
    [
        ("KTTV_A/ratings/2024", {"rating": "EXCELLENT"}, "rating"),
        ("KTTV_A/ratings/2024", {}, "rating"),
        ("KTTV_A/ratings/1800", {"rating": "HTNV"}, "year"),
        ("KTTV_A/ratings/abc", {"rating": "HTNV"}, "year"),
    ],
)
def test_put_unit_rating_invalid_is_422(
    api_as: Any, tree: Tree, path: str, body: dict[str, Any], field: str
) -> None:
    before = counts()
    r = api_as("officer").put(f"{UNITS}/{path}", body)
    assert r.status_code == 422, r.content
    assert field in error_fields(r)
    assert counts() == before


def test_put_unit_rating_viewer_403_outsider_404(api_as: Any, tree: Tree) -> None:
    before = counts()
    assert (
        api_as("viewer").put(f"{UNITS}/KTTV_A/ratings/2024", {"rating": "HTNV"}).status_code == 403
    )
    r = api_as("outsider").put(f"{UNITS}/KTTV_A/ratings/2024", {"rating": "HTNV"})
    assert r.status_code == 404
    assert (
        r.json() == api_as("outsider").put(f"{UNITS}/NOPE/ratings/2024", {"rating": "HTNV"}).json()
    )
    assert counts() == before


# --- POST /api/v1/people -----------------------------------------------------------------

NEW_PERSON = {
    "code": "P100",
    "full_name": "Trần Thị Bình",
    "unit": "KTTV_B",
    "started_on": "2021-03-15",
}


def test_create_person_answers_201(api_as: Any, tree: Tree) -> None:
    r = api_as("officer").post(PEOPLE, {**NEW_PERSON, "is_head": True, "gender": "F"})
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["code"] == "P100"
    assert body["full_name"] == "Trần Thị Bình"
    assert body["unit"] == "KTTV_B"
    assert body["started_on"] == "2021-03-15"
    assert body["is_head"] is True
    assert body["gender"] == "F"
    person = Person.objects.get(code="P100")
    assert (person.unit, person.started_on) == (tree.KTTV_B, dt.date(2021, 3, 15))


def test_create_person_optional_fields_default(api_as: Any, tree: Tree) -> None:
    r = api_as("officer").post(PEOPLE, NEW_PERSON)
    assert r.status_code == 201, r.content
    assert r.json()["is_head"] is False
    assert Person.objects.get(code="P100").gender == ""


def test_create_person_duplicate_is_409(api_as: Any, tree: Tree, person_a: Person) -> None:
    before = counts()
    r = api_as("officer").post(PEOPLE, {**NEW_PERSON, "code": "P001"})
    assert r.status_code == 409
    assert r.json()["detail"]
    assert counts() == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"full_name": None}, "full_name"),
        ({"full_name": ""}, "full_name"),
        ({"full_name": "   "}, "full_name"),
        ({"gender": "X"}, "gender"),
        ({"started_on": "2024-13-01"}, "started_on"),
        ({"started_on": "15/03/2021"}, "started_on"),
        ({"started_on": None}, "started_on"),
        ({"started_on": "2019-12-31"}, "started_on"),  # before the unit existed
        ({"is_head": "perhaps"}, "is_head"),
    ],
)
def test_create_person_invalid_is_422(
    api_as: Any, tree: Tree, change: dict[str, Any], field: str
) -> None:
    body = {**NEW_PERSON, **change}
    body = {k: v for k, v in body.items() if v is not None}
    before = counts()
    r = api_as("officer").post(PEOPLE, body)
    assert r.status_code == 422, r.content
    assert field in error_fields(r)
    assert counts() == before


def test_create_person_in_a_unit_outside_scope_is_404(api_as: Any, tree: Tree) -> None:
    before = counts()
    outside = api_as("officer").post(PEOPLE, {**NEW_PERSON, "unit": "ST_VP"})
    unknown = api_as("officer").post(PEOPLE, {**NEW_PERSON, "unit": "NOPE"})
    assert outside.status_code == unknown.status_code == 404
    assert api_as("viewer").post(PEOPLE, NEW_PERSON).status_code == 403
    assert counts() == before


# --- GET /api/v1/people/{code} -----------------------------------------------------------


def test_get_person_with_current_unit(api_as: Any, tree: Tree, person_a: Person) -> None:
    r = api_as("viewer").get(f"{PEOPLE}/P001")
    assert r.status_code == 200
    body = r.json()
    assert (body["code"], body["full_name"], body["unit"], body["gender"]) == (
        "P001",
        "Nguyễn Văn An",
        "KTTV_A",
        "M",
    )


def test_token_acts_with_its_users_scope(api_as: Any, tree: Tree, st_person: Person) -> None:
    officer = api_as("officer")
    outside = officer.get(f"{PEOPLE}/ST001")
    assert outside.status_code == 404
    assert outside.json() == officer.get(f"{PEOPLE}/NOBODY").json()
    assert api_as("outsider").get(f"{PEOPLE}/ST001").status_code == 200
    assert api_as("standing").get(f"{PEOPLE}/ST001").status_code == 200
    # Nor can it write there.
    before = counts()
    assert officer.put(f"{PEOPLE}/ST001/ratings/2024", {"rating": "HTNV"}).status_code == 404
    assert (
        officer.post(
            f"{PEOPLE}/ST001/transfers", {"unit": "KTTV_A", "on": "2024-01-01"}
        ).status_code
        == 404
    )
    assert counts() == before


# --- POST /api/v1/people/{code}/transfers --------------------------------------------------


def test_transfer_answers_201_and_the_person_moves(
    api_as: Any, tree: Tree, person_a: Person
) -> None:
    api = api_as("officer")
    r = api.post(f"{PEOPLE}/P001/transfers", {"unit": "KTTV_B", "on": "2024-07-01"})
    assert r.status_code == 201, r.content
    assert r.json()["unit"] == "KTTV_B"
    assert api.get(f"{PEOPLE}/P001").json()["unit"] == "KTTV_B"
    # Membership follows the contract: people assigned to the unit on 31 December.
    assert [p.code for p in ppl.unit_members_for_year(tree.KTTV_B, 2024)] == ["P001"]
    assert [p.code for p in ppl.unit_members_for_year(tree.KTTV_A, 2023)] == ["P001"]
    assert ppl.unit_members_for_year(tree.KTTV_A, 2024) == []


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"unit": "KTTV_B", "on": "2019-06-01"}, "on"),
        ({"unit": "KTTV_B", "on": "2020-01-01"}, "on"),
        ({"unit": "KTTV_A", "on": "2024-07-01"}, "unit"),
        ({"unit": "KTTV_B", "on": "01/07/2024"}, "on"),
        ({"unit": "KTTV_B"}, "on"),
    ],
)
def test_transfer_invalid_is_422(
    api_as: Any, tree: Tree, person_a: Person, body: dict[str, Any], field: str
) -> None:
    before = counts()
    r = api_as("officer").post(f"{PEOPLE}/P001/transfers", body)
    assert r.status_code == 422, r.content
    assert field in error_fields(r)
    assert counts() == before
    assert Person.objects.get(code="P001").unit == tree.KTTV_A


def test_transfer_scope(api_as: Any, tree: Tree, person_a: Person) -> None:
    before = counts()
    body = {"unit": "ST_VP", "on": "2024-07-01"}
    assert api_as("officer").post(f"{PEOPLE}/P001/transfers", body).status_code == 404
    assert (
        api_as("viewer")
        .post(f"{PEOPLE}/P001/transfers", {"unit": "KTTV_B", "on": "2024-07-01"})
        .status_code
        == 403
    )
    assert api_as("outsider").post(f"{PEOPLE}/P001/transfers", body).status_code == 404
    assert counts() == before
    # Someone whose scope covers both ends may move the person across.
    assert api_as("standing").post(f"{PEOPLE}/P001/transfers", body).status_code == 201


# --- PUT /api/v1/people/{code}/ratings/{year} ----------------------------------------------


def test_put_person_rating(api_as: Any, tree: Tree, person_a: Person) -> None:
    api = api_as("officer")
    r = api.put(f"{PEOPLE}/P001/ratings/2024", {"rating": "HTXSNV"})
    assert r.status_code == 200, r.content
    assert r.json()["rating"] == "HTXSNV"
    assert api.put(f"{PEOPLE}/P001/ratings/2024", {"rating": "HTNV"}).status_code == 200
    assert list(PersonRating.objects.values_list("year", "rating")) == [(2024, "HTNV")]


def test_put_person_rating_errors(api_as: Any, tree: Tree, person_a: Person) -> None:
    before = counts()
    r = api_as("officer").put(f"{PEOPLE}/P001/ratings/2024", {"rating": "TOP"})
    assert r.status_code == 422
    assert error_fields(r) == {"rating"}
    assert (
        api_as("officer").put(f"{PEOPLE}/P001/ratings/3000", {"rating": "HTNV"}).status_code == 422
    )
    assert (
        api_as("viewer").put(f"{PEOPLE}/P001/ratings/2024", {"rating": "HTNV"}).status_code == 403
    )
    assert (
        api_as("outsider").put(f"{PEOPLE}/P001/ratings/2024", {"rating": "HTNV"}).status_code == 404
    )
    assert (
        api_as("officer").put(f"{PEOPLE}/NOBODY/ratings/2024", {"rating": "HTNV"}).status_code
        == 404
    )
    assert counts() == before


# --- authentication ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer not-a-token"},
        {"Authorization": "Bearer "},
        {"Authorization": "Token thd_abc"},
    ],
)
@pytest.mark.parametrize(
    ("method", "path"),
    [("get", f"{UNITS}/KTTV"), ("get", f"{PEOPLE}/P001"), ("put", f"{PEOPLE}/P001/ratings/2024")],
)
def test_missing_or_bad_token_is_401_with_detail(
    tree: Tree, person_a: Person, headers: dict[str, str], method: str, path: str
) -> None:
    api = ApiClient(None)
    api.headers = headers
    call = getattr(api, method)
    r = call(path) if method == "get" else call(path, {"rating": "HTNV"})
    assert r.status_code == 401
    assert r.json()["detail"]
    assert not PersonRating.objects.exists()


def test_revoked_token_and_inactive_user_are_401(personas: Any, tree: Tree) -> None:
    api = ApiClient(personas.officer)
    assert api.get(f"{UNITS}/KTTV").status_code == 200
    with_token = ApiToken.objects.get(user=personas.officer)
    from django.db import transaction

    with transaction.atomic():
        api_token_revoke(actor=None, token=with_token)
    assert api.get(f"{UNITS}/KTTV").status_code == 401
    api = ApiClient(personas.head)
    personas.head.is_active = False
    personas.head.save()
    assert api.get(f"{UNITS}/KTTV").status_code == 401


def test_post_without_token_writes_nothing(tree: Tree) -> None:
    before = counts()
    r = ApiClient(None).post(UNITS, {"code": "N1", "name": "Phòng", "parent": "KTTV"})
    assert r.status_code == 401
    assert counts() == before


# --- language -----------------------------------------------------------------------------


def test_errors_are_in_vietnamese_by_default(api_as: Any, tree: Tree) -> None:
    detail = api_as("officer").get(f"{UNITS}/NOPE").json()["detail"]
    assert not detail.isascii()


def _english_details(api_as: Any) -> list[str]:
    en = {"Accept-Language": "en"}
    officer, anon = api_as("officer"), ApiClient(None)
    return [
        officer.get(f"{UNITS}/NOPE", **en).json()["detail"],
        officer.put(f"{UNITS}/KTTV_A/ratings/2024", {"rating": "X"}, **en).json()["detail"],
        officer.post(UNITS, {"code": "N", "name": "N", "parent": "KTTV"}, **en).json()["detail"],
        api_as("viewer")
        .put(f"{PEOPLE}/P001/ratings/2024", {"rating": "HTNV"}, **en)
        .json()["detail"],
        officer.post(PEOPLE, {**NEW_PERSON, "code": "P001"}, **en).json()["detail"],
        anon.get(f"{UNITS}/KTTV", **en).json()["detail"],
    ]


def test_english_errors_when_asked(api_as: Any, tree: Tree, person_a: Person) -> None:
    details = _english_details(api_as)
    # No Vietnamese letters left: folding diacritics away changes nothing.
    assert all(d and fold(d) == " ".join(d.lower().split()) for d in details), details


# --- atomic writes -------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("module", "method", "path", "body"),
    [
        ("organizations.services", "post", UNITS, {"code": "N1", "name": "P", "parent": "KTTV"}),
        ("people.services", "post", PEOPLE, NEW_PERSON),
        ("organizations.services", "put", f"{UNITS}/KTTV_A/ratings/2024", {"rating": "HTNV"}),
        ("people.services", "put", f"{PEOPLE}/P001/ratings/2024", {"rating": "HTNV"}),
    ],
)
def test_a_request_failing_midway_leaves_nothing(
    api_as: Any,
    tree: Tree,
    person_a: Person,
    monkeypatch: pytest.MonkeyPatch,
    module: str,
    method: str,
    path: str,
    body: dict[str, Any],
) -> None:
    """The service writes its rows, then the audit write fails: the request must undo all."""

    def broken_record(**kwargs: Any) -> None:
        raise RuntimeError("disk full")

    api = api_as("standing")
    api.client.raise_request_exception = False
    monkeypatch.setattr(f"{module}.audit.record", broken_record)
    before = counts()
    r = getattr(api, method)(path, body)
    assert r.status_code == 500
    assert counts() == before


def test_a_transfer_failing_midway_leaves_nothing(
    api_as: Any, tree: Tree, person_a: Person, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken_record_many(**kwargs: Any) -> None:
        raise RuntimeError("disk full")

    api = api_as("standing")
    api.client.raise_request_exception = False
    monkeypatch.setattr("people.services.audit.record_many", broken_record_many)
    before = counts()
    r = api.post(f"{PEOPLE}/P001/transfers", {"unit": "KTTV_B", "on": "2024-07-01"})
    assert r.status_code == 500
    assert counts() == before
    assert Person.objects.get(code="P001").unit == tree.KTTV_A
    assert Assignment.objects.get(person=person_a).end is None


# --- OpenAPI ------------------------------------------------------------------------------


CONTRACT = [
    ("post", "/api/v1/units"),
    ("get", "/api/v1/units/{code}"),
    ("put", "/api/v1/units/{code}/ratings/{year}"),
    ("post", "/api/v1/people"),
    ("get", "/api/v1/people/{code}"),
    ("post", "/api/v1/people/{code}/transfers"),
    ("put", "/api/v1/people/{code}/ratings/{year}"),
]


def test_openapi_lists_every_contract_path(api_as: Any, tree: Tree) -> None:
    r = api_as("viewer").get("/api/v1/openapi.json")
    assert r.status_code == 200
    paths = r.json()["paths"]
    for method, path in CONTRACT:
        assert method in paths.get(path, {}), f"{method.upper()} {path} missing"
    schemas = r.json()["components"]["schemas"]
    unit_in = schemas["UnitIn"]["properties"]
    assert {"code", "name", "parent", "kind"} <= set(unit_in)
    person_in = schemas["PersonIn"]["properties"]
    assert {"code", "full_name", "unit", "started_on", "is_head", "gender"} <= set(person_in)
    assert {"unit", "on"} <= set(schemas["TransferIn"]["properties"])
    assert "rating" in schemas["RatingIn"]["properties"]
    assert {"parent", "children"} <= set(schemas["UnitOut"]["properties"])
    assert "unit" in schemas["PersonOut"]["properties"]


def test_openapi_declares_bearer_auth(api_as: Any, tree: Tree) -> None:
    doc = api_as("viewer").get("/api/v1/openapi.json").json()
    schemes = doc["components"]["securitySchemes"]
    assert any(s.get("scheme", "").lower() == "bearer" for s in schemes.values())


def test_interactive_docs_are_served(tree: Tree) -> None:
    r = ApiClient(None).get("/api/v1/docs")
    assert r.status_code == 200
