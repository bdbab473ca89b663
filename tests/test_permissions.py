"""Mechanical permission coverage.

1. Every URL pattern of the site is marked by the access layer (``@access`` /
   ``@public`` / ``mark_checked``); an unmarked view fails the build.
2. Anonymous visitors are sent to the login page from every non-public page.
3. Every API operation requires the bearer token; anonymous calls get 401.
4. For every object page, a user of another unit gets 404, a read-only user
   of the right unit gets 403 on pages that change things, and the people who
   hold the right role get through.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from accounts.access import PERMISSIONS
from accounts.models import Role
from config.api import api

# Views that other code protects by its own rules.
EXTERNAL_NAMESPACES = {"admin"}  # Django admin: is_staff on every page
API_PREFIX = "api/v1/"
PUBLIC_NAMES = {
    "login",
    "logout",
    "password_reset",
    "password_reset_done",
    "password_reset_confirm",
    "password_reset_complete",
    "set_language",
    "healthz",
    # The public portal (propagation/urls_portal.py); "portal:replicate" needs a login.
    "portal:index",
    "portal:search",
    "portal:column",
    "portal:story",
    "portal:cover",
    "portal:photo",
    "portal:feed_atom",
    "portal:feed_rss",
    "portal:column_feed_atom",
    "portal:column_feed_rss",
    # The law asks for the list of proposed awards to be posted publicly, and a
    # certificate's QR code must open without an account.
    "commendations:posting",
    "commendations:verify",
}


def walk(
    patterns: list[Any], prefix: str = "", namespace: str = ""
) -> Iterator[tuple[str, str, URLPattern]]:
    for entry in patterns:
        if isinstance(entry, URLResolver):
            ns = entry.namespace or namespace
            yield from walk(entry.url_patterns, prefix + str(entry.pattern), ns)
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern), namespace, entry


def site_patterns() -> list[tuple[str, str, URLPattern]]:
    return [
        (route, ns, p)
        for route, ns, p in walk(get_resolver().url_patterns)
        if ns not in EXTERNAL_NAMESPACES and not route.startswith(API_PREFIX)
    ]


def full_name(ns: str, pattern: URLPattern) -> str:
    return f"{ns}:{pattern.name}" if ns else str(pattern.name)


def test_every_view_goes_through_the_access_layer() -> None:
    unmarked = [
        route
        for route, _ns, p in site_patterns()
        if not getattr(p.callback, "access_checked", False)
    ]
    assert unmarked == [], f"views without an access check: {unmarked}"


def test_public_views_are_only_the_expected_ones() -> None:
    public = {
        full_name(ns, p)
        for _route, ns, p in site_patterns()
        if getattr(p.callback, "access_perm", "x") is None
    }
    assert public <= PUBLIC_NAMES, f"unexpected public views: {public - PUBLIC_NAMES}"


SAMPLE = {"code": "KTTV_A", "year": "2024", "pk": "1", "uidb64": "MQ", "token": "x-y"}


def fill(route: str, values: dict[str, str]) -> str:
    def repl(match: re.Match[str]) -> str:
        name = match.group(2)
        return values.get(name, "1")

    return "/" + re.sub(r"<(?:(\w+):)?(\w+)>", repl, route)


@pytest.mark.django_db
def test_anonymous_visitors_are_sent_to_login() -> None:
    client = Client()
    for route, _ns, p in site_patterns():
        if getattr(p.callback, "access_perm", "x") is None or "^" in route:
            continue
        url = fill(route, SAMPLE)
        response = client.get(url)
        assert response.status_code == 302, f"{url} answered {response.status_code}"
        assert "/accounts/login/" in response["Location"], url


def api_operations() -> list[tuple[str, str, dict[str, Any]]]:
    schema = api.get_openapi_schema()
    return [
        (path, method, op)
        for path, methods in schema["paths"].items()
        for method, op in methods.items()
    ]


def test_every_api_operation_requires_the_token() -> None:
    operations = api_operations()
    assert operations, "the API has no operations"
    open_ops = [(m, p) for p, m, op in operations if not op.get("security")]
    assert open_ops == [], f"API operations without auth: {open_ops}"


def test_every_api_route_is_documented() -> None:
    documented = {path for path, _m, _op in api_operations()}
    routed = {
        "/" + route.replace("<", "{").replace(">", "}")
        for route, _ns, _p in walk(get_resolver().url_patterns)
        if route.startswith(API_PREFIX)
    }
    routed = {re.sub(r"\{\w+:(\w+)\}", r"{\1}", r) for r in routed}
    # The API root only redirects to the docs.
    hidden = routed - documented - {"/api/v1/openapi.json", "/api/v1/docs", "/api/v1/"}
    assert hidden == set(), f"routes missing from the OpenAPI document: {hidden}"


@pytest.mark.django_db
def test_anonymous_api_calls_get_401() -> None:
    client = Client()
    for path, method, _op in api_operations():
        url = re.sub(r"\{(\w+)\}", lambda m: SAMPLE.get(m.group(1), "1"), path)
        response = getattr(client, method)(url, content_type="application/json")
        assert response.status_code == 401, f"{method.upper()} {url}: {response.status_code}"
        assert "detail" in response.json()


# --- object pages: allowed, denied, other unit -------------------------------------

# The personas of tests/conftest.py and the role each holds (in or above KTTV).
PERSONA_ROLES = {
    "viewer": Role.VIEWER,
    "officer": Role.OFFICER,
    "head": Role.HEAD,
    "standing": Role.STANDING,
    "council": Role.COUNCIL,
    "comms": Role.COMMS,
}
WRITE_ROLES = {
    perm: {persona for persona, role in PERSONA_ROLES.items() if role in roles}
    for perm, roles in PERMISSIONS.items()
}


def assert_object_pages(
    client: Client, persona: str, namespace: str, values: dict[str, str]
) -> int:
    """Open every page of `namespace` whose URL names an object, filled with `values`.

    `values` must name objects that belong to KTTV (or below it): the outsider
    (STNMT_ST) must get 404, every persona whose role grants the page's
    permission gets 200 or a redirect, everyone else 403. Returns how many
    pages were checked.
    """
    checked = 0
    for route, ns, p in site_patterns():
        if ns != namespace or "<" not in route or "^" in route:
            continue
        url = fill(route, {**SAMPLE, **values})
        perm = getattr(p.callback, "access_perm")  # noqa: B009 - set by the decorator
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url, {})
        checked += 1
        if persona == "outsider":
            expected = {404}
        elif persona in WRITE_ROLES[perm]:
            expected = {200, 302}
        else:
            expected = {403}
        assert response.status_code in expected, (
            f"{persona} {url} ({perm}): {response.status_code}, expected {expected}"
        )
    return checked


def object_pages() -> list[tuple[str, URLPattern]]:
    """Pages that show or change one scoped object, named by a `code` in the URL."""
    return [
        (route, p)
        for route, ns, p in site_patterns()
        if ns in {"organizations", "people"} and "<code>" in route.replace("str:", "")
    ]


@pytest.fixture
def scoped_objects(tree: Any, person_a: Any) -> dict[str, str]:
    # KTTV_A and P001 sit inside KTTV; the outsider holds roles on STNMT_ST only.
    return {"organizations": "KTTV_A", "people": person_a.code}


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["outsider", "viewer", "officer", "head", "standing", "comms"])
def test_object_pages_by_role(persona: str, personas: Any, scoped_objects: dict[str, str]) -> None:
    client = Client()
    client.force_login(getattr(personas, persona))
    checked = 0
    for route, ns, p in site_patterns():
        if ns not in scoped_objects or "code>" not in route:
            continue
        url = fill(route, {**SAMPLE, "code": scoped_objects[ns]})
        perm = getattr(p.callback, "access_perm")  # noqa: B009 - set by the decorator
        response = client.get(url)
        if response.status_code == 405:
            response = client.post(url, {})
        checked += 1
        if persona == "outsider":
            expected = {404}
        elif persona in WRITE_ROLES[perm]:
            expected = {200, 302}
        else:
            expected = {403}
        assert response.status_code in expected, (
            f"{persona} {url} ({perm}): {response.status_code}, expected {expected}"
        )
    assert checked > 0


def test_every_object_namespace_has_an_object_page_test() -> None:
    """Each app whose pages name an object in the URL walks them for every persona with
    assert_object_pages (or, for the foundation, test_object_pages_by_role above)."""
    from pathlib import Path

    here = Path(__file__).resolve().parent
    sources = "\n".join(p.read_text(encoding="utf-8") for p in here.glob("test_*.py"))
    covered = set(re.findall(r'assert_object_pages\(\s*\w+,\s*\w+,\s*"(\w+)"', sources))
    covered |= {"organizations", "people"}  # test_object_pages_by_role
    covered |= {"accounts"}  # tests/test_users_views.py: accounts outside the subtree → 404
    # A notification belongs to one user, not a unit: another user's answers 404
    # (tests/test_notifications_views.py).
    covered |= {"notifications"}
    with_objects = {ns for route, ns, _p in site_patterns() if "<" in route and ns}
    assert with_objects - covered == set(), f"no object-page test: {with_objects - covered}"
