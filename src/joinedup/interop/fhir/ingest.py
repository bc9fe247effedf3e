"""FHIR R4 ingest: `joinedup ingest bundle.json|file.ndjson` and `POST /fhir/R4`.

A transaction Bundle is validated entry by entry with `fhir.resources` (R4B) and
applied all-or-nothing: one invalid resource, or one that cannot be applied, and the
whole bundle goes to the quarantine with the reason, nothing of it committed. A batch
Bundle (or a bare resource, e.g. an NDJSON line) is applied entry by entry; invalid
entries are quarantined on their own. Resources are idempotent: events on their
JoinedUp identifier (conditional PUT semantics: sent again, they update)."""

from __future__ import annotations

import json
import logging
import pathlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from joinedup.governance.models import AccessCategory, OrganisationType
from joinedup.interop.fhir.mappers_in import (
    FhirProblem,
    event_map,
    patient_map,
    resource_validate,
)
from joinedup.interop.models import IngestKind, QuarantineItem
from joinedup.interop.services import Tally, quarantine_record, totals_add
from joinedup.people.models import Identifier, Person
from joinedup.people.services import SourceDemographics, person_from_source_upsert
from joinedup.record.followup import Touched, followup_run
from joinedup.record.models import EventKind, SourceSystem
from joinedup.record.services import event_record, events_record_many

log = logging.getLogger(__name__)

UNKNOWN_SOURCE = "fhir"
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


@dataclass
class EntryOutcome:
    status: str  # "201 Created" | "200 OK" | "400 Bad Request"
    reason: str = ""


@dataclass
class BundleResult:
    ok: bool
    bundle_type: str
    reason: str = ""
    entries: list[EntryOutcome] = field(default_factory=list)
    quarantine_ids: list[int] = field(default_factory=list)
    # The people and visits the applied entries wrote.
    touched: Touched = field(default_factory=Touched)


class _Systems:
    """Source systems by identifier system and by code (looked up per bundle)."""

    def __init__(self) -> None:
        systems = list(SourceSystem.objects.select_related("organisation"))
        self.by_identifier = {s.identifier_system: s for s in systems}
        self.by_code = {s.code: s for s in systems}


@dataclass
class _Bundle:
    """What the entries applied so far resolved to (fullUrl -> person, system)."""

    systems: _Systems
    people: dict[str, tuple[int, SourceSystem]] = field(default_factory=dict)
    touched: Touched = field(default_factory=Touched)


def _event_touched(touched: Touched, values: dict[str, Any]) -> None:
    touched.add_event(
        person_id=values["person_id"],
        source_system_id=values["source_system"].pk,
        kind=values["kind"],
        source_id=values["source_id"],
        detail=values.get("detail"),
    )


def _patient_apply(
    res: dict[str, Any], full_url: str, ctx: _Bundle, where: str
) -> bool:
    data = patient_map(res, where)
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
        ),
        seen_at=timezone.now(),
        gp_practice_code=data.gp_practice_code,
    )
    for key in (full_url, f"Patient/{res.get('id')}" if res.get("id") else ""):
        if key:
            ctx.people[key] = (person.pk, system)
    ctx.touched.add(people=[person.pk])
    return not known


def _subject(
    reference: str, identifier: tuple[str, str] | None, ctx: _Bundle
) -> tuple[int, SourceSystem | None] | None:
    if reference in ctx.people:
        return ctx.people[reference]
    if reference.startswith("Patient?identifier=") and "|" in reference:
        system, value = reference.split("=", 1)[1].split("|", 1)
        identifier = (system, value)
    if identifier is not None:
        found = Identifier.objects.filter(
            system=identifier[0], value=identifier[1]
        ).first()
        if found is not None:
            return found.person_id, found.source_system
    if reference.startswith("Patient/"):
        pk = reference.split("/", 1)[1]
        if pk.isdigit() and Person.objects.filter(pk=int(pk)).exists():
            return int(pk), None
    return None


def _event_values(
    res: dict[str, Any], ctx: _Bundle, where: str, provenance: str
) -> dict[str, Any]:
    """The keyword arguments of `event_record` for one event resource."""
    data = event_map(res)
    rtype = data.resource_type
    subject = _subject(data.subject_reference, data.subject_identifier, ctx)
    if subject is None:
        raise FhirProblem(
            f"{where} ({rtype}): its subject is not a patient in this bundle or "
            "known to JoinedUp"
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


def _entry_apply(
    entry: Any, i: int, ctx: _Bundle, provenance: str, *, validated: bool = False
) -> bool:
    where = f"entry {i}"
    res = entry.get("resource") if isinstance(entry, dict) else None
    if not validated:
        resource_validate(res, where)
    if not isinstance(res, dict):
        raise FhirProblem(f"{where}: a resource must be a JSON object")
    if res["resourceType"] == "Patient":
        return _patient_apply(res, str(entry.get("fullUrl") or ""), ctx, where)
    values = _event_values(res, ctx, where, provenance)
    _, created = event_record(**values, update=True)
    _event_touched(ctx.touched, values)
    return created


def _transaction_apply(
    entries: list[Any], ctx: _Bundle, provenance: str
) -> list[EntryOutcome]:
    """Apply validated entries: patients first (events refer to them), then every
    event in bulk. Outcomes in the order of the entries."""
    statuses: dict[int, bool] = {}
    events: list[tuple[int, dict[str, Any]]] = []
    for i, entry in enumerate(entries, start=1):
        if entry["resource"]["resourceType"] == "Patient":
            statuses[i] = _entry_apply(entry, i, ctx, provenance, validated=True)
    for i, entry in enumerate(entries, start=1):
        res = entry["resource"]
        if res["resourceType"] != "Patient":
            events.append((i, _event_values(res, ctx, f"entry {i}", provenance)))
    created = events_record_many(events=[values for _, values in events])
    for (i, values), new in zip(events, created, strict=True):
        statuses[i] = new
        _event_touched(ctx.touched, values)
    return [
        EntryOutcome("201 Created" if statuses[i] else "200 OK")
        for i in range(1, len(entries) + 1)
    ]


def _quarantine(
    source: str, reason: str, raw: Any, record_type: str, origin: str,
    row: int | None = None,
) -> int:  # fmt: skip
    text = raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False)
    item, _ = quarantine_record(
        source=source, kind=IngestKind.FHIR, reason=reason, raw=text,
        record_type=record_type, origin=origin, row_number=row,
    )  # fmt: skip
    return item.pk


def _source_of(data: Any, systems: _Systems) -> str:
    """The source system a bundle comes from, for totals and the quarantine."""
    try:
        for entry in data.get("entry") or [data]:
            res = entry.get("resource", entry)
            for ident in res.get("identifier") or []:
                system = str(ident.get("system", ""))
                if system in systems.by_identifier:
                    return systems.by_identifier[system].code
                if "/Id/event/" in system:
                    return system.rsplit("/", 1)[1][:60]
    except (AttributeError, TypeError):
        pass
    return UNKNOWN_SOURCE


def fhir_bundle_apply(
    data: Any, *, origin: str, tally: Tally, row: int | None = None
) -> BundleResult:
    """Apply one Bundle (or a bare resource) inside the caller's transaction."""
    systems = _Systems()
    source = _source_of(data, systems)
    if "\\u0000" in json.dumps(data):
        reason = "the content contains NUL characters (\\u0000)"
        qid = _quarantine(source, reason, data, "bundle", origin, row)
        tally.add(source, quarantined=1)
        return BundleResult(False, "", reason, quarantine_ids=[qid])
    if not isinstance(data, dict) or "resourceType" not in data:
        reason = "not a FHIR resource: a JSON object with resourceType is needed"
        qid = _quarantine(source, reason, data, "bundle", origin, row)
        tally.add(source, quarantined=1)
        return BundleResult(False, "", reason, quarantine_ids=[qid])
    if data["resourceType"] != "Bundle":
        entries, bundle_type = [{"resource": data}], "batch"
    else:
        bundle_type = str(data.get("type") or "")
        entries = data.get("entry") or []
        if bundle_type not in ("transaction", "batch") or not isinstance(entries, list):
            reason = (
                f"Bundle.type must be transaction or batch, not {bundle_type[:20]!r}"
            )
            qid = _quarantine(source, reason, data, "bundle", origin, row)
            tally.add(source, quarantined=1)
            return BundleResult(False, bundle_type, reason, quarantine_ids=[qid])
    ctx = _Bundle(systems)
    provenance = f"fhir:{origin}" + (f":{row}" if row else "")
    if bundle_type == "transaction":
        return _transaction(data, entries, ctx, provenance, source, origin, row, tally)
    result = BundleResult(True, bundle_type, touched=ctx.touched)
    for i, entry in enumerate(entries, start=1):
        try:
            with transaction.atomic():
                created = _entry_apply(entry, i, ctx, provenance)
            result.entries.append(EntryOutcome("201 Created" if created else "200 OK"))
            tally.add(source, applied=int(created), duplicate=int(not created))
        except FhirProblem as problem:
            qid = _quarantine(source, problem.reason, entry, "entry", origin, row)
            result.quarantine_ids.append(qid)
            result.entries.append(EntryOutcome("400 Bad Request", problem.reason))
            tally.add(source, quarantined=1)
    result.ok = not result.quarantine_ids
    return result


def _transaction(
    data: dict[str, Any], entries: list[Any], ctx: _Bundle, provenance: str,
    source: str, origin: str, row: int | None, tally: Tally,
) -> BundleResult:  # fmt: skip
    """A transaction Bundle: all entries valid and applied, or none."""
    problems: list[str] = []
    for i, entry in enumerate(entries, start=1):
        res = entry.get("resource") if isinstance(entry, dict) else None
        try:
            resource_validate(res, f"entry {i}")
        except FhirProblem as problem:
            problems.append(problem.reason)
    outcomes: list[EntryOutcome] = []
    if not problems:
        try:
            with transaction.atomic():
                outcomes = _transaction_apply(entries, ctx, provenance)
        except FhirProblem as problem:
            problems.append(problem.reason)
    if problems:
        reason = "transaction not applied (nothing of it was): " + "; ".join(problems)
        qid = _quarantine(source, reason, data, "bundle", origin, row)
        tally.add(source, quarantined=len(entries) or 1)
        return BundleResult(False, "transaction", reason, quarantine_ids=[qid])
    applied = sum(o.status.startswith("201") for o in outcomes)
    tally.add(source, applied=applied, duplicate=len(outcomes) - applied)
    return BundleResult(True, "transaction", entries=outcomes, touched=ctx.touched)


def fhir_json_ingest(
    text: str, *, origin: str, tally: Tally | None = None
) -> BundleResult:
    """One JSON document (a Bundle or a resource), in its own transaction."""
    tally = tally if tally is not None else Tally()
    run = Tally()
    with transaction.atomic():
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            reason = (
                f"malformed JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
            )
            qid = _quarantine(UNKNOWN_SOURCE, reason, text, "bundle", origin)
            run.add(UNKNOWN_SOURCE, quarantined=1)
            result = BundleResult(False, "", reason, quarantine_ids=[qid])
        else:
            result = fhir_bundle_apply(data, origin=origin, tally=run)
        totals_add(tally=run)
        followup_run(result.touched)
    tally.merge(run)
    return result


def fhir_ndjson_ingest(
    path: pathlib.Path,
    *,
    tally: Tally | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> Tally:
    """Every line of an NDJSON file (a Bundle or a resource a line), committed in
    groups of lines; each transaction bundle all-or-nothing on its own. Set-wise,
    with validation in worker processes for large files: see ingest_ndjson."""
    from joinedup.interop.fhir.ingest_ndjson import fhir_ndjson_file_ingest

    return fhir_ndjson_file_ingest(
        path, tally=tally, progress=progress, workers=workers
    )


def fhir_replay(item: QuarantineItem, raw: str, touched: Touched) -> str | None:
    """Apply a fixed quarantined bundle or entry, all or nothing, inside the
    caller's transaction: None when applied (what it wrote added to `touched`),
    else the reason."""
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        return f"malformed JSON: {exc.msg} (line {exc.lineno}, column {exc.colno})"
    if item.record_type == "entry":
        data = {"resourceType": "Bundle", "type": "transaction", "entry": [data]}
    elif isinstance(data, dict) and data.get("type") == "batch":
        data = {**data, "type": "transaction"}
    # A throwaway tally: the replay is counted once, by quarantine_replay, which
    # also rolls back whatever this wrote (a new quarantine item too) on failure.
    result = fhir_bundle_apply(data, origin=f"replay of {item.pk}", tally=Tally())
    if not result.ok:
        return result.reason
    touched.merge(result.touched)
    return None
