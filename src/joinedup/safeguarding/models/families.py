"""Early help and families: the household, the early help assessment, the lead
practitioner, the team around the family, the family plan and its reviews, and
steps up to children's social care and down to early help (history kept)."""

from __future__ import annotations

from django.db import models

from joinedup.governance.models import Organisation, User


class FamilyStatus(models.TextChoices):
    EARLY_HELP = "early_help", "Early help"
    SOCIAL_CARE = "social_care", "Stepped up to children's social care"
    CLOSED = "closed", "Closed"


class FamilyRole(models.TextChoices):
    CHILD = "child", "Child"
    UNBORN = "unborn", "Unborn child"
    PARENT = "parent", "Parent"
    CARER = "carer", "Carer"
    SIBLING = "sibling", "Sibling"
    OTHER_ADULT = "other_adult", "Other adult in the household"


class Family(models.Model):
    reference = models.CharField(max_length=40)  # a case reference, never a name
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    status = models.CharField(
        max_length=20, choices=FamilyStatus.choices, default=FamilyStatus.EARLY_HELP
    )
    lead_practitioner = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    lead_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    plan_text = models.TextField(blank=True)
    plan_review_due_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organisation", "status"])]

    def __str__(self) -> str:
        return f"Family {self.reference}"


class FamilyMember(models.Model):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="family_memberships"
    )
    role = models.CharField(max_length=20, choices=FamilyRole.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["family", "person"], name="family_member_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.role} in family {self.family_id}"


class EarlyHelpAssessment(models.Model):
    """An early help assessment of a child in the family, on the shared
    assessment form engine (coordination.assessment_form): answers per section,
    pre-filled from the person's shared assessment (tell your story once)."""

    family = models.ForeignKey(
        Family, on_delete=models.CASCADE, related_name="assessments"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+"
    )
    answers = models.JSONField(default=dict)  # {section key: {question: answer}}
    prefilled_from = models.JSONField(default=dict)  # {question: "assessment 12"}
    completed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    completed_by_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    completed_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Early help assessment {self.pk}"


class FamilyReview(models.Model):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="reviews")
    held_on = models.DateField()
    progress = models.TextField()
    next_review_on = models.DateField(null=True, blank=True)
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return f"Family review {self.pk}"


class StepDirection(models.TextChoices):
    UP = "up", "Stepped up to children's social care"
    DOWN = "down", "Stepped down to early help"


class FamilyStep(models.Model):
    family = models.ForeignKey(Family, on_delete=models.CASCADE, related_name="steps")
    direction = models.CharField(max_length=4, choices=StepDirection.choices)
    reason = models.TextField()
    case = models.ForeignKey(
        "safeguarding.ChildCase",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    at = models.DateTimeField()
    by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["at", "pk"]

    def __str__(self) -> str:
        return f"Family step {self.pk} ({self.direction})"
