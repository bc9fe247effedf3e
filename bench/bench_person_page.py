"""Server time of the person page (record and first timeline page) with a real HTTP
client against `joinedup serve`.

    python bench/bench_person_page.py [--requests 400] [--database-url URL]

Run after bench_load.py (it uses the loaded database). Reads the server's own
timing from the Server-Timing header (time in the application, and the number of
SQL queries), so client and network overhead are not counted; client-side latency
is reported beside it. Target (issue 2): p95 under 100 ms with 100,000 people.
"""

from __future__ import annotations

import argparse
import os
import random
import re
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from _db import DEFAULT_URL, django_setup, free_port, percentile

PASSWORD = "bench-password-2026"
TIMING = re.compile(r'app;dur=([\d.]+), db;dur=([\d.]+);desc="(\d+) queries"')


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    django_setup(args.database_url)

    from joinedup.governance.models import Organisation, OrganisationType, User
    from joinedup.governance.services import user_create
    from joinedup.people.models import Involvement, Person

    hospital = Organisation.objects.filter(type=OrganisationType.ACUTE_TRUST).first()
    if hospital is None:
        raise SystemExit("no area loaded: run bench/bench_load.py first")
    if not User.objects.filter(username="bench.dc").exists():
        user_create(
            username="bench.dc",
            role="discharge_coordinator",
            org_code=hospital.code,
            password=PASSWORD,
        )
    person_ids = list(
        Involvement.objects.filter(organisation=hospital).values_list(
            "person_id", flat=True
        )
    )
    total_people = Person.objects.count()
    rng = random.Random(7)

    port = free_port()
    # The benchmark signs in with a password only (no authenticator app).
    env = {**os.environ, "DATABASE_URL": args.database_url, "JOINEDUP_REQUIRE_2FA": "0"}
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "joinedup",
            "serve",
            "--port",
            str(port),
            "--workers",
            "2",
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, timeout=30) as client:
            for _ in range(100):
                try:
                    client.get("/account/login/")
                    break
                except httpx.TransportError:
                    time.sleep(0.2)
            login = client.get("/account/login/")
            token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', login.text)
            assert token, "no CSRF token on the login page"
            client.post(
                "/account/login/",
                data={
                    "username": "bench.dc",
                    "password": PASSWORD,
                    "csrfmiddlewaretoken": token.group(1),
                },
            )
            for pid in rng.sample(person_ids, 20):  # warm up
                client.get(f"/people/{pid}/")
            server_ms: list[float] = []
            client_ms: list[float] = []
            queries: set[int] = set()
            for pid in rng.choices(person_ids, k=args.requests):
                started = time.perf_counter()
                response = client.get(f"/people/{pid}/")
                client_ms.append((time.perf_counter() - started) * 1000)
                assert response.status_code == 200, response.status_code
                match = TIMING.search(response.headers["Server-Timing"])
                assert match
                server_ms.append(float(match.group(1)))
                queries.add(int(match.group(3)))
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(
        f"person page, {total_people:,} people loaded, {args.requests} requests: "
        f"server p50 {statistics.median(server_ms):.1f} ms, "
        f"p95 {percentile(server_ms, 0.95):.1f} ms, "
        f"p99 {percentile(server_ms, 0.99):.1f} ms; "
        f"client p50 {statistics.median(client_ms):.1f} ms, "
        f"p95 {percentile(client_ms, 0.95):.1f} ms; "
        f"SQL queries per page: {sorted(queries)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
