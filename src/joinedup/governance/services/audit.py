"""Writes: the hash-chained audit of person-data access."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import transaction
from django.utils import timezone

from joinedup.governance.access import Actor, Decision
from joinedup.governance.models import (
    GENESIS_HASH,
    AuditChainHead,
    AuditEntry,
    AuditOutcome,
)


def audit_record_many(
    *,
    actor: Actor,
    person_id: int | None,
    action: str,
    decisions: Iterable[tuple[str, Decision]],
) -> None:
    """Append one audit entry per (category, decision): who, in which role and
    organisation, did what to which category of whose record, and why it was
    allowed or refused. The entries extend the hash chain under a lock on its
    head, so concurrent requests chain in turn. Three statements, whatever the
    number of categories."""
    now = timezone.now()
    with transaction.atomic():
        head = AuditChainHead.objects.select_for_update().filter(pk=1).first()
        if head is None:
            head = AuditChainHead.objects.create(
                pk=1, last_seq=0, last_hash=GENESIS_HASH
            )
        seq, prev = head.last_seq, head.last_hash
        entries = []
        for category, d in decisions:
            seq += 1
            entry = AuditEntry(
                seq=seq,
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
                prev_hash=prev,
            )
            entry.entry_hash = AuditEntry.hash_of(
                prev, tuple(getattr(entry, f) for f in AuditEntry.HASHED)
            )
            prev = entry.entry_hash
            entries.append(entry)
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
