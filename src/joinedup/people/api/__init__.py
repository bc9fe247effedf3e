"""REST: person search and list, a person's shared record and their timeline."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlencode

from django.core.paginator import Page
from django.http import HttpRequest
from django.utils import timezone
from ninja import Query, Router, Schema
from ninja.responses import codes_4xx

from joinedup.config.api import ErrorOut, RecordId, RecordRef
from joinedup.coordination.selectors.team import care_team_get
from joinedup.people.search import search_query_parse
from joinedup.people.selectors import (
    PAGE_SIZE_MAX,
    person_access_open,
    person_list,
    person_record_get,
    person_search,
)
from joinedup.record.selectors import TimelineFilters, timeline_page

router = Router(tags=["people"])


class PersonSummary(Schema):
    id: int
    nhs_number: str | None
    nhs_number_status: str
    given_name: str
    family_name: str
    birth_date: dt.date
    sex: str
    postcode: str
    gp_practice_code: str | None


class Paged(Schema):
    page: int
    page_size: int
    total: int
    pages: int


class PersonSearchResult(Paged):
    next: str | None
    previous: str | None
    results: list[PersonSummary]


class OrganisationRef(Schema):
    code: str
    name: str
    type: str


class IdentifierOut(Schema):
    system: str
    value: str
    source_system: str | None


class InvolvementOut(Schema):
    organisation: OrganisationRef
    kind: str


class CareTeamMemberOut(Schema):
    name: str
    role: str
    organisation: OrganisationRef
    is_lead: bool
    started_on: dt.date


class SealedOut(Schema):
    category: str
    contact_organisation: str
    contact_phone: str


class PersonOut(PersonSummary):
    ethnic_category: str | None  # NHS Data Dictionary code; null when not recorded
    address_line: str
    phone: str
    gp_practice: OrganisationRef | None
    identifiers: list[IdentifierOut]
    involvements: list[InvolvementOut]
    care_team: list[CareTeamMemberOut]
    about_me: dict[str, str]
    sealed: list[SealedOut]
    readable_categories: list[str]


class EventOut(Schema):
    id: int
    occurred_at: dt.datetime
    ended_at: dt.datetime | None
    kind: str
    category: str
    summary: str
    code: str
    code_display: str
    source_system: str
    organisation: OrganisationRef
    detail: dict[str, object]


class TimelineOut(Paged):
    events: list[EventOut]


def _org(o: object) -> dict[str, str]:
    return {"code": o.code, "name": o.name, "type": o.type}  # type: ignore[attr-defined]


def _summary(p: object) -> dict[str, object]:
    return {
        "id": p.pk,  # type: ignore[attr-defined]
        "nhs_number": p.nhs_number,  # type: ignore[attr-defined]
        "nhs_number_status": p.nhs_number_status,  # type: ignore[attr-defined]
        "given_name": p.given_name,  # type: ignore[attr-defined]
        "family_name": p.family_name,  # type: ignore[attr-defined]
        "birth_date": p.birth_date,  # type: ignore[attr-defined]
        "sex": p.sex,  # type: ignore[attr-defined]
        "postcode": p.postcode,  # type: ignore[attr-defined]
        "gp_practice_code": p.registered_gp.code if p.registered_gp else None,  # type: ignore[attr-defined]
    }


def _links(
    request: HttpRequest, found: Page, **params: object
) -> dict[str, str | None]:
    """Links to the next and previous pages, keeping the other parameters."""

    def link(number: int) -> str:
        query = urlencode(
            {**params, "page": number, "page_size": found.paginator.per_page}
        )
        return f"{request.path}?{query}"

    return {
        "next": link(found.next_page_number()) if found.has_next() else None,
        "previous": (
            link(found.previous_page_number()) if found.has_previous() else None
        ),
    }


@router.get(
    "",
    response={200: PersonSearchResult, codes_4xx: ErrorOut},
    summary="Find people, or list the people you may see",
    description=(
        "With `query`: the people matching an NHS number, a name or a date of "
        "birth. Without it: every person the caller may see, in a stable order "
        "(family name, given name, date of birth, id). Either way only people "
        "the access policy lets the caller see; each page read is audited once. "
        f"`page_size` is at most {PAGE_SIZE_MAX}."
    ),
)
def people_search(
    request: HttpRequest,
    query: str | None = Query(
        None, description="NHS number, name, or date of birth; leave out to list"
    ),
    page: int = Query(1, description="page number, from 1"),
    page_size: int = Query(25, description=f"people per page, 1 to {PAGE_SIZE_MAX}"),
) -> dict[str, object]:
    actor = request.actor  # type: ignore[attr-defined]
    params: dict[str, object] = {}
    if query is None:
        found = person_list(actor=actor, page=page, page_size=page_size)
    else:
        found = person_search(
            actor=actor,
            query=search_query_parse(query, today=timezone.localdate()),
            page=page,
            page_size=page_size,
        )
        params["query"] = query
    return {
        "page": found.number,
        "page_size": page_size,
        "total": found.paginator.count,
        "pages": found.paginator.num_pages,
        **_links(request, found, **params),
        "results": [_summary(p) for p in found],
    }


@router.get(
    "/{person_id}",
    response={200: PersonOut, codes_4xx: ErrorOut},
    summary="A person's shared record",
)
def person_get(request: HttpRequest, person_id: RecordId) -> dict[str, object]:
    access = person_access_open(
        actor=request.actor,  # type: ignore[attr-defined]
        person_id=person_id,
        action="view_record",
    )
    record = person_record_get(access=access)
    p = access.person
    about = getattr(p, "about_me", None)
    return {
        **_summary(p),
        "ethnic_category": p.ethnic_category or None,
        "address_line": p.address_line,
        "phone": p.phone,
        "gp_practice": _org(p.registered_gp) if p.registered_gp else None,
        "identifiers": [
            {
                "system": i.system,
                "value": i.value,
                "source_system": i.source_system.code if i.source_system else None,
            }
            for i in record.identifiers
        ],
        "involvements": [
            {"organisation": _org(i.organisation), "kind": i.kind}
            for i in record.involvements
        ],
        "care_team": [
            {
                "name": str(m.user),
                "role": m.role,
                "organisation": _org(m.organisation),
                "is_lead": m.is_lead,
                "started_on": m.started_on,
            }
            for m in care_team_get(access=access).current
        ],
        "about_me": (
            {
                key: getattr(about, key)
                for key, _ in about.HEADINGS
                if getattr(about, key)
            }
            if about
            else {}
        ),
        "sealed": [
            {
                "category": s.category,
                "contact_organisation": s.organisation_name,
                "contact_phone": s.contact_phone,
            }
            for s in record.sealed
        ],
        "readable_categories": sorted(access.allowed_categories),
    }


@router.get(
    "/{person_id}/timeline",
    response={200: TimelineOut, codes_4xx: ErrorOut},
    summary="A person's timeline",
)
def person_timeline(
    request: HttpRequest,
    person_id: RecordRef,
    source: str = "",
    category: str = "",
    page: int = 1,
    page_size: int = 25,
) -> dict[str, object]:
    access = person_access_open(
        actor=request.actor,  # type: ignore[attr-defined]
        person_id=person_id,
        action="view_timeline",
    )
    found = timeline_page(
        access=access,
        filters=TimelineFilters(source=source, category=category),
        page=page,
        page_size=page_size,
    )
    return {
        "page": found.number,
        "page_size": page_size,
        "total": found.paginator.count,
        "pages": found.paginator.num_pages,
        "events": [
            {
                "id": e.pk,
                "occurred_at": e.occurred_at,
                "ended_at": e.ended_at,
                "kind": e.kind,
                "category": e.category,
                "summary": e.summary,
                "code": e.code,
                "code_display": e.code_display,
                "source_system": e.source_system.code,
                "organisation": _org(e.organisation),
                "detail": e.detail,
            }
            for e in found
        ],
    }
