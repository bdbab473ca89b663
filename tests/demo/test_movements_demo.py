"""The movement and inspection demos, built on top of the foundation demo."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client

from accounts.models import User
from audit.services import verify_chain
from inspections.models import FollowUpStatus, Inspection, InspectionPlan
from movements import services as mv
from movements.models import CriterionTarget, Movement, RegistrationStatus, ReviewMark

TODAY = dt.date.today()  # the demo dates its follow-ups from the day it is loaded


@pytest.fixture
def built(demo_loaded: str) -> None:
    """The demo, built once for the package (tests/demo/conftest.py)."""


pytestmark = pytest.mark.django_db


def test_the_2025_movement_has_the_seed_criteria_and_registrations(built: None) -> None:
    movement = Movement.objects.get(code="PTTD-2025")
    assert movement.launching_unit.code == "BTNMT"
    assert movement.name.startswith("Kỷ cương trách nhiệm")
    assert movement.criteria.filter(target=CriterionTarget.COLLECTIVE).count() == 6
    assert movement.criteria.filter(target=CriterionTarget.INDIVIDUAL).count() == 6
    statuses = set(movement.registrations.values_list("status", flat=True))
    assert statuses == set(RegistrationStatus.values)
    units = set(movement.registrations.values_list("unit__code", flat=True))
    assert {"KTTV_TTDB", "KTTV_NB", "ST_VP", "ST_QLDD"} <= units
    assert ReviewMark.objects.filter(registration__movement=movement).exists()
    assert len(mv.exemplar_candidates(movement)) == 2


def test_the_demo_head_has_registrations_to_confirm(built: None) -> None:
    client = Client()
    client.force_login(User.objects.get(username="thutruong.kttv"))
    movement = Movement.objects.get(code="PTTD-2025")
    response = client.get(f"/movements/{movement.pk}/confirm/")
    assert response.status_code == 200
    assert len(response.context["pending"]) == 5  # KTTV_BB: the unit and four staff


def test_the_inspection_plan_has_closed_open_and_overdue_follow_ups(built: None) -> None:
    plan = InspectionPlan.objects.get(council__unit__code="BTNMT", year=2025)
    inspections = Inspection.objects.filter(plan=plan)
    assert inspections.count() == 3
    assert all(i.findings for i in inspections)
    follow_ups = [f for i in inspections for f in i.follow_ups.all()]
    assert sorted(f.status for f in follow_ups) == sorted(
        [FollowUpStatus.CLOSED, FollowUpStatus.OPEN, FollowUpStatus.OPEN]
    )
    assert sum(f.is_overdue(TODAY) for f in follow_ups) == 1


def test_the_audit_chain_still_holds(built: None) -> None:
    assert verify_chain().ok
