"""Context for the assessment, fostering and monitoring sections of the exemplar page.

The detail page (exemplars/views.py) merges `detail_sections` into its context
and includes templates/exemplars/_sections.html, which reads everything from
the one key `exemplar_sections`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from django.contrib.auth import get_user_model
from django.http import HttpRequest
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from accounts.access import Perm, can
from core.dates import today
from core.errors import ValidationFailed
from eligibility.engine import ConditionOutcome
from exemplars.assessment import Assessment, assess, period_start
from exemplars.charts import checkin_chart, describe
from exemplars.forms_sections import ReviewForm
from exemplars.models import (
    CheckIn,
    CriterionReview,
    Exemplar,
    ExemplarState,
    SupportAction,
    SupportStatus,
)

# No fostering, monitoring or reviewing once the exemplar left the funnel for good
# (the services refuse actions and check-ins then; the page hides every form).
LOCKED_STATES = (ExemplarState.DROPPED, ExemplarState.REVOKED)
CLOSED_ACTIONS = (SupportStatus.DONE, SupportStatus.CANCELLED)
MIN_YEAR = 2000
MAX_YEAR = 2100


def default_year(exemplar: Exemplar) -> int:
    return exemplar.recognized_year or exemplar.year


def chosen_year(raw: Any, exemplar: Exemplar) -> int:
    """The year asked for (?year=), or the default when it is missing or out of range."""
    try:
        year = int(str(raw))
    except (TypeError, ValueError):
        return default_year(exemplar)
    return year if MIN_YEAR <= year <= MAX_YEAR else default_year(exemplar)


def year_choices(exemplar: Exemplar, year: int) -> list[int]:
    start = period_start(exemplar, exemplar.year)
    end = max(today().year, exemplar.year, exemplar.recognized_year or 0, year)
    return list(range(end, min(start, year) - 1, -1))


def anchor(condition_id: str) -> str:
    return re.sub(r"[^A-Za-z0-9_-]+", "-", condition_id)


@dataclass
class CriterionRow:
    outcome: ConditionOutcome
    review: CriterionReview | None
    form: ReviewForm | None

    @property
    def judgement(self) -> bool:
        return self.outcome.condition.kind == "judgement"

    @property
    def anchor(self) -> str:
        return anchor(self.outcome.condition.id)


@dataclass
class AssessmentSection:
    visible: bool
    year: int
    years: list[int] = field(default_factory=list)
    result: Assessment | None = None
    error: str = ""
    rows: list[CriterionRow] = field(default_factory=list)
    can_assess: bool = False

    @property
    def pending_count(self) -> int:
        return sum(1 for r in self.rows if r.judgement and r.outcome.met is None)

    @property
    def failing_count(self) -> int:
        return sum(1 for r in self.rows if r.outcome.met is False)

    @property
    def judgement_count(self) -> int:
        return sum(1 for r in self.rows if r.judgement)


@dataclass
class ActionRow:
    action: SupportAction
    overdue: bool


@dataclass
class ExemplarSections:
    exemplar: Exemplar
    locked: bool
    can_manage: bool
    assessment: AssessmentSection
    actions: list[ActionRow]
    checkins: list[CheckIn]
    chart: SafeString
    chart_summary: str


def review_form(year: int, review: CriterionReview | None, prefix: str) -> ReviewForm:
    initial: dict[str, Any] = {"year": year}
    if review is not None:
        initial.update({"met": "1" if review.met else "0", "comment": review.comment})
    return ReviewForm(initial=initial, auto_id=f"id_rv-{prefix}-%s")


def assessment_section(request: HttpRequest, exemplar: Exemplar, locked: bool) -> AssessmentSection:
    user = request.user
    year = chosen_year(request.GET.get("year"), exemplar)
    # The verdicts reveal discipline (a record criterion): personal data.
    if not can(user, Perm.VIEW_SENSITIVE, exemplar.unit):
        return AssessmentSection(visible=False, year=year)
    section = AssessmentSection(
        visible=True,
        year=year,
        years=year_choices(exemplar, year),
        can_assess=not locked and can(user, Perm.ASSESS_EXEMPLARS, exemplar.unit),
    )
    try:
        result = assess(exemplar, year)
    except ValidationFailed as exc:
        section.error = exc.message
        return section
    section.result = result
    reviewers = {r.reviewed_by_id for r in result.reviews.values() if r.reviewed_by_id}
    users = get_user_model().objects.in_bulk(list(reviewers)) if reviewers else {}
    for recorded in result.reviews.values():
        if recorded.reviewed_by_id:
            recorded.reviewed_by = users.get(recorded.reviewed_by_id)
    for outcome in result.conditions():
        review = result.reviews.get(outcome.condition.id)
        form = None
        if section.can_assess and outcome.condition.kind == "judgement":
            form = review_form(year, review, anchor(outcome.condition.id))
        section.rows.append(CriterionRow(outcome, review, form))
    return section


def detail_sections(request: HttpRequest, exemplar: Exemplar) -> dict[str, Any]:
    locked = exemplar.state in LOCKED_STATES
    now = today()
    actions = [
        ActionRow(a, a.status not in CLOSED_ACTIONS and a.due_on < now)
        for a in exemplar.actions.select_related("responsible__unit").order_by("due_on", "pk")
    ]
    checkins = list(exemplar.checkins.select_related("by").order_by("checked_on", "pk"))
    title = _("Điểm theo dõi điển hình “%(t)s” theo thời gian") % {"t": exemplar.title}
    return {
        "exemplar_sections": ExemplarSections(
            exemplar=exemplar,
            locked=locked,
            can_manage=not locked and can(request.user, Perm.MANAGE_EXEMPLARS, exemplar.unit),
            assessment=assessment_section(request, exemplar, locked),
            actions=actions,
            checkins=checkins,
            chart=checkin_chart(checkins, title=title, chart_id=f"checkin-chart-{exemplar.pk}"),
            chart_summary=describe(checkins),
        )
    }
