"""The CHC dashboard, a person's CHC page with the referral form, and the Fast
Track form."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from joinedup.errors import AccessRefused, DomainError, InvalidInput, NotFound
from joinedup.funding.models.chc import (
    Profession,
)
from joinedup.funding.selectors import chc as selectors
from joinedup.funding.services import chc as services
from joinedup.funding.views.chc.common import (
    DOMAIN_LABELS,
    LEVEL_LABELS,
    _dates,
    _default_icb,
    _int,
    _problem,
    _raise_with,
    _today_text,
)
from joinedup.people.selectors import person_access_open
from joinedup.web.actors import request_actor

# --- dashboard and the person's page ------------------------------------------


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    try:
        result = selectors.dashboard_get(
            actor=request_actor(request), today=timezone.localdate()
        )
    except AccessRefused as exc:
        return _problem(request, exc)
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
    try:
        access = person_access_open(actor=actor, person_id=person_id, action="view_chc")
    except (NotFound, AccessRefused) as exc:
        return _problem(request, exc)
    cases = selectors.cases_for_person(access=access)
    # A new referral or Fast Track only when the person is not eligible now
    # (an eligible person's reviews reassess them).
    eligible_now = any(
        any(r.reviewed_on is None for r in c.reviews.all()) for c in cases
    )
    icbs = selectors.icbs_list()
    form = form or {"icb": _default_icb(actor, icbs)}
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
def person(request: HttpRequest, person_id: int) -> HttpResponse:
    return _person_page(request, person_id)


@login_required
@require_POST
def refer(request: HttpRequest) -> HttpResponse:
    errors: dict[str, str] = {}
    person_id = _int(request.POST.get("person", ""), "person", errors)
    if person_id is None:
        return _problem(request, NotFound("person: choose the person to refer"))
    icb_id = _int(request.POST.get("icb", ""), "icb", errors)
    try:
        _raise_with(errors)
        case = services.chc_case_open(
            actor=request_actor(request), person_id=person_id, icb_id=icb_id
        )
    except InvalidInput as exc:
        return _person_page(
            request, person_id, errors=exc.fields, form=request.POST.dict()
        )
    except DomainError as exc:
        return _problem(request, exc)
    return HttpResponseRedirect(reverse("chc_checklist", args=[case.pk]))


@login_required
@require_http_methods(["GET", "POST"])
def fast_track(request: HttpRequest) -> HttpResponse:
    """The Fast Track form for a person (?person=<id>)."""
    actor = request_actor(request)
    errors: dict[str, str] = {}
    raw = request.POST.get("person") or request.GET.get("person", "")
    person_id = _int(raw, "person", errors)
    if person_id is None or errors:
        return _problem(request, NotFound("person: choose the person"))
    icbs = selectors.icbs_list()
    form: dict[str, Any] = {"icb": _default_icb(actor, icbs)}
    if request.method == "POST":
        p = request.POST
        form = p.dict()
        on = _dates(p, "signed_on", errors=errors)["signed_on"]
        icb = _int(p.get("icb", ""), "icb", errors)
        try:
            _raise_with(errors)
            services.fast_track_record(
                actor=actor,
                person_id=person_id,
                clinician_name=p.get("clinician_name", ""),
                clinician_profession=p.get("clinician_profession", ""),
                clinician_organisation=p.get("clinician_organisation", ""),
                reason=p.get("reason", ""),
                signed_on=on,
                icb_id=icb,
            )
        except InvalidInput as exc:
            errors = errors | exc.fields
        except DomainError as exc:
            return _problem(request, exc)
        else:
            return HttpResponseRedirect(reverse("chc_person", args=[person_id]))
    try:
        access = person_access_open(
            actor=actor, person_id=person_id, action="view_chc_fast_track"
        )
    except DomainError as exc:
        return _problem(request, exc)
    return render(
        request,
        "funding/chc_fast_track.html",
        {
            "person": access.person,
            "errors": errors,
            "form": form,
            "today_text": _today_text(),
            "icb_options": [(o.pk, o.name) for o in icbs],
            "professions": [
                (k, v)
                for k, v in Profession.choices
                if k in services.FAST_TRACK_PROFESSIONS
            ],
        },
        status=400 if errors else 200,
    )
