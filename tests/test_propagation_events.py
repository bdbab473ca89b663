"""Events: exchange sessions, study visits, contests (entries, jury scores, results),
trainings. Services (rules, audit), visibility, the pages, permissions and query bounds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import BytesIO
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.access import Perm
from accounts.models import Role
from audit.models import AuditEvent
from core.errors import Conflict, ValidationFailed
from exemplars.models import Exemplar, ExemplarState
from propagation import access as pa
from propagation import services_events as ev
from propagation.models import (
    ContestEntry,
    ContestResult,
    Event,
    EventKind,
    JuryScore,
    Participation,
)
from propagation.urls_events import urlpatterns as event_patterns
from tests import test_permissions
from tests.conftest import make_user
from tests.test_eligibility_rules import make_person
from tests.test_exemplars_lifecycle import register
from tests.test_permissions import assert_object_pages

pytestmark = pytest.mark.django_db
S = ExemplarState
K = EventKind
DAY = dt.date(2025, 5, 20)


def login(user: Any) -> Client:
    client = Client()
    client.force_login(user)
    return client


def exemplar(
    tree: Any, code: str, unit: Any = None, state: str = S.RECOGNIZED, title: str = ""
) -> Exemplar:
    """An exemplar put straight into `state` (the lifecycle has its own tests)."""
    person = make_person(tree, code, unit=unit or tree.KTTV_A)
    made = register(None, person.unit, person=person)
    Exemplar.objects.filter(pk=made.pk).update(
        state=state, title=title or f"Mô hình {code}", field="Khí tượng thủy văn"
    )
    made.refresh_from_db()
    return made


def data(unit: Any, kind: str = K.EXCHANGE, **changes: Any) -> ev.EventData:
    values: dict[str, Any] = {
        "kind": kind,
        "title": "Giao lưu điển hình tiên tiến ngành khí tượng",
        "unit": unit,
        "starts_on": DAY,
        "ends_on": DAY,
        "field": "Khí tượng thủy văn",
        "location": "Hà Nội",
    }
    values.update(changes)
    return ev.EventData(**values)


def contest(actor: Any, tree: Any, title: str = "Cuộc thi viết về điển hình 2025") -> Event:
    return ev.event_create(actor=actor, data=data(tree.KTTV, K.CONTEST, title=title))


def entry(actor: Any, event: Event, about: Exemplar, title: str = "Người giữ nhịp mưa") -> Any:
    return ev.entry_save(
        actor=actor,
        event=event,
        data=ev.EntryData(exemplar=about, title=title, author="Trần Thu Hà", unit=None),
    )


def seat(event: Event, *users: Any) -> None:
    """Name the jury (the first is its chair)."""
    for index, user in enumerate(users):
        ev.jury_add(actor=None, event=event, user=user, is_chair=index == 0)


def sheet_rows(content: bytes) -> list[tuple[Any, ...]]:
    sheet = load_workbook(BytesIO(content)).active
    assert sheet is not None
    return list(sheet.iter_rows(values_only=True))


def actions(event: Event) -> list[str]:
    return list(
        AuditEvent.objects.filter(object_type="propagation.event", object_id=str(event.pk))
        .order_by("seq")
        .values_list("action", flat=True)
    )


# --- services: events ------------------------------------------------------------------------


def test_an_exchange_needs_eligible_exemplars_and_ordered_dates(tree: Any, personas: Any) -> None:
    officer = personas.officer
    with pytest.raises(ValidationFailed) as caught:
        ev.event_create(actor=officer, data=data(tree.KTTV, exemplars=[]))
    assert {e.field for e in caught.value.errors} == {"exemplars"}

    discovered = exemplar(tree, "E01", state=S.DISCOVERED)
    revoked = exemplar(tree, "E02", state=S.REVOKED)
    with pytest.raises(ValidationFailed) as caught:
        ev.event_create(actor=officer, data=data(tree.KTTV, exemplars=[discovered, revoked]))
    assert "đang bồi dưỡng hoặc đã được công nhận" in caught.value.errors[0].message

    good = exemplar(tree, "E03")
    with pytest.raises(ValidationFailed) as caught:
        ev.event_create(
            actor=officer,
            data=data(tree.KTTV, exemplars=[good], ends_on=DAY - dt.timedelta(days=1)),
        )
    assert [(e.field, e.message) for e in caught.value.errors] == [
        ("ends_on", "Ngày kết thúc không được trước ngày bắt đầu.")
    ]

    fostering = exemplar(tree, "E04", state=S.FOSTERING)
    event = ev.event_create(actor=officer, data=data(tree.KTTV, exemplars=[good, fostering]))
    assert set(event.exemplars.all()) == {good, fostering}
    assert event.created_by == officer
    assert actions(event) == ["event.create"]
    created = AuditEvent.objects.get(action="event.create")
    assert created.after is not None
    assert created.after["exemplars"] == sorted([good.pk, fostering.pk])
    assert created.unit == tree.KTTV


def test_contests_and_trainings_carry_no_exemplars_and_a_study_visit_needs_a_host(
    tree: Any, personas: Any
) -> None:
    good = exemplar(tree, "E01")
    for kind in (K.CONTEST, K.TRAINING):
        with pytest.raises(ValidationFailed):
            ev.event_create(actor=personas.officer, data=data(tree.KTTV, kind, exemplars=[good]))
    with pytest.raises(ValidationFailed) as caught:
        ev.event_create(actor=personas.officer, data=data(tree.KTTV, K.STUDY_VISIT))
    assert "đón đoàn" in caught.value.errors[0].message
    training = ev.event_create(
        actor=personas.officer,
        data=data(tree.KTTV, K.TRAINING, title="Tập huấn nghiệp vụ thi đua, khen thưởng"),
    )
    assert training.kind == K.TRAINING


def test_only_exemplars_of_the_actors_scope_and_only_the_organisers_may_act(
    tree: Any, personas: Any
) -> None:
    theirs = exemplar(tree, "E01", unit=tree.ST_VP)
    with pytest.raises(ValidationFailed) as caught:
        ev.event_create(actor=personas.officer, data=data(tree.KTTV, exemplars=[theirs]))
    assert caught.value.errors[0].message == "Có điển hình không thuộc phạm vi bạn quản lý."
    mine = exemplar(tree, "E02")
    with pytest.raises(PermissionDenied):
        ev.event_create(actor=personas.outsider, data=data(tree.KTTV, exemplars=[mine]))
    with pytest.raises(PermissionDenied):  # heads do not run outreach
        ev.event_create(actor=personas.head, data=data(tree.KTTV, exemplars=[mine]))


def test_an_edit_keeps_the_kind_and_exemplars_the_editor_cannot_see(
    tree: Any, personas: Any
) -> None:
    theirs = exemplar(tree, "E01", unit=tree.ST_VP)
    mine = exemplar(tree, "E02")
    event = ev.event_create(actor=personas.standing, data=data(tree.KTTV, exemplars=[theirs]))
    # Revoked since: still on the event (it happened), but may not be added anew.
    Exemplar.objects.filter(pk=theirs.pk).update(state=S.REVOKED)
    theirs.refresh_from_db()
    updated = ev.event_update(
        actor=personas.officer,
        event=event,
        data=data(
            tree.KTTV,
            K.TRAINING,
            title="Giao lưu (đã sửa)",
            exemplars=[theirs, mine],
            learned="Áp dụng bản tin dễ hiểu.",
        ),
    )
    assert updated.kind == K.EXCHANGE
    assert set(updated.exemplars.all()) == {theirs, mine}
    change = AuditEvent.objects.get(action="event.update")
    assert change.before is not None and change.after is not None
    assert change.before["title"] != change.after["title"]
    assert change.after["learned"] == "Áp dụng bản tin dễ hiểu."
    # Nothing changed: nothing audited.
    ev.event_update(
        actor=personas.officer,
        event=event,
        data=data(
            tree.KTTV,
            title="Giao lưu (đã sửa)",
            exemplars=[theirs, mine],
            learned="Áp dụng bản tin dễ hiểu.",
        ),
    )
    assert AuditEvent.objects.filter(action="event.update").count() == 1


def test_deleting_an_event_takes_its_rows_and_is_audited(tree: Any, personas: Any) -> None:
    event = contest(personas.officer, tree)
    about = exemplar(tree, "E01")
    row = entry(personas.officer, event, about)
    seat(event, personas.officer)
    ev.score_set(actor=personas.officer, entry=row, juror=personas.officer, score=Decimal(80))
    ev.participation_save(actor=None, event=event, unit=tree.KTTV_A, participants=12)
    ev.event_delete(actor=personas.officer, event=event)
    assert not Event.objects.exists()
    assert not ContestEntry.objects.exists() and not JuryScore.objects.exists()
    deleted = AuditEvent.objects.get(action="event.delete")
    assert deleted.before is not None
    assert deleted.before["scores"] == 1
    assert deleted.before["entries"][0]["title"] == "Người giữ nhịp mưa"
    assert Exemplar.objects.filter(pk=about.pk).exists()


# --- services: participating units and visibility ----------------------------------------------


def test_participation_is_one_row_per_unit_updated_in_place(tree: Any, personas: Any) -> None:
    event = ev.event_create(
        actor=personas.officer,
        data=data(tree.KTTV, K.STUDY_VISIT, exemplars=[exemplar(tree, "E1")]),
    )
    ev.participation_save(actor=personas.officer, event=event, unit=tree.KTTV_A, participants=8)
    ev.participation_save(actor=personas.officer, event=event, unit=tree.KTTV_B, participants=5)
    row = ev.participation_save(
        actor=personas.officer, event=event, unit=tree.KTTV_A, participants=10, note="Cả tổ"
    )
    assert Participation.objects.filter(event=event).count() == 2
    assert row.participants == 10
    assert ev.participation_totals(event) == {"units": 2, "people": 15}
    # The same numbers again change nothing and write no audit row.
    ev.participation_save(
        actor=personas.officer, event=event, unit=tree.KTTV_A, participants=10, note="Cả tổ"
    )
    assert actions(event).count("event.participation") == 3
    with pytest.raises(ValidationFailed) as caught:
        ev.participation_save(actor=None, event=event, unit=None, participants=-1)
    assert {e.field for e in caught.value.errors} == {"unit", "participants"}
    with pytest.raises(ValidationFailed) as outside:  # a unit beyond the officer's scope
        ev.participation_save(actor=personas.officer, event=event, unit=tree.ST_VP, participants=1)
    assert outside.value.errors[0].message == "Đơn vị không thuộc phạm vi của bạn."
    ev.participation_remove(actor=personas.officer, participation=row)
    assert ev.participation_totals(event) == {"units": 1, "people": 5}
    assert actions(event)[-1] == "event.participation_remove"


def test_participating_units_see_the_event_but_do_not_change_it(tree: Any, personas: Any) -> None:
    event = ev.event_create(
        actor=personas.officer, data=data(tree.KTTV, K.TRAINING, title="Tập huấn")
    )
    outsider = personas.outsider  # officer of STNMT_ST
    assert not pa.events_visible_to(outsider).exists()
    ev.participation_save(actor=None, event=event, unit=tree.ST_VP, participants=3)
    assert list(pa.events_visible_to(outsider)) == [event]
    assert pa.get_event_for(outsider, event.pk) == event
    with pytest.raises(PermissionDenied):
        pa.get_event_for(outsider, event.pk, write=Perm.MANAGE_OUTREACH)
    assert set(pa.events_visible_to(personas.admin)) == {event}
    nobody = make_user("nobody")
    assert not pa.events_visible_to(nobody).exists()


# --- services: contests ------------------------------------------------------------------------


def test_entries_need_an_eligible_exemplar_in_scope_and_a_contest(tree: Any, personas: Any) -> None:
    event = contest(personas.officer, tree)
    with pytest.raises(ValidationFailed) as caught:
        ev.entry_save(
            actor=personas.officer,
            event=event,
            data=ev.EntryData(exemplar=exemplar(tree, "E1", state=S.DROPPED), title="", author=""),
        )
    assert {e.field for e in caught.value.errors} == {"exemplar", "title", "author"}
    theirs = exemplar(tree, "E2", unit=tree.ST_VP)
    with pytest.raises(ValidationFailed):
        entry(personas.officer, event, theirs)
    exchange = ev.event_create(
        actor=personas.officer, data=data(tree.KTTV, exemplars=[exemplar(tree, "E3")])
    )
    with pytest.raises(Conflict):
        entry(personas.officer, exchange, exemplar(tree, "E4"))
    row = entry(personas.officer, event, exemplar(tree, "E5"))
    ev.entry_save(
        actor=personas.officer,
        event=event,
        entry=row,
        data=ev.EntryData(
            exemplar=row.exemplar,
            title="Người giữ nhịp mưa (bản sửa)",
            author="Trần Thu Hà",
            unit=tree.KTTV_A,
            url="https://baotnmt.vn/bai-du-thi",
        ),
    )
    assert actions(event) == ["event.create", "contest.entry_add", "contest.entry_update"]


def test_one_score_per_juror_and_the_mean_is_computed_in_the_database(
    tree: Any, personas: Any
) -> None:
    event = contest(personas.officer, tree)
    first = entry(personas.officer, event, exemplar(tree, "E1"), "Bài A")
    second = entry(personas.officer, event, exemplar(tree, "E2"), "Bài B")
    juror2 = personas.council  # council member of the ministry: above the organiser
    seat(event, personas.officer, juror2)
    ev.score_set(actor=personas.officer, entry=first, juror=personas.officer, score=Decimal(70))
    ev.score_set(actor=personas.officer, entry=first, juror=personas.officer, score=Decimal(80))
    ev.score_set(actor=personas.officer, entry=first, juror=juror2, score=Decimal("91.5"))
    ev.score_set(actor=personas.officer, entry=second, juror=juror2, score=Decimal(95))
    assert JuryScore.objects.filter(entry=first).count() == 2
    ranked = list(ev.ranked_entries(event))
    assert [e.title for e in ranked] == ["Bài B", "Bài A"]
    assert [(round(e.mean, 2), e.n_scores) for e in ranked] == [  # type: ignore[attr-defined]
        (Decimal("95.00"), 1),
        (Decimal("85.75"), 2),
    ]
    # Someone of another branch is no juror of this contest; scores stay 0–100.
    with pytest.raises(ValidationFailed) as caught:
        ev.score_set(
            actor=personas.officer, entry=first, juror=personas.outsider, score=Decimal(101)
        )
    assert {e.field for e in caught.value.errors} == {"juror", "score"}
    assert actions(event).count("contest.score") == 4


def test_results_only_after_scoring_then_frozen_until_withdrawn(tree: Any, personas: Any) -> None:
    officer = personas.officer
    event = contest(officer, tree)
    first = entry(officer, event, exemplar(tree, "E1"), "Bài A")
    second = entry(officer, event, exemplar(tree, "E2"), "Bài B")
    seat(event, officer)
    ev.score_set(actor=officer, entry=first, juror=officer, score=Decimal(88))
    with pytest.raises(Conflict) as unscored:
        ev.results_publish(
            actor=officer,
            event=event,
            results={first.pk: ContestResult.FIRST, second.pk: ContestResult.SECOND},
        )
    assert "Bài B" in unscored.value.message
    ev.score_set(actor=officer, entry=second, juror=officer, score=Decimal(60))
    with pytest.raises(ValidationFailed) as missing:
        ev.results_publish(actor=officer, event=event, results={first.pk: ContestResult.FIRST})
    assert [e.field for e in missing.value.errors] == [f"result_{second.pk}"]
    ev.results_publish(
        actor=officer,
        event=event,
        results={first.pk: ContestResult.FIRST, second.pk: ContestResult.NOT_AWARDED},
    )
    assert ev.results_published(event)
    published = AuditEvent.objects.get(action="contest.results")
    assert published.after is not None
    assert published.after[str(first.pk)] == "FIRST"
    assert published.after["means"][str(second.pk)] == "60.00"
    # Frozen: no new scores, entries or deletions.
    with pytest.raises(Conflict):
        ev.score_set(actor=officer, entry=first, juror=officer, score=Decimal(10))
    with pytest.raises(Conflict):
        entry(officer, event, exemplar(tree, "E3"), "Bài C")
    with pytest.raises(Conflict):
        ev.entry_delete(actor=officer, entry=first)
    with pytest.raises(ValidationFailed):
        ev.results_withdraw(actor=officer, event=event, reason=" ")
    ev.results_withdraw(actor=officer, event=event, reason="Chấm lại bài B")
    assert not ev.results_published(event)
    ev.score_set(actor=officer, entry=second, juror=officer, score=Decimal(70))
    with pytest.raises(Conflict):
        ev.results_withdraw(actor=officer, event=event, reason="Lần nữa")
    ev.entry_delete(actor=officer, entry=second)
    assert actions(event)[-3:] == [
        "contest.results_withdraw",
        "contest.score",
        "contest.entry_delete",
    ]


# --- pages: permissions ------------------------------------------------------------------------


@pytest.fixture
def contest_with_rows(tree: Any, personas: Any) -> dict[str, str]:
    event = contest(personas.officer, tree)
    row = entry(personas.officer, event, exemplar(tree, "E01"))
    part = ev.participation_save(actor=None, event=event, unit=tree.KTTV_A, participants=4)
    seat(event, personas.council)
    return {
        "pk": str(event.pk),
        "entry": str(row.pk),
        "part": str(part.pk),
        "member": str(event.jury.get().pk),
    }


@pytest.mark.parametrize(
    "persona", ["outsider", "viewer", "officer", "head", "standing", "council", "comms"]
)
def test_object_pages_allow_deny_and_hide(
    personas: Any, contest_with_rows: dict[str, str], persona: str, monkeypatch: Any
) -> None:
    # Only the event pages: the stories and replication pages of the same namespace are
    # walked by their own tests with their own objects.
    # The juror's own sheet is opened by jury membership, not by role: tested below.
    mine = {p.name for p in event_patterns} - {"event_my_scores"}
    every = test_permissions.site_patterns
    monkeypatch.setattr(
        test_permissions,
        "site_patterns",
        lambda: [(r, ns, p) for r, ns, p in every() if ns != "propagation" or p.name in mine],
    )
    client = login(getattr(personas, persona))
    checked = assert_object_pages(client, persona, "propagation", contest_with_rows)
    assert checked == 14
    # Nothing was changed by walking the pages.
    assert ContestEntry.objects.filter(pk=contest_with_rows["entry"]).exists()
    assert Participation.objects.filter(pk=contest_with_rows["part"]).exists()


def test_list_pages_need_the_right_role(personas: Any) -> None:
    assert login(personas.viewer).get("/propagation/events/").status_code == 200
    assert login(personas.viewer).get("/propagation/events/new/").status_code == 403
    assert login(personas.head).get("/propagation/events/new/").status_code == 403
    assert login(personas.comms).get("/propagation/events/new/").status_code == 200
    assert Client().get("/propagation/events/").status_code == 302


def test_entry_pages_of_an_event_that_is_no_contest_are_missing(tree: Any, personas: Any) -> None:
    training = ev.event_create(actor=None, data=data(tree.KTTV, K.TRAINING, title="Tập huấn"))
    client = login(personas.officer)
    assert client.get(f"/propagation/events/{training.pk}/entries/new/").status_code == 404
    assert client.get(f"/propagation/events/{training.pk}/results/").status_code == 404


# --- pages: list --------------------------------------------------------------------------------


def test_list_filters_search_without_diacritics_and_scope(tree: Any, personas: Any) -> None:
    host = exemplar(tree, "E01")
    ev.event_create(
        actor=None,
        data=data(tree.KTTV_A, K.EXCHANGE, title="Giao lưu điển hình Đài Nam Bộ", exemplars=[host]),
    )
    ev.event_create(
        actor=None,
        data=data(
            tree.KTTV_B,
            K.TRAINING,
            title="Tập huấn tuyên truyền viên",
            starts_on=dt.date(2024, 3, 1),
            ends_on=dt.date(2024, 3, 2),
            field="Tuyên truyền",
        ),
    )
    ev.event_create(actor=None, data=data(tree.ST, K.TRAINING, title="Tập huấn Sóc Trăng"))
    client = login(personas.officer)

    def titles(query: str) -> list[str]:
        page = client.get(f"/propagation/events/{query}").context["page"]
        return [e.title for e in page.object_list]

    assert titles("") == ["Giao lưu điển hình Đài Nam Bộ", "Tập huấn tuyên truyền viên"]
    assert titles("?q=dai nam bo") == ["Giao lưu điển hình Đài Nam Bộ"]
    assert titles("?q=TUYEN TRUYEN") == ["Tập huấn tuyên truyền viên"]
    assert titles("?kind=EXCHANGE") == ["Giao lưu điển hình Đài Nam Bộ"]
    assert titles("?year=2024") == ["Tập huấn tuyên truyền viên"]
    assert titles("?unit=KTTV_B") == ["Tập huấn tuyên truyền viên"]
    assert titles("?field=Tuy%C3%AAn+truy%E1%BB%81n") == ["Tập huấn tuyên truyền viên"]
    assert titles("?q=soc trang") == []
    page = client.get("/propagation/events/?q=khong+co").content.decode()
    assert "Không có sự kiện nào khớp với điều kiện tìm kiếm." in page
    empty = login(personas.viewer).get("/propagation/events/?kind=CONTEST").content.decode()
    assert "Không có sự kiện nào khớp" in empty


def test_list_export_and_bounded_queries_at_two_sizes(
    tree: Any, personas: Any, django_assert_max_num_queries: Any
) -> None:
    client = login(personas.officer)
    host = exemplar(tree, "E00")

    def add(n: int) -> None:
        kind = [K.EXCHANGE, K.STUDY_VISIT, K.CONTEST, K.TRAINING][n % 4]
        event = ev.event_create(
            actor=None,
            data=data(
                tree.KTTV_A if n % 2 else tree.KTTV_B,
                kind,
                title=f"Sự kiện {n}",
                exemplars=[host] if kind in ev.WITH_EXEMPLARS else [],
            ),
        )
        ev.participation_save(actor=None, event=event, unit=tree.KTTV_A, participants=n)
        ev.participation_save(actor=None, event=event, unit=tree.KTTV_B, participants=1)
        if kind == K.CONTEST:
            entry(None, event, host, f"Bài {n}")

    for n in range(3):
        add(n)
    few: dict[str, int] = {}
    for url in ("/propagation/events/", "/propagation/events/?format=xlsx&q=su kien"):
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        few[url] = len(captured.captured_queries)
    for n in range(3, 40):
        add(n)
    for url, count in few.items():
        with django_assert_max_num_queries(count):
            response = client.get(url)
        assert response.status_code == 200
    page = client.get("/propagation/events/").context["page"]
    assert len(page.object_list) == 25 and page.paginator.count == 40
    first = {e.title: e for e in page.object_list}["Sự kiện 39"]
    assert (first.units_count, first.participants_total) == (2, 40)
    response = client.get("/propagation/events/?format=xlsx&kind=CONTEST")
    rows = sheet_rows(response.content)
    assert rows[0][0] == "Loại sự kiện"
    assert len(rows) == 1 + 10
    assert {r[10] for r in rows[1:]} == {1}


# --- pages: create, edit, participation, contest ---------------------------------------------


def form_data(**changes: Any) -> dict[str, Any]:
    values = {
        "kind": "EXCHANGE",
        "title": "Giao lưu chia sẻ kinh nghiệm dự báo",
        "unit": "KTTV",
        "field": "Dự báo",
        "starts_on": "20/05/2025",
        "ends_on": "21/05/2025",
        "location": "Hà Nội",
        "description": "",
        "learned": "",
    }
    values.update(changes)
    return values


def test_create_and_edit_through_the_form(tree: Any, personas: Any) -> None:
    host = exemplar(tree, "E01")
    hidden = exemplar(tree, "E02", unit=tree.ST_VP)
    client = login(personas.officer)
    page = client.get("/propagation/events/new/?kind=STUDY_VISIT")
    assert page.context["form"]["kind"].value() == "STUDY_VISIT"
    choices = dict(page.context["form"].fields["exemplars"].choices)
    assert str(host.pk) in choices and str(hidden.pk) not in choices
    bad = client.post(
        "/propagation/events/new/", form_data(ends_on="19/05/2025", exemplars=[str(host.pk)])
    )
    assert bad.status_code == 200
    assert "Ngày kết thúc không được trước ngày bắt đầu." in bad.content.decode()
    missing = client.post("/propagation/events/new/", form_data())
    assert "Chọn ít nhất một điển hình chia sẻ kinh nghiệm." in missing.content.decode()
    response = client.post("/propagation/events/new/", form_data(exemplars=[str(host.pk)]))
    event = Event.objects.get()
    assert (
        response.status_code == 302 and response["Location"] == f"/propagation/events/{event.pk}/"
    )
    assert event.ends_on == dt.date(2025, 5, 21)
    detail = client.get(f"/propagation/events/{event.pk}/").content.decode()
    assert host.title in detail and "20/05/2025 – 21/05/2025" in detail
    edit = client.post(
        f"/propagation/events/{event.pk}/edit/",
        form_data(kind="CONTEST", title="Giao lưu (sửa)", exemplars=[str(host.pk)]),
    )
    assert edit.status_code == 302
    event.refresh_from_db()
    assert (event.title, event.kind) == ("Giao lưu (sửa)", K.EXCHANGE)
    # A contest form drops whatever exemplar box was ticked.
    client.post(
        "/propagation/events/new/",
        form_data(kind="CONTEST", title="Cuộc thi viết", exemplars=[str(host.pk)]),
    )
    assert not Event.objects.get(kind=K.CONTEST).exemplars.exists()
    delete = client.get(f"/propagation/events/{event.pk}/delete/")
    assert "Xóa sự kiện?" in delete.content.decode()
    client.post(f"/propagation/events/{event.pk}/delete/", {})
    assert Event.objects.filter(pk=event.pk).exists()
    client.post(f"/propagation/events/{event.pk}/delete/", {"confirmed": "1"})
    assert not Event.objects.filter(pk=event.pk).exists()


def test_participants_through_htmx_and_plain_forms(tree: Any, personas: Any) -> None:
    event = ev.event_create(actor=None, data=data(tree.KTTV, K.TRAINING, title="Tập huấn"))
    client = login(personas.officer)
    url = f"/propagation/events/{event.pk}/participants/"
    partial = client.post(
        url,
        {"unit": "KTTV_A", "participants": "12", "note": "Báo cáo viên"},
        HTTP_HX_REQUEST="true",
    )
    body = partial.content.decode()
    assert partial.status_code == 200 and "<html" not in body
    assert (
        'id="participants"' in body
        and "Đã ghi Đài Khí tượng Thủy văn khu vực Nam Bộ: 12 người." in body
    )
    invalid = client.post(url, {"unit": "STNMT_ST", "participants": "-1"}, HTTP_HX_REQUEST="true")
    assert "is-invalid" in invalid.content.decode()
    plain = client.post(url, {"unit": "KTTV_B", "participants": "3"})
    assert plain.status_code == 302 and plain["Location"].endswith("#participants")
    assert ev.participation_totals(event) == {"units": 2, "people": 15}
    part = Participation.objects.get(unit=tree.KTTV_B)
    remove = f"/propagation/events/{event.pk}/participants/{part.pk}/remove/"
    assert "Bỏ đơn vị tham gia?" in client.post(remove, {}).content.decode()
    gone = client.post(remove, {"confirmed": "1"}, HTTP_HX_REQUEST="true")
    assert "Đã bỏ" in gone.content.decode()
    assert ev.participation_totals(event) == {"units": 1, "people": 12}
    rows = sheet_rows(client.get(f"/propagation/events/{event.pk}/?format=xlsx").content)
    assert rows[1][:3] == (
        "KTTV_A",
        "Đài Khí tượng Thủy văn khu vực Nam Bộ",
        12,
    )


def test_readers_see_no_buttons_and_no_scores_before_the_results(tree: Any, personas: Any) -> None:
    officer = personas.officer
    event = contest(officer, tree)
    row = entry(officer, event, exemplar(tree, "E01"))
    seat(event, officer)
    ev.score_set(actor=officer, entry=row, juror=officer, score=Decimal("77.5"))
    viewer_page = login(personas.viewer).get(f"/propagation/events/{event.pk}/")
    assert viewer_page.context["show_scores"] is False
    html = viewer_page.content.decode()
    assert "Chấm điểm" not in html and "Sửa thông tin" not in html and "77,50" not in html
    officer_page = login(officer).get(f"/propagation/events/{event.pk}/").content.decode()
    assert "Chấm điểm" in officer_page and "77,50" in officer_page
    ev.results_publish(actor=officer, event=event, results={row.pk: ContestResult.FIRST})
    viewer_html = login(personas.viewer).get(f"/propagation/events/{event.pk}/").content.decode()
    assert "Giải Nhất" in viewer_html and "77,50" in viewer_html
    response = login(personas.viewer).get(f"/propagation/events/{event.pk}/?format=xlsx")
    rows = sheet_rows(response.content)
    assert rows[1][1] == "Người giữ nhịp mưa" and rows[1][7] == 77.5 and rows[1][8] == "Giải Nhất"


def test_contest_pages_score_rank_and_publish(tree: Any, personas: Any) -> None:
    officer = personas.officer
    event = contest(officer, tree)
    about = exemplar(tree, "E01")
    client = login(officer)
    base = f"/propagation/events/{event.pk}"
    form = client.get(f"{base}/entries/new/").context["form"]
    assert str(about.pk) in dict(form.fields["exemplar"].choices)
    added = client.post(
        f"{base}/entries/new/",
        {
            "exemplar": str(about.pk),
            "title": "Bài A",
            "author": "Lê Vy",
            "unit": "KTTV_A",
            "url": "",
        },
    )
    assert added.status_code == 302
    row = ContestEntry.objects.get()
    assert row.unit == tree.KTTV_A
    results = client.get(f"{base}/results/")
    assert "chưa được chấm điểm" in results.content.decode()
    refused = client.post(f"{base}/results/", {f"result_{row.pk}": "FIRST"})
    assert refused.status_code == 302 and not ev.results_published(event)
    # No jury yet: the score page sends the officer to name one.
    nobody = client.get(f"{base}/entries/{row.pk}/score/")
    assert nobody.status_code == 302 and nobody["Location"].endswith("#jury")
    for juror, chair in ((officer, "on"), (personas.council, "")):
        named = client.post(f"{base}/jury/", {"user": juror.username, "is_chair": chair})
        assert named.status_code == 302
    score_page = client.get(f"{base}/entries/{row.pk}/score/")
    assert score_page.context["form"]["juror"].value() == str(officer.pk)
    jurors = dict(score_page.context["form"].fields["juror"].choices)
    assert str(personas.council.pk) in jurors and str(personas.outsider.pk) not in jurors
    bad = client.post(f"{base}/entries/{row.pk}/score/", {"juror": str(officer.pk), "score": "120"})
    assert bad.status_code == 200 and not JuryScore.objects.exists()
    for juror, score in ((officer, "80"), (personas.council, "90")):
        client.post(f"{base}/entries/{row.pk}/score/", {"juror": str(juror.pk), "score": score})
    ranking = client.get(f"{base}/results/").context["entries"]
    assert [(e.title, e.mean, e.n_scores) for e in ranking] == [("Bài A", Decimal(85), 2)]
    published = client.post(f"{base}/results/", {f"result_{row.pk}": "SECOND"})
    assert published.status_code == 302 and published["Location"].endswith("#results")
    row.refresh_from_db()
    assert row.result == ContestResult.SECOND
    locked = client.get(f"{base}/entries/{row.pk}/score/")
    assert locked.status_code == 302
    client.post(f"{base}/results/withdraw/", {"reason": "Sửa điểm"})
    assert not ev.results_published(event)


def test_jury_candidates_are_users_with_a_role_near_the_organiser(tree: Any, personas: Any) -> None:
    event = contest(personas.officer, tree)
    jurors = set(ev.jurors_for(event))
    assert {personas.officer, personas.head, personas.council, personas.standing} <= jurors
    assert personas.outsider not in jurors
    st_member = make_user("st-member", [(Role.COUNCIL, tree.ST)])
    assert st_member not in set(ev.jurors_for(event))


# --- the jury ----------------------------------------------------------------------------------


def test_the_jury_is_named_from_users_near_the_organiser_and_told_in_the_app(
    tree: Any, personas: Any
) -> None:
    from notifications.models import Notification

    officer = personas.officer
    event = contest(officer, tree)
    chair = ev.jury_add(actor=officer, event=event, user=personas.council, is_chair=True)
    assert chair.is_chair
    note = Notification.objects.get(user=personas.council)
    assert note.kind == "JURY" and note.url == f"/propagation/events/{event.pk}/my-scores/"
    assert "Cuộc thi viết về điển hình 2025" in note.title and "trưởng ban" in note.body
    # Someone of another branch, and someone named twice, are refused with the reason.
    with pytest.raises(ValidationFailed) as far:
        ev.jury_add(actor=officer, event=event, user=personas.outsider)
    assert [e.field for e in far.value.errors] == ["user"]
    with pytest.raises(Conflict):
        ev.jury_add(actor=officer, event=event, user=personas.council)
    # A new chair replaces the former one; only organisers name the jury.
    ev.jury_add(actor=officer, event=event, user=personas.head, is_chair=True)
    assert list(event.jury.filter(is_chair=True).values_list("user", flat=True)) == [
        personas.head.pk
    ]
    with pytest.raises(PermissionDenied):
        ev.jury_add(actor=personas.viewer, event=event, user=personas.standing)
    assert actions(event).count("contest.jury_add") == 2


def test_only_jury_members_score_and_only_their_own_unless_organisers(
    tree: Any, personas: Any
) -> None:
    officer, council = personas.officer, personas.council
    event = contest(officer, tree)
    row = entry(officer, event, exemplar(tree, "E01"))
    # Not on the jury: refused even when the organiser records it.
    with pytest.raises(ValidationFailed) as outside:
        ev.score_set(actor=officer, entry=row, juror=council, score=Decimal(80))
    assert [e.field for e in outside.value.errors] == ["juror"]
    seat(event, council, personas.standing)
    ev.score_set(actor=council, entry=row, juror=council, score=Decimal(80))  # their own
    ev.score_set(actor=officer, entry=row, juror=personas.standing, score=Decimal(70))  # on paper
    with pytest.raises(PermissionDenied):  # a juror does not score for another
        ev.score_set(actor=council, entry=row, juror=personas.standing, score=Decimal(99))
    assert sorted(JuryScore.objects.values_list("score", flat=True)) == [70, 80]


def test_a_jurors_sheet_is_checked_whole_before_anything_is_written(
    tree: Any, personas: Any
) -> None:
    officer, council = personas.officer, personas.council
    event = contest(officer, tree)
    a = entry(officer, event, exemplar(tree, "E1"), "Bài A")
    b = entry(officer, event, exemplar(tree, "E2"), "Bài B")
    seat(event, council)
    with pytest.raises(ValidationFailed) as bad:
        ev.my_scores_set(
            actor=council,
            event=event,
            marks={a.pk: (Decimal(90), "Tốt"), b.pk: (Decimal(130), "")},
        )
    assert [e.field for e in bad.value.errors] == [f"score_{b.pk}"]
    assert not JuryScore.objects.exists()
    saved = ev.my_scores_set(
        actor=council, event=event, marks={a.pk: (Decimal(90), "Tốt"), b.pk: (None, "")}
    )
    assert [s.entry_id for s in saved] == [a.pk]
    # A blank score keeps the one given before.
    ev.my_scores_set(actor=council, event=event, marks={a.pk: (None, ""), b.pk: (Decimal(75), "")})
    assert dict(JuryScore.objects.values_list("entry_id", "score")) == {a.pk: 90, b.pk: 75}
    with pytest.raises(PermissionDenied):
        ev.my_scores_set(actor=personas.standing, event=event, marks={a.pk: (Decimal(1), "")})


def test_taking_a_juror_off_takes_their_scores_after_asking(tree: Any, personas: Any) -> None:
    officer, council = personas.officer, personas.council
    event = contest(officer, tree)
    row = entry(officer, event, exemplar(tree, "E01"))
    seat(event, council, officer)
    ev.score_set(actor=council, entry=row, juror=council, score=Decimal("88.5"))
    ev.score_set(actor=officer, entry=row, juror=officer, score=Decimal(60))
    member = event.jury.get(user=council)
    client = login(officer)
    url = f"/propagation/events/{event.pk}/jury/{member.pk}/remove/"
    ask = client.get(url).content.decode()
    assert "cùng 1 điểm người này đã chấm?" in ask
    assert client.post(url, {"confirmed": "1"}).status_code == 302
    assert not event.jury.filter(user=council).exists()
    assert list(JuryScore.objects.values_list("juror", flat=True)) == [officer.pk]
    removed = AuditEvent.objects.get(action="contest.jury_remove")
    assert removed.before is not None and removed.before["scores"][0]["score"] == "88.50"
    # The ranking follows: only the remaining juror's mark counts.
    assert [e.mean for e in ev.ranked_entries(event)] == [Decimal(60)]  # type: ignore[attr-defined]


def test_the_juror_scores_on_their_own_sheet(tree: Any, personas: Any) -> None:
    officer = personas.officer
    event = contest(officer, tree)
    a = entry(officer, event, exemplar(tree, "E1"), "Bài A")
    b = entry(officer, event, exemplar(tree, "E2"), "Bài B")
    # A juror from a unit below the organiser does not see the contest's page, yet
    # reaches their sheet.
    below = make_user("juror_a", [(Role.OFFICER, tree.KTTV_A)])
    seat(event, personas.council, below)
    url = f"/propagation/events/{event.pk}/my-scores/"
    client = login(below)
    assert client.get(f"/propagation/events/{event.pk}/").status_code == 404
    page = client.get(url)
    assert page.status_code == 200 and page.context["event_visible"] is False
    assert "Bạn đã chấm 0/2 tác phẩm." in page.content.decode()
    wrong = client.post(url, {f"score_{a.pk}": "95", f"score_{b.pk}": "abc"})
    assert wrong.status_code == 200 and not JuryScore.objects.exists()
    assert 'id="id_score_' + str(b.pk) + '_error"' in wrong.content.decode()
    done = client.post(
        url, {f"score_{a.pk}": "95", f"comment_{a.pk}": "Giàu cảm xúc", f"score_{b.pk}": ""}
    )
    assert done.status_code == 302
    again = client.get(url).content.decode()
    assert "Bạn đã chấm 1/2 tác phẩm." in again and "Giàu cảm xúc" in again
    # The organiser sees each juror's progress on the contest page.
    detail = login(officer).get(f"/propagation/events/{event.pk}/").content.decode()
    assert "Đã chấm 1/2 tác phẩm" in detail and "Đã chấm 0/2 tác phẩm" in detail
    # Not on the jury, another branch, or anonymous: no sheet.
    assert login(personas.viewer).get(url).status_code == 404
    assert login(personas.outsider).get(url).status_code == 404
    assert Client().get(url).status_code == 302
    # Once the results are out the sheet is read-only.
    ev.score_set(actor=officer, entry=b, juror=below, score=Decimal(70))
    ev.results_publish(
        actor=officer, event=event, results={a.pk: ContestResult.FIRST, b.pk: ContestResult.THIRD}
    )
    frozen = client.post(url, {f"score_{a.pk}": "10"})
    assert frozen.status_code == 200 and "điểm không sửa được nữa" in frozen.content.decode()
    assert JuryScore.objects.get(entry=a).score == 95


def test_the_jurors_sheet_runs_bounded_queries(tree: Any, personas: Any) -> None:
    officer = personas.officer
    event = contest(officer, tree)
    seat(event, personas.council)
    client = login(personas.council)
    url = f"/propagation/events/{event.pk}/my-scores/"
    counts = []
    for n in (1, 6):
        while event.entries.count() < n:
            k = event.entries.count()
            row = entry(officer, event, exemplar(tree, f"Q{k}"), f"Bài {k}")
            ev.score_set(actor=officer, entry=row, juror=personas.council, score=Decimal(50))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts


def test_the_organisers_see_the_events_history_readers_do_not(tree: Any, personas: Any) -> None:
    officer = personas.officer
    event = contest(officer, tree)
    row = entry(officer, event, exemplar(tree, "E01"))
    ev.jury_add(actor=officer, event=event, user=personas.council, is_chair=True)
    ev.score_set(actor=officer, entry=row, juror=personas.council, score=Decimal("64.5"))
    url = f"/propagation/events/{event.pk}/"
    page = login(officer).get(url).content.decode()
    assert "Lịch sử thay đổi" in page
    for label in ("Thêm thành viên ban giám khảo", "Giám khảo chấm điểm tác phẩm"):
        assert label in page
    reader = login(personas.viewer).get(url).content.decode()
    assert "Lịch sử thay đổi" not in reader and "64.5" not in reader


def test_my_contests_lists_where_i_judge_with_my_progress(tree: Any, personas: Any) -> None:
    officer, council = personas.officer, personas.council
    first = contest(officer, tree)
    second = contest(officer, tree, title="Cuộc thi phóng sự 2025")
    contest(officer, tree, title="Cuộc thi không mời tôi")
    a = entry(officer, first, exemplar(tree, "E1"), "Bài A")
    entry(officer, first, exemplar(tree, "E2"), "Bài B")
    seat(first, council)
    seat(second, council)
    ev.score_set(actor=council, entry=a, juror=council, score=Decimal(70))
    page = login(council).get("/propagation/my-contests/")
    assert page.status_code == 200
    rows = {c.title: (c.scored, c.entries_count) for c in page.context["page"].object_list}
    assert rows == {"Cuộc thi viết về điển hình 2025": (1, 2), "Cuộc thi phóng sự 2025": (0, 0)}
    html = page.content.decode()
    assert f'href="/propagation/events/{first.pk}/my-scores/"' in html
    assert "Còn tác phẩm chưa chấm" in html
    empty = login(personas.viewer).get("/propagation/my-contests/").content.decode()
    assert "Bạn chưa được mời vào ban giám khảo cuộc thi nào." in empty
    assert Client().get("/propagation/my-contests/").status_code == 302
    # One query set whatever the number of contests.
    client = login(council)
    counts = []
    for n in (2, 7):
        while Event.objects.filter(jury__user=council).count() < n:
            seat(contest(officer, tree, title=f"Cuộc thi {Event.objects.count()}"), council)
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/propagation/my-contests/").status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts


def test_the_jury_box_suggests_candidates_without_diacritics(tree: Any, personas: Any) -> None:
    officer = personas.officer
    event = contest(officer, tree)
    # Family and middle names in first_name, the given name in last_name (as accounts do).
    lan = make_user("lan", [(Role.OFFICER, tree.KTTV_A)], first_name="Đỗ Thị", last_name="Lan")
    make_user("far", [(Role.OFFICER, tree.ST)], first_name="Đỗ Ngọc", last_name="Lan")
    client = login(officer)
    url = f"/propagation/events/{event.pk}/jury/candidates/"
    found = client.get(url, {"user": "do thi lan"}).content.decode()
    assert 'value="lan"' in found and "Đỗ Thị Lan" in found
    # Another branch is never offered; nothing is suggested for an empty box.
    assert 'value="far"' not in client.get(url, {"user": "lan"}).content.decode()
    assert client.get(url, {"user": " "}).content.decode().strip() == ""
    # Named already: no longer offered. A name typed but not picked is refused, named.
    seat(event, lan)
    assert 'value="lan"' not in client.get(url, {"user": "lan"}).content.decode()
    refused = client.post(f"/propagation/events/{event.pk}/jury/", {"user": "far"}, follow=True)
    assert "Không có người dùng “far” trong số người có thể mời làm giám khảo." in (
        refused.content.decode()
    )
    assert event.jury.count() == 1
    assert login(personas.viewer).get(url, {"user": "lan"}).status_code == 403
