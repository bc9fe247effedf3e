"""A matching model for the demo: trained on the synthetic area the demo is about
to ingest, and stored, so that ingest matches records on arrival (issue 5)."""

from __future__ import annotations

import logging

from joinedup.people.matching import engine, store
from joinedup.people.matching import evaluate as ev
from joinedup.people.matching.outcomes import thresholds_from_settings
from joinedup.people.matching.prepare import rows_build
from joinedup.people.matching_models import MatchingModel
from joinedup.synth.area import Area

log = logging.getLogger(__name__)


def model_train_for_area(*, area: Area) -> MatchingModel:
    """Train the model on the area's source records (u by random sampling, m by
    EM) and store it as the active version, with the thresholds in force. Call
    it before ingesting the area's extracts."""
    records, _truth = ev.area_records(area)
    model = engine.model_train(rows_build(records))
    stored = store.model_save(
        settings_json=model,
        thresholds=thresholds_from_settings(),
        trained_on=f"demo area: {len(records)} source records",
    )
    log.info("matching model v%s trained for the demo area", stored.version)
    return stored
