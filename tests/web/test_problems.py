"""Every form reads dates the same way and names the field when it cannot."""

from __future__ import annotations

import datetime as dt

import pytest

from joinedup.errors import InvalidInput
from joinedup.web.problems import form_date


@pytest.mark.parametrize(
    "typed", ["15/3/2026", "15/03/2026", "2026-03-15", " 15/3/2026 "]
)
def test_a_date_typed_either_way_is_read(typed):
    assert form_date(typed, "due_on") == dt.date(2026, 3, 15)


@pytest.mark.parametrize("typed", ["31/2/2026", "tomorrow", "2026-13-01", "15.3.2026"])
def test_a_date_that_is_not_real_names_the_field(typed):
    with pytest.raises(InvalidInput) as error:
        form_date(typed, "due_on")
    assert error.value.fields == {"due_on": "enter a real date, for example 15/3/2026"}


def test_an_empty_date_is_refused_only_when_required():
    assert form_date("", "review_on", required=False) is None
    assert form_date(None, "review_on", required=False) is None
    with pytest.raises(InvalidInput) as error:
        form_date("  ", "review_on")
    assert error.value.fields == {"review_on": "enter a date"}
