"""Which units must answer which requirements, for many requirements at once.

plans.services.units_in_scope(requirement) answers this for one requirement
with one query; the reminder run needs it for every open requirement in a
fixed number of queries, so it builds the plans app's TreeOnDates once for all
the due dates (the same rule: the tree as it stood on the due date, units
active that day). tests/test_notifications_reminders.py checks that both agree.
"""

from __future__ import annotations

from collections.abc import Iterable

from organizations.models import Unit
from plans.models import Requirement
from plans.services import TreeOnDates


def units_in_scope_many(requirements: Iterable[Requirement]) -> dict[int, list[Unit]]:
    """{requirement id: units in its scope on its due date}, in tree order. One query."""
    requirements = list(requirements)
    if not requirements:
        return {}
    tree = TreeOnDates(r.due_on for r in requirements)
    return {r.pk: tree.scope(r.plan.issuer_id, r.scope, r.due_on) for r in requirements}
