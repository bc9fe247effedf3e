"""Multidisciplinary team (MDT) meetings: a team meets, with professionals from
several organisations, to discuss a list of people; per person it records the
discussion and decisions, and actions become tasks (source=mdt_action) with an
owner in the person's care team or a team."""

from __future__ import annotations

from django.db import models

from joinedup.governance.models import Organisation, Team, User


class MeetingStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    CLOSED = "closed", "Closed"


class ItemSource(models.TextChoices):
    REFERRAL = "referral", "Open referral to the team"
    DISCHARGE_DELAY = "discharge_delay", "Delayed hospital discharge"
    CASE_FINDING = "case_finding", "Case finding"
    MANUAL = "manual", "Added by hand"


class MdtMeeting(models.Model):
    team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="+")
    title = models.CharField(max_length=200)
    starts_at = models.DateTimeField()
    place = models.CharField(max_length=200, blank=True)
    link = models.URLField(max_length=300, blank=True)
    status = models.CharField(
        max_length=12, choices=MeetingStatus.choices, default=MeetingStatus.SCHEDULED
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        indexes = [models.Index(fields=["team", "starts_at"])]
        ordering = ["-starts_at", "-id"]

    def __str__(self) -> str:
        return f"MDT meeting {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.status == MeetingStatus.SCHEDULED


class MdtAttendee(models.Model):
    meeting = models.ForeignKey(
        MdtMeeting, on_delete=models.CASCADE, related_name="attendees"
    )
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=40)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "user"], name="mdt_attendee_once"
            )
        ]

    def __str__(self) -> str:
        return f"Attendee {self.user_id} of meeting {self.meeting_id}"


class MdtItem(models.Model):
    """One person on the meeting's list, with what was said and decided."""

    meeting = models.ForeignKey(
        MdtMeeting, on_delete=models.CASCADE, related_name="items"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+"
    )
    source = models.CharField(max_length=20, choices=ItemSource.choices)
    source_ref = models.CharField(max_length=60, blank=True)
    position = models.PositiveIntegerField(default=0)
    discussion = models.TextField(blank=True)  # free text: never logged
    decisions = models.TextField(blank=True)  # free text: never logged
    recorded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    recorded_at = models.DateTimeField(null=True, blank=True)
    added_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    added_at = models.DateTimeField()

    class Meta:
        ordering = ["position", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["meeting", "person"], name="mdt_item_person_once"
            )
        ]

    def __str__(self) -> str:
        return f"MDT item {self.pk} of meeting {self.meeting_id}"
