"""THE access policy (DESIGN section 2): one place decides every read and write of
person data. Views, API handlers and exports never decide for themselves; they call
selectors, and selectors call this module.

This is the first, simple rule: an actor in a direct-care role may see a person when
they are in the person's care team, or when their organisation is involved with the
person (its systems hold the person's records). Sealed categories (safeguarding,
sexual health) are refused: others learn only that sealed information exists and
whom to contact. Consent, sharing agreements and break-glass grow here later without
touching any caller.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Exists, OuterRef, Q

from joinedup.governance.models import (
    DIRECT_CARE_ROLES,
    SEALED_CATEGORIES,
    AccessCategory,
    Role,
)


@dataclass(frozen=True)
class Actor:
    """Who is acting: a user in one of their roles at one organisation."""

    user_id: int
    role: str
    organisation_id: int
    team_id: int | None = None
    channel: str = "web"  # web | api | cli
    request_id: str = ""

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role in Role.values else self.role


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    via: str = ""


class Via:
    CARE_TEAM = "care_team"
    ORGANISATION_INVOLVED = "organisation_involved"


def relationship_exists_annotations(actor: Actor) -> dict[str, Exists]:
    """Annotations for a Person queryset that tell whether the actor has a
    legitimate relationship with each person (one query, whatever the page)."""
    from joinedup.coordination.models import CareTeamMember
    from joinedup.people.models import Involvement

    return {
        "_in_care_team": Exists(
            CareTeamMember.objects.filter(
                person=OuterRef("pk"), user_id=actor.user_id, ended_on__isnull=True
            )
        ),
        "_org_involved": Exists(
            Involvement.objects.filter(
                person=OuterRef("pk"), organisation_id=actor.organisation_id
            )
        ),
    }


def people_visible_q(actor: Actor) -> Q:
    """A filter on Person that keeps only people the actor may find in a search.
    Search results never reveal people the actor may not see, not even a count."""
    if actor.role not in DIRECT_CARE_ROLES:
        return Q(pk__in=[])
    from joinedup.coordination.models import CareTeamMember
    from joinedup.people.models import Involvement

    return Q(
        Exists(
            Involvement.objects.filter(
                person=OuterRef("pk"), organisation_id=actor.organisation_id
            )
        )
    ) | Q(
        Exists(
            CareTeamMember.objects.filter(
                person=OuterRef("pk"), user_id=actor.user_id, ended_on__isnull=True
            )
        )
    )


def relationship_via(actor: Actor, person: object) -> str:
    """The legitimate relationship the actor has with the person, or "" for none.
    `person` must come from a queryset annotated with
    `relationship_exists_annotations(actor)`."""
    if actor.role not in DIRECT_CARE_ROLES:
        return ""
    if getattr(person, "_in_care_team", False):
        return Via.CARE_TEAM
    if getattr(person, "_org_involved", False):
        return Via.ORGANISATION_INVOLVED
    return ""


def decide(actor: Actor, person: object, action: str, category: str) -> Decision:
    """Decide whether `actor` may perform `action` on `category` data of `person`."""
    if category not in AccessCategory.values:
        return Decision(False, f"unknown category {category!r}")
    if actor.role not in DIRECT_CARE_ROLES:
        return Decision(
            False,
            f"the role {actor.role_label} has no direct-care access to person records",
        )
    via = relationship_via(actor, person)
    if not via:
        return Decision(False, "no legitimate relationship with this person")
    if category in SEALED_CATEGORIES:
        return Decision(False, f"{category} information is sealed", via)
    return Decision(True, f"legitimate relationship: {via}", via)
