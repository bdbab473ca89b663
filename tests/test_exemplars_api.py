"""Exemplars API (CONTRACT.md, "Exemplars": create, read, transitions, assessment), and the
movement page's link from an exemplar candidate to the exemplar."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from exemplars import services as ex
from exemplars.models import Exemplar, ExemplarState
from movements import services as mv
from movements.models import Movement
from people import services as ppl
from people.models import Person
from tests.conftest import START
from tests.test_eligibility_rules import give, initiative, rate

pytestmark = pytest.mark.django_db

Y = 2024
BASE = "/api/v1/exemplars"
S = ExemplarState


def body(subject: Person | Any, **extra: Any) -> dict[str, Any]:
    kind = "person" if isinstance(subject, Person) else "unit"
    return {
        "subject": {"kind": kind, "code": subject.code},
        "title": "Mô hình dự báo mưa lớn bằng dữ liệu radar",
        "practice_summary": "Ứng dụng radar thời tiết vào dự báo mưa lớn cục bộ.",
        "unit": "KTTV_A",
        "year": Y,
        **extra,
    }


def excellent(person: Person, year: int = Y) -> None:
    """What the default standard reads for a one-year review period."""
    rate(person, {year: "HTXSNV"})
    give(person, "CSTDCS", year)
    initiative(person, year)


def created(api_as: Any, subject: Any, **extra: Any) -> dict[str, Any]:
    response = api_as("officer").post(BASE, body(subject, **extra))
    assert response.status_code == 201, response.content
    return response.json()  # type: ignore[no-any-return]


def move(client: Any, pk: int, to: str, **extra: Any) -> Any:
    return client.post(f"{BASE}/{pk}/transitions", {"to": to, **extra})


def errors_of(response: Any) -> dict[str, str]:
    return {e["field"]: e["message"] for e in response.json()["errors"]}


# --- create and read ------------------------------------------------------------------


def test_create_answers_201_discovered_with_the_body_keys(
    api_as: Any, tree: Any, person_a: Person
) -> None:
    data = created(api_as, person_a, field="Dự báo, cảnh báo")
    assert data["state"] == "DISCOVERED"
    assert isinstance(data["id"], int)
    assert data["subject"] == {"kind": "person", "code": "P001", "name": "Nguyễn Văn An"}
    assert data["title"] == "Mô hình dự báo mưa lớn bằng dữ liệu radar"
    assert data["practice_summary"].startswith("Ứng dụng radar")
    assert data["unit"] == "KTTV_A"
    assert data["year"] == Y
    assert data["field"] == "Dự báo, cảnh báo"
    assert data["standard"] == "DHTT-BTNMT-2023"  # no plan: the default standard
    assert data["recognized_year"] is None
    exemplar = Exemplar.objects.get(pk=data["id"])
    assert exemplar.person == person_a
    assert exemplar.created_by is not None and exemplar.created_by.username == "officer"


def test_a_collective_is_registered_by_unit_code(api_as: Any, tree: Any) -> None:
    data = created(api_as, tree.KTTV_A)
    assert data["subject"]["kind"] == "unit"
    assert data["subject"]["code"] == "KTTV_A"


def test_get_has_state_and_history_with_the_contract_keys(
    api_as: Any, tree: Any, person_a: Person
) -> None:
    pk = created(api_as, person_a)["id"]
    assert move(api_as("officer"), pk, "FOSTERING", note="Bồi dưỡng").status_code == 200
    response = api_as("viewer").get(f"{BASE}/{pk}")
    assert response.status_code == 200
    data = response.json()
    assert data["state"] == "FOSTERING"
    history = data["history"]
    assert [(h["from"], h["to"]) for h in history] == [
        (None, "DISCOVERED"),
        ("DISCOVERED", "FOSTERING"),
    ]
    for step in history:
        assert {"from", "to", "at", "by", "note"} <= set(step)
        dt.datetime.fromisoformat(step["at"])
    assert [h["by"] for h in history] == ["officer", "officer"]
    assert history[1]["note"] == "Bồi dưỡng"


# --- transitions ----------------------------------------------------------------------


def test_transitions_answer_200_with_the_state(api_as: Any, tree: Any, person_a: Person) -> None:
    excellent(person_a)
    pk = created(api_as, person_a)["id"]
    response = move(api_as("officer"), pk, "FOSTERING")
    assert response.status_code == 200
    assert response.json()["state"] == "FOSTERING"
    response = move(api_as("head"), pk, "RECOGNIZED", year=Y)
    assert response.status_code == 200, response.content
    assert response.json()["state"] == "RECOGNIZED"
    assert response.json()["id"] == pk
    response = move(api_as("standing"), pk, "PROPOSED", note="Đề nghị Bộ công nhận")
    assert response.json()["state"] == "PROPOSED"
    response = move(
        api_as("standing"),
        pk,
        "SECTOR",
        decision_number="123/QĐ-BTNMT",
        decision_date="2025-03-01",
        authority="Bộ Tài nguyên và Môi trường",
    )
    assert response.status_code == 200, response.content
    data = api_as("standing").get(f"{BASE}/{pk}").json()
    assert data["state"] == "SECTOR"
    assert data["recognized_year"] == Y
    assert data["history"][-1]["decision_number"] == "123/QĐ-BTNMT"


def test_an_illegal_move_is_409_and_changes_nothing(
    api_as: Any, tree: Any, person_a: Person
) -> None:
    pk = created(api_as, person_a)["id"]
    response = move(api_as("admin"), pk, "NATIONAL")
    assert response.status_code == 409
    assert "Mới phát hiện" in response.json()["detail"]
    assert Exemplar.objects.get(pk=pk).state == S.DISCOVERED
    # Out of the funnel for good: REVOKED leads nowhere.
    assert move(api_as("officer"), pk, "DROPPED", note="Chuyển công tác").status_code == 200
    assert move(api_as("admin"), pk, "RECOGNIZED").status_code == 409


def test_unknown_state_and_missing_reason_are_422(api_as: Any, tree: Any, person_a: Person) -> None:
    pk = created(api_as, person_a)["id"]
    response = move(api_as("officer"), pk, "FINISHED")
    assert response.status_code == 422
    assert "to" in errors_of(response)
    response = move(api_as("officer"), pk, "DROPPED")
    assert response.status_code == 422
    assert errors_of(response) == {"note": "Cần ghi rõ lý do."}


def test_recognising_a_subject_failing_the_standard_names_each_failing_criterion(
    api_as: Any, tree: Any, person_a: Person
) -> None:
    rate(person_a, {Y: "HTTNV"})  # good, not excellent; no CSTĐCS, no initiative
    pk = created(api_as, person_a)["id"]
    move(api_as("officer"), pk, "FOSTERING")
    response = move(api_as("head"), pk, "RECOGNIZED")
    assert response.status_code == 422
    payload = response.json()
    assert str(Y) in payload["detail"]
    failing = errors_of(response)
    assert set(failing) == {
        "conditions.DH.CN.xep_loai",
        "conditions.DH.CN.cstdcs",
        "conditions.DH.CN.sang_kien",
    }
    assert all(message for message in failing.values())
    assert Exemplar.objects.get(pk=pk).state == S.FOSTERING


def test_a_head_whose_unit_is_not_a_collective_exemplar_is_422_on_that_criterion(
    api_as: Any, tree: Any
) -> None:
    head = ppl.person_create(
        actor=None,
        code="H001",
        full_name="Trần Thị Hoa",
        unit=tree.KTTV_A,
        started_on=START,
        is_head=True,
    )
    excellent(head)
    pk = created(api_as, head)["id"]
    move(api_as("officer"), pk, "FOSTERING")
    response = move(api_as("head"), pk, "RECOGNIZED")
    assert response.status_code == 422
    failing = errors_of(response)
    assert list(failing) == ["conditions.DH.CN.thu_truong"]
    assert tree.KTTV_A.name in failing["conditions.DH.CN.thu_truong"]
    # Once the unit is recognised as a collective exemplar, the head passes.
    give(None, "TTLDXS", Y, unit=tree.KTTV_A)
    unit_pk = created(api_as, tree.KTTV_A)["id"]
    move(api_as("officer"), unit_pk, "FOSTERING")
    assert move(api_as("head"), unit_pk, "RECOGNIZED").status_code == 200
    assert move(api_as("head"), pk, "RECOGNIZED").status_code == 200


# --- assessment -----------------------------------------------------------------------


def test_assessment_has_the_condition_shape_and_judgements_block_only_when_not_met(
    api_as: Any, tree: Any, person_a: Person
) -> None:
    excellent(person_a)
    pk = created(api_as, person_a)["id"]
    head = api_as("head")
    response = head.get(f"{BASE}/{pk}/assessment?year={Y}")
    assert response.status_code == 200
    data = response.json()
    assert data["passed"] is True
    assert data["year"] == Y
    conditions = {c["id"]: c for c in data["conditions"]}
    for condition in data["conditions"]:
        assert set(condition) == {"id", "met", "kind", "citation", "explanation"}
        assert condition["kind"] in ("record", "judgement")
        assert condition["citation"] and condition["explanation"]
    assert conditions["DH.CN.xep_loai"]["met"] is True
    assert conditions["DH.CN.xep_loai"]["kind"] == "record"
    judgements = [c for c in data["conditions"] if c["kind"] == "judgement"]
    assert judgements and all(c["met"] is None for c in judgements)  # not yet reviewed

    review = head.post(
        f"{BASE}/{pk}/reviews",
        {"year": Y, "condition": "DH.CN.pham_chat", "met": False, "comment": "Chưa nổi bật."},
    )
    assert review.status_code == 201, review.content
    assert review.json()["met"] is False
    data = head.get(f"{BASE}/{pk}/assessment?year={Y}").json()
    assert data["passed"] is False
    assert {c["id"]: c["met"] for c in data["conditions"]}["DH.CN.pham_chat"] is False
    # The failing judgement also blocks recognition.
    move(api_as("officer"), pk, "FOSTERING")
    blocked = move(head, pk, "RECOGNIZED", year=Y)
    assert blocked.status_code == 422
    assert list(errors_of(blocked)) == ["conditions.DH.CN.pham_chat"]
    # Recorded as met, it no longer blocks.
    head.post(
        f"{BASE}/{pk}/reviews",
        {"year": Y, "condition": "DH.CN.pham_chat", "met": True, "comment": "Đã xác minh."},
    )
    data = head.get(f"{BASE}/{pk}/assessment?year={Y}").json()
    assert data["passed"] is True
    assert {c["id"]: c["met"] for c in data["conditions"]}["DH.CN.pham_chat"] is True


def test_assessment_of_a_record_failure_is_not_passed(
    api_as: Any, tree: Any, person_a: Person
) -> None:
    rate(person_a, {Y: "HTXSNV"})
    pk = created(api_as, person_a)["id"]
    data = api_as("officer").get(f"{BASE}/{pk}/assessment?year={Y}").json()
    assert data["passed"] is False
    met = {c["id"]: c["met"] for c in data["conditions"]}
    assert met["DH.CN.xep_loai"] is True
    assert met["DH.CN.cstdcs"] is False


def test_assessment_year_defaults_to_registration_and_bad_year_is_422(
    api_as: Any, tree: Any, person_a: Person
) -> None:
    pk = created(api_as, person_a)["id"]
    assert api_as("officer").get(f"{BASE}/{pk}/assessment").json()["year"] == Y
    response = api_as("officer").get(f"{BASE}/{pk}/assessment?year=1800")
    assert response.status_code == 422
    assert "year" in errors_of(response)


def test_a_review_of_an_unknown_criterion_is_422(api_as: Any, tree: Any, person_a: Person) -> None:
    pk = created(api_as, person_a)["id"]
    response = api_as("head").post(
        f"{BASE}/{pk}/reviews",
        {"year": Y, "condition": "DH.CN.xep_loai", "met": True, "comment": "Đạt."},
    )
    assert response.status_code == 422
    assert "không phải tiêu chí cần đánh giá" in errors_of(response)["condition_id"]


# --- permissions ----------------------------------------------------------------------


def test_without_a_token_everything_is_401(api_as: Any, tree: Any, person_a: Person) -> None:
    pk = created(api_as, person_a)["id"]
    anonymous = api_as(None)
    assert anonymous.post(BASE, body(person_a)).status_code == 401
    assert anonymous.get(f"{BASE}/{pk}").status_code == 401
    assert move(anonymous, pk, "FOSTERING").status_code == 401
    assert anonymous.get(f"{BASE}/{pk}/assessment").status_code == 401
    bad = Client().get(f"{BASE}/{pk}", headers={"Authorization": "Bearer nope"})
    assert bad.status_code == 401


def test_another_units_exemplar_is_404(api_as: Any, tree: Any, person_a: Person) -> None:
    pk = created(api_as, person_a)["id"]
    outsider = api_as("outsider")  # officer of the Sóc Trăng department
    assert outsider.get(f"{BASE}/{pk}").status_code == 404
    assert move(outsider, pk, "FOSTERING").status_code == 404
    assert outsider.get(f"{BASE}/{pk}/assessment").status_code == 404
    assert outsider.get(f"{BASE}/999999").status_code == 404
    # Registering in, or a subject from, a unit out of scope: 404 as well.
    assert outsider.post(BASE, body(person_a)).status_code == 404
    assert outsider.post(BASE, body(person_a, unit="ST_VP")).status_code == 404
    assert Exemplar.objects.count() == 1


def test_the_viewer_reads_but_cannot_write(api_as: Any, tree: Any, person_a: Person) -> None:
    pk = created(api_as, person_a)["id"]
    viewer = api_as("viewer")
    assert viewer.get(f"{BASE}/{pk}").status_code == 200
    assert viewer.post(BASE, body(person_a)).status_code == 403
    assert move(viewer, pk, "FOSTERING").status_code == 403
    review = viewer.post(
        f"{BASE}/{pk}/reviews",
        {"year": Y, "condition": "DH.CN.pham_chat", "met": True, "comment": "Đạt."},
    )
    assert review.status_code == 403
    assert Exemplar.objects.get(pk=pk).state == S.DISCOVERED


def test_each_move_needs_the_role_that_owns_it(api_as: Any, tree: Any, person_a: Person) -> None:
    excellent(person_a)
    pk = created(api_as, person_a)["id"]
    move(api_as("officer"), pk, "FOSTERING")
    assert move(api_as("officer"), pk, "RECOGNIZED").status_code == 403
    assert move(api_as("council"), pk, "RECOGNIZED").status_code == 403
    assert move(api_as("head"), pk, "RECOGNIZED").status_code == 200
    assert move(api_as("head"), pk, "PROPOSED").status_code == 403
    assert move(api_as("standing"), pk, "PROPOSED").status_code == 200


def test_comms_may_read_the_exemplar_but_not_its_assessment(
    api_as: Any, tree: Any, person_a: Person
) -> None:
    pk = created(api_as, person_a)["id"]
    comms = api_as("comms")
    assert comms.get(f"{BASE}/{pk}").status_code == 200
    response = comms.get(f"{BASE}/{pk}/assessment")
    assert response.status_code == 403
    assert response.json()["detail"]
    assert api_as("viewer").get(f"{BASE}/{pk}/assessment").status_code == 403
    assert api_as("council").get(f"{BASE}/{pk}/assessment").status_code == 200


# --- validation -----------------------------------------------------------------------


def test_schema_errors_are_422_in_vietnamese(api_as: Any, tree: Any, person_a: Person) -> None:
    officer = api_as("officer")
    response = officer.post(BASE, {"subject": {"kind": "person", "code": "P001"}})
    assert response.status_code == 422
    errors = errors_of(response)
    assert response.json()["detail"] == "Dữ liệu không hợp lệ."
    assert errors["title"] == "Trường này là bắt buộc."
    assert errors["practice_summary"] == "Trường này là bắt buộc."
    assert errors["unit"] == "Trường này là bắt buộc."
    assert errors["year"] == "Trường này là bắt buộc."
    response = officer.post(BASE, body(person_a, title="", year="năm nay"))
    errors = errors_of(response)
    assert errors["title"] == "Không được để trống."
    assert errors["year"] == "Phải là số nguyên."
    response = officer.post(BASE, {**body(person_a), "subject": {"kind": "group", "code": "X"}})
    assert response.status_code == 422
    assert errors_of(response)["subject.kind"].startswith("Giá trị phải là một trong")
    assert not Exemplar.objects.exists()


def test_service_errors_are_422_in_vietnamese(api_as: Any, tree: Any, person_a: Person) -> None:
    officer = api_as("officer")
    response = officer.post(BASE, body(person_a, year=1999))
    assert response.status_code == 422
    assert errors_of(response)["year"].startswith("Năm đăng ký phải từ 2000")
    # A person of another unit of the officer's scope is not this unit's to register.
    other = ppl.person_create(
        actor=None, code="P002", full_name="Lê Văn Bình", unit=tree.KTTV_B, started_on=START
    )
    response = officer.post(BASE, body(other))
    assert response.status_code == 422
    assert "không thuộc đơn vị" in errors_of(response)["subject"]
    response = officer.post(BASE, body(person_a, plan="KH-KHONG-CO"))
    assert response.status_code == 422
    assert errors_of(response)["plan"] == "Không tìm thấy kế hoạch “KH-KHONG-CO”."
    response = officer.post(BASE, body(person_a, practice_summary="   "))
    assert response.status_code == 422
    assert "practice_summary" in errors_of(response)
    assert not Exemplar.objects.exists()


def test_sector_needs_the_decision_of_the_level_above(
    api_as: Any, tree: Any, person_a: Person
) -> None:
    excellent(person_a)
    pk = created(api_as, person_a)["id"]
    move(api_as("officer"), pk, "FOSTERING")
    move(api_as("head"), pk, "RECOGNIZED")
    move(api_as("standing"), pk, "PROPOSED")
    response = move(api_as("standing"), pk, "SECTOR")
    assert response.status_code == 422
    assert set(errors_of(response)) == {"decision_number", "decision_date", "authority"}
    assert errors_of(response)["decision_number"] == "Cần số quyết định của cấp trên."


# --- the movement page links its exemplar candidates ------------------------------------


def candidates_movement(tree: Any, person_a: Person) -> Movement:
    movement = mv.movement_create(
        actor=None,
        launching_unit=tree.MIN,
        code="PT2025",
        name="Kỷ cương trách nhiệm, chủ động kịp thời",
        kind="REGULAR",
        starts_on=dt.date(2025, 1, 1),
        ends_on=dt.date(2099, 12, 31),
    )
    for unit, person in ((tree.KTTV_A, person_a), (tree.KTTV_B, None), (tree.ST_VP, None)):
        reg = mv.registration_create(
            actor=None,
            movement=movement,
            unit=unit,
            person=person,
            aimed_titles=["LDTT"] if person else ["TTLDTT"],
            on=dt.date(2025, 2, 1),
        )
        mv.registration_submit(actor=None, registration=reg)
        mv.registrations_confirm(actor=None, registrations=[reg])
        reg.refresh_from_db()
        mv.register_as_exemplar_candidate(actor=None, registration=reg, note="Cách làm hay.")
    return movement


def page(user: Any, movement: Movement) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(f"/movements/{movement.pk}/")
    assert response.status_code == 200
    return response.content.decode()


def test_candidates_link_to_register_or_to_the_existing_exemplar(
    tree: Any, personas: Any, person_a: Person
) -> None:
    movement = candidates_movement(tree, person_a)
    html = page(personas.officer, movement)
    register_person = f"/exemplars/new/?movement={movement.pk}&amp;person=P001"
    register_unit = f"/exemplars/new/?movement={movement.pk}&amp;unit=KTTV_B"
    assert register_person in html
    assert register_unit in html
    assert html.count("Đăng ký điển hình") == 2
    # Once registered from the movement, the candidate links to its exemplar instead.
    exemplar = ex.exemplar_create(
        actor=personas.officer,
        unit=tree.KTTV_B,
        subject_unit=tree.KTTV_B,
        title="Tập thể dự báo",
        practice_summary="Cách làm hay.",
        year=2025,
        movement=movement,
    )
    html = page(personas.officer, movement)
    assert register_unit not in html
    assert f'href="/exemplars/{exemplar.pk}/"' in html
    assert "Xem điển hình" in html
    assert register_person in html
    # An exemplar of the same subject outside this movement does not count.
    ex.exemplar_create(
        actor=personas.officer,
        unit=tree.KTTV_A,
        person=person_a,
        title="Đăng ký riêng",
        practice_summary="Không qua phong trào.",
        year=2025,
    )
    assert register_person in page(personas.officer, movement)


def test_only_users_managing_the_candidates_unit_get_the_register_link(
    tree: Any, personas: Any, person_a: Person
) -> None:
    movement = candidates_movement(tree, person_a)
    for persona in ("viewer", "comms", "council"):
        html = page(getattr(personas, persona), movement)
        assert "Đăng ký điển hình" not in html, persona
        assert "/exemplars/new/" not in html, persona
    # The Sóc Trăng officer manages its own candidate only.
    html = page(personas.outsider, movement)
    assert f"/exemplars/new/?movement={movement.pk}&amp;unit=ST_VP" in html
    assert "person=P001" not in html
    # The standing body of the ministry manages all three.
    assert page(personas.standing, movement).count("Đăng ký điển hình") == 3


def test_a_viewer_still_sees_the_link_to_an_existing_exemplar(
    tree: Any, personas: Any, person_a: Person
) -> None:
    movement = candidates_movement(tree, person_a)
    exemplar = ex.exemplar_create(
        actor=personas.officer,
        unit=tree.KTTV_A,
        person=person_a,
        title="Cá nhân điển hình",
        practice_summary="Cách làm hay.",
        year=2025,
        movement=movement,
    )
    html = page(personas.viewer, movement)
    assert f'href="/exemplars/{exemplar.pk}/"' in html


def test_the_candidate_links_cost_one_query_whatever_their_number(
    tree: Any, personas: Any, person_a: Person
) -> None:
    movement = candidates_movement(tree, person_a)
    client = Client()
    client.force_login(personas.standing)
    url = f"/movements/{movement.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for index in range(4):
        person = ppl.person_create(
            actor=None,
            code=f"P1{index}",
            full_name=f"Cán bộ {index}",
            unit=tree.KTTV_A,
            started_on=START,
        )
        reg = mv.registration_create(
            actor=None,
            movement=movement,
            unit=tree.KTTV_A,
            person=person,
            aimed_titles=["LDTT"],
            on=dt.date(2025, 2, 1),
        )
        mv.registration_submit(actor=None, registration=reg)
        mv.registrations_confirm(actor=None, registrations=[reg])
        reg.refresh_from_db()
        mv.register_as_exemplar_candidate(actor=None, registration=reg, note="")
        ex.exemplar_create(
            actor=personas.officer,
            unit=tree.KTTV_A,
            person=person,
            title=f"Điển hình {index}",
            practice_summary="Cách làm hay.",
            year=2025,
            movement=movement,
        )
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert response.content.decode().count("Xem điển hình") == 4
    assert len(many) == len(few)
