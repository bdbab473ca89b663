from __future__ import annotations

import re
from typing import Any

import pytest
from django.core import mail
from django.test import Client

pytestmark = pytest.mark.django_db


def post_login(client: Client, username: str, password: str) -> Any:
    return client.post(
        "/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR="10.0.0.7"
    )


def test_login_and_logout(personas: Any) -> None:
    client = Client()
    response = post_login(client, "officer", "pw-Thidua-2025")
    assert response.status_code == 302 and response["Location"] == "/"
    assert client.get("/").status_code == 200
    client.post("/accounts/logout/")
    assert client.get("/").status_code == 302


def test_repeated_failures_lock_the_account(personas: Any) -> None:
    client = Client()
    for _ in range(5):
        response = post_login(client, "officer", "wrong")
    assert response.status_code == 429
    assert "tạm khóa" in response.content.decode()
    # Even the right password is refused while the lock holds.
    response = post_login(client, "officer", "pw-Thidua-2025")
    assert response.status_code == 429
    # Another account from the same address is not affected.
    assert post_login(Client(), "viewer", "pw-Thidua-2025").status_code == 302


def test_password_reset_by_email(personas: Any) -> None:
    personas.officer.email = "officer@example.vn"
    personas.officer.save()
    client = Client()
    response = client.post("/accounts/password-reset/", {"email": "officer@example.vn"})
    assert response.status_code == 302
    assert len(mail.outbox) == 1
    body = str(mail.outbox[0].body)
    link = re.search(r"http://\S+/accounts/reset/\S+/", body)
    assert link, mail.outbox[0].body
    path = link.group(0).split("testserver", 1)[1]
    form = client.get(path, follow=True)
    assert form.status_code == 200
    set_url = form.redirect_chain[-1][0]
    done = client.post(
        set_url, {"new_password1": "Moi-Mat-Khau-9", "new_password2": "Moi-Mat-Khau-9"}
    )
    assert done.status_code == 302
    assert post_login(Client(), "officer", "Moi-Mat-Khau-9").status_code == 302


def test_interface_is_vietnamese_by_default_and_english_on_request(personas: Any) -> None:
    client = Client()
    client.force_login(personas.officer)
    assert "Tổng quan" in client.get("/").content.decode()
    client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    page = client.get("/").content.decode()
    assert "Dashboard" in page
    assert 'lang="en"' in page


def test_pages_stay_vietnamese_for_an_english_browser(personas: Any) -> None:
    client = Client()
    client.force_login(personas.officer)
    page = client.get("/", headers={"Accept-Language": "en-US,en;q=0.9"}).content.decode()
    assert 'lang="vi"' in page
    assert "Tổng quan" in page


def test_outsiders_and_read_only_users_get_explanatory_pages(personas: Any, tree: Any) -> None:
    outsider = Client()
    outsider.force_login(personas.outsider)
    missing = outsider.get("/units/KTTV_A/")
    assert missing.status_code == 404
    assert "ngoài phạm vi đơn vị của bạn" in missing.content.decode()
    viewer = Client()
    viewer.force_login(personas.viewer)
    denied = viewer.get("/units/KTTV_A/rating/")
    assert denied.status_code == 403
    assert "không có quyền" in denied.content.decode()


@pytest.mark.django_db
def test_scope_through_several_relations_and_above_its_roots(tree: Any, personas: Any) -> None:
    from accounts.access import Perm, scope_for
    from organizations.models import Unit

    officer = scope_for(personas.officer, Perm.VIEW)  # KTTV and below
    reached = set(Unit.objects.filter(officer.any_q("", "parent__")).values_list("code", flat=True))
    assert reached == {"KTTV", "KTTV_A", "KTTV_B"}
    assert officer.ids_at_or_above() == {tree.MIN.pk, tree.KTTV.pk}
    everything = scope_for(personas.admin, Perm.VIEW)
    assert Unit.objects.filter(everything.any_q("", "parent__")).count() == Unit.objects.count()
