"""Loading a synthetic area straight into the database, in batches.

Used by `joinedup demo` and the load benchmark. Before identity matching exists, the
generator's ground truth decides which source records belong to one person; the
interoperability issue replaces this with ingest of the extracts themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.db import connection, transaction
from django.utils import timezone

from joinedup.governance.models import Organisation, OrganisationType
from joinedup.people.models import (
    AboutMe,
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
from joinedup.record.models import Event, SourceSystem
from joinedup.synth.area import Area, PersonSpec

BATCH = 1000
SNOMED = "http://snomed.info/sct"

_INVOLVEMENT_BY_ORG_TYPE = {
    OrganisationType.ACUTE_TRUST: InvolvementKind.HOSPITAL_PATIENT,
    OrganisationType.COMMUNITY_TRUST: InvolvementKind.COMMUNITY_PATIENT,
    OrganisationType.MENTAL_HEALTH_TRUST: InvolvementKind.MENTAL_HEALTH_PATIENT,
    OrganisationType.COUNCIL_ADULT_SOCIAL_CARE: InvolvementKind.SOCIAL_CARE_CLIENT,
    OrganisationType.COUNCIL_CHILDRENS_SERVICES: InvolvementKind.SOCIAL_CARE_CLIENT,
}


@dataclass
class LoadStats:
    people: int = 0
    events: int = 0
    identifiers: int = 0
    systems: int = 0


def _batches(items: Iterable[PersonSpec], size: int) -> Iterator[list[PersonSpec]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def organisations_and_systems_load(
    *, area: Area
) -> tuple[dict[str, Organisation], dict[str, SourceSystem]]:
    orgs: dict[str, Organisation] = {}
    for spec in area.organisations:
        org, _ = Organisation.objects.update_or_create(
            code=spec.code,
            defaults={
                "name": spec.name,
                "type": spec.type,
                "postcode": spec.postcode,
                "contact_phone": f"0300 555 {sum(map(ord, spec.code)) % 10000:04d}",
            },
        )
        orgs[spec.code] = org
    systems: dict[str, SourceSystem] = {}
    for s in area.systems:
        system, _ = SourceSystem.objects.update_or_create(
            code=s.code,
            defaults={
                "name": s.name,
                "organisation": orgs[s.org_code],
                "kind": s.kind,
                "identifier_system": s.identifier_system,
                "identifier_label": s.identifier_label,
            },
        )
        systems[s.code] = system
    return orgs, systems


def _person_row(spec: PersonSpec, orgs: dict[str, Organisation]) -> Person:
    current = spec.addresses[-1]
    return Person(
        nhs_number=spec.nhs_number,
        nhs_number_status=NhsNumberStatus.VERIFIED,
        given_name=spec.given_name,
        family_name=spec.family_name,
        given_name_norm=normalise_name(spec.given_name),
        family_name_norm=normalise_name(spec.family_name),
        birth_date=spec.birth_date,
        sex=spec.sex,
        address_line=current.line,
        postcode=current.postcode,
        phone=spec.phone or "",
        registered_gp=orgs.get(spec.gp_practice_code),
        imd_decile=spec.imd_decile,
        lsoa=spec.lsoa,
        national_data_opt_out=spec.national_data_opt_out,
    )


def _children(
    spec: PersonSpec,
    person: Person,
    *,
    orgs: dict[str, Organisation],
    systems: dict[str, SourceSystem],
    now: dt.datetime,
    area_end: dt.datetime,
) -> tuple[list, list, list, list, list, list]:
    pid = person.pk
    identifiers = [
        Identifier(person_id=pid, system=NHS_NUMBER_SYSTEM, value=spec.nhs_number)
    ]
    for record in spec.records:
        system = systems[record.system_code]
        identifiers.append(
            Identifier(
                person_id=pid,
                system=system.identifier_system,
                value=record.local_id,
                source_system=system,
            )
        )
    names = [
        PersonName(
            person_id=pid,
            given_name=spec.given_name,
            family_name=spec.family_name,
            use=NameUse.OFFICIAL,
        )
    ]
    if spec.previous_family_name:
        names.append(
            PersonName(
                person_id=pid,
                given_name=spec.given_name,
                family_name=spec.previous_family_name,
                use=NameUse.OLD,
                period_end=spec.addresses[0].from_date,
            )
        )
    addresses = []
    for i, address in enumerate(spec.addresses):
        following = spec.addresses[i + 1] if i + 1 < len(spec.addresses) else None
        addresses.append(
            Address(
                person_id=pid,
                line=address.line,
                postcode=address.postcode,
                period_start=address.from_date,
                period_end=(following.from_date - dt.timedelta(days=1))
                if following
                else None,
            )
        )
    events = []
    seen: dict[int, list[dt.datetime]] = {}
    for e in spec.events:
        org = orgs[e.org_code]
        system = systems[e.system_code]
        events.append(
            Event(
                person_id=pid,
                source_system=system,
                source_id=e.source_id,
                kind=e.kind,
                category=e.category,
                occurred_at=e.occurred_at,
                ended_at=e.ended_at,
                organisation=org,
                code_system=SNOMED if e.code else "",
                code=e.code,
                code_display=e.code_display,
                summary=e.summary,
                detail=dict(e.detail),
                provenance=f"synthetic:{e.system_code}",
                ingested_at=now,
            )
        )
        span = seen.setdefault(system.organisation_id, [e.occurred_at, e.occurred_at])
        span[0] = min(span[0], e.occurred_at)
        span[1] = max(span[1], e.occurred_at)
    involvements = []
    gp = orgs.get(spec.gp_practice_code)
    if gp is not None:
        start = dt.datetime.combine(
            spec.addresses[0].from_date, dt.time(), tzinfo=dt.UTC
        )
        involvements.append(
            Involvement(
                person_id=pid,
                organisation=gp,
                kind=InvolvementKind.REGISTERED_GP,
                first_seen=start,
                last_seen=area_end,
            )
        )
    for record in spec.records:
        org = systems[record.system_code].organisation
        kind = _INVOLVEMENT_BY_ORG_TYPE.get(OrganisationType(org.type))
        if kind is None or any(i.organisation_id == org.pk for i in involvements):
            continue
        first, last = seen.get(org.pk, [area_end, area_end])
        involvements.append(
            Involvement(
                person_id=pid,
                organisation=org,
                kind=kind,
                first_seen=first,
                last_seen=last,
            )
        )
    about = []
    if spec.about_me:
        about.append(
            AboutMe(
                person_id=pid,
                updated_at=area_end,
                **{
                    k: v
                    for k, v in spec.about_me.items()
                    if k in dict(AboutMe.HEADINGS)
                },
            )
        )
    return identifiers, names, addresses, involvements, about, events


def area_load(
    *, area: Area, progress: Callable[[int], None] | None = None, batch: int = BATCH
) -> LoadStats:
    """Load every person of the area with their identifiers, names, addresses,
    involvements, "About me" and events. Each batch is one transaction: a failure
    leaves whole batches, never a half-loaded person."""
    orgs, systems = organisations_and_systems_load(area=area)
    stats = LoadStats(systems=len(systems))
    now = timezone.now()
    area_end = dt.datetime.combine(area.end, dt.time(23, 59), tzinfo=dt.UTC)
    for specs in _batches(area.iter_people(), batch):
        with transaction.atomic():
            people = Person.objects.bulk_create([_person_row(s, orgs) for s in specs])
            rows: tuple[list, ...] = ([], [], [], [], [], [])
            for spec, person in zip(specs, people, strict=True):
                for bucket, items in zip(
                    rows,
                    _children(
                        spec,
                        person,
                        orgs=orgs,
                        systems=systems,
                        now=now,
                        area_end=area_end,
                    ),
                    strict=True,
                ):
                    bucket.extend(items)
            identifiers, names, addresses, involvements, about, events = rows
            Identifier.objects.bulk_create(identifiers, batch_size=5000)
            PersonName.objects.bulk_create(names, batch_size=5000)
            Address.objects.bulk_create(addresses, batch_size=5000)
            Involvement.objects.bulk_create(involvements, batch_size=5000)
            AboutMe.objects.bulk_create(about, batch_size=5000)
            Event.objects.bulk_create(events, batch_size=5000)
        stats.people += len(people)
        stats.events += len(events)
        stats.identifiers += len(identifiers)
        if progress:
            progress(len(specs))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return stats
