"""What every FHIR mapper shares: systems, profiles, references, instants."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from joinedup.governance.models import Organisation

Resource = dict[str, Any]

UK_CORE = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-"
ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
SNOMED = "http://snomed.info/sct"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
# Our own code systems and identifiers (the same ones the synthetic FHIR feeds use).
JOINEDUP = "https://fhir.joinedup.example"
EVENT_ID_BASE = f"{JOINEDUP}/Id/event/"
USERNAME_SYSTEM = f"{JOINEDUP}/Id/username"
EVENT_KIND_SYSTEM = f"{JOINEDUP}/CodeSystem/event-kind"
CATEGORY_SYSTEM = f"{JOINEDUP}/CodeSystem/access-category"
ROLE_SYSTEM = f"{JOINEDUP}/CodeSystem/role"
ORGANISATION_TYPE_SYSTEM = f"{JOINEDUP}/CodeSystem/organisation-type"

# FHIR resource types named in DESIGN 4.8 whose domain does not exist yet: answered
# with 404 "not supported" and left out of the CapabilityStatement, never faked.
NOT_YET_SUPPORTED = frozenset(
    {
        "CarePlan",
        "ServiceRequest",
        "Task",
        "Consent",
        "PractitionerRole",
        "AuditEvent",
    }
)


def instant(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).isoformat()


def ref(resource_type: str, id_: object, display: str = "") -> dict[str, str]:
    out = {"reference": f"{resource_type}/{id_}"}
    if display:
        out["display"] = display
    return out


def organisation_ref(org: Organisation) -> dict[str, Any]:
    return {
        **ref("Organization", org.pk, org.name),
        "identifier": {"system": ODS_SYSTEM, "value": org.code},
    }


def period_of(start: dt.date | None, end: dt.date | None) -> dict[str, str]:
    period = {}
    if start:
        period["start"] = start.isoformat()
    if end:
        period["end"] = end.isoformat()
    return period


def resource_validate(resource: Resource) -> None:
    """Raise pydantic.ValidationError unless the resource is valid FHIR R4B."""
    from fhir.resources.R4B import get_fhir_model_class

    get_fhir_model_class(resource["resourceType"]).model_validate(resource)
