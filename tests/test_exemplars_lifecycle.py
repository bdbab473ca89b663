"""The exemplar lifecycle: standard, guards, roles, timeline (services level)."""

from __future__ import annotations

import datetime as dt
import hashlib
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied

from audit.models import AuditEvent
from core.errors import Conflict, ValidationFailed
from exemplars import services as ex
from exemplars.assessment import assess, judgement_conditions
from exemplars.models import Exemplar, ExemplarState
from exemplars.standards import default_standard, standard_by_id, standards
from people import services as ppl
from people.models import Person
from plans.models import Plan
from tests.test_eligibility_rules import give, initiative, make_person, rate

Y = 2024
S = ExemplarState


def register(actor: Any, unit: Any, year: int = Y, **subject: Any) -> Exemplar:
    return ex.exemplar_create(
        actor=actor,
        unit=unit,
        title="Mô hình dự báo mưa lớn bằng dữ liệu radar",
        practice_summary="Ứng dụng radar thời tiết vào dự báo mưa lớn cục bộ.",
        year=year,
        **subject,
    )


def excellent(person: Person, years: range) -> None:
    rate(person, dict.fromkeys(years, "HTXSNV"))
    for y in years:
        give(person, "CSTDCS", y)


def judge_all(actor: Any, exemplar: Exemplar, year: int = Y, met: bool = True) -> None:
    for c in judgement_conditions(exemplar):
        ex.review_record(
            actor=actor,
            exemplar=exemplar,
            year=year,
            condition_id=c.id,
            met=met,
            comment="Đã kiểm tra hồ sơ và thực tế.",
        )


def test_shipped_standards_load_and_one_is_the_default() -> None:
    ids = {s.id for s in standards()}
    assert {"DHTT-BTNMT-2023", "DHTT-STNMT-2023", "DHTT-TCKTTV-2021"} <= ids
    assert default_standard(2024).id == "DHTT-BTNMT-2023"
    rule = standard_by_id("DHTT-BTNMT-2023").rule_set.rule("person", "DHTT")  # type: ignore[union-attr]
    kinds = {c.id: c.kind for c in rule.all_conditions}  # type: ignore[union-attr]
    assert kinds["DH.CN.xep_loai"] == "record"
    assert kinds["DH.CN.cstdcs"] == "record"
    assert kinds["DH.CN.sang_kien"] == "record"
    assert kinds["DH.CN.pham_chat"] == "judgement"


def test_whole_lifecycle_by_the_roles_that_own_each_move(tree: Any, personas: Any) -> None:
    person = make_person(tree, "E01")
    excellent(person, range(Y, Y + 1))
    initiative(person, Y)
    exemplar = register(personas.officer, tree.KTTV_A, person=person)
    assert exemplar.state == S.DISCOVERED
    assert exemplar.standard_id == "DHTT-BTNMT-2023"
    ex.transition(actor=personas.officer, exemplar=exemplar, to=S.FOSTERING, note="Bồi dưỡng")
    # The officer may not recognise: that is the head's move.
    with pytest.raises(PermissionDenied):
        ex.transition(actor=personas.officer, exemplar=exemplar, to=S.RECOGNIZED)
    judge_all(personas.head, exemplar)
    ex.transition(actor=personas.head, exemplar=exemplar, to=S.RECOGNIZED, year=Y)
    with pytest.raises(PermissionDenied):
        ex.transition(actor=personas.head, exemplar=exemplar, to=S.PROPOSED)
    ex.transition(actor=personas.standing, exemplar=exemplar, to=S.PROPOSED, note="Đề nghị Bộ")
    with pytest.raises(ValidationFailed) as missing:
        ex.transition(actor=personas.standing, exemplar=exemplar, to=S.SECTOR)
    assert {e.field for e in missing.value.errors} == {
        "decision_number",
        "decision_date",
        "authority",
    }
    ex.transition(
        actor=personas.standing,
        exemplar=exemplar,
        to=S.SECTOR,
        decision=ex.Decision("123/QĐ-BTNMT", dt.date(2025, 3, 1), "Bộ Tài nguyên và Môi trường"),
    )
    ex.transition(
        actor=personas.standing,
        exemplar=exemplar,
        to=S.NATIONAL,
        decision=ex.Decision(
            "45/TĐKT", dt.date(2025, 6, 1), "Ban Thi đua – Khen thưởng Trung ương"
        ),
    )
    exemplar.refresh_from_db()
    assert exemplar.state == S.NATIONAL
    assert exemplar.recognized_year == Y
    steps = list(exemplar.transitions.values_list("from_state", "to_state", "by__username"))
    assert steps == [
        ("", S.DISCOVERED, "officer"),
        (S.DISCOVERED, S.FOSTERING, "officer"),
        (S.FOSTERING, S.RECOGNIZED, "head"),
        (S.RECOGNIZED, S.PROPOSED, "standing"),
        (S.PROPOSED, S.SECTOR, "standing"),
        (S.SECTOR, S.NATIONAL, "standing"),
    ]
    moves = AuditEvent.objects.filter(action="exemplar.transition").count()
    assert moves == 5


def test_illegal_moves_are_conflicts(tree: Any, personas: Any) -> None:
    exemplar = register(personas.officer, tree.KTTV_A, person=make_person(tree, "E02"))
    with pytest.raises(Conflict):
        ex.transition(actor=personas.admin, exemplar=exemplar, to=S.RECOGNIZED)
    with pytest.raises(Conflict):
        ex.transition(actor=personas.admin, exemplar=exemplar, to=S.PROPOSED)
    ex.transition(actor=personas.officer, exemplar=exemplar, to=S.DROPPED, note="Chuyển công tác")
    with pytest.raises(Conflict):
        ex.transition(actor=personas.admin, exemplar=exemplar, to=S.RECOGNIZED)


def test_drop_and_revoke_need_a_reason(tree: Any, personas: Any) -> None:
    exemplar = register(personas.officer, tree.KTTV_A, person=make_person(tree, "E03"))
    with pytest.raises(ValidationFailed) as err:
        ex.transition(actor=personas.officer, exemplar=exemplar, to=S.DROPPED)
    assert [e.field for e in err.value.errors] == ["note"]
    assert Exemplar.objects.get(pk=exemplar.pk).state == S.DISCOVERED


def test_recognising_an_exemplar_that_fails_the_standard_lists_the_failing_criteria(
    tree: Any, personas: Any
) -> None:
    person = make_person(tree, "E04")
    rate(person, {Y: "HTTNV"})  # good, not excellent; no CSTĐCS, no initiative
    exemplar = register(personas.officer, tree.KTTV_A, person=person)
    ex.transition(actor=personas.officer, exemplar=exemplar, to=S.FOSTERING)
    with pytest.raises(ValidationFailed) as err:
        ex.transition(actor=personas.head, exemplar=exemplar, to=S.RECOGNIZED)
    failing = {e.field for e in err.value.errors}
    assert failing == {
        "conditions.DH.CN.xep_loai",
        "conditions.DH.CN.cstdcs",
        "conditions.DH.CN.sang_kien",
    }
    assert Exemplar.objects.get(pk=exemplar.pk).state == S.FOSTERING


def test_a_judgement_recorded_as_not_met_fails_the_standard(tree: Any, personas: Any) -> None:
    person = make_person(tree, "E05")
    excellent(person, range(Y, Y + 1))
    initiative(person, Y)
    exemplar = register(personas.officer, tree.KTTV_A, person=person)
    assert assess(exemplar, Y).passed  # judgements not recorded block nothing
    ex.review_record(
        actor=personas.head,
        exemplar=exemplar,
        year=Y,
        condition_id="DH.chung.tuong_than",
        met=False,
        comment="Chưa tham gia hoạt động xã hội.",
    )
    result = assess(exemplar, Y)
    assert not result.passed
    assert [c.condition.id for c in result.failing()] == ["DH.chung.tuong_than"]


def test_the_review_period_runs_from_the_plan_start_and_must_be_unbroken(
    tree: Any, personas: Any
) -> None:
    from tests.test_plans_services import make_plan

    person = make_person(tree, "E06")
    excellent(person, range(2022, 2025))
    initiative(person, 2023)
    plan = make_plan(tree)
    Plan.objects.filter(pk=plan.pk).update(starts_on=dt.date(2021, 1, 1))
    plan.refresh_from_db()
    exemplar = register(personas.officer, tree.KTTV_A, person=person, plan=plan)
    result = assess(exemplar, Y)
    assert result.period_from == 2021
    xep_loai = next(c for c in result.conditions() if c.condition.id == "DH.CN.xep_loai")
    assert xep_loai.met is False
    assert "2021" in xep_loai.explanation  # the missing year is named
    rate(person, {2021: "HTXSNV"})
    give(person, "CSTDCS", 2021)
    assert assess(exemplar, Y).passed


def test_a_head_whose_unit_is_not_an_advanced_collective_fails_with_that_criterion(
    tree: Any, personas: Any
) -> None:
    head = make_person(tree, "E07")
    head = ppl.person_update(actor=None, person=head, is_head=True)
    excellent(head, range(Y, Y + 1))
    initiative(head, Y)
    exemplar = register(personas.officer, tree.KTTV_A, person=head)
    result = assess(exemplar, Y)
    assert not result.passed
    assert [c.condition.id for c in result.failing()] == ["DH.CN.thu_truong"]
    assert tree.KTTV_A.name in result.failing()[0].explanation
    # Once the unit itself is a recognised collective exemplar, the head qualifies.
    give(None, "TTLDXS", Y, unit=tree.KTTV_A)
    collective = register(personas.officer, tree.KTTV_A, subject_unit=tree.KTTV_A)
    ex.transition(actor=personas.officer, exemplar=collective, to=S.FOSTERING)
    ex.transition(actor=personas.head, exemplar=collective, to=S.RECOGNIZED)
    assert assess(exemplar, Y).passed
    # Non-heads are not asked about it at all.
    other = register(personas.officer, tree.KTTV_A, person=make_person(tree, "E08"))
    assert "DH.CN.thu_truong" not in {c.condition.id for c in assess(other, Y).conditions()}


def test_a_collective_needs_ttldxs_every_year(tree: Any, personas: Any) -> None:
    exemplar = register(personas.officer, tree.KTTV, subject_unit=tree.KTTV_B)
    result = assess(exemplar, Y)
    assert [c.condition.id for c in result.failing()] == ["DH.TT.ttldxs"]
    give(None, "TTLDXS", Y, unit=tree.KTTV_B)
    assert assess(exemplar, Y).passed


def test_subject_must_belong_to_the_discovering_unit(tree: Any, personas: Any) -> None:
    stranger = make_person(tree, "E09", unit=tree.ST_VP)
    with pytest.raises(ValidationFailed) as err:
        register(personas.admin, tree.KTTV_A, person=stranger)
    assert [e.field for e in err.value.errors] == ["subject"]
    assert not Exemplar.objects.exists()


def test_a_plan_standard_is_kept_by_its_exemplars(tree: Any, personas: Any) -> None:
    from tests.test_plans_services import make_plan

    plan = make_plan(tree)
    Plan.objects.filter(pk=plan.pk).update(starts_on=dt.date(2021, 1, 1))
    plan.refresh_from_db()
    plan.exemplar_standard = "DHTT-TCKTTV-2021"
    plan.save()
    exemplar = register(personas.officer, tree.KTTV_A, person=make_person(tree, "E10"), plan=plan)
    assert exemplar.standard_id == "DHTT-TCKTTV-2021"
    ids = {c.id for c in judgement_conditions(exemplar)}
    assert "DH.CN.hoc_tap" in ids


# A standard in use is never edited: a new version is a new file. Update a pin only
# together with a new file name (and effective date), never for an edit in place.
PINNED_STANDARDS = {
    "2021-01-01_tckttv.toml": "17cecae001c54e92058b47986625040d4342644bb306a5a8a66a08a192365c9d",
    "2023-01-01_btnmt.toml": "1e6876daf859502c2f015bdd8e0309cd7343aba5e9ba607152e5db45e80b7fd7",
    "2023-01-01_stnmt.toml": "25ddd8e630c78fc1ceba0b3eac4dbdfbc0cf3cb6ba9cb6b35deb0cab2e490174",
}


def test_the_shipped_standards_are_not_edited_in_place() -> None:
    from exemplars.standards import STANDARD_DIR

    found = {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(STANDARD_DIR.glob("*.toml"))
    }
    assert found == PINNED_STANDARDS


def test_whoever_owns_the_next_move_is_notified(tree: Any, personas: Any) -> None:
    from notifications.models import Notification

    exemplar = register(personas.officer, tree.KTTV_A, person=make_person(tree, "E11"))
    ex.transition(actor=personas.officer, exemplar=exemplar, to=S.FOSTERING)
    # Fostering → recognised is the head's move; the officer who moved it is not told.
    told = set(Notification.objects.values_list("user__username", flat=True))
    assert "head" in told
    assert "officer" not in told
    assert "outsider" not in told
