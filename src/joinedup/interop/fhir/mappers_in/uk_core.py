"""UK Core Patient in: the NHS number with its verification status (an
extension on the identifier) and the ethnic category (an extension on the
Patient). Plain dicts in, values for the person index out; no database and no
Django models (this runs in validation worker processes too)."""

from __future__ import annotations

from typing import Any

from joinedup.people.nhs_number import NHS_NUMBER_SYSTEM, nhs_number_check_digit

UK_CORE = "https://fhir.hl7.org.uk/StructureDefinition/"
NHS_STATUS_URL = UK_CORE + "Extension-UKCore-NHSNumberVerificationStatus"
NHS_STATUS_SYSTEM = (
    "https://fhir.hl7.org.uk/CodeSystem/UKCore-NHSNumberVerificationStatusEngland"
)
ETHNIC_CATEGORY_URL = UK_CORE + "Extension-UKCore-EthnicCategory"
ETHNIC_CATEGORY_SYSTEM = (
    "https://fhir.hl7.org.uk/CodeSystem/UKCore-EthnicCategoryEngland"
)
# The codes of people.models.NhsNumberStatus and people.models.EthnicCategory.
NOT_TRACED = "02"
_STATUSES = frozenset(f"0{n}" for n in range(1, 9))
_ETHNIC_CATEGORIES = frozenset("ABCDEFGHJKLMNPRSZ") | {"99"}


class UkCoreProblem(ValueError):
    """What is wrong, naming the element; never the value sent."""


def _codings(extension: dict[str, Any]) -> list[dict[str, Any]]:
    concept = extension.get("valueCodeableConcept")
    codings = concept.get("coding") if isinstance(concept, dict) else None
    return [c for c in codings or [] if isinstance(c, dict)]


def _extensions(element: dict[str, Any], url: str) -> list[dict[str, Any]]:
    return [
        e
        for e in element.get("extension") or []
        if isinstance(e, dict) and e.get("url") == url
    ]


def nhs_number_of(identifier: dict[str, Any]) -> tuple[str, str]:
    """The NHS number of a UK Core NHS number identifier and its verification
    status (DESIGN 4.1): Modulus 11 checked; the status from the
    NHSNumberVerificationStatus extension (the England code system's coding
    first), "02" (present but not traced) when the sender says nothing."""
    value = str(identifier.get("value", "")).replace(" ", "")
    if not (value.isdigit() and len(value) == 10):
        raise UkCoreProblem("NHS number must be 10 digits")
    check = nhs_number_check_digit(value[:9])
    if check is None or check != int(value[9]):
        raise UkCoreProblem("NHS number fails the Modulus 11 check digit (DESIGN 4.1)")
    status = NOT_TRACED
    for extension in _extensions(identifier, NHS_STATUS_URL):
        codings = _codings(extension)
        coding = next(
            (c for c in codings if c.get("system") == NHS_STATUS_SYSTEM),
            codings[0] if codings else None,
        )
        if coding is None or not coding.get("code"):
            raise UkCoreProblem(
                "identifier.extension (NHSNumberVerificationStatus) needs a "
                "valueCodeableConcept with a code"
            )
        status = str(coding["code"])
    if status not in _STATUSES:
        raise UkCoreProblem(
            "NHS number verification status must be 01-08 (UKCore-"
            "NHSNumberVerificationStatusEngland)"
        )
    return value, status


def ethnic_category_of(patient: dict[str, Any]) -> str:
    """The ethnic category of a UK Core Patient (NHS Data Dictionary ETHNIC
    CATEGORY), "" when none is given or it is coded only in another code
    system (e.g. SNOMED CT), which JoinedUp does not translate."""
    found = ""
    for extension in _extensions(patient, ETHNIC_CATEGORY_URL):
        for coding in _codings(extension):
            if coding.get("system") != ETHNIC_CATEGORY_SYSTEM:
                continue
            code = str(coding.get("code") or "")
            if code not in _ETHNIC_CATEGORIES:
                raise UkCoreProblem(
                    "extension (EthnicCategory): the code is not in "
                    "UKCore-EthnicCategoryEngland (A-H, J-N, P, R, S, Z, 99)"
                )
            if found and found != code:
                raise UkCoreProblem(
                    "extension (EthnicCategory): two different ethnic categories"
                )
            found = code
    return found


def is_nhs_number(identifier: dict[str, Any]) -> bool:
    return identifier.get("system") == NHS_NUMBER_SYSTEM
