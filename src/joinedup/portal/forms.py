"""Reading the person's forms: pure functions, errors named by field."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping


def birth_date_read(
    data: Mapping[str, str], prefix: str = "birth_date"
) -> tuple[dt.date | None, str]:
    """The date from the NHS.UK date input's day, month and year boxes, or None
    and what is wrong."""
    parts = [
        (data.get(f"{prefix}-{p}") or "").strip() for p in ("day", "month", "year")
    ]
    if not any(parts):
        return None, "Enter your date of birth"
    names = ("a day", "a month", "a year")
    missing = [n for n, v in zip(names, parts, strict=True) if not v]
    if missing:
        return None, "Your date of birth must include " + " and ".join(missing)
    if not all(p.isdigit() for p in parts) or len(parts[2]) != 4:
        return None, "Your date of birth must be a real date, for example 15 3 1984"
    try:
        return dt.date(int(parts[2]), int(parts[1]), int(parts[0])), ""
    except ValueError:
        return None, "Your date of birth must be a real date, for example 15 3 1984"
