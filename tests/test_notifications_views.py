"""The notification pages: a user sees and reads only their own notifications."""

from __future__ import annotations

from typing import Any

import pytest
from django.contrib.auth.models import AnonymousUser
from django.test import Client, RequestFactory
from django.urls import reverse

from notifications import services
from notifications.context_processors import unread
from notifications.models import Notification, NotificationKind

pytestmark = pytest.mark.django_db


def note(user: Any, title: str = "Sắp đến hạn gửi", url: str = "/units/KTTV_A/") -> Notification:
    [n] = services.notify(
        [user], kind=NotificationKind.PLAN_DUE_SOON, title=title, body="Nội dung", url=url
    )
    return n


@pytest.fixture
def as_officer(personas: Any) -> Client:
    client = Client()
    client.force_login(personas.officer)
    return client


def test_list_shows_only_my_notifications_unread_first(as_officer: Client, personas: Any) -> None:
    old = note(personas.officer, "Thông báo đã đọc")
    services.mark_read(user=personas.officer, notification=old)
    note(personas.officer, "Thông báo mới")
    note(personas.head, "Thông báo của thủ trưởng")
    response = as_officer.get(reverse("notifications:list"))
    assert response.status_code == 200
    titles = [n.title for n in response.context["page"].object_list]
    assert titles == ["Thông báo mới", "Thông báo đã đọc"]
    assert "Thông báo của thủ trưởng" not in response.content.decode()
    assert response.context["unread_total"] == 1

    unread_only = as_officer.get(reverse("notifications:list") + "?show=unread")
    assert [n.title for n in unread_only.context["page"].object_list] == ["Thông báo mới"]


def test_mark_one_read_and_all_read(as_officer: Client, personas: Any) -> None:
    first, *_others = (note(personas.officer, f"Thông báo {i}") for i in range(3))
    response = as_officer.post(reverse("notifications:read", args=[first.pk]))
    assert response.status_code == 302
    first.refresh_from_db()
    assert first.read_at is not None
    assert services.unread_count(personas.officer) == 2

    response = as_officer.post(
        reverse("notifications:read_all"), {"next": "/notifications/?show=unread"}
    )
    assert response["Location"] == "/notifications/?show=unread"
    assert services.unread_count(personas.officer) == 0
    # Reading again keeps the first time it was read.
    read_at = Notification.objects.get(pk=first.pk).read_at
    as_officer.post(reverse("notifications:read", args=[first.pk]))
    assert Notification.objects.get(pk=first.pk).read_at == read_at


def test_opening_follows_the_link_and_marks_it_read(as_officer: Client, personas: Any) -> None:
    n = note(personas.officer)
    response = as_officer.get(reverse("notifications:open", args=[n.pk]))
    assert response.status_code == 302 and response["Location"] == "/units/KTTV_A/"
    n.refresh_from_db()
    assert n.read_at is not None
    # A link to another site is not followed (no open redirect through notifications).
    evil = note(personas.officer, url="https://evil.example.com/")
    response = as_officer.get(reverse("notifications:open", args=[evil.pk]))
    assert response["Location"] == reverse("notifications:list")


@pytest.mark.parametrize("name", ["open", "read"])
def test_another_users_notification_is_not_found(
    as_officer: Client, personas: Any, name: str
) -> None:
    theirs = note(personas.head)
    response = as_officer.post(reverse(f"notifications:{name}", args=[theirs.pk]))
    if name == "open":
        response = as_officer.get(reverse(f"notifications:{name}", args=[theirs.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read_leaves_other_users_alone(as_officer: Client, personas: Any) -> None:
    note(personas.officer)
    theirs = note(personas.head)
    as_officer.post(reverse("notifications:read_all"))
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_marking_read_needs_post(as_officer: Client, personas: Any) -> None:
    n = note(personas.officer)
    assert as_officer.get(reverse("notifications:read", args=[n.pk])).status_code == 405
    assert as_officer.get(reverse("notifications:read_all")).status_code == 405
    n.refresh_from_db()
    assert n.read_at is None


def test_anonymous_visitors_are_sent_to_login(personas: Any) -> None:
    response = Client().get(reverse("notifications:list"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_list_queries_do_not_grow_with_rows(
    as_officer: Client, personas: Any, django_assert_max_num_queries: Any, tree: Any
) -> None:
    services.notify([personas.officer], kind="GENERAL", title="Một", unit=tree.KTTV_A)
    with django_assert_max_num_queries(12) as few:
        as_officer.get(reverse("notifications:list"))
    for i in range(40):
        services.notify([personas.officer], kind="GENERAL", title=f"T{i}", unit=tree.KTTV_B)
    with django_assert_max_num_queries(len(few.captured_queries)):
        response = as_officer.get(reverse("notifications:list"))
    assert len(response.context["page"].object_list) == 25


def test_unread_badge_counts_in_one_query(personas: Any, django_assert_num_queries: Any) -> None:
    note(personas.officer)
    note(personas.officer)
    services.mark_all_read(user=personas.head)
    request = RequestFactory().get("/")
    request.user = personas.officer
    with django_assert_num_queries(1):
        assert unread(request) == {"unread_notifications": 2}
    request.user = AnonymousUser()
    with django_assert_num_queries(0):
        assert unread(request) == {"unread_notifications": 0}


def test_notify_sends_one_per_user(personas: Any) -> None:
    rows = services.notify(
        [personas.officer, personas.head, personas.officer.pk],
        kind="GENERAL",
        title="Họp hội đồng",
    )
    assert len(rows) == 2
    assert Notification.objects.filter(title="Họp hội đồng").count() == 2
