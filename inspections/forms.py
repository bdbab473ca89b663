"""Forms of the inspection pages: they parse and check shapes; services decide the rest."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from inspections.models import FollowUpStatus
from organizations.models import Council, Unit
from people.forms import BootstrapMixin, VnDateField, unit_choices
from people.models import Person


class PlanFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Tìm kiếm"), required=False, max_length=100)
    year = forms.IntegerField(label=_("Năm"), required=False, min_value=1945, max_value=2100)
    council = forms.ChoiceField(label=_("Hội đồng"), required=False)

    def __init__(self, *args: Any, councils: Sequence[Council], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["council"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Tất cả")), *[(str(c.pk), c.name) for c in councils]]
        self.fields["q"].widget.attrs["placeholder"] = _("Tên kế hoạch, số văn bản")
        self.style()


class PlanForm(BootstrapMixin, forms.Form):
    council = forms.ChoiceField(label=_("Hội đồng Thi đua – Khen thưởng"))
    year = forms.IntegerField(label=_("Năm"), min_value=1945, max_value=2100)
    title = forms.CharField(label=_("Tên kế hoạch"), max_length=500)
    document_number = forms.CharField(label=_("Số văn bản"), max_length=64, required=False)
    document_date = VnDateField(label=_("Ngày văn bản"), required=False)
    contents = forms.CharField(
        label=_("Nội dung kiểm tra"), required=False, widget=forms.Textarea(attrs={"rows": 5})
    )

    def __init__(
        self, *args: Any, councils: Sequence[Council] | None = None, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        if councils is None:
            del self.fields["council"]  # a plan stays with its council
        else:
            field = self.fields["council"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", _("— Chọn hội đồng —")), *[(str(c.pk), c.name) for c in councils]]
        self.style()


class TeamForm(BootstrapMixin, forms.Form):
    name = forms.CharField(label=_("Tên đoàn"), max_length=255)
    leader = forms.ChoiceField(label=_("Trưởng đoàn"))
    members = forms.MultipleChoiceField(
        label=_("Thành viên (ủy viên hội đồng)"), required=False, widget=forms.SelectMultiple
    )
    others = forms.CharField(
        label=_("Thành viên khác"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Mỗi dòng một người: Họ và tên | cơ quan, chức vụ."),
    )

    def __init__(self, *args: Any, people: Sequence[Person], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = [(str(p.pk), f"{p.full_name} — {p.position}") for p in people]
        leader = self.fields["leader"]
        members = self.fields["members"]
        assert isinstance(leader, forms.ChoiceField)
        assert isinstance(members, forms.MultipleChoiceField)
        leader.choices = [("", _("— Chọn —")), *choices]
        members.choices = choices
        self.style()


class InspectionForm(BootstrapMixin, forms.Form):
    unit = forms.ChoiceField(label=_("Đơn vị được kiểm tra"))
    scheduled_on = VnDateField(label=_("Ngày dự kiến"))
    team = forms.ChoiceField(label=_("Đoàn kiểm tra"), required=False)

    def __init__(
        self,
        *args: Any,
        units: Sequence[Unit] | None,
        teams: Sequence[tuple[int, str]],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if units is None:
            del self.fields["unit"]  # the inspected unit identifies the inspection
        else:
            field = self.fields["unit"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", _("— Chọn đơn vị —")), *unit_choices(units)]
        team = self.fields["team"]
        assert isinstance(team, forms.ChoiceField)
        team.choices = [("", _("— Chưa phân công —")), *[(str(pk), n) for pk, n in teams]]
        self.style()


class FindingsForm(BootstrapMixin, forms.Form):
    done_on = VnDateField(label=_("Ngày kiểm tra"))
    findings = forms.CharField(
        label=_("Kết quả kiểm tra"), widget=forms.Textarea(attrs={"rows": 6})
    )
    recommendations = forms.CharField(
        label=_("Kiến nghị"), required=False, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class FollowUpForm(BootstrapMixin, forms.Form):
    action = forms.CharField(
        label=_("Nội dung cần khắc phục, thực hiện"), widget=forms.Textarea(attrs={"rows": 3})
    )
    responsible_unit = forms.ChoiceField(label=_("Đơn vị thực hiện"))
    due_on = VnDateField(label=_("Hạn hoàn thành"))

    def __init__(self, *args: Any, units: Sequence[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["responsible_unit"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("— Chọn đơn vị —")), *unit_choices(units)]
        self.style()


class FollowUpStatusForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(label=_("Chuyển sang trạng thái"))
    closed_on = VnDateField(label=_("Ngày hoàn thành"), required=False)
    note = forms.CharField(
        label=_("Kết quả thực hiện"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Bắt buộc khi đóng."),
    )

    def __init__(self, *args: Any, statuses: Sequence[str], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["status"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [(s, FollowUpStatus(s).label) for s in statuses]
        self.style()


class FollowUpFilterForm(BootstrapMixin, forms.Form):
    STATE_CHOICES = [
        ("", _("Tất cả")),
        ("overdue", _("Quá hạn")),
        *FollowUpStatus.choices,
    ]
    state = forms.ChoiceField(label=_("Trạng thái"), required=False, choices=STATE_CHOICES)
    year = forms.IntegerField(label=_("Năm kế hoạch"), required=False, min_value=1945,
                              max_value=2100)  # fmt: skip

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()
