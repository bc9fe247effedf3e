"""The engine adapter: runs the jobs (engine/jobs/) over the Parquet snapshot and
fits the admission-risk model. A `Runner` carries the engine and its SQL dialect:
embedded DuckDB (`DuckDBRunner`, the default) or Apache Spark SQL
(`SparkRunner`, when pyspark is installed). Returns plain results; writing them
to the operational database is the service's job (services.py)."""

from __future__ import annotations

import datetime as dt
import math
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb
import pyarrow as pa

from joinedup.population.engine import jobs

# DESIGN 4.5: level 3 is "about the top 1-5% by risk"; we take 3%. Level 2 (fast
# response) is the next band up to the top 15%, plus anyone moderately or
# severely frail.
LEVEL3_SHARE = 0.03
LEVEL2_SHARE = 0.15
MIN_TRAIN_OUTCOMES = 20
MIN_TEST_OUTCOMES = 5
RIDGE = 1.0  # a small L2 penalty keeps the Newton steps stable with rare features
MAX_ITERATIONS = 25


class EngineError(Exception):
    """The refresh cannot be computed from this data (the reason is for people)."""


@dataclass
class ModelFit:
    coefficients: list[float]  # intercept first, then jobs.FEATURES order
    means: dict[str, float]
    auc: float
    calibration: list[dict[str, float]]
    train_people: int
    train_outcomes: int
    test_people: int
    test_outcomes: int
    train_period: str
    test_period: str
    iterations: int


@dataclass
class Results:
    history_start: dt.date
    history_end: dt.date
    people: int
    events: int
    model: ModelFit
    scores: pa.Table
    figures: pa.Table
    timings: dict[str, float] = field(default_factory=dict)


class Runner:
    """One engine session: runs statements in its dialect and hands back rows or
    an Arrow table. Subclasses wrap DuckDB or Spark."""

    dialect: jobs.Dialect
    errors: tuple[type[BaseException], ...] = ()

    def execute(self, sql: str) -> None:
        raise NotImplementedError

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        raise NotImplementedError

    def arrow(self, sql: str) -> pa.Table:
        raise NotImplementedError

    def close(self) -> None:
        """Release the session (the default keeps it: the caller owns it)."""

    def table(self, name: str, select: str) -> None:
        self.execute(self.dialect.create_table(name, select))


class DuckDBRunner(Runner):
    dialect = jobs.DUCKDB
    errors = (duckdb.Error,)

    def __init__(self, spill: Path, *, memory_limit: str | None = None) -> None:
        self.con = duckdb.connect(":memory:")
        threads = os.environ.get("JOINEDUP_DUCKDB_THREADS")
        if threads:
            self.con.execute(f"SET threads = {int(threads)}")
        if memory_limit:
            self.con.execute(f"SET memory_limit = '{memory_limit}'")
        self.con.execute(f"SET temp_directory = '{spill}'")
        self.con.execute("SET preserve_insertion_order = false")
        self.con.execute("SET enable_progress_bar = false")  # ours is in the CLI

    @classmethod
    def wrap(cls, con: duckdb.DuckDBPyConnection) -> DuckDBRunner:
        """A runner over a connection the caller has already set up."""
        runner = cls.__new__(cls)
        runner.con = con
        return runner

    def execute(self, sql: str) -> None:
        self.con.execute(sql)

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        # fetch all: DuckDB wants results drained
        return [tuple(r) for r in self.con.execute(sql).fetchall()]

    def arrow(self, sql: str) -> pa.Table:
        return self.con.sql(sql).to_arrow_table()

    def close(self) -> None:
        self.con.close()


class SparkRunner(Runner):
    """Apache Spark SQL through a SparkSession the caller owns (pyspark)."""

    dialect = jobs.SPARK

    def __init__(self, session: Any) -> None:
        from pyspark.errors import PySparkException

        self.session = session
        self.errors = (PySparkException,)

    def execute(self, sql: str) -> None:
        self.session.sql(sql).collect()

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        return [tuple(r) for r in self.session.sql(sql).collect()]

    def arrow(self, sql: str) -> pa.Table:
        return pa.Table.from_pandas(
            self.session.sql(sql).toPandas(), preserve_index=False
        )


def solve(matrix: list[list[float]], vector: list[float]) -> list[float]:
    """Solve A x = b by Gaussian elimination with partial pivoting (A is small and
    symmetric positive definite here)."""
    n = len(vector)
    a = [[*row, vector[i]] for i, row in enumerate(matrix)]
    for col in range(n):
        pivot = max(range(col, n), key=lambda r: abs(a[r][col]))
        if abs(a[pivot][col]) < 1e-12:
            raise EngineError("the risk model's equations are singular")
        a[col], a[pivot] = a[pivot], a[col]
        for r in range(col + 1, n):
            f = a[r][col] / a[col][col]
            if f:
                for c in range(col, n + 1):
                    a[r][c] -= f * a[col][c]
    x = [0.0] * n
    for r in range(n - 1, -1, -1):
        x[r] = (a[r][n] - sum(a[r][c] * x[c] for c in range(r + 1, n))) / a[r][r]
    return x


def logistic_fit(con: Runner, table: str) -> tuple[list[float], int]:
    """Maximum (ridge-penalised) likelihood by Newton-Raphson: each step is one
    SQL pass for the gradient and Hessian, then a small solve here."""
    k = len(jobs.FEATURES) + 1
    coefs = [0.0] * k
    row = _one(con, f"SELECT AVG(outcome) FROM {table}")
    rate = float(row[0]) if row and row[0] is not None else 0.0
    if 0 < rate < 1:
        coefs[0] = math.log(rate / (1 - rate))
    for iteration in range(1, MAX_ITERATIONS + 1):
        sums = _one(con, jobs.irls_step(table, coefs))
        grad = [float(sums[i] or 0.0) for i in range(k)]
        hess = [[0.0] * k for _ in range(k)]
        pos = k
        for j in range(k):
            for m in range(j, k):
                hess[j][m] = hess[m][j] = float(sums[pos] or 0.0)
                pos += 1
        for j in range(1, k):  # penalise the slopes, not the intercept
            grad[j] -= RIDGE * coefs[j]
            hess[j][j] += RIDGE
        step = solve(hess, grad)
        coefs = [c + s for c, s in zip(coefs, step, strict=True)]
        if max(abs(s) for s in step) < 1e-6:
            return coefs, iteration
    return coefs, MAX_ITERATIONS


def _period(start: dt.date, end: dt.date) -> str:
    return f"{start:%d %b %Y} to {end - dt.timedelta(days=1):%d %b %Y}"


def _one(con: Runner, sql: str) -> tuple[Any, ...]:
    rows = con.rows(sql)
    if not rows:
        raise EngineError("the analytics engine returned no result")
    return tuple(rows[0])


def refresh_compute(
    snapshot: Path,
    *,
    exclude_opt_out: bool = True,
    step: Callable[[str], None] | None = None,
    memory_limit: str | None = None,
    runner: Runner | None = None,
) -> Results:
    """Everything the refresh produces, from the Parquet files in `snapshot`, in
    DuckDB unless another `runner` is given. Raises EngineError when the data
    cannot support it."""

    def say(what: str) -> None:
        if step:
            step(what)

    con = runner or DuckDBRunner(snapshot / "spill", memory_limit=memory_limit)
    d = con.dialect
    try:
        paths = {n: str(snapshot / f"{n}.parquet") for n in jobs.TABLE_NAMES}
        for sql in jobs.snapshot_views(paths, d):
            con.execute(sql)
        con.execute(jobs.events_narrow(d))
        for sql in jobs.code_maps(d):
            con.execute(sql)
        last_day, n_events = _one(con, jobs.history_bounds())
        people = int(_one(con, "SELECT COUNT(*) FROM people")[0])
        events = int(_one(con, "SELECT COUNT(*) FROM raw_events")[0])
        if last_day is None or n_events == 0:
            raise EngineError(
                "there are no events in the shared record to compute figures from"
            )
        end = last_day + dt.timedelta(days=1)
        start = jobs.years_before(end, 3)
        y1, y2 = jobs.years_before(end, 2), jobs.years_before(end, 1)
        say("eFI")
        for tag, as_of in (("train", y1), ("test", y2), ("now", end)):
            con.table(f"deficits_{tag}", jobs.deficits(as_of))
        say("risk features")
        for tag, as_of in (("train", y1), ("test", y2), ("now", end)):
            con.table(f"features_{tag}", jobs.features(as_of, f"deficits_{tag}", d))
        train_people, train_outcomes = _one(
            con, "SELECT COUNT(*), COALESCE(SUM(outcome), 0) FROM features_train"
        )
        test_people, test_outcomes = _one(
            con, "SELECT COUNT(*), COALESCE(SUM(outcome), 0) FROM features_test"
        )
        if (
            train_outcomes < MIN_TRAIN_OUTCOMES
            or test_outcomes < MIN_TEST_OUTCOMES
            or train_outcomes == train_people
        ):
            raise EngineError(
                "too few emergency admissions to train the admission risk model: "
                f"{train_outcomes} people admitted in the training year (at least "
                f"{MIN_TRAIN_OUTCOMES} needed) and {test_outcomes} in the test year "
                f"(at least {MIN_TEST_OUTCOMES}); load more history"
            )
        say("risk model")
        coefs, iterations = logistic_fit(con, "features_train")
        auc_row = _one(con, jobs.auc("features_test", coefs))
        calibration = [
            {"decile": int(r[0]), "n": int(r[1]), "predicted": r[2], "observed": r[3]}
            for r in con.rows(jobs.calibration("features_test", coefs))
        ]
        mean_row = _one(con, jobs.means("features_now"))
        feature_means = {
            key: float(v or 0.0)
            for (key, _, _), v in zip(jobs.FEATURES, mean_row, strict=True)
        }
        model = ModelFit(
            coefficients=coefs,
            means=feature_means,
            auc=float(auc_row[0] or 0.5),
            calibration=calibration,
            train_people=int(train_people),
            train_outcomes=int(train_outcomes),
            test_people=int(test_people),
            test_outcomes=int(test_outcomes),
            train_period=f"features {_period(start, y1)}; outcome {_period(y1, y2)}",
            test_period=f"features {_period(start, y2)}; outcome {_period(y2, end)}",
            iterations=iterations,
        )
        say("scores and levels")
        con.table(
            "scores_now",
            jobs.scores(
                "features_now",
                coefs,
                feature_means,
                "deficits_now",
                level3_share=LEVEL3_SHARE,
                level2_share=LEVEL2_SHARE,
                d=d,
            ),
        )
        scores = con.arrow("SELECT * FROM scores_now")
        say("JSNA figures")
        figure_sql: list[str] = []
        for tag, (a, b) in (("y1", (start, y1)), ("y2", (y1, y2)), ("y3", (y2, end))):
            deficit_table = {"y1": "deficits_train", "y2": "deficits_test"}.get(
                tag, "deficits_now"
            )
            statements = jobs.jsna_period(
                a,
                b,
                _period(a, b),
                deficit_table,
                exclude_opt_out=exclude_opt_out,
                prevalence=tag == "y3",
                tag=tag,
                levels_table="scores_now" if tag == "y3" else "",
                d=d,
            )
            for sql in statements[:-1]:
                con.execute(sql)
            figure_sql.append(statements[-1])
        figures = con.arrow(" UNION ALL ".join(figure_sql))
        return Results(
            history_start=start,
            history_end=end - dt.timedelta(days=1),
            people=people,
            events=events,
            model=model,
            scores=scores,
            figures=figures,
        )
    except con.errors as exc:
        raise EngineError(f"the analytics engine failed: {exc}") from exc
    finally:
        if runner is None:
            con.close()


def factors_pairs(
    factors: Sequence[str] | None, weights: Sequence[float] | None
) -> list[list[Any]]:
    return [[f, float(w)] for f, w in zip(factors or (), weights or (), strict=False)]
