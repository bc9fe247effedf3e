"""POST /fhir/R4: ingest of a transaction or batch Bundle (FHIR "transaction"
interaction). Bearer token of an integration account (role admin). Thin: parse,
call fhir.ingest, answer a transaction-response / batch-response Bundle (an entry
JoinedUp does not map answers "200 OK" with an information issue saying it was
ignored), or an OperationOutcome (the bundle is then in the quarantine; 413 when
it has more entries than JOINEDUP_FHIR_BUNDLE_MAX_ENTRIES)."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.views.decorators.csrf import csrf_exempt

from joinedup.governance.models import Role
from joinedup.governance.selectors import (
    actor_from_membership,
    membership_acting,
    token_user_get,
)
from joinedup.interop.fhir.ingest import fhir_json_ingest

FHIR_JSON = "application/fhir+json; charset=utf-8"
MAX_BYTES = 20 * 1024 * 1024


def _respond(body: dict[str, Any], status: int) -> HttpResponse:
    return HttpResponse(
        json.dumps(body, separators=(",", ":")), status=status, content_type=FHIR_JSON
    )


def _outcome(status: int, code: str, diagnostics: str) -> HttpResponse:
    issue = {"severity": "error", "code": code, "diagnostics": diagnostics}
    return _respond({"resourceType": "OperationOutcome", "issue": [issue]}, status)


def _integration_actor(request: HttpRequest) -> tuple[bool, bool]:
    """(authenticated, may ingest)."""
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        return False, False
    user = token_user_get(token=token.strip())
    membership = membership_acting(user=user) if user is not None else None
    if membership is None:
        return False, False
    actor = actor_from_membership(membership, channel="api")
    return True, actor.role == Role.ADMIN


@csrf_exempt  # bearer tokens, no cookies: nothing to forge
def bundle_ingest(request: HttpRequest) -> HttpResponse:
    if request.method != "POST":
        response = _outcome(405, "not-supported", "POST a transaction or batch Bundle")
        response["Allow"] = "POST"
        return response
    authenticated, allowed = _integration_actor(request)
    if not authenticated:
        response = _outcome(
            401, "login", "Send a valid bearer token: Authorization: Bearer <token>"
        )
        response["WWW-Authenticate"] = 'Bearer realm="fhir"'
        return response
    if not allowed:
        return _outcome(403, "forbidden", "Only integration accounts (role admin)")
    if len(request.body) > MAX_BYTES:
        return _outcome(413, "too-costly", f"Bundles up to {MAX_BYTES} bytes")
    text = request.body.decode("utf-8", "replace")
    result = fhir_json_ingest(text, origin="POST /fhir/R4")
    if result.too_large:
        return _outcome(413, "too-costly", result.reason)
    if not result.ok and not result.entries:
        return _outcome(400, "invalid", result.reason)
    kind = (
        "transaction-response"
        if result.bundle_type == "transaction"
        else ("batch-response")
    )
    entries = []
    for outcome in result.entries:
        entry: dict[str, Any] = {"response": {"status": outcome.status}}
        if outcome.reason:
            severity, code = (
                ("information", "informational") if outcome.ignored
                else ("error", "invalid")
            )  # fmt: skip
            entry["response"]["outcome"] = {
                "resourceType": "OperationOutcome",
                "issue": [{"severity": severity, "code": code,
                           "diagnostics": outcome.reason}],
            }  # fmt: skip
        entries.append(entry)
    return _respond({"resourceType": "Bundle", "type": kind, "entry": entries}, 200)
