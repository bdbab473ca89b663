"""propagation.demo: a portal with published stories, outreach, every kind of event, a
scored contest, and replications at every stage — on top of the other demos."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest
from django.db.models import Count, F, Sum

from audit.services import verify_chain
from exemplars.models import RECOGNIZED_STATES
from propagation import demo
from propagation import services_events as ev
from propagation.models import (
    STAGE_ORDER,
    ContestEntry,
    Event,
    EventKind,
    JuryScore,
    Outreach,
    Participation,
    Replication,
    Stage,
    Story,
    StoryStatus,
)
from propagation.sanitize import clean_body
from propagation.services_stories import published_stories

TODAY = dt.date.today()


@pytest.fixture
def loaded(demo_loaded: str) -> None:
    """The demo, built once for the package (tests/demo/conftest.py)."""


pytestmark = pytest.mark.django_db


def test_the_portal_has_published_stories_across_fields(loaded: None) -> None:
    statuses = Counter(Story.objects.values_list("status", flat=True))
    assert statuses[StoryStatus.PUBLISHED] >= 5
    assert statuses[StoryStatus.REVIEW] == 1 and statuses[StoryStatus.DRAFT] == 1
    portal = published_stories()
    assert portal.count() == statuses[StoryStatus.PUBLISHED]
    assert len(set(portal.values_list("field", flat=True))) >= 4
    for story in Story.objects.select_related("exemplar"):
        assert story.exemplar.state in RECOGNIZED_STATES
        assert story.body and clean_body(story.body) == story.body
        assert "<script" not in story.body and "<img" not in story.body
        assert story.search_text and story.slug
        if story.status == StoryStatus.PUBLISHED:
            assert story.published_at is not None
            assert story.published_at.date() <= TODAY
    # Searching without diacritics finds a story by a word of its title.
    assert portal.filter(search_text__contains="du bao mua lon").exists()


def test_outreach_of_several_kinds_and_channels_with_reach(loaded: None) -> None:
    items = Outreach.objects.select_related("exemplar")
    assert len({o.kind for o in items}) >= 6
    assert len({o.channel for o in items}) >= 6
    assert all(o.exemplar.state in RECOGNIZED_STATES for o in items)
    assert all(o.published_on <= TODAY for o in items)
    assert items.aggregate(total=Sum("reach"))["total"] > 100_000
    assert items.filter(story__isnull=False).exists() and items.filter(event__isnull=False).exists()


def test_every_kind_of_event_with_its_participants(loaded: None) -> None:
    kinds = Counter(Event.objects.values_list("kind", flat=True))
    assert kinds[EventKind.EXCHANGE] == 2
    assert kinds[EventKind.STUDY_VISIT] == 1
    assert kinds[EventKind.CONTEST] == 1
    assert kinds[EventKind.TRAINING] == 1
    for event in Event.objects.filter(kind__in=ev.WITH_EXEMPLARS):
        exemplars = list(event.exemplars.all())
        assert exemplars and all(e.state in ev.ELIGIBLE_STATES for e in exemplars)
        assert event.participations.exists()
    visit = Event.objects.get(kind=EventKind.STUDY_VISIT)
    assert visit.learned
    training = Event.objects.get(kind=EventKind.TRAINING)
    assert training.participations.count() >= 5
    assert ev.participation_totals(training)["people"] >= 20
    assert "tuyên truyền viên" in training.description
    assert not Event.objects.filter(ends_on__lt=F("starts_on")).exists()


def test_the_contest_is_scored_by_a_jury_and_its_results_follow_the_ranking(
    loaded: None,
) -> None:
    contest = Event.objects.get(kind=EventKind.CONTEST)
    entries = list(ev.ranked_entries(contest))
    assert len(entries) >= 4
    assert all(e.n_scores == 3 for e in entries)  # type: ignore[attr-defined]
    assert JuryScore.objects.values("juror").distinct().count() == 3
    # The jurors who scored are the contest's named jury, with one chair.
    progress = ev.jury_progress(contest)
    assert {j.member.user_id for j in progress} == set(
        JuryScore.objects.values_list("juror", flat=True)
    )
    assert [j.member.is_chair for j in progress].count(True) == 1
    assert all(j.scored == len(entries) for j in progress)
    assert all(e.exemplar.state in ev.ELIGIBLE_STATES for e in entries)
    if contest.ends_on and contest.ends_on < TODAY:
        order = ["FIRST", "SECOND", "THIRD", "CONSOLATION", "NOT_AWARDED"]
        assert [e.result for e in entries] == order[: len(entries)]
        assert ev.results_published(contest)
    else:
        assert not ContestEntry.objects.exclude(result="").exists()


def test_replications_reach_every_stage_with_outcomes(loaded: None) -> None:
    rows = list(Replication.objects.select_related("exemplar", "unit"))
    assert {r.stage for r in rows} == set(Stage.values)
    assert len({r.unit_id for r in rows}) >= 10
    assert all(r.exemplar.state in RECOGNIZED_STATES for r in rows)
    assert all(r.unit_id != r.exemplar.unit_id for r in rows)
    stopped = [r for r in rows if r.stage == Stage.DISCONTINUED]
    assert len(stopped) == 1 and stopped[0].discontinued_reason
    for r in rows:
        assert r.outcome_measure and r.outcome_before is not None
        if r.stage in (Stage.ADOPTED, Stage.SCALED):
            assert r.outcome_after is not None
        history = list(r.history.order_by("on", "pk"))
        assert history[0].from_stage == "" and history[0].to_stage == Stage.INTERESTED
        assert history[-1].to_stage == r.stage
        assert [h.on for h in history] == sorted(h.on for h in history)
        assert r.started_on <= r.last_update_at.date() <= TODAY
        if r.stage != Stage.DISCONTINUED:
            reached = [h.to_stage for h in history]
            assert reached == STAGE_ORDER[: len(reached)]
    six_months_ago = TODAY - dt.timedelta(days=183)
    assert any(r.last_update_at.date() < six_months_ago for r in rows)
    # Several practices spread, one of them to four units or more.
    per_exemplar = Counter(r.exemplar_id for r in rows)
    assert len(per_exemplar) >= 5 and max(per_exemplar.values()) >= 4


def test_the_demo_is_built_once_and_the_audit_chain_holds(loaded: None) -> None:
    counts = (
        Story.objects.count(),
        Event.objects.count(),
        Outreach.objects.count(),
        Replication.objects.count(),
        Participation.objects.count(),
        JuryScore.objects.count(),
    )
    demo.build(TODAY)
    assert counts == (
        Story.objects.count(),
        Event.objects.count(),
        Outreach.objects.count(),
        Replication.objects.count(),
        Participation.objects.count(),
        JuryScore.objects.count(),
    )
    assert Story.objects.values("slug").annotate(n=Count("pk")).filter(n__gt=1).count() == 0
    assert verify_chain().ok
