"""`manage.py load_demo`: what someone trying the product right after `make run` gets."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.db.models import Count, Q
from django.test import Client

from accounts.models import Role, RoleGrant, User
from audit.models import AuditEvent
from core import demo
from organizations.models import Cluster, Council, CouncilRole, Unit, UnitKind, UnitStatus
from people.models import Assignment, Person, PersonRating


@pytest.fixture
def demo_output(demo_loaded: str) -> str:
    """The output of load_demo (built once for the package: tests/demo/conftest.py)."""
    return demo_loaded


pytestmark = pytest.mark.django_db


def test_prints_every_login_with_the_shared_password(demo_output: str) -> None:
    for spec in demo.LOGINS:
        assert spec.username in demo_output
    assert "demo1234" in demo_output
    assert "Sở Tài nguyên và Môi trường Sóc Trăng" in demo_output


def test_one_user_per_role_with_a_scoped_grant(demo_output: str) -> None:
    granted = set(RoleGrant.objects.values_list("role", flat=True))
    assert granted == set(Role.values)
    admin = User.objects.get(username="admin")
    assert admin.is_superuser
    assert admin.grants.filter(role=Role.ADMIN, unit__code="BTNMT").exists()
    head = User.objects.select_related("person__unit").get(username="thutruong.kttv")
    assert head.person is not None and head.person.is_head and head.person.unit.code == "KTTV"
    assert head.grants.get().role == Role.HEAD
    assert User.objects.get(username="xem.soctrang").grants.get().unit.code == "STNMT_ST"
    assert all(u.email.endswith("@demo.thidua.local") for u in User.objects.all())


def test_demo_users_can_sign_in_and_see_their_dashboard(demo_output: str) -> None:
    client = Client()
    response = client.post(
        "/accounts/login/", {"username": "canbo.kttv", "password": demo.DEMO_PASSWORD}
    )
    assert response.status_code == 302
    page = client.get("/")
    assert page.status_code == 200
    assert "Tổng cục Khí tượng Thủy văn" in page.content.decode()


def test_organisation_tree(demo_output: str) -> None:
    codes = set(Unit.objects.values_list("code", flat=True))
    assert {"BTNMT", "KTTV", "STNMT_ST", "BTNMT_TCCB", "ST_VP", "KTTV_TC"} <= codes
    assert Unit.objects.filter(kind=UnitKind.PRESS).count() >= 4
    assert Unit.objects.filter(kind=UnitKind.DISTRICT_OFFICE).count() == 12
    sst = Unit.objects.get(code="STNMT_ST")
    assert Unit.objects.filter(path__startswith=sst.path).count() > 20


def test_a_merge_really_happened(demo_output: str) -> None:
    merged = Unit.objects.filter(status=UnitStatus.MERGED)
    assert set(merged.values_list("code", flat=True)) == {"ST_LPH", "ST_TDE"}
    successor = Unit.objects.get(code="ST_LPTD")
    assert successor.is_active and str(successor.valid_from) == "2025-07-01"
    assert not Person.objects.filter(unit__in=merged).exists()
    assert successor.people.filter(is_head=True).count() == 1
    # Staff who worked in the old offices keep that part of their history.
    assert Assignment.objects.filter(unit__in=merged, end__isnull=False).count() >= 10


def test_staff_are_numerous_and_fictional_with_one_head_per_unit(demo_output: str) -> None:
    people = Person.objects.all()
    assert 300 <= people.count() <= 400
    assert people.filter(code="NV0001").exists()
    assert people.filter(full_name__startswith="Nguyễn Văn").exists()
    assert people.filter(full_name__startswith="Đặng").exists()
    assert people.filter(started_on__year=2025).count() >= 5
    assert len(set(people.values_list("full_name", flat=True))) == people.count()
    heads = dict(
        Unit.objects.filter(status=UnitStatus.ACTIVE)
        .annotate(n=Count("people", filter=Q(people__is_head=True)))
        .values_list("code", "n")
    )
    assert set(heads.values()) == {1}, heads
    # Transfers: more assignments than people, beyond those closed by the merge.
    closed_elsewhere = Assignment.objects.filter(end__isnull=False).exclude(
        unit__status=UnitStatus.MERGED
    )
    assert closed_elsewhere.count() >= 5


def test_every_person_is_rated_each_year_they_worked(demo_output: str) -> None:
    for person in Person.objects.prefetch_related("ratings"):
        years = {r.year for r in person.ratings.all()}
        expected = set(range(max(2021, person.started_on.year), 2026))
        assert years == expected, person.code
    ratings = dict(PersonRating.objects.values_list("rating").annotate(n=Count("id")))
    assert ratings["HTTNV"] > ratings["HTXSNV"] > ratings.get("KHTNV", 0)
    assert Unit.objects.get(code="KTTV").ratings.count() == 5


def test_clusters_and_councils(demo_output: str) -> None:
    for year in (2024, 2025):
        names = set(Cluster.objects.filter(year=year).values_list("name", flat=True))
        assert "Khối báo chí, truyền thông" in names
        assert "Cụm các Phòng TN&MT cấp huyện" in names
    for cluster in Cluster.objects.all():
        assert cluster.leader_id and cluster.deputy_id and cluster.follower_id
    for code, standing in demo.STANDING_BODY.items():
        council = Council.objects.get(unit__code=code)
        roles = {m.role: m.person for m in council.members.select_related("person__unit")}
        assert set(roles) == set(CouncilRole.values)
        assert roles[CouncilRole.CHAIR].is_head and roles[CouncilRole.CHAIR].unit.code == code
        assert roles[CouncilRole.STANDING].unit.code == standing


def test_everything_was_audited_and_the_chain_verifies(demo_output: str) -> None:
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    assert "intact" in out.getvalue()
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {
        "unit.create", "unit.merge", "person.create", "person.transfer", "person.rating",
        "unit.rating", "cluster.create", "council.create", "council.member_add",
        "user.create", "role.grant",
    } <= actions  # fmt: skip
    assert AuditEvent.objects.filter(action="person.create").count() == Person.objects.count()


def test_running_again_changes_nothing(demo_output: str) -> None:
    before = (Unit.objects.count(), Person.objects.count(), AuditEvent.objects.count())
    out = io.StringIO()
    call_command("load_demo", stdout=out)
    assert (Unit.objects.count(), Person.objects.count(), AuditEvent.objects.count()) == before
    assert "canbo.soctrang" in out.getvalue() and "demo1234" in out.getvalue()
