from __future__ import annotations

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.choices import Gender, Rating


class Person(models.Model):
    """A member of staff. `unit` is the current unit, kept in step by the transfer service."""

    code = models.CharField(_("mã"), max_length=32, unique=True)
    full_name = models.CharField(_("họ và tên"), max_length=150)
    gender = models.CharField(_("giới tính"), max_length=1, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("ngày sinh"), null=True, blank=True)
    position = models.CharField(_("chức vụ"), max_length=150, blank=True)
    is_head = models.BooleanField(_("thủ trưởng đơn vị"), default=False)
    email = models.EmailField(_("thư điện tử"), blank=True)
    unit = models.ForeignKey(
        "organizations.Unit",
        on_delete=models.PROTECT,
        related_name="people",
        verbose_name=_("đơn vị"),
    )
    started_on = models.DateField(_("ngày vào đơn vị"))
    search_text = models.TextField(editable=False, default="")
    sort_key = models.CharField(max_length=512, editable=False, default="", db_index=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["sort_key", "code"]
        verbose_name = _("cán bộ")
        verbose_name_plural = _("cán bộ")

    def __str__(self) -> str:
        return self.full_name


class Assignment(models.Model):
    """Which unit a person belonged to over a period; ends are inclusive."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="assignments")
    unit = models.ForeignKey(
        "organizations.Unit", on_delete=models.PROTECT, related_name="assignments"
    )
    start = models.DateField(_("từ ngày"))
    end = models.DateField(_("đến ngày"), null=True, blank=True)

    class Meta:
        ordering = ["person_id", "start"]
        indexes = [models.Index(fields=["unit", "start", "end"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(end__isnull=True) | Q(end__gte=models.F("start")),
                name="assignment_valid_range",
            ),
            models.UniqueConstraint(
                fields=["person"], condition=Q(end__isnull=True), name="assignment_one_open"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.person_id}@{self.unit_id} {self.start}–{self.end or ''}"


class PersonRating(models.Model):
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="ratings")
    year = models.PositiveSmallIntegerField(_("năm"))
    rating = models.CharField(_("xếp loại"), max_length=8, choices=Rating.choices)

    class Meta:
        ordering = ["-year"]
        constraints = [
            models.UniqueConstraint(fields=["person", "year"], name="person_rating_unique_year"),
        ]

    def __str__(self) -> str:
        return f"{self.person_id} {self.year}: {self.rating}"
