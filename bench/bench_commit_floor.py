"""The floor under any durable write on this machine: the time of one INSERT and
COMMIT (fsync of the WAL) against a SELECT and COMMIT, in a scratch database.

    python bench/bench_commit_floor.py [--database NAME]

`commit_floor()` is what bench_mllp.py measures in the same run, to report its
ACK latency as a multiple of this floor.
"""

from __future__ import annotations

import argparse
import statistics
import time
from dataclasses import dataclass

import psycopg

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
SCRATCH = "joinedup_bench_commit"


@dataclass(frozen=True)
class Floor:
    write_p50: float  # seconds: INSERT and COMMIT
    read_p50: float  # seconds: SELECT and COMMIT


def commit_floor(*, database: str = SCRATCH, rounds: int = 300) -> Floor:
    """Median INSERT + COMMIT and SELECT + COMMIT in a fresh scratch database."""
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{database}"')
    try:
        with psycopg.connect(ADMIN.rsplit("/", 1)[0] + f"/{database}") as conn:
            conn.execute("CREATE TABLE t (id bigserial PRIMARY KEY, v text)")
            conn.commit()
            writes: list[float] = []
            reads: list[float] = []
            for _ in range(rounds):
                started = time.perf_counter()
                conn.execute("INSERT INTO t (v) VALUES ('x')")
                conn.commit()
                writes.append(time.perf_counter() - started)
                started = time.perf_counter()
                conn.execute("SELECT 1")
                conn.commit()
                reads.append(time.perf_counter() - started)
    finally:
        with psycopg.connect(ADMIN, autocommit=True) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
    return Floor(statistics.median(writes), statistics.median(reads))


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", default=SCRATCH)
    args = parser.parse_args()
    floor = commit_floor(database=args.database)
    print(
        f"insert and commit p50 {floor.write_p50 * 1000:.2f} ms; "
        f"select and commit p50 {floor.read_p50 * 1000:.2f} ms"
    )


if __name__ == "__main__":
    main()
