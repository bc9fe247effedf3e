"""Event-based resources: one registry, `EVENT_RESOURCE_TYPES`. Adding a type
(e.g. Flag, once the domain records flags) is one body function plus one entry."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, NamedTuple

from joinedup.interop.fhir.mappers_out.common import (
    ACT_CODE,
    CATEGORY_SYSTEM,
    EVENT_ID_BASE,
    EVENT_KIND_SYSTEM,
    ODS_SYSTEM,
    SNOMED,
    UK_CORE,
    Resource,
    instant,
    ref,
)
from joinedup.record.models import EventKind

if TYPE_CHECKING:
    import datetime as dt


# --- Event-based resources --------------------------------------------------------


_KIND_LABELS: dict[str, str] = dict(EventKind.choices)


class EventRow(NamedTuple):
    """What the mappers need of one record.Event, read as a plain row: a person's
    whole history maps without a model instance per event ($everything's hot
    path)."""

    pk: int
    person_id: int
    kind: str
    category: str
    occurred_at: dt.datetime
    ended_at: dt.datetime | None
    code: str
    code_display: str
    summary: str
    detail: dict[str, Any]
    ingested_at: dt.datetime
    source_id: str
    source_code: str
    organisation_id: int
    organisation_code: str
    organisation_name: str


# The Event fields (and lookups) an EventRow is read from, in order.
EVENT_ROW_FIELDS = (
    "pk",
    "person_id",
    "kind",
    "category",
    "occurred_at",
    "ended_at",
    "code",
    "code_display",
    "summary",
    "detail",
    "ingested_at",
    "source_id",
    "source_system__code",
    "organisation_id",
    "organisation__code",
    "organisation__name",
)


def _org(event: EventRow) -> dict[str, Any]:
    return {
        "reference": f"Organization/{event.organisation_id}",
        "display": event.organisation_name,
        "identifier": {"system": ODS_SYSTEM, "value": event.organisation_code},
    }


def event_id(event_pk: int) -> str:
    return f"ev-{event_pk}"


def _concept(event: EventRow, fallback: str = "") -> dict[str, Any]:
    concept: dict[str, Any] = {}
    if event.code:
        concept["coding"] = [
            {"system": SNOMED, "code": event.code, "display": event.code_display}
        ]
    concept["text"] = event.code_display or fallback or event.summary
    return concept


_IMP = {"system": ACT_CODE, "code": "IMP", "display": "inpatient encounter"}
_EMER = {"system": ACT_CODE, "code": "EMER", "display": "emergency"}
_AMB = {"system": ACT_CODE, "code": "AMB", "display": "ambulatory"}
_VR = {"system": ACT_CODE, "code": "VR", "display": "virtual"}
_HH = {"system": ACT_CODE, "code": "HH", "display": "home health"}
_HOSPITAL_KINDS = frozenset({EventKind.ADMISSION, EventKind.TRANSFER, "discharge"})


def _encounter_class(event: EventRow) -> dict[str, str]:
    if event.kind in _HOSPITAL_KINDS:
        return _IMP
    if event.kind == EventKind.AE_ATTENDANCE:
        return _EMER
    detail = event.detail or {}
    if detail.get("mode") in ("telephone", "video"):
        return _VR
    if detail.get("mode") == "home_visit" or detail.get("setting") == "home":
        return _HH
    return _AMB


def encounter_body(event: EventRow) -> Resource:
    """Hospital stays (admission, transfer, discharge), A&E attendances and contacts
    with GP, community, mental health and social care services."""
    in_progress = event.kind == EventKind.ADMISSION and event.ended_at is None
    period = {"start": instant(event.occurred_at)}
    if event.ended_at is not None:
        period["end"] = instant(event.ended_at)
    body: Resource = {
        "status": "in-progress" if in_progress else "finished",
        "class": _encounter_class(event),
        "type": [_concept(event, _KIND_LABELS.get(event.kind, event.kind))],
        "period": period,
        "serviceProvider": _org(event),
    }
    detail = event.detail or {}
    if detail.get("ward"):
        body["location"] = [{"location": {"display": str(detail["ward"])}}]
    if event.kind == EventKind.DISCHARGE and detail.get("destination"):
        body["hospitalization"] = {
            "dischargeDisposition": {"text": str(detail["destination"])}
        }
    return body


_CONDITION_STATUS = {
    "clinicalStatus": {
        "coding": [
            {
                "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
                "code": "active",
            }
        ]
    },
    "verificationStatus": {
        "coding": [
            {
                "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
                "code": "confirmed",
            }
        ]
    },
    "category": [
        {
            "coding": [
                {
                    "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                    "code": "problem-list-item",
                }
            ]
        }
    ],
}


def condition_body(event: EventRow) -> Resource:
    when = instant(event.occurred_at)
    return {
        **_CONDITION_STATUS,
        "code": _concept(event),
        "onsetDateTime": when,
        "recordedDate": when,
    }


def observation_body(event: EventRow) -> Resource:
    return {
        "status": "final",
        "code": _concept(event, _KIND_LABELS.get(event.kind, event.kind)),
        "effectiveDateTime": instant(event.occurred_at),
        "performer": [_org(event)],
    }


def medication_statement_body(event: EventRow) -> Resource:
    detail = event.detail or {}
    when = instant(event.occurred_at)
    return {
        "status": "completed" if detail.get("course") == "acute" else "active",
        "medicationCodeableConcept": _concept(event, str(detail.get("medication", ""))),
        "effectiveDateTime": when,
        "dateAsserted": when,
        "informationSource": _org(event),
    }


@dataclass(frozen=True)
class EventResourceType:
    """A FHIR resource type built from events of some kinds."""

    name: str
    kinds: frozenset[str]
    body: Callable[[EventRow], Resource]
    subject_field: str = "subject"

    @property
    def profile(self) -> str:
        return f"{UK_CORE}{self.name}"


EVENT_RESOURCE_TYPES: dict[str, EventResourceType] = {
    t.name: t
    for t in (
        EventResourceType(
            "Encounter",
            frozenset(
                {
                    EventKind.ADMISSION,
                    EventKind.TRANSFER,
                    EventKind.DISCHARGE,
                    EventKind.AE_ATTENDANCE,
                    EventKind.GP_CONSULTATION,
                    EventKind.COMMUNITY_CONTACT,
                    EventKind.MENTAL_HEALTH_CONTACT,
                    EventKind.SOCIAL_CARE_ASSESSMENT,
                    EventKind.SEXUAL_HEALTH_CONTACT,  # sealed: the policy hides it
                }
            ),
            encounter_body,
        ),
        EventResourceType(
            "Condition", frozenset({EventKind.DIAGNOSIS}), condition_body
        ),
        EventResourceType("Observation", frozenset({EventKind.FALL}), observation_body),
        EventResourceType(
            "MedicationStatement",
            frozenset({EventKind.MEDICATION}),
            medication_statement_body,
        ),
    )
}
TYPE_OF_KIND: dict[str, EventResourceType] = {
    kind: t for t in EVENT_RESOURCE_TYPES.values() for kind in t.kinds
}
MAPPED_KINDS = frozenset(TYPE_OF_KIND)


def event_resource(event: EventRow) -> Resource:
    """The FHIR resource for one event (whose kind must be in MAPPED_KINDS)."""
    rtype = TYPE_OF_KIND[event.kind]
    return {
        "resourceType": rtype.name,
        "id": event_id(event.pk),
        "meta": {
            "lastUpdated": instant(event.ingested_at),
            "profile": [rtype.profile],
            "tag": [
                {"system": EVENT_KIND_SYSTEM, "code": event.kind},
                {"system": CATEGORY_SYSTEM, "code": event.category},
            ],
        },
        "identifier": [
            {
                "system": EVENT_ID_BASE + event.source_code,
                "value": event.source_id,
            }
        ],
        rtype.subject_field: ref("Patient", event.person_id),
        **rtype.body(event),
    }
