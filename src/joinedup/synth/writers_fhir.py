"""FHIR R4 transaction Bundles, one per source record, for the GP, community and
mental health extracts (DESIGN 4.8). Built as plain dicts for speed; the tests
validate them with `fhir.resources` (R4B models).

Each Bundle holds a UK Core Patient and one resource per event:
gp_consultation, community_contact, mental_health_contact and sexual_health_contact
become Encounters; diagnosis a Condition; medication a MedicationStatement; fall an
Observation. The GP bundle also carries the problem list: a Condition for every
long-term condition without a diagnosis event in the window (no event-kind tag).

Every event resource has:
- identifier {system: EVENT_ID_BASE + system code, value: the event's source id}
- meta.tag: event kind (EVENT_KIND_SYSTEM) and access category (CATEGORY_SYSTEM)
- extension EVENT_DETAIL_URL with one valueString sub-extension per detail key,
  plus "summary"
Entries have urn:uuid fullUrls (uuid5 of the system and id, so reruns give the same
file) and conditional PUT requests on the identifier, so loading twice changes
nothing.
"""

from __future__ import annotations

import hashlib
import uuid
from typing import Any

from joinedup.synth import catalogue as cat
from joinedup.synth.area import (
    EventSpec,
    PersonSpec,
    SourceRecordSpec,
    SourceSystemSpec,
)

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
NHS_STATUS_URL = (
    "https://fhir.hl7.org.uk/StructureDefinition/"
    "Extension-UKCore-NHSNumberVerificationStatus"
)
NHS_STATUS_SYSTEM = (
    "https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland"
)
UK_CORE_PATIENT = "https://fhir.hl7.org.uk/StructureDefinition/UKCore-Patient"
EVENT_ID_BASE = "https://fhir.joinedup.example/Id/event/"
EVENT_KIND_SYSTEM = "https://fhir.joinedup.example/CodeSystem/event-kind"
CATEGORY_SYSTEM = "https://fhir.joinedup.example/CodeSystem/access-category"
EVENT_DETAIL_URL = "https://fhir.joinedup.example/StructureDefinition/event-detail"
ACT_CODE = "http://terminology.hl7.org/CodeSystem/v3-ActCode"
_NAMESPACE = uuid.uuid5(uuid.NAMESPACE_URL, "https://fhir.joinedup.example/")
_NAMESPACE_BYTES = _NAMESPACE.bytes

_ENCOUNTER_KINDS = frozenset(
    {
        "gp_consultation",
        "community_contact",
        "mental_health_contact",
        "sexual_health_contact",
    }
)
_CLASS = {
    "AMB": {"system": ACT_CODE, "code": "AMB", "display": "ambulatory"},
    "VR": {"system": ACT_CODE, "code": "VR", "display": "virtual"},
    "HH": {"system": ACT_CODE, "code": "HH", "display": "home health"},
}
_CONDITION_CLINICAL = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/condition-clinical",
            "code": "active",
        }
    ]
}
_CONDITION_VERIFIED = {
    "coding": [
        {
            "system": "http://terminology.hl7.org/CodeSystem/condition-ver-status",
            "code": "confirmed",
        }
    ]
}
_PROBLEM_LIST = [
    {
        "coding": [
            {
                "system": "http://terminology.hl7.org/CodeSystem/condition-category",
                "code": "problem-list-item",
            }
        ]
    }
]


def _urn(key: str) -> str:
    """urn:uuid: of uuid5(_NAMESPACE, key), computed without building UUID objects
    (a bundle per person makes this hot)."""
    sha1 = hashlib.sha1(_NAMESPACE_BYTES + key.encode(), usedforsecurity=False)
    digest = bytearray(sha1.digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50  # version 5
    digest[8] = (digest[8] & 0x3F) | 0x80  # RFC 4122 variant
    h = digest.hex()
    return f"urn:uuid:{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def _iso(value: Any) -> str:
    return str(value.isoformat())


def patient_resource(
    *, person: PersonSpec, record: SourceRecordSpec, system: SourceSystemSpec
) -> dict[str, Any]:
    """A UK Core Patient for one source record (its own, noisy, demographics)."""
    identifiers: list[dict[str, Any]] = []
    if record.nhs_number:
        identifiers.append(
            {
                "extension": [
                    {
                        "url": NHS_STATUS_URL,
                        "valueCodeableConcept": {
                            "coding": [
                                {
                                    "system": NHS_STATUS_SYSTEM,
                                    "code": record.nhs_number_status,
                                    "display": cat.NHS_NUMBER_STATUS_DISPLAY.get(
                                        record.nhs_number_status, ""
                                    ),
                                }
                            ]
                        },
                    }
                ],
                "system": NHS_NUMBER_SYSTEM,
                "value": record.nhs_number,
            }
        )
    identifiers.append({"system": system.identifier_system, "value": record.local_id})
    patient: dict[str, Any] = {
        "resourceType": "Patient",
        "meta": {"profile": [UK_CORE_PATIENT]},
        "identifier": identifiers,
        "name": [
            {
                "use": "official",
                "family": record.family_name,
                "given": [record.given_name],
            }
        ],
        "gender": record.sex,
        "birthDate": record.birth_date.isoformat(),
        "address": [
            {
                "use": "home",
                "line": [record.address_line],
                "city": cat.TOWN,
                "postalCode": record.postcode,
            }
        ],
        "generalPractitioner": [
            {"identifier": {"system": ODS_SYSTEM, "value": person.gp_practice_code}}
        ],
    }
    if record.phone:
        use = "mobile" if record.phone.startswith("07") else "home"
        patient["telecom"] = [{"system": "phone", "value": record.phone, "use": use}]
    return patient


def _event_common(event: EventSpec, system_code: str) -> dict[str, Any]:
    detail = [{"url": k, "valueString": v} for k, v in event.detail.items() if v]
    detail.append({"url": "summary", "valueString": event.summary})
    return {
        "meta": {
            "tag": [
                {"system": EVENT_KIND_SYSTEM, "code": event.kind},
                {"system": CATEGORY_SYSTEM, "code": event.category},
            ]
        },
        "extension": [{"url": EVENT_DETAIL_URL, "extension": detail}],
        "identifier": [
            {"system": EVENT_ID_BASE + system_code, "value": event.source_id}
        ],
    }


def _snomed(code: str, display: str, text: str = "") -> dict[str, Any]:
    concept: dict[str, Any] = {}
    if code:
        concept["coding"] = [{"system": cat.SNOMED, "code": code, "display": display}]
    concept["text"] = text or display
    return concept


def event_resource(
    event: EventSpec, system_code: str, patient_ref: str
) -> dict[str, Any]:
    """The FHIR resource for one event."""
    res = _event_common(event, system_code)
    subject = {"reference": patient_ref}
    when = _iso(event.occurred_at)
    kind = event.kind
    if kind == "diagnosis":
        res.update(
            resourceType="Condition",
            clinicalStatus=_CONDITION_CLINICAL,
            verificationStatus=_CONDITION_VERIFIED,
            category=_PROBLEM_LIST,
            code=_snomed(event.code, event.code_display),
            subject=subject,
            onsetDateTime=when,
            recordedDate=when,
        )
    elif kind == "medication":
        acute = event.detail.get("course") == "acute"
        res.update(
            resourceType="MedicationStatement",
            status="completed" if acute else "active",
            medicationCodeableConcept={
                "text": event.detail.get("medication", event.summary)
            },
            subject=subject,
            effectiveDateTime=when,
            dateAsserted=when,
        )
    elif kind == "fall":
        res.update(
            resourceType="Observation",
            status="final",
            code=_snomed(event.code, event.code_display),
            subject=subject,
            effectiveDateTime=when,
            performer=[{"identifier": {"system": ODS_SYSTEM, "value": event.org_code}}],
        )
    else:
        mode = event.detail.get("mode", "")
        if mode in ("telephone", "video"):
            enc_class = _CLASS["VR"]
        elif mode == "home_visit" or event.detail.get("setting") == "home":
            enc_class = _CLASS["HH"]
        else:
            enc_class = _CLASS["AMB"]
        period = {"start": when}
        if event.ended_at is not None:
            period["end"] = _iso(event.ended_at)
        res.update(
            resourceType="Encounter",
            status="finished",
            type=[_snomed(event.code, event.code_display, event.summary)],
            subject=subject,
            period=period,
            serviceProvider={
                "identifier": {"system": ODS_SYSTEM, "value": event.org_code}
            },
        )
        res["class"] = enc_class
    return {"resourceType": res.pop("resourceType"), **res}


def problem_list_resource(
    condition_key: str, record: SourceRecordSpec, system_code: str, patient_ref: str
) -> dict[str, Any]:
    cond = cat.CONDITIONS_BY_KEY[condition_key]
    return {
        "resourceType": "Condition",
        "meta": {"tag": [{"system": CATEGORY_SYSTEM, "code": cond.category}]},
        "identifier": [
            {
                "system": EVENT_ID_BASE + system_code,
                "value": f"{record.local_id}-problem-{condition_key}",
            }
        ],
        "clinicalStatus": _CONDITION_CLINICAL,
        "verificationStatus": _CONDITION_VERIFIED,
        "category": _PROBLEM_LIST,
        "code": _snomed(cond.snomed, cond.display),
        "subject": {"reference": patient_ref},
    }


def record_bundle(
    *,
    person: PersonSpec,
    record: SourceRecordSpec,
    system: SourceSystemSpec,
    events: list[EventSpec],
    problem_list: bool = False,
) -> dict[str, Any]:
    """A transaction Bundle with the record's Patient and one resource per event."""
    code = system.code
    patient_url = _urn(f"{code}/{record.local_id}")
    entries: list[dict[str, Any]] = [
        {
            "fullUrl": patient_url,
            "resource": patient_resource(person=person, record=record, system=system),
            "request": {
                "method": "PUT",
                "url": (
                    f"Patient?identifier={system.identifier_system}|{record.local_id}"
                ),
            },
        }
    ]
    diagnosed: set[str] = set()
    for event in events:
        res = event_resource(event, code, patient_url)
        if event.kind == "diagnosis":
            diagnosed.add(event.code)
        entries.append(
            {
                "fullUrl": _urn(f"{code}/{event.source_id}"),
                "resource": res,
                "request": {
                    "method": "PUT",
                    "url": f"{res['resourceType']}?identifier={EVENT_ID_BASE}{code}"
                    f"|{event.source_id}",
                },
            }
        )
    if problem_list:
        for key in person.conditions:
            if cat.CONDITIONS_BY_KEY[key].snomed in diagnosed:
                continue
            res = problem_list_resource(key, record, code, patient_url)
            value = res["identifier"][0]["value"]
            entries.append(
                {
                    "fullUrl": _urn(f"{code}/{value}"),
                    "resource": res,
                    "request": {
                        "method": "PUT",
                        "url": f"Condition?identifier={EVENT_ID_BASE}{code}|{value}",
                    },
                }
            )
    return {"resourceType": "Bundle", "type": "transaction", "entry": entries}
