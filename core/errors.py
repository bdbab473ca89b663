"""Domain errors that services raise; views and the API translate them."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class FieldError:
    field: str
    message: str


class DomainError(Exception):
    """Base class. `message` is a readable (translated) sentence."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ValidationFailed(DomainError):
    """Input is invalid; nothing was written. Maps to HTTP 422."""

    def __init__(self, errors: list[FieldError], message: str | None = None) -> None:
        from django.utils.translation import gettext

        super().__init__(message or gettext("Dữ liệu không hợp lệ."))
        self.errors = errors


class Conflict(DomainError):
    """Duplicate or illegal state change. Maps to HTTP 409."""


def invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed([FieldError(field, message)], message)
