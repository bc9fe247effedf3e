"""Real files have gaps: empty cells, partial dates of birth, values that cannot
be read and whole columns in the wrong format. Each is a missing value (null) for
the matching, counted and reported once per column, never a refused file."""

from __future__ import annotations

import csv
import datetime as dt

import pytest

from joinedup.people.matching.files import date_of_birth_read, file_read
from joinedup.people.matching.prepare import row_build

HEADER = ["id", "forename", "surname", "dob", "postcode", "sex", "nhs_number"]


def _csv(path, rows, header=HEADER):
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


@pytest.mark.parametrize(
    ("text", "born", "year"),
    [
        ("1941-02-03", dt.date(1941, 2, 3), 1941),
        ("03/02/1941", dt.date(1941, 2, 3), 1941),  # UK order
        ("19410203", dt.date(1941, 2, 3), 1941),  # compact, as FEBRL writes it
        ("1941-02-03T00:00:00", dt.date(1941, 2, 3), 1941),
        ("1941", None, 1941),
        ("1941-02", None, 1941),
        ("02/1941", None, 1941),
        ("", None, None),
        ("31/02/1941", None, None),  # no such day
        ("19410231", None, None),
        ("3rd Feb", None, None),
        ("2999-01-01", None, None),  # in the future
        ("1066", None, None),  # not a plausible year of birth
    ],
)
def test_date_of_birth_forms(text, born, year):
    assert date_of_birth_read(text) == (born, year)


def test_blank_cells_are_nulls_not_empty_strings(tmp_path):
    f = _csv(tmp_path / "a.csv", [
        ["1", "Margaret", "Thornton", "1941-02-03", "JU1 2AB", "f", ""],
        ["2", "", "Hughes", "", "", "", ""],
        ["3", "  ", "", "1950-06-07", " ", "m", ""],
    ])  # fmt: skip
    read = file_read(f)
    assert [r.id for r in read.records] == ["1", "2", "3"]
    row = row_build(read.records[1])
    # Splink counts term frequencies over non-null values and the comparisons
    # have null levels: an empty string would be a value ("" agreeing with "").
    for column in ("given_name", "given_canon", "birth_date", "birth_year",
                   "postcode", "postcode_sector", "sex", "nhs_number",
                   "identifier", "address_line"):  # fmt: skip
        assert row[column] is None, column
    assert row["family_name"] == "HUGHES"
    assert read.missing["given_name"] == 2 and read.missing["family_name"] == 1
    assert read.missing["birth_date"] == 1 and read.missing["postcode"] == 2
    assert read.notes == []  # blanks are not errors
    assert "given_name 2" in read.missing_line()


def test_partial_dates_keep_the_year(tmp_path):
    f = _csv(tmp_path / "a.csv", [
        ["1", "Ann", "Lee", "1941", "", "", ""],
        ["2", "Bob", "Lee", "1941-02", "", "", ""],
        ["3", "Cy", "Lee", "02/1941", "", "", ""],
        ["4", "Di", "Lee", "1941-02-03", "", "", ""],
    ])  # fmt: skip
    read = file_read(f)
    rows = [row_build(r) for r in read.records]
    assert [r["birth_date"] for r in rows] == [None, None, None, "1941-02-03"]
    assert [r["birth_year"] for r in rows] == ["1941"] * 4
    assert read.partial_dates == 3 and read.missing["birth_date"] == 0
    assert read.notes == [
        "a.csv: birth_date: 3 partial date(s) kept as the year of birth"
    ]


def test_unreadable_values_are_missing_and_counted_without_values(tmp_path):
    f = _csv(tmp_path / "a.csv", [
        ["1", "Margaret", "Thornton", "31/31/1940", "JU1 2AB", "f", "9434765919"],
        # a check digit that does not match, a postcode of punctuation, an
        # unknown sex code, a name of punctuation
        ["2", "???", "Hughes", "1950-06-07", "??", "zz", "9434765918"],
        ["3", "Priya", "Patel", "1962-11-20", "JU3 4EF", "2", "943 476 5919"],
    ])  # fmt: skip
    read = file_read(f)
    one, two, three = read.records
    assert one.birth_date is None and one.nhs_number == "9434765919"
    assert (two.nhs_number, two.postcode, two.sex) == (None, "", "")
    assert row_build(two)["given_name"] is None
    assert three.sex == "female" and three.nhs_number == "9434765919"
    assert read.unreadable == {"birth_date": 1, "given_name": 1, "postcode": 1,
                               "sex": 1, "nhs_number": 1}  # fmt: skip
    notes = "\n".join(read.notes)
    assert "birth_date: 1 value(s) could not be read" in notes
    assert "nhs_number: 1 value(s) could not be read" in notes
    for value in ("31/31/1940", "9434765918", "???", "zz"):
        assert value not in notes  # personal data stays out of messages


def test_a_column_none_of_whose_values_can_be_read_is_reported_once(tmp_path):
    rows = [[str(i), "Ann", f"Lee{chr(65 + i)}", "n/k", "JU1 2AB", "", ""]
            for i in range(20)]  # fmt: skip
    read = file_read(_csv(tmp_path / "a.csv", rows))
    assert read.unusable_columns == ["birth_date"]
    assert read.notes == [
        "a.csv: column 'dob' (birth_date): none of its 20 values could be read"
        " (expected YYYY-MM-DD, DD/MM/YYYY, YYYYMMDD, or a year);"
        " it is left out of the matching"
    ]
    assert all(row_build(r)["birth_year"] is None for r in read.records)


def test_rows_without_an_id_are_left_out_and_counted(tmp_path):
    f = _csv(tmp_path / "a.csv", [
        ["1", "Ann", "Lee", "1941-02-03", "", "", ""],
        ["", "Bob", "Lee", "1941-02-03", "", "", ""],
    ])  # fmt: skip
    read = file_read(f)
    assert [r.id for r in read.records] == ["1"]
    assert read.notes == ["a.csv: 1 row(s) without an id left out (row 3)"]


def test_map_joins_columns_for_the_address(tmp_path):
    from joinedup.people.matching.files import mapping_parse

    f = _csv(
        tmp_path / "a.csv",
        [["r1", "Ann", "Lee", "19410203", "4223", "8", "Stanley St.", "Winston Hills"]],
        header=["rec_id", "given_name", "surname", "date_of_birth", "postcode",
                "street_number", "address_1", "suburb"],
    )  # fmt: skip
    mapping = mapping_parse("id=rec_id,address=street_number+address_1+suburb")
    (r,) = file_read(f, mapping).records
    assert r.address_line == "8 STANLEY ST WINSTON HILLS"
    assert r.postcode == "4223" and r.birth_date == dt.date(1941, 2, 3)


# through the command --------------------------------------------------------------


@pytest.mark.django_db
def test_link_runs_on_a_file_with_gaps_and_reports_them(tmp_path, capsys):
    from joinedup.cli import main

    people = [
        ("Margaret", "Thornton", "1941-02-03", "JU1 2AB", "female"),
        ("William", "Hughes", "1950-06-07", "JU2 3CD", "male"),
        ("Priya", "Patel", "1962-11-20", "JU3 4EF", "female"),
        ("Kenneth", "Okafor", "1938-04-09", "JU4 5GH", "male"),
    ]
    a_rows = [[f"A{i}", g, f, d, p, s, ""] for i, (g, f, d, p, s) in enumerate(people)]
    a = _csv(tmp_path / "a.csv", a_rows)
    b_rows = [[f"B{i}", g, f, d, p, s, ""] for i, (g, f, d, p, s) in enumerate(people)]
    b_rows[0][3] = ""  # Margaret: no date of birth
    b_rows[1][3] = "1950"  # William: only the year
    b_rows[2][3] = "not known"  # Priya: unreadable
    b_rows[3][1] = ""  # Kenneth: no given name
    b = _csv(tmp_path / "b.csv", b_rows)
    out = tmp_path / "m.csv"
    code = main(["link", "--file", str(a), "--file", str(b), "--out", str(out)])
    assert code == 0
    captured = capsys.readouterr()
    assert "b.csv: birth_date: 1 value(s) could not be read" in captured.err
    assert "b.csv: birth_date: 1 partial date(s) kept as the year" in captured.err
    assert "b.csv: 4 records; missing values:" in captured.out
    assert "birth_date 2" in captured.out and "given_name 1" in captured.out
    rows = list(csv.DictReader(out.open()))
    proposed = {(r["id_a"], r["id_b"]) for r in rows if r["decision"] != "new"}
    # each pair still has a name, a postcode and sex to go on
    assert {("A0", "B0"), ("A1", "B1"), ("A2", "B2"), ("A3", "B3")} <= proposed


@pytest.mark.django_db
def test_an_all_bad_column_is_one_message_and_the_link_still_runs(tmp_path, capsys):
    from joinedup.cli import main

    rows = [[f"A{i}", "Ann", f"Lee{chr(65 + i)}", "1941.02.03", "JU1 2AB", "", ""]
            for i in range(5)]  # fmt: skip
    a = _csv(tmp_path / "a.csv", rows)
    out = tmp_path / "m.csv"
    assert main(["link", "--file", str(a), "--out", str(out)]) == 0
    err = capsys.readouterr().err
    lines = [line for line in err.splitlines() if "a.csv" in line]
    assert lines == [
        "a.csv: column 'dob' (birth_date): none of its 5 values could be read"
        " (expected YYYY-MM-DD, DD/MM/YYYY, YYYYMMDD, or a year);"
        " it is left out of the matching"
    ]
    assert out.exists()
