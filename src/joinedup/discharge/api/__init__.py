"""REST: current stays at the actor's hospital, readiness and delay recording, and
the daily sitrep. Thin: each handler calls the same selectors and services as the
pages, so the same access policy and audit apply."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from ninja import Query, Router, Schema, Status
from ninja.responses import codes_4xx

from joinedup.config.api import ErrorOut, RecordId, RecordRef
from joinedup.discharge import services
from joinedup.discharge.selectors import board_filters_parse, ward_board
from joinedup.discharge.sitrep import sitrep_csv, sitrep_get
from joinedup.errors import InvalidInput

router = Router(tags=["discharge"])


class StayOut(Schema):
    id: int
    person_id: RecordRef
    name: str
    nhs_number: str | None
    site: str
    ward: str
    admitted_at: dt.datetime
    length_of_stay: int
    expected_discharge_on: dt.date | None
    ready_on: dt.date | None
    pathway: str
    reason: str
    agency: str
    days_delayed: int


class StaysOut(Schema):
    total: int
    stays: list[StayOut]


class ReadyIn(Schema):
    ready_on: dt.date
    clinical_agreed: bool
    mdt_agreed: bool
    pathway: str = ""
    destination: str = ""
    expected_discharge_on: dt.date | None = None


class ReadyOut(Schema):
    id: int
    stay_id: RecordRef
    ready_on: dt.date
    pathway: str
    destination: str
    expected_discharge_on: dt.date | None
    recorded_at: dt.datetime


class DelayIn(Schema):
    # Defaults, so a missing one is reported by the service with its own name.
    reason: str = ""
    agency: str = ""


class DelayOut(Schema):
    id: int
    stay_id: RecordRef
    reason: str
    agency: str
    recorded_at: dt.datetime


class SitrepOut(Schema):
    site: str
    day: dt.date
    not_meeting_criteria_to_reside: int
    discharged: int
    discharged_by_pathway: dict[str, int]
    remaining: int
    remaining_by_delay: dict[str, int]
    remaining_by_reason: dict[str, int]
    remaining_by_agency: dict[str, int]


@router.get(
    "/stays",
    response={200: StaysOut, codes_4xx: ErrorOut},
    summary="Current inpatients at the actor's hospital",
)
def stays_list(
    request: HttpRequest,
    site: str = "",
    ward: str = "",
    delayed: bool | None = Query(None, description="true: delayed only"),
    sort: str = "ward",
) -> dict[str, object]:
    filters = board_filters_parse(
        {
            "site": site,
            "ward": ward,
            "delayed": {None: "", True: "yes", False: "no"}[delayed],
            "sort": sort,
        }
    )
    board = ward_board(
        actor=request.actor,  # type: ignore[attr-defined]
        filters=filters,
        today=timezone.localdate(),
    )
    return {
        "total": board.total,
        "stays": [
            {
                "id": r.stay.pk,
                "person_id": r.person.pk,
                "name": r.person.display_name,
                "nhs_number": r.person.nhs_number,
                "site": r.stay.site,
                "ward": r.stay.ward,
                "admitted_at": r.stay.admitted_at,
                "length_of_stay": r.length_of_stay,
                "expected_discharge_on": r.expected_discharge_on,
                "ready_on": r.ready_on,
                "pathway": r.pathway,
                "reason": r.reason,
                "agency": r.agency,
                "days_delayed": r.days_delayed,
            }
            for r in board.rows
        ],
    }


@router.post(
    "/stays/{stay_id}/ready",
    response={201: ReadyOut, codes_4xx: ErrorOut},
    summary="Record that the patient no longer meets the criteria to reside",
)
def stay_ready(request: HttpRequest, stay_id: RecordId, body: ReadyIn) -> Status:
    r = services.readiness_record(
        actor=request.actor,  # type: ignore[attr-defined]
        stay_id=stay_id,
        ready_on=body.ready_on,
        clinical_agreed=body.clinical_agreed,
        mdt_agreed=body.mdt_agreed,
        pathway=body.pathway,
        destination=body.destination,
        expected_discharge_on=body.expected_discharge_on,
    )
    return Status(
        201,
        {
            "id": r.pk,
            "stay_id": stay_id,
            "ready_on": r.ready_on,
            "pathway": r.expected_pathway,
            "destination": r.destination,
            "expected_discharge_on": r.expected_discharge_on,
            "recorded_at": r.recorded_at,
        },
    )


@router.post(
    "/stays/{stay_id}/delay",
    response={201: DelayOut, codes_4xx: ErrorOut},
    summary="Set the current delay reason and responsible agency",
)
def stay_delay(request: HttpRequest, stay_id: RecordId, body: DelayIn) -> Status:
    d = services.delay_record(
        actor=request.actor,  # type: ignore[attr-defined]
        stay_id=stay_id,
        reason=body.reason,
        agency=body.agency,
    )
    return Status(
        201,
        {
            "id": d.pk,
            "stay_id": stay_id,
            "reason": d.reason,
            "agency": d.agency,
            "recorded_at": d.recorded_at,
        },
    )


@router.get(
    "/sitrep",
    response={200: SitrepOut, codes_4xx: ErrorOut},
    summary="The daily discharge sitrep of one site (today when no date)",
    description="JSON by default; `format=csv` answers the same figures as CSV "
    "(text/csv), as the sitrep page exports them.",
    openapi_extra={
        "responses": {200: {"content": {"text/csv": {"schema": {"type": "string"}}}}}
    },
)
def sitrep(
    request: HttpRequest,
    site: str,
    date: dt.date | None = None,
    format: str = Query("json", description="json or csv"),
) -> dict[str, object] | HttpResponse:
    if format not in ("json", "csv"):
        raise InvalidInput.for_field("format", "choose json or csv")
    day = date or timezone.localdate()
    figures = sitrep_get(
        actor=request.actor,  # type: ignore[attr-defined]
        site=site,
        day=day,
    )
    if format == "csv":
        response = HttpResponse(sitrep_csv(figures), content_type="text/csv")
        response["Content-Disposition"] = (
            f'attachment; filename="sitrep-{site}-{day.isoformat()}.csv"'
        )
        return response
    return figures
