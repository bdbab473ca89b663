"""Forms of the assessment, fostering-plan and monitoring sections of the exemplar page.

They parse and check shapes only (a date is a date, a score is a number, a file is
not too large); the services decide the rules (a comment is required, a finished
action needs its date, scores run from 1 to 5), so each rule has one message.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from exemplars.models import SupportKind, SupportStatus
from exemplars.services import DOCUMENT_TYPES, MAX_UPLOAD
from people.forms import BootstrapMixin, VnDateField, person_picker
from people.models import Person

# Fields the service requires: marked as such on the page, checked there.
SERVICE_REQUIRED = "data-required"


def _mark_required(form: forms.Form, *names: str) -> None:
    for name in names:
        form.fields[name].widget.attrs[SERVICE_REQUIRED] = "1"
        form.fields[name].widget.attrs["aria-required"] = "true"


class PersonCodeField(forms.CharField):
    """A person typed by code (a ministry has too many people for a select); the page
    suggests names through a <datalist> filled by htmx."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", 32)
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", _("Gõ tên hoặc mã cán bộ rồi chọn trong danh sách gợi ý."))
        super().__init__(**kwargs)


class PersonPickerMixin:
    """Resolves the code typed in `person_fields` among the people offered; the person
    already recorded stays acceptable even when the user could not pick them now."""

    person_fields: tuple[str, ...] = ()
    fields: dict[str, forms.Field]
    cleaned_data: dict[str, Any]

    def setup_people(
        self, people: QuerySet[Person], options_url: str, current: dict[str, Person | None]
    ) -> None:
        self.people = people
        self.current = current
        for name in self.person_fields:
            person_picker(self.fields[name], options_url, f"{name}-options")

    def resolve_person(self, name: str) -> Person | None:
        code = (self.cleaned_data.get(name) or "").strip()
        if not code:
            return None
        current = self.current.get(name)
        if current is not None and current.code == code:
            return current
        person = self.people.select_related("unit").filter(code=code).first()
        if person is None:
            raise forms.ValidationError(
                _("Không tìm thấy cán bộ có mã “%(code)s” trong phạm vi bạn quản lý."),
                params={"code": code},
            )
        return person


def person_options_url(exemplar_pk: int) -> str:
    return reverse("exemplars:section_people", args=[exemplar_pk])


# --- assessment --------------------------------------------------------------------------


class ReviewForm(BootstrapMixin, forms.Form):
    year = forms.IntegerField(widget=forms.HiddenInput, min_value=2000, max_value=2100)
    met = forms.TypedChoiceField(
        label=_("Kết luận"),
        choices=[("1", _("Đạt")), ("0", _("Không đạt"))],
        coerce=lambda v: v == "1",
        widget=forms.RadioSelect,
        error_messages={"required": _("Chọn Đạt hoặc Không đạt.")},
    )
    comment = forms.CharField(
        label=_("Nhận xét của người đánh giá"),
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    evidence = forms.FileField(
        label=_("Minh chứng (không bắt buộc)"),
        required=False,
        help_text=_("Tệp %(t)s, tối đa 20 MB.") % {"t": ", ".join(DOCUMENT_TYPES)},
        widget=forms.ClearableFileInput(attrs={"accept": ",".join(DOCUMENT_TYPES)}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _mark_required(self, "comment")
        self.style()
        self.fields["met"].widget.attrs["class"] = "form-check-input"

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


# --- fostering plan ----------------------------------------------------------------------


class FosteringForm(PersonPickerMixin, BootstrapMixin, forms.Form):
    person_fields = ("mentor",)

    weaknesses = forms.CharField(
        label=_("Hạn chế cần khắc phục"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    remedies = forms.CharField(
        label=_("Biện pháp khắc phục, bồi dưỡng"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    mentor = PersonCodeField(label=_("Người kèm cặp, hướng dẫn (mã cán bộ)"))

    def __init__(
        self,
        *args: Any,
        people: QuerySet[Person],
        options_url: str,
        mentor: Person | None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.setup_people(people, options_url, {"mentor": mentor})
        self.style()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "mentor" in data:
            try:
                data["mentor_obj"] = self.resolve_person("mentor")
            except forms.ValidationError as exc:
                self.add_error("mentor", exc)
        return data


class ActionForm(PersonPickerMixin, BootstrapMixin, forms.Form):
    person_fields = ("responsible",)

    kind = forms.ChoiceField(
        label=_("Hình thức hỗ trợ"), choices=SupportKind.choices, required=False
    )
    description = forms.CharField(
        label=_("Nội dung hỗ trợ"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    responsible = PersonCodeField(label=_("Người phụ trách (mã cán bộ)"))
    due_on = VnDateField(label=_("Thời hạn"), required=False)
    status = forms.ChoiceField(label=_("Tình trạng"), choices=SupportStatus.choices, required=False)
    done_on = VnDateField(
        label=_("Ngày hoàn thành"),
        required=False,
        help_text=_("Bắt buộc khi tình trạng là “Đã hoàn thành”. Dạng dd/mm/yyyy."),
    )
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(
        self,
        *args: Any,
        people: QuerySet[Person],
        options_url: str,
        responsible: Person | None = None,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.setup_people(people, options_url, {"responsible": responsible})
        _mark_required(self, "kind", "description", "due_on", "status")
        self.style()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if "responsible" in data:
            try:
                data["responsible_obj"] = self.resolve_person("responsible")
            except forms.ValidationError as exc:
                self.add_error("responsible", exc)
        return data

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": data.get("kind") or "",
            "description": data.get("description") or "",
            "responsible": data.get("responsible_obj"),
            "due_on": data.get("due_on"),
            "status": data.get("status") or SupportStatus.PLANNED,
            "done_on": data.get("done_on"),
            "note": data.get("note") or "",
        }


# --- monitoring --------------------------------------------------------------------------

SCORE_HELP = _("Từ 1 (thấp) đến 5 (cao).")


def _score(label: Any) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        help_text=SCORE_HELP,
        widget=forms.NumberInput(attrs={"min": 1, "max": 5, "step": 1, "inputmode": "numeric"}),
    )


class CheckInForm(BootstrapMixin, forms.Form):
    checked_on = VnDateField(label=_("Ngày theo dõi"), required=False)
    effect = _score(_("Tác dụng"))
    efficiency = _score(_("Hiệu quả"))
    potential = _score(_("Khả năng phát triển"))
    influence = _score(_("Sức ảnh hưởng"))
    narrative = forms.CharField(
        label=_("Nhận xét"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    difficulties = forms.CharField(
        label=_("Khó khăn phát hiện"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    help_given = forms.CharField(
        label=_("Hỗ trợ đã thực hiện"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    SCORES = ("effect", "efficiency", "potential", "influence")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _mark_required(self, "checked_on", *self.SCORES, "narrative")
        self.style()

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "checked_on": data.get("checked_on"),
            **{name: data.get(name) for name in self.SCORES},
            "narrative": data.get("narrative") or "",
            "difficulties": data.get("difficulties") or "",
            "help_given": data.get("help_given") or "",
        }
