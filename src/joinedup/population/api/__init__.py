"""REST: the electronic Frailty Index rule (no person data), the refresh status,
the case-finding list (through the access policy, audited) and the JSNA figures
(aggregates, suppressed). Thin: the same selectors as the pages."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Field, Router, Schema
from ninja.responses import codes_4xx

from joinedup.config.api import ErrorOut, RecordRef
from joinedup.population import selectors
from joinedup.population.efi import DEFICITS, efi_evaluate
from joinedup.population.models import RiskModel

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


# --- refresh status, case finding, JSNA (reads; same selectors as the pages) --------


class RefreshOut(Schema):
    id: int | None = Field(None, description="the current refresh, if any")
    finished_at: dt.datetime | None = None
    history_start: dt.date | None = None
    history_end: dt.date | None = None
    people: int = 0
    events: int = 0
    model_version: str | None = None
    model_auc: float | None = None
    latest_status: str | None = Field(
        None, description="running, complete or failed: the most recent refresh"
    )
    latest_message: str = ""


@router.get(
    "/refresh",
    response={200: RefreshOut, codes_4xx: ErrorOut},
    summary="When the population figures were last refreshed",
    tags=["population"],
)
def refresh_get(request: HttpRequest) -> dict[str, object]:
    status = selectors.refresh_status()
    out: dict[str, object] = {}
    if status.latest is not None:
        out["latest_status"] = status.latest.status
        out["latest_message"] = status.latest.message
    current = status.current
    if current is not None:
        model = RiskModel.objects.filter(refresh=current).first()
        out.update(
            id=current.pk,
            finished_at=current.finished_at,
            history_start=current.history_start,
            history_end=current.history_end,
            people=current.people,
            events=current.events,
            model_version=model.version if model else None,
            model_auc=model.auc if model else None,
        )
    return out


class ProposalOut(Schema):
    person_id: RecordRef
    name: str
    age: int
    practice: str
    risk: float = Field(..., description="probability of an emergency admission")
    rank: int
    efi_score: float
    efi_category: str
    deficits: list[str]
    reasons: list[str] = Field(..., description="the score's top factors")


@router.get(
    "/case-finding",
    response={200: list[ProposalOut], codes_4xx: ErrorOut},
    summary="People proposed for case management (community matron, MDT "
    "coordinator); 403 for other roles",
    tags=["population"],
)
def case_finding_get(request: HttpRequest, limit: int = 50) -> list[object]:
    actor = request.actor  # type: ignore[attr-defined]
    return list(selectors.case_finding_list(actor=actor, limit=limit))


class FigureOut(Schema):
    measure: str
    label: str
    unit: str
    group: str
    period: str
    count: str = Field(..., description='"<5" when suppressed')
    rate: float | None = Field(None, description="per 1,000; null when suppressed")


class JsnaOut(Schema):
    refresh_id: RecordRef | None
    dimension: str
    figures: list[FigureOut]


@router.get(
    "/jsna",
    response={200: JsnaOut, codes_4xx: ErrorOut},
    summary="JSNA figures (aggregates; opted-out people excluded, counts under 5 "
    "suppressed); 400 for an unknown dimension",
    tags=["population"],
)
def jsna_get(request: HttpRequest, by: str = "all") -> dict[str, object]:
    actor = request.actor  # type: ignore[attr-defined]
    jsna = selectors.jsna_figures(actor=actor, dimension=by)
    figures = [
        {
            "measure": t.key,
            "label": t.label,
            "unit": t.unit,
            "group": group,
            "period": period,
            "count": cell.shown,
            "rate": None if cell.rate is None else round(cell.rate, 2),
        }
        for t in jsna.tables
        for group, cells in t.rows
        for period, cell in zip(t.periods, cells, strict=True)
    ]
    return {
        "refresh_id": jsna.refresh.pk if jsna.refresh else None,
        "dimension": jsna.dimension,
        "figures": figures,
    }
