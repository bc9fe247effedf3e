"""HL7 v2 ingest: parse, validate, map and commit each message, then acknowledge.

- `hl7_message_ingest` handles one message in its own transaction.
- `hl7_batch_ingest` handles many in one transaction (group commit, used by the MLLP
  listener and file ingest), set-wise: every message is parsed first, one query
  finds the batch's receipts (duplicate control ids), one its people's identifiers
  and involvements, one its events; the messages are then applied in order in
  memory (`AdtBatch`) and written with bulk inserts and updates. Cancels and merges
  (A11/A12/A13/A40) are applied one at a time in their place, after the staged
  writes before them are flushed. If anything unexpected fails, the batch is
  rolled back and each message is processed again on its own, so one bad message
  never costs the others and nothing partial is committed.

The answer is only known once the transaction has committed: AA (applied, or a
duplicate control id already applied), AE or AR (quarantined, with the reason).

A message over `JOINEDUP_HL7_MAX_BYTES` (default 10 MB) is refused (AR) before it
is read; the quarantine keeps its first 64 KB with the reason.
"""

from __future__ import annotations

import logging
import pathlib
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from joinedup.db.together import querysets_fetch
from joinedup.interop.hl7v2.ack import ack_build
from joinedup.interop.hl7v2.mapping import (
    ADT_SET_WISE,
    AdtBatch,
    AdtPlan,
    adt_resolve,
    adt_write,
    plan_touched,
)
from joinedup.interop.hl7v2.parse import (
    AdtMessage,
    Header,
    Hl7Problem,
    adt_parse,
    header_parse,
)
from joinedup.interop.hl7v2.text import payload_decode
from joinedup.interop.models import (
    InboundMessage,
    IngestKind,
    MessageReceipt,
    QuarantineItem,
)
from joinedup.interop.services import (
    Tally,
    quarantine_record,
    receipt_exists,
    receipt_record,
    totals_add,
)
from joinedup.record.followup import Touched, followup_run
from joinedup.record.models import SourceKind, SourceSystem

log = logging.getLogger(__name__)

BATCH = 500
UNKNOWN_SOURCE = "unknown"
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
KEPT_OF_OVERSIZE = 64 * 1024


def hl7_max_bytes() -> int:
    """The largest message accepted, in bytes (setting JOINEDUP_HL7_MAX_BYTES)."""
    return int(getattr(settings, "JOINEDUP_HL7_MAX_BYTES", DEFAULT_MAX_BYTES))


def oversize_reason(size: int, limit: int) -> str:
    return (
        f"the message is {size:,} bytes, over the limit of {limit:,} bytes "
        "(JOINEDUP_HL7_MAX_BYTES); nothing of it was applied"
    )


def _text_size(text: str, limit: int) -> int:
    """The size in UTF-8 bytes, exact when it matters for the limit."""
    if len(text) * 4 <= limit:
        return len(text)
    return len(text.encode("utf-8", "surrogatepass"))


def oversize_kept(text: str, size: int) -> str:
    """What the quarantine keeps of a message over the limit."""
    return text[:KEPT_OF_OVERSIZE] + f"\n[cut: {size:,} bytes in all]"


@dataclass(frozen=True)
class Hl7Result:
    ack_code: str  # AA | AE | AR
    reason: str
    control_id: str
    ack: str
    duplicate: bool = False
    quarantine_id: int | None = None
    source: str = ""
    # The people and visits the message wrote (empty unless applied).
    touched: Touched = field(default_factory=Touched)


def results_touched(results: Sequence[Hl7Result]) -> Touched:
    touched = Touched()
    for result in results:
        touched.merge(result.touched)
    return touched


class SourceSystems:
    """HL7 v2 source systems by sending facility (MSH-4 = the organisation's ODS
    code), looked up once."""

    def __init__(self) -> None:
        self._by_facility: dict[str, SourceSystem | None] = {}

    def for_facility(self, facility: str) -> SourceSystem | None:
        if "\x00" in facility:  # no organisation code holds NUL (nor can PostgreSQL)
            return None
        if facility not in self._by_facility:
            self._by_facility[facility] = (
                SourceSystem.objects.select_related("organisation")
                .filter(kind=SourceKind.HL7V2, organisation__code=facility)
                .order_by("id")
                .first()
            )
        return self._by_facility[facility]

    def looked_up(self, facility: str) -> SourceSystem | None:
        """The facility's system when it has been looked up and found, without
        reading anything."""
        return self._by_facility.get(facility)


_systems = SourceSystems()


def caches_clear() -> None:
    global _systems
    _systems = SourceSystems()


def _safe_header(text: str) -> Header | None:
    # Header fields name the source in totals and the quarantine: no NUL there
    # (the message itself is refused for carrying NUL).
    text = text.replace("\x00", "\ufffd")
    try:
        header, _ = header_parse(text)
    except Hl7Problem:
        return _loose_header(text)
    except Exception:
        return None
    return header


def _loose_header(text: str) -> Header | None:
    """Whatever MSH fields can be read, to address an AR to the sender."""
    start = text.find("MSH|")
    if start < 0:
        return None
    fields = text[start:].split("\r", 1)[0].split("\n", 1)[0].split("|")

    def f(n: int) -> str:  # MSH-n
        value = fields[n - 1] if n - 1 < len(fields) else ""
        return value.split("^")[0][:100]

    trigger = (
        fields[8].split("^")[1][:3] if len(fields) > 8 and "^" in fields[8] else ""
    )
    return Header(
        f(3), f(4), f(5), f(6), f(7), f(9), trigger, f(10), f(12),
        f(18).split("~")[0].strip().upper(),
    )  # fmt: skip


def _process(
    text: str, *, origin: str, tally: Tally, systems: SourceSystems
) -> Hl7Result:
    """One message inside the caller's transaction. Expected problems become a
    quarantine item and AE/AR; unexpected exceptions propagate."""
    header: Header | None = None
    source = UNKNOWN_SOURCE
    try:
        limit = hl7_max_bytes()
        size = _text_size(text, limit)
        if size > limit:
            text = oversize_kept(text, size)
            raise Hl7Problem(
                oversize_reason(size, limit), ack_code="AR", error_code="207"
            )
        message = adt_parse(text)
        header = message.header
        system = systems.for_facility(header.sending_facility)
        if system is None:
            source = header.sending_facility[:60] or UNKNOWN_SOURCE
            raise Hl7Problem(
                f"MSH-4 sending facility {header.sending_facility[:20]!r} is not a "
                "known HL7 v2 source system",
                ack_code="AR",
                error_code="204",
                location="MSH-4",
            )
        source = system.code
        if receipt_exists(source=source, control_id=header.control_id):
            tally.add(source, duplicate=1)
            reason = "duplicate message control ID: already applied, not applied again"
            return Hl7Result(
                "AA", reason, header.control_id, ack_build(header, "AA", reason),
                duplicate=True, source=source,
            )  # fmt: skip
        provenance = f"hl7v2:{header.control_id}"[:200]
        # A problem found part-way through the writes (an A03 for a stay not on
        # record) takes back what the message had written: nothing half-applied.
        with transaction.atomic():
            plan = adt_resolve(message, source_system=system, provenance=provenance)
            adt_write(plan)
            receipt_record(
                source=source,
                control_id=header.control_id,
                kind=IngestKind.HL7V2,
                message_type=header.message_type,
            )
        tally.add(source, applied=1)
        return Hl7Result(
            "AA", "", header.control_id, ack_build(header, "AA"), source=source,
            touched=plan_touched(plan),
        )  # fmt: skip
    except Hl7Problem as problem:
        header = header or _safe_header(text)
        if source == UNKNOWN_SOURCE and header is not None:
            known = systems.for_facility(header.sending_facility)
            source = known.code if known else (header.sending_facility or source)[:60]
        item, _ = quarantine_record(
            source=source,
            kind=IngestKind.HL7V2,
            reason=problem.reason,
            raw=text,
            record_type="message",
            origin=origin,
            control_id=header.control_id if header else "",
        )
        tally.add(source, quarantined=1)
        control_id = header.control_id if header else ""
        return Hl7Result(
            problem.ack_code,
            problem.reason,
            control_id,
            ack_build(
                header, problem.ack_code, problem.reason,
                error_code=problem.error_code, location=problem.location,
            ),
            quarantine_id=item.pk,
            source=source,
        )  # fmt: skip


def hl7_message_ingest(text: str, *, origin: str = "") -> Hl7Result:
    """Process one message in its own transaction. An unexpected failure rolls it
    back completely; the message is then quarantined (AE) if the database allows."""
    try:
        with transaction.atomic():
            tally = Tally()
            result = _process(text, origin=origin, tally=tally, systems=_systems)
            totals_add(tally=tally)
            followup_run(result.touched)
        return result
    except Exception as exc:
        log.exception("HL7 message could not be applied (%s)", type(exc).__name__)
        header = _safe_header(text)
        reason = (
            f"internal error while applying the message ({type(exc).__name__}); "
            "nothing of it was applied"
        )
        source = UNKNOWN_SOURCE
        if header is not None:
            known = _systems.for_facility(header.sending_facility)
            source = known.code if known else (header.sending_facility or source)[:60]
        try:
            with transaction.atomic():
                item, _ = quarantine_record(
                    source=source,
                    kind=IngestKind.HL7V2,
                    reason=reason,
                    raw=text,
                    record_type="message",
                    origin=origin,
                    control_id=header.control_id if header else "",
                )
                tally = Tally()
                tally.add(source, quarantined=1)
                totals_add(tally=tally)
            quarantine_id: int | None = item.pk
        except Exception:
            log.exception("could not quarantine an HL7 message; sender must resend")
            reason = "temporarily unable to store the message; send it again"
            quarantine_id = None
        return Hl7Result(
            "AE", reason, header.control_id if header else "",
            ack_build(header, "AE", reason, error_code="207"),
            quarantine_id=quarantine_id,
            source=source,
        )  # fmt: skip


def hl7_accept_parse(text: str) -> AdtMessage | None:
    """The part of the check before a message is accepted that needs no
    database (its size, syntax and required fields): the message parsed, or None
    when `_process` must answer it. Pure, so the MLLP listener runs it as each
    message arrives, while the batch before it commits."""
    limit = hl7_max_bytes()
    if _text_size(text, limit) > limit:
        return None
    try:
        return adt_parse(text)
    except Hl7Problem:
        return None


def _parsed(
    text: str, systems: SourceSystems, message: AdtMessage | None = None
) -> tuple[AdtMessage, SourceSystem] | None:
    """The message (parsed here unless given) and its source system, or None
    when `_process` must answer."""
    if message is None:
        message = hl7_accept_parse(text)
    if message is None:
        return None
    system = systems.for_facility(message.header.sending_facility)
    return (message, system) if system is not None else None


class _BatchFailed(Exception):
    """A message of a set-wise batch failed after its writes were staged."""


def _batch_process(
    texts: Sequence[str], *, origin: str, tally: Tally, systems: SourceSystems
) -> list[Hl7Result]:
    """`_process` for every message, in order, with set-wise reads and writes
    (inside the caller's transaction)."""
    parsed = [_parsed(t, systems) for t in texts]
    wanted: dict[str, set[str]] = {}
    for item in parsed:
        if item is not None:
            wanted.setdefault(item[1].code, set()).add(item[0].header.control_id)
    applied: set[tuple[str, str]] = set()
    stores: AdtBatch | None = None
    if wanted:
        query = Q()
        for source, ids in wanted.items():
            query |= Q(source=source, control_id__in=sorted(ids))
        # The receipts and what the set-wise messages need, in one round trip.
        set_wise = [p for p in parsed if p is not None and p[0].event in ADT_SET_WISE]
        stores = AdtBatch() if set_wise else None
        extra = stores.prefetch_queries(set_wise) if stores is not None else []
        found = querysets_fetch([MessageReceipt.objects.filter(query), *extra])
        applied.update((r.source, r.control_id) for r in found[0])
        if stores is not None:
            stores.prefetched(found[1:])
    results: list[Hl7Result | None] = []
    receipts: list[MessageReceipt] = []
    staged: list[tuple[int, Header, str, AdtPlan]] = []  # answered after flush

    def flush() -> None:
        if stores is not None:
            stores.flush()
        MessageReceipt.objects.bulk_create(receipts)
        receipts.clear()
        for index, header, source, plan in staged:
            results[index] = Hl7Result(
                "AA", "", header.control_id, ack_build(header, "AA"), source=source,
                touched=plan_touched(plan),
            )  # fmt: skip
        staged.clear()

    for i, (text, item) in enumerate(zip(texts, parsed, strict=True)):
        if item is None:  # a problem to quarantine: no staged writes needed
            results.append(_process(text, origin=origin, tally=tally, systems=systems))
            continue
        message, system = item
        header = message.header
        key = (system.code, header.control_id)
        if key in applied:
            tally.add(system.code, duplicate=1)
            reason = "duplicate message control ID: already applied, not applied again"
            results.append(Hl7Result(
                "AA", reason, header.control_id, ack_build(header, "AA", reason),
                duplicate=True, source=system.code,
            ))  # fmt: skip
            continue
        if message.event not in ADT_SET_WISE:
            flush()
            stores = None  # what the next messages find may have moved: read again
            result = _process(text, origin=origin, tally=tally, systems=systems)
            if result.ack_code == "AA":
                applied.add(key)
            results.append(result)
            continue
        if stores is None:
            stores = AdtBatch()
            stores.prefetch([
                p for p in parsed[i:] if p is not None and p[0].event in ADT_SET_WISE
            ])  # fmt: skip
        provenance = f"hl7v2:{header.control_id}"[:200]
        plan = adt_resolve(message, source_system=system, provenance=provenance)
        plan.batch = stores
        try:
            adt_write(plan)
        except Hl7Problem as problem:  # staged writes cannot be taken back
            raise _BatchFailed(problem.reason) from None
        receipts.append(MessageReceipt(
            source=system.code, control_id=header.control_id, kind=IngestKind.HL7V2,
            message_type=header.message_type[:30], received_at=timezone.now(),
        ))  # fmt: skip
        applied.add(key)
        tally.add(system.code, applied=1)
        staged.append((len(results), header, system.code, plan))
        results.append(None)
    flush()
    answered = [r for r in results if r is not None]
    if len(answered) != len(texts):
        raise RuntimeError("a message of the batch was left without an answer")
    return answered


def hl7_batch_ingest(texts: Sequence[str], *, origin: str = "") -> list[Hl7Result]:
    """Process many messages in one transaction (group commit), in order."""
    try:
        with transaction.atomic():
            batch_tally = Tally()
            results = _batch_process(
                texts, origin=origin, tally=batch_tally, systems=_systems
            )
            totals_add(tally=batch_tally)
            followup_run(results_touched(results))
    except Exception as exc:
        log.warning(
            "batch of %s HL7 messages rolled back (%s); applying one by one",
            len(texts),
            type(exc).__name__,
        )
        results = [hl7_message_ingest(t, origin=origin) for t in texts]
    return results


def hl7_batch_accept(
    items: Sequence[tuple[str, str]],
    parsed: Sequence[AdtMessage | None] | None = None,
) -> list[Hl7Result]:
    """Store and forward (the MLLP listener's default, hl7v2/journal.py): each
    (text, origin) is checked as far as it can be without the records (its size,
    its syntax and required fields, a known sending facility), and those that
    pass are written to the inbound journal in one statement and answered AA
    once it has committed; the journal worker then applies them in order with
    `hl7_batch_ingest`. The others are quarantined and answered AE/AR, with the
    field, as `hl7_batch_ingest` would answer them. `parsed`: what
    `hl7_accept_parse` gave for each message, when it ran before."""
    messages = parsed if parsed is not None else [None] * len(items)
    checked = [
        (_parsed(text, _systems, message), text, origin)
        for (text, origin), message in zip(items, messages, strict=True)
    ]
    results: list[Hl7Result | None] = [None] * len(checked)
    if any(found is None for found, _, _ in checked):
        with transaction.atomic():
            tally = Tally()
            for i, (found, text, origin) in enumerate(checked):
                if found is None:
                    results[i] = _process(
                        text, origin=origin, tally=tally, systems=_systems
                    )
            totals_add(tally=tally)
    rows: list[JournalRow] = []
    for i, (found, text, origin) in enumerate(checked):
        if found is not None:
            row, results[i] = _journal_entry(*found, text, origin)
            rows.append(row)
    journal_insert(rows)
    return [r for r in results if r is not None]


def journal_insert(rows: Sequence[JournalRow]) -> None:
    """Rows into the inbound journal, in one statement."""
    if not rows:
        return
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    with connection.cursor() as cursor:
        cursor.execute(*journal_statement(rows, now))


# (source, control id, origin, text) of a message for the inbound journal
JournalRow = tuple[str, str, str, str]


def _journal_entry(
    message: AdtMessage, system: SourceSystem, text: str, origin: str
) -> tuple[JournalRow, Hl7Result]:
    header = message.header
    row = (system.code, header.control_id[:100], origin[:300], text)
    result = Hl7Result(
        "AA", "", header.control_id, ack_build(header, "AA"), source=system.code
    )
    return row, result


def journal_statement(rows: Sequence[JournalRow], now: Any) -> tuple[str, list[Any]]:
    """The rows into the inbound journal as one INSERT (outside a transaction it
    commits on its own, in one round trip): the SQL and its parameters."""
    table = InboundMessage._meta.db_table
    values = ", ".join(["(%s, %s, %s, %s, %s)"] * len(rows))
    params: list[Any] = []
    for row in rows:
        params += [now, *row]
    sql = (
        f"INSERT INTO {table} (received_at, source, control_id, origin, text) "  # noqa: S608
        f"VALUES {values}"
    )
    return sql, params


def hl7_accept_ready(
    items: Sequence[tuple[str, str]], parsed: Sequence[AdtMessage | None]
) -> tuple[list[JournalRow], list[Hl7Result]] | None:
    """`hl7_batch_accept`'s journal rows and answers for a batch that needs no
    database work before its journal write: every message parsed (by
    `hl7_accept_parse`) and from a sending facility already looked up. None when
    any needs more (a refusal to quarantine, a facility not yet seen): then
    `hl7_batch_accept` answers the batch. Reads nothing, so it may run in the
    listener's event loop."""
    rows: list[JournalRow] = []
    results: list[Hl7Result] = []
    for (text, origin), message in zip(items, parsed, strict=True):
        if message is None:
            return None
        system = _systems.looked_up(message.header.sending_facility)
        if system is None:
            return None
        row, result = _journal_entry(message, system, text, origin)
        rows.append(row)
        results.append(result)
    return rows, results


def messages_from_text(text: str) -> Iterator[str]:
    """Messages in a file: MLLP-framed blocks, or segments ended by CR, LF or CR
    LF (one message a line, or a segment a line) where each MSH segment starts a
    new message. Batch envelope segments (FHS, BHS, BTS, FTS) are dropped."""
    if "\x0b" in text:
        for block in text.split("\x0b")[1:]:
            message = block.split("\x1c", 1)[0]
            if message.strip():
                yield message
        return
    if "\r" in text and "\r\n" not in text:
        # One message a line, its segments separated by carriage returns.
        for line in text.split("\n"):
            if line.strip():
                yield from _messages_of_segments(line.split("\r"))
        return
    yield from _messages_of_segments(text.replace("\r\n", "\n").split("\n"))


def _messages_of_segments(lines: Sequence[str]) -> Iterator[str]:
    current: list[str] = []
    for raw in lines:
        line = raw.rstrip("\r")
        if line[:4] in ("FHS|", "BHS|", "BTS|", "FTS|"):
            continue
        if line.startswith("MSH") and current:
            yield "\r".join(current)
            current = []
        if line.strip():
            current.append(line)
    if current:
        yield "\r".join(current)


def hl7_file_ingest(
    path: pathlib.Path,
    *,
    progress: Callable[[int], None] | None = None,
    batch: int = BATCH,
) -> Tally:
    """Ingest every message of a file, in order, committed in batches. Each
    message's bytes are read in the character set its MSH-18 declares, as over
    MLLP; one that cannot be read so is quarantined with the reason."""
    tally = Tally()
    # Latin-1 maps every byte to one character and back: the file is split into
    # messages as text, then each message's own bytes are decoded.
    raw = path.read_bytes().decode("latin-1")
    pending: list[str] = []
    for message in messages_from_text(raw):
        text, problem = payload_decode(message.encode("latin-1"))
        if problem:
            if pending:
                _file_batch(pending, path, tally, progress)
                pending = []
            result = hl7_unreadable_record(text, reason=problem, origin=path.name)
            tally.add(result.source, quarantined=1)
            if progress is not None:
                progress(1)
            continue
        pending.append(text)
        if len(pending) >= batch:
            _file_batch(pending, path, tally, progress)
            pending = []
    if pending:
        _file_batch(pending, path, tally, progress)
    return tally


def _file_batch(
    pending: list[str],
    path: pathlib.Path,
    tally: Tally,
    progress: Callable[[int], None] | None,
) -> None:
    results = hl7_batch_ingest(pending, origin=path.name)
    for r in results:
        if r.duplicate:
            tally.add(r.source, duplicate=1)
        elif r.ack_code == "AA":
            tally.add(r.source, applied=1)
        else:
            tally.add(r.source, quarantined=1)
    if progress is not None:
        progress(len(pending))


def hl7_replay(item: QuarantineItem, raw: str, touched: Touched) -> str | None:
    """Apply a fixed quarantined message (inside the caller's transaction):
    None when applied, else the reason it still cannot be. What it wrote is
    added to `touched`, for the caller's follow-up."""
    text = raw.replace("\r\n", "\r").replace("\n", "\r")
    try:
        message = adt_parse(text)
        system = _systems.for_facility(message.header.sending_facility)
        if system is None:
            return "MSH-4 sending facility is not a known HL7 v2 source system"
        if not receipt_exists(source=system.code, control_id=message.header.control_id):
            plan = adt_resolve(
                message,
                source_system=system,
                provenance=f"hl7v2:{message.header.control_id}:replay",
            )
            adt_write(plan)
            touched.merge(plan_touched(plan))
            receipt_record(
                source=system.code,
                control_id=message.header.control_id,
                kind=IngestKind.HL7V2,
                message_type=message.header.message_type,
            )
    except Hl7Problem as problem:
        return problem.reason
    return None


def hl7_unreadable_record(
    text: str, *, reason: str, origin: str = "", acknowledged: bool = True
) -> Hl7Result:
    """Quarantine input that is not a readable message at all (bad framing, bad
    character encoding, a truncated frame) and build the AR to answer with."""
    header = _loose_header(text)
    source = UNKNOWN_SOURCE
    if header is not None and header.sending_facility:
        known = _systems.for_facility(header.sending_facility)
        source = known.code if known else header.sending_facility[:60]
    with transaction.atomic():
        item, _ = quarantine_record(
            source=source,
            kind=IngestKind.HL7V2,
            reason=reason,
            raw=text,
            record_type="message" if acknowledged else "truncated frame",
            origin=origin,
            control_id=header.control_id if header else "",
        )
        tally = Tally()
        tally.add(source, quarantined=1)
        totals_add(tally=tally)
    return Hl7Result(
        "AR", reason, header.control_id if header else "",
        ack_build(header, "AR", reason, error_code="102"),
        quarantine_id=item.pk, source=source,
    )  # fmt: skip
