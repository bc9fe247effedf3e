"""Writes of NHS continuing healthcare cases (National Framework 2022; DESIGN 4.3):
referral, Checklist, Decision Support Tool with its MDT, the MDT's
recommendation, the ICB's decision, Fast Track, reviews, and closing a case.
Disputes are in `funding.services.chc.disputes`.

Order is enforced: a Checklist first; a DST only after a positive Checklist; a
recommendation only after the DST; a decision only after the recommendation
(or at once on a Fast Track). Every write opens the person's record through the
access policy (one audit entry) before its transaction, so a refusal leaves its
entry; then all is saved or nothing.

Relationship: the ICB usually has no involvement with a person until someone
refers them. Opening a case therefore creates an open task held by the ICB
organisation (source "referral", ref "chc_case:<id>"), which is the access
policy's legitimate relationship (Via.OPEN_TASK) for the ICB's CHC nurses while
the case is worked. It is completed when the case is closed or decided; an
eligible person's review tasks (source "chc_review") and an open dispute's task
carry the relationship on."""

from joinedup.funding.services.chc.assessment import (
    MdtMemberIn,
    decision_record,
    dst_record,
    fast_track_record,
    recommendation_record,
)
from joinedup.funding.services.chc.common import (
    FAST_TRACK_PROFESSIONS,
    FIRST_REVIEW_MONTHS,
    REVIEW_INTERVAL_DAYS,
    TEXT_MAX,
    add_months,
    case_get_for_write,
    is_icb_assessor,
    mdt_composition_check,
    outcome_share,
)
from joinedup.funding.services.chc.referral import (
    breach_reason_record,
    chc_case_close,
    chc_case_open,
    checklist_record,
)
from joinedup.funding.services.chc.reviews import (
    review_record,
    review_schedule,
)

__all__ = [
    "FAST_TRACK_PROFESSIONS",
    "FIRST_REVIEW_MONTHS",
    "REVIEW_INTERVAL_DAYS",
    "TEXT_MAX",
    "MdtMemberIn",
    "add_months",
    "breach_reason_record",
    "case_get_for_write",
    "chc_case_close",
    "chc_case_open",
    "checklist_record",
    "decision_record",
    "dst_record",
    "fast_track_record",
    "is_icb_assessor",
    "mdt_composition_check",
    "outcome_share",
    "recommendation_record",
    "review_record",
    "review_schedule",
]
