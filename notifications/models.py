"""In-app notifications for one user, and the log that makes plan reminders go out once."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class NotificationKind(models.TextChoices):
    PLAN_DUE_SOON = "PLAN_DUE_SOON", _("Sắp đến hạn gửi")
    PLAN_OVERDUE = "PLAN_OVERDUE", _("Quá hạn gửi")
    REPLICATION_STALE = "REPLICATION_STALE", _("Nhân rộng lâu chưa cập nhật")
    JURY = "JURY", _("Mời tham gia ban giám khảo")
    GENERAL = "GENERAL", _("Thông báo chung")


class Notification(models.Model):
    """A message to one user; `read_at` stays empty until they read it."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("người nhận"),
    )
    # Not limited to NotificationKind: other apps may add their own kinds.
    kind = models.CharField(_("loại"), max_length=32, default=NotificationKind.GENERAL)
    title = models.CharField(_("tiêu đề"), max_length=500)
    body = models.TextField(_("nội dung"), blank=True)
    url = models.CharField(_("liên kết"), max_length=500, blank=True)
    unit = models.ForeignKey(
        "organizations.Unit",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("đơn vị"),
    )
    created_at = models.DateTimeField(_("thời điểm"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("đã đọc lúc"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("thông báo")
        verbose_name_plural = _("thông báo")
        indexes = [
            # The unread badge on every page counts exactly this.
            models.Index(fields=["user", "read_at"], name="notification_user_read"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_read(self) -> bool:
        return self.read_at is not None

    def kind_label(self) -> str:
        try:
            return str(NotificationKind(self.kind).label)
        except ValueError:
            return self.kind


class ReminderKind(models.TextChoices):
    BEFORE_DUE = "BEFORE_DUE", _("Nhắc trước hạn")
    OVERDUE = "OVERDUE", _("Nhắc quá hạn")


class ReminderLog(models.Model):
    """One reminder about one requirement to one unit. The unique constraints, not
    the code that checks first, are what keep two workers from both sending it."""

    requirement = models.ForeignKey(
        "plans.Requirement", on_delete=models.CASCADE, related_name="reminders"
    )
    unit = models.ForeignKey("organizations.Unit", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(_("loại nhắc"), max_length=16, choices=ReminderKind.choices)
    days_before = models.PositiveSmallIntegerField(_("số ngày trước hạn"), null=True, blank=True)
    sent_at = models.DateTimeField(_("gửi lúc"), auto_now_add=True)
    recipients = models.PositiveIntegerField(_("số người nhận"), default=0)

    class Meta:
        ordering = ["-sent_at", "-id"]
        verbose_name = _("lần nhắc hạn")
        verbose_name_plural = _("các lần nhắc hạn")
        constraints = [
            models.UniqueConstraint(
                fields=["requirement", "unit", "kind", "days_before"],
                name="reminder_once",
            ),
            # NULLs never collide in a unique index, so the overdue reminder
            # (no days_before) needs its own partial constraint.
            models.UniqueConstraint(
                fields=["requirement", "unit", "kind"],
                condition=Q(days_before__isnull=True),
                name="reminder_once_without_days",
            ),
        ]

    def __str__(self) -> str:
        days = f" {self.days_before}" if self.days_before is not None else ""
        return f"{self.get_kind_display()}{days}: {self.requirement_id}/{self.unit_id}"
