# ruff: noqa: S608 - SQL over the benchmark's own temporary files
"""The population refresh and the pages that read its results.

    python bench/bench_population.py --people 100000 [--database-url URL]
        [--skip-load] [--repeat 3] [--page-runs 20] [--replicate 10]

(1) Loads a synthetic area of N people with three years of history into a fresh
PostgreSQL database (unless --skip-load: reuse the database as it is). (2) Runs
`joinedup population refresh` in a child process --repeat times: wall time (median)
and the child's peak resident memory (DuckDB runs inside it). (3) Times the
case-finding page (community matron) and the JSNA page (commissioner) through
Django's test client, --page-runs each after one warm-up: median and 95th
percentile. (4) With --replicate K: the compute stage alone on K copies of the
snapshot (to reach a size the database does not hold). Targets (issue 9): refresh
of 1,000,000 people (~50,000,000 events) under 5 minutes with peak memory under
8 GB; each page under 300 ms.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _db import database_recreate, django_setup, percentile

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/joinedup_pop_bench"


def _load(people: int) -> None:
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from joinedup.synth.generator import area_generate
    from joinedup.synth.load import area_load

    started = time.perf_counter()
    stats = area_load(area=area_generate(people=people))
    print(
        f"load: {stats.people:,} people, {stats.events:,} events in "
        f"{time.perf_counter() - started:.1f} s (not part of the target)"
    )


def _refresh(url: str, repeat: int) -> None:
    env = {**os.environ, "DATABASE_URL": url}
    times = []
    for _ in range(repeat):
        started = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "joinedup", "population", "refresh"],
            check=True,
            env=env,
            stdout=subprocess.DEVNULL,
        )
        times.append(time.perf_counter() - started)
    # ru_maxrss of children: the largest child's peak, in KiB on Linux
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"refresh: median {statistics.median(times):.1f} s over {repeat} "
        f"(runs: {', '.join(f'{t:.1f}' for t in times)}); "
        f"peak memory {peak_mb:,.0f} MB"
    )


def _compute_replicated(copies: int) -> None:
    """The compute stage alone at a larger size than the database holds: the
    database's snapshot is replicated `copies` times in DuckDB (person ids
    shifted), then `refresh_compute` runs on it in a child process (time, peak
    memory). Snapshot and write-back are not part of this figure."""
    import tempfile

    import duckdb

    from joinedup.population.engine.jobs import TABLE_NAMES
    from joinedup.population.engine.snapshot import snapshot_write

    base = Path(tempfile.mkdtemp(prefix="pop-bench-"))
    started = time.perf_counter()
    counts = snapshot_write(base / "one")
    print(
        f"snapshot: {counts['people']:,} people, {counts['events']:,} events used "
        f"by the jobs, in {time.perf_counter() - started:.1f} s"
    )
    big = base / "many"
    big.mkdir()
    con = duckdb.connect()
    shift = 1 + int(
        con.execute(
            f"SELECT MAX(person_id) FROM read_parquet('{base}/one/people.parquet')"
        ).fetchall()[0][0]
    )
    for name in TABLE_NAMES:
        src = base / "one" / f"{name}.parquet"
        replace = f"person_id + r.range * {shift} AS person_id"
        if name == "stays":
            replace += f", stay_id + r.range * {shift} AS stay_id"
        con.execute(
            f"COPY (SELECT * REPLACE ({replace}) FROM read_parquet('{src}') "
            f"CROSS JOIN range({copies}) r) TO '{big / f'{name}.parquet'}' "
            "(FORMAT parquet)"
        )
    people, events = (
        con.execute(
            f"SELECT COUNT(*) FROM read_parquet('{big / f'{name}.parquet'}')"
        ).fetchall()[0][0]
        for name in ("people", "events")
    )
    con.close()
    code = (
        "import sys, time; from pathlib import Path; "
        "from joinedup.population.engine.run import refresh_compute; "
        "t = time.perf_counter(); r = refresh_compute(Path(sys.argv[1])); "
        "print(f'{time.perf_counter() - t:.1f} {r.scores.num_rows} "
        "{r.model.auc:.3f}')"
    )
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    out = (
        subprocess.run(
            [sys.executable, "-c", code, str(big)],
            check=True,
            capture_output=True,
            text=True,
        )
        .stdout.strip()
        .splitlines()[-1]
        .split()
    )
    peak_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024
    print(
        f"compute on {copies} copies: {people:,} people, {events:,} job events: "
        f"{out[0]} s, {int(out[1]):,} scored, AUC {out[2]}; peak memory "
        f"{peak_mb:,.0f} MB (was {before / 1024:,.0f} MB before)"
    )
    import shutil

    shutil.rmtree(base, ignore_errors=True)


def _pages(runs: int) -> None:
    from django.conf import settings
    from django.test import Client

    from joinedup.governance.models import (
        Membership,
        Organisation,
        OrganisationType,
        Role,
        User,
    )
    from joinedup.population.models import Refresh

    settings.ALLOWED_HOSTS = ["*"]
    settings.JOINEDUP_REQUIRE_2FA = False
    refresh = Refresh.objects.get(is_current=True)
    print(f"figures: {refresh.people:,} people, {refresh.events:,} events")
    trust = Organisation.objects.filter(type=OrganisationType.COMMUNITY_TRUST).first()
    icb = Organisation.objects.filter(type=OrganisationType.ICB).first()
    assert trust is not None and icb is not None
    users = {}
    for username, role, org in (
        ("bench.matron", Role.COMMUNITY_MATRON, trust),
        ("bench.commissioner", Role.COMMISSIONER, icb),
    ):
        user, _ = User.objects.get_or_create(username=username)
        Membership.objects.get_or_create(user=user, organisation=org, role=role)
        users[username] = user
    for username, url in (
        ("bench.matron", "/population/case-finding/"),
        ("bench.commissioner", "/population/jsna/?by=age_band"),
    ):
        client = Client()
        client.force_login(users[username])
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 200
        print(
            f"page {url}: median {statistics.median(times):.0f} ms, "
            f"p95 {percentile(times, 0.95):.0f} ms over {runs} "
            f"({len(response.content) / 1024:.0f} KiB)"
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--skip-load", action="store_true")
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--page-runs", type=int, default=20)
    parser.add_argument(
        "--replicate",
        type=int,
        default=0,
        help="also time the compute stage on N copies of the snapshot",
    )
    args = parser.parse_args()

    if not args.skip_load:
        database_recreate(args.database_url)
    django_setup(args.database_url)
    if not args.skip_load:
        _load(args.people)
    if args.repeat:
        _refresh(args.database_url, args.repeat)
    if args.page_runs:
        _pages(args.page_runs)
    if args.replicate:
        _compute_replicated(args.replicate)
    return 0


if __name__ == "__main__":
    sys.exit(main())
