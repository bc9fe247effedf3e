"""What the interoperability adapters received: a receipt for every applied message
(idempotency), the quarantine of input that could not be applied, and daily totals
per source for the integration dashboard. Nothing received is ever silently dropped:
it is applied (and receipted), recognised as a duplicate, or quarantined. HL7 v2
messages the MLLP listener has accepted wait in the inbound journal until they are
applied."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class IngestKind(models.TextChoices):
    HL7V2 = "hl7v2", "HL7 v2"
    FHIR = "fhir", "FHIR R4"
    CSV = "csv", "CSV extract"


class MessageReceipt(models.Model):
    """One applied message, keyed by (source, control id): HL7 v2 MSH-10 from one
    sending facility, or a FHIR bundle's identifier. A message whose key is already
    here is acknowledged again and not applied twice."""

    source = models.CharField(max_length=60)  # SourceSystem.code
    control_id = models.CharField(max_length=100)
    kind = models.CharField(max_length=10, choices=IngestKind.choices)
    message_type = models.CharField(max_length=30, blank=True)  # e.g. ADT^A01
    received_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source", "control_id"], name="receipt_unique_control_id"
            )
        ]

    def __str__(self) -> str:
        return f"{self.source}:{self.control_id}"


class InboundMessage(models.Model):
    """An HL7 v2 message the MLLP listener has checked, committed and acknowledged
    but not yet applied (store and forward: hl7v2/journal.py). The journal worker
    applies the oldest first and deletes each row in the transaction that applies
    it, so a message is here, or applied (receipted), or quarantined."""

    received_at = models.DateTimeField()
    source = models.CharField(max_length=60)  # SourceSystem.code
    control_id = models.CharField(max_length=100)
    origin = models.CharField(max_length=300, blank=True)  # the sender's address
    text = models.TextField()

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"inbound {self.pk} ({self.source}:{self.control_id})"


class QuarantineStatus(models.TextChoices):
    OPEN = "open", "Open"
    REPLAYED = "replayed", "Fixed and replayed"
    DISCARDED = "discarded", "Discarded"


class QuarantineItem(models.Model):
    """A message, bundle or row that could not be applied, with the reason and the
    raw content (personal data: only the integration team, role `admin`, sees it).
    The integration team fixes and replays it, or discards it with a reason."""

    source = models.CharField(max_length=60)  # SourceSystem.code, or what was sent
    kind = models.CharField(max_length=10, choices=IngestKind.choices)
    received_at = models.DateTimeField(db_index=True)
    reason = models.TextField()
    raw = models.TextField()
    record_type = models.CharField(max_length=40, blank=True)  # e.g. clients, bundle
    origin = models.CharField(max_length=300, blank=True)  # file name or peer
    row_number = models.PositiveIntegerField(null=True, blank=True)
    control_id = models.CharField(max_length=100, blank=True)
    content_hash = models.CharField(max_length=64, db_index=True)
    status = models.CharField(
        max_length=10, choices=QuarantineStatus.choices, default=QuarantineStatus.OPEN
    )
    replay_count = models.PositiveIntegerField(default=0)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    discard_reason = models.TextField(blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        indexes = [models.Index(fields=["status", "-received_at"])]

    def __str__(self) -> str:
        return f"quarantine {self.pk} ({self.kind}, {self.status})"


class DailyTotal(models.Model):
    """Per source per day: messages/rows received, applied, duplicate, quarantined."""

    source = models.CharField(max_length=60)
    day = models.DateField()
    received = models.PositiveIntegerField(default=0)
    applied = models.PositiveIntegerField(default=0)
    duplicate = models.PositiveIntegerField(default=0)
    quarantined = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-day", "source"]
        constraints = [
            models.UniqueConstraint(fields=["source", "day"], name="total_unique_day")
        ]

    def __str__(self) -> str:
        return f"{self.source} {self.day}"
