"""What every page does with a domain error, and how every form reads a date:
one place, so a refusal looks the same everywhere and every date field accepts
the same input."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from joinedup.errors import DomainError, InvalidInput
from joinedup.people.selectors import RecordRefused

DEFAULT_TITLE = "There is a problem"


def problem_page(
    request: HttpRequest,
    error: DomainError,
    *,
    titles: Mapping[int, str] | None = None,
) -> HttpResponse:
    """A refused record offers what the role may do about it (people/refused);
    any other error is a page titled for its status, with its message."""
    if isinstance(error, RecordRefused):
        return render(
            request,
            "people/refused.html",
            {"detail": error.detail, "help": error.help},
            status=403,
        )
    title = (titles or {}).get(error.status, DEFAULT_TITLE)
    return render(
        request,
        "web/problem.html",
        {"title": title, "detail": error.detail},
        status=error.status,
    )


def form_date(raw: str | None, field: str, *, required: bool = True) -> dt.date | None:
    """A date typed as 15/3/2026 or 2026-03-15; a clear error naming the field
    otherwise."""
    raw = (raw or "").strip()
    if not raw:
        if required:
            raise InvalidInput.for_field(field, "enter a date")
        return None
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        try:
            return dt.datetime.strptime(raw, fmt).date()  # noqa: DTZ007
        except ValueError:
            continue
    raise InvalidInput.for_field(field, "enter a real date, for example 15/3/2026")
