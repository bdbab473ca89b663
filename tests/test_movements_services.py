"""Movement services: validation, registration scope, head confirmation, reviews, exemplars."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from audit.models import AuditEvent
from core.errors import Conflict, ValidationFailed
from movements import services as mv
from movements.models import (
    CriterionTarget,
    Movement,
    MovementKind,
    Registration,
    RegistrationStatus,
    ReviewMark,
    ReviewStage,
)
from people import services as ppl

pytestmark = pytest.mark.django_db
ON = dt.date(2025, 2, 1)


def make_movement(unit: Any, code: str = "PT2025", **extra: Any) -> Movement:
    values: dict[str, Any] = {
        "name": "Kỷ cương trách nhiệm, chủ động kịp thời, tinh gọn hiệu quả, đổi mới sáng tạo",
        "kind": MovementKind.REGULAR,
        "starts_on": dt.date(2025, 1, 1),
        "ends_on": dt.date(2025, 12, 31),
        "preliminary_review_on": dt.date(2025, 7, 15),
        "final_review_on": dt.date(2025, 12, 15),
    }
    values.update(extra)
    return mv.movement_create(actor=None, launching_unit=unit, code=code, **values)


def with_criteria(movement: Movement) -> tuple[list[Any], list[Any]]:
    collective = [
        mv.criterion_add(actor=None, movement=movement, target=CriterionTarget.COLLECTIVE, text=t)
        for t in ("Hoàn thành tốt nhiệm vụ được giao", "Nội bộ đoàn kết")
    ]
    individual = [
        mv.criterion_add(actor=None, movement=movement, target=CriterionTarget.INDIVIDUAL, text=t)
        for t in ("Có sáng kiến", "Chấp hành kỷ luật", "Hưởng ứng phong trào")
    ]
    return collective, individual


# --- movements and criteria -------------------------------------------------------------


def test_movement_create_is_audited_and_searchable(tree: Any) -> None:
    movement = make_movement(tree.MIN)
    assert "ky cuong trach nhiem" in movement.search_text
    event = AuditEvent.objects.get(action="movement.create")
    assert event.after is not None and event.after["code"] == "PT2025"


def test_movement_dates_are_checked(tree: Any) -> None:
    with pytest.raises(ValidationFailed) as exc:
        make_movement(
            tree.MIN,
            ends_on=dt.date(2024, 12, 1),
            preliminary_review_on=dt.date(2025, 12, 20),
            final_review_on=dt.date(2025, 6, 1),
        )
    fields = {e.field for e in exc.value.errors}
    assert fields == {"ends_on", "final_review_on"}
    assert Movement.objects.count() == 0


def test_movement_code_is_unique(tree: Any) -> None:
    make_movement(tree.MIN)
    with pytest.raises(Conflict):
        make_movement(tree.KTTV)


def test_criteria_are_numbered_per_target_and_reordered(tree: Any) -> None:
    movement = make_movement(tree.MIN)
    collective, individual = with_criteria(movement)
    assert [c.order for c in collective] == [1, 2]
    assert [c.order for c in individual] == [1, 2, 3]
    mv.criterion_move(actor=None, criterion=individual[2], step=-1)
    texts = list(
        movement.criteria.filter(target=CriterionTarget.INDIVIDUAL)
        .order_by("order")
        .values_list("text", flat=True)
    )
    assert texts == ["Có sáng kiến", "Hưởng ứng phong trào", "Chấp hành kỷ luật"]
    with pytest.raises(ValidationFailed):
        mv.criteria_reorder(
            actor=None,
            movement=movement,
            target=CriterionTarget.INDIVIDUAL,
            ids=[individual[0].pk],
        )


# --- registrations -----------------------------------------------------------------------


def test_unit_registers_itself_and_a_staff_member(tree: Any, person_a: Any) -> None:
    movement = make_movement(tree.MIN)
    created = mv.registrations_create(
        actor=None,
        movement=movement,
        on=ON,
        rows=[
            mv.NewRegistration(unit=tree.KTTV_A, person=None, aimed_titles=["TTLDTT"]),
            mv.NewRegistration(unit=tree.KTTV_A, person=person_a, aimed_titles=["LDTT", "CSTDCS"]),
        ],
    )
    assert [r.status for r in created] == [RegistrationStatus.DRAFT] * 2
    assert sorted(created[1].aimed_titles.values_list("code", flat=True)) == ["CSTDCS", "LDTT"]
    assert AuditEvent.objects.filter(action="movement.registration_create").count() == 2


def test_registration_outside_the_launching_subtree_is_refused(tree: Any) -> None:
    movement = make_movement(tree.KTTV)
    with pytest.raises(ValidationFailed) as exc:
        mv.registration_create(
            actor=None, movement=movement, unit=tree.ST_VP, aimed_titles=["TTLDTT"], on=ON
        )
    assert exc.value.errors[0].field == "unit"
    assert Registration.objects.count() == 0


def test_person_must_belong_to_the_unit_on_the_registration_date(tree: Any, person_a: Any) -> None:
    movement = make_movement(tree.MIN)
    with pytest.raises(ValidationFailed) as exc:
        mv.registration_create(
            actor=None,
            movement=movement,
            unit=tree.KTTV_B,
            person=person_a,
            aimed_titles=["LDTT"],
            on=ON,
        )
    assert exc.value.errors[0].field == "person"
    # After a transfer the new unit may register them, the old one no longer.
    ppl.person_transfer(actor=None, person=person_a, unit=tree.KTTV_B, on=dt.date(2025, 1, 15))
    mv.registration_create(
        actor=None, movement=movement, unit=tree.KTTV_B, person=person_a,
        aimed_titles=["LDTT"], on=ON,
    )  # fmt: skip
    movement2 = make_movement(tree.MIN, code="PT2")
    with pytest.raises(ValidationFailed):
        mv.registration_create(
            actor=None, movement=movement2, unit=tree.KTTV_A, person=person_a,
            aimed_titles=["LDTT"], on=ON,
        )  # fmt: skip


def test_titles_must_fit_the_subject(tree: Any, person_a: Any) -> None:
    movement = make_movement(tree.MIN)
    with pytest.raises(ValidationFailed) as exc:
        mv.registration_create(
            actor=None, movement=movement, unit=tree.KTTV_A, aimed_titles=["LDTT"], on=ON
        )
    assert "không xét cho tập thể" in exc.value.errors[0].message
    with pytest.raises(ValidationFailed):
        mv.registration_create(
            actor=None, movement=movement, unit=tree.KTTV_A, person=person_a,
            aimed_titles=["TTLDXS"], on=ON,
        )  # fmt: skip
    with pytest.raises(ValidationFailed):
        mv.registration_create(
            actor=None, movement=movement, unit=tree.KTTV_A, aimed_titles=[], on=ON
        )


def test_duplicate_registration_is_a_conflict_and_the_database_agrees(
    tree: Any, person_a: Any
) -> None:
    movement = make_movement(tree.MIN)
    mv.registration_create(
        actor=None, movement=movement, unit=tree.KTTV_A, aimed_titles=["TTLDTT"], on=ON
    )
    mv.registration_create(
        actor=None, movement=movement, unit=tree.KTTV_A, person=person_a,
        aimed_titles=["LDTT"], on=ON,
    )  # fmt: skip
    with pytest.raises(Conflict):
        mv.registration_create(
            actor=None, movement=movement, unit=tree.KTTV_A, aimed_titles=["TTLDXS"], on=ON
        )
    with pytest.raises(Conflict):
        mv.registration_create(
            actor=None, movement=movement, unit=tree.KTTV_A, person=person_a,
            aimed_titles=["CSTDCS"], on=ON,
        )  # fmt: skip
    for person in (None, person_a):
        with pytest.raises(IntegrityError), transaction.atomic():
            Registration.objects.create(
                movement=movement, unit=tree.KTTV_A, person=person, registered_on=ON
            )


def test_registration_closed_after_the_movement_ends(tree: Any) -> None:
    movement = make_movement(tree.MIN)
    with pytest.raises(ValidationFailed):
        mv.registration_create(
            actor=None, movement=movement, unit=tree.KTTV_A, aimed_titles=["TTLDTT"],
            on=dt.date(2026, 1, 5),
        )  # fmt: skip


# --- submit, confirm, reject ------------------------------------------------------------


def registered(tree: Any, movement: Movement, unit: Any = None) -> Registration:
    return mv.registration_create(
        actor=None, movement=movement, unit=unit or tree.KTTV_A, aimed_titles=["TTLDTT"], on=ON
    )


def test_status_transitions(tree: Any, personas: Any) -> None:
    movement = make_movement(tree.MIN)
    reg = registered(tree, movement)
    with pytest.raises(Conflict):  # a draft is not confirmed before it is sent
        mv.registrations_confirm(actor=personas.head, registrations=[reg])
    mv.registration_submit(actor=personas.officer, registration=reg)
    assert reg.status == RegistrationStatus.SUBMITTED
    with pytest.raises(Conflict):
        mv.registration_submit(actor=personas.officer, registration=reg)
    with pytest.raises(Conflict):  # sent: no more edits
        mv.registration_update(
            actor=personas.officer, registration=reg, aimed_titles=["TTLDXS"], pledge=""
        )
    with pytest.raises(ValidationFailed):  # a rejection needs a reason
        mv.registrations_reject(actor=personas.head, registrations=[reg], reason="  ")
    mv.registrations_reject(actor=personas.head, registrations=[reg], reason="Thiếu cam kết")
    reg.refresh_from_db()
    assert reg.status == RegistrationStatus.REJECTED
    assert reg.rejection_reason == "Thiếu cam kết"
    # Corrected and sent again, then confirmed by the head.
    mv.registration_update(
        actor=personas.officer, registration=reg, aimed_titles=["TTLDXS"], pledge="Cam kết"
    )
    mv.registration_submit(actor=personas.officer, registration=reg)
    assert reg.rejection_reason == ""
    mv.registrations_confirm(actor=personas.head, registrations=[reg])
    reg.refresh_from_db()
    assert reg.status == RegistrationStatus.CONFIRMED
    assert reg.confirmed_by == personas.head
    assert reg.confirmed_at is not None
    with pytest.raises(Conflict):
        mv.registration_delete(actor=personas.officer, registration=reg)
    actions = list(
        AuditEvent.objects.filter(object_id=str(reg.pk), object_type="movements.registration")
        .order_by("seq")
        .values_list("action", flat=True)
    )
    assert actions == [
        "movement.registration_create",
        "movement.registration_submit",
        "movement.registration_reject",
        "movement.registration_update",
        "movement.registration_submit",
        "movement.registration_confirm",
    ]


def test_only_the_head_of_the_unit_confirms(tree: Any, personas: Any) -> None:
    movement = make_movement(tree.MIN)
    reg = registered(tree, movement)
    mv.registration_submit(actor=personas.officer, registration=reg)
    for name in ("officer", "standing", "council", "viewer", "outsider"):
        with pytest.raises(PermissionDenied):
            mv.registrations_confirm(actor=getattr(personas, name), registrations=[reg])
    reg.refresh_from_db()
    assert reg.status == RegistrationStatus.SUBMITTED
    # A head of another subtree may not either.
    st_reg = registered(tree, movement, tree.ST_VP)
    mv.registration_submit(actor=None, registration=st_reg)
    with pytest.raises(PermissionDenied):
        mv.registrations_confirm(actor=personas.head, registrations=[reg, st_reg])
    reg.refresh_from_db()
    assert reg.status == RegistrationStatus.SUBMITTED  # nothing written for the batch
    assert mv.registrations_confirm(actor=personas.head, registrations=[reg]) == 1


def test_only_drafts_are_deleted(tree: Any) -> None:
    movement = make_movement(tree.MIN)
    reg = registered(tree, movement)
    mv.registration_delete(actor=None, registration=reg)
    assert not Registration.objects.exists()
    assert AuditEvent.objects.filter(action="movement.registration_delete").exists()


# --- reviews and exemplars ---------------------------------------------------------------


def confirmed(tree: Any, movement: Movement, person: Any = None) -> Registration:
    reg = mv.registration_create(
        actor=None, movement=movement, unit=tree.KTTV_A, person=person,
        aimed_titles=["LDTT"] if person else ["TTLDTT"], on=ON,
    )  # fmt: skip
    mv.registration_submit(actor=None, registration=reg)
    mv.registrations_confirm(actor=None, registrations=[reg])
    reg.refresh_from_db()
    return reg


def test_review_marks_are_saved_once_per_stage_and_changes_audited(tree: Any) -> None:
    movement = make_movement(tree.MIN)
    collective, _individual = with_criteria(movement)
    reg = confirmed(tree, movement)
    entries = [
        mv.MarkEntry(reg.pk, collective[0].pk, True),
        mv.MarkEntry(reg.pk, collective[1].pk, None),  # untouched: no row
    ]
    stage = ReviewStage.PRELIMINARY
    assert mv.review_marks_save(actor=None, movement=movement, stage=stage, entries=entries) == 1
    assert mv.review_marks_save(actor=None, movement=movement, stage=stage, entries=entries) == 0
    entries[0] = mv.MarkEntry(reg.pk, collective[0].pk, False, comment="Chậm tiến độ")
    assert mv.review_marks_save(actor=None, movement=movement, stage=stage, entries=entries) == 1
    mv.review_marks_save(
        actor=None, movement=movement, stage=ReviewStage.FINAL,
        entries=[mv.MarkEntry(reg.pk, collective[0].pk, True)],
    )  # fmt: skip
    assert ReviewMark.objects.count() == 2
    assert AuditEvent.objects.filter(action="movement.review_mark").count() == 3
    with pytest.raises(IntegrityError), transaction.atomic():
        ReviewMark.objects.create(registration=reg, criterion=collective[0], stage=stage)


def test_review_refuses_unconfirmed_registrations_and_foreign_criteria(
    tree: Any, person_a: Any
) -> None:
    movement = make_movement(tree.MIN)
    collective, individual = with_criteria(movement)
    draft = registered(tree, movement, tree.KTTV_B)
    reg = confirmed(tree, movement)
    other = make_movement(tree.MIN, code="KHAC")
    foreign = mv.criterion_add(
        actor=None, movement=other, target=CriterionTarget.COLLECTIVE, text="Khác"
    )
    for entry in (
        mv.MarkEntry(draft.pk, collective[0].pk, True),
        mv.MarkEntry(reg.pk, individual[0].pk, True),  # an individual criterion
        mv.MarkEntry(reg.pk, foreign.pk, True),
    ):
        with pytest.raises(ValidationFailed):
            mv.review_marks_save(
                actor=None, movement=movement, stage=ReviewStage.PRELIMINARY, entries=[entry]
            )
    assert not ReviewMark.objects.exists()


def test_exemplar_candidates_are_handed_over(tree: Any, person_a: Any) -> None:
    movement = make_movement(tree.MIN)
    unit_reg = confirmed(tree, movement)
    person_reg = confirmed(tree, movement, person_a)
    draft = registered(tree, movement, tree.KTTV_B)
    with pytest.raises(Conflict):
        mv.register_as_exemplar_candidate(actor=None, registration=draft)
    mv.register_as_exemplar_candidate(
        actor=None, registration=person_reg, note="Sáng kiến dự báo mưa lớn"
    )
    assert mv.exemplar_candidates(movement) == [person_reg]
    assert mv.exemplar_candidates(movement)[0].exemplar_note == "Sáng kiến dự báo mưa lớn"
    mv.register_as_exemplar_candidate(actor=None, registration=unit_reg)
    assert len(mv.exemplar_candidates(movement)) == 2
    mv.exemplar_candidate_withdraw(actor=None, registration=person_reg)
    assert mv.exemplar_candidates(movement) == [unit_reg]
    assert AuditEvent.objects.filter(action="movement.exemplar_recommend").count() == 2


def test_staff_who_join_later_cannot_be_registered_before(tree: Any) -> None:
    person = ppl.person_create(
        actor=None, code="NEW1", full_name="Lê Văn Mới", unit=tree.KTTV_A,
        started_on=dt.date(2025, 3, 1),
    )  # fmt: skip
    movement = make_movement(tree.MIN)
    with pytest.raises(ValidationFailed):
        mv.registration_create(
            actor=None, movement=movement, unit=tree.KTTV_A, person=person,
            aimed_titles=["LDTT"], on=ON,
        )  # fmt: skip
    mv.registration_create(
        actor=None, movement=movement, unit=tree.KTTV_A, person=person,
        aimed_titles=["LDTT"], on=dt.date(2025, 3, 2),
    )  # fmt: skip
