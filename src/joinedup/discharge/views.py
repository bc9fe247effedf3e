"""Discharge pages: the ward board, a patient's discharge page with its forms, and
the daily sitrep. Thin: parse, call services and selectors, render."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_POST

from joinedup.discharge import notices, rules, services
from joinedup.discharge.dashboard import (
    PERIODS,
    dashboard_filters_parse,
    dashboard_get,
)
from joinedup.discharge.models import NoticeKind
from joinedup.discharge.selectors import (
    SORTS,
    board_filters_parse,
    councils_list,
    sites_for_actor,
    stay_person_id,
    stays_for_person,
    ward_board,
)
from joinedup.discharge.sitrep import sitrep_csv, sitrep_get, sitrep_table, sitrep_xlsx
from joinedup.errors import (
    InvalidInput,
    NotFound,
)
from joinedup.people.selectors import person_access_open
from joinedup.web.actors import request_actor
from joinedup.web.charts.bars import bar_svg
from joinedup.web.charts.spc import chart_svg
from joinedup.web.problems import form_date, problem_pages, write_then_redirect

# Rows per page of the ward board: a ward fits on one page.
BOARD_PAGE_SIZE = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _date(raw: str, field: str, *, required: bool = True) -> dt.date | None:
    return form_date(raw, field, required=required)


@login_required
@require_GET
@problem_pages
def board(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    try:
        filters = board_filters_parse(request.GET.dict())
        result = ward_board(
            actor=actor,
            filters=filters,
            today=timezone.localdate(),
            page_size=BOARD_PAGE_SIZE,
        )
    except InvalidInput as exc:
        return render(
            request,
            "discharge/board.html",
            {"errors": exc.fields, "board": None, "sorts": SORTS},
            status=400,
        )
    context = {"board": result, "sorts": SORTS, "reasons": rules.REASONS}
    template = "discharge/_board_table.html" if request.htmx else "discharge/board.html"  # type: ignore[attr-defined]
    return render(request, template, context)


def _person_page(
    request: HttpRequest,
    person_id: int,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> HttpResponse:
    actor = request_actor(request)
    access = person_access_open(
        actor=actor, person_id=person_id, action="view_discharge"
    )
    context = {
        "person": access.person,
        "stays": stays_for_person(access=access, today=timezone.localdate()),
        "pathways": rules.PATHWAYS,
        "reasons": rules.REASONS,
        "agencies": rules.AGENCIES,
        "notice_kinds": NoticeKind.choices,
        "councils": councils_list(),
        "errors": errors or {},
        "form": form or {},
    }
    return render(
        request, "discharge/person.html", context, status=400 if errors else 200
    )


@login_required
@require_GET
@problem_pages
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    return _person_page(request, person_id)


def _after_write(request: HttpRequest, stay_id: int, write) -> HttpResponse:
    person_id = stay_person_id(stay_id=stay_id)
    if person_id is None:
        raise NotFound("stay: there is no such stay")
    return write_then_redirect(
        lambda: write(request_actor(request)),
        to=reverse("discharge_person", args=[person_id]),
        form=lambda errors: _person_page(
            request, person_id, errors=errors, form=request.POST.dict()
        ),
    )


@login_required
@require_POST
@problem_pages
def ready(request: HttpRequest, stay_id: int) -> HttpResponse:
    p = request.POST

    def write(actor):
        ready_on = _date(p.get("ready_on", ""), "ready_on")
        assert ready_on is not None  # noqa: S101 - required above
        services.readiness_record(
            actor=actor,
            stay_id=stay_id,
            ready_on=ready_on,
            clinical_agreed=p.get("clinical_agreed") == "yes",
            mdt_agreed=p.get("mdt_agreed") == "yes",
            pathway=p.get("pathway", ""),
            destination=p.get("destination", ""),
            expected_discharge_on=_date(
                p.get("expected_discharge_on", ""),
                "expected_discharge_on",
                required=False,
            ),
        )

    return _after_write(request, stay_id, write)


@login_required
@require_POST
@problem_pages
def delay(request: HttpRequest, stay_id: int) -> HttpResponse:
    p = request.POST
    return _after_write(
        request,
        stay_id,
        lambda actor: services.delay_record(
            actor=actor,
            stay_id=stay_id,
            reason=p.get("reason", ""),
            agency=p.get("agency", ""),
        ),
    )


@login_required
@require_POST
@problem_pages
def notice(request: HttpRequest, stay_id: int) -> HttpResponse:
    p = request.POST

    def write(actor):
        try:
            council_id = int(p.get("council", ""))
        except ValueError:
            raise InvalidInput.for_field("council", "choose the council") from None
        if p.get("how", "") == "mesh":
            notices.notice_send(
                actor=actor,
                stay_id=stay_id,
                kind=p.get("kind", ""),
                council_id=council_id,
            )
            return
        sent_on = _date(p.get("sent_on", ""), "sent_on")
        ack_on = _date(p.get("acknowledged_on", ""), "acknowledged_on", required=False)
        tz = timezone.get_current_timezone()
        now = timezone.localtime()
        notices.notice_record(
            actor=actor,
            stay_id=stay_id,
            kind=p.get("kind", ""),
            council_id=council_id,
            sent_at=now
            if sent_on == now.date()
            else dt.datetime.combine(sent_on, dt.time(12), tzinfo=tz),  # type: ignore[arg-type]
            acknowledged_at=None
            if ack_on is None
            else (
                now
                if ack_on == now.date()
                else dt.datetime.combine(ack_on, dt.time(12), tzinfo=tz)
            ),
        )

    return _after_write(request, stay_id, write)


@login_required
@require_GET
@problem_pages
def sitrep(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    sites = sites_for_actor(actor=actor)
    site = request.GET.get("site", "") or (sites[0] if sites else "")
    context: dict[str, object] = {"sites": sites, "site": site}
    try:
        day = _date(request.GET.get("date", ""), "date", required=False)
        day = day or timezone.localdate()
        context["day"] = day
        figures = sitrep_get(actor=actor, site=site, day=day)
    except InvalidInput as exc:
        context["errors"] = exc.fields
        return render(request, "discharge/sitrep.html", context, status=400)
    fmt = request.GET.get("format", "")
    name = f"sitrep-{site}-{day.isoformat()}"
    if fmt == "csv":
        response = HttpResponse(sitrep_csv(figures), content_type="text/csv")
        response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
        return response
    if fmt == "xlsx":
        response = HttpResponse(sitrep_xlsx(figures), content_type=XLSX)
        response["Content-Disposition"] = f'attachment; filename="{name}.xlsx"'
        return response
    context.update({"figures": figures, "table": sitrep_table(figures)})
    return render(request, "discharge/sitrep.html", context)


@login_required
@require_GET
@problem_pages
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    context: dict[str, object] = {
        "reasons": rules.REASONS,
        "agencies": rules.AGENCIES,
        "periods": PERIODS,
        "params": request.GET.dict(),
    }
    try:
        filters = dashboard_filters_parse(request.GET.dict())
        result = dashboard_get(actor=actor, filters=filters, today=timezone.localdate())
    except InvalidInput as exc:
        context["errors"] = exc.fields
        return render(request, "discharge/dashboard.html", context, status=400)
    context["dashboard"] = result
    context["charts"] = [
        (slug, chart, mark_safe(chart_svg(chart, label_id=f"{slug}-table")))  # noqa: S308 - built from numbers and dates only
        for slug, chart in (
            ("patients", result.patients),
            ("delayed-days", result.delayed_days),
        )
    ]
    out = result.outcomes
    context["buckets_svg"] = mark_safe(  # noqa: S308 - escaped in bar_svg
        bar_svg(
            "People delayed now, by length of delay in days",
            [(label, n) for label, n in out.buckets],
            label_id="buckets-table",
        )
    )
    context["mix_svg"] = mark_safe(  # noqa: S308 - escaped in bar_svg
        bar_svg(
            "Discharges by pathway, per cent, with the expected share marked",
            [(f"Pathway {r.pathway}", round(r.percent or 0, 1)) for r in out.mix],
            label_id="mix-table",
            marks=[r.expected for r in out.mix],
            unit="%",
        )
    )
    return render(request, "discharge/dashboard.html", context)
