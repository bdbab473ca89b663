"""Plans: creation rules, scope of a requirement, submissions and the five statuses."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from audit.models import AuditEvent
from core.errors import Conflict, ValidationFailed
from organizations import services as org
from plans import services
from plans.compliance import ComplianceStatus, plan_compliance
from plans.models import Plan, RequirementKind, Submission
from plans.services import EntryData, PhaseData, PlanData, RequirementData

pytestmark = pytest.mark.django_db

DUE = dt.date(2023, 12, 30)


def make_plan(tree: Any, actor: Any = None, **overrides: Any) -> Plan:
    data = PlanData(
        code=overrides.pop("code", "KH-BO-2023"),
        title=overrides.pop("title", "Kế hoạch nhân rộng điển hình tiên tiến 2023–2025"),
        issuer=overrides.pop("issuer", tree.MIN),
        starts_on=dt.date(2023, 11, 6),
        ends_on=dt.date(2025, 12, 31),
        **overrides,
    )
    return services.plan_create(
        actor=actor,
        data=data,
        requirements=[
            RequirementData(key="KH", kind=RequirementKind.UNIT_PLAN, due_on=DUE),
            RequirementData(
                key="DK",
                kind=RequirementKind.EXEMPLAR_REGISTRATION,
                due_on=DUE,
                scope="SUBTREE",
                min_count=1,
                max_count=2,
            ),
        ],
        phases=[PhaseData("Giai đoạn 1", dt.date(2023, 11, 6), dt.date(2024, 12, 31))],
    )


def statuses(plan: Plan, as_of: dt.date, key: str) -> dict[str, ComplianceStatus]:
    for rc in plan_compliance(plan, as_of):
        if rc.requirement.key == key:
            return {uc.unit.code: uc.status for uc in rc.units}
    raise AssertionError(key)


def test_plan_create_audits_plan_requirements_and_phases(tree: Any, personas: Any) -> None:
    plan = make_plan(tree, personas.standing)
    assert [r.key for r in plan.requirements.order_by("key")] == ["DK", "KH"]
    assert plan.phases.get().name == "Giai đoạn 1"
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"plan.create", "plan.requirement_add", "plan.phase_add"} <= actions
    assert "nhan rong" in plan.search_text


def test_duplicate_code_is_a_conflict(tree: Any) -> None:
    make_plan(tree)
    with pytest.raises(Conflict):
        make_plan(tree)


@pytest.mark.parametrize(
    ("requirements", "field"),
    [
        (
            [
                RequirementData(key="A", kind="UNIT_PLAN", due_on=DUE),
                RequirementData(key="A", kind="ANNUAL_REPORT", due_on=DUE),
            ],
            "requirements.1.key",
        ),
        (
            [
                RequirementData(
                    key="A", kind="EXEMPLAR_REGISTRATION", due_on=DUE, min_count=3, max_count=1
                )
            ],
            "requirements.0.max_count",
        ),
        ([RequirementData(key="A", kind="NOPE", due_on=DUE)], "requirements.0.kind"),
        (
            [RequirementData(key="A", kind="UNIT_PLAN", due_on=DUE, scope="X")],
            "requirements.0.scope",
        ),
        ([RequirementData(key="có dấu cách", kind="UNIT_PLAN", due_on=DUE)], "requirements.0.key"),
    ],
)
def test_bad_requirements_are_refused_and_nothing_written(
    tree: Any, requirements: list[RequirementData], field: str
) -> None:
    data = PlanData(
        code="X", title="X", issuer=tree.MIN, starts_on=dt.date(2023, 1, 1),
        ends_on=dt.date(2023, 12, 31),
    )  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:
        services.plan_create(actor=None, data=data, requirements=requirements)
    assert field in [e.field for e in caught.value.errors]
    assert not Plan.objects.exists()


def test_dates_out_of_order_and_phase_outside_the_plan(tree: Any) -> None:
    data = PlanData(
        code="X", title="X", issuer=tree.MIN, starts_on=dt.date(2024, 1, 1),
        ends_on=dt.date(2023, 1, 1),
    )  # fmt: skip
    with pytest.raises(ValidationFailed) as caught:
        services.plan_create(actor=None, data=data)
    assert [e.field for e in caught.value.errors] == ["ends_on"]
    data.ends_on = dt.date(2024, 12, 31)
    with pytest.raises(ValidationFailed) as caught:
        services.plan_create(
            actor=None,
            data=data,
            phases=[PhaseData("GĐ", dt.date(2023, 6, 1), dt.date(2024, 6, 1))],
        )
    assert caught.value.errors[0].field == "phases.0.starts_on"


def test_child_plan_issuer_must_be_under_the_parent_issuer(tree: Any) -> None:
    parent = make_plan(tree, issuer=tree.KTTV, code="KH-KTTV")
    with pytest.raises(ValidationFailed) as caught:
        make_plan(tree, issuer=tree.ST, code="KH-ST", parent=parent)
    assert caught.value.errors[0].field == "parent"
    child = make_plan(tree, issuer=tree.KTTV_A, code="KH-A", parent=parent)
    assert list(parent.children.all()) == [child]


def test_scope_child_units_and_subtree(tree: Any) -> None:
    plan = make_plan(tree)
    kh = plan.requirements.get(key="KH")
    dk = plan.requirements.get(key="DK")
    assert [u.code for u in services.units_in_scope(kh)] == ["TCCB", "KTTV", "STNMT_ST"]
    assert {u.code for u in services.units_in_scope(dk)} == {
        "TCCB", "KTTV", "KTTV_A", "KTTV_B", "STNMT_ST", "ST_VP",
    }  # fmt: skip


def test_scope_follows_the_tree_on_the_due_date(tree: Any) -> None:
    """KTTV_B merged into KTTV_A on 01/06/2024: it owes what fell due before, not after."""
    plan = make_plan(tree, issuer=tree.KTTV, code="KH-KTTV")
    early = plan.requirements.get(key="KH")
    late = services.requirement_add(
        actor=None,
        plan=plan,
        data=RequirementData(key="KH2", kind="UNIT_PLAN", due_on=dt.date(2024, 9, 30)),
    )
    org.units_merge(actor=None, sources=[tree.KTTV_B], into=tree.KTTV_A, on=dt.date(2024, 6, 1))
    assert [u.code for u in services.units_in_scope(early)] == ["KTTV_A", "KTTV_B"]
    assert [u.code for u in services.units_in_scope(late)] == ["KTTV_A"]
    # A unit founded after the due date owes nothing for it.
    org.unit_create(
        actor=None, code="KTTV_C", name="Đài mới", parent=tree.KTTV, valid_from=dt.date(2024, 1, 1)
    )
    assert "KTTV_C" not in [u.code for u in services.units_in_scope(early)]
    assert "KTTV_C" in [u.code for u in services.units_in_scope(late)]


def test_unit_outside_the_scope_cannot_submit(tree: Any) -> None:
    plan = make_plan(tree)
    with pytest.raises(ValidationFailed) as caught:
        services.submission_submit(
            actor=None, requirement=plan.requirements.get(key="KH"), unit=tree.KTTV_A,
            submitted_on=DUE,
        )  # fmt: skip
    assert caught.value.errors[0].field == "unit"
    assert not Submission.objects.exists()


def test_every_status_around_the_due_date(tree: Any, person_a: Any) -> None:
    plan = make_plan(tree)
    kh = plan.requirements.get(key="KH")
    dk = plan.requirements.get(key="DK")
    submit = services.submission_submit
    submit(actor=None, requirement=kh, unit=tree.TCCB, submitted_on=DUE)  # on the day: on time
    submit(actor=None, requirement=kh, unit=tree.KTTV, submitted_on=dt.date(2024, 1, 5))
    submit(
        actor=None, requirement=dk, unit=tree.KTTV_A, submitted_on=dt.date(2023, 12, 1),
        entries=[EntryData("Nguyễn Văn An", person=person_a)],
    )  # fmt: skip
    submit(
        actor=None, requirement=dk, unit=tree.KTTV_B, submitted_on=dt.date(2023, 12, 1),
        entries=[EntryData("A"), EntryData("B"), EntryData("C")],
    )  # fmt: skip
    submit(actor=None, requirement=dk, unit=tree.KTTV, submitted_on=dt.date(2023, 12, 1))

    before_due = dt.date(2023, 12, 20)
    assert statuses(plan, before_due, "KH") == {
        "TCCB": "PENDING", "KTTV": "PENDING", "STNMT_ST": "PENDING",
    }  # fmt: skip
    assert statuses(plan, DUE, "KH") == {
        "TCCB": "ON_TIME", "KTTV": "PENDING", "STNMT_ST": "PENDING",
    }  # fmt: skip
    after = dt.date(2024, 2, 1)
    assert statuses(plan, after, "KH") == {
        "TCCB": "ON_TIME", "KTTV": "LATE", "STNMT_ST": "MISSING",
    }  # fmt: skip
    # Between the due date and the late answer, KTTV is missing.
    assert statuses(plan, dt.date(2024, 1, 2), "KH")["KTTV"] == "MISSING"
    dk_status = statuses(plan, after, "DK")
    assert dk_status["KTTV_A"] == "ON_TIME"
    assert dk_status["KTTV_B"] == "INVALID"  # three entries, at most two allowed
    assert dk_status["KTTV"] == "INVALID"  # none, at least one required
    assert dk_status["ST_VP"] == "MISSING"
    assert set(dk_status.values()) | set(statuses(plan, after, "KH").values()) | {"PENDING"} == set(
        ComplianceStatus
    )


def test_late_but_invalid_registration_is_invalid(tree: Any) -> None:
    plan = make_plan(tree)
    dk = plan.requirements.get(key="DK")
    services.submission_submit(
        actor=None, requirement=dk, unit=tree.KTTV_A, submitted_on=dt.date(2024, 1, 10)
    )
    assert statuses(plan, dt.date(2024, 2, 1), "DK")["KTTV_A"] == "INVALID"


def test_resubmission_replaces_and_is_audited(tree: Any, personas: Any) -> None:
    plan = make_plan(tree)
    dk = plan.requirements.get(key="DK")
    first = services.submission_submit(
        actor=personas.officer, requirement=dk, unit=tree.KTTV, submitted_on=dt.date(2023, 12, 1),
        entries=[EntryData("A"), EntryData("B"), EntryData("C")],
    )  # fmt: skip
    assert statuses(plan, dt.date(2024, 1, 1), "DK")["KTTV"] == "INVALID"
    second = services.submission_submit(
        actor=personas.officer, requirement=dk, unit=tree.KTTV, submitted_on=dt.date(2023, 12, 5),
        entries=[EntryData("A")],
    )  # fmt: skip
    assert second.pk == first.pk
    assert Submission.objects.count() == 1
    assert [e.title for e in second.entries.all()] == ["A"]
    assert statuses(plan, dt.date(2024, 1, 1), "DK")["KTTV"] == "ON_TIME"
    event = AuditEvent.objects.filter(action="plan.submission_replace").get()
    assert event.before is not None and event.after is not None
    assert event.before["submitted_on"] == "2023-12-01"
    assert len(event.before["entries"]) == 3
    assert event.after["submitted_on"] == "2023-12-05"


def test_withdraw_removes_the_answer(tree: Any) -> None:
    plan = make_plan(tree)
    kh = plan.requirements.get(key="KH")
    submission = services.submission_submit(
        actor=None, requirement=kh, unit=tree.KTTV, submitted_on=DUE
    )
    services.submission_withdraw(actor=None, submission=submission)
    assert statuses(plan, dt.date(2024, 1, 1), "KH")["KTTV"] == "MISSING"
    assert AuditEvent.objects.filter(action="plan.submission_withdraw").count() == 1


def test_unit_plan_answered_with_a_child_plan(tree: Any) -> None:
    plan = make_plan(tree)
    kh = plan.requirements.get(key="KH")
    child = make_plan(tree, code="KH-KTTV", issuer=tree.KTTV, parent=plan)
    submission = services.submission_submit(
        actor=None, requirement=kh, unit=tree.KTTV, submitted_on=DUE, child_plan=child
    )
    assert submission.child_plan == child
    other = make_plan(tree, code="KH-ST", issuer=tree.ST, parent=plan)
    with pytest.raises(ValidationFailed) as caught:
        services.submission_submit(
            actor=None, requirement=kh, unit=tree.KTTV, submitted_on=DUE, child_plan=other
        )
    assert caught.value.errors[0].field == "child_plan"


def test_entries_only_for_registrations_and_from_the_unit(tree: Any, person_a: Any) -> None:
    plan = make_plan(tree)
    with pytest.raises(ValidationFailed) as caught:
        services.submission_submit(
            actor=None, requirement=plan.requirements.get(key="KH"), unit=tree.KTTV,
            submitted_on=DUE, entries=[EntryData("A")],
        )  # fmt: skip
    assert caught.value.errors[0].field == "entries"
    with pytest.raises(ValidationFailed) as caught:
        services.submission_submit(
            actor=None, requirement=plan.requirements.get(key="DK"), unit=tree.KTTV_B,
            submitted_on=DUE, entries=[EntryData("An", person=person_a)],
        )  # fmt: skip
    assert caught.value.errors[0].field == "entries.0.person"


def test_future_submission_date_is_refused(tree: Any) -> None:
    plan = make_plan(tree)
    with pytest.raises(ValidationFailed) as caught:
        services.submission_submit(
            actor=None, requirement=plan.requirements.get(key="KH"), unit=tree.KTTV,
            submitted_on=dt.date.today() + dt.timedelta(days=2),
        )  # fmt: skip
    assert caught.value.errors[0].field == "submitted_on"


def test_requirement_with_answers_cannot_be_deleted(tree: Any) -> None:
    plan = make_plan(tree)
    kh = plan.requirements.get(key="KH")
    services.submission_submit(actor=None, requirement=kh, unit=tree.KTTV, submitted_on=DUE)
    with pytest.raises(Conflict):
        services.requirement_delete(actor=None, requirement=kh)
    services.requirement_delete(actor=None, requirement=plan.requirements.get(key="DK"))
    assert [r.key for r in plan.requirements.all()] == ["KH"]


def test_milestones_and_phase_removal_keeps_milestones(tree: Any) -> None:
    plan = make_plan(tree)
    phase = plan.phases.get()
    milestone = services.milestone_add(
        actor=None, plan=plan, title="Sơ kết", due_on=dt.date(2024, 6, 30), phase=phase
    )
    services.milestone_update(
        actor=None, milestone=milestone, title="Sơ kết giai đoạn 1", due_on=dt.date(2024, 6, 30),
        phase=phase,
    )  # fmt: skip
    services.phase_delete(actor=None, phase=phase)
    milestone.refresh_from_db()
    assert milestone.phase is None and milestone.title == "Sơ kết giai đoạn 1"
    services.milestone_delete(actor=None, milestone=milestone)
    assert not plan.milestones.exists()


def test_revise_swaps_keys_and_deletes_in_one_go(tree: Any) -> None:
    plan = make_plan(tree)
    kh = plan.requirements.get(key="KH")
    dk = plan.requirements.get(key="DK")
    data = PlanData(
        code=plan.code, title="Tên mới", issuer=tree.MIN, starts_on=plan.starts_on,
        ends_on=plan.ends_on,
    )  # fmt: skip
    services.plan_revise(
        actor=None,
        plan=plan,
        data=data,
        requirements=[
            services.RequirementChange(kh, RequirementData("DK", "UNIT_PLAN", DUE)),
            services.RequirementChange(
                dk, RequirementData("KH", "EXEMPLAR_REGISTRATION", DUE, "SUBTREE", 1, 2)
            ),
            services.RequirementChange(
                None, RequirementData("BC", "ANNUAL_REPORT", DUE, year=2023)
            ),
        ],
        phases=[services.PhaseChange(plan.phases.get(), None)],
    )
    plan.refresh_from_db()
    assert plan.title == "Tên mới"
    assert dict(plan.requirements.values_list("key", "kind")) == {
        "DK": "UNIT_PLAN", "KH": "EXEMPLAR_REGISTRATION", "BC": "ANNUAL_REPORT",
    }  # fmt: skip
    assert not plan.phases.exists()
