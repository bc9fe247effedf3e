"""Identity matching on the synthetic area: train, score, and report time and
pairwise precision/recall/F1 against the generator's ground truth (overall, for
pairs without a shared NHS number, and for movers).

    .venv/bin/python bench/bench_matching.py [--people 20000] [--curve]

Splink's own example model side by side: bench/bench_matching_tutorial.py; the
1,000,000-record batch: bench/bench_link.py; incremental matching against a big
index: bench/bench_matching_incremental.py.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinedup.config.settings")


def main(argv: list[str] | None = None) -> int:
    import django

    django.setup()
    import logging

    logging.getLogger("splink").setLevel(logging.ERROR)
    from joinedup.people.matching import engine
    from joinedup.people.matching import evaluate as ev
    from joinedup.people.matching.outcomes import thresholds_from_settings
    from joinedup.people.matching.pipeline import link_within
    from joinedup.people.matching.prepare import rows_build
    from joinedup.synth.generator import area_generate
    from joinedup.synth.matching import area_records

    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--curve", action="store_true", help="print the PR curve")
    parser.add_argument(
        "--incremental",
        type=int,
        default=0,
        metavar="N",
        help="time person_resolve for N arriving records against the index "
        "(loads the area's people into the database under JOINEDUP_DATA_DIR)",
    )
    args = parser.parse_args(argv)

    t0 = time.perf_counter()
    records, truth = area_records(area_generate(people=args.people))
    t1 = time.perf_counter()
    model = engine.model_train(rows_build(records))
    t2 = time.perf_counter()
    chosen = thresholds_from_settings()
    if args.incremental:
        return incremental(records, truth, model, chosen, args.incremental)
    pairs = link_within(records, model=model, thresholds=chosen, keep_below=0.01)
    t3 = time.perf_counter()
    true_pairs = truth.pairs()
    scored = [(p.left_id, p.right_id, p.match_probability) for p in pairs]
    print(f"people={args.people} records={len(records)} true_pairs={len(true_pairs)}")
    print(f"generate {t1 - t0:.1f}s  train {t2 - t1:.1f}s  score {t3 - t2:.1f}s")
    groups = {
        "all": true_pairs,
        "no shared NHS number": ev.without_nhs(records, true_pairs),
        "movers": ev.movers(records, true_pairs),
    }
    nhs_of = {r.id: r.nhs_number for r in records}
    movers_no_nhs = {
        (a, b)
        for a, b in groups["movers"]
        if not (nhs_of[a] and nhs_of[a] == nhs_of[b])
    }
    groups["movers, no shared NHS number"] = movers_no_nhs
    key = {(min(a, b), max(a, b)): p for a, b, p in scored}
    for name, subset in groups.items():
        # Restrict the predictions to pairs that are either in this subset or
        # false (a false pair counts against every subset).
        sub = [
            (a, b, p)
            for (a, b), p in key.items()
            if (a, b) in subset or (a, b) not in true_pairs
        ]
        s_up = ev.score_at(sub, subset, chosen.upper)
        s_lo = ev.score_at(sub, subset, chosen.lower)
        print(
            f"{name:32s} n={len(subset):6d}  auto-link (p>={chosen.upper}): "
            f"P={s_up.precision:.4f} R={s_up.recall:.4f} F1={s_up.f1:.4f}  "
            f"link+review (p>={chosen.lower}): P={s_lo.precision:.4f} "
            f"R={s_lo.recall:.4f}"
        )
    review = sum(1 for p in pairs if p.outcome == "review")
    print(f"pairs to review: {review}")
    if args.curve:
        grid = [
            0.05,
            0.1,
            0.2,
            0.5,
            0.8,
            0.9,
            0.95,
            0.99,
            0.995,
            0.999,
            0.9999,
            0.99999,
        ]
        for s in ev.curve(scored, true_pairs, grid):
            print(
                f"  t={s.threshold:<8} P={s.precision:.5f} R={s.recall:.5f} "
                f"F1={s.f1:.5f} FP={s.false_positives} FN={s.false_negatives}"
            )
    return 0


def incremental(records, truth, model, thresholds, n: int) -> int:
    """Load the first record of each person as the index, then resolve N of the
    other records one at a time and report p50/p95 and the outcomes."""
    import random
    import statistics

    from django.core.management import call_command

    from joinedup.people.matching import store
    from joinedup.people.matching.resolve import person_resolve
    from joinedup.people.models import Person, normalise_name

    call_command("migrate", verbosity=0)
    if Person.objects.exists():
        print("the database already holds people: use an empty JOINEDUP_DATA_DIR")
        return 2
    first: dict[str, object] = {}
    arriving = []
    for r in records:
        key = truth.person_of[r.id]
        if key in first:
            arriving.append(r)
        else:
            first[key] = r
    people = [
        Person(
            given_name=r.given_name,
            family_name=r.family_name,
            given_name_norm=normalise_name(r.given_name),
            family_name_norm=normalise_name(r.family_name),
            birth_date=r.birth_date,
            sex=r.sex or "unknown",
            postcode=r.postcode,
            nhs_number=r.nhs_number,
            nhs_number_status="01" if r.nhs_verified else "03",
        )
        for r in first.values()
    ]
    Person.objects.bulk_create(people, batch_size=2000)
    ids = dict(
        zip(
            first,
            Person.objects.order_by("pk").values_list("pk", flat=True),
            strict=True,
        )
    )
    store.model_save(settings_json=model, thresholds=thresholds, trained_on="bench")
    sample = random.Random(7).sample(arriving, min(n, len(arriving)))
    person_resolve(record=sample[0])  # warm up (imports, model cache)
    times, outcomes, right = [], {"link": 0, "review": 0, "new": 0}, 0
    scored_times: list[float] = []  # records not placed by a verified NHS number
    for r in sample:
        t = time.perf_counter()
        res = person_resolve(record=r)
        times.append((time.perf_counter() - t) * 1000)
        if res.rule != "verified_nhs_number":
            scored_times.append(times[-1])
        outcomes[res.outcome.value] += 1
        right += res.person_id == ids[truth.person_of[r.id]]
    times.sort()
    p95 = times[int(0.95 * (len(times) - 1))]
    print(
        f"incremental: index={len(people)} people, {len(sample)} records: "
        f"p50 {statistics.median(times):.1f} ms, p95 {p95:.1f} ms, "
        f"max {times[-1]:.1f} ms; outcomes {outcomes}; "
        f"best match is the true person for {right}/{len(sample)}"
    )
    if scored_times:
        scored_times.sort()
        print(
            f"  scored by the model (no verified NHS number link): "
            f"{len(scored_times)} records, p50 {statistics.median(scored_times):.1f}"
            f" ms, p95 {scored_times[int(0.95 * (len(scored_times) - 1))]:.1f} ms"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
