"""Reading CSV files for batch linkage: columns recognised by header (or named by
`--map`), with clear errors naming the column (pure: no database).

A value that is empty or cannot be read (a date that is not a date, an NHS number
failing its check digit, a postcode of punctuation) is a missing value, never a
reason to refuse the file: real extracts have gaps and typing errors, and the
comparisons have a level for "missing". A partial date of birth ("1941",
"1941-02", "02/1941") keeps its year, which the date-of-birth comparison uses.
What was left out is counted per column and reported once (`FileRead.notes`),
with no values in the message (they are personal data)."""

from __future__ import annotations

import csv
import datetime as dt
import pathlib
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from joinedup.errors import InvalidInput
from joinedup.people.matching.prepare import (
    MatchRecord,
    address_line_normalise,
    identifier_normalise,
)
from joinedup.people.models import normalise_name
from joinedup.people.nhs_number import nhs_number_is_valid

# canonical column -> the headers recognised for it (lower case)
ALIASES: dict[str, tuple[str, ...]] = {
    "id": ("id", "client_id", "patient_id", "local_id"),
    "nhs_number": ("nhs_number", "nhs_no", "nhsnumber"),
    "given_name": ("given_name", "forename", "first_name", "firstname"),
    "family_name": ("family_name", "surname", "last_name", "lastname"),
    "birth_date": ("birth_date", "date_of_birth", "dob"),
    "postcode": ("postcode", "post_code"),
    "sex": ("sex", "gender"),
    "address": ("address", "addresses", "address_line", "full_address"),
    "identifier": ("identifier", "other_identifier", "other_id"),
}
REQUIRED = ("id", "given_name", "family_name", "birth_date")
# names a `--map` may rename to: a canonical name or any recognised header for it
TARGETS: dict[str, str] = {a: c for c, aliases in ALIASES.items() for a in aliases}


# Several source columns joined into one, with a space: address=number+street+town
JOIN = "+"


def mapping_parse(text: str) -> dict[str, str]:
    """`given_name=forename,family_name=surname` -> {canonical: source header};
    a source may join columns with "+" (`address=street_number+address_1`, joined
    with a space). InvalidInput naming a malformed pair, an unknown target or a
    repeated one."""
    mapping: dict[str, str] = {}
    for pair in text.split(","):
        target, sep, source = (part.strip() for part in pair.partition("="))
        if not sep or not target or not source:
            raise InvalidInput(
                f"--map: {pair.strip()!r} is not target=column"
                " (e.g. given_name=forename)"
            )
        canonical = TARGETS.get(target.lower())
        if canonical is None:
            raise InvalidInput(
                f"--map: unknown target {target!r} (one of {', '.join(ALIASES)})"
            )
        if canonical in mapping:
            raise InvalidInput(f"--map: {target!r} is mapped twice")
        mapping[canonical] = source
    return mapping


def _columns(
    header: list[str], name: str, mapping: dict[str, str] | None = None
) -> dict[str, tuple[int, ...]]:
    """canonical column -> the position(s) of its source column(s)."""
    lowered = [h.strip().lower() for h in header]
    found: dict[str, tuple[int, ...]] = {}
    for canonical, source in (mapping or {}).items():
        wanted = source.lower()
        parts = [wanted] if wanted in lowered else wanted.split(JOIN)
        for part in parts:
            if part.strip() not in lowered:
                raise InvalidInput(
                    f"{name}: --map {canonical}={source}:"
                    f" no column {part.strip()!r} in the file"
                )
        found[canonical] = tuple(lowered.index(p.strip()) for p in parts)
    for canonical, aliases in ALIASES.items():
        if canonical in found:
            continue
        for alias in aliases:
            if alias in lowered:
                found[canonical] = (lowered.index(alias),)
                break
    missing = [c for c in REQUIRED if c not in found]
    if missing:
        raise InvalidInput(
            f"{name}: missing required column(s) {', '.join(missing)}"
            f" (recognised headers: {', '.join(ALIASES[missing[0]])})"
        )
    return found


# A UK postcode anywhere in a free-text address: outward code (area letters, a
# district digit, an optional digit or letter), optional space, inward code.
_POSTCODE = re.compile(r"\b([A-Z]{1,2}[0-9][A-Z0-9]?) ?([0-9][A-Z]{2})\b")
# Several addresses in one cell (current first, then former ones).
ADDRESS_SEPARATORS = ("|", ";")


def address_postcodes(text: str) -> tuple[str, ...]:
    """The postcodes found in an `address` cell, current first: one address, or
    several separated by "|" or ";" (an address history). An address without a
    recognisable postcode adds nothing (it is not an error: free text varies)."""
    cell = text.upper()
    for sep in ADDRESS_SEPARATORS[1:]:
        cell = cell.replace(sep, ADDRESS_SEPARATORS[0])
    found: list[str] = []
    for part in cell.split(ADDRESS_SEPARATORS[0]):
        matches = _POSTCODE.findall(part)
        if matches:
            outward, inward = matches[-1]  # the postcode ends a UK address
            postcode = f"{outward} {inward}"
            if postcode not in found:
                found.append(postcode)
    return tuple(found)


# What each column's reader accepts, for the message about a column none of
# whose values could be read.
ACCEPTS: dict[str, str] = {
    "given_name": "a name with letters",
    "family_name": "a name with letters",
    "birth_date": "YYYY-MM-DD, DD/MM/YYYY, YYYYMMDD, or a year",
    "nhs_number": "10 digits with a valid check digit (DESIGN 4.1)",
    "postcode": "2 to 8 letters and digits",
    "sex": "male, female, m, f, 1 or 2",
    "address": "letters or digits",
    "identifier": "letters or digits",
}
_EARLIEST_YEAR = 1880

# Values that say "not known" rather than being unreadable (NHS Data Dictionary
# person stated gender codes 0 and 9 among them).
_SEX_UNKNOWN = {"u", "unknown", "not known", "not specified", "0", "9", "x"}
_SEX = {"m": "male", "male": "male", "1": "male",
        "f": "female", "female": "female", "2": "female"}  # fmt: skip


def _today() -> dt.date:
    return dt.datetime.now(tz=dt.UTC).date()


def _year(text: str) -> int | None:
    if len(text) == 4 and text.isdigit():
        year = int(text)
        if _EARLIEST_YEAR <= year <= _today().year:
            return year
    return None


def date_of_birth_read(value: str) -> tuple[dt.date | None, int | None]:
    """(date, year) of a date of birth: (date, its year) for a whole date in
    ISO (YYYY-MM-DD), UK (DD/MM/YYYY) or compact (YYYYMMDD) form; (None, year)
    for a partial date ("1941", "1941-02", "02/1941"); (None, None) for anything
    else, an impossible date (31/02/1941) or one in the future or before 1880."""
    text = value.strip()
    try:
        if text.count("/") == 2:  # DD/MM/YYYY, as UK systems export
            day, month, year = text.split("/")
            born = dt.date(int(year), int(month), int(day))
        elif len(text) == 8 and text.isdigit():  # YYYYMMDD
            born = dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
        else:
            # ISO, with a time after it as some exports add
            iso = text[:10] if len(text) > 10 and text[10] in "T " else text
            born = dt.date.fromisoformat(iso)
    except ValueError:
        parts = text.replace("/", "-").split("-")
        if len(parts) == 2:  # YYYY-MM or MM/YYYY
            year_part = parts[0] if len(parts[0]) == 4 else parts[1]
            return None, _year(year_part)
        return None, _year(text)
    if born.year >= _EARLIEST_YEAR and born <= _today():
        return born, born.year
    return None, None


def _postcode(value: str) -> str | None:
    compact = "".join(value.upper().split())
    if (
        2 <= len(compact) <= 8
        and compact.isalnum()
        and any(c.isdigit() for c in compact)
    ):
        return value.strip().upper()
    return None


def _sex(value: str) -> str | None:
    """ "male"/"female", "" when not known, None when unreadable."""
    text = value.strip().lower()
    if text in _SEX_UNKNOWN:
        return ""
    return _SEX.get(text)


@dataclass
class FileRead:
    """A file's records, and per column how many values were missing (empty or
    unreadable, so null for the matching), unreadable, or partial dates of birth
    kept as a year. `notes` are the lines to show the user: counts and column
    names only."""

    name: str
    records: list[MatchRecord] = field(default_factory=list)
    missing: Counter[str] = field(default_factory=Counter)
    unreadable: Counter[str] = field(default_factory=Counter)
    given: Counter[str] = field(default_factory=Counter)  # non-empty values
    partial_dates: int = 0
    rows_without_id: list[int] = field(default_factory=list)
    headers: dict[str, str] = field(default_factory=dict)  # canonical -> header

    @property
    def unusable_columns(self) -> list[str]:
        """Columns with values, none of which could be read."""
        return [c for c, n in self.given.items() if n and self.unreadable[c] == n]

    @property
    def notes(self) -> list[str]:
        out: list[str] = []
        unusable = self.unusable_columns
        for column in unusable:
            out.append(
                f"{self.name}: column {self.headers[column]!r} ({column}): none of"
                f" its {self.given[column]} values could be read (expected"
                f" {ACCEPTS[column]}); it is left out of the matching"
            )
        for column, n in sorted(self.unreadable.items()):
            if n and column not in unusable:
                out.append(
                    f"{self.name}: {column}: {n} value(s) could not be read"
                    " and count as missing"
                )
        if self.partial_dates:
            out.append(
                f"{self.name}: birth_date: {self.partial_dates} partial date(s)"
                " kept as the year of birth"
            )
        if self.rows_without_id:
            rows = ", ".join(str(r) for r in self.rows_without_id[:10])
            more = "..." if len(self.rows_without_id) > 10 else ""
            out.append(
                f"{self.name}: {len(self.rows_without_id)} row(s) without an id"
                f" left out (row {rows}{more})"
            )
        return out

    def missing_line(self) -> str:
        """ "missing values: given_name 3, ..." over every column the file has."""
        counts = ", ".join(f"{c} {self.missing[c]}" for c in self.headers)
        return f"{self.name}: {len(self.records)} records; missing values: {counts}"


def file_read(path: pathlib.Path, mapping: dict[str, str] | None = None) -> FileRead:
    """The file's records and what was missing in them; InvalidInput only for
    what makes the whole file unusable: a missing required column, an empty file,
    a duplicate id, or a `mapping` (canonical -> header, see `mapping_parse`)
    naming a column the file does not have. Empty or unreadable values are
    missing values; a row without an id is left out and counted."""
    name = path.name
    try:
        handle = path.open(newline="", encoding="utf-8-sig")
    except OSError as error:
        raise InvalidInput(f"{name}: cannot be read ({error.strerror})") from None
    with handle:
        reader = csv.reader(handle)
        header = next(reader, None)
        if not header:
            raise InvalidInput(f"{name}: the file is empty")
        cols = _columns(header, name, mapping)
        out = FileRead(name=name)
        out.headers = {
            c: JOIN.join(header[i].strip() for i in idx)
            for c, idx in cols.items()
            if c != "id"
        }
        seen: set[str] = set()
        for line, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue

            def get(key: str, row: list[str] = row) -> str:
                cells = [row[i].strip() for i in cols.get(key, ()) if i < len(row)]
                return " ".join(c for c in cells if c)

            rid = get("id")
            if not rid:
                out.rows_without_id.append(line)
                continue
            if rid in seen:
                raise InvalidInput(f"{name} row {line}: duplicate id {rid!r}")
            seen.add(rid)
            out.records.append(_record(rid, get, out))
    if not out.records:
        raise InvalidInput(f"{name}: the file has a header but no records")
    return out


def _record(rid: str, get: Callable[[str], str], out: FileRead) -> MatchRecord:
    """One row as a MatchRecord, counting into `out` what was missing."""

    def note(column: str, raw: str, readable: bool) -> None:
        if raw:
            out.given[column] += 1
            if not readable:
                out.unreadable[column] += 1
        if not raw or not readable:
            out.missing[column] += 1

    given, family = get("given_name"), get("family_name")
    note("given_name", given, bool(normalise_name(given)))
    note("family_name", family, bool(normalise_name(family)))
    born, year = date_of_birth_read(raw := get("birth_date"))
    note("birth_date", raw, year is not None)
    if born is None and year is not None:
        out.partial_dates += 1
    nhs = "".join(get("nhs_number").replace("-", " ").split())
    note("nhs_number", nhs, nhs_number_is_valid(nhs))
    sex = _sex(raw := get("sex"))
    note("sex", raw if sex != "" else "", sex is not None)
    # The address is used as the person index's addresses are: its postcode(s)
    # join the record's postcode history (one piece of evidence), and stand in
    # for a missing postcode column; the rest is the address line.
    address = get("address")
    history = address_postcodes(address)
    line = address_line(address)
    note("address", address, bool(history or line))
    postcode = _postcode(raw := get("postcode"))
    note("postcode", raw, postcode is not None)
    identifier = get("identifier")
    note("identifier", identifier, bool(identifier_normalise(identifier)))
    return MatchRecord(
        id=rid,
        given_name=given,
        family_name=family,
        birth_date=born,
        birth_year=year,
        sex=sex or "",
        postcode=postcode or (history[0] if history else ""),
        postcodes=history,
        nhs_number=nhs if nhs_number_is_valid(nhs) else None,
        # A number in a file has not been traced by us: evidence only.
        nhs_verified=False,
        identifier=identifier or None,
        address_line=line,
    )


def address_line(text: str) -> str:
    """The current address of an `address` cell (the first of several) without
    its postcode, normalised; the postcode is compared on its own."""
    first = text.upper()
    for sep in ADDRESS_SEPARATORS:
        first = first.split(sep)[0]
    return address_line_normalise(_POSTCODE.sub(" ", first))


def records_read(
    path: pathlib.Path, mapping: dict[str, str] | None = None
) -> list[MatchRecord]:
    """The file's records (see `file_read`)."""
    return file_read(path, mapping).records
