"""The person's own view: proxies and their recorded authority, one-time sign-in
codes, the history of About me changes made from the view, and questions to an
IG lead about an access. Data and invariants only; writes are in services.py and
auth/."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q


class AuthorityKind(models.TextChoices):
    LPA_HEALTH_WELFARE = (
        "lpa_health_welfare",
        "Lasting power of attorney for health and welfare",
    )
    PARENT_UNDER_16 = "parent_under_16", "Parent of a child under 16"
    APPOINTED_CARER = "appointed_carer", "Appointed carer"


class Proxy(models.Model):
    """Someone who may act for one or more people in their own view. Identified at
    sign-in, like a person, by NHS number, date of birth and a registered
    contact (email or mobile phone)."""

    given_name = models.CharField(max_length=100)
    family_name = models.CharField(max_length=100)
    nhs_number = models.CharField(max_length=10, db_index=True)
    birth_date = models.DateField()
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        verbose_name_plural = "proxies"
        constraints = [
            models.CheckConstraint(
                condition=~Q(email="") | ~Q(phone=""), name="proxy_has_contact"
            )
        ]

    def __str__(self) -> str:
        return f"Proxy {self.pk}"

    @property
    def display_name(self) -> str:
        return f"{self.given_name} {self.family_name}"


class ProxyAuthority(models.Model):
    """A proxy's recorded authority to act for a person, from `starts_on` to
    `ends_on` inclusive (a parent's ends before the child turns 16), recorded by a
    professional who saw the evidence. Ended early by `revoked_at`."""

    proxy = models.ForeignKey(
        Proxy, on_delete=models.PROTECT, related_name="authorities"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+"
    )
    kind = models.CharField(max_length=30, choices=AuthorityKind.choices)
    starts_on = models.DateField()
    ends_on = models.DateField()
    evidence_ref = models.CharField(max_length=100, blank=True)  # e.g. OPG reference
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "proxy authorities"
        indexes = [models.Index(fields=["proxy", "person"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_on__gte=F("starts_on")),
                name="proxy_authority_end_not_before_start",
            )
        ]

    def __str__(self) -> str:
        return f"Authority {self.pk} ({self.kind})"


class SignInChallenge(models.Model):
    """One request for a one-time code. Only a keyed hash of the code is kept; it
    expires, allows a few attempts, and is used at most once. `identity_key` is
    a keyed hash of the NHS number (for rate limits; never the number itself).
    A challenge for details that match no one is stored too (with no person or
    proxy), so the answer never reveals who is on record."""

    identity_key = models.CharField(max_length=64, db_index=True)
    client_key = models.CharField(max_length=64, db_index=True)  # hash of the address
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, null=True, related_name="+"
    )
    proxy = models.ForeignKey(
        Proxy, on_delete=models.CASCADE, null=True, related_name="+"
    )
    code_hash = models.CharField(max_length=100)  # salt$HMAC-SHA256
    created_at = models.DateTimeField(db_index=True)
    expires_at = models.DateTimeField()
    attempts = models.PositiveSmallIntegerField(default=0)
    used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"Sign-in challenge {self.pk}"


class ChangedBy(models.TextChoices):
    PERSON = "person", "You"
    PROXY = "proxy", "Your proxy"


class AboutMeChange(models.Model):
    """A change to a person's About me made in their own view: which headings
    changed, when, and whether the person or a proxy (under which authority)
    made it. The text itself is in people.AboutMe."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+"
    )
    changed_fields = models.JSONField(default=list)
    changed_by = models.CharField(max_length=10, choices=ChangedBy.choices)
    authority = models.ForeignKey(
        ProxyAuthority,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    changed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["person", "-changed_at"])]
        ordering = ["-changed_at", "-id"]

    def __str__(self) -> str:
        return f"About me change {self.pk}"


class AccessQuestion(models.Model):
    """The person (or proxy) asked the IG lead of an organisation about one access
    to their record. Answered through the task given to the IG lead."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+"
    )
    audit_seq = models.BigIntegerField()  # the audit entry asked about
    organisation = models.ForeignKey(
        "governance.Organisation", on_delete=models.PROTECT, related_name="+"
    )
    asked_by = models.CharField(max_length=10, choices=ChangedBy.choices)
    authority = models.ForeignKey(
        ProxyAuthority,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    task = models.ForeignKey(
        "coordination.Task", on_delete=models.PROTECT, null=True, related_name="+"
    )
    asked_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["person", "audit_seq"], name="access_question_once"
            )
        ]

    def __str__(self) -> str:
        return f"Access question {self.pk}"
