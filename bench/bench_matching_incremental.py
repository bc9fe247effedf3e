"""Incremental matching on arrival at scale (issue 5): `person_resolve` for
arriving source records, one at a time, against an index of N people.

    JOINEDUP_DATA_DIR=/tmp/match-inc nice -n 15 \
        .venv/bin/python bench/bench_matching_incremental.py --people 1000000

The index is the first source record of each person of the synthetic area,
bulk-loaded into the database under JOINEDUP_DATA_DIR (or DATABASE_URL); a later
run with the same --people reuses it (--reload to rebuild). The model is trained
on a separate 20,000-person area and stored, as `joinedup link --train` does.
The arriving records are a random sample of the other records of the same
people (a second system's copy: typos, nicknames, moves, 30% of social care
records without an NHS number), plus as many records of people not in the index
(they must come out "new").
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import time

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinedup.config.settings")


def _p(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[int(q * (len(ordered) - 1))]


def main(argv: list[str] | None = None) -> int:
    import django

    django.setup()
    import logging

    logging.getLogger("splink").setLevel(logging.ERROR)
    from django.core.management import call_command
    from django.db import connection, transaction

    from joinedup.people.matching import engine, store
    from joinedup.people.matching.outcomes import thresholds_from_settings
    from joinedup.people.matching.prepare import MatchRecord, rows_build
    from joinedup.people.matching.resolve import person_resolve
    from joinedup.people.models import Person, normalise_name
    from joinedup.people.nhs_number import nhs_number_check_digit
    from joinedup.synth.generator import DEFAULT_SEED, MAX_PEOPLE, area_generate
    from joinedup.synth.matching import area_records

    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=1_000_000)
    parser.add_argument("--records", type=int, default=2000)
    parser.add_argument("--reload", action="store_true")
    args = parser.parse_args(argv)

    call_command("migrate", verbosity=0)
    rng = random.Random(7)
    existing = Person.objects.count()
    # Arriving records: reservoir samples over the area's later records, and
    # records of people beyond the index (the area is generated 1% larger).
    extra = max(args.records // 10, 100)
    arriving: list[tuple[MatchRecord, str | None]] = []
    strangers: list[MatchRecord] = []
    seen = 0
    load = args.reload or existing != args.people
    if load:
        Person.objects.all().delete()
    t = time.perf_counter()
    # The generator makes at most MAX_PEOPLE people per area, with NHS numbers
    # taken from the person's index. A bigger index adds people of a second
    # seed whose NHS numbers are moved from the 999 test range to 998 (check
    # digit recomputed; None where 998... has no valid one), so that they are
    # different people. The people after the index in the last area are the
    # arriving strangers.
    first = min(args.people, MAX_PEOPLE - extra)
    parts = [(DEFAULT_SEED, first, False)]
    if args.people > first:
        parts.append((DEFAULT_SEED + 1, args.people - first, True))

    def moved(nhs: str | None) -> str | None:
        if not nhs:
            return nhs
        first9 = "998" + nhs[3:9]
        check = nhs_number_check_digit(first9)
        return None if check is None else f"{first9}{check}"

    def people_iter():
        for i, (seed, n, remap) in enumerate(parts):
            last = i == len(parts) - 1
            area = area_generate(people=n + extra if last else n, seed=seed)
            for index, person in enumerate(area.iter_people()):
                key = f"{seed}:{person.key}" if index < n else None
                yield key, person, remap

    batch: list[Person] = []
    keys: list[str] = []
    key_to_pk: dict[str, int] = {}

    def flush() -> None:
        if load and batch:
            with transaction.atomic():
                made = Person.objects.bulk_create(batch, batch_size=2000)
            key_to_pk.update(zip(keys, (p.pk for p in made), strict=True))
        batch.clear()
        keys.clear()

    for key, person, remap in people_iter():
        records = [
            MatchRecord(
                id=f"{r.system_code}:{r.local_id}",
                given_name=r.given_name,
                family_name=r.family_name,
                birth_date=r.birth_date,
                sex=r.sex,
                postcode=r.postcode,
                nhs_number=moved(r.nhs_number) if remap else r.nhs_number,
                nhs_verified=r.nhs_number_status == "01",
            )
            for r in person.records
        ]
        if key is None:
            strangers.append(records[0])
            continue
        first = records[0]
        if load:
            batch.append(
                Person(
                    given_name=first.given_name,
                    family_name=first.family_name,
                    given_name_norm=normalise_name(first.given_name),
                    family_name_norm=normalise_name(first.family_name),
                    birth_date=first.birth_date,
                    sex=first.sex or "unknown",
                    postcode=first.postcode,
                    nhs_number=first.nhs_number,
                    nhs_number_status="01" if first.nhs_verified else "03",
                )
            )
            keys.append(key)
            if len(batch) >= 20_000:
                flush()
        for later in records[1:]:
            seen += 1
            if len(arriving) < args.records:
                arriving.append((later, key))
            else:
                j = rng.randrange(seen)
                if j < args.records:
                    arriving[j] = (later, key)
    flush()
    if load:
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")
    load_s = time.perf_counter() - t
    if not load:
        # the index was loaded by an earlier run in area order
        pks = list(Person.objects.order_by("pk").values_list("pk", flat=True))
        key_to_pk = dict(
            zip((k for k, _p, _r in people_iter() if k), pks, strict=False)
        )
    print(
        f"index: {Person.objects.count()} people "
        f"({'loaded' if load else 'reused'} in {load_s:.0f}s, "
        f"{connection.vendor}); arriving: {len(arriving)} records of people in "
        f"the index + {len(strangers)} of people not in it",
        flush=True,
    )

    t = time.perf_counter()
    train, _ = area_records(area_generate(people=20_000, seed=4242))
    store.model_save(
        settings_json=engine.model_train(rows_build(train)),
        thresholds=thresholds_from_settings(),
        trained_on="bench: synthetic 20000 (seed 4242)",
    )
    del train
    print(f"model trained and stored in {time.perf_counter() - t:.1f}s", flush=True)

    t = time.perf_counter()
    person_resolve(record=strangers[0])  # loads the model and the index's tf
    print(f"first call (model + term frequencies): {time.perf_counter() - t:.1f}s")
    sample = [(r, key) for r, key in arriving] + [(r, None) for r in strangers[1:]]
    rng.shuffle(sample)
    times: list[float] = []
    cpu: list[float] = []  # process CPU time per call: what the call itself cost
    scored: list[float] = []
    scored_cpu: list[float] = []
    outcomes = {"link": 0, "review": 0, "new": 0}
    right = wrong_link = 0
    for record, key in sample:
        t0, c0 = time.perf_counter(), time.process_time()
        res = person_resolve(record=record)
        ms = (time.perf_counter() - t0) * 1000
        cpu.append((time.process_time() - c0) * 1000)
        times.append(ms)
        if res.rule != "verified_nhs_number":
            scored.append(ms)
            scored_cpu.append(cpu[-1])
        outcomes[res.outcome.value] += 1
        truth = key_to_pk.get(key) if key else None
        if res.outcome.value == "link":
            if res.person_id == truth:
                right += 1
            else:
                wrong_link += 1
    known = len(arriving)
    print(
        f"all {len(times)} records: p50 {statistics.median(times):.1f} ms, "
        f"p95 {_p(times, 0.95):.1f} ms, max {max(times):.1f} ms; "
        f"outcomes {outcomes}"
    )
    print(
        f"CPU time per call (unaffected by other processes' load): p50 "
        f"{statistics.median(cpu):.1f} ms, p95 {_p(cpu, 0.95):.1f} ms"
    )
    print(
        f"scored by the model (no verified NHS number link): {len(scored)} "
        f"records, p50 {statistics.median(scored):.1f} ms, "
        f"p95 {_p(scored, 0.95):.1f} ms; CPU p50 "
        f"{statistics.median(scored_cpu):.1f} ms, p95 {_p(scored_cpu, 0.95):.1f} ms"
    )
    print(
        f"linked to the true person: {right}/{known}; links to a wrong person: "
        f"{wrong_link}"
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
