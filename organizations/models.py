from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.choices import Rating


class UnitKind(models.TextChoices):
    MINISTRY = "MINISTRY", _("Bộ")
    GENERAL_DEPARTMENT = "GENERAL_DEPARTMENT", _("Tổng cục")
    DEPARTMENT = "DEPARTMENT", _("Cục, Vụ")
    PROVINCIAL_DEPARTMENT = "PROVINCIAL_DEPARTMENT", _("Sở")
    OFFICE = "OFFICE", _("Văn phòng, phòng")
    DISTRICT_OFFICE = "DISTRICT_OFFICE", _("Phòng cấp huyện")
    AFFILIATED = "AFFILIATED", _("Đơn vị trực thuộc")
    PRESS = "PRESS", _("Báo chí, truyền thông")
    OTHER = "OTHER", _("Khác")


class UnitStatus(models.TextChoices):
    ACTIVE = "ACTIVE", _("Đang hoạt động")
    MERGED = "MERGED", _("Đã sáp nhập")
    SPLIT = "SPLIT", _("Đã chia tách")
    DISSOLVED = "DISSOLVED", _("Đã giải thể")


def path_ids(path: str) -> list[int]:
    """The unit ids along a materialised path, root first ("/1/4/17/" → [1, 4, 17])."""
    return [int(part) for part in path.strip("/").split("/") if part]


class Unit(models.Model):
    """A node of the organisation tree.

    `path` is a materialised path of primary keys ("/1/4/17/"), so a subtree is
    one indexed prefix filter. A unit merged into another is re-hung under its
    successor (inactive), so everything scoped to the successor's subtree also
    reaches the predecessor's people, ratings and records; its former place in
    the tree stays in `UnitVersion`.
    """

    code = models.CharField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    short_name = models.CharField(_("tên viết tắt"), max_length=64, blank=True)
    kind = models.CharField(_("loại"), max_length=32, choices=UnitKind.choices)
    parent = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="children",
        verbose_name=_("đơn vị cấp trên"),
    )
    path = models.CharField(max_length=512, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=0, editable=False)
    status = models.CharField(
        _("trạng thái"), max_length=16, choices=UnitStatus.choices, default=UnitStatus.ACTIVE
    )
    valid_from = models.DateField(_("hiệu lực từ"))
    valid_to = models.DateField(_("hiệu lực đến"), null=True, blank=True)
    search_text = models.TextField(editable=False, default="")
    sort_key = models.CharField(max_length=1024, editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["path"]
        verbose_name = _("đơn vị")
        verbose_name_plural = _("đơn vị")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="unit_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_active(self) -> bool:
        return self.status == UnitStatus.ACTIVE

    @property
    def ancestor_ids(self) -> list[int]:
        """Ids of the units above this one, root first."""
        return path_ids(self.path)[:-1]

    def active_on(self, day: dt.date) -> bool:
        return self.valid_from <= day and (self.valid_to is None or self.valid_to >= day)


class UnitVersion(models.Model):
    """Name and parent of a unit over a period: the tree as it stood on any date."""

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="versions")
    name = models.CharField(max_length=255)
    parent = models.ForeignKey(
        Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    valid_from = models.DateField()
    valid_to = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["unit_id", "valid_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "valid_from"], name="unit_version_unique_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.valid_from:%d/%m/%Y}–{self.valid_to or ''})"


class SuccessionKind(models.TextChoices):
    MERGE = "MERGE", _("Sáp nhập")
    SPLIT = "SPLIT", _("Chia tách")


class UnitSuccession(models.Model):
    predecessor = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="successions")
    successor = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="predecessions")
    kind = models.CharField(max_length=8, choices=SuccessionKind.choices)
    on = models.DateField()
    note = models.TextField(blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["predecessor", "successor"], name="unit_succession_unique"
            ),
            models.CheckConstraint(
                condition=~Q(predecessor=models.F("successor")), name="unit_succession_not_self"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.predecessor_id} → {self.successor_id} ({self.kind} {self.on})"


class UnitRating(models.Model):
    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="ratings")
    year = models.PositiveSmallIntegerField(_("năm"))
    rating = models.CharField(_("xếp loại"), max_length=8, choices=Rating.choices)

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["unit", "year"], name="unit_rating_unique_year"),
        ]

    def __str__(self) -> str:
        return f"{self.unit.code} {self.year}: {self.rating}"


class ClusterKind(models.TextChoices):
    CLUSTER = "CLUSTER", _("Cụm thi đua")
    BLOCK = "BLOCK", _("Khối thi đua")


class Cluster(models.Model):
    """An emulation cluster or block for one year, organised by a unit's council."""

    organizer = models.ForeignKey(
        Unit,
        on_delete=models.PROTECT,
        related_name="organized_clusters",
        verbose_name=_("đơn vị tổ chức"),
    )
    kind = models.CharField(_("loại"), max_length=8, choices=ClusterKind.choices)
    name = models.CharField(_("tên"), max_length=255)
    year = models.PositiveSmallIntegerField(_("năm"))
    leader = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cụm trưởng / khối trưởng"),
    )
    deputy = models.ForeignKey(
        Unit,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("cụm phó / khối phó"),
    )
    follower = models.ForeignKey(
        "people.Person",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        verbose_name=_("ủy viên hội đồng theo dõi"),
    )
    members: models.ManyToManyField[Unit, ClusterMember] = models.ManyToManyField(
        Unit, through="ClusterMember", related_name="clusters"
    )

    class Meta:
        ordering = ["-year", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organizer", "year", "name"], name="cluster_unique_name_year"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.year})"


class ClusterMember(models.Model):
    cluster = models.ForeignKey(Cluster, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["cluster", "unit"], name="cluster_member_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.cluster_id}:{self.unit_id}"


class Council(models.Model):
    """The emulation–commendation council of a unit (at most one per unit)."""

    unit = models.OneToOneField(Unit, on_delete=models.PROTECT, related_name="council")
    name = models.CharField(_("tên"), max_length=255)
    established_on = models.DateField(_("ngày thành lập"))
    decision_number = models.CharField(_("số quyết định"), max_length=64, blank=True)

    def __str__(self) -> str:
        return self.name


class CouncilRole(models.TextChoices):
    CHAIR = "CHAIR", _("Chủ tịch")
    VICE_CHAIR = "VICE_CHAIR", _("Phó Chủ tịch")
    STANDING = "STANDING", _("Ủy viên thường trực")
    MEMBER = "MEMBER", _("Ủy viên")
    SECRETARY = "SECRETARY", _("Thư ký")


class CouncilMember(models.Model):
    council = models.ForeignKey(Council, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey("people.Person", on_delete=models.PROTECT, related_name="+")
    role = models.CharField(_("vai trò"), max_length=16, choices=CouncilRole.choices)
    valid_from = models.DateField(_("từ ngày"))
    valid_to = models.DateField(_("đến ngày"), null=True, blank=True)

    class Meta:
        ordering = ["council_id", "role", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=models.F("valid_from")),
                name="council_member_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person} – {self.get_role_display()}"
