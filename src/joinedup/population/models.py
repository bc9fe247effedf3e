"""Results of the population refresh (DESIGN 4.5): one Refresh per run, and the
figures it produced, keyed by the refresh so a new run never disturbs the
figures people are reading until it is complete (services.population_refresh)."""

from __future__ import annotations

from django.db import models

from joinedup.governance.models import Organisation, User


class RefreshStatus(models.TextChoices):
    RUNNING = "running", "Running"
    COMPLETE = "complete", "Complete"
    FAILED = "failed", "Failed"


class Refresh(models.Model):
    """One run of `joinedup population refresh`. Exactly one complete refresh is
    current: the figures shown are the current refresh's."""

    status = models.CharField(
        max_length=10, choices=RefreshStatus.choices, default=RefreshStatus.RUNNING
    )
    is_current = models.BooleanField(default=False)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)
    history_start = models.DateField(null=True, blank=True)
    history_end = models.DateField(null=True, blank=True)
    people = models.PositiveIntegerField(default=0)
    events = models.PositiveBigIntegerField(default=0)
    seconds = models.FloatField(default=0)
    message = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]

    def __str__(self) -> str:
        return f"Refresh {self.pk} ({self.status})"


class RiskModel(models.Model):
    """The fitted admission-risk model (logistic regression) of one refresh,
    with its evaluation on the held-out year: the model card's facts."""

    refresh = models.OneToOneField(
        Refresh, on_delete=models.CASCADE, related_name="risk_model"
    )
    version = models.CharField(max_length=40, unique=True)
    trained_at = models.DateTimeField()
    features = models.JSONField(default=list)  # [key, ...] in coefficient order
    coefficients = models.JSONField(default=dict)  # {"intercept": b0, key: b, ...}
    means = models.JSONField(default=dict)  # feature means in the scoring data
    train_period = models.CharField(max_length=120)
    test_period = models.CharField(max_length=120)
    train_people = models.PositiveIntegerField()
    train_outcomes = models.PositiveIntegerField()
    test_people = models.PositiveIntegerField()
    test_outcomes = models.PositiveIntegerField()
    auc = models.FloatField()
    calibration = models.JSONField(default=list)  # [{decile, n, predicted, observed}]

    def __str__(self) -> str:
        return f"Risk model {self.version}"


class PersonRisk(models.Model):
    """A person's eFI, admission risk and level of care in one refresh."""

    refresh = models.ForeignKey(
        Refresh, on_delete=models.CASCADE, related_name="person_risks"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+"
    )
    practice = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    age = models.PositiveSmallIntegerField()
    efi_score = models.FloatField()
    efi_category = models.CharField(max_length=10)
    deficits = models.JSONField(default=list)  # eFI deficit keys present
    risk = models.FloatField()  # probability of an emergency admission in 12 months
    factors = models.JSONField(default=list)  # top factors: [[feature key, weight]]
    level = models.PositiveSmallIntegerField()  # 1, 2 or 3 (DESIGN 4.5)
    rank = models.PositiveIntegerField()  # 1 = highest risk

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["refresh", "person"], name="personrisk_unique"
            )
        ]
        indexes = [
            models.Index(fields=["refresh", "level", "rank"], name="personrisk_lvl"),
            models.Index(fields=["person", "refresh"], name="personrisk_person"),
        ]

    def __str__(self) -> str:
        return f"risk of person {self.person_id} in refresh {self.refresh_id}"


class Figure(models.Model):
    """One aggregate of a refresh: a count of people (numerator) out of a
    population (denominator) for a measure, broken down by one dimension, for a
    period (a year of the history, or "current"). Stored unsuppressed; the
    selectors suppress small numbers (governance/secondary_use.py) when shown."""

    refresh = models.ForeignKey(
        Refresh, on_delete=models.CASCADE, related_name="figures"
    )
    measure = models.CharField(max_length=60)
    dimension = models.CharField(max_length=30)  # all, age_band, sex, imd, area...
    group = models.CharField(max_length=100)
    period = models.CharField(max_length=40)
    numerator = models.BigIntegerField()
    denominator = models.BigIntegerField()

    class Meta:
        indexes = [
            models.Index(fields=["refresh", "measure", "dimension"], name="fig_idx")
        ]

    def __str__(self) -> str:
        return f"{self.measure} by {self.dimension}"


class CaseFindingDismissal(models.Model):
    """A case manager's decision that a proposed person does not need case
    management now, with the reason. Remembered: the person is not proposed
    again unless their risk rises materially (selectors.MATERIAL_RISE)."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+"
    )
    dismissed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    reason = models.CharField(max_length=500)
    risk = models.FloatField()
    level = models.PositiveSmallIntegerField()
    dismissed_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["person", "-dismissed_at"], name="cfd_idx")]

    def __str__(self) -> str:
        return f"dismissal for person {self.person_id}"
