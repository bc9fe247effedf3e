import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup.errors import InvalidInput
from joinedup.people.search import search_query_parse

TODAY = dt.date(2026, 11, 27)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("943 476 5919", {"nhs_number": "9434765919"}),
        ("943-476-5919", {"nhs_number": "9434765919"}),
        ("Smith", {"family": "SMITH"}),
        ("john smith", {"given": "JOHN", "family": "SMITH"}),
        ("Smith, John", {"given": "JOHN", "family": "SMITH"}),
        ("O'Brien", {"family": "OBRIEN"}),
        ("03/02/1941", {"birth_date": dt.date(1941, 2, 3)}),
        ("1941-02-03", {"birth_date": dt.date(1941, 2, 3)}),
        ("Smith 3/2/1941", {"family": "SMITH", "birth_date": dt.date(1941, 2, 3)}),
    ],
)
def test_search_understands_what_professionals_type(text, expected):
    query = search_query_parse(text, today=TODAY)
    for key, value in expected.items():
        assert getattr(query, key) == value


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "enter an NHS number, a name or a date of birth"),
        ("943 476 5918", "the check digit does not match"),
        ("12345678901", "must be 10 digits; got 11"),
        ("31/02/1950", "is not a real date"),
        ("01/01/2030", "must be in the past"),
        ("S", "at least two letters"),
        ("Sm1th", "neither a name nor a date"),
        ("x" * 101, "100 characters or fewer"),
    ],
)
def test_bad_searches_say_what_is_wrong(text, message):
    with pytest.raises(InvalidInput) as caught:
        search_query_parse(text, today=TODAY)
    assert message in caught.value.detail
    assert "query" in caught.value.fields


@given(st.text(max_size=120))
def test_any_text_parses_or_gives_a_field_error(text):
    try:
        search_query_parse(text, today=TODAY)
    except InvalidInput as exc:
        assert exc.fields
