"""Advanced exemplars (điển hình tiên tiến), from discovery to national recognition.

An exemplar is a person or a collective that a unit discovered, fosters with a
support plan, assesses against the exemplar standard of the plan it was
registered under, recognises, and proposes upward. Every change of state is a
Transition row (the timeline); check-ins track effect, efficiency, potential
and influence over time.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class ExemplarState(models.TextChoices):
    DISCOVERED = "DISCOVERED", _("Mới phát hiện")
    FOSTERING = "FOSTERING", _("Đang bồi dưỡng")
    RECOGNIZED = "RECOGNIZED", _("Đã công nhận")
    PROPOSED = "PROPOSED", _("Đã đề nghị cấp trên")
    SECTOR = "SECTOR", _("Điển hình toàn ngành")
    NATIONAL = "NATIONAL", _("Điển hình toàn quốc")
    DROPPED = "DROPPED", _("Dừng theo dõi")
    REVOKED = "REVOKED", _("Thu hồi công nhận")


# The funnel, in order; DROPPED and REVOKED leave it.
FUNNEL = [
    ExemplarState.DISCOVERED,
    ExemplarState.FOSTERING,
    ExemplarState.RECOGNIZED,
    ExemplarState.PROPOSED,
    ExemplarState.SECTOR,
    ExemplarState.NATIONAL,
]
RECOGNIZED_STATES = [
    ExemplarState.RECOGNIZED,
    ExemplarState.PROPOSED,
    ExemplarState.SECTOR,
    ExemplarState.NATIONAL,
]


class ExemplarScope(models.TextChoices):
    COMPREHENSIVE = "COMPREHENSIVE", _("Điển hình toàn diện")
    ASPECT = "ASPECT", _("Điển hình trên một số mặt công tác")


class Exemplar(models.Model):
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exemplars",
        verbose_name=_("cá nhân"),
    )
    subject_unit = models.ForeignKey(
        "organizations.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="exemplars_as_subject",
        verbose_name=_("tập thể"),
    )
    unit = models.ForeignKey(
        "organizations.Unit",
        on_delete=models.PROTECT,
        related_name="exemplars",
        verbose_name=_("đơn vị phát hiện"),
    )
    title = models.CharField(_("tên điển hình"), max_length=500)
    field = models.CharField(_("lĩnh vực"), max_length=255, blank=True)
    scope = models.CharField(
        _("phạm vi"),
        max_length=16,
        choices=ExemplarScope.choices,
        default=ExemplarScope.COMPREHENSIVE,
    )
    practice_summary = models.TextField(_("mô hình mới, cách làm hay"))
    practice_results = models.TextField(_("kết quả đạt được"), blank=True)
    year = models.PositiveSmallIntegerField(_("năm đăng ký"))
    plan = models.ForeignKey(
        "plans.Plan",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="exemplars",
        verbose_name=_("kế hoạch"),
    )
    movement = models.ForeignKey(
        "movements.Movement",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="exemplars",
        verbose_name=_("phong trào thi đua"),
    )
    standard_id = models.CharField(_("tiêu chuẩn áp dụng"), max_length=64)
    state = models.CharField(
        _("trạng thái"),
        max_length=12,
        choices=ExemplarState.choices,
        default=ExemplarState.DISCOVERED,
    )
    state_changed_at = models.DateTimeField(_("chuyển trạng thái lúc"), null=True, blank=True)
    recognized_year = models.PositiveSmallIntegerField(
        _("năm được công nhận"), null=True, blank=True
    )
    # Fostering (bồi dưỡng): what to overcome, how, and who mentors.
    weaknesses = models.TextField(_("hạn chế cần khắc phục"), blank=True)
    remedies = models.TextField(_("biện pháp khắc phục"), blank=True)
    mentor = models.ForeignKey(
        "people.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="mentored_exemplars",
        verbose_name=_("người kèm cặp, hướng dẫn"),
    )
    search_text = models.TextField(editable=False, default="")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "title", "pk"]
        verbose_name = _("điển hình tiên tiến")
        verbose_name_plural = _("điển hình tiên tiến")
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(subject_unit__isnull=True))
                | (Q(person__isnull=True) & Q(subject_unit__isnull=False)),
                name="exemplar_one_subject",
            ),
        ]
        indexes = [models.Index(fields=["year", "state"]), models.Index(fields=["unit", "year"])]

    def __str__(self) -> str:
        return self.title

    @property
    def subject_kind(self) -> str:
        return "person" if self.person_id else "unit"

    @property
    def subject_name(self) -> str:
        if self.person_id:
            return self.person.full_name  # type: ignore[union-attr]
        return self.subject_unit.name  # type: ignore[union-attr]

    @property
    def subject_code(self) -> str:
        if self.person_id:
            return self.person.code  # type: ignore[union-attr]
        return self.subject_unit.code  # type: ignore[union-attr]


class Transition(models.Model):
    """One move of an exemplar's state: the timeline and the audit of the lifecycle."""

    exemplar = models.ForeignKey(Exemplar, on_delete=models.CASCADE, related_name="transitions")
    from_state = models.CharField(max_length=12, choices=ExemplarState.choices, blank=True)
    to_state = models.CharField(max_length=12, choices=ExemplarState.choices)
    at = models.DateTimeField(auto_now_add=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    note = models.TextField(_("ghi chú"), blank=True)
    year = models.PositiveSmallIntegerField(_("năm đánh giá"), null=True, blank=True)
    decision_number = models.CharField(_("số quyết định"), max_length=64, blank=True)
    decision_date = models.DateField(_("ngày quyết định"), null=True, blank=True)
    authority = models.CharField(_("cơ quan quyết định"), max_length=255, blank=True)

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"{self.from_state} → {self.to_state}"


class CriterionReview(models.Model):
    """A reviewer's verdict on a judgement criterion of the standard, for one year."""

    exemplar = models.ForeignKey(Exemplar, on_delete=models.CASCADE, related_name="reviews")
    year = models.PositiveSmallIntegerField(_("năm đánh giá"))
    condition_id = models.CharField(_("tiêu chí"), max_length=64)
    met = models.BooleanField(_("đạt"))
    comment = models.TextField(_("nhận xét"))
    evidence = models.FileField(_("minh chứng"), upload_to="exemplars/evidence/%Y/", blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["exemplar", "year", "condition_id"], name="exemplar_review_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.condition_id} {self.year}: {self.met}"


class AttachmentKind(models.TextChoices):
    PHOTO = "PHOTO", _("Ảnh")
    DOCUMENT = "DOCUMENT", _("Tài liệu minh chứng")


class Attachment(models.Model):
    """Evidence files and photos of the good practice."""

    exemplar = models.ForeignKey(Exemplar, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("loại"), max_length=8, choices=AttachmentKind.choices)
    file = models.FileField(_("tệp"), upload_to="exemplars/files/%Y/")
    caption = models.CharField(_("mô tả"), max_length=500, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return self.caption or self.file.name


class SupportKind(models.TextChoices):
    MATERIAL = "MATERIAL", _("Vật chất")
    MORAL = "MORAL", _("Tinh thần, động viên")
    TECHNICAL = "TECHNICAL", _("Kỹ thuật")
    TRAINING = "TRAINING", _("Đào tạo, bồi dưỡng")
    PRIZE = "PRIZE", _("Giải thưởng")
    MENTORING = "MENTORING", _("Kèm cặp, hướng dẫn")


class SupportStatus(models.TextChoices):
    PLANNED = "PLANNED", _("Chưa thực hiện")
    IN_PROGRESS = "IN_PROGRESS", _("Đang thực hiện")
    DONE = "DONE", _("Đã hoàn thành")
    CANCELLED = "CANCELLED", _("Hủy")


class SupportAction(models.Model):
    """One action of the fostering plan (kế hoạch bồi dưỡng)."""

    exemplar = models.ForeignKey(Exemplar, on_delete=models.CASCADE, related_name="actions")
    kind = models.CharField(_("hình thức hỗ trợ"), max_length=12, choices=SupportKind.choices)
    description = models.TextField(_("nội dung"))
    responsible = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("người phụ trách"),
    )
    due_on = models.DateField(_("thời hạn"))
    status = models.CharField(
        _("tình trạng"),
        max_length=12,
        choices=SupportStatus.choices,
        default=SupportStatus.PLANNED,
    )
    done_on = models.DateField(_("ngày hoàn thành"), null=True, blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return self.description[:80]


SCORE = [MinValueValidator(1), MaxValueValidator(5)]


class CheckIn(models.Model):
    """Periodic monitoring: effect, efficiency, development potential, influence (1–5)."""

    exemplar = models.ForeignKey(Exemplar, on_delete=models.CASCADE, related_name="checkins")
    checked_on = models.DateField(_("ngày theo dõi"))
    effect = models.PositiveSmallIntegerField(_("tác dụng"), validators=SCORE)
    efficiency = models.PositiveSmallIntegerField(_("hiệu quả"), validators=SCORE)
    potential = models.PositiveSmallIntegerField(_("khả năng phát triển"), validators=SCORE)
    influence = models.PositiveSmallIntegerField(_("sức ảnh hưởng"), validators=SCORE)
    narrative = models.TextField(_("nhận xét"))
    difficulties = models.TextField(_("khó khăn phát hiện"), blank=True)
    help_given = models.TextField(_("hỗ trợ đã thực hiện"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["checked_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(effect__range=(1, 5))
                & Q(efficiency__range=(1, 5))
                & Q(potential__range=(1, 5))
                & Q(influence__range=(1, 5)),
                name="checkin_scores_1_5",
            )
        ]

    def __str__(self) -> str:
        return f"{self.checked_on:%d/%m/%Y}"
