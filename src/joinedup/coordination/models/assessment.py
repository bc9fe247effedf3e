"""The single shared assessment: one assessment per person across health and
social care, whose sections different professionals complete. A completed
section is never overwritten: a later change is an amendment, a new row that
supersedes it and keeps the earlier answer."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from joinedup.governance.models import Organisation, Role, User


class AssessmentKind(models.TextChoices):
    ADULT = "adult", "Adult needs assessment"
    CARER = "carer", "Carer's assessment"


class Assessment(models.Model):
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="assessments"
    )
    kind = models.CharField(max_length=10, choices=AssessmentKind.choices)
    started_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    started_by_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    started_at = models.DateTimeField()
    # Set when the last section is completed.
    completed_at = models.DateTimeField(null=True, blank=True)
    # The person's assessment before this one (its answers pre-fill this one).
    previous = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["person", "-started_at"])]

    def __str__(self) -> str:
        return f"Assessment {self.pk} ({self.kind}) of person {self.person_id}"

    @property
    def is_complete(self) -> bool:
        return self.completed_at is not None


class AssessmentSection(models.Model):
    """One completion (or amendment) of one section. The current answer of a
    section is the row with is_current; superseded rows are its history."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="sections"
    )
    key = models.CharField(max_length=40)
    answers = models.JSONField(default=dict)  # question key -> answer (free text)
    # question key -> {"origin", "source", "on", "status"} (coordination/prefill.py)
    provenance = models.JSONField(default=dict)
    completed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    completed_by_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    completed_by_role = models.CharField(max_length=40, choices=Role.choices)
    completed_at = models.DateTimeField()
    supersedes = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="superseded_by",
    )
    amendment_reason = models.TextField(blank=True)  # free text: never logged
    is_current = models.BooleanField(default=True)

    class Meta:
        indexes = [models.Index(fields=["assessment", "key"])]
        constraints = [
            # One current answer per section, and a section is completed once:
            # every later change is an amendment of the current one.
            models.UniqueConstraint(
                fields=["assessment", "key"],
                condition=Q(is_current=True),
                name="assessment_section_one_current",
            ),
            models.UniqueConstraint(
                fields=["assessment", "key"],
                condition=Q(supersedes__isnull=True),
                name="assessment_section_completed_once",
            ),
        ]

    def __str__(self) -> str:
        return f"Section {self.key} of assessment {self.assessment_id}"

    @property
    def is_amendment(self) -> bool:
        return self.supersedes_id is not None
