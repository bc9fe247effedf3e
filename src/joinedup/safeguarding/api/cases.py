"""REST under /api/v1/safeguarding/: a person's safeguarding (notices, content
only where the policy allows, flags), raising an adult concern, the dashboard.
Errors as {"error", "detail", "fields"}."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.http import HttpRequest
from django.utils import timezone
from ninja import Router, Schema
from ninja.responses import codes_4xx

from joinedup.config.api import ErrorOut, RecordId, RecordRef
from joinedup.safeguarding.selectors.cases import dashboard_get, person_safeguarding_get
from joinedup.safeguarding.services.adults import concern_raise

router = Router(tags=["Safeguarding"])


class FlagOut(Schema):
    kind: str
    label: str
    contact_name: str
    contact_phone: str
    since: dt.date


class NoticeOut(Schema):
    kind: str
    case_id: RecordRef
    label: str
    contact_name: str
    contact_phone: str
    content_visible: bool
    content: dict[str, Any] | None


class SafeguardingPersonOut(Schema):
    person_id: RecordRef
    flags: list[FlagOut]
    notices: list[NoticeOut]


def _content(obj: object) -> dict[str, Any]:
    keys = ("status", "what_happened", "person_views", "views_not_sought_reason",
            "decision", "reason", "categories")  # fmt: skip
    return {k: getattr(obj, k) for k in keys if hasattr(obj, k)}


@router.get(
    "/people/{person_id}", response={200: SafeguardingPersonOut, codes_4xx: ErrorOut}
)
def person_get(request: HttpRequest, person_id: RecordId) -> dict[str, Any]:
    view = person_safeguarding_get(actor=request.actor, person_id=person_id)  # type: ignore[attr-defined]
    return {
        "person_id": person_id,
        "flags": [f.__dict__ for f in view.flags],
        "notices": [
            {
                "kind": n.kind,
                "case_id": n.case_id,
                "label": n.label,
                "contact_name": n.contact.name,
                "contact_phone": n.contact.contact_phone,
                "content_visible": n.content is not None,
                "content": _content(n.content) if n.content is not None else None,
            }
            for n in view.notices
        ],
    }


class ConcernIn(Schema):
    person_id: RecordRef
    what_happened: str
    where_happened: str
    when_happened: str
    council_id: RecordRef
    consent: str
    person_views: str = ""
    views_not_sought_reason: str = ""
    desired_outcomes: str = ""
    who_is_alleged: str = ""
    alleged_perpetrator_id: RecordRef | None = None
    suspected_categories: list[str] = []
    lawful_basis: str = ""


class ConcernCreatedOut(Schema):
    id: int
    status: str


@router.post("/concerns", response={201: ConcernCreatedOut, codes_4xx: ErrorOut})
def concern_post(
    request: HttpRequest, payload: ConcernIn
) -> tuple[int, dict[str, Any]]:
    concern = concern_raise(actor=request.actor, **payload.dict())  # type: ignore[attr-defined]
    return 201, {"id": concern.pk, "status": concern.status}


class SafeguardingDashboardOut(Schema):
    open_adult: int
    open_child: int
    plans: int
    counts: dict[str, int]


@router.get("/dashboard", response={200: SafeguardingDashboardOut, codes_4xx: ErrorOut})
def dashboard(request: HttpRequest) -> dict[str, Any]:
    d = dashboard_get(actor=request.actor, today=timezone.localdate())  # type: ignore[attr-defined]
    return {"open_adult": d.open_adult, "open_child": d.open_child, "plans": d.plans,
            "counts": d.counts}  # fmt: skip


# Each step of the work (concerns and enquiries, children's cases, families).
from joinedup.safeguarding.api.steps import router as steps_router  # noqa: E402

router.add_router("", steps_router)
