"""The thin adapter to Splink on its embedded DuckDB engine: register rows, train
(u by random sampling, m by EM), predict. Everything it is given and returns is
plain data; all modelling choices live in `settings`."""

from __future__ import annotations

import logging
import math
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from joinedup.people.matching import settings as ms
from joinedup.people.matching.prepare import ROW_COLUMNS

log = logging.getLogger(__name__)

COMPARISONS: tuple[str, ...] = (
    "name",
    "birth_date",
    "address",
    "sex",
    "nhs_number",
    "identifier",
    "address_line",
)

_SCHEMA = pa.schema(
    [
        ("unique_id", pa.string()),
        ("nhs_number", pa.string()),
        ("nhs_verified", pa.bool_()),
        ("given_name", pa.string()),
        ("family_name", pa.string()),
        ("given_canon", pa.string()),
        ("birth_date", pa.string()),
        ("birth_year", pa.string()),
        ("sex", pa.string()),
        ("postcode", pa.string()),
        ("postcode_sector", pa.string()),
        ("postcode_district", pa.string()),
        ("postcodes", pa.list_(pa.string())),
        ("identifier", pa.string()),
        ("address_line", pa.string()),
    ]
)


@dataclass(frozen=True)
class ScoredPair:
    left_id: str
    right_id: str
    match_probability: float
    match_weight: float
    # comparison -> (level label, contribution to the match weight in bits)
    contributions: dict[str, tuple[str, float]]


def records_table(rows: list[dict[str, Any]]) -> pa.Table:
    columns = {c: [r[c] for r in rows] for c in ROW_COLUMNS if c != "source_dataset"}
    return pa.Table.from_pydict(columns, schema=_SCHEMA)


# DuckDB's memory ceiling for one linkage (it spills to a temporary folder
# beyond it): its default, 80% of the machine, lets a batch of a million
# records take most of a shared machine. JOINEDUP_MATCH_DUCKDB_MEMORY overrides.
DUCKDB_MEMORY_DEFAULT = "3GB"


def tables_of(
    left: list[dict[str, Any]], right: list[dict[str, Any]] | None
) -> list[pa.Table]:
    """One input table (deduplication) or two (linkage)."""
    return [records_table(r) for r in (left, right) if r is not None]


def _connection() -> Any:
    import os
    import tempfile

    import duckdb

    con = duckdb.connect()
    memory = os.environ.get("JOINEDUP_MATCH_DUCKDB_MEMORY", DUCKDB_MEMORY_DEFAULT)
    con.execute("SET memory_limit = ?", [memory])
    con.execute("SET temp_directory = ?", [tempfile.gettempdir() + "/joinedup-duckdb"])
    con.execute("SET preserve_insertion_order = false")
    return con


def _linker(tables: list[pa.Table], settings: dict) -> Any:
    from splink import DuckDBAPI, Linker

    db_api = DuckDBAPI(connection=_connection())
    frames = [
        db_api.register(t, dataset_display_name=f"input_{i}")
        for i, t in enumerate(tables)
    ]
    return Linker(frames if len(frames) > 1 else frames[0], settings, log_level=None)


def model_train(
    rows: list[dict[str, Any]],
    right: list[dict[str, Any]] | None = None,
    *,
    seed: int = 42,
    max_pairs: float = 2e6,
) -> dict[str, Any]:
    """Train the model on one set of rows (deduplication) or on two (`right`:
    linkage between them, as two files are linked): the prior from near-certain
    rules, u by random sampling, m by EM (no labels needed). Returns the model as
    Splink's JSON settings."""
    link_type = "dedupe_only" if right is None else "link_only"
    tables = tables_of(rows, right)
    linker = _linker(tables, ms.settings_build(link_type=link_type))
    linker.training.estimate_probability_two_random_records_match(
        list(ms.prior_rules(rows, right)), recall=ms.PRIOR_RECALL
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=max_pairs, seed=seed)
    for rule in ms.TRAINING_BLOCKING_RULES:
        linker.training.estimate_parameters_using_expectation_maximisation(
            rule, record_sample_proportion=1.0
        )
    model: dict[str, Any] = model_fill_unobserved(linker.misc.save_model_to_json())
    log.info("matching model trained on %d rows", len(rows) + len(right or []))
    return model


def level_labels(model: dict[str, Any]) -> dict[str, dict[int, str]]:
    """comparison -> comparison vector value -> level label."""
    out: dict[str, dict[int, str]] = {}
    for comparison in model["comparisons"]:
        levels = [
            lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")
        ]
        n = len(levels)
        labels = {-1: "Missing"}
        for i, lv in enumerate(levels):
            labels[n - 1 - i] = lv.get("label_for_charts", "")
        out[comparison["output_column_name"]] = labels
    return out


def contribution_bits(row: dict[str, Any], name: str) -> float:
    """The comparison's contribution to the match weight, in bits (log2 of the
    Bayes factor), with its term-frequency adjustment."""
    weight = row.get(f"mw_{name}")
    if weight is None:
        bf = float(row.get(f"bf_{name}") or 1.0)
        weight = math.log2(bf) if bf > 0 else -60.0
    return float(weight) + float(row.get(f"mw_tf_adj_{name}") or 0.0)


# Levels the training data cannot show (source records carry one postcode, so an
# agreeing *former* postcode never occurs there): fixed values, documented in
# docs/matching.md. level label -> (m, u).
UNOBSERVED_DEFAULTS: dict[str, tuple[float, float]] = {
    "A postcode in the address history agrees (moved)": (0.05, 0.003),
    "Same postcode sector": (0.005, 0.02),
    # A name or a full date missing on one side only, the rest agreeing: about
    # the evidence of that name or that year alone (a Bayes factor near 100 for
    # a name of average frequency, 80 for a year of birth among 80 years).
    "Given name missing, family name agrees": (0.01, 0.0001),
    "Family name missing, given name agrees": (0.01, 0.0001),
    "Same year of birth, a date given as the year only": (0.01, 0.000125),
}


def model_fill_unobserved(model: dict[str, Any]) -> dict[str, Any]:
    """Give every level the training could not estimate an m and u: the
    documented defaults above, else a small m (disagreement is rare in matches).
    A comparison the training data never had (its column empty there, e.g. an
    identifier the synthetic area does not carry) gets m = u at every level: it
    counts neither for nor against a pair until a model is trained on data that
    has it."""
    for comparison in model["comparisons"]:
        levels = [
            lv for lv in comparison["comparison_levels"] if not lv.get("is_null_level")
        ]
        if not any("u_probability" in lv for lv in levels):
            for level in levels:
                level["m_probability"] = level["u_probability"] = 1.0 / len(levels)
            continue
        for level in comparison["comparison_levels"]:
            if level.get("is_null_level"):
                continue
            default = UNOBSERVED_DEFAULTS.get(level.get("label_for_charts", ""))
            if "m_probability" not in level or (
                default and level["m_probability"] < 1e-6
            ):
                level["m_probability"] = default[0] if default else 0.001
            if "u_probability" not in level:
                level["u_probability"] = default[1] if default else 0.5
    return model


def pairs_build(
    rows: Iterable[dict[str, Any]],
    *,
    labels: dict[str, dict[int, str]],
    left_ids: set[str] | None,
) -> list[ScoredPair]:
    """Scored pairs from the rows of a Splink prediction (any backend): ids,
    probability, weight and each comparison's level and bits. For a linkage
    (`left_ids` given) the left id is always the left file's."""
    pairs: list[ScoredPair] = []
    for row in rows:
        a, b = str(row["unique_id_l"]), str(row["unique_id_r"])
        if left_ids is not None and a not in left_ids:
            a, b = b, a
        pairs.append(
            ScoredPair(
                left_id=a,
                right_id=b,
                match_probability=float(row["match_probability"]),
                match_weight=float(row["match_weight"]),
                contributions={
                    name: (
                        labels[name].get(int(row[f"gamma_{name}"]), ""),
                        round(contribution_bits(row, name), 3),
                    )
                    for name in labels
                },
            )
        )
    return pairs


def predict(
    model: dict[str, Any],
    left: list[dict[str, Any]],
    right: list[dict[str, Any]] | None = None,
    *,
    threshold: float = 0.01,
) -> list[ScoredPair]:
    """Score the candidate pairs within `left` (deduplication) or between `left`
    and `right` (linkage) with a trained model; pairs below `threshold` are
    dropped."""
    settings = dict(model)
    settings["link_type"] = "dedupe_only" if right is None else "link_only"
    settings["retain_intermediate_calculation_columns"] = True
    # Blocking decides which pairs are scored, not how: the current rules apply
    # to every stored model version (the weights are the model's).
    settings["blocking_rules_to_generate_predictions"] = [
        {"blocking_rule": rule, "sql_dialect": "duckdb"}
        for rule in ms.PREDICTION_BLOCKING_RULES
    ]
    tables = tables_of(left, right)
    if not left or (right is not None and not right):
        return []
    linker = _linker(tables, settings)
    frame = linker.inference.predict(threshold_match_probability=threshold)
    left_ids = {r["unique_id"] for r in left} if right is not None else None
    relation = frame.as_duckdbpyrelation()
    # Only the ids, scores and comparison levels come back: not the records.
    wanted = [
        c
        for c in relation.columns
        if c in ("unique_id_l", "unique_id_r", "match_probability", "match_weight")
        or c.startswith(("gamma_", "bf_", "mw_"))
    ]
    relation = relation.select(", ".join(f'"{c}"' for c in wanted))
    names = relation.columns
    pairs = pairs_build(
        (dict(zip(names, values, strict=True)) for values in relation.fetchall()),
        labels=level_labels(model),
        left_ids=left_ids,
    )
    frame.drop_table_from_database_and_remove_from_cache()
    return pairs
