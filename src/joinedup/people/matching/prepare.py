"""Pure functions that turn records into the rows the matching engine compares.

No Django and no engine here: a row is a plain dict, so the same rows feed DuckDB
today and Spark at scale, and the tests need no database."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from joinedup.people.matching.nicknames import name_canonical
from joinedup.people.models import normalise_name

ROW_COLUMNS: tuple[str, ...] = (
    "unique_id",
    "source_dataset",
    "nhs_number",
    "nhs_verified",
    "given_name",
    "family_name",
    "given_canon",
    "birth_date",
    "birth_year",
    "sex",
    "postcode",
    "postcode_sector",
    "postcode_district",
    "postcodes",
    "identifier",
    "address_line",
)


@dataclass(frozen=True)
class MatchRecord:
    """What identity matching knows of one record (a source record or a person of
    the index). `postcodes` holds every known postcode, current first: the address
    history is one piece of evidence, not several. `birth_year` holds what a
    partial date of birth gives ("1941", "1941-02") when `birth_date` is None;
    `identifier` is another number both sources share (a council client number,
    a social security number), `address_line` the address without its postcode."""

    id: str
    given_name: str
    family_name: str
    birth_date: dt.date | None
    sex: str = ""
    postcode: str = ""
    nhs_number: str | None = None
    nhs_verified: bool = False
    postcodes: tuple[str, ...] = field(default_factory=tuple)
    birth_year: int | None = None
    identifier: str | None = None
    address_line: str = ""


def postcode_normalise(value: str) -> str:
    """Upper case, one space before the inward code ("ju1 2ab" -> "JU1 2AB")."""
    compact = "".join(value.upper().split())
    if len(compact) < 5:
        return compact
    return f"{compact[:-3]} {compact[-3:]}"


def postcode_sector(postcode: str) -> str:
    """ "JU1 2AB" -> "JU1 2" (outward code and the inward code's digit)."""
    return postcode[:-2] if " " in postcode else ""


def postcode_district(postcode: str) -> str:
    """ "JU1 2AB" -> "JU1" (the outward code)."""
    return postcode.split(" ")[0] if " " in postcode else ""


def identifier_normalise(value: str) -> str:
    """Letters and digits only, upper case ("123-456 a" -> "123456A")."""
    return "".join(ch for ch in value.upper() if ch.isalnum())


def address_line_normalise(value: str) -> str:
    """Upper case, letters, digits and single spaces ("8, Stanley St." ->
    "8 STANLEY ST")."""
    return " ".join(
        "".join(ch if ch.isalnum() else " " for ch in value.upper()).split()
    )


def _or_none(value: str) -> str | None:
    return value or None


def row_build(record: MatchRecord, *, source_dataset: str = "a") -> dict[str, Any]:
    """The engine row of one record: names normalised, nickname canonical form,
    date of birth as ISO text (so day/month can be compared character-wise) and
    its year on its own (all a partial date keeps), postcode with its sector and
    district, the postcode history, the other identifier and the address line.
    Anything empty is None (SQL NULL): the comparisons' null levels and Splink's
    term frequencies (counted over non-null values) rely on it."""
    given = normalise_name(record.given_name)
    family = normalise_name(record.family_name)
    postcode = postcode_normalise(record.postcode)
    history = [postcode] if postcode else []
    for other in record.postcodes:
        p = postcode_normalise(other)
        if p and p not in history:
            history.append(p)
    sex = record.sex if record.sex in ("male", "female") else ""
    year = record.birth_date.year if record.birth_date else record.birth_year
    return {
        "unique_id": record.id,
        "source_dataset": source_dataset,
        "nhs_number": _or_none(record.nhs_number or ""),
        "nhs_verified": bool(record.nhs_number and record.nhs_verified),
        "given_name": _or_none(given),
        "family_name": _or_none(family),
        "given_canon": _or_none(name_canonical(given)),
        "birth_date": record.birth_date.isoformat() if record.birth_date else None,
        "birth_year": f"{year:04d}" if year else None,
        "sex": _or_none(sex),
        "postcode": _or_none(postcode),
        "postcode_sector": _or_none(postcode_sector(postcode)),
        "postcode_district": _or_none(postcode_district(postcode)),
        "postcodes": history or None,
        "identifier": _or_none(identifier_normalise(record.identifier or "")),
        "address_line": _or_none(address_line_normalise(record.address_line)),
    }


def rows_build(
    records: Iterable[MatchRecord], *, source_dataset: str = "a"
) -> list[dict[str, Any]]:
    return [row_build(r, source_dataset=source_dataset) for r in records]


def deterministic_pairs(
    rows: list[dict[str, Any]], others: list[dict[str, Any]] | None = None
) -> list[tuple[str, str]]:
    """Pairs linked by the same *verified* NHS number (DESIGN 4.1, 2 "Identity"):
    within `rows` when `others` is None, else between `rows` and `others`."""
    by_number: dict[str, list[str]] = {}
    for row in rows:
        if row["nhs_verified"]:
            by_number.setdefault(row["nhs_number"], []).append(row["unique_id"])
    pairs: list[tuple[str, str]] = []
    if others is None:
        for ids in by_number.values():
            pairs.extend(
                (a, b) for i, a in enumerate(ids) for b in ids[i + 1 :] if a != b
            )
        return pairs
    for row in others:
        if row["nhs_verified"]:
            for left in by_number.get(row["nhs_number"], []):
                pairs.append((left, row["unique_id"]))
    return pairs
