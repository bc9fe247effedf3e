"""Writes to the person index from source systems (HL7 v2, FHIR, CSV ingest).

A source record finds its person by the source system's own identifier first; a new
source record goes through `person_match_or_create` (today: the verified NHS number,
DESIGN 2 "Identity"; identity matching with Splink replaces that step later). Name
and address changes keep their history; the source system's organisation is kept as
an Involvement. Ingest is system activity: no access-audit entries are written."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest, Least

from joinedup.governance.models import Organisation, OrganisationType
from joinedup.people.models import (
    Address,
    Identifier,
    Involvement,
    InvolvementKind,
    NameUse,
    NhsNumberStatus,
    Person,
    PersonName,
    normalise_name,
)
from joinedup.people.nhs_number import NHS_NUMBER_SYSTEM
from joinedup.record.models import SourceSystem

INVOLVEMENT_BY_ORG_TYPE: dict[str, str] = {
    OrganisationType.ACUTE_TRUST: InvolvementKind.HOSPITAL_PATIENT,
    OrganisationType.COMMUNITY_TRUST: InvolvementKind.COMMUNITY_PATIENT,
    OrganisationType.MENTAL_HEALTH_TRUST: InvolvementKind.MENTAL_HEALTH_PATIENT,
    OrganisationType.COUNCIL_ADULT_SOCIAL_CARE: InvolvementKind.SOCIAL_CARE_CLIENT,
    OrganisationType.COUNCIL_CHILDRENS_SERVICES: InvolvementKind.SOCIAL_CARE_CLIENT,
    OrganisationType.GP_PRACTICE: InvolvementKind.REGISTERED_GP,
}


@dataclass(frozen=True)
class SourceDemographics:
    """How one source system describes a person (already validated)."""

    nhs_number: str | None
    nhs_number_status: str
    given_name: str
    family_name: str
    birth_date: dt.date
    sex: str
    address_line: str = ""
    postcode: str = ""
    phone: str = ""


_org_cache: dict[str, int | None] = {}


def _organisation_id(code: str | None) -> int | None:
    if not code:
        return None
    if code not in _org_cache:
        _org_cache[code] = (
            Organisation.objects.filter(code=code).values_list("pk", flat=True).first()
        )
    return _org_cache[code]


def person_match_or_create(
    *, demographics: SourceDemographics, seen_at: dt.datetime
) -> tuple[Person, bool]:
    """The deterministic identity step for a source record not seen before: the
    person holding the same *verified* NHS number (DESIGN 2 "Identity", 4.1), else
    a new Person. Identity matching (people/matching, Splink) replaces this."""
    d = demographics
    if d.nhs_number and d.nhs_number_status == NhsNumberStatus.VERIFIED:
        found = (
            Identifier.objects.select_related("person")
            .filter(system=NHS_NUMBER_SYSTEM, value=d.nhs_number)
            .first()
        )
        if found is not None:
            return found.person, False
    person = Person.objects.create(
        nhs_number=d.nhs_number or None,
        nhs_number_status=d.nhs_number_status
        if d.nhs_number
        else NhsNumberStatus.NOT_PRESENT,
        given_name=d.given_name,
        family_name=d.family_name,
        given_name_norm=normalise_name(d.given_name),
        family_name_norm=normalise_name(d.family_name),
        birth_date=d.birth_date,
        sex=d.sex,
        address_line=d.address_line,
        postcode=d.postcode,
        phone=d.phone,
    )
    return person, True


def _nhs_identifier_add(person: Person, nhs_number: str) -> None:
    if not Identifier.objects.filter(
        system=NHS_NUMBER_SYSTEM, value=nhs_number
    ).exists():
        Identifier.objects.create(
            person=person, system=NHS_NUMBER_SYSTEM, value=nhs_number
        )


def _history_start(
    person: Person, source_system: SourceSystem, d: SourceDemographics, day: dt.date
) -> None:
    PersonName.objects.create(
        person=person,
        given_name=d.given_name,
        family_name=d.family_name,
        use=NameUse.OFFICIAL,
        source_system=source_system,
        period_start=day,
    )
    if d.address_line or d.postcode:
        Address.objects.create(
            person=person,
            line=d.address_line,
            postcode=d.postcode,
            source_system=source_system,
            period_start=day,
        )


def _demographics_update(
    person: Person, source_system: SourceSystem, d: SourceDemographics, day: dt.date
) -> None:
    """Bring the person's current demographics up to date with the source, keeping
    the previous name and address as history."""
    changed: list[str] = []
    if (person.given_name, person.family_name) != (d.given_name, d.family_name):
        PersonName.objects.filter(person=person, use=NameUse.OFFICIAL).update(
            use=NameUse.OLD, period_end=day
        )
        PersonName.objects.create(
            person=person,
            given_name=d.given_name,
            family_name=d.family_name,
            use=NameUse.OFFICIAL,
            source_system=source_system,
            period_start=day,
        )
        person.given_name, person.family_name = d.given_name, d.family_name
        person.given_name_norm = normalise_name(d.given_name)
        person.family_name_norm = normalise_name(d.family_name)
        changed += ["given_name", "family_name", "given_name_norm", "family_name_norm"]
    if (d.address_line or d.postcode) and (person.address_line, person.postcode) != (
        d.address_line,
        d.postcode,
    ):
        Address.objects.filter(person=person, period_end__isnull=True).update(
            period_end=day
        )
        Address.objects.create(
            person=person,
            line=d.address_line,
            postcode=d.postcode,
            source_system=source_system,
            period_start=day,
        )
        person.address_line, person.postcode = d.address_line, d.postcode
        changed += ["address_line", "postcode"]
    for name in ("birth_date", "sex"):
        if getattr(person, name) != getattr(d, name):
            setattr(person, name, getattr(d, name))
            changed.append(name)
    if d.phone and person.phone != d.phone:
        person.phone = d.phone
        changed.append("phone")
    current = (person.nhs_number, person.nhs_number_status)
    if (
        d.nhs_number
        and not person.nhs_number_verified
        and current != (d.nhs_number, d.nhs_number_status)
    ):
        person.nhs_number = d.nhs_number
        person.nhs_number_status = d.nhs_number_status
        changed += ["nhs_number", "nhs_number_status"]
    if changed:
        person.save(update_fields=[*changed, "updated_at"])


def involvement_touch(
    *, person_id: int, organisation_id: int, kind: str, seen_at: dt.datetime
) -> None:
    """Keep the organisation's involvement with the person (first and last seen)."""
    updated = Involvement.objects.filter(
        person_id=person_id, organisation_id=organisation_id
    ).update(
        first_seen=Least(F("first_seen"), seen_at),
        last_seen=Greatest(F("last_seen"), seen_at),
    )
    if not updated:
        Involvement.objects.create(
            person_id=person_id,
            organisation_id=organisation_id,
            kind=kind,
            first_seen=seen_at,
            last_seen=seen_at,
        )


def person_from_source_upsert(
    *,
    source_system: SourceSystem,
    local_id: str,
    demographics: SourceDemographics,
    seen_at: dt.datetime,
    gp_practice_code: str | None = None,
) -> Person:
    """The person a source record is about, created or brought up to date: found by
    the source system's identifier first, else by `person_match_or_create`."""
    with transaction.atomic():
        d = demographics
        day = seen_at.date()
        found = (
            Identifier.objects.select_related("person")
            .filter(system=source_system.identifier_system, value=local_id)
            .first()
        )
        if found is not None:
            person = found.person
            _demographics_update(person, source_system, d, day)
        else:
            person, created = person_match_or_create(demographics=d, seen_at=seen_at)
            Identifier.objects.create(
                person=person,
                system=source_system.identifier_system,
                value=local_id,
                source_system=source_system,
            )
            if created:
                _history_start(person, source_system, d, day)
                if d.nhs_number and d.nhs_number_status == NhsNumberStatus.VERIFIED:
                    _nhs_identifier_add(person, d.nhs_number)
            else:
                _demographics_update(person, source_system, d, day)
        gp_id = _organisation_id(gp_practice_code)
        if gp_id is not None and person.registered_gp_id != gp_id:
            person.registered_gp_id = gp_id
            person.save(update_fields=["registered_gp", "updated_at"])
            involvement_touch(
                person_id=person.pk,
                organisation_id=gp_id,
                kind=InvolvementKind.REGISTERED_GP,
                seen_at=seen_at,
            )
        org_type = _organisation_type(source_system)
        involvement_touch(
            person_id=person.pk,
            organisation_id=source_system.organisation_id,
            kind=INVOLVEMENT_BY_ORG_TYPE.get(org_type, InvolvementKind.OTHER),
            seen_at=seen_at,
        )
        return person


_org_type_cache: dict[int, str] = {}


def _organisation_type(source_system: SourceSystem) -> str:
    org_id = source_system.organisation_id
    if org_id not in _org_type_cache:
        _org_type_cache[org_id] = source_system.organisation.type
    return _org_type_cache[org_id]


def person_for_source_id(
    *, source_system: SourceSystem, local_id: str
) -> Person | None:
    """The person a source system's local identifier belongs to, if known."""
    found = (
        Identifier.objects.select_related("person")
        .filter(system=source_system.identifier_system, value=local_id)
        .first()
    )
    return found.person if found is not None else None


def person_source_records_move(
    *, source_system: SourceSystem, from_person: Person, to_person: Person
) -> tuple[int, int]:
    """Merge within one source system (HL7 A40): move that system's identifiers and
    events from one person to another. The old Person row is kept. Returns (number
    of identifiers, number of events) moved."""
    from joinedup.record.models import Event

    with transaction.atomic():
        identifiers = Identifier.objects.filter(
            person=from_person, source_system=source_system
        ).update(person=to_person)
        events = Event.objects.filter(
            person=from_person, source_system=source_system
        ).update(person=to_person)
    return identifiers, events


def caches_clear() -> None:
    """Forget cached organisation look-ups (tests create organisations afresh)."""
    _org_cache.clear()
    _org_type_cache.clear()
