"""Population health pages: overview (levels of care, last refresh), case finding
with accept / dismiss, the JSNA figures (with CSV) and the risk model's card.
Thin: parse, call services and selectors, render."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from joinedup.errors import InvalidInput
from joinedup.population import selectors, services
from joinedup.population.engine.jobs import DIMENSIONS
from joinedup.web.actors import request_actor
from joinedup.web.charts.bars import bar_svg
from joinedup.web.problems import problem_pages, write_then_redirect


@login_required
@require_GET
@problem_pages
def overview(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    return render(
        request,
        "population/overview.html",
        {
            "status": selectors.refresh_status(),
            "levels": selectors.level_counts(),
            "may_case_find": selectors.case_finding_may_use(actor),
        },
    )


@login_required
@require_GET
@problem_pages
def case_finding(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    proposals = selectors.case_finding_list(actor=actor)
    return render(
        request,
        "population/case_finding.html",
        {
            "status": selectors.refresh_status(),
            "proposals": proposals,
            "sizes": selectors.caseload_sizes(actor=actor),
            "errors": {},
            "done": request.GET.get("done", ""),
        },
    )


def _person_id(request: HttpRequest) -> int:
    """The person a case-finding decision is about (a form field, so the route
    itself carries no person)."""
    raw = request.POST.get("person", "")
    if not raw.isdigit():
        raise InvalidInput.for_field("person", "choose a person from the list")
    return int(raw)


@login_required
@require_POST
@problem_pages
def case_finding_accept(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    person_id = _person_id(request)
    services.case_finding_accept(actor=actor, person_id=person_id)
    return HttpResponseRedirect(reverse("population_case_finding") + "?done=accepted")


@login_required
@require_POST
@problem_pages
def case_finding_dismiss(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    person_id = _person_id(request)

    def page(errors: dict[str, str]) -> HttpResponse:
        return render(
            request,
            "population/case_finding.html",
            {
                "status": selectors.refresh_status(),
                "proposals": selectors.case_finding_list(actor=actor),
                "sizes": selectors.caseload_sizes(actor=actor),
                "errors": {
                    f"reason-{person_id}": errors.get(
                        "reason", "; ".join(errors.values())
                    )
                },
                "error_person": person_id,
            },
        )

    return write_then_redirect(
        lambda: services.case_finding_dismiss(
            actor=actor, person_id=person_id, reason=request.POST.get("reason", "")
        ),
        to=reverse("population_case_finding") + "?done=dismissed",
        form=page,
        field="reason",
    )


def _chart(table: selectors.MeasureTable, slug: str) -> str:
    """Bars for the latest period, suppressed groups left out (the data table
    says "<5" for them)."""
    if not table.periods:
        return ""
    bars = [
        (group, round(cells[-1].rate, 1))
        for group, cells in table.rows
        if cells and cells[-1].rate is not None
    ]
    return bar_svg(
        f"{table.label}, {table.unit}, {table.periods[-1]}",
        bars,
        label_id=f"{slug}-table",
    )


def _trend(table: selectors.MeasureTable, slug: str) -> str:
    """The whole population's rate in each period (a trend), when there are
    several periods."""
    if len(table.periods) < 2:
        return ""
    whole = next((cells for group, cells in table.rows if group == "all"), None)
    if whole is None:
        return ""
    bars = [
        (f"Year to {period.split(' to ')[-1]}", round(c.rate, 1))
        for period, c in zip(table.periods, whole, strict=True)
        if c.rate is not None
    ]
    return bar_svg(
        f"{table.label}, {table.unit}, by year", bars, label_id=f"{slug}-table"
    )


@login_required
@require_GET
@problem_pages
def jsna(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    by = request.GET.get("by", "age_band")
    try:
        figures = selectors.jsna_figures(actor=actor, dimension=by)
    except InvalidInput as exc:
        return render(
            request,
            "population/jsna.html",
            {
                "errors": {"by": exc.fields.get("by", exc.detail)},
                "dimensions": selectors.DIMENSION_LABELS,
                "by": by,
                "status": selectors.refresh_status(),
            },
            status=400,
        )
    if request.GET.get("format") == "csv":
        buffer = io.StringIO()
        csv.writer(buffer).writerows(selectors.jsna_csv_rows(figures))
        response = HttpResponse(buffer.getvalue(), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="jsna-by-{by}.csv"'
        return response
    overall = selectors.jsna_figures(actor=actor, dimension="all")
    trends = {
        t.key: mark_safe(_trend(t, t.key.replace("_", "-") + "-trend"))  # noqa: S308 - escaped in bar_svg
        for t in overall.tables
    }
    overall_rows = {
        t.key: [
            (period, cell)
            for group, cells in t.rows
            if group == "all"
            for period, cell in zip(t.periods, cells, strict=True)
        ]
        for t in overall.tables
    }
    tables = [
        (
            t,
            t.key.replace("_", "-"),
            mark_safe(_chart(t, t.key.replace("_", "-"))),  # noqa: S308 - escaped
            trends.get(t.key, ""),
            overall_rows.get(t.key, []),
        )
        for t in figures.tables
    ]
    return render(
        request,
        "population/jsna.html",
        {
            "figures": figures,
            "tables": tables,
            "dimensions": selectors.DIMENSION_LABELS,
            "by": by,
            "valid_by": DIMENSIONS,
            "status": selectors.refresh_status(),
            "errors": {},
        },
    )


@login_required
@require_GET
@problem_pages
def model_card(request: HttpRequest) -> HttpResponse:
    card = selectors.model_card()
    svg = ""
    if card is not None:
        svg = mark_safe(  # noqa: S308 - escaped in bar_svg
            bar_svg(
                "Observed emergency admissions by decile of predicted risk, per "
                "cent, with the predicted rate marked",
                [(label, observed) for label, _p, observed in card.calibration_bars],
                label_id="calibration-table",
                marks=[predicted for _l, predicted, _o in card.calibration_bars],
                unit="%",
            )
        )
    return render(
        request,
        "population/model_card.html",
        {"card": card, "svg": svg, "status": selectors.refresh_status()},
    )
