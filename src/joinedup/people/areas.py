"""Reference data that source systems do not carry: where a person lives in
terms of deprivation, and whether they have a national data opt-out.

- `postcode_areas_load(path=...)`: a CSV with the header postcode, lsoa,
  imd_decile (extra columns are ignored), built from the ONS Postcode Directory
  (postcode -> LSOA) joined to the English Indices of Deprivation 2019 (LSOA ->
  IMD decile). All or nothing, and re-loading replaces the whole table.
- `person_areas_apply(person_ids=None)`: sets each person's LSOA and IMD decile
  from their current postcode in one UPDATE; a postcode not in the table gives
  lsoa "" and imd_decile NULL. With no reference data loaded at all it changes
  nothing (people's areas may come from elsewhere, e.g. `joinedup load`).
- `opt_outs_apply(path=...)`: a file of the NHS numbers that have a national data
  opt-out, one a line or a CSV with a column nhs_number. The file is the full
  current list: people in it are opted out, every other person is not. One
  invalid NHS number (Modulus 11) refuses the whole file.

Messages name the line and the field, never an NHS number or a person."""

from __future__ import annotations

import csv
import pathlib
import re
from dataclasses import dataclass
from typing import IO

from django.db import transaction
from django.db.models import OuterRef, Subquery, Value
from django.db.models.functions import Coalesce, Replace, Upper

from joinedup.errors import InvalidInput
from joinedup.people.models import Person, PostcodeArea
from joinedup.people.nhs_number import nhs_number_parse

POSTCODE_AREA_COLUMNS = ("postcode", "lsoa", "imd_decile")
# UK postcode shape, spaces removed: outward code A9, A99, A9A, AA9, AA99, AA9A,
# then the inward code 9AA.
_POSTCODE = re.compile(r"^[A-Z]{1,2}[0-9][A-Z0-9]?[0-9][A-Z]{2}$")
_LSOA = re.compile(r"^[A-Z0-9]{1,12}$")
BATCH = 5000
ID_CHUNK = 500  # values in one IN (...): well under SQLite's variable limit
ERRORS_SHOWN = 5


@dataclass(frozen=True)
class PostcodeAreasTally:
    loaded: int
    replaced: int

    def line(self) -> str:
        return f"{self.loaded:,} postcodes loaded ({self.replaced:,} replaced)"


@dataclass(frozen=True)
class OptOutsTally:
    listed: int  # distinct NHS numbers in the file
    opted_out: int  # people now opted out
    not_found: int  # listed NHS numbers no person here has

    def line(self) -> str:
        return (
            f"{self.listed:,} NHS numbers listed: {self.opted_out:,} people opted "
            f"out, {self.not_found:,} not known here; everyone else not opted out"
        )


def postcode_key(value: str) -> str:
    """The form postcodes are compared in: upper case, no spaces ("JU12AB")."""
    return "".join((value or "").upper().split())


def _refuse(path: pathlib.Path, errors: list[tuple[int, str, str]]) -> InvalidInput:
    shown = "; ".join(
        f"line {line} {field}: {problem}"
        for line, field, problem in errors[:ERRORS_SHOWN]
    )
    more = len(errors) - ERRORS_SHOWN
    if more > 0:
        shown += f"; and {more:,} more"
    return InvalidInput(
        f"{path.name}: {len(errors):,} bad row(s), nothing loaded: {shown}",
        fields={
            f"line {line} {field}": problem for line, field, problem in errors[:50]
        },
    )


def _open(path: pathlib.Path) -> IO[str]:
    try:
        return path.open(encoding="utf-8-sig", newline="")
    except OSError as exc:
        raise InvalidInput.for_field(
            "file", f"cannot read {path}: {exc.strerror}"
        ) from None


def _postcode_row(
    row: dict[str, str], line: int, errors: list[tuple[int, str, str]]
) -> PostcodeArea | None:
    raw = (row.get("postcode") or "").strip()
    key = postcode_key(raw)
    lsoa = (row.get("lsoa") or "").strip().upper()
    decile_raw = (row.get("imd_decile") or "").strip()
    bad = len(errors)
    if not _POSTCODE.match(key):
        errors.append((line, "postcode", f"{raw[:20]!r} is not a UK postcode"))
    if not _LSOA.match(lsoa):
        errors.append((line, "lsoa", "must be an LSOA code of up to 12 letters/digits"))
    digits = decile_raw.isascii() and decile_raw.isdigit()
    decile = int(decile_raw) if digits and len(decile_raw) < 4 else 0
    if not 1 <= decile <= 10:
        errors.append(
            (
                line,
                "imd_decile",
                f"{decile_raw[:20]!r} is not a whole number from 1 to 10",
            )
        )
    if len(errors) > bad:
        return None
    return PostcodeArea(
        key=key, postcode=f"{key[:-3]} {key[-3:]}", lsoa=lsoa, imd_decile=decile
    )


def _unreadable(path: pathlib.Path, exc: Exception) -> InvalidInput:
    what = "UTF-8 text" if isinstance(exc, UnicodeDecodeError) else "CSV"
    return InvalidInput.for_field(
        "file", f"{path.name} is not readable {what}, nothing loaded"
    )


def postcode_areas_load(*, path: pathlib.Path) -> PostcodeAreasTally:
    """Replace the postcode reference table with the rows of `path`, streaming;
    any bad row (reported with its line and field) leaves the table as it was."""
    path = pathlib.Path(path)
    try:
        return _postcode_areas_load(path)
    except (UnicodeDecodeError, csv.Error) as exc:
        raise _unreadable(path, exc) from None


def _postcode_areas_load(path: pathlib.Path) -> PostcodeAreasTally:
    errors: list[tuple[int, str, str]] = []
    seen: dict[str, int] = {}
    loaded = 0
    with _open(path) as handle, transaction.atomic():
        reader = csv.DictReader(handle)
        header = [(name or "").strip().lower() for name in reader.fieldnames or []]
        missing = [c for c in POSTCODE_AREA_COLUMNS if c not in header]
        if missing:
            raise InvalidInput.for_field(
                "header",
                f"{path.name} line 1 needs the columns postcode, lsoa, imd_decile; "
                f"missing {', '.join(missing)}",
            )
        reader.fieldnames = header
        replaced, _ = PostcodeArea.objects.all().delete()
        batch: list[PostcodeArea] = []
        for row in reader:
            line = reader.line_num
            area = _postcode_row(row, line, errors)
            if area is None:
                continue
            first = seen.setdefault(area.key, line)
            if first != line:
                errors.append((line, "postcode", f"repeats line {first}"))
                continue
            if errors:
                continue  # keep checking, but nothing more is written
            batch.append(area)
            if len(batch) >= BATCH:
                PostcodeArea.objects.bulk_create(batch)
                loaded += len(batch)
                batch = []
        if errors:
            raise _refuse(path, errors)  # rolls back the delete and the inserts
        PostcodeArea.objects.bulk_create(batch)
        loaded += len(batch)
    return PostcodeAreasTally(loaded=loaded, replaced=replaced)


def person_areas_apply(*, person_ids: list[int] | None = None) -> int:
    """Set people's LSOA and IMD decile from their current postcode (all people,
    or those of `person_ids`) in one UPDATE per chunk; returns how many people
    were updated. Does nothing when no postcode reference data is loaded."""
    if not PostcodeArea.objects.exists():
        return 0
    key = Upper(Replace(OuterRef("postcode"), Value(" "), Value("")))
    match = PostcodeArea.objects.filter(key=key)
    values = {
        "lsoa": Coalesce(Subquery(match.values("lsoa")[:1]), Value("")),
        "imd_decile": Subquery(match.values("imd_decile")[:1]),
    }
    with transaction.atomic():
        if person_ids is None:
            return Person.objects.update(**values)
        ids = sorted(set(person_ids))
        return sum(
            Person.objects.filter(pk__in=ids[i : i + ID_CHUNK]).update(**values)
            for i in range(0, len(ids), ID_CHUNK)
        )


def _opt_out_numbers(path: pathlib.Path) -> set[str]:
    """The NHS numbers of the file, or InvalidInput naming every bad line."""
    numbers: set[str] = set()
    errors: list[tuple[int, str, str]] = []
    try:
        with _open(path) as handle:
            lines = list(csv.reader(handle))
    except (UnicodeDecodeError, csv.Error) as exc:
        raise _unreadable(path, exc) from None
    if not lines:
        raise InvalidInput.for_field(
            "file", f"{path.name} is empty: expected NHS numbers, one a line"
        )
    column = 0
    start = 0
    first = [cell.strip().lower() for cell in lines[0]]
    if any(
        cell and not cell.replace(" ", "").replace("-", "").isdigit() for cell in first
    ):
        if "nhs_number" not in first:
            raise InvalidInput.for_field(
                "header", f"{path.name} line 1 has no column nhs_number"
            )
        column, start = first.index("nhs_number"), 1
    for index, row in enumerate(lines[start:], start=start + 1):
        if not any(cell.strip() for cell in row):
            continue
        raw = row[column].strip() if column < len(row) else ""
        try:
            numbers.add(nhs_number_parse(raw))
        except ValueError as exc:
            # The parser's message may repeat the number: keep only its reason.
            reason = str(exc).split(": ", 1)[-1]
            errors.append((index, "nhs_number", reason))
    if errors:
        raise _refuse(path, errors)
    return numbers


def opt_outs_apply(*, path: pathlib.Path) -> OptOutsTally:
    """Make the people whose NHS numbers are in `path` opted out and everyone
    else not, in one transaction; a file with any invalid NHS number is refused
    whole and nothing changes."""
    path = pathlib.Path(path)
    numbers = sorted(_opt_out_numbers(path))
    opted_out = known = 0
    with transaction.atomic():
        Person.objects.filter(national_data_opt_out=True).update(
            national_data_opt_out=False
        )
        for i in range(0, len(numbers), ID_CHUNK):
            chunk = Person.objects.filter(nhs_number__in=numbers[i : i + ID_CHUNK])
            opted_out += chunk.update(national_data_opt_out=True)
            known += chunk.values("nhs_number").distinct().count()
    return OptOutsTally(
        listed=len(numbers), opted_out=opted_out, not_found=len(numbers) - known
    )
