"""The care team page: who works with the person across organisations, the lead
professional, and joining, leaving and setting the lead (the existing care team
services). Thin: parse, call services and selectors, render."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from joinedup.coordination.selectors.team import (
    care_team_candidates,
    care_team_get,
    care_team_member_id_check,
    membership_active_get,
)
from joinedup.coordination.services.team import (
    care_team_join,
    care_team_leave,
    lead_professional_set,
)
from joinedup.coordination.views.assessment import TITLES
from joinedup.errors import AccessRefused, Conflict, InvalidInput, NotFound
from joinedup.governance.access import Actor
from joinedup.people.selectors import person_access_open
from joinedup.web.actors import request_actor
from joinedup.web.problems import problem_pages, write_then_redirect


def _int(raw: str, field: str, problem_text: str) -> int:
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput.for_field(field, problem_text) from None


def _member_of_person(person_id: int, raw: str) -> int:
    member_id = _int(raw, "member", "choose a member of the care team")
    return care_team_member_id_check(person_id=person_id, member_id=member_id)


def _write(actor: Actor, person_id: int, request: HttpRequest) -> None:
    p = request.POST
    action = p.get("action", "")
    if action == "join":
        membership_id = _int(
            p.get("membership", ""), "membership", "choose a professional to add"
        )
        membership = membership_active_get(membership_id=membership_id)
        care_team_join(
            actor=actor,
            person_id=person_id,
            user_id=membership.user_id,
            organisation_id=membership.organisation_id,
            lead=p.get("lead") == "yes",
        )
    elif action == "leave":
        care_team_leave(
            actor=actor, member_id=_member_of_person(person_id, p.get("member", ""))
        )
    elif action == "lead":
        lead_professional_set(
            actor=actor, member_id=_member_of_person(person_id, p.get("member", ""))
        )
    else:
        raise InvalidInput.for_field("action", "choose join, leave or lead")


@login_required
@require_http_methods(["GET", "POST"])
@problem_pages(titles=TITLES)
def team_page(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = request_actor(request)
    access = person_access_open(
        actor=actor, person_id=person_id, action="view_care_team"
    )

    def page(errors: dict[str, str]) -> HttpResponse:
        return render(
            request,
            "coordination/team_page.html",
            {
                "person": access.person,
                "team": care_team_get(access=access),
                "candidates": care_team_candidates(access=access),
                "errors": errors,
                "me": actor.user_id,
            },
        )

    if request.method == "POST":
        # a refusal here is about the member chosen: say so on the form
        return write_then_redirect(
            lambda: _write(actor, person_id, request),
            to=reverse("team_page", args=[person_id]),
            form=page,
            on_form=(InvalidInput, Conflict, AccessRefused, NotFound),
            field="member",
        )
    return page({})
