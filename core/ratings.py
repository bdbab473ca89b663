"""The yearly rating upsert shared by units and people (same rules, same audit shape)."""

from __future__ import annotations

import datetime as dt
from typing import Any, TypeVar

from django.db import models
from django.utils.translation import gettext as _

from audit import services as audit
from core.choices import Rating
from core.errors import invalid

M = TypeVar("M", bound=models.Model)


def check_year(year: int) -> None:
    if not 1945 <= year <= dt.date.today().year + 1:
        raise invalid("year", _("Năm %(y)s không hợp lệ.") % {"y": year})


def check_rating(rating: str) -> None:
    if rating not in Rating.values:
        raise invalid("rating", _("Xếp loại “%(r)s” không hợp lệ.") % {"r": rating})


def rating_set(
    model: type[M], *, actor: Any, owner_field: str, owner: models.Model, year: int,
    rating: str, action: str, unit: Any, extra: dict[str, Any] | None = None,
) -> M:  # fmt: skip
    """Create or change the rating of `owner` for `year`; audited in the caller's transaction."""
    check_rating(rating)
    check_year(year)
    existing = (
        model._default_manager.select_for_update()
        .filter(**{owner_field: owner, "year": year})
        .first()
    )
    before = audit.snapshot(existing, ["year", "rating"]) if existing else None
    if existing is None:
        existing = model._default_manager.create(
            **{owner_field: owner, "year": year, "rating": rating}
        )
    else:
        existing.rating = rating  # type: ignore[attr-defined]
        existing.save(update_fields=["rating"])
    audit.record(
        actor=actor, action=action, obj=existing, before=before,
        after={**audit.snapshot(existing, ["year", "rating"]), **(extra or {})}, unit=unit,
    )  # fmt: skip
    return existing
