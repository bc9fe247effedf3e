"""The one follow-up step after ingest: what other apps rebuild from what an ingest
touched.

Every way in (HL7 v2 over MLLP and from files, quarantine replay, FHIR bundles,
CSV extracts) ends with `followup_run(touched)`, inside the transaction that wrote
the records, so what follows from them commits with them (one durable commit).
`Touched` names the people and the visits (hospital stays: the visit key of an
admission in its source system) that the ingest wrote.

Apps register their steps from their `AppConfig.ready()` with
`followup_register(name, fn)` (discharge: rebuild the stays of these visits;
people: identity matching for the people whose identifying details changed).
The registry lives here, under the apps that register (the layers of
docs/architecture.md), and is run by interop. A step that fails is rolled back
on its own (savepoint) and logged; the records stay applied, and the step's own
full rebuild (e.g. `joinedup manage discharge_sync`) catches up."""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any

from django.db import transaction

from joinedup.record.models import EventKind

log = logging.getLogger(__name__)


@dataclass
class Touched:
    """The ids an ingest result carries: the people it wrote, the visits
    ((source system id, visit key)) whose events it wrote, and the people whose
    identifying details (name, date of birth, sex, postcode, NHS number) it
    changed, and the attendances at unscheduled care it wrote ((source system
    id, event source id): an ED attendance, an emergency encounter)."""

    people: set[int] = field(default_factory=set)
    visits: set[tuple[int, str]] = field(default_factory=set)
    people_changed: set[int] = field(default_factory=set)
    attendances: set[tuple[int, str]] = field(default_factory=set)

    def add(
        self,
        *,
        people: Iterable[int] = (),
        visits: Iterable[tuple[int, str]] = (),
        people_changed: Iterable[int] = (),
        attendances: Iterable[tuple[int, str]] = (),
    ) -> None:
        self.people.update(p for p in people if p)
        self.visits.update(v for v in visits if v[1])
        self.people_changed.update(p for p in people_changed if p)
        self.attendances.update(a for a in attendances if a[1])

    def add_event(
        self,
        *,
        person_id: int | None,
        source_system_id: int,
        kind: str,
        source_id: str,
        detail: dict[str, Any] | None = None,
    ) -> None:
        """An event written: its person and, for an admission, transfer or
        discharge, its visit (the admission's source id)."""
        if person_id:
            self.people.add(person_id)
        if kind == EventKind.ADMISSION:
            self.add(visits=[(source_system_id, source_id)])
        elif kind in (EventKind.TRANSFER, EventKind.DISCHARGE):
            visit = str((detail or {}).get("admission_id") or "")
            self.add(visits=[(source_system_id, visit)])

    def merge(self, other: Touched) -> None:
        self.add(
            people=other.people,
            visits=other.visits,
            people_changed=other.people_changed,
            attendances=other.attendances,
        )

    def __bool__(self) -> bool:
        return bool(
            self.people or self.visits or self.people_changed or self.attendances
        )


Step = Callable[[Touched], None]
_steps: dict[str, tuple[Step, str]] = {}
_ON = ("people", "visits", "people_changed", "attendances")


def followup_register(name: str, fn: Step, *, on: str = "people") -> None:
    """Add (or replace) a named follow-up step, run in registration order when
    the ingest touched any of what it follows (`on`: "people", "visits" or
    "people_changed")."""
    if on not in _ON:
        raise ValueError(f"followup_register: on must be one of {', '.join(_ON)}")
    _steps[name] = (fn, on)


def followup_steps() -> list[str]:
    return list(_steps)


def followup_run(touched: Touched) -> list[str]:
    """Run every registered step on what an ingest touched (inside the caller's
    transaction). Returns the names of the steps that failed (each rolled back on
    its own and logged; nothing of the ingest is undone)."""
    failed: list[str] = []
    if not touched:
        return failed
    for name, (step, on) in list(_steps.items()):
        if not getattr(touched, on):
            continue
        try:
            with transaction.atomic():
                step(touched)
        except Exception as exc:
            # Only the step and the kind of error: never person data.
            log.exception("ingest follow-up %r failed (%s)", name, type(exc).__name__)
            failed.append(name)
    return failed
