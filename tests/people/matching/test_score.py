"""The plain-Python scorer against Splink's own scores: the same levels and the
same match weights (within 0.01) for a sample of pairs."""

from __future__ import annotations

import random

import duckdb
import pytest

from joinedup.people.matching import engine
from joinedup.people.matching import evaluate as ev
from joinedup.people.matching.prepare import rows_build
from joinedup.people.matching.score import Scorer, jaro_winkler, levenshtein, tf_table
from joinedup.synth.generator import area_generate


@pytest.fixture(scope="module")
def area_rows():
    records, _truth = ev.area_records(area_generate(people=1200, seed=11))
    return rows_build(records)


@pytest.fixture(scope="module")
def trained(area_rows):
    return engine.model_train(area_rows)


def test_jaro_winkler_is_duckdbs():
    names = [
        "MARGARET", "MARGRET", "MAGARET", "THORNTON", "THORNBURY", "THRONTON",
        "SMITH", "SMYTH", "SMITHE", "JON", "JOHN", "JONATHAN", "A", "AB", "BA",
        "MARTHA", "MARHTA", "DWAYNE", "DUANE", "DIXON", "DICKSONX", "O'NEIL",
        "ONEILL", "ANNE MARIE", "ANN-MARIE", "ABCDEFGHIJ", "JIHGFEDCBA",
    ]  # fmt: skip
    con = duckdb.connect()
    for a in names:
        for b in names:
            (expected,) = con.execute(
                "select jaro_winkler_similarity(?, ?)", [a, b]
            ).fetchone()
            assert jaro_winkler(a, b) == pytest.approx(expected, abs=1e-9), (a, b)


def test_levenshtein():
    assert levenshtein("1941-02-03", "1941-02-03") == 0
    assert levenshtein("1941-02-03", "1941-02-08") == 1
    assert levenshtein("1941-02-03", "1914-02-03") == 2


def test_match_weights_equal_splinks(area_rows, trained):
    scorer = Scorer(trained)
    splink_pairs = engine.predict(trained, area_rows, threshold=0.0)
    assert len(splink_pairs) > 1000
    by_id = {r["unique_id"]: r for r in area_rows}
    tf = {"family_name": tf_table([r["family_name"] for r in area_rows])}
    sample = random.Random(3).sample(splink_pairs, 1000)
    # Every level that Splink observed appears in the sample at least once.
    seen_levels = {
        (n, lv) for p in splink_pairs for n, (lv, _) in p.contributions.items()
    }
    sample += [
        next(p for p in splink_pairs if p.contributions[n][0] == lv)
        for n, lv in sorted(seen_levels)
    ]
    for pair in sample:
        mine = scorer.score(by_id[pair.left_id], by_id[pair.right_id], tf=tf)
        assert {n: lv for n, (lv, _) in mine.contributions.items()} == {
            n: lv for n, (lv, _) in pair.contributions.items()
        }
        assert mine.match_weight == pytest.approx(pair.match_weight, abs=0.01)
        assert mine.match_probability == pytest.approx(pair.match_probability, abs=1e-4)
