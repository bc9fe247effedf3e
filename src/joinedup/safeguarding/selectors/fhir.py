"""What the FHIR API may serve of safeguarding for a person: the CP-IS-style
flags (that a plan or looked-after episode exists and whom to contact: for
anyone the policy lets open the record, as on the person page) and child
protection plans as episodes of care (their content: only for those who may
see the case). Each read opens the record through the policy (audited)."""

from __future__ import annotations

from joinedup.errors import NotFound
from joinedup.governance.access import Actor
from joinedup.governance.models import AccessCategory
from joinedup.people.selectors import PersonAccess, person_access_open
from joinedup.safeguarding.models import CaseKind, ChildProtectionPlan, ProtectionFlag
from joinedup.safeguarding.selectors.cases import may_see_content, member_cases


def _flags(access: PersonAccess, include_ended: bool) -> list[ProtectionFlag]:
    if not access.may_read(AccessCategory.DEMOGRAPHICS):
        return []
    rows = ProtectionFlag.objects.select_related("council").filter(
        person_id=access.person.pk
    )
    if not include_ended:
        rows = rows.filter(ended_on__isnull=True)
    return list(rows.order_by("started_on", "pk"))


def fhir_flags_get(
    *, actor: Actor, person_id: int, action: str, include_ended: bool = False
) -> list[ProtectionFlag]:
    access = person_access_open(actor=actor, person_id=person_id, action=action)
    return _flags(access, include_ended)


def fhir_flag_read(*, actor: Actor, flag_id: int) -> ProtectionFlag:
    person_id = (
        ProtectionFlag.objects.filter(pk=flag_id)
        .values_list("person_id", flat=True)
        .first()
    )
    if person_id is None:
        raise NotFound(f"there is no Flag with id fl-{flag_id}")
    found = [
        f
        for f in fhir_flags_get(
            actor=actor, person_id=person_id, action="fhir_read", include_ended=True
        )
        if f.pk == flag_id
    ]
    if not found:
        raise NotFound(f"there is no Flag with id fl-{flag_id}")
    return found[0]


def _plans(access: PersonAccess) -> list[ChildProtectionPlan]:
    members = member_cases(access.actor, access.person.pk)
    out = []
    for plan in (
        ChildProtectionPlan.objects.select_related("case", "case__council")
        .filter(person_id=access.person.pk)
        .order_by("started_on", "pk")
    ):
        case = plan.case
        if may_see_content(
            access,
            kind=CaseKind.CHILD,
            case_id=case.pk,
            owner_id=case.council_id,
            involved={case.council_id, case.referred_by_organisation_id},
            members=members,
        ):
            out.append(plan)
    return out


def fhir_plans_get(
    *, actor: Actor, person_id: int, action: str
) -> list[ChildProtectionPlan]:
    """The person's child protection plans whose content the actor may see."""
    return _plans(person_access_open(actor=actor, person_id=person_id, action=action))


def fhir_plan_read(*, actor: Actor, plan_id: int) -> ChildProtectionPlan:
    person_id = (
        ChildProtectionPlan.objects.filter(pk=plan_id)
        .values_list("person_id", flat=True)
        .first()
    )
    found = []
    if person_id is not None:
        found = [
            p
            for p in fhir_plans_get(
                actor=actor, person_id=person_id, action="fhir_read"
            )
            if p.pk == plan_id
        ]
    if not found:
        raise NotFound(f"there is no EpisodeOfCare with id cp-{plan_id}")
    return found[0]
