"""Incremental matching on arrival (issue 5): one new source record against the
existing person index, without a full re-run.

1. A verified NHS number links deterministically (DESIGN 2 "Identity").
2. Otherwise the index is searched for candidate people with the blocking idea
   of the batch pipeline (settings.PREDICTION_BLOCKING_RULES) as indexed
   database queries, and only those candidates are scored with the stored,
   versioned model's m and u in plain Python (score.Scorer: the same levels and
   weights as Splink, checked against it in tests), loaded once per process and
   model version.
3. At or above the upper threshold: link to the best person; between the
   thresholds: the caller creates a new person and queues the pair for review
   (`resolution_queue`); below the lower threshold: a new person.

System activity: nothing here is shown to a user, and nothing is logged about the
person but ids and scores.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass, field
from typing import Any

from django.db.models import Count, Q

from joinedup.people.matching import store
from joinedup.people.matching.engine import ScoredPair
from joinedup.people.matching.index import person_record
from joinedup.people.matching.outcomes import Outcome
from joinedup.people.matching.pipeline import SPLINK_RULE
from joinedup.people.matching.prepare import MatchRecord, row_build
from joinedup.people.matching.score import Scorer
from joinedup.people.models import (
    Address,
    MatchCandidate,
    MatchingModel,
    NhsNumberStatus,
    Person,
    normalise_name,
)

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
    """The blocking rules as one filter on Person, each arm on an index: same NHS
    number; same date of birth, or with day and month transposed; same family and
    given name, or swapped; same postcode and family-name initial or given name;
    same family name, year of birth and given-name initial. (The batch rules'
    "given name and year"
    and "former postcode" arms have no index to use; the date of birth and name
    arms find those people in practice, see docs/matching.md.)"""
    given = normalise_name(record.given_name)
    family = normalise_name(record.family_name)
    q = Q(pk__in=[])
    if record.nhs_number:
        q |= Q(nhs_number=record.nhs_number)
    if record.birth_date:
        born = record.birth_date
        q |= Q(birth_date=born)
        if born.day <= 12 and born.day != born.month:
            q |= Q(birth_date=born.replace(month=born.day, day=born.month))
        if family:
            # with the given name's initial, as the batch rule: a common family
            # name and a year alone fill the candidate cap at 1,000,000 people
            # and push the true person out of it
            same_year = Q(
                family_name_norm=family,
                birth_date__gte=born.replace(month=1, day=1),
                birth_date__lte=born.replace(month=12, day=31),
            )
            if given:
                same_year &= Q(given_name_norm__startswith=given[0])
            q |= same_year
    if given and family:
        q |= Q(family_name_norm=family, given_name_norm=given)
        q |= Q(family_name_norm=given, given_name_norm=family)
    postcodes = sorted({p for p in (record.postcode, *record.postcodes) if p})
    if postcodes and (given or family):
        alike = Q(pk__in=[])
        if family:
            alike |= Q(family_name_norm__startswith=family[0])
        if given:
            alike |= Q(given_name_norm=given)
        q |= Q(postcode__in=postcodes) & alike
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
    found = list(
        people.order_by("pk").only(
            "pk", "given_name", "family_name", "birth_date", "sex", "postcode",
            "nhs_number", "nhs_number_status",
        )[:CANDIDATES_MAX]
    )  # fmt: skip
    history: dict[int, list[str]] = {}
    if found:
        for person_id, postcode in Address.objects.filter(
            person_id__in=[p.pk for p in found]
        ).values_list("person_id", "postcode"):
            if postcode:
                history.setdefault(person_id, []).append(postcode)
    return [person_record(p, tuple(history.get(p.pk, ()))) for p in found]


# How long the index's family-name frequencies are kept before they are counted
# again (a long-running MLLP listener sees the index grow).
TF_MAX_AGE_SECONDS = 600.0


@dataclass
class Loaded:
    model: MatchingModel
    scorer: Scorer
    tf: dict[str, dict[str, float]]
    tf_at: float


_MODEL_CACHE: dict[tuple[int, str], Loaded] = {}


def _tf_from_index() -> dict[str, dict[str, float]]:
    """Family-name term frequencies over the index (Splink's definition: the
    share of people with that name), for the term-frequency adjustment."""
    counts = (
        Person.objects.filter(merged_into__isnull=True)
        .exclude(family_name_norm="")
        .values_list("family_name_norm")
        .annotate(n=Count("pk"))
    )
    table: dict[str, float] = {}
    total = 0
    for name, n in counts:
        table[name] = float(n)
        total += n
    if not total:
        return {}
    for name in table:
        table[name] /= total
    table[""] = 1.0 / total  # a name the index does not have yet: seen once
    return {"family_name": table}


def _loaded() -> Loaded | None:
    """The active model, its scorer and the term frequencies: built once per
    model version and process (the key includes created_at, as ids can be
    reused after a rollback)."""
    active = store.model_active()
    if active is None:
        return None
    key = (active.pk, active.created_at.isoformat())
    loaded = _MODEL_CACHE.get(key)
    now = time.monotonic()
    if loaded is None:
        _MODEL_CACHE.clear()
        loaded = Loaded(active, Scorer(active.settings_json), _tf_from_index(), now)
        _MODEL_CACHE[key] = loaded
    elif now - loaded.tf_at > TF_MAX_AGE_SECONDS:
        loaded.tf, loaded.tf_at = _tf_from_index(), now
    return loaded


def model_loaded() -> Loaded | None:
    """The active model ready to score (None when no model is stored)."""
    return _loaded()


def caches_clear() -> None:
    """Forget the loaded model and term frequencies (tests; a new index)."""
    _MODEL_CACHE.clear()


def _model() -> tuple[MatchingModel | None, dict[str, Any] | None]:
    loaded = _loaded()
    if loaded is None:
        return None, None
    return loaded.model, loaded.model.settings_json


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


def scores_against(
    record: MatchRecord, candidates: list[MatchRecord], *, loaded: Loaded
) -> list[ScoredPair]:
    """The record scored against each candidate with the stored model's m and u
    (score.Scorer: plain Python, the same weights as Splink)."""
    if not candidates:
        return []
    row = row_build(record, source_dataset="left")
    return [
        loaded.scorer.score(row, row_build(c, source_dataset="right"), tf=loaded.tf)
        for c in candidates
        # Two different verified NHS numbers are two people (DESIGN 4.1).
        if not (
            record.nhs_verified
            and c.nhs_verified
            and record.nhs_number
            and c.nhs_number
            and record.nhs_number != c.nhs_number
        )
    ]


def person_resolve(
    *, record: MatchRecord, verified_step: bool = True, loaded: Loaded | None = None
) -> Resolution:
    """Who this arriving record is: a person of the index (link), possibly one
    (review: `person_id` is the best match), or nobody yet (new). With no stored
    model only the NHS-number step runs. If `record.id` is "person:<pk>" (a
    person already created for it), that person is not a candidate and a review
    outcome is queued at once (`candidate_id`). `verified_step=False`: the
    caller has already looked the verified NHS number up (batch ingest);
    `loaded`: the model the caller already holds (`model_loaded()`), to save
    the look-up of the active model."""
    if verified_step:
        found = _verified(record)
        if found is not None:
            return found
    loaded = loaded or _loaded()
    if loaded is None:
        return Resolution(Outcome.NEW, None, 0.0)
    active = loaded.model
    candidates = candidates_find(record)
    scored = scores_against(record, candidates, loaded=loaded)
    if not scored:
        return Resolution(Outcome.NEW, None, 0.0, model_version=active.version)
    best = max(scored, key=lambda s: (s.match_probability, s.right_id))
    thresholds = store.model_thresholds(active)
    resolution = Resolution(
        outcome=thresholds.outcome(best.match_probability),
        person_id=int(best.right_id.split(":", 1)[1]),
        probability=best.match_probability,
        rule=SPLINK_RULE,
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
    log.debug(
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
