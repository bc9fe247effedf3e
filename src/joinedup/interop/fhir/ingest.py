"""FHIR R4 ingest: `joinedup ingest bundle.json|file.ndjson` and `POST /fhir/R4`.

A transaction Bundle is validated entry by entry with `fhir.resources` (R4B) and
applied all-or-nothing: one invalid resource, or one that cannot be applied, and the
whole bundle goes to the quarantine with the reason, nothing of it committed. A batch
Bundle (or a bare resource, e.g. an NDJSON line) is applied entry by entry; invalid
entries are quarantined on their own. Resources are idempotent: events on their
JoinedUp identifier (conditional PUT semantics: sent again, they update).

Bundles from other servers are read as FHIR says: references by `urn:uuid:`
fullUrl, by absolute URL or relative to the referring entry's fullUrl, or to a
contained resource (interop/fhir/references.py); resources JoinedUp does not map
are *ignored* (answered "200 OK" with an information issue, counted in
`BundleResult.ignored`, never quarantined). A Bundle of more entries than
`JOINEDUP_FHIR_BUNDLE_MAX_ENTRIES` (default 100,000) is refused whole."""

from __future__ import annotations

import json
import logging
import pathlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import transaction

from joinedup.interop.fhir.ingest_resolve import (
    BundleContext,
    Systems,
    event_touched,
    event_values,
    patient_apply,
)
from joinedup.interop.fhir.mappers_in import (
    FhirProblem,
    resource_validate,
)
from joinedup.interop.models import IngestKind, QuarantineItem
from joinedup.interop.services import Tally, quarantine_record, totals_add
from joinedup.record.followup import Touched, followup_run
from joinedup.record.services import event_record, events_record_many

log = logging.getLogger(__name__)

UNKNOWN_SOURCE = "fhir"
BUNDLE_MAX_ENTRIES = 100_000


def bundle_max_entries() -> int:
    """The most entries one Bundle may hold (JOINEDUP_FHIR_BUNDLE_MAX_ENTRIES)."""
    return int(
        getattr(settings, "JOINEDUP_FHIR_BUNDLE_MAX_ENTRIES", BUNDLE_MAX_ENTRIES)
    )


@dataclass
class EntryOutcome:
    status: str  # "201 Created" | "200 OK" | "400 Bad Request"
    reason: str = ""
    ignored: str = ""  # the resource type, when JoinedUp does not map it


@dataclass
class BundleResult:
    ok: bool
    bundle_type: str
    reason: str = ""
    entries: list[EntryOutcome] = field(default_factory=list)
    quarantine_ids: list[int] = field(default_factory=list)
    too_large: bool = False
    # The people and visits the applied entries wrote.
    touched: Touched = field(default_factory=Touched)

    @property
    def created(self) -> int:
        return sum(e.status.startswith("201") for e in self.entries)

    @property
    def updated(self) -> int:
        return sum(e.status.startswith("200") and not e.ignored for e in self.entries)

    @property
    def ignored(self) -> int:
        return sum(bool(e.ignored) for e in self.entries)

    @property
    def refused(self) -> int:
        return sum(e.status.startswith("4") for e in self.entries)


def _ignored(rtype: str) -> EntryOutcome:
    return EntryOutcome(
        "200 OK", f"ignored: JoinedUp does not map {rtype[:40]} resources", rtype[:40]
    )


def _emergency_key(
    res: dict[str, Any], values: dict[str, Any]
) -> list[tuple[int, str]]:
    """An Encounter of class EMER (an attendance at unscheduled care): its key,
    for the follow-up steps (the safeguarding flag check)."""
    klass = res.get("class")
    code = klass.get("code") if isinstance(klass, dict) else None
    if res.get("resourceType") == "Encounter" and code == "EMER":
        return [(values["source_system"].pk, values["source_id"])]
    return []


def _entry_apply(
    entry: Any, i: int, ctx: BundleContext, provenance: str, *, validated: bool = False
) -> EntryOutcome:
    where = f"entry {i}"
    res = entry.get("resource") if isinstance(entry, dict) else None
    mapped = resource_validate(res, where) if not validated else True
    if not isinstance(res, dict):
        raise FhirProblem(f"{where}: a resource must be a JSON object")
    if not mapped:
        return _ignored(str(res["resourceType"]))
    full_url = str(entry.get("fullUrl") or "")
    if res["resourceType"] == "Patient":
        created = patient_apply(res, full_url, ctx, where)
    else:
        values = event_values(res, ctx, where, provenance, full_url)
        _, created = event_record(**values, update=True)
        event_touched(ctx.touched, values)
        ctx.touched.add(attendances=_emergency_key(res, values))
    return EntryOutcome("201 Created" if created else "200 OK")


def _transaction_apply(
    entries: list[Any], mapped: list[bool], ctx: BundleContext, provenance: str
) -> list[EntryOutcome]:
    """Apply validated entries: patients first (events refer to them), then every
    event in bulk; entries JoinedUp does not map are ignored. Outcomes in the
    order of the entries."""
    outcomes: dict[int, EntryOutcome] = {}
    events: list[tuple[int, dict[str, Any]]] = []
    for i, (entry, is_mapped) in enumerate(zip(entries, mapped, strict=True), 1):
        if not is_mapped:
            outcomes[i] = _ignored(str(entry["resource"]["resourceType"]))
        elif entry["resource"]["resourceType"] == "Patient":
            outcomes[i] = _entry_apply(entry, i, ctx, provenance, validated=True)
    for i, (entry, is_mapped) in enumerate(zip(entries, mapped, strict=True), 1):
        res = entry["resource"]
        if is_mapped and res["resourceType"] != "Patient":
            full_url = str(entry.get("fullUrl") or "")
            events.append(
                (i, event_values(res, ctx, f"entry {i}", provenance, full_url))
            )
    created = events_record_many(events=[values for _, values in events])
    for (i, values), new in zip(events, created, strict=True):
        outcomes[i] = EntryOutcome("201 Created" if new else "200 OK")
        event_touched(ctx.touched, values)
        ctx.touched.add(attendances=_emergency_key(entries[i - 1]["resource"], values))
    return [outcomes[i] for i in range(1, len(entries) + 1)]


def quarantine_item(
    source: str, reason: str, raw: Any, record_type: str, origin: str,
    row: int | None = None,
) -> int:  # fmt: skip
    text = raw if isinstance(raw, str) else json.dumps(raw, ensure_ascii=False)
    item, _ = quarantine_record(
        source=source, kind=IngestKind.FHIR, reason=reason, raw=text,
        record_type=record_type, origin=origin, row_number=row,
    )  # fmt: skip
    return item.pk


def bundle_source(data: Any, systems: Systems) -> str:
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
    systems = Systems()
    source = bundle_source(data, systems)
    if "\\u0000" in json.dumps(data):
        reason = "the content contains NUL characters (\\u0000)"
        qid = quarantine_item(source, reason, data, "bundle", origin, row)
        tally.add(source, quarantined=1)
        return BundleResult(False, "", reason, quarantine_ids=[qid])
    if not isinstance(data, dict) or "resourceType" not in data:
        reason = "not a FHIR resource: a JSON object with resourceType is needed"
        qid = quarantine_item(source, reason, data, "bundle", origin, row)
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
            qid = quarantine_item(source, reason, data, "bundle", origin, row)
            tally.add(source, quarantined=1)
            return BundleResult(False, bundle_type, reason, quarantine_ids=[qid])
    limit = bundle_max_entries()
    if len(entries) > limit:
        reason = (
            f"Bundle.entry: {len(entries):,} entries, more than the {limit:,} a "
            "bundle may hold (JOINEDUP_FHIR_BUNDLE_MAX_ENTRIES); nothing of it "
            "was applied: send it in smaller bundles, or as NDJSON"
        )
        log.warning(
            "FHIR bundle from %s refused: %s entries, limit %s",
            origin,
            len(entries),
            limit,
        )
        qid = quarantine_item(source, reason, data, "bundle", origin, row)
        tally.add(source, quarantined=1)
        return BundleResult(
            False, bundle_type, reason, quarantine_ids=[qid], too_large=True
        )
    ctx = BundleContext.of(systems, entries)
    provenance = f"fhir:{origin}" + (f":{row}" if row else "")
    if bundle_type == "transaction":
        return _transaction(data, entries, ctx, provenance, source, origin, row, tally)
    result = BundleResult(True, bundle_type, touched=ctx.touched)
    for i, entry in enumerate(entries, start=1):
        try:
            with transaction.atomic():
                outcome = _entry_apply(entry, i, ctx, provenance)
            result.entries.append(outcome)
            if not outcome.ignored:
                created = outcome.status.startswith("201")
                tally.add(source, applied=int(created), duplicate=int(not created))
        except FhirProblem as problem:
            qid = quarantine_item(source, problem.reason, entry, "entry", origin, row)
            result.quarantine_ids.append(qid)
            result.entries.append(EntryOutcome("400 Bad Request", problem.reason))
            tally.add(source, quarantined=1)
    result.ok = not result.quarantine_ids
    return result


def _transaction(
    data: dict[str, Any], entries: list[Any], ctx: BundleContext, provenance: str,
    source: str, origin: str, row: int | None, tally: Tally,
) -> BundleResult:  # fmt: skip
    """A transaction Bundle: all entries valid and applied, or none."""
    problems: list[str] = []
    mapped: list[bool] = []
    for i, entry in enumerate(entries, start=1):
        res = entry.get("resource") if isinstance(entry, dict) else None
        try:
            mapped.append(resource_validate(res, f"entry {i}"))
        except FhirProblem as problem:
            problems.append(problem.reason)
    outcomes: list[EntryOutcome] = []
    if not problems:
        try:
            with transaction.atomic():
                outcomes = _transaction_apply(entries, mapped, ctx, provenance)
        except FhirProblem as problem:
            problems.append(problem.reason)
    if problems:
        reason = "transaction not applied (nothing of it was): " + "; ".join(problems)
        qid = quarantine_item(source, reason, data, "bundle", origin, row)
        tally.add(source, quarantined=len(entries) or 1)
        return BundleResult(False, "transaction", reason, quarantine_ids=[qid])
    result = BundleResult(True, "transaction", entries=outcomes, touched=ctx.touched)
    tally.add(source, applied=result.created, duplicate=result.updated)
    if result.ignored:
        log.info(
            "FHIR bundle from %s: %s entries of types JoinedUp does not map ignored",
            origin,
            result.ignored,
        )
    return result


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
            qid = quarantine_item(UNKNOWN_SOURCE, reason, text, "bundle", origin)
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
    caller's transaction: None when applied, else the reason."""
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
