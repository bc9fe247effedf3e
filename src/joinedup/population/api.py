"""REST rule endpoint for the electronic Frailty Index (no person data)."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import codes_4xx

from joinedup.people.api import ErrorOut
from joinedup.population.efi import DEFICITS, efi_evaluate

router = Router(tags=["population rules"])


class EfiIn(Schema):
    deficits: list[str] = Field(
        ..., description=f"Deficits present, from: {', '.join(DEFICITS)}"
    )


class EfiOut(Schema):
    score: float
    category: str = Field(..., description="fit, mild, moderate or severe")
    deficits_counted: list[str]


@router.post(
    "/efi/evaluate",
    response={200: EfiOut, codes_4xx: ErrorOut},
    summary="Electronic Frailty Index from a list of deficits",
)
def efi(request: HttpRequest, body: EfiIn) -> dict[str, object]:
    result = efi_evaluate(body.deficits)
    return {
        "score": result.score,
        "category": result.category,
        "deficits_counted": result.deficits,
    }
