"""Urgent community response pages: the team's queue with time left and the form
to record a referral, one referral (contact, clinical reason, outcome), a
person's UCR referrals, and the dashboard's SPC charts."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from joinedup.errors import AccessRefused, DomainError, InvalidInput
from joinedup.governance.models import Role
from joinedup.people.nhs_number import nhs_number_parse
from joinedup.ucr.dashboard import ucr_dashboard
from joinedup.ucr.figures import DAYS_DEFAULT, ucr_figures
from joinedup.ucr.models import ClinicalReason, UcrOutcome, UcrSource
from joinedup.ucr.selectors import (
    person_id_by_nhs_number,
    ucr_person_referrals,
    ucr_queue,
    ucr_referral_detail,
)
from joinedup.ucr.services import (
    ucr_contact_record,
    ucr_outcome_record,
    ucr_referral_receive,
)
from joinedup.web.actors import request_actor
from joinedup.web.charts.spc import chart_svg
from joinedup.web.problems import problem_page


def _queue_page(
    request: HttpRequest,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request_actor(request)
    if actor.role != Role.COMMUNITY_MATRON:
        return problem_page(
            request,
            AccessRefused(
                "The urgent community response queue is for the community team."
            ),
        )
    return render(
        request,
        "ucr/queue.html",
        {
            "rows": ucr_queue(actor=actor),
            "sources": UcrSource.choices,
            "errors": errors or {},
            "form": form or {},
            "closed": request.GET.get("closed") == "1",
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def queue(request: HttpRequest) -> HttpResponse:
    if request.method == "GET":
        return _queue_page(request)
    p = request.POST
    try:
        raw = p.get("nhs_number", "")
        try:
            nhs_number_parse(raw)
        except ValueError:
            raise InvalidInput.for_field(
                "nhs_number", "enter a valid 10-digit NHS number"
            ) from None
        person_id = person_id_by_nhs_number(raw)
        if person_id is None:
            raise InvalidInput.for_field(
                "nhs_number", "no one here has this NHS number"
            )
        referral = ucr_referral_receive(
            actor=request_actor(request),
            person_id=person_id,
            source=p.get("source", ""),
            reason=p.get("reason", ""),
        )
    except InvalidInput as exc:
        return _queue_page(request, errors=exc.fields, form=p.dict(), status=400)
    except DomainError as exc:
        return problem_page(request, exc)
    return HttpResponseRedirect(reverse("ucr_referral", args=[referral.pk]))


def _detail_page(
    request: HttpRequest,
    referral_id: int,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    try:
        view = ucr_referral_detail(
            actor=request_actor(request), referral_id=referral_id
        )
    except DomainError as exc:
        return problem_page(request, exc)
    return render(
        request,
        "ucr/referral.html",
        {
            "view": view,
            "r": view.referral,
            "person": view.access.person,
            "reasons": ClinicalReason.choices,
            "outcomes": UcrOutcome.choices,
            "errors": errors or {},
            "form": form or {},
        },
        status=status,
    )


@login_required
@require_GET
def referral(request: HttpRequest, referral_id: int) -> HttpResponse:
    return _detail_page(request, referral_id)


@login_required
@require_POST
def referral_action(
    request: HttpRequest, referral_id: int, action: str
) -> HttpResponse:
    actor = request_actor(request)
    p = request.POST
    try:
        if action == "contact":
            ucr_contact_record(actor=actor, referral_id=referral_id)
        elif action == "outcome":
            ucr_outcome_record(
                actor=actor,
                referral_id=referral_id,
                clinical_reason=p.get("clinical_reason", ""),
                outcome=p.get("outcome", ""),
            )
        else:
            raise InvalidInput.for_field("action", "unknown action")
    except InvalidInput as exc:
        return _detail_page(
            request, referral_id, errors=exc.fields, form=p.dict(), status=400
        )
    except DomainError as exc:
        return problem_page(request, exc)
    if action == "outcome":
        # The referral is closed and with it the team's task: their relationship
        # with the person may have ended, so they go back to the queue.
        return HttpResponseRedirect(reverse("ucr_queue") + "?closed=1")
    return HttpResponseRedirect(reverse("ucr_referral", args=[referral_id]))


@login_required
@require_GET
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    try:
        access, referrals = ucr_person_referrals(
            actor=request_actor(request), person_id=person_id
        )
    except DomainError as exc:
        return problem_page(request, exc)
    return render(
        request, "ucr/person.html", {"person": access.person, "referrals": referrals}
    )


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    try:
        raw = request.GET.get("days", "") or "28"
        if not raw.isdigit():
            raise InvalidInput.for_field("days", "must be a whole number of days")
        board = ucr_dashboard(actor=actor, days=int(raw))
    except DomainError as exc:
        return problem_page(request, exc)
    charts = [
        (slug, chart, mark_safe(chart_svg(chart, label_id=f"{slug}-table")))  # noqa: S308 - built from numbers and dates only
        for slug, chart in (
            ("share", board.share_chart),
            ("avoided", board.avoided_chart),
        )
    ]
    return render(request, "ucr/dashboard.html", {"board": board, "charts": charts})


@login_required
@require_GET
def figures(request: HttpRequest) -> HttpResponse:
    """Commissioners' figures by area, small numbers suppressed."""
    actor = request_actor(request)
    raw = request.GET.get("days", "") or str(DAYS_DEFAULT)
    try:
        if not raw.isdigit():
            raise InvalidInput.for_field("days", "must be a whole number of days")
        result = ucr_figures(actor=actor, days=int(raw))
    except InvalidInput as exc:
        return render(
            request,
            "ucr/figures.html",
            {"errors": exc.fields, "form": {"days": raw}},
            status=400,
        )
    except DomainError as exc:
        return problem_page(request, exc)
    return render(
        request,
        "ucr/figures.html",
        {"figures": result, "errors": {}, "form": {"days": raw}},
    )
