"""The person index's ingest follow-up step (registered in apps.py): identity
matching looks again at the people whose identifying details an ingest changed
(a new name, date of birth, postcode or NHS number), so a record that now
resembles another person's is put to a human. Matching never merges existing
people on its own: a pair at or above the upper threshold is queued for review
like an uncertain one. New people were matched when they arrived (the identity
step of `SourceRecordBatch`). With no stored matching model nothing is done."""

from __future__ import annotations

import dataclasses

from joinedup.people.matching import resolve
from joinedup.people.matching.outcomes import Outcome
from joinedup.people.models import Person
from joinedup.people.services.batch import person_record_staged
from joinedup.record.followup import Touched


def matching_follow(touched: Touched) -> None:
    if not touched.people_changed:
        return
    loaded = resolve.model_loaded()
    if loaded is None:
        return
    people = Person.objects.filter(
        pk__in=sorted(touched.people_changed), merged_into__isnull=True
    )
    for person in people:
        # "person:<pk>": the person itself is not a candidate.
        resolution = resolve.person_resolve(
            record=person_record_staged(person), verified_step=False, loaded=loaded
        )
        if resolution.outcome == Outcome.LINK and resolution.person_id:
            resolve.resolution_queue(
                resolution=dataclasses.replace(resolution, outcome=Outcome.REVIEW),
                person_id=person.pk,
            )
