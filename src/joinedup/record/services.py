"""Writes to the shared record's event store, from source systems.

Events are idempotent on (source_system, source_id): recording the same event twice
changes nothing. Cancellations (HL7 A11/A12/A13) keep the cancelled event, marked,
and add an event noting the cancellation, so the history shows what was said."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from joinedup.db.bulk import objects_insert
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
) -> tuple[Event, bool]:
    """Record an event a source system sent. Returns (event, created). An event
    already recorded is left alone, or, with `update` (a FHIR PUT, an HL7 update),
    brought up to date."""
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
    existing = Event.objects.filter(
        source_system=source_system, source_id=source_id
    ).first()
    if existing is not None:
        if update:
            changed = [k for k in _UPDATABLE if getattr(existing, k) != values[k]]
            if existing.person_id != person_id:
                existing.person_id = person_id
                changed.append("person_id")
            for name in changed:
                if name != "person_id":
                    setattr(existing, name, values[name])
            if changed:
                existing.save(update_fields=changed)
        return existing, False
    event = Event.objects.create(
        person_id=person_id,
        source_system=source_system,
        source_id=source_id[:100],
        provenance=provenance[:200],
        ingested_at=timezone.now(),
        **values,
    )
    return event, True


def event_end(
    *, source_system: SourceSystem, source_id: str, ended_at: dt.datetime | None
) -> bool:
    """Set (or, with None, clear) when an event such as an admission ended."""
    return bool(
        Event.objects.filter(source_system=source_system, source_id=source_id).update(
            ended_at=ended_at
        )
    )


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
    arguments): one query finds those already recorded, new ones are inserted in
    bulk, changed ones updated. Returns, per event, whether it was new."""
    if not events:
        return []
    by_system: dict[int, list[str]] = {}
    for e in events:
        by_system.setdefault(e["source_system"].pk, []).append(e["source_id"])
    existing: dict[tuple[int, str], Event] = {}
    for system_id, ids in by_system.items():
        for event in Event.objects.filter(
            source_system_id=system_id, source_id__in=ids
        ):
            existing[(system_id, event.source_id)] = event
    now = timezone.now()
    new: list[Event] = []
    created: list[bool] = []
    seen: set[tuple[int, str]] = set()
    for e in events:
        key = (e["source_system"].pk, e["source_id"])
        found = existing.get(key)
        if found is None and key not in seen:
            seen.add(key)
            new.append(
                Event(
                    person_id=e["person_id"],
                    source_system=e["source_system"],
                    source_id=e["source_id"][:100],
                    kind=e["kind"],
                    category=e["category"],
                    occurred_at=e["occurred_at"],
                    ended_at=e.get("ended_at"),
                    organisation_id=e.get("organisation_id")
                    or e["source_system"].organisation_id,
                    code_system=e.get("code_system", ""),
                    code=e.get("code", "")[:30],
                    code_display=e.get("code_display", "")[:200],
                    summary=e["summary"][:300],
                    detail=e.get("detail") or {},
                    provenance=e.get("provenance", "")[:200],
                    ingested_at=now,
                )
            )
            created.append(True)
            continue
        created.append(False)
        if found is not None and update:
            event_record(**{**e, "update": True})
    Event.objects.bulk_create(new, batch_size=500)
    return created


class EventBatch:
    """`event_record` and `event_end` for many events in one transaction, staged in
    memory in order (each call sees what the earlier ones did) and written by
    `flush` with one bulk insert and one bulk update. Events may belong to people
    not yet saved (a `SourceRecordBatch` flushed first)."""

    def __init__(self) -> None:
        self._reset()

    def _reset(self) -> None:
        self._events: dict[tuple[int, str], Event | None] = {}
        self._new: list[Event] = []
        self._dirty: dict[int, Event] = {}

    def prefetch(self, *, keys: list[tuple[SourceSystem, str]]) -> None:
        """Load, in one query, the events recorded under these (system, source id)."""
        wanted: dict[int, set[str]] = {}
        for system, source_id in keys:
            key = (system.pk, source_id[:100])
            if key not in self._events:
                self._events[key] = None
                wanted.setdefault(system.pk, set()).add(key[1])
        if not wanted:
            return
        query = Q()
        for system_id, ids in wanted.items():
            query |= Q(source_system_id=system_id, source_id__in=sorted(ids))
        for event in Event.objects.filter(query):
            self._events[(event.source_system_id, event.source_id)] = event

    def _get(self, system: SourceSystem, source_id: str) -> Event | None:
        key = (system.pk, source_id[:100])
        if key not in self._events:
            self.prefetch(keys=[(system, source_id)])
        return self._events[key]

    def record(
        self,
        *,
        person: Person,
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
    ) -> bool:
        """`event_record`, staged. Returns whether the event is new."""
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
        existing = self._get(source_system, source_id)
        if existing is not None:
            if update:
                changed = False
                for name in _UPDATABLE:
                    if getattr(existing, name) != values[name]:
                        setattr(existing, name, values[name])
                        changed = True
                if existing.person_id is None or existing.person_id != person.pk:
                    existing.person = person
                    changed = True
                if changed and existing.pk is not None:
                    self._dirty[existing.pk] = existing
            return False
        event = Event(
            person=person,
            source_system=source_system,
            source_id=source_id[:100],
            provenance=provenance[:200],
            ingested_at=timezone.now(),
            **values,
        )
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
        """`event_end`, staged."""
        existing = self._get(source_system, source_id)
        if existing is None:
            return False
        if existing.ended_at != ended_at:
            existing.ended_at = ended_at
            if existing.pk is not None:
                self._dirty[existing.pk] = existing
        return True

    def flush(self) -> None:
        for event in self._new:
            if event.person_id is None:  # its person was saved after it was staged
                event.person_id = event.person.pk
        objects_insert(self._new)
        if self._dirty:
            for event in self._dirty.values():
                if event.person_id is None:
                    event.person_id = event.person.pk
            Event.objects.bulk_update(
                list(self._dirty.values()), [*_UPDATABLE, "person_id"], batch_size=500
            )
        self._reset()
