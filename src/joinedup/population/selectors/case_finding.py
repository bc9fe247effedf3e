"""Case finding: level-3 people without a case manager, through the access
policy (direct care), and caseload sizes."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q

from joinedup.coordination.models import CareTeamMember
from joinedup.errors import AccessRefused, InvalidInput
from joinedup.governance.access import Actor, Decision, people_visible_q
from joinedup.governance.models import AccessCategory, Role, User
from joinedup.governance.services import audit_record
from joinedup.people.models import Person
from joinedup.population.deficits import deficit_label
from joinedup.population.engine.jobs import FEATURE_LABELS
from joinedup.population.models import (
    CaseFindingDismissal,
    PersonRisk,
)
from joinedup.population.selectors.refresh import refresh_current

# A dismissed person is proposed again only if their risk has risen by at least
# this much (absolute, 0.10 = ten percentage points) since the dismissal.
MATERIAL_RISE = 0.10
CASE_FINDING_ROLES = frozenset({Role.COMMUNITY_MATRON, Role.MDT_COORDINATOR})

# How a top factor of a person's score reads on the case-finding list.
REASON_LABELS = {
    "age": "Older age",
    "age_85": "Aged 85 or over",
    "female": "Female",
    "deprived": "Lives in one of the most deprived areas",
    "prior_emergency": "Emergency admissions in the last 3 years",
    "bed_days": "Many days in hospital in the last 3 years",
    "recent_admission": "Emergency admission in the last 90 days",
    "ltc": "Several long-term conditions",
    "efi": "Frailty (electronic Frailty Index)",
    "social_care": "Social care services in place",
    "ae": "A&E attendances in the last year",
}


# --- case finding -------------------------------------------------------------------


@dataclass(frozen=True)
class Proposal:
    person_id: int
    name: str
    age: int
    practice: str
    risk: float
    rank: int
    efi_score: float
    efi_category: str
    deficits: list[str]
    reasons: list[str]


def case_finding_may_use(actor: Actor) -> bool:
    return actor.role in CASE_FINDING_ROLES


def _case_managed_q() -> Q:
    """People who already have a lead professional or a case manager."""
    return Q(
        Exists(
            CareTeamMember.objects.filter(
                person_id=OuterRef("person_id"), ended_on__isnull=True
            ).filter(Q(is_lead=True) | Q(role=Role.COMMUNITY_MATRON))
        )
    )


def case_finding_list(*, actor: Actor, limit: int = 50) -> list[Proposal]:
    """Level-3 people of the current refresh who are not yet case-managed and not
    dismissed, highest risk first, among the people the actor may see. One audit
    entry for the list."""
    if not case_finding_may_use(actor):
        raise AccessRefused(
            "role: case finding is for community matrons and MDT coordinators"
        )
    if not 1 <= limit <= 500:
        raise InvalidInput.for_field("limit", "must be between 1 and 500")
    refresh = refresh_current()
    if refresh is None:
        return []
    # Correlated per proposal, in rank order: the database stops at `limit`
    # visible people instead of deciding visibility for the whole population.
    visible = Person.objects.filter(people_visible_q(actor), pk=OuterRef("person_id"))
    dismissed = CaseFindingDismissal.objects.filter(
        person_id=OuterRef("person_id"), risk__gt=OuterRef("risk") - MATERIAL_RISE
    )
    rows = list(
        PersonRisk.objects.filter(refresh=refresh, level=3)
        .filter(Exists(visible))
        .exclude(_case_managed_q())
        .exclude(Exists(dismissed))
        .select_related("person", "practice")
        .order_by("rank")[:limit]
    )
    audit_record(
        actor=actor,
        person_id=None,
        action="list_case_finding",
        category=AccessCategory.DEMOGRAPHICS,
        decision=Decision(True, f"{len(rows)} people proposed", "case_finding"),
    )
    return [
        Proposal(
            person_id=r.person_id,
            name=r.person.display_name,
            age=r.age,
            practice=r.practice.name if r.practice else "",
            risk=r.risk,
            rank=r.rank,
            efi_score=r.efi_score,
            efi_category=r.efi_category,
            deficits=[deficit_label(d) for d in r.deficits],
            reasons=[
                REASON_LABELS.get(f, FEATURE_LABELS.get(f, f)) for f, _w in r.factors
            ],
        )
        for r in rows
    ]


@dataclass(frozen=True)
class CaseloadSize:
    name: str
    role: str
    people: int


def caseload_sizes(*, actor: Actor) -> list[CaseloadSize]:
    """How many people each case manager in the actor's organisation leads
    (aggregate: counts only)."""
    rows = (
        CareTeamMember.objects.filter(
            organisation_id=actor.organisation_id,
            ended_on__isnull=True,
            role__in=list(CASE_FINDING_ROLES),
        )
        .values("user_id", "role")
        .annotate(people=Count("person_id", distinct=True))
        .order_by("-people", "user_id")
    )
    users = {u.pk: u for u in User.objects.filter(pk__in=[r["user_id"] for r in rows])}
    return [
        CaseloadSize(
            name=users[r["user_id"]].get_full_name() or users[r["user_id"]].username,
            role=Role(r["role"]).label,
            people=r["people"],
        )
        for r in rows
        if r["user_id"] in users
    ]
