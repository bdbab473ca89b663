"""Forms of the story pages and of the portal: they parse input; the services decide."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from exemplars.forms import _set_choices
from exemplars.models import Exemplar
from organizations.models import Unit
from people.forms import BootstrapMixin, unit_choices
from propagation.models import StoryStatus
from propagation.sanitize import ALLOWED_TAGS

IMAGE_ACCEPT = "image/jpeg,image/png,image/webp"
MIN_YEAR, MAX_YEAR = 2000, 2100


def exemplar_label(exemplar: Exemplar) -> str:
    return f"{exemplar.title} — {exemplar.subject_name} ({exemplar.unit.name})"


class StoryFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Tìm kiếm"), required=False, max_length=100)
    status = forms.ChoiceField(label=_("Trạng thái"), required=False)
    field = forms.ChoiceField(label=_("Chuyên mục"), required=False)
    unit = forms.ChoiceField(label=_("Đơn vị của điển hình"), required=False)

    def __init__(
        self, *args: Any, units: Sequence[Unit], fields: Sequence[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "status", [("", _("Tất cả")), *StoryStatus.choices])
        _set_choices(self, "field", [("", _("Tất cả")), *((f, f) for f in fields)])
        _set_choices(self, "unit", [("", _("Tất cả đơn vị")), *unit_choices(units)])
        self.fields["q"].widget.attrs["placeholder"] = _("Tiêu đề, điển hình, đơn vị (không dấu)")
        self.style()


BODY_HELP = _(
    "Gõ văn bản thường (để một dòng trống giữa hai đoạn) hoặc HTML với các thẻ: %(tags)s. "
    "Mọi thẻ, thuộc tính khác (script, style, onerror…) và liên kết không phải http, https, "
    "mailto bị loại bỏ khi lưu."
)


class StoryForm(BootstrapMixin, forms.Form):
    exemplar = forms.ChoiceField(
        label=_("Điển hình"),
        help_text=_("Chỉ điển hình đã được công nhận trong phạm vi của anh/chị."),
    )
    title = forms.CharField(label=_("Tiêu đề"), max_length=500)
    summary = forms.CharField(
        label=_("Tóm tắt"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Hiện trong danh sách bài, khi chia sẻ lên mạng xã hội và trong tin RSS."),
    )
    practice = forms.CharField(
        label=_("Mô hình, cách làm hay"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )
    results = forms.CharField(
        label=_("Kết quả đạt được"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    body = forms.CharField(
        label=_("Nội dung bài viết"), required=False, widget=forms.Textarea(attrs={"rows": 14})
    )
    field = forms.CharField(
        label=_("Chuyên mục (lĩnh vực)"),
        max_length=255,
        required=False,
        help_text=_("Để trống thì lấy lĩnh vực của điển hình."),
    )
    cover = forms.FileField(
        label=_("Ảnh đại diện"),
        required=False,
        help_text=_("JPEG, PNG hoặc WebP, tối đa 10 MB; ảnh rộng hơn 1600 điểm được thu nhỏ."),
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
    )
    cover_alt = forms.CharField(
        label=_("Mô tả ảnh đại diện"),
        max_length=500,
        required=False,
        help_text=_("Bắt buộc khi có ảnh: người dùng trình đọc màn hình nghe mô tả này."),
    )
    remove_cover = forms.BooleanField(label=_("Bỏ ảnh đại diện hiện tại"), required=False)

    def __init__(
        self,
        *args: Any,
        exemplars: Sequence[Exemplar] = (),
        editing: bool = False,
        has_cover: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.exemplars = {str(e.pk): e for e in exemplars}
        if editing:
            del self.fields["exemplar"]
        else:
            _set_choices(
                self,
                "exemplar",
                [
                    ("", _("— Chọn điển hình —")),
                    *((k, exemplar_label(e)) for k, e in self.exemplars.items()),
                ],
            )
        if not has_cover:
            del self.fields["remove_cover"]
        self.fields["body"].help_text = BODY_HELP % {"tags": ", ".join(sorted(ALLOWED_TAGS))}
        self.fields["field"].widget.attrs["list"] = "story-fields"
        self.style()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "exemplar" in self.fields:
            data["exemplar_obj"] = self.exemplars.get(data.get("exemplar") or "")
            if data.get("exemplar") and data["exemplar_obj"] is None:
                self.add_error("exemplar", _("Điển hình không hợp lệ."))
        return data


class StoryImageForm(BootstrapMixin, forms.Form):
    image = forms.FileField(
        label=_("Ảnh"),
        help_text=_("JPEG, PNG hoặc WebP, tối đa 10 MB."),
        widget=forms.ClearableFileInput(attrs={"accept": IMAGE_ACCEPT}),
    )
    caption = forms.CharField(
        label=_("Chú thích ảnh"),
        max_length=500,
        help_text=_("Hiện dưới ảnh, cũng là mô tả cho người dùng trình đọc màn hình."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class MoveForm(BootstrapMixin, forms.Form):
    """The comment of a return, the reason of a withdrawal."""

    note = forms.CharField(
        label=_("Ý kiến"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, move: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.move = move
        note = self.fields["note"]
        if move == "return":
            note.label = _("Ý kiến để người viết sửa bài")
            note.required = True
        elif move == "withdraw":
            note.label = _("Lý do gỡ bài")
            note.required = True
        self.auto_id = f"id_{move}_%s"
        self.style()


# --- portal ----------------------------------------------------------------------------


class PortalSearchForm(forms.Form):
    q = forms.CharField(label=_("Từ khóa"), required=False, max_length=100)
    field = forms.ChoiceField(label=_("Chuyên mục"), required=False)
    unit = forms.ChoiceField(label=_("Đơn vị"), required=False)
    year = forms.IntegerField(
        label=_("Năm đăng"), required=False, min_value=MIN_YEAR, max_value=MAX_YEAR
    )

    def __init__(
        self,
        *args: Any,
        fields: Sequence[str],
        units: Sequence[tuple[str, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "field", [("", _("Tất cả chuyên mục")), *((f, f) for f in fields)])
        _set_choices(self, "unit", [("", _("Tất cả đơn vị")), *units])
        self.fields["q"].widget.attrs.update(
            {"placeholder": _("Gõ có dấu hoặc không dấu"), "type": "search"}
        )
        self.fields["year"].widget.attrs["inputmode"] = "numeric"


class ReplicateForm(forms.Form):
    unit = forms.ChoiceField(label=_("Đơn vị đăng ký nhân rộng"))

    def __init__(self, *args: Any, units: Sequence[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.units = {u.code: u for u in units}
        _set_choices(self, "unit", unit_choices(units))
