"""`joinedup audit verify` over a million audit entries.

    python bench/bench_audit_verify.py [--entries 1000000] [--database-url URL]

Fills a scratch PostgreSQL database with ENTRIES chained audit entries (written
through the same service as every request, 10,000 at a time), then times the
command three times. Target (issue 3): under 30 s for 1,000,000 entries.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _db import database_recreate, django_setup

URL = "postgres://postgres@127.0.0.1:5432/joinedup_bench_audit"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--database-url", default=URL)
    args = parser.parse_args()
    database_recreate(args.database_url)
    django_setup(args.database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from joinedup.governance.access import Actor, Decision
    from joinedup.governance.models import Organisation
    from joinedup.governance.services import audit_record_many, user_create

    Organisation.objects.create(code="QJU", name="Bench ICB", type="icb")
    user, _ = user_create(
        username="bench.ig",
        role="ig_lead",
        org_code="QJU",
        password="bench-password-2026",
    )
    actor = Actor(
        user_id=user.pk, role="ig_lead", organisation_id=Organisation.objects.get().pk
    )
    decision = Decision(True, "legitimate relationship: care_team", "care_team")
    started = time.perf_counter()
    written = 0
    while written < args.entries:
        n = min(10_000, args.entries - written)
        audit_record_many(
            actor=actor,
            person_id=None,
            action="view_record",
            decisions=[("demographics,health", decision)] * n,
        )
        written += n
    print(f"wrote {written:,} chained entries in {time.perf_counter() - started:.1f} s")
    times = []
    env = {**os.environ, "DATABASE_URL": args.database_url}
    for _ in range(3):
        started = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "joinedup", "audit", "verify"],
            env=env,
            capture_output=True,
            text=True,
            check=True,
        )
        times.append(time.perf_counter() - started)
    print(result.stdout.strip())
    print(
        f"audit verify: median {statistics.median(times):.1f} s "
        f"(runs {', '.join(f'{t:.1f}' for t in times)})"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
