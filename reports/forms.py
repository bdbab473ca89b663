"""Forms of the report pages: they parse shapes; services decide the rest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from organizations.models import Unit
from people.forms import BootstrapMixin, VnDateField, unit_choices
from reports.figures import MAX_FIGURE, values_of
from reports.models import ConferenceKind, ReportStatus, ReviewKind

YEAR_FIELD = {"min_value": 2000, "max_value": 2100}
NARRATIVE_ROWS = 6


def default_year() -> int:
    """Annual reports are written after the year ends: the year just past."""
    return dt.date.today().year - 1


def _choices(field: forms.Field, choices: Sequence[tuple[str, Any]]) -> None:
    assert isinstance(field, forms.ChoiceField)
    field.choices = list(choices)


class ReportFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Tìm đơn vị"), required=False, max_length=100)
    year = forms.IntegerField(label=_("Năm"), required=False, **YEAR_FIELD)  # type: ignore[arg-type]
    unit = forms.ChoiceField(label=_("Đơn vị (cả đơn vị trực thuộc)"), required=False)
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Tất cả")), *ReportStatus.choices],
    )

    def __init__(self, *args: Any, units: Sequence[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["unit"], [("", _("Tất cả đơn vị")), *unit_choices(units)])
        self.fields["q"].widget.attrs["placeholder"] = _("Tên hoặc mã đơn vị (gõ không dấu được)")
        self.style()


class UnitYearForm(BootstrapMixin, forms.Form):
    """First step of creating or compiling: which unit, which year."""

    unit = forms.ChoiceField(label=_("Đơn vị"))
    year = forms.IntegerField(label=_("Năm báo cáo"), **YEAR_FIELD)  # type: ignore[arg-type]

    def __init__(self, *args: Any, units: Sequence[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["unit"], unit_choices(units))
        self.style()


class NarrativeForm(BootstrapMixin, forms.Form):
    results = forms.CharField(
        label=_("Kết quả đạt được"),
        required=False,
        widget=forms.Textarea(attrs={"rows": NARRATIVE_ROWS}),
        help_text=_("Bắt buộc khi gửi báo cáo."),
    )
    difficulties = forms.CharField(
        label=_("Khó khăn, vướng mắc"),
        required=False,
        widget=forms.Textarea(attrs={"rows": NARRATIVE_ROWS}),
    )
    proposals = forms.CharField(
        label=_("Đề xuất, kiến nghị"),
        required=False,
        widget=forms.Textarea(attrs={"rows": NARRATIVE_ROWS}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class CreateReportForm(NarrativeForm):
    requirement = forms.ChoiceField(label=_("Báo cáo theo yêu cầu của kế hoạch"), required=False)

    def __init__(self, *args: Any, requirements: Sequence[Any], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(
            self.fields["requirement"],
            [
                ("", _("Không gắn với kế hoạch")),
                *[
                    (
                        str(r.pk),
                        f"{r.plan.title} — {r.title or r.get_kind_display()} ({r.due_on:%d/%m/%Y})",
                    )
                    for r in requirements
                ],
            ],
        )
        self.fields["requirement"].widget.attrs["class"] = "form-select"
        # The requirement comes first on the page.
        self.order_fields(["requirement", "results", "difficulties", "proposals"])


def parse_figures(
    data: Mapping[str, Any], figures: Mapping[str, Any]
) -> tuple[dict[str, int], dict[str, str]]:
    """The `fig:<key>` inputs of a figures table: (values, errors by key)."""
    values: dict[str, int] = {}
    errors: dict[str, str] = {}
    for key in values_of(figures):
        raw = str(data.get(f"fig:{key}", "")).strip().replace(".", "")
        if raw == "":
            values[key] = 0
            continue
        if not raw.isdigit() or int(raw) > MAX_FIGURE:
            errors[key] = str(_("Nhập số nguyên không âm."))
            continue
        values[key] = int(raw)
    return values, errors


class CompileForm(BootstrapMixin, forms.Form):
    unit = forms.ChoiceField(label=_("Đơn vị tổng hợp"))
    year = forms.IntegerField(label=_("Năm"), **YEAR_FIELD)  # type: ignore[arg-type]
    plan = forms.ChoiceField(label=_("Kế hoạch"), required=False)

    def __init__(
        self, *args: Any, units: Sequence[Unit], plans: Sequence[Any] = (), **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["unit"], unit_choices(units))
        _choices(
            self.fields["plan"],
            [("", _("Mọi báo cáo năm (không theo kế hoạch)")), *[(p.code, p.title) for p in plans]],
        )
        self.style()


class CompiledEditForm(NarrativeForm):
    pass


class ReviewCreateForm(BootstrapMixin, forms.Form):
    unit = forms.ChoiceField(label=_("Đơn vị"))
    plan = forms.ChoiceField(label=_("Kế hoạch"))
    phase = forms.ChoiceField(label=_("Giai đoạn"), required=False)
    kind = forms.ChoiceField(label=_("Loại báo cáo"), choices=ReviewKind.choices)
    title = forms.CharField(
        label=_("Tiêu đề"),
        required=False,
        max_length=500,
        help_text=_("Để trống để đặt theo kế hoạch và giai đoạn."),
    )

    def __init__(
        self,
        *args: Any,
        units: Sequence[Unit],
        plans: Sequence[Any],
        phases: Sequence[Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["unit"], unit_choices(units))
        _choices(self.fields["plan"], [(p.code, p.title) for p in plans])
        _choices(
            self.fields["phase"],
            [
                ("", _("Cả kế hoạch")),
                *[(str(ph.pk), f"{ph.plan.title} — {ph.name}") for ph in phases],
            ],
        )
        self.style()


class ReviewEditForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Tiêu đề"), max_length=500)

    def __init__(self, *args: Any, headings: Sequence[tuple[str, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for key, heading in headings:
            self.fields[f"text_{key}"] = forms.CharField(
                label=heading,
                required=False,
                widget=forms.Textarea(attrs={"rows": NARRATIVE_ROWS}),
            )
        self.style()


class ConferenceForm(BootstrapMixin, forms.Form):
    organizer = forms.ChoiceField(label=_("Đơn vị tổ chức"))
    title = forms.CharField(label=_("Tên hội nghị, đại hội"), max_length=500)
    kind = forms.ChoiceField(label=_("Loại"), choices=ConferenceKind.choices)
    held_on = VnDateField(label=_("Ngày tổ chức"))
    place = forms.CharField(label=_("Địa điểm"), required=False, max_length=255)

    def __init__(self, *args: Any, units: Sequence[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["organizer"], unit_choices(units))
        self.style()


class CandidateForm(BootstrapMixin, forms.Form):
    SUBJECT_CHOICES = [("person", _("Cá nhân")), ("collective", _("Tập thể"))]

    unit = forms.ChoiceField(label=_("Đơn vị đề cử"))
    subject = forms.ChoiceField(
        label=_("Đề cử"), choices=SUBJECT_CHOICES, widget=forms.RadioSelect, initial="person"
    )
    person = forms.CharField(
        label=_("Mã cán bộ"),
        required=False,
        max_length=32,
        help_text=_("Với cá nhân: mã cán bộ, ví dụ NV0012."),
    )
    collective = forms.ChoiceField(label=_("Tập thể"), required=False)
    reason = forms.CharField(
        label=_("Thành tích tiêu biểu"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(
        self, *args: Any, units: Sequence[Unit], collectives: Sequence[Unit], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _choices(self.fields["unit"], unit_choices(units))
        _choices(self.fields["collective"], [("", "—"), *unit_choices(collectives)])
        self.style()
        self.fields["subject"].widget.attrs["class"] = "form-check-input"
