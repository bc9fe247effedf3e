"""Reads of population health. Case finding lists people (direct care: through the
access policy, audited); the JSNA, levels and model card are aggregates for
planning (national data opt-out honoured, small numbers suppressed:
governance/secondary_use.py)."""

from joinedup.population.selectors.case_finding import (
    CASE_FINDING_ROLES,
    MATERIAL_RISE,
    REASON_LABELS,
    CaseloadSize,
    Proposal,
    case_finding_list,
    case_finding_may_use,
    caseload_sizes,
)
from joinedup.population.selectors.figures import (
    DIMENSION_LABELS,
    Cell,
    Jsna,
    LevelCounts,
    MeasureTable,
    ModelCard,
    jsna_csv_rows,
    jsna_figures,
    level_counts,
    measure_label,
    model_card,
)
from joinedup.population.selectors.refresh import (
    RefreshStatusView,
    refresh_current,
    refresh_latest,
    refresh_status,
)

__all__ = [
    "CASE_FINDING_ROLES",
    "DIMENSION_LABELS",
    "MATERIAL_RISE",
    "REASON_LABELS",
    "CaseloadSize",
    "Cell",
    "Jsna",
    "LevelCounts",
    "MeasureTable",
    "ModelCard",
    "Proposal",
    "RefreshStatusView",
    "case_finding_list",
    "case_finding_may_use",
    "caseload_sizes",
    "jsna_csv_rows",
    "jsna_figures",
    "level_counts",
    "measure_label",
    "model_card",
    "refresh_current",
    "refresh_latest",
    "refresh_status",
]
