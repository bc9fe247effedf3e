"""The same model on Splink's Spark backend in local mode (issue 5, scale-out).
Skipped when pyspark is not installed (it is not in requirements.lock: install it
with `.venv/bin/pip install pyspark`; Java 17 is needed)."""

import time

import pytest

pytest.importorskip("pyspark")

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def spark():
    from joinedup.people.matching.spark import spark_session_local

    session = spark_session_local(cores=2, memory="1g")
    session.sparkContext.setLogLevel("ERROR")
    yield session
    session.stop()


def test_model_rewritten_for_spark_keeps_every_weight():
    from joinedup.people.matching.settings import settings_build
    from joinedup.people.matching.spark import model_for_dialect

    model = settings_build()
    for comparison in model["comparisons"]:
        for i, level in enumerate(comparison["comparison_levels"]):
            level["m_probability"], level["u_probability"] = 0.1 + i / 100, 0.01
    model["probability_two_random_records_match"] = 0.0001
    spark_model = model_for_dialect(model, "spark")
    name = spark_model["comparisons"][0]["comparison_levels"]
    assert any("jaro_winkler(" in lv["sql_condition"] for lv in name)
    assert not any("jaro_winkler_similarity" in lv["sql_condition"] for lv in name)
    address = spark_model["comparisons"][2]["comparison_levels"]
    assert any("array_intersect" in lv["sql_condition"] for lv in address)
    for old, new in zip(model["comparisons"], spark_model["comparisons"], strict=True):
        assert [lv.get("m_probability") for lv in old["comparison_levels"]] == [
            lv.get("m_probability") for lv in new["comparison_levels"]
        ]
    assert spark_model["probability_two_random_records_match"] == 0.0001
    broken = {**model, "comparisons": model["comparisons"][:1]}
    broken["comparisons"][0] = {
        **broken["comparisons"][0],
        "comparison_levels": broken["comparisons"][0]["comparison_levels"][:3],
    }
    with pytest.raises(ValueError, match="retrain"):
        model_for_dialect(broken, "spark")


def test_spark_local_scores_as_duckdb_does(spark, tmp_path, capsys):
    """A 1,500-person area: the trained model predicts on Spark (local mode) and
    on DuckDB; the same pairs come out with the same probabilities, and the
    accuracy against the ground truth is the same."""
    from joinedup.people.matching import engine
    from joinedup.people.matching import evaluate as ev
    from joinedup.people.matching.prepare import rows_build
    from joinedup.people.matching.spark import predict_spark
    from joinedup.synth.generator import area_generate
    from joinedup.synth.matching import area_records

    records, truth = area_records(area_generate(people=1500))
    rows = rows_build(records)
    model = engine.model_train(rows, max_pairs=2e5)

    t = time.perf_counter()
    on_spark = predict_spark(
        spark, model, rows, threshold=0.2, checkpoint_dir=str(tmp_path)
    )
    spark_s = time.perf_counter() - t
    t = time.perf_counter()
    on_duckdb = engine.predict(model, rows, threshold=0.2)
    duckdb_s = time.perf_counter() - t

    def by_pair(pairs):
        return {tuple(sorted((p.left_id, p.right_id))): p for p in pairs}

    s, d = by_pair(on_spark), by_pair(on_duckdb)
    assert len(d) > 500
    # Jaro-Winkler is the Scala UDF on Spark and DuckDB's own function: a pair
    # at a threshold's edge may fall on the other side; allow 0.5%.
    same = [k for k in d if k in s]
    assert len(same) >= 0.995 * len(d) and len(s) <= 1.005 * len(d)
    close = [k for k in same if abs(s[k].match_weight - d[k].match_weight) < 0.01]
    assert len(close) >= 0.995 * len(same)
    true_pairs = truth.pairs()
    score = [
        ev.score_at(
            [(*k, p.match_probability) for k, p in found.items()], true_pairs, 0.95
        )
        for found in (s, d)
    ]
    assert score[0].precision >= 0.99 and score[0].recall >= 0.97
    assert abs(score[0].recall - score[1].recall) < 0.005
    with capsys.disabled():
        print(  # noqa: T201 (the timing is the test's report)
            f"\n[spark local] {len(records)} records, {len(s)} pairs: "
            f"Spark {spark_s:.1f}s, DuckDB {duckdb_s:.1f}s; "
            f"Spark P={score[0].precision:.4f} R={score[0].recall:.4f}"
        )
