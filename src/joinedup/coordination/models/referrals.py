"""Referrals between agencies (FHIR ServiceRequest with its fulfilling Task).
The sender asks a receiving organisation (and team) to do something for a person,
with a reason, an urgency and the basis for sharing; the receiving side accepts
(optionally naming who will do it) or declines with a reason, and completes.
Each referral type has a response standard in working days, so both sides see
the clock (due, overdue) without chasing."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import models

from joinedup.governance.models import AccessCategory, Organisation, Team, User


class ReferralType(models.TextChoices):
    SOCIAL_CARE_ASSESSMENT = "social_care_assessment", "Social care assessment"
    COMMUNITY_NURSING = "community_nursing", "Community nursing"
    REABLEMENT = "reablement", "Reablement"
    MENTAL_HEALTH = "mental_health", "Mental health"
    FALLS_SERVICE = "falls_service", "Falls service"
    CARERS_SUPPORT = "carers_support", "Carers' support"
    # Level 1 (DESIGN 4.5): to a social prescribing link worker, and from a link
    # worker to a community service in the directory (voluntary, housing, leisure).
    SOCIAL_PRESCRIBING = "social_prescribing", "Social prescribing"
    COMMUNITY_SERVICE = "community_service", "Community service"


class Urgency(models.TextChoices):
    URGENT = "urgent", "Urgent"
    ROUTINE = "routine", "Routine"


@dataclass(frozen=True)
class ResponseStandard:
    """Working days from sending to a response (accepted or declined)."""

    urgent: int
    routine: int
    category: str  # the kind of information the referral shares


# Local response standards agreed by the partnership (examples to configure;
# there is no single national standard for these referrals).
RESPONSE_STANDARDS: dict[str, ResponseStandard] = {
    ReferralType.SOCIAL_CARE_ASSESSMENT: ResponseStandard(
        1, 20, AccessCategory.SOCIAL_CARE
    ),
    ReferralType.COMMUNITY_NURSING: ResponseStandard(1, 5, AccessCategory.HEALTH),
    ReferralType.REABLEMENT: ResponseStandard(1, 2, AccessCategory.SOCIAL_CARE),
    ReferralType.MENTAL_HEALTH: ResponseStandard(1, 20, AccessCategory.MENTAL_HEALTH),
    ReferralType.FALLS_SERVICE: ResponseStandard(2, 20, AccessCategory.HEALTH),
    ReferralType.CARERS_SUPPORT: ResponseStandard(5, 20, AccessCategory.SOCIAL_CARE),
    # What a link worker or a community service needs is who the person is and how
    # to reach them; the referral's reason says what matters to them.
    ReferralType.SOCIAL_PRESCRIBING: ResponseStandard(
        2, 10, AccessCategory.DEMOGRAPHICS
    ),
    ReferralType.COMMUNITY_SERVICE: ResponseStandard(
        5, 10, AccessCategory.DEMOGRAPHICS
    ),
}


class ConsentBasis(models.TextChoices):
    CONSENT = "consent", "The person consents to the referral"
    BEST_INTERESTS = "best_interests", "Best interests (the person lacks capacity)"
    LEGAL_DUTY = "legal_duty", "A legal duty to share"


class ReferralStatus(models.TextChoices):
    # FHIR Task.status: requested, accepted, rejected, completed, cancelled
    SENT = "sent", "Waiting for a response"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    COMPLETED = "completed", "Completed"
    WITHDRAWN = "withdrawn", "Withdrawn by the sender"


OPEN_REFERRAL_STATUSES = (ReferralStatus.SENT, ReferralStatus.ACCEPTED)


class Referral(models.Model):
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="referrals"
    )
    referral_type = models.CharField(max_length=40, choices=ReferralType.choices)
    urgency = models.CharField(max_length=10, choices=Urgency.choices)
    reason = models.TextField()  # free text: never logged
    consent_basis = models.CharField(max_length=20, choices=ConsentBasis.choices)
    from_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    from_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    sent_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField()
    to_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    to_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=12, choices=ReferralStatus.choices, default=ReferralStatus.SENT
    )
    # The response standard's deadline, in working days from sending.
    respond_by = models.DateField()
    responded_at = models.DateTimeField(null=True, blank=True)
    responded_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decline_reason = models.TextField(blank=True)
    assigned_user = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    outcome = models.TextField(blank=True)  # completion note or withdrawal reason
    # The receiving side's task (source=referral): their legitimate relationship.
    task = models.ForeignKey(
        "coordination.Task",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        indexes = [
            models.Index(fields=["to_organisation", "status"]),
            models.Index(fields=["to_team", "status"]),
            models.Index(fields=["from_organisation", "status"]),
            models.Index(fields=["person", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="referral_reason_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.pk} ({self.status}) for person {self.person_id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_REFERRAL_STATUSES
