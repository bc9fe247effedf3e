"""What the access policy and the audit add to opening a record.

    python bench/bench_access_overhead.py [--requests 500] [--database-url URL]

Run after bench_load.py (100,000 people loaded). In one process and one run, for
the same random people, alternately, each as one request's unit of work (one
transaction that also saves the signed-in session, as every page request does):
(a) load the person as the record page does, without any policy; (b)
`person_access_open`, which loads the person with the relationship facts, decides
every category and appends the audit entry to the hash chain when the request
ends. Target (issue 3): (b) adds at most 3 ms at p95.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _db import DEFAULT_URL, django_setup


def _p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[round(0.95 * (len(ordered) - 1))]


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--requests", type=int, default=500)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()
    django_setup(args.database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from django.contrib.sessions.backends.db import SessionStore
    from django.db import transaction

    from joinedup.governance.access import Actor
    from joinedup.governance.models import Membership, Organisation, OrganisationType
    from joinedup.governance.services import user_create
    from joinedup.governance.services.audit import audit_deferred
    from joinedup.people.models import Involvement, Person
    from joinedup.people.selectors import person_access_open

    hospital = Organisation.objects.get(type=OrganisationType.ACUTE_TRUST)
    membership = Membership.objects.filter(user__username="bench.dc").first()
    if membership is None:
        user, _ = user_create(
            username="bench.dc",
            role="discharge_coordinator",
            org_code=hospital.code,
            password="bench-password-2026",
        )
        membership = Membership.objects.get(user=user)
    actor = Actor(
        user_id=membership.user_id,
        role=membership.role,
        organisation_id=membership.organisation_id,
    )
    ids = list(
        Involvement.objects.filter(organisation=hospital).values_list(
            "person_id", flat=True
        )
    )
    rng = random.Random(11)
    sample = rng.choices(ids, k=args.requests)
    plain: list[float] = []
    governed: list[float] = []
    for pid in sample[:20]:  # warm up
        person_access_open(actor=actor, person_id=pid, action="view_record")
    session = SessionStore()
    session["bench"] = True
    session.create()
    for i, pid in enumerate(sample):
        order = ("plain", "governed") if i % 2 else ("governed", "plain")
        for kind in order:
            started = time.perf_counter()
            with transaction.atomic(), audit_deferred():
                if kind == "plain":
                    Person.objects.select_related("registered_gp", "about_me").get(
                        pk=pid
                    )
                else:
                    person_access_open(actor=actor, person_id=pid, action="view_record")
                session.save()  # what SessionMiddleware does on every request
            elapsed = (time.perf_counter() - started) * 1000
            (plain if kind == "plain" else governed).append(elapsed)
    print(
        f"{Person.objects.count():,} people, {args.requests} records opened: "
        f"per request, plain load p50 {statistics.median(plain):.2f} ms, "
        f"p95 {_p95(plain):.2f} ms; "
        f"with policy and audit p50 {statistics.median(governed):.2f} ms, "
        f"p95 {_p95(governed):.2f} ms; added at p95 "
        f"{_p95(governed) - _p95(plain):.2f} ms, at p50 "
        f"{statistics.median(governed) - statistics.median(plain):.2f} ms"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
