"""FHIR R4 resources in: validation with `fhir.resources` (R4B models) and the
translation of validated resources (as plain dicts) into person-index demographics
and shared-record events. No database here: ingest.py resolves and writes.

Mapped (DESIGN 4.8): Patient (UK Core: NHS number with its verification status,
ethnic category), Encounter, EpisodeOfCare, Condition, Observation,
MedicationStatement, CarePlan, CareTeam, ServiceRequest, Task, Consent, Flag. Any
other FHIR resource type (Organization, Practitioner, AllergyIntolerance, ...) is
*ignored*: not an error, not quarantined, counted in the ingest result and not
validated beyond its type, as JoinedUp reads nothing of it. `meta`, `text` and
extensions JoinedUp does not know are ignored too; a modifier extension it does not
know makes the resource refused, as FHIR requires (Extensibility, "modifier
extensions")."""

from joinedup.interop.fhir.mappers_in.base import (
    CATEGORY_SYSTEM,
    EVENT_DETAIL_URL,
    EVENT_ID_BASE,
    EVENT_KIND_SYSTEM,
    EVENT_TYPES,
    LOCAL_TZ,
    NHS_STATUS_URL,
    ODS_SYSTEM,
    SNOMED,
    SUPPORTED,
    FhirProblem,
    Resolve,
    bundle_lines_validate,
    is_resource_type,
    resource_validate,
    when_parse,
)
from joinedup.interop.fhir.mappers_in.events import (
    DEFAULT_KIND,
    SUBJECT_TYPES,
    EventData,
    event_map,
)
from joinedup.interop.fhir.mappers_in.patient import PatientData, patient_map

__all__ = [
    "CATEGORY_SYSTEM",
    "DEFAULT_KIND",
    "EVENT_DETAIL_URL",
    "EVENT_ID_BASE",
    "EVENT_KIND_SYSTEM",
    "EVENT_TYPES",
    "LOCAL_TZ",
    "NHS_STATUS_URL",
    "ODS_SYSTEM",
    "SNOMED",
    "SUBJECT_TYPES",
    "SUPPORTED",
    "EventData",
    "FhirProblem",
    "PatientData",
    "Resolve",
    "bundle_lines_validate",
    "event_map",
    "is_resource_type",
    "patient_map",
    "resource_validate",
    "when_parse",
]
