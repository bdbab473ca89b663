"""Forms of the round, proposal and dossier pages: they parse and check shapes; the
services decide the rest (eligibility, double reward, the workflow)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _

from awards.models import AwardType, Initiative
from commendations.models import DocumentKind, ProposalItem, RoundKind
from commendations.services_proposals import UPLOAD_KINDS
from exemplars.models import Exemplar
from organizations.models import Unit
from people.forms import BootstrapMixin, VnDateField, person_picker, unit_choices
from people.models import Person


class RoundFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("Tìm kiếm"), required=False, max_length=100)
    year = forms.IntegerField(
        label=_("Năm thành tích"), required=False, min_value=2000, max_value=2100
    )
    kind = forms.ChoiceField(
        label=_("Loại"), required=False, choices=[("", _("Tất cả")), *RoundKind.choices]
    )
    unit = forms.ChoiceField(label=_("Cấp quyết định"), required=False)

    def __init__(self, *args: Any, units: Sequence[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("Tất cả")), *unit_choices(units)]
        self.fields["q"].widget.attrs["placeholder"] = _("Tên, mã đợt (gõ không dấu được)")
        self.style()


class RoundForm(BootstrapMixin, forms.Form):
    code = forms.CharField(
        label=_("Mã đợt"),
        max_length=64,
        help_text=_("Duy nhất, ví dụ KT-2024-BO."),
    )
    deciding_unit = forms.ChoiceField(label=_("Cấp quyết định"))
    title = forms.CharField(
        label=_("Tên đợt xét"), max_length=500, widget=forms.Textarea(attrs={"rows": 2})
    )
    kind = forms.ChoiceField(label=_("Loại"), choices=RoundKind.choices)
    year = forms.IntegerField(label=_("Năm thành tích"), min_value=2000, max_value=2100)
    movement = forms.ChoiceField(label=_("Phong trào thi đua"), required=False)
    submission_due = VnDateField(label=_("Hạn gửi hồ sơ"))
    appraisal_due = VnDateField(label=_("Hạn thẩm định"), required=False)
    council_on = VnDateField(label=_("Ngày họp hội đồng dự kiến"), required=False)
    posting_working_days = forms.IntegerField(
        label=_("Số ngày làm việc niêm yết công khai"),
        min_value=0,
        max_value=60,
        initial=10,
        help_text=_(
            "Danh sách được niêm yết trên cổng thông tin trong số ngày làm việc này trước "
            "ngày họp hội đồng (Điều 84.5 Luật Thi đua, khen thưởng); 0 là không niêm yết."
        ),
    )
    note = forms.CharField(
        label=_("Ghi chú"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(
        self,
        *args: Any,
        units: Sequence[Unit] = (),
        movements: Sequence[Any] = (),
        editing: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        if editing:
            # The code and the deciding unit identify the round.
            del self.fields["code"]
            del self.fields["deciding_unit"]
        else:
            field = self.fields["deciding_unit"]
            assert isinstance(field, forms.ChoiceField)
            field.choices = [("", _("— Chọn —")), *unit_choices(units)]
        movement = self.fields["movement"]
        assert isinstance(movement, forms.ChoiceField)
        movement.choices = [("", _("— Không —")), *[(str(m.pk), m.name) for m in movements]]
        self.style()


class ProposalCreateForm(BootstrapMixin, forms.Form):
    unit = forms.ChoiceField(label=_("Đơn vị đề nghị"))
    simplified = forms.BooleanField(
        label=_("Hồ sơ theo thủ tục đơn giản"),
        required=False,
        help_text=_(
            "Chỉ gồm tờ trình và báo cáo tóm tắt thành tích: khen thưởng đột xuất, nhiệm vụ "
            "cấp bách, trường hợp thủ trưởng trực tiếp phát hiện (Điều 85)."
        ),
    )

    def __init__(self, *args: Any, units: Sequence[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["unit"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("— Chọn —")), *unit_choices(units)]
        self.style()


class ProposalEditForm(BootstrapMixin, forms.Form):
    summary = forms.CharField(
        label=_("Nội dung tờ trình"),
        required=False,
        max_length=20_000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Để trống để dùng nội dung mặc định khi tạo tờ trình."),
    )
    simplified = ProposalCreateForm.base_fields["simplified"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


def initiative_label(initiative: Initiative) -> str:
    authors = ", ".join(a.full_name for a in initiative.authors.all())
    return f"{initiative.title} ({initiative.year}; {authors})"


def exemplar_label(exemplar: Exemplar) -> str:
    return f"{exemplar.title} ({exemplar.year}; {exemplar.get_state_display()})"


RECIPIENT_CHOICES = [("person", _("Cá nhân")), ("unit", _("Tập thể"))]


class ItemForm(BootstrapMixin, forms.Form):
    """A new item: the recipient, the award, the achievement, an exemplar, initiatives."""

    recipient_kind = forms.ChoiceField(
        label=_("Đối tượng"), choices=RECIPIENT_CHOICES, widget=forms.RadioSelect, initial="person"
    )
    person = forms.CharField(
        label=_("Cá nhân"),
        required=False,
        max_length=50,
        help_text=_("Gõ tên hoặc mã cán bộ của đơn vị rồi chọn trong danh sách gợi ý."),
    )
    collective = forms.ChoiceField(label=_("Tập thể"), required=False)
    award_type = forms.ChoiceField(label=_("Danh hiệu, hình thức đề nghị"))
    achievement = forms.CharField(
        label=_("Tóm tắt thành tích"),
        max_length=10_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    exemplar = forms.ChoiceField(
        label=_("Điển hình tiên tiến liên quan"),
        required=False,
        help_text=_("Khi đề nghị khen thưởng cho một điển hình tiên tiến của đơn vị."),
    )
    initiatives = forms.MultipleChoiceField(
        label=_("Sáng kiến, đề tài làm căn cứ"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Chỉ sáng kiến của chính người được đề nghị, chưa dùng cho khen thưởng khác."),
    )

    def __init__(
        self,
        *args: Any,
        people: QuerySet[Person],
        people_url: str,
        collectives: Sequence[Unit],
        award_types: Sequence[AwardType],
        exemplars: Sequence[Exemplar],
        initiatives: Sequence[Initiative],
        **kwargs: Any,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.people = people
        self.collectives = {u.code: u for u in collectives}
        self.award_types = {a.code: a for a in award_types}
        self.exemplars = {str(e.pk): e for e in exemplars}
        self.initiative_map = {str(i.pk): i for i in initiatives}
        person_picker(self.fields["person"], people_url)
        self._choices("collective", unit_choices(collectives))
        self._choices(
            "award_type",
            [(a.code, f"{a.name} ({a.get_recipient_display()})") for a in award_types],
        )
        self._choices("exemplar", [(k, exemplar_label(e)) for k, e in self.exemplars.items()])
        field = self.fields["initiatives"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(k, initiative_label(i)) for k, i in self.initiative_map.items()]
        self.style()
        self.fields["recipient_kind"].widget.attrs["class"] = "form-check-input"
        field.widget.attrs["class"] = "form-check-input"

    def _choices(self, name: str, choices: list[tuple[str, str]]) -> None:
        field = self.fields[name]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [("", _("— Chọn —")), *choices]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        kind = data.get("recipient_kind")
        code = (data.get("person") or "").strip()
        person: Person | None = None
        unit = self.collectives.get(data.get("collective") or "")
        if kind == "person":
            if not code:
                self.add_error("person", _("Chọn cá nhân được đề nghị."))
            else:
                person = self.people.filter(code=code).first()
                if person is None:
                    self.add_error(
                        "person",
                        _("Không tìm thấy cán bộ có mã “%(c)s” trong đơn vị đề nghị.")
                        % {"c": code},
                    )
        if kind == "unit" and unit is None:
            self.add_error("collective", _("Chọn tập thể được đề nghị."))
        data["person_obj"] = person if kind == "person" else None
        data["unit_obj"] = unit if kind == "unit" else None
        data["award_obj"] = self.award_types.get(data.get("award_type") or "")
        exemplar = self.exemplars.get(data.get("exemplar") or "")
        if exemplar is not None:
            subject_ok = (
                exemplar.person_id == getattr(person, "pk", None)
                if kind == "person"
                else exemplar.subject_unit_id == getattr(unit, "pk", None)
            )
            if not subject_ok:
                self.add_error(
                    "exemplar", _("Điển hình này không phải của đối tượng được đề nghị.")
                )
        data["exemplar_obj"] = exemplar
        data["initiative_objs"] = [
            self.initiative_map[k] for k in data.get("initiatives", []) if k in self.initiative_map
        ]
        return data


class ItemEditForm(BootstrapMixin, forms.Form):
    """What the unit corrects on an item (the recipient and the award stay: delete and
    add again to change them)."""

    achievement = ItemForm.base_fields["achievement"]
    initiatives = forms.MultipleChoiceField(
        label=_("Sáng kiến, đề tài làm căn cứ"),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    def __init__(self, *args: Any, initiatives: Sequence[Initiative], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.initiative_map = {str(i.pk): i for i in initiatives}
        field = self.fields["initiatives"]
        assert isinstance(field, forms.MultipleChoiceField)
        field.choices = [(k, initiative_label(i)) for k, i in self.initiative_map.items()]
        self.style()
        field.widget.attrs["class"] = "form-check-input"

    def initiative_objs(self) -> list[Initiative]:
        keys = self.cleaned_data.get("initiatives", [])
        return [self.initiative_map[k] for k in keys if k in self.initiative_map]


class OverrideForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("Lý do đề nghị khi chưa đủ điều kiện"),
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Ví dụ: thành tích đột xuất đặc biệt xuất sắc. Ít nhất 10 ký tự."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class ReturnForm(BootstrapMixin, forms.Form):
    comment = forms.CharField(
        label=_("Ý kiến thẩm định (nội dung cần bổ sung, sửa)"),
        max_length=5_000,
        widget=forms.Textarea(attrs={"rows": 4}),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()


class DocumentForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("Loại tài liệu"),
        choices=[(k.value, k.label) for k in UPLOAD_KINDS],
        initial=DocumentKind.CERTIFICATION,
    )
    item = forms.ChoiceField(label=_("Thuộc đề nghị"), required=False)
    file = forms.FileField(
        label=_("Tệp"),
        help_text=_("PDF, Word, Excel hoặc ảnh chụp; tối đa 20 MB."),
    )

    def __init__(self, *args: Any, items: Sequence[ProposalItem], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.items = {str(i.pk): i for i in items}
        field = self.fields["item"]
        assert isinstance(field, forms.ChoiceField)
        field.choices = [
            ("", _("— Cả hồ sơ —")),
            *[(k, f"{i.person or i.unit} — {i.award_type.name}") for k, i in self.items.items()],
        ]
        self.style()

    def item_obj(self) -> ProposalItem | None:
        return self.items.get(self.cleaned_data.get("item") or "")


class PostingCommentForm(BootstrapMixin, forms.Form):
    item = forms.TypedChoiceField(
        label=_("Góp ý về trường hợp"), required=False, coerce=int, empty_value=None
    )
    name = forms.CharField(label=_("Họ và tên"), max_length=255)
    contact = forms.CharField(
        label=_("Điện thoại hoặc thư điện tử"),
        max_length=255,
        required=False,
        help_text=_("Để cơ quan thường trực liên hệ khi cần làm rõ (không công bố)."),
    )
    content = forms.CharField(
        label=_("Nội dung góp ý"), max_length=5000, widget=forms.Textarea(attrs={"rows": 4})
    )

    def __init__(self, *args: Any, choices: Sequence[tuple[int, str]] = (), **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["item"]
        assert isinstance(field, forms.TypedChoiceField)
        field.choices = [("", _("Chung về cả danh sách")), *choices]
        self.style()


class CommentResponseForm(BootstrapMixin, forms.Form):
    response = forms.CharField(
        label=_("Ý kiến xử lý"), max_length=5000, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.style()
