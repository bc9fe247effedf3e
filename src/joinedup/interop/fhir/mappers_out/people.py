"""Patient, Organization, Practitioner and CareTeam from the person index,
governance and coordination."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from joinedup.interop.fhir.mappers_in.uk_core import (
    ETHNIC_CATEGORY_SYSTEM,
    ETHNIC_CATEGORY_URL,
)
from joinedup.interop.fhir.mappers_out.common import (
    ODS_SYSTEM,
    ORGANISATION_TYPE_SYSTEM,
    ROLE_SYSTEM,
    UK_CORE,
    USERNAME_SYSTEM,
    Resource,
    instant,
    organisation_ref,
    period_of,
    ref,
)
from joinedup.people.models import EthnicCategory, NhsNumberStatus
from joinedup.people.nhs_number import NHS_NUMBER_SYSTEM

if TYPE_CHECKING:
    from collections.abc import Iterable

    from joinedup.coordination.models import CareTeamMember
    from joinedup.governance.models import Organisation, User
    from joinedup.people.models import Address, Identifier, Person, PersonName

NHS_STATUS_URL = (
    "https://fhir.hl7.org.uk/StructureDefinition/"
    "Extension-UKCore-NHSNumberVerificationStatus"
)
NHS_STATUS_SYSTEM = (
    "https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland"
)


# --- Patient -------------------------------------------------------------------


def _nhs_number_identifier(person: Person) -> dict[str, Any]:
    status = NhsNumberStatus(person.nhs_number_status)
    return {
        "extension": [
            {
                "url": NHS_STATUS_URL,
                "valueCodeableConcept": {
                    "coding": [
                        {
                            "system": NHS_STATUS_SYSTEM,
                            "code": status.value,
                            "display": status.label,
                        }
                    ]
                },
            }
        ],
        "system": NHS_NUMBER_SYSTEM,
        "value": person.nhs_number,
    }


def patient_resource(
    person: Person,
    *,
    identifiers: Iterable[Identifier] = (),
    names: Iterable[PersonName] = (),
    addresses: Iterable[Address] = (),
) -> Resource:
    """UK Core Patient: NHS number with its verification status, ethnic
    category, every source system's identifier, current and previous names and
    addresses."""
    ids: list[dict[str, Any]] = []
    if person.nhs_number:
        ids.append(_nhs_number_identifier(person))
    for i in identifiers:
        if i.system == NHS_NUMBER_SYSTEM and i.value == person.nhs_number:
            continue
        ids.append({"system": i.system, "value": i.value})
    current_name = (person.given_name, person.family_name)
    fhir_names: list[dict[str, Any]] = [
        {"use": "official", "family": person.family_name, "given": [person.given_name]}
    ]
    for n in names:
        if n.period_end is None and (n.given_name, n.family_name) == current_name:
            continue
        name: dict[str, Any] = {
            "use": n.use,
            "family": n.family_name,
            "given": [n.given_name],
        }
        if period := period_of(n.period_start, n.period_end):
            name["period"] = period
        fhir_names.append(name)
    fhir_addresses: list[dict[str, Any]] = []
    if person.address_line or person.postcode:
        fhir_addresses.append(
            {
                "use": "home",
                "line": [person.address_line],
                "postalCode": person.postcode,
            }
        )
    for a in addresses:
        if a.period_end is None and (a.line, a.postcode) == (
            person.address_line,
            person.postcode,
        ):
            continue
        address: dict[str, Any] = {
            "use": "old" if a.period_end else "home",
            "line": [a.line],
            "postalCode": a.postcode,
        }
        if period := period_of(a.period_start, a.period_end):
            address["period"] = period
        fhir_addresses.append(address)
    resource: Resource = {
        "resourceType": "Patient",
        "id": str(person.pk),
        "meta": {
            "lastUpdated": instant(person.updated_at),
            "profile": [f"{UK_CORE}Patient"],
        },
        "identifier": ids,
        "name": fhir_names,
        "gender": person.sex,
        "birthDate": person.birth_date.isoformat(),
    }
    if person.ethnic_category:
        category = EthnicCategory(person.ethnic_category)
        resource["extension"] = [
            {
                "url": ETHNIC_CATEGORY_URL,
                "valueCodeableConcept": {
                    "coding": [
                        {
                            "system": ETHNIC_CATEGORY_SYSTEM,
                            "code": category.value,
                            "display": category.label,
                        }
                    ]
                },
            }
        ]
    telecom = []
    if person.phone:
        use = "mobile" if person.phone.startswith("07") else "home"
        telecom.append({"system": "phone", "value": person.phone, "use": use})
    if person.email:
        telecom.append({"system": "email", "value": person.email, "use": "home"})
    if telecom:
        resource["telecom"] = telecom
    if person.deceased_on:
        resource["deceasedDateTime"] = person.deceased_on.isoformat()
    if fhir_addresses:
        resource["address"] = fhir_addresses
    if person.registered_gp is not None:
        resource["generalPractitioner"] = [organisation_ref(person.registered_gp)]
    return resource


# --- Directory: Organization, Practitioner; CareTeam ----------------------------


def organization_resource(org: Organisation) -> Resource:
    resource: Resource = {
        "resourceType": "Organization",
        "id": str(org.pk),
        "meta": {"profile": [f"{UK_CORE}Organization"]},
        "identifier": [{"system": ODS_SYSTEM, "value": org.code}],
        "active": True,
        "type": [
            {
                "coding": [
                    {
                        "system": ORGANISATION_TYPE_SYSTEM,
                        "code": org.type,
                        "display": org.get_type_display(),
                    }
                ]
            }
        ],
        "name": org.name,
    }
    if org.contact_phone:
        resource["telecom"] = [
            {"system": "phone", "value": org.contact_phone, "use": "work"}
        ]
    if org.postcode:
        resource["address"] = [{"use": "work", "postalCode": org.postcode}]
    return resource


def practitioner_resource(user: User) -> Resource:
    name: dict[str, Any] = {"use": "official", "text": str(user)}
    if user.last_name:
        name["family"] = user.last_name
    if user.first_name:
        name["given"] = [user.first_name]
    return {
        "resourceType": "Practitioner",
        "id": str(user.pk),
        "meta": {"profile": [f"{UK_CORE}Practitioner"]},
        "identifier": [{"system": USERNAME_SYSTEM, "value": user.username}],
        "active": user.is_active,
        "name": [name],
    }


def care_team_id(person_id: int) -> str:
    return f"ct-{person_id}"


def care_team_resource(person_id: int, members: list[CareTeamMember]) -> Resource:
    """One CareTeam per person: the professionals currently working with them."""
    participants = []
    for m in members:
        participant: dict[str, Any] = {
            "role": [
                {
                    "coding": [
                        {
                            "system": ROLE_SYSTEM,
                            "code": m.role,
                            "display": m.get_role_display(),
                        }
                    ],
                    "text": ("Lead professional: " if m.is_lead else "")
                    + m.get_role_display(),
                }
            ],
            "member": ref("Practitioner", m.user_id, str(m.user)),
            "onBehalfOf": organisation_ref(m.organisation),
            "period": period_of(m.started_on, m.ended_on),
        }
        participants.append(participant)
    resource: Resource = {
        "resourceType": "CareTeam",
        "id": care_team_id(person_id),
        "meta": {"profile": [f"{UK_CORE}CareTeam"]},
        "status": "active",
        "name": "Care team",
        "subject": ref("Patient", person_id),
        "participant": participants,
    }
    if members:
        resource["period"] = {"start": min(m.started_on for m in members).isoformat()}
    return resource
