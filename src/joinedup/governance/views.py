"""Information governance pages: emergency access and relationship claims for
professionals; consent; and the IG lead's agreements, reviews and access reports.
Thin: parse, call services and selectors, render."""

from __future__ import annotations

import csv
import datetime as dt

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from joinedup.errors import DomainError, InvalidInput
from joinedup.governance import selectors, services
from joinedup.governance.access import may_break_glass, may_claim_relationship
from joinedup.governance.models import (
    AccessCategory,
    BreakGlassReason,
    ConsentDecision,
    ConsentMethod,
    LegalBasis,
    Organisation,
    ReviewStatus,
)
from joinedup.people.nhs_number import nhs_number_parse
from joinedup.people.selectors import (
    consent_history,
    person_access_open,
    person_access_report,
    person_id_for_nhs_number,
)
from joinedup.people.services.emergency import break_glass_start_for_nhs_number
from joinedup.people.services.preferences import national_opt_out_set
from joinedup.web.actors import request_actor
from joinedup.web.problems import problem_pages


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw.strip())
    except ValueError:
        return None


# --- emergency access and relationship claims (professionals) ---------------------


def _break_glass_page(request: HttpRequest, person_id: int | None) -> HttpResponse:
    """Emergency access to one person; with no person_id, to the person with the
    NHS number given in the form (their existence is revealed only once the
    reason has been stated and recorded)."""
    actor = request_actor(request)
    if not may_break_glass(actor):
        raise DomainError(f"The role {actor.role_label} cannot use emergency access.")
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            if person_id is None:
                use = break_glass_start_for_nhs_number(
                    actor=actor,
                    nhs_number=request.POST.get("nhs_number", ""),
                    reason=request.POST.get("reason", ""),
                    justification=request.POST.get("justification", ""),
                )
            else:
                use = services.break_glass_start(
                    actor=actor,
                    person_id=person_id,
                    reason=request.POST.get("reason", ""),
                    justification=request.POST.get("justification", ""),
                )
        except InvalidInput as exc:
            errors = exc.fields or {"reason": exc.detail}
        else:
            return HttpResponseRedirect(reverse("person_detail", args=[use.person_id]))
    return render(
        request,
        "governance/break_glass.html",
        {
            "person_id": person_id,
            "reasons": BreakGlassReason.choices,
            "hours": services.BREAK_GLASS_HOURS,
            "errors": errors,
            "form": request.POST,
        },
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@problem_pages
def break_glass(request: HttpRequest, person_id: int) -> HttpResponse:
    return _break_glass_page(request, person_id)


@login_required
@require_http_methods(["GET", "POST"])
@problem_pages
def break_glass_find(request: HttpRequest) -> HttpResponse:
    return _break_glass_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
@problem_pages
def relationship_claim(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = request_actor(request)
    if not may_claim_relationship(actor):
        raise DomainError(
            f"The role {actor.role_label} cannot claim a relationship. "
            "Ask a member of the person's care team to add you."
        )
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            services.relationship_claim(
                actor=actor, person_id=person_id, reason=request.POST.get("reason", "")
            )
        except InvalidInput as exc:
            errors = exc.fields or {"reason": exc.detail}
        else:
            return HttpResponseRedirect(reverse("person_detail", args=[person_id]))
    return render(
        request,
        "governance/claim.html",
        {"person_id": person_id, "errors": errors, "form": request.POST},
        status=400 if errors else 200,
    )


# --- consent ----------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@problem_pages
def consent(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = request_actor(request)
    access = person_access_open(actor=actor, person_id=person_id, action="view_consent")
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            if request.POST.get("form") == "opt_out":
                national_opt_out_set(
                    actor=actor,
                    person_id=person_id,
                    opted_out=request.POST.get("opted_out") == "yes",
                )
            else:
                services.consent_record(
                    actor=actor,
                    person_id=person_id,
                    decision=request.POST.get("decision", ""),
                    method=request.POST.get("method", ""),
                    category=request.POST.get("category", ""),
                    organisation_code=request.POST.get("organisation", ""),
                    note=request.POST.get("note", ""),
                )
        except InvalidInput as exc:
            errors = exc.fields or {"decision": exc.detail}
        else:
            return HttpResponseRedirect(reverse("consent", args=[person_id]))
    return render(
        request,
        "governance/consent.html",
        {
            "person": access.person,
            "history": consent_history(access=access),
            "decisions": ConsentDecision.choices,
            "methods": ConsentMethod.choices,
            "categories": AccessCategory.choices,
            "organisations": Organisation.objects.order_by("name"),
            "errors": errors,
            "form": request.POST,
        },
        status=400 if errors else 200,
    )


# --- the IG lead's pages ------------------------------------------------------------


@login_required
@problem_pages
def agreements(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    found = selectors.sharing_agreement_list(actor=actor)
    today = timezone.localdate()
    rows = [(a, selectors.agreement_status(a, today=today)) for a in found]
    return render(request, "governance/agreements.html", {"rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
@problem_pages
def agreement_new(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            agreement = services.sharing_agreement_create(
                actor=actor,
                title=request.POST.get("title", ""),
                purpose=request.POST.get("purpose", ""),
                legal_basis=request.POST.get("legal_basis", ""),
                organisation_codes=request.POST.getlist("organisations"),
                categories=request.POST.getlist("categories"),
                start_date=_date(request.POST.get("start_date", "")),
                end_date=_date(request.POST.get("end_date", "")),
            )
        except InvalidInput as exc:
            errors = exc.fields
        else:
            return HttpResponseRedirect(
                reverse("agreement_detail", args=[agreement.pk])
            )
    elif actor.role != "ig_lead":
        raise DomainError(
            "Only information governance leads manage sharing agreements."
        )
    return render(
        request,
        "governance/agreement_new.html",
        {
            "errors": errors,
            "form": request.POST,
            "chosen_orgs": request.POST.getlist("organisations"),
            "chosen_categories": request.POST.getlist("categories"),
            "legal_bases": LegalBasis.choices,
            "categories": AccessCategory.choices,
            "organisations": Organisation.objects.exclude(
                pk=actor.organisation_id
            ).order_by("name"),
        },
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@problem_pages
def agreement_detail(request: HttpRequest, agreement_id: int) -> HttpResponse:
    actor = request_actor(request)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            if request.POST.get("action") == "approve":
                services.sharing_agreement_approve(
                    actor=actor, agreement_id=agreement_id
                )
            elif request.POST.get("action") == "end":
                services.sharing_agreement_end(
                    actor=actor,
                    agreement_id=agreement_id,
                    reason=request.POST.get("reason", ""),
                )
            else:
                raise InvalidInput.for_field("action", "Choose approve or end")
        except InvalidInput as exc:
            errors = exc.fields
        else:
            return HttpResponseRedirect(
                reverse("agreement_detail", args=[agreement_id])
            )
    agreement = selectors.sharing_agreement_get(actor=actor, agreement_id=agreement_id)
    parties = list(agreement.parties.all())
    mine = next(p for p in parties if p.organisation_id == actor.organisation_id)
    return render(
        request,
        "governance/agreement_detail.html",
        {
            "agreement": agreement,
            "parties": parties,
            "status": selectors.agreement_status(agreement, today=timezone.localdate()),
            "may_approve": mine.approved_at is None and agreement.ended_at is None,
            "category_labels": [
                AccessCategory(c).label
                for c in agreement.categories
                if c in AccessCategory.values
            ],
            "errors": errors,
        },
        status=400 if errors else 200,
    )


def _review_page(request: HttpRequest, kind: str, template: str) -> HttpResponse:
    actor = request_actor(request)
    errors: dict[str, str] = {}
    if request.method == "POST":
        try:
            item_id = int(request.POST.get("item", "0"))
            if kind == "break_glass":
                services.break_glass_review(
                    actor=actor,
                    use_id=item_id,
                    outcome=request.POST.get("outcome", ""),
                    note=request.POST.get("note", ""),
                )
            else:
                services.relationship_claim_review(
                    actor=actor,
                    claim_id=item_id,
                    outcome=request.POST.get("outcome", ""),
                    note=request.POST.get("note", ""),
                )
        except (InvalidInput, ValueError) as exc:
            errors = getattr(exc, "fields", None) or {"outcome": str(exc)}
        else:
            return HttpResponseRedirect(request.path)
    items = (
        selectors.break_glass_review_list(actor=actor)
        if kind == "break_glass"
        else selectors.relationship_claim_list(actor=actor)
    )
    return render(
        request,
        template,
        {
            "items": items,
            "errors": errors,
            "outcomes": [
                (ReviewStatus.APPROPRIATE, "Appropriate"),
                (ReviewStatus.ESCALATED, "Escalate"),
            ],
            "now": timezone.now(),
        },
        status=400 if errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
@problem_pages
def break_glass_reviews(request: HttpRequest) -> HttpResponse:
    return _review_page(request, "break_glass", "governance/break_glass_reviews.html")


@login_required
@require_http_methods(["GET", "POST"])
@problem_pages
def claim_alerts(request: HttpRequest) -> HttpResponse:
    return _review_page(request, "claim", "governance/claim_alerts.html")


@login_required
@problem_pages
def access_report(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    if actor.role != "ig_lead":
        raise DomainError("Only information governance leads can see this.")
    raw = request.GET.get("nhs_number", "")
    context: dict[str, object] = {"nhs_number": raw, "errors": {}}
    status = 200
    if raw:
        try:
            person_id = person_id_for_nhs_number(nhs_number=nhs_number_parse(raw))
            if person_id is None:
                raise ValueError("No one with this NHS number is known to JoinedUp")
        except ValueError as exc:
            context["errors"] = {"nhs_number": str(exc)}
            status = 400
        else:
            if request.GET.get("format") == "csv":
                return _access_report_csv(request, person_id)
            context["entries"] = person_access_report(actor=actor, person_id=person_id)
            context["relationships"] = selectors.person_relationships_in_force(
                actor=actor, person_id=person_id
            )
            context["person_id"] = person_id
    return render(request, "governance/access_report.html", context, status=status)


def _access_report_csv(request: HttpRequest, person_id: int) -> HttpResponse:
    entries = person_access_report(actor=request_actor(request), person_id=person_id)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = (
        f'attachment; filename="access-report-person-{person_id}.csv"'
    )
    writer = csv.writer(response)
    writer.writerow(
        [
            "when",
            "who",
            "role",
            "organisation",
            "action",
            "category",
            "outcome",
            "reason",
            "relationship",
            "channel",
            "entry",
        ]
    )
    for e in entries:
        writer.writerow(
            [
                e.occurred_at.isoformat(),
                str(e.actor) if e.actor else "",
                e.role,
                e.organisation.name if e.organisation else "",
                e.action,
                e.category,
                e.outcome,
                e.reason,
                e.via,
                e.channel,
                e.seq,
            ]
        )
    return response
