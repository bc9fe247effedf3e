"""UK Core Patient in: person-index demographics from a validated Patient (as a
plain dict). No database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from joinedup.interop.fhir.mappers_in import uk_core
from joinedup.interop.fhir.mappers_in.base import (
    ODS_SYSTEM,
    FhirProblem,
    Resolve,
    path_get,
    when_parse,
)


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
    live = [i for i in items if not path_get(i, "period.end") and i.get("use") != "old"]
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
         if t.get("system") == "phone" and not path_get(t, "period.end")),
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
