"""The eligibility engine against the law, rule by rule, with the boundary cases."""

from __future__ import annotations

import datetime as dt
import hashlib
import tomllib
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from awards import services as rec
from awards.models import AwardType, DisciplineForm, DisciplineStatus, InitiativeKind
from core.errors import ValidationFailed
from eligibility.engine import (
    Verdict,
    evaluate_people,
    evaluate_person,
    evaluate_subtree,
    evaluate_unit,
    evaluate_units,
)
from eligibility.rules import RULESET_DIR, RuleSetError, parse_rule_set, rule_set_for_year
from organizations import services as org
from people import services as ppl
from people.models import Person

Y = 2024
LONG_AGO = dt.date(2020, 1, 1)


def make_person(tree: Any, code: str, unit: Any = None, started_on: dt.date = LONG_AGO) -> Person:
    return ppl.person_create(
        actor=None,
        code=code,
        full_name=f"Cán bộ {code}",
        unit=unit or tree.KTTV_A,
        started_on=started_on,
    )


def rate(person: Person, ratings: dict[int, str]) -> None:
    for year, rating in ratings.items():
        ppl.person_rating_set(actor=None, person=person, year=year, rating=rating)


def give(person: Person | None, code: str, year: int, unit: Any = None, **extra: Any) -> Any:
    return rec.award_create(
        actor=None,
        data=rec.AwardData(
            award_type=AwardType.objects.get(code=code),
            year=year,
            decision_number=f"{code}/{year}",
            decision_date=dt.date(year, 12, 20),
            person=person,
            unit=unit,
            **extra,
        ),
    )


def initiative(
    person: Person, year: int, level: str = "CO_SO", kind: str = InitiativeKind.INITIATIVE
) -> Any:
    return rec.initiative_create(
        actor=None,
        data=rec.InitiativeData(
            title=f"Sáng kiến {year} {level}",
            authors=[person],
            unit=person.unit,
            level=level,
            recognized_on=dt.date(year, 6, 1),
            year=year,
            kind=kind,
        ),
    )


def discipline(person: Person, **fields: Any) -> Any:
    data = rec.DisciplineData(person=person, **fields)
    return rec.discipline_create(actor=None, data=data)


def result_for(person: Person, award: str, year: int = Y) -> Any:
    _rs, subject = evaluate_person(person, year)
    result = subject.result(award)
    assert result is not None, award
    return result


def res(subject: Any, award: str) -> Any:
    result = subject.result(award)
    assert result is not None, award
    return result


def condition(result: Any, condition_id: str) -> Any:
    return next(o for o in result.conditions() if o.condition.id == condition_id)


def good_years(person: Person, first: int, last: int, rating: str = "HTTNV") -> None:
    rate(person, {y: rating for y in range(first, last + 1)})


# --- LĐTT and the cross-cutting conditions ------------------------------------------


@pytest.mark.django_db
class TestLDTT:
    def test_good_rating_opens_the_title_pending_the_heads_judgement(self, tree: Any) -> None:
        p = make_person(tree, "A1")
        rate(p, {Y: "HTTNV"})
        result = result_for(p, "LDTT")
        assert result.eligible is True
        assert result.verdict == Verdict.NEEDS_JUDGEMENT
        judged = condition(result, "LDTT.tu_luc_doan_ket")
        assert judged.met is None and judged.condition.kind == "judgement"
        rating = condition(result, "LDTT.xep_loai")
        assert rating.met is True
        assert "Điều 24" in rating.condition.citation
        assert "Hoàn thành tốt nhiệm vụ" in rating.explanation

    def test_complete_only_is_not_enough(self, tree: Any) -> None:
        p = make_person(tree, "A2")
        rate(p, {Y: "HTNV"})
        result = result_for(p, "LDTT")
        assert result.eligible is False
        assert condition(result, "LDTT.xep_loai").met is False

    def test_recorded_judgements_decide_the_verdict(self, tree: Any) -> None:
        p = make_person(tree, "A3")
        rate(p, {Y: "HTTNV"})
        rec.judgement_set(
            actor=None, condition_id="LDTT.tu_luc_doan_ket", year=Y, met=True, person=p
        )
        assert result_for(p, "LDTT").verdict == Verdict.ELIGIBLE
        rec.judgement_set(
            actor=None, condition_id="LDTT.tu_luc_doan_ket", year=Y, met=False, person=p
        )
        result = result_for(p, "LDTT")
        assert result.eligible is False
        assert condition(result, "LDTT.tu_luc_doan_ket").met is False

    def test_newcomer_under_six_months_is_not_considered(self, tree: Any) -> None:
        late = make_person(tree, "N1", started_on=dt.date(Y, 7, 2))
        on_time = make_person(tree, "N2", started_on=dt.date(Y, 7, 1))
        rate(late, {Y: "HTXSNV"})
        rate(on_time, {Y: "HTXSNV"})
        late_result = result_for(late, "LDTT")
        assert late_result.eligible is False
        assert condition(late_result, "CN.moi_tuyen_dung").met is False
        assert "02/07/2024" in condition(late_result, "CN.moi_tuyen_dung").explanation
        assert result_for(on_time, "LDTT").eligible is True

    def test_someone_who_left_before_31_12_is_not_a_member(self, tree: Any) -> None:
        p = make_person(tree, "L1")
        rate(p, {Y: "HTTNV"})
        ppl.person_transfer(actor=None, person=p, unit=tree.KTTV_B, on=dt.date(Y, 10, 1))
        assert result_for(p, "LDTT").eligible is True
        _rs, subject = evaluate_person(p, Y)
        assert subject.unit_id == tree.KTTV_B.pk

    def test_pending_discipline_blocks_every_award(self, tree: Any) -> None:
        p = make_person(tree, "D1")
        rate(p, {Y: "HTXSNV"})
        discipline(p, form=DisciplineForm.KHIEN_TRACH, status=DisciplineStatus.PENDING)
        _rs, subject = evaluate_person(p, Y)
        assert all(not r.eligible for r in subject.results)
        blocked = condition(res(subject, "LDTT"), "CN.dang_xem_xet_ky_luat")
        assert blocked.met is False
        assert "Đang xem xét kỷ luật" in blocked.explanation

    def test_discipline_in_effect_blocks_the_year_and_ends(self, tree: Any) -> None:
        p = make_person(tree, "D2")
        good_years(p, Y - 1, Y + 1)
        discipline(
            p,
            form=DisciplineForm.KHIEN_TRACH,
            status=DisciplineStatus.DECIDED,
            decided_on=dt.date(Y - 1, 3, 1),
            ends_on=dt.date(Y, 2, 28),
        )
        assert result_for(p, "LDTT", Y).eligible is False
        assert result_for(p, "LDTT", Y + 1).eligible is True

    def test_discipline_without_end_date_lasts_twelve_months(self, tree: Any) -> None:
        p = make_person(tree, "D3")
        good_years(p, Y, Y + 1)
        discipline(
            p,
            form=DisciplineForm.KHIEN_TRACH,
            status=DisciplineStatus.DECIDED,
            decided_on=dt.date(Y, 1, 1),
        )
        assert result_for(p, "LDTT", Y).eligible is False
        assert result_for(p, "LDTT", Y + 1).eligible is True

    def test_transfer_after_six_months_asks_for_the_old_units_comments(self, tree: Any) -> None:
        p = make_person(tree, "T1")
        rate(p, {Y: "HTTNV"})
        ppl.person_transfer(actor=None, person=p, unit=tree.KTTV_B, on=dt.date(Y, 10, 1))
        result = result_for(p, "LDTT")
        comments = condition(result, "CN.y_kien_don_vi_cu")
        assert comments.met is None
        assert tree.KTTV_A.name in comments.explanation
        stayed = make_person(tree, "T2")
        rate(stayed, {Y: "HTTNV"})
        ids = [o.condition.id for o in result_for(stayed, "LDTT").conditions()]
        assert "CN.y_kien_don_vi_cu" not in ids

    def test_year_before_the_rule_set_is_refused(self, tree: Any) -> None:
        p = make_person(tree, "E1")
        with pytest.raises(ValidationFailed) as exc:
            evaluate_person(p, 2023)
        assert "01/01/2024" in exc.value.message


# --- CSTĐCS and initiatives ---------------------------------------------------------


@pytest.mark.django_db
class TestCSTDCS:
    def test_excellent_rating_route(self, tree: Any) -> None:
        p = make_person(tree, "C1")
        rate(p, {Y: "HTXSNV"})
        result = result_for(p, "CSTDCS")
        assert result.eligible is True
        assert dict(result.routes)["a"] is True

    def test_waits_for_the_judgement_of_its_lao_dong_tien_tien(self, tree: Any) -> None:
        p = make_person(tree, "C0")
        rate(p, {Y: "HTXSNV"})
        result = result_for(p, "CSTDCS")
        assert result.eligible is True
        assert result.verdict == Verdict.NEEDS_JUDGEMENT
        assert "còn chờ đánh giá" in condition(result, "CSTDCS.a.ldtt").explanation
        rec.judgement_set(
            actor=None, condition_id="LDTT.tu_luc_doan_ket", year=Y, met=True, person=p
        )
        assert result_for(p, "CSTDCS").verdict == Verdict.ELIGIBLE

    def test_initiative_route(self, tree: Any) -> None:
        p = make_person(tree, "C2")
        rate(p, {Y: "HTTNV"})
        assert result_for(p, "CSTDCS").eligible is False
        initiative(p, Y)
        result = result_for(p, "CSTDCS")
        assert result.eligible is True
        assert dict(result.routes) == {"a": False, "b": True, "c": False}

    def test_an_initiative_used_by_another_award_does_not_count_again(self, tree: Any) -> None:
        p = make_person(tree, "C3")
        rate(p, {Y: "HTTNV"})
        used = initiative(p, Y)
        give(p, "GIAY_KHEN", Y, initiatives=[used])
        result = result_for(p, "CSTDCS")
        assert result.eligible is False
        assert "đã dùng cho khen thưởng khác" in condition(result, "CSTDCS.b.sang_kien").explanation

    def test_the_initiative_of_this_very_award_still_counts(self, tree: Any) -> None:
        p = make_person(tree, "C4")
        rate(p, {Y: "HTTNV"})
        used = initiative(p, Y)
        give(p, "CSTDCS", Y, initiatives=[used])
        assert result_for(p, "CSTDCS").eligible is True

    def test_the_service_refuses_to_use_an_initiative_twice(self, tree: Any) -> None:
        p = make_person(tree, "C5")
        rate(p, {Y: "HTXSNV"})
        used = initiative(p, Y)
        give(p, "CSTDCS", Y, initiatives=[used])
        with pytest.raises(ValidationFailed):
            give(p, "BK_BO", Y, initiatives=[used])

    def test_research_topic_route(self, tree: Any) -> None:
        p = make_person(tree, "C6")
        rate(p, {Y: "HTTNV"})
        initiative(p, Y, kind=InitiativeKind.RESEARCH)
        assert dict(result_for(p, "CSTDCS").routes)["c"] is True


# --- chains: CSTĐ cấp bộ, toàn quốc, Bằng khen ---------------------------------------


@pytest.mark.django_db
class TestChains:
    def test_three_consecutive_cstdcs_with_a_ministry_initiative(self, tree: Any) -> None:
        p = make_person(tree, "B1")
        rate(p, {Y - 2: "HTXSNV", Y - 1: "HTXSNV", Y: "HTXSNV"})
        give(p, "CSTDCS", Y - 2)
        give(p, "CSTDCS", Y - 1)
        initiative(p, Y - 1, level="BO_TINH")
        # The year's own CSTĐCS is not decided yet: eligibility by record counts for it.
        result = result_for(p, "CSTD_BO")
        assert result.eligible is True

    def test_a_chain_broken_by_one_year(self, tree: Any) -> None:
        p = make_person(tree, "B2")
        rate(p, {Y - 2: "HTXSNV", Y - 1: "HTTNV", Y: "HTXSNV"})
        give(p, "CSTDCS", Y - 2)
        initiative(p, Y - 1, level="BO_TINH")
        result = result_for(p, "CSTD_BO")
        assert result.eligible is False
        chain = condition(result, "CSTD_BO.a.3_cstdcs")
        assert chain.met is False
        assert "thiếu năm 2023" in chain.explanation

    def test_chain_years_under_discipline_do_not_count(self, tree: Any) -> None:
        p = make_person(tree, "B3")
        rate(p, {Y - 2: "HTXSNV", Y - 1: "HTXSNV", Y: "HTXSNV"})
        give(p, "CSTDCS", Y - 2)
        give(p, "CSTDCS", Y - 1)
        initiative(p, Y, level="BO_TINH")
        discipline(
            p,
            form=DisciplineForm.KHIEN_TRACH,
            status=DisciplineStatus.DECIDED,
            decided_on=dt.date(Y - 3, 6, 1),
            ends_on=dt.date(Y - 2, 5, 31),
        )
        chain = condition(result_for(p, "CSTD_BO"), "CSTD_BO.a.3_cstdcs")
        assert chain.met is False
        assert "không được tính" in chain.explanation

    def test_bk_bo_two_consecutive_cstdcs(self, tree: Any) -> None:
        p = make_person(tree, "K1")
        rate(p, {Y - 1: "HTXSNV", Y: "HTXSNV"})
        give(p, "CSTDCS", Y - 1)
        result = result_for(p, "BK_BO")
        assert result.eligible is True
        assert dict(result.routes)["d1"] is True
        assert dict(result.routes)["a"] is False  # a judgement-only route never opens alone

    def test_bk_bo_chain_must_follow_the_last_bk_bo(self, tree: Any) -> None:
        p = make_person(tree, "K2")
        rate(p, {Y - 1: "HTXSNV", Y: "HTXSNV"})
        give(p, "CSTDCS", Y - 1)
        give(p, "BK_BO", Y - 1)
        result = result_for(p, "BK_BO")
        assert dict(result.routes)["d1"] is False
        assert (
            "sau lần Bằng khen cấp bộ, tỉnh năm 2023"
            in condition(result, "BK_BO.d1.2_cstdcs").explanation
        )

    def test_bk_bo_two_excellent_years_and_two_initiatives(self, tree: Any) -> None:
        p = make_person(tree, "K3")
        rate(p, {Y - 1: "HTXSNV", Y: "HTXSNV"})
        give(p, "CSTDCS", Y - 1)  # an LĐTT-less CSTĐCS chain is not needed for route d2
        initiative(p, Y - 1)
        assert dict(result_for(p, "BK_BO").routes)["d2"] is False
        initiative(p, Y)
        assert dict(result_for(p, "BK_BO").routes)["d2"] is True

    def test_only_judgement_routes_never_make_someone_eligible(self, tree: Any) -> None:
        p = make_person(tree, "K4")
        rate(p, {Y: "HTTNV"})
        rec.judgement_set(actor=None, condition_id="BK_BO.a.phong_trao", year=Y, met=True, person=p)
        assert result_for(p, "BK_BO").eligible is False

    def test_bk_ttg_after_bk_bo_and_five_good_years(self, tree: Any) -> None:
        p = make_person(tree, "G1")
        give(p, "BK_BO", Y - 5)
        good_years(p, Y - 4, Y)
        for y in (Y - 4, Y - 2, Y - 1):
            give(p, "CSTDCS", y)
        result = result_for(p, "BK_TTG")
        assert result.eligible is True
        assert dict(result.routes)["b"] is True

    def test_bk_ttg_five_years_broken(self, tree: Any) -> None:
        p = make_person(tree, "G2")
        give(p, "BK_BO", Y - 5)
        good_years(p, Y - 4, Y)
        rate(p, {Y - 3: "HTNV"})
        for y in (Y - 4, Y - 2, Y - 1):
            give(p, "CSTDCS", y)
        assert result_for(p, "BK_TTG").eligible is False

    def test_bk_ttg_needs_the_bk_bo_before_the_five_years(self, tree: Any) -> None:
        p = make_person(tree, "G3")
        give(p, "BK_BO", Y - 4)
        good_years(p, Y - 4, Y)
        for y in (Y - 4, Y - 2, Y - 1):
            give(p, "CSTDCS", y)
        assert condition(result_for(p, "BK_TTG"), "BK_TTG.b.bk_bo").met is False

    def test_hcld3_route_e(self, tree: Any) -> None:
        p = make_person(tree, "H1")
        give(p, "BK_TTG", Y - 6)
        good_years(p, Y - 4, Y)
        for y in (Y - 4, Y - 3, Y - 1):
            give(p, "CSTDCS", y)
        result = result_for(p, "HCLD3")
        assert condition(result, "HCLD3.e.1_htxsnv").met is False
        assert result.eligible is False
        rate(p, {Y - 2: "HTXSNV"})
        assert result_for(p, "HCLD3").eligible is True

    def test_cstd_tq_two_terms_of_cstd_bo_and_a_national_initiative(self, tree: Any) -> None:
        p = make_person(tree, "Q1")
        give(p, "CSTD_BO", Y - 3)
        give(p, "CSTD_BO", Y)
        initiative(p, Y - 1, level="TOAN_QUOC")
        assert result_for(p, "CSTD_TQ").eligible is True
        other = make_person(tree, "Q2")
        give(other, "CSTD_BO", Y - 4)
        give(other, "CSTD_BO", Y)
        initiative(other, Y - 1, level="TOAN_QUOC")
        assert result_for(other, "CSTD_TQ").eligible is False


# --- collectives --------------------------------------------------------------------


def staff_unit(tree: Any, unit: Any, prefix: str, good: int, other: int) -> list[Person]:
    people = []
    for i in range(good + other):
        p = make_person(tree, f"{prefix}{i:02d}", unit=unit)
        rate(p, {Y: "HTTNV" if i < good else "HTNV"})
        people.append(p)
    return people


@pytest.mark.django_db
class TestCollectives:
    def test_seventy_percent_lao_dong_tien_tien_is_enough(self, tree: Any) -> None:
        staff_unit(tree, tree.KTTV_A, "S", good=7, other=3)
        org.unit_rating_set(actor=None, unit=tree.KTTV_A, year=Y, rating="HTTNV")
        _rs, subject = evaluate_unit(tree.KTTV_A, Y)
        assert subject is not None
        result = res(subject, "TTLDTT")
        share = condition(result, "TTLDTT.70_ldtt")
        assert share.met is True
        assert "7/10 (70,0%)" in share.explanation
        assert result.eligible is True

    def test_sixty_nine_percent_is_not(self, tree: Any) -> None:
        staff_unit(tree, tree.KTTV_A, "S", good=9, other=4)  # 9/13 = 69.2 %
        org.unit_rating_set(actor=None, unit=tree.KTTV_A, year=Y, rating="HTTNV")
        _rs, subject = evaluate_unit(tree.KTTV_A, Y)
        assert subject is not None
        result = res(subject, "TTLDTT")
        assert condition(result, "TTLDTT.70_ldtt").met is False
        assert result.eligible is False

    def test_members_are_counted_where_they_are_on_31_12(self, tree: Any) -> None:
        people = staff_unit(tree, tree.KTTV_A, "S", good=7, other=3)
        org.unit_rating_set(actor=None, unit=tree.KTTV_A, year=Y, rating="HTTNV")
        # One good member leaves in October: 6/9 remain, below 70 %.
        ppl.person_transfer(actor=None, person=people[0], unit=tree.KTTV_B, on=dt.date(Y, 10, 1))
        _rs, subject = evaluate_unit(tree.KTTV_A, Y)
        assert subject is not None
        share = condition(res(subject, "TTLDTT"), "TTLDTT.70_ldtt")
        assert share.met is False
        assert "6/9" in share.explanation
        _rs, b = evaluate_unit(tree.KTTV_B, Y)
        assert b is not None
        assert "1/1" in condition(res(b, "TTLDTT"), "TTLDTT.70_ldtt").explanation

    def test_a_member_warned_blocks_the_collective(self, tree: Any) -> None:
        people = staff_unit(tree, tree.KTTV_A, "S", good=10, other=0)
        org.unit_rating_set(actor=None, unit=tree.KTTV_A, year=Y, rating="HTTNV")
        discipline(
            people[0],
            form=DisciplineForm.KHIEN_TRACH,
            status=DisciplineStatus.DECIDED,
            decided_on=dt.date(Y, 3, 1),
        )
        _rs, subject = evaluate_unit(tree.KTTV_A, Y)
        assert subject is not None
        assert condition(res(subject, "TTLDTT"), "TTLDTT.khong_ky_luat").met is True
        discipline(
            people[1],
            form=DisciplineForm.CANH_CAO,
            status=DisciplineStatus.DECIDED,
            decided_on=dt.date(Y, 3, 1),
        )
        _rs, subject = evaluate_unit(tree.KTTV_A, Y)
        assert subject is not None
        assert condition(res(subject, "TTLDTT"), "TTLDTT.khong_ky_luat").met is False

    def test_excellent_collective_needs_a_cstdcs_and_everyone_complete(self, tree: Any) -> None:
        people = staff_unit(tree, tree.KTTV_A, "S", good=8, other=2)
        org.unit_rating_set(actor=None, unit=tree.KTTV_A, year=Y, rating="HTXSNV")
        _rs, subject = evaluate_unit(tree.KTTV_A, Y)
        assert subject is not None
        assert condition(res(subject, "TTLDXS"), "TTLDXS.cstdcs").met is False
        rate(people[0], {Y: "HTXSNV"})
        _rs, subject = evaluate_unit(tree.KTTV_A, Y)
        assert subject is not None
        assert res(subject, "TTLDXS").eligible is True
        rate(people[9], {Y: "KHTNV"})
        _rs, subject = evaluate_unit(tree.KTTV_A, Y)
        assert subject is not None
        assert condition(res(subject, "TTLDXS"), "TTLDXS.100_hoan_thanh").met is False

    def test_flag_goes_to_the_recorded_cluster_leader(self, tree: Any) -> None:
        org.cluster_create(
            actor=None,
            organizer=tree.MIN,
            kind="CLUSTER",
            name="Cụm thi đua số 1",
            year=Y,
            members=[tree.KTTV_A, tree.KTTV_B],
            leader=tree.KTTV_A,
        )
        _rs, a = evaluate_unit(tree.KTTV_A, Y)
        _rs, b = evaluate_unit(tree.KTTV_B, Y)
        assert a is not None and b is not None
        assert condition(res(a, "CO_BO"), "CO_BO.a.dan_dau_cum").met is True
        assert res(a, "CO_BO").eligible is True
        assert res(b, "CO_BO").eligible is False


# --- set-wise evaluation, rule sets -------------------------------------------------


@pytest.mark.django_db
def test_subtree_evaluation_runs_a_bounded_number_of_queries(tree: Any) -> None:
    def queries_for(n: int, prefix: str) -> int:
        for i in range(n):
            p = make_person(tree, f"{prefix}{i}", unit=tree.KTTV_B)
            rate(p, {Y: "HTXSNV", Y - 1: "HTXSNV"})
            give(p, "CSTDCS", Y - 1)
            initiative(p, Y)
        with CaptureQueriesContext(connection) as ctx:
            evaluation = evaluate_subtree(tree.KTTV, Y)
        assert len(evaluation.people) >= n
        return len(ctx.captured_queries)

    few = queries_for(3, "F")
    many = queries_for(30, "M")
    assert few == many


@pytest.mark.django_db
def test_chosen_people_and_units_evaluated_together_match_one_by_one(tree: Any) -> None:
    """A proposal's items are evaluated as a set; each verdict and each failing condition
    must be what the subject's own evaluation says."""
    strong = make_person(tree, "S1")
    rate(strong, {Y: "HTXSNV", Y - 1: "HTXSNV"})
    give(strong, "CSTDCS", Y - 1)
    initiative(strong, Y)
    weak = make_person(tree, "S2", unit=tree.KTTV_B)
    rate(weak, {Y: "HTNV"})
    good = make_person(tree, "S3")
    ppl.person_rating_set(actor=None, person=good, year=Y, rating="HTTNV")
    _rs, people = evaluate_people([strong.pk, weak.pk, good.pk, strong.pk], Y)
    _rs, units = evaluate_units([tree.KTTV_A.pk, tree.KTTV_B.pk], Y)

    def shape(subject: Any) -> list[tuple[str, str, list[Any]]]:
        return [
            (r.award, r.verdict.value, [o.met for o in r.conditions()]) for r in subject.results
        ]

    for person in (strong, weak, good):
        assert shape(people[person.pk]) == shape(evaluate_person(person, Y)[1])
    for unit in (tree.KTTV_A, tree.KTTV_B):
        own = evaluate_unit(unit, Y)[1]
        assert own is not None and shape(units[unit.pk]) == shape(own)
    assert evaluate_people([], Y)[1] == {} and evaluate_units([], Y)[1] == {}


@pytest.mark.django_db
def test_ten_years_of_excellent_ratings_are_read_back(tree: Any) -> None:
    """Ten yearly ranks travel as the digits of one 64-bit number (not a 32-bit one)."""
    p = make_person(tree, "R1")
    rate(p, {y: "HTXSNV" for y in range(Y - 9, Y + 1)})
    from eligibility.checks import rank_in
    from eligibility.facts import load_people

    facts = load_people(Y, [p.pk], ["LDTT"])[p.pk]
    assert [rank_in(facts.ratings, Y, y) for y in range(Y - 9, Y + 1)] == [4] * 10


@pytest.mark.django_db
def test_subtree_covers_everyone_and_every_unit(tree: Any) -> None:
    a = make_person(tree, "W1", unit=tree.KTTV_A)
    b = make_person(tree, "W2", unit=tree.KTTV_B)
    outside = make_person(tree, "W3", unit=tree.ST_VP)
    evaluation = evaluate_subtree(tree.KTTV, Y)
    assert {s.code for s in evaluation.people.values()} == {a.code, b.code}
    assert outside.pk not in evaluation.people
    assert {s.code for s in evaluation.units.values()} == {"KTTV", "KTTV_A", "KTTV_B"}
    assert evaluation.rule_set.id == "LTDKT2022-ND152"


def _load_shipped() -> dict[str, Any]:
    path = next(RULESET_DIR.glob("2024-01-01_*.toml"))
    with path.open("rb") as fh:
        return tomllib.load(fh)


def test_a_newer_rule_set_applies_from_its_date_and_the_old_one_before() -> None:
    old = parse_rule_set(_load_shipped(), "old")
    data = _load_shipped()
    data["id"] = "SUA_DOI_2026"
    data["effective_from"] = dt.date(2026, 1, 1)
    for rule in data["rules"]:
        for route in rule["routes"]:
            for c in route["conditions"]:
                if c.get("check") == "members_share_title":
                    c["params"] = {**c["params"], "min_pct": 80}
    new = parse_rule_set(data, "new")
    assert rule_set_for_year(2025, (old, new)).id == "LTDKT2022-ND152"
    assert rule_set_for_year(2026, (old, new)).id == "SUA_DOI_2026"
    with pytest.raises(ValidationFailed):
        rule_set_for_year(2023, (old, new))


@pytest.mark.django_db
def test_evaluation_under_a_newer_rule_set_uses_its_thresholds(tree: Any) -> None:
    data = _load_shipped()
    data["id"] = "SUA_DOI_2026"
    data["effective_from"] = dt.date(2024, 6, 1)
    for rule in data["rules"]:
        for route in rule["routes"]:
            for c in route["conditions"]:
                if c.get("check") == "members_share_title":
                    c["params"] = {**c["params"], "min_pct": 80}
    stricter = parse_rule_set(data, "new")
    staff_unit(tree, tree.KTTV_A, "S", good=7, other=3)
    org.unit_rating_set(actor=None, unit=tree.KTTV_A, year=Y, rating="HTTNV")
    rs, subject = evaluate_unit(tree.KTTV_A, Y, rule_set=stricter)
    assert rs.id == "SUA_DOI_2026"
    assert subject is not None
    assert res(subject, "TTLDTT").eligible is False


def test_malformed_rule_sets_are_refused_at_load_time() -> None:
    data = _load_shipped()
    data["rules"][0]["routes"][0]["conditions"][0]["check"] = "no_such_check"
    with pytest.raises(RuleSetError):
        parse_rule_set(data, "bad")
    data = _load_shipped()
    data["rules"][0], data["rules"][1] = data["rules"][1], data["rules"][0]  # CSTĐCS before LĐTT
    with pytest.raises(RuleSetError):
        parse_rule_set(data, "bad order")


def test_the_rule_set_covers_the_required_titles_and_forms() -> None:
    rs = rule_set_for_year(Y)
    assert set(rs.award_codes("person")) >= {
        "LDTT", "CSTDCS", "CSTD_BO", "CSTD_TQ", "BK_BO", "BK_TTG", "HCLD3", "GIAY_KHEN",
    }  # fmt: skip
    assert set(rs.award_codes("unit")) >= {"TTLDTT", "TTLDXS", "BK_BO", "CO_BO"}
    for rule in rs.rules:
        for c in rule.all_conditions:
            assert c.citation and c.text and c.explanation, c.id


# A rule set in use is never edited: a change of the law is a new file. Changing
# this digest means editing history; add a new rule set file instead.


def test_the_shipped_rule_set_is_not_edited_in_place() -> None:
    path = next(RULESET_DIR.glob("2024-01-01_*.toml"))
    digest = hashlib.sha256(path.read_bytes()).hexdigest()
    assert digest == PINNED_2024, f"{path.name} changed: its digest is now {digest}"


PINNED_2024 = "917fe6a79f563ab98e4d7ee7be30a1050648bfe7c66da608220cd37e8fbca3a8"


# --- the vectorised bulk path gives the same answers as the per-subject checks ------


def _random_history(tree: Any, seed: int) -> None:
    import random

    rng = random.Random(seed)
    ratings = ["HTXSNV", "HTTNV", "HTTNV", "HTNV", "KHTNV"]
    units = [tree.KTTV_A, tree.KTTV_B, tree.KTTV]
    people = []
    for i in range(45):
        started = dt.date(2020, 1, 1) if rng.random() < 0.85 else dt.date(Y, rng.randint(5, 9), 1)
        p = make_person(tree, f"V{i:02d}", unit=rng.choice(units), started_on=started)
        people.append(p)
        rate(p, {y: rng.choice(ratings) for y in range(Y - 9, Y + 1) if rng.random() < 0.95})
        for y in range(Y - 8, Y):
            if rng.random() < 0.35:
                give(p, "CSTDCS", y)
        for code, chance in (("BK_BO", 0.2), ("BK_TTG", 0.1), ("CSTD_BO", 0.15)):
            if rng.random() < chance:
                give(p, code, rng.randint(Y - 8, Y - 1))
        if rng.random() < 0.5:
            ini = initiative(
                p,
                rng.randint(Y - 3, Y),
                level=rng.choice(["CO_SO", "CO_SO", "BO_TINH", "TOAN_QUOC"]),
                kind=rng.choice([InitiativeKind.INITIATIVE, InitiativeKind.RESEARCH]),
            )
            if rng.random() < 0.3:
                give(p, "GIAY_KHEN", Y, initiatives=[ini])
        if rng.random() < 0.1:
            discipline(p, form=DisciplineForm.KHIEN_TRACH, status=DisciplineStatus.PENDING)
        elif rng.random() < 0.12:
            discipline(
                p,
                form=rng.choice([DisciplineForm.KHIEN_TRACH, DisciplineForm.CANH_CAO]),
                status=DisciplineStatus.DECIDED,
                decided_on=dt.date(rng.randint(Y - 3, Y), 3, 1),
            )
        if rng.random() < 0.3:
            rec.judgement_set(
                actor=None, condition_id="LDTT.tu_luc_doan_ket", year=Y, met=rng.random() < 0.8,
                person=p,
            )  # fmt: skip
    for p in rng.sample(people, 5):
        other = tree.KTTV_B if p.unit_id != tree.KTTV_B.pk else tree.KTTV_A
        ppl.person_transfer(actor=None, person=p, unit=other, on=dt.date(Y, rng.randint(10, 11), 1))
    for unit in units:
        for y in (Y - 1, Y):
            org.unit_rating_set(actor=None, unit=unit, year=y, rating=rng.choice(ratings[:3]))
    give(None, "TTLDXS", Y - 1, unit=tree.KTTV_A)
    org.cluster_create(
        actor=None, organizer=tree.MIN, kind="CLUSTER", name="Cụm 1", year=Y,
        members=[tree.KTTV_A, tree.KTTV_B], leader=tree.KTTV_B,
    )  # fmt: skip
    rec.judgement_set(
        actor=None, condition_id="TTLDTT.doan_ket", year=Y, met=True, unit=tree.KTTV_A
    )


@pytest.mark.django_db
@pytest.mark.parametrize("seed", [1, 2])
def test_vectorised_and_per_subject_paths_agree(tree: Any, seed: int) -> None:
    _random_history(tree, seed)
    fast = evaluate_subtree(tree.KTTV, Y)
    reference = evaluate_subtree(tree.KTTV, Y, explain=True)
    assert fast.people.keys() == reference.people.keys()
    assert fast.units.keys() == reference.units.keys()
    verdicts = set()
    for kind in ("people", "units"):
        for key, ref in getattr(reference, kind).items():
            got = getattr(fast, kind)[key]
            for expected, actual in zip(ref.results, got.results, strict=True):
                where = f"{ref.code} {expected.award}"
                assert actual.verdict == expected.verdict, where
                assert actual.eligible == expected.eligible, where
                assert actual.routes == expected.routes, where
                assert actual.mets == expected.mets, where
                verdicts.add(expected.verdict)
    # The data set exercises every verdict, or the comparison proves little.
    assert verdicts == set(Verdict)
