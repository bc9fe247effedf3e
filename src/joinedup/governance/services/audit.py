"""Writes: the hash-chained audit of person-data access."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from joinedup.governance.access import Decision, Principal
from joinedup.governance.models import (
    GENESIS_HASH,
    AuditChainHead,
    AuditEntry,
    AuditOutcome,
)

# Entries waiting to be appended when the current unit of work (a web request)
# ends; None outside one, where entries are appended at once.
_pending: ContextVar[list[AuditEntry] | None] = ContextVar(
    "joinedup_audit_pending", default=None
)


@contextmanager
def audit_deferred() -> Iterator[None]:
    """Collect the audit entries of one unit of work and append them to the chain
    when it ends. Used around each web request, inside the request's transaction:
    the entries then commit with the request's other writes (its session), one
    durable commit instead of two, and the chain's lock is held only for the
    append itself."""
    token = _pending.set([])
    try:
        yield
        entries = _pending.get()
        if entries:
            _append(entries)
    finally:
        _pending.reset(token)


def audit_record_many(
    *,
    actor: Principal,
    person_id: int | None,
    action: str,
    decisions: Iterable[tuple[str, Decision]],
) -> None:
    """Record one audit entry per (category, decision): who, in which role and
    organisation, did what to which category of whose record, and why it was
    allowed or refused. The actor is a professional (Actor) or, in the person's
    own view, the person or their proxy (PortalPrincipal: no user or
    organisation, role "person" or "proxy"). Inside a request the entries are
    appended when it ends (see `audit_deferred`); elsewhere at once."""
    now = timezone.now()
    entries = [
        AuditEntry(
            occurred_at=now,
            actor_id=actor.user_id,
            role=actor.role,
            organisation_id=actor.organisation_id,
            person_id=person_id,
            action=action,
            category=category,
            outcome=AuditOutcome.ALLOWED if d.allowed else AuditOutcome.REFUSED,
            reason=d.reason[:200],
            via=d.via,
            channel=actor.channel,
            request_id=actor.request_id,
        )
        for category, d in decisions
    ]
    pending = _pending.get()
    if pending is not None:
        pending.extend(entries)
    else:
        _append(entries)


_COLUMNS = (*AuditEntry.HASHED, "prev_hash", "entry_hash")


def _append(entries: list[AuditEntry]) -> None:
    """Extend the hash chain with the entries under a lock on its head, so
    concurrent writers chain in turn. Plain SQL, as it runs on every request:
    on PostgreSQL two statements (lock and read the head; insert the entries and
    move the head in one), on SQLite three."""
    head_table = AuditChainHead._meta.db_table
    entry_table = AuditEntry._meta.db_table
    postgres = connection.vendor == "postgresql"
    ops = connection.ops
    with transaction.atomic(savepoint=False), connection.cursor() as cursor:
        cursor.execute(
            f"SELECT last_seq, last_hash FROM {head_table} WHERE id = 1"  # noqa: S608
            + (" FOR UPDATE" if postgres else "")
        )
        row = cursor.fetchone()
        if row is None:
            AuditChainHead.objects.create(pk=1, last_seq=0, last_hash=GENESIS_HASH)
            row = (0, GENESIS_HASH)
        seq, prev = row
        values: list[Any] = []
        for entry in entries:
            seq += 1
            entry.seq = seq
            entry.prev_hash = prev
            entry.entry_hash = AuditEntry.hash_of(
                prev, tuple(getattr(entry, f) for f in AuditEntry.HASHED)
            )
            prev = entry.entry_hash
            for column in _COLUMNS:
                value = getattr(entry, column)
                if column == "occurred_at":
                    value = ops.adapt_datetimefield_value(value)
                values.append(value)
        row_sql = "(" + ", ".join(["%s"] * len(_COLUMNS)) + ")"
        insert = (
            f"INSERT INTO {entry_table} ({', '.join(_COLUMNS)}) VALUES "  # noqa: S608
            + ", ".join([row_sql] * len(entries))
        )
        move_head = (
            f"UPDATE {head_table} SET last_seq = %s, last_hash = %s WHERE id = 1"  # noqa: S608
        )
        if postgres:
            cursor.execute(
                f"WITH appended AS ({insert} RETURNING 1) {move_head}",
                [*values, seq, prev],
            )
        else:
            cursor.execute(insert, values)
            cursor.execute(move_head, [seq, prev])


def audit_record(
    *,
    actor: Principal,
    person_id: int | None,
    action: str,
    category: str,
    decision: Decision,
) -> None:
    audit_record_many(
        actor=actor,
        person_id=person_id,
        action=action,
        decisions=[(category, decision)],
    )
