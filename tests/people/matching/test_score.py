"""The plain-Python scorer against Splink's own scores: the same levels and the
same match weights (within 0.01) for a sample of pairs."""

from __future__ import annotations

import random

import duckdb
import pytest

from joinedup.people.matching import engine
from joinedup.people.matching.prepare import rows_build
from joinedup.people.matching.score import Scorer, jaro_winkler, levenshtein, tf_table
from joinedup.synth.generator import area_generate
from joinedup.synth.matching import area_records


@pytest.fixture(scope="module")
def area_rows():
    records, _truth = area_records(area_generate(people=1200, seed=11))
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


def test_match_weights_equal_splinks_with_gaps(trained):
    """Missing names, partial and missing dates of birth, another identifier and
    address lines (levels given m and u here, the synthetic area has neither):
    the scorer finds the same level as Splink's SQL for every pair."""
    import copy
    import datetime as dt

    from joinedup.people.matching.prepare import MatchRecord

    model = copy.deepcopy(trained)
    for comparison in model["comparisons"]:
        levels = [
            lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")
        ]
        if comparison["output_column_name"] in ("identifier", "address_line"):
            for i, level in enumerate(levels):
                level["m_probability"] = [0.8, 0.1, 0.05, 0.03, 0.02][i]
                level["u_probability"] = [0.0001, 0.001, 0.01, 0.05, 0.9389][i]

    def rec(rid, given, family, born=None, year=None, ident=None, line=""):
        return MatchRecord(rid, given, family, born, postcode="4223",
                           birth_year=year, identifier=ident,
                           address_line=line)  # fmt: skip

    day = dt.date(1941, 2, 3)
    left = [
        rec("l1", "Margaret", "Thornton", day, ident="4440480",
            line="95 Grylls Crescent Barrack Heights"),
        rec("l2", "", "Hughes", dt.date(1950, 6, 7), ident="1551941"),
        rec("l3", "Priya", "", None, 1962, line="12 Mill Lane"),
        rec("l4", "Kenneth", "Okafor", None, None, ident="8331654"),
    ]  # fmt: skip
    right = [
        rec("r1", "Margaret", "Thornton", None, 1941, ident="4440408",
            line="95 Grylls Cresent Barrack Heights"),
        rec("r2", "William", "Hughes", None, 1950, ident="1551941"),
        rec("r3", "Priya", "Patel", dt.date(1962, 11, 20), line="12 Mill Lane"),
        rec("r4", "", "Okafor", dt.date(1938, 4, 9), ident="8331654"),
        rec("r5", "", "", None, None, line="12 Mill Lane"),
    ]  # fmt: skip
    left_rows = rows_build(left, source_dataset="left")
    right_rows = rows_build(right, source_dataset="right")
    pairs = engine.predict(model, left_rows, right_rows, threshold=0.0)
    assert len(pairs) >= 5
    by_id = {r["unique_id"]: r for r in left_rows + right_rows}
    tf = {"family_name": tf_table([r["family_name"] for r in left_rows + right_rows])}
    scorer = Scorer(model)
    levels = set()
    for pair in pairs:
        mine = scorer.score(by_id[pair.left_id], by_id[pair.right_id], tf=tf)
        theirs = {n: lv for n, (lv, _) in pair.contributions.items()}
        assert {n: lv for n, (lv, _) in mine.contributions.items()} == theirs
        assert mine.match_weight == pytest.approx(pair.match_weight, abs=0.01)
        levels.update(theirs.values())
    assert {
        "Same year of birth, a date given as the year only",
        "Given name missing, family name agrees",
        "Identifier two characters different",
        "Address very similar (a typing error)",
        "Same identifier",
        "Same address",
    } <= levels
