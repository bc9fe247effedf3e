"""Social prescribing: a link worker's case for a person (from a referral by a GP,
social worker or matron, or the person's own request), the "what matters to me"
conversation, the directory services the person is connected to, and the ONS4
personal wellbeing scores before and after."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from joinedup.governance.models import Organisation, Team


class CaseSource(models.TextChoices):
    GP = "gp", "GP or practice"
    SOCIAL_WORKER = "social_worker", "Social worker"
    COMMUNITY_MATRON = "community_matron", "Community matron"
    SELF_REFERRAL = "self_referral", "Self-referral"
    OTHER = "other", "Another professional"


class CaseStatus(models.TextChoices):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    DECLINED = "declined", "Declined by the person"


class PrescribingCase(models.Model):
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    source = models.CharField(max_length=20, choices=CaseSource.choices)
    # The incoming referral (coordination), absent for a self-referral.
    referral = models.OneToOneField(
        "coordination.Referral",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # The link worker's task: their legitimate relationship while the case is open.
    task = models.ForeignKey(
        "coordination.Task",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    # A self-referral: the link worker's own statement of the relationship, on
    # the IG lead's review list like any self-claimed relationship; it ends when
    # the case closes.
    claim = models.OneToOneField(
        "governance.RelationshipClaim",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        max_length=10, choices=CaseStatus.choices, default=CaseStatus.OPEN
    )
    # SNOMED CT: the referral (871731000000106) or, when declined, 871711000000103.
    snomed_code = models.CharField(max_length=20)
    opened_at = models.DateTimeField()
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    what_matters = models.TextField(blank=True)  # free text: never logged
    what_matters_at = models.DateTimeField(null=True, blank=True)
    what_matters_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        indexes = [
            models.Index(fields=["organisation", "status"], name="sp_case_org"),
            models.Index(fields=["person", "status"], name="sp_case_person"),
        ]

    def __str__(self) -> str:
        return f"social prescribing case {self.pk} ({self.status})"

    @property
    def is_open(self) -> bool:
        return self.status == CaseStatus.OPEN


class ConnectionStatus(models.TextChoices):
    CONNECTED = "connected", "Connected, waiting to hear"
    TOOK_UP = "took_up", "Took up the service"
    DID_NOT_TAKE_UP = "did_not_take_up", "Did not take up the service"


class Connection(models.Model):
    """The person connected to one directory service. When the service's provider
    is on JoinedUp this is a referral like the others (consent check, response);
    otherwise the person is signposted."""

    case = models.ForeignKey(
        PrescribingCase, on_delete=models.CASCADE, related_name="connections"
    )
    service = models.ForeignKey(
        "directory.Service", on_delete=models.PROTECT, related_name="connections"
    )
    referral = models.OneToOneField(
        "coordination.Referral",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    status = models.CharField(
        max_length=20,
        choices=ConnectionStatus.choices,
        default=ConnectionStatus.CONNECTED,
    )
    connected_at = models.DateTimeField()
    connected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    outcome_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["case", "service"], name="sp_connection_once"
            )
        ]

    def __str__(self) -> str:
        return f"connection {self.pk} to service {self.service_id}"


class WellbeingWhen(models.TextChoices):
    BEFORE = "before", "Before"
    AFTER = "after", "After"


class WellbeingScore(models.Model):
    """ONS4 personal wellbeing: four questions, each 0 (not at all) to 10
    (completely). For anxiety a lower score is better."""

    case = models.ForeignKey(
        PrescribingCase, on_delete=models.CASCADE, related_name="wellbeing"
    )
    when = models.CharField(max_length=6, choices=WellbeingWhen.choices)
    life_satisfaction = models.PositiveSmallIntegerField()
    worthwhile = models.PositiveSmallIntegerField()
    happiness = models.PositiveSmallIntegerField()
    anxiety = models.PositiveSmallIntegerField()
    recorded_at = models.DateTimeField()
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["case", "when"], name="sp_wellbeing_once"),
            models.CheckConstraint(
                condition=Q(life_satisfaction__lte=10)
                & Q(worthwhile__lte=10)
                & Q(happiness__lte=10)
                & Q(anxiety__lte=10),
                name="sp_wellbeing_0_to_10",
            ),
        ]

    def __str__(self) -> str:
        return f"ONS4 {self.when} for case {self.case_id}"
