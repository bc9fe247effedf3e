"""Domain -> FHIR R4 resources (UK Core profiles), built as plain dicts for speed.

The domain never imports FHIR types (STYLE: two protocols over one domain); these
functions translate. Tests validate every resource with `fhir.resources` (R4B
models); the API validates on the hot path only when JOINEDUP_FHIR_VALIDATE (default:
DEBUG) is on, because validating costs more than building (docs/benchmarks.md).

Event-based resource types live in one registry, `EVENT_RESOURCE_TYPES`: adding one
(e.g. Flag, once the domain records flags) is one builder function plus one entry.
Types whose domain does not exist yet are listed in `NOT_YET_SUPPORTED` and are never
faked.
"""

from joinedup.interop.fhir.mappers_out.common import (
    CATEGORY_SYSTEM,
    EVENT_ID_BASE,
    EVENT_KIND_SYSTEM,
    NOT_YET_SUPPORTED,
    ODS_SYSTEM,
    UK_CORE,
    USERNAME_SYSTEM,
    Resource,
    instant,
    organisation_ref,
    resource_validate,
)
from joinedup.interop.fhir.mappers_out.events import (
    EVENT_RESOURCE_TYPES,
    EVENT_ROW_FIELDS,
    MAPPED_KINDS,
    TYPE_OF_KIND,
    EventResourceType,
    EventRow,
    event_id,
    event_resource,
)
from joinedup.interop.fhir.mappers_out.people import (
    NHS_STATUS_SYSTEM,
    NHS_STATUS_URL,
    care_team_id,
    care_team_resource,
    organization_resource,
    patient_resource,
    practitioner_resource,
)

__all__ = [
    "CATEGORY_SYSTEM",
    "EVENT_ID_BASE",
    "EVENT_KIND_SYSTEM",
    "EVENT_RESOURCE_TYPES",
    "EVENT_ROW_FIELDS",
    "MAPPED_KINDS",
    "NHS_STATUS_SYSTEM",
    "NHS_STATUS_URL",
    "NOT_YET_SUPPORTED",
    "ODS_SYSTEM",
    "TYPE_OF_KIND",
    "UK_CORE",
    "USERNAME_SYSTEM",
    "EventResourceType",
    "EventRow",
    "Resource",
    "care_team_id",
    "care_team_resource",
    "event_id",
    "event_resource",
    "instant",
    "organisation_ref",
    "organization_resource",
    "patient_resource",
    "practitioner_resource",
    "resource_validate",
]
