"""The CHC dashboard, a person's CHC page with the referral form, and the Fast
Track form."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from joinedup.errors import NotFound
from joinedup.funding.models.chc import ChcCase, Profession
from joinedup.funding.selectors import chc as selectors
from joinedup.funding.services import chc as services
from joinedup.funding.views.chc.common import (
    DOMAIN_LABELS,
    LEVEL_LABELS,
    default_icb,
    form_dates,
    form_int,
    raise_with,
    today_as_text,
)
from joinedup.people.selectors import person_access_open
from joinedup.web.actors import request_actor
from joinedup.web.problems import problem_pages, write_then_redirect

# --- dashboard and the person's page ------------------------------------------


@login_required
@require_GET
@problem_pages
def dashboard(request: HttpRequest) -> HttpResponse:
    result = selectors.dashboard_get(
        actor=request_actor(request), today=timezone.localdate()
    )
    return render(
        request,
        "funding/chc_dashboard.html",
        {"dashboard": result, "today": timezone.localdate()},
    )


def _person_page(
    request: HttpRequest,
    person_id: int,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> HttpResponse:
    actor = request_actor(request)
    access = person_access_open(actor=actor, person_id=person_id, action="view_chc")
    cases = selectors.cases_for_person(access=access)
    # A new referral or Fast Track only when the person is not eligible now
    # (an eligible person's reviews reassess them).
    eligible_now = any(
        any(r.reviewed_on is None for r in c.reviews.all()) for c in cases
    )
    icbs = selectors.icbs_list()
    form = form or {"icb": default_icb(actor, icbs)}
    context = {
        "person": access.person,
        "may_read": selectors.may_read_chc(access),
        "cases": cases,
        "has_open": any(c.is_open for c in cases) or eligible_now,
        "eligible_now": eligible_now,
        "icbs_options": [(o.pk, o.name) for o in icbs],
        "actor": actor,
        "today": timezone.localdate(),
        "errors": errors or {},
        "form": form,
        "level_labels": LEVEL_LABELS,
        "domain_labels": DOMAIN_LABELS,
    }
    return render(
        request, "funding/chc_person.html", context, status=400 if errors else 200
    )


@login_required
@require_GET
@problem_pages
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    return _person_page(request, person_id)


@login_required
@require_POST
@problem_pages
def refer(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    person_id = form_int(request.POST.get("person", ""), "person", errors)
    if person_id is None:
        raise NotFound("person: choose the person to refer")
    icb_id = form_int(request.POST.get("icb", ""), "icb", errors)

    def open_case() -> ChcCase:
        raise_with(errors)
        return services.chc_case_open(
            actor=request_actor(request), person_id=person_id, icb_id=icb_id
        )

    return write_then_redirect(
        open_case,
        to=lambda case: reverse("chc_checklist", args=[case.pk]),
        form=lambda errors: _person_page(
            request, person_id, errors=errors, form=request.POST.dict()
        ),
    )


@login_required
@require_http_methods(["GET", "POST"])
@problem_pages
def fast_track(request: HttpRequest) -> HttpResponse:
    """The Fast Track form for a person (?person=<id>)."""
    actor = request_actor(request)
    errors: dict[str, str] = {}
    raw = request.POST.get("person") or request.GET.get("person", "")
    person_id = form_int(raw, "person", errors)
    if person_id is None or errors:
        raise NotFound("person: choose the person")
    icbs = selectors.icbs_list()

    def page(errors: dict[str, str], form: dict[str, Any]) -> HttpResponse:
        access = person_access_open(
            actor=actor, person_id=person_id, action="view_chc_fast_track"
        )
        return render(
            request,
            "funding/chc_fast_track.html",
            {
                "person": access.person,
                "errors": errors,
                "form": form,
                "today_text": today_as_text(),
                "icb_options": [(o.pk, o.name) for o in icbs],
                "professions": [
                    (k, v)
                    for k, v in Profession.choices
                    if k in services.FAST_TRACK_PROFESSIONS
                ],
            },
        )

    if request.method == "GET":
        return page({}, {"icb": default_icb(actor, icbs)})
    p = request.POST
    on = form_dates(p, "signed_on", errors=errors)["signed_on"]
    icb = form_int(p.get("icb", ""), "icb", errors)

    def record() -> object:
        raise_with(errors)
        return services.fast_track_record(
            actor=actor,
            person_id=person_id,
            clinician_name=p.get("clinician_name", ""),
            clinician_profession=p.get("clinician_profession", ""),
            clinician_organisation=p.get("clinician_organisation", ""),
            reason=p.get("reason", ""),
            signed_on=on,
            icb_id=icb,
        )

    return write_then_redirect(
        record,
        to=reverse("chc_person", args=[person_id]),
        form=lambda found: page(errors | found, p.dict()),
    )
