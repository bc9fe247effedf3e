"""Pooled budget dashboard and cost-shift ledger at scale (issue 8).

    nice -n 15 python bench/bench_pooled.py [--database-url URL] [--runs 5]

Builds (in a fresh PostgreSQL database, or SQLite with --database-url
sqlite:////tmp/x.sqlite3) a fund with 20 schemes, 5,000 care packages for 2,500
people with their funding splits (a fifth changed by CHC or joint funding
decisions), direct payments, and 3 financial years of monthly plans and
journals, then times the selectors the pages call:

- the pooled budget dashboard for the current financial year: target under 1 s;
- the cost-shift ledger for 36 months: target under 2 s.

Reports the median and the worst of the runs, and the ratio to the target.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _db import database_recreate, django_setup

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/joinedup_fundb_bench"
TODAY = dt.date(2026, 11, 27)


def _tables_ensure() -> None:
    """Create the funding tables when no migration made them yet (the app's
    migrations are generated at the end of the issue)."""
    from django.apps import apps
    from django.db import connection

    existing = set(connection.introspection.table_names())
    with connection.schema_editor() as editor:
        for model in apps.get_app_config("funding").get_models():
            if model._meta.db_table not in existing:
                editor.create_model(model)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--packages", type=int, default=5000)
    parser.add_argument("--schemes", type=int, default=20)
    args = parser.parse_args()
    if args.database_url.startswith("postgres"):
        database_recreate(args.database_url)
    django_setup(args.database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    _tables_ensure()

    from joinedup.funding.selectors.ledger import ledger_get
    from joinedup.funding.selectors.pooled import fund_dashboard
    from joinedup.governance.access import Actor
    from joinedup.governance.models import Membership, Organisation, User
    from joinedup.people.models import Person
    from joinedup.synth.demo_pooled import pooled_seed

    council = Organisation.objects.create(
        code="B-ASC", name="Bench Council", type="council_adult_social_care"
    )
    icb = Organisation.objects.create(code="B-ICB", name="Bench ICB", type="icb")
    comm = User.objects.create(username="bench.comm")
    sw = User.objects.create(username="bench.sw")
    Membership.objects.create(user=comm, organisation=icb, role="commissioner")
    Membership.objects.create(user=sw, organisation=council, role="social_worker")
    Person.objects.bulk_create(
        [
            Person(
                given_name="Bench",
                family_name=f"Person{i}",
                given_name_norm="bench",
                family_name_norm=f"person{i}",
                birth_date=dt.date(1940 + i % 50, 1 + i % 12, 1 + i % 28),
            )
            for i in range(2500)
        ],
        batch_size=1000,
    )
    people = list(Person.objects.values_list("pk", flat=True))
    started = time.monotonic()
    tally = pooled_seed(
        name="Bench fund",
        host=council,
        icb=icb,
        commissioner=comm,
        social_worker=sw,
        person_ids=people,
        packages=args.packages,
        schemes=args.schemes,
        today=TODAY,
    )
    print(
        f"seeded {tally.schemes} schemes, {tally.packages:,} packages, "
        f"{tally.splits:,} splits, {tally.journals:,} journals in "
        f"{time.monotonic() - started:.1f} s ({args.database_url.split(':')[0]})"
    )
    actor = Actor(user_id=comm.pk, role="commissioner", organisation_id=icb.pk)
    from joinedup.funding.models import PooledFund

    fund_id = PooledFund.objects.get(name="Bench fund").pk

    def timed(fn) -> list[float]:
        out = []
        for _ in range(args.runs):
            t = time.perf_counter()
            fn()
            out.append(time.perf_counter() - t)
        return out

    board = timed(
        lambda: fund_dashboard(actor=actor, fund_id=fund_id, year=2026, today=TODAY)
    )
    ledger = timed(
        lambda: ledger_get(
            actor=actor, start=dt.date(2023, 12, 1), end=dt.date(2026, 11, 30)
        )
    )
    for label, runs, target in (
        ("pooled budget dashboard (1 year, 20 schemes)", board, 1.0),
        ("cost-shift ledger (36 months)", ledger, 2.0),
    ):
        median = statistics.median(runs)
        print(
            f"{label}: median {median * 1000:.0f} ms, worst {max(runs) * 1000:.0f} ms "
            f"over {len(runs)} runs; {median / target:.2f} of the {target:.0f} s target"
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
