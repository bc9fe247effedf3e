"""Incremental matching on arrival (issue 5): one new source record against the
existing person index, without a full re-run.

1. A verified NHS number links deterministically (DESIGN 2 "Identity").
2. Otherwise the index is searched for candidate people with the same blocking
   rules the batch pipeline uses (settings.PREDICTION_BLOCKING_RULES), as indexed
   database queries, and only those candidates are scored with the stored,
   versioned model.
3. At or above the upper threshold: link to the best person; between the
   thresholds: the caller creates a new person and queues the pair for review
   (`resolution_queue`); below the lower threshold: a new person.

System activity: nothing here is shown to a user, and nothing is logged about the
person but ids and scores.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Exists, OuterRef, Q

from joinedup.people.matching import store
from joinedup.people.matching.index import person_record
from joinedup.people.matching.outcomes import Outcome
from joinedup.people.matching.pipeline import link_between
from joinedup.people.matching.prepare import MatchRecord
from joinedup.people.matching_models import MatchCandidate, MatchingModel
from joinedup.people.models import Address, NhsNumberStatus, Person, normalise_name

log = logging.getLogger(__name__)

CANDIDATES_MAX = 200


@dataclass(frozen=True)
class Resolution:
    outcome: Outcome
    person_id: int | None  # the person linked to, or the best match to review
    probability: float
    candidate_id: int | None = None  # the queued MatchCandidate, if any
    rule: str = ""  # "verified_nhs_number", "splink" or "" (no candidate)
    match_weight: float = 0.0
    contributions: dict[str, tuple[str, float]] = field(default_factory=dict)
    model_version: int | None = None


def _candidates_q(record: MatchRecord) -> Q:
    """The blocking rules as one filter on Person (each arm uses an index)."""
    given = normalise_name(record.given_name)
    family = normalise_name(record.family_name)
    q = Q(pk__in=[])
    if record.nhs_number:
        q |= Q(nhs_number=record.nhs_number)
    if record.birth_date:
        q |= Q(birth_date=record.birth_date)
        year = record.birth_date.year
        if family:
            q |= Q(family_name_norm=family, birth_date__year=year)
        if given:
            q |= Q(given_name_norm=given, birth_date__year=year)
    if given and family:
        q |= Q(family_name_norm=family, given_name_norm=given)
        q |= Q(family_name_norm=given, given_name_norm=family)
    postcodes = {p for p in (record.postcode, *record.postcodes) if p}
    if postcodes and given:
        q |= Q(postcode__in=postcodes, given_name_norm=given)
        q |= Q(
            Exists(
                Address.objects.filter(
                    person=OuterRef("pk"), postcode__in=sorted(postcodes)
                )
            ),
            given_name_norm=given,
        )
    return q


def _exclude_id(record: MatchRecord) -> int | None:
    if record.id.startswith("person:"):
        try:
            return int(record.id.split(":", 1)[1])
        except ValueError:
            return None
    return None


def candidates_find(record: MatchRecord) -> list[MatchRecord]:
    """The people of the index the record could be (not merged ones), as match
    records with their address history."""
    people = Person.objects.filter(_candidates_q(record), merged_into__isnull=True)
    own = _exclude_id(record)
    if own is not None:
        people = people.exclude(pk=own)
    found = list(people.order_by("pk")[:CANDIDATES_MAX])
    history: dict[int, list[str]] = {}
    for person_id, postcode in Address.objects.filter(
        person_id__in=[p.pk for p in found]
    ).values_list("person_id", "postcode"):
        if postcode:
            history.setdefault(person_id, []).append(postcode)
    return [person_record(p, tuple(history.get(p.pk, ()))) for p in found]


_MODEL_CACHE: dict[int, dict[str, Any]] = {}


def _model() -> tuple[MatchingModel | None, dict[str, Any] | None]:
    active = store.model_active()
    if active is None:
        return None, None
    if active.pk not in _MODEL_CACHE:
        _MODEL_CACHE.clear()
        _MODEL_CACHE[active.pk] = active.settings_json
    return active, _MODEL_CACHE[active.pk]


def _verified(record: MatchRecord) -> Resolution | None:
    if not (record.nhs_number and record.nhs_verified):
        return None
    people = Person.objects.filter(
        nhs_number=record.nhs_number,
        nhs_number_status=NhsNumberStatus.VERIFIED,
        merged_into__isnull=True,
    )
    own = _exclude_id(record)
    if own is not None:
        people = people.exclude(pk=own)
    person_id = people.order_by("pk").values_list("pk", flat=True).first()
    if person_id is None:
        return None
    return Resolution(Outcome.LINK, person_id, 1.0, rule="verified_nhs_number")


def person_resolve(*, record: MatchRecord) -> Resolution:
    """Who this arriving record is: a person of the index (link), possibly one
    (review: `person_id` is the best match), or nobody yet (new). With no stored
    model only the NHS-number step runs. If `record.id` is "person:<pk>" (a
    person already created for it), that person is not a candidate and a review
    outcome is queued at once (`candidate_id`)."""
    found = _verified(record)
    if found is not None:
        return found
    active, model = _model()
    if active is None or model is None:
        return Resolution(Outcome.NEW, None, 0.0)
    candidates = candidates_find(record)
    if not candidates:
        return Resolution(Outcome.NEW, None, 0.0, model_version=active.version)
    thresholds = store.model_thresholds(active)
    decisions = link_between(
        [record], candidates, model=model, thresholds=thresholds, keep_below=0.0
    )
    if not decisions:
        return Resolution(Outcome.NEW, None, 0.0, model_version=active.version)
    best = max(decisions, key=lambda d: (d.match_probability, d.right_id))
    resolution = Resolution(
        outcome=best.outcome,
        person_id=int(best.right_id.split(":", 1)[1]),
        probability=best.match_probability,
        rule=best.rule,
        match_weight=best.match_weight,
        contributions=best.contributions,
        model_version=active.version,
    )
    own = _exclude_id(record)
    if resolution.outcome == Outcome.REVIEW and own is not None:
        candidate = resolution_queue(resolution=resolution, person_id=own)
        if candidate is not None:
            resolution = Resolution(
                **{**resolution.__dict__, "candidate_id": candidate.pk}
            )
    log.info(
        "record resolved: %s (person %s, p=%.4f, model v%s, %d candidates)",
        resolution.outcome.value,
        resolution.person_id,
        resolution.probability,
        active.version,
        len(candidates),
    )
    return resolution


def resolution_queue(
    *, resolution: Resolution, person_id: int
) -> MatchCandidate | None:
    """Queue a review outcome: the pair (the person just created for the record,
    the best match). A pair rejected before is not queued again."""
    from joinedup.people.matching.review import candidate_propose

    if resolution.outcome != Outcome.REVIEW or resolution.person_id is None:
        return None
    active = store.model_active()
    if active is None:
        return None
    return candidate_propose(
        person_a_id=person_id,
        person_b_id=resolution.person_id,
        model=active,
        match_probability=resolution.probability,
        match_weight=resolution.match_weight,
        contributions=resolution.contributions,
    )
