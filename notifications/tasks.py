"""Background work of the notifications app (django-tasks; `make worker` runs them)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django_tasks import task

from notifications import services


@task()
def send_plan_reminders_task(on: str | None = None) -> dict[str, Any]:
    """Run the daily plan reminders for `on` (ISO date; today when empty).

    Arguments and result travel through the task database as JSON, hence strings.
    """
    day = dt.date.fromisoformat(on) if on else None
    return services.send_plan_reminders(day).as_dict()


@task()
def send_replication_reminders_task(on: str | None = None) -> dict[str, Any]:
    """Remind units of replications with no update for six months (see propagation)."""
    from propagation.services import send_replication_reminders

    day = dt.date.fromisoformat(on) if on else None
    return send_replication_reminders(day).as_dict()
