"""Reads in care coordination."""

from __future__ import annotations

from joinedup.coordination.models import CareTeamMember
from joinedup.governance.access import Actor, Decision
from joinedup.governance.models import AccessCategory
from joinedup.governance.services import audit_record


def caseload_list(*, actor: Actor, limit: int = 50) -> list[CareTeamMember]:
    """The people whose care team the actor is in (their caseload)."""
    members = list(
        CareTeamMember.objects.select_related("person")
        .filter(user_id=actor.user_id, ended_on__isnull=True)
        .order_by("person__family_name_norm", "person__given_name_norm")[:limit]
    )
    audit_record(
        actor=actor,
        person_id=None,
        action="list_caseload",
        category=AccessCategory.DEMOGRAPHICS,
        decision=Decision(True, f"{len(members)} people in care team", "care_team"),
    )
    return members
