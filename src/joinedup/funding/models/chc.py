"""NHS continuing healthcare cases (National Framework 2022; DESIGN 4.3): one case
per referral of a person, with its Checklist, Decision Support Tool and MDT,
the MDT's recommendation, the ICB's decision (or a Fast Track), disputes with
their stages and interim funding, and reviews. Data and invariants only: every
write is in funding/services/chc.py. Free text (evidence, reasons, grounds) is
never logged."""

from __future__ import annotations

import datetime as dt

from django.db import models
from django.db.models import Q
from django.utils import timezone

from joinedup.governance.models import Organisation, User

# DESIGN 4.3: from the (positive) Checklist to the ICB's decision.
DECISION_DAYS = 28


class CaseStatus(models.TextChoices):
    CHECKLIST = "checklist", "Awaiting Checklist"
    ASSESSMENT = "assessment", "Awaiting full assessment (DST)"
    RECOMMENDATION = "recommendation", "Awaiting MDT recommendation"
    DECISION = "decision", "Awaiting ICB decision"
    DECIDED = "decided", "Decided"
    CLOSED = "closed", "Closed"


OPEN_CASE_STATUSES = (
    CaseStatus.CHECKLIST,
    CaseStatus.ASSESSMENT,
    CaseStatus.RECOMMENDATION,
    CaseStatus.DECISION,
)


class Outcome(models.TextChoices):
    """DESIGN 4.3: the outcome decides who pays each care package line."""

    CHC = "chc", "Fully NHS funded (continuing healthcare)"
    FNC = "fnc", "NHS-funded nursing care"
    JOINT = "joint", "Joint package (NHS and council)"
    SOCIAL_CARE = "social_care", "Social care funded (means-tested)"


# The NHS's share (per cent) of care package costs under each outcome; a joint
# package's share is recorded with the decision. NHS-funded nursing care is a
# flat-rate contribution paid to the nursing home outside the package lines, so
# it moves no package cost here.
OUTCOME_NHS_SHARE = {Outcome.CHC: 100, Outcome.FNC: 0, Outcome.SOCIAL_CARE: 0}


class ChcCase(models.Model):
    person = models.ForeignKey(
        "people.Person", on_delete=models.PROTECT, related_name="chc_cases"
    )
    icb = models.ForeignKey(Organisation, on_delete=models.PROTECT, related_name="+")
    status = models.CharField(
        max_length=20, choices=CaseStatus.choices, default=CaseStatus.CHECKLIST
    )
    fast_track = models.BooleanField(default=False)
    opened_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    opened_by_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    opened_at = models.DateTimeField()
    # The 28-day clock: from a positive Checklist to the decision.
    clock_started_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    decided_on = models.DateField(null=True, blank=True)
    breach_reason = models.TextField(blank=True)  # free text: never logged
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_reason = models.CharField(max_length=200, blank=True)
    # The open task that gives the ICB its relationship with the person while
    # the case is worked (the access policy's Via.OPEN_TASK).
    task = models.ForeignKey(
        "coordination.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        indexes = [
            models.Index(fields=["icb", "status"]),
            models.Index(fields=["person", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(due_on__isnull=True) | Q(clock_started_on__isnull=False),
                name="chc_case_due_needs_clock",
            ),
        ]

    def __str__(self) -> str:
        return f"CHC case {self.pk} ({self.status}) for person {self.person_id}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_CASE_STATUSES

    def _clock_stopped_on(self) -> dt.date | None:
        if self.decided_on is not None:
            return self.decided_on
        if self.closed_at is not None:
            return timezone.localdate(self.closed_at)
        return None

    def days_elapsed(self, today: dt.date) -> int | None:
        """Days on the 28-day clock: to the decision (or closing), or to today
        while open."""
        if self.clock_started_on is None:
            return None
        end = self._clock_stopped_on() or today
        return (end - self.clock_started_on).days

    @property
    def days_elapsed_today(self) -> int | None:
        return self.days_elapsed(timezone.localdate())

    @property
    def breached_today(self) -> bool:
        return self.breached(timezone.localdate())

    def breached(self, today: dt.date) -> bool:
        """Past the 28 days: decided or closed after the due date, or still
        open after it."""
        if self.due_on is None:
            return False
        return (self._clock_stopped_on() or today) > self.due_on


class ChcChecklist(models.Model):
    case = models.OneToOneField(
        ChcCase, on_delete=models.CASCADE, related_name="checklist"
    )
    scores = models.JSONField()  # {domain: "A" | "B" | "C"}
    positive = models.BooleanField()
    rule = models.CharField(max_length=200)
    reasons = models.JSONField(default=list)
    completed_on = models.DateField()
    completed_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    completed_by_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"CHC Checklist {self.pk}"


class ChcDst(models.Model):
    """The Decision Support Tool completed by the MDT."""

    case = models.OneToOneField(ChcCase, on_delete=models.CASCADE, related_name="dst")
    levels = models.JSONField()  # {domain: level}
    evidence = models.JSONField()  # {domain: text}; free text: never logged
    nature = models.TextField()
    intensity = models.TextField()
    complexity = models.TextField()
    unpredictability = models.TextField()
    indication = models.CharField(max_length=30)
    rule = models.CharField(max_length=200)
    reasons = models.JSONField(default=list)
    counts = models.JSONField(default=dict)
    completed_on = models.DateField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"CHC DST {self.pk}"


class ProfessionKind(models.TextChoices):
    HEALTH = "health", "Health"
    SOCIAL_CARE = "social_care", "Social care"


class Profession(models.TextChoices):
    NURSE = "nurse", "Registered nurse"
    DOCTOR = "doctor", "Doctor"
    OCCUPATIONAL_THERAPIST = "occupational_therapist", "Occupational therapist"
    PHYSIOTHERAPIST = "physiotherapist", "Physiotherapist"
    SPEECH_LANGUAGE_THERAPIST = (
        "speech_language_therapist",
        "Speech and language therapist",
    )
    DIETITIAN = "dietitian", "Dietitian"
    PSYCHOLOGIST = "psychologist", "Psychologist"
    SOCIAL_WORKER = "social_worker", "Social worker"
    CARE_MANAGER = "care_manager", "Care manager (social care)"


PROFESSION_KIND = {
    p: ProfessionKind.SOCIAL_CARE
    if p in (Profession.SOCIAL_WORKER, Profession.CARE_MANAGER)
    else ProfessionKind.HEALTH
    for p in Profession.values
}


class ChcMdtMember(models.Model):
    dst = models.ForeignKey(ChcDst, on_delete=models.CASCADE, related_name="members")
    name = models.CharField(max_length=200)
    profession = models.CharField(max_length=40, choices=Profession.choices)
    organisation_name = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self) -> str:
        return f"CHC MDT member {self.pk}"

    @property
    def kind(self) -> str:
        return PROFESSION_KIND[self.profession]


class ChcRecommendation(models.Model):
    case = models.OneToOneField(
        ChcCase, on_delete=models.CASCADE, related_name="recommendation"
    )
    primary_health_need = models.BooleanField()
    rationale = models.TextField()  # free text: never logged
    recommended_on = models.DateField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"CHC recommendation {self.pk}"


class ChcFastTrack(models.Model):
    """An appropriate clinician's Fast Track form: the person has a rapidly
    deteriorating condition that may be entering a terminal phase."""

    case = models.OneToOneField(
        ChcCase, on_delete=models.CASCADE, related_name="fast_track_form"
    )
    clinician_name = models.CharField(max_length=200)
    clinician_profession = models.CharField(max_length=40, choices=Profession.choices)
    clinician_organisation = models.CharField(max_length=200, blank=True)
    reason = models.TextField()  # free text: never logged
    signed_on = models.DateField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"CHC Fast Track {self.pk}"


class ChcDecision(models.Model):
    case = models.OneToOneField(
        ChcCase, on_delete=models.CASCADE, related_name="decision"
    )
    outcome = models.CharField(max_length=20, choices=Outcome.choices)
    nhs_share_percent = models.PositiveSmallIntegerField()
    effective_from = models.DateField()
    decided_on = models.DateField()
    decided_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    decision_maker_role = models.CharField(max_length=200)
    rationale = models.TextField(blank=True)  # free text: never logged
    via_fast_track = models.BooleanField(default=False)
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(nhs_share_percent__lte=100),
                name="chc_decision_share_max_100",
            ),
        ]

    def __str__(self) -> str:
        return f"CHC decision {self.pk}"

    @property
    def eligible(self) -> bool:
        return self.outcome in (Outcome.CHC, Outcome.JOINT)


class DisputeKind(models.TextChoices):
    INDIVIDUAL = "individual", "The person (or their representative) disputes"
    INTERAGENCY = "interagency", "ICB and council dispute"


class DisputeStage(models.TextChoices):
    LOCAL_RESOLUTION = "local_resolution", "Local resolution (ICB)"
    INDEPENDENT_REVIEW_PANEL = (
        "independent_review_panel",
        "Independent review panel (NHS England)",
    )
    LOCAL_JOINT_DISPUTE = "local_joint_dispute", "Local joint dispute procedure"


# DESIGN 4.3: individual -> local resolution -> independent review panel;
# ICB vs council -> the local joint dispute procedure.
DISPUTE_STAGES = {
    DisputeKind.INDIVIDUAL: (
        DisputeStage.LOCAL_RESOLUTION,
        DisputeStage.INDEPENDENT_REVIEW_PANEL,
    ),
    DisputeKind.INTERAGENCY: (DisputeStage.LOCAL_JOINT_DISPUTE,),
}


class DisputeResult(models.TextChoices):
    UPHELD = "upheld", "Decision upheld"
    CHANGED = "changed", "Decision changed"
    WITHDRAWN = "withdrawn", "Dispute withdrawn"


class Payer(models.TextChoices):
    NHS = "nhs", "NHS (ICB)"
    COUNCIL = "council", "Council"
    SHARED = "shared", "Shared"


class ChcDispute(models.Model):
    case = models.ForeignKey(ChcCase, on_delete=models.PROTECT, related_name="disputes")
    kind = models.CharField(max_length=20, choices=DisputeKind.choices)
    council = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    raised_on = models.DateField()
    grounds = models.TextField()  # free text: never logged
    raised_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()
    # When resolved:
    resolved_on = models.DateField(null=True, blank=True)
    result = models.CharField(max_length=20, choices=DisputeResult.choices, blank=True)
    final_outcome = models.CharField(max_length=20, choices=Outcome.choices, blank=True)
    final_nhs_share_percent = models.PositiveSmallIntegerField(null=True, blank=True)
    final_effective_from = models.DateField(null=True, blank=True)
    # Retrospective reimbursement between the partners, from package costs.
    reimbursement_amount = models.DecimalField(
        max_digits=12, decimal_places=2, null=True, blank=True
    )
    reimbursement_payer = models.CharField(
        max_length=20, choices=Payer.choices, blank=True
    )
    reimbursement_detail = models.JSONField(default=dict, blank=True)
    task = models.ForeignKey(
        "coordination.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )

    class Meta:
        ordering = ["raised_on", "pk"]

    def __str__(self) -> str:
        return f"CHC dispute {self.pk}"

    @property
    def is_open(self) -> bool:
        return self.resolved_on is None

    @property
    def current_stage(self) -> ChcDisputeStage | None:
        stages = list(self.stages.all())
        return stages[-1] if stages else None


class ChcDisputeStage(models.Model):
    dispute = models.ForeignKey(
        ChcDispute, on_delete=models.CASCADE, related_name="stages"
    )
    stage = models.CharField(max_length=40, choices=DisputeStage.choices)
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)
    outcome = models.TextField(blank=True)  # free text: never logged
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["started_on", "pk"]

    def __str__(self) -> str:
        return f"CHC dispute stage {self.pk}"


class ChcInterimFunding(models.Model):
    """Who pays while a dispute runs, so care is not delayed."""

    dispute = models.OneToOneField(
        ChcDispute, on_delete=models.CASCADE, related_name="interim"
    )
    payer = models.CharField(max_length=20, choices=Payer.choices)
    nhs_share_percent = models.PositiveSmallIntegerField()
    from_date = models.DateField()
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(nhs_share_percent__lte=100),
                name="chc_interim_share_max_100",
            ),
        ]

    def __str__(self) -> str:
        return f"CHC interim funding {self.pk}"


class ChcReview(models.Model):
    """A scheduled review of eligibility: 3 months after, then at least yearly."""

    case = models.ForeignKey(ChcCase, on_delete=models.CASCADE, related_name="reviews")
    due_on = models.DateField()
    task = models.ForeignKey(
        "coordination.Task",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_on = models.DateField(null=True, blank=True)
    eligibility_continues = models.BooleanField(null=True, blank=True)
    notes = models.TextField(blank=True)  # free text: never logged
    reviewed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        ordering = ["due_on", "pk"]

    def __str__(self) -> str:
        return f"CHC review {self.pk}"
