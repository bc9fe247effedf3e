"""Map a parsed ADT message onto the person index and the shared record
(DESIGN 4.8): A01 admit, A02 transfer, A03 discharge, A04 register (A&E), A05
pre-admit become events; A08/A28/A31 update the person; A11/A12/A13 cancel (the
cancelled event is kept, marked, with a note); A40 (and A34 of v2.3) merges
within the system.

Feeds arrive out of order: an A08 about an inpatient's visit (PV1-2 I, PV1-44
admit time) that is not on record opens the stay, which the A01 then completes;
an A02 or A03 for a visit not on record opens the stay from its own PV1-44 (the
A03 closes it at once). Without an admit time such a discharge is refused (AE).
Events of a visit whose key is not PV1-19 say so in their provenance, their
detail ("visit_key_source") and, for the admission, their summary.

Two phases: `adt_resolve` only reads and raises Hl7Problem for anything that cannot
be applied; `adt_write` then writes. So a rejected message never half-writes, even
inside a batch transaction shared with other messages.

`adt_write` stages its writes in `AdtBatch` stores: the plan's (set-wise group
commit: the caller prefetches and flushes the stores), or its own, flushed at
once (a message on its own is a batch of one). Cancels and merges
(`ADT_SET_WISE` excludes them) always go one at a time."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from django.db.models import QuerySet

from joinedup.db.together import querysets_fetch
from joinedup.governance.models import AccessCategory
from joinedup.interop.hl7v2.parse import (
    KEY_PV1_19,
    KEY_SOURCES,
    MERGE_EVENTS,
    AdtMessage,
    Hl7Problem,
    Visit,
    error,
)
from joinedup.people.models import NhsNumberStatus, Person
from joinedup.people.nhs_number import NHS_NUMBER_SYSTEM
from joinedup.people.services import (
    SourceDemographics,
    SourceRecordBatch,
    person_for_source_id,
    person_source_records_move,
)
from joinedup.record.followup import Touched
from joinedup.record.models import Event, EventKind, SourceSystem
from joinedup.record.services import (
    EventBatch,
    event_cancel,
    event_find,
)

SNOMED = "http://snomed.info/sct"
_CANCELS = {
    "A11": (EventKind.ADMISSION, "admission"),
    "A12": (EventKind.TRANSFER, "transfer"),
    "A13": (EventKind.DISCHARGE, "discharge"),
}

# Events whose writes can be staged set-wise (no look-up of earlier events by
# person, no moving of records between people).
ADT_SET_WISE = frozenset({"A01", "A02", "A03", "A04", "A05", "A08", "A28", "A31"})


@dataclass
class AdtBatch:
    """Where a batch of messages stages its writes (flushed by the caller)."""

    people: SourceRecordBatch = field(default_factory=SourceRecordBatch)
    events: EventBatch = field(default_factory=EventBatch)

    def prefetch(self, keys: list[tuple[AdtMessage, SourceSystem]]) -> None:
        """Read what these messages need (identifiers, people, involvements,
        events) in one round trip."""
        self.prefetched(querysets_fetch(self.prefetch_queries(keys)))

    def prefetch_queries(
        self, keys: list[tuple[AdtMessage, SourceSystem]]
    ) -> list[QuerySet[Any] | None]:
        """The reads of `prefetch`, for a caller that sends them with others;
        hand their rows to `prefetched`."""
        identifiers: list[tuple[str, str]] = []
        events: list[tuple[SourceSystem, str]] = []
        for message, system in keys:
            p = message.patient
            identifiers.append((system.identifier_system, p.local_id))
            if p.nhs_number and p.nhs_number_status == NhsNumberStatus.VERIFIED:
                identifiers.append((NHS_NUMBER_SYSTEM, p.nhs_number))
            events.append((system, message.header.control_id))
            if message.visit is not None:
                events.append((system, message.visit.visit_number))
        people = self.people.prefetch_queries(identifiers=identifiers)
        reads: list[QuerySet[Any] | None] = (
            [*people] if people is not None else [None, None, None]
        )
        return [*reads, self.events.prefetch_query(keys=events)]

    def prefetched(self, found: list[list[Any]]) -> None:
        if found[0] or found[1] or found[2]:
            self.people.prefetched(*found[:3])
        self.events.prefetched(found[3])

    def flush(self) -> None:
        self.people.flush()
        self.events.flush()


def plan_touched(plan: AdtPlan) -> Touched:
    """The people and visits a written plan touched (after its batch is flushed)."""
    touched = Touched()
    person = plan.person
    if person is not None and person.pk is not None:
        touched.add(people=[person.pk])
    touched.add(
        people=plan.people_extra,
        visits=[(plan.source_system.pk, v) for v in plan.visits],
    )
    if plan.message.event == "A04":  # an attendance at unscheduled care (ED)
        touched.add(attendances=[(plan.source_system.pk, v) for v in plan.visits])
    return touched


@dataclass
class AdtPlan:
    message: AdtMessage
    source_system: SourceSystem
    provenance: str
    cancel_target: Event | None = None
    merge_from: Person | None = None
    batch: AdtBatch | None = None
    # What `adt_write` touched: the person (saved once the batch is flushed),
    # other people (the one merged from) and the visit keys of its events.
    person: Person | None = None
    people_extra: list[int] = field(default_factory=list)
    visits: list[str] = field(default_factory=list)


def adt_resolve(
    message: AdtMessage, *, source_system: SourceSystem, provenance: str
) -> AdtPlan:
    """Everything the message needs that must already exist; raises Hl7Problem."""
    plan = AdtPlan(message, source_system, provenance)
    event = message.event
    if event in _CANCELS:
        kind, label = _CANCELS[event]
        visit = message.visit
        if visit is None:  # parse requires PV1 for visit events
            raise error(f"{event} needs a PV1 segment", "100", "PV1")
        person = person_for_source_id(
            source_system=source_system, local_id=message.patient.local_id
        )
        target = None
        if person is not None:
            target = event_find(
                source_system=source_system,
                person_id=person.pk,
                kind=kind,
                source_id=visit.visit_number if kind == EventKind.ADMISSION else "",
                detail_admission_id=(
                    "" if kind == EventKind.ADMISSION else visit.visit_number
                ),
            )
        if target is None:
            raise error(
                f"{event} cancels a {label} of visit {visit.visit_number[:40]!r} "
                "that is not on record for this patient",
                "204",
                "PV1-19",
            )
        plan.cancel_target = target
    elif event in MERGE_EVENTS:
        merge_from = person_for_source_id(
            source_system=source_system, local_id=message.merge_local_id
        )
        if merge_from is None:
            raise error(
                "MRG-1 prior hospital number is not known to JoinedUp", "204", "MRG-1"
            )
        plan.merge_from = merge_from
    return plan


def _demographics(message: AdtMessage) -> SourceDemographics:
    p = message.patient
    return SourceDemographics(
        nhs_number=p.nhs_number,
        nhs_number_status=p.nhs_number_status,
        given_name=p.given_name,
        family_name=p.family_name,
        birth_date=p.birth_date,
        sex=p.sex,
        address_line=p.address_line,
        postcode=p.postcode,
        phone=p.phone,
    )


def _key_note(visit: Visit) -> str:
    """What the summary of an admission adds when its visit number was not sent."""
    if visit.key_source == KEY_PV1_19:
        return ""
    return f" (no visit number sent: identified by {KEY_SOURCES[visit.key_source]})"


def _other_identifiers(m: AdtMessage) -> list[dict[str, str]]:
    return [
        {"value": i.value, "type": i.type_code, "authority": i.authority}
        for i in m.patient.other_identifiers
    ]


def adt_write(plan: AdtPlan) -> str:
    """Apply a resolved message. Returns a short description of what was done;
    the plan then names the person (`plan.person`) and visits (`plan.visits`) it
    touched. Without `plan.batch`, the message is a batch of one, flushed here."""
    m = plan.message
    own = plan.batch is None
    if not own and m.event not in ADT_SET_WISE:
        raise RuntimeError(f"{m.event} cannot be applied set-wise")
    batch = plan.batch
    if batch is None:
        batch = AdtBatch()
        batch.prefetch([(m, plan.source_system)])
    done = _adt_stage(plan, batch)
    if own:
        batch.flush()
    return done


def _adt_stage(plan: AdtPlan, batch: AdtBatch) -> str:
    m = plan.message
    system = plan.source_system
    person = batch.people.upsert(
        source_system=system,
        local_id=m.patient.local_id,
        demographics=_demographics(m),
        seen_at=m.event_time,
    )
    plan.person = person
    if m.event not in ADT_SET_WISE:
        # Cancels and merges read and move what is on record: write what the
        # batch staged first (the caller's batch holds nothing: see ADT_SET_WISE).
        batch.flush()

    def event_record(**values: Any) -> None:
        batch.events.record(person=person, **values)

    def event_end(**values: Any) -> bool:
        return batch.events.end(**values)

    visit = m.visit
    if visit is not None and m.event not in MERGE_EVENTS:
        plan.visits.append(visit.visit_number)
    provenance = plan.provenance
    if visit is not None and visit.key_source != KEY_PV1_19:
        provenance = f"{provenance}; visit key from {visit.key_source}"[:200]
    common: dict[str, Any] = {
        "source_system": system,
        "category": AccessCategory.HEALTH,
        "provenance": provenance,
        "code": m.diagnosis_code,
        "code_display": m.diagnosis_display,
        "code_system": SNOMED
        if m.diagnosis_code and m.diagnosis_system in ("SCT", "SNM", "")
        else m.diagnosis_system[:60],
    }
    control_id = m.header.control_id

    def visit_detail(v: Visit, **values: str) -> dict[str, Any]:
        detail: dict[str, Any] = dict(values)
        if v.key_source != KEY_PV1_19:
            detail["visit_key_source"] = v.key_source
        if m.patient.other_identifiers:
            detail["other_identifiers"] = _other_identifiers(m)
        return detail

    def admission_open(v: Visit, *, by: str, ward: str) -> bool:
        """Open the stay of a visit not on record from a later message of it
        (A02, A03, A08): only with an admit time. Returns whether it is new."""
        if v.admitted_at is None:
            return False
        method = "elective" if v.admission_type == "C" else "emergency"
        what = "Elective admission" if method == "elective" else "Emergency admission"
        summary = f"{what} to {ward}" if ward else what
        values = {
            "source_id": v.visit_number,
            "kind": EventKind.ADMISSION,
            "occurred_at": v.admitted_at,
            "ended_at": v.discharged_at if by == "A03" else None,
            "summary": f"{summary} (recorded from the {by}: its A01 was not received)"
            + _key_note(v),
            "detail": visit_detail(
                v, ward=ward, site=v.site, admission_method=method, opened_by=by
            ),
            **common,
            "code": "",
            "code_display": "",
            "code_system": "",
        }
        return batch.events.record(person=person, **values)

    if m.event in ("A01", "A04", "A02", "A03", "A05"):
        if visit is None:
            raise error(f"{m.event} needs a PV1 segment", "100", "PV1")
        site = visit.site
        method = "elective" if visit.admission_type == "C" else "emergency"
        if m.event == "A01":
            admitted = visit.admitted_at or m.event_time
            what = (
                "Elective admission" if method == "elective" else "Emergency admission"
            )
            event_record(
                source_id=visit.visit_number,
                kind=EventKind.ADMISSION,
                occurred_at=admitted,
                ended_at=visit.discharged_at,
                summary=(f"{what} to {visit.ward}" if visit.ward else what)
                + _key_note(visit),
                detail=visit_detail(
                    visit, ward=visit.ward, site=site, admission_method=method
                ),
                update=True,
                # An A01 after its A03 (feeds arrive out of order) does not
                # reopen the stay: the end time on record is kept.
                end_kept=True,
                **common,
            )
            return "admission recorded"
        if m.event == "A04":
            what = "A&E attendance"
            event_record(
                source_id=visit.visit_number,
                kind=EventKind.AE_ATTENDANCE,
                occurred_at=visit.admitted_at or m.event_time,
                ended_at=visit.discharged_at,
                summary=f"{what}: {m.diagnosis_display}"
                if m.diagnosis_display
                else what,
                detail=visit_detail(visit, site=site),
                update=True,
                **common,
            )
            return "attendance recorded"
        if m.event == "A02":
            opened = admission_open(
                visit, by="A02", ward=visit.prior_ward or visit.ward
            )
            event_record(
                source_id=control_id,
                kind=EventKind.TRANSFER,
                occurred_at=m.event_time,
                summary=f"Transferred from {visit.prior_ward or 'another ward'} "
                f"to {visit.ward or 'another ward'}",
                detail=visit_detail(
                    visit,
                    from_ward=visit.prior_ward,
                    ward=visit.ward,
                    site=site,
                    admission_method=method,
                    admission_id=visit.visit_number,
                ),
                **{**common, "code": "", "code_display": "", "code_system": ""},
            )
            return "transfer recorded" + (" (stay opened)" if opened else "")
        if m.event == "A03":
            discharged = visit.discharged_at or m.event_time
            # A discharge of a visit not on record opens (and closes) the stay
            # from its admit time; without one it is refused (AE) and
            # quarantined, never a stay that ends unseen.
            opened = False
            if not event_end(
                source_system=system,
                source_id=visit.visit_number,
                ended_at=discharged,
            ):
                opened = admission_open(
                    replace(visit, discharged_at=discharged), by="A03", ward=visit.ward
                )
                if not opened:
                    raise error(
                        f"A03 discharges visit {visit.visit_number[:40]!r}, which is "
                        "not on record and has no PV1-44 admit time: send its A01 "
                        "first",
                        "204",
                        visit.key_source if visit.key_source != "derived" else "PV1-19",
                    )
            summary = f"Discharged from {visit.ward or 'hospital'}"
            if m.pathway:
                summary += f": pathway {m.pathway}"
            detail = visit_detail(
                visit,
                ward=visit.ward,
                site=site,
                admission_method=method,
                admission_id=visit.visit_number,
                destination_code=visit.discharge_disposition,
            )
            if m.pathway:
                detail["pathway"] = m.pathway
            if m.destination:
                detail["destination"] = m.destination
            event_record(
                source_id=control_id,
                kind=EventKind.DISCHARGE,
                occurred_at=discharged,
                summary=summary,
                detail=detail,
                **common,
            )
            return "discharge recorded" + (" (stay opened)" if opened else "")
        # A05 pre-admit: a planned admission, not yet a stay.
        event_record(
            source_id=control_id,
            kind=EventKind.OTHER,
            occurred_at=visit.admitted_at or m.event_time,
            summary="Pre-admission: planned admission"
            + (f" to {visit.ward}" if visit.ward else ""),
            detail=visit_detail(
                visit, ward=visit.ward, site=site, admission_id=visit.visit_number
            ),
            **common,
        )
        return "pre-admission recorded"
    if m.event in _CANCELS:
        target = plan.cancel_target
        if target is None or visit is None:
            raise error(f"{m.event}: resolve the message first", "207")
        _, label = _CANCELS[m.event]
        event_cancel(
            event=target,
            cancelled_by=control_id,
            cancelled_at=m.event_time,
            note_source_id=control_id,
            note_summary=f"Hospital cancelled the {label} ({m.event})",
            provenance=provenance,
        )
        if m.event == "A13":  # back in hospital: the admission has not ended
            event_end(source_system=system, source_id=visit.visit_number, ended_at=None)
        return f"{label} cancelled"
    if m.event in MERGE_EVENTS:
        old = plan.merge_from
        if old is None:
            raise error(f"{m.event}: resolve the message first", "207")
        if old.pk == person.pk:
            return "merge: already the same person"
        plan.people_extra.append(old.pk)
        # The stays of the admissions that move follow them to the survivor.
        plan.visits.extend(
            Event.objects.filter(
                person=old, source_system=system, kind=EventKind.ADMISSION
            ).values_list("source_id", flat=True)
        )
        identifiers, events = person_source_records_move(
            source_system=system, from_person=old, to_person=person
        )
        event_record(
            source_system=system,
            source_id=control_id,
            kind=EventKind.OTHER,
            category=AccessCategory.DEMOGRAPHICS,
            occurred_at=m.event_time,
            summary=f"Hospital records merged ({m.event})",
            detail={
                "merged_person_id": str(old.pk),
                "identifiers_moved": str(identifiers),
                "events_moved": str(events),
            },
            provenance=plan.provenance,
        )
        return "merged"
    if (
        m.event == "A08"
        and visit is not None
        and visit.patient_class == "I"
        and visit.discharged_at is None
        and admission_open(visit, by="A08", ward=visit.ward)
    ):
        return "person updated (stay opened)"
    return "person updated"


def adt_apply(
    message: AdtMessage, *, source_system: SourceSystem, provenance: str
) -> str:
    return adt_write(
        adt_resolve(message, source_system=source_system, provenance=provenance)
    )


__all__ = [
    "ADT_SET_WISE",
    "AdtBatch",
    "AdtPlan",
    "Hl7Problem",
    "adt_apply",
    "adt_resolve",
    "adt_write",
    "plan_touched",
]
