"""Request id and server timing for every request."""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable
from typing import Any

from django.db import connection
from django.http import HttpRequest, HttpResponse

_VALID_ID = re.compile(r"^[A-Za-z0-9-]{8,36}$")


class _QueryCounter:
    def __init__(self) -> None:
        self.count = 0
        self.seconds = 0.0

    def __call__(
        self,
        execute: Callable[..., Any],
        sql: str,
        params: Any,
        many: bool,
        context: Any,
    ) -> Any:
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.count += 1
            self.seconds += time.perf_counter() - started


class RequestIdMiddleware:
    """Gives each request an id (kept from a well-formed X-Request-ID header, else
    new) that audit entries carry, and answers with a Server-Timing header: the time
    spent in the application and in SQL, and the number of queries."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get("X-Request-ID", "")
        request.id = incoming if _VALID_ID.match(incoming) else uuid.uuid4().hex  # type: ignore[attr-defined]
        counter = _QueryCounter()
        started = time.perf_counter()
        with connection.execute_wrapper(counter):
            response = self.get_response(request)
        elapsed_ms = (time.perf_counter() - started) * 1000
        response["X-Request-ID"] = request.id  # type: ignore[attr-defined]
        response["Server-Timing"] = (
            f"app;dur={elapsed_ms:.1f}, "
            f'db;dur={counter.seconds * 1000:.1f};desc="{counter.count} queries"'
        )
        return response


class TwoFactorRequiredMiddleware:
    """Signed-in professionals must also prove a second factor (TOTP) before they
    see anything, unless JOINEDUP_REQUIRE_2FA is off (the demo turns it off)."""

    EXEMPT_PREFIXES = ("/account/", "/static/", "/api/", "/fhir/")

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.conf import settings
        from django.shortcuts import redirect

        user = request.user
        if (
            settings.JOINEDUP_REQUIRE_2FA
            and user.is_authenticated
            and not user.is_verified()  # type: ignore[attr-defined]
            and not request.path.startswith(self.EXEMPT_PREFIXES)
        ):
            return redirect("two_factor")
        return self.get_response(request)


class AuditedRequestMiddleware:
    """Each request is one transaction whose audit entries are appended to the
    chain as it ends: the access leaves its trace in the same durable commit as
    the request's other writes, never without them."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        from django.db import transaction

        from joinedup.governance.services.audit import audit_deferred

        with transaction.atomic(), audit_deferred():
            return self.get_response(request)
