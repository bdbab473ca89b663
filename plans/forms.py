"""Forms of the plan pages: they parse shapes; plans.services decides the rules."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from exemplars.standards import standard_choices
from organizations.models import Unit
from people.forms import BootstrapMixin, VnDateField, unit_choices
from plans.models import Phase, Plan, RequirementKind, RequirementScope

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class PlanFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Tìm kiếm"), required=False, max_length=100)
    issuer = forms.ChoiceField(label=_("Đơn vị ban hành (cả cấp dưới)"), required=False)
    year = forms.IntegerField(label=_("Năm thực hiện"), required=False, min_value=1945,
                              max_value=2100)  # fmt: skip

    def __init__(self, *args: Any, units: Sequence[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        issuer = self.fields["issuer"]
        assert isinstance(issuer, forms.ChoiceField)
        issuer.choices = [("", _("Tất cả đơn vị")), *unit_choices(units)]
        self.fields["q"].widget.attrs["placeholder"] = _(
            "Mã, tên, số văn bản (gõ không dấu cũng được)"
        )
        self.style()


class PlanForm(BootstrapMixin, forms.Form):
    code = forms.CharField(
        label=_("Mã kế hoạch"),
        max_length=64,
        help_text=_(
            "Dùng trong đường dẫn và API, ví dụ KH-BTNMT-2023; không có khoảng trắng, “/”."
        ),
    )
    title = forms.CharField(label=_("Tên kế hoạch"), max_length=500)
    issuer = forms.ChoiceField(label=_("Đơn vị ban hành"))
    parent = forms.ChoiceField(label=_("Cụ thể hóa kế hoạch cấp trên"), required=False)
    document_number = forms.CharField(label=_("Số văn bản"), max_length=64, required=False)
    document_date = VnDateField(label=_("Ngày văn bản"), required=False)
    signer = forms.CharField(label=_("Người ký"), max_length=150, required=False)
    starts_on = VnDateField(label=_("Thực hiện từ ngày"))
    ends_on = VnDateField(label=_("Đến ngày"))
    summary = forms.CharField(
        label=_("Mục đích, nội dung chính"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    exemplar_standard = forms.ChoiceField(
        label=_("Tiêu chuẩn điển hình tiên tiến"),
        required=False,
        help_text=_(
            "Tiêu chuẩn dùng để đánh giá các điển hình đăng ký theo kế hoạch này; để trống thì"
            " theo kế hoạch cấp trên, hoặc tiêu chuẩn mặc định."
        ),
    )
    file = forms.FileField(label=_("Tệp văn bản (PDF, Word)"), required=False)

    def __init__(
        self,
        *args: Any,
        units: Sequence[Unit],
        parents: Sequence[Plan],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        issuer = self.fields["issuer"]
        assert isinstance(issuer, forms.ChoiceField)
        issuer.choices = [("", _("— Chọn đơn vị —")), *unit_choices(units)]
        parent = self.fields["parent"]
        assert isinstance(parent, forms.ChoiceField)
        parent.choices = [
            ("", _("— Không —")),
            *[(p.code, f"{p.title} ({p.code})") for p in parents],
        ]
        standard = self.fields["exemplar_standard"]
        assert isinstance(standard, forms.ChoiceField)
        standard.choices = [
            ("", _("Theo kế hoạch cấp trên / mặc định")),
            *standard_choices(),
        ]
        self.style()

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if upload and upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Tệp lớn hơn 20 MB."))
        return upload


class RequirementForm(BootstrapMixin, forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    key = forms.CharField(label=_("Mã yêu cầu"), max_length=64)
    kind = forms.ChoiceField(label=_("Loại"), choices=RequirementKind.choices)
    title = forms.CharField(label=_("Nội dung"), max_length=500, required=False)
    due_on = VnDateField(label=_("Hạn gửi"), help_text="")
    scope = forms.ChoiceField(label=_("Phạm vi"), choices=RequirementScope.choices)
    min_count = forms.IntegerField(label=_("Số tối thiểu"), required=False, min_value=0)
    max_count = forms.IntegerField(label=_("Số tối đa"), required=False, min_value=0)
    year = forms.IntegerField(label=_("Năm báo cáo"), required=False, min_value=1945,
                              max_value=2100)  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class PhaseForm(BootstrapMixin, forms.Form):
    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Tên giai đoạn"), max_length=255)
    starts_on = VnDateField(label=_("Từ ngày"), help_text="")
    ends_on = VnDateField(label=_("Đến ngày"), help_text="")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


RequirementFormSet = forms.formset_factory(RequirementForm, extra=1, can_delete=True)
PhaseFormSet = forms.formset_factory(PhaseForm, extra=1, can_delete=True)


class MilestoneForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Nội dung"), max_length=500)
    due_on = VnDateField(label=_("Thời hạn"))
    phase = forms.TypedChoiceField(
        label=_("Thuộc giai đoạn"), required=False, coerce=int, empty_value=None
    )
    description = forms.CharField(
        label=_("Mô tả"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, phases: Sequence[Phase], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        phase = self.fields["phase"]
        assert isinstance(phase, forms.ChoiceField)
        phase.choices = [("", _("— Không —")), *[(p.pk, p.name) for p in phases]]
        self.style()


class SubmissionForm(BootstrapMixin, forms.Form):
    requirement = forms.ChoiceField(label=_("Yêu cầu"))
    unit = forms.ChoiceField(label=_("Đơn vị gửi"))
    submitted_on = VnDateField(label=_("Ngày gửi"))
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    file = forms.FileField(label=_("Tệp đính kèm"), required=False)
    # UNIT_PLAN: the unit's own plan, an existing one or a new one made here.
    child_plan = forms.ChoiceField(label=_("Kế hoạch của đơn vị đã có"), required=False)
    create_child = forms.BooleanField(
        label=_("Tạo kế hoạch của đơn vị (cụ thể hóa kế hoạch này)"), required=False
    )
    child_code = forms.CharField(label=_("Mã kế hoạch của đơn vị"), max_length=64, required=False)
    child_title = forms.CharField(label=_("Tên kế hoạch của đơn vị"), max_length=500,
                                  required=False)  # fmt: skip
    child_document_number = forms.CharField(label=_("Số văn bản"), max_length=64, required=False)

    def __init__(
        self,
        *args: Any,
        requirements: Sequence[tuple[str, str]],
        units: Sequence[Unit],
        child_plans: Sequence[Plan],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        req = self.fields["requirement"]
        assert isinstance(req, forms.ChoiceField)
        req.choices = [("", _("— Chọn yêu cầu —")), *requirements]
        unit = self.fields["unit"]
        assert isinstance(unit, forms.ChoiceField)
        unit.choices = [("", _("— Chọn đơn vị —")), *unit_choices(units)]
        child = self.fields["child_plan"]
        assert isinstance(child, forms.ChoiceField)
        child.choices = [
            ("", _("— Không —")),
            *[(p.code, f"{p.title} ({p.code}, {p.issuer.name})") for p in child_plans],
        ]
        self.style()

    def clean_submitted_on(self) -> dt.date:
        value: dt.date = self.cleaned_data["submitted_on"]
        return value


class EntryForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("Tên điển hình (tập thể, cá nhân, mô hình)"), max_length=500)
    person = forms.CharField(label=_("Mã cán bộ (nếu là cá nhân)"), max_length=32, required=False)
    field = forms.CharField(label=_("Lĩnh vực"), max_length=255, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


EntryFormSet = forms.formset_factory(EntryForm, extra=3, can_delete=True)


class WithdrawForm(forms.Form):
    confirm = forms.BooleanField(required=True, widget=forms.HiddenInput, initial=True)
