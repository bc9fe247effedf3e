"""Care packages and who pays for them (DESIGN 4.3 outcomes, 4.6): each package
has a provider, a cost per week and a history of funding splits. Data and
invariants only; every write is in `funding.services.packages`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import F, Q

from joinedup.governance.models import Organisation


class PackageKind(models.TextChoices):
    HOME_CARE = "home_care", "Home care"
    RESIDENTIAL = "residential_placement", "Residential placement"
    NURSING = "nursing_placement", "Nursing placement"
    EQUIPMENT = "equipment", "Equipment"
    REABLEMENT = "reablement", "Reablement"
    DIRECT_PAYMENT = "direct_payment", "Direct payment"


class Funder(models.TextChoices):
    """DESIGN 4.3 outcomes: who pays a care package line."""

    NHS_CHC = "nhs_chc", "NHS continuing healthcare"
    NHS_FNC = "nhs_fnc", "NHS-funded nursing care"
    COUNCIL = "council", "Council (means-tested)"
    JOINT = "joint", "Joint package"


class CarePackage(models.Model):
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="care_packages"
    )
    kind = models.CharField(max_length=30, choices=PackageKind.choices)
    provider = models.CharField(max_length=200)
    cost_per_week = models.DecimalField(max_digits=10, decimal_places=2)
    hours_per_week = models.DecimalField(
        max_digits=6, decimal_places=2, null=True, blank=True
    )
    start_on = models.DateField()
    end_on = models.DateField(null=True, blank=True)
    # The pooled-budget scheme that pays for it, if any (its spend lines).
    scheme = models.ForeignKey(
        "funding.Scheme",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="packages",
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(end_on__isnull=True) | Q(end_on__gte=F("start_on")),
                name="package_end_not_before_start",
            ),
            models.CheckConstraint(
                condition=Q(cost_per_week__gte=0), name="package_cost_not_negative"
            ),
        ]
        indexes = [
            models.Index(fields=["person", "start_on"], name="package_person_idx"),
            models.Index(fields=["scheme", "start_on"], name="package_scheme_idx"),
        ]

    def __str__(self) -> str:
        return f"package {self.pk} ({self.kind})"


class FundingSplit(models.Model):
    """Who pays a package from `effective_from`. Append only: on any day the split
    in force is the one recorded most recently among those effective on or
    before that day, so a later decision (CHC, dispute outcome, interim funding)
    applies from its effective date onwards, also over splits recorded before
    it. The shares add up to exactly 100; the person's assessed contribution
    (Care Act charging) is taken off the council's share each week."""

    package = models.ForeignKey(
        CarePackage, on_delete=models.CASCADE, related_name="splits"
    )
    effective_from = models.DateField()
    funder = models.CharField(max_length=10, choices=Funder.choices)
    nhs_chc_percent = models.DecimalField(max_digits=5, decimal_places=2)
    nhs_fnc_percent = models.DecimalField(max_digits=5, decimal_places=2)
    council_percent = models.DecimalField(max_digits=5, decimal_places=2)
    contribution_per_week = models.DecimalField(
        max_digits=10, decimal_places=2, default=0
    )
    reason = models.CharField(max_length=200)
    source_ref = models.CharField(max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    nhs_chc_percent__gte=0,
                    nhs_fnc_percent__gte=0,
                    council_percent__gte=0,
                ),
                name="split_shares_not_negative",
            ),
        ]
        indexes = [
            models.Index(fields=["package", "effective_from"], name="split_pkg_idx")
        ]

    def __str__(self) -> str:
        return f"split {self.pk} of package {self.package_id}"


class DirectPayment(models.Model):
    """A payment made into a person's direct payment account (the package of kind
    direct_payment holds the budget: its cost per week)."""

    package = models.ForeignKey(
        CarePackage, on_delete=models.CASCADE, related_name="payments"
    )
    paid_on = models.DateField()
    amount = models.DecimalField(max_digits=10, decimal_places=2)
    reference = models.CharField(max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(amount__gt=0), name="direct_payment_positive"
            )
        ]

    def __str__(self) -> str:
        return f"direct payment {self.pk}"
