"""`make bench`: every benchmark, in order. PEOPLE (default 100000) sets the size."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).parent


def main() -> int:
    people = os.environ.get("PEOPLE", "100000")
    url = os.environ.get(
        "BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/joinedup_bench"
    )
    steps = [
        [sys.executable, str(HERE / "bench_generate.py"), "20000"],
        [
            sys.executable,
            str(HERE / "bench_load.py"),
            "--people",
            people,
            "--database-url",
            url,
        ],
        [sys.executable, str(HERE / "bench_person_page.py"), "--database-url", url],
    ]
    for step in steps:
        print("$", " ".join(step[1:]), flush=True)
        subprocess.run(step, check=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
