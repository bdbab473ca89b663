"""Forms of the exemplar pages: they parse input and resolve codes within the user's
scope; the services decide everything else (subject inside the unit, plan period…)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from exemplars.models import AttachmentKind, ExemplarScope, ExemplarState
from exemplars.services import NEEDS_DECISION, NEEDS_REASON
from movements.models import Movement
from organizations.models import Unit
from people.forms import BootstrapMixin, VnDateField, person_picker, unit_choices
from people.models import Person
from plans.models import Plan

PERSON, UNIT = "person", "unit"
SUBJECT_CHOICES = [(PERSON, _("Cá nhân")), (UNIT, _("Tập thể"))]
MIN_YEAR = 2000


def _set_choices(form: forms.Form, name: str, choices: Sequence[tuple[Any, Any]]) -> None:
    field = form.fields[name]
    assert isinstance(field, forms.ChoiceField)
    field.choices = list(choices)


def _latest_year() -> int:
    return timezone.localdate().year + 1


class Styled(BootstrapMixin):
    """BootstrapMixin, with radio buttons styled as such."""

    def style(self) -> None:
        super().style()
        for field in self.fields.values():
            if isinstance(field.widget, forms.RadioSelect):
                field.widget.attrs["class"] = "form-check-input"


# --- list and board filters -------------------------------------------------------------


class ExemplarFilterForm(Styled, forms.Form):
    q = forms.CharField(label=_("Tìm kiếm"), required=False, max_length=100)
    unit = forms.ChoiceField(label=_("Đơn vị (cả đơn vị trực thuộc)"), required=False)
    field = forms.ChoiceField(label=_("Lĩnh vực"), required=False)
    year = forms.IntegerField(label=_("Năm đăng ký"), required=False, min_value=MIN_YEAR,
                              max_value=2100)  # fmt: skip
    only = forms.BooleanField(
        label=_("Chỉ đơn vị này (không gồm đơn vị trực thuộc)"), required=False
    )
    # Several states may be asked for at once (drill-downs: "this stage or beyond").
    state = forms.MultipleChoiceField(
        label=_("Trạng thái"), required=False, choices=ExemplarState.choices
    )
    kind = forms.ChoiceField(
        label=_("Đối tượng"), required=False, choices=[("", _("Tất cả")), *SUBJECT_CHOICES]
    )

    def __init__(
        self,
        *args: Any,
        units: Sequence[Unit],
        fields: Sequence[str],
        with_state: bool = True,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "unit", [("", _("Tất cả đơn vị")), *unit_choices(units)])
        _set_choices(self, "field", [("", _("Tất cả")), *((f, f) for f in fields)])
        if not with_state:
            # The board shows every state as a column.
            del self.fields["state"]
        self.fields["q"].widget.attrs["placeholder"] = _(
            "Tên điển hình, cá nhân, tập thể (gõ không dấu cũng được)"
        )
        self.style()


# --- create and edit --------------------------------------------------------------------


def plan_label(plan: Plan) -> str:
    return f"{plan.code} — {plan.title} ({plan.starts_on.year}–{plan.ends_on.year})"


def movement_label(movement: Movement) -> str:
    return f"{movement.code} — {movement.name}"


class ExemplarForm(Styled, forms.Form):
    """The description of an exemplar. On edit the subject and the discovering unit are
    fixed (the service keeps them), so those fields are dropped."""

    subject_kind = forms.ChoiceField(
        label=_("Đối tượng"), choices=SUBJECT_CHOICES, widget=forms.RadioSelect, initial=PERSON
    )
    person = forms.CharField(
        label=_("Mã cán bộ"),
        max_length=32,
        required=False,
        help_text=_("Gõ tên hoặc mã để tìm, ví dụ P001."),
    )
    subject_unit = forms.ChoiceField(label=_("Tập thể"), required=False)
    unit = forms.ChoiceField(
        label=_("Đơn vị phát hiện"),
        help_text=_("Đơn vị theo dõi, bồi dưỡng điển hình; cá nhân, tập thể phải thuộc đơn vị."),
    )
    title = forms.CharField(
        label=_("Tên điển hình"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    field = forms.CharField(label=_("Lĩnh vực"), max_length=255, required=False)
    scope = forms.ChoiceField(label=_("Phạm vi"), choices=ExemplarScope.choices)
    practice_summary = forms.CharField(
        label=_("Mô hình mới, cách làm hay"), widget=forms.Textarea(attrs={"rows": 5})
    )
    practice_results = forms.CharField(
        label=_("Kết quả đạt được"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    year = forms.IntegerField(label=_("Năm đăng ký"), min_value=MIN_YEAR, max_value=2100)
    plan = forms.ChoiceField(label=_("Kế hoạch"), required=False)
    movement = forms.ChoiceField(label=_("Phong trào thi đua"), required=False)

    def __init__(
        self,
        *args: Any,
        people: QuerySet[Person] | None,
        units: Sequence[Unit],
        plans: Sequence[Plan],
        movements: Sequence[Movement],
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.people = people
        self.units = {u.code: u for u in units}
        self.plans = {p.code: p for p in plans}
        self.movements = {str(m.pk): m for m in movements}
        if editing:
            for name in ("subject_kind", "person", "subject_unit", "unit"):
                del self.fields[name]
        else:
            choices = unit_choices(units)
            _set_choices(self, "unit", [("", _("— Chọn đơn vị —")), *choices])
            _set_choices(self, "subject_unit", [("", _("— Chọn tập thể —")), *choices])
            person_picker(self.fields["person"], reverse("exemplars:person_options"))
        _set_choices(
            self,
            "plan",
            [
                ("", _("— Không theo kế hoạch —")),
                *((c, plan_label(p)) for c, p in self.plans.items()),
            ],
        )
        _set_choices(
            self,
            "movement",
            [
                ("", _("— Không gắn phong trào —")),
                *((k, movement_label(m)) for k, m in self.movements.items()),
            ],
        )
        self.fields["year"].widget.attrs["max"] = str(_latest_year())
        self.style()

    def clean_year(self) -> int:
        year: int = self.cleaned_data["year"]
        if year > _latest_year():
            raise forms.ValidationError(
                _("Năm đăng ký không được sau %(y)s."), params={"y": _latest_year()}
            )
        return year

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["person_obj"] = None
        data["subject_unit_obj"] = None
        if "subject_kind" in self.fields:
            kind = data.get("subject_kind")
            if kind == PERSON:
                code = (data.get("person") or "").strip()
                if not code:
                    self.add_error("person", _("Nhập mã cán bộ được phát hiện là điển hình."))
                else:
                    assert self.people is not None
                    person = self.people.select_related("unit").filter(code=code).first()
                    if person is None:
                        # One unknown and one out of scope read the same.
                        self.add_error(
                            "person",
                            _("Không tìm thấy cán bộ có mã “%(code)s” trong phạm vi bạn quản lý.")
                            % {"code": code},
                        )
                    data["person_obj"] = person
            elif kind == UNIT:
                code = data.get("subject_unit") or ""
                if not code:
                    self.add_error("subject_unit", _("Chọn tập thể được phát hiện là điển hình."))
                data["subject_unit_obj"] = self.units.get(code)
            data["unit_obj"] = self.units.get(data.get("unit") or "")
        data["plan_obj"] = self.plans.get(data.get("plan") or "")
        data["movement_obj"] = self.movements.get(data.get("movement") or "")
        return data


# --- transitions --------------------------------------------------------------------------


class TransitionForm(Styled, forms.Form):
    """One move of the lifecycle; only the fields the move needs are kept."""

    to = forms.ChoiceField(choices=ExemplarState.choices, widget=forms.HiddenInput)
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    year = forms.IntegerField(
        label=_("Năm đánh giá"),
        required=False,
        min_value=MIN_YEAR,
        max_value=2100,
        help_text=_("Đánh giá theo tiêu chuẩn cho năm này."),
    )
    decision_number = forms.CharField(label=_("Số quyết định"), max_length=64, required=False)
    decision_date = VnDateField(label=_("Ngày quyết định"), required=False)
    authority = forms.CharField(label=_("Cơ quan quyết định"), max_length=255, required=False)

    def __init__(self, *args: Any, current: str, to: str, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", f"id_{to.lower()}_%s")
        super().__init__(*args, **kwargs)
        self.current = current
        self.target = to
        recognising = to == ExemplarState.RECOGNIZED and current == ExemplarState.FOSTERING
        if not recognising:
            del self.fields["year"]
        if to not in NEEDS_DECISION:
            for name in ("decision_number", "decision_date", "authority"):
                del self.fields[name]
        note = self.fields["note"]
        if to in NEEDS_REASON:
            note.label = _("Lý do")
            note.required = True
        elif to == ExemplarState.RECOGNIZED and current == ExemplarState.PROPOSED:
            note.label = _("Lý do cấp trên chưa công nhận")
            note.required = True
        self.style()

    def values(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "note": data.get("note") or "",
            "year": data.get("year"),
            "number": data.get("decision_number") or "",
            "date": data.get("decision_date"),
            "authority": data.get("authority") or "",
        }


# --- attachments --------------------------------------------------------------------------


class AttachmentForm(Styled, forms.Form):
    kind = forms.ChoiceField(label=_("Loại tệp"), choices=AttachmentKind.choices)
    file = forms.FileField(
        label=_("Tệp"),
        help_text=_("Ảnh: JPG, PNG, WEBP. Tài liệu: PDF, Word, Excel, ảnh, MP4. Tối đa 20 MB."),
    )
    caption = forms.CharField(label=_("Mô tả"), max_length=500, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_attachment_%s")
        super().__init__(*args, **kwargs)
        self.style()
