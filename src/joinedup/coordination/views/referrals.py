"""Referral pages: incoming and outgoing lists with clocks, a person's referrals
and the form to send one, one referral with the receiving side's actions
(accept, decline, complete) and the sender's (withdraw)."""

from __future__ import annotations

from collections.abc import Callable

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from joinedup.coordination.models import ConsentBasis, Referral, ReferralType, Urgency
from joinedup.coordination.selectors.referrals import (
    STATUS_FILTERS,
    referral_destinations,
    referral_detail,
    referrals_for_person,
    referrals_incoming,
    referrals_outgoing,
    standards_table,
)
from joinedup.coordination.services.referrals import (
    referral_accept,
    referral_complete,
    referral_decline,
    referral_send,
    referral_withdraw,
)
from joinedup.coordination.views.tasks import int_parse
from joinedup.errors import AccessRefused, InvalidInput
from joinedup.governance.access import Actor
from joinedup.web.actors import request_actor
from joinedup.web.problems import problem_pages, write_then_redirect

BOXES = {"incoming": "Referrals to your team", "outgoing": "Referrals you sent"}


@login_required
@require_GET
@problem_pages
def referrals(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    box = request.GET.get("box", "") or "incoming"
    status = request.GET.get("status", "") or "open"
    context: dict[str, object] = {
        "boxes": BOXES,
        "box": box,
        "status": status,
        "statuses": list(STATUS_FILTERS),
        "standards": standards_table(),
    }
    try:
        if box not in BOXES:
            raise InvalidInput.for_field("box", "choose incoming or outgoing")
        select = referrals_incoming if box == "incoming" else referrals_outgoing
        context["rows"] = select(actor=actor, status=status)
    except InvalidInput as exc:
        context["errors"] = exc.fields
        return render(request, "coordination/referral_list.html", context, status=400)
    return render(request, "coordination/referral_list.html", context)


def _send_page(
    request: HttpRequest,
    person_id: int,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
    status: int = 200,
) -> HttpResponse:
    actor = request_actor(request)
    access, rows = referrals_for_person(actor=actor, person_id=person_id)
    organisations, teams = referral_destinations(actor=actor)
    return render(
        request,
        "coordination/referral_person.html",
        {
            "person": access.person,
            "rows": rows,
            "types": ReferralType.choices,
            "urgencies": Urgency.choices,
            "bases": ConsentBasis.choices,
            "organisations": organisations,
            "teams": teams,
            "standards": standards_table(),
            "errors": errors or {},
            "form": form or {},
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
@problem_pages
def person_referrals(request: HttpRequest, person_id: int) -> HttpResponse:
    """A person's referrals, and the form to send a new one."""
    if request.method == "GET":
        return _send_page(request, person_id)
    p = request.POST

    def send() -> Referral:
        to = p.get("to", "")
        to_team_id = to_organisation_id = None
        if to.startswith("team:") and to[5:].isdigit():
            to_team_id = int(to[5:])
        elif to.startswith("org:") and to[4:].isdigit():
            to_organisation_id = int(to[4:])
        else:
            raise InvalidInput.for_field("to", "choose the team or organisation")
        return referral_send(
            actor=request_actor(request),
            person_id=person_id,
            referral_type=p.get("referral_type", ""),
            urgency=p.get("urgency", ""),
            reason=p.get("reason", ""),
            consent_basis=p.get("consent_basis", ""),
            to_organisation_id=to_organisation_id,
            to_team_id=to_team_id,
        )

    def on_form(errors: dict[str, str]) -> HttpResponse:
        errors = {  # the destination is one field on the form
            ("to" if k in ("to_team", "to_organisation") else k): v
            for k, v in errors.items()
        }
        return _send_page(request, person_id, errors=errors, form=p.dict())

    try:
        return write_then_redirect(
            send,
            to=lambda referral: reverse("referral_detail", args=[referral.pk]),
            form=on_form,
        )
    except AccessRefused as exc:
        if not exc.fields.get("to_organisation"):
            raise
        # the person objects to sharing with that organisation: say so on the form
        return _send_page(
            request, person_id, errors={"to": exc.detail}, form=p.dict(), status=403
        )


def _detail_page(
    request: HttpRequest,
    referral_id: int,
    *,
    errors: dict[str, str] | None = None,
    form: dict[str, str] | None = None,
) -> HttpResponse:
    view = referral_detail(actor=request_actor(request), referral_id=referral_id)
    return render(
        request,
        "coordination/referral_detail.html",
        {"v": view, "r": view.referral, "errors": errors or {}, "form": form or {}},
        status=400 if errors else 200,
    )


@login_required
@require_GET
@problem_pages
def referral(request: HttpRequest, referral_id: int) -> HttpResponse:
    return _detail_page(request, referral_id)


def _change(
    request: HttpRequest, referral_id: int, write: Callable[[Actor], object]
) -> HttpResponse:
    return write_then_redirect(
        lambda: write(request_actor(request)),
        to=reverse("referral_detail", args=[referral_id]),
        form=lambda errors: _detail_page(
            request, referral_id, errors=errors, form=request.POST.dict()
        ),
    )


@login_required
@require_POST
@problem_pages
def referral_accept_view(request: HttpRequest, referral_id: int) -> HttpResponse:
    def write(actor: Actor) -> object:
        return referral_accept(
            actor=actor,
            referral_id=referral_id,
            assign_user_id=int_parse(request.POST.get("assign_user"), "assign_user"),
        )

    return _change(request, referral_id, write)


@login_required
@require_POST
@problem_pages
def referral_decline_view(request: HttpRequest, referral_id: int) -> HttpResponse:
    return _change(
        request,
        referral_id,
        lambda actor: referral_decline(
            actor=actor,
            referral_id=referral_id,
            reason=request.POST.get("decline_reason", ""),
        ),
    )


@login_required
@require_POST
@problem_pages
def referral_complete_view(request: HttpRequest, referral_id: int) -> HttpResponse:
    return _change(
        request,
        referral_id,
        lambda actor: referral_complete(
            actor=actor,
            referral_id=referral_id,
            outcome=request.POST.get("outcome", ""),
        ),
    )


@login_required
@require_POST
@problem_pages
def referral_withdraw_view(request: HttpRequest, referral_id: int) -> HttpResponse:
    return _change(
        request,
        referral_id,
        lambda actor: referral_withdraw(
            actor=actor,
            referral_id=referral_id,
            reason=request.POST.get("reason", ""),
        ),
    )
