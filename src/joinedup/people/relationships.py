"""The person index's sources of relationships: an organisation whose systems
hold the person's records (an involvement; a hospital's is "hospital patient"),
and the person's registered GP practice."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from joinedup.governance.models import RelationshipKind
from joinedup.governance.services.relationships import Row, Source, source_register
from joinedup.people.models import Involvement, InvolvementKind, Person

PEOPLE_SOURCES = ("people.involvement", "people.registered_gp")


def _involvements(objects: Iterable[Involvement], now: dt.datetime) -> Iterator[Row]:
    for inv in objects:
        yield Row(
            person_id=inv.person_id,
            kind=(
                RelationshipKind.HOSPITAL_PATIENT
                if inv.kind == InvolvementKind.HOSPITAL_PATIENT
                else RelationshipKind.INVOLVEMENT
            ),
            source_app="people.involvement",
            source_ref=str(inv.pk),
            organisation_id=inv.organisation_id,
            detail=inv.kind,
            started_at=inv.first_seen,
        )


def _registrations(objects: Iterable[Person], now: dt.datetime) -> Iterator[Row]:
    for person in objects:
        if person.registered_gp_id is not None:
            yield Row(
                person_id=person.pk,
                kind=RelationshipKind.REGISTERED_GP,
                source_app="people.registered_gp",
                source_ref=str(person.pk),
                organisation_id=person.registered_gp_id,
            )


def register() -> None:
    source_register(
        Source(
            "people.involvement",
            Involvement,
            _involvements,  # type: ignore[arg-type]
            fields=frozenset({"kind", "organisation", "person"}),
        )
    )
    source_register(
        Source(
            "people.registered_gp",
            Person,
            _registrations,  # type: ignore[arg-type]
            person_field="pk",
            fields=frozenset({"registered_gp"}),
        )
    )
