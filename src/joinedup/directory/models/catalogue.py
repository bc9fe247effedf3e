"""The service directory in the Open Referral UK data standard (ORUK 3.0, built on
HSDS 3.0): organization, service, location, service_at_location, taxonomy_term
(needs and eligibility circumstances, linked to services as attributes) and
contact. Each row keeps its ORUK `id`, so an export can be imported elsewhere and
a re-import updates rather than duplicates."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from joinedup.governance.models import Organisation


class DirectoryOrganization(models.Model):
    oruk_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    email = models.CharField(max_length=200, blank=True)
    website = models.CharField(max_length=300, blank=True)
    # The JoinedUp organisation that answers referrals to this one's services, if
    # it is on JoinedUp; otherwise people are signposted.
    organisation = models.ForeignKey(
        Organisation,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TaxonomyTerm(models.Model):
    """A term of a taxonomy: a need the service meets (taxonomy "needs") or a
    circumstance its eligibility names (taxonomy "circumstances")."""

    oruk_id = models.CharField(max_length=64, unique=True)
    taxonomy = models.CharField(max_length=100)
    code = models.CharField(max_length=100, blank=True)
    name = models.CharField(max_length=200)
    parent = models.ForeignKey(
        "self", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["taxonomy", "name"]
        indexes = [models.Index(fields=["taxonomy", "code"], name="dir_term_code")]

    def __str__(self) -> str:
        return f"{self.taxonomy}: {self.name}"


class ServiceStatus(models.TextChoices):
    # HSDS service.status
    ACTIVE = "active", "Active"
    INACTIVE = "inactive", "Inactive"
    DEFUNCT = "defunct", "Defunct"
    TEMPORARILY_CLOSED = "temporarily closed", "Temporarily closed"


class Service(models.Model):
    oruk_id = models.CharField(max_length=64, unique=True)
    organization = models.ForeignKey(
        DirectoryOrganization, on_delete=models.PROTECT, related_name="services"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    url = models.CharField(max_length=300, blank=True)
    email = models.CharField(max_length=200, blank=True)
    status = models.CharField(
        max_length=20, choices=ServiceStatus.choices, default=ServiceStatus.ACTIVE
    )
    fees = models.CharField(max_length=300, blank=True)
    eligibility_description = models.TextField(blank=True)
    minimum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    maximum_age = models.PositiveSmallIntegerField(null=True, blank=True)
    terms = models.ManyToManyField(TaxonomyTerm, related_name="services", blank=True)
    last_modified = models.DateTimeField()
    modified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(minimum_age__isnull=True)
                | models.Q(maximum_age__isnull=True)
                | models.Q(minimum_age__lte=models.F("maximum_age")),
                name="dir_service_age_range",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Location(models.Model):
    oruk_id = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=200, blank=True)
    address_1 = models.CharField(max_length=200, blank=True)
    city = models.CharField(max_length=100, blank=True)
    postal_code = models.CharField(max_length=10, blank=True)
    latitude = models.FloatField(null=True, blank=True)
    longitude = models.FloatField(null=True, blank=True)

    def __str__(self) -> str:
        return self.name or self.postal_code


class ServiceAtLocation(models.Model):
    oruk_id = models.CharField(max_length=64, unique=True)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="service_at_locations"
    )
    location = models.ForeignKey(
        Location, on_delete=models.PROTECT, related_name="service_at_locations"
    )

    def __str__(self) -> str:
        return f"service {self.service_id} at location {self.location_id}"


class ServiceContact(models.Model):
    oruk_id = models.CharField(max_length=64, unique=True)
    service = models.ForeignKey(
        Service, on_delete=models.CASCADE, related_name="contacts"
    )
    name = models.CharField(max_length=200, blank=True)
    title = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=40, blank=True)
    email = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"contact {self.pk} of service {self.service_id}"


class ImportStatus(models.TextChoices):
    APPLIED = "applied", "Applied"
    REJECTED = "rejected", "Rejected: nothing was changed"


class DirectoryImport(models.Model):
    """One import of ORUK JSON: applied whole, or rejected whole and kept here
    (the directory's quarantine) with the fields that were wrong."""

    status = models.CharField(max_length=10, choices=ImportStatus.choices)
    received_at = models.DateTimeField()
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    filename = models.CharField(max_length=200, blank=True)
    errors = models.JSONField(default=dict)  # {field path: problem}
    counts = models.JSONField(default=dict)  # {"services": n, ...}
    raw = models.TextField(blank=True)  # kept only when rejected

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"directory import {self.pk} ({self.status})"
