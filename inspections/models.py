"""Inspections of emulation work (kiểm tra, giám sát công tác thi đua, khen thưởng).

Every year a council sends teams to some units under it (seed 001, §4); each
inspection records findings and recommendations, and each recommendation is
followed up until the responsible unit has acted on it.
"""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class InspectionPlan(models.Model):
    council = models.ForeignKey(
        "organizations.Council",
        on_delete=models.PROTECT,
        related_name="inspection_plans",
        verbose_name=_("hội đồng"),
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    title = models.CharField(_("tên kế hoạch"), max_length=500)
    document_number = models.CharField(_("số văn bản"), max_length=64, blank=True)
    document_date = models.DateField(_("ngày văn bản"), null=True, blank=True)
    contents = models.TextField(_("nội dung kiểm tra"), blank=True)
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "title", "id"]
        verbose_name = _("kế hoạch kiểm tra")
        verbose_name_plural = _("kế hoạch kiểm tra")
        constraints = [
            models.UniqueConstraint(
                fields=["council", "year", "title"], name="inspection_plan_unique_title"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class InspectionTeam(models.Model):
    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="teams")
    name = models.CharField(_("tên đoàn"), max_length=255)

    class Meta:
        ordering = ["plan_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "name"], name="inspection_team_unique_name"),
        ]

    def __str__(self) -> str:
        return self.name


class TeamRole(models.TextChoices):
    LEADER = "LEADER", _("Trưởng đoàn")
    DEPUTY = "DEPUTY", _("Phó Trưởng đoàn")
    MEMBER = "MEMBER", _("Thành viên")
    SECRETARY = "SECRETARY", _("Thư ký")


class TeamMember(models.Model):
    """A council member or anyone else on a team; outsiders are kept by name only."""

    team = models.ForeignKey(InspectionTeam, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    name = models.CharField(_("họ và tên"), max_length=150)
    affiliation = models.CharField(_("cơ quan, chức vụ"), max_length=255, blank=True)
    role = models.CharField(_("vai trò"), max_length=10, choices=TeamRole.choices)

    class Meta:
        ordering = ["team_id", "role", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["team", "person"],
                condition=Q(person__isnull=False),
                name="team_member_unique_person",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_role_display()})"


class Inspection(models.Model):
    plan = models.ForeignKey(InspectionPlan, on_delete=models.CASCADE, related_name="inspections")
    unit = models.ForeignKey(
        "organizations.Unit",
        on_delete=models.PROTECT,
        related_name="inspections",
        verbose_name=_("đơn vị được kiểm tra"),
    )
    team = models.ForeignKey(
        InspectionTeam,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inspections",
        verbose_name=_("đoàn kiểm tra"),
    )
    scheduled_on = models.DateField(_("ngày dự kiến"))
    done_on = models.DateField(_("ngày kiểm tra"), null=True, blank=True)
    findings = models.TextField(_("kết quả kiểm tra"), blank=True)
    recommendations = models.TextField(_("kiến nghị"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["scheduled_on", "id"]
        verbose_name = _("cuộc kiểm tra")
        verbose_name_plural = _("cuộc kiểm tra")
        constraints = [
            models.UniqueConstraint(fields=["plan", "unit"], name="inspection_unique_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.unit} ({self.scheduled_on:%d/%m/%Y})"

    @property
    def is_done(self) -> bool:
        return self.done_on is not None


class FollowUpStatus(models.TextChoices):
    OPEN = "OPEN", _("Chưa thực hiện")
    IN_PROGRESS = "IN_PROGRESS", _("Đang thực hiện")
    CLOSED = "CLOSED", _("Đã hoàn thành")


class FollowUp(models.Model):
    inspection = models.ForeignKey(Inspection, on_delete=models.CASCADE, related_name="follow_ups")
    action = models.TextField(_("nội dung cần khắc phục, thực hiện"))
    responsible_unit = models.ForeignKey(
        "organizations.Unit",
        on_delete=models.PROTECT,
        related_name="inspection_follow_ups",
        verbose_name=_("đơn vị thực hiện"),
    )
    due_on = models.DateField(_("hạn hoàn thành"))
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=FollowUpStatus.choices, default=FollowUpStatus.OPEN
    )
    closed_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    closing_note = models.TextField(_("kết quả thực hiện"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["due_on", "id"]
        verbose_name = _("việc sau kiểm tra")
        verbose_name_plural = _("việc sau kiểm tra")
        constraints = [
            models.CheckConstraint(
                condition=(Q(status="CLOSED") & Q(closed_on__isnull=False))
                | (~Q(status="CLOSED") & Q(closed_on__isnull=True)),
                name="follow_up_closed_has_date",
            ),
        ]
        indexes = [models.Index(fields=["status", "due_on"])]

    def __str__(self) -> str:
        return self.action[:80]

    def is_overdue(self, today: dt.date | None = None) -> bool:
        return self.status != FollowUpStatus.CLOSED and self.due_on < (today or dt.date.today())
