"""Plan pages: list, forms, submission, compliance grid, calendar, and who may open what."""

from __future__ import annotations

import datetime as dt
import re
from io import BytesIO
from typing import Any

import pytest
from django.test import Client
from icalendar import Calendar
from openpyxl import load_workbook

from plans import services
from plans.models import Milestone, Plan, Requirement, Submission
from plans.services import EntryData, PhaseData, PlanData, RequirementData
from tests.test_permissions import assert_object_pages

pytestmark = pytest.mark.django_db

DUE = dt.date(2023, 12, 30)


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def kttv_plan(tree: Any, code: str = "KH-KTTV-2021") -> Plan:
    """Seed 004 in miniature: issued by KTTV, answered by its two affiliated units."""
    return services.plan_create(
        actor=None,
        data=PlanData(
            code=code,
            title="Kế hoạch xây dựng và nhân rộng điển hình tiên tiến 2021–2025",
            issuer=tree.KTTV,
            starts_on=dt.date(2021, 8, 1),
            ends_on=dt.date(2025, 12, 31),
            document_number="123/KH-TCKTTV",
        ),
        requirements=[
            RequirementData("KH", "UNIT_PLAN", dt.date(2021, 9, 7), title="Kế hoạch của đơn vị"),
            RequirementData(
                "DK", "EXEMPLAR_REGISTRATION", dt.date(2021, 9, 7), min_count=1, max_count=2
            ),
        ],
        phases=[PhaseData("Giai đoạn 1", dt.date(2021, 8, 1), dt.date(2023, 12, 31))],
    )


def test_list_search_filter_and_export(tree: Any, personas: Any) -> None:
    kttv_plan(tree)
    services.plan_create(
        actor=None,
        data=PlanData("KH-ST-2025", "Phát động phong trào thi đua năm 2025", tree.ST,
                      dt.date(2025, 1, 1), dt.date(2025, 12, 31)),
    )  # fmt: skip
    client = client_for(personas.standing)
    page = client.get("/plans/?q=nhan rong").content.decode()
    assert "KH-KTTV-2021" in page and "KH-ST-2025" not in page
    page = client.get("/plans/?year=2025&issuer=STNMT_ST").content.decode()
    assert "KH-ST-2025" in page and "KH-KTTV-2021" not in page
    # The viewer of KTTV does not see the Sóc Trăng plan at all.
    page = client_for(personas.viewer).get("/plans/").content.decode()
    assert "KH-KTTV-2021" in page and "KH-ST-2025" not in page
    response = client.get("/plans/?format=xlsx")
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet is not None
    codes = {row[0] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert codes == {"KH-KTTV-2021", "KH-ST-2025"}


def test_list_runs_a_bounded_number_of_queries(
    tree: Any, personas: Any, django_assert_max_num_queries: Any
) -> None:
    for i in range(30):
        kttv_plan(tree, code=f"KH-{i:02d}")
    client = client_for(personas.viewer)
    with django_assert_max_num_queries(12):
        assert client.get("/plans/").status_code == 200


def make_answers(tree: Any, plan: Plan) -> None:
    kh = plan.requirements.get(key="KH")
    dk = plan.requirements.get(key="DK")
    services.submission_submit(
        actor=None, requirement=kh, unit=tree.KTTV_A, submitted_on=dt.date(2021, 9, 1)
    )
    services.submission_submit(
        actor=None, requirement=kh, unit=tree.KTTV_B, submitted_on=dt.date(2021, 9, 20)
    )
    services.submission_submit(
        actor=None, requirement=dk, unit=tree.KTTV_A, submitted_on=dt.date(2021, 9, 1),
        entries=[EntryData("A"), EntryData("B"), EntryData("C")],
    )  # fmt: skip


def grid_cells(html: str) -> dict[str, list[str]]:
    cells: dict[str, list[str]] = {}
    for unit, status in re.findall(r'data-unit="([^"]+)" data-status="([^"]+)"', html):
        cells.setdefault(unit, []).append(status)
    return cells


def test_grid_and_api_agree(tree: Any, personas: Any, api_as: Any) -> None:
    plan = kttv_plan(tree)
    make_answers(tree, plan)
    html = client_for(personas.officer).get(f"/plans/{plan.code}/compliance/?as_of=2021-10-01")
    cells = grid_cells(html.content.decode())
    # Columns in due-date order, then key: DK before KH.
    assert cells == {"KTTV_A": ["INVALID", "ON_TIME"], "KTTV_B": ["MISSING", "LATE"]}
    api = api_as("officer").get(f"/api/v1/plans/{plan.code}/compliance?as_of=2021-10-01").json()
    from_api: dict[str, list[str]] = {}
    for requirement in api["requirements"]:
        for row in requirement["units"]:
            from_api.setdefault(row["unit"], []).append(row["status"])
    assert from_api == cells
    # Every status has its word on the page, not only its colour.
    text = html.content.decode()
    for word in ("Đúng hạn", "Trễ hạn", "Chưa gửi, quá hạn", "Sai số lượng", "Chưa đến hạn"):
        assert word in text
    early = client_for(personas.officer).get(f"/plans/{plan.code}/compliance/?as_of=2021-08-15")
    assert grid_cells(early.content.decode()) == {
        "KTTV_A": ["PENDING", "PENDING"], "KTTV_B": ["PENDING", "PENDING"],
    }  # fmt: skip


def test_grid_export_and_drill_down(tree: Any, personas: Any) -> None:
    plan = kttv_plan(tree)
    make_answers(tree, plan)
    client = client_for(personas.standing)
    response = client.get(f"/plans/{plan.code}/compliance/?as_of=2021-10-01&format=xlsx")
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[1][:2] == ("KTTV_A", tree.KTTV_A.name)
    assert rows[1][2] == "Sai số lượng (01/09/2021)"
    assert rows[2][2] == "Chưa gửi, quá hạn"
    cell = client.get(
        f"/plans/{plan.code}/compliance/cell/?requirement=DK&unit=KTTV_A&as_of=2021-10-01"
    )
    body = cell.content.decode()
    assert cell.status_code == 200
    assert "Sai số lượng" in body and "<td>C</td>" in body
    missing = client.get(f"/plans/{plan.code}/compliance/cell/?requirement=DK&unit=KTTV_B")
    assert "Đơn vị chưa gửi và đã quá hạn." in missing.content.decode()
    outside = client.get(f"/plans/{plan.code}/compliance/cell/?requirement=DK&unit=STNMT_ST")
    assert outside.status_code == 404


def test_grid_runs_a_bounded_number_of_queries(
    tree: Any, personas: Any, django_assert_max_num_queries: Any
) -> None:
    from organizations import services as org

    plan = kttv_plan(tree)
    for i in range(25):
        unit = org.unit_create(
            actor=None, code=f"KTTV_X{i}", name=f"Trạm {i}", parent=tree.KTTV,
            valid_from=dt.date(2020, 1, 1),
        )  # fmt: skip
        services.submission_submit(
            actor=None, requirement=plan.requirements.get(key="KH"), unit=unit,
            submitted_on=dt.date(2021, 9, 1),
        )  # fmt: skip
    for i in range(5):
        services.requirement_add(
            actor=None, plan=plan,
            data=RequirementData(f"BC{i}", "ANNUAL_REPORT", dt.date(2022 + i, 1, 15)),
        )  # fmt: skip
    client = client_for(personas.standing)
    with django_assert_max_num_queries(14):
        response = client.get(f"/plans/{plan.code}/compliance/?as_of=2024-01-01")
    assert len(grid_cells(response.content.decode())) == 27


def test_calendar_parses_with_stable_all_day_events(tree: Any, personas: Any) -> None:
    plan = kttv_plan(tree)
    services.milestone_add(
        actor=None, plan=plan, title="Sơ kết tại các đơn vị", due_on=dt.date(2023, 6, 30),
        phase=plan.phases.get(),
    )  # fmt: skip
    client = client_for(personas.viewer)
    first = client.get(f"/plans/{plan.code}/calendar.ics")
    assert first["Content-Type"].startswith("text/calendar")
    calendar = Calendar.from_ical(first.content)
    events = [c for c in calendar.walk("VEVENT")]
    assert len(events) == 3
    starts = sorted(e.decoded("dtstart") for e in events)
    assert starts == [dt.date(2021, 9, 7), dt.date(2021, 9, 7), dt.date(2023, 6, 30)]
    assert all(type(e.decoded("dtstart")) is dt.date for e in events)
    assert all(e.decoded("dtend") - e.decoded("dtstart") == dt.timedelta(days=1) for e in events)
    second = Calendar.from_ical(client.get(f"/plans/{plan.code}/calendar.ics").content)
    assert sorted(str(e["uid"]) for e in events) == sorted(
        str(e["uid"]) for e in second.walk("VEVENT")
    )
    assert "Sơ kết tại các đơn vị" in [str(e["summary"]) for e in events]


def test_create_plan_through_the_form(tree: Any, personas: Any) -> None:
    client = client_for(personas.standing)
    form = {
        "code": "KH-MOI",
        "title": "Kế hoạch mới",
        "issuer": "MIN",
        "starts_on": "01/01/2024",
        "ends_on": "31/12/2025",
        "req-TOTAL_FORMS": "2",
        "req-INITIAL_FORMS": "0",
        "req-0-key": "KH",
        "req-0-kind": "UNIT_PLAN",
        "req-0-due_on": "31/03/2024",
        "req-0-scope": "CHILD_UNITS",
        "req-1-key": "KH",
        "req-1-kind": "ANNUAL_REPORT",
        "req-1-due_on": "15/12/2024",
        "req-1-scope": "CHILD_UNITS",
        "phase-TOTAL_FORMS": "1",
        "phase-INITIAL_FORMS": "0",
    }
    response = client.post("/plans/new/", form)
    assert response.status_code == 200
    assert "bị trùng" in response.content.decode()
    assert not Plan.objects.exists()
    form["req-1-key"] = "BC"
    response = client.post("/plans/new/", form)
    assert response.status_code == 302
    plan = Plan.objects.get(code="KH-MOI")
    assert sorted(plan.requirements.values_list("key", flat=True)) == ["BC", "KH"]
    # "Thêm dòng" adds an empty row without saving anything.
    response = client.post("/plans/new/", {**form, "code": "KH-2", "add_requirement": "1"})
    assert response.status_code == 200
    assert 'name="req-2-key"' in response.content.decode()
    assert not Plan.objects.filter(code="KH-2").exists()


def test_edit_plan_deletes_and_adds_rows(tree: Any, personas: Any) -> None:
    plan = kttv_plan(tree)
    client = client_for(personas.officer)
    page = client.get(f"/plans/{plan.code}/edit/").content.decode()
    assert 'value="DK"' in page
    kh = plan.requirements.get(key="KH")
    dk = plan.requirements.get(key="DK")
    phase = plan.phases.get()
    response = client.post(
        f"/plans/{plan.code}/edit/",
        {
            "code": plan.code, "title": "Tên đã sửa", "issuer": "KTTV",
            "starts_on": "01/08/2021", "ends_on": "31/12/2025",
            "req-TOTAL_FORMS": "3", "req-INITIAL_FORMS": "2",
            "req-0-id": str(dk.pk), "req-0-key": "DK", "req-0-kind": "EXEMPLAR_REGISTRATION",
            "req-0-due_on": "07/09/2021", "req-0-scope": "CHILD_UNITS", "req-0-min_count": "1",
            "req-0-max_count": "3",
            "req-1-id": str(kh.pk), "req-1-key": "KH", "req-1-kind": "UNIT_PLAN",
            "req-1-due_on": "07/09/2021", "req-1-scope": "CHILD_UNITS", "req-1-DELETE": "on",
            "req-2-key": "BC2022", "req-2-kind": "ANNUAL_REPORT", "req-2-due_on": "15/12/2022",
            "req-2-scope": "SUBTREE", "req-2-year": "2022",
            "phase-TOTAL_FORMS": "1", "phase-INITIAL_FORMS": "1",
            "phase-0-id": str(phase.pk), "phase-0-name": "Giai đoạn 1 (2021–2023)",
            "phase-0-starts_on": "01/08/2021", "phase-0-ends_on": "31/12/2023",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()
    plan.refresh_from_db()
    assert plan.title == "Tên đã sửa"
    assert dict(plan.requirements.values_list("key", "max_count")) == {"DK": 3, "BC2022": None}
    assert plan.phases.get().name == "Giai đoạn 1 (2021–2023)"
    history = client.get(f"/plans/{plan.code}/").content.decode()
    assert "plan.requirement_delete" in history and "plan.update" in history


def test_submission_form_with_entries_then_withdraw(
    tree: Any, personas: Any, person_a: Any
) -> None:
    plan = kttv_plan(tree)
    client = client_for(personas.officer)
    page = client.get(f"/plans/{plan.code}/submit/")
    assert page.status_code == 200
    response = client.post(
        f"/plans/{plan.code}/submit/",
        {
            "requirement": "DK", "unit": "KTTV_A", "submitted_on": "05/09/2021",
            "entry-TOTAL_FORMS": "3", "entry-INITIAL_FORMS": "0",
            "entry-0-title": "Nguyễn Văn An – dự báo viên", "entry-0-person": "P001",
            "entry-1-title": "Tổ dự báo bão", "entry-1-field": "Dự báo",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()
    submission = Submission.objects.get()
    assert [e.title for e in submission.entries.all()] == [
        "Nguyễn Văn An – dự báo viên", "Tổ dự báo bão",
    ]  # fmt: skip
    assert submission.entries.first().person == person_a  # type: ignore[union-attr]
    assert submission.submitted_by == personas.officer
    detail = client.get(f"/plans/submissions/{submission.pk}/").content.decode()
    assert "Tổ dự báo bão" in detail and "Đúng hạn" in detail
    confirm = client.get(f"/plans/submissions/{submission.pk}/withdraw/")
    assert "Rút lại" in confirm.content.decode()
    assert Submission.objects.exists()
    client.post(f"/plans/submissions/{submission.pk}/withdraw/", {"confirm": "1"})
    assert not Submission.objects.exists()


def test_unit_plan_answer_creates_the_units_own_plan(tree: Any, personas: Any) -> None:
    plan = kttv_plan(tree)
    client = client_for(personas.officer)
    response = client.post(
        f"/plans/{plan.code}/submit/",
        {
            "requirement": "KH", "unit": "KTTV_B", "submitted_on": "01/09/2021",
            "create_child": "on", "child_code": "KH-KTTV-B",
            "child_title": "Kế hoạch của Trung tâm",
            "entry-TOTAL_FORMS": "0", "entry-INITIAL_FORMS": "0",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()
    child = Plan.objects.get(code="KH-KTTV-B")
    assert child.parent == plan and child.issuer == tree.KTTV_B
    assert Submission.objects.get().child_plan == child
    # A failed answer leaves no orphan plan behind.
    response = client.post(
        f"/plans/{plan.code}/submit/",
        {
            "requirement": "KH", "unit": "KTTV_A", "submitted_on": "01/09/2099",
            "create_child": "on", "child_code": "KH-KTTV-A", "child_title": "Kế hoạch của Đài",
            "entry-TOTAL_FORMS": "0", "entry-INITIAL_FORMS": "0",
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert not Plan.objects.filter(code="KH-KTTV-A").exists()


def test_milestone_pages(tree: Any, personas: Any) -> None:
    plan = kttv_plan(tree)
    client = client_for(personas.officer)
    response = client.post(
        f"/plans/{plan.code}/milestones/new/",
        {"title": "Quý III/2021: đăng ký", "due_on": "30/09/2021",
         "phase": str(plan.phases.get().pk)},
    )  # fmt: skip
    assert response.status_code == 302
    milestone = Milestone.objects.get()
    assert milestone.phase == plan.phases.get()
    client.post(
        f"/plans/milestones/{milestone.pk}/edit/",
        {"title": "Quý III/2021: đăng ký điển hình", "due_on": "30/09/2021"},
    )
    milestone.refresh_from_db()
    assert milestone.title == "Quý III/2021: đăng ký điển hình" and milestone.phase is None
    client.post(f"/plans/milestones/{milestone.pk}/delete/", {"confirm": "1"})
    assert not Milestone.objects.exists()


def _same_pk(tree: Any, plan: Plan) -> int:
    """Make a milestone and a submission share one pk, as the permission walker fills one "pk"."""
    milestone = services.milestone_add(
        actor=None, plan=plan, title="Mốc", due_on=dt.date(2022, 1, 1)
    )
    kh = plan.requirements.get(key="KH")
    submission = services.submission_submit(
        actor=None, requirement=kh, unit=tree.KTTV_A, submitted_on=dt.date(2021, 9, 1)
    )
    target = max(milestone.pk, submission.pk)
    while milestone.pk < target:
        milestone = services.milestone_add(
            actor=None, plan=plan, title="Mốc", due_on=dt.date(2022, 1, 1)
        )
    while submission.pk < target:
        Submission.objects.filter(pk=submission.pk).delete()
        submission = services.submission_submit(
            actor=None, requirement=kh, unit=tree.KTTV_A, submitted_on=dt.date(2021, 9, 1)
        )
    assert milestone.pk == submission.pk
    return target


@pytest.mark.parametrize(
    "persona", ["outsider", "viewer", "officer", "head", "standing", "council", "comms"]
)
def test_object_pages_by_role(persona: str, tree: Any, personas: Any) -> None:
    plan = kttv_plan(tree)
    pk = _same_pk(tree, plan)
    client = client_for(getattr(personas, persona))
    checked = assert_object_pages(client, persona, "plans", {"code": plan.code, "pk": str(pk)})
    assert checked >= 10


def test_unit_officer_reads_and_answers_a_ministry_plan(tree: Any, personas: Any) -> None:
    """The ministry plan asks KTTV for its plan: the KTTV officer sees it and may answer,
    but neither edit it nor see the other units' rows."""
    plan = services.plan_create(
        actor=None,
        data=PlanData("KH-BO", "Kế hoạch của Bộ", tree.MIN, dt.date(2023, 1, 1),
                      dt.date(2025, 12, 31)),
        requirements=[RequirementData("KH", "UNIT_PLAN", DUE)],
    )  # fmt: skip
    client = client_for(personas.officer)
    assert client.get(f"/plans/{plan.code}/").status_code == 200
    assert client.get(f"/plans/{plan.code}/edit/").status_code == 403
    assert client.get(f"/plans/{plan.code}/submit/").status_code == 200
    cells = grid_cells(client.get(f"/plans/{plan.code}/compliance/").content.decode())
    assert cells == {"KTTV": ["MISSING"]}
    assert client_for(personas.head).get(f"/plans/{plan.code}/submit/").status_code == 403
    assert Requirement.objects.count() == 1
