"""What every kind of safeguarding case shares: its members (who works it and so
sees its content; a source of relationships in the register), the unscheduled
care flag and its attendances, and the record of sharing without consent."""

from __future__ import annotations

from django.db import models
from django.db.models import Q

from joinedup.governance.models import Organisation, Team, User


class CaseKind(models.TextChoices):
    ADULT = "adult", "Adult safeguarding concern"
    CHILD = "child", "Child protection case"
    FAMILY = "family", "Early help family"


class MemberRole(models.TextChoices):
    ENQUIRY_OFFICER = "enquiry_officer", "Enquiry officer"
    STRATEGY_PARTNER = "strategy_partner", "Strategy discussion member"
    CONFERENCE_MEMBER = "conference_member", "Conference member"
    CORE_GROUP = "core_group", "Core group member"
    SOCIAL_WORKER = "social_worker", "Allocated social worker"
    LEAD_PRACTITIONER = "lead_practitioner", "Lead practitioner"
    TEAM_AROUND_FAMILY = "team_around_family", "Team around the family"


class CaseMember(models.Model):
    """A professional working a case (for one person of it). Being a member
    opens the person's record (register source `safeguarding.member`) and shows
    the case's content; leaving (ended_at) ends both."""

    case_kind = models.CharField(max_length=10, choices=CaseKind.choices)
    case_id = models.IntegerField()
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+"
    )
    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    role = models.CharField(max_length=20, choices=MemberRole.choices)
    # For the team around the family: the service they bring (health visitor,
    # school nurse, children's social care, adult mental health, substance misuse).
    service = models.CharField(max_length=40, blank=True)
    started_at = models.DateTimeField()
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["case_kind", "case_id"]),
            models.Index(fields=["user", "ended_at"]),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["case_kind", "case_id", "person", "user", "role"],
                condition=Q(ended_at__isnull=True),
                name="case_member_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.role} of {self.case_kind} case {self.case_id}"


class FlagKind(models.TextChoices):
    CP_PLAN = "cp_plan", "Child protection plan"
    LOOKED_AFTER = "looked_after", "Looked-after child"
    PRE_BIRTH = "pre_birth", "Unborn child on a pre-birth plan"


class ProtectionFlag(models.Model):
    """A CP-IS-style flag: *that* a child is on a plan or looked after, and the
    social care contact; never the plan's content. Kept by the services that
    start and end plans and looked-after episodes."""

    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="protection_flags"
    )
    kind = models.CharField(max_length=20, choices=FlagKind.choices)
    council = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    contact_team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    contact_phone = models.CharField(max_length=30, blank=True)
    source_ref = models.CharField(max_length=40)  # "plan:12", "looked_after:3"
    started_on = models.DateField()
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["person", "ended_on"], name="flag_open_idx")]

    def __str__(self) -> str:
        return f"{self.kind} flag {self.pk}"


class FlagAttendance(models.Model):
    """An attendance at unscheduled care of a flagged child, and what was done:
    a task and a notification for children's social care (once per event)."""

    flag = models.ForeignKey(
        ProtectionFlag, on_delete=models.CASCADE, related_name="attendances"
    )
    event = models.OneToOneField(
        "record.Event", on_delete=models.CASCADE, related_name="+"
    )
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+"
    )
    setting = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    attended_at = models.DateTimeField()
    task = models.ForeignKey(
        "coordination.Task", on_delete=models.SET_NULL, null=True, related_name="+"
    )
    notified = models.IntegerField(default=0)
    recorded_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"Flagged attendance {self.pk}"


class SharingDecision(models.Model):
    """Information shared for safeguarding, with consent or, without it, the
    lawful basis relied on (audited)."""

    case_kind = models.CharField(max_length=10, choices=CaseKind.choices)
    case_id = models.IntegerField()
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="+"
    )
    consent = models.CharField(max_length=20)
    lawful_basis = models.CharField(max_length=40, blank=True)
    with_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    recorded_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    recorded_by_organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="+"
    )
    recorded_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(consent="given") | ~Q(lawful_basis=""),
                name="sharing_without_consent_has_basis",
            )
        ]

    def __str__(self) -> str:
        return f"Sharing decision {self.pk}"
