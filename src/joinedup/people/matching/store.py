"""Trained models, stored and versioned: the settings JSON with every m and u, and
the thresholds, so any decision can be explained later from its model version."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import Max

from joinedup.people.matching.outcomes import Thresholds
from joinedup.people.models import MatchingModel

__all__ = ["MatchingModel", "model_active", "model_save", "model_thresholds"]


def model_save(
    *,
    settings_json: dict[str, Any],
    thresholds: Thresholds,
    trained_on: str = "",
    metrics: dict[str, Any] | None = None,
    activate: bool = True,
) -> MatchingModel:
    """Store a trained model as the next version and make it the active one
    (unless `activate` is False: a model fitted to one pair of files is kept so
    its decisions can be explained, but does not score the person index)."""
    with transaction.atomic():
        latest = MatchingModel.objects.select_for_update().aggregate(v=Max("version"))
        if activate:
            MatchingModel.objects.filter(is_active=True).update(is_active=False)
        return MatchingModel.objects.create(
            version=(latest["v"] or 0) + 1,
            settings_json=settings_json,
            upper_threshold=thresholds.upper,
            lower_threshold=thresholds.lower,
            trained_on=trained_on,
            metrics=metrics or {},
            is_active=activate,
        )


def model_active() -> MatchingModel | None:
    return MatchingModel.objects.filter(is_active=True).order_by("-version").first()


def model_thresholds(model: MatchingModel) -> Thresholds:
    return Thresholds(upper=model.upper_threshold, lower=model.lower_threshold)
