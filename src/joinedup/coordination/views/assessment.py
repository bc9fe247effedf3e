"""Shared assessment pages: a person's assessments (and starting one), one
assessment's sections with who completed each and the eligibility
determination, and one section's form (complete it, or amend it). Thin: parse,
call services and selectors, render."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from joinedup.coordination import assessment_form as form
from joinedup.coordination.prefill import Prefill
from joinedup.coordination.selectors.assessment import (
    assessment_kind,
    assessment_open,
    assessment_view_get,
    assessments_for_person,
    section_prefill_get,
)
from joinedup.coordination.services.assessment import (
    assessment_section_amend,
    assessment_section_complete,
    assessment_start,
)
from joinedup.errors import Conflict, InvalidInput
from joinedup.people.selectors import person_access_open
from joinedup.web.actors import request_actor
from joinedup.web.problems import problem_pages, write_then_redirect

TITLES = {403: "You cannot do this", 404: "Not found", 409: "There is a conflict"}


@login_required
@require_http_methods(["GET", "POST"])
@problem_pages(titles=TITLES)
def assessment_list(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = request_actor(request)
    if request.method == "POST":
        return write_then_redirect(
            lambda: assessment_start(
                actor=actor, person_id=person_id, kind=request.POST.get("kind", "")
            ),
            to=lambda assessment: reverse("assessment_detail", args=[assessment.pk]),
            form=lambda errors: _list_page(request, person_id, errors),
            on_form=(InvalidInput, Conflict),
            field="kind",
        )
    return _list_page(request, person_id, {})


def _list_page(
    request: HttpRequest, person_id: int, errors: dict[str, str]
) -> HttpResponse:
    access = person_access_open(
        actor=request_actor(request), person_id=person_id, action="view_assessments"
    )
    context = {
        "person": access.person,
        "assessments": assessments_for_person(access=access),
        "kinds": form.KINDS,
        "section_count": len(form.sections_for(form.ADULT)),
        "errors": errors,
        "form": request.POST.dict() if errors else {},
    }
    return render(request, "coordination/assessment_list.html", context)


@login_required
@require_GET
@problem_pages(titles=TITLES)
def assessment_detail(request: HttpRequest, assessment_id: int) -> HttpResponse:
    access, assessment = assessment_open(
        actor=request_actor(request),
        assessment_id=assessment_id,
        action="view_assessment",
    )
    view = assessment_view_get(access=access, assessment=assessment)
    return render(
        request,
        "coordination/assessment_detail.html",
        {"person": access.person, "view": view, "eligibility": view.eligibility},
    )


@dataclass(frozen=True)
class FormField:
    """One question on the page: its current value as the form shows it."""

    question: form.Question
    text: str  # TEXT, INTEGER and CHOICE
    chosen: tuple[str, ...]  # MULTI
    yes_no: str  # BOOLEAN: "yes", "no" or ""
    prefill: Prefill | None
    error: str


def _as_form(q: form.Question, value: object) -> tuple[str, tuple[str, ...], str]:
    if q.type == form.MULTI:
        return "", tuple(value or ()), ""  # type: ignore[arg-type]
    if q.type == form.BOOLEAN:
        if value in (True, "yes"):
            return "", (), "yes"
        if value in (False, "no"):
            return "", (), "no"
        return "", (), ""
    return ("" if value is None else str(value)), (), ""


def _fields(
    section: form.Section,
    values: dict[str, object],
    prefill: dict[str, Prefill],
    errors: dict[str, str],
) -> list[FormField]:
    out = []
    for q in section.questions:
        text, chosen, yes_no = _as_form(q, values.get(q.key))
        out.append(
            FormField(
                q, text, chosen, yes_no, prefill.get(q.key), errors.get(q.key, "")
            )
        )
    return out


def _posted(section: form.Section, request: HttpRequest) -> dict[str, object]:
    raw: dict[str, object] = {}
    for q in section.questions:
        if q.type == form.MULTI:
            raw[q.key] = request.POST.getlist(q.key)
        else:
            raw[q.key] = request.POST.get(q.key, "")
    return raw


@login_required
@require_http_methods(["GET", "POST"])
@problem_pages(titles=TITLES)
def assessment_section(
    request: HttpRequest, assessment_id: int, section_key: str
) -> HttpResponse:
    actor = request_actor(request)
    errors: dict[str, str] = {}
    posted: dict[str, object] | None = None
    status = 200
    if request.method == "POST":
        try:
            kind = assessment_kind(assessment_id=assessment_id)
            section = form.section_get(kind, section_key)
            posted = _posted(section, request)
            if request.POST.get("action") == "amend":
                assessment_section_amend(
                    actor=actor,
                    assessment_id=assessment_id,
                    section_key=section_key,
                    answers=posted,
                    reason=request.POST.get("reason", ""),
                )
            else:
                assessment_section_complete(
                    actor=actor,
                    assessment_id=assessment_id,
                    section_key=section_key,
                    answers=posted,
                )
        except InvalidInput as exc:
            errors, status = exc.fields, 400
        except Conflict as exc:
            errors, status = {"section": exc.detail}, 409
        else:
            return HttpResponseRedirect(
                reverse("assessment_detail", args=[assessment_id])
                + f"#section-{section_key}"
            )
    access, assessment = assessment_open(
        actor=actor, assessment_id=assessment_id, action="view_assessment_section"
    )
    view = assessment_view_get(access=access, assessment=assessment)
    section_view = view.section(section_key)
    section = section_view.section
    prefill: dict[str, Prefill] = {}
    if section_view.readable and section_view.current is None:
        prefill = section_prefill_get(
            access=access, assessment=assessment, section_key=section_key
        )
    if posted is not None and request.POST.get("action") != "amend" and status == 409:
        posted = None  # show what is there now, not the form that clashed
    if posted is not None:
        values = posted
    elif section_view.current is not None:
        values = dict(section_view.current.answers)
    else:
        values = {k: p.value for k, p in prefill.items()}
    context = {
        "person": access.person,
        "assessment": assessment,
        "view": view,
        "sv": section_view,
        "section": section,
        "fields": _fields(section, values, prefill, errors),
        "errors": errors,
        "reason": request.POST.get("reason", "") if errors else "",
        "amending": request.GET.get("amend") == "1"
        or request.POST.get("action") == "amend",
    }
    return render(
        request, "coordination/assessment_section.html", context, status=status
    )
