"""The register of legitimate relationships (DESIGN 2): every reason a
professional, a team or an organisation may have to open a person's record, as
rows. The access policy answers only from this register (and governance's own
consent and sharing-agreement tables); the apps that create the relationships
(care teams and tasks in coordination, involvements and GP registration in
people, claims and break-glass here) open and close its rows.

A row applies to an actor (user u acting for organisation o in team t) while it
is in force (not ended, or ending in the future) and:
- it names the user: `user = u`, and the organisation is empty or `o`;
- it names no user but a team: `team = t`;
- it names neither: `organisation = o`.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q

from joinedup.governance.models.core import Organisation, Team


class RelationshipKind(models.TextChoices):
    CARE_TEAM = "care_team", "In the person's care team"
    REGISTERED_GP = "registered_gp", "The person's registered GP practice"
    HOSPITAL_PATIENT = "hospital_patient", "The person is the hospital's patient"
    OPEN_WORK = "open_work", "Holds open work for the person (task or referral)"
    INVOLVEMENT = "involvement", "The organisation's systems hold the person's records"
    SELF_CLAIMED = "self_claimed", "A relationship the professional stated"
    BREAK_GLASS = "break_glass", "Break-glass access"
    # Never stored: shown on reports, derived from agreements in force (ADR 0006).
    SHARING_AGREEMENT = "sharing_agreement", "Through a sharing agreement"


# Kinds held by a whole organisation, which sharing agreements extend to partners.
ORGANISATION_KINDS = (
    RelationshipKind.REGISTERED_GP,
    RelationshipKind.HOSPITAL_PATIENT,
    RelationshipKind.INVOLVEMENT,
)


class Relationship(models.Model):
    person = models.ForeignKey(
        "people.Person", on_delete=models.CASCADE, related_name="relationships"
    )
    kind = models.CharField(max_length=20, choices=RelationshipKind.choices)
    # More about the kind: the involvement's kind, the care team role, the
    # task's source. Never free text.
    detail = models.CharField(max_length=40, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # Where it comes from: the app's source (e.g. "coordination.task") and the
    # id of the row there.
    source_app = models.CharField(max_length=40)
    source_ref = models.CharField(max_length=60)
    started_at = models.DateTimeField()
    # Empty while open; a claim or break-glass is opened with its expiry here.
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["person", "kind"]),
            models.Index(fields=["user", "kind"]),
            models.Index(fields=["team", "kind"]),
            models.Index(fields=["organisation", "kind"]),
            models.Index(fields=["source_app", "source_ref"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(user__isnull=False)
                | Q(team__isnull=False)
                | Q(organisation__isnull=False),
                name="relationship_has_actor",
            ),
            models.UniqueConstraint(
                fields=["source_app", "source_ref", "kind"],
                condition=Q(ended_at__isnull=True),
                name="relationship_one_open_per_source",
            ),
        ]
        ordering = ["person_id", "kind", "started_at"]

    def __str__(self) -> str:
        return f"{self.kind} for person {self.person_id} ({self.source_app})"
