"""FHIR R4 resources in: validation with `fhir.resources` (R4B models) and the
translation of validated resources (as plain dicts) into person-index demographics
and shared-record events. No database here: ingest.py resolves and writes.

Supported (DESIGN 4.8): Patient (UK Core, NHS number identifier), Encounter,
EpisodeOfCare, Condition, Observation, MedicationStatement, CarePlan, CareTeam,
ServiceRequest, Task, Consent, Flag."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from dataclasses import dataclass, field
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from pydantic import ValidationError

from joinedup.people.nhs_number import NHS_NUMBER_SYSTEM, nhs_number_check_digit

EVENT_ID_BASE = "https://fhir.joinedup.example/Id/event/"
EVENT_KIND_SYSTEM = "https://fhir.joinedup.example/CodeSystem/event-kind"
CATEGORY_SYSTEM = "https://fhir.joinedup.example/CodeSystem/access-category"
EVENT_DETAIL_URL = "https://fhir.joinedup.example/StructureDefinition/event-detail"
NHS_STATUS_URL = (
    "https://fhir.hl7.org.uk/StructureDefinition/"
    "Extension-UKCore-NHSNumberVerificationStatus"
)
ODS_SYSTEM = "https://fhir.nhs.uk/Id/ods-organization-code"
SNOMED = "http://snomed.info/sct"
LOCAL_TZ = zoneinfo.ZoneInfo("Europe/London")

EVENT_TYPES = (
    "Encounter",
    "EpisodeOfCare",
    "Condition",
    "Observation",
    "MedicationStatement",
    "CarePlan",
    "CareTeam",
    "ServiceRequest",
    "Task",
    "Consent",
    "Flag",
)
SUPPORTED = frozenset({"Patient", *EVENT_TYPES})
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
_SUBJECT = {"EpisodeOfCare": "patient", "Consent": "patient", "Task": "for"}
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


class FhirProblem(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def resource_validate(resource: Any, where: str) -> None:
    """Validate one resource with its fhir.resources R4B model. The reason names the
    element paths and problems, never the values sent."""
    if not isinstance(resource, dict):
        raise FhirProblem(f"{where}: a resource must be a JSON object")
    rtype = resource.get("resourceType")
    if rtype not in SUPPORTED:
        raise FhirProblem(
            f"{where}: resource type {str(rtype)[:40]!r} is not supported; "
            "supported: " + ", ".join(sorted(SUPPORTED))
        )
    try:
        get_fhir_model_class(rtype).model_validate(resource)
    except ValidationError as exc:
        problems = []
        for err in exc.errors(include_input=False, include_url=False)[:5]:
            loc = ".".join(str(p) for p in err.get("loc", ()) if p != "__root__")
            problems.append(f"{loc or rtype}: {err.get('msg', 'not valid')}")
        raise FhirProblem(f"{where} ({rtype}): " + "; ".join(problems)) from None
    except (ValueError, TypeError) as exc:  # fhir.resources raises a few of these
        raise FhirProblem(f"{where} ({rtype}): {type(exc).__name__}") from None


def _get(resource: dict[str, Any], path: str) -> Any:
    value: Any = resource
    for part in path.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def when_parse(value: Any) -> dt.datetime | None:
    """A FHIR date, dateTime or instant as an aware datetime (dates at midnight,
    local time where no offset is given)."""
    if not isinstance(value, str) or not value:
        return None
    text = value.replace("Z", "+00:00")
    try:
        if len(text) == 4:
            moment = dt.datetime(int(text), 1, 1)  # noqa: DTZ001
        elif len(text) == 7:
            moment = dt.datetime(int(text[:4]), int(text[5:7]), 1)  # noqa: DTZ001
        else:
            moment = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=LOCAL_TZ)
    return moment


@dataclass(frozen=True)
class PatientData:
    identifiers: list[tuple[str, str]]  # (system, value), NHS number excluded
    nhs_number: str | None
    nhs_number_status: str
    given_name: str
    family_name: str
    birth_date: dt.date
    sex: str
    address_line: str
    postcode: str
    phone: str
    gp_practice_code: str | None


def patient_map(resource: dict[str, Any], where: str) -> PatientData:
    nhs_number: str | None = None
    status = "07"
    identifiers: list[tuple[str, str]] = []
    for ident in resource.get("identifier") or []:
        system, value = ident.get("system", ""), str(ident.get("value", "")).strip()
        if not value:
            continue
        if system == NHS_NUMBER_SYSTEM:
            if not (value.isdigit() and len(value) == 10):
                raise FhirProblem(f"{where} (Patient): NHS number must be 10 digits")
            check = nhs_number_check_digit(value[:9])
            if check is None or check != int(value[9]):
                raise FhirProblem(
                    f"{where} (Patient): NHS number fails the Modulus 11 check digit "
                    "(DESIGN 4.1)"
                )
            nhs_number, status = value, "02"
            for ext in ident.get("extension") or []:
                if ext.get("url") == NHS_STATUS_URL:
                    codings = _get(ext, "valueCodeableConcept.coding") or []
                    if codings and codings[0].get("code"):
                        status = str(codings[0]["code"])
            if status not in {f"0{n}" for n in range(1, 9)}:
                raise FhirProblem(
                    f"{where} (Patient): NHS number verification status must be 01-08"
                )
        elif system:
            identifiers.append((system, value))
    names = resource.get("name") or []
    name = next(
        (n for n in names if n.get("use") == "official"), names[0] if names else {}
    )
    family = str(name.get("family") or "")
    given = " ".join(name.get("given") or [])
    if not family and not given:
        raise FhirProblem(f"{where} (Patient): a name is required")
    born = when_parse(resource.get("birthDate"))
    if born is None:
        raise FhirProblem(f"{where} (Patient): birthDate is required")
    gender = resource.get("gender") or "unknown"
    if gender not in ("male", "female", "other", "unknown"):
        raise FhirProblem(
            f"{where} (Patient): gender must be male, female, other or unknown"
        )
    address = (resource.get("address") or [{}])[0]
    phone = next(
        (t.get("value", "") for t in resource.get("telecom") or []
         if t.get("system") == "phone"),
        "",
    )  # fmt: skip
    gp = None
    for ref in resource.get("generalPractitioner") or []:
        ident = ref.get("identifier") or {}
        if ident.get("system") == ODS_SYSTEM and ident.get("value"):
            gp = str(ident["value"])
    return PatientData(
        identifiers=identifiers,
        nhs_number=nhs_number,
        nhs_number_status=status,
        given_name=given[:100],
        family_name=family[:100],
        birth_date=born.date(),
        sex=gender,
        address_line=", ".join(address.get("line") or [])[:300],
        postcode=str(address.get("postalCode") or "")[:10],
        phone=str(phone)[:30],
        gp_practice_code=gp,
    )


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


def _concept(resource: dict[str, Any], rtype: str) -> tuple[str, str, str, str]:
    concept = resource.get(_CONCEPT[rtype])
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


def event_map(resource: dict[str, Any]) -> EventData:
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
    for tag in _get(resource, "meta.tag") or []:
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
        occurred = when_parse(_get(resource, path))
        if occurred is not None:
            break
    code_system, code, display, text = _concept(resource, rtype)
    if not summary:
        title = resource.get("title") or resource.get("description") or text
        summary = f"{_LABEL[rtype]}: {title}" if title else _LABEL[rtype]
    subject = resource.get(_SUBJECT.get(rtype, "subject")) or {}
    ident = subject.get("identifier") or {}
    return EventData(
        resource_type=rtype,
        source_system_code=system_code,
        source_id=source_id,
        kind=kind,
        category=category,
        occurred_at=occurred,
        ended_at=when_parse(_get(resource, _ENDED[rtype])) if rtype in _ENDED else None,
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


def bundle_lines_validate(lines: list[str]) -> list[list[str | None] | None]:
    """Validate every entry's resource of NDJSON lines holding a Bundle each, with
    `resource_validate` (no database: runs in a worker process for file ingest).
    Per line, the reason per entry (None: valid), or None when the line is not a
    Bundle with a list of entries (the caller then handles it in full)."""
    out: list[list[str | None] | None] = []
    for line in lines:
        try:
            data = json.loads(line)
        except ValueError:
            out.append(None)
            continue
        if not isinstance(data, dict) or data.get("resourceType") != "Bundle":
            out.append(None)
            continue
        entries = data.get("entry")
        if not isinstance(entries, list):
            out.append(None)
            continue
        reasons: list[str | None] = []
        for i, entry in enumerate(entries, start=1):
            res = entry.get("resource") if isinstance(entry, dict) else None
            try:
                resource_validate(res, f"entry {i}")
                reasons.append(None)
            except FhirProblem as problem:
                reasons.append(problem.reason)
        out.append(reasons)
    return out
