"""A case's own page (adult concern, child protection case, family): its
content for those who may see it, opened through the selectors, with the steps
that come next."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from joinedup.errors import DomainError
from joinedup.safeguarding import rules
from joinedup.safeguarding.models import CaseKind
from joinedup.safeguarding.selectors.steps import (
    case_members,
    child_case_open,
    concern_actions,
    concern_open,
    families_for,
    family_open,
)
from joinedup.web.actors import request_actor
from joinedup.web.problems import problem_page


@login_required
@require_GET
def concern_page(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        concern = concern_open(actor=request_actor(request), concern_id=pk)
    except DomainError as exc:
        return problem_page(request, exc)
    enquiry = getattr(concern, "enquiry", None)
    return render(
        request,
        "safeguarding/concern.html",
        {
            "concern": concern,
            "enquiry": enquiry,
            "actions": concern_actions(concern=concern),
            "members": case_members(kind=CaseKind.ADULT, case_id=concern.pk),
            "categories": rules.ABUSE_CATEGORIES,
        },
    )


@login_required
@require_GET
def case_page(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        case = child_case_open(actor=request_actor(request), case_id=pk)
    except DomainError as exc:
        return problem_page(request, exc)
    plan = getattr(case, "plan", None)
    return render(
        request,
        "safeguarding/case.html",
        {
            "case": case,
            "plan": plan,
            "conferences": list(case.conferences.all()),
            "members": case_members(kind=CaseKind.CHILD, case_id=case.pk),
            "end_reasons": rules.PLAN_END_REASONS,
            "s47_outcomes": rules.S47_OUTCOMES,
        },
    )


@login_required
@require_GET
def family_page(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        view = family_open(actor=request_actor(request), family_id=pk)
    except DomainError as exc:
        return problem_page(request, exc)
    family = view.family
    return render(
        request,
        "safeguarding/family.html",
        {
            "view": view,
            "family": family,
            "assessments": list(family.assessments.order_by("completed_at")),
            "reviews": list(family.reviews.all()),
            "steps": list(family.steps.all()),
        },
    )


@login_required
@require_GET
def families_page(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "safeguarding/families.html",
        {"families": families_for(actor=request_actor(request))},
    )
