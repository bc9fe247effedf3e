"""Data sharing agreements between organisations."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models

from joinedup.governance.models.core import Organisation, Team


class LegalBasis(models.TextChoices):
    DIRECT_CARE_DUTY_TO_SHARE = (
        "direct_care_duty_to_share",
        "Direct care: duty to share (Health and Social Care Act 2012 s251B)",
    )
    CARE_ACT_COOPERATION = (
        "care_act_cooperation",
        "Care Act 2014 s6 and s7: co-operation between local authorities and partners",
    )
    CHILDREN_ACT_COOPERATION = (
        "children_act_cooperation",
        "Children Act 2004 s10 and s11: co-operation to improve well-being",
    )
    CONSENT = "consent", "Explicit consent of the person"
    PUBLIC_TASK = (
        "public_task",
        "UK GDPR Article 6(1)(e) public task with Article 9(2)(h)",
    )


class SharingAgreement(models.Model):
    """Two or more organisations agree that named categories of information flow
    between them for a purpose, on a legal basis, between two dates. It takes effect
    only when every party has approved it; ending it stops access at once."""

    title = models.CharField(max_length=200)
    purpose = models.TextField()
    legal_basis = models.CharField(max_length=40, choices=LegalBasis.choices)
    categories = models.JSONField(default=list)  # DESIGN access categories
    start_date = models.DateField()
    end_date = models.DateField()
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    ended_at = models.DateTimeField(null=True, blank=True)
    ended_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    ended_reason = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.title

    def is_in_force(self, *, today: dt.date, approved: bool) -> bool:
        return (
            approved
            and self.ended_at is None
            and self.start_date <= today <= self.end_date
        )


class SharingAgreementParty(models.Model):
    agreement = models.ForeignKey(
        SharingAgreement, on_delete=models.CASCADE, related_name="parties"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="sharing_parties"
    )
    # When teams are named, only their members gain access through the agreement.
    teams = models.ManyToManyField(Team, blank=True, related_name="+")
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "organisation"], name="agreement_party_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.organisation.code} in agreement {self.agreement_id}"
