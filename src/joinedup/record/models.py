"""The event store of the shared record: what each source system said happened."""

from __future__ import annotations

from django.db import models

from joinedup.governance.models import AccessCategory, Organisation


class SourceKind(models.TextChoices):
    HL7V2 = "hl7v2", "HL7 v2"
    FHIR = "fhir", "FHIR R4"
    CSV = "csv", "CSV extract"
    MANUAL = "manual", "Entered in JoinedUp"


class SourceSystem(models.Model):
    """An IT system that sends us records, run by one organisation."""

    code = models.SlugField(max_length=40, unique=True)
    name = models.CharField(max_length=200)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="source_systems"
    )
    kind = models.CharField(max_length=10, choices=SourceKind.choices)
    identifier_system = models.CharField(max_length=200)
    identifier_label = models.CharField(max_length=100)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EventKind(models.TextChoices):
    ADMISSION = "admission", "Hospital admission"
    TRANSFER = "transfer", "Ward transfer"
    DISCHARGE = "discharge", "Hospital discharge"
    AE_ATTENDANCE = "ae_attendance", "A&E attendance"
    GP_CONSULTATION = "gp_consultation", "GP consultation"
    DIAGNOSIS = "diagnosis", "Diagnosis"
    MEDICATION = "medication", "Medication"
    FALL = "fall", "Fall"
    COMMUNITY_CONTACT = "community_contact", "Community contact"
    MENTAL_HEALTH_CONTACT = "mental_health_contact", "Mental health contact"
    SOCIAL_CARE_ASSESSMENT = "social_care_assessment", "Social care assessment"
    SERVICE_START = "service_start", "Care service started"
    SERVICE_END = "service_end", "Care service ended"
    SAFEGUARDING_CONCERN = "safeguarding_concern", "Safeguarding concern"
    SEXUAL_HEALTH_CONTACT = "sexual_health_contact", "Sexual health contact"
    OTHER = "other", "Other"


class Event(models.Model):
    """One thing that happened to a person, as a source system recorded it.
    (source_system, source_id) is unique, so ingesting the same message twice
    changes nothing."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="events"
    )
    source_system = models.ForeignKey(
        SourceSystem, on_delete=models.PROTECT, related_name="events"
    )
    source_id = models.CharField(max_length=100)
    kind = models.CharField(max_length=30, choices=EventKind.choices)
    category = models.CharField(max_length=20, choices=AccessCategory.choices)
    occurred_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    code_system = models.CharField(max_length=60, blank=True)
    code = models.CharField(max_length=30, blank=True)  # SNOMED CT concept id
    code_display = models.CharField(max_length=200, blank=True)
    summary = models.CharField(max_length=300)
    detail = models.JSONField(default=dict, blank=True)
    provenance = models.CharField(max_length=200, blank=True)  # message id, file:row
    ingested_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["source_system", "source_id"], name="event_unique_source_id"
            )
        ]
        indexes = [
            models.Index(fields=["person", "-occurred_at", "-id"], name="event_tl_idx"),
            models.Index(
                fields=["person", "category", "-occurred_at"], name="event_tl_cat_idx"
            ),
            models.Index(
                fields=["person", "source_system", "-occurred_at"],
                name="event_tl_src_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.source_system_id}:{self.source_id}"
