"""Template tags of propagation: the spread section of the exemplar page."""

from __future__ import annotations

from typing import Any

from django import template

from exemplars.models import Exemplar
from propagation.spread import spread_context

register = template.Library()


@register.simple_tag(takes_context=True)
def spread_for(context: template.Context, exemplar: Exemplar) -> dict[str, Any]:
    """`{% spread_for exemplar as s %}`: the figures, rows and picture of the section."""
    request = context.get("request")
    user = getattr(request, "user", None)
    return spread_context(user, exemplar)
