"""The person's own view (/me/). Views parse input, call a selector or service
and render; the principal comes from the person's session (auth/session.py),
never from django.contrib.auth. A professional's session is refused here."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from joinedup.errors import DomainError, InvalidInput
from joinedup.governance.access import PortalPrincipal
from joinedup.governance.models import AccessCategory, ConsentDecision
from joinedup.people.models import AboutMe
from joinedup.portal import selectors, services
from joinedup.portal.auth import codes
from joinedup.portal.auth.session import (
    CHALLENGE_KEY,
    portal_identity,
    portal_principal,
    portal_sign_in,
    portal_sign_out,
    portal_subject_set,
    staff_signed_in,
)
from joinedup.portal.forms import birth_date_read

View = Callable[..., HttpResponse]


def _problem(request: HttpRequest, error: DomainError) -> HttpResponse:
    return render(
        request,
        "portal/problem.html",
        {"title": "There is a problem", "detail": error.detail},
        status=error.status,
    )


def _staff_refused(request: HttpRequest) -> HttpResponse:
    return render(request, "portal/staff_signed_in.html", status=403)


def principal_required(view: View) -> View:
    """The page needs a person or proxy signed in with a record chosen."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if staff_signed_in(request):
            return _staff_refused(request)
        if portal_identity(request) is None:
            return HttpResponseRedirect(reverse("portal_sign_in"))
        principal = portal_principal(request)
        if principal is None:
            return HttpResponseRedirect(reverse("portal_choose"))
        try:
            return view(request, principal, *args, **kwargs)
        except DomainError as exc:
            return _problem(request, exc)

    return wrapped


def _open(
    principal: PortalPrincipal, action: str, *categories: str
) -> selectors.OwnRecord:
    return selectors.own_record_open(
        principal=principal, action=action, categories=categories or ("demographics",)
    )


def _page(
    request: HttpRequest, template: str, record: selectors.OwnRecord, **context: Any
) -> HttpResponse:
    status = 400 if context.get("errors") else 200
    return render(
        request,
        template,
        {"record": record, "person": record.person, **context},
        status=status,
    )


# --- signing in ------------------------------------------------------------------


def _client_address(request: HttpRequest) -> str:
    return str(request.META.get("REMOTE_ADDR", ""))


@require_http_methods(["GET", "POST"])
def sign_in(request: HttpRequest) -> HttpResponse:
    if staff_signed_in(request):
        return _staff_refused(request)
    errors: dict[str, str] = {}
    if request.method == "POST":
        birth_date, birth_error = birth_date_read(request.POST)
        try:
            challenge_id = codes.code_request(
                nhs_number=request.POST.get("nhs_number", ""),
                birth_date=birth_date,
                contact=request.POST.get("contact", ""),
                client_address=_client_address(request),
            )
        except InvalidInput as exc:
            errors = dict(exc.fields)
        except codes.TooManyRequests as exc:
            return _problem(request, exc)
        if birth_error:
            errors["birth_date"] = birth_error
        if not errors:
            request.session[CHALLENGE_KEY] = challenge_id
            return HttpResponseRedirect(reverse("portal_sign_in_code"))
    return render(
        request,
        "portal/sign_in.html",
        {
            "errors": errors,
            "form": request.POST,
            "birth": {
                p: request.POST.get(f"birth_date-{p}", "")
                for p in ("day", "month", "year")
            },
        },
        status=400 if errors else 200,
    )


@require_http_methods(["GET", "POST"])
def sign_in_code(request: HttpRequest) -> HttpResponse:
    if staff_signed_in(request):
        return _staff_refused(request)
    challenge_id = request.session.get(CHALLENGE_KEY)
    if not isinstance(challenge_id, int):
        return HttpResponseRedirect(reverse("portal_sign_in"))
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            identity = codes.code_verify(
                challenge_id=challenge_id, code=request.POST.get("code", "")
            )
        except InvalidInput as exc:
            errors = dict(exc.fields)
        else:
            portal_sign_in(request, identity)
            if identity.proxy_id is None:
                return HttpResponseRedirect(reverse("portal_home"))
            return HttpResponseRedirect(reverse("portal_choose"))
    return render(
        request,
        "portal/sign_in_code.html",
        {"errors": errors},
        status=400 if errors else 200,
    )


@require_POST
def sign_out(request: HttpRequest) -> HttpResponse:
    if not staff_signed_in(request):
        portal_sign_out(request)
    return HttpResponseRedirect(reverse("portal_sign_in"))


@require_http_methods(["GET", "POST"])
def choose(request: HttpRequest) -> HttpResponse:
    if staff_signed_in(request):
        return _staff_refused(request)
    identity = portal_identity(request)
    if identity is None:
        return HttpResponseRedirect(reverse("portal_sign_in"))
    choices = selectors.records_to_choose(identity=identity)
    errors: dict[str, str] = {}
    if request.method == "POST":
        raw = request.POST.get("person", "")
        chosen = next((c for c in choices if str(c.person_id) == raw), None)
        if chosen is None:
            errors["person"] = "Select whose record you want to see"
        else:
            portal_subject_set(request, chosen.person_id)
            return HttpResponseRedirect(reverse("portal_home"))
    return render(
        request,
        "portal/choose.html",
        {"choices": choices, "errors": errors},
        status=400 if errors else 200,
    )


# --- the pages ---------------------------------------------------------------------


@principal_required
def home(request: HttpRequest, principal: PortalPrincipal) -> HttpResponse:
    record = _open(principal, "portal_home")
    return _page(request, "portal/home.html", record)


@principal_required
@require_http_methods(["GET", "POST"])
def about_me(request: HttpRequest, principal: PortalPrincipal) -> HttpResponse:
    record = _open(principal, "portal_about_me")
    errors: dict[str, str] = {}
    saved = request.GET.get("saved") == "1"
    if request.method == "POST":
        try:
            services.about_me_update(
                record=record,
                answers={k: request.POST.get(k, "") for k, _ in AboutMe.HEADINGS},
            )
        except InvalidInput as exc:
            errors = dict(exc.fields)
        else:
            return HttpResponseRedirect(reverse("portal_about_me") + "?saved=1")
    view = selectors.about_me_get(record=record)
    fields = [
        (key, label, request.POST.get(key, "") if errors else view.value(key))
        for key, label in AboutMe.HEADINGS
    ]
    return _page(
        request,
        "portal/about_me.html",
        record,
        view=view,
        fields=fields,
        errors=errors,
        saved=saved,
    )


@principal_required
def plan(request: HttpRequest, principal: PortalPrincipal) -> HttpResponse:
    record = _open(principal, "portal_plan", "social_care")
    return _page(
        request, "portal/plan.html", record, plan=selectors.plan_get(record=record)
    )


@principal_required
def appointments(request: HttpRequest, principal: PortalPrincipal) -> HttpResponse:
    record = _open(principal, "portal_appointments", *AccessCategory.values)
    return _page(
        request,
        "portal/appointments.html",
        record,
        items=selectors.upcoming_get(record=record),
    )


@principal_required
def care_team(request: HttpRequest, principal: PortalPrincipal) -> HttpResponse:
    record = _open(principal, "portal_care_team", "demographics")
    return _page(
        request,
        "portal/care_team.html",
        record,
        team=selectors.care_team_get(record=record),
    )


@principal_required
def budget(request: HttpRequest, principal: PortalPrincipal) -> HttpResponse:
    record = _open(principal, "portal_budget", "finance")
    return _page(
        request,
        "portal/budget.html",
        record,
        budgets=selectors.budgets_get(record=record),
    )


@principal_required
def accesses(request: HttpRequest, principal: PortalPrincipal) -> HttpResponse:
    record = _open(principal, "portal_accesses")
    try:
        page = max(1, int(request.GET.get("page", "1")))
    except ValueError:
        page = 1
    return _page(
        request,
        "portal/accesses.html",
        record,
        report=selectors.accesses_get(record=record, page=page),
        asked=request.GET.get("asked") == "1",
    )


@principal_required
@require_POST
def access_ask(
    request: HttpRequest, principal: PortalPrincipal, seq: int
) -> HttpResponse:
    record = _open(principal, "portal_access_ask")
    try:
        services.access_question_ask(record=record, seq=seq)
    except InvalidInput as exc:
        return _problem(request, exc)
    return HttpResponseRedirect(reverse("portal_accesses") + "?asked=1")


@principal_required
@require_http_methods(["GET", "POST"])
def consent(request: HttpRequest, principal: PortalPrincipal) -> HttpResponse:
    record = _open(principal, "portal_consent")
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            services.consent_choice_record(
                record=record,
                decision=request.POST.get("decision", ""),
                category=request.POST.get("category", ""),
                organisation_code=request.POST.get("organisation", ""),
            )
        except InvalidInput as exc:
            errors = dict(exc.fields)
        else:
            return HttpResponseRedirect(reverse("portal_consent") + "?saved=1")
    return _page(
        request,
        "portal/consent.html",
        record,
        choices=selectors.consent_choices_get(record=record),
        organisations=selectors.organisations_for_choices(),
        categories=[c for c in AccessCategory.choices if c[0] not in record.hidden],
        decisions=ConsentDecision.choices,
        errors=errors,
        form=request.POST,
        saved=request.GET.get("saved") == "1",
    )
