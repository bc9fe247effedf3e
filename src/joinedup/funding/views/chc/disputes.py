"""Dispute pages (raise, then stages, interim funding and resolution) and
recording a review."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from joinedup.errors import InvalidInput, NotFound
from joinedup.funding.models.chc import (
    DISPUTE_STAGES,
    DisputeKind,
    DisputeResult,
    Outcome,
    Payer,
)
from joinedup.funding.selectors import chc as selectors
from joinedup.funding.services import chc as services
from joinedup.funding.services.chc import disputes
from joinedup.funding.views.chc.common import (
    case_step,
    default_council,
    form_dates,
    form_int,
    form_yes_no,
    raise_with,
)
from joinedup.web.actors import request_actor
from joinedup.web.problems import problem_pages


@login_required
@require_http_methods(["GET", "POST"])
@problem_pages
def dispute_new(request: HttpRequest, case_id: int) -> HttpResponse:
    p = request.POST

    def write(actor: Any) -> object:
        errors: dict[str, str] = {}
        on = form_dates(p, "raised_on", errors=errors)["raised_on"]
        council = form_int(p.get("council", ""), "council", errors)
        try:
            return disputes.dispute_raise(
                actor=actor,
                case_id=case_id,
                kind=p.get("kind", ""),
                raised_on=on,
                grounds=p.get("grounds", ""),
                council_id=council,
            )
        except InvalidInput as exc:
            raise_with(errors, exc)
            raise

    return case_step(
        request,
        case_id,
        template="funding/chc_dispute_new.html",
        action="view_chc_dispute",
        write=write,
        extra={
            "kinds": DisputeKind.choices,
            "council_options": [(o.pk, o.name) for o in selectors.councils_list()],
        },
        after=lambda d: reverse("chc_dispute", args=[d.pk]),
        initial={"council": default_council(request_actor(request))},
    )


@login_required
@require_http_methods(["GET", "POST"])
@problem_pages
def dispute(request: HttpRequest, dispute_id: int) -> HttpResponse:
    """The dispute's page: stages, interim funding, resolution and
    reimbursement, with the forms for the next steps (field `what`)."""
    ids = selectors.case_ids(dispute_id=dispute_id)
    if ids is None:
        raise NotFound("dispute: there is no such dispute")
    case_id = ids[0]
    p = request.POST

    def write(actor: Any) -> object:
        errors: dict[str, str] = {}
        what = p.get("what", "")
        if what == "escalate":
            on = form_dates(p, "on", errors=errors)["on"]
            call: Callable[[], object] = lambda: disputes.dispute_escalate(  # noqa: E731
                actor=actor,
                dispute_id=dispute_id,
                on=on,
                stage_outcome=p.get("stage_outcome", ""),
            )
        elif what == "interim":
            on = form_dates(p, "from_date", errors=errors)["from_date"]
            share = form_int(
                p.get("nhs_share_percent", ""), "nhs_share_percent", errors
            )
            call = lambda: disputes.interim_funding_set(  # noqa: E731
                actor=actor,
                dispute_id=dispute_id,
                payer=p.get("payer", ""),
                nhs_share_percent=share,
                from_date=on,
            )
        elif what == "resolve":
            found = form_dates(p, "resolved_on", errors=errors)
            eff = None
            if p.get("result") == DisputeResult.CHANGED:
                eff = form_dates(p, "final_effective_from", errors=errors)[
                    "final_effective_from"
                ]
            share = form_int(
                p.get("final_nhs_share_percent", ""), "final_nhs_share_percent", errors
            )
            call = lambda: disputes.dispute_resolve(  # noqa: E731
                actor=actor,
                dispute_id=dispute_id,
                resolved_on=found["resolved_on"],
                result=p.get("result", ""),
                stage_outcome=p.get("stage_outcome", ""),
                final_outcome=p.get("final_outcome", ""),
                final_nhs_share_percent=share,
                final_effective_from=eff,
            )
        else:
            raise InvalidInput.for_field("what", "choose what to record")
        try:
            return call()
        except InvalidInput as exc:
            raise_with(errors, exc)
            raise

    return case_step(
        request,
        case_id,
        template="funding/chc_dispute.html",
        action="view_chc_dispute",
        write=write,
        extra={
            "dispute_id": dispute_id,
            "payers": Payer.choices,
            "results": DisputeResult.choices,
            "outcomes": Outcome.choices,
            "stages": DISPUTE_STAGES,
        },
        after=lambda _: reverse("chc_dispute", args=[dispute_id]),
    )


@login_required
@require_POST
@problem_pages
def review(request: HttpRequest, review_id: int) -> HttpResponse:
    ids = selectors.case_ids(review_id=review_id)
    if ids is None:
        raise NotFound("review: there is no such review")
    case_id = ids[0]
    p = request.POST

    def write(actor: Any) -> object:
        errors: dict[str, str] = {}
        on = form_dates(p, "reviewed_on", errors=errors)["reviewed_on"]
        try:
            return services.review_record(
                actor=actor,
                review_id=review_id,
                reviewed_on=on,
                eligibility_continues=form_yes_no(p.get("eligibility_continues", "")),
                notes=p.get("notes", ""),
            )
        except InvalidInput as exc:
            raise_with(errors, exc)
            raise

    return case_step(
        request,
        case_id,
        template="funding/chc_review.html",
        action="view_chc_review",
        write=write,
        extra={"review_id": review_id},
    )
