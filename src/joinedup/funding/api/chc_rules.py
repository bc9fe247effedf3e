"""REST rule endpoints for NHS continuing healthcare: they hold no person data,
so other systems' forms can use the same rules."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import codes_4xx

from joinedup.config.api import ErrorOut
from joinedup.funding.rules.chc import (
    CHECKLIST_DOMAINS,
    DST_DOMAINS,
    checklist_evaluate,
    dst_evaluate,
)

router = Router(tags=["continuing healthcare rules"])


class ChecklistRuleIn(Schema):
    domains: dict[str, str] = Field(
        ...,
        description="Each of the 11 Checklist domains scored A, B or C: "
        + ", ".join(CHECKLIST_DOMAINS),
        examples=[{d: "C" for d in CHECKLIST_DOMAINS} | {"breathing": "A"}],
    )


class ChecklistRuleOut(Schema):
    positive: bool
    rule: str
    reasons: list[str]


class DstRuleIn(Schema):
    domains: dict[str, str] = Field(
        ...,
        description="Each of the 12 DST domains at one of its levels: "
        + "; ".join(f"{d} ({', '.join(levels)})" for d, levels in DST_DOMAINS.items()),
    )


class DstRuleOut(Schema):
    indication: str = Field(
        ..., description="indicated, may_be_indicated or not_indicated"
    )
    rule: str
    reasons: list[str]
    counts: dict[str, int]


@router.post(
    "/checklist/evaluate",
    response={200: ChecklistRuleOut, codes_4xx: ErrorOut},
    summary="Is a full assessment for NHS continuing healthcare needed?",
)
def checklist(request: HttpRequest, body: ChecklistRuleIn) -> dict[str, object]:
    result = checklist_evaluate(body.domains)
    return {"positive": result.positive, "rule": result.rule, "reasons": result.reasons}


@router.post(
    "/dst/evaluate",
    response={200: DstRuleOut, codes_4xx: ErrorOut},
    summary="What the Decision Support Tool's levels indicate",
)
def dst(request: HttpRequest, body: DstRuleIn) -> dict[str, object]:
    result = dst_evaluate(body.domains)
    return {
        "indication": result.indication,
        "rule": result.rule,
        "reasons": result.reasons,
        "counts": result.counts,
    }


# The case endpoints (/api/v1/chc/cases..., /people/{person_id}/cases, Fast
# Track, disputes) live in their own module.
from joinedup.funding.api.chc_cases import router as cases_router  # noqa: E402

router.add_router("", cases_router)
