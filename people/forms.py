"""Forms of the people pages: they parse and check shapes; services decide the rest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from core.choices import Gender, Rating
from core.errors import FieldError
from organizations.models import Unit
from people.models import Person
from people.services import validate_person_fields

DATE_INPUTS = ["%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"]
MAX_UPLOAD_BYTES = 20 * 1024 * 1024
_NEEDS_UNIT = {"unit", "started_on"}


class VnDateField(forms.DateField):
    """dd/mm/yyyy whatever the interface language."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault(
            "widget",
            forms.DateInput(
                format="%d/%m/%Y",
                attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric", "autocomplete": "off"},
            ),
        )
        kwargs.setdefault("help_text", _("Dạng dd/mm/yyyy, ví dụ 01/07/2024."))
        super().__init__(input_formats=DATE_INPUTS, **kwargs)


def person_picker(field: forms.Field, url: str, options_id: str = "person-options") -> None:
    """Suggest people (a <datalist> filled by htmx from `url`) while the user types a name or
    a code: a unit may have hundreds of people, too many for a plain list."""
    field.widget.attrs.update(
        {
            "list": options_id,
            "autocomplete": "off",
            "hx-get": url,
            "hx-trigger": "input changed delay:250ms",
            "hx-target": f"#{options_id}",
            "hx-swap": "innerHTML",
        }
    )


def find_person(people: QuerySet[Person], code: str) -> Person:
    """A person among those offered; one unknown and one out of scope read the same."""
    person = people.select_related("unit").filter(code=code.strip()).first()
    if person is None:
        raise forms.ValidationError(
            _("Không tìm thấy cán bộ có mã “%(code)s” trong phạm vi bạn quản lý."),
            params={"code": code.strip()},
        )
    return person


def unit_label(unit: Unit, base_depth: int = 0) -> str:
    indent = "\u00a0\u00a0" * max(0, unit.depth - base_depth)
    return f"{indent}{unit.name} ({unit.code})"


def unit_choices(units: Sequence[Unit]) -> list[tuple[str, str]]:
    """Units in tree order (callers pass them ordered by path), indented by depth."""
    base = min((u.depth for u in units), default=0)
    return [(u.code, unit_label(u, base)) for u in units]


class BootstrapMixin:
    """Bootstrap classes on every widget (Django itself adds aria-describedby/-invalid)."""

    fields: dict[str, forms.Field]

    def style(self) -> None:
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)  # type: ignore[misc]
        # Django reports every error through add_error, so this marks each bad input.
        for name in self.errors:  # type: ignore[attr-defined]
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                if "is-invalid" not in attrs.get("class", ""):
                    attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()


def add_service_errors(form: forms.Form, errors: list[FieldError], aliases: dict[str, str]) -> None:
    """Show each service error on its field (renamed through `aliases`), else on the form."""
    for error in errors:
        name = aliases.get(error.field, error.field)
        form.add_error(name if name in form.fields else None, error.message)


# --- list filters -----------------------------------------------------------------


class PersonFilterForm(BootstrapMixin, forms.Form):
    HEAD_CHOICES = [("", _("Tất cả")), ("yes", _("Thủ trưởng")), ("no", _("Không phải thủ trưởng"))]
    NO_RATING = "NONE"

    q = forms.CharField(label=_("Tìm kiếm"), required=False, max_length=100)
    unit = forms.ChoiceField(label=_("Đơn vị (cả đơn vị trực thuộc)"), required=False)
    head = forms.ChoiceField(label=_("Thủ trưởng"), required=False, choices=HEAD_CHOICES)
    gender = forms.ChoiceField(
        label=_("Giới tính"), required=False, choices=[("", _("Tất cả")), *Gender.choices]
    )
    year = forms.IntegerField(label=_("Năm xếp loại"), required=False, min_value=1945,
                              max_value=2100)  # fmt: skip
    rating = forms.ChoiceField(label=_("Xếp loại"), required=False)

    def __init__(self, *args: Any, units: Sequence[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ChoiceField)
        unit_field.choices = [("", _("Tất cả đơn vị")), *unit_choices(units)]
        rating_field = self.fields["rating"]
        assert isinstance(rating_field, forms.ChoiceField)
        rating_field.choices = [
            ("", _("Tất cả")),
            *Rating.choices,
            (self.NO_RATING, _("Chưa xếp loại")),
        ]
        self.fields["q"].widget.attrs["placeholder"] = _(
            "Tên, mã hoặc chức vụ (gõ không dấu cũng được)"
        )
        self.fields["year"].widget.attrs["placeholder"] = str(dt.date.today().year - 1)
        self.style()


# --- create and edit ----------------------------------------------------------------


class PersonEditForm(BootstrapMixin, forms.Form):
    full_name = forms.CharField(label=_("Họ và tên"), max_length=150)
    gender = forms.ChoiceField(
        label=_("Giới tính"), required=False, choices=[("", _("Không ghi")), *Gender.choices]
    )
    birth_date = VnDateField(label=_("Ngày sinh"), required=False)
    position = forms.CharField(label=_("Chức vụ"), max_length=150, required=False)
    is_head = forms.BooleanField(label=_("Thủ trưởng đơn vị"), required=False)
    email = forms.EmailField(label=_("Thư điện tử"), required=False, max_length=254)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        # The service's own field checks, run here too so every mistake shows at once;
        # the checks that need the unit stay with the service.
        problems = validate_person_fields(
            code=data.get("code", "-"),
            full_name=data.get("full_name", ""),
            unit=None,
            started_on=None,
            gender=data.get("gender", ""),
        )
        for problem in problems:
            field = problem.field
            if field in self.fields and field not in self.errors and field not in _NEEDS_UNIT:
                self.add_error(field, problem.message)
        return data


class PersonCreateForm(PersonEditForm):
    code = forms.CharField(
        label=_("Mã cán bộ"), max_length=32, help_text=_("Duy nhất, không có khoảng trắng.")
    )
    unit = forms.ChoiceField(label=_("Đơn vị"))
    started_on = VnDateField(label=_("Ngày vào đơn vị"))

    field_order = ["code", "full_name", "gender", "birth_date", "position", "is_head", "email",
                   "unit", "started_on"]  # fmt: skip

    def __init__(self, *args: Any, units: Sequence[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ChoiceField)
        unit_field.choices = [("", _("— Chọn đơn vị —")), *unit_choices(units)]
        self.style()


# --- transfer, rating, import -----------------------------------------------------------


class TransferForm(BootstrapMixin, forms.Form):
    unit = forms.ChoiceField(label=_("Chuyển đến đơn vị"))
    on = VnDateField(label=_("Từ ngày"))

    def __init__(self, *args: Any, units: Sequence[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ChoiceField)
        unit_field.choices = [("", _("— Chọn đơn vị —")), *unit_choices(units)]
        self.style()


class RatingForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(label=_("Năm"), min_value=1945, max_value=2100)
    rating = forms.ChoiceField(label=_("Xếp loại"), choices=[("", "—"), *Rating.choices])

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class ImportForm(BootstrapMixin, forms.Form):
    file = forms.FileField(
        label=_("Tệp Excel (.xlsx)"),
        help_text=_(
            "Dùng tệp mẫu; tối đa 20 MB. Có lỗi ở bất kỳ dòng nào thì không dòng nào được nhập."
        ),
        widget=forms.FileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if not upload.name.lower().endswith(".xlsx"):
            raise forms.ValidationError(_("Chỉ nhận tệp .xlsx."))
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("Tệp lớn hơn 20 MB."))
        return upload
