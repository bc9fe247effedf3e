"""The floor under any durable write on this machine: the time of one INSERT and
COMMIT (fsync of the WAL) against a SELECT and COMMIT, in a scratch database.

    python bench/bench_commit_floor.py
"""

from __future__ import annotations

import statistics
import time

import psycopg

ADMIN = "postgresql://postgres@127.0.0.1:5432/postgres"
SCRATCH = "postgresql://postgres@127.0.0.1:5432/joinedup_bench_commit"


def main() -> None:
    with psycopg.connect(ADMIN, autocommit=True) as admin:
        admin.execute("DROP DATABASE IF EXISTS joinedup_bench_commit WITH (FORCE)")
        admin.execute("CREATE DATABASE joinedup_bench_commit")
    with psycopg.connect(SCRATCH) as conn:
        conn.execute("CREATE TABLE t (id bigserial PRIMARY KEY, v text)")
        conn.commit()
        writes: list[float] = []
        reads: list[float] = []
        for _ in range(300):
            started = time.perf_counter()
            conn.execute("INSERT INTO t (v) VALUES ('x')")
            conn.commit()
            writes.append(time.perf_counter() - started)
            started = time.perf_counter()
            conn.execute("SELECT 1")
            conn.commit()
            reads.append(time.perf_counter() - started)
    print(
        f"insert and commit p50 {statistics.median(writes) * 1000:.2f} ms; "
        f"select and commit p50 {statistics.median(reads) * 1000:.2f} ms"
    )


if __name__ == "__main__":
    main()
