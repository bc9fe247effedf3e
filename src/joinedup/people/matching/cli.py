"""The `joinedup link` command handler (thin: parse, call the pipeline, write).

joinedup link --file A.csv [--file B.csv] --out matches.csv
joinedup link --train [--people 20000]
"""

from __future__ import annotations

import argparse
import csv
import os
import pathlib
import tempfile

from joinedup.errors import InvalidInput

OUT_HEADER = (
    "id_a",
    "id_b",
    "match_probability",
    "match_weight",
    "decision",
    "rule",
    "model_version",
)


def link_arguments(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--file", action="append", default=[], help="CSV file (once or twice)"
    )
    p.add_argument("--out", help="CSV of proposed links")
    p.add_argument(
        "--train", action="store_true", help="train and store a new model version"
    )
    p.add_argument(
        "--people", type=int, default=20_000, help="synthetic area size for --train"
    )


def _index_records() -> list:
    from joinedup.people.matching.index import index_records

    return index_records()


def _write(out: pathlib.Path, rows: list[tuple]) -> None:
    """Write atomically: a temporary file renamed into place, so a failure never
    leaves a partial output file."""
    fd, tmp = tempfile.mkstemp(dir=out.parent, prefix=f".{out.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(OUT_HEADER)
            writer.writerows(rows)
        os.replace(tmp, out)
    except BaseException:
        pathlib.Path(tmp).unlink(missing_ok=True)
        raise


def cmd_link(args: argparse.Namespace) -> None:
    import logging

    from joinedup.cli import CommandError, _django_setup, _migrate

    _django_setup()
    _migrate()
    logging.getLogger("splink").setLevel(logging.ERROR)
    from joinedup.people.matching import engine, store
    from joinedup.people.matching.files import records_read
    from joinedup.people.matching.outcomes import thresholds_from_settings
    from joinedup.people.matching.pipeline import link_between, link_within
    from joinedup.people.matching.prepare import rows_build

    def train(people: int) -> store.MatchingModel:
        from joinedup.people.matching.evaluate import area_records
        from joinedup.synth.generator import area_generate

        records, _truth = area_records(area_generate(people=people))
        saved = store.model_save(
            settings_json=engine.model_train(rows_build(records)),
            thresholds=thresholds_from_settings(),
            trained_on=f"synthetic:{people}",
        )
        print(  # noqa: T201 (CLI handler)
            f"matching model v{saved.version} trained on {len(records)} records"
        )
        return saved

    if args.train:
        train(args.people)
        if not args.file:
            return
    if not args.file:
        raise CommandError("give --file A.csv [--file B.csv] (or --train)")
    if len(args.file) > 2:
        raise CommandError("at most two --file arguments")
    if not args.out:
        raise CommandError("--out is required with --file")
    out = pathlib.Path(args.out)
    if not out.parent.is_dir():
        raise CommandError(f"--out: folder {out.parent} does not exist")
    try:
        files = [records_read(pathlib.Path(f)) for f in args.file]
    except InvalidInput as exc:
        raise CommandError(exc.detail) from None
    active = store.model_active()
    if active is None:
        # No stored model yet: train one on a synthetic area (small files are too
        # few to estimate from) and store it, so the decision can be explained.
        active = train(min(args.people, 5000))
    thresholds = store.model_thresholds(active)
    if len(files) == 2:
        decisions = link_between(
            files[0], files[1], model=active.settings_json, thresholds=thresholds
        )
    else:
        index = _index_records()
        decisions = (
            link_between(
                files[0], index, model=active.settings_json, thresholds=thresholds
            )
            if index
            else link_within(
                files[0], model=active.settings_json, thresholds=thresholds
            )
        )
    rows = [
        (
            d.left_id,
            d.right_id,
            f"{d.match_probability:.6f}",
            "" if d.rule != "splink" else f"{d.match_weight:.3f}",
            d.outcome.value,
            d.rule,
            active.version,
        )
        for d in sorted(decisions, key=lambda d: (-d.match_probability, d.left_id))
    ]
    _write(out, rows)
    print(f"{len(rows)} proposed link(s) written to {out}")  # noqa: T201
