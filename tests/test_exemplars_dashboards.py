"""Exemplar dashboards: the funnel, the yearly quota, the standards page, the plan's
standard and the exemplar figures of the annual report."""

from __future__ import annotations

import datetime as dt
import re
from io import BytesIO
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django.utils.html import escape
from openpyxl import load_workbook

from audit.models import AuditEvent
from core.errors import ValidationFailed
from exemplars import figures
from exemplars.dashboards import QuotaStatus, funnel, quota_rows, quota_summary
from exemplars.models import Exemplar, ExemplarState, Transition
from exemplars.standards import standard_for_plan, standards
from organizations import services as org
from organizations.models import Unit, UnitKind
from plans import services as plan_services
from plans.models import Plan
from plans.services import EntryData, PlanData, RequirementData

pytestmark = pytest.mark.django_db

Y = 2024
S = ExemplarState
RECOGNIZED_QS = "state=RECOGNIZED&state=PROPOSED&state=SECTOR&state=NATIONAL"


def client_for(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make(
    unit: Unit,
    steps: list[str],
    *,
    year: int = Y,
    recognized_year: int | None = None,
    at: list[dt.datetime] | None = None,
) -> Exemplar:
    """An exemplar of `unit` that went through `steps` (its timeline), set up directly:
    the dashboards only read, so the lifecycle's guards are not what is under test."""
    exemplar = Exemplar.objects.create(
        unit=unit,
        subject_unit=unit,
        title=f"Mô hình {unit.code} {len(steps)}",
        practice_summary="Cách làm hay.",
        year=year,
        standard_id="DHTT-BTNMT-2023",
        state=steps[-1] if steps else S.DISCOVERED,
        recognized_year=recognized_year,
    )
    previous = ""
    for index, state in enumerate(steps):
        move = Transition.objects.create(exemplar=exemplar, from_state=previous, to_state=state)
        if at is not None:
            Transition.objects.filter(pk=move.pk).update(at=at[index])
        previous = state
    return exemplar


def moment(year: int, month: int = 1, day: int = 1) -> dt.datetime:
    return timezone.make_aware(dt.datetime(year, month, day, 9, 0))


# --- funnel ----------------------------------------------------------------------------

D, F, R, P = S.DISCOVERED, S.FOSTERING, S.RECOGNIZED, S.PROPOSED


def funnel_sample(tree: Any) -> None:
    make(tree.KTTV_A, [D])
    make(tree.KTTV_A, [D, F])
    make(tree.KTTV_B, [D, F, R, P, S.SECTOR])
    make(tree.KTTV_B, [D, F, S.DROPPED])
    make(tree.KTTV_A, [D, F, R, S.REVOKED])
    # Declined by the level above: back to RECOGNIZED, but it did reach PROPOSED.
    make(tree.KTTV_A, [D, F, R, P, R])
    make(tree.KTTV_A, [D, F, R], year=Y - 1)  # another year
    make(tree.ST, [D, F])  # another part of the tree


def test_funnel_counts_the_furthest_stage_each_exemplar_reached(tree: Any) -> None:
    funnel_sample(tree)
    data = funnel(Exemplar.objects.filter(unit__path__startswith=tree.KTTV.path), Y)
    reached = {s.state: s.reached for s in data.stages}
    assert reached == {D: 6, F: 5, R: 3, P: 2, S.SECTOR: 1, S.NATIONAL: 0}
    current = {s.state: s.current for s in data.stages}
    assert current == {D: 1, F: 1, R: 1, P: 0, S.SECTOR: 1, S.NATIONAL: 0}
    assert (data.dropped, data.revoked, data.total) == (1, 1, 6)
    conversion = {s.state: s.conversion for s in data.stages}
    assert conversion[D] is None
    assert conversion[F] == 83.3  # 5 of 6
    assert conversion[R] == 60.0  # 3 of 5
    assert conversion[S.NATIONAL] == 0.0
    assert data.stages[2].share == 50.0  # 3 of the 6 discovered


def test_funnel_trusts_the_current_state_when_the_timeline_is_short(tree: Any) -> None:
    # Imported from an older register: no transitions, already a sector-wide exemplar.
    make(tree.KTTV_A, [])
    Exemplar.objects.update(state=S.SECTOR)
    data = funnel(Exemplar.objects.all(), Y)
    assert [s.reached for s in data.stages] == [1, 1, 1, 1, 1, 0]


def test_funnel_is_one_query_whatever_the_number_of_rows(
    tree: Any, django_assert_num_queries: Any
) -> None:
    make(tree.KTTV_A, [D, F])
    with django_assert_num_queries(1):
        funnel(Exemplar.objects.all(), Y)
    for _ in range(15):
        make(tree.KTTV_B, [D, F, R, P, S.SECTOR, S.NATIONAL])
        make(tree.KTTV_A, [D, S.DROPPED])
    with django_assert_num_queries(1):
        data = funnel(Exemplar.objects.all(), Y)
    assert data.total == 31 and data.stages[-1].reached == 15


def test_funnel_page_shows_the_chart_the_table_and_the_drill_downs(
    tree: Any, personas: Any
) -> None:
    funnel_sample(tree)
    page = client_for(personas.officer).get(f"/exemplars/funnel/?year={Y}").content.decode()
    # A server-side SVG with an accessible name, nothing fetched and no script.
    assert '<svg role="img" aria-label="Phễu điển hình đăng ký năm 2024' in page
    assert "<script" not in page.split('id="funnel-chart"')[1].split("</figure>")[0]
    assert "cdn" not in page.lower()
    table = page.split('id="funnel-table"')[1].split("</table>")[0]
    reached = re.findall(r'data-state="(\w+)".*?class="text-end reached">(\d+)<', table, re.S)
    assert reached == [
        ("DISCOVERED", "6"),
        ("FOSTERING", "5"),
        ("RECOGNIZED", "3"),
        ("PROPOSED", "2"),
        ("SECTOR", "1"),
        ("NATIONAL", "0"),
    ]
    assert "83,3%" in table or "83.3%" in table
    # The officer of KTTV does not count Sóc Trăng's exemplar.
    assert 'class="col-sm-6 dropped"' in page
    # Each stage opens the list: those now at that stage or beyond, in that year.
    assert "/exemplars/?state=PROPOSED&amp;state=SECTOR&amp;state=NATIONAL&amp;year=2024" in page
    assert "/exemplars/?state=DROPPED&amp;year=2024" in page
    assert "/exemplars/?state=REVOKED&amp;year=2024" in page


def test_funnel_page_narrows_to_a_unit_and_ignores_units_out_of_scope(
    tree: Any, personas: Any
) -> None:
    funnel_sample(tree)
    client = client_for(personas.officer)
    page = client.get(f"/exemplars/funnel/?year={Y}&unit=KTTV_B").content.decode()
    table = page.split('id="funnel-table"')[1].split("</table>")[0]
    assert re.findall(r'class="text-end reached">(\d+)<', table) == ["2", "2", "1", "1", "1", "0"]
    assert "unit=KTTV_B" in page
    # Sóc Trăng is not among the officer's units: the form says so, nothing leaks.
    page = client.get(f"/exemplars/funnel/?year={Y}&unit=STNMT_ST").content.decode()
    assert "Hãy chọn một lựa chọn hợp lệ" in page or "Select a valid choice" in page
    table = page.split('id="funnel-table"')[1].split("</table>")[0]
    assert re.findall(r'class="text-end reached">(\d+)<', table)[0] == "6"


def test_funnel_page_empty_state(tree: Any, personas: Any) -> None:
    page = client_for(personas.viewer).get("/exemplars/funnel/?year=2030").content.decode()
    assert 'id="funnel-empty"' in page and "<svg" not in page.split("<main")[1]


def test_funnel_page_query_count_does_not_grow_with_rows(
    tree: Any, personas: Any, django_assert_num_queries: Any
) -> None:
    client = client_for(personas.standing)
    make(tree.KTTV_A, [D, F])
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/exemplars/funnel/?year={Y}").status_code == 200
    for _ in range(20):
        make(tree.KTTV_B, [D, F, R, P])
        make(tree.ST, [D, S.DROPPED])
    with django_assert_num_queries(len(few)):
        assert client.get(f"/exemplars/funnel/?year={Y}").status_code == 200


# --- quota -----------------------------------------------------------------------------


@pytest.fixture
def four_units(tree: Any) -> Unit:
    """Under KTTV: KTTV itself 0 exemplars, KTTV_A 1, KTTV_B 2, a new KTTV_C 3."""
    kttv_c = org.unit_create(
        actor=None,
        code="KTTV_C",
        name="Ban Quản lý dự án",
        parent=tree.KTTV,
        kind=UnitKind.AFFILIATED,
        valid_from=dt.date(2020, 1, 1),
    )
    make(tree.KTTV_A, [D, F, R])
    make(tree.KTTV_B, [D])
    make(tree.KTTV_B, [D, F, S.DROPPED])
    make(kttv_c, [D, F, R, P])
    make(kttv_c, [D, F, R, S.REVOKED])
    make(kttv_c, [D])
    make(tree.KTTV, [D, F, R], year=Y - 1)  # last year's does not count for this year
    make(tree.ST, [D])
    return kttv_c


def test_quota_statuses_for_zero_one_two_and_three(tree: Any, four_units: Unit) -> None:
    rows = quota_rows([tree.KTTV], Y)
    got = {r.unit.code: (r.registered, r.recognized, r.status) for r in rows}
    assert got == {
        "KTTV": (0, 0, QuotaStatus.BELOW),
        "KTTV_A": (1, 1, QuotaStatus.WITHIN),
        "KTTV_B": (2, 0, QuotaStatus.WITHIN),
        "KTTV_C": (3, 1, QuotaStatus.ABOVE),
    }
    labels = {r.unit.code: r.status_label for r in rows}
    assert labels == {
        "KTTV": "Chưa đạt chỉ tiêu",
        "KTTV_A": "Đạt",
        "KTTV_B": "Đạt",
        "KTTV_C": "Vượt chỉ tiêu",
    }
    # Tree order, siblings by Vietnamese name: Ban < Đài < Trung tâm (not by creation).
    assert [r.unit.code for r in rows] == ["KTTV", "KTTV_C", "KTTV_A", "KTTV_B"]
    assert [r.level for r in rows] == [0, 1, 1, 1]
    summary = quota_summary(rows)
    assert (summary.below, summary.within, summary.above) == (1, 2, 1)
    assert (summary.registered, summary.recognized) == (6, 2)


def test_quota_rows_skip_inactive_units_and_overlapping_roots(
    tree: Any, four_units: Unit, personas: Any
) -> None:
    org.units_merge(actor=personas.admin, sources=[tree.KTTV_B], into=tree.KTTV_A,
                    on=dt.date(2024, 7, 1))  # fmt: skip
    rows = quota_rows([tree.KTTV, tree.KTTV_A], Y)
    assert [r.unit.code for r in rows] == ["KTTV", "KTTV_C", "KTTV_A"]
    assert quota_rows([], Y) == []


def test_quota_rows_are_two_queries_whatever_the_size(
    tree: Any, django_assert_num_queries: Any
) -> None:
    make(tree.KTTV_A, [D])
    with django_assert_num_queries(2):
        quota_rows([tree.MIN], Y)
    for i in range(12):
        unit = org.unit_create(
            actor=None, code=f"U{i:02d}", name=f"Phòng {i}", parent=tree.KTTV_B,
            kind=UnitKind.OFFICE, valid_from=dt.date(2020, 1, 1),
        )  # fmt: skip
        make(unit, [D, F, R])
        make(unit, [D])
    with django_assert_num_queries(2):
        rows = quota_rows([tree.MIN], Y)
    assert len(rows) == 7 + 12


def test_quota_page_summary_statuses_and_drill_downs(
    tree: Any, four_units: Unit, personas: Any
) -> None:
    page = client_for(personas.officer).get(f"/exemplars/quota/?year={Y}").content.decode()
    # The officer's top unit is KTTV: Sóc Trăng is not listed.
    cells = dict(re.findall(r'data-unit="(\w+)" data-status="(\w+)"', page))
    assert cells == {"KTTV": "BELOW", "KTTV_C": "ABOVE", "KTTV_A": "WITHIN", "KTTV_B": "WITHIN"}
    summary = page.split('id="quota-summary"')[1].split("</section>")[0]
    counts = dict(re.findall(r'data-status="(\w+)">.*?quota-count">(\d+)<', summary, re.S))
    assert counts == {"BELOW": "1", "WITHIN": "2", "ABOVE": "1"}
    for word in ("✗ Chưa đạt chỉ tiêu", "✓ Đạt", "▲ Vượt chỉ tiêu"):
        assert word.split(" ", 1)[1] in page
    assert "/exemplars/?year=2024&amp;unit=KTTV_C" in page
    assert f"/exemplars/?{RECOGNIZED_QS.replace('&', '&amp;')}&amp;year=2024&amp;unit=KTTV_C" in (
        page
    )
    # Only the units below their quota.
    below = client_for(personas.officer).get(f"/exemplars/quota/?year={Y}&status=BELOW")
    cells = dict(re.findall(r'data-unit="(\w+)" data-status="(\w+)"', below.content.decode()))
    assert cells == {"KTTV": "BELOW"}


def test_quota_page_for_a_chosen_root_and_export(
    tree: Any, four_units: Unit, personas: Any
) -> None:
    client = client_for(personas.standing)
    page = client.get(f"/exemplars/quota/?year={Y}").content.decode()
    assert 'data-unit="MIN"' in page and 'data-unit="ST_VP"' in page
    page = client.get(f"/exemplars/quota/?year={Y}&unit=STNMT_ST").content.decode()
    cells = dict(re.findall(r'data-unit="(\w+)" data-status="(\w+)"', page))
    assert cells == {"STNMT_ST": "WITHIN", "ST_VP": "BELOW"}
    response = client.get(f"/exemplars/quota/?year={Y}&unit=KTTV&format=xlsx")
    assert response["Content-Disposition"].endswith('chi-tieu-dien-hinh-2024-KTTV.xlsx"')
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (
        "Mã đơn vị", "Tên đơn vị", "Cấp", "Điển hình đăng ký", "Đã công nhận", "Tình trạng",
    )  # fmt: skip
    assert [(r[0], r[3], r[4], r[5]) for r in rows[1:]] == [
        ("KTTV", 0, 0, "Chưa đạt chỉ tiêu"),
        ("KTTV_C", 3, 1, "Vượt chỉ tiêu"),
        ("KTTV_A", 1, 1, "Đạt"),
        ("KTTV_B", 2, 0, "Đạt"),
    ]


def test_quota_page_query_count_does_not_grow(
    tree: Any, personas: Any, django_assert_num_queries: Any
) -> None:
    client = client_for(personas.standing)
    make(tree.KTTV_A, [D])
    with CaptureQueriesContext(connection) as few:
        assert client.get(f"/exemplars/quota/?year={Y}").status_code == 200
    with CaptureQueriesContext(connection) as few_xlsx:
        assert client.get(f"/exemplars/quota/?year={Y}&format=xlsx").status_code == 200
    for i in range(10):
        unit = org.unit_create(
            actor=None, code=f"U{i:02d}", name=f"Phòng {i}", parent=tree.ST,
            kind=UnitKind.OFFICE, valid_from=dt.date(2020, 1, 1),
        )  # fmt: skip
        for _ in range(i % 4):
            make(unit, [D, F])
    with django_assert_num_queries(len(few)):
        assert client.get(f"/exemplars/quota/?year={Y}").status_code == 200
    with django_assert_num_queries(len(few_xlsx)):
        assert client.get(f"/exemplars/quota/?year={Y}&format=xlsx").status_code == 200


# --- standards page ----------------------------------------------------------------------


def test_standards_page_lists_every_standard_and_criterion(tree: Any, personas: Any) -> None:
    page = client_for(personas.comms).get("/exemplars/standards/").content.decode()
    for standard in standards():
        section = page.split(f'<section class="mb-5 standard" id="std-{standard.id}"')[1]
        section = section.split("</section>")[0]
        assert escape(standard.title) in section
        assert standard.effective_from.strftime("%d/%m/%Y") in section
        assert ("Mặc định" in section) == standard.default
        for rule in standard.rule_set.rules:
            for condition in rule.all_conditions:
                assert f'data-condition="{condition.id}"' in section
                assert condition.text in section
    kttv = page.split('id="std-DHTT-TCKTTV-2021"')[1].split("</section>")[0]
    assert "Tổng cục Khí tượng Thủy văn" in kttv  # the issuer's name, from its code
    assert "01/01/2021" in kttv
    assert "Cần đánh giá" in kttv and "Hồ sơ" in kttv
    assert "Chung" in kttv and "Tập thể" in kttv and "Cá nhân" in kttv


# --- the plan's standard -----------------------------------------------------------------


def plan_data(tree: Any, **extra: Any) -> PlanData:
    fields: dict[str, Any] = {
        "code": "KH-DH",
        "title": "Kế hoạch xây dựng điển hình",
        "issuer": tree.KTTV,
        "starts_on": dt.date(2021, 8, 1),
        "ends_on": dt.date(2025, 12, 31),
    }
    return PlanData(**{**fields, **extra})


def test_plan_stores_its_standard_and_refuses_an_unknown_one(tree: Any) -> None:
    plan = plan_services.plan_create(
        actor=None, data=plan_data(tree, exemplar_standard="DHTT-TCKTTV-2021")
    )
    plan.refresh_from_db()
    assert plan.exemplar_standard == "DHTT-TCKTTV-2021"
    assert standard_for_plan(plan, Y).id == "DHTT-TCKTTV-2021"
    created = AuditEvent.objects.get(action="plan.create")
    assert (created.after or {})["exemplar_standard"] == "DHTT-TCKTTV-2021"
    # A caller that does not know the field (None) leaves the choice alone.
    plan_services.plan_update(actor=None, plan=plan, data=plan_data(tree, title="Tên mới"))
    plan.refresh_from_db()
    assert plan.exemplar_standard == "DHTT-TCKTTV-2021"
    with pytest.raises(ValidationFailed) as refused:
        plan_services.plan_create(
            actor=None, data=plan_data(tree, code="KH-X", exemplar_standard="DHTT-KHONG-CO")
        )
    errors = {e.field: e.message for e in refused.value.errors}
    assert errors == {"exemplar_standard": "Không có tiêu chuẩn điển hình mã “DHTT-KHONG-CO”."}
    assert not Plan.objects.filter(code="KH-X").exists()


PLAN_FORM = {
    "code": "KH-MOI",
    "title": "Kế hoạch mới",
    "issuer": "KTTV",
    "starts_on": "01/01/2024",
    "ends_on": "31/12/2025",
    "req-TOTAL_FORMS": "0",
    "req-INITIAL_FORMS": "0",
    "phase-TOTAL_FORMS": "0",
    "phase-INITIAL_FORMS": "0",
}


def test_plan_form_chooses_the_standard_and_the_detail_page_shows_it(
    tree: Any, personas: Any
) -> None:
    client = client_for(personas.officer)
    form = client.get("/plans/new/").content.decode()
    assert "Theo kế hoạch cấp trên / mặc định" in form
    assert 'value="DHTT-TCKTTV-2021"' in form
    response = client.post("/plans/new/", {**PLAN_FORM, "exemplar_standard": "DHTT-TCKTTV-2021"})
    assert response.status_code == 302
    plan = Plan.objects.get(code="KH-MOI")
    assert plan.exemplar_standard == "DHTT-TCKTTV-2021"
    detail = client.get("/plans/KH-MOI/").content.decode()
    shown = detail.split('id="plan-exemplar-standard"')[1].split("</dd>")[0]
    assert "Tiêu chí điển hình tiên tiến ngành khí tượng thủy văn" in shown
    assert "/exemplars/standards/#std-DHTT-TCKTTV-2021" in shown
    edit = client.get("/plans/KH-MOI/edit/").content.decode()
    assert '<option value="DHTT-TCKTTV-2021" selected>' in edit
    # Back to "the plan above's / the default".
    response = client.post("/plans/KH-MOI/edit/", {**PLAN_FORM, "exemplar_standard": ""})
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.exemplar_standard == ""
    detail = client.get("/plans/KH-MOI/").content.decode()
    shown = detail.split('id="plan-exemplar-standard"')[1].split("</dd>")[0]
    assert "DHTT-BTNMT-2023" in shown and "Theo kế hoạch cấp trên / mặc định" in shown


def test_plan_form_refuses_an_unknown_standard_in_vietnamese(tree: Any, personas: Any) -> None:
    client = client_for(personas.officer)
    response = client.post("/plans/new/", {**PLAN_FORM, "exemplar_standard": "DHTT-KHONG-CO"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Hãy chọn một lựa chọn hợp lệ" in page
    assert 'id="id_exemplar_standard_error"' in page
    assert not Plan.objects.exists()


# --- report figures ----------------------------------------------------------------------


def figures_sample(tree: Any) -> None:
    # Recognised for 2024 (twice, one of them proposed upward in 2024).
    make(tree.KTTV_A, [D, F, R], recognized_year=Y,
         at=[moment(Y - 1), moment(Y - 1, 9), moment(Y, 11)])  # fmt: skip
    make(tree.KTTV_B, [D, F, R, P], recognized_year=Y,
         at=[moment(Y - 1), moment(Y - 1, 9), moment(Y, 3), moment(Y, 10)])  # fmt: skip
    # Recognised in 2024 and revoked since: not counted as recognised.
    make(tree.KTTV_A, [D, F, R, S.REVOKED], recognized_year=Y,
         at=[moment(Y - 1), moment(Y - 1, 2), moment(Y, 2), moment(Y, 12)])  # fmt: skip
    # Proposed upward in 2023: not this year's.
    make(tree.KTTV_A, [D, F, R, P, S.SECTOR], recognized_year=Y - 1,
         at=[moment(Y - 2), moment(Y - 2, 3), moment(Y - 1, 2), moment(Y - 1, 5),
             moment(Y, 2)])  # fmt: skip
    # Fostered through 2024, recognised only in 2025: fostering at the end of 2024.
    make(tree.KTTV_B, [D, F, R], recognized_year=Y + 1,
         at=[moment(Y), moment(Y, 4), moment(Y + 1, 2)])  # fmt: skip
    make(tree.KTTV_A, [D, F], at=[moment(Y, 1), moment(Y, 5)])
    make(tree.KTTV_A, [D, F, S.DROPPED], at=[moment(Y, 1), moment(Y, 2), moment(Y, 8)])
    make(tree.KTTV_A, [D, F], at=[moment(Y + 1, 1), moment(Y + 1, 2)])  # not yet in 2024
    # Another subtree.
    make(tree.ST, [D, F, R, P], recognized_year=Y,
         at=[moment(Y - 1), moment(Y - 1, 2), moment(Y, 1), moment(Y, 2)])  # fmt: skip


def registration(tree: Any) -> None:
    plan = plan_services.plan_create(
        actor=None,
        data=plan_data(tree),
        requirements=[
            RequirementData(
                "DK", "EXEMPLAR_REGISTRATION", dt.date(Y, 3, 1), year=Y, min_count=1, max_count=3
            ),
        ],
    )
    plan_services.submission_submit(
        actor=None,
        requirement=plan.requirements.get(key="DK"),
        unit=tree.KTTV_A,
        submitted_on=dt.date(Y, 2, 1),
        entries=[EntryData("Mô hình A"), EntryData("Mô hình B")],
    )


def test_exemplar_figures_fill_the_report_section(tree: Any) -> None:
    figures_sample(tree)
    registration(tree)
    rows = figures.exemplars_section(tree.KTTV, Y)
    values = {r.key: r.value for r in rows}
    assert [r.key for r in rows] == [
        "exemplars.registered",
        "exemplars.registered_people",
        "exemplars.registered_collectives",
        "exemplars.fostering",
        "exemplars.recognized",
        "exemplars.proposed_upward",
    ]
    assert values["exemplars.registered"] == 2  # the plan registration rows are kept
    assert values["exemplars.recognized"] == 2
    assert values["exemplars.proposed_upward"] == 1
    assert values["exemplars.fostering"] == 2
    labels = {r.key: str(r.label) for r in rows}
    assert labels["exemplars.fostering"] == "Điển hình đang bồi dưỡng"
    # The whole ministry adds Sóc Trăng's exemplar, proposed in 2024.
    whole = {r.key: r.value for r in figures.exemplars_section(tree.MIN, Y)}
    assert (whole["exemplars.recognized"], whole["exemplars.proposed_upward"]) == (3, 2)
    before = {r.key: r.value for r in figures.exemplars_section(tree.KTTV, Y - 1)}
    assert before["exemplars.proposed_upward"] == 1
    assert before["exemplars.recognized"] == 1
    assert before["exemplars.fostering"] == 3  # the three fostered since 2022/2023


def test_exemplar_counts_are_one_query(tree: Any, django_assert_num_queries: Any) -> None:
    figures_sample(tree)
    with django_assert_num_queries(1):
        figures.exemplar_counts(tree.MIN, Y)


def test_register_replaces_the_placeholder_section(tree: Any, monkeypatch: Any) -> None:
    from reports import figures as report_figures

    monkeypatch.setattr(report_figures, "_REGISTRY", dict(report_figures._REGISTRY))
    figures_sample(tree)
    figures.register()
    spec = next(s for s in report_figures.registered_sections() if s.key == "exemplars")
    assert spec.order == 40 and spec.provider is figures.exemplars_section
    stored = report_figures.prefill(tree.KTTV, Y)
    section = next(s for s in stored["sections"] if s["key"] == "exemplars")
    assert section["title"] == "Xây dựng điển hình tiên tiến"
    values = {r["key"]: r["value"] for r in section["rows"]}
    assert values["exemplars.recognized"] == 2
    assert values["exemplars.proposed_upward"] == 1


# --- access ------------------------------------------------------------------------------


PAGES = ["/exemplars/funnel/", "/exemplars/quota/", "/exemplars/standards/"]


@pytest.mark.parametrize("path", PAGES)
def test_every_role_may_open_the_dashboards(tree: Any, personas: Any, path: str) -> None:
    for name in ("viewer", "comms", "council", "outsider", "admin"):
        assert client_for(getattr(personas, name)).get(path).status_code == 200, name
    assert Client().get(path).status_code == 302


def test_a_user_without_any_role_is_refused(tree: Any) -> None:
    from tests.conftest import make_user

    nobody = make_user("nobody")
    for path in PAGES:
        assert client_for(nobody).get(path).status_code == 403
