"""Train and score on a small synthetic area (DuckDB, embedded)."""

import pytest

from joinedup.people.matching import engine
from joinedup.people.matching import evaluate as ev
from joinedup.people.matching.outcomes import Thresholds
from joinedup.people.matching.pipeline import link_within
from joinedup.people.matching.prepare import rows_build
from joinedup.synth.generator import area_generate
from joinedup.synth.matching import area_records


@pytest.fixture(scope="module")
def trained():
    records, truth = area_records(area_generate(people=1500))
    model = engine.model_train(rows_build(records))
    return records, truth, model


def test_model_is_trained_and_serialisable(trained):
    import json

    _records, _truth, model = trained
    text = json.dumps(model)
    assert "m_probability" in text and "u_probability" in text
    for comparison in model["comparisons"]:
        for level in comparison["comparison_levels"]:
            if not level.get("is_null_level"):
                assert "m_probability" in level and "u_probability" in level


def test_pipeline_precision_and_recall(trained):
    records, truth, model = trained
    pairs = link_within(records, model=model, thresholds=Thresholds(0.95, 0.2))
    scored = [(p.left_id, p.right_id, p.match_probability) for p in pairs]
    score = ev.score_at(scored, truth.pairs(), 0.95)
    assert score.precision >= 0.998
    assert score.recall >= 0.99


def test_contributions_explain_the_weight(trained):
    records, _truth, model = trained
    pairs = [
        p
        for p in link_within(records, model=model, thresholds=Thresholds(0.95, 0.2))
        if p.rule == "splink"
    ]
    assert pairs
    p = pairs[0]
    assert set(p.contributions) == set(engine.COMPARISONS)
    assert all(isinstance(label, str) for label, _w in p.contributions.values())


def test_score_helpers():
    s = ev.score_at([("a", "b", 0.9), ("a", "c", 0.9)], {("a", "b"), ("b", "c")}, 0.5)
    assert (s.true_positives, s.false_positives, s.false_negatives) == (1, 1, 1)
    assert s.precision == 0.5 and s.recall == 0.5
