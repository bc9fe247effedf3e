"""The FHIR R4 API at /fhir/R4/ (DESIGN "FHIR API"): plain Django views, because
FHIR has its own error shape (OperationOutcome) and content type
(application/fhir+json). Thin: authenticate, parse, call `resources`, respond.

Read-only here: POST of a Bundle to the base URL is ingest (interop/fhir/ingest*)."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt

from joinedup.errors import DomainError, NotFound
from joinedup.governance.access import Actor
from joinedup.governance.selectors import (
    actor_from_membership,
    membership_acting,
    token_user_get,
)
from joinedup.interop.fhir import mappers_out as m
from joinedup.interop.fhir.params import (
    EVERYTHING_COUNT_DEFAULT,
    EVERYTHING_COUNT_MAX,
    SEARCH_COUNT_DEFAULT,
    SEARCH_COUNT_MAX,
    Paging,
    paging_parse,
    params_check,
)
from joinedup.interop.fhir.resources import (
    capability_statement,
    everything,
    handler_get,
)

logger = logging.getLogger(__name__)

FHIR_JSON = "application/fhir+json; charset=utf-8"
# DomainError.code -> OperationOutcome.issue.code
_ISSUE_CODES = {
    "invalid": "invalid",
    "not_found": "not-found",
    "not_supported": "not-supported",
    "access_refused": "forbidden",
    "conflict": "conflict",
}


def _json(body: m.Resource, status: int = 200) -> HttpResponse:
    return HttpResponse(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")),
        status=status,
        content_type=FHIR_JSON,
    )


def outcome_response(
    status: int, code: str, diagnostics: str, *, expression: list[str] | None = None
) -> HttpResponse:
    issue: dict[str, Any] = {
        "severity": "error",
        "code": code,
        "diagnostics": diagnostics,
    }
    if expression:
        issue["expression"] = expression
    return _json({"resourceType": "OperationOutcome", "issue": [issue]}, status)


def _validating() -> bool:
    return bool(getattr(settings, "JOINEDUP_FHIR_VALIDATE", settings.DEBUG))


def _actor(request: HttpRequest) -> Actor | None:
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return None
    user = token_user_get(token=token.strip())
    if user is None:
        return None
    membership = membership_acting(user=user)
    if membership is None:
        return None
    return actor_from_membership(
        membership, channel="api", request_id=getattr(request, "id", "")
    )


View = Callable[..., m.Resource]


def fhir_view(*, authenticated: bool = True) -> Callable[[View], Any]:
    """GET only; bearer token; DomainError -> OperationOutcome with its status."""

    def decorate(view: View) -> Any:
        @csrf_exempt  # bearer tokens, no cookies: nothing to forge
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if request.method not in ("GET", "HEAD"):
                response = outcome_response(
                    405, "not-supported", f"{request.method} is not supported here"
                )
                response["Allow"] = "GET, HEAD"
                return response
            actor = None
            if authenticated:
                actor = _actor(request)
                if actor is None:
                    response = outcome_response(
                        401,
                        "login",
                        "Send a valid bearer token: Authorization: Bearer <token>",
                    )
                    response["WWW-Authenticate"] = 'Bearer realm="fhir"'
                    return response
            try:
                body = view(request, actor, *args, **kwargs)
            except DomainError as exc:
                return outcome_response(
                    exc.status,
                    _ISSUE_CODES.get(exc.code, "processing"),
                    exc.detail,
                    expression=sorted(exc.fields) or None,
                )
            if _validating():
                for resource in _resources_in(body):
                    m.resource_validate(resource)
            return _json(body)

        return wrapper

    return decorate


def _resources_in(body: m.Resource) -> list[m.Resource]:
    if body.get("resourceType") == "Bundle":
        return [e["resource"] for e in body.get("entry", [])]
    return [body]


def _base_url(request: HttpRequest) -> str:
    return request.build_absolute_uri(reverse("fhir:metadata")).removesuffix("metadata")


def _params(request: HttpRequest) -> dict[str, list[str]]:
    return {k: request.GET.getlist(k) for k in request.GET}


def _bundle(
    request: HttpRequest,
    resources: list[m.Resource],
    *,
    total: int,
    paging: Paging,
) -> m.Resource:
    base = _base_url(request)
    url = request.build_absolute_uri(request.path)

    def link(relation: str, page: int) -> dict[str, str]:
        query = [(k, v) for k, vs in _params(request).items() for v in vs]
        query = [(k, v) for k, v in query if k != "_page"] + [("_page", str(page))]
        return {"relation": relation, "url": f"{url}?{urlencode(query)}"}

    links = [link("self", paging.page)]
    if paging.page * paging.count < total:
        links.append(link("next", paging.page + 1))
    if paging.page > 1:
        links.append(link("previous", paging.page - 1))
    return {
        "resourceType": "Bundle",
        "type": "searchset",
        "total": total,
        "link": links,
        "entry": [
            {
                "fullUrl": f"{base}{r['resourceType']}/{r['id']}",
                "resource": r,
                "search": {"mode": "match"},
            }
            for r in resources
        ],
    }


@fhir_view(authenticated=False)
def metadata(request: HttpRequest, actor: None) -> m.Resource:
    return capability_statement(
        base_url=_base_url(request), date=timezone.now().date().isoformat()
    )


@fhir_view()
def search(request: HttpRequest, actor: Actor, resource_type: str) -> m.Resource:
    handler = handler_get(resource_type)
    params = _params(request)
    params_check(params, handler.params)
    paging = paging_parse(
        params, default=SEARCH_COUNT_DEFAULT, maximum=SEARCH_COUNT_MAX
    )
    resources, total = handler.search(actor, params, paging)
    return _bundle(request, resources, total=total, paging=paging)


@fhir_view()
def read(
    request: HttpRequest, actor: Actor, resource_type: str, resource_id: str
) -> m.Resource:
    return handler_get(resource_type).read(actor, resource_id)


@fhir_view()
def patient_everything(
    request: HttpRequest, actor: Actor, resource_id: str
) -> m.Resource:
    params = _params(request)
    params_check(params, {})
    paging = paging_parse(
        params, default=EVERYTHING_COUNT_DEFAULT, maximum=EVERYTHING_COUNT_MAX
    )
    resources, total = everything(actor, resource_id, paging)
    return _bundle(request, resources, total=total, paging=paging)


@fhir_view()
def unknown(request: HttpRequest, actor: Actor, rest: str) -> m.Resource:
    raise NotFound(f"there is no FHIR interaction at {rest!r}")
