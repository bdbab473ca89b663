"""State changes of the organisation tree. One function per change, each audited."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import transaction
from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from audit import services as audit
from core.errors import Conflict, FieldError, ValidationFailed, invalid
from core.ratings import check_year, rating_set
from core.text import search_key, text_sort_key
from organizations.models import (
    Cluster,
    ClusterKind,
    ClusterMember,
    Council,
    CouncilMember,
    CouncilRole,
    SuccessionKind,
    Unit,
    UnitKind,
    UnitRating,
    UnitStatus,
    UnitSuccession,
    UnitVersion,
)

ONE_DAY = dt.timedelta(days=1)


def _refresh_keys(unit: Unit) -> None:
    unit.search_text = search_key(unit.code, unit.name, unit.short_name)
    unit.sort_key = text_sort_key(unit.name)


def _open_version(unit: Unit, on: dt.date) -> None:
    """Close the version in force before `on` and open one with the unit's current name/parent."""
    current = unit.versions.filter(valid_to__isnull=True).order_by("-valid_from").first()
    if current is not None and current.valid_from >= on:
        current.name = unit.name
        current.parent = unit.parent
        current.save(update_fields=["name", "parent"])
        return
    if current is not None:
        current.valid_to = on - ONE_DAY
        current.save(update_fields=["valid_to"])
    UnitVersion.objects.create(unit=unit, name=unit.name, parent=unit.parent, valid_from=on)


def _validate_code(code: str) -> str:
    code = (code or "").strip()
    if not code:
        raise invalid("code", _("Mã đơn vị không được để trống."))
    if len(code) > 32 or any(ch.isspace() for ch in code):
        raise invalid("code", _("Mã đơn vị tối đa 32 ký tự và không có khoảng trắng."))
    return code


def _validate_kind(kind: str) -> str:
    if kind not in UnitKind.values:
        raise invalid("kind", _("Loại đơn vị “%(kind)s” không hợp lệ.") % {"kind": kind})
    return kind


@transaction.atomic
def unit_create(
    *,
    actor: Any,
    code: str,
    name: str,
    parent: Unit | None,
    kind: str = UnitKind.OFFICE,
    short_name: str = "",
    valid_from: dt.date | None = None,
) -> Unit:
    code = _validate_code(code)
    name = (name or "").strip()
    errors: list[FieldError] = []
    if not name:
        errors.append(FieldError("name", _("Tên đơn vị không được để trống.")))
    if kind not in UnitKind.values:
        errors.append(
            FieldError("kind", _("Loại đơn vị “%(kind)s” không hợp lệ.") % {"kind": kind})
        )
    if parent is not None and not parent.is_active:
        errors.append(FieldError("parent", _("Đơn vị cấp trên đã ngừng hoạt động.")))
    if errors:
        raise ValidationFailed(errors)
    if Unit.objects.filter(code=code).exists():
        raise Conflict(_("Mã đơn vị “%(code)s” đã tồn tại.") % {"code": code})
    start = valid_from or dt.date.today()
    unit = Unit(
        code=code,
        name=name,
        short_name=short_name.strip(),
        kind=kind,
        parent=parent,
        valid_from=start,
        path="",
        depth=(parent.depth + 1) if parent else 0,
    )
    _refresh_keys(unit)
    unit.save()
    unit.path = f"{parent.path if parent else '/'}{unit.pk}/"
    unit.save(update_fields=["path"])
    UnitVersion.objects.create(unit=unit, name=unit.name, parent=parent, valid_from=start)
    audit.record(actor=actor, action="unit.create", obj=unit, after=audit.snapshot(unit), unit=unit)
    return unit


@transaction.atomic
def unit_update(
    *,
    actor: Any,
    unit: Unit,
    name: str | None = None,
    short_name: str | None = None,
    kind: str | None = None,
    on: dt.date | None = None,
) -> Unit:
    """Rename or re-classify. A new name opens a new version from `on`."""
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    before = audit.snapshot(unit)
    if name is not None:
        if not name.strip():
            raise invalid("name", _("Tên đơn vị không được để trống."))
        renamed = name.strip() != unit.name
        if renamed and not unit.is_active:
            # A new version would be open-ended and bring the closed unit back into the tree.
            raise invalid("name", _("Không thể đổi tên đơn vị đã ngừng hoạt động."))
        unit.name = name.strip()
    else:
        renamed = False
    if short_name is not None:
        unit.short_name = short_name.strip()
    if kind is not None:
        unit.kind = _validate_kind(kind)
    _refresh_keys(unit)
    unit.save()
    if renamed:
        _open_version(unit, on or dt.date.today())
    audit.record(
        actor=actor,
        action="unit.update",
        obj=unit,
        before=before,
        after=audit.snapshot(unit),
        unit=unit,
    )
    return unit


def _rehang(unit: Unit, new_parent: Unit | None) -> None:
    """Move `unit` and its whole subtree under `new_parent` (paths and depths)."""
    old_path = unit.path
    new_path = f"{new_parent.path if new_parent else '/'}{unit.pk}/"
    depth_shift = ((new_parent.depth + 1) if new_parent else 0) - unit.depth
    subtree = list(Unit.objects.filter(path__startswith=old_path))
    for node in subtree:
        node.path = new_path + node.path[len(old_path) :]
        node.depth = node.depth + depth_shift
    Unit.objects.bulk_update(subtree, ["path", "depth"])
    unit.parent = new_parent
    unit.path = new_path
    unit.depth = unit.depth + depth_shift
    unit.save(update_fields=["parent", "path", "depth"])


@transaction.atomic
def unit_move(*, actor: Any, unit: Unit, new_parent: Unit | None, on: dt.date) -> Unit:
    unit = Unit.objects.select_for_update().get(pk=unit.pk)
    if not unit.is_active:
        # A merged unit must stay under its successor (that is how its scope reaches it),
        # and a new version would bring the closed unit back into the tree.
        raise invalid("unit", _("Không thể chuyển đơn vị đã ngừng hoạt động."))
    if new_parent is not None:
        new_parent.refresh_from_db()
        if new_parent.path.startswith(unit.path):
            raise invalid("parent", _("Không thể chuyển đơn vị vào chính nó hoặc đơn vị cấp dưới."))
        if not new_parent.is_active:
            raise invalid("parent", _("Đơn vị cấp trên đã ngừng hoạt động."))
    if new_parent == unit.parent:
        raise invalid("parent", _("Đơn vị đã trực thuộc đơn vị này."))
    before = audit.snapshot(unit)
    _rehang(unit, new_parent)
    _open_version(unit, on)
    audit.record(
        actor=actor,
        action="unit.move",
        obj=unit,
        before=before,
        after=audit.snapshot(unit),
        unit=unit,
    )
    return unit


def _move_people(*, actor: Any, sources: list[Unit], targets: dict[int, Unit], on: dt.date) -> int:
    """Transfer everyone currently in `sources` to `targets[source_id]` from `on`."""
    from people.models import Person
    from people.services import transfer_many

    people = list(Person.objects.filter(unit__in=sources).select_related("unit"))
    moves = [(person, targets[person.unit_id]) for person in people]
    transfer_many(actor=actor, moves=moves, on=on)
    return len(moves)


@transaction.atomic
def units_merge(
    *,
    actor: Any,
    sources: list[Unit],
    on: dt.date,
    into: Unit | None = None,
    code: str = "",
    name: str = "",
    kind: str = "",
    parent: Unit | None = None,
    note: str = "",
) -> Unit:
    """Merge `sources` into an existing unit or a new one, from date `on`.

    The sources end on the day before, are marked merged, and hang under the
    successor: their people move to it, and their ratings and records stay
    reachable from it (PROCESS.md §1: history must survive restructuring).
    """
    sources = list(Unit.objects.select_for_update().filter(pk__in=[u.pk for u in sources]))
    minimum = 1 if into is not None else 2
    if len(sources) < minimum:
        raise invalid("sources", _("Cần chọn ít nhất %(n)d đơn vị để sáp nhập.") % {"n": minimum})
    errors: list[FieldError] = []
    for source in sources:
        if not source.is_active:
            errors.append(FieldError("sources", _("“%(u)s” đã ngừng hoạt động.") % {"u": source}))
        if source.valid_from >= on:
            errors.append(
                FieldError(
                    "on", _("Ngày sáp nhập phải sau ngày thành lập “%(u)s”.") % {"u": source}
                )
            )
    if into is not None:
        into = Unit.objects.select_for_update().get(pk=into.pk)
        if into in sources:
            errors.append(
                FieldError("into", _("Đơn vị tiếp nhận không thể là đơn vị bị sáp nhập."))
            )
        if not into.is_active:
            errors.append(FieldError("into", _("Đơn vị tiếp nhận đã ngừng hoạt động.")))
        anchor: Unit | None = into
    else:
        anchor = parent
    if anchor is not None and any(anchor.path.startswith(s.path) for s in sources):
        errors.append(
            FieldError("parent", _("Đơn vị tiếp nhận không được nằm trong đơn vị bị sáp nhập."))
        )
    if errors:
        raise ValidationFailed(errors)
    if into is None:
        into = unit_create(
            actor=actor,
            code=code,
            name=name,
            parent=parent,
            kind=kind or sources[0].kind,
            valid_from=on,
        )
    end = on - ONE_DAY
    for source in sources:
        before = audit.snapshot(source)
        # Active children of the merged unit continue under the successor.
        for child in Unit.objects.filter(parent=source, status=UnitStatus.ACTIVE):
            _rehang(child, into)
            _open_version(child, on)
        source.status = UnitStatus.MERGED
        source.valid_to = end
        source.save(update_fields=["status", "valid_to"])
        _close_versions(source, end)
        _rehang(source, into)
        UnitSuccession.objects.create(
            predecessor=source, successor=into, kind=SuccessionKind.MERGE, on=on, note=note
        )
        audit.record(
            actor=actor,
            action="unit.merge",
            obj=source,
            before=before,
            after={**audit.snapshot(source), "successor": into.code},
            unit=into,
        )
    _move_people(actor=actor, sources=sources, targets={s.pk: into for s in sources}, on=on)
    return into


def _close_versions(unit: Unit, end: dt.date) -> None:
    unit.versions.filter(valid_to__isnull=True).update(valid_to=end)


@transaction.atomic
def unit_split(
    *,
    actor: Any,
    source: Unit,
    on: dt.date,
    parts: list[dict[str, str]],
    allocation: dict[int, int] | None = None,
    note: str = "",
) -> list[Unit]:
    """Split `source` into new units under the same parent from `on`.

    `parts` holds code/name/kind of each new unit; `allocation` maps a person id
    to the index of the part they join (unlisted people join the first part).
    """
    source = Unit.objects.select_for_update().get(pk=source.pk)
    if not source.is_active:
        raise invalid("source", _("Đơn vị đã ngừng hoạt động."))
    if len(parts) < 2:
        raise invalid("parts", _("Chia tách cần ít nhất hai đơn vị mới."))
    if source.valid_from >= on:
        raise invalid("on", _("Ngày chia tách phải sau ngày thành lập đơn vị."))
    codes = [(p.get("code") or "").strip() for p in parts]
    if len(set(codes)) != len(codes):
        raise invalid("parts", _("Mã các đơn vị mới bị trùng nhau."))
    before = audit.snapshot(source)
    new_units = [
        unit_create(
            actor=actor,
            code=p.get("code", ""),
            name=p.get("name", ""),
            parent=source.parent,
            kind=p.get("kind") or source.kind,
            valid_from=on,
        )
        for p in parts
    ]
    end = on - ONE_DAY
    source.status = UnitStatus.SPLIT
    source.valid_to = end
    source.save(update_fields=["status", "valid_to"])
    _close_versions(source, end)
    for new_unit in new_units:
        UnitSuccession.objects.create(
            predecessor=source, successor=new_unit, kind=SuccessionKind.SPLIT, on=on, note=note
        )
    # Children of the split unit follow the first part unless moved later.
    for child in Unit.objects.filter(parent=source, status=UnitStatus.ACTIVE):
        _rehang(child, new_units[0])
        _open_version(child, on)
    audit.record(
        actor=actor,
        action="unit.split",
        obj=source,
        before=before,
        after={**audit.snapshot(source), "successors": [u.code for u in new_units]},
        unit=source,
    )
    from people.models import Person
    from people.services import transfer_many

    allocation = allocation or {}
    moves = []
    for person in Person.objects.filter(unit=source):
        index = allocation.get(person.pk, 0)
        if not 0 <= index < len(new_units):
            raise invalid("allocation", _("Phân bổ cán bộ không hợp lệ."))
        moves.append((person, new_units[index]))
    transfer_many(actor=actor, moves=moves, on=on)
    return new_units


@transaction.atomic
def unit_rating_set(*, actor: Any, unit: Unit, year: int, rating: str) -> UnitRating:
    return rating_set(
        UnitRating, actor=actor, owner_field="unit", owner=unit, year=year, rating=rating,
        action="unit.rating", unit=unit,
    )  # fmt: skip


# --- reading history -------------------------------------------------------------


def lineage(unit: Unit) -> list[Unit]:
    """The unit and every unit that was merged or split into it, recursively."""
    edges = list(UnitSuccession.objects.values_list("successor_id", "predecessor_id"))
    preds: dict[int, list[int]] = {}
    for successor_id, predecessor_id in edges:
        preds.setdefault(successor_id, []).append(predecessor_id)
    seen = {unit.pk}
    stack = [unit.pk]
    while stack:
        for pred in preds.get(stack.pop(), []):
            if pred not in seen:
                seen.add(pred)
                stack.append(pred)
    return list(Unit.objects.filter(pk__in=seen).order_by("valid_from", "code"))


def ratings_with_lineage(unit: Unit) -> QuerySet[UnitRating]:
    ids = [u.pk for u in lineage(unit)]
    return UnitRating.objects.filter(unit_id__in=ids).select_related("unit").order_by("-year")


def _version_order(version: UnitVersion) -> tuple[str, str]:
    # By the name the unit had then, not its current one, so a historical tree reads in order.
    return (text_sort_key(version.name), version.unit.code)


def tree_as_of(day: dt.date, root: Unit | None = None) -> list[tuple[int, UnitVersion]]:
    """The tree as it stood on `day`: (depth, version) in display order."""
    versions = list(
        UnitVersion.objects.filter(valid_from__lte=day)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=day))
        .select_related("unit")
    )
    children: dict[int | None, list[UnitVersion]] = {}
    for version in versions:
        children.setdefault(version.parent_id, []).append(version)
    for siblings in children.values():
        siblings.sort(key=_version_order)
    result: list[tuple[int, UnitVersion]] = []

    def walk(parent_id: int | None, depth: int) -> None:
        for version in children.get(parent_id, []):
            result.append((depth, version))
            walk(version.unit_id, depth + 1)

    if root is not None:
        start = next((v for v in versions if v.unit_id == root.pk), None)
        if start is None:
            return []
        result.append((0, start))
        walk(root.pk, 1)
    else:
        present = {v.unit_id for v in versions}
        roots = [v for v in versions if v.parent_id is None or v.parent_id not in present]
        roots.sort(key=_version_order)
        for version in roots:
            result.append((0, version))
            walk(version.unit_id, 1)
    return result


# --- clusters and councils --------------------------------------------------------


def _cluster_roles(
    *, kind: str, name: str, members: list[Unit], leader: Unit | None, deputy: Unit | None
) -> list[Unit]:
    """Check a cluster's kind, name and roles; return the members without repeats."""
    errors: list[FieldError] = []
    if kind not in ClusterKind.values:
        errors.append(FieldError("kind", _("Loại cụm/khối không hợp lệ.")))
    if not name.strip():
        errors.append(FieldError("name", _("Tên cụm/khối không được để trống.")))
    # A unit picked twice (e.g. from two lists in the form) is one membership.
    members = list({u.pk: u for u in members}.values())
    member_ids = {u.pk for u in members}
    for role, unit in (("leader", leader), ("deputy", deputy)):
        if unit is not None and unit.pk not in member_ids:
            errors.append(FieldError(role, _("Cụm trưởng, cụm phó phải là thành viên của cụm.")))
    if leader is not None and deputy is not None and leader.pk == deputy.pk:
        errors.append(FieldError("deputy", _("Cụm phó phải khác cụm trưởng.")))
    if errors:
        raise ValidationFailed(errors)
    return members


def _cluster_name_taken(organizer: Unit, year: int, name: str, exclude: int | None = None) -> None:
    taken = Cluster.objects.filter(organizer=organizer, year=year, name=name.strip())
    if exclude is not None:
        taken = taken.exclude(pk=exclude)
    if taken.exists():
        raise Conflict(_("Cụm/khối “%(n)s” năm %(y)s đã tồn tại.") % {"n": name.strip(), "y": year})


def _cluster_snapshot(cluster: Cluster, member_codes: list[str]) -> dict[str, Any]:
    return {**audit.snapshot(cluster), "members": sorted(member_codes)}


@transaction.atomic
def cluster_create(
    *,
    actor: Any,
    organizer: Unit,
    kind: str,
    name: str,
    year: int,
    members: list[Unit],
    leader: Unit | None = None,
    deputy: Unit | None = None,
    follower: Any = None,
) -> Cluster:
    members = _cluster_roles(kind=kind, name=name, members=members, leader=leader, deputy=deputy)
    check_year(year)
    _cluster_name_taken(organizer, year, name)
    cluster = Cluster.objects.create(
        organizer=organizer,
        kind=kind,
        name=name.strip(),
        year=year,
        leader=leader,
        deputy=deputy,
        follower=follower,
    )
    ClusterMember.objects.bulk_create([ClusterMember(cluster=cluster, unit=u) for u in members])
    audit.record(
        actor=actor,
        action="cluster.create",
        obj=cluster,
        after=_cluster_snapshot(cluster, [u.code for u in members]),
        unit=organizer,
    )
    return cluster


@transaction.atomic
def cluster_update(
    *,
    actor: Any,
    cluster: Cluster,
    name: str,
    kind: str,
    leader: Unit | None,
    deputy: Unit | None,
    follower: Any,
    members: list[Unit],
) -> Cluster:
    """Replace a cluster's name, kind, roles and members (organiser and year stay)."""
    cluster = Cluster.objects.select_for_update().select_related("organizer").get(pk=cluster.pk)
    members = _cluster_roles(kind=kind, name=name, members=members, leader=leader, deputy=deputy)
    _cluster_name_taken(cluster.organizer, cluster.year, name, exclude=cluster.pk)
    current = {
        m.unit_id: m.unit.code for m in cluster.memberships.select_related("unit").order_by()
    }
    before = _cluster_snapshot(cluster, list(current.values()))
    cluster.name = name.strip()
    cluster.kind = kind
    cluster.leader = leader
    cluster.deputy = deputy
    cluster.follower = follower
    wanted = {u.pk: u for u in members}
    after = _cluster_snapshot(cluster, [u.code for u in members])
    if after == before:
        # Saving an unchanged form is not a change; the log only tells what changed.
        return cluster
    cluster.save(update_fields=["name", "kind", "leader", "deputy", "follower"])
    gone = [pk for pk in current if pk not in wanted]
    if gone:
        ClusterMember.objects.filter(cluster=cluster, unit_id__in=gone).delete()
    ClusterMember.objects.bulk_create(
        [ClusterMember(cluster=cluster, unit=u) for pk, u in wanted.items() if pk not in current]
    )
    audit.record(
        actor=actor,
        action="cluster.update",
        obj=cluster,
        before=before,
        after=after,
        unit=cluster.organizer,
    )
    return cluster


@transaction.atomic
def cluster_copy_to_year(*, actor: Any, cluster: Cluster, year: int) -> Cluster:
    """Roll a cluster over to another year with the same name, roles and members.

    Clusters are set up per year (PROCESS.md §1). Units that have since been
    merged, split or dissolved no longer exist as such, so they are not carried
    over; a leader or deputy among them is left for the organiser to choose again.
    """
    source = Cluster.objects.select_for_update().select_related("organizer").get(pk=cluster.pk)
    check_year(year)
    if not source.organizer.is_active:
        raise invalid(
            "organizer",
            _("Đơn vị tổ chức “%(u)s” đã ngừng hoạt động.") % {"u": source.organizer},
        )
    _cluster_name_taken(source.organizer, year, source.name)
    members = [
        m.unit
        for m in source.memberships.select_related("unit").order_by("unit__path")
        if m.unit.is_active
    ]
    kept = {u.pk for u in members}
    copy = Cluster.objects.create(
        organizer=source.organizer,
        kind=source.kind,
        name=source.name,
        year=year,
        leader_id=source.leader_id if source.leader_id in kept else None,
        deputy_id=source.deputy_id if source.deputy_id in kept else None,
        follower_id=source.follower_id,
    )
    ClusterMember.objects.bulk_create([ClusterMember(cluster=copy, unit=u) for u in members])
    audit.record(
        actor=actor,
        action="cluster.copy",
        obj=copy,
        after={**_cluster_snapshot(copy, [u.code for u in members]), "copied_from": source.pk},
        unit=source.organizer,
    )
    return copy


@transaction.atomic
def council_create(
    *, actor: Any, unit: Unit, name: str, established_on: dt.date, decision_number: str = ""
) -> Council:
    if Council.objects.filter(unit=unit).exists():
        raise Conflict(_("Đơn vị “%(u)s” đã có hội đồng thi đua – khen thưởng.") % {"u": unit})
    if not name.strip():
        raise invalid("name", _("Tên hội đồng không được để trống."))
    council = Council.objects.create(
        unit=unit,
        name=name.strip(),
        established_on=established_on,
        decision_number=decision_number.strip(),
    )
    audit.record(
        actor=actor, action="council.create", obj=council, after=audit.snapshot(council), unit=unit
    )
    return council


@transaction.atomic
def council_member_add(
    *, actor: Any, council: Council, person: Any, role: str, valid_from: dt.date
) -> CouncilMember:
    if role not in CouncilRole.values:
        raise invalid("role", _("Vai trò trong hội đồng không hợp lệ."))
    open_same = CouncilMember.objects.filter(council=council, person=person, valid_to__isnull=True)
    if open_same.exists():
        raise Conflict(_("%(p)s đang là thành viên hội đồng.") % {"p": person})
    if (
        role == CouncilRole.CHAIR
        and CouncilMember.objects.filter(
            council=council, role=CouncilRole.CHAIR, valid_to__isnull=True
        ).exists()
    ):
        raise Conflict(_("Hội đồng đã có Chủ tịch đương nhiệm."))
    member = CouncilMember.objects.create(
        council=council, person=person, role=role, valid_from=valid_from
    )
    audit.record(
        actor=actor,
        action="council.member_add",
        obj=member,
        after=audit.snapshot(member),
        unit=council.unit,
    )
    return member


@transaction.atomic
def council_member_end(*, actor: Any, member: CouncilMember, on: dt.date) -> CouncilMember:
    member = CouncilMember.objects.select_for_update().get(pk=member.pk)
    if member.valid_to is not None:
        raise Conflict(_("Thành viên này đã thôi tham gia hội đồng."))
    if on < member.valid_from:
        raise invalid("on", _("Ngày thôi tham gia phải sau ngày bắt đầu."))
    before = audit.snapshot(member)
    member.valid_to = on
    member.save(update_fields=["valid_to"])
    audit.record(
        actor=actor,
        action="council.member_end",
        obj=member,
        before=before,
        after=audit.snapshot(member),
        unit=member.council.unit,
    )
    return member
