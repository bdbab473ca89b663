"""exemplars.demo: every state of the lifecycle, alive dashboards, guards that held."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from audit.services import verify_chain
from exemplars import demo
from exemplars.assessment import assess
from exemplars.dashboards import QuotaStatus, funnel, quota_rows
from exemplars.models import (
    RECOGNIZED_STATES,
    CheckIn,
    Exemplar,
    ExemplarState,
    SupportAction,
    SupportStatus,
)
from movements import services as mv
from movements.models import Movement
from organizations.models import Unit
from plans.models import Plan

TODAY = dt.date.today()


@pytest.fixture
def loaded(demo_loaded: str) -> None:
    """The demo, built once for the package (tests/demo/conftest.py)."""


pytestmark = pytest.mark.django_db


def test_every_state_is_present_across_years(loaded: None) -> None:
    states = set(Exemplar.objects.values_list("state", flat=True))
    assert states == set(ExemplarState.values)
    years = set(Exemplar.objects.values_list("year", flat=True))
    assert {2024, 2025} <= years
    if TODAY.year > 2025:
        assert TODAY.year in years
    kinds = Counter(e.subject_kind for e in Exemplar.objects.all())
    assert kinds["person"] >= 5 and kinds["unit"] >= 3


def test_the_plans_name_their_standard_and_exemplars_follow(loaded: None) -> None:
    expected = {
        "KH-TCKTTV-2021": "DHTT-TCKTTV-2021",
        "KH-STNMT-ST-2023": "DHTT-STNMT-2023",
        "KH-BTNMT-2023": "DHTT-BTNMT-2023",
    }
    for code, standard in expected.items():
        plan = Plan.objects.get(code=code)
        assert plan.exemplar_standard == standard
        exemplars = Exemplar.objects.filter(plan=plan)
        assert exemplars.exists(), code
        assert set(exemplars.values_list("standard_id", flat=True)) == {standard}


def test_every_recognised_exemplar_passes_its_standard(loaded: None) -> None:
    recognised = list(Exemplar.objects.filter(state__in=RECOGNIZED_STATES))
    assert len(recognised) >= 6
    for exemplar in recognised:
        assert exemplar.recognized_year is not None
        result = assess(exemplar, exemplar.recognized_year)
        assert result.passed, (exemplar.title, [c.explanation for c in result.failing()])
        # The reviewer recorded the judgement criteria too.
        assert result.reviews and all(r.met for r in result.reviews.values())


def test_a_head_whose_unit_is_no_collective_exemplar_stays_in_fostering(loaded: None) -> None:
    heads = [
        e
        for e in Exemplar.objects.filter(state=ExemplarState.FOSTERING, person__is_head=True)
        if [c.condition.id for c in assess(e, e.year).failing()] == ["DH.CN.thu_truong"]
    ]
    assert len(heads) == 1
    head = heads[0]
    assert head.person is not None
    assert not Exemplar.objects.filter(
        subject_unit=head.person.unit, state__in=RECOGNIZED_STATES
    ).exists()


def test_the_movement_candidates_are_registered_from_the_movement(loaded: None) -> None:
    movement = Movement.objects.get(code="PTTD-2025")
    candidates = mv.exemplar_candidates(movement)
    assert len(candidates) == 2
    for registration in candidates:
        linked = Exemplar.objects.filter(movement=movement, year=2025)
        if registration.person_id:
            linked = linked.filter(person_id=registration.person_id)
        else:
            linked = linked.filter(subject_unit_id=registration.unit_id, person=None)
        assert linked.count() == 1, registration


def test_fostering_plans_actions_and_checkins_are_alive(loaded: None) -> None:
    fostering = Exemplar.objects.filter(state=ExemplarState.FOSTERING)
    for exemplar in fostering:
        assert exemplar.weaknesses and exemplar.remedies and exemplar.mentor_id
        assert 2 <= exemplar.actions.count() <= 4
        assert 2 <= exemplar.checkins.count() <= 5
    kinds = set(SupportAction.objects.values_list("kind", flat=True))
    statuses = set(SupportAction.objects.values_list("status", flat=True))
    assert len(kinds) >= 5 and statuses == set(SupportStatus.values)
    open_statuses = (SupportStatus.PLANNED, SupportStatus.IN_PROGRESS)
    overdue = SupportAction.objects.filter(
        status__in=open_statuses,
        due_on__lt=TODAY,
        exemplar__state=ExemplarState.FOSTERING,
    )
    assert overdue.exists()
    for exemplar in Exemplar.objects.filter(state__in=RECOGNIZED_STATES):
        assert exemplar.checkins.count() >= 2
    assert not CheckIn.objects.filter(checked_on__gt=TODAY).exists()
    # Scores are on the 1–5 scale, and rise over time for at least one exemplar.
    series = list(
        CheckIn.objects.filter(exemplar__checkins__isnull=False)
        .order_by("exemplar_id", "checked_on")
        .values_list("exemplar_id", "efficiency")
    )
    by_exemplar: dict[int, list[int]] = {}
    for pk, score in series:
        by_exemplar.setdefault(pk, []).append(score)
    assert any(s[-1] > s[0] for s in by_exemplar.values())


def test_the_quota_shows_units_below_within_and_above(loaded: None) -> None:
    root = Unit.objects.get(code="BTNMT")
    rows = quota_rows([root], 2025)
    statuses = Counter(r.status for r in rows)
    assert statuses[QuotaStatus.BELOW] >= 1
    assert statuses[QuotaStatus.WITHIN] >= 1
    assert statuses[QuotaStatus.ABOVE] >= 1
    counts = {r.unit.code: r.registered for r in rows}
    assert counts["KTTV_TTDB"] > 2
    # Every row agrees with a plain count of the demo's exemplars, unit by unit.
    from exemplars.models import RECOGNIZED_STATES, Exemplar

    for row in rows:
        mine = Exemplar.objects.filter(unit=row.unit, year=2025)
        assert row.registered == mine.count(), row.unit.code
        assert row.recognized == mine.filter(state__in=RECOGNIZED_STATES).count(), row.unit.code
        expected = (
            QuotaStatus.BELOW
            if row.registered == 0
            else QuotaStatus.WITHIN
            if row.registered <= 2
            else QuotaStatus.ABOVE
        )
        assert row.status == expected


def test_the_funnel_of_2024_reaches_the_national_stage(loaded: None) -> None:
    stages = {s.state: s for s in funnel(Exemplar.objects.all(), 2024).stages}
    assert stages[ExemplarState.NATIONAL].reached >= 1
    assert stages[ExemplarState.RECOGNIZED].reached >= 4


def test_the_demo_is_built_once_and_the_audit_chain_holds(loaded: None) -> None:
    before = Exemplar.objects.count()
    demo.build(TODAY)
    assert Exemplar.objects.count() == before
    assert verify_chain().ok
