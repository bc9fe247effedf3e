"""Tasks: work owed to a person by a professional, a team or an organisation.
Created by referrals, MDT decisions, discharge delays, care plan actions, CHC
reviews and case finding, or by hand. An open task is a legitimate relationship
for whoever holds it (DESIGN 2, the access policy)."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from joinedup.governance.models import Organisation, Team, User


class TaskSource(models.TextChoices):
    MANUAL = "manual", "Added by hand"
    REFERRAL = "referral", "Referral"
    MDT_ACTION = "mdt_action", "MDT decision"
    DISCHARGE_DELAY = "discharge_delay", "Discharge delay"
    CARE_PLAN_ACTION = "care_plan_action", "Care plan action"
    CHC_REVIEW = "chc_review", "Continuing healthcare review"
    CASE_FINDING = "case_finding", "Case finding"
    ASSESSMENT = "assessment", "Shared assessment"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    SOCIAL_PRESCRIBING = "social_prescribing", "Social prescribing"
    URGENT_COMMUNITY_RESPONSE = "urgent_community_response", "Urgent community response"


class TaskStatus(models.TextChoices):
    OPEN = "open", "To do"
    IN_PROGRESS = "in_progress", "In progress"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"


OPEN_TASK_STATUSES = (TaskStatus.OPEN, TaskStatus.IN_PROGRESS)


class Task(models.Model):
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="tasks"
    )
    title = models.CharField(max_length=200)
    detail = models.TextField(blank=True)  # free text: never logged
    source = models.CharField(
        max_length=30, choices=TaskSource.choices, default=TaskSource.MANUAL
    )
    # The id of what created it (a referral, an MDT item, a delay...), as text.
    source_ref = models.CharField(max_length=60, blank=True)
    # Who holds it: always an organisation; a team and a person where known.
    assignee_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    assignee_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    assignee_user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks"
    )
    status = models.CharField(
        max_length=20, choices=TaskStatus.choices, default=TaskStatus.OPEN
    )
    due_on = models.DateField(null=True, blank=True)
    created_by = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    completed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.TextField(blank=True)  # free text: never logged

    class Meta:
        indexes = [
            models.Index(fields=["assignee_user", "status"]),
            models.Index(fields=["assignee_team", "status"]),
            models.Index(fields=["assignee_organisation", "status"]),
            models.Index(fields=["person", "status"]),
            models.Index(fields=["source", "source_ref"]),
        ]
        constraints = [
            models.CheckConstraint(condition=~Q(title=""), name="task_title_not_empty"),
        ]

    def __str__(self) -> str:
        return f"Task {self.pk} ({self.status}) for person {self.person_id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_TASK_STATUSES
