"""Reading CSV files for batch linkage: columns recognised by header, with clear
errors naming the column or row (pure: no database)."""

from __future__ import annotations

import csv
import datetime as dt
import pathlib
import re

from joinedup.errors import InvalidInput
from joinedup.people.matching.prepare import MatchRecord

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
}
REQUIRED = ("id", "given_name", "family_name", "birth_date")
# names a `--map` may rename to: a canonical name or any recognised header for it
TARGETS: dict[str, str] = {a: c for c, aliases in ALIASES.items() for a in aliases}


def mapping_parse(text: str) -> dict[str, str]:
    """`given_name=forename,family_name=surname` -> {canonical: source header};
    InvalidInput naming a malformed pair, an unknown target or a repeated one."""
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
) -> dict[str, int]:
    lowered = [h.strip().lower() for h in header]
    found: dict[str, int] = {}
    for canonical, source in (mapping or {}).items():
        if source.lower() not in lowered:
            raise InvalidInput(
                f"{name}: --map {canonical}={source}: no column {source!r} in the file"
            )
        found[canonical] = lowered.index(source.lower())
    for canonical, aliases in ALIASES.items():
        if canonical in found:
            continue
        for alias in aliases:
            if alias in lowered:
                found[canonical] = lowered.index(alias)
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


def _date(value: str, name: str, line: int) -> dt.date:
    text = value.strip()
    parts = text.split("/")
    try:
        if len(parts) == 3:  # DD/MM/YYYY, as UK systems export
            return dt.date(int(parts[2]), int(parts[1]), int(parts[0]))
        return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise InvalidInput(
        f"{name} row {line}: birth_date {text!r} is not a date (YYYY-MM-DD)"
    )


def records_read(
    path: pathlib.Path, mapping: dict[str, str] | None = None
) -> list[MatchRecord]:
    """The file's records; InvalidInput for a missing column, a bad date, an empty
    file, a duplicate id or a `mapping` (canonical -> header, see `mapping_parse`)
    naming a column the file does not have."""
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
        records: list[MatchRecord] = []
        seen: set[str] = set()
        for line, row in enumerate(reader, start=2):
            if not any(cell.strip() for cell in row):
                continue

            def get(key: str, row: list[str] = row) -> str:
                i = cols.get(key)
                return row[i].strip() if i is not None and i < len(row) else ""

            rid = get("id")
            if not rid:
                raise InvalidInput(f"{name} row {line}: id is empty")
            if rid in seen:
                raise InvalidInput(f"{name} row {line}: duplicate id {rid!r}")
            seen.add(rid)
            nhs = "".join(get("nhs_number").split()) or None
            sex = get("sex").lower()
            sex = {"m": "male", "f": "female"}.get(sex, sex)
            # The address is used as the person index's addresses are: its
            # postcode(s) join the record's postcode history (one piece of
            # evidence), and stand in for a missing postcode column.
            history = address_postcodes(get("address"))
            postcode = get("postcode") or (history[0] if history else "")
            records.append(
                MatchRecord(
                    id=rid,
                    given_name=get("given_name"),
                    family_name=get("family_name"),
                    birth_date=_date(get("birth_date"), name, line),
                    sex=sex,
                    postcode=postcode,
                    postcodes=history,
                    nhs_number=nhs,
                    # A number in a file has not been traced by us: evidence only.
                    nhs_verified=False,
                )
            )
    if not records:
        raise InvalidInput(f"{name}: the file has a header but no records")
    return records
