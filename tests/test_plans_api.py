"""Plans API: the contract's shapes and status codes (CONTRACT.md, "Plans and compliance")."""

from __future__ import annotations

from typing import Any

import pytest

from plans.models import Plan, Submission

pytestmark = pytest.mark.django_db

PLAN: dict[str, Any] = {
    "code": "KH-BTNMT-2023",
    "title": "Kế hoạch tuyên truyền, bồi dưỡng và nhân rộng điển hình tiên tiến 2023–2025",
    "issuer": "MIN",
    "starts_on": "2023-11-06",
    "ends_on": "2025-12-31",
    "requirements": [
        {"key": "KH", "kind": "UNIT_PLAN", "due_on": "2023-12-30", "scope": "CHILD_UNITS"},
        {
            "key": "DK",
            "kind": "EXEMPLAR_REGISTRATION",
            "due_on": "2024-03-31",
            "scope": "SUBTREE",
            "min_count": 1,
            "max_count": 2,
        },
    ],
}


@pytest.fixture
def plan(api_as: Any) -> dict[str, Any]:
    response = api_as("standing").post("/api/v1/plans", PLAN)
    assert response.status_code == 201, response.content
    return response.json()  # type: ignore[no-any-return]


def test_create_answers_201_with_the_plan_and_its_requirements(plan: dict[str, Any]) -> None:
    assert plan["code"] == "KH-BTNMT-2023"
    assert plan["issuer"] == "MIN"
    assert plan["parent"] is None
    assert plan["starts_on"] == "2023-11-06"
    assert [(r["key"], r["kind"], r["due_on"], r["scope"]) for r in plan["requirements"]] == [
        ("KH", "UNIT_PLAN", "2023-12-30", "CHILD_UNITS"),
        ("DK", "EXEMPLAR_REGISTRATION", "2024-03-31", "SUBTREE"),
    ]
    assert plan["requirements"][1]["min_count"] == 1
    assert plan["requirements"][1]["max_count"] == 2


def test_get_plan_and_child_plan_with_parent(api_as: Any, plan: dict[str, Any]) -> None:
    officer = api_as("officer")
    child = officer.post(
        "/api/v1/plans",
        {
            "code": "KH-KTTV-2023",
            "title": "Kế hoạch của Tổng cục KTTV",
            "issuer": "KTTV",
            "parent": "KH-BTNMT-2023",
            "starts_on": "2023-12-01",
            "ends_on": "2025-12-31",
            "requirements": [],
        },
    )
    assert child.status_code == 201, child.content
    assert child.json()["parent"] == "KH-BTNMT-2023"
    got = api_as("standing").get("/api/v1/plans/KH-BTNMT-2023")
    assert got.status_code == 200
    assert got.json()["children"] == ["KH-KTTV-2023"]


def test_create_errors(api_as: Any, plan: dict[str, Any]) -> None:
    standing = api_as("standing")
    assert standing.post("/api/v1/plans", PLAN).status_code == 409
    bad = {**PLAN, "code": "X1", "requirements": [PLAN["requirements"][0]] * 2}
    response = standing.post("/api/v1/plans", bad)
    assert response.status_code == 422
    assert "requirements.1.key" in [e["field"] for e in response.json()["errors"]]
    swapped = {
        **PLAN,
        "code": "X2",
        "requirements": [{**PLAN["requirements"][1], "min_count": 3, "max_count": 1}],
    }
    response = standing.post("/api/v1/plans", swapped)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "requirements.0.max_count"
    backwards = {**PLAN, "code": "X3", "starts_on": "2026-01-01"}
    response = standing.post("/api/v1/plans", backwards)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "ends_on"
    wrong_kind = {**PLAN, "code": "X4", "requirements": [{**PLAN["requirements"][0], "kind": "X"}]}
    assert standing.post("/api/v1/plans", wrong_kind).status_code == 422
    assert not Plan.objects.filter(code__startswith="X").exists()


def test_create_permissions(api_as: Any, tree: Any) -> None:
    assert api_as(None).post("/api/v1/plans", PLAN).status_code == 401
    # The officer sees only KTTV's subtree: MIN is unknown to them.
    assert api_as("officer").post("/api/v1/plans", PLAN).status_code == 404
    # The head sees KTTV but may not issue plans.
    assert api_as("head").post("/api/v1/plans", {**PLAN, "issuer": "KTTV"}).status_code == 403
    assert api_as("standing").post("/api/v1/plans", {**PLAN, "issuer": "NOPE"}).status_code == 404
    assert api_as("standing").post("/api/v1/plans", {**PLAN, "parent": "NOPE"}).status_code == 404


def test_reading_needs_the_issuer_or_a_unit_in_scope(api_as: Any, plan: dict[str, Any]) -> None:
    # KTTV (the officer's and viewer's unit) is in scope; so is STNMT_ST (the outsider's).
    for persona in ("standing", "officer", "viewer", "outsider"):
        assert api_as(persona).get("/api/v1/plans/KH-BTNMT-2023").status_code == 200, persona
    api_as("officer").post(
        "/api/v1/plans",
        {
            **PLAN,
            "code": "KH-KTTV",
            "issuer": "KTTV",
            "starts_on": "2023-12-01",
            "requirements": [],
        },
    )
    assert api_as("outsider").get("/api/v1/plans/KH-KTTV").status_code == 404
    assert api_as("standing").get("/api/v1/plans/NOPE").status_code == 404


def test_submission_created_and_compliance(api_as: Any, plan: dict[str, Any]) -> None:
    officer = api_as("officer")
    response = officer.post(
        "/api/v1/plans/KH-BTNMT-2023/submissions",
        {"requirement": "KH", "unit": "KTTV", "submitted_on": "2023-12-29", "note": "Đã gửi"},
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["requirement"] == "KH" and body["unit"] == "KTTV"
    assert body["submitted_on"] == "2023-12-29"
    response = officer.post(
        "/api/v1/plans/KH-BTNMT-2023/submissions",
        {
            "requirement": "DK",
            "unit": "KTTV_A",
            "submitted_on": "2024-04-02",
            "entries": [{"title": "Đài KTTV khu vực Nam Bộ", "unit": "KTTV_A"}],
        },
    )
    assert response.status_code == 201, response.content
    assert response.json()["entries"] == [
        {"title": "Đài KTTV khu vực Nam Bộ", "person": None, "unit": "KTTV_A", "field": ""}
    ]
    compliance = api_as("standing").get("/api/v1/plans/KH-BTNMT-2023/compliance?as_of=2024-05-01")
    assert compliance.status_code == 200
    data = compliance.json()
    assert [r["key"] for r in data["requirements"]] == ["KH", "DK"]
    kh, dk = data["requirements"]
    assert kh["kind"] == "UNIT_PLAN" and kh["due_on"] == "2023-12-30"
    assert {u["unit"]: (u["status"], u["submitted_on"]) for u in kh["units"]} == {
        "TCCB": ("MISSING", None),
        "KTTV": ("ON_TIME", "2023-12-29"),
        "STNMT_ST": ("MISSING", None),
    }
    dk_units = {u["unit"]: u["status"] for u in dk["units"]}
    assert dk_units["KTTV_A"] == "LATE"
    assert dk_units["KTTV_B"] == "MISSING"
    # Before the due date, nothing is missing yet.
    early = api_as("standing").get("/api/v1/plans/KH-BTNMT-2023/compliance?as_of=2023-12-01")
    assert {u["status"] for r in early.json()["requirements"] for u in r["units"]} == {"PENDING"}


def test_compliance_of_a_unit_reader_shows_only_their_units(
    api_as: Any, plan: dict[str, Any]
) -> None:
    data = api_as("viewer").get("/api/v1/plans/KH-BTNMT-2023/compliance?as_of=2024-05-01").json()
    assert {u["unit"] for u in data["requirements"][0]["units"]} == {"KTTV"}
    assert {u["unit"] for u in data["requirements"][1]["units"]} == {"KTTV", "KTTV_A", "KTTV_B"}


def test_compliance_as_of_defaults_to_today(api_as: Any, plan: dict[str, Any]) -> None:
    data = api_as("standing").get("/api/v1/plans/KH-BTNMT-2023/compliance").json()
    # Every due date of the fixture is past today: nothing sent, so all are missing.
    assert {u["status"] for r in data["requirements"] for u in r["units"]} == {"MISSING"}
    # The contract's shape, exactly.
    assert set(data) == {"requirements"}
    for requirement in data["requirements"]:
        assert set(requirement) == {"key", "kind", "due_on", "units"}
        for unit in requirement["units"]:
            assert set(unit) == {"unit", "status", "submitted_on"}


def test_submission_errors(api_as: Any, plan: dict[str, Any]) -> None:
    officer = api_as("officer")
    url = "/api/v1/plans/KH-BTNMT-2023/submissions"
    # KTTV_A is not a direct child of the ministry.
    response = officer.post(url, {"requirement": "KH", "unit": "KTTV_A"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "unit"
    # Exemplar records do not exist yet: any id is unknown.
    response = officer.post(url, {"requirement": "DK", "unit": "KTTV", "exemplars": [41, 42]})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "exemplars"
    assert "41" in response.json()["errors"][0]["message"]
    assert officer.post(url, {"requirement": "NOPE", "unit": "KTTV"}).status_code == 404
    assert officer.post(url, {"requirement": "KH", "unit": "NOPE"}).status_code == 404
    # STNMT_ST is outside the officer's scope: 404, never a hint.
    assert officer.post(url, {"requirement": "KH", "unit": "STNMT_ST"}).status_code == 404
    # The head sees KTTV but does not manage plans.
    assert api_as("head").post(url, {"requirement": "KH", "unit": "KTTV"}).status_code == 403
    assert api_as(None).post(url, {"requirement": "KH", "unit": "KTTV"}).status_code == 401
    assert officer.post("/api/v1/plans/NOPE/submissions", {"requirement": "KH", "unit": "KTTV"}
                        ).status_code == 404  # fmt: skip
    entries = [{"title": "A", "person": "NOPE"}]
    assert officer.post(url, {"requirement": "DK", "unit": "KTTV", "entries": entries}
                        ).status_code == 404  # fmt: skip
    assert not Submission.objects.exists()


def test_resubmission_through_the_api_replaces(api_as: Any, plan: dict[str, Any]) -> None:
    officer = api_as("officer")
    url = "/api/v1/plans/KH-BTNMT-2023/submissions"
    entries = [{"title": f"Điển hình {i}"} for i in range(3)]
    first = officer.post(url, {"requirement": "DK", "unit": "KTTV", "submitted_on": "2024-03-01",
                               "entries": entries})  # fmt: skip
    assert first.status_code == 201
    status = api_as("standing").get("/api/v1/plans/KH-BTNMT-2023/compliance?as_of=2024-04-01")
    assert _status(status.json(), "DK", "KTTV") == "INVALID"
    second = officer.post(url, {"requirement": "DK", "unit": "KTTV", "submitted_on": "2024-03-02",
                                "entries": entries[:2]})  # fmt: skip
    assert second.status_code == 201
    assert second.json()["id"] == first.json()["id"]
    status = api_as("standing").get("/api/v1/plans/KH-BTNMT-2023/compliance?as_of=2024-04-01")
    assert _status(status.json(), "DK", "KTTV") == "ON_TIME"


def _status(data: dict[str, Any], key: str, unit: str) -> str:
    for requirement in data["requirements"]:
        if requirement["key"] == key:
            for row in requirement["units"]:
                if row["unit"] == unit:
                    return str(row["status"])
    raise AssertionError((key, unit))


def test_list_plans(api_as: Any, plan: dict[str, Any]) -> None:
    rows = api_as("viewer").get("/api/v1/plans?year=2024").json()
    assert [r["code"] for r in rows] == ["KH-BTNMT-2023"]
    assert api_as("viewer").get("/api/v1/plans?year=2030").json() == []


def test_a_plan_names_its_exemplar_standard(api_as: Any, tree: Any) -> None:
    standing = api_as("standing")
    wrong = standing.post("/api/v1/plans", {**PLAN, "exemplar_standard": "KHONG-CO"})
    assert wrong.status_code == 422
    assert wrong.json()["errors"][0]["field"] == "exemplar_standard"
    created = standing.post("/api/v1/plans", {**PLAN, "exemplar_standard": "DHTT-TCKTTV-2021"})
    assert created.status_code == 201
    assert created.json()["exemplar_standard"] == "DHTT-TCKTTV-2021"
