"""Reports upward: pre-filled figures, the report lifecycle, compiling, reviews, quotas."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from audit.models import AuditEvent
from awards import services as awards
from awards.models import AwardType, RecognitionLevel
from core.errors import Conflict, ValidationFailed
from people import services as ppl
from people.models import Person
from plans.models import Plan, Requirement, RequirementKind, RequirementScope
from reports import services
from reports.figures import Row, prefill, register_section, registered_sections, values_of
from reports.models import (
    AnnualReport,
    CandidateStatus,
    ConferenceKind,
    ConferenceStatus,
    ReportStatus,
)
from tests.conftest import START, Personas, Tree

YEAR = 2024


def award(
    tree_unit: Any = None, person: Person | None = None, code: str = "CSTDCS", year: int = YEAR
) -> None:
    awards.award_create(
        actor=None,
        data=awards.AwardData(
            award_type=AwardType.objects.get(code=code),
            year=year,
            decision_number=f"{code}-{year}-{person.pk if person else tree_unit.pk}",
            decision_date=dt.date(year, 12, 20),
            person=person,
            unit=tree_unit,
        ),
    )


def person(code: str, unit: Any, name: str = "Trần Thị Bình") -> Person:
    return ppl.person_create(actor=None, code=code, full_name=name, unit=unit, started_on=START)


def initiative(unit: Any, author: Person, level: str, kind: str = "INITIATIVE") -> None:
    awards.initiative_create(
        actor=None,
        data=awards.InitiativeData(
            title=f"Sáng kiến {level} {kind} {author.code}",
            authors=[author],
            unit=unit,
            level=level,
            recognized_on=dt.date(YEAR, 6, 1),
            year=YEAR,
            kind=kind,
        ),
    )


def annual_requirement(tree: Tree, key: str = "BC2024") -> Requirement:
    plan = Plan.objects.create(
        code=f"KH-{key}",
        title="Kế hoạch xây dựng điển hình tiên tiến",
        issuer=tree.KTTV,
        starts_on=dt.date(2023, 1, 1),
        ends_on=dt.date(2025, 12, 31),
    )
    return Requirement.objects.create(
        plan=plan,
        key=key,
        kind=RequirementKind.ANNUAL_REPORT,
        title="Báo cáo kết quả năm 2024",
        due_on=dt.date(2024, 12, 15),
        scope=RequirementScope.CHILD_UNITS,
        year=YEAR,
    )


# --- prefill --------------------------------------------------------------------------


def test_prefill_counts_awards_of_the_subtree_by_type_that_year(
    tree: Tree, person_a: Person
) -> None:
    b1 = person("P002", tree.KTTV_B)
    outsider = person("P003", tree.ST_VP)
    award(person=person_a)  # KTTV_A, CSTDCS 2024
    award(person=b1)  # KTTV_B, CSTDCS 2024
    award(person=b1, code="LDTT")
    award(tree_unit=tree.KTTV_A, code="TTLDXS")
    award(person=person_a, year=2023)  # another year
    award(person=outsider)  # another subtree

    kttv = values_of(prefill(tree.KTTV, YEAR))
    assert kttv["awards.CSTDCS"] == 2
    assert kttv["awards.LDTT"] == 1
    assert kttv["awards.TTLDXS"] == 1
    assert kttv["awards.BK_TTG"] == 0  # every title of the catalogue is listed

    only_a = values_of(prefill(tree.KTTV_A, YEAR))
    assert only_a["awards.CSTDCS"] == 1
    assert only_a["awards.LDTT"] == 0
    assert values_of(prefill(tree.KTTV, 2023))["awards.CSTDCS"] == 1


def test_prefill_counts_initiatives_by_level_and_research(tree: Tree, person_a: Person) -> None:
    initiative(tree.KTTV_A, person_a, RecognitionLevel.CO_SO)
    initiative(tree.KTTV_A, person_a, RecognitionLevel.CO_SO, kind="RESEARCH")
    initiative(tree.KTTV_A, person_a, RecognitionLevel.BO_TINH)
    values = values_of(prefill(tree.KTTV, YEAR))
    assert values["initiatives.CO_SO"] == 2
    assert values["initiatives.BO_TINH"] == 1
    assert values["initiatives.TOAN_QUOC"] == 0
    assert values["initiatives.research"] == 1


def test_prefill_query_count_does_not_grow_with_records(
    tree: Tree, person_a: Person, django_assert_max_num_queries: Any
) -> None:
    for index in range(15):
        award(person=person(f"Q{index:03d}", tree.KTTV_B), code="LDTT")
    with django_assert_max_num_queries(12):
        prefill(tree.KTTV, YEAR)


def test_exemplar_sections_are_placeholders_a_later_app_replaces(tree: Tree) -> None:
    values = values_of(prefill(tree.KTTV, YEAR))
    assert values["outreach.articles"] == 0
    assert values["trainings.courses"] == 0
    original = next(s for s in registered_sections() if s.key == "outreach")
    try:
        register_section(
            "outreach", "Tuyên truyền", 50, lambda unit, year: [Row("outreach.articles", "Bài", 7)]
        )
        assert values_of(prefill(tree.KTTV, YEAR))["outreach.articles"] == 7
    finally:
        register_section(original.key, original.title, original.order, original.provider)


# --- the annual report ------------------------------------------------------------------


def test_create_prefills_and_audits(tree: Tree, personas: Personas, person_a: Person) -> None:
    award(person=person_a)
    report = services.annual_report_create(
        actor=personas.officer, unit=tree.KTTV, year=YEAR, results="Đạt nhiều kết quả."
    )
    assert report.status == ReportStatus.DRAFT
    assert values_of(report.figures)["awards.CSTDCS"] == 1
    event = AuditEvent.objects.get(action="annual_report.create")
    assert event.unit_id == tree.KTTV.pk
    with pytest.raises(Conflict):
        services.annual_report_create(actor=personas.officer, unit=tree.KTTV, year=YEAR)


def test_update_changes_values_and_narratives_until_submitted(
    tree: Tree, personas: Personas
) -> None:
    report = services.annual_report_create(actor=personas.officer, unit=tree.KTTV_A, year=YEAR)
    with pytest.raises(ValidationFailed) as bad:
        services.annual_report_update(
            actor=personas.officer, report=report, values={"awards.CSTDCS": -1}
        )
    assert bad.value.errors[0].field == "fig:awards.CSTDCS"
    services.annual_report_update(
        actor=personas.officer,
        report=report,
        values={"awards.CSTDCS": 4},
        results="Hoàn thành xuất sắc.",
        difficulties="Thiếu kinh phí.",
    )
    report.refresh_from_db()
    assert values_of(report.figures)["awards.CSTDCS"] == 4
    assert report.difficulties == "Thiếu kinh phí."
    services.annual_report_submit(actor=personas.officer, report=report)
    report.refresh_from_db()
    assert report.status == ReportStatus.SUBMITTED
    assert report.submitted_by == personas.officer
    with pytest.raises(Conflict):
        services.annual_report_update(actor=personas.officer, report=report, results="x")


def test_submit_needs_results(tree: Tree, personas: Personas) -> None:
    report = services.annual_report_create(actor=personas.officer, unit=tree.KTTV_A, year=YEAR)
    with pytest.raises(ValidationFailed) as bad:
        services.annual_report_submit(actor=personas.officer, report=report)
    assert bad.value.errors[0].field == "results"


def test_submit_answers_the_plans_annual_report_requirement(tree: Tree, personas: Personas) -> None:
    pytest.importorskip("plans.services", reason="plans.services is built by another helper")
    requirement = annual_requirement(tree)
    assert list(services.applicable_requirements(tree.KTTV_A, YEAR)) == [requirement]
    assert list(services.applicable_requirements(tree.KTTV, YEAR)) == []  # the issuer itself
    report = services.annual_report_create(
        actor=personas.officer,
        unit=tree.KTTV_A,
        year=YEAR,
        requirement=requirement,
        results="Kết quả",
    )
    assert report.plan == requirement.plan
    services.annual_report_submit(actor=personas.officer, report=report, on=dt.date(2024, 12, 10))
    submission = requirement.submissions.get(unit=tree.KTTV_A)
    assert submission.submitted_on == dt.date(2024, 12, 10)
    assert submission.file.name.endswith(".docx")


def test_requirement_must_apply_to_the_unit(tree: Tree, personas: Personas) -> None:
    requirement = annual_requirement(tree)
    with pytest.raises(ValidationFailed) as bad:
        services.annual_report_create(
            actor=personas.officer, unit=tree.ST_VP, year=YEAR, requirement=requirement
        )
    assert bad.value.errors[0].field == "requirement"


# --- compiling ----------------------------------------------------------------------------


def _submitted(tree_unit: Any, actor: Any, values: dict[str, int], results: str) -> Any:
    report = services.annual_report_create(
        actor=actor, unit=tree_unit, year=YEAR, results=results, values=values
    )
    return services.annual_report_submit(actor=actor, report=report)


def test_compile_sums_submitted_children_and_collects_narratives(
    tree: Tree, personas: Personas
) -> None:
    _submitted(tree.KTTV_A, personas.officer, {"awards.CSTDCS": 3, "awards.LDTT": 10}, "Đài A tốt.")
    services.annual_report_create(
        actor=personas.officer, unit=tree.KTTV_B, year=YEAR, values={"awards.CSTDCS": 50}
    )  # a draft: not compiled
    compiled = services.compile_reports(actor=personas.officer, unit=tree.KTTV, year=YEAR)
    sums = values_of(compiled.sums)
    assert sums["awards.CSTDCS"] == 3
    assert sums["awards.LDTT"] == 10
    assert [s.unit for s in compiled.sources.all()] == [tree.KTTV_A]
    rows = {row["unit"]: row for row in compiled.by_unit}
    assert rows["KTTV_B"]["status"] == ReportStatus.DRAFT and rows["KTTV_B"]["values"] == {}
    assert "Đài A tốt." in compiled.results and tree.KTTV_A.name in compiled.results

    # KTTV_B sends later: compiling again adds it and keeps the edited narrative.
    services.compiled_update(actor=personas.officer, compiled=compiled, results="Tổng hợp đã sửa.")
    report_b = AnnualReport.objects.get(unit=tree.KTTV_B)
    services.annual_report_update(actor=personas.officer, report=report_b, results="Đài B.")
    services.annual_report_submit(actor=personas.officer, report=report_b)
    compiled = services.compile_reports(actor=personas.officer, unit=tree.KTTV, year=YEAR)
    assert values_of(compiled.sums)["awards.CSTDCS"] == 53
    assert compiled.results == "Tổng hợp đã sửa."
    assert compiled.sources.count() == 2

    services.compiled_submit(actor=personas.officer, compiled=compiled)
    with pytest.raises(Conflict):
        services.compile_reports(actor=personas.officer, unit=tree.KTTV, year=YEAR)


def test_compile_without_any_submitted_report_is_refused(tree: Tree, personas: Personas) -> None:
    with pytest.raises(ValidationFailed):
        services.compile_reports(actor=personas.officer, unit=tree.KTTV, year=YEAR)


# --- reviews ---------------------------------------------------------------------------------


def test_review_sums_the_phase_years(tree: Tree, personas: Personas, person_a: Person) -> None:
    plan = Plan.objects.create(
        code="KH-2125",
        title="Kế hoạch giai đoạn 2021-2025",
        issuer=tree.KTTV,
        starts_on=dt.date(2021, 8, 1),
        ends_on=dt.date(2025, 12, 31),
    )
    phase = plan.phases.create(
        name="Giai đoạn 1", starts_on=dt.date(2021, 8, 1), ends_on=dt.date(2023, 12, 31)
    )
    award(person=person_a, year=2022)
    award(person=person_a, year=2023)
    award(person=person_a, year=2024)  # outside the phase
    review = services.review_create(
        actor=personas.officer, unit=tree.KTTV, plan=plan, phase=phase, kind="PRELIMINARY"
    )
    assert (review.first_year, review.last_year) == (2021, 2023)
    assert values_of(review.figures)["awards.CSTDCS"] == 2
    assert "Giai đoạn 1" in review.title
    services.review_update(
        actor=personas.officer, review=review, texts={"results": "Đạt 2 CSTĐCS."}
    )
    review.refresh_from_db()
    assert review.body[0]["text"] == "Đạt 2 CSTĐCS."
    with pytest.raises(ValidationFailed):
        services.review_create(actor=personas.officer, unit=tree.ST_VP, plan=plan, kind="FINAL")


# --- conference quotas ------------------------------------------------------------------------


def _conference(tree: Tree, personas: Personas) -> Any:
    conference = services.conference_create(
        actor=personas.officer,
        organizer=tree.KTTV,
        title="Hội nghị điển hình tiên tiến lần thứ V",
        kind=ConferenceKind.EXEMPLAR_CONFERENCE,
        held_on=dt.date(2025, 6, 15),
    )
    services.quotas_set(
        actor=personas.officer, conference=conference, quotas={tree.KTTV_A: 2, tree.KTTV_B: 1}
    )
    return conference


def test_a_unit_cannot_propose_beyond_its_quota(
    tree: Tree, personas: Personas, person_a: Person
) -> None:
    conference = _conference(tree, personas)
    second = person("P002", tree.KTTV_A, "Lê Văn Cường")
    third = person("P003", tree.KTTV_A, "Phạm Thị Dung")
    services.candidate_propose(
        actor=personas.officer, conference=conference, unit=tree.KTTV_A, person=person_a
    )
    services.candidate_propose(
        actor=personas.officer, conference=conference, unit=tree.KTTV_A, collective=tree.KTTV_A
    )
    with pytest.raises(ValidationFailed) as bad:
        services.candidate_propose(
            actor=personas.officer, conference=conference, unit=tree.KTTV_A, person=second
        )
    assert "đủ 2" in bad.value.errors[0].message
    # Raising the quota lets the unit propose again; lowering it below use is refused.
    services.quotas_set(actor=personas.officer, conference=conference, quotas={tree.KTTV_A: 3})
    services.candidate_propose(
        actor=personas.officer, conference=conference, unit=tree.KTTV_A, person=second
    )
    with pytest.raises(ValidationFailed):
        services.quotas_set(actor=personas.officer, conference=conference, quotas={tree.KTTV_A: 1})
    with pytest.raises(ValidationFailed):
        services.candidate_propose(
            actor=personas.officer, conference=conference, unit=tree.KTTV_A, person=third
        )


def test_candidates_must_belong_to_the_proposing_unit_and_not_repeat(
    tree: Tree, personas: Personas, person_a: Person
) -> None:
    conference = _conference(tree, personas)
    with pytest.raises(ValidationFailed):
        services.candidate_propose(
            actor=personas.officer, conference=conference, unit=tree.KTTV_B, person=person_a
        )
    with pytest.raises(ValidationFailed):  # no quota for STNMT units
        services.candidate_propose(
            actor=personas.officer, conference=conference, unit=tree.ST_VP, collective=tree.ST_VP
        )
    services.candidate_propose(
        actor=personas.officer, conference=conference, unit=tree.KTTV_A, person=person_a
    )
    with pytest.raises(Conflict):
        services.candidate_propose(
            actor=personas.officer, conference=conference, unit=tree.KTTV_A, person=person_a
        )


def test_selection_and_finalizing_close_the_list(
    tree: Tree, personas: Personas, person_a: Person
) -> None:
    conference = _conference(tree, personas)
    chosen = services.candidate_propose(
        actor=personas.officer, conference=conference, unit=tree.KTTV_A, person=person_a
    )
    other = services.candidate_propose(
        actor=personas.officer, conference=conference, unit=tree.KTTV_B, collective=tree.KTTV_B
    )
    services.candidates_select(
        actor=personas.officer, conference=conference, selected={chosen.pk}, finalize=True
    )
    chosen.refresh_from_db()
    other.refresh_from_db()
    conference.refresh_from_db()
    assert chosen.status == CandidateStatus.SELECTED
    assert other.status == CandidateStatus.NOT_SELECTED
    assert conference.status == ConferenceStatus.FINALIZED
    with pytest.raises(Conflict):
        services.candidate_withdraw(actor=personas.officer, candidate=chosen)
    assert AuditEvent.objects.filter(action="conference.select").count() == 1
