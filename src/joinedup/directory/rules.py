"""Social prescribing and directory rules as plain data and pure functions: the
SNOMED CT codes, the ONS4 personal wellbeing questions, eligibility, distance."""

from __future__ import annotations

import csv
import math
import pathlib
from collections.abc import Mapping
from dataclasses import dataclass
from functools import cache

from joinedup.errors import InvalidInput

# SNOMED CT (UK edition), the national social prescribing codes:
# 871731000000106 |Referral to social prescribing service (procedure)|, recorded
# when the person accepts the referral to the link worker (first contact of an
# episode), and 871711000000103 |Social prescribing declined (situation)|.
SNOMED_REFERRAL = "871731000000106"
SNOMED_DECLINED = "871711000000103"
SNOMED_TERMS = {
    SNOMED_REFERRAL: "Referral to social prescribing service",
    SNOMED_DECLINED: "Social prescribing declined",
}

# ONS4 personal wellbeing questions (Office for National Statistics), each
# answered 0 ("not at all") to 10 ("completely").
ONS4_QUESTIONS = {
    "life_satisfaction": "Overall, how satisfied are you with your life nowadays?",
    "worthwhile": (
        "Overall, to what extent do you feel that the things you do in your life "
        "are worthwhile?"
    ),
    "happiness": "Overall, how happy did you feel yesterday?",
    "anxiety": "On a scale where 0 is not at all anxious and 10 is completely "
    "anxious, overall, how anxious did you feel yesterday?",
}
# For anxiety a fall is an improvement; for the other three, a rise.
ONS4_LOWER_IS_BETTER = frozenset({"anxiety"})


def ons4_parse(raw: Mapping[str, object]) -> dict[str, int]:
    """The four scores, each a whole number 0-10, from form or JSON input;
    InvalidInput names the first question that is missing or out of range."""
    scores: dict[str, int] = {}
    for key in ONS4_QUESTIONS:
        value = raw.get(key)
        if isinstance(value, bool):
            value = None
        if isinstance(value, str):
            value = value.strip()
            if value.lstrip("-").isdigit():
                value = int(value)
        if value is None or value == "":
            raise InvalidInput.for_field(key, "answer this question (0 to 10)")
        if not isinstance(value, int) or not 0 <= value <= 10:
            raise InvalidInput.for_field(key, "must be a whole number from 0 to 10")
        scores[key] = value
    return scores


def ons4_change(before: Mapping[str, int], after: Mapping[str, int]) -> dict:
    """Per question: after minus before, and whether it improved."""
    out = {}
    for key in ONS4_QUESTIONS:
        delta = after[key] - before[key]
        better = delta < 0 if key in ONS4_LOWER_IS_BETTER else delta > 0
        out[key] = {"change": delta, "improved": better}
    return out


def age_eligible(age: int | None, minimum: int | None, maximum: int | None) -> bool:
    """A service's age eligibility (ORUK minimum_age, maximum_age, inclusive); an
    unknown age matches every service."""
    if age is None:
        return True
    if minimum is not None and age < minimum:
        return False
    return not (maximum is not None and age > maximum)


# --- distance -------------------------------------------------------------------

EARTH_RADIUS_KM = 6371.0088


def distance_km(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle (haversine) distance between two (latitude, longitude)."""
    lat1, lon1 = map(math.radians, a)
    lat2, lon2 = map(math.radians, b)
    h = (
        math.sin((lat2 - lat1) / 2) ** 2
        + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    )
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(h))


SECTORS_FILE = pathlib.Path(__file__).parent / "data" / "postcode_sectors.csv"


@dataclass(frozen=True)
class Centroid:
    key: str
    latitude: float
    longitude: float

    @property
    def point(self) -> tuple[float, float]:
        return (self.latitude, self.longitude)


@cache
def sector_centroids() -> dict[str, tuple[float, float]]:
    with SECTORS_FILE.open(newline="") as f:
        return {
            row["sector"]: (float(row["latitude"]), float(row["longitude"]))
            for row in csv.DictReader(f)
        }


def postcode_centroid(postcode: str) -> Centroid | None:
    """The centroid of a postcode's sector ("JU3 4") from the table shipped for
    the area, or of its district ("JU3") when only the outward code is given;
    None for a postcode outside the table."""
    compact = "".join((postcode or "").upper().split())
    if not compact:
        return None
    sectors = sector_centroids()
    if len(compact) >= 5:  # outward code, then the inward code's 3 characters
        key = f"{compact[:-3]} {compact[-3]}"
        if key in sectors:
            lat, lon = sectors[key]
            return Centroid(key, lat, lon)
        return None
    points = [p for k, p in sectors.items() if k.split(" ")[0] == compact]
    if not points:
        return None
    return Centroid(
        compact,
        sum(p[0] for p in points) / len(points),
        sum(p[1] for p in points) / len(points),
    )
