"""Context for the assessment, fostering and monitoring sections of the exemplar page."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from exemplars.models import Exemplar


def detail_sections(request: HttpRequest, exemplar: Exemplar) -> dict[str, Any]:
    return {}
