"""A person's consent to share, or objection, per category and organisation."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from joinedup.governance.models.core import Organisation


class ConsentDecision(models.TextChoices):
    CONSENT = "consent", "Consents to sharing"
    OBJECTION = "objection", "Objects to sharing"


class ConsentMethod(models.TextChoices):
    VERBAL = "verbal", "Said so in person or by phone"
    WRITTEN = "written", "In writing"
    ELECTRONIC = "electronic", "Electronically"
    PROXY = "proxy", "Through a lasting power of attorney or other proxy"
    ONLINE = "online", "Online, in their own view of the record"


class ConsentRecord(models.Model):
    """What the person said about sharing one category (or all) with one
    organisation (or all). The newest record for a (category, organisation) pair is
    in force; earlier ones are kept as history."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="consents"
    )
    category = models.CharField(max_length=20, blank=True)  # "" = every category
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )  # None = every organisation
    decision = models.CharField(max_length=10, choices=ConsentDecision.choices)
    method = models.CharField(max_length=12, choices=ConsentMethod.choices)
    # The professional who recorded it; empty when the person (or their proxy)
    # recorded it themselves online (method "online"; the audit says who).
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    recorded_at = models.DateTimeField()
    note = models.TextField(blank=True)

    class Meta:
        indexes = [models.Index(fields=["person", "-recorded_at"])]
        ordering = ["-recorded_at", "-id"]

    def __str__(self) -> str:
        return f"{self.decision} for person {self.person_id}"
