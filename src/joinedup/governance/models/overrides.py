"""Break-glass access and self-claimed relationships: both give access the ordinary
rules would not, and both land on the IG lead's review lists."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from joinedup.governance.models.core import Organisation


class BreakGlassReason(models.TextChoices):
    VERBAL_CONSENT = "verbal_consent", "The person has given consent verbally"
    VITAL_INTERESTS = "vital_interests", "Vital interests: risk to life or serious harm"
    LEGAL_DUTY = "legal_duty", "A legal duty requires it"
    PUBLIC_INTEREST = "public_interest", "Overriding public interest"


class ReviewStatus(models.TextChoices):
    PENDING = "pending", "Waiting for review"
    APPROPRIATE = "appropriate", "Reviewed: appropriate"
    ESCALATED = "escalated", "Reviewed: escalated"


class Reviewed(models.Model):
    """Something the IG lead reviews: by whom, when, the outcome and a note."""

    review_status = models.CharField(
        max_length=12, choices=ReviewStatus.choices, default=ReviewStatus.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)

    class Meta:
        abstract = True


class BreakGlass(Reviewed):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=40)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="break_glass_uses"
    )
    reason = models.CharField(max_length=20, choices=BreakGlassReason.choices)
    justification = models.TextField()
    started_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta(Reviewed.Meta):
        indexes = [models.Index(fields=["person", "user", "expires_at"])]
        ordering = ["-started_at"]
        verbose_name_plural = "break-glass uses"

    def __str__(self) -> str:
        return f"break-glass by user {self.user_id} for person {self.person_id}"


class RelationshipClaim(Reviewed):
    """A clinician states they have a legitimate relationship the system does not
    know about (e.g. seeing the person in clinic today)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=40)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="relationship_claims"
    )
    reason = models.TextField()
    claimed_at = models.DateTimeField()
    expires_at = models.DateTimeField()

    class Meta(Reviewed.Meta):
        indexes = [models.Index(fields=["person", "user", "expires_at"])]
        ordering = ["-claimed_at"]

    def __str__(self) -> str:
        return f"relationship claim by user {self.user_id} for person {self.person_id}"
