"""The REST API root: Django Ninja at /api/v1/, bearer tokens per user, errors as
JSON {"error": code, "detail": ..., "fields": {...}} with the right 4xx status."""

from __future__ import annotations

import json
from typing import Annotated, Any

from django.http import HttpRequest, HttpResponse
from django.http.request import RawPostDataException
from ninja import Field, NinjaAPI, Path, Schema
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from joinedup.errors import DomainError
from joinedup.governance.selectors import (
    actor_from_membership,
    membership_acting,
    token_user_get,
)


class ErrorOut(Schema):
    """Every 4xx answer of every API module: a code, a sentence for people, and
    the fields at fault."""

    error: str
    detail: str
    fields: dict[str, str]


# A record's id in a URL: a positive 64-bit integer, as the database keys are.
# Beyond that range an id names nothing, and is refused naming the parameter
# (a larger one overflowed SQLite in a foreign key look-up).
RecordId = Annotated[int, Path(ge=1, le=2**63 - 1)]
# The same for a record's id in a request body.
RecordRef = Annotated[int, Field(ge=1, le=2**63 - 1)]


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> Any:
        user = token_user_get(token=token)
        if user is None:
            return None
        membership = membership_acting(user=user)
        if membership is None:
            return None
        request.actor = actor_from_membership(  # type: ignore[attr-defined]
            membership, channel="api", request_id=getattr(request, "id", "")
        )
        return user


class JoinedUpAPI(NinjaAPI):
    """Mounts each app's router (by dotted path) when the URLs or the OpenAPI
    schema are first built, so an API module can import what this module shares
    (ErrorOut) whichever of them is imported first."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.routers_pending: list[tuple[str, str]] = []

    def _get_bound_routers(self) -> Any:
        while self.routers_pending:
            prefix, router = self.routers_pending.pop(0)
            self.add_router(prefix, router)
        return super()._get_bound_routers()


api = JoinedUpAPI(
    title="JoinedUp API",
    version="1",
    description=(
        "Joint working between health and social care. Every call needs a bearer "
        "token (`joinedup token create USERNAME`); every read of person data is "
        "decided by the access policy and audited."
    ),
    auth=BearerToken(),
    urls_namespace="api-v1",
)


def _error(
    request: HttpRequest,
    status: int,
    code: str,
    detail: str,
    fields: dict[str, str] | None = None,
) -> HttpResponse:
    return api.create_response(
        request,
        {"error": code, "detail": detail, "fields": fields or {}},
        status=status,
    )


@api.exception_handler(DomainError)
def _domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    return _error(request, exc.status, exc.code, exc.detail, exc.fields)


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    fields: dict[str, str] = {}
    sent = _body_keys(request)
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ())]
        source = loc[0] if loc else ""
        if source in {"query", "path", "body", "header", "form"}:
            loc = loc[1:]  # where the value came from, not its name
        if source == "body" and loc and loc[0] not in sent:
            loc = loc[1:]  # the handler's argument, not a key the client sent
        name = ".".join(loc) or ("body" if source == "body" else "request")
        fields[name] = str(error.get("msg", "is not valid"))
    detail = "; ".join(f"{k}: {v}" for k, v in fields.items())
    return _error(request, 400, "invalid", detail, fields)


def _body_keys(request: HttpRequest) -> set[str]:
    """The top-level keys of a JSON object body (none for any other body)."""
    try:
        data = json.loads(request.body or b"null")
    except (ValueError, RawPostDataException):
        return set()
    return {str(key) for key in data} if isinstance(data, dict) else set()


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(
        request,
        401,
        "unauthenticated",
        "Send a valid bearer token: Authorization: Bearer <token>",
        {"Authorization": "missing, unknown or revoked token"},
    )
    response["WWW-Authenticate"] = "Bearer"
    return response


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    return _error(request, exc.status_code, "error", str(exc))


api.routers_pending += [
    ("/people", "joinedup.people.api.router"),
    ("/chc", "joinedup.funding.api.chc_rules.router"),
    ("/care-act", "joinedup.coordination.api.care_act.router"),
    ("/population", "joinedup.population.api.router"),
    ("/discharge", "joinedup.discharge.api.router"),
    ("/assessments", "joinedup.coordination.api.assessments.router"),
    ("/care-plans", "joinedup.coordination.api.plans.router"),
    ("/referrals", "joinedup.coordination.api.referrals.router"),
    ("/tasks", "joinedup.coordination.api.tasks.router"),
    ("/mdt-meetings", "joinedup.coordination.api.mdt.router"),
    ("/care-packages", "joinedup.funding.api.packages.router"),
    ("/pooled-budgets", "joinedup.funding.api.pooled.router"),
    ("/safeguarding", "joinedup.safeguarding.api.cases.router"),
    ("/directory", "joinedup.directory.api.router"),
    ("/ucr", "joinedup.ucr.api.router"),
]
