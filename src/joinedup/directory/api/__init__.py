"""REST: the service directory in Open Referral UK JSON (search, one service,
export, import) and social prescribing (a case, ONS4 scores, commissioners'
figures). Thin: the same selectors and services as the pages."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.responses import codes_4xx

from joinedup.config.api import ErrorOut, RecordId, RecordRef
from joinedup.directory.oruk import oruk_service
from joinedup.directory.selectors import (
    directory_export,
    directory_search,
    service_get,
    sp_case_detail,
    sp_figures,
)
from joinedup.directory.services import directory_import, wellbeing_record

router = Router(tags=["directory"])


class ImportOut(Schema):
    id: int
    status: str
    counts: dict[str, int]


class WellbeingIn(Schema):
    when: str = ""
    life_satisfaction: int | None = None
    worthwhile: int | None = None
    happiness: int | None = None
    anxiety: int | None = None


class WellbeingOut(Schema):
    case_id: RecordRef
    when: str
    life_satisfaction: int
    worthwhile: int
    happiness: int
    anxiety: int


class ConnectionOut(Schema):
    service_id: RecordRef
    service: str
    status: str
    referral_id: RecordRef | None


class PrescribingCaseOut(Schema):
    id: int
    person_id: RecordRef
    status: str
    source: str
    snomed_code: str
    what_matters: str
    wellbeing_before: dict[str, int] | None
    wellbeing_after: dict[str, int] | None
    connections: list[ConnectionOut]


class FigureRowOut(Schema):
    group: str
    referrals: str
    connections: str
    took_up: str
    uptake: str
    wellbeing_people: str
    wellbeing_change: dict[str, str]


class FiguresOut(Schema):
    dimension: str
    rows: list[FigureRowOut]


def _actor(request: HttpRequest) -> Any:
    return request.actor  # type: ignore[attr-defined]


@router.get(
    "/services",
    response={200: list[dict[str, Any]], codes_4xx: ErrorOut},
    summary="Search services by need, distance from a postcode and eligibility",
)
def services_search(
    request: HttpRequest,
    need: str = "",
    q: str = "",
    postcode: str = "",
    within_km: float | None = None,
    age: int | None = None,
    circumstance: str = "",
) -> list[dict[str, Any]]:
    _actor(request)
    results = directory_search(
        need=need,
        text=q,
        postcode=postcode,
        within_km=within_km,
        age=age,
        circumstance=circumstance,
    )
    return [{**oruk_service(r.service), "distance_km": r.distance_km} for r in results]


@router.get(
    "/services/{service_id}",
    response={200: dict[str, Any], codes_4xx: ErrorOut},
    summary="One service in the ORUK service shape",
)
def service_one(request: HttpRequest, service_id: RecordId) -> dict[str, Any]:
    return oruk_service(service_get(service_id=service_id))


@router.get(
    "/export",
    response={200: list[dict[str, Any]], codes_4xx: ErrorOut},
    summary="Every service, ORUK JSON",
)
def export(request: HttpRequest) -> list[dict[str, Any]]:
    return directory_export()


@router.post(
    "/import",
    response={200: ImportOut, codes_4xx: ErrorOut},
    summary="Import ORUK JSON (the request body): all or nothing",
)
def import_(request: HttpRequest) -> dict[str, Any]:
    record = directory_import(
        actor=_actor(request), content=request.body, filename="api"
    )
    return {"id": record.pk, "status": record.status, "counts": record.counts}


def _scores(w: Any) -> dict[str, int] | None:
    if w is None:
        return None
    return {
        "life_satisfaction": w.life_satisfaction,
        "worthwhile": w.worthwhile,
        "happiness": w.happiness,
        "anxiety": w.anxiety,
    }


@router.get(
    "/social-prescribing/cases/{case_id}",
    response={200: PrescribingCaseOut, codes_4xx: ErrorOut},
    summary="A social prescribing case",
)
def case_get(request: HttpRequest, case_id: RecordId) -> dict[str, Any]:
    view = sp_case_detail(actor=_actor(request), case_id=case_id)
    case = view.case
    return {
        "id": case.pk,
        "person_id": case.person_id,
        "status": case.status,
        "source": case.source,
        "snomed_code": case.snomed_code,
        "what_matters": case.what_matters,
        "wellbeing_before": _scores(view.before),
        "wellbeing_after": _scores(view.after),
        "connections": [
            {
                "service_id": c.service_id,
                "service": c.service.name,
                "status": c.status,
                "referral_id": c.referral_id,
            }
            for c in view.connections
        ],
    }


@router.post(
    "/social-prescribing/cases/{case_id}/wellbeing",
    response={201: WellbeingOut, codes_4xx: ErrorOut},
    summary="Record ONS4 wellbeing before or after",
)
def wellbeing(request: HttpRequest, case_id: RecordId, body: WellbeingIn) -> Any:
    data = body.dict()
    w = wellbeing_record(
        actor=_actor(request), case_id=case_id, when=data.pop("when"), scores=data
    )
    return Status(201, {"case_id": case_id, "when": w.when, **(_scores(w) or {})})


@router.get(
    "/social-prescribing/figures",
    response={200: FiguresOut, codes_4xx: ErrorOut},
    summary="Referrals, uptake and wellbeing change, small numbers suppressed",
)
def figures(request: HttpRequest, by: str = "service") -> dict[str, Any]:
    result = sp_figures(actor=_actor(request), dimension=by)
    return {"dimension": result.dimension, "rows": [r.__dict__ for r in result.rows]}
