"""The person's "who has seen my record" (/me/who-has-seen-my-record/) over a
million audit entries.

    python bench/bench_portal_audit.py [--entries 1000000] [--requests 400]
                                       [--database-url URL]

Fills a scratch PostgreSQL database with 10,000 people, 40 organisations, 400
professionals and ENTRIES chained audit entries (bulk-loaded with COPY; the
chain is real, so `joinedup audit verify` passes). Accesses are skewed as in
life: most people have tens of entries, one in a hundred has thousands (a
frequent hospital patient), about 1% are break-glass and 5% are the person's own
views. Then people sign in with a one-time code and open the page; the time is
the whole request in the application (middleware, selectors, template), read
from the Server-Timing header. Target (issue 16): p95 under 200 ms.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import random
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _db import database_recreate, django_setup, percentile

URL = "postgres://postgres@127.0.0.1:5432/joinedup_bench_portal"
TIMING = re.compile(r'app;dur=([\d.]+), db;dur=([\d.]+);desc="(\d+) queries"')
PEOPLE = 10_000
ORGANISATIONS = 40
STAFF = 400
ROLES = ("gp", "social_worker", "discharge_coordinator", "community_matron")
ACTIONS = ("view_record", "view_timeline", "view_care_plan", "view_care_team")


def _load(entries: int, rng: random.Random) -> tuple[list[int], list[int]]:
    from django.utils import timezone

    from joinedup.db.bulk import objects_insert
    from joinedup.governance.models import (
        GENESIS_HASH,
        AuditChainHead,
        AuditEntry,
        Organisation,
        User,
    )
    from joinedup.people.models import Person
    from joinedup.people.nhs_number import nhs_number_check_digit

    orgs = Organisation.objects.bulk_create(
        Organisation(
            code=f"B{i:03d}", name=f"Bench organisation {i}", type="acute_trust"
        )
        for i in range(ORGANISATIONS)
    )
    users = User.objects.bulk_create(
        User(username=f"bench{i}", first_name="Bench", last_name=f"User{i}")
        for i in range(STAFF)
    )
    staff = [(u.pk, rng.choice(ROLES), rng.choice(orgs).pk) for u in users]
    people = []
    n = 0
    candidate = 999_100_000
    while n < PEOPLE:
        candidate += 1
        check = nhs_number_check_digit(str(candidate))
        if check is None:
            continue
        people.append(
            Person(
                nhs_number=f"{candidate}{check}",
                nhs_number_status="01",
                given_name="Bench",
                family_name=f"Person{n}",
                given_name_norm="bench",
                family_name_norm=f"person{n}",
                birth_date=dt.date(1940, 1, 1) + dt.timedelta(days=n),
                email=f"person{n}@example.org",
            )
        )
        n += 1
    person_ids = [p.pk for p in Person.objects.bulk_create(people, batch_size=2000)]
    heavy = person_ids[:: PEOPLE // 100]  # one in a hundred
    # Half of all accesses are to the heavy hundred, half spread over everyone.
    now = timezone.now()
    start = now - dt.timedelta(days=730)
    step = (now - start) / entries
    prev = GENESIS_HASH
    batch: list[AuditEntry] = []
    started = time.perf_counter()
    for seq in range(1, entries + 1):
        person_id = rng.choice(heavy) if rng.random() < 0.5 else rng.choice(person_ids)
        if rng.random() < 0.05:
            actor_id, role, org_id = None, "person", None
            via, action = "self", "portal_home"
        else:
            actor_id, role, org_id = rng.choice(staff)
            via = "break_glass" if rng.random() < 0.01 else "care_team"
            action = rng.choice(ACTIONS)
        entry = AuditEntry(
            seq=seq,
            occurred_at=start + step * seq,
            actor_id=actor_id,
            role=role,
            organisation_id=org_id,
            person_id=person_id,
            action=action,
            category="demographics,health,social_care",
            outcome="allowed" if rng.random() < 0.98 else "refused",
            reason="legitimate relationship: care_team",
            via=via,
            channel="web",
            request_id="",
            prev_hash=prev,
        )
        entry.entry_hash = AuditEntry.hash_of(
            prev, tuple(getattr(entry, f) for f in AuditEntry.HASHED)
        )
        prev = entry.entry_hash
        batch.append(entry)
        if len(batch) == 50_000:
            objects_insert(batch)
            batch = []
    objects_insert(batch)
    AuditChainHead.objects.update_or_create(
        pk=1, defaults={"last_seq": entries, "last_hash": prev}
    )
    print(
        f"loaded {entries:,} chained audit entries for {PEOPLE:,} people "
        f"in {time.perf_counter() - started:.1f} s"
    )
    from django.db import connection

    with connection.cursor() as cursor:
        # What autovacuum does soon after a load: statistics and the visibility
        # map (index-only scans).
        cursor.execute("VACUUM ANALYZE")
    return person_ids, heavy


def _sign_in(client, person) -> None:
    from joinedup.portal.auth.senders import OUTBOX

    client.post(
        "/me/sign-in/",
        {
            "nhs_number": person.nhs_number,
            "contact": person.email,
            "birth_date-day": str(person.birth_date.day),
            "birth_date-month": str(person.birth_date.month),
            "birth_date-year": str(person.birth_date.year),
        },
    )
    response = client.post("/me/sign-in/code/", {"code": OUTBOX[-1].code})
    if response.status_code != 302:
        raise SystemExit("sign-in failed")


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=1_000_000)
    parser.add_argument("--requests", type=int, default=400)
    parser.add_argument("--database-url", default=URL)
    args = parser.parse_args()
    os.environ["JOINEDUP_PORTAL_CODE_SENDER"] = (
        "joinedup.portal.auth.senders.OutboxCodeSender"
    )
    os.environ["JOINEDUP_PORTAL_CODES_PER_HOUR"] = "1000000"
    database_recreate(args.database_url)
    django_setup(args.database_url)
    from django.core.management import call_command
    from django.test import Client

    from joinedup.governance.models import AuditEntry
    from joinedup.people.models import Person

    call_command("migrate", verbosity=0)
    rng = random.Random(16)
    person_ids, heavy = _load(args.entries, rng)
    # The page is measured for everyone alike; a quarter of the requests go to
    # the people with the most entries.
    sample = rng.sample(person_ids, 75) + heavy[:25]
    clients = {}
    for person in Person.objects.filter(pk__in=sample):
        client = Client()
        _sign_in(client, person)
        clients[person.pk] = client
    counts = dict.fromkeys(sample, 0)
    for row in (
        AuditEntry.objects.filter(person_id__in=sample)
        .values_list("person_id", flat=True)
        .iterator()
    ):
        counts[row] += 1
    times: list[float] = []
    heavy_times: list[float] = []
    queries = set()
    for client in clients.values():  # warm the connection and caches once
        client.get("/me/who-has-seen-my-record/")
    for i in range(args.requests):
        person_id = sample[i % len(sample)]
        response = clients[person_id].get("/me/who-has-seen-my-record/")
        if response.status_code != 200:
            raise SystemExit(f"status {response.status_code}")
        match = TIMING.search(response["Server-Timing"])
        assert match is not None
        app_ms = float(match.group(1))
        queries.add(int(match.group(3)))
        times.append(app_ms)
        if person_id in heavy:
            heavy_times.append(app_ms)
    print(
        f"entries per person in the sample: median "
        f"{statistics.median(counts.values()):.0f}, max {max(counts.values()):,}"
    )
    print(
        f"who has seen my record ({len(times)} requests, {len(sample)} people): "
        f"p50 {percentile(times, 0.5):.1f} ms, p95 {percentile(times, 0.95):.1f} ms, "
        f"max {max(times):.1f} ms; people with the most entries: "
        f"p95 {percentile(heavy_times, 0.95):.1f} ms; queries per page "
        f"{sorted(queries)}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
