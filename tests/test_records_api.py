"""CONTRACT.md: "Records that eligibility reads" and "Eligibility", exactly."""

from __future__ import annotations

from typing import Any

import pytest

from audit.models import AuditEvent
from awards.models import Award, Discipline, Initiative
from people import services as ppl

AWARD = {
    "recipient": {"kind": "person", "code": "P001"},
    "award": "LDTT",
    "year": 2024,
    "decision_number": "123/QĐ-TCKTTV",
    "decision_date": "2024-12-20",
    "authority": "Tổng cục Khí tượng Thủy văn",
}


@pytest.mark.django_db
class TestAwards:
    def test_create_answers_201_with_an_id_and_is_audited(self, api_as: Any, person_a: Any) -> None:
        response = api_as("officer").post("/api/v1/awards", AWARD)
        assert response.status_code == 201, response.content
        body = response.json()
        assert isinstance(body["id"], int)
        assert body["recipient"] == {"kind": "person", "code": "P001", "name": "Nguyễn Văn An"}
        assert body["award"] == "LDTT" and body["year"] == 2024
        assert AuditEvent.objects.filter(action="award.create", object_id=str(body["id"])).exists()

    def test_the_same_award_twice_is_409_and_nothing_changes(
        self, api_as: Any, person_a: Any
    ) -> None:
        client = api_as("officer")
        assert client.post("/api/v1/awards", AWARD).status_code == 201
        again = client.post("/api/v1/awards", {**AWARD, "decision_number": "999"})
        assert again.status_code == 409
        assert "detail" in again.json()
        assert Award.objects.count() == 1

    def test_a_unit_award(self, api_as: Any, tree: Any) -> None:
        body = {**AWARD, "recipient": {"kind": "unit", "code": "KTTV_A"}, "award": "TTLDTT"}
        response = api_as("officer").post("/api/v1/awards", body)
        assert response.status_code == 201
        assert response.json()["recipient"]["kind"] == "unit"

    def test_a_title_for_the_wrong_kind_of_recipient_is_422(
        self, api_as: Any, person_a: Any
    ) -> None:
        response = api_as("officer").post("/api/v1/awards", {**AWARD, "award": "TTLDTT"})
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "award"

    def test_unknown_award_code_is_422_with_errors(self, api_as: Any, person_a: Any) -> None:
        response = api_as("officer").post("/api/v1/awards", {**AWARD, "award": "NOPE"})
        assert response.status_code == 422
        assert response.json()["errors"] == [
            {"field": "award", "message": "Mã khen thưởng “NOPE” không có trong danh mục."}
        ]

    def test_missing_fields_are_422(self, api_as: Any, person_a: Any) -> None:
        response = api_as("officer").post("/api/v1/awards", {"award": "LDTT"})
        assert response.status_code == 422
        fields = {e["field"] for e in response.json()["errors"]}
        assert {"recipient", "year", "decision_number", "decision_date"} <= fields

    def test_out_of_scope_and_unknown_recipients_are_both_404(
        self, api_as: Any, person_a: Any
    ) -> None:
        outsider = api_as("outsider")
        assert outsider.post("/api/v1/awards", AWARD).status_code == 404
        unknown = {**AWARD, "recipient": {"kind": "person", "code": "NOBODY"}}
        assert outsider.post("/api/v1/awards", unknown).status_code == 404
        assert Award.objects.count() == 0

    def test_read_only_users_get_403(self, api_as: Any, person_a: Any) -> None:
        assert api_as("viewer").post("/api/v1/awards", AWARD).status_code == 403
        assert api_as("comms").post("/api/v1/awards", AWARD).status_code == 403

    def test_list_by_recipient(self, api_as: Any, person_a: Any) -> None:
        client = api_as("officer")
        client.post("/api/v1/awards", AWARD)
        client.post("/api/v1/awards", {**AWARD, "year": 2023, "decision_date": "2023-12-20"})
        listed = client.get("/api/v1/awards?recipient_kind=person&recipient_code=P001")
        assert listed.status_code == 200
        assert [a["year"] for a in listed.json()] == [2024, 2023]
        assert api_as("viewer").get("/api/v1/awards").json()[0]["recipient"]["code"] == "P001"
        # Another unit's user neither sees the awards nor learns the person exists.
        outsider = api_as("outsider")
        assert outsider.get("/api/v1/awards").json() == []
        assert (
            outsider.get("/api/v1/awards?recipient_kind=person&recipient_code=P001").status_code
            == 404
        )

    def test_without_token_401(self, api_as: Any, tree: Any) -> None:
        assert api_as(None).post("/api/v1/awards", AWARD).status_code == 401


@pytest.mark.django_db
class TestInitiativesAndDisciplines:
    def test_initiative_with_authors(self, api_as: Any, person_a: Any, tree: Any) -> None:
        ppl.person_create(
            actor=None, code="P002", full_name="Trần Thị Bình", unit=tree.KTTV_B,
            started_on=person_a.started_on,
        )  # fmt: skip
        body = {
            "title": "Mô hình dự báo mưa lớn",
            "authors": ["P001", "P002"],
            "level": "CO_SO",
            "recognized_on": "2024-06-01",
            "year": 2024,
        }
        response = api_as("officer").post("/api/v1/initiatives", body)
        assert response.status_code == 201, response.content
        data = response.json()
        assert isinstance(data["id"], int)
        assert data["authors"] == ["P001", "P002"]
        assert data["unit"] == "KTTV_A" and data["used_by"] is None
        bad = api_as("officer").post("/api/v1/initiatives", {**body, "level": "XA"})
        assert bad.status_code == 422
        assert Initiative.objects.count() == 1

    def test_initiative_author_outside_scope_is_404(self, api_as: Any, person_a: Any) -> None:
        body = {
            "title": "X",
            "authors": ["P001"],
            "level": "CO_SO",
            "recognized_on": "2024-06-01",
            "year": 2024,
        }
        assert api_as("outsider").post("/api/v1/initiatives", body).status_code == 404

    def test_disciplines(self, api_as: Any, person_a: Any) -> None:
        client = api_as("officer")
        pending = client.post(
            "/api/v1/disciplines", {"person": "P001", "form": "KHIEN_TRACH", "status": "PENDING"}
        )
        assert pending.status_code == 201, pending.content
        assert pending.json()["status"] == "PENDING"
        decided = client.post(
            "/api/v1/disciplines",
            {
                "person": "P001",
                "form": "CANH_CAO",
                "status": "DECIDED",
                "decided_on": "2024-03-01",
                "ends_on": "2025-02-28",
            },
        )
        assert decided.status_code == 201
        missing_date = client.post(
            "/api/v1/disciplines", {"person": "P001", "form": "CANH_CAO", "status": "DECIDED"}
        )
        assert missing_date.status_code == 422
        assert missing_date.json()["errors"][0]["field"] == "decided_on"
        assert Discipline.objects.count() == 2
        assert api_as("viewer").get("/api/v1/disciplines").json() == []
        assert len(api_as("head").get("/api/v1/disciplines").json()) == 2


@pytest.mark.django_db
class TestEligibilityApi:
    def test_person_answer_has_exactly_the_contract_shape(self, api_as: Any, person_a: Any) -> None:
        ppl.person_rating_set(actor=None, person=person_a, year=2024, rating="HTXSNV")
        response = api_as("officer").get("/api/v1/eligibility/people/P001?year=2024")
        assert response.status_code == 200, response.content
        body = response.json()
        assert set(body) == {"subject", "year", "rule_set", "results"}
        assert body["subject"] == {"kind": "person", "code": "P001"}
        assert body["year"] == 2024
        assert body["rule_set"] == {"id": "LTDKT2022-ND152", "effective_from": "2024-01-01"}
        awards = [r["award"] for r in body["results"]]
        assert {"LDTT", "CSTDCS", "CSTD_BO", "CSTD_TQ", "BK_BO", "BK_TTG", "HCLD3"} <= set(awards)
        for result in body["results"]:
            assert set(result) == {"award", "eligible", "conditions"}
            for c in result["conditions"]:
                assert set(c) == {"id", "met", "kind", "citation", "explanation"}
                assert c["kind"] in ("record", "judgement")
                if c["kind"] == "judgement":
                    assert c["met"] is None
        cstdcs = next(r for r in body["results"] if r["award"] == "CSTDCS")
        assert cstdcs["eligible"] is True
        assert any("Điều 23" in c["citation"] for c in cstdcs["conditions"])

    def test_unit_answer(self, api_as: Any, tree: Any) -> None:
        response = api_as("head").get("/api/v1/eligibility/units/KTTV_A?year=2024")
        assert response.status_code == 200
        body = response.json()
        assert body["subject"] == {"kind": "unit", "code": "KTTV_A"}
        assert {"TTLDTT", "TTLDXS", "BK_BO"} <= {r["award"] for r in body["results"]}
        ttldtt = next(r for r in body["results"] if r["award"] == "TTLDTT")
        assert ttldtt["eligible"] is False  # no rating, no members

    def test_scope_and_sensitivity(self, api_as: Any, person_a: Any) -> None:
        assert (
            api_as("outsider").get("/api/v1/eligibility/people/P001?year=2024").status_code == 404
        )
        assert (
            api_as("outsider").get("/api/v1/eligibility/people/NOBODY?year=2024").status_code == 404
        )
        # Verdicts reveal pending discipline: read-only viewers may not see them.
        assert api_as("viewer").get("/api/v1/eligibility/people/P001?year=2024").status_code == 403
        assert api_as("council").get("/api/v1/eligibility/people/P001?year=2024").status_code == 200
        assert api_as(None).get("/api/v1/eligibility/people/P001?year=2024").status_code == 401

    def test_a_year_before_the_rule_set_is_422(self, api_as: Any, person_a: Any) -> None:
        response = api_as("officer").get("/api/v1/eligibility/people/P001?year=2023")
        assert response.status_code == 422
        assert response.json()["errors"][0]["field"] == "year"
        no_year = api_as("officer").get("/api/v1/eligibility/people/P001")
        assert no_year.status_code == 422

    def test_judgement_recorded_shows_in_the_answer(self, api_as: Any, person_a: Any) -> None:
        from awards.services import judgement_set

        ppl.person_rating_set(actor=None, person=person_a, year=2024, rating="HTTNV")
        judgement_set(
            actor=None, condition_id="LDTT.tu_luc_doan_ket", year=2024, met=False, person=person_a
        )
        body = api_as("officer").get("/api/v1/eligibility/people/P001?year=2024").json()
        ldtt = next(r for r in body["results"] if r["award"] == "LDTT")
        judged = next(c for c in ldtt["conditions"] if c["id"] == "LDTT.tu_luc_doan_ket")
        assert judged["met"] is False
        assert ldtt["eligible"] is False
