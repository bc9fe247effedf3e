"""The append-only, hash-chained audit of every access to person data.

Each entry carries a sequence number and the SHA-256 of its own content chained to
the previous entry's hash, so changing or removing any row breaks the chain
(`joinedup audit verify`). Database triggers refuse UPDATE and DELETE (see the
migration); production also runs the application as a database role without those
privileges (docs/operations.md).
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.db import models

from joinedup.governance.models.core import Organisation

GENESIS_HASH = "0" * 64


class AuditOutcome(models.TextChoices):
    ALLOWED = "allowed", "Allowed"
    REFUSED = "refused", "Refused"


class AuditEntry(models.Model):
    """One access to person data, allowed or refused. Written only by
    `governance.services.audit_record_many`; never updated or deleted. Holds no
    names, NHS numbers or free text: only keys and fixed reasons."""

    seq = models.BigIntegerField(unique=True)
    occurred_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
    )
    role = models.CharField(max_length=40, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, null=True, related_name="+"
    )
    action = models.CharField(max_length=40)  # e.g. "view_record", "search"
    # One category, or for an opened record every category read, comma-separated
    # ("*" marks those limited to the actor's own organisation's records).
    category = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=10, choices=AuditOutcome.choices)
    reason = models.CharField(max_length=200)
    via = models.CharField(max_length=60, blank=True)
    channel = models.CharField(max_length=10, default="web")  # web | api | cli
    request_id = models.CharField(max_length=36, blank=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        indexes = [
            models.Index(fields=["person", "-occurred_at"]),
            # A person's "who has seen my record" (portal): counted and grouped
            # by organisation and role from the index alone (index-only scan).
            models.Index(
                fields=["person", "role", "outcome", "organisation", "occurred_at"],
                name="audit_person_report_idx",
            ),
        ]
        ordering = ["-seq"]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"#{self.seq} {self.outcome} {self.action} by user {self.actor_id}"

    # The fields the hash covers, in order. Changing this list breaks every chain.
    HASHED = (
        "seq",
        "occurred_at",
        "actor_id",
        "role",
        "organisation_id",
        "person_id",
        "action",
        "category",
        "outcome",
        "reason",
        "via",
        "channel",
        "request_id",
    )

    @staticmethod
    def hash_of(prev_hash: str, values: tuple[object, ...]) -> str:
        """SHA-256 over the previous hash and the entry's values, each written
        unambiguously (type-tagged, length-prefixed)."""
        h = hashlib.sha256(prev_hash.encode())
        for value in values:
            if value is None:
                text = "N"
            elif hasattr(value, "isoformat"):
                text = "T" + value.isoformat()
            else:
                text = "S" + str(value)
            encoded = text.encode()
            h.update(len(encoded).to_bytes(4, "big"))
            h.update(encoded)
        return h.hexdigest()


class AuditChainHead(models.Model):
    """The last sequence number and hash of the chain: one row, locked while
    entries are appended so that concurrent writers extend the chain in turn."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default=GENESIS_HASH)

    def __str__(self) -> str:
        return f"audit chain at #{self.last_seq}"


class AuditMaintenance(models.Model):
    """While a row exists here, the SQLite triggers let audit rows be deleted:
    used only to empty a test database. Never written by the application."""

    started_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return "audit maintenance"
