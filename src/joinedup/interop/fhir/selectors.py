"""Reads for the FHIR API. Each takes the acting professional; every read of person
data opens the record through `person_access_open` (the access policy, audited per
category) or searches through `person_search`; directory reads (organisations and
professionals) are audited too. Only categories the actor may read are returned:
sealed categories never appear."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field

from django.db.models import Q, QuerySet, prefetch_related_objects

from joinedup.coordination.models import CareTeamMember
from joinedup.errors import AccessRefused, InvalidInput, NotFound
from joinedup.governance.access import Actor, Decision
from joinedup.governance.models import Organisation, User
from joinedup.governance.services import audit_record
from joinedup.interop.fhir.mappers_out import EVENT_ROW_FIELDS, EventRow
from joinedup.interop.fhir.params import Paging
from joinedup.people.models import Address, Identifier, Person, PersonName
from joinedup.people.search import SearchQuery
from joinedup.people.selectors import PersonAccess, person_access_open, person_search
from joinedup.record.models import Event


@dataclass
class PatientData:
    person: Person
    identifiers: list[Identifier] = field(default_factory=list)
    names: list[PersonName] = field(default_factory=list)
    addresses: list[Address] = field(default_factory=list)


def _patient_data(person: Person) -> PatientData:
    # Relies on prefetch_related_objects(..., "identifiers", "names", "addresses").
    return PatientData(
        person=person,
        identifiers=sorted(person.identifiers.all(), key=lambda i: (i.system, i.pk)),
        names=list(person.names.all()),
        addresses=list(person.addresses.all()),
    )


def _pages_check(total: int, paging: Paging) -> None:
    if paging.page > 1 and paging.offset >= total:
        pages = max(1, -(-total // paging.count))
        raise InvalidInput.for_field("_page", f"there are only {pages} pages")


def fhir_patient_search(
    *, actor: Actor, query: SearchQuery, paging: Paging
) -> tuple[list[PatientData], int]:
    """People matching the search whom the actor may see, with their identifiers,
    names and addresses (three more queries, whatever the page size)."""
    try:
        found = person_search(
            actor=actor, query=query, page=paging.page, page_size=paging.count
        )
    except InvalidInput as exc:
        if "page" in exc.fields:
            raise InvalidInput.for_field("_page", exc.fields["page"]) from None
        raise
    people = list(found)
    prefetch_related_objects(people, "identifiers", "names", "addresses")
    return [_patient_data(p) for p in people], found.paginator.count


def fhir_patient_read(*, actor: Actor, person_id: int) -> PatientData:
    access = person_access_open(actor=actor, person_id=person_id, action="fhir_read")
    prefetch_related_objects([access.person], "identifiers", "names", "addresses")
    return _patient_data(access.person)


def _readable_events(access: PersonAccess, kinds: Collection[str]) -> QuerySet[Event]:
    """The person's events the actor may read: whole categories, and the actor's
    own organisation's records of categories limited to them (sealed ones, or an
    objection to sharing), as the access policy decided."""
    return Event.objects.filter(
        Q(category__in=access.full_categories)
        | Q(
            category__in=access.own_organisation_categories,
            organisation_id=access.actor.organisation_id,
        ),
        person_id=access.person.pk,
        kind__in=sorted(kinds),
    )


def _rows(events: QuerySet[Event]) -> list[EventRow]:
    """As plain rows (no model instance per event: $everything's hot path)."""
    return [EventRow._make(values) for values in events.values_list(*EVENT_ROW_FIELDS)]


def fhir_events_search(
    *,
    actor: Actor,
    person_id: int,
    kinds: Collection[str],
    last_updated: Sequence[tuple[str, dt.datetime]] = (),
    paging: Paging,
) -> tuple[list[EventRow], int]:
    """One person's events of some kinds (one FHIR resource type), newest first, in
    the categories the actor may read."""
    access = person_access_open(actor=actor, person_id=person_id, action="fhir_search")
    events = _readable_events(access, kinds)
    for lookup, moment in last_updated:
        events = events.filter(**{f"ingested_at__{lookup}": moment})
    total = events.count()
    _pages_check(total, paging)
    newest_first = events.order_by("-occurred_at", "-id")
    page = _rows(newest_first[paging.offset : paging.offset + paging.count])
    return page, total


def fhir_event_read(*, actor: Actor, event_pk: int, kinds: Collection[str]) -> EventRow:
    """One event, when it is of one of `kinds` and the actor may read its category."""
    person_id = (
        Event.objects.filter(pk=event_pk, kind__in=sorted(kinds))
        .values_list("person_id", flat=True)
        .first()
    )
    if person_id is None:
        raise NotFound(f"there is no such resource (id ev-{event_pk})")
    access = person_access_open(actor=actor, person_id=person_id, action="fhir_read")
    found = _rows(_readable_events(access, kinds).filter(pk=event_pk))
    if not found:
        category = Event.objects.values_list("category", flat=True).get(pk=event_pk)
        reason = access.decisions[category].reason
        raise AccessRefused(f"You cannot read this resource: {reason}.")
    return found[0]


def _care_team(person_id: int) -> list[CareTeamMember]:
    return list(
        CareTeamMember.objects.select_related("user", "organisation")
        .filter(person_id=person_id, ended_on__isnull=True)
        .order_by("-is_lead", "started_on", "pk")
    )


def fhir_care_team_get(
    *, actor: Actor, person_id: int, action: str
) -> list[CareTeamMember]:
    """The professionals currently in the person's care team (action: fhir_read or
    fhir_search)."""
    person_access_open(actor=actor, person_id=person_id, action=action)
    return _care_team(person_id)


def _directory_audit(actor: Actor, action: str, found: int) -> None:
    audit_record(
        actor=actor,
        person_id=None,
        action=action,
        category="",
        decision=Decision(True, f"directory information: {found} found"),
    )


def fhir_organization_search(
    *, actor: Actor, code: str | None, name: str, paging: Paging
) -> tuple[list[Organisation], int]:
    orgs = Organisation.objects.order_by("name", "pk")
    if code is not None:
        orgs = orgs.filter(code=code)
    if name:
        orgs = orgs.filter(name__icontains=name)
    total = orgs.count()
    _pages_check(total, paging)
    page = list(orgs[paging.offset : paging.offset + paging.count])
    _directory_audit(actor, "fhir_search_organization", total)
    return page, total


def fhir_organization_read(*, actor: Actor, pk: int) -> Organisation:
    org = Organisation.objects.filter(pk=pk).first()
    if org is None:
        raise NotFound(f"there is no Organization with id {pk}")
    _directory_audit(actor, "fhir_read_organization", 1)
    return org


def _practitioners() -> QuerySet[User]:
    # Professionals who are or were in someone's care team; not a staff directory.
    return User.objects.filter(
        pk__in=CareTeamMember.objects.values("user_id")
    ).order_by("last_name", "first_name", "pk")


def fhir_practitioner_search(
    *, actor: Actor, username: str | None, paging: Paging
) -> tuple[list[User], int]:
    users = _practitioners()
    if username is not None:
        users = users.filter(username=username)
    total = users.count()
    _pages_check(total, paging)
    page = list(users[paging.offset : paging.offset + paging.count])
    _directory_audit(actor, "fhir_search_practitioner", total)
    return page, total


def fhir_practitioner_read(*, actor: Actor, pk: int) -> User:
    user = _practitioners().filter(pk=pk).first()
    if user is None:
        raise NotFound(f"there is no Practitioner with id {pk}")
    _directory_audit(actor, "fhir_read_practitioner", 1)
    return user


@dataclass
class Everything:
    """Patient/$everything: the patient, every organisation and professional the
    record refers to, the care team (the "header", always counted first), then the
    page's events, newest first."""

    patient: PatientData
    organisations: list[Organisation]
    care_team: list[CareTeamMember]
    practitioners: list[User]
    events: list[EventRow]
    total: int

    @property
    def header_size(self) -> int:
        return (
            1
            + len(self.organisations)
            + len(self.practitioners)
            + (1 if self.care_team else 0)
        )


def fhir_everything(
    *, actor: Actor, person_id: int, kinds: Collection[str], paging: Paging
) -> Everything:
    """Everything the actor may read about the person, in a fixed number of queries
    (whatever the length of the history)."""
    access = person_access_open(
        actor=actor, person_id=person_id, action="fhir_everything"
    )
    person = access.person
    prefetch_related_objects([person], "identifiers", "names", "addresses")
    members = _care_team(person.pk)
    events = _readable_events(access, kinds)
    other_org_ids = {m.organisation_id for m in members}
    if person.registered_gp_id:
        other_org_ids.add(person.registered_gp_id)
    organisations = list(
        Organisation.objects.filter(
            Q(pk__in=events.values("organisation_id")) | Q(pk__in=other_org_ids)
        ).order_by("pk")
    )
    practitioners = list({m.user_id: m.user for m in members}.values())
    result = Everything(
        patient=_patient_data(person),
        organisations=organisations,
        care_team=members,
        practitioners=practitioners,
        events=[],
        total=0,
    )
    result.total = result.header_size + events.count()
    _pages_check(result.total, paging)
    start = max(0, paging.offset - result.header_size)
    end = max(0, paging.offset + paging.count - result.header_size)
    if end > start:
        result.events = _rows(events.order_by("-occurred_at", "-id")[start:end])
    return result
