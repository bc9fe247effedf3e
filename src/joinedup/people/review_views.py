"""The identity review queue pages. Thin: parse, call people/matching/review.py,
render. Work without JavaScript: plain links and a POST form."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from joinedup.errors import Conflict, DomainError, InvalidInput
from joinedup.people.matching.review import (
    candidate_accept,
    candidate_list,
    candidate_reject,
    candidate_review_open,
)
from joinedup.web.actors import request_actor

DONE = {"accepted": "The records were merged.", "rejected": "The pair was rejected."}


def _problem(request: HttpRequest, error: DomainError) -> HttpResponse:
    titles = {403: "You cannot review these records", 404: "Page not found"}
    return render(
        request,
        "web/problem.html",
        {
            "title": titles.get(error.status, "There is a problem"),
            "detail": error.detail,
        },
        status=error.status,
    )


@login_required
def review_list(request: HttpRequest) -> HttpResponse:
    try:
        candidates = candidate_list(actor=request_actor(request))
    except DomainError as exc:
        return _problem(request, exc)
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
def review_detail(request: HttpRequest, candidate_id: int) -> HttpResponse:
    actor = request_actor(request)
    errors: dict[str, str] = {}
    form = {"decision": "", "reason": "", "survivor": ""}
    status = 200
    if request.method == "POST":
        form = {k: request.POST.get(k, "").strip() for k in form}
        try:
            if form["decision"] == "accept":
                survivor = _int_or_none(form["survivor"])
                candidate_accept(
                    actor=actor,
                    candidate_id=candidate_id,
                    reason=form["reason"],
                    survivor_id=survivor,
                )
                return redirect(reverse("review_list") + "?done=accepted")
            if form["decision"] == "reject":
                candidate_reject(
                    actor=actor, candidate_id=candidate_id, reason=form["reason"]
                )
                return redirect(reverse("review_list") + "?done=rejected")
            errors["decision"] = "Choose whether these are the same person"
            if not form["reason"]:
                errors["reason"] = "Enter a reason for your decision"
            status = 400
        except InvalidInput as exc:
            errors = {
                ("survivor" if k == "survivor_id" else k): v
                for k, v in exc.fields.items()
            } or {"decision": exc.detail}
            status = 400
        except Conflict as exc:
            errors = {"decision": exc.detail}
            status = 409
        except DomainError as exc:
            return _problem(request, exc)
    try:
        review = candidate_review_open(actor=actor, candidate_id=candidate_id)
    except DomainError as exc:
        return _problem(request, exc)
    return render(
        request,
        "people/review_detail.html",
        {"review": review, "errors": errors, "form": form},
        status=status,
    )
