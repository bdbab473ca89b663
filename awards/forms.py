"""Forms of the records pages: they parse input and resolve codes within the user's
scope; the services decide everything else (duplicates, initiatives used once…)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from awards.models import (
    AwardType,
    DisciplineForm,
    DisciplineStatus,
    Initiative,
    InitiativeKind,
    RecognitionLevel,
)
from organizations.models import Unit
from people.forms import BootstrapMixin, VnDateField, find_person, person_picker, unit_choices
from people.models import Person

MAX_FILE_BYTES = 20 * 1024 * 1024
DECISION_FILE_TYPES = (".pdf", ".jpg", ".jpeg", ".png", ".doc", ".docx", ".odt")
PERSON, UNIT = "person", "unit"
RECIPIENT_CHOICES = [(PERSON, _("Cá nhân")), (UNIT, _("Tập thể (đơn vị)"))]
USED_CHOICES = [("", _("Tất cả")), ("unused", _("Chưa dùng")), ("used", _("Đã dùng"))]
_CODE_SPLIT = re.compile(r"[\s,;]+")


def _latest_year() -> int:
    return dt.date.today().year + 1


def _year_field(label: Any, required: bool) -> forms.IntegerField:
    return forms.IntegerField(label=label, required=required, min_value=1945, max_value=2100)


def _set_choices(form: forms.Form, name: str, choices: Sequence[tuple[Any, Any]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = list(choices)


class Styled(BootstrapMixin):
    """BootstrapMixin, with radio buttons and check-box lists styled as such."""

    def style(self) -> None:
        super().style()
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect):  # CheckboxSelectMultiple too
                field.widget.attrs["class"] = "form-check-input"


class AwardTypeSelect(forms.Select):
    """Each option says whom the title or form is for, so the page can hide the others."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.recipients: dict[str, str] = {}

    def create_option(self, name: str, value: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(name, value, *args, **kwargs)
        if str(value) in self.recipients:
            option["attrs"]["data-for"] = self.recipients[str(value)]
        return option


def _recipients(award_type: AwardType) -> str:
    kinds = []
    if award_type.for_people:
        kinds.append(PERSON)
    if award_type.for_units:
        kinds.append(UNIT)
    return " ".join(kinds)


def award_type_label(award_type: AwardType) -> str:
    return f"{award_type.name} ({award_type.code})"


# --- list filters -------------------------------------------------------------------


class AwardFilterForm(Styled, forms.Form):
    q = forms.CharField(label=_("Tìm đối tượng"), required=False, max_length=100)
    award_type = forms.ChoiceField(label=_("Danh hiệu, hình thức"), required=False)
    year = _year_field(_("Năm"), required=False)
    recipient = forms.ChoiceField(
        label=_("Đối tượng"), required=False, choices=[("", _("Tất cả")), *RECIPIENT_CHOICES]
    )
    unit = forms.ChoiceField(label=_("Đơn vị (cả đơn vị trực thuộc)"), required=False)
    # Set by the links of a person's page ("all awards of this person").
    person = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)

    def __init__(
        self, *args: Any, units: Sequence[Unit], types: Sequence[AwardType], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "unit", [("", _("Tất cả đơn vị")), *unit_choices(units)])
        _set_choices(
            self, "award_type", [("", _("Tất cả")), *((t.code, award_type_label(t)) for t in types)]
        )
        self.fields["q"].widget.attrs["placeholder"] = _(
            "Tên hoặc mã cán bộ, đơn vị (gõ không dấu cũng được)"
        )
        self.style()


class InitiativeFilterForm(Styled, forms.Form):
    q = forms.CharField(label=_("Tìm tên, tác giả"), required=False, max_length=100)
    year = _year_field(_("Năm"), required=False)
    level = forms.ChoiceField(
        label=_("Cấp công nhận"),
        required=False,
        choices=[("", _("Tất cả")), *RecognitionLevel.choices],
    )
    kind = forms.ChoiceField(
        label=_("Loại"), required=False, choices=[("", _("Tất cả")), *InitiativeKind.choices]
    )
    used = forms.ChoiceField(label=_("Sử dụng"), required=False, choices=USED_CHOICES)
    unit = forms.ChoiceField(label=_("Đơn vị (cả đơn vị trực thuộc)"), required=False)
    person = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)

    def __init__(self, *args: Any, units: Sequence[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "unit", [("", _("Tất cả đơn vị")), *unit_choices(units)])
        self.fields["q"].widget.attrs["placeholder"] = _(
            "Tên sáng kiến, tên hoặc mã tác giả (gõ không dấu cũng được)"
        )
        self.style()


class DisciplineFilterForm(Styled, forms.Form):
    q = forms.CharField(label=_("Tìm cán bộ"), required=False, max_length=100)
    status = forms.ChoiceField(
        label=_("Trạng thái"),
        required=False,
        choices=[("", _("Tất cả")), *DisciplineStatus.choices],
    )
    form = forms.ChoiceField(
        label=_("Hình thức"), required=False, choices=[("", _("Tất cả")), *DisciplineForm.choices]
    )
    year = _year_field(_("Năm"), required=False)
    unit = forms.ChoiceField(label=_("Đơn vị (cả đơn vị trực thuộc)"), required=False)
    person = forms.CharField(required=False, max_length=32, widget=forms.HiddenInput)

    def __init__(self, *args: Any, units: Sequence[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "unit", [("", _("Tất cả đơn vị")), *unit_choices(units)])
        self.fields["q"].widget.attrs["placeholder"] = _("Tên hoặc mã cán bộ")
        self.fields["year"].help_text = _(
            "Năm quyết định (hoặc năm phát sinh nếu chưa quyết định)."
        )
        self.style()


# --- awards ---------------------------------------------------------------------------


class AwardForm(Styled, forms.Form):
    """One award. The person is typed by code (a ministry has too many people for a
    list); the award types carry their recipient kind so the page can hide the ones
    that do not fit, and the service rejects them anyway."""

    recipient_kind = forms.ChoiceField(
        label=_("Khen cho"), choices=RECIPIENT_CHOICES, widget=forms.RadioSelect, initial=PERSON
    )
    person = forms.CharField(
        label=_("Mã cán bộ"),
        max_length=32,
        required=False,
        help_text=_("Gõ tên hoặc mã để tìm, ví dụ P001."),
    )
    unit = forms.ChoiceField(label=_("Đơn vị được khen"), required=False)
    award_type = forms.ChoiceField(
        label=_("Danh hiệu, hình thức khen thưởng"), widget=AwardTypeSelect
    )
    year = _year_field(_("Năm được khen"), required=True)
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=64)
    decision_date = VnDateField(label=_("Ngày quyết định"))
    signer = forms.CharField(label=_("Người ký"), max_length=150, required=False)
    authority = forms.CharField(label=_("Cơ quan quyết định"), max_length=255, required=False)
    file = forms.FileField(
        label=_("Tệp quyết định"),
        required=False,
        help_text=_("PDF, ảnh hoặc Word; tối đa 20 MB."),
        widget=forms.FileInput(attrs={"accept": ",".join(DECISION_FILE_TYPES)}),
    )
    initiatives = forms.MultipleChoiceField(
        label=_("Sáng kiến, đề tài dùng làm căn cứ"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Mỗi sáng kiến chỉ được dùng cho một khen thưởng (Luật TĐKT 2022, Điều 5.2.c)."
        ),
    )
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        people: QuerySet[Person],
        units: Sequence[Unit],
        types: Sequence[AwardType],
        award_pk: int | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.people = people
        self.units = {u.code: u for u in units}
        self.types = {t.code: t for t in types}
        self.award_pk = award_pk
        _set_choices(self, "unit", [("", _("— Chọn đơn vị —")), *unit_choices(units)])
        _set_choices(
            self,
            "award_type",
            [
                ("", _("— Chọn danh hiệu, hình thức —")),
                *((t.code, award_type_label(t)) for t in types),
            ],
        )
        widget = self.fields["award_type"].widget
        assert isinstance(widget, AwardTypeSelect)
        widget.recipients = {t.code: _recipients(t) for t in types}
        self.fields["year"].widget.attrs["max"] = str(_latest_year())
        person_picker(self.fields["person"], reverse("awards:person_options"))
        self.style()
        self.offered_initiatives = self._initiatives_for(self._person_code())
        _set_choices(
            self,
            "initiatives",
            [(str(i.pk), initiative_label(i)) for i in self.offered_initiatives],
        )

    def _person_code(self) -> str:
        if self.is_bound:
            if self.data.get("recipient_kind", PERSON) != PERSON:
                return ""
            return str(self.data.get("person") or "").strip()
        return str(self.initial.get("person") or "").strip()

    def _initiatives_for(self, code: str) -> list[Initiative]:
        if not code:
            return []
        return offered_initiatives(self.people.filter(code=code).first(), self.award_pk)

    def clean_year(self) -> int:
        year: int = self.cleaned_data["year"]
        if year > _latest_year():
            raise forms.ValidationError(
                _("Năm không được sau %(y)s."), params={"y": _latest_year()}
            )
        return year

    def clean_file(self) -> Any:
        upload = self.cleaned_data.get("file")
        if not upload:
            return None
        if not upload.name.lower().endswith(DECISION_FILE_TYPES):
            raise forms.ValidationError(_("Chỉ nhận tệp PDF, ảnh (JPG, PNG) hoặc Word."))
        if upload.size > MAX_FILE_BYTES:
            raise forms.ValidationError(_("Tệp lớn hơn 20 MB."))
        return upload

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("recipient_kind")
        data["person_obj"] = None
        data["unit_obj"] = None
        if kind == PERSON:
            code = data.get("person") or ""
            if not code.strip():
                self.add_error("person", _("Nhập mã cán bộ được khen."))
            else:
                try:
                    data["person_obj"] = find_person(self.people, code)
                except forms.ValidationError as exc:
                    self.add_error("person", exc)
        elif kind == UNIT:
            code = data.get("unit") or ""
            if not code:
                self.add_error("unit", _("Chọn đơn vị được khen."))
            else:
                data["unit_obj"] = self.units.get(code)
            if data.get("initiatives"):
                self.add_error("initiatives", _("Sáng kiến chỉ dùng cho khen thưởng cá nhân."))
        data["award_type_obj"] = self.types.get(data.get("award_type") or "")
        chosen = {str(pk) for pk in data.get("initiatives") or []}
        data["initiative_objs"] = [i for i in self.offered_initiatives if str(i.pk) in chosen]
        return data


def initiative_label(initiative: Initiative) -> str:
    return f"{initiative.title} — {initiative.get_level_display()}, {initiative.year}"


def offered_initiatives(person: Person | None, award_pk: int | None) -> list[Initiative]:
    """The person's initiatives still free, plus those this award already uses."""
    if person is None:
        return []
    usable = Q(used_by__isnull=True)
    if award_pk is not None:
        usable |= Q(used_by_id=award_pk)
    return list(person.initiatives.filter(usable).order_by("-year", "title", "pk"))


# --- initiatives -------------------------------------------------------------------------


class InitiativeForm(Styled, forms.Form):
    kind = forms.ChoiceField(label=_("Loại"), choices=InitiativeKind.choices)
    title = forms.CharField(label=_("Tên sáng kiến, đề tài"), max_length=500)
    authors = forms.CharField(
        label=_("Mã tác giả"),
        max_length=2000,
        help_text=_("Mã cán bộ, cách nhau bởi dấu phẩy, ví dụ: P001, P002."),
    )
    unit = forms.ChoiceField(label=_("Đơn vị"))
    level = forms.ChoiceField(label=_("Cấp công nhận"), choices=RecognitionLevel.choices)
    recognized_on = VnDateField(label=_("Ngày công nhận"))
    year = _year_field(_("Năm"), required=True)
    decision_number = forms.CharField(
        label=_("Số quyết định công nhận"), max_length=64, required=False
    )
    summary = forms.CharField(
        label=_("Tóm tắt"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self, *args: Any, people: QuerySet[Person], units: Sequence[Unit], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.people = people
        self.units = {u.code: u for u in units}
        _set_choices(self, "unit", [("", _("— Chọn đơn vị —")), *unit_choices(units)])
        self.fields["year"].widget.attrs["max"] = str(_latest_year())
        self.style()

    def clean_authors(self) -> list[Person]:
        codes = [c for c in _CODE_SPLIT.split(self.cleaned_data.get("authors") or "") if c]
        unique = list(dict.fromkeys(codes))
        if not unique:
            raise forms.ValidationError(_("Cần ít nhất một tác giả."))
        found = {p.code: p for p in self.people.filter(code__in=unique)}
        missing = [c for c in unique if c not in found]
        if missing:
            raise forms.ValidationError(
                _("Không tìm thấy cán bộ có mã %(codes)s trong phạm vi bạn quản lý."),
                params={"codes": ", ".join(missing)},
            )
        return [found[c] for c in unique]

    def clean_unit(self) -> Unit | None:
        return self.units.get(self.cleaned_data.get("unit") or "")


# --- discipline ----------------------------------------------------------------------------


class DisciplineFormForm(Styled, forms.Form):
    person = forms.CharField(
        label=_("Mã cán bộ"),
        max_length=32,
        help_text=_("Gõ tên hoặc mã để tìm, ví dụ P001."),
    )
    form = forms.ChoiceField(label=_("Hình thức kỷ luật"), choices=DisciplineForm.choices)
    status = forms.ChoiceField(
        label=_("Trạng thái"), choices=DisciplineStatus.choices, widget=forms.RadioSelect
    )
    opened_on = VnDateField(label=_("Ngày phát sinh"), required=False)
    decided_on = VnDateField(label=_("Ngày quyết định"), required=False)
    ends_on = VnDateField(
        label=_("Hết hiệu lực"),
        required=False,
        help_text=_("Khen thưởng chỉ tính thành tích từ sau ngày này."),
    )
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=64, required=False)
    reason = forms.CharField(
        label=_("Lý do"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, people: QuerySet[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.people = people
        person_picker(self.fields["person"], reverse("awards:person_options"))
        self.style()

    def clean_person(self) -> Person:
        return find_person(self.people, self.cleaned_data["person"])
