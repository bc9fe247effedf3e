"""JSNA figures by year and breakdown, as SQL."""

from __future__ import annotations

import datetime as dt

from joinedup.population.engine.jobs.dialect import DUCKDB, Dialect, day, ts

# --- JSNA figures --------------------------------------------------------------------

AGE_BANDS = ((0, 17), (18, 39), (40, 64), (65, 74), (75, 84), (85, 200))


def _age_band(age: str) -> str:
    whens = " ".join(
        f"WHEN {age} <= {hi} THEN '{lo}-{hi}'" if hi < 200 else ""
        for lo, hi in AGE_BANDS
    )
    return f"CASE {whens} ELSE '85+' END"


DIMENSIONS = ("age_band", "sex", "imd_quintile", "area")


def jsna_base(as_of: dt.date, d: Dialect = DUCKDB, *, exclude_opt_out: bool) -> str:
    """The population counted on `as_of` with its breakdown columns. People with
    a national data opt-out are left out for planning (governance/secondary_use)."""
    age = (
        "CAST(FLOOR("
        + d.days_between("birth_date", day(as_of))
        + " / 365.25) AS INTEGER)"
    )
    opt = "AND NOT opt_out " if exclude_opt_out else ""
    return (
        "SELECT person_id, "
        f"{_age_band(age)} AS age_band, "
        "CASE WHEN sex IN ('male', 'female') THEN sex ELSE 'other or not known' "
        "END AS sex, "
        "CASE WHEN imd_decile IS NULL THEN 'not known' "
        "ELSE CAST(CAST(CEIL(imd_decile / 2.0) AS INTEGER) AS VARCHAR) "
        "END AS imd_quintile, "
        "CASE WHEN area IS NULL OR area = '' THEN 'not known' ELSE area END AS area "
        f"FROM people WHERE birth_date < {day(as_of)} "
        f"AND (deceased_on IS NULL OR deceased_on >= {day(as_of)}) {opt}"
    )


def _grouped(numerators: str, base: str, period: str) -> str:
    """(measure, dimension, grp, period, numerator, denominator) for every
    dimension and the whole population, from the tables `numerators` (person_id,
    measure, value) and `base` (the population with its breakdown columns):
    numerator = sum of values, denominator = people in the group. The measure
    "population" gives every group's size, so groups with no one counted still
    show."""
    parts = []
    for dim in ("all", *DIMENSIONS):
        grp = "'all'" if dim == "all" else f"b.{dim}"
        parts.append(
            f"SELECT n.measure, '{dim}' AS dimension, n.grp, '{period}' AS period, "
            "n.numerator, dd.denominator FROM ("
            f"SELECT q.measure, {grp} AS grp, "
            "CAST(SUM(q.value) AS BIGINT) AS numerator "
            f"FROM {base} b JOIN {numerators} q ON q.person_id = b.person_id "
            f"GROUP BY q.measure, {grp}) n JOIN ("
            f"SELECT {grp} AS grp, COUNT(*) AS denominator FROM {base} b "
            f"GROUP BY {grp}) dd ON dd.grp = n.grp "
            "UNION ALL "
            f"SELECT 'population' AS measure, '{dim}' AS dimension, {grp} AS grp, "
            f"'{period}' AS period, COUNT(*) AS numerator, COUNT(*) AS denominator "
            f"FROM {base} b GROUP BY {grp}"
        )
    return " UNION ALL ".join(parts)


def jsna_period(
    start: dt.date,
    end: dt.date,
    period: str,
    deficit_table: str,
    d: Dialect = DUCKDB,
    *,
    exclude_opt_out: bool,
    prevalence: bool,
    tag: str,
    levels_table: str = "",
) -> list[str]:
    """JSNA figures for the year [start, end): emergency admissions, delayed
    days, people receiving each social care service, frailty (moderate or
    severe eFI, 65+) on `end`; and, when `prevalence`, each long-term condition."""
    t0, t1 = ts(start), ts(end)
    base = jsna_base(end, d, exclude_opt_out=exclude_opt_out)
    delayed = (
        "SELECT person_id, SUM(GREATEST(0, "
        + d.days_between(
            f"CASE WHEN {d.add_days('ready_on', 1)} > {day(start)} "
            f"THEN {d.add_days('ready_on', 1)} "
            f"ELSE {day(start)} END",
            f"CASE WHEN discharged_at IS NULL OR discharged_at > {t1} THEN {t1} "
            "ELSE discharged_at END",
        )
        + ")) AS days FROM stays WHERE ready_on IS NOT NULL "
        f"AND ready_on < {day(end)} AND (discharged_at IS NULL OR "
        f"discharged_at >= {t0}) GROUP BY person_id"
    )
    numerators = [
        "SELECT person_id, 'emergency_admissions' AS measure, COUNT(*) AS value "
        "FROM ev WHERE kind = 'admission' AND admission_method = 'emergency' "
        f"AND occurred_at >= {t0} AND occurred_at < {t1} GROUP BY person_id",
        f"SELECT person_id, 'delayed_days' AS measure, days AS value FROM ({delayed})"
        " dd",
        "SELECT DISTINCT s.person_id, 'social_care_' || s.service_type AS measure, "
        "1 AS value FROM ev s WHERE s.kind = 'service_start' "
        f"AND s.occurred_at < {t1} AND NOT EXISTS (SELECT 1 FROM ev e "
        "WHERE e.kind = 'service_end' AND e.person_id = s.person_id "
        f"AND e.service_id = s.service_id AND e.occurred_at < {t0})",
        "SELECT DISTINCT s.person_id, 'social_care_any' AS measure, 1 AS value "
        f"FROM ev s WHERE s.kind = 'service_start' AND s.occurred_at < {t1} "
        "AND NOT EXISTS (SELECT 1 FROM ev e WHERE e.kind = 'service_end' "
        "AND e.person_id = s.person_id AND e.service_id = s.service_id "
        f"AND e.occurred_at < {t0})",
        "SELECT f.person_id, 'frailty_moderate_severe' AS measure, 1 AS value "
        f"FROM (SELECT person_id, COUNT(*) AS n FROM {deficit_table} "
        "GROUP BY person_id) f JOIN people p ON p.person_id = f.person_id "
        "WHERE f.n > 8 AND "
        + d.days_between("p.birth_date", day(end))
        + " >= 65 * 365.25",
    ]
    if prevalence:
        numerators.append(
            "SELECT DISTINCT e.person_id, 'ltc_' || c.ltc AS measure, 1 AS value "
            "FROM ev e JOIN ltc_codes c ON e.code = c.code "
            f"WHERE e.kind = 'diagnosis' AND (e.occurred_at < {t1} OR e.undated)"
        )
    if levels_table:  # people in each level of care (DESIGN 4.5), by area etc.
        numerators.append(
            "SELECT person_id, 'level_' || CAST(level AS VARCHAR) AS measure, "
            f"1 AS value FROM {levels_table}"
        )
    union = " UNION ALL ".join(numerators)
    return [
        d.create_table(f"jsna_base_{tag}", base),
        d.create_table(f"jsna_num_{tag}", union),
        _grouped(f"jsna_num_{tag}", f"jsna_base_{tag}", period),
    ]
