"""Urgent community response (level 2 of joined-up care, DESIGN 4.5): a referral
from 111, a GP, the ambulance service or a care home to the community team, who
must reach the person within 2 hours (the NHS England 2-hour standard). The team
records when they made contact, the clinical reason (one of the nine conditions
of the UCR guidance) and the outcome; admission within 48 hours is computed from
hospital stays."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from joinedup.governance.models import Organisation, Team


class UcrSource(models.TextChoices):
    NHS_111 = "nhs_111", "NHS 111"
    GP = "gp", "GP"
    AMBULANCE = "ambulance", "Ambulance service"
    CARE_HOME = "care_home", "Care home"


class ClinicalReason(models.TextChoices):
    # The nine clinical conditions of the UCR guidance.
    FALLS = "falls", "Falls"
    FRAILTY = "frailty_decompensation", "Decompensation of frailty"
    REDUCED_FUNCTION = "reduced_function", "Reduced function or deconditioning"
    EQUIPMENT = "urgent_equipment", "Urgent equipment provision"
    CATHETER = "urgent_catheter_care", "Urgent catheter care"
    DIABETES = "urgent_diabetes_support", "Urgent support for diabetes"
    CARER_BREAKDOWN = "unpaid_carer_breakdown", "Unpaid carer breakdown"
    CONFUSION = "confusion_delirium", "Confusion or delirium"
    END_OF_LIFE = "end_of_life_crisis", "End of life crisis support"


class UcrOutcome(models.TextChoices):
    REMAINED_AT_HOME = "remained_at_home", "Remained at home"
    CONVEYED = "conveyed", "Conveyed to hospital"
    ADMITTED = "admitted", "Admitted to hospital"


class UcrReferral(models.Model):
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+"
    )
    source = models.CharField(max_length=12, choices=UcrSource.choices)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField()  # free text: never logged
    received_at = models.DateTimeField()
    due_at = models.DateTimeField()  # received + 2 hours
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    # The person was at the top risk level (population level 3) when referred.
    top_risk = models.BooleanField(default=False)
    task = models.ForeignKey(
        "coordination.Task",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    contact_at = models.DateTimeField(null=True, blank=True)
    contacted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    clinical_reason = models.CharField(
        max_length=30, choices=ClinicalReason.choices, blank=True
    )
    outcome = models.CharField(max_length=20, choices=UcrOutcome.choices, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "closed_at"], name="ucr_queue"),
            models.Index(fields=["received_at"], name="ucr_received"),
            models.Index(fields=["person", "received_at"], name="ucr_person"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(reason=""), name="ucr_reason_not_empty"
            ),
        ]

    def __str__(self) -> str:
        return f"UCR referral {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.closed_at is None

    @property
    def within_two_hours(self) -> bool | None:
        if self.contact_at is None:
            return None
        return self.contact_at <= self.due_at
