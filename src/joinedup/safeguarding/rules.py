"""The statutory rules of safeguarding work, as pure functions (no database).

Sources, cited by name where each rule is used:
- Care Act 2014 s42 and the Care and Support Statutory Guidance, chapter 14
  (the three-part test, the ten categories of abuse and neglect, Making
  Safeguarding Personal).
- Children Act 1989 s47 and Working Together to Safeguard Children 2023
  (WT 2023): decision on a referral within one working day (para 145-146 and
  "Assessment"); the initial child protection conference within 15 working days
  of the strategy discussion at which s47 enquiries were started; the first
  review conference within three months of the initial conference, later ones
  at intervals of not more than six months; plan categories.
- Bank holidays in England and Wales (Banking and Financial Dealings Act 1971,
  Schedule 1, and the royal proclamations published on GOV.UK "UK bank
  holidays"), for working-day clocks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache

# --- Adults: Care Act 2014 s42 ------------------------------------------------

# Care and Support Statutory Guidance 14.17: the ten categories of abuse and
# neglect (keys are stable: API and data).
ABUSE_CATEGORIES: dict[str, str] = {
    "physical": "Physical abuse",
    "domestic": "Domestic abuse",
    "sexual": "Sexual abuse",
    "psychological": "Psychological abuse",
    "financial_material": "Financial or material abuse",
    "modern_slavery": "Modern slavery",
    "discriminatory": "Discriminatory abuse",
    "organisational": "Organisational abuse",
    "neglect_omission": "Neglect and acts of omission",
    "self_neglect": "Self-neglect",
}


@dataclass(frozen=True)
class ThreePartTest:
    """Care Act 2014 s42(1): the local authority must make (or cause) enquiries
    when an adult (a) has needs for care and support, (b) is experiencing, or at
    risk of, abuse or neglect, and (c) as a result of those needs is unable to
    protect themselves against it or the risk of it."""

    care_and_support_needs: bool
    experiencing_or_at_risk: bool
    unable_to_protect_self: bool

    @property
    def met(self) -> bool:
        return (
            self.care_and_support_needs
            and self.experiencing_or_at_risk
            and self.unable_to_protect_self
        )


# Decisions on an adult concern (Care and Support Statutory Guidance 14.92-14.94:
# an enquiry under s42 where the duty applies; otherwise other action, which may
# include a non-statutory enquiry where the council chooses to make one).
DECISION_S42 = "s42_enquiry"
DECISION_OTHER_ENQUIRY = "other_enquiry"
DECISION_OTHER_ACTION = "other_action"
DECISION_NO_FURTHER_ACTION = "no_further_action"
ADULT_DECISIONS = {
    DECISION_S42: "Section 42 enquiry",
    DECISION_OTHER_ENQUIRY: "Other (non-statutory) safeguarding enquiry",
    DECISION_OTHER_ACTION: "Other action (advice, signposting, referral)",
    DECISION_NO_FURTHER_ACTION: "No further safeguarding action",
}

# Outcome of an enquiry for the risk (the Safeguarding Adults Collection).
RISK_OUTCOMES = {
    "removed": "Risk removed",
    "reduced": "Risk reduced",
    "remains": "Risk remains",
}
# Making Safeguarding Personal: were the person's desired outcomes met?
DESIRED_OUTCOMES_MET = {
    "fully": "Fully achieved",
    "partially": "Partially achieved",
    "not": "Not achieved",
    "not_expressed": "The person did not express desired outcomes",
}


def adult_decision_check(test: ThreePartTest, decision: str) -> str | None:
    """What is wrong with a decision given the three-part test, or None: a s42
    enquiry needs all three parts met (s42(1)); when all three are met the duty
    applies, so the decision must be a s42 enquiry."""
    if decision not in ADULT_DECISIONS:
        return f"choose one of: {', '.join(ADULT_DECISIONS)}"
    if decision == DECISION_S42 and not test.met:
        return "a section 42 enquiry needs all three parts of the test met"
    if test.met and decision != DECISION_S42:
        return (
            "all three parts of the test are met, so the council must make a "
            "section 42 enquiry"
        )
    return None


# --- Children: Working Together to Safeguard Children 2023 ---------------------

# WT 2023 categories of a child protection plan.
PLAN_CATEGORIES = {
    "neglect": "Neglect",
    "physical": "Physical abuse",
    "sexual": "Sexual abuse",
    "emotional": "Emotional abuse",
}
REFERRAL_DECISIONS = {
    "no_further_action": "No further action",
    "early_help": "Early help",
    "child_in_need_assessment": "Assessment (child in need, s17)",
    "strategy_discussion": "Strategy discussion (possible s47)",
}
S47_OUTCOMES = {
    "concerns_substantiated": "Concerns substantiated: initial conference",
    "concerns_not_substantiated": "Concerns not substantiated",
}
PLAN_END_REASONS = {
    "no_longer_at_risk": "No longer at continuing risk of significant harm",
    "moved_area": "Moved to another local authority",
    "reached_18": "Reached 18",
    "looked_after": "Became looked after (care plan instead)",
    "died": "Died",
}

REFERRAL_DECISION_WORKING_DAYS = 1  # WT 2023: within one working day
ICPC_WORKING_DAYS = 15  # WT 2023: within 15 working days of the strategy discussion
FIRST_REVIEW_MONTHS = 3  # WT 2023: first review within three months of the ICPC
LATER_REVIEW_MONTHS = 6  # WT 2023: then at intervals of not more than six months


def _easter(year: int) -> dt.date:
    """Easter Sunday (the anonymous Gregorian algorithm, Meeus/Jones/Butcher)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = b // 4, b % 4
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = c // 4, c % 4
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month = (h + ell - 7 * m + 114) // 31
    day = (h + ell - 7 * m + 114) % 31 + 1
    return dt.date(year, month, day)


def _monday_on_or_after(day: dt.date) -> dt.date:
    return day + dt.timedelta(days=(7 - day.weekday()) % 7)


def _last_monday(year: int, month: int) -> dt.date:
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    last = nxt - dt.timedelta(days=1)
    return last - dt.timedelta(days=last.weekday())


# Royal proclamations that moved or added bank holidays (GOV.UK): the early May
# holiday moved to VE Day 2020, the spring holiday moved and the Platinum
# Jubilee added in 2022, the State Funeral of Queen Elizabeth II in 2022, and
# the Coronation of King Charles III in 2023.
_MOVED = {
    (2020, "early_may"): dt.date(2020, 5, 8),
    (2022, "spring"): dt.date(2022, 6, 2),
}
_ADDED = {
    dt.date(2022, 6, 3),
    dt.date(2022, 9, 19),
    dt.date(2023, 5, 8),
}


@cache
def bank_holidays(year: int) -> frozenset[dt.date]:
    """The bank holidays of England and Wales in a year: New Year's Day, Good
    Friday, Easter Monday, the early May and spring holidays (first and last
    Monday of May), the summer holiday (last Monday of August), Christmas Day
    and Boxing Day, with substitute weekdays when they fall at a weekend, and the
    proclaimed changes."""
    days: set[dt.date] = set()
    new_year = dt.date(year, 1, 1)
    days.add(_monday_on_or_after(new_year) if new_year.weekday() >= 5 else new_year)
    easter = _easter(year)
    days.add(easter - dt.timedelta(days=2))
    days.add(easter + dt.timedelta(days=1))
    days.add(_MOVED.get((year, "early_may"), _monday_on_or_after(dt.date(year, 5, 1))))
    days.add(_MOVED.get((year, "spring"), _last_monday(year, 5)))
    days.add(_last_monday(year, 8))
    christmas, boxing = dt.date(year, 12, 25), dt.date(year, 12, 26)
    if christmas.weekday() == 5:  # Saturday: Monday and Tuesday instead
        days |= {dt.date(year, 12, 27), dt.date(year, 12, 28)}
    elif christmas.weekday() == 6:  # Sunday: Boxing Day Monday, Tuesday for it
        days |= {boxing, dt.date(year, 12, 27)}
    elif boxing.weekday() == 5:  # Friday Christmas: Boxing Day on the Monday
        days |= {christmas, dt.date(year, 12, 28)}
    else:
        days |= {christmas, boxing}
    days |= {d for d in _ADDED if d.year == year}
    return frozenset(days)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def working_days_add(start: dt.date, days: int) -> dt.date:
    """The date `days` working days after `start` (the start day itself is day
    0, whether or not it is a working day)."""
    if days < 0:
        raise ValueError("days must be 0 or more")
    day = start
    left = days
    while left:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            left -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days after `start` up to and including `end` (0 when end <= start)."""
    count = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if is_working_day(day):
            count += 1
    return count


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day when it has no such day)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    nxt = dt.date(year + (month == 12), month % 12 + 1, 1)
    return dt.date(year, month, min(day.day, (nxt - dt.timedelta(days=1)).day))


def referral_decision_due(received_on: dt.date) -> dt.date:
    """WT 2023: a decision on the response within one working day of receipt."""
    return working_days_add(received_on, REFERRAL_DECISION_WORKING_DAYS)


def icpc_due(strategy_discussion_on: dt.date) -> dt.date:
    """WT 2023: the initial child protection conference within 15 working days of
    the strategy discussion at which s47 enquiries were started."""
    return working_days_add(strategy_discussion_on, ICPC_WORKING_DAYS)


def icpc_date_check(
    strategy_discussion_on: dt.date, conference_on: dt.date, late_reason: str
) -> str | None:
    """What is wrong with an initial conference date, or None: not before the
    strategy discussion; after the 15-working-day limit only with a reason."""
    if conference_on < strategy_discussion_on:
        return "cannot be before the strategy discussion"
    due = icpc_due(strategy_discussion_on)
    if conference_on > due and not late_reason.strip():
        return (
            f"is after the 15 working day limit ({due:%d %B %Y}): "
            "give the reason in late_reason"
        )
    return None


def review_conference_due(
    initial_on: dt.date, last_review_on: dt.date | None
) -> dt.date:
    """WT 2023: the first review within three months of the initial conference,
    then at intervals of not more than six months."""
    if last_review_on is None:
        return add_months(initial_on, FIRST_REVIEW_MONTHS)
    return add_months(last_review_on, LATER_REVIEW_MONTHS)


# --- Clocks --------------------------------------------------------------------


@dataclass(frozen=True)
class Clock:
    """One statutory timescale of one case."""

    name: str
    due_on: dt.date
    met_on: dt.date | None

    def state(self, today: dt.date) -> str:
        """ "met", "met_late", "running", "due_today" or "breached"."""
        if self.met_on is not None:
            return "met" if self.met_on <= self.due_on else "met_late"
        if today > self.due_on:
            return "breached"
        return "due_today" if today == self.due_on else "running"

    def breached(self, today: dt.date) -> bool:
        return self.state(today) in ("breached", "met_late")


CLOCK_NAMES = {
    "referral_decision": "Decision on a referral (1 working day)",
    "icpc": "Initial child protection conference (15 working days)",
    "review_conference": "Review conference (3 months, then 6 months)",
}


# --- Health visiting: the five mandated reviews ---------------------------------

# Healthy Child Programme (Office for Health Improvement and Disparities): the
# five mandated health visitor reviews, with the age window each is due in
# (days from birth; the antenatal contact is from 28 weeks of pregnancy).
HV_REVIEWS: dict[str, tuple[str, int | None, int | None]] = {
    "antenatal": ("Antenatal contact (from 28 weeks of pregnancy)", None, 0),
    "new_birth": ("New birth visit (10 to 14 days)", 10, 14),
    "six_to_eight_weeks": ("6 to 8 week review", 42, 56),
    "one_year": ("1 year review (9 to 12 months)", 274, 365),
    "two_to_two_and_a_half": ("2 to 2 and a half year review", 730, 913),
}


def hv_review_due(review: str, birth_date: dt.date) -> tuple[dt.date | None, dt.date]:
    """The (from, by) dates of a mandated review for a child born on birth_date."""
    _, start, end = HV_REVIEWS[review]
    first = None if start is None else birth_date + dt.timedelta(days=start)
    return first, birth_date + dt.timedelta(days=end or 0)


# --- Information sharing -------------------------------------------------------

# Sharing without consent for safeguarding: the lawful bases (UK GDPR Art 6(1)
# and Art 9(2)(g) with the Data Protection Act 2018 Schedule 1 para 18,
# "safeguarding of children and of individuals at risk").
LAWFUL_BASES = {
    "safeguarding_individuals_at_risk": (
        "Safeguarding of children and individuals at risk (DPA 2018 Sch 1 para 18)"
    ),
    "legal_obligation": "Legal obligation (Care Act s42 / Children Act s47 enquiry)",
    "vital_interests": "Vital interests (risk to life)",
    "public_task": "Public task (statutory safeguarding duty)",
    "prevention_of_crime": "Prevention or detection of crime (DPA 2018 Sch 1 para 10)",
}
CONSENT_STATES = {
    "given": "Consent given",
    "refused": "Consent refused",
    "not_sought": "Not sought (it would increase the risk)",
    "lacks_capacity": "Lacks capacity to consent (best interests)",
}


def sharing_check(consent: str, lawful_basis: str) -> tuple[str, str] | None:
    """(field, problem) when sharing is not lawful as recorded, or None: sharing
    without consent needs a recorded lawful basis."""
    if consent not in CONSENT_STATES:
        return "consent", f"choose one of: {', '.join(CONSENT_STATES)}"
    if consent != "given" and lawful_basis not in LAWFUL_BASES:
        return (
            "lawful_basis",
            "sharing without consent needs a lawful basis: " + ", ".join(LAWFUL_BASES),
        )
    return None


# --- Who sees the content of a safeguarding case --------------------------------


def content_visible(
    *,
    record_allowed: bool,
    is_member: bool,
    owns_case: bool,
    is_safeguarding_lead: bool,
    lead_organisation_involved: bool,
) -> bool:
    """DESIGN 4.7 and the issue's information sharing: sealed by default. The
    content is for the people working the case (enquiry officer, strategy and
    conference members, core group, team around the family), the organisation
    that holds the case, and the safeguarding leads of organisations involved;
    everyone else with a relationship sees that it exists and whom to contact."""
    if not record_allowed:
        return False
    if is_member or owns_case:
        return True
    return is_safeguarding_lead and lead_organisation_involved
