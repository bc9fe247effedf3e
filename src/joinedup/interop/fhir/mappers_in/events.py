"""Event resources in (Encounter, Condition, ...): shared-record events from a
validated resource (as a plain dict). No database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from joinedup.interop.fhir.mappers_in.base import (
    CATEGORY_SYSTEM,
    EVENT_DETAIL_URL,
    EVENT_ID_BASE,
    EVENT_KIND_SYSTEM,
    SNOMED,
    Resolve,
    path_get,
    when_parse,
)

DEFAULT_KIND = {
    "Condition": "diagnosis",
    "MedicationStatement": "medication",
}
# Where each resource type says when it happened (first present wins).
_WHEN = {
    "Encounter": ("period.start",),
    "EpisodeOfCare": ("period.start",),
    "Condition": ("onsetDateTime", "onsetPeriod.start", "recordedDate"),
    "Observation": ("effectiveDateTime", "effectivePeriod.start", "issued"),
    "MedicationStatement": (
        "effectiveDateTime",
        "effectivePeriod.start",
        "dateAsserted",
    ),
    "CarePlan": ("period.start", "created"),
    "CareTeam": ("period.start",),
    "ServiceRequest": ("occurrenceDateTime", "authoredOn"),
    "Task": ("executionPeriod.start", "authoredOn"),
    "Consent": ("dateTime",),
    "Flag": ("period.start",),
}
_ENDED = {
    "Encounter": "period.end",
    "EpisodeOfCare": "period.end",
    "CarePlan": "period.end",
    "CareTeam": "period.end",
    "Flag": "period.end",
    "MedicationStatement": "effectivePeriod.end",
}
SUBJECT_TYPES = {"EpisodeOfCare": "patient", "Consent": "patient", "Task": "for"}
_CONCEPT = {
    "Encounter": "type",
    "EpisodeOfCare": "type",
    "Condition": "code",
    "Observation": "code",
    "MedicationStatement": "medicationCodeableConcept",
    "CarePlan": "category",
    "CareTeam": "category",
    "ServiceRequest": "code",
    "Task": "code",
    "Consent": "category",
    "Flag": "code",
}
_LABEL = {
    "Encounter": "Contact",
    "EpisodeOfCare": "Episode of care",
    "Condition": "Diagnosis",
    "Observation": "Observation",
    "MedicationStatement": "Medication",
    "CarePlan": "Care plan",
    "CareTeam": "Care team",
    "ServiceRequest": "Referral",
    "Task": "Task",
    "Consent": "Consent",
    "Flag": "Alert",
}


@dataclass
class EventData:
    resource_type: str
    source_system_code: str | None  # from a JoinedUp event identifier
    source_id: str | None
    kind: str | None  # from the event-kind tag
    category: str | None  # from the access-category tag
    occurred_at: dt.datetime | None
    ended_at: dt.datetime | None
    code_system: str
    code: str
    code_display: str
    summary: str
    subject_reference: str
    subject_identifier: tuple[str, str] | None
    detail: dict[str, str] = field(default_factory=dict)


def _concept(
    resource: dict[str, Any], rtype: str, resolve: Resolve | None = None
) -> tuple[str, str, str, str]:
    concept = resource.get(_CONCEPT[rtype])
    reference = path_get(resource, "medicationReference.reference")
    if concept is None and reference and resolve is not None:
        # MedicationStatement.medicationReference: the Medication's code
        # (contained, "#med", or an entry of the bundle).
        medication = resolve(str(reference))
        if medication is not None and medication.get("resourceType") == "Medication":
            concept = medication.get("code")
    if isinstance(concept, list):
        concept = concept[0] if concept else None
    if not isinstance(concept, dict):
        return "", "", "", ""
    codings = concept.get("coding") or []
    coding = next((c for c in codings if c.get("system") == SNOMED), None)
    coding = coding or (codings[0] if codings else {})
    text = str(concept.get("text") or coding.get("display") or "")
    return (
        str(coding.get("system") or "")[:60],
        str(coding.get("code") or "")[:30],
        str(coding.get("display") or text)[:200],
        text,
    )


def event_map(resource: dict[str, Any], resolve: Resolve | None = None) -> EventData:
    """An event resource as a shared-record event. `resolve` finds what a
    reference points to (contained, or elsewhere in the bundle)."""
    rtype = resource["resourceType"]
    system_code = source_id = None
    for ident in resource.get("identifier") or []:
        system = str(ident.get("system") or "")
        if system.startswith(EVENT_ID_BASE) and ident.get("value"):
            system_code, source_id = system[len(EVENT_ID_BASE) :], str(ident["value"])
            break
    if source_id is None:
        idents = resource.get("identifier") or []
        if idents and idents[0].get("value"):
            source_id = f"{rtype}:{idents[0]['value']}"
    kind = category = None
    for tag in path_get(resource, "meta.tag") or []:
        if tag.get("system") == EVENT_KIND_SYSTEM:
            kind = tag.get("code")
        elif tag.get("system") == CATEGORY_SYSTEM:
            category = tag.get("code")
    detail: dict[str, str] = {}
    summary = ""
    for ext in resource.get("extension") or []:
        if ext.get("url") == EVENT_DETAIL_URL:
            for sub in ext.get("extension") or []:
                if sub.get("url") == "summary":
                    summary = str(sub.get("valueString") or "")
                elif sub.get("url"):
                    detail[str(sub["url"])] = str(sub.get("valueString") or "")
    if resource.get("status"):
        detail.setdefault("status", str(resource["status"]))
    occurred = None
    for path in _WHEN[rtype]:
        occurred = when_parse(path_get(resource, path))
        if occurred is not None:
            break
    code_system, code, display, text = _concept(resource, rtype, resolve)
    if not summary:
        title = resource.get("title") or resource.get("description") or text
        summary = f"{_LABEL[rtype]}: {title}" if title else _LABEL[rtype]
    subject = resource.get(SUBJECT_TYPES.get(rtype, "subject")) or {}
    ident = subject.get("identifier") or {}
    return EventData(
        resource_type=rtype,
        source_system_code=system_code,
        source_id=source_id,
        kind=kind,
        category=category,
        occurred_at=occurred,
        ended_at=when_parse(path_get(resource, _ENDED[rtype]))
        if rtype in _ENDED
        else None,
        code_system=code_system,
        code=code,
        code_display=display,
        summary=summary[:300],
        subject_reference=str(subject.get("reference") or ""),
        subject_identifier=(
            (str(ident["system"]), str(ident["value"]))
            if ident.get("system") and ident.get("value")
            else None
        ),
        detail=detail,
    )
