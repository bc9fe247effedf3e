"""The synthetic area for identity matching: its source records with the ground
truth (for evaluation and training), and the demo's model, trained on the area
the demo is about to ingest and stored, so that ingest matches records on
arrival."""

from __future__ import annotations

import logging

from joinedup.people.matching import engine, store
from joinedup.people.matching.evaluate import Truth
from joinedup.people.matching.outcomes import thresholds_from_settings
from joinedup.people.matching.prepare import MatchRecord, rows_build
from joinedup.people.models import MatchingModel
from joinedup.synth.area import Area

log = logging.getLogger(__name__)


def area_records(area: Area) -> tuple[list[MatchRecord], Truth]:
    """Every source record of the area as a MatchRecord, with the ground truth."""
    records: list[MatchRecord] = []
    person_of: dict[str, str] = {}
    for person in area.iter_people():
        for r in person.records:
            rid = f"{r.system_code}:{r.local_id}"
            person_of[rid] = person.key
            records.append(
                MatchRecord(
                    id=rid,
                    given_name=r.given_name,
                    family_name=r.family_name,
                    birth_date=r.birth_date,
                    sex=r.sex,
                    postcode=r.postcode,
                    nhs_number=r.nhs_number,
                    nhs_verified=r.nhs_number_status == "01",
                )
            )
    return records, Truth(person_of)


def model_train_for_area(*, area: Area) -> MatchingModel:
    """Train the model on the area's source records (u by random sampling, m by
    EM) and store it as the active version, with the thresholds in force. Call
    it before ingesting the area's extracts."""
    records, _truth = area_records(area)
    model = engine.model_train(rows_build(records))
    stored = store.model_save(
        settings_json=model,
        thresholds=thresholds_from_settings(),
        trained_on=f"demo area: {len(records)} source records",
    )
    log.info("matching model v%s trained for the demo area", stored.version)
    return stored
