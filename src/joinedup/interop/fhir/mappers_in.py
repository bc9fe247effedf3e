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

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.resource import Resource
from pydantic import ValidationError

from joinedup.interop.fhir import uk_core

EVENT_ID_BASE = "https://fhir.joinedup.example/Id/event/"
EVENT_KIND_SYSTEM = "https://fhir.joinedup.example/CodeSystem/event-kind"
CATEGORY_SYSTEM = "https://fhir.joinedup.example/CodeSystem/access-category"
EVENT_DETAIL_URL = "https://fhir.joinedup.example/StructureDefinition/event-detail"
NHS_STATUS_URL = uk_core.NHS_STATUS_URL
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
# R4 resource types that R4B (the fhir.resources models) no longer has.
_R4_ONLY = frozenset({
    "EffectEvidenceSynthesis", "RiskEvidenceSynthesis", "MedicinalProduct",
    "MedicinalProductAuthorization", "MedicinalProductContraindication",
    "MedicinalProductIndication", "MedicinalProductIngredient",
    "MedicinalProductInteraction", "MedicinalProductManufactured",
    "MedicinalProductPackaged", "MedicinalProductPharmaceutical",
    "MedicinalProductUndesirableEffect", "SubstanceNucleicAcid", "SubstancePolymer",
    "SubstanceProtein", "SubstanceReferenceInformation", "SubstanceSourceMaterial",
    "SubstanceSpecification",
})  # fmt: skip
Resolve = Callable[[str], "dict[str, Any] | None"]
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


def is_resource_type(name: Any) -> bool:
    """Whether `name` is a FHIR R4 resource type (not a datatype, not abstract)."""
    if not isinstance(name, str) or not name:
        return False
    if name in _R4_ONLY:
        return True
    if name in ("Resource", "DomainResource"):
        return False
    try:
        model = get_fhir_model_class(name)
    except (ValueError, KeyError, AttributeError):
        return False
    return isinstance(model, type) and issubclass(model, Resource)


def _modifier_extensions(value: Any, path: str) -> Iterator[tuple[str, str]]:
    """(element path, url) of every modifier extension, contained resources and
    the narrative left out."""
    if isinstance(value, dict):
        for key, item in value.items():
            if key in ("contained", "text"):
                continue
            if key == "modifierExtension" and isinstance(item, list):
                for ext in item:
                    url = ext.get("url") if isinstance(ext, dict) else None
                    yield path, str(url or "")[:120]
            else:
                yield from _modifier_extensions(item, f"{path}.{key}")
    elif isinstance(value, list):
        for item in value:
            yield from _modifier_extensions(item, path)


def resource_validate(resource: Any, where: str) -> bool:
    """Validate one resource with its fhir.resources R4B model: True when JoinedUp
    maps it (validated in full), False when it is a FHIR resource JoinedUp does not
    map (ignored, checked no further). The reason names the element paths and
    problems, never the values sent."""
    if not isinstance(resource, dict):
        raise FhirProblem(f"{where}: a resource must be a JSON object")
    rtype = resource.get("resourceType")
    if rtype not in SUPPORTED:
        if is_resource_type(rtype):
            return False
        raise FhirProblem(
            f"{where}: {str(rtype)[:40]!r} is not a FHIR R4 resource type "
            "(resourceType); JoinedUp maps " + ", ".join(sorted(SUPPORTED))
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
    for path, url in _modifier_extensions(resource, rtype):
        raise FhirProblem(
            f"{where} ({rtype}): {path}.modifierExtension {url!r} changes the "
            "meaning of the resource and JoinedUp does not know it, so the "
            "resource cannot be read safely"
        )
    return True


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
    ethnic_category: str = ""


def _current(items: list[Any], uses: tuple[str, ...]) -> dict[str, Any]:
    """The first item in force (no period end) by order of `use`, else the first
    that is not old, else the first."""
    items = [i for i in items if isinstance(i, dict)]
    live = [i for i in items if not _get(i, "period.end") and i.get("use") != "old"]
    for use in uses:
        for item in live:
            if item.get("use") == use:
                return item
    return (live or items or [{}])[0]


def _ods_code(identifier: Any) -> str | None:
    if isinstance(identifier, dict) and identifier.get("system") == ODS_SYSTEM:
        return str(identifier.get("value") or "") or None
    return None


def _gp_practice(resource: dict[str, Any], resolve: Resolve | None) -> str | None:
    """The ODS code of the registered GP practice: a generalPractitioner naming
    it by identifier, or referring to an Organization (contained or in the
    bundle) that carries it."""
    gp = None
    for ref in resource.get("generalPractitioner") or []:
        if not isinstance(ref, dict):
            continue
        code = _ods_code(ref.get("identifier"))
        if code is None and resolve is not None and ref.get("reference"):
            target = resolve(str(ref["reference"]))
            if target is not None and target.get("resourceType") == "Organization":
                code = next(
                    filter(None, map(_ods_code, target.get("identifier") or [])),
                    None,
                )
        gp = code or gp
    return gp


def patient_map(
    resource: dict[str, Any], where: str, resolve: Resolve | None = None
) -> PatientData:
    """A UK Core Patient as person-index demographics. `resolve` finds what a
    reference points to (contained, or elsewhere in the bundle)."""
    nhs_number: str | None = None
    status = "07"
    identifiers: list[tuple[str, str]] = []
    try:
        for ident in resource.get("identifier") or []:
            system, value = ident.get("system", ""), str(ident.get("value", "")).strip()
            if not value:
                continue
            if uk_core.is_nhs_number(ident):
                nhs_number, status = uk_core.nhs_number_of(ident)
            elif system:
                identifiers.append((system, value))
        ethnic_category = uk_core.ethnic_category_of(resource)
    except uk_core.UkCoreProblem as problem:
        raise FhirProblem(f"{where} (Patient): {problem}") from None
    name = _current(resource.get("name") or [], ("official", "usual"))
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
    address = _current(resource.get("address") or [], ("home", "temp"))
    phone = next(
        (t.get("value", "") for t in resource.get("telecom") or []
         if t.get("system") == "phone" and not _get(t, "period.end")),
        "",
    )  # fmt: skip
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
        gp_practice_code=_gp_practice(resource, resolve),
        ethnic_category=ethnic_category,
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


def _concept(
    resource: dict[str, Any], rtype: str, resolve: Resolve | None = None
) -> tuple[str, str, str, str]:
    concept = resource.get(_CONCEPT[rtype])
    reference = _get(resource, "medicationReference.reference")
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
    code_system, code, display, text = _concept(resource, rtype, resolve)
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
