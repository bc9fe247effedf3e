"""Child protection (Children Act 1989 s47; Working Together 2023): referral,
decision, strategy discussion, s47 enquiry, conferences and the plan; looked-
after status for the unscheduled care flag."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from joinedup.governance.models import Organisation, User
from joinedup.safeguarding import rules


class ChildCaseStatus(models.TextChoices):
    REFERRED = "referred", "Referred: awaiting a decision"
    STRATEGY = "strategy", "Strategy discussion"
    S47 = "s47", "Section 47 enquiry"
    CONFERENCE = "conference", "Awaiting the initial conference"
    PLAN = "plan", "Child protection plan"
    CLOSED = "closed", "Closed"


class ChildCase(models.Model):
    """One referral to children's social care and what followed from it."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="child_cases"
    )
    council = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    referred_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    referred_by_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    received_on = models.DateField()
    reason = models.TextField()
    alleged_perpetrator = models.ForeignKey(
        "people.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    consent = models.CharField(max_length=20)
    lawful_basis = models.CharField(max_length=40, blank=True)
    family = models.ForeignKey(
        "safeguarding.Family",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="child_cases",
    )
    status = models.CharField(
        max_length=20, choices=ChildCaseStatus.choices, default=ChildCaseStatus.REFERRED
    )
    decision = models.CharField(max_length=30, blank=True)
    decision_reasons = models.TextField(blank=True)
    decided_on = models.DateField(null=True, blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Strategy discussion (health, police, social care).
    strategy_held_on = models.DateField(null=True, blank=True)
    strategy_agencies = models.JSONField(default=list)
    strategy_s47 = models.BooleanField(null=True)
    strategy_notes = models.TextField(blank=True)
    # Section 47 enquiry.
    s47_started_on = models.DateField(null=True, blank=True)
    s47_outcome = models.CharField(max_length=30, blank=True)
    s47_completed_on = models.DateField(null=True, blank=True)
    social_worker = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Clocks kept on the row so the dashboard reads them with one query.
    decision_due_on = models.DateField()
    icpc_due_on = models.DateField(null=True, blank=True)
    icpc_held_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["council", "status"]),
            models.Index(fields=["person", "status"]),
        ]

    def __str__(self) -> str:
        return f"Child case {self.pk} ({self.status})"

    @property
    def decision_label(self) -> str:
        return rules.REFERRAL_DECISIONS.get(self.decision, "")


class ConferenceKind(models.TextChoices):
    INITIAL = "initial", "Initial child protection conference"
    REVIEW = "review", "Review conference"


class Conference(models.Model):
    case = models.ForeignKey(
        ChildCase, on_delete=models.CASCADE, related_name="conferences"
    )
    kind = models.CharField(max_length=10, choices=ConferenceKind.choices)
    held_on = models.DateField()
    late_reason = models.TextField(blank=True)
    plan_decided = models.BooleanField()
    chaired_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        ordering = ["held_on", "pk"]

    def __str__(self) -> str:
        return f"{self.kind} conference {self.pk}"


class ChildProtectionPlan(models.Model):
    case = models.OneToOneField(
        ChildCase, on_delete=models.CASCADE, related_name="plan"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="cp_plans"
    )
    category = models.CharField(max_length=20)
    pre_birth = models.BooleanField(default=False)
    started_on = models.DateField()
    next_review_due_on = models.DateField()
    last_review_on = models.DateField(null=True, blank=True)
    ended_on = models.DateField(null=True, blank=True)
    end_reason = models.CharField(max_length=30, blank=True)

    class Meta:
        indexes = [models.Index(fields=["person", "ended_on"])]
        constraints = [
            models.CheckConstraint(condition=~Q(category=""), name="plan_has_category"),
            models.CheckConstraint(
                condition=Q(ended_on__isnull=True) | ~Q(end_reason=""),
                name="plan_ended_has_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Child protection plan {self.pk}"

    @property
    def category_label(self) -> str:
        return rules.PLAN_CATEGORIES.get(self.category, self.category)


class LookedAfter(models.Model):
    """A child looked after by the council (Children Act 1989 s20/s31)."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+"
    )
    council = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Looked after {self.pk}"
