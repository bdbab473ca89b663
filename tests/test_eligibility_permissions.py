"""Who may open the eligibility pages: outsiders get 404, readers without
VIEW_SENSITIVE (viewer, communication staff) 403, since a verdict reveals discipline;
judgements need MANAGE_RECORDS on the subject's unit."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from awards.models import Judgement
from tests.test_permissions import assert_object_pages

pytestmark = pytest.mark.django_db

PERSONAS = ["outsider", "viewer", "officer", "head", "standing", "council", "comms"]


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("persona", PERSONAS)
def test_object_pages_by_role(persona: str, personas: Any, tree: Any, person_a: Any) -> None:
    client = login(getattr(personas, persona))
    values = {"code": tree.KTTV_A.code, "person_code": person_a.code}
    # Person page, person judgement, unit page, unit list, unit judgement.
    assert assert_object_pages(client, persona, "eligibility", values) == 5


@pytest.mark.parametrize(
    ("persona", "status"),
    [("viewer", 403), ("comms", 403), ("officer", 200), ("council", 200), ("outsider", 200)],
)
def test_entry_page_needs_sensitive_access_somewhere(
    persona: str, status: int, personas: Any, tree: Any
) -> None:
    # The outsider holds VIEW_SENSITIVE on their own province, so they may open the page,
    # but only their own units are offered.
    response = login(getattr(personas, persona)).get("/eligibility/")
    assert response.status_code == status
    if persona == "outsider":
        offered = {c for c, _ in response.context["form"].fields["unit"].choices if c}
        assert offered == {"STNMT_ST", "ST_VP"}


def test_rules_page_is_open_to_every_reader(personas: Any, tree: Any) -> None:
    for persona in ("viewer", "comms", "outsider"):
        assert login(getattr(personas, persona)).get("/eligibility/rules/").status_code == 200
    assert Client().get("/eligibility/rules/").status_code == 302


def test_outsider_cannot_record_a_judgement(personas: Any, tree: Any, person_a: Any) -> None:
    response = login(personas.outsider).post(
        f"/eligibility/people/{person_a.code}/judgement/",
        {"condition": "LDTT.tu_luc_doan_ket", "year": 2024, "decision": "met"},
    )
    assert response.status_code == 404
    assert not Judgement.objects.exists()


def test_outsider_cannot_open_a_list_through_the_entry_form(personas: Any, tree: Any) -> None:
    client = login(personas.outsider)
    assert client.get("/eligibility/units/KTTV/list/?year=2024").status_code == 404
    refused = client.get("/eligibility/", {"unit": "KTTV", "year": "2024"})
    assert refused.status_code == 200 and "unit" in refused.context["form"].errors
