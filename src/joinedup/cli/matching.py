"""The `joinedup link` command handler (thin: parse, call the pipeline, write).

joinedup link --file A.csv [--file B.csv] [--map given_name=forename,...] --out m.csv
             [--train-on-files]
joinedup link --train [--people 20000]
joinedup link --evaluate [--people 20000]
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import os
import pathlib
import sys
import tempfile
from collections.abc import Iterator
from typing import Any

from joinedup.errors import InvalidInput

# Random pairs that estimate u when a model is trained on the files, as Splink's
# FEBRL4 example does for two files of 5,000 records (on FEBRL4, 2e6 gave the
# same links).
FILE_U_PAIRS = 1e6

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
        "--train-on-files",
        action="store_true",
        help="estimate the model from the --file data themselves (no labels "
        "needed) and link with it; it is stored as a version of its own, and the "
        "active model that scores the person index stays as it is",
    )
    p.add_argument(
        "--map",
        action="append",
        default=[],
        metavar="TARGET=COLUMN,...",
        help="rename columns, e.g. given_name=forename,family_name=surname; "
        "join columns with +, e.g. address=street_number+address_1+suburb "
        "(once for every file, or once per --file in order)",
    )
    p.add_argument(
        "--evaluate",
        action="store_true",
        help="link the synthetic area and report accuracy against its ground truth",
    )
    p.add_argument(
        "--people",
        type=int,
        default=20_000,
        help="synthetic area size for --train and --evaluate",
    )


class _Steps:
    """A transient progress bar over a command's steps (rich.progress), shown only
    when stdout is a terminal."""

    def __init__(self, progress: Any, total: int) -> None:
        self._progress = progress
        self._task = progress.add_task("", total=total)
        self._started = False

    def step(self, description: str) -> None:
        """Mark the previous step done and show the next one."""
        if self._started:
            self._progress.advance(self._task)
        self._started = True
        self._progress.update(self._task, description=description)


@contextlib.contextmanager
def _progress(total: int) -> Iterator[_Steps]:
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
        transient=True,
        disable=not sys.stdout.isatty(),
    ) as progress:
        yield _Steps(progress, total)


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

    from joinedup.cli.common import CommandError, django_setup, migrate

    django_setup()
    migrate()
    logging.getLogger("splink").setLevel(logging.ERROR)
    from joinedup.people.matching import engine, store
    from joinedup.people.matching.files import file_read, mapping_parse
    from joinedup.people.matching.outcomes import thresholds_from_settings
    from joinedup.people.matching.pipeline import link_between, link_within
    from joinedup.people.matching.prepare import rows_build

    def train(people: int) -> store.MatchingModel:
        from joinedup.synth.generator import area_generate
        from joinedup.synth.matching import area_records

        records, _truth = area_records(area_generate(people=people))
        saved = store.model_save(
            settings_json=engine.model_train(rows_build(records)),
            thresholds=thresholds_from_settings(),
            trained_on=f"synthetic:{people}",
        )
        print(f"matching model v{saved.version} trained on {len(records)} records")
        return saved

    if args.train_on_files and (args.train or not args.file):
        raise CommandError("--train-on-files needs --file and cannot go with --train")
    if args.evaluate:
        if args.file or args.train:
            raise CommandError("--evaluate cannot be combined with --file or --train")
        _evaluate(args.people, train)
        return
    if args.train:
        train(args.people)
        if not args.file:
            return
    if not args.file:
        raise CommandError("give --file A.csv [--file B.csv] (or --train, --evaluate)")
    if len(args.file) > 2:
        raise CommandError("at most two --file arguments")
    if not args.out:
        raise CommandError("--out is required with --file")
    if len(args.map) > len(args.file):
        raise CommandError("--map: give it once, or once per --file")
    out = pathlib.Path(args.out)
    if not out.parent.is_dir():
        raise CommandError(f"--out: folder {out.parent} does not exist")
    active = None if args.train_on_files else store.model_active()
    with _progress(len(args.file) + 3 + (active is None)) as bar:
        try:
            maps = [mapping_parse(m) for m in args.map]
            reads = []
            for i, f in enumerate(args.file):
                bar.step(f"reading {pathlib.Path(f).name}")
                mapping = maps[i] if len(maps) > 1 else (maps[0] if maps else None)
                reads.append(file_read(pathlib.Path(f), mapping))
        except InvalidInput as exc:
            raise CommandError(exc.detail) from None
        files = [r.records for r in reads]
        for read in reads:
            # counts and column names only: never a value
            for note in read.notes:
                print(note, file=sys.stderr)
            print(read.missing_line())
        if args.train_on_files:
            bar.step("training a model on the files")
            sides = [rows_build(f, source_dataset=str(i)) for i, f in enumerate(files)]
            active = store.model_save(
                settings_json=engine.model_train(
                    sides[0],
                    sides[1] if len(sides) > 1 else None,
                    max_pairs=FILE_U_PAIRS,
                ),
                thresholds=thresholds_from_settings(),
                trained_on="files:"
                + ",".join(pathlib.Path(f).name for f in args.file)[:150],
                activate=False,
            )
            print(
                f"matching model v{active.version} trained on the files"
                f" ({sum(len(f) for f in files)} records; not made active)"
            )
        elif active is None:
            # No stored model yet: train one on a synthetic area (small files are
            # too few to estimate from) and store it, so the decision can be
            # explained.
            bar.step("training a model")
            active = train(min(args.people, 5000))
        thresholds = store.model_thresholds(active)
        bar.step("linking")
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
        bar.step("writing")
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
        bar.step("done")
    print(f"{len(rows)} proposed link(s) written to {out}")


def _evaluate(people: int, train: Any) -> None:
    """`--evaluate`: link the synthetic area with the stored model (training one
    first if none is stored) and print the accuracy report."""
    from joinedup.people.matching import evaluate, store
    from joinedup.people.matching.pipeline import link_within
    from joinedup.synth.generator import area_generate
    from joinedup.synth.matching import area_records

    active = store.model_active()
    with _progress(4 + (active is None)) as bar:
        if active is None:
            bar.step("training a model")
            active = train(people)
        bar.step(f"generating {people} people")
        records, truth = area_records(area_generate(people=people))
        thresholds = store.model_thresholds(active)
        bar.step(f"linking {len(records)} records")
        decisions = link_within(
            records, model=active.settings_json, thresholds=thresholds
        )
        bar.step("scoring")
        lines = evaluate.accuracy_report(
            records,
            truth,
            decisions,
            upper=thresholds.upper,
            lower=thresholds.lower,
            model=active.settings_json,
        )
        bar.step("done")
    print(f"synthetic area of {people} people, model v{active.version}")
    for line in lines:
        print(line)
