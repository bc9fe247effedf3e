"""Writes to the shared record's event store, from source systems.

Events are idempotent on (source_system, source_id): recording the same event twice
changes nothing. Cancellations (HL7 A11/A12/A13) keep the cancelled event, marked,
and add an event noting the cancellation, so the history shows what was said."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from django.db.models import Q
from django.utils import timezone

from joinedup.db.bulk import objects_insert
from joinedup.record.followup import Touched
from joinedup.record.models import Event, EventKind, SourceSystem

if TYPE_CHECKING:
    from joinedup.people.models import Person

CANCELLED_PREFIX = "Cancelled: "
_UPDATABLE = (
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
)


def event_record(
    *,
    person_id: int,
    source_system: SourceSystem,
    source_id: str,
    kind: str,
    category: str,
    occurred_at: dt.datetime,
    summary: str,
    organisation_id: int | None = None,
    ended_at: dt.datetime | None = None,
    code_system: str = "",
    code: str = "",
    code_display: str = "",
    detail: dict[str, Any] | None = None,
    provenance: str = "",
    update: bool = False,
    end_kept: bool = False,
) -> tuple[Event, bool]:
    """Record an event a source system sent: `EventBatch.record` for a batch of
    one. Returns (event, created). An event already recorded is left alone, or,
    with `update` (a FHIR PUT, an HL7 update), brought up to date."""
    batch = EventBatch()
    created = batch.record(
        person_id=person_id, source_system=source_system, source_id=source_id,
        kind=kind, category=category, occurred_at=occurred_at, summary=summary,
        organisation_id=organisation_id, ended_at=ended_at, code_system=code_system,
        code=code, code_display=code_display, detail=detail, provenance=provenance,
        update=update, end_kept=end_kept,
    )  # fmt: skip
    event = batch.event(source_system, source_id)
    batch.flush()
    if event is None:  # staged just above: cannot happen
        raise RuntimeError("event_record: the event was not staged")
    return event, created


def event_end(
    *, source_system: SourceSystem, source_id: str, ended_at: dt.datetime | None
) -> bool:
    """Set (or, with None, clear) when an event such as an admission ended:
    `EventBatch.end` for a batch of one."""
    batch = EventBatch()
    found = batch.end(
        source_system=source_system, source_id=source_id, ended_at=ended_at
    )
    batch.flush()
    return found


def event_cancel(
    *,
    event: Event,
    cancelled_by: str,
    cancelled_at: dt.datetime,
    note_source_id: str,
    note_summary: str,
    provenance: str = "",
) -> Event:
    """Mark an event cancelled (kept, with "cancelled" in its detail and its
    summary saying so) and record an event of kind "other" noting the cancellation.
    Returns the note."""
    with transaction.atomic():
        detail = dict(event.detail or {})
        detail["cancelled"] = "true"
        detail["cancelled_by"] = cancelled_by
        detail["cancelled_at"] = cancelled_at.isoformat()
        event.detail = detail
        if not event.summary.startswith(CANCELLED_PREFIX):
            event.summary = (CANCELLED_PREFIX + event.summary)[:300]
        event.save(update_fields=["detail", "summary"])
        note, _ = event_record(
            person_id=event.person_id,
            source_system=event.source_system,
            source_id=note_source_id,
            kind=EventKind.OTHER,
            category=event.category,
            occurred_at=cancelled_at,
            organisation_id=event.organisation_id,
            summary=note_summary,
            detail={"cancels": event.source_id, "message": cancelled_by},
            provenance=provenance,
        )
        return note


def event_find(
    *,
    source_system: SourceSystem,
    person_id: int,
    kind: str,
    source_id: str = "",
    detail_admission_id: str = "",
) -> Event | None:
    """The latest event (not cancelled) of a kind for a person in one system,
    by source id or by the admission it belongs to."""
    events = Event.objects.filter(
        source_system=source_system, person_id=person_id, kind=kind
    )
    if source_id:
        events = events.filter(source_id=source_id)
    if detail_admission_id:
        events = events.filter(detail__admission_id=detail_admission_id)
    for event in events.order_by("-occurred_at", "-id"):
        if (event.detail or {}).get("cancelled") != "true":
            return event
    return None


def events_record_many(
    *, events: list[dict[str, Any]], update: bool = True
) -> list[bool]:
    """Record many events at once (each a dict of `event_record`'s keyword
    arguments) through one `EventBatch`: one query finds those already recorded,
    new ones are inserted in bulk, changed ones updated. Returns, per event,
    whether it was new."""
    batch = EventBatch()
    batch.prefetch(keys=[(e["source_system"], e["source_id"]) for e in events])
    created = [batch.record(**{"update": update, **e}) for e in events]
    batch.flush()
    return created


class EventBatch:
    """The one write path of the event store: `record` and `end` for one event or
    many in one transaction, staged in memory in order (each call sees what the
    earlier ones did) and written by `flush` with one insert and one update per
    set of changed fields. A single event is a batch of one (`event_record`,
    `event_end`). Events may belong to people not yet saved (a
    `SourceRecordBatch` flushed first)."""

    def __init__(self) -> None:
        # What every flush wrote, for the ingest follow-up (kept across flushes).
        self.touched = Touched()
        self._reset()

    def _reset(self) -> None:
        self._events: dict[tuple[int, str], Event | None] = {}
        self._new: list[Event] = []
        self._dirty: dict[int, tuple[Event, set[str]]] = {}

    def prefetch(self, *, keys: list[tuple[SourceSystem, str]]) -> None:
        """Load, in one query, the events recorded under these (system, source id)."""
        query = self.prefetch_query(keys=keys)
        if query is not None:
            self.prefetched(list(query))

    def prefetch_query(
        self, *, keys: list[tuple[SourceSystem, str]]
    ) -> models.QuerySet[Event] | None:
        """The query `prefetch` runs (None: nothing to read), for a caller that
        sends several reads at once; hand its rows to `prefetched`."""
        wanted: dict[int, set[str]] = {}
        for system, source_id in keys:
            key = (system.pk, source_id[:100])
            if key not in self._events:
                self._events[key] = None
                wanted.setdefault(system.pk, set()).add(key[1])
        if not wanted:
            return None
        query = Q()
        for system_id, ids in wanted.items():
            query |= Q(source_system_id=system_id, source_id__in=sorted(ids))
        return Event.objects.filter(query)

    def prefetched(self, events: list[Event]) -> None:
        for event in events:
            self._events[(event.source_system_id, event.source_id)] = event

    def _get(self, system: SourceSystem, source_id: str) -> Event | None:
        key = (system.pk, source_id[:100])
        if key not in self._events:
            self.prefetch(keys=[(system, source_id)])
        return self._events[key]

    def event(self, system: SourceSystem, source_id: str) -> Event | None:
        """The event recorded (or staged) under this source id."""
        return self._get(system, source_id)

    def _changed(self, event: Event, names: list[str]) -> None:
        if event.pk is not None and names:
            self._dirty.setdefault(event.pk, (event, set()))[1].update(names)

    def record(
        self,
        *,
        source_system: SourceSystem,
        source_id: str,
        kind: str,
        category: str,
        occurred_at: dt.datetime,
        summary: str,
        person: Person | None = None,
        person_id: int | None = None,
        organisation_id: int | None = None,
        ended_at: dt.datetime | None = None,
        code_system: str = "",
        code: str = "",
        code_display: str = "",
        detail: dict[str, Any] | None = None,
        provenance: str = "",
        update: bool = False,
        end_kept: bool = False,
    ) -> bool:
        """Stage an event a source system sent, for `person` (perhaps not yet
        saved) or `person_id`. Returns whether the event is new. An event already
        recorded is left alone, or, with `update`, brought up to date; with
        `end_kept`, an update that gives no end time keeps the one on record (an
        admission's A01 arriving after its A03)."""
        values: dict[str, Any] = {
            "kind": kind,
            "category": category,
            "occurred_at": occurred_at,
            "ended_at": ended_at,
            "organisation_id": organisation_id or source_system.organisation_id,
            "code_system": code_system,
            "code": code[:30],
            "code_display": code_display[:200],
            "summary": summary[:300],
            "detail": detail or {},
        }
        if person is None and person_id is None:
            raise ValueError("EventBatch.record: give the person or person_id")
        existing = self._get(source_system, source_id)
        if existing is not None:
            if update:
                if end_kept and ended_at is None:
                    values["ended_at"] = existing.ended_at
                changed = [k for k in _UPDATABLE if getattr(existing, k) != values[k]]
                for name in changed:
                    setattr(existing, name, values[name])
                if person is not None and (
                    existing.person_id is None or existing.person_id != person.pk
                ):
                    existing.person = person
                    changed.append("person_id")
                elif person_id is not None and existing.person_id != person_id:
                    existing.person_id = person_id
                    changed.append("person_id")
                self._changed(existing, changed)
            return False
        event = Event(
            source_system=source_system,
            source_id=source_id[:100],
            provenance=provenance[:200],
            ingested_at=timezone.now(),
            **values,
        )
        if person is not None:
            event.person = person
        elif person_id is not None:
            event.person_id = person_id
        self._events[(source_system.pk, event.source_id)] = event
        self._new.append(event)
        return True

    def end(
        self,
        *,
        source_system: SourceSystem,
        source_id: str,
        ended_at: dt.datetime | None,
    ) -> bool:
        """Set (or, with None, clear) when an event such as an admission ended;
        False when no such event is on record or staged."""
        existing = self._get(source_system, source_id)
        if existing is None:
            return False
        if existing.ended_at != ended_at:
            existing.ended_at = ended_at
            self._changed(existing, ["ended_at"])
        return True

    def staged(self) -> list[Event]:
        """The events this batch inserts or changes (before `flush`)."""
        return [*self._new, *(event for event, _ in self._dirty.values())]

    def flush(self) -> None:
        for event in self._new:
            if event.person_id is None:  # its person was saved after it was staged
                event.person_id = event.person.pk
        rows_insert(self._new)
        groups: dict[tuple[str, ...], list[Event]] = {}
        for event, names in self._dirty.values():
            if event.person_id is None:
                event.person_id = event.person.pk
            groups.setdefault(tuple(sorted(names)), []).append(event)
        for fields, events in groups.items():
            Event.objects.bulk_update(events, list(fields), batch_size=500)
        for event in self.staged():
            self.touched.add_event(
                person_id=event.person_id,
                source_system_id=event.source_system_id,
                kind=event.kind,
                source_id=event.source_id,
                detail=event.detail,
            )
        self._reset()


COPY_FROM = 50  # rows; fewer go in one INSERT (COPY costs an extra round trip)


def rows_insert(objs: list[Any]) -> None:
    """Insert new model instances of one model: one INSERT for a few (their ids
    are set), PostgreSQL COPY for many (`objects_insert`)."""
    if not objs:
        return
    if len(objs) < COPY_FROM:
        type(objs[0])._default_manager.bulk_create(objs)
    else:
        objects_insert(objs)
