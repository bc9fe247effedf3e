"""Parsing what a professional types into the person search box. Pure functions:
no database, tested case by case."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from joinedup.errors import InvalidInput
from joinedup.people.models import normalise_name
from joinedup.people.nhs_number import nhs_number_looks_like, nhs_number_parse

_DATE_PATTERNS = (
    (re.compile(r"^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$"), ("d", "m", "y")),
    (re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"), ("y", "m", "d")),
)


@dataclass(frozen=True)
class SearchQuery:
    nhs_number: str | None = None
    birth_date: dt.date | None = None
    family: str = ""
    given: str = ""

    @property
    def is_empty(self) -> bool:
        return not (self.nhs_number or self.birth_date or self.family or self.given)


def _parse_date(token: str) -> dt.date | None:
    for pattern, order in _DATE_PATTERNS:
        match = pattern.match(token)
        if match:
            parts = dict(zip(order, (int(g) for g in match.groups()), strict=True))
            try:
                return dt.date(parts["y"], parts["m"], parts["d"])
            except ValueError:
                raise InvalidInput.for_field(
                    "query", f"{token} is not a real date (use day/month/year)"
                ) from None
    return None


def search_query_parse(text: str, *, today: dt.date | None = None) -> SearchQuery:
    """Understand a search: an NHS number ("943 476 5919"), a date of birth
    ("03/02/1941" or "1941-02-03"), a name ("Smith", "John Smith", "Smith, John"),
    or a name with a date of birth ("Smith 03/02/1941")."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput.for_field(
            "query", "enter an NHS number, a name or a date of birth"
        )
    if len(text) > 100:
        raise InvalidInput.for_field("query", "must be 100 characters or fewer")
    if nhs_number_looks_like(text):
        try:
            return SearchQuery(nhs_number=nhs_number_parse(text))
        except ValueError as exc:
            raise InvalidInput.for_field("query", str(exc)) from None
    birth_date = None
    words: list[str] = []
    family_first = "," in text
    for token in text.replace(",", " , ").split():
        parsed = _parse_date(token)
        if parsed is not None:
            if birth_date is not None:
                raise InvalidInput.for_field("query", "enter one date of birth only")
            if parsed > (today or dt.date.today()):  # noqa: DTZ011 - a calendar day
                raise InvalidInput.for_field(
                    "query", "date of birth must be in the past"
                )
            birth_date = parsed
        elif token != ",":
            if any(ch.isdigit() for ch in token):
                raise InvalidInput.for_field(
                    "query",
                    f"{token!r} is neither a name nor a date "
                    "(dates are day/month/year, e.g. 03/02/1941)",
                )
            words.append(normalise_name(token))
    words = [w for w in words if w]
    family = given = ""
    if len(words) == 1:
        family = words[0]
    elif len(words) >= 2:
        if family_first:
            family, given = words[0], " ".join(words[1:])
        else:
            given, family = words[0], " ".join(words[1:])
    if len(family) == 1 and not given and birth_date is None:
        raise InvalidInput.for_field(
            "query", "enter at least two letters of the family name"
        )
    return SearchQuery(birth_date=birth_date, family=family, given=given)
