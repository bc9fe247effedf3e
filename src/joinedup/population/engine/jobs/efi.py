"""Snapshot tables and the eFI deficits (DESIGN 4.5), as SQL."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from joinedup.population import deficits as D
from joinedup.population.engine.jobs.dialect import (
    DUCKDB,
    Dialect,
    ts,
    values_sql,
    years_before,
)

# --- snapshot ----------------------------------------------------------------------

TABLE_NAMES = ("people", "events", "care_team", "stays")


def snapshot_views(paths: dict[str, str], d: Dialect = DUCKDB) -> list[str]:
    """Typed tables over the Parquet snapshot (the snapshot keeps whatever types
    the operational database's driver returned)."""
    return [
        d.create_table(
            "people",
            "SELECT CAST(person_id AS BIGINT) AS person_id, "
            "CAST(birth_date AS DATE) AS birth_date, sex, "
            "CAST(practice_id AS BIGINT) AS practice_id, "
            "CAST(imd_decile AS INTEGER) AS imd_decile, lsoa, area, "
            "CAST(deceased_on AS DATE) AS deceased_on, "
            "CAST(opt_out AS BOOLEAN) AS opt_out "
            f"FROM {d.parquet(paths['people'])}",
        ),
        d.create_table(
            "raw_events",
            "SELECT person_id, kind, CAST(occurred_at AS TIMESTAMP) AS occurred_at, "
            "CAST(ended_at AS TIMESTAMP) AS ended_at, code, detail, code_display "
            f"FROM {d.parquet(paths['events'])}",
        ),
        d.create_table(
            "care_team",
            "SELECT person_id, user_id, role, CAST(is_lead AS BOOLEAN) AS is_lead, "
            "CAST(ended_on AS DATE) AS ended_on "
            f"FROM {d.parquet(paths['care_team'])}",
        ),
        d.create_table(
            "stays",
            "SELECT stay_id, person_id, admission_method, "
            "CAST(admitted_at AS TIMESTAMP) AS admitted_at, "
            "CAST(discharged_at AS TIMESTAMP) AS discharged_at, "
            "CAST(ready_on AS DATE) AS ready_on "
            f"FROM {d.parquet(paths['stays'])}",
        ),
    ]


def events_narrow(d: Dialect = DUCKDB) -> str:
    """Only the events the jobs use, with the detail keys they read as columns.
    Ordinary GP consultations (most of the volume) are dropped here."""
    j = d.json_str
    home = ", ".join(f"'{s}'" for s in D.HOUSEBOUND_COMMUNITY_SERVICES)
    modes = ", ".join(f"'{m}'" for m in D.HOUSEBOUND_GP_MODES)
    return d.create_table(
        "ev",
        "SELECT * FROM (SELECT person_id, kind, occurred_at, ended_at, code, "
        f"{j('detail', 'admission_method')} AS admission_method, "
        f"COALESCE({j('detail', 'medication')}, code_display) AS medication, "
        f"{j('detail', 'course')} AS course, "
        f"{j('detail', 'service_type')} AS service_type, "
        f"{j('detail', 'service_id')} AS service_id, "
        f"{j('detail', 'mode')} AS mode, "
        f"{j('detail', 'service')} AS service, "
        f"COALESCE({j('detail', 'date_not_recorded')} = 'true', FALSE) AS undated "
        "FROM raw_events WHERE kind IN ('admission', 'ae_attendance', 'diagnosis', "
        "'medication', 'fall', 'service_start', 'service_end', "
        "'safeguarding_concern', 'gp_consultation', 'community_contact')) e "
        "WHERE kind NOT IN ('gp_consultation', 'community_contact') "
        f"OR mode IN ({modes}) OR service IN ({home})",
    )


def code_maps(d: Dialect = DUCKDB) -> list[str]:
    """The SNOMED CT -> eFI deficit and -> long-term condition tables."""
    return [
        d.create_table(
            "deficit_codes",
            values_sql(sorted(D.SNOMED_DEFICITS.items()), ("code", "deficit")),
        ),
        d.create_table(
            "ltc_codes", values_sql(sorted(D.LTC_SNOMED.items()), ("code", "ltc"))
        ),
    ]


def history_bounds() -> str:
    """The last day with an event: the refresh's "today"."""
    return "SELECT CAST(MAX(occurred_at) AS DATE) AS last_day, COUNT(*) AS n FROM ev"


# --- eFI ---------------------------------------------------------------------------


def services_in_place(as_of: dt.date) -> str:
    """(person_id, service_type) of social care services running on `as_of`."""
    t = ts(as_of)
    return (
        "SELECT DISTINCT s.person_id, s.service_type FROM ev s "
        f"WHERE s.kind = 'service_start' AND s.occurred_at < {t} AND NOT EXISTS ("
        "SELECT 1 FROM ev e WHERE e.kind = 'service_end' "
        "AND e.person_id = s.person_id AND e.service_id = s.service_id "
        f"AND e.occurred_at < {t})"
    )


def _in(values: Sequence[str]) -> str:
    return ", ".join(f"'{v}'" for v in values)


def deficits(as_of: dt.date) -> str:
    """(person_id, deficit) for every eFI deficit (DESIGN 4.5) present on `as_of`:
    coded diagnoses, reasons for admission/attendance and falls ever recorded;
    polypharmacy (5+ regular medicines recorded and not stopped more than a year
    ago); requirement for care, activity limitation and mobility problems from
    social care services in place; housebound from home visits in the last year;
    social vulnerability from a safeguarding concern in the last three years."""
    t = ts(as_of)
    year_ago = ts(years_before(as_of, 1))
    three = ts(years_before(as_of, 3))
    sip = services_in_place(as_of)
    return (
        "SELECT DISTINCT person_id, deficit FROM ("
        "SELECT e.person_id, c.deficit FROM ev e JOIN deficit_codes c "
        "ON e.code = c.code WHERE e.kind IN ('diagnosis', 'admission', "
        f"'ae_attendance', 'fall') AND (e.occurred_at < {t} OR e.undated) "
        "UNION ALL "
        f"SELECT person_id, 'falls' AS deficit FROM ev WHERE kind = 'fall' "
        f"AND occurred_at < {t} "
        "UNION ALL "
        "SELECT person_id, 'polypharmacy' AS deficit FROM ev "
        f"WHERE kind = 'medication' AND COALESCE(course, '') <> 'acute' "
        f"AND occurred_at < {t} AND (ended_at IS NULL OR ended_at >= {year_ago}) "
        f"GROUP BY person_id HAVING COUNT(DISTINCT medication) >= "
        f"{D.POLYPHARMACY_MIN} "
        "UNION ALL "
        f"SELECT person_id, 'requirement_for_care' AS deficit FROM ({sip}) s "
        f"WHERE service_type IN ({_in(D.CARE_SERVICES)}) "
        "UNION ALL "
        f"SELECT person_id, 'activity_limitation' AS deficit FROM ({sip}) s "
        f"WHERE service_type IN ({_in(D.ACTIVITY_SERVICES)}) "
        "UNION ALL "
        f"SELECT person_id, 'mobility_transfer_problems' AS deficit FROM ({sip}) s "
        f"WHERE service_type IN ({_in(D.MOBILITY_SERVICES)}) "
        "UNION ALL "
        "SELECT person_id, 'housebound' AS deficit FROM ev "
        "WHERE kind IN ('gp_consultation', 'community_contact') "
        f"AND occurred_at >= {year_ago} AND occurred_at < {t} "
        "UNION ALL "
        "SELECT person_id, 'social_vulnerability' AS deficit FROM ev "
        f"WHERE kind IN ({_in(D.VULNERABILITY_KINDS)}) "
        f"AND occurred_at >= {three} AND occurred_at < {t}"
        ") x"
    )


def efi_per_person(deficit_table: str, d: Dialect = DUCKDB) -> str:
    """(person_id, n, score, category, deficits list) from a deficits table; the
    thresholds are efi.CATEGORIES (DESIGN 4.5)."""
    return (
        "SELECT person_id, COUNT(*) AS n, ROUND(COUNT(*) / 36.0, 4) AS score, "
        "CASE WHEN COUNT(*) <= 4 THEN 'fit' WHEN COUNT(*) <= 8 THEN 'mild' "
        "WHEN COUNT(*) <= 12 THEN 'moderate' ELSE 'severe' END AS category, "
        f"{d.list_agg('deficit', 'deficit')} AS deficits "
        f"FROM {deficit_table} GROUP BY person_id"
    )
