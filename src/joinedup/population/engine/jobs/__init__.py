"""The refresh jobs as pure functions that build SQL (DESIGN 2, "Analytics").

Each function returns one SQL statement (or a list) and touches no database: the
engine (engine/run.py) runs them in DuckDB; the same text runs on Apache Spark SQL
through `SPARK` (docs/population.md). Differences between the two engines are
kept to the `Dialect` below. Dates are passed in as Python dates and written as
literals; every time window is half-open [from, to).

Tables the jobs read (made by `snapshot_views` and `events_narrow`):
  people(person_id, birth_date, sex, practice_id, imd_decile, lsoa, area,
         deceased_on, opt_out)
  ev(person_id, kind, occurred_at, ended_at, code, admission_method, medication,
     course, service_type, service_id, mode, service, undated)
  care_team(person_id, user_id, role, is_lead, ended_on)
  stays(stay_id, person_id, admission_method, admitted_at, discharged_at, ready_on)
"""

from joinedup.population.engine.jobs.dialect import (
    DUCKDB,
    SPARK,
    Dialect,
    day,
    ts,
    years_before,
)
from joinedup.population.engine.jobs.efi import (
    TABLE_NAMES,
    code_maps,
    deficits,
    efi_per_person,
    events_narrow,
    history_bounds,
    services_in_place,
    snapshot_views,
)
from joinedup.population.engine.jobs.jsna import (
    AGE_BANDS,
    DIMENSIONS,
    jsna_base,
    jsna_period,
)
from joinedup.population.engine.jobs.risk import (
    FEATURE_LABELS,
    FEATURES,
    auc,
    calibration,
    features,
    irls_step,
    means,
    num,
    probability,
    scores,
)

__all__ = [
    "AGE_BANDS",
    "DIMENSIONS",
    "DUCKDB",
    "FEATURES",
    "FEATURE_LABELS",
    "SPARK",
    "TABLE_NAMES",
    "Dialect",
    "auc",
    "calibration",
    "code_maps",
    "day",
    "deficits",
    "efi_per_person",
    "events_narrow",
    "features",
    "history_bounds",
    "irls_step",
    "jsna_base",
    "jsna_period",
    "means",
    "num",
    "probability",
    "scores",
    "services_in_place",
    "snapshot_views",
    "ts",
    "years_before",
]
