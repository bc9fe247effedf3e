"""Writes: the hash-chained audit of person-data access."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import transaction
from django.utils import timezone

from joinedup.governance.access import Actor, Decision
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
    actor: Actor,
    person_id: int | None,
    action: str,
    decisions: Iterable[tuple[str, Decision]],
) -> None:
    """Record one audit entry per (category, decision): who, in which role and
    organisation, did what to which category of whose record, and why it was
    allowed or refused. Inside a request the entries are appended when it ends
    (see `audit_deferred`); elsewhere at once."""
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


def _append(entries: list[AuditEntry]) -> None:
    """Extend the hash chain with the entries under a lock on its head, so
    concurrent writers chain in turn. Three statements, whatever the number of
    entries."""
    with transaction.atomic(savepoint=False):
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head = AuditChainHead.objects.create(
                pk=1, last_seq=0, last_hash=GENESIS_HASH
            )
        seq, prev = head.last_seq, head.last_hash
        for entry in entries:
            seq += 1
            entry.seq = seq
            entry.prev_hash = prev
            entry.entry_hash = AuditEntry.hash_of(
                prev, tuple(getattr(entry, f) for f in AuditEntry.HASHED)
            )
            prev = entry.entry_hash
        AuditEntry.objects.bulk_create(entries)
        AuditChainHead.objects.filter(pk=1).update(last_seq=seq, last_hash=prev)


def audit_record(
    *,
    actor: Actor,
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
