"""Reads of the shared record's events: the timeline."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.paginator import Page
from django.db.models import Q

from joinedup.errors import InvalidInput
from joinedup.governance.access import Actor, Decision, people_visible_q
from joinedup.governance.models import AccessCategory
from joinedup.governance.services import audit_record
from joinedup.people.models import Person
from joinedup.people.selectors import PersonAccess, page_of
from joinedup.record.models import Event, SourceSystem


@dataclass(frozen=True)
class TimelineFilters:
    source: str = ""  # SourceSystem.code
    category: str = ""


def timeline_page(
    *,
    access: PersonAccess,
    filters: TimelineFilters,
    page: int = 1,
    page_size: int = 25,
) -> Page:
    """The person's events, newest first, in the categories the actor may read,
    optionally narrowed to one source system and one category."""
    events = Event.objects.filter(
        Q(category__in=access.full_categories)
        | Q(
            category__in=access.own_organisation_categories,
            organisation_id=access.actor.organisation_id,
        ),
        person_id=access.person.pk,
    )
    if filters.category:
        if filters.category not in AccessCategory.values:
            raise InvalidInput.for_field(
                "category",
                f"unknown category {filters.category!r}; one of: "
                + ", ".join(AccessCategory.values),
            )
        if not access.may_read(filters.category):
            raise InvalidInput.for_field(
                "category", f"you cannot read {filters.category} information"
            )
        events = events.filter(category=filters.category)
    if filters.source:
        events = events.filter(source_system__code=filters.source)
    events = events.select_related("source_system", "organisation").order_by(
        "-occurred_at", "-id"
    )
    return page_of(events, page=page, page_size=page_size)


def source_systems_list() -> list[SourceSystem]:
    """Every source system (a short list: the filters of the timeline)."""
    return list(SourceSystem.objects.select_related("organisation").order_by("name"))


def source_system_validate(code: str, systems: list[SourceSystem]) -> None:
    if code and code not in {s.code for s in systems}:
        raise InvalidInput.for_field("source", f"unknown source system {code!r}")


def events_recent_list(
    *,
    actor: Actor,
    kinds: Sequence[str],
    since: dt.datetime,
    at_actor_organisation: bool = False,
    registered_with_actor_practice: bool = False,
    limit: int = 25,
) -> list[Event]:
    """Recent events of some kinds for people the actor may see: admissions to the
    actor's hospital, or hospital events of the actor's practice's patients."""
    events = Event.objects.filter(
        kind__in=kinds,
        occurred_at__gte=since,
        category=AccessCategory.HEALTH,
        person__in=Person.objects.filter(people_visible_q(actor)),
    )
    if at_actor_organisation:
        events = events.filter(organisation_id=actor.organisation_id)
    if registered_with_actor_practice:
        events = events.filter(person__registered_gp_id=actor.organisation_id)
    found = list(
        events.select_related("person", "organisation").order_by("-occurred_at")[:limit]
    )
    audit_record(
        actor=actor,
        person_id=None,
        action="list_recent_events",
        category=AccessCategory.HEALTH,
        decision=Decision(True, f"{len(found)} events listed"),
    )
    return found
