"""What every page does with a domain error, and how every form reads a date:
one place, so a refusal looks the same everywhere and every date field accepts
the same input.

Views let domain errors through: `@problem_pages` (under `@login_required`) turns
any `DomainError` a view raises into the problem page with the error's status, and
`write_then_redirect` runs a form's write, then redirects, or shows the form again
with the fields at fault."""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping
from typing import Any, TypeVar, overload

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render

from joinedup.errors import DomainError, InvalidInput
from joinedup.people.selectors import RecordRefused

DEFAULT_TITLE = "There is a problem"

View = TypeVar("View", bound=Callable[..., HttpResponse])
Written = TypeVar("Written")


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


@overload
def problem_pages(view: View, /) -> View: ...
@overload
def problem_pages(
    *, titles: Mapping[int, str] | None = None
) -> Callable[[View], View]: ...
def problem_pages(
    view: View | None = None, /, *, titles: Mapping[int, str] | None = None
) -> View | Callable[[View], View]:
    """The one place a page answers a domain error: the view (or anything it calls)
    raises, and the person sees the problem page for it (400 invalid, 403 refused,
    404 not found, 409 conflict), with `titles` for the statuses if given."""

    def decorate(inner: View) -> View:
        @functools.wraps(inner)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            try:
                return inner(request, *args, **kwargs)
            except DomainError as exc:
                return problem_page(request, exc, titles=titles)

        return wrapped  # type: ignore[return-value]

    return decorate(view) if view is not None else decorate


def write_then_redirect(
    write: Callable[[], Written],
    *,
    to: str | Callable[[Written], str],
    form: Callable[[dict[str, str]], HttpResponse],
    on_form: tuple[type[DomainError], ...] = (InvalidInput,),
    field: str = "form",
) -> HttpResponse:
    """Run a form's write, then redirect (to a URL, or one built from what the write
    returned). Bad input shows the form again with its fields at fault
    (`InvalidInput.fields`) and status 400; the errors in `on_form` (a conflict,
    say) show it again too, their sentence against `field`, with their own status.
    Any other domain error goes on to the problem page (`problem_pages`)."""
    try:
        written = write()
    except on_form as exc:
        if isinstance(exc, InvalidInput) and exc.fields:
            errors = dict(exc.fields)
        else:
            errors = {field: exc.detail}
        response = form(errors)
        response.status_code = exc.status
        return response
    return HttpResponseRedirect(to if isinstance(to, str) else to(written))


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
