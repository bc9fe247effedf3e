"""Reviews of eligibility: 3 months after, then at least yearly, as tasks for
the ICB."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from joinedup.coordination.models import (
    Task,
    TaskSource,
)
from joinedup.coordination.services import task_create
from joinedup.errors import Conflict, NotFound
from joinedup.funding.models.chc import (
    ChcCase,
    ChcReview,
)
from joinedup.funding.services.chc.common import (
    REVIEW_INTERVAL_DAYS,
    TEXT_MAX,
    case_get_for_write,
    errors_raise,
    not_future,
    task_finish,
)
from joinedup.governance.access import Actor

# --- reviews ------------------------------------------------------------------


def _review_task(actor: Actor, case: ChcCase, due_on: dt.date) -> Task:
    return task_create(
        actor=actor,
        person_id=case.person_id,
        title="NHS continuing healthcare review",
        source=TaskSource.CHC_REVIEW,
        source_ref=f"chc_case:{case.pk}",
        assignee_organisation_id=case.icb_id,
        due_on=max(due_on, timezone.localdate()),
        check_access=False,
    )


def review_schedule(*, actor: Actor, case: ChcCase, due_on: dt.date) -> ChcReview:
    """A review as a task for the ICB (inside the caller's transaction)."""
    review = ChcReview.objects.create(case=case, due_on=due_on)
    review.task = _review_task(actor, case, due_on)
    review.save(update_fields=["task"])
    return review


def review_record(
    *,
    actor: Actor,
    review_id: int,
    reviewed_on: dt.date | None,
    eligibility_continues: bool | None,
    notes: str = "",
) -> ChcReview:
    """Record a review; while eligibility continues the next is due within a
    year. When it does not, the review says so and a new assessment is needed."""
    review = ChcReview.objects.select_related("case").filter(pk=review_id).first()
    if review is None:
        raise NotFound(
            f"review: there is no CHC review with id {review_id}",
            fields={"review": "no such review"},
        )
    case_get_for_write(actor, review.case_id, "chc_review_record", icb_only=True)
    errors: dict[str, str] = {}
    not_future(errors, "reviewed_on", reviewed_on)
    if eligibility_continues is None:
        errors["eligibility_continues"] = "choose whether eligibility continues"
    notes = (notes or "").strip()
    if len(notes) > TEXT_MAX:
        errors["notes"] = f"use {TEXT_MAX} characters or fewer"
    errors_raise(errors)
    assert reviewed_on is not None  # noqa: S101
    with transaction.atomic():
        review = ChcReview.objects.select_for_update().get(pk=review_id)
        if review.reviewed_on is not None:
            raise Conflict(
                "This review is already recorded.", fields={"review": "done"}
            )
        review.reviewed_on = reviewed_on
        review.eligibility_continues = eligibility_continues
        review.notes = notes
        review.reviewed_by_id = actor.user_id
        review.save(
            update_fields=[
                "reviewed_on",
                "eligibility_continues",
                "notes",
                "reviewed_by",
            ]
        )
        task_finish(
            review.task_id,
            actor=actor,
            outcome="eligibility continues"
            if eligibility_continues
            else "eligibility to be reassessed",
        )
        if eligibility_continues:
            review_schedule(
                actor=actor,
                case=review.case,
                due_on=reviewed_on + dt.timedelta(days=REVIEW_INTERVAL_DAYS),
            )
        return review
