"""Forms of the replication and outreach pages: they parse input; the services decide."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exemplars.forms import _set_choices
from exemplars.services import DOCUMENT_TYPES, MAX_UPLOAD
from organizations.models import Unit
from people.forms import BootstrapMixin, VnDateField, unit_choices
from propagation.models import STAGE_ORDER, Channel, OutreachKind, Stage
from propagation.services import allowed_stages

MIN_YEAR = 2000


def _year_field(label: Any) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=False, min_value=MIN_YEAR, max_value=2100)


# --- filters ----------------------------------------------------------------------------


class ReplicationFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Tìm kiếm"), required=False, max_length=100)
    stage = forms.ChoiceField(label=_("Giai đoạn"), required=False)
    origin = forms.ChoiceField(label=_("Đơn vị có điển hình"), required=False)
    unit = forms.ChoiceField(label=_("Đơn vị nhân rộng"), required=False)
    year = _year_field(_("Năm bắt đầu"))
    stale = forms.BooleanField(label=_("Quá 6 tháng chưa cập nhật"), required=False)
    exemplar = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args: Any, units: Sequence[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = unit_choices(units)
        _set_choices(self, "stage", [("", _("Tất cả")), *Stage.choices])
        _set_choices(self, "origin", [("", _("Tất cả đơn vị")), *choices])
        _set_choices(self, "unit", [("", _("Tất cả đơn vị")), *choices])
        self.fields["q"].widget.attrs["placeholder"] = _(
            "Tên điển hình, đơn vị (gõ không dấu cũng được)"
        )
        self.style()


class OutreachFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Tìm kiếm"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Hình thức"), required=False, choices=[("", _("Tất cả")), *OutreachKind.choices]
    )
    channel = forms.ChoiceField(
        label=_("Kênh"), required=False, choices=[("", _("Tất cả")), *Channel.choices]
    )
    origin = forms.ChoiceField(label=_("Đơn vị có điển hình"), required=False)
    year = _year_field(_("Năm đăng, phát"))

    def __init__(self, *args: Any, units: Sequence[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "origin", [("", _("Tất cả đơn vị")), *unit_choices(units)])
        self.fields["q"].widget.attrs["placeholder"] = _(
            "Tiêu đề, tên kênh, tên điển hình (gõ không dấu cũng được)"
        )
        self.style()


class RankingFilterForm(BootstrapMixin, forms.Form):
    origin = forms.ChoiceField(label=_("Đơn vị có điển hình"), required=False)
    field = forms.ChoiceField(label=_("Lĩnh vực"), required=False)
    year = _year_field(_("Năm đăng ký điển hình"))

    def __init__(
        self, *args: Any, units: Sequence[Unit], fields: Sequence[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "origin", [("", _("Tất cả đơn vị")), *unit_choices(units)])
        _set_choices(self, "field", [("", _("Tất cả")), *((f, f) for f in fields)])
        self.style()


# --- replication ------------------------------------------------------------------------


class ReplicationCreateForm(BootstrapMixin, forms.Form):
    unit = forms.ChoiceField(label=_("Đơn vị nhân rộng"))
    stage = forms.ChoiceField(
        label=_("Giai đoạn hiện tại"),
        choices=[(s.value, s.label) for s in STAGE_ORDER],
        initial=Stage.INTERESTED,
    )
    started_on = VnDateField(label=_("Ngày bắt đầu"))
    adaptation = forms.CharField(
        label=_("Cách vận dụng, điều chỉnh"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    notes = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, units: Sequence[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "unit", unit_choices(units))
        self.units = {u.code: u for u in units}
        self.style()

    def clean_unit(self) -> Unit:
        return self.units[self.cleaned_data["unit"]]


class StageForm(BootstrapMixin, forms.Form):
    """Move a replication to a later stage, or discontinue it (a reason is required)."""

    stage = forms.ChoiceField(label=_("Chuyển sang giai đoạn"))
    on = VnDateField(label=_("Ngày chuyển"))
    reason = forms.CharField(
        label=_("Lý do, ghi chú"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Bắt buộc khi dừng áp dụng."),
    )

    def __init__(self, *args: Any, current: str, **kwargs: Any) -> None:
        kwargs.setdefault("initial", {"on": timezone.localdate()})
        super().__init__(*args, **kwargs)
        _set_choices(self, "stage", [(s, Stage(s).label) for s in allowed_stages(current)])
        self.style()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("stage") == Stage.DISCONTINUED and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Cần ghi rõ lý do dừng áp dụng."))
        return data


class ReplicationEditForm(BootstrapMixin, forms.Form):
    started_on = VnDateField(label=_("Ngày bắt đầu"))
    adaptation = forms.CharField(
        label=_("Cách vận dụng, điều chỉnh"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    notes = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    outcome_measure = forms.CharField(
        label=_("Chỉ số đo kết quả"),
        required=False,
        max_length=255,
        help_text=_("Ví dụ: thời gian giải quyết hồ sơ."),
    )
    outcome_unit = forms.CharField(
        label=_("Đơn vị tính"), required=False, max_length=64, help_text=_("Ví dụ: ngày.")
    )
    outcome_before = forms.DecimalField(
        label=_("Giá trị trước khi áp dụng"), required=False, max_digits=14, decimal_places=2
    )
    outcome_after = forms.DecimalField(
        label=_("Giá trị sau khi áp dụng"), required=False, max_digits=14, decimal_places=2
    )
    evidence = forms.FileField(
        label=_("Minh chứng"),
        required=False,
        help_text=_("Tệp %(t)s, tối đa 20 MB.") % {"t": ", ".join(DOCUMENT_TYPES)},
        widget=forms.FileInput(attrs={"accept": ",".join(DOCUMENT_TYPES)}),
    )
    clear_evidence = forms.BooleanField(label=_("Gỡ tệp minh chứng hiện có"), required=False)

    def __init__(self, *args: Any, has_evidence: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not has_evidence:
            del self.fields["clear_evidence"]
        self.style()

    def clean_evidence(self) -> Any:
        file = self.cleaned_data.get("evidence")
        if not file:
            return None
        if not str(file.name).lower().endswith(DOCUMENT_TYPES):
            raise forms.ValidationError(
                _("Chỉ nhận tệp %(t)s."), params={"t": ", ".join(DOCUMENT_TYPES)}
            )
        if file.size > MAX_UPLOAD:
            raise forms.ValidationError(_("Tệp tối đa 20 MB."))
        return file


# --- outreach ---------------------------------------------------------------------------


class OutreachForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("Hình thức"), choices=OutreachKind.choices)
    channel = forms.ChoiceField(label=_("Kênh"), choices=Channel.choices)
    channel_name = forms.CharField(
        label=_("Tên kênh, cơ quan báo chí"),
        required=False,
        max_length=255,
        help_text=_("Ví dụ: Báo Tài nguyên và Môi trường."),
    )
    title = forms.CharField(label=_("Tiêu đề"), max_length=500)
    published_on = VnDateField(label=_("Ngày đăng, phát"))
    url = forms.URLField(
        label=_("Đường dẫn"), required=False, max_length=1000, assume_scheme="https"
    )
    reach = forms.IntegerField(
        label=_("Lượt xem, người nghe"),
        required=False,
        min_value=0,
        help_text=_("Số lượt xem, nghe hoặc số người dự; để trống nếu chưa rõ."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()
