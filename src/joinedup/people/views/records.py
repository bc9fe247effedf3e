"""Person search and the shared record page. Thin: parse, call selectors, render."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone

from joinedup.coordination.selectors.team import care_team_get
from joinedup.errors import DomainError, InvalidInput
from joinedup.governance.models import AccessCategory
from joinedup.people.merge import person_survivor_id
from joinedup.people.search import search_query_parse
from joinedup.people.selectors import (
    person_access_open,
    person_record_get,
    person_search,
)
from joinedup.record.selectors import (
    TimelineFilters,
    source_system_validate,
    source_systems_list,
    timeline_page,
)
from joinedup.web.actors import request_actor
from joinedup.web.problems import problem_pages


def _int_param(request: HttpRequest, name: str, default: int = 1) -> int:
    raw = request.GET.get(name, "")
    if not raw:
        return default
    try:
        return int(raw)
    except ValueError:
        raise InvalidInput.for_field(name, "must be a whole number") from None


TITLES = {403: "You cannot see this record", 404: "Person not found"}


@login_required
@problem_pages(titles=TITLES)
def search(request: HttpRequest) -> HttpResponse:
    actor = request_actor(request)
    text = request.GET.get("q", "")
    context: dict[str, object] = {"q": text}
    status = 200
    if "q" in request.GET:
        try:
            query = search_query_parse(text, today=timezone.localdate())
            context["results"] = person_search(
                actor=actor,
                query=query,
                page=_int_param(request, "page"),
                page_size=settings.JOINEDUP_PAGE_SIZE,
            )
        except InvalidInput as exc:
            context["error"] = (
                exc.fields.get("query") or exc.fields.get("page") or exc.detail
            )
            context["error_field"] = "query" if "query" in exc.fields else "page"
            status = 400
    template = "people/_results.html" if request.htmx else "people/search.html"  # type: ignore[attr-defined]
    return render(request, template, context, status=status)


def _timeline_context(request: HttpRequest, access: object) -> dict[str, object]:
    systems = source_systems_list()
    filters = TimelineFilters(
        source=request.GET.get("source", ""), category=request.GET.get("category", "")
    )
    source_system_validate(filters.source, systems)
    page = timeline_page(
        access=access,  # type: ignore[arg-type]
        filters=filters,
        page=_int_param(request, "page"),
        page_size=settings.JOINEDUP_PAGE_SIZE,
    )
    readable = [
        (value, label)
        for value, label in AccessCategory.choices
        if value != AccessCategory.DEMOGRAPHICS and access.may_read(value)  # type: ignore[attr-defined]
    ]
    return {
        "timeline": page,
        "filters": filters,
        "systems": systems,
        "categories": readable,
    }


@login_required
@problem_pages(titles=TITLES)
def person_detail(request: HttpRequest, person_id: int) -> HttpResponse:
    actor = request_actor(request)
    access = person_access_open(actor=actor, person_id=person_id, action="view_record")
    if access.person.merged_into_id:
        # A record merged into another: send the professional to the one in use.
        return redirect(
            "person_detail", person_id=person_survivor_id(person_id=person_id)
        )
    context: dict[str, object] = {
        "record": person_record_get(access=access),
        "care_team": care_team_get(access=access).current,
        "person": access.person,
        "age": access.person.age_on(timezone.localdate()),
    }
    try:
        context.update(_timeline_context(request, access))
    except InvalidInput as exc:
        context.update({"timeline_error": exc.detail, "timeline": None})
        context["systems"] = source_systems_list()
        return render(request, "people/person.html", context, status=400)
    return render(request, "people/person.html", context)


@login_required
@problem_pages(titles=TITLES)
def person_timeline(request: HttpRequest, person_id: int) -> HttpResponse:
    """The timeline alone: what htmx swaps in when filters or the page change."""
    actor = request_actor(request)
    try:
        access = person_access_open(
            actor=actor, person_id=person_id, action="view_timeline"
        )
        context = _timeline_context(request, access)
    except DomainError as exc:
        if not request.htmx:  # type: ignore[attr-defined]
            raise  # the whole problem page
        return render(
            request,
            "people/_timeline_error.html",
            {"detail": exc.detail},
            status=exc.status,
        )
    context["person"] = access.person
    return render(request, "people/_timeline.html", context)
