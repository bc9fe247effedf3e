"""FHIR search parameters: which each resource type supports, and parsing them.
Pure functions (no database): every problem raises InvalidInput naming the
parameter, which the API answers as a 400 OperationOutcome."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from joinedup.errors import InvalidInput, NotFound
from joinedup.people.models import normalise_name
from joinedup.people.nhs_number import NHS_NUMBER_SYSTEM, nhs_number_parse
from joinedup.people.search import SearchQuery

SEARCH_COUNT_DEFAULT = 50
SEARCH_COUNT_MAX = 100
# $everything returns a whole record in one response for all but the longest
# histories (the benchmark's 500 resources fit in one page); longer ones page.
EVERYTHING_COUNT_DEFAULT = 1000
EVERYTHING_COUNT_MAX = 1000

# Parameters every search accepts. _format is accepted and ignored: we answer JSON.
COMMON_PARAMS = {"_count": "number", "_page": "number", "_format": "string"}
_PATIENT_REFERENCE = {
    "patient": "reference",
    "subject": "reference",
}
# Per resource type: name -> FHIR search parameter type (the CapabilityStatement
# lists exactly these).
PATIENT_PARAMS = {
    "identifier": "token",
    "family": "string",
    "given": "string",
    "birthdate": "date",
}
EVENT_PARAMS = {**_PATIENT_REFERENCE, "_lastUpdated": "date"}
CARE_TEAM_PARAMS = dict(_PATIENT_REFERENCE)
ORGANIZATION_PARAMS = {"identifier": "token", "name": "string"}
PRACTITIONER_PARAMS = {"identifier": "token"}


class NotSupported(NotFound):
    """A FHIR resource type or interaction this server does not offer."""

    code = "not_supported"


@dataclass(frozen=True)
class Paging:
    page: int
    count: int

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.count


def params_check(
    params: Mapping[str, Sequence[str]], supported: Mapping[str, str]
) -> None:
    """Refuse unknown parameters (naming them) and repeats of single parameters."""
    unknown = sorted(p for p in params if p not in supported and p not in COMMON_PARAMS)
    if unknown:
        allowed = ", ".join(sorted({*supported, "_count", "_page"}))
        raise InvalidInput(
            f"unknown search parameter {', '.join(unknown)}; supported: {allowed}",
            fields=dict.fromkeys(unknown, "unknown search parameter"),
        )
    for name, values in params.items():
        if len(values) > 1 and name != "_lastUpdated":
            raise InvalidInput.for_field(name, "give this parameter once")
        if any(not v for v in values):
            raise InvalidInput.for_field(name, "must not be empty")


def _one(params: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = params.get(name)
    return values[0] if values else None


def paging_parse(
    params: Mapping[str, Sequence[str]], *, default: int, maximum: int
) -> Paging:
    def number(name: str, fallback: int, top: int) -> int:
        raw = _one(params, name)
        if raw is None:
            return fallback
        if not raw.isdigit() or not 1 <= int(raw) <= top:
            raise InvalidInput.for_field(name, f"must be a whole number 1 to {top}")
        return int(raw)

    return Paging(
        page=number("_page", 1, 1_000_000), count=number("_count", default, maximum)
    )


def patient_reference_parse(params: Mapping[str, Sequence[str]]) -> int:
    """The person id in `patient=` (or `subject=`): "123" or "Patient/123".
    Required: searches across people are not direct care."""
    name = "patient" if "patient" in params else "subject"
    raw = _one(params, name)
    if raw is None:
        raise InvalidInput.for_field(
            "patient",
            "the patient parameter is required (population-level searches are "
            "not direct care)",
        )
    value = raw.removeprefix("Patient/")
    if not value.isdigit():
        raise InvalidInput.for_field(name, "must be a Patient id, e.g. Patient/123")
    return int(value)


def token_parse(raw: str) -> tuple[str | None, str]:
    """A token search value: "system|code", "|code" (no system) or "code" (any)."""
    if "|" in raw:
        system, _, code = raw.partition("|")
        return system, code
    return None, raw


def patient_query_parse(params: Mapping[str, Sequence[str]]) -> SearchQuery:
    """identifier (NHS number), family, given, birthdate -> the person search."""
    nhs_number = None
    if (raw := _one(params, "identifier")) is not None:
        system, value = token_parse(raw)
        if system not in (None, NHS_NUMBER_SYSTEM):
            raise InvalidInput.for_field(
                "identifier", f"only the system {NHS_NUMBER_SYSTEM} can be searched"
            )
        try:
            nhs_number = nhs_number_parse(value)
        except ValueError as exc:
            raise InvalidInput.for_field("identifier", str(exc)) from None
    birth_date = None
    if (raw := _one(params, "birthdate")) is not None:
        value = raw.removeprefix("eq")
        try:
            birth_date = dt.date.fromisoformat(value)
        except ValueError:
            raise InvalidInput.for_field(
                "birthdate",
                "must be an exact date YYYY-MM-DD (optionally eqYYYY-MM-DD)",
            ) from None
        if len(value) != 10:
            raise InvalidInput.for_field("birthdate", "must be YYYY-MM-DD")
    family = normalise_name(_one(params, "family") or "")
    given = normalise_name(_one(params, "given") or "")
    query = SearchQuery(
        nhs_number=nhs_number, birth_date=birth_date, family=family, given=given
    )
    if query.is_empty:
        raise InvalidInput(
            "give at least one of identifier, family, given, birthdate",
            fields={"identifier": "give at least one search parameter"},
        )
    return query


_DATE_PREFIXES = ("eq", "ge", "gt", "le", "lt")
_DATETIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:\d{2})$"
)


def _date_range(
    value: str, *, name: str, tz: dt.tzinfo
) -> tuple[dt.datetime, dt.datetime]:
    """The instants [start, end) a FHIR date/dateTime value covers at its precision."""
    problem = "must be YYYY, YYYY-MM, YYYY-MM-DD or a dateTime with a time zone"
    try:
        if len(value) == 4 and value.isdigit():
            start = dt.datetime(int(value), 1, 1, tzinfo=tz)
            return start, start.replace(year=start.year + 1)
        if len(value) == 7:
            start = dt.datetime.strptime(value, "%Y-%m").replace(tzinfo=tz)
            nxt = (start + dt.timedelta(days=32)).replace(day=1)
            return start, nxt
        if len(value) == 10:
            start = dt.datetime.combine(dt.date.fromisoformat(value), dt.time(), tz)
            return start, start + dt.timedelta(days=1)
        if _DATETIME.match(value):
            moment = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            step = dt.timedelta(seconds=1 if value.count(":") >= 3 else 60)
            return moment, moment + step
    except ValueError:
        pass
    raise InvalidInput.for_field(name, problem)


def date_filters_parse(
    values: Sequence[str], *, name: str, tz: dt.tzinfo
) -> list[tuple[str, dt.datetime]]:
    """FHIR date search (eq/ge/gt/le/lt) -> Django lookups, e.g. [("gte", t)]."""
    lookups: list[tuple[str, dt.datetime]] = []
    for raw in values:
        prefix, value = ("eq", raw)
        if raw[:2] in _DATE_PREFIXES:
            prefix, value = raw[:2], raw[2:]
        elif raw[:2].isalpha():
            raise InvalidInput.for_field(
                name, f"prefix {raw[:2]!r} is not supported (use eq, ge, gt, le, lt)"
            )
        start, end = _date_range(value, name=name, tz=tz)
        if prefix == "eq":
            lookups += [("gte", start), ("lt", end)]
        elif prefix == "ge":
            lookups.append(("gte", start))
        elif prefix == "gt":
            lookups.append(("gte", end))
        elif prefix == "le":
            lookups.append(("lt", end))
        else:
            lookups.append(("lt", start))
    return lookups
