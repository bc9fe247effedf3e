"""Reads behind each step of safeguarding work (the web pages and REST): the case
opened through the access policy (audited), refused unless the actor may see
its content (they work it, hold it, or lead safeguarding in an organisation
involved); the family opened per member; the choices a form offers."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q

from joinedup.coordination.models import Task, TaskSource
from joinedup.errors import AccessRefused, NotFound
from joinedup.governance.access import Actor
from joinedup.governance.models import Membership, Organisation, Role
from joinedup.safeguarding.models import (
    AdultConcern,
    CaseKind,
    CaseMember,
    ChildCase,
    Family,
    FamilyMember,
    FamilyRole,
)
from joinedup.safeguarding.selectors.cases import (
    PersonSafeguarding,
    adult_concern_get,
    child_case_get,
    person_safeguarding_get,
)

SEALED = (
    "This is sealed: only the people working it and the safeguarding leads of "
    "the organisations involved see its content."
)


def concern_open(*, actor: Actor, concern_id: int) -> AdultConcern:
    """The concern with its content, for those who may see it (audited)."""
    concern, may = adult_concern_get(actor=actor, concern_id=concern_id)
    if not may:
        raise AccessRefused(SEALED, fields={"concern": "sealed"})
    return concern


def concern_actions(*, concern: AdultConcern) -> list[Task]:
    """The enquiry's actions (tasks in each organisation) of an opened concern."""
    return list(
        Task.objects.select_related("assignee_organisation")
        .filter(source=TaskSource.SAFEGUARDING, source_ref=f"adult:{concern.pk}:action")
        .order_by("created_at", "pk")
    )


def child_case_open(*, actor: Actor, case_id: int) -> ChildCase:
    case, may = child_case_get(actor=actor, case_id=case_id)
    if not may:
        raise AccessRefused(SEALED, fields={"case": "sealed"})
    return case


def case_members(*, kind: str, case_id: int) -> list[CaseMember]:
    """Who works an opened case (names and roles of professionals only)."""
    return list(
        CaseMember.objects.select_related("user", "organisation")
        .filter(case_kind=kind, case_id=case_id, ended_at__isnull=True)
        .order_by("role", "pk")
    )


@dataclass
class FamilyMemberView:
    member: FamilyMember
    view: PersonSafeguarding | None  # None: the policy does not let the actor see


@dataclass
class FamilyView:
    family: Family
    members: list[FamilyMemberView]
    team: list[CaseMember]

    @property
    def children(self) -> list[FamilyMemberView]:
        return [
            m
            for m in self.members
            if m.view is not None
            and m.member.role in (FamilyRole.CHILD, FamilyRole.UNBORN)
        ]


def family_open(*, actor: Actor, family_id: int) -> FamilyView:
    """A family for those working it (the organisation that holds it, the lead
    practitioner's organisation, the team around the family): each member shown
    as the policy allows for that member (each opening audited)."""
    family = Family.objects.filter(pk=family_id).first()
    if family is None or not (
        actor.organisation_id in (family.organisation_id, family.lead_organisation_id)
        or CaseMember.objects.filter(
            case_kind=CaseKind.FAMILY,
            case_id=family.pk,
            user_id=actor.user_id,
            ended_at__isnull=True,
        ).exists()
    ):
        raise NotFound(
            f"family: there is no family with id {family_id} that you work with",
            fields={"family": "no such family"},
        )
    members = []
    for member in FamilyMember.objects.filter(family=family).order_by("role", "pk"):
        try:
            view = person_safeguarding_get(actor=actor, person_id=member.person_id)
        except AccessRefused:
            view = None
        members.append(FamilyMemberView(member, view))
    return FamilyView(
        family, members, case_members(kind=CaseKind.FAMILY, case_id=family.pk)
    )


def families_for(*, actor: Actor) -> list[Family]:
    """Families the actor's organisation holds or the actor works with (references
    only: no person data)."""
    mine = CaseMember.objects.filter(
        case_kind=CaseKind.FAMILY, user_id=actor.user_id, ended_at__isnull=True
    ).values_list("case_id", flat=True)
    return list(
        Family.objects.filter(
            Q(organisation_id=actor.organisation_id) | Q(pk__in=list(mine))
        ).order_by("reference")[:200]
    )


# --- Choices a form offers (no person data) ------------------------------------

PROFESSIONAL_LIMIT = 300


def professionals(*, organisation_ids: list[int] | None = None) -> dict[str, str]:
    """{user id: "Name, role, organisation"} of active professionals."""
    rows = Membership.objects.select_related("user", "organisation").filter(
        active=True, user__is_active=True
    )
    rows = rows.exclude(role=Role.ADMIN)
    if organisation_ids is not None:
        rows = rows.filter(organisation_id__in=organisation_ids)
    out: dict[str, str] = {}
    for m in rows.order_by("organisation__name", "user__last_name", "pk")[
        :PROFESSIONAL_LIMIT
    ]:
        name = m.user.get_full_name() or m.user.username
        out.setdefault(
            str(m.user_id), f"{name}, {Role(m.role).label}, {m.organisation.name}"
        )
    return out


def organisations(*, types: list[str] | None = None) -> dict[str, str]:
    rows = Organisation.objects.all()
    if types is not None:
        rows = rows.filter(type__in=types)
    return {str(o.pk): o.name for o in rows.order_by("name")[:PROFESSIONAL_LIMIT]}
