from __future__ import annotations

import datetime as dt

from django.utils import timezone


def today() -> dt.date:
    return timezone.localdate()


def year_end(year: int) -> dt.date:
    """Membership and ratings are read on 31 December of the year (PROCESS.md §1)."""
    return dt.date(year, 12, 31)


def fmt_date(value: dt.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def parse_vn_date(value: object) -> dt.date | None:
    """Accept a date, a datetime, 'dd/mm/yyyy' or 'yyyy-mm-dd'; None for blanks.

    Raises ValueError on anything else, so importers can report the cell.
    """
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    text = str(value).strip()
    if not text:
        return None
    for pattern in ("%d/%m/%Y", "%Y-%m-%d", "%d-%m-%Y"):
        try:
            return dt.datetime.strptime(text, pattern).date()
        except ValueError:
            continue
    raise ValueError(text)
