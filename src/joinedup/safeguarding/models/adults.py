"""Adult safeguarding (Care Act 2014 s42): the concern, the council's decision on
the three-part test, and the enquiry. Free text is never logged."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from joinedup.governance.models import Organisation, Team, User
from joinedup.safeguarding import rules


class ConcernStatus(models.TextChoices):
    RAISED = "raised", "Raised: awaiting the council's decision"
    ENQUIRY = "enquiry", "Enquiry in progress"
    OTHER_ACTION = "other_action", "Other action"
    CLOSED = "closed", "Closed"


class AdultConcern(models.Model):
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="adult_concerns"
    )
    raised_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    raised_by_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField()
    # Who, what, where, when (free text: never logged).
    what_happened = models.TextField()
    where_happened = models.CharField(max_length=200)
    when_happened = models.CharField(max_length=100)
    who_is_alleged = models.CharField(max_length=200, blank=True)
    # The alleged perpetrator when they are also a person in the index: never
    # notified, never shown anything of the concern.
    alleged_perpetrator = models.ForeignKey(
        "people.Person",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    suspected_categories = models.JSONField(default=list)
    # Making Safeguarding Personal: the person's views and wishes, or why not.
    person_views = models.TextField(blank=True)
    views_not_sought_reason = models.TextField(blank=True)
    desired_outcomes = models.TextField(blank=True)
    # Sharing with the council: consent, or the lawful basis without it.
    consent = models.CharField(max_length=20)
    lawful_basis = models.CharField(max_length=40, blank=True)
    council = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    council_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    status = models.CharField(
        max_length=20, choices=ConcernStatus.choices, default=ConcernStatus.RAISED
    )
    # The council's decision on the three-part test (s42(1)).
    care_and_support_needs = models.BooleanField(null=True)
    experiencing_or_at_risk = models.BooleanField(null=True)
    unable_to_protect_self = models.BooleanField(null=True)
    categories = models.JSONField(default=list)
    decision = models.CharField(max_length=30, blank=True)
    decision_reasons = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["council", "status"]),
            models.Index(fields=["person", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(person_views="") | ~Q(views_not_sought_reason=""),
                name="concern_has_views_or_reason",
            ),
        ]

    def __str__(self) -> str:
        return f"Adult concern {self.pk} ({self.status})"

    @property
    def category_labels(self) -> list[str]:
        return [rules.ABUSE_CATEGORIES.get(c, c) for c in self.categories]

    @property
    def decision_label(self) -> str:
        return rules.ADULT_DECISIONS.get(self.decision, "")


class AdultEnquiry(models.Model):
    """A s42 (or other) enquiry: the strategy discussion with partners, the
    enquiry officer, actions as tasks in each organisation, the outcome."""

    concern = models.OneToOneField(
        AdultConcern, on_delete=models.CASCADE, related_name="enquiry"
    )
    statutory = models.BooleanField(default=True)
    enquiry_officer = models.ForeignKey(
        User, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField()
    strategy_held_on = models.DateField(null=True, blank=True)
    strategy_agencies = models.JSONField(default=list)  # health, police, provider…
    strategy_notes = models.TextField(blank=True)
    risk_outcome = models.CharField(max_length=10, blank=True)
    outcomes_met = models.CharField(max_length=20, blank=True)
    person_view_on_outcome = models.TextField(blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(closed_at__isnull=True) | ~Q(risk_outcome=""),
                name="enquiry_closed_has_outcome",
            ),
        ]

    def __str__(self) -> str:
        return f"Adult enquiry {self.pk}"

    @property
    def risk_outcome_label(self) -> str:
        return rules.RISK_OUTCOMES.get(self.risk_outcome, "")

    @property
    def outcomes_met_label(self) -> str:
        return rules.DESIRED_OUTCOMES_MET.get(self.outcomes_met, "")
