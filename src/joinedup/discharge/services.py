"""Writes of the discharge app: stays rebuilt from ADT events, and what discharge
coordinators record (ready for discharge, delay reasons, Schedule 3 notices). Every
coordinator write opens the person's record through the access policy, which
leaves the audit entry."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from joinedup.coordination.models import TaskStatus
from joinedup.db.together import querysets_fetch
from joinedup.discharge import handoff, rules
from joinedup.discharge.models import (
    DelayReason,
    HospitalStay,
    Readiness,
    StaySetting,
)
from joinedup.errors import AccessRefused, InvalidInput, NotFound
from joinedup.governance.access import Actor, Decision
from joinedup.governance.models import (
    AccessCategory,
    Role,
)
from joinedup.governance.services import audit_record
from joinedup.people.selectors import person_access_open
from joinedup.record.followup import Touched
from joinedup.record.models import Event, EventKind
from joinedup.record.services import CANCELLED_PREFIX

ADT_KINDS = (EventKind.ADMISSION, EventKind.TRANSFER, EventKind.DISCHARGE)
_STAY_FIELDS = (
    "person_id",
    "organisation_id",
    "site",
    "ward",
    "admission_method",
    "admitted_at",
    "discharged_at",
    "discharge_pathway",
    "discharge_destination",
)
SYNC_CHUNK = 1000


@dataclass
class SyncTally:
    created: int = 0
    updated: int = 0
    removed: int = 0

    def add(self, other: SyncTally) -> None:
        self.created += other.created
        self.updated += other.updated
        self.removed += other.removed


def _cancelled(event: Event) -> bool:
    # As interop marks them (record.services.event_cancel).
    return (event.detail or {}).get("cancelled") == "true" or event.summary.startswith(
        CANCELLED_PREFIX
    )


def stays_from_events(events: Iterable[Event]) -> dict[tuple[int, str], HospitalStay]:
    """Pure: the stays that a person's ADT events describe, keyed by (source
    system, admission source id). Admission opens, transfer moves ward, discharge
    closes; cancelled events are left out, and so are transfers and discharges of
    an admission that is not on record."""
    ordered = sorted(
        (e for e in events if not _cancelled(e)), key=lambda e: (e.occurred_at, e.pk)
    )
    stays: dict[tuple[int, str], HospitalStay] = {}
    for e in ordered:
        if e.kind == EventKind.ADMISSION:
            d = e.detail or {}
            stays[(e.source_system_id, e.source_id)] = HospitalStay(
                person_id=e.person_id,
                organisation_id=e.organisation_id,
                source_system_id=e.source_system_id,
                admission_source_id=e.source_id,
                site=str(d.get("site") or "")[:40],
                ward=str(d.get("ward") or "")[:100],
                admission_method=str(d.get("admission_method") or "")[:20],
                admitted_at=e.occurred_at,
                discharged_at=e.ended_at,
            )
    for e in ordered:
        d = e.detail or {}
        stay = stays.get((e.source_system_id, str(d.get("admission_id") or "")))
        if stay is None or e.kind == EventKind.ADMISSION:
            continue
        if d.get("ward"):
            stay.ward = str(d["ward"])[:100]
        if d.get("site"):
            stay.site = str(d["site"])[:40]
        if e.kind == EventKind.DISCHARGE:
            stay.discharged_at = e.occurred_at
            stay.discharge_pathway = str(d.get("pathway") or "")[:1]
            stay.discharge_destination = str(d.get("destination") or "")[:100]
    return stays


def stays_sync(*, person_ids: Iterable[int]) -> SyncTally:
    """(Re)build the hospital stays of these people from the ADT events in the
    event store. Idempotent: running it again changes nothing; stays whose
    admission was cancelled are removed (with what was recorded about them)."""
    tally = SyncTally()
    ids = sorted(set(person_ids))
    for start in range(0, len(ids), SYNC_CHUNK):
        tally.add(_sync_chunk(ids[start : start + SYNC_CHUNK]))
    return tally


def _sync_chunk(person_ids: list[int]) -> SyncTally:
    with transaction.atomic():
        events = Event.objects.filter(person_id__in=person_ids, kind__in=ADT_KINDS)
        wanted = stays_from_events(events)
        # Virtual-ward places are recorded in JoinedUp, not rebuilt from events.
        existing = {
            (s.source_system_id, s.admission_source_id): s
            for s in HospitalStay.objects.filter(
                person_id__in=person_ids, setting=StaySetting.INPATIENT
            )
        }
        return _stays_write(wanted, existing)


def stays_sync_visits(*, visits: Iterable[tuple[int, str]]) -> SyncTally:
    """(Re)build the hospital stays of these visits ((source system id, visit
    key): the admission's source id) from their ADT events: the ingest
    follow-up. The events are those of the people the visits' admissions belong
    to (read by person, which is indexed), kept to these visits; a stay whose
    admission was cancelled, or moved to another person by a merge, follows."""
    keys = {(system_id, key[:100]) for system_id, key in visits if key}
    if not keys:
        return SyncTally()
    by_system: dict[int, set[str]] = {}
    for system_id, key in keys:
        by_system.setdefault(system_id, set()).add(key)
    admissions = Q()
    stays = Q()
    for system_id, ids in by_system.items():
        admissions |= Q(source_system_id=system_id, source_id__in=sorted(ids))
        stays |= Q(source_system_id=system_id, admission_source_id__in=sorted(ids))
    people = Event.objects.filter(admissions, kind=EventKind.ADMISSION).values(
        "person_id"
    )
    # Part of the ingest's transaction when there is one (its follow-up step
    # already has a savepoint).
    with transaction.atomic(savepoint=False):
        events, on_record = querysets_fetch(
            [
                Event.objects.filter(person_id__in=people, kind__in=ADT_KINDS),
                HospitalStay.objects.filter(stays),
            ]
        )  # fmt: skip (one round trip)
        wanted = {k: s for k, s in stays_from_events(events).items() if k in keys}
        existing = {(s.source_system_id, s.admission_source_id): s for s in on_record}
        return _stays_write(wanted, existing)


def _stays_write(
    wanted: dict[tuple[int, str], HospitalStay],
    existing: dict[tuple[int, str], HospitalStay],
) -> SyncTally:
    """Make the stays on record (`existing`) what the events say (`wanted`)."""
    tally = SyncTally()
    new, changed = [], []
    for key, stay in wanted.items():
        old = existing.get(key)
        if old is None:
            new.append(stay)
        elif any(getattr(old, f) != getattr(stay, f) for f in _STAY_FIELDS):
            for f in _STAY_FIELDS:
                setattr(old, f, getattr(stay, f))
            changed.append(old)
    gone = [s.pk for k, s in existing.items() if k not in wanted]
    # Hand-offs end with the stay: completed when the patient has left,
    # cancelled when the admission itself was cancelled.
    handoff.handoffs_close(
        stay_ids=[s.pk for s in changed if s.discharged_at is not None],
        status=TaskStatus.COMPLETED,
        outcome="Closed automatically: the patient left hospital.",
    )
    handoff.handoffs_close(
        stay_ids=gone,
        status=TaskStatus.CANCELLED,
        outcome="Closed automatically: the hospital cancelled the admission.",
    )
    HospitalStay.objects.bulk_create(new, batch_size=500)
    HospitalStay.objects.bulk_update(changed, list(_STAY_FIELDS), batch_size=500)
    if gone:
        HospitalStay.objects.filter(pk__in=gone).delete()
    tally.created, tally.updated, tally.removed = len(new), len(changed), len(gone)
    return tally


def stays_follow(touched: Touched) -> None:
    """The ingest follow-up step of the discharge app (registered in apps.py):
    the stays of the visits an ingest touched are rebuilt, so an A01 puts the
    patient on the ward board at once, an A03 discharges the stay and closes its
    hand-offs, and after an A40/A34 merge the stays belong to the survivor."""
    stays_sync_visits(visits=touched.visits)


def _people_with_admissions() -> Iterator[int]:
    yield from (
        Event.objects.filter(kind=EventKind.ADMISSION)
        .values_list("person_id", flat=True)
        .distinct()
        .order_by("person_id")
        .iterator(chunk_size=5000)
    )


def stays_sync_all() -> SyncTally:
    """Rebuild every stay (the `joinedup manage discharge_sync` command)."""
    with_events = list(_people_with_admissions())
    with_stays = (
        HospitalStay.objects.filter(setting=StaySetting.INPATIENT)
        .values_list("person_id", flat=True)
        .distinct()
    )
    return stays_sync(person_ids=set(with_events) | set(with_stays))


# --- what coordinators record ----------------------------------------------------


def stay_open_for_write(*, actor: Actor, stay_id: int, action: str) -> HospitalStay:
    """The stay, after checking the actor is a discharge coordinator at the
    stay's hospital and may read the person's health record (one audit entry)."""
    stay = HospitalStay.objects.filter(pk=stay_id).first()
    if stay is None:
        raise NotFound(
            f"stay: there is no stay with id {stay_id}", fields={"id": "no such stay"}
        )
    if (
        actor.role != Role.DISCHARGE_COORDINATOR
        or stay.organisation_id != actor.organisation_id
    ):
        reason = "only a discharge coordinator at the patient's hospital records this"
        audit_record(
            actor=actor,
            person_id=stay.person_id,
            action=action,
            category=AccessCategory.HEALTH,
            decision=Decision(False, reason),
        )
        raise AccessRefused(f"You cannot record this: {reason}.")
    access = person_access_open(actor=actor, person_id=stay.person_id, action=action)
    if not access.may_read(AccessCategory.HEALTH):
        raise AccessRefused("You cannot record this: health information is not shared")
    return stay


def current_readiness(stay: HospitalStay) -> Readiness | None:
    return stay.readiness.order_by("-recorded_at", "-id").first()


def readiness_record(
    *,
    actor: Actor,
    stay_id: int,
    ready_on: dt.date,
    clinical_agreed: bool,
    mdt_agreed: bool,
    pathway: str,
    destination: str = "",
    expected_discharge_on: dt.date | None = None,
) -> Readiness:
    """Record that the person no longer meets the criteria to reside (DESIGN
    4.2), with clinical and MDT agreement, the date, the expected pathway and the
    destination."""
    today = timezone.localdate()
    # Outside the transaction: a refusal must leave its audit entry.
    stay = stay_open_for_write(
        actor=actor, stay_id=stay_id, action="discharge_ready_record"
    )
    with transaction.atomic():
        if stay.discharged_at is not None:
            raise InvalidInput.for_field(
                "ready_on", "the person has already left hospital"
            )
        errors: dict[str, str] = {}
        admitted_on = timezone.localdate(stay.admitted_at)
        for name, check in (
            (
                "ready_on",
                lambda: rules.ready_date_validate(
                    ready_on, admitted_on=admitted_on, today=today
                ),
            ),
            ("pathway", lambda: rules.pathway_validate(pathway)),
        ):
            try:
                check()
            except InvalidInput as exc:
                errors[name] = exc.fields[name]
        if not clinical_agreed:
            errors["clinical_agreed"] = "confirm the clinical agreement"
        if not mdt_agreed:
            errors["mdt_agreed"] = "confirm the MDT agreement"
        if expected_discharge_on is not None and expected_discharge_on < ready_on:
            errors["expected_discharge_on"] = (
                "the expected discharge date must be on or after the ready date"
            )
        if len(destination) > 100:
            errors["destination"] = "use 100 characters or fewer"
        if errors:
            raise InvalidInput(
                "; ".join(f"{k}: {v}" for k, v in errors.items()), fields=errors
            )
        return Readiness.objects.create(
            stay=stay,
            ready_on=ready_on,
            clinical_agreed=True,
            mdt_agreed=True,
            expected_pathway=pathway.strip(),
            destination=destination.strip(),
            expected_discharge_on=expected_discharge_on,
            recorded_by_id=actor.user_id,
            recorded_at=timezone.now(),
        )


def delay_record(
    *, actor: Actor, stay_id: int, reason: str, agency: str
) -> DelayReason:
    """Set the current reason and responsible agency of a delay (DESIGN 4.2). The
    earlier reasons are kept as its history."""
    # Outside the transaction: a refusal must leave its audit entry.
    stay = stay_open_for_write(
        actor=actor, stay_id=stay_id, action="discharge_delay_record"
    )
    with transaction.atomic():
        reason, agency = rules.reason_validate(reason, agency)
        if stay.discharged_at is not None:
            raise InvalidInput.for_field(
                "reason", "the person has already left hospital"
            )
        if current_readiness(stay) is None:
            raise InvalidInput.for_field(
                "reason", "record the person ready for discharge before a delay reason"
            )
        delay = DelayReason.objects.create(
            stay=stay,
            reason=reason,
            agency=agency,
            recorded_by_id=actor.user_id,
            recorded_at=timezone.now(),
        )
        # Issue 6 "Hand-offs": the council's task follows the reason.
        handoff.handoff_follow(actor=actor, stay=stay, delay=delay)
        return delay
