"""The integration team's pages: daily totals per source, the quarantine, and
fix-and-replay / discard-with-reason. Thin: parse, call selectors/services, render.
Only the `admin` role (the integration team) may use them: they hold raw messages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from joinedup.errors import Conflict, InvalidInput
from joinedup.governance.access import Actor
from joinedup.interop.models import IngestKind, QuarantineStatus
from joinedup.interop.selectors import (
    QuarantineFilters,
    integration_access_check,
    journal_waiting_summary,
    quarantine_item_get,
    quarantine_open_counts,
    quarantine_page,
    quarantine_sources,
    totals_by_source_day,
    totals_overall,
)
from joinedup.interop.services import quarantine_discard, quarantine_replay
from joinedup.web.actors import request_actor
from joinedup.web.problems import problem_pages


def _actor(request: HttpRequest) -> Actor:
    """The integration team only (refused otherwise: the problem page, 403)."""
    actor = request_actor(request)
    integration_access_check(actor)
    return actor


@login_required
@problem_pages
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    return render(
        request,
        "interop/dashboard.html",
        {
            "totals": totals_by_source_day(actor=actor),
            "overall": totals_overall(actor=actor),
            "open_counts": sorted(quarantine_open_counts(actor=actor).items()),
            "waiting": journal_waiting_summary(actor=actor),
        },
    )


def _int(value: str | None, default: int = 1) -> int:
    try:
        return max(1, int(value or default))
    except ValueError:
        return default


@login_required
@problem_pages
def quarantine_list(request: HttpRequest) -> HttpResponse:
    actor = _actor(request)
    status = request.GET.get("status", QuarantineStatus.OPEN)
    filters = QuarantineFilters(
        status=status if status in QuarantineStatus.values else QuarantineStatus.OPEN,
        source=request.GET.get("source", ""),
        kind=request.GET.get("kind", "")
        if request.GET.get("kind", "") in IngestKind.values
        else "",
    )
    page = quarantine_page(
        actor=actor, filters=filters, page=_int(request.GET.get("page"))
    )
    return render(
        request,
        "interop/quarantine_list.html",
        {
            "page": page,
            "filters": filters,
            "statuses": QuarantineStatus.choices,
            "kinds": IngestKind.choices,
            "sources": quarantine_sources(),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
@problem_pages
def quarantine_detail(request: HttpRequest, item_id: int) -> HttpResponse:
    actor = _actor(request)
    errors: dict[str, str] = {}
    raw_value: str | None = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action == "replay":
                raw_value = request.POST.get("raw", "")
                result = quarantine_replay(actor=actor, item_id=item_id, raw=raw_value)
                if result.applied:
                    messages.success(
                        request, f"Item {item_id} was replayed and applied."
                    )
                    return HttpResponseRedirect(reverse("quarantine_list"))
                errors["raw"] = f"Still cannot be applied: {result.reason}"
            elif action == "discard":
                quarantine_discard(
                    actor=actor, item_id=item_id, reason=request.POST.get("reason", "")
                )
                messages.success(request, f"Item {item_id} was discarded.")
                return HttpResponseRedirect(reverse("quarantine_list"))
            else:
                errors["action"] = "Choose replay or discard"
        except InvalidInput as exc:
            field = next(iter(exc.fields), "raw")
            errors[field] = exc.fields.get(field, exc.detail).capitalize()
        except Conflict as exc:
            errors["action"] = exc.detail
    item = quarantine_item_get(actor=actor, item_id=item_id)  # or the 404 page
    return render(
        request,
        "interop/quarantine_detail.html",
        {
            "item": item,
            "errors": errors,
            "raw_value": item.raw if raw_value is None else raw_value,
            "reason_value": request.POST.get("reason", ""),
        },
        status=400 if errors else 200,
    )
