"""Forms of the movement pages: they parse and check shapes; services decide the rest."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from awards.models import AwardType
from movements.models import CriterionTarget, MovementKind, RegistrationStatus, ReviewStage
from organizations.models import Unit
from people.forms import BootstrapMixin, VnDateField, unit_choices


class MovementFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Tìm kiếm"), required=False, max_length=100)
    year = forms.IntegerField(label=_("Năm"), required=False, min_value=1945, max_value=2100)
    kind = forms.ChoiceField(
        label=_("Loại"), required=False, choices=[("", _("Tất cả")), *MovementKind.choices]
    )
    unit = forms.ChoiceField(label=_("Đơn vị phát động"), required=False)

    def __init__(self, *args: Any, units: Sequence[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Tất cả đơn vị")), *unit_choices(units)]
        self.fields["q"].widget.attrs["placeholder"] = _(
            "Chủ đề, mã, số văn bản (gõ không dấu được)"
        )
        self.style()


class MovementForm(BootstrapMixin, forms.Form):
    code = forms.CharField(
        label=_("Mã phong trào"), max_length=32, help_text=_("Duy nhất, không có khoảng trắng.")
    )
    launching_unit = forms.ChoiceField(label=_("Đơn vị phát động"))
    name = forms.CharField(
        label=_("Chủ đề, tên phong trào"),
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
    )
    kind = forms.ChoiceField(label=_("Loại phong trào"), choices=MovementKind.choices)
    starts_on = VnDateField(label=_("Ngày bắt đầu"))
    ends_on = VnDateField(label=_("Ngày kết thúc"), required=False)
    preliminary_review_on = VnDateField(label=_("Ngày sơ kết"), required=False)
    final_review_on = VnDateField(label=_("Ngày tổng kết"), required=False)
    document_number = forms.CharField(
        label=_("Số văn bản phát động"), max_length=64, required=False
    )
    document_date = VnDateField(label=_("Ngày văn bản"), required=False)
    contents = forms.CharField(
        label=_("Nội dung phong trào"), required=False, widget=forms.Textarea(attrs={"rows": 8})
    )

    def __init__(
        self, *args: Any, units: Sequence[Unit] | None = None, editing: bool = False, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            # The code and the launching unit identify the movement for registrations.
            del self.fields["code"]
            del self.fields["launching_unit"]
        else:
            field = self.fields["launching_unit"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", _("— Chọn đơn vị —")), *unit_choices(units or [])]
        self.style()


class CriterionForm(BootstrapMixin, forms.Form):
    target = forms.ChoiceField(label=_("Đối tượng"), choices=CriterionTarget.choices)
    text = forms.CharField(label=_("Nội dung tiêu chí"), widget=forms.Textarea(attrs={"rows": 2}))
    max_points = forms.DecimalField(
        label=_("Điểm tối đa"),
        required=False,
        max_digits=6,
        decimal_places=2,
        help_text=_("Để trống nếu chỉ đánh giá đạt / không đạt."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


def title_choices(titles: Sequence[AwardType]) -> list[tuple[str, str]]:
    return [(t.code, f"{t.name} ({t.code})") for t in titles]


class RegistrationEditForm(BootstrapMixin, forms.Form):
    aimed_titles = forms.MultipleChoiceField(
        label=_("Danh hiệu, hình thức khen thưởng đăng ký"), widget=forms.CheckboxSelectMultiple
    )
    pledge = forms.CharField(
        label=_("Nội dung đăng ký, cam kết"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, titles: Sequence[AwardType], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["aimed_titles"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = title_choices(titles)
        self.fields["pledge"].widget.attrs["class"] = "form-control"


class RegistrationFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Tìm kiếm"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Tất cả")), *RegistrationStatus.choices],
    )
    target = forms.ChoiceField(
        label=_("Đối tượng"), required=False, choices=[("", _("Tất cả")), *CriterionTarget.choices]
    )
    unit = forms.ChoiceField(label=_("Đơn vị (cả đơn vị trực thuộc)"), required=False)

    def __init__(self, *args: Any, units: Sequence[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Tất cả đơn vị")), *unit_choices(units)]
        self.fields["q"].widget.attrs["placeholder"] = _("Tên cá nhân hoặc đơn vị")
        self.style()


class ReviewChoiceForm(BootstrapMixin, forms.Form):
    stage = forms.ChoiceField(label=_("Đợt đánh giá"), choices=ReviewStage.choices, required=False)
    target = forms.ChoiceField(
        label=_("Đối tượng"), choices=CriterionTarget.choices, required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class OutcomeForm(BootstrapMixin, forms.Form):
    review_result = forms.CharField(
        label=_("Kết quả đánh giá"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    exemplar_recommended = forms.BooleanField(
        label=_("Đề xuất phát hiện điển hình tiên tiến"), required=False
    )
    exemplar_note = forms.CharField(
        label=_("Lý do đề xuất, thành tích tiêu biểu"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()
