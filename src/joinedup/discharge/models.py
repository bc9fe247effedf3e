"""Hospital stays (derived from ADT events) and what discharge coordinators record
about them: ready for discharge, delay reasons, Care Act Schedule 3 notices, and the
daily sitrep kept per site per day (DESIGN 4.2)."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from joinedup.governance.models import Organisation


class StaySetting(models.TextChoices):
    INPATIENT = "inpatient", "Hospital bed"
    # Hospital at home: a place on a virtual ward counts as a bed (its ward's
    # beds are its capacity), recorded in JoinedUp rather than from ADT events.
    VIRTUAL_WARD = "virtual_ward", "Virtual ward (hospital at home)"


class VirtualWard(models.Model):
    """A virtual ward of a (community or acute) trust: its `site` code is the
    stays' site, so the sitrep and discharge pathways include it."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    site = models.CharField(max_length=40)
    name = models.CharField(max_length=100)
    beds = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "site"], name="virtual_ward_unique_site"
            )
        ]

    def __str__(self) -> str:
        return self.name


class HospitalStay(models.Model):
    """One admission, rebuilt from the event store by `stays_sync`: the admission
    opens it, transfers move its ward, the discharge closes it. A virtual-ward
    place is a stay too (setting virtual_ward), recorded in JoinedUp."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="hospital_stays"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    source_system = models.ForeignKey(
        "record.SourceSystem", on_delete=models.PROTECT, related_name="+"
    )
    admission_source_id = models.CharField(max_length=100)
    site = models.CharField(max_length=40, blank=True)
    ward = models.CharField(max_length=100, blank=True)
    admission_method = models.CharField(max_length=20, blank=True)
    admitted_at = models.DateTimeField()
    discharged_at = models.DateTimeField(null=True, blank=True)
    discharge_pathway = models.CharField(max_length=1, blank=True)
    discharge_destination = models.CharField(max_length=100, blank=True)
    setting = models.CharField(
        max_length=20, choices=StaySetting.choices, default=StaySetting.INPATIENT
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source_system", "admission_source_id"],
                name="stay_unique_admission",
            )
        ]
        indexes = [
            models.Index(fields=["organisation", "discharged_at"], name="stay_org_idx"),
            models.Index(fields=["site", "admitted_at"], name="stay_site_idx"),
            models.Index(fields=["person", "-admitted_at"], name="stay_person_idx"),
            # The ward board: the few current inpatients among years of stays.
            models.Index(
                fields=["organisation", "site", "ward"],
                condition=models.Q(discharged_at__isnull=True),
                name="stay_current_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"stay {self.pk} at {self.site or self.organisation_id}"


class Readiness(models.Model):
    """A record that the person no longer meets the criteria to reside. Append
    only: the newest record for a stay is in force."""

    stay = models.ForeignKey(
        HospitalStay, on_delete=models.CASCADE, related_name="readiness"
    )
    ready_on = models.DateField()
    clinical_agreed = models.BooleanField()
    mdt_agreed = models.BooleanField()
    expected_pathway = models.CharField(max_length=1)
    destination = models.CharField(max_length=100, blank=True)
    expected_discharge_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["stay", "-recorded_at"], name="ready_idx")]

    def __str__(self) -> str:
        return f"ready on {self.ready_on}"


class DelayReason(models.Model):
    """One reason (and responsible agency) given for a delay. Append only: the
    newest for a stay is the current reason; the rest are its history."""

    stay = models.ForeignKey(
        HospitalStay, on_delete=models.CASCADE, related_name="delay_reasons"
    )
    reason = models.CharField(max_length=3)
    agency = models.CharField(max_length=12)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["stay", "-recorded_at"], name="delay_idx")]

    def __str__(self) -> str:
        return f"{self.reason} ({self.agency})"


class NoticeKind(models.TextChoices):
    # Care Act 2014 Schedule 3.
    ASSESSMENT = "assessment", "Assessment notice"
    DISCHARGE = "discharge", "Discharge notice"


class Schedule3Notice(models.Model):
    stay = models.ForeignKey(
        HospitalStay, on_delete=models.CASCADE, related_name="notices"
    )
    kind = models.CharField(max_length=12, choices=NoticeKind.choices)
    council = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    # Empty while a notice waits in the MESH outbox.
    sent_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    # "recorded": sent some other way and recorded by hand; "mesh": sent over MESH.
    delivery = models.CharField(max_length=20, default="recorded")
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["stay", "kind"], name="notice_unique_kind")
        ]

    def __str__(self) -> str:
        return f"{self.kind} notice"


class SitrepDay(models.Model):
    """The daily sitrep of one site, kept once the day is over so it can be shown
    again exactly as it was (DESIGN 4.2)."""

    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    site = models.CharField(max_length=40)
    day = models.DateField()
    figures = models.JSONField()
    generated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "site", "day"], name="sitrep_unique_day"
            )
        ]

    def __str__(self) -> str:
        return f"sitrep {self.site} {self.day}"


class MessageStatus(models.TextChoices):
    QUEUED = "queued", "Waiting to be sent"
    SENT = "sent", "Sent, not yet acknowledged"
    ACKNOWLEDGED = "acknowledged", "Acknowledged by the council"
    FAILED = "failed", "Failed"


class NoticeMessage(models.Model):
    """The MESH outbox: one Schedule 3 notice to deliver to the council's MESH
    mailbox, with its delivery state. The message body is built from the notice
    when it is sent, so personal data is not copied here."""

    notice = models.OneToOneField(
        Schedule3Notice, on_delete=models.CASCADE, related_name="message"
    )
    status = models.CharField(
        max_length=12, choices=MessageStatus.choices, default=MessageStatus.QUEUED
    )
    local_id = models.CharField(max_length=60, unique=True)
    workflow_id = models.CharField(max_length=60)
    recipient_mailbox = models.CharField(max_length=20, blank=True)
    message_id = models.CharField(max_length=60, blank=True)
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    queued_at = models.DateTimeField()
    next_attempt_at = models.DateTimeField()
    sent_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    failed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["status", "next_attempt_at"], name="mesh_outbox_idx")
        ]

    def __str__(self) -> str:
        return f"MESH message {self.local_id} ({self.status})"
