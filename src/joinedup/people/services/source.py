"""One source record at a time: find or create its person, keep its names,
addresses, identifiers and involvement. See the package docstring."""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Greatest, Least

from joinedup.governance.models import Organisation, OrganisationType
from joinedup.people.matching import resolve
from joinedup.people.matching.outcomes import Outcome
from joinedup.people.matching.prepare import MatchRecord
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


def _organisation_id(code: str | None) -> int | None:
    if not code:
        return None
    if code not in _org_cache:
        _org_cache[code] = (
            Organisation.objects.filter(code=code).values_list("pk", flat=True).first()
        )
    return _org_cache[code]


def _match_record(d: SourceDemographics) -> MatchRecord:
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


def _model_available() -> resolve.Loaded | None:
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


def _resolve(d: SourceDemographics) -> resolve.Resolution | None:
    """Incremental matching of a record the deterministic steps did not place."""
    loaded = _model_available()
    if loaded is None:
        return None
    return resolve.person_resolve(
        record=_match_record(d), verified_step=False, loaded=loaded
    )


def _new_person(d: SourceDemographics) -> Person:
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


def _live(person: Person) -> Person:
    """The person itself, or the survivor it was merged into."""
    if person.merged_into_id is None:
        return person
    from joinedup.people.merge import person_survivor_id

    survivor = person_survivor_id(person_id=person.pk)
    return Person.objects.get(pk=survivor) if survivor else person


def person_match_or_create(
    *, demographics: SourceDemographics, seen_at: dt.datetime
) -> tuple[Person, bool]:
    """The identity step for a source record not seen before: the unmerged
    person holding the same *verified* NHS number (DESIGN 2 "Identity", 4.1);
    else incremental matching: link at or above the upper threshold; a new
    Person otherwise, the pair queued for review between the thresholds."""
    d = demographics
    if d.nhs_number and d.nhs_number_status == NhsNumberStatus.VERIFIED:
        found = (
            Identifier.objects.select_related("person")
            .filter(system=NHS_NUMBER_SYSTEM, value=d.nhs_number)
            .first()
        )
        if found is not None:
            return _live(found.person), False
    resolution = _resolve(d)
    if resolution is not None and resolution.outcome == Outcome.LINK:
        linked = Person.objects.filter(
            pk=resolution.person_id or 0, merged_into__isnull=True
        ).first()
        if linked is not None:
            return linked, False
    person = _new_person(d)
    person.save()
    if resolution is not None and resolution.outcome == Outcome.REVIEW:
        resolve.resolution_queue(resolution=resolution, person_id=person.pk)
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
    if d.ethnic_category and person.ethnic_category != d.ethnic_category:
        person.ethnic_category = d.ethnic_category
        changed.append("ethnic_category")
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


def _source_involvement_kind(org_type: str) -> str | None:
    """How holding a person's records in its system involves the organisation
    running it, or None when it does not: an ICB hosting a shared system (the GP
    system for all practices) commissions care and has no relationship with each
    person whose records it hosts; the practice registration gives that one."""
    if org_type == OrganisationType.ICB:
        return None
    return INVOLVEMENT_BY_ORG_TYPE.get(org_type, InvolvementKind.OTHER)


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
            person = _live(found.person)
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
        kind = _source_involvement_kind(_organisation_type(source_system))
        if kind is not None:
            involvement_touch(
                person_id=person.pk,
                organisation_id=source_system.organisation_id,
                kind=kind,
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
    """Forget cached organisation look-ups (tests create organisations afresh)
    and the loaded matching model."""
    global _no_model_said
    _org_cache.clear()
    _org_type_cache.clear()
    _no_model_said = False
    resolve.caches_clear()
