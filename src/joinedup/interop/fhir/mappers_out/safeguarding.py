"""Flag (the CP-IS-style child protection flag) and EpisodeOfCare (a child
protection plan), UK Core profiles. The Flag says that a plan or looked-after
episode exists and whom to contact, never its content; the EpisodeOfCare
carries the plan's category and is served only to those who may see it."""

from __future__ import annotations

from typing import TYPE_CHECKING

from joinedup.interop.fhir.mappers_out.common import (
    JOINEDUP,
    UK_CORE,
    Resource,
    organisation_ref,
    period_of,
    ref,
)

if TYPE_CHECKING:
    from joinedup.safeguarding.models import ChildProtectionPlan, ProtectionFlag

FLAG_CATEGORY_SYSTEM = "http://terminology.hl7.org/CodeSystem/flag-category"
PROTECTION_FLAG_SYSTEM = f"{JOINEDUP}/CodeSystem/protection-flag"
PLAN_CATEGORY_SYSTEM = f"{JOINEDUP}/CodeSystem/child-protection-category"
EPISODE_TYPE_SYSTEM = f"{JOINEDUP}/CodeSystem/episode-of-care-type"


def flag_id(flag: ProtectionFlag) -> str:
    return f"fl-{flag.pk}"


def plan_episode_id(plan: ChildProtectionPlan) -> str:
    return f"cp-{plan.pk}"


def flag_resource(flag: ProtectionFlag) -> Resource:
    label = flag.get_kind_display()
    contact = flag.council.name
    if flag.contact_phone:
        contact += f" on {flag.contact_phone}"
    return {
        "resourceType": "Flag",
        "id": flag_id(flag),
        "meta": {"profile": [f"{UK_CORE}Flag"]},
        "status": "active" if flag.ended_on is None else "inactive",
        "category": [
            {
                "coding": [
                    {
                        "system": FLAG_CATEGORY_SYSTEM,
                        "code": "safety",
                        "display": "Safety",
                    }
                ]
            }
        ],
        "code": {
            "coding": [
                {"system": PROTECTION_FLAG_SYSTEM, "code": flag.kind, "display": label}
            ],
            "text": f"{label}: the details are held by children's social care; "
            f"contact {contact}",
        },
        "subject": ref("Patient", flag.person_id),
        "period": period_of(flag.started_on, flag.ended_on),
        "author": organisation_ref(flag.council),
    }


def episode_of_care_resource(plan: ChildProtectionPlan) -> Resource:
    kind = (
        "Pre-birth child protection plan"
        if plan.pre_birth
        else ("Child protection plan")
    )
    resource: Resource = {
        "resourceType": "EpisodeOfCare",
        "id": plan_episode_id(plan),
        "meta": {"profile": [f"{UK_CORE}EpisodeOfCare"]},
        "status": "active" if plan.ended_on is None else "finished",
        "type": [
            {
                "coding": [
                    {
                        "system": EPISODE_TYPE_SYSTEM,
                        "code": "pre_birth_plan" if plan.pre_birth else "cp_plan",
                        "display": kind,
                    }
                ]
            },
            {
                "coding": [
                    {
                        "system": PLAN_CATEGORY_SYSTEM,
                        "code": plan.category,
                        "display": plan.category_label,
                    }
                ],
                "text": f"Category: {plan.category_label}",
            },
        ],
        "patient": ref("Patient", plan.person_id),
        "managingOrganization": organisation_ref(plan.case.council),
        "period": period_of(plan.started_on, plan.ended_on),
    }
    return resource
