"""Time generating a synthetic area: `python bench/bench_generate.py [PEOPLE]`.

Prints the median of three runs of generating (iterating) PEOPLE people (default
20,000) with all their source records and events, and events per second.
"""

from __future__ import annotations

import statistics
import sys
import time

from joinedup.synth.generator import area_generate


def main(argv: list[str]) -> int:
    people = int(argv[1]) if len(argv) > 1 else 20_000
    area = area_generate(people=people)
    times: list[float] = []
    events = records = 0
    for _ in range(3):
        events = records = 0
        started = time.perf_counter()
        for person in area.iter_people():
            events += len(person.events)
            records += len(person.records)
        times.append(time.perf_counter() - started)
    median = statistics.median(times)
    print(
        f"{people:,} people, {records:,} source records, {events:,} events: "
        f"median {median:.2f} s of {', '.join(f'{t:.2f}' for t in times)} "
        f"({people / median:,.0f} people/s, {events / median:,.0f} events/s, "
        f"{events / max(people, 1):.1f} events a person)"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
