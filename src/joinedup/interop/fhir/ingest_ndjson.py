"""FHIR NDJSON file ingest (`joinedup ingest file.ndjson`), set-wise.

Lines are committed in groups (`LINES_PER_TRANSACTION`); each transaction Bundle
stays all-or-nothing on its own. Within a group:

- every resource is validated with `fhir.resources` (`bundle_lines_validate`), in a
  pool of worker processes for large files (the validation of the next groups runs
  while this one is written), else in this process;
- the transaction Bundles that can be applied without surprises (every entry valid,
  every event's subject a Patient of the same Bundle, every resource mapped) are
  planned first, then applied in order with one read of the group's identifiers,
  involvements and events and bulk writes (`SourceRecordBatch`, `EventBatch`);
- any other line (a batch Bundle, a bare resource, an invalid entry, a reference to
  a patient outside the Bundle, malformed JSON) is applied in its place by the
  one-at-a-time path, `fhir_bundle_apply`, after the writes staged before it;
- if anything unexpected fails, the group is rolled back and applied again line by
  line with `fhir_bundle_apply`, as before.
"""

from __future__ import annotations

import atexit
import json
import logging
import multiprocessing
import os
import pathlib
from collections.abc import Callable, Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction
from django.utils import timezone

from joinedup.interop.fhir.ingest import (
    UNKNOWN_SOURCE,
    bundle_max_entries,
    bundle_source,
    fhir_bundle_apply,
    quarantine_item,
)
from joinedup.interop.fhir.ingest_resolve import BundleContext, Systems, event_values
from joinedup.interop.fhir.mappers_in import (
    SUBJECT_TYPES,
    SUPPORTED,
    FhirProblem,
    bundle_lines_validate,
    patient_map,
)
from joinedup.interop.services import Tally, totals_add
from joinedup.people.models import NhsNumberStatus
from joinedup.people.nhs_number import NHS_NUMBER_SYSTEM
from joinedup.people.services import SourceDemographics, SourceRecordBatch
from joinedup.record.followup import Touched, followup_run
from joinedup.record.models import SourceSystem
from joinedup.record.services import EventBatch

log = logging.getLogger(__name__)

LINES_PER_TRANSACTION = 50
# Files with fewer lines are validated in this process (a pool costs a second).
POOL_MIN_LINES = 2 * LINES_PER_TRANSACTION
LOOKAHEAD = 3  # groups being validated ahead of the one being written


def ingest_workers() -> int:
    """Validation worker processes: JOINEDUP_INGEST_WORKERS (default 1: validate in
    this process). On the 2-core benchmark machine a pool of 2 was no faster,
    because the database and this process need the second core (see
    docs/benchmarks.md, "Ingest"); on a larger machine set it to the free cores."""
    value = os.environ.get("JOINEDUP_INGEST_WORKERS", "").strip()
    return int(value) if value.isdigit() else 1


@dataclass
class _PatientOp:
    system: SourceSystem
    local_id: str
    demographics: SourceDemographics
    gp_practice_code: str | None


@dataclass
class _Plan:
    """A transaction Bundle that can be applied set-wise."""

    number: int
    source: str
    patients: list[_PatientOp] = field(default_factory=list)
    # Per event entry: the index of its patient in `patients`, and the values.
    events: list[tuple[int, dict[str, Any]]] = field(default_factory=list)


def _plan(
    data: Any, line: str, number: int, reasons: list[str | None] | None,
    systems: Systems, provenance: str,
) -> _Plan | None:  # fmt: skip
    """What a line's transaction Bundle does, or None when it must go the
    one-at-a-time way (anything unusual, or anything to quarantine)."""
    if reasons is None or any(r is not None for r in reasons) or "\\u" in line:
        return None
    if not isinstance(data, dict) or data.get("type") != "transaction":
        return None
    entries = data.get("entry")
    if not isinstance(entries, list) or not entries or len(entries) != len(reasons):
        return None
    if len(entries) > bundle_max_entries():
        return None  # refused, the one-at-a-time way
    plan = _Plan(number, bundle_source(data, systems))
    ctx = BundleContext.of(systems, entries)
    keys: set[tuple[int, str]] = set()
    try:
        for entry in entries:
            res = entry["resource"]
            if res["resourceType"] not in SUPPORTED:
                return None  # ignored entries: answered the one-at-a-time way
            if res["resourceType"] != "Patient":
                continue
            full_url = str(entry.get("fullUrl") or "")
            p = patient_map(res, "entry", ctx.resolver(res, full_url))
            system = local_id = None
            for ident_system, value in p.identifiers:
                system = systems.by_identifier.get(ident_system)
                if system is not None:
                    local_id = value
                    break
            if system is None or local_id is None:
                return None
            index = len(plan.patients)
            plan.patients.append(_PatientOp(
                system, local_id,
                SourceDemographics(
                    nhs_number=p.nhs_number, nhs_number_status=p.nhs_number_status,
                    given_name=p.given_name, family_name=p.family_name,
                    birth_date=p.birth_date, sex=p.sex, address_line=p.address_line,
                    postcode=p.postcode, phone=p.phone,
                    ethnic_category=p.ethnic_category,
                ),
                p.gp_practice_code,
            ))  # fmt: skip
            ctx.patient_add(full_url, res, (index, system))
        for entry in entries:
            res = entry["resource"]
            if res["resourceType"] == "Patient":
                continue
            full_url = str(entry.get("fullUrl") or "")
            subject = res.get(SUBJECT_TYPES.get(res["resourceType"], "subject")) or {}
            if ctx.patient_of(str(subject.get("reference") or ""), full_url) is None:
                return None  # a patient outside the bundle: look it up one by one
            values = event_values(res, ctx, "entry", provenance, full_url)
            event_key = (values["source_system"].pk, values["source_id"])
            if event_key in keys:  # the same event twice in one bundle
                return None
            keys.add(event_key)
            plan.events.append((values.pop("person_id"), values))
    except (FhirProblem, KeyError, TypeError, AttributeError):
        return None
    return plan


def _prefetch(
    plans: list[_Plan], people: SourceRecordBatch, events: EventBatch
) -> None:
    identifiers: list[tuple[str, str]] = []
    for plan in plans:
        for op in plan.patients:
            identifiers.append((op.system.identifier_system, op.local_id))
            d = op.demographics
            if d.nhs_number and d.nhs_number_status == NhsNumberStatus.VERIFIED:
                identifiers.append((NHS_NUMBER_SYSTEM, d.nhs_number))
    people.prefetch(identifiers=identifiers)
    events.prefetch(
        keys=[(v["source_system"], v["source_id"]) for p in plans for _, v in p.events]
    )


def _apply(
    plan: _Plan, people: SourceRecordBatch, events: EventBatch, run: Tally
) -> None:
    persons = []
    created = 0
    seen_at = timezone.now()
    for op in plan.patients:
        known = (
            people.person_for_identifier(op.system.identifier_system, op.local_id)
            is not None
        )
        persons.append(people.upsert(
            source_system=op.system, local_id=op.local_id,
            demographics=op.demographics, seen_at=seen_at,
            gp_practice_code=op.gp_practice_code,
        ))  # fmt: skip
        created += not known
    for index, values in plan.events:
        created += events.record(person=persons[index], update=True, **values)
    total = len(plan.patients) + len(plan.events)
    run.add(plan.source, applied=created, duplicate=total - created)


class _NotSetWise(Exception):
    pass


def _group_set_wise(
    lines: list[tuple[int, str]], reasons: list[list[str | None] | None],
    origin: str, run: Tally, touched: Touched,
) -> None:  # fmt: skip
    systems = Systems()
    items: list[tuple[int, str, _Plan | None]] = []
    for (number, line), entry_reasons in zip(lines, reasons, strict=True):
        try:
            data = json.loads(line)
        except json.JSONDecodeError:
            items.append((number, line, None))
            continue
        provenance = f"fhir:{origin}:{number}"
        plan = _plan(data, line, number, entry_reasons, systems, provenance)
        items.append((number, line, plan))
    people: SourceRecordBatch | None = None
    events = EventBatch()

    def flush(people: SourceRecordBatch) -> None:
        people.flush()
        events.flush()
        touched.merge(people.touched)

    for i, (number, line, plan) in enumerate(items):
        if plan is not None:
            if people is None:
                people = SourceRecordBatch()
                _prefetch([p for *_, p in items[i:] if p is not None], people, events)
            _apply(plan, people, events, run)
            continue
        if people is not None:  # what is staged goes first
            flush(people)
            people = None
        _line_apply(number, line, origin, run, touched)
    if people is not None:
        flush(people)
    touched.merge(events.touched)


def _line_apply(
    number: int, line: str, origin: str, run: Tally, touched: Touched | None = None
) -> None:
    """One line, the one-at-a-time way (as before set-wise ingest)."""
    touched = touched if touched is not None else Touched()
    try:
        data = json.loads(line)
    except json.JSONDecodeError as exc:
        reason = f"line {number}: malformed JSON: {exc.msg} (column {exc.colno})"
        quarantine_item(
            UNKNOWN_SOURCE, reason, line.rstrip("\n"), "line", origin, number
        )
        run.add(UNKNOWN_SOURCE, quarantined=1)
        return
    with transaction.atomic():
        result = fhir_bundle_apply(data, origin=origin, tally=run, row=number)
    touched.merge(result.touched)


def _group_apply(
    lines: list[tuple[int, str]], reasons: list[list[str | None] | None],
    origin: str, tally: Tally,
) -> None:  # fmt: skip
    run = Tally()
    try:
        with transaction.atomic():
            touched = Touched()
            _group_set_wise(lines, reasons, origin, run, touched)
            totals_add(tally=run)
            followup_run(touched)
    except Exception as exc:
        log.warning(
            "group of %s NDJSON lines rolled back (%s); applying line by line",
            len(lines),
            type(exc).__name__,
        )
        run = Tally()
        with transaction.atomic():
            touched = Touched()
            for number, line in lines:
                _line_apply(number, line, origin, run, touched)
            totals_add(tally=run)
            followup_run(touched)
    tally.merge(run)


def _groups(path: pathlib.Path) -> Iterator[list[tuple[int, str]]]:
    with path.open(encoding="utf-8", errors="replace") as f:
        group: list[tuple[int, str]] = []
        for number, line in enumerate(f, start=1):
            if line.strip():
                group.append((number, line))
            if len(group) >= LINES_PER_TRANSACTION:
                yield group
                group = []
        if group:
            yield group


def _line_count(path: pathlib.Path) -> int:
    with path.open("rb") as f:
        return sum(1 for _ in f)


def _validated(
    groups: Iterator[list[tuple[int, str]]], pool: Executor | None, workers: int
) -> Iterator[tuple[list[tuple[int, str]], list[list[str | None] | None]]]:
    """Each group with its validation, computed ahead in the pool (split between
    the workers) when there is one."""
    if pool is None:
        for group in groups:
            yield group, bundle_lines_validate([line for _, line in group])
        return
    pending: list[tuple[list[tuple[int, str]], list[Future[Any]]]] = []

    def submit(group: list[tuple[int, str]]) -> None:
        texts = [line for _, line in group]
        size = -(-len(texts) // workers)
        parts = [texts[i : i + size] for i in range(0, len(texts), size)]
        pending.append((group, [pool.submit(bundle_lines_validate, p) for p in parts]))

    for group in groups:
        submit(group)
        if len(pending) > LOOKAHEAD:
            done, futures = pending.pop(0)
            yield done, [r for f in futures for r in f.result()]
    for done, futures in pending:
        yield done, [r for f in futures for r in f.result()]


def fhir_ndjson_file_ingest(
    path: pathlib.Path,
    *,
    tally: Tally | None = None,
    progress: Callable[[int], None] | None = None,
    workers: int | None = None,
) -> Tally:
    """Every line of an NDJSON file (a Bundle or a resource a line), committed in
    groups of lines; each transaction bundle all-or-nothing on its own."""
    tally = tally if tally is not None else Tally()
    workers = ingest_workers() if workers is None else workers
    pool = None
    if workers > 1 and (
        _pools.get(workers) is not None or _line_count(path) >= POOL_MIN_LINES
    ):
        pool = _pool(workers)
    for group, reasons in _validated(_groups(path), pool, max(workers, 1)):
        _group_apply(group, reasons, path.name, tally)
        if progress is not None:
            progress(len(group))
    return tally


_pools: dict[int, ProcessPoolExecutor] = {}


def _pool(workers: int) -> ProcessPoolExecutor:
    """The validation pool, started once and kept for the next files (`joinedup
    ingest` of many files pays for starting it once). spawn: the workers need
    fhir.resources only, never Django's database connections."""
    if workers not in _pools:
        context = multiprocessing.get_context("spawn")
        _pools[workers] = ProcessPoolExecutor(workers, mp_context=context)
        atexit.register(_pools[workers].shutdown, cancel_futures=True)
    return _pools[workers]
