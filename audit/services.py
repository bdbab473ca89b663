"""Writing and verifying the hash-chained audit log."""

from __future__ import annotations

import datetime as dt
import decimal
import hashlib
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from audit.models import AuditChainHead, AuditEvent

SYSTEM_LABEL = "system"


def _jsonable(value: Any) -> Any:
    if isinstance(value, dt.datetime):
        return value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, set)):
        return [_jsonable(v) for v in value]
    return value


def snapshot(obj: models.Model, fields: Iterable[str] | None = None) -> dict[str, Any]:
    """The concrete field values of `obj` in JSON form (foreign keys as ids)."""
    names = (
        list(fields)
        if fields is not None
        else [f.attname for f in obj._meta.concrete_fields if f.attname not in {"search_text"}]
    )
    return {name: _jsonable(getattr(obj, name)) for name in names}


def _canonical(payload: dict[str, Any]) -> str:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def _event_hash(event: AuditEvent) -> str:
    at = event.at.astimezone(dt.UTC).isoformat(timespec="microseconds")
    payload = {
        "seq": event.seq,
        "at": at,
        "actor": event.actor_id,
        "actor_label": event.actor_label,
        "unit": event.unit_id,
        "object_type": event.object_type,
        "object_id": event.object_id,
        "object_repr": event.object_repr,
        "action": event.action,
        "before": event.before,
        "after": event.after,
        "prev": event.prev_hash,
    }
    return hashlib.sha256(_canonical(payload).encode("utf-8")).hexdigest()


def object_type_of(obj: models.Model) -> str:
    return obj._meta.label_lower


def record(
    *,
    actor: Any,
    action: str,
    obj: models.Model,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    unit: Any = None,
) -> AuditEvent:
    """Append one event. Must run inside the transaction of the change it records."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the change's transaction")
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    is_user = actor is not None and getattr(actor, "pk", None) is not None
    event = AuditEvent(
        seq=head.last_seq + 1,
        at=timezone.now(),
        actor=actor if is_user else None,
        actor_label=(actor.get_username() if is_user else SYSTEM_LABEL),
        unit=unit,
        object_type=object_type_of(obj),
        object_id=str(obj.pk),
        object_repr=str(obj)[:255],
        action=action,
        before=_jsonable(before) if before is not None else None,
        after=_jsonable(after) if after is not None else None,
        prev_hash=head.last_hash,
    )
    event.hash = _event_hash(event)
    event.save(force_insert=True)
    head.last_hash = event.hash
    head.last_seq = event.seq
    head.save(update_fields=["last_hash", "last_seq"])
    return event


def record_many(
    *,
    actor: Any,
    action: str,
    items: Sequence[tuple[models.Model, Mapping[str, Any] | None, Mapping[str, Any] | None, Any]],
) -> None:
    """Append one event per (obj, before, after, unit), taking the chain lock once.

    Bulk imports write thousands of rows; one lock and one insert keep them fast.
    """
    if not items:
        return
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record_many must run inside the change's transaction")
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    is_user = actor is not None and getattr(actor, "pk", None) is not None
    now = timezone.now()
    prev = head.last_hash
    seq = head.last_seq
    events: list[AuditEvent] = []
    for obj, before, after, unit in items:
        seq += 1
        event = AuditEvent(
            seq=seq,
            at=now,
            actor=actor if is_user else None,
            actor_label=(actor.get_username() if is_user else SYSTEM_LABEL),
            unit=unit,
            object_type=object_type_of(obj),
            object_id=str(obj.pk),
            object_repr=str(obj)[:255],
            action=action,
            before=_jsonable(dict(before)) if before is not None else None,
            after=_jsonable(dict(after)) if after is not None else None,
            prev_hash=prev,
        )
        event.hash = _event_hash(event)
        prev = event.hash
        events.append(event)
    AuditEvent.objects.bulk_create(events, batch_size=500)
    head.last_hash = prev
    head.last_seq = seq
    head.save(update_fields=["last_hash", "last_seq"])


@dataclass(frozen=True)
class ChainReport:
    ok: bool
    checked: int
    broken_seq: int | None = None
    reason: str = ""


def _iter_events(batch: int = 2000) -> Iterator[AuditEvent]:
    last = 0
    while True:
        rows = list(AuditEvent.objects.filter(seq__gt=last).order_by("seq")[:batch])
        if not rows:
            return
        yield from rows
        last = rows[-1].seq


def verify_chain() -> ChainReport:
    """Recompute every hash in order; report the first link that does not hold."""
    prev = ""
    expected_seq = 1
    checked = 0
    for event in _iter_events():
        if event.seq != expected_seq:
            return ChainReport(False, checked, event.seq, f"missing event before #{event.seq}")
        if event.prev_hash != prev:
            return ChainReport(False, checked, event.seq, "previous-hash link does not match")
        if _event_hash(event) != event.hash:
            return ChainReport(False, checked, event.seq, "content does not match its hash")
        prev = event.hash
        expected_seq += 1
        checked += 1
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and (head.last_seq != checked or head.last_hash != prev):
        return ChainReport(False, checked, checked + 1, "events after the last one were removed")
    return ChainReport(True, checked)


def history_for(obj: models.Model) -> models.QuerySet[AuditEvent]:
    return AuditEvent.objects.filter(
        object_type=object_type_of(obj), object_id=str(obj.pk)
    ).select_related("actor")
