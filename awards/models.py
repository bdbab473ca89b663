"""Records that eligibility reads: the catalogue of titles and forms, awards held,
initiatives and research topics, discipline, and recorded judgements."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class AwardKind(models.TextChoices):
    TITLE = "TITLE", _("Danh hiệu thi đua")
    FORM = "FORM", _("Hình thức khen thưởng")


class RecipientKind(models.TextChoices):
    INDIVIDUAL = "INDIVIDUAL", _("Cá nhân")
    COLLECTIVE = "COLLECTIVE", _("Tập thể")
    BOTH = "BOTH", _("Cá nhân và tập thể")


class AwardLevel(models.TextChoices):
    CO_SO = "CO_SO", _("Cơ sở")
    BO_TINH = "BO_TINH", _("Bộ, ngành, tỉnh")
    NHA_NUOC = "NHA_NUOC", _("Nhà nước")


class AwardType(models.Model):
    """One title or form of the catalogue (LAW.md); codes are fixed by the glossary."""

    code = models.CharField(_("mã"), max_length=32, unique=True)
    name = models.CharField(_("tên"), max_length=255)
    kind = models.CharField(_("loại"), max_length=8, choices=AwardKind.choices)
    recipient = models.CharField(_("đối tượng"), max_length=12, choices=RecipientKind.choices)
    level = models.CharField(_("cấp"), max_length=8, choices=AwardLevel.choices)
    decided_by = models.CharField(_("thẩm quyền quyết định"), max_length=255)
    citation = models.CharField(_("căn cứ"), max_length=255, blank=True)
    coefficient_individual = models.DecimalField(
        _("hệ số tiền thưởng (cá nhân)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    coefficient_collective = models.DecimalField(
        _("hệ số tiền thưởng (tập thể)"), max_digits=5, decimal_places=2, null=True, blank=True
    )
    council_vote = models.BooleanField(_("Hội đồng phải bỏ phiếu"), default=False)
    vote_threshold = models.PositiveSmallIntegerField(
        _("tỷ lệ phiếu tối thiểu (%)"), null=True, blank=True
    )
    yearly = models.BooleanField(_("xét hằng năm"), default=False)
    order = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(_("đang áp dụng"), default=True)

    class Meta:
        ordering = ["order", "code"]
        verbose_name = _("danh hiệu / hình thức khen thưởng")
        verbose_name_plural = _("danh mục danh hiệu và hình thức khen thưởng")
        constraints = [
            models.CheckConstraint(
                condition=Q(vote_threshold__isnull=True) | Q(vote_threshold__lte=100),
                name="award_type_threshold_pct",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def for_people(self) -> bool:
        return self.recipient in (RecipientKind.INDIVIDUAL, RecipientKind.BOTH)

    @property
    def for_units(self) -> bool:
        return self.recipient in (RecipientKind.COLLECTIVE, RecipientKind.BOTH)


class Award(models.Model):
    """An award held: one recipient (a person or a unit), one title or form, one year."""

    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awards",
        verbose_name=_("cá nhân"),
    )
    unit = models.ForeignKey(
        "organizations.Unit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="awards",
        verbose_name=_("tập thể"),
    )
    award_type = models.ForeignKey(
        AwardType, on_delete=models.PROTECT, related_name="awards", verbose_name=_("khen thưởng")
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    decision_number = models.CharField(_("số quyết định"), max_length=64)
    decision_date = models.DateField(_("ngày quyết định"))
    signer = models.CharField(_("người ký"), max_length=150, blank=True)
    authority = models.CharField(_("cơ quan quyết định"), max_length=255, blank=True)
    file = models.FileField(_("tệp quyết định"), upload_to="awards/%Y/", blank=True)
    note = models.TextField(_("ghi chú"), blank=True)
    # Set by a revocation (Law Art. 93): eligibility stops counting the award.
    revoked_on = models.DateField(_("ngày thu hồi"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "award_type__order", "id"]
        verbose_name = _("khen thưởng")
        verbose_name_plural = _("khen thưởng")
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(unit__isnull=True))
                | (Q(person__isnull=True) & Q(unit__isnull=False)),
                name="award_one_recipient",
            ),
            models.UniqueConstraint(
                fields=["person", "award_type", "year"],
                condition=Q(person__isnull=False),
                name="award_unique_person_year",
            ),
            models.UniqueConstraint(
                fields=["unit", "award_type", "year"],
                condition=Q(unit__isnull=False),
                name="award_unique_unit_year",
            ),
        ]
        indexes = [models.Index(fields=["year", "award_type"])]

    def __str__(self) -> str:
        return f"{self.award_type.code} {self.year} — {self.recipient_label}"

    @property
    def recipient_kind(self) -> str:
        return "person" if self.person_id else "unit"

    @property
    def recipient_label(self) -> str:
        recipient = self.person if self.person_id else self.unit
        return str(recipient)

    @property
    def recipient_code(self) -> str:
        recipient = self.person if self.person_id else self.unit
        return recipient.code if recipient is not None else ""


class InitiativeKind(models.TextChoices):
    INITIATIVE = "INITIATIVE", _("Sáng kiến")
    RESEARCH = "RESEARCH", _("Đề tài, đề án, công trình khoa học")


class RecognitionLevel(models.TextChoices):
    CO_SO = "CO_SO", _("Cấp cơ sở")
    BO_TINH = "BO_TINH", _("Cấp bộ, ngành, tỉnh")
    TOAN_QUOC = "TOAN_QUOC", _("Toàn quốc")


LEVEL_RANK: dict[str, int] = {
    RecognitionLevel.CO_SO: 1,
    RecognitionLevel.BO_TINH: 2,
    RecognitionLevel.TOAN_QUOC: 3,
}


class Initiative(models.Model):
    """An initiative or research topic. `used_by` is the award it was counted for:
    one achievement is rewarded once (Luật TĐKT 2022, Điều 5.2.c), so an
    initiative counts for one award only, whichever of its authors got it."""

    kind = models.CharField(
        _("loại"), max_length=12, choices=InitiativeKind.choices, default=InitiativeKind.INITIATIVE
    )
    title = models.CharField(_("tên"), max_length=500)
    authors = models.ManyToManyField(
        "people.Person", related_name="initiatives", verbose_name=_("tác giả")
    )
    unit = models.ForeignKey(
        "organizations.Unit",
        on_delete=models.PROTECT,
        related_name="initiatives",
        verbose_name=_("đơn vị"),
    )
    level = models.CharField(_("cấp công nhận"), max_length=10, choices=RecognitionLevel.choices)
    recognized_on = models.DateField(_("ngày công nhận"))
    year = models.PositiveSmallIntegerField(_("năm"))
    decision_number = models.CharField(_("số quyết định công nhận"), max_length=64, blank=True)
    summary = models.TextField(_("tóm tắt"), blank=True)
    used_by = models.ForeignKey(
        Award,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="initiatives_used",
        verbose_name=_("đã dùng cho khen thưởng"),
    )
    search_text = models.TextField(editable=False, default="")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-year", "title", "id"]
        verbose_name = _("sáng kiến, đề tài")
        verbose_name_plural = _("sáng kiến, đề tài")
        indexes = [models.Index(fields=["year", "level"])]

    def __str__(self) -> str:
        return self.title


class DisciplineForm(models.TextChoices):
    KHIEN_TRACH = "KHIEN_TRACH", _("Khiển trách")
    CANH_CAO = "CANH_CAO", _("Cảnh cáo")
    GIANG_CHUC = "GIANG_CHUC", _("Giáng chức")
    CACH_CHUC = "CACH_CHUC", _("Cách chức")
    BUOC_THOI_VIEC = "BUOC_THOI_VIEC", _("Buộc thôi việc")


# Severity order of the glossary: khiển trách < cảnh cáo < giáng chức / cách chức …
DISCIPLINE_RANK: dict[str, int] = {
    DisciplineForm.KHIEN_TRACH: 1,
    DisciplineForm.CANH_CAO: 2,
    DisciplineForm.GIANG_CHUC: 3,
    DisciplineForm.CACH_CHUC: 4,
    DisciplineForm.BUOC_THOI_VIEC: 5,
}


class DisciplineStatus(models.TextChoices):
    PENDING = "PENDING", _("Đang xem xét")
    DECIDED = "DECIDED", _("Đã quyết định")


class Discipline(models.Model):
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.PROTECT,
        related_name="disciplines",
        verbose_name=_("cán bộ"),
    )
    form = models.CharField(_("hình thức"), max_length=16, choices=DisciplineForm.choices)
    status = models.CharField(_("trạng thái"), max_length=8, choices=DisciplineStatus.choices)
    opened_on = models.DateField(_("ngày phát sinh"), null=True, blank=True)
    decided_on = models.DateField(_("ngày quyết định"), null=True, blank=True)
    ends_on = models.DateField(_("hết hiệu lực"), null=True, blank=True)
    decision_number = models.CharField(_("số quyết định"), max_length=64, blank=True)
    reason = models.TextField(_("lý do"), blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-decided_on", "-id"]
        verbose_name = _("kỷ luật")
        verbose_name_plural = _("kỷ luật")
        constraints = [
            models.CheckConstraint(
                condition=Q(status="PENDING") | Q(decided_on__isnull=False),
                name="discipline_decided_has_date",
            ),
            models.CheckConstraint(
                condition=Q(ends_on__isnull=True)
                | Q(decided_on__isnull=True)
                | Q(ends_on__gte=models.F("decided_on")),
                name="discipline_valid_range",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_form_display()} — {self.person_id}"


class Judgement(models.Model):
    """A person's judgement on a `judgement` condition of a rule for one subject and year
    (e.g. "internal unity": met or not met), recorded so evaluations can use it."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    unit = models.ForeignKey(
        "organizations.Unit", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    year = models.PositiveSmallIntegerField(_("năm"))
    condition_id = models.CharField(_("điều kiện"), max_length=64)
    met = models.BooleanField(_("đạt"))
    note = models.TextField(_("ghi chú"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=(Q(person__isnull=False) & Q(unit__isnull=True))
                | (Q(person__isnull=True) & Q(unit__isnull=False)),
                name="judgement_one_subject",
            ),
            models.UniqueConstraint(
                fields=["person", "year", "condition_id"],
                condition=Q(person__isnull=False),
                name="judgement_unique_person",
            ),
            models.UniqueConstraint(
                fields=["unit", "year", "condition_id"],
                condition=Q(unit__isnull=False),
                name="judgement_unique_unit",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.condition_id} {self.year}: {self.met}"
