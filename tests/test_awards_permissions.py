"""Who may open the records pages: every object page of the "awards" namespace for every
persona (other unit 404, read-only 403, the right roles through), and the list and
create pages, where discipline is kept from viewers and communication staff."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.files.base import ContentFile
from django.test import Client

from awards import services
from awards.models import Award, AwardType
from people.models import Person
from tests import test_permissions
from tests.test_permissions import assert_object_pages

pytestmark = pytest.mark.django_db
PERSONAS = ["outsider", "viewer", "officer", "head", "standing", "council", "comms"]


@pytest.fixture
def record_pages(monkeypatch: Any) -> None:
    """Limit the walk to pages about one award, initiative or discipline record.

    The Excel import pages share the namespace, but their URL values are an import
    kind and an error-report token, not objects of a unit (tests/test_awards_import.py
    covers who may use them).
    """
    every = test_permissions.site_patterns

    def records_only() -> list[Any]:
        return [
            (route, ns, p)
            for route, ns, p in every()
            if not (ns == "awards" and ("<str:token>" in route or "<str:kind>" in route))
        ]

    monkeypatch.setattr(test_permissions, "site_patterns", records_only)


@pytest.fixture
def records(tree: Any, person_a: Person) -> dict[str, str]:
    """One award (with its decision file), initiative and discipline case in KTTV_A."""
    initiative = services.initiative_create(
        actor=None,
        data=services.InitiativeData(
            title="Cảnh báo lũ quét",
            authors=[person_a],
            unit=tree.KTTV_A,
            level="CO_SO",
            recognized_on=dt.date(2023, 6, 1),
            year=2023,
        ),
    )
    award = services.award_create(
        actor=None,
        data=services.AwardData(
            award_type=AwardType.objects.get(code="LDTT"),
            year=2024,
            decision_number="1/QĐ",
            decision_date=dt.date(2025, 1, 10),
            person=person_a,
        ),
    )
    Award.objects.get(pk=award.pk).file.save("qd.pdf", ContentFile(b"%PDF"), save=True)
    discipline = services.discipline_create(
        actor=None,
        data=services.DisciplineData(
            person=person_a, form="KHIEN_TRACH", status="DECIDED", decided_on=dt.date(2024, 2, 1)
        ),
    )
    return {
        "pk": str(award.pk),
        "initiative_pk": str(initiative.pk),
        "discipline_pk": str(discipline.pk),
    }


@pytest.mark.parametrize("persona", PERSONAS)
def test_object_pages_by_role(
    persona: str, personas: Any, records: dict[str, str], record_pages: None
) -> None:
    client = Client()
    client.force_login(getattr(personas, persona))
    # detail, edit, delete, file of an award; detail, edit, delete of an initiative;
    # detail and edit of a discipline case.
    assert assert_object_pages(client, persona, "awards", records) == 9


LIST_PAGES = {
    "/awards/": "view",
    "/awards/catalogue/": "view",
    "/awards/initiatives/": "view",
    "/awards/disciplines/": "sensitive",
    "/awards/new/": "manage",
    "/awards/initiatives/new/": "manage",
    "/awards/disciplines/new/": "manage",
    "/awards/options/people/": "manage",
    "/awards/options/initiatives/": "manage",
}
ALLOWED = {
    "view": set(PERSONAS),
    "sensitive": {"outsider", "officer", "head", "standing", "council"},
    "manage": {"outsider", "officer", "head", "standing"},
}


@pytest.mark.parametrize("persona", PERSONAS)
def test_list_and_create_pages_by_role(persona: str, personas: Any) -> None:
    client = Client()
    client.force_login(getattr(personas, persona))
    for url, need in LIST_PAGES.items():
        expected = 200 if persona in ALLOWED[need] else 403
        assert client.get(url).status_code == expected, (persona, url)


def test_writes_are_refused_without_the_role(
    personas: Any, records: dict[str, str], person_a: Person
) -> None:
    """A POST is checked like a GET: nothing changes for a read-only user or an outsider."""
    award_pk = records["pk"]
    for persona, status in (("viewer", 403), ("council", 403), ("outsider", 404)):
        client = Client()
        client.force_login(getattr(personas, persona))
        assert client.post(f"/awards/{award_pk}/delete/").status_code == status
        response = client.post(f"/awards/initiatives/{records['initiative_pk']}/delete/")
        assert response.status_code == status
    assert Award.objects.filter(pk=award_pk).exists()
    # The outsider can create records in their own unit, never for P001.
    outsider = Client()
    outsider.force_login(personas.outsider)
    response = outsider.post(
        "/awards/new/",
        {
            "recipient_kind": "person",
            "person": person_a.code,
            "award_type": "CSTDCS",
            "year": "2024",
            "decision_number": "9/QĐ",
            "decision_date": "10/01/2025",
        },
    )
    assert response.status_code == 200
    assert "person" in response.context["form"].errors
    assert Award.objects.count() == 1
