"""User and role management pages: what an administrator of a subtree can and cannot do."""

from __future__ import annotations

import re
from io import BytesIO
from typing import Any

import pytest
from django.core import mail
from django.test import Client
from openpyxl import load_workbook

from accounts.models import ApiToken, Role, RoleGrant, User
from accounts.services import api_token_issue
from audit.models import AuditEvent
from audit.services import verify_chain
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

STRONG = "Thi-Dua-Manh-2025"


@pytest.fixture
def uadmin(tree: Any) -> User:
    """System administrator of the KTTV subtree only."""
    return make_user("uadmin", [(Role.ADMIN, tree.KTTV)])


@pytest.fixture
def as_uadmin(uadmin: User) -> Client:
    client = Client()
    client.force_login(uadmin)
    return client


def post_login(username: str, password: str) -> Any:
    return Client().post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR="10.0.0.9"
    )


def create_data(**overrides: str) -> dict[str, str]:
    data = {
        "username": "nv.dong",
        "first_name": "Nguyễn Văn",
        "last_name": "Đông",
        "email": "dong@kttv.gov.vn",
        "person": "",
        "role": Role.OFFICER,
        "unit": "KTTV_A",
        "mode": "password",
        "password1": STRONG,
        "password2": STRONG,
    }
    data.update(overrides)
    return data


# --- who may open the pages -----------------------------------------------------------


@pytest.mark.parametrize("persona", ["standing", "officer", "head", "council", "comms", "viewer"])
def test_other_roles_are_refused(persona: str, personas: Any) -> None:
    client = Client()
    client.force_login(getattr(personas, persona))
    assert client.get("/users/").status_code == 403
    assert client.get("/users/new/").status_code == 403
    assert client.get(f"/users/{personas.viewer.pk}/").status_code == 403


def test_superuser_sees_every_account(personas: Any) -> None:
    client = Client()
    client.force_login(personas.admin)
    page = client.get("/users/").content.decode()
    for name in ("standing", "officer", "outsider", "viewer"):
        assert f">{name}</a>" in page


def test_subtree_admin_lists_only_accounts_with_roles_in_the_subtree(
    as_uadmin: Client, personas: Any
) -> None:
    page = as_uadmin.get("/users/").content.decode()
    # officer, head and viewer hold roles on KTTV; standing, council and comms on MIN only.
    for name in ("officer", "head", "viewer", "uadmin"):
        assert f">{name}</a>" in page
    for name in ("standing", "council", "comms", "outsider", "admin"):
        assert f">{name}</a>" not in page


def test_account_of_another_subtree_is_not_found(as_uadmin: Client, personas: Any) -> None:
    outsider = personas.outsider
    grant = outsider.grants.get()
    assert as_uadmin.get(f"/users/{outsider.pk}/").status_code == 404
    revoke = f"/users/{outsider.pk}/grants/{grant.pk}/revoke/"
    assert as_uadmin.post(revoke, {"confirm": "1"}).status_code == 404
    assert as_uadmin.post(f"/users/{outsider.pk}/tokens/new/", {"confirm": "1"}).status_code == 404
    assert RoleGrant.objects.filter(pk=grant.pk).exists()
    assert not ApiToken.objects.filter(user=outsider).exists()


# --- creating accounts ----------------------------------------------------------------


def test_admin_creates_a_user_with_a_role_in_the_subtree(as_uadmin: Client, tree: Any) -> None:
    response = as_uadmin.post("/users/new/", create_data())
    user = User.objects.get(username="nv.dong")
    assert response.status_code == 302
    assert response["Location"] == f"/users/{user.pk}/"
    assert user.get_full_name() == "Nguyễn Văn Đông"
    assert [(g.role, g.unit.code) for g in user.grants.all()] == [(Role.OFFICER, "KTTV_A")]
    # The new account can log in with the password typed twice.
    assert post_login("nv.dong", STRONG).status_code == 302
    created = AuditEvent.objects.get(action="user.create", object_id=str(user.pk))
    assert created.actor_label == "uadmin"
    logged = str(created.before) + str(created.after)
    assert STRONG not in logged and user.password not in logged and "md5$" not in logged
    assert AuditEvent.objects.filter(action="role.grant", unit=tree.KTTV_A).exists()
    assert verify_chain().ok


def test_create_links_a_person_in_scope(as_uadmin: Client, person_a: Any) -> None:
    as_uadmin.post("/users/new/", create_data(person=person_a.code))
    assert User.objects.get(username="nv.dong").person == person_a


def test_create_refuses_a_unit_outside_the_subtree(as_uadmin: Client) -> None:
    response = as_uadmin.post("/users/new/", create_data(unit="STNMT_ST"))
    assert response.status_code == 200
    assert 'id="id_unit_error"' in response.content.decode()
    assert not User.objects.filter(username="nv.dong").exists()


def test_create_applies_the_password_validators(as_uadmin: Client) -> None:
    page = as_uadmin.post("/users/new/", create_data(password1="12345678", password2="12345678"))
    assert 'id="id_password1_error"' in page.content.decode()
    mismatch = as_uadmin.post("/users/new/", create_data(password2="Khac-Han-2025"))
    assert "không khớp" in mismatch.content.decode()
    assert not User.objects.filter(username="nv.dong").exists()


def test_create_refuses_a_taken_username(as_uadmin: Client, personas: Any) -> None:
    page = as_uadmin.post("/users/new/", create_data(username="officer"))
    assert "đã tồn tại" in page.content.decode()
    assert User.objects.filter(username="officer").count() == 1


def test_create_with_a_password_email(
    as_uadmin: Client, django_capture_on_commit_callbacks: Any
) -> None:
    data = create_data(mode="email", password1="", password2="")
    with django_capture_on_commit_callbacks(execute=True):
        response = as_uadmin.post("/users/new/", data)
    assert response.status_code == 302
    user = User.objects.get(username="nv.dong")
    assert not user.has_usable_password()
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["dong@kttv.gov.vn"]
    body = str(mail.outbox[0].body)
    link = re.search(r"https?://\S+/accounts/reset/\S+/", body)
    assert link, body
    client = Client()
    form = client.get("/accounts/" + link.group(0).split("/accounts/", 1)[1], follow=True)
    set_url = form.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": STRONG, "new_password2": STRONG})
    assert done.status_code == 302
    assert post_login("nv.dong", STRONG).status_code == 302


def test_create_by_email_needs_an_address(as_uadmin: Client) -> None:
    page = as_uadmin.post("/users/new/", create_data(mode="email", email=""))
    assert 'id="id_email_error"' in page.content.decode()
    assert not User.objects.filter(username="nv.dong").exists()


# --- roles --------------------------------------------------------------------------------


def test_grant_inside_the_subtree(as_uadmin: Client, personas: Any, tree: Any) -> None:
    viewer = personas.viewer
    response = as_uadmin.post(
        f"/users/{viewer.pk}/grants/", {"grant-role": Role.OFFICER, "grant-unit": "KTTV_B"}
    )
    assert response.status_code == 302
    assert viewer.grants.filter(role=Role.OFFICER, unit=tree.KTTV_B).exists()
    assert AuditEvent.objects.filter(action="role.grant", unit=tree.KTTV_B).count() == 1


def test_cannot_grant_on_a_unit_outside_the_subtree(
    as_uadmin: Client, personas: Any, tree: Any
) -> None:
    viewer = personas.viewer
    for unit in ("STNMT_ST", "MIN"):
        response = as_uadmin.post(
            f"/users/{viewer.pk}/grants/", {"grant-role": Role.ADMIN, "grant-unit": unit}
        )
        assert response.status_code == 200
        assert 'id="id_grant-unit_error"' in response.content.decode()
    assert list(viewer.grants.values_list("role", flat=True)) == [Role.VIEWER]


def test_revoke_needs_confirmation_and_is_audited(
    as_uadmin: Client, personas: Any, tree: Any
) -> None:
    head = personas.head
    grant = head.grants.get()
    url = f"/users/{head.pk}/grants/{grant.pk}/revoke/"
    confirm = as_uadmin.get(url)
    assert confirm.status_code == 200
    assert 'name="confirm" value="1"' in confirm.content.decode()
    # A POST without the confirmation changes nothing.
    assert as_uadmin.post(url, {}).status_code == 200
    assert RoleGrant.objects.filter(pk=grant.pk).exists()
    assert not AuditEvent.objects.filter(action="role.revoke").exists()
    response = as_uadmin.post(url, {"confirm": "1"})
    assert not RoleGrant.objects.filter(pk=grant.pk).exists()
    event = AuditEvent.objects.get(action="role.revoke")
    assert event.before == {"user": "head", "role": Role.HEAD, "unit": "KTTV"}
    assert event.actor_label == "uadmin"
    # The head had no other role in the subtree, so the page goes back to the list.
    assert response["Location"] == "/users/"


def test_grant_outside_the_subtree_cannot_be_revoked(as_uadmin: Client, tree: Any) -> None:
    both = make_user("both", [(Role.VIEWER, tree.MIN), (Role.OFFICER, tree.KTTV_A)])
    outside = both.grants.get(unit=tree.MIN)
    response = as_uadmin.post(f"/users/{both.pk}/grants/{outside.pk}/revoke/", {"confirm": "1"})
    assert response.status_code == 403
    assert RoleGrant.objects.filter(pk=outside.pk).exists()


def test_account_with_roles_elsewhere_is_read_only_for_the_subtree_admin(
    as_uadmin: Client, tree: Any
) -> None:
    """Locking it or taking a token for it would reach beyond the admin's subtree."""
    both = make_user("both", [(Role.STANDING, tree.MIN), (Role.OFFICER, tree.KTTV_A)])
    page = as_uadmin.get(f"/users/{both.pk}/").content.decode()
    assert "ngoài phạm vi của bạn" in page
    assert as_uadmin.post(f"/users/{both.pk}/tokens/new/", {"confirm": "1"}).status_code == 403
    active = {"confirm": "1", "active": "0"}
    assert as_uadmin.post(f"/users/{both.pk}/active/", active).status_code == 403
    both.refresh_from_db()
    assert both.is_active and not ApiToken.objects.filter(user=both).exists()


# --- the account itself --------------------------------------------------------------------


def test_deactivated_user_cannot_log_in(as_uadmin: Client, personas: Any) -> None:
    officer = personas.officer
    url = f"/users/{officer.pk}/active/"
    assert as_uadmin.get(url + "?active=0").status_code == 200  # the confirmation page
    officer.refresh_from_db()
    assert officer.is_active
    as_uadmin.post(url, {"active": "0", "confirm": "1"})
    officer.refresh_from_db()
    assert not officer.is_active
    assert post_login("officer", "pw-Thidua-2025").status_code == 200
    assert AuditEvent.objects.filter(action="user.deactivate", object_id=str(officer.pk)).exists()
    # And back.
    as_uadmin.post(url, {"active": "1", "confirm": "1"})
    assert post_login("officer", "pw-Thidua-2025").status_code == 302


def test_deactivation_ends_open_sessions(as_uadmin: Client, personas: Any) -> None:
    officer_client = Client()
    officer_client.force_login(personas.officer)
    assert officer_client.get("/").status_code == 200
    as_uadmin.post(f"/users/{personas.officer.pk}/active/", {"active": "0", "confirm": "1"})
    assert officer_client.get("/").status_code == 302


def test_admin_cannot_lock_themselves(as_uadmin: Client, uadmin: User) -> None:
    response = as_uadmin.post(
        f"/users/{uadmin.pk}/active/", {"active": "0", "confirm": "1"}, follow=True
    )
    assert "không thể tự khóa" in response.content.decode()
    uadmin.refresh_from_db()
    assert uadmin.is_active


# --- API tokens ---------------------------------------------------------------------------


def test_issued_token_works_once_shown_and_revoked_token_is_refused(
    as_uadmin: Client, personas: Any
) -> None:
    officer = personas.officer
    page = as_uadmin.post(f"/users/{officer.pk}/tokens/new/", {"confirm": "1"})
    assert page.status_code == 200
    assert "no-store" in page["Cache-Control"]
    token = re.search(r'value="(thd_[^"]+)"', page.content.decode())
    assert token
    api = Client(headers={"Authorization": f"Bearer {token.group(1)}"})
    answer = api.get("/api/v1/units/KTTV_A")
    assert answer.status_code == 200 and answer.json()["code"] == "KTTV_A"
    record = ApiToken.objects.get(user=officer)
    # The detail page lists the token by prefix only.
    detail = as_uadmin.get(f"/users/{officer.pk}/").content.decode()
    assert record.prefix in detail and token.group(1) not in detail
    url = f"/users/{officer.pk}/tokens/{record.pk}/revoke/"
    as_uadmin.post(url, {})
    assert api.get("/api/v1/units/KTTV_A").status_code == 200  # not confirmed yet
    as_uadmin.post(url, {"confirm": "1"})
    assert api.get("/api/v1/units/KTTV_A").status_code == 401
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"api_token.issue", "api_token.revoke"} <= actions


# --- list: search, filters, export, query count -----------------------------------------------


def test_search_ignores_diacritics_and_filters_combine(
    as_uadmin: Client, personas: Any, tree: Any
) -> None:
    make_user("dong", [(Role.OFFICER, tree.KTTV_A)], first_name="Nguyễn Văn", last_name="Đông")
    make_user("dung", [(Role.HEAD, tree.KTTV_B)], first_name="Trần Thị", last_name="Dung")
    make_user("dong_st", [(Role.OFFICER, tree.ST)], first_name="Lê", last_name="Đông")
    page = as_uadmin.get("/users/", {"q": "nguyen van dong"}).content.decode()
    assert ">dong</a>" in page and ">dung</a>" not in page
    page = as_uadmin.get("/users/", {"q": "ĐÔNG"}).content.decode()
    assert ">dong</a>" in page and ">dong_st</a>" not in page  # outside the subtree
    page = as_uadmin.get("/users/", {"role": Role.HEAD, "unit": "KTTV_B"}).content.decode()
    assert ">dung</a>" in page and ">head</a>" not in page  # head's role is on KTTV itself
    page = as_uadmin.get("/users/", {"q": "khong co ai"}).content.decode()
    assert "Không có người dùng nào khớp" in page


def test_export_lists_the_filtered_accounts_with_roles(as_uadmin: Client, tree: Any) -> None:
    make_user("dong", [(Role.OFFICER, tree.KTTV_A), (Role.VIEWER, tree.KTTV_B)],
              first_name="Nguyễn Văn", last_name="Đông", email="dong@x.vn")  # fmt: skip
    response = as_uadmin.get("/users/", {"q": "dong", "format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][0] == "Tên đăng nhập"
    assert rows[1:] == [
        ("dong", "Nguyễn Văn Đông", "dong@x.vn", "Có", "OFFICER@KTTV_A, VIEWER@KTTV_B")
    ]


def test_list_query_count_does_not_grow_with_rows(
    as_uadmin: Client, tree: Any, django_assert_max_num_queries: Any
) -> None:
    def add(n: int, start: int) -> None:
        for i in range(start, start + n):
            make_user(f"u{i:03d}", [(Role.OFFICER, tree.KTTV_A), (Role.VIEWER, tree.KTTV_B)])

    add(3, 0)
    with django_assert_max_num_queries(12) as few:
        assert as_uadmin.get("/users/").status_code == 200
    add(40, 3)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert as_uadmin.get("/users/").status_code == 200
    with django_assert_max_num_queries(len(few.captured_queries) + 1):
        assert as_uadmin.get("/users/", {"q": "u0", "role": Role.OFFICER}).status_code == 200


def test_detail_shows_grants_tokens_and_history(as_uadmin: Client, personas: Any) -> None:
    viewer = personas.viewer
    as_uadmin.post(f"/users/{viewer.pk}/grants/", {"grant-role": Role.HEAD, "grant-unit": "KTTV_A"})
    grant = viewer.grants.get(role=Role.HEAD)
    as_uadmin.post(f"/users/{viewer.pk}/grants/{grant.pk}/revoke/", {"confirm": "1"})
    page = as_uadmin.get(f"/users/{viewer.pk}/").content.decode()
    # The revoked grant is gone from the table but its story stays in the history.
    assert "Cấp vai trò" in page and "Thu hồi vai trò" in page
    assert "Người dùng chưa có mã API nào." in page


# --- Django admin -----------------------------------------------------------------------------


def test_admin_site_edits_are_audited_without_the_password(personas: Any, tree: Any) -> None:
    client = Client()
    client.force_login(personas.admin)
    target = personas.viewer
    grant = target.grants.get()
    data = {
        "username": "viewer",
        "first_name": "Phạm",
        "last_name": "Xem",
        "email": "xem@x.vn",
        "is_active": "on",
        "date_joined_0": "01/01/2024",
        "date_joined_1": "08:00:00",
        "grants-TOTAL_FORMS": "2",
        "grants-INITIAL_FORMS": "1",
        "grants-MIN_NUM_FORMS": "0",
        "grants-MAX_NUM_FORMS": "1000",
        "grants-0-id": str(grant.pk),
        "grants-0-user": str(target.pk),
        "grants-0-role": Role.VIEWER,
        "grants-0-unit": str(tree.KTTV.pk),
        "grants-0-DELETE": "on",
        "grants-1-user": str(target.pk),
        "grants-1-role": Role.COMMS,
        "grants-1-unit": str(tree.ST.pk),
    }
    response = client.post(f"/admin/accounts/user/{target.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    change = AuditEvent.objects.get(action="user.admin_change", object_id=str(target.pk))
    after = change.after or {}
    assert after["last_name"] == "Xem" and "password" not in after
    assert "password" not in (change.before or {})
    assert (AuditEvent.objects.get(action="role.revoke").before or {})["role"] == Role.VIEWER
    assert AuditEvent.objects.get(action="role.grant").after == {
        "user": "viewer",
        "role": Role.COMMS,
        "unit": "STNMT_ST",
    }
    response = client.post(
        f"/admin/accounts/user/{target.pk}/password/",
        {"password1": STRONG, "password2": STRONG, "usable_password": "true"},
    )
    assert response.status_code == 302
    password_event = AuditEvent.objects.get(action="user.password_set")
    target.refresh_from_db()
    assert target.password not in str(password_event.after)
    assert verify_chain().ok


def test_admin_site_user_creation_is_audited(personas: Any) -> None:
    client = Client()
    client.force_login(personas.admin)
    inline = {
        "grants-TOTAL_FORMS": "0",
        "grants-INITIAL_FORMS": "0",
        "grants-MAX_NUM_FORMS": "1000",
    }
    response = client.post(
        "/admin/accounts/user/add/",
        {"username": "moi", "password1": STRONG, "password2": STRONG, "usable_password": "true",
         **inline},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:3000]
    user = User.objects.get(username="moi")
    event = AuditEvent.objects.get(action="user.admin_create", object_id=str(user.pk))
    after = event.after or {}
    assert after["username"] == "moi" and "password" not in after
    assert user.password not in str(event.after)


def test_admin_site_tokens_are_read_only_and_revoked_through_the_service(personas: Any) -> None:
    client = Client()
    client.force_login(personas.admin)
    assert client.get("/admin/accounts/apitoken/").status_code == 200
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403
    api_token_issue(actor=None, user=personas.viewer)
    token = ApiToken.objects.get(user=personas.viewer)
    client.post(
        "/admin/accounts/apitoken/",
        {"action": "revoke", "_selected_action": [str(token.pk)], "index": "0"},
    )
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert AuditEvent.objects.filter(action="api_token.revoke", actor_label="admin").exists()


def test_admin_site_is_for_superusers_only(tree: Any) -> None:
    staff = make_user("staff", [(Role.ADMIN, tree.MIN)], is_staff=True)
    client = Client()
    client.force_login(staff)
    assert client.get("/admin/accounts/user/").status_code == 403


def test_admin_site_deletes_only_accounts_that_never_acted(personas: Any, tree: Any) -> None:
    client = Client()
    client.force_login(personas.admin)
    mistake = make_user("nham", [(Role.VIEWER, tree.KTTV_A)])
    response = client.post(f"/admin/accounts/user/{mistake.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not User.objects.filter(username="nham").exists()
    event = AuditEvent.objects.get(action="user.admin_delete")
    assert (event.before or {})["grants"] == ["VIEWER@KTTV_A"]
    # The officer has acted (issued a token), so the account can only be locked.
    api_token_issue(actor=personas.officer, user=personas.officer)
    url = f"/admin/accounts/user/{personas.officer.pk}/delete/"
    assert client.post(url, {"post": "yes"}).status_code == 403
    assert verify_chain().ok
