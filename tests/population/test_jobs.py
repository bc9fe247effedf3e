# ruff: noqa: S608 - the tests build SQL from the jobs and literals of their own
"""The refresh jobs are pure SQL builders: run them on small in-memory DuckDB
tables, no operational database."""

from __future__ import annotations

import datetime as dt
import json
import math
import random

import duckdb
import pytest

from joinedup.population.engine import jobs
from joinedup.population.engine.run import (
    DuckDBRunner,
    EngineError,
    logistic_fit,
    solve,
)

AS_OF = dt.date(2026, 1, 1)


def _ts(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(hour))


@pytest.fixture
def con():
    c = duckdb.connect(":memory:")
    c.execute(
        "CREATE TABLE people (person_id BIGINT, birth_date DATE, sex VARCHAR, "
        "practice_id BIGINT, imd_decile INTEGER, lsoa VARCHAR, area VARCHAR, "
        "deceased_on DATE, opt_out BOOLEAN)"
    )
    c.execute(
        "CREATE TABLE raw_events (person_id BIGINT, kind VARCHAR, "
        "occurred_at TIMESTAMP, ended_at TIMESTAMP, code VARCHAR, detail VARCHAR, "
        "code_display VARCHAR)"
    )
    c.execute(
        "CREATE TABLE stays (stay_id BIGINT, person_id BIGINT, "
        "admission_method VARCHAR, admitted_at TIMESTAMP, discharged_at TIMESTAMP, "
        "ready_on DATE)"
    )
    for sql in jobs.code_maps():
        c.execute(sql)
    yield c
    c.close()


def person(con, pid, *, born=dt.date(1940, 6, 1), sex="female", imd=5, opt_out=False,
           area="JU1", died=None):  # fmt: skip
    con.execute(
        "INSERT INTO people VALUES (?, ?, ?, 1, ?, '', ?, ?, ?)",
        [pid, born, sex, imd, area, died, opt_out],
    )


def event(con, pid, kind, day, *, code="", detail=None, ended=None, display=""):
    con.execute(
        "INSERT INTO raw_events VALUES (?, ?, ?, ?, ?, ?, ?)",
        [
            pid,
            kind,
            _ts(day),
            _ts(ended) if ended else None,
            code,
            json.dumps(detail) if detail is not None else None,
            display,
        ],
    )


def deficits_of(con, pid, as_of=AS_OF) -> set[str]:
    con.execute(jobs.events_narrow())
    rows = con.execute(
        f"SELECT deficit FROM ({jobs.deficits(as_of)}) d WHERE person_id = {pid}"
    ).fetchall()
    return {r[0] for r in rows}


def med(con, pid, name, course="repeat", day=dt.date(2025, 6, 1), ended=None):
    event(
        con, pid, "medication", day,
        detail={"medication": name, "course": course}, ended=ended,
    )  # fmt: skip


def test_coded_conditions_and_falls_become_deficits(con):
    person(con, 1)
    event(con, 1, "diagnosis", dt.date(2024, 3, 1), code="38341003")  # hypertension
    event(con, 1, "fall", dt.date(2025, 2, 1), code="1912002")
    event(con, 1, "admission", dt.date(2025, 3, 1), code="5913000",
          detail={"admission_method": "emergency"})  # fmt: skip
    # after the refresh date: not yet a deficit
    event(con, 1, "diagnosis", dt.date(2026, 2, 1), code="84114007")
    assert deficits_of(con, 1) == {"hypertension", "falls", "fragility_fracture"}


def test_an_undated_problem_list_entry_counts_whenever_it_was_recorded(con):
    person(con, 1)
    event(con, 1, "diagnosis", dt.date(2026, 11, 1), code="84114007",
          detail={"date_not_recorded": "true"})  # fmt: skip
    assert deficits_of(con, 1) == {"heart_failure"}


def test_polypharmacy_is_five_regular_medicines_not_short_courses(con):
    person(con, 1)
    person(con, 2)
    person(con, 3)
    for i in range(5):
        med(con, 1, f"Drug {i}")
    for i in range(4):
        med(con, 2, f"Drug {i}")
    med(con, 2, "Antibiotic", course="acute")
    for i in range(5):  # five, but one stopped well over a year ago
        med(con, 3, f"Drug {i}", ended=dt.date(2024, 6, 1) if i == 0 else None)
    assert "polypharmacy" in deficits_of(con, 1)
    assert "polypharmacy" not in deficits_of(con, 2)
    assert "polypharmacy" not in deficits_of(con, 3)


def test_social_care_in_place_housebound_and_vulnerability(con):
    person(con, 1)
    person(con, 2)
    event(con, 1, "service_start", dt.date(2025, 1, 1),
          detail={"service_type": "home_care", "service_id": "S1"})  # fmt: skip
    event(con, 1, "service_start", dt.date(2025, 1, 1),
          detail={"service_type": "equipment", "service_id": "S2"})  # fmt: skip
    event(con, 1, "gp_consultation", dt.date(2025, 8, 1), code="11429006",
          detail={"mode": "home_visit"})  # fmt: skip
    event(con, 1, "safeguarding_concern", dt.date(2024, 8, 1))
    # person 2: a service that ended before the refresh, a surgery visit, and a
    # home visit more than a year ago
    event(con, 2, "service_start", dt.date(2024, 1, 1),
          detail={"service_type": "home_care", "service_id": "S3"})  # fmt: skip
    event(con, 2, "service_end", dt.date(2024, 5, 1),
          detail={"service_type": "home_care", "service_id": "S3"})  # fmt: skip
    event(con, 2, "gp_consultation", dt.date(2025, 8, 1),
          detail={"mode": "face_to_face"})  # fmt: skip
    event(con, 2, "gp_consultation", dt.date(2024, 8, 1),
          detail={"mode": "home_visit"})  # fmt: skip
    assert deficits_of(con, 1) == {
        "requirement_for_care",
        "activity_limitation",
        "mobility_transfer_problems",
        "housebound",
        "social_vulnerability",
    }
    assert deficits_of(con, 2) == set()


def test_efi_per_person_scores_and_lists_the_deficits(con):
    con.execute(
        "CREATE TABLE d AS SELECT * FROM (VALUES (1, 'falls'), (1, 'anaemia'), "
        "(2, 'a'), (2, 'b'), (2, 'c'), (2, 'd'), (2, 'e')) t(person_id, deficit)"
    )
    rows = con.execute(
        f"SELECT person_id, n, score, category, deficits FROM "
        f"({jobs.efi_per_person('d')}) e ORDER BY person_id"
    ).fetchall()
    assert rows[0] == (1, 2, round(2 / 36, 4), "fit", ["anaemia", "falls"])
    assert rows[1][1:4] == (5, round(5 / 36, 4), "mild")


def test_features_count_the_history_before_and_the_outcome_after(con):
    person(con, 1, born=dt.date(1936, 1, 2), imd=1)
    person(con, 2, born=dt.date(1990, 1, 1), sex="male")
    person(con, 3, died=dt.date(2025, 12, 1))  # died before: not scored
    for day in (dt.date(2023, 6, 1), dt.date(2025, 11, 1)):
        event(con, 1, "admission", day, ended=day + dt.timedelta(days=4),
              detail={"admission_method": "emergency"})  # fmt: skip
    event(con, 1, "admission", dt.date(2022, 6, 1),  # more than 3 years ago
          detail={"admission_method": "emergency"})  # fmt: skip
    event(con, 1, "ae_attendance", dt.date(2025, 10, 1))
    event(con, 1, "admission", dt.date(2026, 3, 1),  # the outcome year
          detail={"admission_method": "emergency"})  # fmt: skip
    event(con, 2, "admission", dt.date(2026, 3, 1),  # elective: not an outcome
          detail={"admission_method": "elective"})  # fmt: skip
    con.execute(jobs.events_narrow())
    con.execute(f"CREATE TABLE dd AS {jobs.deficits(AS_OF)}")
    rows = {
        r[0]: r
        for r in con.execute(
            "SELECT person_id, age, n_emergency, bed_days, days_since_emergency, "
            "n_ae, outcome, f_deprived, f_recent_admission, f_age_85 FROM "
            f"({jobs.features(AS_OF, 'dd')}) f"
        ).fetchall()
    }
    assert set(rows) == {1, 2}
    assert rows[1][1:] == (89, 2, 8, 61, 1, 1, 1, 1, 1)
    assert rows[2][2] == 0 and rows[2][6] == 0 and rows[2][7] == 0


def test_solve_gaussian_elimination():
    x = solve([[4.0, 1.0], [1.0, 3.0]], [1.0, 2.0])
    assert x == pytest.approx([1 / 11, 7 / 11])
    with pytest.raises(EngineError):
        solve([[1.0, 2.0], [2.0, 4.0]], [1.0, 2.0])


def _simulated(con, n=4000, seed=7):
    """People whose outcome depends on prior admissions only (true slope 0.8)."""
    rnd = random.Random(seed)
    cols = ", ".join(f"f_{k} DOUBLE" for k, _, _ in jobs.FEATURES)
    con.execute(f"CREATE TABLE sim (person_id BIGINT, outcome INTEGER, {cols})")
    rows = []
    for i in range(n):
        prior = rnd.randint(0, 5)
        age = rnd.uniform(2, 9)
        p = 1 / (1 + math.exp(-(-3.0 + 0.8 * prior)))
        values = {k: 0.0 for k, _, _ in jobs.FEATURES}
        values["prior_emergency"] = float(prior)
        values["age"] = age
        rows.append((i, 1 if rnd.random() < p else 0, *values.values()))
    con.executemany(
        f"INSERT INTO sim VALUES ({', '.join('?' * (2 + len(jobs.FEATURES)))})", rows
    )


def test_logistic_regression_recovers_the_slope_and_ranks_well(con):
    _simulated(con)
    coefs, iterations = logistic_fit(DuckDBRunner.wrap(con), "sim")
    keys = [k for k, _, _ in jobs.FEATURES]
    slope = coefs[1 + keys.index("prior_emergency")]
    assert slope == pytest.approx(0.8, abs=0.12)
    assert coefs[0] == pytest.approx(-3.0, abs=0.4)
    assert abs(coefs[1 + keys.index("age")]) < 0.1
    assert iterations < 25
    auc, positives, negatives = con.execute(jobs.auc("sim", coefs)).fetchall()[0]
    assert 0.75 < auc < 0.95 and positives + negatives == 4000
    deciles = con.execute(jobs.calibration("sim", coefs)).fetchall()
    assert [d[0] for d in deciles] == list(range(1, 11))
    # calibrated: the top decile's predicted and observed rates are close
    assert deciles[-1][2] == pytest.approx(deciles[-1][3], abs=0.08)


def test_auc_is_one_half_when_the_score_cannot_tell_and_one_when_perfect(con):
    cols = ", ".join(f"f_{k} DOUBLE" for k, _, _ in jobs.FEATURES)
    con.execute(f"CREATE TABLE t (outcome INTEGER, {cols})")
    zeros = [0.0] * len(jobs.FEATURES)
    con.executemany(
        f"INSERT INTO t VALUES ({', '.join('?' * (1 + len(jobs.FEATURES)))})",
        [(y, *zeros) for y in (0, 1, 0, 1)],
    )
    flat = [0.0] * (len(jobs.FEATURES) + 1)
    assert con.execute(jobs.auc("t", flat)).fetchall()[0][0] == pytest.approx(0.5)
    con.execute("UPDATE t SET f_age = outcome")
    steep = [0.0, 5.0] + [0.0] * (len(jobs.FEATURES) - 1)
    assert con.execute(jobs.auc("t", steep)).fetchall()[0][0] == pytest.approx(1.0)


def test_levels_put_the_top_three_per_cent_in_level_three(con):
    _simulated(con, n=1000)
    con.execute(
        "CREATE TABLE features_now AS SELECT s.*, 1 AS practice_id, 70 AS age "
        "FROM sim s"
    )
    con.execute("CREATE TABLE d0 (person_id BIGINT, deficit VARCHAR)")
    con.execute(
        "INSERT INTO d0 SELECT 999, unnest(['a','b','c','d','e','f','g','h','i'])"
    )
    coefs = [-3.0] + [
        0.8 if k == "prior_emergency" else 0.0 for k, _, _ in jobs.FEATURES
    ]
    means = {k: 0.0 for k, _, _ in jobs.FEATURES}
    means["prior_emergency"] = 2.5
    rows = con.execute(
        "SELECT person_id, level, rank, risk, factors FROM ("
        + jobs.scores("features_now", coefs, means, "d0", level3_share=0.03,
                      level2_share=0.15)
        + ") s ORDER BY rank"
    ).fetchall()  # fmt: skip
    levels = [r[1] for r in rows]
    assert levels.count(3) == 30
    assert levels[:30] == [3] * 30 and rows[0][2] == 1
    assert rows[0][3] >= rows[-1][3]
    assert rows[0][4] == ["prior_emergency"]  # the reason for the top score
    # moderately frail (9 deficits) is level 2 whatever the risk
    assert next(r[1] for r in rows if r[0] == 999) >= 2


def test_jsna_excludes_opted_out_people_and_breaks_down_by_dimension(con):
    for pid in range(1, 9):
        born = dt.date(1950, 1, 1) if pid <= 6 else dt.date(2000, 1, 1)
        sex = "male" if pid <= 3 else "female"
        person(con, pid, opt_out=pid == 8, sex=sex, born=born)
    for pid in (1, 2, 8):
        event(con, pid, "admission", dt.date(2025, 6, 1),
              detail={"admission_method": "emergency"})  # fmt: skip
    event(con, 1, "diagnosis", dt.date(2020, 1, 1), code="44054006")
    con.execute(
        "INSERT INTO stays VALUES (1, 1, 'emergency', TIMESTAMP '2025-06-01', "
        "TIMESTAMP '2025-06-20', DATE '2025-06-10')"
    )
    con.execute(jobs.events_narrow())
    con.execute(f"CREATE TABLE dd AS {jobs.deficits(AS_OF)}")
    statements = jobs.jsna_period(
        dt.date(2025, 1, 1), AS_OF, "2025", "dd", exclude_opt_out=True,
        prevalence=True, tag="t",
    )  # fmt: skip
    for sql in statements[:-1]:
        con.execute(sql)
    figures = {
        (m, dim, g): (n, d)
        for m, dim, g, _p, n, d in con.execute(statements[-1]).fetchall()
    }
    assert figures[("population", "all", "all")] == (7, 7)
    # person 8 opted out: their admission is not counted
    assert figures[("emergency_admissions", "all", "all")] == (2, 7)
    assert figures[("emergency_admissions", "sex", "male")] == (2, 3)
    assert figures[("emergency_admissions", "age_band", "75-84")] == (2, 6)
    # ready on 10 June, discharged 20 June: delayed from the 11th, 9 days
    assert figures[("delayed_days", "all", "all")] == (9, 7)
    assert figures[("ltc_diabetes", "all", "all")] == (1, 7)
    assert ("population", "imd_quintile", "3") in figures


def test_the_spark_dialect_writes_spark_functions():
    sql = jobs.events_narrow(jobs.SPARK)
    assert "get_json_object(detail, '$.admission_method')" in sql
    assert "CREATE OR REPLACE TEMP VIEW ev" in sql
    assert "collect_list" in jobs.efi_per_person("d", jobs.SPARK)
    assert (
        "parquet.`/x/people.parquet`"
        in jobs.snapshot_views(
            {n: f"/x/{n}.parquet" for n in jobs.TABLE_NAMES}, jobs.SPARK
        )[0]
    )


def test_long_coefficients_times_whole_numbers_do_not_overflow(con):
    # A bare literal like 0.784999999718522 is a DECIMAL in DuckDB; multiplied by
    # whole numbers its fixed precision overflowed on a 100,000-person area.
    cols = ", ".join(f"f_{k} BIGINT" for k, _, _ in jobs.FEATURES)
    con.execute(f"CREATE TABLE big (outcome INTEGER, {cols})")
    con.execute(
        f"INSERT INTO big VALUES (1, {', '.join(['2361'] * len(jobs.FEATURES))})"
    )
    coefs = [-3.9485468221902393] + [0.784999999718522] * len(jobs.FEATURES)
    p = con.execute(f"SELECT {jobs.probability(coefs)} FROM big").fetchall()[0][0]
    assert p == pytest.approx(1.0)


def test_jsna_counts_people_in_each_level_of_care(con):
    for pid in (1, 2, 3):
        person(con, pid, area="JU1" if pid < 3 else "JU2")
    con.execute(jobs.events_narrow())
    con.execute(f"CREATE TABLE dd AS {jobs.deficits(AS_OF)}")
    con.execute(
        "CREATE TABLE lv AS SELECT * FROM (VALUES (1, 3), (2, 1), (3, 3)) "
        "t(person_id, level)"
    )
    statements = jobs.jsna_period(
        dt.date(2025, 1, 1), AS_OF, "2025", "dd", exclude_opt_out=True,
        prevalence=False, tag="l", levels_table="lv",
    )  # fmt: skip
    for sql in statements[:-1]:
        con.execute(sql)
    figures = {
        (m, dim, g): (n, d)
        for m, dim, g, _p, n, d in con.execute(statements[-1]).fetchall()
    }
    assert figures[("level_3", "area", "JU1")] == (1, 2)
    assert figures[("level_3", "area", "JU2")] == (1, 1)
    assert figures[("level_1", "all", "all")] == (1, 3)
