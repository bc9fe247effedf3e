"""Batch linkage at scale (issue 5): N source records of the synthetic area
deduplicated into people with the stored kind of model (Splink on DuckDB), timed,
with peak memory and pairwise accuracy against the generator's ground truth.

    nice -n 15 .venv/bin/python bench/bench_link.py --records 1000000

The model is trained first on a separate 20,000-person area (another seed), as
`joinedup link --train` stores one; its time is reported apart. Linking is
`pipeline.link_within` (the deterministic verified-NHS-number step, then Splink's
blocking, scoring and the three outcomes), then the automatic links are
clustered into people (connected components). Peak memory is the process's
maximum resident set size (DuckDB runs in the process).
"""

from __future__ import annotations

import argparse
import os
import resource
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinedup.config.settings")


def _rss_gb() -> float:
    """Peak resident set size of this process so far, in GB (Linux: KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024


def area_sample(people: int, records: int, seed: int | None = None):
    """The first `records` source records of an area (and their ground truth),
    generated person by person so that no person is cut in half."""
    from joinedup.synth.generator import area_generate
    from joinedup.synth.matching import area_records

    area = (
        area_generate(people=people)
        if seed is None
        else area_generate(people=people, seed=seed)
    )
    return area_records(area, limit=records)


def clusters(ids: list[str], links: list[tuple[str, str]]) -> int:
    """Number of people after joining the linked pairs (union-find)."""
    parent = {i: i for i in ids}

    def find(x: str) -> str:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in links:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[ra] = rb
    return len({find(i) for i in ids})


def main(argv: list[str] | None = None) -> int:
    import django

    django.setup()
    import logging

    logging.getLogger("splink").setLevel(logging.ERROR)
    from joinedup.people.matching import engine
    from joinedup.people.matching import evaluate as ev
    from joinedup.people.matching.outcomes import Outcome, thresholds_from_settings
    from joinedup.people.matching.pipeline import link_within
    from joinedup.people.matching.prepare import rows_build

    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--train-people", type=int, default=20_000)
    args = parser.parse_args(argv)

    t = time.perf_counter()
    train_records, _ = area_sample(args.train_people, 10**9, seed=4242)
    model = engine.model_train(rows_build(train_records))
    del train_records
    train_s = time.perf_counter() - t
    thresholds = thresholds_from_settings()

    t = time.perf_counter()
    # about 1.9 source records per person in the synthetic area
    people = min(int(args.records / 1.8) + 1000, 2_000_000)
    records, truth = area_sample(people, args.records)
    generate_s = time.perf_counter() - t
    print(
        f"records={len(records)} people={len(set(truth.person_of.values()))} "
        f"(model trained on {args.train_people} people in {train_s:.1f}s; "
        f"generated in {generate_s:.1f}s)",
        flush=True,
    )

    t0, c0 = time.perf_counter(), time.process_time()
    decisions = link_within(records, model=model, thresholds=thresholds)
    t1 = time.perf_counter()
    links = [(d.left_id, d.right_id) for d in decisions if d.outcome == Outcome.LINK]
    n_people = clusters([r.id for r in records], links)
    t2, c2 = time.perf_counter(), time.process_time()
    review = sum(1 for d in decisions if d.outcome == Outcome.REVIEW)
    print(
        f"link {t1 - t0:.1f}s + cluster {t2 - t1:.1f}s = {t2 - t0:.1f}s; "
        f"pairs kept {len(decisions)} (link {len(links)}, review {review}); "
        f"people {n_people}; peak RSS {_rss_gb():.2f} GB; CPU time "
        f"{c2 - c0:.1f}s (all threads; on a loaded machine wall time overstates)",
        flush=True,
    )
    true_pairs = truth.pairs()
    s = ev.score_at(
        ((d.left_id, d.right_id, d.match_probability) for d in decisions),
        true_pairs,
        thresholds.upper,
    )
    print(
        f"pairwise at {thresholds.upper}: precision {s.precision:.5f} "
        f"recall {s.recall:.5f} F1 {s.f1:.5f} (FP {s.false_positives}, "
        f"FN {s.false_negatives}); true people "
        f"{len(set(truth.person_of.values()))}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
