"""Plans that cascade down the unit tree, their requirements on units, and the
submissions that answer them (CONTRACT.md, "Plans and compliance")."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Plan(models.Model):
    code = models.CharField(_("mã"), max_length=64, unique=True)
    title = models.CharField(_("tên kế hoạch"), max_length=500)
    issuer = models.ForeignKey(
        "organizations.Unit",
        on_delete=models.PROTECT,
        related_name="plans",
        verbose_name=_("đơn vị ban hành"),
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("kế hoạch cấp trên"),
    )
    document_number = models.CharField(_("số văn bản"), max_length=64, blank=True)
    document_date = models.DateField(_("ngày văn bản"), null=True, blank=True)
    signer = models.CharField(_("người ký"), max_length=150, blank=True)
    file = models.FileField(_("tệp văn bản"), upload_to="plans/%Y/", blank=True)
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))
    summary = models.TextField(_("mục đích, nội dung chính"), blank=True)
    # The exemplar standard attached to the plan (exemplars/standards/*.toml id);
    # empty: the plan above's, or the default standard.
    exemplar_standard = models.CharField(
        _("tiêu chuẩn điển hình tiên tiến"), max_length=64, blank=True
    )
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on", "code"]
        verbose_name = _("kế hoạch")
        verbose_name_plural = _("kế hoạch")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="plan_valid_period"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class Phase(models.Model):
    """A stage of a plan, e.g. seed 004's Giai đoạn 1 / Giai đoạn 2."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="phases")
    name = models.CharField(_("tên giai đoạn"), max_length=255)
    starts_on = models.DateField(_("từ ngày"))
    ends_on = models.DateField(_("đến ngày"))
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["plan_id", "order", "starts_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=models.F("starts_on")), name="phase_valid_period"
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Milestone(models.Model):
    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="milestones")
    phase = models.ForeignKey(
        Phase, on_delete=models.CASCADE, null=True, blank=True, related_name="milestones"
    )
    title = models.CharField(_("nội dung"), max_length=500)
    due_on = models.DateField(_("thời hạn"))
    description = models.TextField(_("mô tả"), blank=True)

    class Meta:
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title


class RequirementKind(models.TextChoices):
    UNIT_PLAN = "UNIT_PLAN", _("Kế hoạch của đơn vị")
    EXEMPLAR_REGISTRATION = "EXEMPLAR_REGISTRATION", _("Đăng ký điển hình")
    ANNUAL_REPORT = "ANNUAL_REPORT", _("Báo cáo hằng năm")


class RequirementScope(models.TextChoices):
    CHILD_UNITS = "CHILD_UNITS", _("Các đơn vị trực thuộc")
    SUBTREE = "SUBTREE", _("Toàn bộ đơn vị cấp dưới")


class Requirement(models.Model):
    """What each unit in the plan's scope must send, and by when."""

    plan = models.ForeignKey(Plan, on_delete=models.CASCADE, related_name="requirements")
    key = models.CharField(_("mã yêu cầu"), max_length=64)
    kind = models.CharField(_("loại"), max_length=24, choices=RequirementKind.choices)
    title = models.CharField(_("nội dung"), max_length=500, blank=True)
    due_on = models.DateField(_("hạn gửi"))
    scope = models.CharField(
        _("phạm vi"),
        max_length=16,
        choices=RequirementScope.choices,
        default=RequirementScope.CHILD_UNITS,
    )
    min_count = models.PositiveIntegerField(_("số lượng tối thiểu"), null=True, blank=True)
    max_count = models.PositiveIntegerField(_("số lượng tối đa"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("năm"), null=True, blank=True)

    class Meta:
        ordering = ["plan_id", "due_on", "key"]
        constraints = [
            models.UniqueConstraint(fields=["plan", "key"], name="requirement_unique_key"),
            models.CheckConstraint(
                condition=Q(min_count__isnull=True)
                | Q(max_count__isnull=True)
                | Q(max_count__gte=models.F("min_count")),
                name="requirement_count_range",
            ),
        ]

    def __str__(self) -> str:
        return self.title or self.key


class Submission(models.Model):
    """A unit's answer to a requirement: its own plan (a child plan), its list of
    exemplars to build, or its annual report. One per requirement and unit: a
    resubmission replaces it (the audit trail keeps the earlier one)."""

    requirement = models.ForeignKey(
        Requirement, on_delete=models.CASCADE, related_name="submissions"
    )
    unit = models.ForeignKey(
        "organizations.Unit", on_delete=models.PROTECT, related_name="plan_submissions"
    )
    submitted_on = models.DateField(_("ngày gửi"))
    note = models.TextField(_("ghi chú"), blank=True)
    file = models.FileField(_("tệp đính kèm"), upload_to="submissions/%Y/", blank=True)
    child_plan = models.ForeignKey(
        Plan,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="answers",
        verbose_name=_("kế hoạch của đơn vị"),
    )
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["requirement_id", "unit_id"]
        constraints = [
            models.UniqueConstraint(fields=["requirement", "unit"], name="submission_unique_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.requirement_id}/{self.unit_id} {self.submitted_on}"


class RegistrationEntry(models.Model):
    """One exemplar a unit registers to build (EXEMPLAR_REGISTRATION). The subject is
    a person or a unit, or only a described collective/model when neither applies."""

    submission = models.ForeignKey(Submission, on_delete=models.CASCADE, related_name="entries")
    title = models.CharField(_("tên điển hình"), max_length=500)
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(
        "organizations.Unit", on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    field = models.CharField(_("lĩnh vực"), max_length=255, blank=True)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["submission_id", "order", "id"]

    def __str__(self) -> str:
        return self.title
