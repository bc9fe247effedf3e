import datetime as dt

import pytest

from joinedup.people.matching.nicknames import name_canonical
from joinedup.people.matching.outcomes import Outcome, Thresholds
from joinedup.people.matching.prepare import (
    MatchRecord,
    deterministic_pairs,
    postcode_district,
    postcode_normalise,
    postcode_sector,
    row_build,
)
from joinedup.people.matching.settings import settings_build


def test_postcode_parts():
    assert postcode_normalise("ju1  2ab") == "JU1 2AB"
    assert postcode_sector("JU1 2AB") == "JU1 2"
    assert postcode_district("JU1 2AB") == "JU1"


def test_nicknames_share_a_canonical_name():
    assert name_canonical("BILL") == name_canonical("WILLIAM") == "WILLIAM"
    assert name_canonical("PEGGY") == "MARGARET"
    assert name_canonical("ZEBEDEE") == "ZEBEDEE"


def test_row_build_normalises_and_keeps_history():
    row = row_build(
        MatchRecord(
            id="1",
            given_name="bill",
            family_name="O'Brien",
            birth_date=dt.date(1940, 3, 4),
            sex="male",
            postcode="ju1 2ab",
            postcodes=("JU9 9ZZ", "ju1 2ab"),
        )
    )
    assert row["given_canon"] == "WILLIAM"
    assert row["family_name"] == "OBRIEN"
    assert row["birth_date"] == "1940-03-04"
    assert row["postcodes"] == ["JU1 2AB", "JU9 9ZZ"]
    assert row["nhs_verified"] is False


def test_only_verified_nhs_numbers_link_deterministically():
    def rec(i, nhs, verified):
        return row_build(
            MatchRecord(
                id=i, given_name="A", family_name="B", birth_date=None,
                nhs_number=nhs, nhs_verified=verified,
            )
        )  # fmt: skip

    rows = [rec("1", "9990000018", True), rec("2", "9990000018", True)]
    rows.append(rec("3", "9990000018", False))
    assert deterministic_pairs(rows) == [("1", "2")]


def test_thresholds_give_three_outcomes():
    t = Thresholds(upper=0.95, lower=0.2)
    assert t.outcome(0.99) == Outcome.LINK
    assert t.outcome(0.5) == Outcome.REVIEW
    assert t.outcome(0.1) == Outcome.NEW
    with pytest.raises(ValueError):
        Thresholds(upper=0.1, lower=0.5)


def test_settings_have_uk_comparisons_and_dialects():
    duck = settings_build()
    labels = [
        lv["label_for_charts"]
        for c in duck["comparisons"]
        for lv in c["comparison_levels"]
    ]
    assert "Given and family names swapped" in labels
    assert "Day and month transposed" in labels
    assert "Same postcode sector" in labels
    spark = settings_build(dialect="spark")
    assert "jaro_winkler(" in str(spark) and "list_intersect" not in str(spark)
