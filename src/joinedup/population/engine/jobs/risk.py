"""The admission-risk model's features, fitting steps, evaluation and scores
(DESIGN 4.5), as SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from joinedup.population.engine.jobs.dialect import (
    DUCKDB,
    Dialect,
    day,
    ts,
    years_before,
)
from joinedup.population.engine.jobs.efi import efi_per_person, services_in_place

# --- admission risk features ---------------------------------------------------------

# (key, label, SQL over the columns of `features`): DESIGN 4.5's features, scaled so
# each coefficient reads per a meaningful step.
FEATURES: tuple[tuple[str, str, str], ...] = (
    ("age", "Age (per 10 years)", "age / 10.0"),
    ("age_85", "Aged 85 or over", "CASE WHEN age >= 85 THEN 1 ELSE 0 END"),
    ("female", "Female", "CASE WHEN sex = 'female' THEN 1 ELSE 0 END"),
    (
        "deprived",
        "Lives in the most deprived fifth of areas",
        "CASE WHEN imd_decile <= 2 THEN 1 ELSE 0 END",
    ),
    (
        "prior_emergency",
        "Emergency admissions in the last 3 years",
        "LEAST(n_emergency, 5)",
    ),
    ("bed_days", "Hospital bed days in the last 3 years", "LN(1 + bed_days)"),
    (
        "recent_admission",
        "Emergency admission in the last 90 days",
        "CASE WHEN days_since_emergency <= 90 THEN 1 ELSE 0 END",
    ),
    ("ltc", "Number of long-term conditions", "LEAST(n_ltc, 8)"),
    ("efi", "Electronic Frailty Index (per 0.1)", "efi_n / 3.6"),
    (
        "social_care",
        "Social care services in place",
        "CASE WHEN n_services > 0 THEN 1 ELSE 0 END",
    ),
    ("ae", "A&E attendances in the last year", "LEAST(n_ae, 5)"),
)
FEATURE_LABELS = {k: label for k, label, _ in FEATURES}


def features(as_of: dt.date, deficit_table: str, d: Dialect = DUCKDB) -> str:
    """One row per person alive on `as_of`: the raw inputs, the model features
    (FEATURES) and the outcome: an emergency admission in the 12 months from
    `as_of` (unknown, so 0, when scoring at the end of the history)."""
    t = ts(as_of)
    three = ts(years_before(as_of, 3))
    year_ago = ts(years_before(as_of, 1))
    ahead = ts(years_before(as_of, -1))
    emergency = "kind = 'admission' AND admission_method = 'emergency'"
    raw = (
        "SELECT p.person_id, p.practice_id, p.sex, p.imd_decile, p.area, p.opt_out, "
        "CAST(FLOOR(" + d.days_between("p.birth_date", day(as_of)) + " / 365.25) "
        "AS INTEGER) AS age, "
        "COALESCE(a.n, 0) AS n_emergency, "
        "COALESCE(a.days_since, 100000) AS days_since_emergency, "
        "COALESCE(b.days, 0) AS bed_days, COALESCE(l.n, 0) AS n_ltc, "
        "COALESCE(f.n, 0) AS efi_n, COALESCE(s.n, 0) AS n_services, "
        "COALESCE(x.n, 0) AS n_ae, "
        "CASE WHEN o.person_id IS NULL THEN 0 ELSE 1 END AS outcome "
        "FROM people p "
        "LEFT JOIN (SELECT person_id, COUNT(*) AS n, MIN("
        + d.days_between("occurred_at", day(as_of))
        + ") AS days_since "
        f"FROM ev WHERE {emergency} AND occurred_at >= {three} "
        f"AND occurred_at < {t} GROUP BY person_id) a ON a.person_id = p.person_id "
        "LEFT JOIN (SELECT person_id, SUM("
        + d.days_between(
            "occurred_at",
            f"CASE WHEN ended_at IS NULL OR ended_at > {t} THEN {t} ELSE ended_at END",
        )
        + ") AS days "
        f"FROM ev WHERE kind = 'admission' AND occurred_at >= {three} "
        f"AND occurred_at < {t} GROUP BY person_id) b ON b.person_id = p.person_id "
        "LEFT JOIN (SELECT e.person_id, COUNT(DISTINCT c.ltc) AS n FROM ev e "
        "JOIN ltc_codes c ON e.code = c.code WHERE e.kind = 'diagnosis' "
        f"AND (e.occurred_at < {t} OR e.undated) GROUP BY e.person_id) l "
        "ON l.person_id = p.person_id "
        f"LEFT JOIN (SELECT person_id, COUNT(*) AS n FROM {deficit_table} "
        "GROUP BY person_id) f ON f.person_id = p.person_id "
        "LEFT JOIN (SELECT person_id, COUNT(*) AS n FROM ("
        + services_in_place(as_of)
        + ") q GROUP BY person_id) s ON s.person_id = p.person_id "
        "LEFT JOIN (SELECT person_id, COUNT(*) AS n FROM ev "
        f"WHERE kind = 'ae_attendance' AND occurred_at >= {year_ago} "
        f"AND occurred_at < {t} GROUP BY person_id) x ON x.person_id = p.person_id "
        "LEFT JOIN (SELECT DISTINCT person_id FROM ev "
        f"WHERE {emergency} AND occurred_at >= {t} AND occurred_at < {ahead}) o "
        "ON o.person_id = p.person_id "
        f"WHERE p.birth_date < {day(as_of)} "
        f"AND (p.deceased_on IS NULL OR p.deceased_on >= {day(as_of)})"
    )
    model_columns = ", ".join(
        f"CAST({expr} AS DOUBLE) AS f_{key}" for key, _, expr in FEATURES
    )
    return f"SELECT r.*, {model_columns} FROM ({raw}) r"


# --- logistic regression by iteratively reweighted least squares -------------------


def num(x: float) -> str:
    """A number as a DOUBLE literal (a bare decimal literal would be DECIMAL in
    DuckDB, whose fixed precision can overflow in products)."""
    return f"CAST({float(x)!r} AS DOUBLE)"


def _eta(coefs: Sequence[float]) -> str:
    terms = [num(coefs[0])] + [
        f"{num(c)} * f_{key}"
        for c, (key, _, _) in zip(coefs[1:], FEATURES, strict=True)
    ]
    return " + ".join(terms)


def probability(coefs: Sequence[float]) -> str:
    """The model's probability as SQL over the f_* columns (eta clipped so exp
    never overflows)."""
    return f"1.0 / (1.0 + EXP(-GREATEST(-30.0, LEAST(30.0, {_eta(coefs)}))))"


def irls_step(table: str, coefs: Sequence[float]) -> str:
    """One Newton step's sums: the gradient (g_j = sum (y - p) x_j) and the
    Hessian (h_jk = sum p (1 - p) x_j x_k), x_0 = 1, in one pass over `table`.
    Returns one row: g_0..g_k, then h_j_k for j <= k."""
    cols = ["1.0"] + [f"f_{key}" for key, _, _ in FEATURES]
    p = probability(coefs)
    parts = [f"SUM((outcome - p) * {c}) AS g_{i}" for i, c in enumerate(cols)]
    for j in range(len(cols)):
        for k in range(j, len(cols)):
            parts.append(f"SUM(w * {cols[j]} * {cols[k]}) AS h_{j}_{k}")
    return (
        f"SELECT {', '.join(parts)} FROM (SELECT *, p * (1 - p) AS w FROM "
        f"(SELECT *, {p} AS p FROM {table}) a) b"
    )


def auc(table: str, coefs: Sequence[float]) -> str:
    """Area under the ROC curve by the rank-sum (Mann-Whitney) method, ties
    sharing their average rank. One row: auc, positives, negatives."""
    p = probability(coefs)
    return (
        "SELECT (SUM(CASE WHEN outcome = 1 THEN r ELSE 0 END) "
        "- SUM(outcome) * (SUM(outcome) + 1) / 2.0) "
        "/ NULLIF(SUM(outcome) * (COUNT(*) - SUM(outcome)) * 1.0, 0) AS auc, "
        "SUM(outcome) AS positives, COUNT(*) - SUM(outcome) AS negatives "
        "FROM (SELECT outcome, AVG(rn) OVER (PARTITION BY p) AS r FROM ("
        "SELECT outcome, p, ROW_NUMBER() OVER (ORDER BY p) AS rn FROM ("
        f"SELECT outcome, {p} AS p FROM {table}) a) b) c"
    )


def calibration(table: str, coefs: Sequence[float]) -> str:
    """Predicted against observed emergency admissions by decile of risk."""
    p = probability(coefs)
    return (
        "SELECT decile, COUNT(*) AS n, AVG(p) AS predicted, "
        "AVG(CAST(outcome AS DOUBLE)) AS observed FROM ("
        f"SELECT outcome, p, NTILE(10) OVER (ORDER BY p) AS decile FROM ("
        f"SELECT outcome, {p} AS p FROM {table}) a) b GROUP BY decile "
        "ORDER BY decile"
    )


def means(table: str) -> str:
    cols = ", ".join(f"AVG(f_{key}) AS {key}" for key, _, _ in FEATURES)
    return f"SELECT {cols} FROM {table}"


def scores(
    table: str,
    coefs: Sequence[float],
    feature_means: dict[str, float],
    efi_table: str,
    *,
    level3_share: float,
    level2_share: float,
    top: int = 3,
    d: Dialect = DUCKDB,
) -> str:
    """Every person's risk, rank, level of care (DESIGN 4.5: level 3 is the top
    `level3_share` by risk; level 2 the next people up to `level2_share`, and anyone
    moderately or severely frail; level 1 everyone else), eFI and top factors: the
    features that raise this person's score most above the average person's
    (coefficient x (value - mean)), largest first, positive only."""
    contributions = " UNION ALL ".join(
        f"SELECT person_id, '{key}' AS feature, "
        f"{num(c)} * (f_{key} - {num(feature_means[key])}) AS w FROM {table}"
        for c, (key, _, _) in zip(coefs[1:], FEATURES, strict=True)
    )
    top_factors = (
        "SELECT person_id, "
        + d.list_agg("feature", "rk")
        + " AS factors, "
        + d.list_agg("ROUND(w, 3)", "rk")
        + " AS weights FROM ("
        "SELECT person_id, feature, w, ROW_NUMBER() OVER (PARTITION BY person_id "
        f"ORDER BY w DESC, feature) AS rk FROM ({contributions}) u WHERE w > 0.05"
        f") v WHERE rk <= {top} GROUP BY person_id"
    )
    p = probability(coefs)
    return (
        "SELECT s.person_id, s.practice_id, s.age, s.risk, s.rnk AS rank, "
        f"CASE WHEN s.rnk <= GREATEST(1, CAST(CEIL(s.total * {num(level3_share)}) "
        "AS BIGINT)) THEN 3 "
        f"WHEN s.rnk <= CAST(CEIL(s.total * {num(level2_share)}) AS BIGINT) "
        "OR COALESCE(e.category, 'fit') IN ('moderate', 'severe') THEN 2 "
        "ELSE 1 END AS level, "
        "COALESCE(e.score, 0.0) AS efi_score, "
        "COALESCE(e.category, 'fit') AS efi_category, e.deficits, "
        "t.factors, t.weights FROM ("
        f"SELECT person_id, practice_id, age, ROUND({p}, 5) AS risk, "
        f"ROW_NUMBER() OVER (ORDER BY {p} DESC, person_id) AS rnk, "
        f"COUNT(*) OVER () AS total FROM {table}) s "
        f"LEFT JOIN ({efi_per_person(efi_table, d)}) e ON e.person_id = s.person_id "
        f"LEFT JOIN ({top_factors}) t ON t.person_id = s.person_id"
    )
