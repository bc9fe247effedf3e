"""Finance pages: the cost-shift ledger, pooled funds with their dashboard
(plan, actual, variance, forecast, risk share), the journals form, the BCF
outcome charts and the quarterly return. Thin: parse, call selectors and
services, render."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods

from joinedup.errors import InvalidInput
from joinedup.funding.bcf import fund_outcomes
from joinedup.funding.returns import QUARTERS, XLSX, bcf_return_xlsx, quarter_parse
from joinedup.funding.selectors.ledger import (
    AGGREGATE_ROLES,
    ledger_csv,
    ledger_get,
    ledger_people,
    ledger_period_parse,
    month_first,
)
from joinedup.funding.selectors.pooled import (
    fund_dashboard,
    fund_list,
    fy_label,
    fy_of,
    journals_list,
)
from joinedup.funding.services.pooled import journal_add
from joinedup.web.actors import request_actor
from joinedup.web.charts.bars import bar_svg
from joinedup.web.charts.spc import chart_svg
from joinedup.web.problems import problem_pages, write_then_redirect


@login_required
@require_GET
@problem_pages
def ledger(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    today = timezone.localdate()
    try:
        start, end = ledger_period_parse(request.GET.dict(), today=today)
        if actor.role in AGGREGATE_ROLES:
            result = ledger_get(actor=actor, start=start, end=end)
        else:
            result = ledger_people(actor=actor, start=start, end=end)
    except InvalidInput as exc:
        return render(
            request,
            "funding/ledger_page.html",
            {"errors": exc.fields, "ledger": None, "form": request.GET.dict()},
            status=400,
        )
    if request.GET.get("format") == "csv":
        response = HttpResponse(ledger_csv(result), content_type="text/csv")
        response["Content-Disposition"] = (
            f'attachment; filename="cost-shift-ledger-{start:%Y-%m}-to-{end:%Y-%m}.csv"'
        )
        return response
    return render(
        request,
        "funding/ledger_page.html",
        {
            "ledger": result,
            "totals": result.totals,
            "aggregate": actor.role in AGGREGATE_ROLES,
            "form": {"from": f"{start:%Y-%m}", "to": f"{end:%Y-%m}"},
            "errors": {},
        },
    )


@login_required
@require_GET
@problem_pages
def pooled_list(request: HttpRequest) -> HttpResponse:
    funds = fund_list(actor=request_actor(request))
    return render(request, "funding/pooled_list.html", {"funds": funds})


def _year(raw: str | None) -> int | None:
    if not raw:
        return None
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput.for_field("year", "choose a financial year") from None


def _dashboard(
    request: HttpRequest,
    fund_id: int,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> HttpResponse:
    actor = request_actor(request)
    today = timezone.localdate()
    board = fund_dashboard(
        actor=actor,
        fund_id=fund_id,
        year=_year(request.GET.get("year")),
        today=today,
    )
    journals = journals_list(actor=actor, fund_id=fund_id, limit=20)
    ended = [(m, plan, actual) for m, plan, actual, _, done in board.monthly if done]
    context = {
        "board": board,
        "variance_svg": mark_safe(  # noqa: S308 - escaped in bar_svg
            bar_svg(
                "Actual spend per month, with the plan marked",
                [(f"{m:%b %Y}", float(actual)) for m, _, actual in ended],
                marks=[float(plan) for _, plan, _ in ended],
                label_id="monthly",
            )
        ),
        "journals": journals,
        "years": [(y, fy_label(y)) for y in board.years],
        "quarters": QUARTERS,
        "errors": errors or {},
        "form": form or {},
    }
    return render(
        request, "funding/pooled_dashboard.html", context, status=400 if errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
@problem_pages
def pooled_dashboard(request: HttpRequest, fund_id: int) -> HttpResponse:
    """The dashboard (GET); add a journal (POST)."""
    if request.method == "GET":
        return _dashboard(request, fund_id)
    p = request.POST

    def add() -> object:
        try:
            scheme_id = int(p.get("scheme_id", ""))
        except ValueError:
            raise InvalidInput.for_field("scheme_id", "choose a scheme") from None
        return journal_add(
            actor=request_actor(request),
            fund_id=fund_id,
            scheme_id=scheme_id,
            month=p.get("month", ""),
            amount=p.get("amount", ""),
            description=p.get("description", ""),
            reference=p.get("reference", ""),
        )

    return write_then_redirect(
        add,
        to=reverse("funding_pooled_dashboard", args=[fund_id]),
        form=lambda errors: _dashboard(request, fund_id, errors=errors, form=p.dict()),
    )


@login_required
@require_GET
@problem_pages
def pooled_outcomes(request: HttpRequest, fund_id: int) -> HttpResponse:
    actor = request_actor(request)
    today = timezone.localdate()
    raw_scheme = request.GET.get("scheme") or ""
    try:
        scheme_id = int(raw_scheme) if raw_scheme else None
    except ValueError:
        raise InvalidInput.for_field("scheme", "choose a scheme") from None
    months = request.GET.get("months") or "36"
    if months not in ("12", "24", "36"):
        raise InvalidInput.for_field("months", "choose 12, 24 or 36 months")
    end = month_first(today) - dt.timedelta(days=1)  # the last complete month
    start = month_first(end)
    for _ in range(int(months) - 1):
        start = month_first(start - dt.timedelta(days=1))
    result = fund_outcomes(
        actor=actor,
        fund_id=fund_id,
        scheme_id=scheme_id,
        start=start,
        end=end,
        today=today,
    )
    board = fund_dashboard(actor=actor, fund_id=fund_id, year=None, today=today)
    charts = [
        (
            m.definition.key,
            m,
            mark_safe(chart_svg(m.chart, label_id=f"{m.definition.key}-table")),  # noqa: S308 - built from numbers and dates only
        )
        for m in result.metrics
    ]
    return render(
        request,
        "funding/pooled_outcomes.html",
        {
            "outcomes": result,
            "charts": charts,
            "fund": board.fund,
            "schemes": board.schemes,
            "months": months,
        },
    )


@login_required
@require_GET
@problem_pages
def pooled_return(request: HttpRequest, fund_id: int) -> HttpResponse:
    actor = request_actor(request)
    today = timezone.localdate()
    year = _year(request.GET.get("year")) or fy_of(today)
    quarter = quarter_parse(request.GET.get("quarter", ""))
    content = bcf_return_xlsx(
        actor=actor, fund_id=fund_id, year=year, quarter=quarter, today=today
    )
    response = HttpResponse(content, content_type=XLSX)
    response["Content-Disposition"] = (
        f'attachment; filename="bcf-return-{fund_id}-{year}-q{quarter}.xlsx"'
    )
    return response
