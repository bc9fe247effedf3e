"""Organisations, teams, users and their roles, and API tokens."""

from __future__ import annotations

import hashlib

from django.contrib.auth.models import AbstractUser
from django.db import models


class OrganisationType(models.TextChoices):
    ACUTE_TRUST = "acute_trust", "Acute trust"
    COMMUNITY_TRUST = "community_trust", "Community trust"
    MENTAL_HEALTH_TRUST = "mental_health_trust", "Mental health trust"
    GP_PRACTICE = "gp_practice", "GP practice"
    COUNCIL_ADULT_SOCIAL_CARE = "council_adult_social_care", "Council adult social care"
    COUNCIL_CHILDRENS_SERVICES = (
        "council_childrens_services",
        "Council children's services",
    )
    ICB = "icb", "Integrated care board"
    VOLUNTARY_SECTOR = "voluntary_sector", "Voluntary sector"
    HOUSING_PROVIDER = "housing_provider", "Housing provider"


class Role(models.TextChoices):
    DISCHARGE_COORDINATOR = "discharge_coordinator", "Discharge coordinator"
    SOCIAL_WORKER = "social_worker", "Social worker"
    COMMUNITY_MATRON = "community_matron", "Community matron"
    GP = "gp", "GP"
    MDT_COORDINATOR = "mdt_coordinator", "MDT coordinator"
    CHC_ASSESSOR = "chc_assessor", "CHC nurse assessor"
    COMMISSIONER = "commissioner", "Commissioner"
    IG_LEAD = "ig_lead", "Information governance lead"
    ADMIN = "admin", "Administrator"
    HEALTH_VISITOR = "health_visitor", "Health visitor"
    CHILDRENS_SOCIAL_WORKER = "childrens_social_worker", "Children's social worker"
    SAFEGUARDING_LEAD = "safeguarding_lead", "Safeguarding lead"
    # Level 1 of joined-up care (DESIGN 4.5): social prescribing in a primary care
    # network or voluntary organisation, and the keeper of the service directory.
    SOCIAL_PRESCRIBING_LINK_WORKER = (
        "social_prescribing_link_worker",
        "Social prescribing link worker",
    )
    DIRECTORY_EDITOR = "directory_editor", "Service directory editor"


# Roles whose work is the care of individual people (direct care). Commissioners see
# aggregates only; IG leads and administrators see audit and configuration.
DIRECT_CARE_ROLES = frozenset(
    {
        Role.DISCHARGE_COORDINATOR,
        Role.SOCIAL_WORKER,
        Role.COMMUNITY_MATRON,
        Role.GP,
        Role.MDT_COORDINATOR,
        Role.CHC_ASSESSOR,
        Role.HEALTH_VISITOR,
        Role.CHILDRENS_SOCIAL_WORKER,
        Role.SAFEGUARDING_LEAD,
        Role.SOCIAL_PRESCRIBING_LINK_WORKER,
    }
)


class PrincipalRole(models.TextChoices):
    """Who acts through the person's own view (/me/): the person, or a proxy with
    recorded authority. Not roles a professional can hold (no Membership has
    them) and never direct-care roles: the access policy refuses them every
    professional read; the portal's own selectors decide for them."""

    PERSON = "person", "The person"
    PROXY = "proxy", "A proxy for the person"


class AccessCategory(models.TextChoices):
    """DESIGN section 2, the access policy: what kind of information a record is."""

    DEMOGRAPHICS = "demographics", "Demographics"
    HEALTH = "health", "Health"
    SOCIAL_CARE = "social_care", "Social care"
    MENTAL_HEALTH = "mental_health", "Mental health"
    SEXUAL_HEALTH = "sexual_health", "Sexual health"
    SAFEGUARDING = "safeguarding", "Safeguarding"
    FINANCE = "finance", "Finance"


SEALED_CATEGORIES = frozenset(
    {AccessCategory.SAFEGUARDING, AccessCategory.SEXUAL_HEALTH}
)

# Roles that may claim a relationship the system does not know about (a clinician
# seeing the person today). Others ask for access or use break-glass.
CLINICAL_ROLES = frozenset(
    {
        Role.GP,
        Role.COMMUNITY_MATRON,
        Role.DISCHARGE_COORDINATOR,
        Role.CHC_ASSESSOR,
        Role.HEALTH_VISITOR,
    }
)


class Organisation(models.Model):
    code = models.CharField(max_length=20, unique=True, help_text="ODS code")
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=40, choices=OrganisationType.choices)
    postcode = models.CharField(max_length=10, blank=True)
    contact_phone = models.CharField(max_length=30, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="teams"
    )
    name = models.CharField(max_length=200)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"], name="team_unique_name_per_org"
            )
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.organisation.code})"


class User(AbstractUser):
    """A professional. What they may do comes from their memberships (role in an
    organisation), never from the user row itself."""

    job_title = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class Membership(models.Model):
    """A user holds a role in an organisation (and optionally a team)."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="memberships"
    )
    team = models.ForeignKey(
        Team, on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    role = models.CharField(max_length=40, choices=Role.choices)
    is_primary = models.BooleanField(default=True)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "organisation", "role"],
                name="membership_unique_role_per_org",
            )
        ]

    def __str__(self) -> str:
        return f"{self.user} — {self.get_role_display()} at {self.organisation.code}"


class ApiToken(models.Model):
    """A bearer token for the REST and FHIR APIs. Only a SHA-256 digest is stored;
    the token itself is shown once, when created."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100, default="default")
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=8)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.user})"

    @staticmethod
    def digest_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()
