"""In-app notifications: one row per professional per event (a new referral, a
task given to them, a change to the plan of someone on their caseload). A title
never holds personal data: the link leads to the page, which decides access."""

from __future__ import annotations

from django.db import models

from joinedup.governance.models import User


class NotificationKind(models.TextChoices):
    REFERRAL_NEW = "referral_new", "new referral"
    REFERRAL_UPDATE = "referral_update", "referral update"
    TASK_ASSIGNED = "task_assigned", "new task"
    PLAN_CHANGED = "plan_changed", "care plan change"
    ASSESSMENT = "assessment", "shared assessment update"
    MDT = "mdt", "MDT meeting update"
    SAFEGUARDING = "safeguarding", "safeguarding alert"


class Notification(models.Model):
    user = models.ForeignKey(
        User, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=30, choices=NotificationKind.choices)
    # The person it concerns, if any (for the page's link; never in the title).
    person = models.ForeignKey(
        "people.Person",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="+",
    )
    title = models.CharField(max_length=200)
    url = models.CharField(max_length=300)
    created_at = models.DateTimeField()
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "read_at"])]
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Notification {self.pk} ({self.kind}) for user {self.user_id}"

    @property
    def is_unread(self) -> bool:
        return self.read_at is None
