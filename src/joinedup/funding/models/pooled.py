"""Pooled budgets (DESIGN 4.6): a section 75 agreement (or Better Care Fund plan)
pools partner contributions into schemes, with a host partner and a risk-share
rule for over- and underspends. Data and invariants only; every write is in
`funding.services.pooled`."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from joinedup.governance.models import Organisation


class RiskShare(models.TextChoices):
    PROPORTIONAL = "proportional", "In proportion to contributions"
    FIXED = "fixed", "Fixed percentages"


class ContributionSource(models.TextChoices):
    ICB = "icb", "ICB"
    COUNCIL = "council", "Council"
    DFG = "dfg", "Disabled Facilities Grant"


class SchemeKind(models.TextChoices):
    REABLEMENT = "reablement", "Reablement"
    INTERMEDIATE_CARE_BEDS = "intermediate_care_beds", "Intermediate care beds"
    COMMUNITY_EQUIPMENT = "community_equipment", "Community equipment"
    CARERS_SUPPORT = "carers_support", "Carers' support"
    HOME_CARE = "home_care", "Home care"
    ADAPTATIONS = "adaptations", "Adaptations (DFG)"
    OTHER = "other", "Other"


class PooledFund(models.Model):
    name = models.CharField(max_length=200, unique=True)
    agreement = models.CharField(
        max_length=10,
        choices=[("s75", "Section 75 (England)"), ("s33", "Section 33 (Wales)")],
        default="s75",
    )
    host = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    risk_share = models.CharField(max_length=20, choices=RiskShare.choices)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.name


class FundPartner(models.Model):
    """A partner's stream into the fund (an organisation may bring two, e.g. a
    council's own money and the Disabled Facilities Grant)."""

    fund = models.ForeignKey(
        PooledFund, on_delete=models.CASCADE, related_name="partners"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    source = models.CharField(max_length=10, choices=ContributionSource.choices)
    # Only for the fixed risk-share rule; the partners' percentages add up to 100.
    risk_percent = models.DecimalField(
        max_digits=5, decimal_places=2, null=True, blank=True
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["fund", "organisation", "source"], name="fund_partner_unique"
            )
        ]
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"partner {self.pk} of fund {self.fund_id}"


class FundYear(models.Model):
    """The pool of one financial year (April to March; `year` is the year it
    starts). The partners' contributions add up to `total` exactly."""

    fund = models.ForeignKey(PooledFund, on_delete=models.CASCADE, related_name="years")
    year = models.PositiveSmallIntegerField()
    total = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fund", "year"], name="fund_year_unique")
        ]
        ordering = ["year"]

    def __str__(self) -> str:
        return f"{self.year}/{(self.year + 1) % 100:02d}"


class Contribution(models.Model):
    fund_year = models.ForeignKey(
        FundYear, on_delete=models.CASCADE, related_name="contributions"
    )
    partner = models.ForeignKey(
        FundPartner, on_delete=models.CASCADE, related_name="contributions"
    )
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["fund_year", "partner"], name="contribution_unique"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0), name="contribution_not_negative"
            ),
        ]

    def __str__(self) -> str:
        return f"contribution {self.pk}"


class Scheme(models.Model):
    fund = models.ForeignKey(
        PooledFund, on_delete=models.CASCADE, related_name="schemes"
    )
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=30, choices=SchemeKind.choices)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["fund", "name"], name="scheme_unique_name")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class SchemePlan(models.Model):
    """Planned spend of a scheme in one month (`month` is its first day)."""

    scheme = models.ForeignKey(Scheme, on_delete=models.CASCADE, related_name="plans")
    month = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["scheme", "month"], name="scheme_plan_unique"
            )
        ]

    def __str__(self) -> str:
        return f"plan {self.scheme_id} {self.month:%Y-%m}"


class Journal(models.Model):
    """A manual spend line of a scheme in a month (services that are not care
    packages: staff, block contracts, equipment store); negative for a credit."""

    scheme = models.ForeignKey(
        Scheme, on_delete=models.CASCADE, related_name="journals"
    )
    month = models.DateField()
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    description = models.CharField(max_length=200)
    reference = models.CharField(max_length=100, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["scheme", "month"], name="journal_idx")]

    def __str__(self) -> str:
        return f"journal {self.pk}"
