"""Server time of FHIR Patient/$everything for a person with 500 resources, with a
real HTTP client against `joinedup serve`.

    python bench/bench_fhir_everything.py [--requests 200] [--database-url URL]

Builds its own scratch PostgreSQL database (dropped and created: by default
joinedup_bench_fhir, not the area loaded by bench_load.py): 2,000 background people
with 20 events each, and one person with 493 events of every mapped kind, who with
the Patient, 4 Organizations, a Practitioner and the CareTeam make 500 resources.
Reads the application's own time from the Server-Timing header; client latency is
reported beside it. Also measures, in process, what validating every resource with
fhir.resources would add. Target (issue 4): p95 under 150 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _db import database_recreate, django_setup, free_port, percentile

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/joinedup_bench_fhir"
TIMING = re.compile(r'app;dur=([\d.]+), db;dur=([\d.]+);desc="(\d+) queries"')
KINDS = [  # (kind, category, source system code): every kind the API maps
    ("gp_consultation", "health", "gp"),
    ("diagnosis", "health", "gp"),
    ("medication", "health", "gp"),
    ("fall", "health", "gp"),
    ("admission", "health", "pas"),
    ("discharge", "health", "pas"),
    ("ae_attendance", "health", "pas"),
    ("community_contact", "health", "community"),
    ("social_care_assessment", "social_care", "council"),
]


def _build() -> tuple[int, str]:
    """The scratch data; returns the person's id and a bearer token."""
    from django.core.management import call_command
    from django.utils import timezone

    from joinedup.coordination.models import CareTeamMember
    from joinedup.governance.models import Organisation
    from joinedup.governance.services import token_create, user_create
    from joinedup.people.models import Involvement, Person
    from joinedup.record.models import Event, SourceSystem

    call_command("migrate", verbosity=0)
    orgs = {
        key: Organisation.objects.create(code=code, name=name, type=type_)
        for key, code, name, type_ in (
            ("gp", "J81001", "Riverside Surgery", "gp_practice"),
            ("pas", "RJU", "Joinedup General Hospital", "acute_trust"),
            ("community", "RJV", "Joinedup Community Trust", "community_trust"),
            ("council", "JU-ASC", "Joinedup Council", "council_adult_social_care"),
        )
    }
    systems = {
        key: SourceSystem.objects.create(
            code=f"bench-{key}",
            name=key,
            organisation=org,
            kind="fhir",
            identifier_system=f"https://example.org/{key}",
            identifier_label="Local ID",
        )
        for key, org in orgs.items()
    }
    user, _ = user_create(username="bench.sw", role="social_worker", org_code="JU-ASC")
    now = timezone.now()
    start = dt.datetime(2023, 1, 1, 9, tzinfo=dt.UTC)

    def person(n: int) -> Person:
        return Person(
            nhs_number=None,
            given_name="Ada",
            family_name=f"Bench{n}",
            given_name_norm="ADA",
            family_name_norm=f"BENCH{n}",
            birth_date=dt.date(1940, 1, 1) + dt.timedelta(days=n),
            sex="female",
            address_line="1 High Street",
            postcode="JU1 1AA",
            registered_gp=orgs["gp"],
        )

    people = Person.objects.bulk_create([person(n) for n in range(2001)])
    subject = people[-1]
    events = []
    for i, p in enumerate(people):
        count = 493 if p is subject else 20
        for j in range(count):
            kind, category, system = KINDS[j % len(KINDS)]
            occurred = start + dt.timedelta(hours=37 * j + i)
            events.append(
                Event(
                    person=p,
                    source_system=systems[system],
                    source_id=f"{i}-{j}",
                    kind=kind,
                    category=category,
                    occurred_at=occurred,
                    ended_at=occurred + dt.timedelta(days=3)
                    if kind == "admission"
                    else None,
                    organisation=orgs[system],
                    code="49436004" if kind == "diagnosis" else "",
                    code_display="Atrial fibrillation" if kind == "diagnosis" else "",
                    summary=f"Bench {kind}",
                    detail={"ward": "Ward 7"} if kind == "admission" else {},
                    ingested_at=now,
                )
            )
    Event.objects.bulk_create(events, batch_size=5000)
    from joinedup.governance.services import relationships_sync

    relationships_sync([p.pk for p in people])  # the register follows bulk writes
    Involvement.objects.create(
        person=subject,
        organisation=orgs["council"],
        kind="social_care_client",
        first_seen=now,
        last_seen=now,
    )
    CareTeamMember.objects.create(
        person=subject,
        user=user,
        organisation=orgs["council"],
        role="social_worker",
        started_on=dt.date(2026, 1, 1),
    )
    return subject.pk, token_create(username="bench.sw")


def _validation_cost(body: dict) -> float:
    """Milliseconds to validate every resource of one response with fhir.resources."""
    from joinedup.interop.fhir.mappers_out import resource_validate

    resources = [e["resource"] for e in body["entry"]]
    started = time.perf_counter()
    for r in resources:
        resource_validate(r)
    return (time.perf_counter() - started) * 1000


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    database_recreate(args.database_url)
    django_setup(args.database_url)
    person_id, token = _build()

    port = free_port()
    env = {**os.environ, "DATABASE_URL": args.database_url}
    server = subprocess.Popen(
        [sys.executable, "-m", "joinedup", "serve", "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    url = f"/fhir/R4/Patient/{person_id}/$everything"
    try:
        headers = {"Authorization": f"Bearer {token}"}
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=30, headers=headers) as client:
            for _ in range(150):
                try:
                    client.get("/fhir/R4/metadata")
                    break
                except httpx.TransportError:
                    time.sleep(0.2)
            for _ in range(20):  # warm up
                body = client.get(url).json()
            total = body["total"]
            assert total == len(body["entry"]) == 500, total
            server_ms: list[float] = []
            client_ms: list[float] = []
            queries: set[int] = set()
            size = 0
            for _ in range(args.requests):
                started = time.perf_counter()
                response = client.get(url)
                client_ms.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.status_code
                size = len(response.content)
                match = TIMING.search(response.headers["Server-Timing"])
                assert match
                server_ms.append(float(match.group(1)))
                queries.add(int(match.group(3)))
    finally:
        server.terminate()
        server.wait(timeout=10)
    validation = statistics.median(_validation_cost(body) for _ in range(5))
    print(
        f"Patient/$everything, {total} resources ({size / 1024:.0f} KiB), "
        f"{args.requests} requests: server p50 {statistics.median(server_ms):.1f} ms, "
        f"p95 {percentile(server_ms, 0.95):.1f} ms, "
        f"p99 {percentile(server_ms, 0.99):.1f} ms; "
        f"client p50 {statistics.median(client_ms):.1f} ms, "
        f"p95 {percentile(client_ms, 0.95):.1f} ms; "
        f"SQL queries: {sorted(queries)}; validating every resource with "
        f"fhir.resources would add {validation:.0f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
