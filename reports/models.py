"""Reports upward (PROCESS.md §3, §2.7): each unit's annual report to the level above,
the level above's compilation of its children's reports, preliminary and final
reviews of a plan's phase, and the selection of delegates for exemplar conferences
and the patriotic emulation congress.

Figures are stored as self-describing JSON (sections of labelled rows) rather than
as columns: the sections come from a registry that other apps extend (exemplars,
outreach...), and a report filed in 2024 must still read the same after the award
catalogue or the registry changes.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ReportStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Đang soạn")
    SUBMITTED = "SUBMITTED", _("Đã gửi")


def empty_figures() -> dict[str, Any]:
    return {"sections": []}


class AnnualReport(models.Model):
    """A unit's yearly report on implementing the plans, sent to the level above."""

    unit = models.ForeignKey(
        "organizations.Unit",
        on_delete=models.PROTECT,
        related_name="annual_reports",
        verbose_name=_("đơn vị"),
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    plan = models.ForeignKey(
        "plans.Plan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="annual_reports",
        verbose_name=_("kế hoạch"),
    )
    requirement = models.ForeignKey(
        "plans.Requirement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="annual_reports",
        verbose_name=_("yêu cầu báo cáo"),
    )
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    figures = models.JSONField(_("số liệu"), default=empty_figures)
    results = models.TextField(_("kết quả đạt được"), blank=True)
    difficulties = models.TextField(_("khó khăn, vướng mắc"), blank=True)
    proposals = models.TextField(_("đề xuất, kiến nghị"), blank=True)
    submitted_on = models.DateField(_("ngày gửi"), null=True, blank=True)
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
        ordering = ["-year", "unit__path", "id"]
        verbose_name = _("báo cáo năm")
        verbose_name_plural = _("báo cáo năm")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "plan"], name="annual_report_unique_plan"
            ),
            # NULLs are distinct in a unique index: one report without a plan per year.
            models.UniqueConstraint(
                fields=["unit", "year"],
                condition=Q(plan__isnull=True),
                name="annual_report_unique_no_plan",
            ),
            models.CheckConstraint(
                condition=Q(status="DRAFT") | Q(submitted_on__isnull=False),
                name="annual_report_submitted_has_date",
            ),
        ]
        indexes = [models.Index(fields=["year", "status"])]

    def __str__(self) -> str:
        return f"Báo cáo năm {self.year} — {self.unit}"

    @property
    def is_draft(self) -> bool:
        return self.status == ReportStatus.DRAFT


class CompiledReport(models.Model):
    """The level above's compilation of its child units' submitted annual reports."""

    unit = models.ForeignKey(
        "organizations.Unit",
        on_delete=models.PROTECT,
        related_name="compiled_reports",
        verbose_name=_("đơn vị tổng hợp"),
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    plan = models.ForeignKey(
        "plans.Plan",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="compiled_reports",
        verbose_name=_("kế hoạch"),
    )
    requirement = models.ForeignKey(
        "plans.Requirement",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="compiled_reports",
        verbose_name=_("yêu cầu báo cáo (gửi cấp trên)"),
    )
    sources = models.ManyToManyField(
        AnnualReport, related_name="compilations", verbose_name=_("báo cáo được tổng hợp")
    )
    status = models.CharField(
        _("trạng thái"), max_length=12, choices=ReportStatus.choices, default=ReportStatus.DRAFT
    )
    # Same shape as AnnualReport.figures, values summed over the sources.
    sums = models.JSONField(_("số liệu tổng hợp"), default=empty_figures)
    # [{"unit": code, "name": ..., "status": ..., "report": pk | None, "values": {key: n}}]
    by_unit = models.JSONField(_("số liệu theo đơn vị"), default=list)
    results = models.TextField(_("kết quả đạt được"), blank=True)
    difficulties = models.TextField(_("khó khăn, vướng mắc"), blank=True)
    proposals = models.TextField(_("đề xuất, kiến nghị"), blank=True)
    compiled_at = models.DateTimeField(_("thời điểm tổng hợp"), null=True, blank=True)
    submitted_on = models.DateField(_("ngày gửi"), null=True, blank=True)
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
        ordering = ["-year", "unit__path", "id"]
        verbose_name = _("báo cáo tổng hợp")
        verbose_name_plural = _("báo cáo tổng hợp")
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "year", "plan"], name="compiled_report_unique_plan"
            ),
            models.UniqueConstraint(
                fields=["unit", "year"],
                condition=Q(plan__isnull=True),
                name="compiled_report_unique_no_plan",
            ),
        ]

    def __str__(self) -> str:
        return f"Báo cáo tổng hợp năm {self.year} — {self.unit}"

    @property
    def is_draft(self) -> bool:
        return self.status == ReportStatus.DRAFT


class ReviewKind(models.TextChoices):
    PRELIMINARY = "PRELIMINARY", _("Sơ kết")
    FINAL = "FINAL", _("Tổng kết")


class ReviewReport(models.Model):
    """A preliminary (sơ kết) or final (tổng kết) review of a plan or one of its phases."""

    unit = models.ForeignKey(
        "organizations.Unit",
        on_delete=models.PROTECT,
        related_name="review_reports",
        verbose_name=_("đơn vị"),
    )
    plan = models.ForeignKey(
        "plans.Plan",
        on_delete=models.PROTECT,
        related_name="review_reports",
        verbose_name=_("kế hoạch"),
    )
    phase = models.ForeignKey(
        "plans.Phase",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="review_reports",
        verbose_name=_("giai đoạn"),
    )
    kind = models.CharField(_("loại"), max_length=12, choices=ReviewKind.choices)
    title = models.CharField(_("tiêu đề"), max_length=500)
    # [{"key": ..., "heading": ..., "text": ...}] in document order.
    body = models.JSONField(_("nội dung"), default=list)
    figures = models.JSONField(_("số liệu"), default=empty_figures)
    first_year = models.PositiveSmallIntegerField(_("từ năm"))
    last_year = models.PositiveSmallIntegerField(_("đến năm"))
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-last_year", "unit__path", "id"]
        verbose_name = _("báo cáo sơ kết, tổng kết")
        verbose_name_plural = _("báo cáo sơ kết, tổng kết")
        constraints = [
            models.CheckConstraint(
                condition=Q(last_year__gte=models.F("first_year")), name="review_valid_years"
            ),
        ]

    def __str__(self) -> str:
        return self.title


class ConferenceKind(models.TextChoices):
    EXEMPLAR_CONFERENCE = "EXEMPLAR_CONFERENCE", _("Hội nghị điển hình tiên tiến")
    EMULATION_CONGRESS = "EMULATION_CONGRESS", _("Đại hội thi đua yêu nước")


class ConferenceStatus(models.TextChoices):
    OPEN = "OPEN", _("Đang nhận đề cử")
    FINALIZED = "FINALIZED", _("Đã chốt danh sách")


class Conference(models.Model):
    organizer = models.ForeignKey(
        "organizations.Unit",
        on_delete=models.PROTECT,
        related_name="conferences",
        verbose_name=_("đơn vị tổ chức"),
    )
    title = models.CharField(_("tên hội nghị, đại hội"), max_length=500)
    kind = models.CharField(_("loại"), max_length=24, choices=ConferenceKind.choices)
    held_on = models.DateField(_("ngày tổ chức"))
    place = models.CharField(_("địa điểm"), max_length=255, blank=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=12,
        choices=ConferenceStatus.choices,
        default=ConferenceStatus.OPEN,
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-held_on", "id"]
        verbose_name = _("hội nghị, đại hội")
        verbose_name_plural = _("hội nghị, đại hội")

    def __str__(self) -> str:
        return self.title

    @property
    def is_open(self) -> bool:
        return self.status == ConferenceStatus.OPEN


class DelegateQuota(models.Model):
    """How many delegates (exemplars) a unit may propose to a conference."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="quotas")
    unit = models.ForeignKey(
        "organizations.Unit", on_delete=models.PROTECT, related_name="+", verbose_name=_("đơn vị")
    )
    quota = models.PositiveSmallIntegerField(_("số lượng được đề cử"))

    class Meta:
        ordering = ["conference_id", "unit__path"]
        constraints = [
            models.UniqueConstraint(fields=["conference", "unit"], name="quota_unique_unit"),
        ]

    def __str__(self) -> str:
        return f"{self.unit_id}: {self.quota}"


class CandidateStatus(models.TextChoices):
    PROPOSED = "PROPOSED", _("Đã đề cử")
    SELECTED = "SELECTED", _("Được chọn")
    NOT_SELECTED = "NOT_SELECTED", _("Không được chọn")


class Candidate(models.Model):
    """An individual or a collective a unit proposes as a delegate/exemplar."""

    conference = models.ForeignKey(Conference, on_delete=models.CASCADE, related_name="candidates")
    unit = models.ForeignKey(
        "organizations.Unit",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("đơn vị đề cử"),
    )
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cá nhân"),
    )
    collective = models.ForeignKey(
        "organizations.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("tập thể"),
    )
    reason = models.TextField(_("thành tích tiêu biểu"), blank=True)
    status = models.CharField(
        _("trạng thái"),
        max_length=14,
        choices=CandidateStatus.choices,
        default=CandidateStatus.PROPOSED,
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["conference_id", "unit__path", "id"]
        verbose_name = _("người, tập thể được đề cử")
        verbose_name_plural = _("danh sách đề cử")
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(collective__isnull=True))
                | (Q(person__isnull=True) & Q(collective__isnull=False)),
                name="candidate_one_subject",
            ),
            models.UniqueConstraint(
                fields=["conference", "person"],
                condition=Q(person__isnull=False),
                name="candidate_unique_person",
            ),
            models.UniqueConstraint(
                fields=["conference", "collective"],
                condition=Q(collective__isnull=False),
                name="candidate_unique_collective",
            ),
        ]

    def __str__(self) -> str:
        return self.subject_label

    @property
    def subject_label(self) -> str:
        subject = self.person if self.person_id else self.collective
        return str(subject)

    @property
    def is_collective(self) -> bool:
        return self.collective_id is not None
