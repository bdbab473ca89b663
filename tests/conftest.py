"""Shared fixtures: a small organisation tree and one named persona per role.

Tree (codes):  MIN (Bộ) ─┬─ TCCB (Vụ Tổ chức cán bộ, standing body)
                         ├─ KTTV (Tổng cục KTTV) ─┬─ KTTV_A
                         │                        └─ KTTV_B
                         └─ STNMT_ST (Sở TN&MT Sóc Trăng) ── ST_VP
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

import pytest
from django.test import Client

from accounts.models import Role, RoleGrant, User
from accounts.services import api_token_issue
from organizations import services as org
from organizations.models import Unit, UnitKind
from people import services as ppl
from people.models import Person

START = dt.date(2020, 1, 1)


@pytest.fixture(autouse=True)
def award_catalogue(request: Any) -> None:
    """The catalogue comes from a data migration; transactional tests (live_server)
    flush every table afterwards, so put it back for the tests that follow."""
    names = set(request.fixturenames)
    marker = request.node.get_closest_marker("django_db")
    transactional = marker is not None and marker.kwargs.get("transaction", False)
    if "transactional_db" in names or "live_server" in names or transactional:
        request.getfixturevalue("transactional_db")
    elif "db" in names or marker is not None:
        request.getfixturevalue("db")
    else:
        return
    from awards.catalogue import sync_catalogue
    from awards.models import AwardType

    if not AwardType.objects.exists():
        sync_catalogue(AwardType)


@pytest.fixture(autouse=True)
def media_in_tmp(settings: Any, tmp_path: Any) -> None:
    """Files a test stores (import error reports, uploads) never land in the real var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@dataclass
class Tree:
    MIN: Unit
    TCCB: Unit
    KTTV: Unit
    KTTV_A: Unit
    KTTV_B: Unit
    ST: Unit
    ST_VP: Unit


# code, name, parent code, kind: in Tree's field order.
TREE_UNITS = [
    ("MIN", "Bộ Tài nguyên và Môi trường", None, UnitKind.MINISTRY),
    ("TCCB", "Vụ Tổ chức cán bộ", "MIN", UnitKind.DEPARTMENT),
    ("KTTV", "Tổng cục Khí tượng Thủy văn", "MIN", UnitKind.GENERAL_DEPARTMENT),
    ("KTTV_A", "Đài Khí tượng Thủy văn khu vực Nam Bộ", "KTTV", UnitKind.AFFILIATED),
    ("KTTV_B", "Trung tâm Dự báo khí tượng thủy văn quốc gia", "KTTV", UnitKind.AFFILIATED),
    ("STNMT_ST", "Sở Tài nguyên và Môi trường Sóc Trăng", "MIN", UnitKind.PROVINCIAL_DEPARTMENT),
    ("ST_VP", "Văn phòng Sở", "STNMT_ST", UnitKind.OFFICE),
]


@pytest.fixture
def tree(db: Any) -> Tree:
    units: dict[str, Unit] = {}
    for code, name, parent, kind in TREE_UNITS:
        units[code] = org.unit_create(
            actor=None,
            code=code,
            name=name,
            parent=units[parent] if parent else None,
            kind=kind,
            valid_from=START,
        )
    return Tree(*units.values())


def make_user(username: str, grants: list[tuple[str, Unit]] = (), **extra: Any) -> User:  # type: ignore[assignment]
    user = User.objects.create_user(username=username, password="pw-Thidua-2025", **extra)
    for role, unit in grants:
        RoleGrant.objects.create(user=user, role=role, unit=unit)
    return user


@dataclass
class Personas:
    admin: User
    standing: User
    officer: User
    head: User
    council: User
    comms: User
    viewer: User
    outsider: User


@pytest.fixture
def personas(tree: Tree) -> Personas:
    return Personas(
        admin=make_user("admin", is_superuser=True, is_staff=True),
        standing=make_user("standing", [(Role.STANDING, tree.MIN)]),
        officer=make_user("officer", [(Role.OFFICER, tree.KTTV)]),
        head=make_user("head", [(Role.HEAD, tree.KTTV)]),
        council=make_user("council", [(Role.COUNCIL, tree.MIN)]),
        comms=make_user("comms", [(Role.COMMS, tree.MIN)]),
        viewer=make_user("viewer", [(Role.VIEWER, tree.KTTV)]),
        outsider=make_user("outsider", [(Role.OFFICER, tree.ST)]),
    )


@pytest.fixture
def person_a(tree: Tree) -> Person:
    return ppl.person_create(
        actor=None,
        code="P001",
        full_name="Nguyễn Văn An",
        unit=tree.KTTV_A,
        started_on=START,
        gender="M",
    )


class ApiClient:
    """A JSON client acting with one user's token."""

    def __init__(self, user: User | None) -> None:
        self.client = Client()
        self.headers: dict[str, str] = {}
        if user is not None:
            token = api_token_issue(actor=None, user=user)
            self.headers["Authorization"] = f"Bearer {token}"

    def _call(self, method: str, path: str, data: Any = None, **headers: str) -> Any:
        fn = getattr(self.client, method)
        kwargs: dict[str, Any] = {"headers": {**self.headers, **headers}}
        if data is not None:
            kwargs["data"] = data
            kwargs["content_type"] = "application/json"
        return fn(path, **kwargs)

    def get(self, path: str, **h: str) -> Any:
        return self._call("get", path, **h)

    def post(self, path: str, data: Any, **h: str) -> Any:
        return self._call("post", path, data, **h)

    def put(self, path: str, data: Any, **h: str) -> Any:
        return self._call("put", path, data, **h)

    def patch(self, path: str, data: Any, **h: str) -> Any:
        return self._call("patch", path, data, **h)


@pytest.fixture
def api_as(personas: Personas) -> Any:
    def make(name: str | None) -> ApiClient:
        return ApiClient(getattr(personas, name) if name else None)

    return make
