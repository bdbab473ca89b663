"""Forms of the event pages: they parse input and resolve codes and ids among the choices
the user may make (units and exemplars of their scope); services decide the rest."""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from exemplars.forms import Styled, _set_choices
from exemplars.models import Exemplar
from organizations.models import Unit
from people.forms import VnDateField, person_picker, unit_choices
from propagation.models import ContestEntry, ContestResult, EventKind
from propagation.services_events import WITH_EXEMPLARS

MIN_YEAR = 2000


def exemplar_label(exemplar: Exemplar) -> str:
    return f"{exemplar.title} — {exemplar.subject_name} ({exemplar.unit.name})"


def juror_label(user: User) -> str:
    name = user.get_full_name() or user.username
    return f"{name} ({user.username})"


# --- list filters ----------------------------------------------------------------------------


class EventFilterForm(Styled, forms.Form):
    q = forms.CharField(label=_("Tìm kiếm"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Loại sự kiện"), required=False, choices=[("", _("Tất cả")), *EventKind.choices]
    )
    year = forms.IntegerField(label=_("Năm"), required=False, min_value=MIN_YEAR, max_value=2100)
    unit = forms.ChoiceField(label=_("Đơn vị tổ chức (cả đơn vị trực thuộc)"), required=False)
    field = forms.ChoiceField(label=_("Lĩnh vực"), required=False)

    def __init__(
        self, *args: Any, units: Sequence[Unit], fields: Sequence[str], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        _set_choices(self, "unit", [("", _("Tất cả đơn vị")), *unit_choices(units)])
        _set_choices(self, "field", [("", _("Tất cả")), *((f, f) for f in fields)])
        self.fields["q"].widget.attrs["placeholder"] = _(
            "Tên sự kiện, địa điểm (gõ không dấu cũng được)"
        )
        self.style()


# --- create and edit -----------------------------------------------------------------------


class EventForm(Styled, forms.Form):
    """An event. The kind is chosen once (on edit it is fixed, the service keeps it)."""

    kind = forms.ChoiceField(label=_("Loại sự kiện"), choices=EventKind.choices)
    title = forms.CharField(
        label=_("Tên sự kiện"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    unit = forms.ChoiceField(label=_("Đơn vị tổ chức"))
    field = forms.CharField(
        label=_("Lĩnh vực"),
        max_length=255,
        required=False,
        help_text=_("Giao lưu thường dành cho các đơn vị cùng lĩnh vực với điển hình."),
    )
    starts_on = VnDateField(label=_("Từ ngày"))
    ends_on = VnDateField(label=_("Đến ngày"), required=False)
    location = forms.CharField(label=_("Địa điểm"), max_length=500, required=False)
    description = forms.CharField(
        label=_("Nội dung, đối tượng tham gia"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_(
            "Ví dụ: tập huấn cho cán bộ làm công tác thi đua, khen thưởng, báo cáo viên, "
            "tuyên truyền viên; thể lệ cuộc thi; chương trình giao lưu."
        ),
    )
    exemplars = forms.MultipleChoiceField(
        label=_("Điển hình chia sẻ kinh nghiệm, đón đoàn"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_(
            "Giao lưu: các điển hình chia sẻ kinh nghiệm. Tham quan học tập: điển hình, mô hình "
            "đón đoàn. Chỉ điển hình đang bồi dưỡng hoặc đã được công nhận trong phạm vi của bạn."
        ),
    )
    learned = forms.CharField(
        label=_("Kết quả, bài học rút ra"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        units: Sequence[Unit],
        exemplars: Sequence[Exemplar],
        fixed_kind: str = "",
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.units = {u.code: u for u in units}
        self.exemplar_map = {str(e.pk): e for e in exemplars}
        self.fixed_kind = fixed_kind
        if fixed_kind:
            del self.fields["kind"]
        _set_choices(self, "unit", [("", _("— Chọn đơn vị —")), *unit_choices(units)])
        _set_choices(
            self, "exemplars", [(k, exemplar_label(e)) for k, e in self.exemplar_map.items()]
        )
        self.style()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        starts, ends = data.get("starts_on"), data.get("ends_on")
        if starts and ends and ends < starts:
            self.add_error("ends_on", _("Ngày kết thúc không được trước ngày bắt đầu."))
        data["unit_obj"] = self.units.get(data.get("unit") or "")
        chosen = [self.exemplar_map[k] for k in data.get("exemplars") or []]
        kind = self.fixed_kind or data.get("kind")
        # A contest's or training's exemplars are not on the event: whatever the hidden box
        # still holds is dropped rather than refused.
        data["exemplar_objs"] = chosen if kind in WITH_EXEMPLARS else []
        return data


# --- participating units -----------------------------------------------------------------------


class ParticipationForm(Styled, forms.Form):
    unit = forms.ChoiceField(label=_("Đơn vị tham gia"))
    participants = forms.IntegerField(label=_("Số người"), min_value=0, max_value=100_000)
    note = forms.CharField(label=_("Ghi chú"), max_length=500, required=False)

    def __init__(self, *args: Any, units: Sequence[Unit], **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "id_part_%s")
        super().__init__(*args, **kwargs)
        self.units = {u.code: u for u in units}
        _set_choices(self, "unit", [("", _("— Chọn đơn vị —")), *unit_choices(units)])
        self.style()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["unit_obj"] = self.units.get(data.get("unit") or "")
        return data


# --- contests --------------------------------------------------------------------------------


class EntryForm(Styled, forms.Form):
    exemplar = forms.ChoiceField(label=_("Điển hình được viết về"))
    title = forms.CharField(label=_("Tên tác phẩm"), max_length=500)
    author = forms.CharField(label=_("Tác giả, nhóm tác giả"), max_length=255)
    unit = forms.ChoiceField(label=_("Đơn vị của tác giả"), required=False)
    url = forms.URLField(
        label=_("Đường dẫn (bài đăng, video)"),
        max_length=1000,
        required=False,
        assume_scheme="https",
    )

    def __init__(
        self, *args: Any, units: Sequence[Unit], exemplars: Sequence[Exemplar], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.units = {u.code: u for u in units}
        self.exemplar_map = {str(e.pk): e for e in exemplars}
        _set_choices(
            self,
            "exemplar",
            [("", _("— Chọn điển hình —")),
             *((k, exemplar_label(e)) for k, e in self.exemplar_map.items())],
        )  # fmt: skip
        _set_choices(self, "unit", [("", _("— Không ghi / ngoài ngành —")), *unit_choices(units)])
        self.style()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["exemplar_obj"] = self.exemplar_map.get(data.get("exemplar") or "")
        data["unit_obj"] = self.units.get(data.get("unit") or "")
        return data


class ScoreForm(Styled, forms.Form):
    juror = forms.ChoiceField(label=_("Giám khảo"))
    score = forms.DecimalField(
        label=_("Điểm (0–100)"),
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
    )
    comment = forms.CharField(
        label=_("Nhận xét"),
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )

    def __init__(self, *args: Any, jurors: Sequence[User], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.jurors = {str(u.pk): u for u in jurors}
        _set_choices(
            self,
            "juror",
            [("", _("— Chọn giám khảo —")), *((k, juror_label(u)) for k, u in self.jurors.items())],
        )
        self.style()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        data["juror_obj"] = self.jurors.get(data.get("juror") or "")
        return data


class JuryForm(Styled, forms.Form):
    """Name a jury member among the users who hold a role near the organising unit: a
    box that suggests them as one types (a ministry has too many for a list)."""

    user = forms.CharField(
        label=_("Thành viên ban giám khảo"),
        max_length=150,
        help_text=_("Gõ tên hoặc tên đăng nhập rồi chọn trong danh sách gợi ý."),
    )
    is_chair = forms.BooleanField(label=_("Trưởng ban giám khảo"), required=False)

    def __init__(
        self, *args: Any, candidates: QuerySet[User], options_url: str, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.candidates = candidates
        person_picker(self.fields["user"], options_url, "juror-options")
        self.style()
        self.fields["is_chair"].widget.attrs["class"] = "form-check-input"

    def clean_user(self) -> str:
        username = self.cleaned_data["user"].strip()
        self.cleaned_data["user_obj"] = self.candidates.filter(username=username).first()
        if self.cleaned_data["user_obj"] is None:
            raise forms.ValidationError(
                _("Không có người dùng “%(u)s” trong số người có thể mời làm giám khảo."),
                params={"u": username},
            )
        return username


class MyScoresForm(Styled, forms.Form):
    """A juror's sheet: one score (and a remark) per entry; blank ones are left as they are."""

    def __init__(
        self,
        *args: Any,
        entries: Sequence[ContestEntry],
        mine: dict[int, Any],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.entries = list(entries)
        for entry in self.entries:
            given = mine.get(entry.pk)
            self.fields[f"score_{entry.pk}"] = forms.DecimalField(
                label=_("Điểm cho “%(t)s”") % {"t": entry.title},
                required=False,
                min_value=Decimal(0),
                max_value=Decimal(100),
                max_digits=5,
                decimal_places=2,
                initial=given.score if given is not None else None,
            )
            self.fields[f"comment_{entry.pk}"] = forms.CharField(
                label=_("Nhận xét cho “%(t)s”") % {"t": entry.title},
                required=False,
                max_length=1000,
                initial=given.comment if given is not None else "",
                widget=forms.Textarea(attrs={"rows": 2}),
            )
        self.style()

    def rows(self) -> list[tuple[ContestEntry, forms.BoundField, forms.BoundField]]:
        return [(e, self[f"score_{e.pk}"], self[f"comment_{e.pk}"]) for e in self.entries]

    def marks(self) -> dict[int, tuple[Decimal | None, str]]:
        data = self.cleaned_data
        return {
            e.pk: (data.get(f"score_{e.pk}"), data.get(f"comment_{e.pk}") or "")
            for e in self.entries
        }


RESULT_CHOICES = [
    ("", _("— Chọn kết quả —")),
    *((value, label) for value, label in ContestResult.choices if value),
]


class ResultsForm(Styled, forms.Form):
    """One result per entry, drawn in the order of the ranking."""

    def __init__(self, *args: Any, entries: Sequence[ContestEntry], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.entries = list(entries)
        for entry in self.entries:
            self.fields[f"result_{entry.pk}"] = forms.ChoiceField(
                label=_("Kết quả của “%(t)s”") % {"t": entry.title},
                choices=RESULT_CHOICES,
                initial=entry.result,
            )
        self.style()

    def results(self) -> dict[int, str]:
        return {e.pk: self.cleaned_data.get(f"result_{e.pk}") or "" for e in self.entries}


class WithdrawForm(Styled, forms.Form):
    reason = forms.CharField(
        label=_("Lý do hủy công bố"), max_length=1000, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()
