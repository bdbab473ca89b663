"""Emulation movements (phong trào thi đua): criteria, registrations, reviews.

A movement is launched by a unit for its whole subtree; units under it
register themselves (a collective) or their staff (individuals) with the titles
they aim for, the unit's head confirms, and the launching unit marks each
registration against the movement's criteria at the preliminary and final
reviews (sơ kết, tổng kết).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class MovementKind(models.TextChoices):
    REGULAR = "REGULAR", _("Thường xuyên")
    THEMATIC = "THEMATIC", _("Chuyên đề")


class Movement(models.Model):
    launching_unit = models.ForeignKey(
        "organizations.Unit",
        on_delete=models.PROTECT,
        related_name="launched_movements",
        verbose_name=_("đơn vị phát động"),
    )
    code = models.CharField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("chủ đề, tên phong trào"), max_length=500)
    kind = models.CharField(_("loại"), max_length=8, choices=MovementKind.choices)
    starts_on = models.DateField(_("bắt đầu"))
    ends_on = models.DateField(_("kết thúc"), null=True, blank=True)
    contents = models.TextField(_("nội dung"), blank=True)
    preliminary_review_on = models.DateField(_("ngày sơ kết"), null=True, blank=True)
    final_review_on = models.DateField(_("ngày tổng kết"), null=True, blank=True)
    document_number = models.CharField(_("số văn bản phát động"), max_length=64, blank=True)
    document_date = models.DateField(_("ngày văn bản"), null=True, blank=True)
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-starts_on", "code"]
        verbose_name = _("phong trào thi đua")
        verbose_name_plural = _("phong trào thi đua")
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True) | Q(ends_on__gte=models.F("starts_on")),
                name="movement_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def year(self) -> int:
        return self.starts_on.year


class CriterionTarget(models.TextChoices):
    COLLECTIVE = "COLLECTIVE", _("Tập thể")
    INDIVIDUAL = "INDIVIDUAL", _("Cá nhân")


class Criterion(models.Model):
    movement = models.ForeignKey(Movement, on_delete=models.CASCADE, related_name="criteria")
    target = models.CharField(_("đối tượng"), max_length=12, choices=CriterionTarget.choices)
    order = models.PositiveSmallIntegerField(_("thứ tự"), default=0)
    text = models.TextField(_("nội dung tiêu chí"))
    max_points = models.DecimalField(
        _("điểm tối đa"), max_digits=6, decimal_places=2, null=True, blank=True
    )

    class Meta:
        ordering = ["movement_id", "target", "order", "id"]
        verbose_name = _("tiêu chí thi đua")
        verbose_name_plural = _("tiêu chí thi đua")

    def __str__(self) -> str:
        return f"{self.order}. {self.text[:80]}"


class RegistrationStatus(models.TextChoices):
    DRAFT = "DRAFT", _("Nháp")
    SUBMITTED = "SUBMITTED", _("Chờ xác nhận")
    CONFIRMED = "CONFIRMED", _("Đã xác nhận")
    REJECTED = "REJECTED", _("Bị từ chối")


class Registration(models.Model):
    """One emulation registration: a unit for itself (person empty) or for one of its staff."""

    movement = models.ForeignKey(Movement, on_delete=models.CASCADE, related_name="registrations")
    unit = models.ForeignKey(
        "organizations.Unit",
        on_delete=models.PROTECT,
        related_name="movement_registrations",
        verbose_name=_("đơn vị"),
    )
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="movement_registrations",
        verbose_name=_("cá nhân"),
    )
    aimed_titles = models.ManyToManyField(
        "awards.AwardType", related_name="+", blank=True, verbose_name=_("danh hiệu đăng ký")
    )
    pledge = models.TextField(_("nội dung đăng ký, cam kết"), blank=True)
    registered_on = models.DateField(_("ngày đăng ký"))
    status = models.CharField(
        _("trạng thái"),
        max_length=10,
        choices=RegistrationStatus.choices,
        default=RegistrationStatus.DRAFT,
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người xác nhận"),
    )
    confirmed_at = models.DateTimeField(_("thời điểm xác nhận"), null=True, blank=True)
    rejection_reason = models.TextField(_("lý do từ chối"), blank=True)
    review_result = models.TextField(_("kết quả đánh giá"), blank=True)
    exemplar_recommended = models.BooleanField(_("đề xuất phát hiện điển hình"), default=False)
    exemplar_note = models.TextField(_("ghi chú đề xuất điển hình"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["movement_id", "id"]
        verbose_name = _("đăng ký thi đua")
        verbose_name_plural = _("đăng ký thi đua")
        constraints = [
            # NULL never equals NULL in a unique index, so the collective row
            # (no person) needs its own partial constraint.
            models.UniqueConstraint(
                fields=["movement", "unit"],
                condition=Q(person__isnull=True),
                name="registration_unique_collective",
            ),
            models.UniqueConstraint(
                fields=["movement", "unit", "person"],
                condition=Q(person__isnull=False),
                name="registration_unique_individual",
            ),
        ]
        indexes = [models.Index(fields=["movement", "status"])]

    def __str__(self) -> str:
        return self.subject_name

    @property
    def is_individual(self) -> bool:
        return self.person_id is not None

    @property
    def target(self) -> str:
        return CriterionTarget.INDIVIDUAL if self.person_id else CriterionTarget.COLLECTIVE

    @property
    def subject_name(self) -> str:
        return self.person.full_name if self.person is not None else self.unit.name


class ReviewStage(models.TextChoices):
    PRELIMINARY = "PRELIMINARY", _("Sơ kết")
    FINAL = "FINAL", _("Tổng kết")


class ReviewMark(models.Model):
    registration = models.ForeignKey(Registration, on_delete=models.CASCADE, related_name="marks")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="marks")
    stage = models.CharField(_("đợt đánh giá"), max_length=12, choices=ReviewStage.choices)
    met = models.BooleanField(_("đạt"), null=True, blank=True)
    score = models.DecimalField(_("điểm"), max_digits=6, decimal_places=2, null=True, blank=True)
    comment = models.TextField(_("nhận xét"), blank=True)
    marked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["registration_id", "stage", "criterion__order"]
        constraints = [
            models.UniqueConstraint(
                fields=["registration", "criterion", "stage"], name="review_mark_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.registration_id}/{self.criterion_id}/{self.stage}: {self.met}"
