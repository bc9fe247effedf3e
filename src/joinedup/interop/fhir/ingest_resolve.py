"""One bundle's entries resolved to the person index and the shared record: the
source systems known, the patients a bundle's events refer to (in the bundle, by
every way FHIR refers to an entry, or already known to JoinedUp) and the values of
each event. Used by ingest.py (one at a time) and ingest_ndjson.py (set-wise)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from joinedup.governance.models import AccessCategory, OrganisationType
from joinedup.interop.fhir import references
from joinedup.interop.fhir.mappers_in import FhirProblem, event_map, patient_map
from joinedup.people.models import Identifier, Person
from joinedup.people.services import SourceDemographics, person_from_source_upsert
from joinedup.record.followup import Touched
from joinedup.record.models import EventKind, SourceSystem

_ENCOUNTER_KIND: dict[str, str] = {
    OrganisationType.GP_PRACTICE: EventKind.GP_CONSULTATION,
    OrganisationType.ICB: EventKind.GP_CONSULTATION,
    OrganisationType.COMMUNITY_TRUST: EventKind.COMMUNITY_CONTACT,
    OrganisationType.MENTAL_HEALTH_TRUST: EventKind.MENTAL_HEALTH_CONTACT,
}
_KIND_CATEGORY: dict[str, str] = {
    EventKind.MENTAL_HEALTH_CONTACT: AccessCategory.MENTAL_HEALTH,
    EventKind.SEXUAL_HEALTH_CONTACT: AccessCategory.SEXUAL_HEALTH,
    EventKind.SAFEGUARDING_CONCERN: AccessCategory.SAFEGUARDING,
}
_DEFAULT_KIND: dict[str, str] = {
    "Condition": EventKind.DIAGNOSIS,
    "MedicationStatement": EventKind.MEDICATION,
}
_EVENT_KINDS = frozenset(EventKind.values)  # `.values` builds a list each time
_CATEGORIES = frozenset(AccessCategory.values)
_COUNCIL = {
    OrganisationType.COUNCIL_ADULT_SOCIAL_CARE,
    OrganisationType.COUNCIL_CHILDRENS_SERVICES,
}


class Systems:
    """Source systems by identifier system and by code (looked up per bundle)."""

    def __init__(self) -> None:
        systems = list(SourceSystem.objects.select_related("organisation"))
        self.by_identifier = {s.identifier_system: s for s in systems}
        self.by_code = {s.code: s for s in systems}


@dataclass
class BundleContext:
    """The bundle's resources by key, and what the patients applied so far
    resolved to (entry key -> person, system; see references.entry_keys)."""

    systems: Systems
    people: dict[str, tuple[int, SourceSystem]] = field(default_factory=dict)
    index: references.Index = field(default_factory=references.Index)
    # The people and visits the entries applied so far wrote (ingest follow-up).
    touched: Touched = field(default_factory=Touched)

    @classmethod
    def of(cls, systems: Systems, entries: list[Any]) -> BundleContext:
        ctx = cls(systems)
        for entry in entries:
            res = entry.get("resource") if isinstance(entry, dict) else None
            if isinstance(res, dict):
                ctx.index.add(str(entry.get("fullUrl") or ""), res)
        return ctx

    def resolver(
        self, res: dict[str, Any], full_url: str
    ) -> Callable[[str], dict[str, Any] | None]:
        def resolve(reference: str) -> dict[str, Any] | None:
            return self.index.resolve(
                reference, referring=res, referring_full_url=full_url
            )

        return resolve

    def patient_add(
        self, full_url: str, res: dict[str, Any], person: tuple[int, SourceSystem]
    ) -> None:
        for key in references.entry_keys(full_url, res):
            self.people.setdefault(key, person)

    def patient_of(
        self, reference: str, full_url: str
    ) -> tuple[int, SourceSystem] | None:
        key = self.index.key_for(reference, full_url)
        return self.people.get(key) if key is not None else None


def patient_apply(
    res: dict[str, Any], full_url: str, ctx: BundleContext, where: str
) -> bool:
    data = patient_map(res, where, ctx.resolver(res, full_url))
    system = local_id = None
    for ident_system, value in data.identifiers:
        system = ctx.systems.by_identifier.get(ident_system)
        if system is not None:
            local_id = value
            break
    if system is None or local_id is None:
        raise FhirProblem(
            f"{where} (Patient): no identifier of a known source system (the "
            "identifier system of its record, e.g. a GP patient ID)"
        )
    known = Identifier.objects.filter(
        system=system.identifier_system, value=local_id
    ).exists()
    person = person_from_source_upsert(
        source_system=system,
        local_id=local_id,
        demographics=SourceDemographics(
            nhs_number=data.nhs_number,
            nhs_number_status=data.nhs_number_status,
            given_name=data.given_name,
            family_name=data.family_name,
            birth_date=data.birth_date,
            sex=data.sex,
            address_line=data.address_line,
            postcode=data.postcode,
            phone=data.phone,
            ethnic_category=data.ethnic_category,
        ),
        seen_at=timezone.now(),
        gp_practice_code=data.gp_practice_code,
    )
    ctx.patient_add(full_url, res, (person.pk, system))
    ctx.touched.add(people=[person.pk])
    return not known


def event_touched(touched: Touched, values: dict[str, Any]) -> None:
    """Add an event about to be written (`event_values`) to `touched`."""
    touched.add_event(
        person_id=values["person_id"],
        source_system_id=values["source_system"].pk,
        kind=values["kind"],
        source_id=values["source_id"],
        detail=values.get("detail"),
    )


def subject_of(
    reference: str,
    identifier: tuple[str, str] | None,
    ctx: BundleContext,
    full_url: str,
) -> tuple[int, SourceSystem | None] | None:
    """The person an event is about: a Patient of this bundle (by any of the
    ways FHIR refers to an entry), a conditional reference or the reference's
    identifier (a source identifier known to JoinedUp), or a Patient id on this
    server (a relative reference from an entry not sent from another server)."""
    found = ctx.patient_of(reference, full_url)
    if found is not None:
        return found
    if reference.startswith("Patient?identifier=") and "|" in reference:
        system, value = reference.split("=", 1)[1].split("|", 1)
        identifier = (system, value)
    if identifier is not None:
        known = Identifier.objects.filter(
            system=identifier[0], value=identifier[1]
        ).first()
        if known is not None:
            return known.person_id, known.source_system
    parsed = references.parse(reference)
    local_id = references.on_this_server(reference, full_url)
    if (
        parsed is not None
        and parsed.type == "Patient"
        and local_id is not None
        and local_id.isdigit()
        and Person.objects.filter(pk=int(local_id)).exists()
    ):
        return int(local_id), None
    return None


def event_values(
    res: dict[str, Any],
    ctx: BundleContext,
    where: str,
    provenance: str,
    full_url: str = "",
) -> dict[str, Any]:
    """The keyword arguments of `event_record` for one event resource."""
    data = event_map(res, ctx.resolver(res, full_url))
    rtype = data.resource_type
    subject = subject_of(data.subject_reference, data.subject_identifier, ctx, full_url)
    if subject is None:
        raise FhirProblem(
            f"{where} ({rtype}): its subject is not a patient in this bundle or "
            "known to JoinedUp"
            + (
                " (a contained patient cannot be the subject: send it as an entry)"
                if data.subject_reference.startswith("#")
                else ""
            )
        )
    person_id, patient_system = subject
    system = ctx.systems.by_code.get(data.source_system_code or "") or patient_system
    if system is None:
        raise FhirProblem(f"{where} ({rtype}): no identifier of a known source system")
    source_id = data.source_id or (f"{rtype}/{res['id']}" if res.get("id") else None)
    if not source_id:
        raise FhirProblem(f"{where} ({rtype}): an identifier or id is required")
    org_type = system.organisation.type
    kind = data.kind if data.kind in _EVENT_KINDS else None
    if kind is None:
        if rtype == "Encounter":
            kind = _ENCOUNTER_KIND.get(OrganisationType(org_type), EventKind.OTHER)
        else:
            kind = _DEFAULT_KIND.get(rtype, EventKind.OTHER)
    category = data.category if data.category in _CATEGORIES else None
    if category is None:
        category = _KIND_CATEGORY.get(kind) or (
            AccessCategory.SOCIAL_CARE
            if org_type in _COUNCIL
            else AccessCategory.HEALTH
        )
    detail = dict(data.detail)
    detail["resource_type"] = rtype
    occurred = data.occurred_at
    if occurred is None:
        occurred = timezone.now()
        detail["date_not_recorded"] = "true"
    return {
        "person_id": person_id,
        "source_system": system,
        "source_id": source_id[:100],
        "kind": kind,
        "category": category,
        "occurred_at": occurred,
        "ended_at": data.ended_at,
        "code_system": data.code_system,
        "code": data.code,
        "code_display": data.code_display,
        "summary": data.summary,
        "detail": detail,
        "provenance": provenance,
    }
