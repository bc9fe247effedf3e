"""Hospital discharge rules (DESIGN 4.2) as plain data and pure functions."""

from __future__ import annotations

import datetime as dt

from joinedup.errors import InvalidInput

# DESIGN 4.2: Discharge to Assess pathways.
PATHWAYS = {
    "0": "Pathway 0: home, no new support",
    "1": "Pathway 1: home with new or restarted support",
    "2": "Pathway 2: short-term 24-hour bed-based recovery, then home",
    "3": "Pathway 3: long-term 24-hour bed-based care",
}

# DESIGN 4.2: England DToC reason letters.
REASONS = {
    "A": "Awaiting completion of assessment",
    "B": "Awaiting public funding",
    "C": "Awaiting further non-acute NHS care",
    "DI": "Awaiting residential home",
    "DII": "Awaiting nursing home",
    "E": "Awaiting care package in own home",
    "F": "Awaiting community equipment or adaptations",
    "G": "Patient or family choice",
    "H": "Disputes",
    "I": "Housing",
    "O": "Other",
}

# DESIGN 4.2: responsible agency.
AGENCIES = {"NHS": "NHS", "social_care": "Social care", "both": "Both"}

# DESIGN 4.2: C (awaiting further non-acute NHS care) is always NHS.
FIXED_AGENCY = {"C": "NHS"}

# DESIGN 4.2: sitrep length-of-delay buckets, in days.
DELAY_BUCKETS: tuple[tuple[str, int, int | None], ...] = (
    ("1-6", 1, 6),
    ("7-13", 7, 13),
    ("14-20", 14, 20),
    ("21+", 21, None),
)


def reason_validate(reason: str, agency: str) -> tuple[str, str]:
    """The (reason, agency) of a delay, checked: a known reason letter, an agency
    given and known, and C only with NHS. Raises InvalidInput naming the field."""
    reason = (reason or "").strip().upper()
    if not reason:
        raise InvalidInput.for_field("reason", "choose the reason for the delay")
    if reason not in REASONS:
        raise InvalidInput.for_field(
            "reason", f"unknown reason {reason[:10]!r}; one of: " + ", ".join(REASONS)
        )
    agency = (agency or "").strip()
    if not agency:
        raise InvalidInput.for_field("agency", "choose the responsible agency")
    if agency not in AGENCIES:
        raise InvalidInput.for_field(
            "agency", f"unknown agency {agency[:20]!r}; one of: " + ", ".join(AGENCIES)
        )
    fixed = FIXED_AGENCY.get(reason)
    if fixed and agency != fixed:
        raise InvalidInput.for_field(
            "agency", f"reason {reason} is always the responsibility of the {fixed}"
        )
    return reason, agency


def pathway_validate(pathway: str) -> str:
    pathway = (pathway or "").strip()
    if pathway not in PATHWAYS:
        raise InvalidInput.for_field("pathway", "choose pathway 0, 1, 2 or 3")
    return pathway


def ready_date_validate(
    ready_on: dt.date, *, admitted_on: dt.date, today: dt.date
) -> dt.date:
    """A ready-for-discharge date is on or after admission and not in the future."""
    if ready_on < admitted_on:
        raise InvalidInput.for_field(
            "ready_on", "the ready-for-discharge date must be on or after admission"
        )
    if ready_on > today:
        raise InvalidInput.for_field(
            "ready_on", "the ready-for-discharge date cannot be in the future"
        )
    return ready_on


def delayed_days(
    ready_on: dt.date | None, *, left_on: dt.date | None, today: dt.date
) -> int:
    """Days delayed (DESIGN 4.2): counted from the day after the person is recorded
    ready for discharge until they leave (the day they leave counts), or until
    today while they are still in hospital. Zero when not ready."""
    if ready_on is None:
        return 0
    end = left_on if left_on is not None else today
    return max(0, (end - ready_on).days)


def is_delayed_on(
    day: dt.date, *, ready_on: dt.date | None, left_on: dt.date | None
) -> bool:
    """Whether `day` is one of the person's delayed days (DESIGN 4.2)."""
    if ready_on is None or day <= ready_on:
        return False
    return left_on is None or day <= left_on


def delay_bucket(days: int) -> str:
    """The sitrep length-of-delay bucket for a delay of `days` days; "" for 0."""
    for label, low, high in DELAY_BUCKETS:
        if days >= low and (high is None or days <= high):
            return label
    return ""


def length_of_stay(
    admitted_on: dt.date, *, left_on: dt.date | None, today: dt.date
) -> int:
    """Whole days since admission (0 on the day of admission)."""
    end = left_on if left_on is not None else today
    return max(0, (end - admitted_on).days)


# Issue 6 "Hand-offs": a delay that waits on social care becomes a task for the
# council (its brokerage team where it has one). The reasons, by DESIGN 4.2 letter,
# whose next step is the council's when the responsible agency is social care or
# both; the task title says what the council is asked to do.
SOCIAL_CARE_HANDOFFS = {
    "A": "Complete the social care assessment for discharge",
    "B": "Decide the public funding for discharge",
    "DI": "Find a residential home place for discharge",
    "DII": "Find a nursing home place for discharge",
    "E": "Arrange a package of care at home for discharge",
    "F": "Arrange community equipment or adaptations for discharge",
}
HANDOFF_AGENCIES = ("social_care", "both")


def handoff_title(reason: str, agency: str) -> str:
    """The title of the task the council is given for a delay with this reason
    and agency, or "" when the delay is not the council's to act on."""
    if agency not in HANDOFF_AGENCIES:
        return ""
    return SOCIAL_CARE_HANDOFFS.get(reason, "")
