"""The prediction blocking rules (settings.PREDICTION_BLOCKING_RULES), evaluated
by DuckDB itself: each kind of true pair the synthetic area has is still a
candidate after the rules were tightened for scale, and a common name alone
no longer is."""

import datetime as dt

import duckdb
import pytest

from joinedup.people.matching.prepare import MatchRecord, row_build
from joinedup.people.matching.settings import PREDICTION_BLOCKING_RULES

COLUMNS = ("nhs_number", "given_name", "family_name", "given_canon", "birth_date",
           "birth_year", "postcode", "identifier", "address_line")  # fmt: skip


def _blocked(a: MatchRecord, b: MatchRecord) -> list[str]:
    """The rules under which the pair is a candidate."""
    con = duckdb.connect()
    for name, record in (("l", a), ("r", b)):
        row = row_build(record)
        values = ", ".join(
            f"CAST(? AS VARCHAR) AS {c}" for c in COLUMNS
        )  # one row, same column names as the engine's
        con.execute(
            f"CREATE TABLE {name} AS SELECT {values}", [row[c] for c in COLUMNS]
        )
    return [
        rule
        for rule in PREDICTION_BLOCKING_RULES
        if con.execute(f"SELECT count(*) FROM l, r WHERE {rule}").fetchone()[0]  # noqa: S608 (our rules)
    ]


def _rec(given, family, born, postcode="JU1 2AB", nhs=None):
    return MatchRecord("x", given, family, dt.date.fromisoformat(born),
                       postcode=postcode, nhs_number=nhs)  # fmt: skip


MARGARET = _rec("Margaret", "Thornbury", "1941-02-03")


@pytest.mark.parametrize(
    "other",
    [
        # nickname, moved, day and month transposed
        _rec("Peggy", "Thornbury", "1941-03-02", "KT9 9ZZ"),
        # given-name typo and day/month transposed (the rule the old "family name
        # and year" caught; now family + year + given initial)
        _rec("Magraret", "Thornbury", "1941-03-02", "KT9 9ZZ"),
        # married: new family name, same date of birth
        _rec("Margaret", "Oakley", "1941-02-03", "KT9 9ZZ"),
        # married and a typo in the date of birth: given + year + family initial
        _rec("Margaret", "Thornbery", "1941-02-08", "KT9 9ZZ"),
        # swapped names, date of birth wrong
        _rec("Thornbury", "Margaret", "1942-02-03", "KT9 9ZZ"),
        # same postcode and given name, everything else wrong
        _rec("Margaret", "Oakley", "1950-07-07"),
    ],
)
def test_each_kind_of_true_pair_is_a_candidate(other):
    assert _blocked(MARGARET, other)


def test_common_name_alone_is_not_a_candidate():
    # Same family and given name, born 20 years apart, elsewhere: with a few
    # very common names this rule made a fifth of all pairs at scale.
    assert (
        _blocked(
            _rec("John", "Smith", "1941-02-03"),
            _rec("John", "Smith", "1961-05-09", "KT9 9ZZ"),
        )
        == []
    )
    # Same family name and year of birth, different given-name initial.
    assert (
        _blocked(
            _rec("John", "Smith", "1941-02-03"),
            _rec("Peter", "Smith", "1941-05-09", "KT9 9ZZ"),
        )
        == []
    )


def test_pairs_with_gaps_are_candidates():
    # only the year of birth on one side: the rules with the year still hold
    partial = MatchRecord("y", "Magraret", "Thornbury", None, postcode="KT9 9ZZ",
                          birth_year=1941)  # fmt: skip
    assert _blocked(MARGARET, partial)
    # the same name, no date of birth at all, elsewhere
    undated = MatchRecord("y", "Margaret", "Thornbury", None, postcode="KT9 9ZZ")
    assert _blocked(MARGARET, undated)
    # names and date of birth wrong, the same other identifier
    a = MatchRecord("x", "Ann", "Lee", None, identifier="4440480")
    b = MatchRecord("y", "Kynan", "Sincovich", None, identifier="4440480")
    assert _blocked(a, b)
    # a household: the same postcode and house number, names and date wrong
    c = MatchRecord("x", "Ann", "Lee", None, postcode="4223",
                    address_line="7 Erldunda Circuit")  # fmt: skip
    d = MatchRecord("y", "Bob", "Capurso", None, postcode="4223",
                    address_line="7 Erldunda Circiut")  # fmt: skip
    assert _blocked(c, d)
