"""Generate the synthetic extracts and load an area into PostgreSQL.

    python bench/bench_load.py [--people 100000] [--database-url URL]

Times (1) `joinedup generate --people N --out DIR` and (2) loading N people with
their whole history into a fresh PostgreSQL database (migrations excluded). Target
(issue 2): under 3 minutes for 100,000 people on a 2-core machine. Leaves the
database loaded for bench_person_page.py.
"""

from __future__ import annotations

import argparse
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _db import DEFAULT_URL, database_recreate, django_setup


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--skip-generate", action="store_true")
    args = parser.parse_args()

    if not args.skip_generate:
        out = Path(tempfile.mkdtemp(prefix="joinedup-extracts-"))
        started = time.perf_counter()
        subprocess.run(
            [
                sys.executable,
                "-m",
                "joinedup",
                "generate",
                "--people",
                str(args.people),
                "--out",
                str(out),
            ],
            check=True,
            stdout=subprocess.DEVNULL,
        )
        generate_s = time.perf_counter() - started
        size = sum(f.stat().st_size for f in out.rglob("*") if f.is_file())
        shutil.rmtree(out)
        print(
            f"generate: {args.people:,} people in {generate_s:.1f} s "
            f"({size / 1e6:,.0f} MB of extracts)"
        )

    database_recreate(args.database_url)
    django_setup(args.database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from joinedup.synth.generator import area_generate
    from joinedup.synth.load import area_load

    area = area_generate(people=args.people)
    started = time.perf_counter()
    stats = area_load(area=area)
    load_s = time.perf_counter() - started
    print(
        f"load: {stats.people:,} people, {stats.events:,} events, "
        f"{stats.identifiers:,} identifiers in {load_s:.1f} s "
        f"({stats.people / load_s:,.0f} people/s, "
        f"{stats.events / load_s:,.0f} events/s)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
