"""The identity review queue pages. Thin: parse, call people/matching/review.py,
render. Work without JavaScript: plain links and a POST form."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from joinedup.errors import Conflict, InvalidInput
from joinedup.people.matching.review import (
    candidate_accept,
    candidate_list,
    candidate_reject,
    candidate_review_open,
)
from joinedup.web.actors import request_actor
from joinedup.web.problems import problem_pages, write_then_redirect

DONE = {"accepted": "The records were merged.", "rejected": "The pair was rejected."}


TITLES = {403: "You cannot review these records", 404: "Page not found"}


@login_required
@problem_pages(titles=TITLES)
def review_list(request: HttpRequest) -> HttpResponse:
    candidates = candidate_list(actor=request_actor(request))
    return render(
        request,
        "people/review_list.html",
        {"candidates": candidates, "done": DONE.get(request.GET.get("done", ""))},
    )


def _int_or_none(raw: str) -> int | None:
    try:
        return int(raw)
    except ValueError:
        return None


@login_required
@require_http_methods(["GET", "POST"])
@problem_pages(titles=TITLES)
def review_detail(request: HttpRequest, candidate_id: int) -> HttpResponse:
    actor = request_actor(request)
    form = {"decision": "", "reason": "", "survivor": ""}

    def page(errors: dict[str, str]) -> HttpResponse:
        review = candidate_review_open(actor=actor, candidate_id=candidate_id)
        return render(
            request,
            "people/review_detail.html",
            {"review": review, "errors": errors, "form": form},
        )

    if request.method == "GET":
        return page({})
    form = {k: request.POST.get(k, "").strip() for k in form}

    def decide() -> str:
        if form["decision"] == "accept":
            candidate_accept(
                actor=actor,
                candidate_id=candidate_id,
                reason=form["reason"],
                survivor_id=_int_or_none(form["survivor"]),
            )
            return "accepted"
        if form["decision"] == "reject":
            candidate_reject(
                actor=actor, candidate_id=candidate_id, reason=form["reason"]
            )
            return "rejected"
        errors = {"decision": "Choose whether these are the same person"}
        if not form["reason"]:
            errors["reason"] = "Enter a reason for your decision"
        raise InvalidInput("; ".join(errors.values()), fields=errors)

    return write_then_redirect(
        decide,
        to=lambda done: reverse("review_list") + f"?done={done}",
        form=lambda errors: page(
            {("survivor" if k == "survivor_id" else k): v for k, v in errors.items()}
        ),
        on_form=(InvalidInput, Conflict),
        field="decision",
    )
