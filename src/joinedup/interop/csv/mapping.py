"""Declared column mappings of council social care CSV extracts, one YAML file per
source system under interop/csv/mappings/<source>.yaml (or in the folder
JOINEDUP_CSV_MAPPINGS_DIR names, which is looked in first), and the validation of
one row against them (pure: no database).

How a file is read is declared too, for the source and, where one file differs,
for that file: `encoding` (default utf-8; a byte order mark always wins),
`delimiter` (default ","), `date_format` (default "%Y-%m-%d"; a list of formats is
tried in order). Columns of optional fields may be absent from a file and values
of optional fields may be empty: they are then missing, never a refusal."""

from __future__ import annotations

import codecs
import datetime as dt
import functools
import pathlib
import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import yaml
from django.conf import settings
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


DEFAULT_ENCODING = "utf-8"
DEFAULT_DELIMITER = ","
DEFAULT_DATE_FORMAT = "%Y-%m-%d"


@dataclass(frozen=True)
class FileMapping:
    file_name: str
    record: str  # client | assessment | service | safeguarding
    columns: dict[str, str]  # our field -> their column
    values: dict[str, dict[str, str]]  # our field -> their value -> ours
    encoding: str = DEFAULT_ENCODING
    delimiter: str = DEFAULT_DELIMITER
    date_formats: tuple[str, ...] = (DEFAULT_DATE_FORMAT,)


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


def _mapping_dirs() -> list[pathlib.Path]:
    extra = getattr(settings, "JOINEDUP_CSV_MAPPINGS_DIR", "") or ""
    return [*([pathlib.Path(extra)] if extra else []), MAPPINGS_DIR]


def mapping_sources() -> list[str]:
    return sorted({p.stem for d in _mapping_dirs() for p in d.glob("*.yaml")})


def mapping_load(source: str) -> SourceMapping:
    """The declared mapping of a source system; InvalidInput when there is none or
    it is not well formed."""
    if re.fullmatch(r"[a-z0-9-]+", source):
        for folder in _mapping_dirs():
            path = folder / f"{source}.yaml"
            if path.exists():
                return _mapping_read(str(path))
    raise InvalidInput.for_field(
        "source",
        f"no CSV column mapping for source {source!r}; known: "
        + ", ".join(mapping_sources()),
    )


def _encoding(value: Any, default: str) -> str:
    if value is None:
        return default
    try:
        return codecs.lookup(str(value)).name
    except LookupError:
        raise ValueError(f"encoding {value!r} is not one Python knows") from None


def _delimiter(value: Any, default: str) -> str:
    if value is None:
        return default
    text = "\t" if value in ("\\t", "tab") else str(value)
    if len(text) != 1 or text in '"\r\n':
        raise ValueError(f"delimiter must be one character, not {value!r}")
    return text


def _date_formats(value: Any, default: tuple[str, ...]) -> tuple[str, ...]:
    if value is None:
        return default
    formats = tuple(str(v) for v in (value if isinstance(value, list) else [value]))
    if not formats or not all("%" in f for f in formats):
        raise ValueError(f"date_format {value!r} is not a strptime format")
    return formats


@functools.cache
def _mapping_read(path_text: str) -> SourceMapping:
    path = pathlib.Path(path_text)
    data: Any = yaml.safe_load(path.read_text(encoding="utf-8"))
    try:
        encoding = _encoding(data.get("encoding"), DEFAULT_ENCODING)
        delimiter = _delimiter(data.get("delimiter"), DEFAULT_DELIMITER)
        date_formats = _date_formats(data.get("date_format"), (DEFAULT_DATE_FORMAT,))
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
            files[str(name)] = FileMapping(
                str(name), record, columns, values,
                encoding=_encoding(spec.get("encoding"), encoding),
                delimiter=_delimiter(spec.get("delimiter"), delimiter),
                date_formats=_date_formats(spec.get("date_format"), date_formats),
            )  # fmt: skip
        return SourceMapping(
            source_system=str(data["source_system"]),
            date_format=date_formats[0],
            files=files,
        )
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise InvalidInput(f"CSV mapping {path.name} is not valid: {exc}") from None


def header_check(mapping: FileMapping, header: list[str]) -> None:
    """RowProblem naming the columns of required fields the file does not have
    (those of optional fields may be absent: their values are then missing)."""
    _, required = RECORD_FIELDS[mapping.record]
    missing = [
        c for f, c in mapping.columns.items() if f in required and c not in header
    ]
    if missing:
        raise RowProblem(
            f"missing column{'s' if len(missing) > 1 else ''}: {', '.join(missing)} "
            f"(the {mapping.file_name} mapping needs them)"
        )


def _date(raw: str, formats: tuple[str, ...]) -> dt.date | None:
    for date_format in formats:
        try:
            return dt.datetime.strptime(raw, date_format).date()  # noqa: DTZ007
        except ValueError:
            continue
    return None


def _shown(date_format: str) -> str:
    return (
        date_format.replace("%d", "DD").replace("%m", "MM").replace("%Y", "YYYY")
        .replace("%y", "YY")
    )  # fmt: skip


def row_validate(
    mapping: FileMapping,
    row: dict[str, str],
    *,
    date_format: str | tuple[str, ...] | None = None,
) -> dict[str, Any]:
    """Our fields from one row, typed; RowProblem with every problem found. Reasons
    name the column, never its value (it may be personal data). An optional field
    whose column is absent or empty is missing ("" or None), never a problem.
    Dates are read with the file's declared formats unless `date_format` is
    given."""
    _, required = RECORD_FIELDS[mapping.record]
    formats = (
        mapping.date_formats
        if date_format is None
        else (date_format,)
        if isinstance(date_format, str)
        else date_format
    )
    out: dict[str, Any] = {}
    problems: list[str] = []
    for field, column in mapping.columns.items():
        raw = (row.get(column) or "").replace("\r\n", "\n").strip()
        if field == "address_line" and "\n" in raw:
            # A quoted address over several lines: its lines, one after another.
            raw = ", ".join(p.strip() for p in raw.splitlines() if p.strip())
        if "\x00" in raw:
            problems.append(f"{column} contains NUL characters")
            continue
        if field in mapping.values and (raw or "" in mapping.values[field]):
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
            parsed = _date(raw, formats)
            if parsed is None:
                shown = " or ".join(_shown(f) for f in formats)
                problems.append(f"{column} is not a valid date ({shown})")
                continue
            out[field] = parsed
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
