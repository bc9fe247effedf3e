"""The statutory rules, on dates checked by hand against GOV.UK's published bank
holidays for England and Wales and the Working Together 2023 timescales."""

import datetime as dt

import pytest

from joinedup.safeguarding import rules

D = dt.date


@pytest.mark.parametrize(
    ("year", "expected"),
    [
        # GOV.UK "UK bank holidays", England and Wales.
        (2023, [D(2023, 1, 2), D(2023, 4, 7), D(2023, 4, 10), D(2023, 5, 1),
                D(2023, 5, 8), D(2023, 5, 29), D(2023, 8, 28), D(2023, 12, 25),
                D(2023, 12, 26)]),
        (2024, [D(2024, 1, 1), D(2024, 3, 29), D(2024, 4, 1), D(2024, 5, 6),
                D(2024, 5, 27), D(2024, 8, 26), D(2024, 12, 25), D(2024, 12, 26)]),
        (2025, [D(2025, 1, 1), D(2025, 4, 18), D(2025, 4, 21), D(2025, 5, 5),
                D(2025, 5, 26), D(2025, 8, 25), D(2025, 12, 25), D(2025, 12, 26)]),
        (2026, [D(2026, 1, 1), D(2026, 4, 3), D(2026, 4, 6), D(2026, 5, 4),
                D(2026, 5, 25), D(2026, 8, 31), D(2026, 12, 25), D(2026, 12, 28)]),
        (2022, [D(2022, 1, 3), D(2022, 4, 15), D(2022, 4, 18), D(2022, 5, 2),
                D(2022, 6, 2), D(2022, 6, 3), D(2022, 8, 29), D(2022, 9, 19),
                D(2022, 12, 26), D(2022, 12, 27)]),
    ],
)  # fmt: skip
def test_bank_holidays_match_the_published_list(year, expected):
    assert sorted(rules.bank_holidays(year)) == expected


def test_referral_decision_is_due_the_next_working_day():
    assert rules.referral_decision_due(D(2026, 1, 14)) == D(2026, 1, 15)  # Wed->Thu
    assert rules.referral_decision_due(D(2026, 1, 16)) == D(2026, 1, 19)  # Fri->Mon
    # Maundy Thursday 2026: Good Friday and Easter Monday are not working days.
    assert rules.referral_decision_due(D(2026, 4, 2)) == D(2026, 4, 7)


def test_initial_conference_within_15_working_days_of_the_strategy_discussion():
    # Strategy discussion Monday 13 April 2026: 15 working days is Monday 4 May,
    # but 4 May is the early May bank holiday, so Tuesday 5 May.
    assert rules.icpc_due(D(2026, 4, 13)) == D(2026, 5, 5)
    assert rules.icpc_date_check(D(2026, 4, 13), D(2026, 5, 5), "") is None
    late = rules.icpc_date_check(D(2026, 4, 13), D(2026, 5, 6), "")
    assert late is not None and "15 working day" in late
    assert rules.icpc_date_check(D(2026, 4, 13), D(2026, 5, 6), "Police") is None
    assert rules.icpc_date_check(D(2026, 4, 13), D(2026, 4, 10), "x") is not None


def test_review_conference_three_months_then_six():
    assert rules.review_conference_due(D(2026, 1, 31), None) == D(2026, 4, 30)
    assert rules.review_conference_due(D(2026, 1, 31), D(2026, 4, 28)) == D(
        2026, 10, 28
    )


def test_working_days_between():
    assert rules.working_days_between(D(2026, 12, 24), D(2026, 12, 29)) == 1


def test_three_part_test_and_decision():
    met = rules.ThreePartTest(True, True, True)
    not_met = rules.ThreePartTest(True, True, False)
    assert met.met and not not_met.met
    assert rules.adult_decision_check(met, "s42_enquiry") is None
    assert "must make" in rules.adult_decision_check(met, "other_action")
    assert "all three" in rules.adult_decision_check(not_met, "s42_enquiry")
    assert rules.adult_decision_check(not_met, "other_enquiry") is None
    assert len(rules.ABUSE_CATEGORIES) == 10


def test_clock_states():
    clock = rules.Clock("icpc", D(2026, 5, 5), None)
    assert clock.state(D(2026, 5, 4)) == "running"
    assert clock.state(D(2026, 5, 5)) == "due_today"
    assert clock.state(D(2026, 5, 6)) == "breached"
    assert rules.Clock("icpc", D(2026, 5, 5), D(2026, 5, 7)).state(D(2026, 6, 1)) == (
        "met_late"
    )


def test_sharing_without_consent_needs_a_lawful_basis():
    assert rules.sharing_check("given", "") is None
    assert rules.sharing_check("refused", "")[0] == "lawful_basis"
    assert rules.sharing_check("refused", "vital_interests") is None
    assert rules.sharing_check("maybe", "")[0] == "consent"


def test_content_visible_only_to_those_working_the_case():
    base = dict(
        record_allowed=True,
        is_member=False,
        owns_case=False,
        is_safeguarding_lead=False,
        lead_organisation_involved=False,
    )
    assert not rules.content_visible(**base)
    assert rules.content_visible(**{**base, "is_member": True})
    assert rules.content_visible(**{**base, "owns_case": True})
    assert rules.content_visible(
        **{**base, "is_safeguarding_lead": True, "lead_organisation_involved": True}
    )
    assert not rules.content_visible(
        **{**base, "record_allowed": False, "is_member": True}
    )
