"""Aggregates for planning: levels of care, the model card, the JSNA figures
(national data opt-out honoured, small numbers suppressed)."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import Count

from joinedup.errors import InvalidInput
from joinedup.governance.access import Actor, Decision
from joinedup.governance.models import AccessCategory, Organisation
from joinedup.governance.secondary_use import (
    SMALL_NUMBER,
    Purpose,
    opted_out_excluded,
    suppress,
)
from joinedup.governance.services import audit_record
from joinedup.population.deficits import LTC_LABELS
from joinedup.population.engine.jobs import DIMENSIONS, FEATURES
from joinedup.population.models import (
    Figure,
    PersonRisk,
    Refresh,
    RiskModel,
)
from joinedup.population.selectors.refresh import refresh_current

# --- levels, model card ------------------------------------------------------------


@dataclass
class LevelCounts:
    totals: dict[int, str] = field(default_factory=dict)
    by_practice: list[tuple[str, dict[int, str]]] = field(default_factory=list)


def level_counts() -> LevelCounts:
    """People per level of care, overall and per GP practice (planning: opted-out
    people excluded, small numbers suppressed)."""
    refresh = refresh_current()
    out = LevelCounts()
    if refresh is None:
        return out
    qs = opted_out_excluded(
        PersonRisk.objects.filter(refresh=refresh),
        purpose=Purpose.PLANNING,
        person_field="person",
    )
    totals = {r["level"]: r["n"] for r in qs.values("level").annotate(n=Count("pk"))}
    out.totals = {lvl: suppress(totals.get(lvl, 0)) for lvl in (1, 2, 3)}
    practices: dict[int | None, dict[int, int]] = {}
    for r in qs.values("practice_id", "level").annotate(n=Count("pk")):
        practices.setdefault(r["practice_id"], {})[r["level"]] = r["n"]
    names = dict(
        Organisation.objects.filter(
            pk__in=[p for p in practices if p is not None]
        ).values_list("pk", "name")
    )
    for pid, counts in sorted(
        practices.items(), key=lambda kv: names.get(kv[0], "~") if kv[0] else "~"
    ):
        out.by_practice.append(
            (
                names.get(pid, "Not registered") if pid else "Not registered",
                {lvl: suppress(counts.get(lvl, 0)) for lvl in (1, 2, 3)},
            )
        )
    return out


@dataclass(frozen=True)
class ModelCard:
    model: RiskModel
    coefficients: list[tuple[str, float, float]]  # label, coefficient, odds ratio
    calibration_bars: list[tuple[str, float, float]]  # decile, predicted, observed


def model_card() -> ModelCard | None:
    import math

    refresh = refresh_current()
    if refresh is None:
        return None
    model = RiskModel.objects.filter(refresh=refresh).first()
    if model is None:
        return None
    coefficients = [
        (
            label,
            model.coefficients.get(key, 0.0),
            math.exp(model.coefficients.get(key, 0.0)),
        )
        for key, label, _ in FEATURES
    ]
    bars = [
        (
            f"Decile {c['decile']}",
            round(100 * c["predicted"], 1),
            round(100 * c["observed"], 1),
        )
        for c in model.calibration
    ]
    return ModelCard(model=model, coefficients=coefficients, calibration_bars=bars)


# --- JSNA ---------------------------------------------------------------------------

DIMENSION_LABELS = {
    "age_band": "Age band",
    "sex": "Sex",
    "imd_quintile": "Deprivation quintile (1 most deprived)",
    "area": "Area (postcode district)",
}
SOCIAL_CARE_LABELS = {
    "home_care": "Home care",
    "reablement": "Reablement",
    "day_opportunities": "Day opportunities",
    "residential_care": "Residential care",
    "nursing_care": "Nursing care",
    "equipment": "Community equipment",
    "direct_payment": "Direct payment",
    "any": "Any social care service",
}


def measure_label(key: str) -> tuple[str, str]:
    """(label, unit) of a measure."""
    if key == "emergency_admissions":
        return "Emergency admissions", "per 1,000 people"
    if key == "delayed_days":
        return "Delayed discharge days", "per 1,000 people"
    if key == "frailty_moderate_severe":
        return "Moderate or severe frailty (eFI, aged 65+)", "per 1,000 people"
    if key.startswith("social_care_"):
        service = key.removeprefix("social_care_")
        return (
            f"Receiving social care: {SOCIAL_CARE_LABELS.get(service, service)}",
            "per 1,000 people",
        )
    if key.startswith("level_"):
        level = key.removeprefix("level_")
        return f"People in level {level} of care", "per 1,000 people"
    if key.startswith("ltc_"):
        ltc = key.removeprefix("ltc_")
        return f"Prevalence: {LTC_LABELS.get(ltc, ltc)}", "per 1,000 people"
    return key, ""


@dataclass(frozen=True)
class Cell:
    shown: str  # the count as it may be shown ("<5" when small)
    rate: float | None  # per 1,000; None when suppressed

    @property
    def rate_shown(self) -> str:
        return "suppressed" if self.rate is None else f"{self.rate:,.1f}"


@dataclass
class MeasureTable:
    key: str
    label: str
    unit: str
    periods: list[str]
    rows: list[tuple[str, list[Cell]]]  # group, one cell per period


@dataclass
class Jsna:
    refresh: Refresh | None
    dimension: str
    periods: list[str]
    tables: list[MeasureTable]


def _cell(numerator: int, denominator: int) -> Cell:
    shown = suppress(numerator, purpose=Purpose.PLANNING)
    small = (0 < numerator < SMALL_NUMBER) or (0 < denominator < SMALL_NUMBER)
    rate = None if small or denominator == 0 else 1000.0 * numerator / denominator
    return Cell(shown=shown, rate=rate)


def jsna_figures(*, actor: Actor, dimension: str = "all") -> Jsna:
    """The JSNA figures of the current refresh by one dimension, every period
    (trends), with small numbers suppressed. Aggregates only: any signed-in role
    may read them; the read is audited without a person."""
    if dimension not in ("all", *DIMENSIONS):
        raise InvalidInput.for_field(
            "by", f"must be one of: all, {', '.join(DIMENSIONS)}"
        )
    refresh = refresh_current()
    audit_record(
        actor=actor,
        person_id=None,
        action="view_jsna",
        category=AccessCategory.HEALTH,
        decision=Decision(True, f"aggregates by {dimension}", "secondary_use"),
    )
    if refresh is None:
        return Jsna(refresh=None, dimension=dimension, periods=[], tables=[])
    figures = list(
        Figure.objects.filter(refresh=refresh, dimension=dimension).values_list(
            "measure", "group", "period", "numerator", "denominator"
        )
    )
    periods = sorted({f[2] for f in figures}, key=_period_key)
    sizes = {(g, p): n for m, g, p, n, _d in figures if m == "population"}
    groups = sorted({g for _m, g, _p, _n, _d in figures}, key=_group_key)
    by_measure: dict[str, dict[tuple[str, str], int]] = {}
    for m, g, p, n, _d in figures:
        if m != "population":
            by_measure.setdefault(m, {})[(g, p)] = n
    tables = []
    for measure in sorted(by_measure, key=_measure_key):
        values = by_measure[measure]
        label, unit = measure_label(measure)
        measure_periods = sorted({p for _g, p in values}, key=_period_key)
        if measure.startswith("ltc_"):
            measure_periods = periods[-1:]
        rows = []
        for g in groups:
            cells = [
                _cell(values.get((g, p), 0), sizes.get((g, p), 0))
                for p in measure_periods
            ]
            if any(sizes.get((g, p), 0) for p in measure_periods):
                rows.append((g, cells))
        tables.append(MeasureTable(measure, label, unit, measure_periods, rows))
    return Jsna(refresh=refresh, dimension=dimension, periods=periods, tables=tables)


def _period_key(period: str) -> tuple[int, str]:
    # "28 Nov 2023 to 27 Nov 2024": sort by the last year, then text
    try:
        return int(period.split()[-1]), period
    except ValueError:
        return 0, period


def _group_key(group: str) -> tuple[int, str]:
    digits = "".join(ch for ch in group.split("-")[0] if ch.isdigit())
    return (1 if group in ("not known", "other or not known") else 0), (
        f"{int(digits):05d}" if digits else group
    )


_ORDER = (
    "level_3",
    "level_2",
    "level_1",
    "emergency_admissions",
    "delayed_days",
    "frailty_moderate_severe",
    "social_care_any",
)


def _measure_key(m: str) -> tuple[int, str]:
    if m in _ORDER:
        return _ORDER.index(m), m
    return (len(_ORDER) if m.startswith("social_care_") else len(_ORDER) + 1), m


def jsna_csv_rows(jsna: Jsna) -> list[list[str]]:
    """The figures as they may be published: header, then one row per measure,
    group and period (suppressed counts as "<5", their rates blank)."""
    rows = [
        ["measure", "unit", "dimension", "group", "period", "count", "rate"],
    ]
    for table in jsna.tables:
        for group, cells in table.rows:
            for period, cell in zip(table.periods, cells, strict=True):
                rows.append(
                    [
                        table.label,
                        table.unit,
                        jsna.dimension,
                        group,
                        period,
                        cell.shown,
                        "" if cell.rate is None else f"{cell.rate:.1f}",
                    ]
                )
    return rows
