import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup.discharge import rules
from joinedup.errors import InvalidInput

D = dt.date(2026, 3, 10)


@pytest.mark.parametrize("reason", list(rules.REASONS))
def test_every_reason_accepts_nhs(reason):
    assert rules.reason_validate(reason, "NHS") == (reason, "NHS")


@pytest.mark.parametrize("agency", ["social_care", "both"])
def test_c_is_always_nhs(agency):
    with pytest.raises(InvalidInput) as exc:
        rules.reason_validate("C", agency)
    assert "agency" in exc.value.fields


@pytest.mark.parametrize(
    ("reason", "agency", "field"),
    [
        ("", "NHS", "reason"),
        ("Z", "NHS", "reason"),
        ("E", "", "agency"),
        ("E", "council", "agency"),
        ("DIII", "NHS", "reason"),
    ],
)
def test_bad_reason_or_agency(reason, agency, field):
    with pytest.raises(InvalidInput) as exc:
        rules.reason_validate(reason, agency)
    assert field in exc.value.fields


def test_reason_is_normalised():
    assert rules.reason_validate(" dii ", "social_care") == ("DII", "social_care")


@pytest.mark.parametrize(
    ("ready", "left", "today", "days"),
    [
        (None, None, D, 0),
        (D, None, D, 0),  # ready today: not delayed yet
        (D, None, D + dt.timedelta(days=1), 1),  # from the day after
        (D, D + dt.timedelta(days=2), D + dt.timedelta(days=30), 2),  # until they leave
        (D, D, D + dt.timedelta(days=5), 0),  # left the day they were ready
    ],
)
def test_delayed_days(ready, left, today, days):
    assert rules.delayed_days(ready, left_on=left, today=today) == days


@given(
    st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 1, 1)),
    st.integers(min_value=0, max_value=400),
)
def test_delayed_days_equals_count_of_delayed_days(ready, stay_on):
    left = ready + dt.timedelta(days=stay_on)
    counted = sum(
        rules.is_delayed_on(ready + dt.timedelta(days=i), ready_on=ready, left_on=left)
        for i in range(stay_on + 2)
    )
    assert counted == rules.delayed_days(ready, left_on=left, today=left) == stay_on


@pytest.mark.parametrize(
    ("days", "bucket"),
    [
        (0, ""),
        (1, "1-6"),
        (6, "1-6"),
        (7, "7-13"),
        (13, "7-13"),
        (14, "14-20"),
        (20, "14-20"),
        (21, "21+"),
        (400, "21+"),
    ],
)
def test_delay_buckets(days, bucket):
    assert rules.delay_bucket(days) == bucket


def test_ready_date_rules():
    with pytest.raises(InvalidInput):
        rules.ready_date_validate(D - dt.timedelta(days=1), admitted_on=D, today=D)
    with pytest.raises(InvalidInput):
        rules.ready_date_validate(D + dt.timedelta(days=1), admitted_on=D, today=D)
    assert rules.ready_date_validate(D, admitted_on=D, today=D) == D


@pytest.mark.parametrize("pathway", ["", "4", "x", "01"])
def test_bad_pathway(pathway):
    with pytest.raises(InvalidInput):
        rules.pathway_validate(pathway)
