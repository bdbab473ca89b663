"""Eligibility pages: the rules page generated from the rule set, one person's and one
unit's answer for a year, recording judgements, and a unit's list (filters, summary,
exports, bounded queries)."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape
from openpyxl import load_workbook

from audit.models import AuditEvent
from awards import services as award_services
from awards.models import AwardType, DisciplineStatus, Judgement
from eligibility.rules import rule_set_for_year, rule_sets
from organizations import services as org
from people import services as ppl
from people.models import Person
from tests.conftest import START

pytestmark = pytest.mark.django_db

YEAR = 2024
Y = str(YEAR)  # as a query string value
LDTT_JUDGEMENT = "LDTT.tu_luc_doan_ket"


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def add(code: str, name: str, unit: Any, rating: str | None = "HTTNV", **extra: Any) -> Person:
    person = ppl.person_create(
        actor=None, code=code, full_name=name, unit=unit, started_on=START, **extra
    )
    if rating:
        ppl.person_rating_set(actor=None, person=person, year=YEAR, rating=rating)
    return person


def card(response: Any, award: str) -> Any:
    """The award card of a person or unit page (its view model)."""
    assert response.status_code == 200, response.status_code
    return next(c for c in response.context["cards"] if c.code == award)


def page_url(person: Person, year: int = YEAR) -> str:
    return f"/eligibility/people/{person.code}/?year={year}"


def judge(client: Client, person: Person, decision: str, note: str = "") -> Any:
    return client.post(
        f"/eligibility/people/{person.code}/judgement/",
        {
            "condition": LDTT_JUDGEMENT,
            "year": Y,
            "decision": decision,
            "note": note,
            "award": "LDTT",
        },
    )


# --- rules page ----------------------------------------------------------------------------


def test_rules_page_lists_every_rule_and_condition_with_its_citation(
    tree: Any, personas: Any
) -> None:
    response = login(personas.viewer).get("/eligibility/rules/")
    assert response.status_code == 200
    html = response.content.decode()
    rule_set = response.context["rule_set"]
    assert rule_set.id in html and escape(rule_set.title) in html
    assert rule_set.effective_from.strftime("%d/%m/%Y") in html
    for rule in rule_set.rules:
        assert f'id="rule-{rule.subject}-{rule.award}"' in html, rule.award
        if rule.citation:
            assert escape(rule.citation) in html
        for route in rule.routes:
            assert escape(route.label) in html
            for condition in route.conditions:
                assert condition.id in html
                assert escape(condition.text) in html
                assert escape(condition.citation) in html
                assert escape(condition.explanation) in html
        for condition in rule.cross_cutting:
            assert condition.id in html and escape(condition.citation) in html


def test_rules_page_names_awards_from_the_catalogue_and_groups_titles_before_forms(
    tree: Any, personas: Any
) -> None:
    html = login(personas.viewer).get("/eligibility/rules/").content.decode()
    ldtt = AwardType.objects.get(code="LDTT")
    assert escape(ldtt.name) in html
    people_part = html[html.index('id="group-person-h"') : html.index('id="group-unit-h"')]
    # Titles (LĐTT, CSTĐ...) come before forms (Bằng khen...) within people's rules.
    assert people_part.index('id="rule-person-CSTD_TQ"') < people_part.index(
        'id="rule-person-BK_BO"'
    )
    assert people_part.index("Danh hiệu thi đua") < people_part.index("Hình thức khen thưởng")


def test_rules_page_lists_cross_cutting_conditions_once_with_their_awards(
    tree: Any, personas: Any
) -> None:
    response = login(personas.viewer).get("/eligibility/rules/")
    cross = {(x.subject, x.condition.id): x for x in response.context["cross_cutting"]}
    rule_set = response.context["rule_set"]
    expected = {(r.subject, c.id) for r in rule_set.rules for c in r.cross_cutting}
    assert set(cross) == expected
    pending = cross[("person", "CN.dang_xem_xet_ky_luat")]
    assert {a.code for a in pending.awards} == {
        r.award for r in rule_set.rules_for("person") if pending.condition in r.cross_cutting
    }


def test_rules_page_lists_rule_sets_and_marks_the_one_in_force(tree: Any, personas: Any) -> None:
    client = login(personas.viewer)
    html = client.get("/eligibility/rules/").content.decode()
    for rs in rule_sets():
        assert rs.id in html
    assert "Đang áp dụng" in html
    first = rule_sets()[0]
    response = client.get("/eligibility/rules/", {"rule_set": first.id})
    assert response.context["rule_set"] == first
    assert client.get("/eligibility/rules/", {"rule_set": "NO-SUCH-SET"}).status_code == 404


# --- person page ---------------------------------------------------------------------------


def test_person_page_shows_conditions_with_citations_and_the_rule_set(
    tree: Any, personas: Any
) -> None:
    person = add("P100", "Trần Thị Bình", tree.KTTV_A)
    response = login(personas.officer).get(page_url(person))
    html = response.content.decode()
    assert f"Có thể đề nghị khen thưởng gì năm {YEAR}" in html
    rule_set = rule_set_for_year(YEAR)
    assert response.context["rule_set"] == rule_set and rule_set.id in html
    ldtt = card(response, "LDTT")
    assert ldtt.verdict_label == "Cần đánh giá"
    for view in ldtt.common + [c for r in ldtt.routes for c in r.conditions]:
        assert escape(view.condition.citation) in html
        assert escape(view.condition.text) in html
    # The rating condition explains itself from the record.
    rating = next(c for c in ldtt.routes[0].conditions if c.condition.id == "LDTT.xep_loai")
    assert rating.met is True
    assert "Năm 2024 xếp loại: Hoàn thành tốt nhiệm vụ" in html
    # Every title and form for people is there, each with its verdict.
    assert {c.code for c in response.context["cards"]} == set(rule_set.award_codes("person"))
    assert 'class="badge fs-6 text-bg-warning verdict">Cần đánh giá' in html
    assert "Điều kiện của cách xét a, Lao động tiên tiến</caption>" in html


def test_person_page_defaults_to_last_year(tree: Any, personas: Any) -> None:
    person = add("P101", "Lê Văn Cường", tree.KTTV_A, rating=None)
    response = login(personas.officer).get(f"/eligibility/people/{person.code}/")
    assert response.context["year"] == dt.date.today().year - 1


def test_pending_discipline_makes_ldtt_not_eligible_with_the_explanation(
    tree: Any, personas: Any
) -> None:
    person = add("P102", "Phạm Văn Dũng", tree.KTTV_A)
    award_services.discipline_create(
        actor=None,
        data=award_services.DisciplineData(
            person=person,
            form="KHIEN_TRACH",
            status=DisciplineStatus.PENDING,
            opened_on=dt.date(YEAR, 10, 1),
        ),
    )
    response = login(personas.head).get(page_url(person))
    ldtt = card(response, "LDTT")
    assert ldtt.verdict_label == "Chưa đủ điều kiện"
    blocked = next(c for c in ldtt.common if c.condition.id == "CN.dang_xem_xet_ky_luat")
    assert blocked.met is False
    html = response.content.decode()
    assert "Đang xem xét kỷ luật: khiển trách (phát sinh 01/10/2024)" in html
    assert 'text-bg-danger verdict">Chưa đủ điều kiện' in html


def test_recording_a_judgement_turns_needs_judgement_into_eligible(
    tree: Any, personas: Any
) -> None:
    person = add("P103", "Võ Thị Em", tree.KTTV_A)
    client = login(personas.head)
    before = client.get(page_url(person))
    assert card(before, "LDTT").verdict_label == "Cần đánh giá"
    assert 'id="j-LDTT-ldtt-tu-luc-doan-ket"' in before.content.decode()

    response = judge(client, person, "met", note="Tích cực trong phong trào")
    assert response.status_code == 302
    assert response["Location"] == f"/eligibility/people/{person.code}/?year={YEAR}#award-LDTT"
    after = client.get(response["Location"])
    ldtt = card(after, "LDTT")
    assert ldtt.verdict_label == "Đủ điều kiện"
    html = after.content.decode()
    assert "Đã đánh giá: Đạt" in html and "Tích cực trong phong trào" in html
    assert "Đã ghi đánh giá" in html  # the confirmation message
    judgement = Judgement.objects.get(person=person, year=YEAR, condition_id=LDTT_JUDGEMENT)
    assert judgement.met is True and judgement.recorded_by == personas.head
    assert AuditEvent.objects.filter(action="judgement.set").exists()

    # Not met blocks it; withdrawing brings back "needs judgement".
    judge(client, person, "not_met")
    assert card(client.get(page_url(person)), "LDTT").verdict_label == "Chưa đủ điều kiện"
    judge(client, person, "clear")
    assert card(client.get(page_url(person)), "LDTT").verdict_label == "Cần đánh giá"
    assert not Judgement.objects.filter(person=person).exists()


def test_judgement_refuses_a_condition_that_is_not_a_judgement(tree: Any, personas: Any) -> None:
    person = add("P104", "Đỗ Văn Giang", tree.KTTV_A)
    client = login(personas.officer)
    response = client.post(
        f"/eligibility/people/{person.code}/judgement/",
        {"condition": "LDTT.xep_loai", "year": Y, "decision": "met"},
        follow=True,
    )
    assert "không phải là điều kiện cần đánh giá" in response.content.decode()
    assert not Judgement.objects.exists()
    # A unit condition is not a person's either.
    client.post(
        f"/eligibility/people/{person.code}/judgement/",
        {"condition": "TTLDTT.doan_ket", "year": Y, "decision": "met"},
    )
    assert not Judgement.objects.exists()


def test_readers_without_records_rights_see_no_judgement_forms(tree: Any, personas: Any) -> None:
    person = add("P105", "Hồ Thị Hạnh", tree.KTTV_A)
    response = login(personas.council).get(page_url(person))
    assert card(response, "LDTT").verdict_label == "Cần đánh giá"
    assert "judgement-form" not in response.content.decode()
    denied = login(personas.council).post(
        f"/eligibility/people/{person.code}/judgement/",
        {"condition": LDTT_JUDGEMENT, "year": Y, "decision": "met"},
    )
    assert denied.status_code == 403
    assert not Judgement.objects.exists()


def test_a_year_before_every_rule_set_shows_the_error(tree: Any, personas: Any) -> None:
    person = add("P106", "Ngô Văn Khoa", tree.KTTV_A)
    response = login(personas.officer).get(page_url(person, 2023))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Chưa có bộ quy tắc nào có hiệu lực cho năm 2023" in html
    assert "01/01/2024" in html
    assert "cards" not in response.context


def test_an_invalid_year_falls_back_to_the_default(tree: Any, personas: Any) -> None:
    person = add("P107", "Mai Thị Lan", tree.KTTV_A)
    response = login(personas.officer).get(f"/eligibility/people/{person.code}/?year=abc")
    assert response.status_code == 200
    assert response.context["year"] == dt.date.today().year - 1


# --- unit page -----------------------------------------------------------------------------


def test_unit_page_shows_collective_titles_and_records_unit_judgements(
    tree: Any, personas: Any
) -> None:
    org.unit_rating_set(actor=None, unit=tree.KTTV_A, year=YEAR, rating="HTTNV")
    for person in (add("P110", "An Văn Một", tree.KTTV_A), add("P111", "Bùi Thị Hai", tree.KTTV_A)):
        award_services.judgement_set(
            actor=personas.head, condition_id=LDTT_JUDGEMENT, year=YEAR, met=True, person=person
        )
    client = login(personas.head)
    url = f"/eligibility/units/{tree.KTTV_A.code}/?year={YEAR}"
    response = client.get(url)
    ttldtt = card(response, "TTLDTT")
    assert ttldtt.verdict_label == "Cần đánh giá"
    html = response.content.decode()
    assert "Tập thể lao động tiên tiến" in html
    # Both members hold LĐTT for the year, which the 70 % condition explains.
    assert "2/2 (100,0%)" in html
    for condition in ("TTLDTT.phong_trao", "TTLDTT.doan_ket"):
        result = client.post(
            f"/eligibility/units/{tree.KTTV_A.code}/judgement/",
            {"condition": condition, "year": Y, "decision": "met", "award": "TTLDTT"},
        )
        assert result.status_code == 302
    assert card(client.get(url), "TTLDTT").verdict_label == "Đủ điều kiện"
    assert Judgement.objects.filter(unit=tree.KTTV_A, year=YEAR).count() == 2


def test_unit_page_for_a_year_before_the_unit_existed(tree: Any, personas: Any) -> None:
    young = org.unit_create(
        actor=None,
        code="KTTV_NEW",
        name="Phòng mới",
        parent=tree.KTTV,
        kind=tree.KTTV_A.kind,
        valid_from=dt.date(2025, 3, 1),
    )
    response = login(personas.officer).get(f"/eligibility/units/{young.code}/?year={YEAR}")
    assert response.status_code == 200
    assert "chưa thành lập vào năm 2024" in response.content.decode()


# --- list page -----------------------------------------------------------------------------


@pytest.fixture
def staff(tree: Any, personas: Any) -> dict[str, Person]:
    people = {
        "eligible": add("L001", "Nguyễn Văn Đạt", tree.KTTV_A),
        "pending": add("L002", "Trần Thị Chờ", tree.KTTV_A),
        "weak": add("L003", "Lê Văn Yếu", tree.KTTV_B, rating="HTNV"),
        "excellent": add("L004", "Phạm Thị Xuất", tree.KTTV_B, rating="HTXSNV"),
    }
    award_services.judgement_set(
        actor=personas.head,
        condition_id=LDTT_JUDGEMENT,
        year=YEAR,
        met=True,
        person=people["eligible"],
    )
    return people


def list_url(unit: Any) -> str:
    return f"/eligibility/units/{unit.code}/list/"


def names(response: Any) -> list[str]:
    assert response.status_code == 200, response.status_code
    return [row.subject.name for row in response.context["rows"]]


def test_list_shows_the_verdict_of_the_chosen_award_with_reasons(
    tree: Any, personas: Any, staff: dict[str, Person]
) -> None:
    client = login(personas.officer)
    response = client.get(list_url(tree.KTTV), {"year": Y, "award": "LDTT"})
    rows = {row.subject.code: row.cells[0] for row in response.context["rows"]}
    assert rows["L001"].label == "Đủ điều kiện"
    assert rows["L002"].label == "Cần đánh giá"
    assert rows["L003"].label == "Chưa đủ điều kiện"
    assert "Xếp loại từ Hoàn thành tốt nhiệm vụ trở lên" in rows["L003"].reasons
    assert any("tự lực" in r for r in rows["L002"].reasons)
    html = response.content.decode()
    assert f'href="/eligibility/people/L001/?year={YEAR}"' in html


def test_list_filters_by_verdict_search_and_kind(
    tree: Any, personas: Any, staff: dict[str, Person]
) -> None:
    client = login(personas.officer)
    base = {"year": Y, "award": "LDTT"}
    assert names(client.get(list_url(tree.KTTV), {**base, "verdict": "ELIGIBLE"})) == [
        "Nguyễn Văn Đạt"
    ]
    not_eligible = client.get(list_url(tree.KTTV), {**base, "verdict": "NOT_ELIGIBLE"})
    assert names(not_eligible) == ["Lê Văn Yếu"]
    # Diacritic-insensitive search on name and code.
    assert names(client.get(list_url(tree.KTTV), {**base, "q": "tran thi cho"})) == ["Trần Thị Chờ"]
    assert names(client.get(list_url(tree.KTTV), {**base, "q": "l004"})) == ["Phạm Thị Xuất"]
    # A sub-unit's list holds only its own members.
    assert sorted(names(client.get(list_url(tree.KTTV_B), base))) == [
        "Lê Văn Yếu",
        "Phạm Thị Xuất",
    ]
    # Units: the subtree's collectives.
    units = client.get(list_url(tree.KTTV), {"year": Y, "kind": "unit"})
    assert {row.subject.code for row in units.context["rows"]} == {"KTTV", "KTTV_A", "KTTV_B"}
    assert f'href="/eligibility/units/KTTV_A/?year={YEAR}"' in units.content.decode()


def test_list_matrix_and_summary_counts(tree: Any, personas: Any, staff: dict[str, Person]) -> None:
    response = login(personas.officer).get(list_url(tree.KTTV), {"year": Y})
    summary = {line.code: dict(line.counts) for line in response.context["summary"]}
    assert summary["LDTT"] == {"ELIGIBLE": 1, "NEEDS_JUDGEMENT": 2, "NOT_ELIGIBLE": 1}
    assert set(summary) == set(rule_set_for_year(YEAR).award_codes("person"))
    row = next(r for r in response.context["rows"] if r.subject.code == "L004")
    assert [c.award for c in row.cells] == response.context["codes"]
    html = response.content.decode()
    assert 'id="verdict-counts"' in html and 'id="eligibility-rows"' in html
    # A count links to the matching filtered list.
    assert "award=LDTT" in html and "verdict=NOT_ELIGIBLE" in html


def test_list_refuses_an_award_of_the_other_kind(
    tree: Any, personas: Any, staff: dict[str, Person]
) -> None:
    response = login(personas.officer).get(
        list_url(tree.KTTV), {"year": Y, "kind": "person", "award": "TTLDTT"}
    )
    assert response.context["award"] == ""
    assert "không áp dụng cho đối tượng" in response.content.decode()


def test_list_year_before_rule_sets_shows_the_error(tree: Any, personas: Any) -> None:
    response = login(personas.officer).get(list_url(tree.KTTV), {"year": "2020"})
    assert response.status_code == 200
    assert "Chưa có bộ quy tắc nào có hiệu lực cho năm 2020" in response.content.decode()


def _sheet_rows(response: Any, sheet: int | str = 0) -> list[tuple[Any, ...]]:
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml"
    )
    workbook = load_workbook(BytesIO(response.content))
    ws = workbook.worksheets[sheet] if isinstance(sheet, int) else workbook[sheet]
    return list(ws.iter_rows(values_only=True))


def test_filtered_export_holds_the_filtered_rows_with_reasons(
    tree: Any, personas: Any, staff: dict[str, Person]
) -> None:
    response = login(personas.officer).get(
        list_url(tree.KTTV),
        {"year": Y, "award": "LDTT", "verdict": "NOT_ELIGIBLE", "format": "xlsx"},
    )
    rows = _sheet_rows(response)
    assert rows[0] == (
        "Mã",
        "Họ và tên",
        "Đơn vị (31/12/2024)",
        "Danh hiệu, hình thức",
        "Kết quả",
        "Lý do / cần đánh giá",
    )
    assert len(rows) == 2
    code, name, unit, award, verdict, reasons = rows[1]
    assert (code, name, unit) == ("L003", "Lê Văn Yếu", tree.KTTV_B.name)
    assert award.startswith("LDTT") and verdict == "Chưa đủ điều kiện"
    assert "Xếp loại từ Hoàn thành tốt nhiệm vụ trở lên" in reasons


def test_filtered_export_without_award_has_a_row_per_subject_and_award(
    tree: Any, personas: Any, staff: dict[str, Person]
) -> None:
    response = login(personas.officer).get(
        list_url(tree.KTTV), {"year": Y, "q": "xuat", "format": "xlsx"}
    )
    rows = _sheet_rows(response)[1:]
    codes = rule_set_for_year(YEAR).award_codes("person")
    assert len(rows) == len(codes)
    assert {r[0] for r in rows} == {"L004"}
    pending = next(r for r in rows if r[3].startswith("LDTT"))
    assert pending[4] == "Cần đánh giá" and "tự lực" in pending[5]


def test_full_export_is_the_evaluation_workbook(
    tree: Any, personas: Any, staff: dict[str, Person]
) -> None:
    response = login(personas.officer).get(
        list_url(tree.KTTV), {"year": Y, "q": "ignored", "format": "full"}
    )
    people = _sheet_rows(response, "Cá nhân")
    assert {r[0] for r in people[1:]} == {"L001", "L002", "L003", "L004"}
    units = _sheet_rows(response, "Tập thể")
    assert {r[0] for r in units[1:]} == {"KTTV", "KTTV_A", "KTTV_B"}


def test_list_runs_the_same_queries_for_3_or_30_people(tree: Any, personas: Any) -> None:
    client = login(personas.officer)
    for i in range(3):
        add(f"Q{i:03d}", f"Người Thứ {i}", tree.KTTV_A)
    # Warm the session and the caches of the first request.
    client.get(list_url(tree.KTTV), {"year": Y})

    def count(params: dict[str, Any]) -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(list_url(tree.KTTV), params)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    small = [count({"year": Y}), count({"year": Y, "award": "LDTT"})]
    small.append(count({"year": Y, "kind": "unit"}))
    for i in range(3, 30):
        add(f"Q{i:03d}", f"Người Thứ {i}", tree.KTTV_A if i % 2 else tree.KTTV_B)
    large = [count({"year": Y}), count({"year": Y, "award": "LDTT"})]
    large.append(count({"year": Y, "kind": "unit"}))
    assert small == large


# --- entry page ----------------------------------------------------------------------------


def test_entry_page_offers_units_with_sensitive_access_and_opens_the_list(
    tree: Any, personas: Any
) -> None:
    client = login(personas.officer)
    response = client.get("/eligibility/")
    assert response.status_code == 200
    offered = [code for code, _label in response.context["form"].fields["unit"].choices]
    assert set(offered) == {"", "KTTV", "KTTV_A", "KTTV_B"}
    chosen = client.get("/eligibility/", {"unit": "KTTV_A", "year": Y})
    assert chosen.status_code == 302
    assert chosen["Location"] == f"/eligibility/units/KTTV_A/list/?year={YEAR}"
    # A unit outside the scope is not a valid choice.
    refused = client.get("/eligibility/", {"unit": "ST_VP", "year": Y})
    assert refused.status_code == 200 and refused.context["form"].errors


def test_subject_link_include_renders_the_button(tree: Any, personas: Any, rf: Any) -> None:
    from django.template.loader import render_to_string

    person = add("P120", "Đinh Văn Nam", tree.KTTV_A, rating=None)
    html = render_to_string(
        "eligibility/includes/subject_link.html", {"person": person, "show": True}
    )
    assert "Xét điều kiện khen thưởng" in html and f"/eligibility/people/{person.code}/" in html
    assert (
        render_to_string(
            "eligibility/includes/subject_link.html", {"person": person, "show": False}
        ).strip()
        == ""
    )
