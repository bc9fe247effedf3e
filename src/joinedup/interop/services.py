"""Writes of the interoperability adapters that are not about one format: the
quarantine (record, replay, discard), receipts and daily totals.

Ingest is system activity, not a professional reading a record: it writes no
access-audit entries, but every message is receipted, counted or quarantined."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from joinedup.errors import Conflict, InvalidInput, NotFound
from joinedup.governance.access import Actor
from joinedup.governance.models import Role
from joinedup.interop.models import (
    DailyTotal,
    MessageReceipt,
    QuarantineItem,
    QuarantineStatus,
)
from joinedup.record.followup import Touched, followup_run

log = logging.getLogger(__name__)

REASON_MAX = 2000


def content_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8", "replace")).hexdigest()


@dataclass
class Tally:
    """Counts of one ingest run, per source and day, written with `totals_add`."""

    counts: dict[tuple[str, dt.date], list[int]] = field(default_factory=dict)

    def add(
        self,
        source: str,
        *,
        applied: int = 0,
        duplicate: int = 0,
        quarantined: int = 0,
        day: dt.date | None = None,
    ) -> None:
        key = (source or "unknown", day or timezone.localdate())
        row = self.counts.setdefault(key, [0, 0, 0, 0])
        row[0] += applied + duplicate + quarantined
        row[1] += applied
        row[2] += duplicate
        row[3] += quarantined

    def merge(self, other: Tally) -> None:
        for (source, day), (_, a, d, q) in other.counts.items():
            self.add(source, applied=a, duplicate=d, quarantined=q, day=day)

    def total(self, index: int) -> int:
        return sum(row[index] for row in self.counts.values())

    @property
    def applied(self) -> int:
        return self.total(1)

    @property
    def duplicate(self) -> int:
        return self.total(2)

    @property
    def quarantined(self) -> int:
        return self.total(3)

    @property
    def received(self) -> int:
        return self.total(0)


def totals_add(*, tally: Tally) -> None:
    """Add a run's counts to the daily totals (call inside the run's transaction)."""
    for (source, day), (received, applied, duplicate, quarantined) in sorted(
        tally.counts.items()
    ):
        changes = {
            "received": F("received") + received,
            "applied": F("applied") + applied,
            "duplicate": F("duplicate") + duplicate,
            "quarantined": F("quarantined") + quarantined,
        }
        if DailyTotal.objects.filter(source=source, day=day).update(**changes):
            continue
        try:
            with transaction.atomic():
                DailyTotal.objects.create(
                    source=source,
                    day=day,
                    received=received,
                    applied=applied,
                    duplicate=duplicate,
                    quarantined=quarantined,
                )
        except IntegrityError:  # created meanwhile by another process
            DailyTotal.objects.filter(source=source, day=day).update(**changes)


def receipt_exists(*, source: str, control_id: str) -> bool:
    return MessageReceipt.objects.filter(source=source, control_id=control_id).exists()


def receipt_record(
    *, source: str, control_id: str, kind: str, message_type: str = ""
) -> MessageReceipt:
    return MessageReceipt.objects.create(
        source=source,
        control_id=control_id,
        kind=kind,
        message_type=message_type[:30],
        received_at=timezone.now(),
    )


def quarantine_record(
    *,
    source: str,
    kind: str,
    reason: str,
    raw: str,
    record_type: str = "",
    origin: str = "",
    row_number: int | None = None,
    control_id: str = "",
) -> tuple[QuarantineItem, bool]:
    """Put input that could not be applied in the quarantine. The same content from
    the same source, still open, is not quarantined twice: its reason is refreshed
    and (item, False) returned."""
    # PostgreSQL text cannot hold NUL: keep it visible as U+FFFD, in every field
    # that may come from the input.
    raw, source, record_type, origin, control_id = (
        value.replace("\x00", "\ufffd")
        for value in (raw, source, record_type, origin, control_id)
    )
    digest = content_hash(f"{source}\n{kind}\n{record_type}\n{raw}")
    reason = reason[:REASON_MAX]
    existing = (
        QuarantineItem.objects.filter(content_hash=digest, status=QuarantineStatus.OPEN)
        .order_by("id")
        .first()
    )
    if existing is not None:
        if existing.reason != reason:
            existing.reason = reason
            existing.save(update_fields=["reason"])
        return existing, False
    item = QuarantineItem.objects.create(
        source=source[:60],
        kind=kind,
        received_at=timezone.now(),
        reason=reason,
        raw=raw,
        record_type=record_type,
        origin=origin[:300],
        row_number=row_number,
        control_id=control_id[:100],
        content_hash=digest,
    )
    # Only keys: a reason may quote what was sent.
    log.info("quarantined %s item %s from %s", kind, item.pk, item.source)
    return item, True


def _require_admin(actor: Actor) -> None:
    from joinedup.errors import AccessRefused

    if actor.role != Role.ADMIN:
        raise AccessRefused("Only the integration team (role admin) may do this")


def _open_item(item_id: int) -> QuarantineItem:
    item = QuarantineItem.objects.select_for_update().filter(pk=item_id).first()
    if item is None:
        raise NotFound(f"quarantine item {item_id} not found")
    if item.status != QuarantineStatus.OPEN:
        raise Conflict(f"quarantine item {item_id} is already {item.status}")
    return item


@dataclass(frozen=True)
class ReplayResult:
    applied: bool
    reason: str


Replayer = Callable[[QuarantineItem, str, Touched], str | None]
"""Applies a quarantined item's (fixed) raw content; returns a reason if it still
cannot be applied."""

_REPLAYERS: dict[str, Replayer] = {}


def replayer_register(kind: str, replayer: Replayer) -> None:
    """Each input format registers how its quarantined items are replayed (at app
    start, `InteropConfig.ready`), so this module imports no format."""
    _REPLAYERS[kind] = replayer


def _replayer(kind: str) -> Replayer:
    try:
        return _REPLAYERS[kind]
    except KeyError:
        raise Conflict(
            f"kind: no replayer is registered for {kind!r} input",
            fields={"kind": "not replayable"},
        ) from None


def quarantine_replay(*, actor: Actor, item_id: int, raw: str) -> ReplayResult:
    """Apply a quarantined item again, with its raw content as fixed by the
    integration team. On success the item is marked replayed; otherwise it stays
    open with the new reason, and nothing of it is applied."""
    _require_admin(actor)
    if not raw.strip():
        raise InvalidInput.for_field("raw", "enter the content to replay")
    with transaction.atomic():
        item = _open_item(item_id)
        item.replay_count += 1
        reason: str | None
        try:
            with transaction.atomic():
                touched = Touched()
                reason = _replayer(item.kind)(item, raw, touched)
                if reason is not None:
                    raise _ReplayFailed(reason)
                # What follows from the records (hospital stays, matching), as
                # after any other ingest.
                followup_run(touched)
        except _ReplayFailed as failed:
            reason = failed.reason
        tally = Tally()
        if reason is None:
            item.status = QuarantineStatus.REPLAYED
            item.raw = raw
            item.resolved_at = timezone.now()
            item.resolved_by_id = actor.user_id
            tally.add(item.source, applied=1)
            totals_add(tally=tally)
            item.save()
            return ReplayResult(True, "Applied")
        item.reason = reason[:REASON_MAX]
        item.save(update_fields=["replay_count", "reason"])
        return ReplayResult(False, reason)


class _ReplayFailed(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def quarantine_discard(*, actor: Actor, item_id: int, reason: str) -> QuarantineItem:
    """Close a quarantined item without applying it, saying why (kept, never
    deleted)."""
    _require_admin(actor)
    reason = reason.strip()
    if not reason:
        raise InvalidInput.for_field("reason", "say why the item is discarded")
    with transaction.atomic():
        item = _open_item(item_id)
        item.status = QuarantineStatus.DISCARDED
        item.discard_reason = reason[:REASON_MAX]
        item.resolved_at = timezone.now()
        item.resolved_by_id = actor.user_id
        item.save()
    return item
