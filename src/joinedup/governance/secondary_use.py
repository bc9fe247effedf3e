"""Secondary use (planning, commissioning, research): the one place that says who
may be counted and how counts are shown (DESIGN section 2, "Secondary use").
Every analytics path uses these helpers.

- People with a national data opt-out are excluded unless the use is direct care.
- Counts below 5 are shown as "<5" outside direct care (a zero stays 0: knowing
  that nobody is in a group does not identify anyone).
"""

from __future__ import annotations

from enum import StrEnum
from typing import TypeVar

from django.db.models import Model, QuerySet

SMALL_NUMBER = 5
SUPPRESSED = "<5"

M = TypeVar("M", bound=Model)


class Purpose(StrEnum):
    DIRECT_CARE = "direct_care"
    PLANNING = "planning"  # commissioning, JSNA, BCF metrics
    RESEARCH = "research"


def suppress(count: int, *, purpose: Purpose = Purpose.PLANNING) -> str:
    """A count as it may be shown for the purpose."""
    if purpose != Purpose.DIRECT_CARE and 0 < count < SMALL_NUMBER:
        return SUPPRESSED
    return f"{count:,}"


def opted_out_excluded(
    people: QuerySet[M], *, purpose: Purpose, person_field: str = ""
) -> QuerySet[M]:
    """Drop people with a national data opt-out unless the use is direct care.
    `person_field` is the path from the queryset's model to Person ("" when the
    queryset is of Person itself, "person" for events)."""
    if purpose == Purpose.DIRECT_CARE:
        return people
    lookup = (
        f"{person_field}__national_data_opt_out"
        if person_field
        else ("national_data_opt_out")
    )
    return people.filter(**{lookup: False})
