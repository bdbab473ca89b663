"""plans.demo: the seed plans on top of the foundation demo, every status on the grid."""

from __future__ import annotations

import datetime as dt
from collections import Counter

import pytest

from audit.services import verify_chain
from plans.compliance import ComplianceStatus, plan_compliance
from plans.models import Plan, Submission

# core.demo.load_demo builds the plans with today's date (plans.demo.build(today)).
TODAY = dt.date.today()


@pytest.fixture
def loaded(demo_loaded: str) -> None:
    """The demo, built once for the package (tests/demo/conftest.py)."""


pytestmark = pytest.mark.django_db


def statuses(code: str, as_of: dt.date = TODAY) -> Counter[str]:
    plan = Plan.objects.get(code=code)
    return Counter(uc.status for rc in plan_compliance(plan, as_of) for uc in rc.units)


def test_the_seed_plans_cascade(loaded: None) -> None:
    ministry = Plan.objects.get(code="KH-BTNMT-2023")
    assert ministry.issuer.code == "BTNMT"
    assert ministry.requirements.get(key="KH-DONVI").due_on == dt.date(2023, 12, 30)
    department = Plan.objects.get(code="KH-STNMT-ST-2023")
    assert department.parent == ministry
    answer = Submission.objects.get(requirement__plan=ministry, unit__code="STNMT_ST",
                                    requirement__key="KH-DONVI")  # fmt: skip
    assert answer.child_plan == department
    kttv = Plan.objects.get(code="KH-TCKTTV-2021")
    assert [p.name for p in kttv.phases.order_by("order")] == [
        "Giai đoạn 1 (2021–2023)", "Giai đoạn 2 (2023–2025)",
    ]  # fmt: skip
    assert kttv.milestones.count() == 7
    assert kttv.requirements.get(key="DK-2021").due_on == dt.date(2021, 9, 7)


def test_every_colour_shows(loaded: None) -> None:
    seen = statuses("KH-BTNMT-2023")
    assert {ComplianceStatus.ON_TIME, ComplianceStatus.LATE, ComplianceStatus.MISSING,
            ComplianceStatus.INVALID} <= set(seen)  # fmt: skip
    # Seen before the registrations fell due, the same plan is grey.
    assert statuses("KH-BTNMT-2023", dt.date(2024, 3, 1))[ComplianceStatus.PENDING] > 0
    # Whatever day the demo is loaded, the current year's plan has answers not yet due.
    assert statuses(f"KH-BTNMT-{TODAY.year}")[ComplianceStatus.PENDING] > 0


def test_merged_district_offices_owe_only_what_fell_due_before(loaded: None) -> None:
    plan = Plan.objects.get(code="KH-STNMT-ST-2023")
    by_key = {
        rc.requirement.key: {uc.unit.code for uc in rc.units} for rc in plan_compliance(plan, TODAY)
    }
    assert {"ST_LPH", "ST_TDE"} <= by_key["DK-2025"]
    assert "ST_LPTD" not in by_key["DK-2025"]
    assert "ST_LPTD" in by_key["BC-2025"] and "ST_LPH" not in by_key["BC-2025"]


def test_demo_keeps_the_audit_chain(loaded: None) -> None:
    assert verify_chain().ok
