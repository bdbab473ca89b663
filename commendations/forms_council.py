"""Forms of the council, decision and revocation pages: shapes only, services decide."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from commendations.models import ProposalItem, VoteChoice
from organizations.models import CouncilMember
from people.forms import BootstrapMixin, VnDateField


def item_label(item: ProposalItem) -> str:
    who = item.person.full_name if item.person_id else str(item.unit)  # type: ignore[union-attr]
    return f"{who} — {item.award_type.name}"


def member_label(member: CouncilMember) -> str:
    return f"{member.person.full_name} ({member.get_role_display()})"


class SessionForm(BootstrapMixin, forms.Form):
    held_on = VnDateField(label=_("Ngày họp"))
    max_rounds = forms.IntegerField(
        label=_("Số vòng bỏ phiếu tối đa"),
        min_value=1,
        max_value=5,
        initial=2,
        help_text=_("Theo quy chế của Hội đồng (thường tối đa 2 vòng)."),
    )
    quorum = forms.TypedChoiceField(
        label=_("Số thành viên có mặt tối thiểu"),
        choices=[
            ("1/2", _("Một nửa tổng số thành viên")),
            ("2/3", _("Hai phần ba tổng số thành viên")),
            ("3/4", _("Ba phần tư tổng số thành viên")),
            ("1/1", _("Toàn bộ thành viên")),
        ],
        initial="2/3",
        coerce=lambda v: tuple(int(x) for x in v.split("/")),
        help_text=_("Theo quy chế làm việc của Hội đồng (thường là 2/3)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class AttendanceForm(BootstrapMixin, forms.Form):
    present = forms.MultipleChoiceField(
        label=_("Thành viên có mặt"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, members: Sequence[CouncilMember], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["present"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(str(m.pk), member_label(m)) for m in members]


class WrittenOpinionForm(BootstrapMixin, forms.Form):
    member = forms.ChoiceField(label=_("Thành viên vắng mặt"))
    item = forms.ChoiceField(label=_("Đề nghị"))
    choice = forms.ChoiceField(
        label=_("Ý kiến"), choices=VoteChoice.choices, widget=forms.RadioSelect
    )

    def __init__(
        self,
        *args: Any,
        members: Sequence[CouncilMember],
        items: Sequence[ProposalItem],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        member = self.fields["member"]
        item = self.fields["item"]
        assert isinstance(member, forms.ChoiceField)
        assert isinstance(item, forms.ChoiceField)
        member.choices = [("", _("— Chọn —")), *[(str(m.pk), member_label(m)) for m in members]]
        item.choices = [("", _("— Chọn —")), *[(str(i.pk), item_label(i)) for i in items]]
        self.style()
        self.fields["choice"].widget.attrs["class"] = "form-check-input"


class VoteForm(forms.Form):
    item = forms.IntegerField()
    choice = forms.ChoiceField(choices=VoteChoice.choices)


class DecisionForm(BootstrapMixin, forms.Form):
    number = forms.CharField(label=_("Số quyết định"), max_length=64)
    signed_on = VnDateField(label=_("Ngày ký"))
    signer = forms.CharField(label=_("Người ký"), max_length=150)
    authority = forms.CharField(label=_("Cơ quan quyết định"), max_length=255)
    items = forms.MultipleChoiceField(
        label=_("Đề nghị được khen thưởng"), widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, items: Sequence[ProposalItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["items"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(str(i.pk), item_label(i)) for i in items]
        self.fields["number"].widget.attrs["placeholder"] = _("Ví dụ: 125/QĐ-BTNMT")
        self.style()
        field.widget.attrs["class"] = "form-check-input"


class RevokeForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Lý do thu hồi"),
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Theo Điều 93 Luật Thi đua, khen thưởng, ví dụ: kê khai không trung thực."),
    )
    decision_number = forms.CharField(label=_("Số quyết định thu hồi"), max_length=64)
    decision_date = VnDateField(label=_("Ngày quyết định thu hồi"))
    confirm = forms.BooleanField(
        label=_("Tôi xác nhận thu hồi khen thưởng này; không hoàn tác được."), required=True
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()
