"""Care Act 2014 eligibility (the Care and Support (Eligibility Criteria)
Regulations 2015, SI 2015/313; DESIGN 4.4). Pure functions, tested case by case.

Adults (regulation 2): needs arise from a physical or mental impairment or
illness; because of them the adult cannot achieve two or more of the specified
outcomes; and as a result there is, or is likely to be, a significant impact on
their wellbeing.

Carers (regulation 3): needs arise from providing necessary care; because of them
the carer's physical or mental health is, or is at risk of, deteriorating, or they
cannot achieve any one of the specified outcomes; and as a result there is, or is
likely to be, a significant impact on their wellbeing.

"Cannot achieve" means: not without assistance, or only with significant pain,
distress or anxiety, or only by endangering the health or safety of self or
others, or only by taking significantly longer than would normally be expected.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field

from joinedup.errors import InvalidInput

ADULT_OUTCOMES = {
    "nutrition": "managing and maintaining nutrition",
    "personal_hygiene": "maintaining personal hygiene",
    "toilet_needs": "managing toilet needs",
    "being_clothed": "being appropriately clothed",
    "using_home_safely": "being able to make use of the home safely",
    "habitable_home": "maintaining a habitable home environment",
    "relationships": (
        "developing and maintaining family or other personal relationships"
    ),
    "work_education_volunteering": "accessing and engaging in work, training, "
    "education or volunteering",
    "local_facilities": "making use of necessary facilities or services in the local "
    "community, including public transport and recreational facilities or services",
    "caring_for_child": "carrying out any caring responsibilities for a child",
}
CARER_OUTCOMES = {
    "caring_for_child": "carrying out any caring responsibilities for a child",
    "caring_for_others": (
        "providing care to other persons for whom the carer provides care"
    ),
    "habitable_home": "maintaining a habitable home environment",
    "nutrition": "managing and maintaining nutrition",
    "relationships": (
        "developing and maintaining family or other personal relationships"
    ),
    "work_education_volunteering": (
        "engaging in work, training, education or volunteering"
    ),
    "local_facilities": "making use of necessary facilities or services in the local "
    "community, including recreational facilities or services",
    "recreation": "engaging in recreational activities",
}
REASONS = {
    "needs_assistance": "not without assistance",
    "significant_pain_distress_anxiety": (
        "only with significant pain, distress or anxiety"
    ),
    "endangers_health_safety": (
        "only by endangering their own or others' health or safety"
    ),
    "takes_significantly_longer": "only by taking significantly longer than would "
    "normally be expected",
}


@dataclass(frozen=True)
class UnmetOutcome:
    key: str
    outcome: str
    reasons: list[str]


@dataclass(frozen=True)
class Eligibility:
    eligible: bool
    summary: str
    unmet: list[UnmetOutcome] = field(default_factory=list)
    conditions: list[str] = field(default_factory=list)  # which conditions are met/not


def _unmet(
    outcomes: Mapping[str, Sequence[str]], known: dict[str, str]
) -> list[UnmetOutcome]:
    errors: dict[str, str] = {}
    unmet: list[UnmetOutcome] = []
    for key, reasons in outcomes.items():
        if key not in known:
            errors[f"outcomes.{key}"] = (
                f"unknown outcome {key!r}; the outcomes are {', '.join(known)}"
            )
            continue
        bad = [r for r in reasons if r not in REASONS]
        if bad:
            errors[f"outcomes.{key}"] = (
                f"unknown reason {bad[0]!r}; the reasons are {', '.join(REASONS)}"
            )
            continue
        if reasons:
            unmet.append(
                UnmetOutcome(
                    key, known[key], [REASONS[r] for r in dict.fromkeys(reasons)]
                )
            )
    if errors:
        raise InvalidInput(
            "; ".join(f"{k}: {v}" for k, v in errors.items()), fields=errors
        )
    return unmet


def adult_eligibility(
    *,
    needs_from_impairment_or_illness: bool,
    outcomes: Mapping[str, Sequence[str]],
    significant_impact_on_wellbeing: bool,
) -> Eligibility:
    unmet = _unmet(outcomes, ADULT_OUTCOMES)
    conditions = [
        "needs arise from a physical or mental impairment or illness"
        if needs_from_impairment_or_illness
        else "needs do not arise from a physical or mental impairment or illness",
        f"cannot achieve {len(unmet)} of the outcomes (two or more are needed)",
        "there is a significant impact on wellbeing"
        if significant_impact_on_wellbeing
        else "there is no significant impact on wellbeing",
    ]
    eligible = (
        needs_from_impairment_or_illness
        and len(unmet) >= 2
        and significant_impact_on_wellbeing
    )
    return Eligibility(
        eligible,
        "The adult's needs meet the eligibility criteria"
        if eligible
        else "The adult's needs do not meet the eligibility criteria",
        unmet,
        conditions,
    )


def carer_eligibility(
    *,
    needs_from_necessary_care: bool,
    health_deteriorating: bool,
    outcomes: Mapping[str, Sequence[str]],
    significant_impact_on_wellbeing: bool,
) -> Eligibility:
    unmet = _unmet(outcomes, CARER_OUTCOMES)
    conditions = [
        "needs arise from providing necessary care"
        if needs_from_necessary_care
        else "needs do not arise from providing necessary care",
        "the carer's health is, or is at risk of, deteriorating"
        if health_deteriorating
        else "the carer's health is not at risk of deteriorating",
        f"cannot achieve {len(unmet)} of the outcomes (one is enough)",
        "there is a significant impact on wellbeing"
        if significant_impact_on_wellbeing
        else "there is no significant impact on wellbeing",
    ]
    eligible = (
        needs_from_necessary_care
        and (health_deteriorating or len(unmet) >= 1)
        and significant_impact_on_wellbeing
    )
    return Eligibility(
        eligible,
        "The carer's needs meet the eligibility criteria"
        if eligible
        else "The carer's needs do not meet the eligibility criteria",
        unmet,
        conditions,
    )
