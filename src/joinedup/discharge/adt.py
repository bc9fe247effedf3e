"""Hospital stays follow HL7 v2 ADT messages as they arrive over MLLP: after each
group commit, the stays of the people the applied messages touched are rebuilt
(`stays_sync`), so an A01 puts the patient on the ward board at once, an A03
discharges the stay and closes its hand-off tasks, and after an A40/A34 merge the
stays belong to the surviving person.

`hl7_ingest_with_stays` is a drop-in `process` for the MLLP listener's
GroupCommitter (interop/hl7v2/mllp.py)."""

from __future__ import annotations

import logging
from collections.abc import Sequence

from joinedup.discharge.services import ADT_KINDS, SyncTally, stays_sync
from joinedup.interop.hl7v2.ingest import Hl7Result, hl7_batch_ingest
from joinedup.interop.hl7v2.parse import MERGE_EVENTS, Hl7Problem, adt_parse
from joinedup.record.models import Event, EventKind

log = logging.getLogger(__name__)


def stays_follow_hl7(texts: Sequence[str], results: Sequence[Hl7Result]) -> SyncTally:
    """Rebuild the stays of the people whose ADT messages were just applied. The
    events are found by their source ids (the visit number of an admission, the
    control id of a transfer or discharge), which are indexed."""
    keys: dict[str, set[str]] = {}
    merges: dict[str, set[str]] = {}
    for text, result in zip(texts, results, strict=True):
        if result.ack_code != "AA" or result.duplicate:
            continue
        try:
            message = adt_parse(text)
        except Hl7Problem:
            continue
        if message.event in MERGE_EVENTS:
            merges.setdefault(message.header.sending_facility, set()).add(
                message.header.control_id
            )
            continue
        ids = keys.setdefault(message.header.sending_facility, set())
        ids.add(message.header.control_id)
        if message.visit is not None and message.visit.visit_number:
            ids.add(message.visit.visit_number)
    people: set[int] = set()
    for facility, ids in keys.items():
        people.update(
            Event.objects.filter(
                source_system__organisation__code=facility,
                source_id__in=sorted(ids),
                kind__in=ADT_KINDS,
            ).values_list("person_id", flat=True)
        )
    for facility, ids in merges.items():
        # The merge note names the person the records moved from.
        for person_id, detail in Event.objects.filter(
            source_system__organisation__code=facility,
            source_id__in=sorted(ids),
            kind=EventKind.OTHER,
        ).values_list("person_id", "detail"):
            people.add(person_id)
            merged = str((detail or {}).get("merged_person_id") or "")
            if merged.isdigit():
                people.add(int(merged))
    return stays_sync(person_ids=people) if people else SyncTally()


def hl7_ingest_with_stays(texts: list[str]) -> list[Hl7Result]:
    """Apply a batch of HL7 v2 messages (committed and acknowledged as before),
    then let the hospital stays follow. A failure here does not undo or refuse
    the messages: they are safely stored, and `joinedup manage discharge_sync`
    rebuilds every stay."""
    results = hl7_batch_ingest(texts, origin="mllp")
    try:
        stays_follow_hl7(texts, results)
    except Exception as exc:
        log.exception("stays did not follow the HL7 batch (%s)", type(exc).__name__)
    return results
