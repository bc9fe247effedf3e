"""Our Splink settings side by side with Splink's own example model for person
data, on the same synthetic area and its ground truth (issue 5).

    nice -n 15 .venv/bin/python bench/bench_matching_tutorial.py [--people 20000]

"Tutorial" is Splink's example `deduplicate_50k_synthetic` (docs/demos/examples/
duckdb, Splink 4/5 syntax: the example for person data with names, date of birth
and postcode), adapted only in column names: first_name -> given_name, surname ->
family_name, dob -> birth_date, postcode_fake -> postcode, and its two extra
exact-match columns birth_place and occupation -> sex (with term frequencies,
as the example has) and nhs_number (the same information our model has). Its
blocking rules, prior (three rules, recall 0.6), u (random sampling, 1e7 pairs)
and EM sessions (blocked on first_name+surname and on dob, without term
frequencies) are the example's. Both models get the same deterministic step
first (same verified NHS number links), as the pipeline runs; the figures
"Splink only" leave it out. Scores are pairwise, at the same thresholds.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinedup.config.settings")


def tutorial_model(rows: list[dict[str, Any]]) -> tuple[Any, Any]:
    """Train Splink's example model on `rows`; returns (linker, db_api)."""
    import pyarrow as pa
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    blocking_rules = [
        block_on("substr(given_name,1,3)", "substr(family_name,1,4)"),
        block_on("family_name", "birth_date"),
        block_on("given_name", "birth_date"),
        block_on("postcode", "given_name"),
        block_on("postcode", "family_name"),
        block_on("birth_date", "sex"),
        block_on("substr(postcode,1,3)", "birth_date"),
        block_on("substr(postcode,1,3)", "given_name"),
        block_on("substr(postcode,1,3)", "family_name"),
        block_on(
            "substr(given_name,1,2)",
            "substr(family_name,1,2)",
            "substr(birth_date,1,4)",
        ),
    ]
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=blocking_rules,
        comparisons=[
            cl.ForenameSurnameComparison(
                "given_name",
                "family_name",
                forename_surname_concat_col_name="given_family_concat",
            ),
            cl.DateOfBirthComparison("birth_date", input_is_string=True),
            cl.PostcodeComparison("postcode"),
            cl.ExactMatch("sex").configure(term_frequency_adjustments=True),
            cl.ExactMatch("nhs_number").configure(term_frequency_adjustments=True),
        ],
        retain_intermediate_calculation_columns=True,
    )
    columns = ("unique_id", "given_name", "family_name", "birth_date", "postcode",
               "sex", "nhs_number")  # fmt: skip
    data = {c: [r[c] for r in rows] for c in columns}
    data["given_family_concat"] = [
        f"{r['given_name']} {r['family_name']}"
        if r["given_name"] and r["family_name"]
        else None
        for r in rows
    ]
    db_api = DuckDBAPI()
    linker = Linker(db_api.register(pa.Table.from_pydict(data)), settings,
                    log_level=None)  # fmt: skip
    linker.training.estimate_probability_two_random_records_match(
        [
            block_on("given_name", "family_name", "birth_date"),
            block_on("substr(given_name,1,2)", "family_name", "substr(postcode,1,2)"),
            block_on("birth_date", "postcode"),
        ],
        recall=0.6,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("given_name", "family_name"), estimate_without_term_frequencies=True
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("birth_date"), estimate_without_term_frequencies=True
    )
    return linker, db_api


def main(argv: list[str] | None = None) -> int:
    import django

    django.setup()
    import logging

    logging.getLogger("splink").setLevel(logging.ERROR)
    from joinedup.people.matching import engine
    from joinedup.people.matching import evaluate as ev
    from joinedup.people.matching.outcomes import thresholds_from_settings
    from joinedup.people.matching.prepare import deterministic_pairs, rows_build
    from joinedup.synth.generator import area_generate
    from joinedup.synth.matching import area_records

    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=20_000)
    args = parser.parse_args(argv)
    chosen = thresholds_from_settings()

    records, truth = area_records(area_generate(people=args.people))
    rows = rows_build(records)
    true_pairs = truth.pairs()
    nhs_links = {tuple(sorted(p)) for p in deterministic_pairs(rows)}

    t = time.perf_counter()
    ours_model = engine.model_train(rows)
    t_ours_train = time.perf_counter() - t
    t = time.perf_counter()
    ours = {
        tuple(sorted((p.left_id, p.right_id))): p.match_probability
        for p in engine.predict(ours_model, rows, threshold=0.01)
    }
    t_ours_predict = time.perf_counter() - t

    t = time.perf_counter()
    linker, _db = tutorial_model(rows)
    t_tut_train = time.perf_counter() - t
    t = time.perf_counter()
    frame = linker.inference.predict(threshold_match_probability=0.01)
    fetched = (
        frame.as_duckdbpyrelation()
        .select("unique_id_l, unique_id_r, match_probability")
        .fetchall()
    )
    tut = {tuple(sorted((str(a), str(b)))): float(p) for a, b, p in fetched}
    t_tut_predict = time.perf_counter() - t

    print(
        f"area: {args.people} people, {len(records)} records, "
        f"{len(true_pairs)} true pairs ({len(nhs_links)} by verified NHS number)"
    )
    print(
        f"ours: train {t_ours_train:.1f}s, predict {t_ours_predict:.1f}s, "
        f"{len(ours)} pairs >= 0.01; tutorial: train {t_tut_train:.1f}s, "
        f"predict {t_tut_predict:.1f}s, {len(tut)} pairs >= 0.01"
    )
    no_nhs = ev.without_nhs(records, true_pairs)
    moved = ev.movers(records, true_pairs)
    groups = {
        "all pairs": true_pairs,
        "no shared NHS number": no_nhs,
        "movers": moved,
        "movers, no shared NHS number": moved & no_nhs,
    }
    print(
        "| model | threshold | step | group | n | precision | recall | F1 "
        "| false pos. | false neg. |"
    )
    print("|---|---|---|---|---|---|---|---|---|---|")
    for name, scores in (("ours", ours), ("tutorial", tut)):
        for threshold in (chosen.upper, chosen.lower, 0.999):
            for step, with_nhs in (("NHS + Splink", True), ("Splink only", False)):
                found = dict(scores)
                if with_nhs:
                    found.update({k: 1.0 for k in nhs_links})
                for group, subset in groups.items():
                    if not with_nhs and group != "all pairs":
                        continue
                    sub = [
                        (a, b, p)
                        for (a, b), p in found.items()
                        if (a, b) in subset or (a, b) not in true_pairs
                    ]
                    s = ev.score_at(sub, subset, threshold)
                    print(
                        f"| {name} | {threshold} | {step} | {group} | {len(subset)}"
                        f" | {s.precision:.5f} | {s.recall:.5f} | {s.f1:.5f}"
                        f" | {s.false_positives} | {s.false_negatives} |"
                    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
