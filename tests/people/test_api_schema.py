"""Every REST endpoint, driven by its own OpenAPI description (schemathesis):
whatever a client sends, the answer is never a server error and always matches
the documented responses."""

from __future__ import annotations

import json

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from joinedup.config.api import api
from joinedup.config.wsgi import application
from joinedup.governance.services import token_create


@pytest.fixture
def wsgi_keeps_connection(db):
    # The WSGI handler closes database connections after each request; the test's
    # transaction must survive it (Django's own test client does the same).
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


# The schema is the API's own description (no request, so no database, is needed
# to build it); cases are sent to the WSGI application.
schema = schemathesis.openapi.from_dict(
    json.loads(json.dumps(api.get_openapi_schema()))
)
schema.app = application


@pytest.fixture
def bearer(world, wsgi_keeps_connection):
    return {"Authorization": f"Bearer {token_create(username='sw')}"}


@schema.parametrize()
@settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_rest_api_never_fails_and_keeps_to_its_schema(case, bearer):
    response = case.call(headers=bearer)
    case.validate_response(
        response,
        checks=[
            not_a_server_error,
            status_code_conformance,
            content_type_conformance,
            response_schema_conformance,
        ],
    )


def _schema_classes(cls: type) -> list[type]:
    found = []
    for sub in cls.__subclasses__():
        if sub.__module__.startswith("joinedup."):
            found.append(sub)
        found.extend(_schema_classes(sub))
    return found


def test_every_schema_in_the_api_description_has_a_name_of_its_own():
    # OpenAPI components are keyed by class name: two schemas of one name would
    # document one endpoint with the other's fields.
    from ninja import Schema

    api.get_openapi_schema()  # every router imported
    by_name: dict[str, set[str]] = {}
    for cls in _schema_classes(Schema):
        by_name.setdefault(cls.__name__, set()).add(cls.__module__)
    assert {n: m for n, m in by_name.items() if len(m) > 1} == {}
