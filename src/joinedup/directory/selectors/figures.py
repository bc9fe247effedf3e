"""Social prescribing figures for commissioners: referrals, uptake and wellbeing
change by service and by area (postcode district), for planning: people with a
national data opt-out are left out and counts below 5 are shown as "<5"
(governance.secondary_use); a mean of fewer than 5 people is not shown."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from joinedup.directory import rules
from joinedup.directory.models import (
    Connection,
    ConnectionStatus,
    PrescribingCase,
    WellbeingScore,
    WellbeingWhen,
)
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

DIMENSIONS = {"service": "Service", "area": "Area (postcode district)"}
FIGURE_ROLES = frozenset({Role.COMMISSIONER})


@dataclass
class _Tally:
    referrals: int = 0
    connections: int = 0
    took_up: int = 0
    cases: set[int] = field(default_factory=set)


@dataclass(frozen=True)
class FigureRow:
    group: str
    referrals: str
    connections: str
    took_up: str
    uptake: str  # per cent of connections taken up, or "" when too few
    wellbeing_people: str
    # question -> mean change (after - before), "" when fewer than 5 people
    wellbeing_change: dict[str, str]


@dataclass(frozen=True)
class SpFigures:
    dimension: str
    rows: list[FigureRow]

    @property
    def questions(self) -> list[str]:
        return list(rules.ONS4_QUESTIONS)


def _district(postcode: str) -> str:
    compact = "".join((postcode or "").upper().split())
    return compact[:-3] if len(compact) >= 5 else "Unknown"


def sp_figures(*, actor: Actor, dimension: str = "service") -> SpFigures:
    if actor.role not in FIGURE_ROLES:
        audit_record(
            actor=actor,
            person_id=None,
            action="sp_figures",
            category=AccessCategory.DEMOGRAPHICS,
            decision=Decision(
                False, "social prescribing figures are for commissioners"
            ),
        )
        raise AccessRefused(
            "Social prescribing figures are for commissioners.",
            fields={"role": "not a commissioner"},
        )
    if dimension not in DIMENSIONS:
        raise InvalidInput.for_field("by", "choose service or area")
    cases = opted_out_excluded(
        PrescribingCase.objects.all(), purpose=Purpose.PLANNING, person_field="person"
    )
    case_area = dict(cases.values_list("pk", "person__postcode"))
    scores: dict[int, dict[str, WellbeingScore]] = defaultdict(dict)
    for w in WellbeingScore.objects.filter(case_id__in=list(case_area)):
        scores[w.case_id][w.when] = w
    tallies: dict[str, _Tally] = defaultdict(_Tally)
    if dimension == "area":
        for case_id, postcode in case_area.items():
            t = tallies[_district(postcode)]
            t.referrals += 1
            t.cases.add(case_id)
    connections = Connection.objects.filter(case_id__in=list(case_area)).values_list(
        "case_id", "service__name", "status"
    )
    for case_id, service_name, status in connections:
        group = (
            service_name if dimension == "service" else _district(case_area[case_id])
        )
        t = tallies[group]
        t.connections += 1
        t.took_up += int(status == ConnectionStatus.TOOK_UP)
        if dimension == "service":
            t.referrals += 1
            t.cases.add(case_id)
    rows = []
    for group in sorted(tallies):
        t = tallies[group]
        paired = [
            scores[c]
            for c in t.cases
            if WellbeingWhen.BEFORE in scores[c] and WellbeingWhen.AFTER in scores[c]
        ]
        change: dict[str, str] = {}
        for key in rules.ONS4_QUESTIONS:
            if len(paired) >= SMALL_NUMBER:
                mean = sum(
                    getattr(p[WellbeingWhen.AFTER], key)
                    - getattr(p[WellbeingWhen.BEFORE], key)
                    for p in paired
                ) / len(paired)
                change[key] = f"{mean:+.1f}"
            else:
                change[key] = ""
        uptake = (
            f"{100 * t.took_up / t.connections:.0f}%"
            if t.connections >= SMALL_NUMBER and suppress(t.took_up) != SUPPRESSED
            else ""
        )
        rows.append(
            FigureRow(
                group=group,
                referrals=suppress(t.referrals),
                connections=suppress(t.connections),
                took_up=suppress(t.took_up),
                uptake=uptake,
                wellbeing_people=suppress(len(paired)),
                wellbeing_change=change,
            )
        )
    audit_record(
        actor=actor,
        person_id=None,
        action="sp_figures",
        category=AccessCategory.DEMOGRAPHICS,
        decision=Decision(True, f"aggregate figures by {dimension}"),
    )
    return SpFigures(dimension, rows)
