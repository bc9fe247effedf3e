"""The REST API root: Django Ninja at /api/v1/, bearer tokens per user, errors as
JSON {"error": code, "detail": ..., "fields": {...}} with the right 4xx status."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.security import HttpBearer

from joinedup.errors import DomainError
from joinedup.governance.selectors import (
    actor_from_membership,
    membership_acting,
    token_user_get,
)


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


api = NinjaAPI(
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
    for error in exc.errors:
        loc = [str(part) for part in error.get("loc", ())]
        if loc and loc[0] in {"query", "path", "body", "header", "form"}:
            loc = loc[1:]  # where the value came from, not its name
        fields[".".join(loc) or "request"] = str(error.get("msg", "is not valid"))
    detail = "; ".join(f"{k}: {v}" for k, v in fields.items())
    return _error(request, 400, "invalid", detail, fields)


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


api.add_router("/people", "joinedup.people.api.router")
api.add_router("/chc", "joinedup.funding.api.router")
api.add_router("/care-act", "joinedup.coordination.api.router")
api.add_router("/population", "joinedup.population.api.router")
api.add_router("/discharge", "joinedup.discharge.api.router")
api.add_router("/assessments", "joinedup.coordination.api_assessments.router")
api.add_router("/care-plans", "joinedup.coordination.api_plans.router")
api.add_router("/referrals", "joinedup.coordination.api_referrals.router")
api.add_router("/tasks", "joinedup.coordination.api_tasks.router")
api.add_router("/mdt-meetings", "joinedup.coordination.api_mdt.router")
api.add_router("/care-packages", "joinedup.funding.api_packages.router")
api.add_router("/pooled-budgets", "joinedup.funding.api_pooled.router")
api.add_router("/safeguarding", "joinedup.safeguarding.api.router")
api.add_router("/directory", "joinedup.directory.api.router")
api.add_router("/ucr", "joinedup.ucr.api.router")
