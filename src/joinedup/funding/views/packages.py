"""Care package pages: a person's packages with who pays, and the forms to arrange
a package, change its funding and record a direct payment. Thin: parse, call
services and selectors, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from joinedup.errors import InvalidInput
from joinedup.funding.models import Funder, PackageKind
from joinedup.funding.selectors.packages import (
    package_get,
    package_person_id,
    packages_for_person,
)
from joinedup.funding.services import packages as services
from joinedup.web.actors import request_actor
from joinedup.web.problems import form_date, problem_pages, write_then_redirect


def _page(
    request: HttpRequest,
    person_id: int,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> HttpResponse:
    actor = request_actor(request)
    found = packages_for_person(
        actor=actor, person_id=person_id, today=timezone.localdate()
    )
    context = {
        "person": found.access.person,
        "found": found,
        "kinds": PackageKind.choices,
        "funders": Funder.choices,
        "may_write": actor.role in services.FUNDING_ROLES and not found.withheld,
        "errors": errors or {},
        "form": form or {},
    }
    return render(
        request, "funding/package_list.html", context, status=400 if errors else 200
    )


@login_required
@require_http_methods(["GET", "POST"])
@problem_pages
def person_packages(request: HttpRequest, person_id: int) -> HttpResponse:
    """The person's packages (GET); arrange a new one (POST)."""
    if request.method == "POST":
        return _package_new(request, person_id)
    return _page(request, person_id)


def _package_new(request: HttpRequest, person_id: int) -> HttpResponse:
    p = request.POST

    def write(actor):
        errors: dict[str, str] = {}
        start_on = end_on = None
        try:
            start_on = form_date(p.get("start_on", ""), "start_on")
        except InvalidInput as exc:
            errors.update(exc.fields)
        try:
            end_on = form_date(p.get("end_on", ""), "end_on", required=False)
        except InvalidInput as exc:
            errors.update(exc.fields)
        if errors:
            raise InvalidInput("; ".join(errors.values()), fields=errors)
        services.package_create(
            actor=actor,
            person_id=person_id,
            kind=p.get("kind", ""),
            provider=p.get("provider", ""),
            cost_per_week=p.get("cost_per_week", ""),
            hours_per_week=p.get("hours_per_week") or None,
            start_on=start_on,  # type: ignore[arg-type]
            end_on=end_on,
            contribution_per_week=p.get("contribution_per_week") or "0",
        )

    return write_then_redirect(
        lambda: write(request_actor(request)),
        to=reverse("funding_person_packages", args=[person_id]),
        form=lambda errors: _page(
            request, person_id, errors=errors, form=request.POST.dict()
        ),
    )


def _detail(
    request: HttpRequest,
    package_id: int,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> HttpResponse:
    actor = request_actor(request)
    view = package_get(actor=actor, package_id=package_id, today=timezone.localdate())
    context = {
        "view": view,
        "package": view.package,
        "person": view.package.person,
        "funders": Funder.choices,
        "may_write": actor.role in services.FUNDING_ROLES,
        "errors": errors or {},
        "form": form or {},
    }
    return render(
        request, "funding/package_detail.html", context, status=400 if errors else 200
    )


@login_required
@require_GET
@problem_pages
def package_detail(request: HttpRequest, package_id: int) -> HttpResponse:
    return _detail(request, package_id)


def _package_write(request: HttpRequest, package_id: int, write) -> HttpResponse:
    package_person_id(package_id=package_id)  # NotFound before anything is parsed
    return write_then_redirect(
        lambda: write(request_actor(request)),
        to=reverse("funding_package", args=[package_id]),
        form=lambda errors: _detail(
            request, package_id, errors=errors, form=request.POST.dict()
        ),
    )


@login_required
@require_POST
@problem_pages
def package_funding(request: HttpRequest, package_id: int) -> HttpResponse:
    p = request.POST

    def write(actor):
        effective_from = form_date(p.get("effective_from", ""), "effective_from")
        services.package_funding_change(
            actor=actor,
            package_id=package_id,
            effective_from=effective_from,  # type: ignore[arg-type]
            funder=p.get("funder", ""),
            nhs_chc_percent=p.get("nhs_chc_percent") or "0",
            nhs_fnc_percent=p.get("nhs_fnc_percent") or "0",
            council_percent=p.get("council_percent") or "0",
            contribution_per_week=p.get("contribution_per_week") or None,
            reason=p.get("reason", ""),
        )

    return _package_write(request, package_id, write)


@login_required
@require_POST
@problem_pages
def package_payment(request: HttpRequest, package_id: int) -> HttpResponse:
    p = request.POST

    def write(actor):
        paid_on = form_date(p.get("paid_on", ""), "paid_on")
        services.direct_payment_record(
            actor=actor,
            package_id=package_id,
            paid_on=paid_on,  # type: ignore[arg-type]
            amount=p.get("amount", ""),
            reference=p.get("reference", ""),
        )

    return _package_write(request, package_id, write)


@login_required
@require_POST
@problem_pages
def package_end(request: HttpRequest, package_id: int) -> HttpResponse:
    p = request.POST

    def write(actor):
        end_on = form_date(p.get("end_on", ""), "end_on")
        services.package_end(actor=actor, package_id=package_id, end_on=end_on)  # type: ignore[arg-type]

    return _package_write(request, package_id, write)
