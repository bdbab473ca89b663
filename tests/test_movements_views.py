"""Movement pages as the personas see them: list, create, criteria, registration,
head confirmation, review grid, exports, and permissions."""

from __future__ import annotations

import datetime as dt
from io import BytesIO
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

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
from tests.conftest import START
from tests.test_permissions import assert_object_pages

pytestmark = pytest.mark.django_db
ON = dt.date(2025, 2, 1)


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def make_movement(unit: Any, code: str = "PT2025", **extra: Any) -> Movement:
    values: dict[str, Any] = {
        "name": "Kỷ cương trách nhiệm, chủ động kịp thời",
        "kind": MovementKind.REGULAR,
        "starts_on": dt.date(2025, 1, 1),
        "ends_on": dt.date(2099, 12, 31),
        "preliminary_review_on": dt.date(2025, 7, 15),
    }
    values.update(extra)
    movement = mv.movement_create(actor=None, launching_unit=unit, code=code, **values)
    for target, text in (
        (CriterionTarget.COLLECTIVE, "Hoàn thành tốt nhiệm vụ được giao"),
        (CriterionTarget.COLLECTIVE, "Nội bộ đoàn kết"),
        (CriterionTarget.INDIVIDUAL, "Có sáng kiến"),
    ):
        mv.criterion_add(actor=None, movement=movement, target=target, text=text)
    return movement


def submitted(movement: Movement, unit: Any, person: Any = None) -> Registration:
    reg = mv.registration_create(
        actor=None, movement=movement, unit=unit, person=person,
        aimed_titles=["LDTT"] if person else ["TTLDTT"], on=ON,
    )  # fmt: skip
    mv.registration_submit(actor=None, registration=reg)
    return reg


# --- permissions ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "persona", ["outsider", "viewer", "officer", "head", "standing", "council", "comms"]
)
def test_object_pages_allow_deny_and_hide(tree: Any, personas: Any, persona: str) -> None:
    movement = make_movement(tree.KTTV)
    reg = mv.registration_create(
        actor=None, movement=movement, unit=tree.KTTV_A, aimed_titles=["TTLDTT"], on=ON
    )
    client = login(getattr(personas, persona))
    checked = assert_object_pages(
        client, persona, "movements", {"pk": str(movement.pk), "reg": str(reg.pk)}
    )
    assert checked >= 13


def test_a_ministry_movement_is_seen_below_and_an_other_units_is_not(
    tree: Any, personas: Any
) -> None:
    ministry = make_movement(tree.MIN, code="BO")
    kttv = make_movement(tree.KTTV, code="TC")
    st = make_movement(tree.ST, code="SO")
    officer = login(personas.officer)
    codes = [m.code for m in officer.get("/movements/").context["page"].object_list]
    assert sorted(codes) == ["BO", "TC"]
    assert officer.get(f"/movements/{ministry.pk}/").status_code == 200
    assert officer.get(f"/movements/{st.pk}/").status_code == 404
    # Seen from below, but only the launching unit changes it.
    assert officer.get(f"/movements/{ministry.pk}/edit/").status_code == 403
    assert officer.get(f"/movements/{kttv.pk}/edit/").status_code == 200
    assert officer.get(f"/movements/{ministry.pk}/register/").status_code == 200


def test_registrations_of_other_units_stay_hidden(tree: Any, personas: Any) -> None:
    movement = make_movement(tree.MIN)
    mine = submitted(movement, tree.KTTV_A)
    theirs = submitted(movement, tree.ST_VP)
    officer = login(personas.officer)
    listed = officer.get(f"/movements/{movement.pk}/registrations/").context["page"].object_list
    assert [r.pk for r in listed] == [mine.pk]
    assert officer.get(f"/movements/registrations/{theirs.pk}/").status_code == 404
    # The launching unit's standing body sees both.
    standing = login(personas.standing)
    listed = standing.get(f"/movements/{movement.pk}/registrations/").context["page"].object_list
    assert {r.pk for r in listed} == {mine.pk, theirs.pk}


# --- list -----------------------------------------------------------------------------------


def test_list_search_filters_and_export(tree: Any, personas: Any) -> None:
    make_movement(tree.MIN, code="A2025", name="Kỷ cương trách nhiệm năm 2025")
    make_movement(
        tree.KTTV, code="CDS", name="Chuyển đổi số", kind=MovementKind.THEMATIC,
        starts_on=dt.date(2024, 3, 1), ends_on=dt.date(2024, 12, 31),
        preliminary_review_on=None,
    )  # fmt: skip
    client = login(personas.officer)

    def codes(**params: str) -> list[str]:
        return [m.code for m in client.get("/movements/", params).context["page"].object_list]

    assert codes(q="ky cuong") == ["A2025"]
    assert codes(q="CHUYEN DOI") == ["CDS"]
    assert codes(kind="THEMATIC") == ["CDS"]
    assert codes(year="2024") == ["CDS"]
    assert codes(unit="MIN") == ["A2025"]
    response = client.get("/movements/", {"format": "xlsx", "kind": "REGULAR"})
    sheet = load_workbook(BytesIO(response.content)).worksheets[0]
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Mã"
    assert [r[0] for r in rows[1:]] == ["A2025"]
    assert rows[1][4] == "01/01/2025"


def test_list_query_count_does_not_grow(
    tree: Any, personas: Any, django_assert_max_num_queries: Any
) -> None:
    make_movement(tree.MIN, code="M0")
    client = login(personas.officer)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/movements/").status_code == 200
    for n in range(1, 30):
        movement = make_movement(tree.KTTV, code=f"M{n}")
        submitted(movement, tree.KTTV_A)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/movements/")
        assert len(response.context["page"].object_list) == 25


def test_registration_list_query_count_does_not_grow(
    tree: Any, personas: Any, django_assert_max_num_queries: Any
) -> None:
    movement = make_movement(tree.MIN)
    submitted(movement, tree.KTTV_A)
    url = f"/movements/{movement.pk}/registrations/"
    client = login(personas.officer)
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
    for n in range(40):
        person = ppl.person_create(
            actor=None, code=f"R{n:03d}", full_name=f"Nguyễn Văn {n}",
            unit=tree.KTTV_B if n % 2 else tree.KTTV_A, started_on=START,
        )  # fmt: skip
        submitted(movement, person.unit, person)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(client.get(url).context["page"].object_list) == 25
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url, {"format": "xlsx"}).status_code == 200


# --- create and criteria --------------------------------------------------------------------


def test_standing_body_launches_a_movement_and_adds_criteria(tree: Any, personas: Any) -> None:
    client = login(personas.standing)
    response = client.post(
        "/movements/new/",
        {
            "code": "PT-2025",
            "launching_unit": "MIN",
            "name": "Kỷ cương trách nhiệm",
            "kind": "REGULAR",
            "starts_on": "01/01/2025",
            "ends_on": "31/12/2025",
            "preliminary_review_on": "15/07/2025",
            "final_review_on": "01/07/2025",
        },
    )
    assert response.status_code == 200
    assert "Ngày tổng kết sớm hơn ngày sơ kết." in response.content.decode()
    response = client.post(
        "/movements/new/",
        {"code": "PT-2025", "launching_unit": "MIN", "name": "Kỷ cương trách nhiệm",
         "kind": "REGULAR", "starts_on": "01/01/2025"},
    )  # fmt: skip
    movement = Movement.objects.get(code="PT-2025")
    assert response["Location"] == f"/movements/{movement.pk}/criteria/"
    url = f"/movements/{movement.pk}/criteria/"
    client.post(url, {"action": "add", "target": "INDIVIDUAL", "text": "Có sáng kiến"})
    client.post(url, {"action": "add", "target": "INDIVIDUAL", "text": "Chấp hành kỷ luật"})
    second = movement.criteria.get(text="Chấp hành kỷ luật")
    client.post(url, {"action": "up", "criterion": second.pk})
    page = client.get(f"/movements/{movement.pk}/").content.decode()
    assert page.index("Chấp hành kỷ luật") < page.index("Có sáng kiến")


def test_viewer_cannot_launch(personas: Any) -> None:
    assert login(personas.viewer).get("/movements/new/").status_code == 403


# --- registration and confirmation -----------------------------------------------------------


def test_officer_registers_the_unit_and_staff_in_one_form(
    tree: Any, personas: Any, person_a: Any
) -> None:
    other = ppl.person_create(
        actor=None, code="P002", full_name="Trần Thị Bình", unit=tree.KTTV_A, started_on=START
    )
    movement = make_movement(tree.MIN)
    client = login(personas.officer)
    page = client.get(f"/movements/{movement.pk}/register/", {"unit": "KTTV_A"})
    assert "Trần Thị Bình" in page.content.decode()
    # Units outside the officer's scope are not offered.
    assert "ST_VP" not in page.content.decode()
    response = client.post(
        f"/movements/{movement.pk}/register/",
        {
            "unit": "KTTV_A",
            "collective": "1",
            "collective_titles": ["TTLDTT"],
            "person": [str(person_a.pk), str(other.pk)],
            f"title_{person_a.pk}": "CSTDCS",
            f"title_{other.pk}": "LDTT",
            "submit_now": "1",
        },
    )
    assert response.status_code == 302
    regs = Registration.objects.filter(movement=movement)
    assert regs.count() == 3
    assert set(regs.values_list("status", flat=True)) == {RegistrationStatus.SUBMITTED}
    assert list(regs.get(person=person_a).aimed_titles.values_list("code", flat=True)) == ["CSTDCS"]
    # Registering again: the page says who is already in.
    again = client.get(f"/movements/{movement.pk}/register/", {"unit": "KTTV_A"}).content.decode()
    assert "Đơn vị đã đăng ký tập thể trong phong trào này." in again


def test_registration_form_shows_service_errors(tree: Any, personas: Any) -> None:
    movement = make_movement(tree.MIN)
    response = login(personas.officer).post(
        f"/movements/{movement.pk}/register/",
        {"unit": "KTTV_A", "collective": "1"},
    )
    assert response.status_code == 200
    assert "chưa chọn danh hiệu đăng ký" in response.content.decode()
    assert not Registration.objects.exists()


def test_head_confirms_with_a_check_step(tree: Any, personas: Any, person_a: Any) -> None:
    movement = make_movement(tree.MIN)
    unit_reg = submitted(movement, tree.KTTV_A)
    person_reg = submitted(movement, tree.KTTV_A, person_a)
    foreign = submitted(movement, tree.ST_VP)
    head = login(personas.head)
    url = f"/movements/{movement.pk}/confirm/"
    pending = head.get(url).context["pending"]
    assert {r.pk for r in pending} == {unit_reg.pk, person_reg.pk}  # not Sóc Trăng's
    step = head.post(url, {"reg": [unit_reg.pk, foreign.pk], "action": "confirm"})
    assert step.status_code == 200
    assert [r.pk for r in step.context["chosen"]] == [unit_reg.pk]
    unit_reg.refresh_from_db()
    assert unit_reg.status == RegistrationStatus.SUBMITTED  # nothing written yet
    done = head.post(url, {"reg": [unit_reg.pk], "action": "confirm", "confirmed": "1"})
    assert done.status_code == 302
    unit_reg.refresh_from_db()
    assert unit_reg.status == RegistrationStatus.CONFIRMED
    # A rejection needs a reason.
    response = head.post(url, {"reg": [person_reg.pk], "action": "reject"})
    assert "Cần ghi lý do từ chối." in response.content.decode()
    head.post(
        url,
        {"reg": [person_reg.pk], "action": "reject", "reason": "Bổ sung", "confirmed": "1"},
    )
    person_reg.refresh_from_db()
    assert person_reg.status == RegistrationStatus.REJECTED
    listed = head.get(f"/movements/{movement.pk}/registrations/").content.decode()
    assert "Đã xác nhận" in listed
    assert "Bổ sung" in listed


def test_officer_cannot_confirm(tree: Any, personas: Any) -> None:
    movement = make_movement(tree.MIN)
    reg = submitted(movement, tree.KTTV_A)
    officer = login(personas.officer)
    url = f"/movements/{movement.pk}/confirm/"
    assert officer.get(url).status_code == 403
    response = officer.post(url, {"reg": [reg.pk], "action": "confirm", "confirmed": "1"})
    assert response.status_code == 403
    reg.refresh_from_db()
    assert reg.status == RegistrationStatus.SUBMITTED


def test_officer_edits_and_resubmits_a_rejected_registration(tree: Any, personas: Any) -> None:
    movement = make_movement(tree.MIN)
    reg = submitted(movement, tree.KTTV_A)
    mv.registrations_reject(actor=personas.head, registrations=[reg], reason="Sai danh hiệu")
    client = login(personas.officer)
    client.post(
        f"/movements/registrations/{reg.pk}/edit/",
        {"aimed_titles": ["TTLDXS"], "pledge": "Cam kết mới"},
    )
    client.post(f"/movements/registrations/{reg.pk}/submit/")
    reg.refresh_from_db()
    assert reg.status == RegistrationStatus.SUBMITTED
    assert list(reg.aimed_titles.values_list("code", flat=True)) == ["TTLDXS"]
    page = client.get(f"/movements/registrations/{reg.pk}/").content.decode()
    assert "Cam kết mới" in page


# --- review ---------------------------------------------------------------------------------


def test_review_grid_saves_marks_and_exports(tree: Any, personas: Any, person_a: Any) -> None:
    movement = make_movement(tree.MIN)
    reg = submitted(movement, tree.KTTV_A)
    pending = submitted(movement, tree.KTTV_B)
    mv.registrations_confirm(actor=None, registrations=[reg])
    first, second = movement.criteria.filter(target=CriterionTarget.COLLECTIVE).order_by("order")
    client = login(personas.standing)
    url = f"/movements/{movement.pk}/review/"
    grid = client.get(url, {"stage": "PRELIMINARY", "target": "COLLECTIVE"}).context["grid"]
    assert [row["registration"].pk for row in grid] == [reg.pk]  # only confirmed ones
    response = client.post(
        url,
        {"stage": "PRELIMINARY", "target": "COLLECTIVE", "regs": [reg.pk, pending.pk],
         f"m_{reg.pk}_{first.pk}": "1", f"m_{reg.pk}_{second.pk}": "0"},
    )  # fmt: skip
    assert response.status_code == 302
    marks = dict(
        ReviewMark.objects.filter(stage=ReviewStage.PRELIMINARY).values_list("criterion", "met")
    )
    assert marks == {first.pk: True, second.pk: False}
    export = client.get(f"/movements/{movement.pk}/review/export/")
    rows = list(load_workbook(BytesIO(export.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[1][1] == tree.KTTV_A.name
    assert rows[1][3:5] == (1, 2)  # preliminary: 1 of 2 criteria met
    # Officers of a participating unit may not review a ministry movement.
    assert login(personas.officer).get(url).status_code == 403


def test_exemplar_recommendation_from_the_outcome_page(tree: Any, personas: Any) -> None:
    movement = make_movement(tree.MIN)
    reg = submitted(movement, tree.KTTV_A)
    mv.registrations_confirm(actor=None, registrations=[reg])
    client = login(personas.standing)
    client.post(
        f"/movements/registrations/{reg.pk}/outcome/",
        {"review_result": "Hoàn thành xuất sắc", "exemplar_recommended": "on",
         "exemplar_note": "Mô hình dự báo mới"},
    )  # fmt: skip
    assert [r.pk for r in mv.exemplar_candidates(movement)] == [reg.pk]
    page = client.get(f"/movements/{movement.pk}/").content.decode()
    assert "Đề xuất phát hiện điển hình" in page
    assert "Mô hình dự báo mới" in page


def test_criteria_are_edited_and_deleted_in_place(tree: Any, personas: Any) -> None:
    movement = make_movement(tree.KTTV)
    criterion = movement.criteria.get(text="Nội bộ đoàn kết")
    client = login(personas.officer)
    url = f"/movements/{movement.pk}/criteria/"
    form = client.get(url, {"edit": criterion.pk})
    assert "Nội bộ đoàn kết" in form.content.decode()
    client.post(
        url,
        {"action": "save", "criterion": criterion.pk, "target": "COLLECTIVE",
         "text": "Nội bộ đoàn kết, thống nhất", "max_points": "10"},
    )  # fmt: skip
    criterion.refresh_from_db()
    assert (criterion.text, criterion.max_points) == ("Nội bộ đoàn kết, thống nhất", 10)
    client.post(url, {"action": "delete", "criterion": criterion.pk})
    assert not movement.criteria.filter(pk=criterion.pk).exists()
    response = client.post(
        f"/movements/{movement.pk}/edit/",
        {"name": "Tên mới", "kind": "THEMATIC", "starts_on": "01/01/2025"},
    )
    assert response.status_code == 302
    movement.refresh_from_db()
    assert (movement.name, movement.kind, movement.ends_on) == ("Tên mới", "THEMATIC", None)
