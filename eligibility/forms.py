"""Forms of the eligibility pages: they parse and check shapes; the engine and the
judgement service decide the rest."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from eligibility.engine import Verdict
from organizations.models import Unit
from people.forms import BootstrapMixin, unit_choices

FIRST_YEAR = 1945  # the same bounds as core.ratings.check_year
YEARS_OFFERED = 12
KIND_CHOICES = [("person", _("Cá nhân")), ("unit", _("Tập thể"))]
VERDICT_TEXT = {
    Verdict.ELIGIBLE: _("Đủ điều kiện"),
    Verdict.NEEDS_JUDGEMENT: _("Cần đánh giá"),
    Verdict.NOT_ELIGIBLE: _("Chưa đủ điều kiện"),
}


def default_year() -> int:
    """Titles are reviewed once the year is over, so the year just past is the useful one."""
    return dt.date.today().year - 1


def last_year_allowed() -> int:
    return dt.date.today().year + 1


def year_choices(current: int | None = None) -> list[tuple[int, str]]:
    """Recent years, newest first, plus the one asked for when it is older."""
    top = last_year_allowed()
    years = list(range(top, top - YEARS_OFFERED, -1))
    if current is not None and current not in years and FIRST_YEAR <= current <= top:
        years.append(current)
        years.sort(reverse=True)
    return [(y, str(y)) for y in years]


def _asked_year(data: Any) -> int | None:
    try:
        return int((data or {}).get("year") or "")
    except (TypeError, ValueError):
        return None


class YearField(forms.IntegerField):
    """A year picked from a list, but any year the URL carries is still read (and
    checked) so a link to an old year shows its own answer."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("label", _("Năm xét"))
        kwargs.setdefault("min_value", FIRST_YEAR)
        kwargs.setdefault("max_value", last_year_allowed())
        kwargs.setdefault("widget", forms.Select())
        super().__init__(**kwargs)


class YearForm(BootstrapMixin, forms.Form):
    year = YearField(required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["year"].widget.choices = year_choices(_asked_year(self.data))  # type: ignore[attr-defined]
        self.style()

    def chosen_year(self) -> int:
        """The valid year asked for, else the default one (the error stays on the form)."""
        if self.is_valid() and self.cleaned_data.get("year"):
            return int(self.cleaned_data["year"])
        return default_year()


class EntryForm(BootstrapMixin, forms.Form):
    unit = forms.ChoiceField(label=_("Đơn vị (cả đơn vị trực thuộc)"))
    year = YearField(initial=default_year)

    def __init__(self, *args: Any, units: Sequence[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        unit_field = self.fields["unit"]
        assert isinstance(unit_field, forms.ChoiceField)
        unit_field.choices = [("", _("— Chọn đơn vị —")), *unit_choices(units)]
        self.fields["year"].widget.choices = year_choices(_asked_year(self.data))  # type: ignore[attr-defined]
        self.style()


class ListFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Tìm kiếm"), required=False, max_length=100)
    year = YearField(required=False)
    kind = forms.ChoiceField(label=_("Đối tượng"), required=False, choices=KIND_CHOICES)
    award = forms.ChoiceField(label=_("Danh hiệu, hình thức"), required=False)
    verdict = forms.ChoiceField(
        label=_("Kết quả"),
        required=False,
        choices=[("", _("Tất cả")), *((v.value, label) for v, label in VERDICT_TEXT.items())],
    )

    def __init__(self, *args: Any, awards: dict[str, list[tuple[str, str]]], **kwargs: Any) -> None:
        """`awards`: per subject kind, (code, name) of the titles and forms it may get."""
        super().__init__(*args, **kwargs)
        award_field = self.fields["award"]
        assert isinstance(award_field, forms.ChoiceField)
        groups: list[Any] = [("", _("Tất cả (bảng tổng hợp)"))]
        for kind, label in KIND_CHOICES:
            if awards.get(kind):
                options = [(code, f"{code} — {name}") for code, name in awards[kind]]
                groups.append((label, options))
        award_field.choices = groups
        self.fields["year"].widget.choices = year_choices(_asked_year(self.data))  # type: ignore[attr-defined]
        self.fields["q"].widget.attrs["placeholder"] = _("Tên hoặc mã (gõ không dấu cũng được)")
        self.style()


class JudgementForm(forms.Form):
    """One judgement on one condition: met, not met, or withdrawn."""

    MET, NOT_MET, CLEAR = "met", "not_met", "clear"
    DECISIONS = {MET: True, NOT_MET: False, CLEAR: None}

    condition = forms.CharField(max_length=64)
    year = forms.IntegerField(min_value=FIRST_YEAR)
    decision = forms.ChoiceField(
        choices=[(MET, _("Đạt")), (NOT_MET, _("Không đạt")), (CLEAR, _("Bỏ đánh giá"))]
    )
    note = forms.CharField(label=_("Ghi chú"), required=False, max_length=1000)
    award = forms.CharField(required=False, max_length=32)  # only to come back to the same card

    def met(self) -> bool | None:
        return self.DECISIONS[self.cleaned_data["decision"]]
