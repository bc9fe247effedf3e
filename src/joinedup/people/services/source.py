"""What the writes from source systems share: how a source describes a person,
the look-ups they cache, and the reads and moves that are not staged (see the
package docstring; every write goes through `batch.SourceRecordBatch`)."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction

from joinedup.governance.models import Organisation, OrganisationType
from joinedup.people.matching import resolve
from joinedup.people.matching.prepare import MatchRecord
from joinedup.people.models import (
    Identifier,
    InvolvementKind,
    NhsNumberStatus,
    Person,
    normalise_name,
)
from joinedup.record.models import SourceSystem

log = logging.getLogger(__name__)

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
    ethnic_category: str = ""  # people.models.EthnicCategory; "" when not given


_org_cache: dict[str, int | None] = {}


def organisation_id_of(code: str | None) -> int | None:
    if not code:
        return None
    if code not in _org_cache:
        _org_cache[code] = (
            Organisation.objects.filter(code=code).values_list("pk", flat=True).first()
        )
    return _org_cache[code]


def match_record(d: SourceDemographics) -> MatchRecord:
    return MatchRecord(
        id="arriving",
        given_name=d.given_name,
        family_name=d.family_name,
        birth_date=d.birth_date,
        sex=d.sex,
        postcode=d.postcode,
        nhs_number=d.nhs_number or None,
        nhs_verified=bool(
            d.nhs_number and d.nhs_number_status == NhsNumberStatus.VERIFIED
        ),
    )


_no_model_said = False


def model_available() -> resolve.Loaded | None:
    """The stored matching model, loaded; if there is none, say once (INFO, no
    personal data) that ingest links by the deterministic steps only."""
    global _no_model_said
    loaded = resolve.model_loaded()
    if loaded is not None:
        _no_model_said = False
        return loaded
    if not _no_model_said:
        log.info(
            "identity matching: no matching model is stored, so records are "
            "linked by source identifier and verified NHS number only "
            "(train one with `joinedup link --train`)"
        )
        _no_model_said = True
    return None


def new_person(d: SourceDemographics) -> Person:
    return Person(
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
        ethnic_category=d.ethnic_category,
    )


def person_live(person: Person) -> Person:
    """The person itself, or the survivor it was merged into."""
    if person.merged_into_id is None:
        return person
    from joinedup.people.merge import person_survivor_id

    survivor = person_survivor_id(person_id=person.pk)
    return Person.objects.get(pk=survivor) if survivor else person


def source_involvement_kind(org_type: str) -> str | None:
    """How holding a person's records in its system involves the organisation
    running it, or None when it does not: an ICB hosting a shared system (the GP
    system for all practices) commissions care and has no relationship with each
    person whose records it hosts; the practice registration gives that one."""
    if org_type == OrganisationType.ICB:
        return None
    return INVOLVEMENT_BY_ORG_TYPE.get(org_type, InvolvementKind.OTHER)


_org_type_cache: dict[int, str] = {}


def organisation_type_of(source_system: SourceSystem) -> str:
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
    """Forget cached organisation look-ups (tests create organisations afresh)
    and the loaded matching model."""
    global _no_model_said
    _org_cache.clear()
    _org_type_cache.clear()
    _no_model_said = False
    resolve.caches_clear()
