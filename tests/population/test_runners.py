"""The refresh through the engine adapter: the same jobs, given a runner, give the
same figures; on Apache Spark SQL when pyspark is installed (the Spark SQL is run,
not only written)."""

from __future__ import annotations

import datetime as dt

import pytest

from joinedup.population.engine import run
from joinedup.population.engine.snapshot import snapshot_write
from joinedup.synth.generator import area_generate
from joinedup.synth.load import area_load


@pytest.fixture
def snapshot(db, tmp_path):
    area_load(area=area_generate(people=900, seed=11, end=dt.date(2026, 11, 1)))
    snapshot_write(tmp_path / "snapshot")
    return tmp_path / "snapshot"


def _summary(results: run.Results) -> tuple:
    scores = results.scores.to_pydict()
    levels = sorted(zip(scores["person_id"], scores["level"], strict=True))
    figures = results.figures.to_pydict()
    keys = [k for k in figures if k not in ("value",)]
    rows = sorted(
        zip(*(figures[k] for k in keys), strict=True), key=lambda r: tuple(map(str, r))
    )
    return results.people, results.events, levels, rows


def test_a_runner_given_by_the_caller_computes_the_same_refresh(snapshot):
    default = run.refresh_compute(snapshot)
    runner = run.DuckDBRunner(snapshot / "spill")
    try:
        given = run.refresh_compute(snapshot, runner=runner)
        # The caller owns the session: it is still open afterwards.
        assert runner.rows("SELECT COUNT(*) FROM scores_now")[0][0] == default.people
    finally:
        runner.close()
    assert _summary(given) == _summary(default)
    assert given.model.auc == pytest.approx(default.model.auc)


def test_an_engine_error_is_a_clear_refusal(snapshot):
    class Broken(run.DuckDBRunner):
        def arrow(self, sql: str):
            self.con.execute("SELECT * FROM no_such_table")

    runner = Broken(snapshot / "spill")
    with pytest.raises(run.EngineError, match="the analytics engine failed"):
        run.refresh_compute(snapshot, runner=runner)
    runner.close()


def test_the_refresh_runs_on_spark_sql_with_the_same_levels(snapshot):
    pytest.importorskip("pyspark")
    from pyspark.sql import SparkSession

    spark = (
        SparkSession.builder.master("local[1]")
        .appName("joinedup-test")
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )
    try:
        on_spark = run.refresh_compute(snapshot, runner=run.SparkRunner(spark))
    finally:
        spark.stop()
    on_duckdb = run.refresh_compute(snapshot)
    assert on_spark.people == on_duckdb.people
    assert on_spark.model.auc == pytest.approx(on_duckdb.model.auc, abs=1e-6)
