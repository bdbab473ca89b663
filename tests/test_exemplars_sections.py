"""The assessment, fostering-plan and monitoring sections of the exemplar page, through
their views: reviews change the assessment, the services' rules show next to the fields,
the chart is a static SVG, and each page lets in, refuses (403) or hides (404)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.loader import render_to_string
from django.test import Client, RequestFactory

from audit.models import AuditEvent
from core.dates import today
from exemplars import services as ex
from exemplars.assessment import judgement_conditions
from exemplars.charts import checkin_chart
from exemplars.models import (
    CheckIn,
    CriterionReview,
    Exemplar,
    ExemplarState,
    SupportAction,
    SupportKind,
    SupportStatus,
)
from exemplars.sections import detail_sections
from tests import test_permissions
from tests.test_eligibility_rules import make_person
from tests.test_exemplars_lifecycle import Y, excellent, initiative, judge_all, register
from tests.test_permissions import assert_object_pages

pytestmark = pytest.mark.django_db
S = ExemplarState


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def fostered(tree: Any, personas: Any, code: str = "E01") -> Exemplar:
    """A staff member of KTTV_A whose records meet the standard for Y, being fostered."""
    person = make_person(tree, code)
    excellent(person, range(Y, Y + 1))
    initiative(person, Y)
    exemplar = register(personas.officer, tree.KTTV_A, person=person)
    ex.transition(actor=personas.officer, exemplar=exemplar, to=S.FOSTERING, note="Bồi dưỡng")
    return Exemplar.objects.get(pk=exemplar.pk)


def sections_of(response: Any) -> Any:
    return response.context["exemplar_sections"]


def first_judgement(exemplar: Exemplar) -> str:
    return str(judgement_conditions(exemplar)[0].id)


def url(exemplar: Exemplar, tail: str) -> str:
    return f"/exemplars/{exemplar.pk}/{tail}"


# --- permissions --------------------------------------------------------------------------


@pytest.fixture
def only_section_pages(monkeypatch: pytest.MonkeyPatch) -> None:
    """Walk this module's pages only: the other exemplar pages have their own walk."""
    every = test_permissions.site_patterns

    def mine() -> list[Any]:
        return [
            (route, ns, p)
            for route, ns, p in every()
            if getattr(p.callback, "__module__", "") == "exemplars.views_sections"
        ]

    monkeypatch.setattr(test_permissions, "site_patterns", mine)


@pytest.mark.parametrize(
    "persona", ["outsider", "viewer", "officer", "head", "standing", "council", "comms"]
)
def test_object_pages_allow_deny_and_hide(
    tree: Any, personas: Any, persona: str, only_section_pages: None
) -> None:
    exemplar = fostered(tree, personas)
    condition = first_judgement(exemplar)
    review = ex.review_record(
        actor=personas.head, exemplar=exemplar, year=Y, condition_id=condition, met=True,
        comment="Đạt", evidence=SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 test"),
    )  # fmt: skip
    action = ex.action_save(
        actor=None, exemplar=exemplar, kind=SupportKind.TRAINING, description="Tập huấn",
        due_on=dt.date(2025, 6, 1),
    )  # fmt: skip
    checkin = ex.checkin_save(
        actor=None, exemplar=exemplar, checked_on=dt.date(2025, 3, 1), effect=3, efficiency=3,
        potential=4, influence=2, narrative="Tiến bộ",
    )  # fmt: skip
    client = login(getattr(personas, persona))
    checked = assert_object_pages(
        client,
        persona,
        "exemplars",
        {
            "pk": str(exemplar.pk),
            "condition": condition,
            "review": str(review.pk),
            "action": str(action.pk),
            "checkin": str(checkin.pk),
        },
    )
    assert checked == 11


def test_an_object_of_another_exemplar_is_not_found(tree: Any, personas: Any) -> None:
    one = fostered(tree, personas, "E01")
    other = fostered(tree, personas, "E02")
    action = ex.action_save(
        actor=None, exemplar=other, kind=SupportKind.MORAL, description="Động viên",
        due_on=dt.date(2025, 6, 1),
    )  # fmt: skip
    officer = login(personas.officer)
    assert officer.get(url(one, f"actions/{action.pk}/")).status_code == 404
    assert officer.get(url(other, f"actions/{action.pk}/")).status_code == 200
    assert officer.get(url(one, "assessment/NOT.A.CRITERION/review/")).status_code == 404


# --- assessment ---------------------------------------------------------------------------


def test_recording_a_review_changes_the_assessment(tree: Any, personas: Any) -> None:
    exemplar = fostered(tree, personas)
    judge_all(personas.head, exemplar)
    head = login(personas.head)
    page = head.get(url(exemplar, ""))
    assessment = sections_of(page).assessment
    assert assessment.visible and assessment.year == Y
    assert assessment.result.passed is True
    assert assessment.pending_count == 0
    html = page.content.decode()
    assert 'data-testid="assessment-table"' in html
    assert "DHTT-BTNMT-2023" in html
    # Every criterion is listed, record ones and judgement ones.
    kinds = {r.outcome.condition.kind for r in assessment.rows}
    assert kinds == {"record", "judgement"}

    condition = first_judgement(exemplar)
    response = head.post(
        url(exemplar, f"assessment/{condition}/review/"),
        {
            "year": Y,
            "met": "0",
            "comment": "Chưa có mô hình nhân rộng được.",
            "evidence": SimpleUploadedFile("bien-ban.pdf", b"%PDF-1.4 minh chung"),
        },
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/exemplars/{exemplar.pk}/?year={Y}#assessment")
    review = CriterionReview.objects.get(exemplar=exemplar, year=Y, condition_id=condition)
    assert review.met is False and review.reviewed_by == personas.head
    assert AuditEvent.objects.filter(action="exemplar.review").count() > 0

    page = head.get(url(exemplar, f"?year={Y}"))
    assessment = sections_of(page).assessment
    assert assessment.result.passed is False
    assert assessment.failing_count == 1
    row = next(r for r in assessment.rows if r.outcome.condition.id == condition)
    assert row.outcome.met is False and row.review.pk == review.pk
    html = page.content.decode()
    assert "Chưa đạt" in html
    assert "Chưa có mô hình nhân rộng được." in html
    evidence = f"/exemplars/{exemplar.pk}/reviews/{review.pk}/evidence/"
    assert evidence in html
    assert "/media/" not in html
    download = head.get(evidence)
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == b"%PDF-1.4 minh chung"  # type: ignore[attr-defined]
    assert login(personas.comms).get(evidence).status_code == 403


def test_unreviewed_judgements_are_counted_and_shown_pending(tree: Any, personas: Any) -> None:
    exemplar = fostered(tree, personas)
    page = login(personas.officer).get(url(exemplar, ""))
    assessment = sections_of(page).assessment
    # Records meet the standard; nothing is recorded as not met yet (assessment.py).
    assert assessment.result.passed is True
    assert assessment.result.verdict == "NEEDS_JUDGEMENT"
    assert (
        assessment.pending_count
        == assessment.judgement_count
        == len(judgement_conditions(exemplar))
    )
    html = page.content.decode()
    assert "Chờ đánh giá" in html
    assert f"Còn {assessment.pending_count}/{assessment.pending_count} tiêu chí" in html


def test_a_review_needs_a_comment_and_nothing_is_written(tree: Any, personas: Any) -> None:
    exemplar = fostered(tree, personas)
    condition = first_judgement(exemplar)
    response = login(personas.officer).post(
        url(exemplar, f"assessment/{condition}/review/"), {"year": Y, "met": "1", "comment": " "}
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["comment"] == ["Cần ghi nhận xét của người đánh giá."]
    html = response.content.decode()
    assert re.search(r'id="id_rv-[\w-]+-comment_error"[^>]*>Cần ghi nhận xét', html)
    assert not CriterionReview.objects.exists()


def test_clearing_a_review_asks_first(tree: Any, personas: Any) -> None:
    exemplar = fostered(tree, personas)
    review = ex.review_record(
        actor=personas.head, exemplar=exemplar, year=Y,
        condition_id=first_judgement(exemplar), met=False, comment="Chưa đạt",
    )  # fmt: skip
    head = login(personas.head)
    confirm = head.get(url(exemplar, f"reviews/{review.pk}/clear/"))
    assert confirm.status_code == 200
    assert "Tiêu chí sẽ trở lại" in confirm.content.decode()
    # Without the confirmation nothing happens.
    head.post(url(exemplar, f"reviews/{review.pk}/clear/"), {})
    assert CriterionReview.objects.filter(pk=review.pk).exists()
    done = head.post(url(exemplar, f"reviews/{review.pk}/clear/"), {"confirmed": "1"})
    assert done.status_code == 302
    assert not CriterionReview.objects.filter(pk=review.pk).exists()
    assert AuditEvent.objects.filter(action="exemplar.review_clear").count() == 1


def test_the_year_selector_assesses_another_year(tree: Any, personas: Any) -> None:
    exemplar = fostered(tree, personas)
    officer = login(personas.officer)
    assessment = sections_of(officer.get(url(exemplar, f"?year={Y + 1}"))).assessment
    assert assessment.year == Y + 1
    assert Y in assessment.years and Y + 1 in assessment.years
    # Nonsense falls back to the registration year.
    assert sections_of(officer.get(url(exemplar, "?year=abc"))).assessment.year == Y


def test_the_comms_persona_does_not_see_the_assessment(tree: Any, personas: Any) -> None:
    exemplar = fostered(tree, personas)
    judge_all(personas.head, exemplar, met=False)
    page = login(personas.comms).get(url(exemplar, ""))
    assert page.status_code == 200
    assessment = sections_of(page).assessment
    assert assessment.visible is False and assessment.result is None
    html = page.content.decode()
    assert 'data-testid="assessment-hidden"' in html
    assert 'data-testid="assessment-table"' not in html
    assert "Đã kiểm tra hồ sơ" not in html
    # The fostering plan and the monitoring are not personal data: shown, read only.
    assert 'id="fostering"' in html and 'id="monitoring"' in html
    assert "Thêm hoạt động hỗ trợ" not in html


def test_review_forms_are_offered_to_assessors_only(tree: Any, personas: Any) -> None:
    exemplar = fostered(tree, personas)
    council = sections_of(login(personas.council).get(url(exemplar, ""))).assessment
    assert council.can_assess and all(r.form is not None for r in council.rows if r.judgement)
    assert all(r.form is None for r in council.rows if not r.judgement)
    viewer_page = login(personas.viewer).get(url(exemplar, ""))
    assert sections_of(viewer_page).assessment.visible is False


# --- fostering plan -----------------------------------------------------------------------


def test_fostering_plan_edit_with_a_mentor(tree: Any, personas: Any) -> None:
    exemplar = fostered(tree, personas)
    mentor = make_person(tree, "M01", unit=tree.KTTV)
    officer = login(personas.officer)
    assert officer.get(url(exemplar, "fostering/")).status_code == 200
    # The exemplar cannot mentor themself: the service's message sits next to the field.
    same = officer.post(
        url(exemplar, "fostering/"),
        {"weaknesses": "Ít kinh nghiệm", "remedies": "", "mentor": exemplar.person.code},  # type: ignore[union-attr]
    )
    assert same.status_code == 200
    assert same.context["form"].errors["mentor"] == ["Người kèm cặp phải là người khác."]
    unknown = officer.post(url(exemplar, "fostering/"), {"mentor": "NOBODY"})
    assert "mentor" in unknown.context["form"].errors
    ok = officer.post(
        url(exemplar, "fostering/"),
        {"weaknesses": "Ít kinh nghiệm trình bày", "remedies": "Tập huấn kỹ năng",
         "mentor": mentor.code},
    )  # fmt: skip
    assert ok.status_code == 302
    exemplar.refresh_from_db()
    assert exemplar.mentor == mentor
    assert exemplar.weaknesses == "Ít kinh nghiệm trình bày"
    page = officer.get(url(exemplar, "")).content.decode()
    assert "Tập huấn kỹ năng" in page and mentor.full_name in page
    options = officer.get(url(exemplar, "people/"), {"mentor": "M01"}).content.decode()
    assert mentor.full_name in options


def test_support_action_rules_and_lifecycle(tree: Any, personas: Any) -> None:
    exemplar = fostered(tree, personas)
    officer = login(personas.officer)
    responsible = make_person(tree, "R01", unit=tree.KTTV)
    base = {
        "kind": SupportKind.TRAINING,
        "description": "Cử đi tập huấn dự báo",
        "responsible": responsible.code,
        "due_on": "01/03/2025",
        "status": SupportStatus.DONE,
        "done_on": "",
        "note": "",
    }
    # A finished action needs the day it was finished; nothing is written.
    response = officer.post(url(exemplar, "actions/new/"), base)
    assert response.status_code == 200
    assert response.context["form"].errors["done_on"] == ["Cần ngày hoàn thành."]
    assert 'id="id_done_on_error"' in response.content.decode()
    assert not SupportAction.objects.exists()
    empty = officer.post(url(exemplar, "actions/new/"), {"status": SupportStatus.PLANNED})
    errors = empty.context["form"].errors
    assert {"description", "due_on", "kind"} <= set(errors)
    assert not SupportAction.objects.exists()

    done = officer.post(url(exemplar, "actions/new/"), {**base, "done_on": "20/02/2025"})
    assert done.status_code == 302
    late = officer.post(
        url(exemplar, "actions/new/"),
        {**base, "description": "Hỗ trợ kinh phí", "kind": SupportKind.MATERIAL,
         "status": SupportStatus.IN_PROGRESS, "due_on": "01/01/2025"},
    )  # fmt: skip
    assert late.status_code == 302
    finished, overdue = SupportAction.objects.order_by("pk")
    assert finished.done_on == dt.date(2025, 2, 20) and finished.responsible == responsible
    assert overdue.done_on is None

    page = officer.get(url(exemplar, ""))
    rows = {r.action.pk: r.overdue for r in sections_of(page).actions}
    assert rows == {finished.pk: False, overdue.pk: True}
    html = page.content.decode()
    assert f'data-overdue="1" data-action="{overdue.pk}"' in html
    assert "Quá hạn" in html

    # Edit: the form comes back filled in; marking it done clears the overdue flag.
    edit = officer.get(url(exemplar, f"actions/{overdue.pk}/"))
    assert edit.context["form"].initial["description"] == "Hỗ trợ kinh phí"
    officer.post(
        url(exemplar, f"actions/{overdue.pk}/"),
        {**base, "description": "Hỗ trợ kinh phí", "kind": SupportKind.MATERIAL,
         "due_on": "01/01/2025", "done_on": "05/01/2025"},
    )  # fmt: skip
    overdue.refresh_from_db()
    assert overdue.status == SupportStatus.DONE
    page = officer.get(url(exemplar, ""))
    assert not any(r.overdue for r in sections_of(page).actions)

    # Delete asks first.
    assert officer.get(url(exemplar, f"actions/{overdue.pk}/delete/")).status_code == 200
    officer.post(url(exemplar, f"actions/{overdue.pk}/delete/"), {})
    assert SupportAction.objects.filter(pk=overdue.pk).exists()
    officer.post(url(exemplar, f"actions/{overdue.pk}/delete/"), {"confirmed": "1"})
    assert not SupportAction.objects.filter(pk=overdue.pk).exists()
    assert AuditEvent.objects.filter(action="exemplar.action_delete").count() == 1


def test_a_dropped_exemplar_hides_the_forms_and_refuses_changes(tree: Any, personas: Any) -> None:
    exemplar = fostered(tree, personas)
    ex.transition(actor=personas.officer, exemplar=exemplar, to=S.DROPPED, note="Chuyển công tác")
    officer = login(personas.officer)
    page = officer.get(url(exemplar, ""))
    sections = sections_of(page)
    assert sections.locked and not sections.can_manage and not sections.assessment.can_assess
    html = page.content.decode()
    assert 'data-testid="sections-locked"' in html
    assert "Thêm hoạt động hỗ trợ" not in html and "Thêm lần theo dõi" not in html
    assert 'data-testid="review-form"' not in html
    response = officer.post(
        url(exemplar, "actions/new/"),
        {"kind": SupportKind.MORAL, "description": "x", "due_on": "01/03/2025"},
        follow=True,
    )
    assert not SupportAction.objects.exists()
    assert "Dừng theo dõi" in response.content.decode()


# --- monitoring ---------------------------------------------------------------------------


def checkin_data(**changes: Any) -> dict[str, Any]:
    return {
        "checked_on": "15/03/2025",
        "effect": "3",
        "efficiency": "4",
        "potential": "4",
        "influence": "2",
        "narrative": "Mô hình được đơn vị bạn học tập",
        "difficulties": "Thiếu kinh phí",
        "help_given": "Hỗ trợ thiết bị",
        **changes,
    }


def test_a_score_outside_one_to_five_is_refused_and_nothing_written(
    tree: Any, personas: Any
) -> None:
    exemplar = fostered(tree, personas)
    officer = login(personas.officer)
    response = officer.post(url(exemplar, "checkins/new/"), checkin_data(effect="7", potential="0"))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert errors["effect"] == ["Điểm phải từ 1 đến 5."]
    assert errors["potential"] == ["Điểm phải từ 1 đến 5."]
    assert 'id="id_effect_error"' in response.content.decode()
    assert not CheckIn.objects.exists()
    future = today() + dt.timedelta(days=3)
    response = officer.post(
        url(exemplar, "checkins/new/"), checkin_data(checked_on=future.strftime("%d/%m/%Y"))
    )
    assert "checked_on" in response.context["form"].errors
    assert not CheckIn.objects.exists()


def test_checkins_draw_the_chart_and_the_table(tree: Any, personas: Any) -> None:
    exemplar = fostered(tree, personas)
    officer = login(personas.officer)
    page = officer.get(url(exemplar, ""))
    assert sections_of(page).chart == ""
    assert 'data-testid="checkins-empty"' in page.content.decode()

    assert officer.post(url(exemplar, "checkins/new/"), checkin_data()).status_code == 302
    assert (
        officer.post(
            url(exemplar, "checkins/new/"), checkin_data(checked_on="15/06/2025", effect="5")
        ).status_code
        == 302
    )
    first, second = CheckIn.objects.order_by("checked_on")
    assert (first.effect, second.effect) == (3, 5) and first.by == personas.officer

    page = officer.get(url(exemplar, ""))
    html = page.content.decode()
    svg = str(sections_of(page).chart)
    assert svg.startswith("<svg") and 'role="img"' in svg
    for label in ("Tác dụng", "Hiệu quả", "Khả năng phát triển", "Sức ảnh hưởng"):
        assert label in svg
    assert "15/03/2025" in svg and "15/06/2025" in svg
    assert "<script" not in svg
    assert not re.search(r"<script[^>]+src=[\"']?https?:", html)
    assert 'data-testid="checkins-table"' in html

    # Edit and delete (with a confirmation).
    edit = officer.get(url(exemplar, f"checkins/{first.pk}/"))
    assert edit.context["form"].initial["narrative"] == "Mô hình được đơn vị bạn học tập"
    officer.post(url(exemplar, f"checkins/{first.pk}/"), checkin_data(influence="5"))
    first.refresh_from_db()
    assert first.influence == 5
    officer.post(url(exemplar, f"checkins/{first.pk}/delete/"), {"confirmed": "1"})
    assert list(CheckIn.objects.values_list("pk", flat=True)) == [second.pk]


def test_the_chart_is_static_svg_with_a_title() -> None:
    checkins = [
        CheckIn(checked_on=dt.date(2025, m, 1), effect=m % 5 + 1, efficiency=3, potential=4,
                influence=2)
        for m in (1, 4, 7)
    ]  # fmt: skip
    svg = str(checkin_chart(checkins, title="Điểm theo dõi", chart_id="c1"))
    assert '<title id="c1-title">Điểm theo dõi</title>' in svg
    assert 'aria-labelledby="c1-title"' in svg
    assert "<script" not in svg and "http://pygal.org" not in svg
    assert svg.count('class="legend') >= 4
    assert "01/07/2025" in svg
    assert checkin_chart([], title="x", chart_id="c2") == ""


# --- the section template on its own, and its cost -----------------------------------------


def test_sections_render_alone_and_cost_the_same_for_many_rows(tree: Any, personas: Any) -> None:
    exemplar = fostered(tree, personas)
    request = RequestFactory().get("/")
    request.user = personas.officer

    def count_queries() -> int:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        fresh = Exemplar.objects.select_related("unit", "person__unit", "mentor").get(
            pk=exemplar.pk
        )
        request.user = type(personas.officer).objects.get(pk=personas.officer.pk)
        with CaptureQueriesContext(connection) as ctx:
            context = detail_sections(request, fresh)
            render_to_string("exemplars/_sections.html", {**context, "request": request})
        return len(ctx.captured_queries)

    def add(n: int) -> None:
        for i in range(n):
            helper = make_person(tree, f"H{SupportAction.objects.count():03d}", unit=tree.KTTV)
            ex.action_save(
                actor=None, exemplar=exemplar, kind=SupportKind.MORAL, description=f"Việc {i}",
                due_on=dt.date(2025, 1, 1 + i), responsible=helper,
            )  # fmt: skip
            ex.checkin_save(
                actor=personas.officer, exemplar=exemplar, checked_on=dt.date(2025, 2, 1 + i),
                effect=3, efficiency=3, potential=3, influence=3, narrative="Ổn",
            )  # fmt: skip
        for c in judgement_conditions(exemplar)[: min(n, 3)]:
            ex.review_record(
                actor=personas.head, exemplar=exemplar, year=Y, condition_id=c.id, met=True,
                comment="Đạt",
            )  # fmt: skip

    add(1)
    few = count_queries()
    add(6)
    many = count_queries()
    assert many == few
