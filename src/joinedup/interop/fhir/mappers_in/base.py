"""What every FHIR-in mapper shares: the JoinedUp code systems, the resource
types mapped, validation with `fhir.resources` (R4B models), dates. No database
and no Django models: `resource_validate` and `bundle_lines_validate` run in
validation worker processes too."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from collections.abc import Callable, Iterator
from typing import Any

from fhir.resources.R4B import get_fhir_model_class
from fhir.resources.R4B.resource import Resource
from pydantic import ValidationError

from joinedup.interop.fhir.mappers_in import uk_core

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


def path_get(resource: dict[str, Any], path: str) -> Any:
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
