"""NHS continuing healthcare pages for the CHC nurse assessor (and the referrer):
the dashboard with the 28-day clock, a person's CHC page, and one form page per
step (Checklist, DST, recommendation, decision, Fast Track, disputes). Thin:
parse, call services and selectors, render. No JavaScript needed."""

from joinedup.funding.views.chc.disputes import dispute, dispute_new, review
from joinedup.funding.views.chc.pages import dashboard, fast_track, person, refer
from joinedup.funding.views.chc.steps import (
    checklist,
    close,
    decision,
    dst,
    recommendation,
)

__all__ = [
    "checklist",
    "close",
    "dashboard",
    "decision",
    "dispute",
    "dispute_new",
    "dst",
    "fast_track",
    "person",
    "recommendation",
    "refer",
    "review",
]
