"""NHS continuing healthcare rules (National Framework for NHS Continuing
Healthcare and NHS-funded Nursing Care, 2022; DESIGN 4.3): the Checklist and the
Decision Support Tool. Pure functions: they propose; the MDT recommends and the
ICB decides.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from joinedup.errors import InvalidInput

# DST domains and the levels each allows (Framework 2022, Decision Support Tool).
# Priority exists only in behaviour, breathing, drug therapies and altered states of
# consciousness; severe does not exist in psychological and emotional needs,
# communication or continence.
LEVELS = ("no_needs", "low", "moderate", "high", "severe", "priority")
_ALL_BUT_PRIORITY = LEVELS[:5]
_NO_SEVERE = ("no_needs", "low", "moderate", "high")
DST_DOMAINS: dict[str, tuple[str, ...]] = {
    "behaviour": LEVELS,
    "cognition": _ALL_BUT_PRIORITY,
    "psychological_emotional": _NO_SEVERE,
    "communication": _NO_SEVERE,
    "mobility": _ALL_BUT_PRIORITY,
    "nutrition": _ALL_BUT_PRIORITY,
    "continence": _NO_SEVERE,
    "skin_integrity": _ALL_BUT_PRIORITY,
    "breathing": LEVELS,
    "drug_therapies": LEVELS,
    "altered_states_of_consciousness": LEVELS,
    "other": _ALL_BUT_PRIORITY,
}
PRIORITY_DOMAINS = frozenset(
    d for d, levels in DST_DOMAINS.items() if "priority" in levels
)
# The Checklist has the DST's domains except "other significant care needs".
CHECKLIST_DOMAINS = tuple(d for d in DST_DOMAINS if d != "other")
CHECKLIST_SCORES = ("A", "B", "C")

# How "several" and "a number of" in the Framework's wording are read here: they
# only decide when the tool says the MDT must weigh nature, intensity,
# complexity and unpredictability; they never decide eligibility.
SEVERAL_OTHER_DOMAINS = 2  # one severe plus needs (moderate or above) in 2+ others
HIGH_DOMAINS_FOR_JUDGEMENT = 2  # 2+ high
HIGH_OR_MODERATE_FOR_JUDGEMENT = 4  # or 4+ high or moderate, at least one high


@dataclass(frozen=True)
class ChecklistResult:
    positive: bool
    rule: str
    reasons: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class DstResult:
    indication: str  # "indicated" | "may_be_indicated" | "not_indicated"
    rule: str
    reasons: list[str] = field(default_factory=list)
    counts: dict[str, int] = field(default_factory=dict)


def _validated(
    given: Mapping[str, str], domains: tuple[str, ...] | dict[str, tuple[str, ...]]
) -> dict[str, str]:
    names = tuple(domains)
    errors: dict[str, str] = {}
    for name in given:
        if name not in names:
            errors[name] = (
                f"unknown domain {name!r}; the domains are {', '.join(names)}"
            )
    for name in names:
        if name not in given:
            errors[name] = f"domain {name!r} is missing"
    for name, value in given.items():
        if name not in names or name in errors:
            continue
        allowed = domains[name] if isinstance(domains, dict) else CHECKLIST_SCORES
        if value not in allowed:
            if isinstance(domains, dict) and value in LEVELS:
                errors[name] = (
                    f"{name} has no {value!r} level (allowed: {', '.join(allowed)})"
                )
            else:
                errors[name] = (
                    f"{value!r} is not a level; use one of {', '.join(allowed)}"
                )
    if errors:
        raise InvalidInput(
            "; ".join(f"{k}: {v}" for k, v in errors.items()),
            fields={f"domains.{k}": v for k, v in errors.items()},
        )
    return dict(given)


def checklist_evaluate(domains: Mapping[str, str]) -> ChecklistResult:
    """The Checklist: positive (refer for a full assessment) if any of: two or
    more A; five or more B; one A and four or more B; an A in a domain that has a
    Priority level in the DST."""
    scores = _validated(domains, CHECKLIST_DOMAINS)
    a = sorted(d for d, s in scores.items() if s == "A")
    b = sorted(d for d, s in scores.items() if s == "B")
    priority_a = [d for d in a if d in PRIORITY_DOMAINS]
    if priority_a:
        return ChecklistResult(
            True,
            "A in a domain with a Priority level",
            [
                f"A in {d}, a domain with a Priority level in the DST"
                for d in priority_a
            ],
        )
    if len(a) >= 2:
        return ChecklistResult(True, "two or more A", [f"A in {d}" for d in a])
    if len(b) >= 5:
        return ChecklistResult(True, "five or more B", [f"B in {d}" for d in b])
    if len(a) == 1 and len(b) >= 4:
        return ChecklistResult(
            True,
            "one A and four or more B",
            [f"A in {a[0]}"] + [f"B in {d}" for d in b],
        )
    return ChecklistResult(
        False,
        "none of the rules for a full assessment",
        [f"{len(a)} A and {len(b)} B"],
    )


def dst_evaluate(domains: Mapping[str, str]) -> DstResult:
    """What the Decision Support Tool's levels indicate. A priority in any domain,
    or severe in two or more, indicates a primary health need. One severe with
    needs in several other domains, or a number of domains with high and/or
    moderate needs, may indicate one: the MDT must record its judgement of
    nature, intensity, complexity and unpredictability."""
    levels = _validated(domains, DST_DOMAINS)
    by_level = {lv: sorted(d for d, v in levels.items() if v == lv) for lv in LEVELS}
    counts = {lv: len(ds) for lv, ds in by_level.items()}
    if by_level["priority"]:
        return DstResult(
            "indicated",
            "priority in a domain",
            [f"priority in {d}" for d in by_level["priority"]],
            counts,
        )
    if counts["severe"] >= 2:
        return DstResult(
            "indicated",
            "severe in two or more domains",
            [f"severe in {d}" for d in by_level["severe"]],
            counts,
        )
    moderate_up = by_level["moderate"] + by_level["high"]
    if counts["severe"] == 1 and len(moderate_up) >= SEVERAL_OTHER_DOMAINS:
        return DstResult(
            "may_be_indicated",
            "one severe with needs in several other domains: MDT judgement needed",
            [f"severe in {by_level['severe'][0]}"]
            + [f"{levels[d]} in {d}" for d in sorted(moderate_up)],
            counts,
        )
    if counts["high"] >= HIGH_DOMAINS_FOR_JUDGEMENT or (
        counts["high"] >= 1 and len(moderate_up) >= HIGH_OR_MODERATE_FOR_JUDGEMENT
    ):
        return DstResult(
            "may_be_indicated",
            "a number of high and moderate needs: MDT judgement needed",
            [f"{levels[d]} in {d}" for d in sorted(moderate_up)],
            counts,
        )
    return DstResult(
        "not_indicated",
        "no priority, fewer than two severe, and not enough high or moderate needs",
        [f"{counts[lv]} {lv}" for lv in ("severe", "high", "moderate") if counts[lv]],
        counts,
    )
