"""Forms of the login and user-management pages: shapes only; services decide the rest."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _

from accounts.models import Role, User
from core.errors import FieldError
from organizations.models import Unit


class LoginForm(AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Tên đăng nhập hoặc mật khẩu không đúng. Lưu ý: sai nhiều lần liên tiếp, "
            "tài khoản sẽ bị tạm khóa."
        ),
        "inactive": _("Tài khoản này đã bị khóa."),
    }


# --- helpers -----------------------------------------------------------------------


def unit_choices(units: Sequence[Unit]) -> list[tuple[str, str]]:
    """Units in tree order (callers pass them ordered by path), indented by depth."""
    base = min((u.depth for u in units), default=0)
    indent = "\u00a0\u00a0"
    return [(u.code, f"{indent * max(0, u.depth - base)}{u.name} ({u.code})") for u in units]


class BootstrapForm(forms.Form):
    """Bootstrap classes, help texts and errors tied to their inputs for screen readers."""

    def style(self) -> None:
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.RadioSelect):
                css = "form-check-input"
            elif isinstance(widget, forms.Select):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs.setdefault("class", css)
            if field.help_text:
                widget.attrs.setdefault("aria-describedby", f"{self[name].auto_id}_help")

    def add_error(self, field: str | None, error: Any) -> None:
        super().add_error(field, error)
        # full_clean reports field errors through here too, so every error is marked.
        for name in self.errors:
            if name not in self.fields:
                continue
            attrs = self.fields[name].widget.attrs
            if "is-invalid" not in attrs.get("class", ""):
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"
                error_id = f"{self[name].auto_id}_error"
                described = attrs.get("aria-describedby", "")
                attrs["aria-describedby"] = f"{described} {error_id}".strip()


def add_service_errors(form: forms.Form, errors: list[FieldError], aliases: dict[str, str]) -> None:
    """Show each service error on its field (renamed through `aliases`), else on the form."""
    for error in errors:
        name = aliases.get(error.field, error.field)
        form.add_error(name if name in form.fields else None, error.message)


ROLE_CHOICES: list[tuple[str, Any]] = [("", _("— Chọn vai trò —")), *Role.choices]


# --- list filters -------------------------------------------------------------------


class UserFilterForm(BootstrapForm):
    STATUS_CHOICES = [
        ("", _("Tất cả")),
        ("active", _("Đang hoạt động")),
        ("inactive", _("Đã khóa")),
    ]

    q = forms.CharField(
        label=_("Tìm kiếm"),
        required=False,
        max_length=100,
        help_text=_("Tên đăng nhập, họ tên hoặc thư điện tử; không phân biệt dấu."),
    )
    role = forms.ChoiceField(
        label=_("Vai trò"), required=False, choices=[("", _("Tất cả")), *Role.choices]
    )
    unit = forms.ChoiceField(label=_("Đơn vị (cả đơn vị trực thuộc)"), required=False)
    status = forms.ChoiceField(label=_("Trạng thái"), required=False, choices=STATUS_CHOICES)

    def __init__(self, *args: Any, units: Sequence[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("Tất cả")), *unit_choices(units)]  # type: ignore[attr-defined]
        self.style()


# --- create ---------------------------------------------------------------------------


class UserCreateForm(BootstrapForm):
    MODE_PASSWORD = "password"
    MODE_EMAIL = "email"
    MODE_CHOICES = [
        (MODE_PASSWORD, _("Đặt mật khẩu ngay (nhập hai lần)")),
        (MODE_EMAIL, _("Gửi thư để người dùng tự đặt mật khẩu")),
    ]

    username = forms.CharField(
        label=_("Tên đăng nhập"),
        max_length=150,
        validators=[User.username_validator],
        help_text=_("Chữ cái, chữ số và các ký tự @ . + - _ ; tối đa 150 ký tự."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none"}),
    )
    first_name = forms.CharField(
        label=_("Họ và tên đệm"), max_length=150, required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
    )  # fmt: skip
    last_name = forms.CharField(
        label=_("Tên"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "off"})
    )
    email = forms.EmailField(label=_("Thư điện tử"), required=False)
    person = forms.CharField(
        label=_("Mã cán bộ liên kết"),
        max_length=32,
        required=False,
        help_text=_("Không bắt buộc. Mã của cán bộ thuộc phạm vi bạn quản lý."),
    )
    role = forms.ChoiceField(label=_("Vai trò"), choices=ROLE_CHOICES)
    unit = forms.ChoiceField(
        label=_("Trên đơn vị"),
        help_text=_("Vai trò có hiệu lực với đơn vị này và mọi đơn vị trực thuộc."),
    )
    mode = forms.ChoiceField(
        label=_("Cách đặt mật khẩu"),
        choices=MODE_CHOICES,
        initial=MODE_EMAIL,
        widget=forms.RadioSelect,
    )
    password1 = forms.CharField(
        label=_("Mật khẩu"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("Ít nhất 8 ký tự, không quá đơn giản, không trùng tên đăng nhập."),
    )
    password2 = forms.CharField(
        label=_("Nhập lại mật khẩu"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, units: Sequence[Unit], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("— Chọn đơn vị —")), *unit_choices(units)]  # type: ignore[attr-defined]
        self.style()

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        mode = data.get("mode")
        if mode == self.MODE_PASSWORD:
            first, second = data.get("password1") or "", data.get("password2") or ""
            if not first:
                self.add_error("password1", _("Hãy nhập mật khẩu."))
            elif first != second:
                self.add_error("password2", _("Hai lần nhập mật khẩu không khớp."))
        elif mode == self.MODE_EMAIL and not data.get("email") and "email" not in self.errors:
            self.add_error("email", _("Cần địa chỉ thư điện tử để gửi thư đặt mật khẩu."))
        return data

    @property
    def password(self) -> str | None:
        if self.cleaned_data.get("mode") == self.MODE_PASSWORD:
            return str(self.cleaned_data["password1"])
        return None


# --- grants -------------------------------------------------------------------------


class GrantForm(BootstrapForm):
    role = forms.ChoiceField(label=_("Vai trò"), choices=ROLE_CHOICES)
    unit = forms.ChoiceField(
        label=_("Đơn vị"),
        help_text=_("Vai trò có hiệu lực với đơn vị này và mọi đơn vị trực thuộc."),
    )

    def __init__(self, *args: Any, units: Sequence[Unit], **kwargs: Any) -> None:
        kwargs.setdefault("prefix", "grant")
        super().__init__(*args, **kwargs)
        self.fields["unit"].choices = [("", _("— Chọn đơn vị —")), *unit_choices(units)]  # type: ignore[attr-defined]
        self.style()
