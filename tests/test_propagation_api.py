"""Replication, outreach and spread API (CONTRACT.md, the last four "Exemplars" lines):
status codes, scope, stage rules, and the acceptance line that spread counts match the
records after stages move forward and one replication is discontinued."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from organizations import services as org
from organizations.models import UnitKind
from propagation.models import Replication, Stage
from tests.conftest import START
from tests.test_propagation_replication import recognized

pytestmark = pytest.mark.django_db


def errors_of(response: Any) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


def register(client: Any, exemplar_pk: int, unit: str, **extra: Any) -> Any:
    body = {"unit": unit, "stage": "INTERESTED", "started_on": "2025-03-01", **extra}
    return client.post(f"/api/v1/exemplars/{exemplar_pk}/replications", body)


def test_create_patch_and_read_a_replication(tree: Any, api_as: Any) -> None:
    exemplar = recognized(tree.KTTV_A)
    officer = api_as("officer")
    response = register(officer, exemplar.pk, "KTTV_B", notes="Sau buổi giao lưu")
    assert response.status_code == 201, response.content
    data = response.json()
    assert data["unit"] == "KTTV_B" and data["stage"] == "INTERESTED"
    assert data["exemplar"] == exemplar.pk and data["notes"] == "Sau buổi giao lưu"
    assert data["history"] == [
        {
            "from": None,
            "to": "INTERESTED",
            "on": "2025-03-01",
            "at": data["history"][0]["at"],
            "by": "officer",
            "note": "Sau buổi giao lưu",
        }
    ]
    pk = data["id"]
    response = officer.patch(
        f"/api/v1/replications/{pk}",
        {
            "stage": "ADOPTED",
            "outcome": {"measure": "Thời gian xử lý", "unit": "ngày", "before": 7, "after": 3.5},
        },
    )
    assert response.status_code == 200, response.content
    data = response.json()
    assert data["stage"] == "ADOPTED"
    assert data["outcome"] == {
        "measure": "Thời gian xử lý",
        "unit": "ngày",
        "before": 7.0,
        "after": 3.5,
    }
    assert [h["to"] for h in data["history"]] == ["INTERESTED", "ADOPTED"]
    response = officer.patch(f"/api/v1/replications/{pk}", {"notes": "Đã mở rộng ra 3 trạm."})
    assert response.status_code == 200 and response.json()["notes"] == "Đã mở rộng ra 3 trạm."
    assert api_as("viewer").get(f"/api/v1/replications/{pk}").json()["stage"] == "ADOPTED"
    listed = api_as("viewer").get(f"/api/v1/exemplars/{exemplar.pk}/replications").json()
    assert [r["id"] for r in listed] == [pk]


def test_illegal_moves_conflict_and_missing_reasons_are_invalid(tree: Any, api_as: Any) -> None:
    exemplar = recognized(tree.KTTV_A)
    officer = api_as("officer")
    pk = register(officer, exemplar.pk, "KTTV_B", stage="PILOTING").json()["id"]
    url = f"/api/v1/replications/{pk}"
    response = officer.patch(url, {"stage": "INTERESTED"})
    assert response.status_code == 409
    assert "Không thể chuyển" in response.json()["detail"]
    response = officer.patch(url, {"stage": "DISCONTINUED"})
    assert response.status_code == 422 and "reason" in errors_of(response)
    response = officer.patch(url, {"stage": "DISCONTINUED", "reason": "Hết kinh phí"})
    assert response.status_code == 200
    assert response.json()["discontinued_reason"] == "Hết kinh phí"
    assert officer.patch(url, {"stage": "SCALED"}).status_code == 409
    response = officer.patch(url, {"stage": "FINISHED"})
    assert response.status_code == 422 and "stage" in errors_of(response)


def test_create_refusals(tree: Any, api_as: Any) -> None:
    exemplar = recognized(tree.KTTV_A)
    officer = api_as("officer")
    assert register(officer, exemplar.pk, "KTTV_B").status_code == 201
    duplicate = register(officer, exemplar.pk, "KTTV_B")
    assert duplicate.status_code == 409
    assert "đã đăng ký nhân rộng" in duplicate.json()["detail"]
    own = register(officer, exemplar.pk, "KTTV_A")
    assert own.status_code == 422 and "unit" in errors_of(own)
    response = register(officer, exemplar.pk, "KTTV", stage="DISCONTINUED")
    assert response.status_code == 422 and "stage" in errors_of(response)
    response = register(officer, exemplar.pk, "KTTV", started_on="01/03/2025")
    assert response.status_code == 422 and "started_on" in errors_of(response)
    missing = officer.post(f"/api/v1/exemplars/{exemplar.pk}/replications", {"unit": "KTTV"})
    assert missing.status_code == 422
    fostering = recognized(tree.KTTV_A, "Chưa công nhận", "FOSTERING")
    response = register(officer, fostering.pk, "KTTV_B")
    assert response.status_code == 422 and "exemplar" in errors_of(response)
    assert Replication.objects.count() == 1


def test_scope_and_permissions(tree: Any, api_as: Any) -> None:
    exemplar = recognized(tree.KTTV_A)
    elsewhere = recognized(tree.ST, "Mô hình của Sở")
    # The exemplar of another unit does not exist for the caller.
    response = register(api_as("officer"), elsewhere.pk, "KTTV_B")
    assert response.status_code == 404
    assert register(api_as("officer"), 999999, "KTTV_B").status_code == 404
    # A unit outside the caller's scope: 404; visible but not managed: 403.
    assert register(api_as("officer"), exemplar.pk, "STNMT_ST").status_code == 404
    assert register(api_as("viewer"), exemplar.pk, "KTTV_B").status_code == 403
    assert register(api_as("comms"), exemplar.pk, "KTTV_B").status_code == 403
    pk = register(api_as("officer"), exemplar.pk, "KTTV_B").json()["id"]
    url = f"/api/v1/replications/{pk}"
    assert api_as("outsider").get(url).status_code == 404
    assert api_as("outsider").patch(url, {"stage": "PILOTING"}).status_code == 404
    assert api_as("viewer").patch(url, {"stage": "PILOTING"}).status_code == 403
    assert api_as("head").patch(url, {"stage": "PILOTING"}).status_code == 200
    assert api_as(None).get(url).status_code == 401
    # A replication of an outside exemplar by a unit in scope is seen but only the adopter
    # changes it.
    theirs = register(api_as("outsider"), elsewhere.pk, "ST_VP").json()["id"]
    assert api_as("officer").get(f"/api/v1/replications/{theirs}").status_code == 404
    mine = Replication.objects.create(
        exemplar=elsewhere,
        unit=tree.KTTV_B,
        started_on=dt.date(2025, 1, 1),
        last_update_at=elsewhere.created_at,
    )
    assert api_as("outsider").get(f"/api/v1/replications/{mine.pk}").status_code == 200
    response = api_as("outsider").patch(f"/api/v1/replications/{mine.pk}", {"stage": "PILOTING"})
    assert response.status_code == 403


def test_outreach(tree: Any, api_as: Any) -> None:
    exemplar = recognized(tree.KTTV_A)
    url = f"/api/v1/exemplars/{exemplar.pk}/outreach"
    body = {
        "kind": "ARTICLE",
        "channel": "SECTOR_NEWSPAPER",
        "title": "Một cửa liên thông ở Nam Bộ",
        "published_on": "2025-04-01",
        "url": "https://baotainguyenmoitruong.vn/bai-1",
        "reach": 1200,
    }
    response = api_as("comms").post(url, body)
    assert response.status_code == 201, response.content
    assert response.json()["reach"] == 1200 and response.json()["id"]
    assert api_as("head").post(url, body).status_code == 403
    assert api_as("outsider").post(url, body).status_code == 404
    bad = api_as("officer").post(url, {**body, "kind": "PODCAST", "reach": -1})
    assert bad.status_code == 422 and {"kind", "reach"} <= set(errors_of(bad))
    bad = api_as("officer").post(url, {**body, "url": "ftp://x"})
    assert bad.status_code == 422 and "url" in errors_of(bad)
    minimal = {k: body[k] for k in ("kind", "channel", "title", "published_on")}
    assert api_as("officer").post(url, minimal).json()["reach"] is None
    assert len(api_as("viewer").get(url).json()) == 2


def test_spread_matches_the_records_after_moves_and_a_discontinuation(
    tree: Any, api_as: Any
) -> None:
    """Acceptance: spread counts in the API match the records after stages move forward
    and one replication is discontinued."""
    exemplar = recognized(tree.KTTV_A)
    for code in ("KTTV_C", "KTTV_D"):
        org.unit_create(
            actor=None, code=code, name=code, parent=tree.KTTV, kind=UnitKind.AFFILIATED,
            valid_from=START,
        )  # fmt: skip
    officer = api_as("officer")
    spread_url = f"/api/v1/exemplars/{exemplar.pk}/spread"
    empty = officer.get(spread_url).json()
    assert empty == {
        "units_adopting": 0,
        "by_stage": dict.fromkeys(Stage.values, 0),
        "outreach_count": 0,
        "reach_total": 0,
    }
    ids = {
        code: register(officer, exemplar.pk, code).json()["id"]
        for code in ("KTTV_B", "KTTV_C", "KTTV_D", "KTTV")
    }
    for code, stages in {
        "KTTV_B": ["PILOTING", "ADOPTED", "SCALED"],
        "KTTV_C": ["ADOPTED"],
        "KTTV_D": ["PILOTING"],
    }.items():
        for stage in stages:
            assert (
                officer.patch(f"/api/v1/replications/{ids[code]}", {"stage": stage}).status_code
                == 200
            )
    response = officer.patch(
        f"/api/v1/replications/{ids['KTTV_D']}",
        {"stage": "DISCONTINUED", "reason": "Không phù hợp"},
    )
    assert response.status_code == 200
    for reach in (1000, None, 250):
        officer.post(
            f"/api/v1/exemplars/{exemplar.pk}/outreach",
            {"kind": "VIDEO", "channel": "SOCIAL", "title": "Video", "published_on": "2025-05-01",
             "reach": reach},
        )  # fmt: skip
    spread = api_as("viewer").get(spread_url).json()
    records = Replication.objects.filter(exemplar=exemplar)
    assert spread["by_stage"] == {s: records.filter(stage=s).count() for s in Stage.values}
    assert spread["by_stage"] == {
        "INTERESTED": 1,
        "PILOTING": 0,
        "ADOPTED": 1,
        "SCALED": 1,
        "DISCONTINUED": 1,
    }
    assert spread["units_adopting"] == records.exclude(stage="DISCONTINUED").count() == 3
    assert (spread["outreach_count"], spread["reach_total"]) == (3, 1250)
    assert api_as("outsider").get(spread_url).status_code == 404


def test_the_openapi_document_explains_the_spread(api_as: Any) -> None:
    schema = api_as("viewer").get("/api/v1/openapi.json").json()
    op = schema["paths"]["/api/v1/exemplars/{exemplar_id}/spread"]["get"]
    assert "units_adopting" in op["summary"] and "DISCONTINUED" in op["summary"]
    patch = schema["paths"]["/api/v1/replications/{replication_id}"]["patch"]
    assert "409" in patch["responses"] and "422" in patch["responses"]
