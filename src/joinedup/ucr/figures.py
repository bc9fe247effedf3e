"""Urgent community response figures for commissioners, by area (postcode
district): referrals, the share reached within 2 hours, outcomes and admissions
avoided, over a period. For planning (DESIGN section 2, "Secondary use"): people
with a national data opt-out are left out and counts below 5 are shown as "<5"
(governance.secondary_use); a share of fewer than 5 referrals is not shown."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass, field

from django.utils import timezone

from joinedup.errors import AccessRefused, InvalidInput
from joinedup.governance.access import Actor, Decision
from joinedup.governance.models import AccessCategory, Role
from joinedup.governance.secondary_use import (
    SMALL_NUMBER,
    SUPPRESSED,
    Purpose,
    opted_out_excluded,
    suppress,
)
from joinedup.governance.services import audit_record
from joinedup.ucr import rules
from joinedup.ucr.models import UcrOutcome, UcrReferral
from joinedup.ucr.selectors import admissions_by_person

FIGURE_ROLES = frozenset({Role.COMMISSIONER})
DAYS_DEFAULT = 91
DAYS_MIN = 7
DAYS_MAX = 366
TOTAL = "All areas"


@dataclass(frozen=True)
class Referred:
    """What the figures need of one referral (no person details)."""

    person_id: int
    postcode: str
    received_at: dt.datetime
    due_at: dt.datetime
    contact_at: dt.datetime | None
    outcome: str


@dataclass
class _Tally:
    referrals: int = 0
    due: int = 0
    within_2h: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    avoided: int = 0


@dataclass(frozen=True)
class AreaRow:
    area: str
    referrals: str
    due: str
    within_2h: str
    share: str  # per cent reached within 2 hours, "" when too few to show
    outcomes: dict[str, str]  # outcome key -> suppressed count
    avoided: str


@dataclass(frozen=True)
class UcrFigures:
    days: int
    rows: list[AreaRow]
    total: AreaRow

    @property
    def outcome_labels(self) -> list[tuple[str, str]]:
        return list(UcrOutcome.choices)


def district(postcode: str) -> str:
    """The postcode district (outward code) of a postcode: "JU3 4AB" -> "JU3"."""
    compact = "".join((postcode or "").upper().split())
    return compact[:-3] if len(compact) >= 5 else "Unknown"


def _row(area: str, t: _Tally) -> AreaRow:
    share = ""
    if t.due >= SMALL_NUMBER and suppress(t.within_2h) != SUPPRESSED:
        share = f"{100 * t.within_2h / t.due:.0f}%"
    return AreaRow(
        area=area,
        referrals=suppress(t.referrals),
        due=suppress(t.due),
        within_2h=suppress(t.within_2h),
        share=share,
        outcomes={k: suppress(t.outcomes.get(k, 0)) for k in UcrOutcome.values},
        avoided=suppress(t.avoided),
    )


def area_figures(
    referred: list[Referred],
    admissions: dict[int, list[dt.datetime]],
    *,
    now: dt.datetime,
) -> tuple[list[AreaRow], AreaRow]:
    """Pure: per area and in total, the referrals, those due (the clock ran out
    or the person was reached), reached within 2 hours, outcomes, and admissions
    avoided (remained at home and not admitted within 48 hours)."""
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    total = _Tally()
    for r in referred:
        due = r.contact_at is not None or r.due_at <= now
        within = r.contact_at is not None and r.contact_at <= r.due_at
        avoided = r.outcome == UcrOutcome.REMAINED_AT_HOME and not (
            rules.admitted_within(r.received_at, admissions.get(r.person_id, []))
        )
        for t in (tallies[district(r.postcode)], total):
            t.referrals += 1
            t.due += int(due)
            t.within_2h += int(within)
            if r.outcome:
                t.outcomes[r.outcome] += 1
            t.avoided += int(avoided)
    return [_row(area, tallies[area]) for area in sorted(tallies)], _row(TOTAL, total)


def ucr_figures(*, actor: Actor, days: int = DAYS_DEFAULT) -> UcrFigures:
    """The commissioners' figures over the last `days` days, every team."""
    if actor.role not in FIGURE_ROLES:
        audit_record(
            actor=actor,
            person_id=None,
            action="ucr_figures",
            category=AccessCategory.HEALTH,
            decision=Decision(
                False, "urgent community response figures are for commissioners"
            ),
        )
        raise AccessRefused(
            "Urgent community response figures are for commissioners.",
            fields={"role": "not a commissioner"},
        )
    if not DAYS_MIN <= days <= DAYS_MAX:
        raise InvalidInput.for_field(
            "days", f"must be between {DAYS_MIN} and {DAYS_MAX}"
        )
    now = timezone.now()
    start = now - dt.timedelta(days=days)
    rows = opted_out_excluded(
        UcrReferral.objects.filter(received_at__gte=start),
        purpose=Purpose.PLANNING,
        person_field="person",
    ).values_list(
        "person_id",
        "person__postcode",
        "received_at",
        "due_at",
        "contact_at",
        "outcome",
    )
    referred = [Referred(*row) for row in rows]
    admissions = admissions_by_person([r.person_id for r in referred], since=start)
    by_area, total = area_figures(referred, admissions, now=now)
    audit_record(
        actor=actor,
        person_id=None,
        action="ucr_figures",
        category=AccessCategory.HEALTH,
        decision=Decision(True, f"aggregate figures by area, {days} days"),
    )
    return UcrFigures(days, by_area, total)
