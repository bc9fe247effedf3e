"""FHIR R4 NDJSON ingest into PostgreSQL.

    python bench/bench_fhir_ingest.py [--people 2000] [--database-url URL]

Generates an area's FHIR extracts (GP, community and mental health: one transaction
Bundle a line per patient record), then ingests every NDJSON file into a scratch
PostgreSQL database with `fhir_ndjson_ingest` (each resource validated with the
fhir.resources R4B models; each bundle all-or-nothing; writes set-wise per group of
lines). Prints resources/s, and the cost of validation alone for comparison.
`JOINEDUP_INGEST_WORKERS=2` validates in a pool of 2 processes instead of in this one.
Target (issue 4): 5,000 resources/s.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _db import DEFAULT_URL, database_recreate, django_setup


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=2000)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    args = parser.parse_args()

    out = Path(tempfile.mkdtemp(prefix="joinedup-fhir-"))
    subprocess.run(
        [sys.executable, "-m", "joinedup", "generate", "--people", str(args.people),
         "--out", str(out)],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    database_recreate(args.database_url)
    django_setup(args.database_url)
    from django.core.management import call_command

    call_command("migrate", verbosity=0)
    from joinedup.interop.fhir.ingest import fhir_ndjson_ingest
    from joinedup.interop.fhir.mappers_in import resource_validate
    from joinedup.interop.reference import reference_files_load
    from joinedup.interop.services import Tally

    reference_files_load(folder=out)
    files = sorted(out.glob("*/*.ndjson"))
    resources = [
        entry["resource"]
        for path in files
        for line in path.read_text(encoding="utf-8").splitlines()
        if line.strip()
        for entry in json.loads(line)["entry"]
    ]
    started = time.perf_counter()
    for i, resource in enumerate(resources):
        resource_validate(resource, f"entry {i}")
    validation = time.perf_counter() - started

    tally = Tally()
    started = time.perf_counter()
    for path in files:
        fhir_ndjson_ingest(path, tally=tally)
    elapsed = time.perf_counter() - started
    print(
        f"{tally.received:,} resources ({tally.applied:,} applied, "
        f"{tally.quarantined:,} quarantined) from {len(files)} NDJSON files in "
        f"{elapsed:.1f} s: {tally.received / elapsed:,.0f} resources/s. "
        f"Validation alone (fhir.resources R4B): {len(resources) / validation:,.0f} "
        "resources/s"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
