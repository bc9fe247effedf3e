"""A person's safeguarding page, raising an adult concern, and the dashboard."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from joinedup.errors import DomainError, InvalidInput
from joinedup.governance.models import Organisation, OrganisationType
from joinedup.safeguarding import rules
from joinedup.safeguarding.selectors.cases import dashboard_get, person_safeguarding_get
from joinedup.safeguarding.services.adults import concern_raise
from joinedup.web.actors import request_actor
from joinedup.web.problems import problem_page


@login_required
@require_GET
def person_page(request: HttpRequest, person_id: int) -> HttpResponse:
    try:
        view = person_safeguarding_get(
            actor=request_actor(request), person_id=person_id
        )
    except DomainError as exc:
        return problem_page(request, exc)
    return render(request, "safeguarding/person.html", {"view": view})


CONCERN_FIELDS = (
    "what_happened", "where_happened", "when_happened", "who_is_alleged",
    "person_views", "views_not_sought_reason", "desired_outcomes", "consent",
    "lawful_basis", "council",
)  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def concern_new(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = request_actor(request)
    try:
        view = person_safeguarding_get(actor=actor, person_id=person_id)
    except DomainError as exc:
        return problem_page(request, exc)
    councils = Organisation.objects.filter(
        type=OrganisationType.COUNCIL_ADULT_SOCIAL_CARE
    )
    form = {k: request.POST.get(k, "") for k in CONCERN_FIELDS}
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            council = form["council"]
            concern_raise(
                actor=actor,
                person_id=person_id,
                what_happened=form["what_happened"],
                where_happened=form["where_happened"],
                when_happened=form["when_happened"],
                who_is_alleged=form["who_is_alleged"],
                person_views=form["person_views"],
                views_not_sought_reason=form["views_not_sought_reason"],
                desired_outcomes=form["desired_outcomes"],
                consent=form["consent"],
                lawful_basis=form["lawful_basis"],
                council_id=int(council) if council.isdigit() else None,
                suspected_categories=request.POST.getlist("suspected_categories"),
            )
        except InvalidInput as exc:
            errors = exc.fields
        except DomainError as exc:
            return problem_page(request, exc)
        else:
            return HttpResponseRedirect(
                reverse("safeguarding_person", args=[person_id])
            )
    return render(
        request,
        "safeguarding/concern_new.html",
        {
            "view": view,
            "form": form,
            "errors": errors,
            "councils": councils,
            "categories": rules.ABUSE_CATEGORIES,
            "consents": rules.CONSENT_STATES,
            "bases": rules.LAWFUL_BASES,
        },
        status=400 if errors else 200,
    )


@login_required
@require_GET
def dashboard(request: HttpRequest) -> HttpResponse:
    result = dashboard_get(actor=request_actor(request), today=timezone.localdate())
    return render(
        request,
        "safeguarding/dashboard.html",
        {"dashboard": result, "clock_names": rules.CLOCK_NAMES},
    )
