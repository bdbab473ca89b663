"""The audit log: one row per change, in the change's transaction, hash-chained."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable
from itertools import pairwise
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import ProtectedError

from accounts import services as accounts
from accounts.models import ApiToken, Role, RoleGrant
from audit import services as audit
from audit.models import AuditChainHead, AuditEvent
from core.errors import Conflict, ValidationFailed
from organizations import services as org
from organizations.models import (
    ClusterKind,
    CouncilMember,
    CouncilRole,
    Unit,
    UnitKind,
    UnitVersion,
)
from people import services as ppl
from people.models import Assignment, Person

D = dt.date


def _last() -> AuditEvent:
    return AuditEvent.objects.order_by("-seq").first()  # type: ignore[return-value]


def _verify_command() -> str:
    out = io.StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


# --- every service writes its row ----------------------------------------------------

Scenario = Callable[[Any, Any, Any], Any]


def _unit_create(tree: Any, p: Any, actor: Any) -> Any:
    return org.unit_create(actor=actor, code="NEW", name="Phòng mới", parent=tree.KTTV)


def _unit_update(tree: Any, p: Any, actor: Any) -> Any:
    return org.unit_update(actor=actor, unit=tree.KTTV_A, name="Đài mới", on=D(2024, 1, 1))


def _unit_move(tree: Any, p: Any, actor: Any) -> Any:
    return org.unit_move(actor=actor, unit=tree.KTTV_A, new_parent=tree.ST, on=D(2024, 1, 1))


def _units_merge(tree: Any, p: Any, actor: Any) -> Any:
    return org.units_merge(actor=actor, sources=[tree.KTTV_B], into=tree.KTTV_A, on=D(2025, 1, 1))


def _unit_split(tree: Any, p: Any, actor: Any) -> Any:
    parts = [{"code": "B1", "name": "Phần 1"}, {"code": "B2", "name": "Phần 2"}]
    return org.unit_split(actor=actor, source=tree.KTTV_B, on=D(2025, 1, 1), parts=parts)


def _unit_rating(tree: Any, p: Any, actor: Any) -> Any:
    return org.unit_rating_set(actor=actor, unit=tree.KTTV_A, year=2024, rating="HTXSNV")


def _cluster_create(tree: Any, p: Any, actor: Any) -> Any:
    return org.cluster_create(
        actor=actor,
        organizer=tree.MIN,
        kind=ClusterKind.CLUSTER,
        name="Cụm 1",
        year=2024,
        members=[tree.KTTV, tree.ST],
        leader=tree.KTTV,
    )


def _council_create(tree: Any, p: Any, actor: Any) -> Any:
    return org.council_create(actor=actor, unit=tree.MIN, name="Hội đồng", established_on=START)


def _council_member_add(tree: Any, p: Any, actor: Any) -> Any:
    council = org.council_create(actor=None, unit=tree.MIN, name="HĐ", established_on=START)
    return org.council_member_add(
        actor=actor, council=council, person=p, role=CouncilRole.CHAIR, valid_from=START
    )


def _council_member_end(tree: Any, p: Any, actor: Any) -> Any:
    member = _council_member_add(tree, p, None)
    return org.council_member_end(actor=actor, member=member, on=D(2024, 1, 1))


def _person_create(tree: Any, p: Any, actor: Any) -> Any:
    return ppl.person_create(
        actor=actor, code="P900", full_name="Trần Thị Bình", unit=tree.KTTV_B, started_on=START
    )


def _person_update(tree: Any, p: Any, actor: Any) -> Any:
    return ppl.person_update(actor=actor, person=p, position="Trưởng phòng")


def _person_transfer(tree: Any, p: Any, actor: Any) -> Any:
    return ppl.person_transfer(actor=actor, person=p, unit=tree.KTTV_B, on=D(2024, 7, 1))


def _person_rating(tree: Any, p: Any, actor: Any) -> Any:
    return ppl.person_rating_set(actor=actor, person=p, year=2024, rating="HTTNV")


def _token_issue(tree: Any, p: Any, actor: Any) -> Any:
    return accounts.api_token_issue(actor=actor, user=actor)


def _token_revoke(tree: Any, p: Any, actor: Any) -> Any:
    accounts.api_token_issue(actor=None, user=actor)
    return accounts.api_token_revoke(actor=actor, token=ApiToken.objects.get(user=actor))


def _role_grant(tree: Any, p: Any, actor: Any) -> Any:
    return accounts.role_grant(actor=actor, user=actor, role=Role.VIEWER, unit=tree.ST)


def _role_revoke(tree: Any, p: Any, actor: Any) -> Any:
    grant = RoleGrant.objects.create(user=actor, role=Role.VIEWER, unit=tree.ST)
    return accounts.role_revoke(actor=actor, grant=grant)


START = D(2020, 1, 1)

SCENARIOS: list[tuple[str, Scenario, str]] = [
    ("unit_create", _unit_create, "unit.create"),
    ("unit_update", _unit_update, "unit.update"),
    ("unit_move", _unit_move, "unit.move"),
    ("units_merge", _units_merge, "unit.merge"),
    ("unit_split", _unit_split, "unit.split"),
    ("unit_rating_set", _unit_rating, "unit.rating"),
    ("cluster_create", _cluster_create, "cluster.create"),
    ("council_create", _council_create, "council.create"),
    ("council_member_add", _council_member_add, "council.member_add"),
    ("council_member_end", _council_member_end, "council.member_end"),
    ("person_create", _person_create, "person.create"),
    ("person_update", _person_update, "person.update"),
    ("person_transfer", _person_transfer, "person.transfer"),
    ("person_rating_set", _person_rating, "person.rating"),
    ("api_token_issue", _token_issue, "api_token.issue"),
    ("api_token_revoke", _token_revoke, "api_token.revoke"),
    ("role_grant", _role_grant, "role.grant"),
    ("role_revoke", _role_revoke, "role.revoke"),
]


@pytest.mark.parametrize(
    ("scenario", "action"), [(s, a) for _, s, a in SCENARIOS], ids=[n for n, _, _ in SCENARIOS]
)
def test_every_service_writes_an_audit_row_by_its_actor(
    scenario: Scenario, action: str, tree: Any, personas: Any, person_a: Person
) -> None:
    before = AuditEvent.objects.count()
    scenario(tree, person_a, personas.standing)
    new = AuditEvent.objects.filter(seq__gt=before)
    assert action in set(new.values_list("action", flat=True))
    ours = new.filter(action=action).last()
    assert ours is not None
    assert ours.actor == personas.standing
    assert ours.actor_label == "standing"
    assert audit.verify_chain().ok


def test_a_system_change_is_labelled_system(tree: Any) -> None:
    event = _last()
    assert event.action == "unit.create"
    assert event.actor is None
    assert event.actor_label == "system"
    assert event.unit == tree.ST_VP


def test_update_keeps_before_and_after(tree: Any, personas: Any) -> None:
    org.unit_update(actor=personas.standing, unit=tree.KTTV_A, name="Đài mới", on=D(2024, 1, 1))
    event = _last()
    assert event.before is not None and event.after is not None
    assert event.before["name"] == "Đài Khí tượng Thủy văn khu vực Nam Bộ"
    assert event.after["name"] == "Đài mới"
    assert ("name", "Đài Khí tượng Thủy văn khu vực Nam Bộ", "Đài mới") in event.changes()
    assert list(audit.history_for(tree.KTTV_A).values_list("action", flat=True)) == [
        "unit.update",
        "unit.create",
    ]


def test_a_transfer_records_old_and_new_unit(tree: Any, person_a: Person) -> None:
    ppl.person_transfer(actor=None, person=person_a, unit=tree.KTTV_B, on=D(2024, 7, 1))
    event = _last()
    assert event.action == "person.transfer"
    assert event.object_id == str(person_a.pk)
    assert event.before == {"unit": "KTTV_A"}
    assert event.after == {"unit": "KTTV_B", "on": "2024-07-01"}


# --- a failing service writes none ---------------------------------------------------


def test_duplicate_person_leaves_no_audit_row(tree: Any, person_a: Person) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(Conflict):
        ppl.person_create(
            actor=None, code="P001", full_name="Lê Văn B", unit=tree.KTTV_A, started_on=START
        )
    assert AuditEvent.objects.count() == before
    assert Person.objects.count() == 1


def test_invalid_unit_leaves_no_audit_row(tree: Any) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(ValidationFailed):
        org.unit_create(actor=None, code="X1", name="", parent=tree.MIN)
    assert AuditEvent.objects.count() == before
    assert not Unit.objects.filter(code="X1").exists()


def test_a_service_failing_after_writes_rolls_back_its_audit_rows(tree: Any) -> None:
    """A split creates the new units (each audited) before checking the allocation."""
    person = ppl.person_create(
        actor=None, code="P2", full_name="Lê Văn B", unit=tree.KTTV_B, started_on=START
    )
    before = AuditEvent.objects.count()
    units = Unit.objects.count()
    versions = UnitVersion.objects.count()
    with pytest.raises(ValidationFailed):
        org.unit_split(
            actor=None,
            source=tree.KTTV_B,
            on=D(2025, 1, 1),
            parts=[{"code": "B1", "name": "Phần 1"}, {"code": "B2", "name": "Phần 2"}],
            allocation={person.pk: 5},
        )
    assert AuditEvent.objects.count() == before
    assert Unit.objects.count() == units
    assert UnitVersion.objects.count() == versions
    assert AuditChainHead.objects.get().last_seq == before
    assert Assignment.objects.get(person=person).end is None
    assert audit.verify_chain().ok


def test_a_rolled_back_outer_transaction_takes_the_audit_row_with_it(tree: Any) -> None:
    before = AuditEvent.objects.count()
    with pytest.raises(RuntimeError), transaction.atomic():
        org.unit_create(actor=None, code="TMP", name="Tạm", parent=tree.MIN)
        raise RuntimeError("caller fails after the service")
    assert AuditEvent.objects.count() == before
    assert audit.verify_chain().ok
    # The chain continues without a gap after the rollback.
    org.unit_create(actor=None, code="TMP", name="Tạm", parent=tree.MIN)
    assert _last().seq == before + 1
    assert audit.verify_chain().ok


def test_a_refused_council_chair_writes_nothing(tree: Any, person_a: Person) -> None:
    council = org.council_create(actor=None, unit=tree.MIN, name="HĐ", established_on=START)
    org.council_member_add(
        actor=None, council=council, person=person_a, role=CouncilRole.CHAIR, valid_from=START
    )
    other = ppl.person_create(
        actor=None, code="P2", full_name="Lê Văn B", unit=tree.KTTV_B, started_on=START
    )
    before = AuditEvent.objects.count()
    with pytest.raises(Conflict):
        org.council_member_add(
            actor=None, council=council, person=other, role=CouncilRole.CHAIR, valid_from=START
        )
    assert AuditEvent.objects.count() == before
    assert CouncilMember.objects.count() == 1


# --- the chain -------------------------------------------------------------------------


@pytest.fixture
def busy_log(tree: Any, person_a: Person) -> list[AuditEvent]:
    """A log with single and bulk (record_many) appends."""
    ppl.person_transfer(actor=None, person=person_a, unit=tree.KTTV_B, on=D(2024, 7, 1))
    ppl.person_rating_set(actor=None, person=person_a, year=2024, rating="HTXSNV")
    org.units_merge(
        actor=None,
        sources=[tree.KTTV_A, tree.KTTV_B],
        on=D(2025, 1, 1),
        code="KTTV_AB",
        name="Đài hợp nhất",
        parent=tree.KTTV,
        kind=UnitKind.AFFILIATED,
    )
    return list(AuditEvent.objects.order_by("seq"))


def test_chain_verifies(busy_log: list[AuditEvent]) -> None:
    report = audit.verify_chain()
    assert report.ok
    assert report.checked == len(busy_log) > 10
    assert [e.seq for e in busy_log] == list(range(1, len(busy_log) + 1))
    assert all(e.prev_hash == p.hash for p, e in pairwise(busy_log))
    assert f"{len(busy_log)} events verified" in _verify_command()


def test_an_empty_log_verifies(db: Any) -> None:
    assert audit.verify_chain().ok
    assert "0 events verified" in _verify_command()


def test_editing_after_through_an_update_is_detected(busy_log: list[AuditEvent]) -> None:
    victim = busy_log[5]
    AuditEvent.objects.filter(pk=victim.pk).update(after={"forged": True})
    report = audit.verify_chain()
    assert not report.ok
    assert report.broken_seq == victim.seq
    assert report.checked == victim.seq - 1
    with pytest.raises(CommandError, match=rf"#{victim.seq}\b"):
        _verify_command()


def test_editing_after_through_raw_sql_is_detected(busy_log: list[AuditEvent]) -> None:
    from django.db import connection

    victim = busy_log[3]
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {AuditEvent._meta.db_table} SET after = %s WHERE seq = %s",
            ['{"rating": "HTXSNV"}', victim.seq],
        )
    with pytest.raises(CommandError, match=rf"#{victim.seq}\b"):
        _verify_command()


@pytest.mark.parametrize(
    ("field", "value"),
    [("actor_label", "someone-else"), ("action", "unit.delete"), ("object_id", "999")],
)
def test_editing_any_hashed_field_is_detected(
    busy_log: list[AuditEvent], field: str, value: str
) -> None:
    victim = busy_log[2]
    AuditEvent.objects.filter(pk=victim.pk).update(**{field: value})
    assert audit.verify_chain().broken_seq == victim.seq


def test_editing_the_time_is_detected(busy_log: list[AuditEvent]) -> None:
    victim = busy_log[2]
    AuditEvent.objects.filter(pk=victim.pk).update(at=victim.at - dt.timedelta(days=3))
    assert audit.verify_chain().broken_seq == victim.seq


def test_rehashing_a_forged_row_breaks_the_next_link(busy_log: list[AuditEvent]) -> None:
    victim = AuditEvent.objects.get(seq=busy_log[4].seq)
    victim.after = {"forged": True}
    victim.hash = audit._event_hash(victim)
    AuditEvent.objects.filter(pk=victim.pk).update(after=victim.after, hash=victim.hash)
    report = audit.verify_chain()
    assert not report.ok
    assert report.broken_seq == victim.seq + 1
    with pytest.raises(CommandError, match=rf"#{victim.seq + 1}\b"):
        _verify_command()


def test_deleting_the_last_event_is_detected(busy_log: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(seq=busy_log[-1].seq).delete()
    report = audit.verify_chain()
    assert not report.ok
    assert report.broken_seq == busy_log[-1].seq
    with pytest.raises(CommandError, match=rf"#{busy_log[-1].seq}\b"):
        _verify_command()


def test_deleting_an_event_in_the_middle_is_detected(busy_log: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(seq=7).delete()
    report = audit.verify_chain()
    assert not report.ok
    assert report.broken_seq == 8
    with pytest.raises(CommandError, match=r"#8\b"):
        _verify_command()


def test_deleting_the_first_event_is_detected(busy_log: list[AuditEvent]) -> None:
    AuditEvent.objects.filter(seq=1).delete()
    assert audit.verify_chain().broken_seq == 2


def test_record_many_and_record_share_one_chain(tree: Any) -> None:
    people = [
        ppl.person_create(
            actor=None, code=f"P{i}", full_name=f"Người {i}", unit=tree.KTTV_A, started_on=START
        )
        for i in range(3)
    ]
    before = AuditEvent.objects.count()
    with transaction.atomic():
        ppl.transfer_many(actor=None, moves=[(p, tree.KTTV_B) for p in people], on=D(2024, 1, 1))
    assert AuditEvent.objects.count() == before + 3
    head = AuditChainHead.objects.get()
    assert head.last_seq == before + 3
    assert head.last_hash == _last().hash
    assert audit.verify_chain().ok


# --- outside a transaction -----------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_record_outside_a_transaction_raises() -> None:
    unit = Unit(code="X", name="X", kind=UnitKind.OTHER, valid_from=START, path="/")
    unit.save()
    with pytest.raises(RuntimeError, match="transaction"):
        audit.record(actor=None, action="unit.create", obj=unit, after={})
    with pytest.raises(RuntimeError, match="transaction"):
        audit.record_many(actor=None, action="unit.create", items=[(unit, None, {}, None)])
    assert AuditEvent.objects.count() == 0
    # Inside one, it works.
    with transaction.atomic():
        audit.record(actor=None, action="unit.create", obj=unit, after={})
    assert AuditEvent.objects.count() == 1


def test_an_audited_user_or_unit_cannot_be_deleted_under_the_chain(
    tree: Any, personas: Any
) -> None:
    """The actor and unit ids are hashed: deleting what they point to must not rewrite them."""
    org.unit_rating_set(actor=personas.viewer, unit=tree.KTTV_A, year=2024, rating="HTNV")
    with pytest.raises(ProtectedError):
        personas.viewer.delete()
    with pytest.raises(ProtectedError):
        Unit.objects.filter(pk=tree.ST_VP.pk).delete()
    assert audit.verify_chain().ok
