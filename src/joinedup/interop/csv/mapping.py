"""Declared column mappings of council social care CSV extracts, one YAML file per
source system under interop/csv/mappings/<source>.yaml, and the validation of one
row against them (pure: no database)."""

from __future__ import annotations

import datetime as dt
import functools
import pathlib
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from django.utils import timezone

from joinedup.errors import InvalidInput
from joinedup.people.nhs_number import nhs_number_check_digit

MAPPINGS_DIR = pathlib.Path(__file__).resolve().parent / "mappings"

# The fields each kind of record has, and which of them must be filled in.
RECORD_FIELDS: dict[str, tuple[set[str], set[str]]] = {
    "client": (
        {"local_id", "nhs_number", "nhs_number_status", "given_name", "family_name",
         "birth_date", "sex", "address_line", "postcode", "phone"},
        {"local_id", "family_name", "birth_date"},
    ),
    "assessment": (
        {"source_id", "local_id", "assessment_type", "started", "completed",
         "outcome"},
        {"source_id", "local_id", "assessment_type", "started"},
    ),
    "service": (
        {"source_id", "local_id", "service_type", "start_date", "end_date",
         "weekly_hours", "weekly_cost"},
        {"source_id", "local_id", "service_type", "start_date"},
    ),
    "safeguarding": (
        {"source_id", "local_id", "raised", "outcome"},
        {"source_id", "local_id", "raised"},
    ),
}  # fmt: skip
DATE_FIELDS = {"birth_date", "started", "completed", "start_date", "end_date", "raised"}
DECIMAL_FIELDS = {"weekly_hours", "weekly_cost"}
_NHS_STATUSES = {f"0{n}" for n in range(1, 9)}
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]? ?[0-9][A-Z]{2}$")


@dataclass(frozen=True)
class FileMapping:
    file_name: str
    record: str  # client | assessment | service | safeguarding
    columns: dict[str, str]  # our field -> their column
    values: dict[str, dict[str, str]]  # our field -> their value -> ours


@dataclass(frozen=True)
class SourceMapping:
    source_system: str
    date_format: str
    files: dict[str, FileMapping]

    def for_file(self, name: str) -> FileMapping | None:
        return self.files.get(name)


class RowProblem(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def mapping_sources() -> list[str]:
    return sorted(p.stem for p in MAPPINGS_DIR.glob("*.yaml"))


@functools.cache
def mapping_load(source: str) -> SourceMapping:
    """The declared mapping of a source system; InvalidInput when there is none or
    it is not well formed."""
    path = MAPPINGS_DIR / f"{source}.yaml"
    if not re.fullmatch(r"[a-z0-9-]+", source) or not path.exists():
        raise InvalidInput.for_field(
            "source",
            f"no CSV column mapping for source {source!r}; known: "
            + ", ".join(mapping_sources()),
        )
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        files: dict[str, FileMapping] = {}
        for name, spec in data["files"].items():
            record = spec["record"]
            allowed, required = RECORD_FIELDS[record]
            columns = {str(k): str(v) for k, v in spec["columns"].items()}
            unknown = set(columns) - allowed
            missing = required - set(columns)
            if unknown or missing:
                raise ValueError(f"{name}: unknown {unknown or ''} missing {missing}")
            values = {
                str(f): {str(a): str(b) for a, b in (m or {}).items()}
                for f, m in (spec.get("values") or {}).items()
            }
            files[str(name)] = FileMapping(str(name), record, columns, values)
        return SourceMapping(
            source_system=str(data["source_system"]),
            date_format=str(data.get("date_format", "%Y-%m-%d")),
            files=files,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InvalidInput(f"CSV mapping {path.name} is not valid: {exc}") from None


def header_check(mapping: FileMapping, header: list[str]) -> None:
    """RowProblem naming the mapped columns the file does not have."""
    missing = [c for c in mapping.columns.values() if c not in header]
    if missing:
        raise RowProblem(
            f"missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)} "
            f"(the {mapping.file_name} mapping needs them)"
        )


def row_validate(
    mapping: FileMapping, row: dict[str, str], *, date_format: str
) -> dict[str, Any]:
    """Our fields from one row, typed; RowProblem with every problem found. Reasons
    name the column, never its value (it may be personal data)."""
    _, required = RECORD_FIELDS[mapping.record]
    out: dict[str, Any] = {}
    problems: list[str] = []
    for field, column in mapping.columns.items():
        raw = (row.get(column) or "").strip()
        if "\x00" in raw:
            problems.append(f"{column} contains NUL characters")
            continue
        if field in mapping.values:
            table = mapping.values[field]
            if raw not in table:
                problems.append(
                    f"{column}: not one of {', '.join(repr(k) for k in table if k)}"
                )
                continue
            raw = table[raw]
        if not raw:
            if field in required:
                problems.append(f"{column} is empty")
            out[field] = None if field in DATE_FIELDS | DECIMAL_FIELDS else ""
            continue
        if field in DATE_FIELDS:
            try:
                parsed = dt.datetime.strptime(raw, date_format)  # noqa: DTZ007
                out[field] = parsed.date()
            except ValueError:
                shown = date_format.replace("%d", "DD").replace("%m", "MM")
                problems.append(
                    f"{column} is not a valid date ({shown.replace('%Y', 'YYYY')})"
                )
                continue
        elif field in DECIMAL_FIELDS:
            try:
                value = Decimal(raw.replace(",", "").lstrip("£"))
                if value < 0 or not value.is_finite():
                    raise InvalidOperation
                out[field] = value
            except InvalidOperation:
                problems.append(f"{column} is not a non-negative number")
                continue
        elif field == "nhs_number":
            digits = raw.replace(" ", "").replace("-", "")
            if not digits.isdigit() or len(digits) != 10:
                problems.append(f"{column} must be 10 digits")
                continue
            check = nhs_number_check_digit(digits[:9])
            if check is None or check != int(digits[9]):
                problems.append(
                    f"{column} fails the Modulus 11 check digit (DESIGN 4.1)"
                )
                continue
            out[field] = digits
        elif field == "nhs_number_status":
            if raw.zfill(2) not in _NHS_STATUSES:
                problems.append(f"{column} must be a verification status 01-08")
                continue
            out[field] = raw.zfill(2)
        elif field == "postcode":
            postcode = raw.upper()
            if not _POSTCODE.match(postcode):
                problems.append(f"{column} is not a UK postcode")
                continue
            out[field] = postcode
        else:
            out[field] = raw
    if not problems:
        problems += _cross_checks(mapping.record, out, mapping.columns)
    if problems:
        raise RowProblem("; ".join(problems))
    return out


def _cross_checks(
    record: str, out: dict[str, Any], columns: dict[str, str]
) -> list[str]:
    problems: list[str] = []
    for start, end in (("started", "completed"), ("start_date", "end_date")):
        if out.get(start) and out.get(end) and out[end] < out[start]:
            problems.append(f"{columns[end]} is before {columns[start]}")
    if record == "client":
        born = out.get("birth_date")
        if born and (born.year < 1880 or born > timezone.localdate()):
            problems.append(f"{columns['birth_date']} is not a plausible date of birth")
        if out.get("nhs_number") and not out.get("nhs_number_status"):
            out["nhs_number_status"] = "02"
        if not out.get("nhs_number"):
            out["nhs_number_status"] = "07"
    return problems
