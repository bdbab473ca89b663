"""Input forms of the organisation pages: parse and check input, never write.

Querysets of unit choices come from the view (already restricted by the access
layer), so a form can only ever offer units the user may act on.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, cast

from django import forms
from django.core.validators import MaxValueValidator
from django.db.models import QuerySet
from django.forms import formset_factory
from django.utils.translation import gettext_lazy as _

from core.choices import Rating
from core.errors import DomainError, ValidationFailed
from organizations.models import ClusterKind, CouncilRole, Unit, UnitKind

DATE_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]


class VNDateField(forms.DateField):
    """A date typed as dd/mm/yyyy (ISO accepted too), shown back as dd/mm/yyyy."""

    widget = forms.DateInput(
        format="%d/%m/%Y", attrs={"placeholder": "dd/mm/yyyy", "inputmode": "numeric"}
    )
    default_error_messages = {"invalid": _("Nhập ngày theo dạng dd/mm/yyyy.")}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("input_formats", DATE_FORMATS)
        super().__init__(**kwargs)


class UnitChoiceField(forms.ModelChoiceField):  # type: ignore[type-arg]
    """A unit picked by code; the label shows its place in the tree."""

    def __init__(self, queryset: QuerySet[Unit] | None = None, **kwargs: Any) -> None:
        super().__init__(
            queryset=queryset if queryset is not None else Unit.objects.none(),
            to_field_name="code",
            **kwargs,
        )

    def label_from_instance(self, obj: Unit) -> str:
        return f"{'— ' * obj.depth}{obj.name} ({obj.code})"


class UnitMultipleChoiceField(forms.ModelMultipleChoiceField):  # type: ignore[type-arg]
    def __init__(self, queryset: QuerySet[Unit] | None = None, **kwargs: Any) -> None:
        super().__init__(
            queryset=queryset if queryset is not None else Unit.objects.none(),
            to_field_name="code",
            **kwargs,
        )
        self.widget.attrs.setdefault("size", "10")

    def label_from_instance(self, obj: Unit) -> str:
        return f"{'— ' * obj.depth}{obj.name} ({obj.code})"


class StyledForm(forms.Form):
    """Bootstrap classes on every widget, and `is-invalid` on fields with errors."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, (forms.CheckboxInput, forms.RadioSelect)):
                css = "form-check-input"
            elif isinstance(widget, (forms.Select, forms.SelectMultiple)):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = css

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        for name in self.errors:
            if name in self.fields:
                widget = self.fields[name].widget
                if "is-invalid" not in widget.attrs.get("class", ""):
                    widget.attrs["class"] = f"{widget.attrs.get('class', '')} is-invalid".strip()


def apply_domain_error(
    form: forms.Form,
    exc: DomainError,
    *,
    field_map: dict[str, str] | None = None,
    conflict_field: str | None = None,
) -> None:
    """Show a service's refusal next to the form field it concerns (or at the top)."""
    field_map = field_map or {}
    if isinstance(exc, ValidationFailed) and exc.errors:
        for error in exc.errors:
            name: str | None = field_map.get(error.field, error.field)
            form.add_error(name if name in form.fields else None, error.message)
        return
    form.add_error(conflict_field if conflict_field in form.fields else None, exc.message)


def _code_is_free(code: str) -> str:
    code = code.strip()
    if any(ch.isspace() for ch in code):
        raise forms.ValidationError(_("Mã đơn vị không được có khoảng trắng."))
    if Unit.objects.filter(code=code).exists():
        raise forms.ValidationError(_("Mã đơn vị “%(code)s” đã tồn tại."), params={"code": code})
    return code


KIND_CHOICES = UnitKind.choices


# --- units ---------------------------------------------------------------------------


class UnitCreateForm(StyledForm):
    code = forms.CharField(
        label=_("Mã đơn vị"),
        max_length=32,
        help_text=_("Tối đa 32 ký tự, không có khoảng trắng; dùng trong tệp Excel và API."),
    )
    name = forms.CharField(label=_("Tên đơn vị"), max_length=255)
    short_name = forms.CharField(label=_("Tên viết tắt"), max_length=64, required=False)
    kind = forms.ChoiceField(label=_("Loại đơn vị"), choices=KIND_CHOICES)
    parent = UnitChoiceField(label=_("Đơn vị cấp trên"))
    valid_from = VNDateField(
        label=_("Hiệu lực từ"), required=False, help_text=_("Để trống nếu là hôm nay.")
    )

    def __init__(self, *args: Any, parents: QuerySet[Unit], allow_root: bool, **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = self.fields["parent"]
        assert isinstance(field, UnitChoiceField)
        field.queryset = parents
        field.required = not allow_root
        field.empty_label = (
            str(_("(Không có — đơn vị gốc)")) if allow_root else str(_("— Chọn đơn vị —"))
        )

    def clean_code(self) -> str:
        return _code_is_free(self.cleaned_data["code"])


class UnitEditForm(StyledForm):
    name = forms.CharField(label=_("Tên đơn vị"), max_length=255)
    short_name = forms.CharField(label=_("Tên viết tắt"), max_length=64, required=False)
    kind = forms.ChoiceField(label=_("Loại đơn vị"), choices=KIND_CHOICES)
    on = VNDateField(
        label=_("Ngày hiệu lực của tên mới"),
        required=False,
        help_text=_("Chỉ dùng khi đổi tên; để trống nếu là hôm nay."),
    )


class UnitMoveForm(StyledForm):
    parent = UnitChoiceField(label=_("Chuyển về trực thuộc"), empty_label=_("— Chọn đơn vị —"))
    on = VNDateField(label=_("Từ ngày"))

    def __init__(self, *args: Any, parents: QuerySet[Unit], **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = self.fields["parent"]
        assert isinstance(field, UnitChoiceField)
        field.queryset = parents


class UnitMergeForm(StyledForm):
    TARGET_EXISTING = "existing"
    TARGET_NEW = "new"

    others = UnitMultipleChoiceField(
        label=_("Các đơn vị khác cùng sáp nhập"),
        required=False,
        help_text=_("Giữ Ctrl (hoặc ⌘) để chọn nhiều đơn vị. Có thể để trống nếu sáp nhập "
                    "vào một đơn vị đã có."),
    )  # fmt: skip
    target = forms.ChoiceField(
        label=_("Sáp nhập vào"),
        choices=[
            (TARGET_EXISTING, _("Một đơn vị đang hoạt động")),
            (TARGET_NEW, _("Một đơn vị mới thành lập")),
        ],
        widget=forms.RadioSelect,
        initial=TARGET_NEW,
    )
    into = UnitChoiceField(
        label=_("Đơn vị tiếp nhận (đã có)"), required=False, empty_label=_("— Chọn đơn vị —")
    )
    code = forms.CharField(label=_("Mã đơn vị mới"), max_length=32, required=False)
    name = forms.CharField(label=_("Tên đơn vị mới"), max_length=255, required=False)
    kind = forms.ChoiceField(
        label=_("Loại đơn vị mới"),
        choices=[("", _("— Giống đơn vị bị sáp nhập —")), *KIND_CHOICES],
        required=False,
    )
    parent = UnitChoiceField(
        label=_("Đơn vị cấp trên của đơn vị mới"), required=False, empty_label=_("— Chọn đơn vị —")
    )
    on = VNDateField(
        label=_("Ngày sáp nhập"),
        help_text=_("Các đơn vị bị sáp nhập kết thúc vào ngày hôm trước."),
    )
    note = forms.CharField(
        label=_("Căn cứ, ghi chú"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Ví dụ: số quyết định sáp nhập."),
    )
    confirmed = forms.BooleanField(
        label=_("Tôi xác nhận việc sáp nhập này. Thao tác không thể hoàn tác."),
        required=False,
        widget=forms.CheckboxInput(attrs={"required": True}),
    )

    def __init__(
        self,
        *args: Any,
        others: QuerySet[Unit],
        targets: QuerySet[Unit],
        parents: QuerySet[Unit],
        allow_root: bool,
        **kw: Any,
    ) -> None:
        super().__init__(*args, **kw)
        self.allow_root = allow_root
        for name, queryset in (("others", others), ("into", targets), ("parent", parents)):
            field = self.fields[name]
            assert isinstance(field, (UnitChoiceField, UnitMultipleChoiceField))
            field.queryset = queryset

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("target") == self.TARGET_EXISTING:
            if not data.get("into") and "into" not in self.errors:
                self.add_error("into", _("Chọn đơn vị tiếp nhận."))
        elif data.get("target") == self.TARGET_NEW:
            if not data.get("others") and "others" not in self.errors:
                self.add_error(
                    "others", _("Sáp nhập thành đơn vị mới cần ít nhất một đơn vị khác.")
                )
            if not (data.get("code") or "").strip():
                self.add_error("code", _("Nhập mã đơn vị mới."))
            else:
                try:
                    data["code"] = _code_is_free(data["code"])
                except forms.ValidationError as exc:
                    self.add_error("code", exc)
            if not (data.get("name") or "").strip():
                self.add_error("name", _("Nhập tên đơn vị mới."))
            if not data.get("parent") and not self.allow_root and "parent" not in self.errors:
                self.add_error("parent", _("Chọn đơn vị cấp trên của đơn vị mới."))
        return data


class SplitPartForm(StyledForm):
    code = forms.CharField(label=_("Mã đơn vị"), max_length=32)
    name = forms.CharField(label=_("Tên đơn vị"), max_length=255)
    kind = forms.ChoiceField(
        label=_("Loại đơn vị"),
        choices=[("", _("— Giống đơn vị cũ —")), *KIND_CHOICES],
        required=False,
    )

    def clean_code(self) -> str:
        return _code_is_free(self.cleaned_data["code"])


class BaseSplitPartFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    def __init__(
        self, *args: Any, row_values: list[dict[str, str]] | None = None, **kw: Any
    ) -> None:
        # Rows typed before "add a row" come back as initial values of an unbound
        # formset: the page shows them again without reporting errors on half-filled rows.
        self.row_values = row_values or []
        super().__init__(*args, **kw)

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        kwargs = super().get_form_kwargs(index)
        if index is not None and index < len(self.row_values):
            kwargs["initial"] = self.row_values[index]
        return kwargs

    def clean(self) -> None:
        if any(self.errors):
            return
        codes = [f.cleaned_data["code"] for f in self.forms if f.cleaned_data.get("code")]
        if len(codes) < 2:
            raise forms.ValidationError(_("Chia tách cần ít nhất hai đơn vị mới."))
        if len(set(codes)) != len(codes):
            raise forms.ValidationError(_("Mã các đơn vị mới bị trùng nhau."))

    def filled_rows(self) -> list[int]:
        """Indices of the rows the user filled (empty extra rows are ignored)."""
        return [i for i, f in enumerate(self.forms) if f.cleaned_data.get("code")]


MAX_SPLIT_PARTS = 10


def split_formset_class(rows: int) -> type[BaseSplitPartFormSet]:
    return cast(
        type[BaseSplitPartFormSet],
        formset_factory(
            SplitPartForm,
            formset=BaseSplitPartFormSet,
            extra=rows,
            max_num=MAX_SPLIT_PARTS,
            absolute_max=MAX_SPLIT_PARTS,
        ),
    )


class UnitSplitForm(StyledForm):
    on = VNDateField(
        label=_("Ngày chia tách"), help_text=_("Đơn vị cũ kết thúc vào ngày hôm trước.")
    )
    note = forms.CharField(
        label=_("Căn cứ, ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    confirmed = forms.BooleanField(
        label=_("Tôi xác nhận việc chia tách này. Thao tác không thể hoàn tác."),
        required=False,
        widget=forms.CheckboxInput(attrs={"required": True}),
    )

    def __init__(
        self, *args: Any, people: list[Any], rows: int, by_file: bool = False, **kw: Any
    ) -> None:
        super().__init__(*args, **kw)
        # The empty choice means "the first row that is filled in", so leaving the
        # first row blank does not strand everyone on it.
        choices = [
            ("", _("Đơn vị mới đầu tiên (mặc định)")),
            *[(str(i), _("Đơn vị mới thứ %(n)d") % {"n": i + 1}) for i in range(rows)],
        ]
        self.people = people
        for person in people:
            self.fields[f"alloc_{person.pk}"] = forms.TypedChoiceField(
                label=f"{person.full_name} ({person.code})",
                choices=choices,
                coerce=int,
                empty_value=None,
                required=False,
                widget=forms.Select(attrs={"class": "form-select form-select-sm"}),
            )
        if by_file:
            self.fields["allocation_file"] = forms.FileField(
                label=_("Tệp phân bổ cán bộ (.xlsx)"),
                required=False,
                help_text=_(
                    "Cột “Mã cán bộ” và “Mã đơn vị mới”. Người không có trong tệp chuyển "
                    "sang đơn vị mới đầu tiên."
                ),
                widget=forms.FileInput(
                    attrs={
                        "class": "form-control",
                        "accept": ".xlsx,application/vnd.openxmlformats-officedocument"
                        ".spreadsheetml.sheet",
                    }
                ),
            )

    def allocation_fields(self) -> list[forms.BoundField]:
        return [self[f"alloc_{p.pk}"] for p in self.people]

    def allocation(self) -> dict[int, int | None]:
        """Row index chosen for each person; None keeps the default (first filled row)."""
        return {p.pk: self.cleaned_data.get(f"alloc_{p.pk}") for p in self.people}


class UnitRatingForm(StyledForm):
    year = forms.IntegerField(label=_("Năm"), min_value=1945)
    rating = forms.ChoiceField(label=_("Xếp loại"), choices=Rating.choices)

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        # The upper bound moves with the calendar, so it cannot be a class attribute.
        latest = dt.date.today().year + 1
        year_field = self.fields["year"]
        year_field.validators.append(MaxValueValidator(latest))
        year_field.widget.attrs["max"] = str(latest)


# --- clusters and councils -------------------------------------------------------------


def person_by_code(people: QuerySet[Any], code: str) -> Any:
    """A person among those the user may see; unknown and invisible read the same."""
    person = people.filter(code=code.strip()).first()
    if person is None:
        raise forms.ValidationError(
            _("Không tìm thấy cán bộ có mã “%(code)s” trong phạm vi của bạn."),
            params={"code": code.strip()},
        )
    return person


class ClusterEditForm(StyledForm):
    """Name, kind, roles and members; the organiser and the year are fixed once created."""

    kind = forms.ChoiceField(label=_("Loại"), choices=ClusterKind.choices)
    name = forms.CharField(label=_("Tên cụm, khối"), max_length=255)
    members = UnitMultipleChoiceField(
        label=_("Các đơn vị thành viên"),
        help_text=_("Giữ Ctrl (hoặc ⌘) để chọn nhiều đơn vị."),
    )
    leader = UnitChoiceField(
        label=_("Cụm trưởng / khối trưởng"), required=False, empty_label=_("— Chưa chọn —")
    )
    deputy = UnitChoiceField(
        label=_("Cụm phó / khối phó"), required=False, empty_label=_("— Chưa chọn —")
    )
    follower = forms.CharField(
        label=_("Mã cán bộ (ủy viên hội đồng) theo dõi"),
        max_length=32,
        required=False,
        help_text=_("Để trống nếu chưa phân công."),
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], people: QuerySet[Any], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.people = people
        for name in ("members", "leader", "deputy"):
            field = self.fields[name]
            assert isinstance(field, (UnitChoiceField, UnitMultipleChoiceField))
            field.queryset = units

    def clean_follower(self) -> Any:
        code = self.cleaned_data.get("follower") or ""
        return person_by_code(self.people, code) if code.strip() else None


class ClusterForm(ClusterEditForm):
    organizer = UnitChoiceField(label=_("Đơn vị tổ chức"), empty_label=_("— Chọn đơn vị —"))
    year = forms.IntegerField(label=_("Năm"), min_value=1945)
    field_order = ["organizer", "kind", "name", "year", "members", "leader", "deputy", "follower"]

    def __init__(self, *args: Any, organizers: QuerySet[Unit], **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = self.fields["organizer"]
        assert isinstance(field, UnitChoiceField)
        field.queryset = organizers


class ClusterCopyForm(StyledForm):
    year = forms.IntegerField(
        label=_("Chép sang năm"),
        min_value=1945,
        help_text=_("Đơn vị đã sáp nhập, chia tách hoặc giải thể không được chép sang."),
    )

    def __init__(self, *args: Any, **kw: Any) -> None:
        super().__init__(*args, **kw)
        latest = dt.date.today().year + 1
        year_field = self.fields["year"]
        year_field.validators.append(MaxValueValidator(latest))
        year_field.widget.attrs["max"] = str(latest)


class CouncilForm(StyledForm):
    unit = UnitChoiceField(label=_("Đơn vị"), empty_label=_("— Chọn đơn vị —"))
    name = forms.CharField(
        label=_("Tên hội đồng"), max_length=255, initial=_("Hội đồng Thi đua – Khen thưởng")
    )
    established_on = VNDateField(label=_("Ngày thành lập"))
    decision_number = forms.CharField(
        label=_("Số quyết định thành lập"), max_length=64, required=False
    )

    def __init__(self, *args: Any, units: QuerySet[Unit], **kw: Any) -> None:
        super().__init__(*args, **kw)
        field = self.fields["unit"]
        assert isinstance(field, UnitChoiceField)
        field.queryset = units


class CouncilMemberForm(StyledForm):
    person = forms.CharField(
        label=_("Mã cán bộ"),
        max_length=32,
        help_text=_("Mã của một cán bộ trong phạm vi bạn quản lý, ví dụ P001."),
    )
    role = forms.ChoiceField(label=_("Vai trò"), choices=CouncilRole.choices)
    valid_from = VNDateField(label=_("Từ ngày"))

    def __init__(self, *args: Any, people: QuerySet[Any], **kw: Any) -> None:
        super().__init__(*args, **kw)
        self.people = people

    def clean_person(self) -> Any:
        return person_by_code(self.people, self.cleaned_data["person"])


class CouncilMemberEndForm(StyledForm):
    on = VNDateField(label=_("Thôi tham gia từ ngày"))


class ImportForm(StyledForm):
    file = forms.FileField(
        label=_("Tệp Excel (.xlsx)"),
        widget=forms.ClearableFileInput(
            attrs={
                "accept": ".xlsx,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            }
        ),
    )
