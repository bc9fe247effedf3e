"""REST rule endpoint for Care Act eligibility: it holds no person data, so other
systems' assessment forms can use the same rules."""

from __future__ import annotations

from typing import Literal

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import codes_4xx

from joinedup.config.api import ErrorOut
from joinedup.coordination.eligibility import (
    ADULT_OUTCOMES,
    CARER_OUTCOMES,
    REASONS,
    adult_eligibility,
    carer_eligibility,
)
from joinedup.errors import InvalidInput

router = Router(tags=["Care Act rules"])


class EligibilityRuleIn(Schema):
    kind: Literal["adult", "carer"]
    needs_from_impairment_or_illness: bool | None = Field(None, description="adults")
    needs_from_necessary_care: bool | None = Field(None, description="carers")
    health_deteriorating: bool | None = Field(None, description="carers")
    outcomes: dict[str, list[str]] = Field(
        ...,
        description="Outcome -> reasons it cannot be achieved (an empty list means "
        f"achievable). Adult outcomes: {', '.join(ADULT_OUTCOMES)}. Carer outcomes: "
        f"{', '.join(CARER_OUTCOMES)}. Reasons: {', '.join(REASONS)}.",
    )
    significant_impact_on_wellbeing: bool


class UnmetRuleOut(Schema):
    outcome: str
    description: str
    reasons: list[str]


class EligibilityRuleOut(Schema):
    eligible: bool
    summary: str
    unmet_outcomes: list[UnmetRuleOut]
    conditions: list[str]


def _required(value: bool | None, name: str, kind: str) -> bool:
    if value is None:
        raise InvalidInput.for_field(name, f"is required for a {kind}")
    return value


@router.post(
    "/eligibility/evaluate",
    response={200: EligibilityRuleOut, codes_4xx: ErrorOut},
    summary="Care Act 2014 eligibility of an adult's or a carer's needs",
)
def eligibility(request: HttpRequest, body: EligibilityRuleIn) -> dict[str, object]:
    if body.kind == "adult":
        result = adult_eligibility(
            needs_from_impairment_or_illness=_required(
                body.needs_from_impairment_or_illness,
                "needs_from_impairment_or_illness",
                "adult",
            ),
            outcomes=body.outcomes,
            significant_impact_on_wellbeing=body.significant_impact_on_wellbeing,
        )
    else:
        result = carer_eligibility(
            needs_from_necessary_care=_required(
                body.needs_from_necessary_care, "needs_from_necessary_care", "carer"
            ),
            health_deteriorating=_required(
                body.health_deteriorating, "health_deteriorating", "carer"
            ),
            outcomes=body.outcomes,
            significant_impact_on_wellbeing=body.significant_impact_on_wellbeing,
        )
    return {
        "eligible": result.eligible,
        "summary": result.summary,
        "unmet_outcomes": [
            {"outcome": u.key, "description": u.outcome, "reasons": u.reasons}
            for u in result.unmet
        ],
        "conditions": result.conditions,
    }
