"""Scale-out: the same trained model on Splink's Spark backend (issue 5), for a
region of several million records. The model's m and u are kept; only the SQL of
the comparisons is rebuilt for Spark's dialect (`settings.SPARK`), so DuckDB and
Spark score the same pairs with the same weights. pyspark is optional: nothing
else imports this module. See docs/matching.md "Scale-out on Spark"."""

from __future__ import annotations

import copy
from typing import Any

from joinedup.people.matching import settings as ms
from joinedup.people.matching.engine import (
    ScoredPair,
    level_labels,
    pairs_build,
    tables_of,
)

# Copied from the trained model, level by level; everything else (SQL text,
# labels) comes from the Spark build of the same settings.
_TRAINED_KEYS = ("m_probability", "u_probability", "tf_minimum_u_value")


def model_for_dialect(model: dict[str, Any], dialect: str) -> dict[str, Any]:
    """The trained `model` (Splink JSON, DuckDB SQL) with its comparisons and
    blocking rules rewritten for `dialect`; m, u and the prior unchanged.
    ValueError when the model's shape is not our settings' (an old version)."""
    built = ms.settings_build(link_type=model.get("link_type", "dedupe_only"),
                              dialect=dialect)  # fmt: skip
    out = copy.deepcopy(model)
    out["sql_dialect"] = dialect
    out["blocking_rules_to_generate_predictions"] = built[
        "blocking_rules_to_generate_predictions"
    ]
    new_by_name = {c["output_column_name"]: c for c in built["comparisons"]}
    for comparison in out["comparisons"]:
        new = new_by_name.get(comparison["output_column_name"])
        old_levels = comparison["comparison_levels"]
        if new is None or len(new["comparison_levels"]) != len(old_levels):
            raise ValueError(
                f"model comparison {comparison['output_column_name']!r} does not"
                " match the settings: retrain the model"
            )
        levels = copy.deepcopy(new["comparison_levels"])
        for level, old in zip(levels, old_levels, strict=True):
            for key in _TRAINED_KEYS:
                if key in old:
                    level[key] = old[key]
        comparison["comparison_levels"] = levels
    return out


def spark_session_local(*, cores: int = 2, memory: str = "2g") -> Any:
    """A Spark session in local mode with Splink's similarity UDF jar (for
    jaro_winkler); on a cluster the same configuration goes to spark-submit."""
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    return (
        SparkSession.builder.master(f"local[{cores}]")
        .appName("joinedup-matching")
        .config("spark.jars", similarity_jar_location())
        .config("spark.driver.memory", memory)
        .config("spark.sql.shuffle.partitions", str(cores * 4))
        .config("spark.ui.enabled", "false")
        .getOrCreate()
    )


def predict_spark(
    spark: Any,
    model: dict[str, Any],
    left: list[dict[str, Any]],
    right: list[dict[str, Any]] | None = None,
    *,
    threshold: float = 0.01,
    checkpoint_dir: str | None = None,
) -> list[ScoredPair]:
    """`engine.predict` on Spark: the pairs within `left` (or between `left` and
    `right`) at or above `threshold`, scored with the trained model."""
    from splink import Linker, SparkAPI

    if not left or (right is not None and not right):
        return []
    settings = model_for_dialect(model, "spark")
    settings["link_type"] = "dedupe_only" if right is None else "link_only"
    settings["retain_intermediate_calculation_columns"] = True
    if checkpoint_dir:
        spark.sparkContext.setCheckpointDir(checkpoint_dir)
    db_api = SparkAPI(spark_session=spark, break_lineage_method="persist")
    tables = tables_of(left, right)
    frames = [
        db_api.register(spark.createDataFrame(t), dataset_display_name=f"input_{i}")
        for i, t in enumerate(tables)
    ]
    linker = Linker(frames if len(frames) > 1 else frames[0], settings, log_level=None)
    frame = linker.inference.predict(threshold_match_probability=threshold)
    left_ids = {r["unique_id"] for r in left} if right is not None else None
    return pairs_build(
        frame.as_record_list(), labels=level_labels(settings), left_ids=left_ids
    )
