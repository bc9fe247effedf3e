"""Loading a synthetic area straight into the database, in batches.

Used by `joinedup demo` and the load benchmark. Before identity matching exists, the
generator's ground truth decides which source records belong to one person; the
interoperability issue replaces this with ingest of the extracts themselves.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from itertools import islice

from django.db import connection, transaction
from django.utils import timezone

from joinedup.db.bulk import ids_allocate, rows_insert
from joinedup.governance.models import Organisation, OrganisationType
from joinedup.governance.services import relationships_sync
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
from joinedup.people.relationships import PEOPLE_SOURCES
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


PERSON_COLUMNS = (
    "nhs_number",
    "nhs_number_status",
    "given_name",
    "family_name",
    "given_name_norm",
    "family_name_norm",
    "birth_date",
    "sex",
    "gender_identity",
    "address_line",
    "postcode",
    "phone",
    "email",
    "registered_gp_id",
    "imd_decile",
    "lsoa",
    "national_data_opt_out",
    "created_at",
    "updated_at",
)
IDENTIFIER_COLUMNS = ("person_id", "system", "value", "source_system_id")
NAME_COLUMNS = ("person_id", "given_name", "family_name", "use", "period_end")
ADDRESS_COLUMNS = ("person_id", "line", "postcode", "period_start", "period_end")
INVOLVEMENT_COLUMNS = (
    "person_id",
    "organisation_id",
    "kind",
    "first_seen",
    "last_seen",
)
ABOUT_ME_COLUMNS = ("person_id", "updated_at", *(k for k, _ in AboutMe.HEADINGS))
EVENT_COLUMNS = (
    "person_id",
    "source_system_id",
    "source_id",
    "kind",
    "category",
    "occurred_at",
    "ended_at",
    "organisation_id",
    "code_system",
    "code",
    "code_display",
    "summary",
    "detail",
    "provenance",
    "ingested_at",
)


def _person_row(
    spec: PersonSpec, orgs: dict[str, Organisation], now: dt.datetime
) -> tuple:
    current = spec.addresses[-1]
    gp = orgs.get(spec.gp_practice_code)
    return (
        spec.nhs_number,
        NhsNumberStatus.VERIFIED.value,
        spec.given_name,
        spec.family_name,
        normalise_name(spec.given_name),
        normalise_name(spec.family_name),
        spec.birth_date,
        spec.sex,
        "",
        current.line,
        current.postcode,
        spec.phone or "",
        "",
        gp.pk if gp else None,
        spec.imd_decile,
        spec.lsoa,
        spec.national_data_opt_out,
        now,
        now,
    )


@dataclass
class _Rows:
    identifiers: list[tuple] = field(default_factory=list)
    names: list[tuple] = field(default_factory=list)
    addresses: list[tuple] = field(default_factory=list)
    involvements: list[tuple] = field(default_factory=list)
    about_me: list[tuple] = field(default_factory=list)
    events: list[tuple] = field(default_factory=list)


def _children(
    spec: PersonSpec,
    pid: int,
    rows: _Rows,
    *,
    orgs: dict[str, Organisation],
    systems: dict[str, SourceSystem],
    now: dt.datetime,
    area_end: dt.datetime,
) -> None:
    rows.identifiers.append((pid, NHS_NUMBER_SYSTEM, spec.nhs_number, None))
    for record in spec.records:
        system = systems[record.system_code]
        rows.identifiers.append(
            (pid, system.identifier_system, record.local_id, system.pk)
        )
    rows.names.append((pid, spec.given_name, spec.family_name, NameUse.OFFICIAL, None))
    if spec.previous_family_name:
        rows.names.append(
            (
                pid,
                spec.given_name,
                spec.previous_family_name,
                NameUse.OLD,
                spec.addresses[0].from_date,
            )
        )
    for i, address in enumerate(spec.addresses):
        following = spec.addresses[i + 1] if i + 1 < len(spec.addresses) else None
        rows.addresses.append(
            (
                pid,
                address.line,
                address.postcode,
                address.from_date,
                following.from_date - dt.timedelta(days=1) if following else None,
            )
        )
    seen: dict[int, list[dt.datetime]] = {}
    for e in spec.events:
        system = systems[e.system_code]
        rows.events.append(
            (
                pid,
                system.pk,
                e.source_id,
                e.kind,
                e.category,
                e.occurred_at,
                e.ended_at,
                orgs[e.org_code].pk,
                SNOMED if e.code else "",
                e.code,
                e.code_display,
                e.summary,
                e.detail,
                f"synthetic:{e.system_code}",
                now,
            )
        )
        span = seen.setdefault(system.organisation_id, [e.occurred_at, e.occurred_at])
        if e.occurred_at < span[0]:
            span[0] = e.occurred_at
        if e.occurred_at > span[1]:
            span[1] = e.occurred_at
    involved: set[int] = set()
    gp = orgs.get(spec.gp_practice_code)
    if gp is not None:
        start = dt.datetime.combine(
            spec.addresses[0].from_date, dt.time(), tzinfo=dt.UTC
        )
        rows.involvements.append(
            (pid, gp.pk, InvolvementKind.REGISTERED_GP, start, area_end)
        )
        involved.add(gp.pk)
    for record in spec.records:
        org = systems[record.system_code].organisation
        kind = _INVOLVEMENT_BY_ORG_TYPE.get(OrganisationType(org.type))
        if kind is None or org.pk in involved:
            continue
        involved.add(org.pk)
        first, last = seen.get(org.pk, [area_end, area_end])
        rows.involvements.append((pid, org.pk, kind, first, last))
    if spec.about_me:
        rows.about_me.append(
            (pid, area_end, *(spec.about_me.get(k, "") for k, _ in AboutMe.HEADINGS))
        )


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
            person_rows = [_person_row(s, orgs, now) for s in specs]
            ids = ids_allocate(Person, len(person_rows))
            if ids is not None:
                rows_insert(
                    Person,
                    ("id", *PERSON_COLUMNS),
                    [(pk, *row) for pk, row in zip(ids, person_rows, strict=True)],
                )
            else:
                ids = rows_insert(Person, PERSON_COLUMNS, person_rows)
            rows = _Rows()
            for spec, pid in zip(specs, ids, strict=True):
                _children(
                    spec,
                    pid,
                    rows,
                    orgs=orgs,
                    systems=systems,
                    now=now,
                    area_end=area_end,
                )
            rows_insert(Identifier, IDENTIFIER_COLUMNS, rows.identifiers)
            rows_insert(PersonName, NAME_COLUMNS, rows.names)
            rows_insert(Address, ADDRESS_COLUMNS, rows.addresses)
            rows_insert(Involvement, INVOLVEMENT_COLUMNS, rows.involvements)
            rows_insert(AboutMe, ABOUT_ME_COLUMNS, rows.about_me)
            rows_insert(Event, EVENT_COLUMNS, rows.events)
            relationships_sync(ids, sources=PEOPLE_SOURCES)
        stats.people += len(specs)
        stats.events += len(rows.events)
        stats.identifiers += len(rows.identifiers)
        if progress:
            progress(len(specs))
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    return stats
