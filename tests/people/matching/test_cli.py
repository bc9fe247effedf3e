import csv

import pytest

from joinedup.errors import InvalidInput
from joinedup.people.matching.cli import cmd_link, link_arguments
from joinedup.people.matching.files import records_read


def _csv(path, header, rows):
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def _args(*argv):
    import argparse

    p = argparse.ArgumentParser()
    link_arguments(p)
    args = p.parse_args(argv)
    args.command = "link"
    return args


def test_missing_column_is_named(tmp_path):
    f = _csv(tmp_path / "a.csv", ["id", "forename"], [["1", "Ann"]])
    with pytest.raises(InvalidInput, match="family_name"):
        records_read(f)


def test_bad_date_names_the_row(tmp_path):
    f = _csv(
        tmp_path / "a.csv",
        ["id", "forename", "surname", "date_of_birth"],
        [["1", "Ann", "Lee", "1940-01-02"], ["2", "Bob", "Lee", "31/31/1940"]],
    )
    with pytest.raises(InvalidInput, match="row 3"):
        records_read(f)


def test_empty_and_duplicate(tmp_path):
    (tmp_path / "e.csv").write_text("")
    with pytest.raises(InvalidInput, match="empty"):
        records_read(tmp_path / "e.csv")
    f = _csv(
        tmp_path / "d.csv",
        ["id", "given_name", "family_name", "birth_date"],
        [["1", "A", "B", "1940-01-01"], ["1", "C", "D", "1941-01-01"]],
    )
    with pytest.raises(InvalidInput, match="duplicate id"):
        records_read(f)


@pytest.mark.django_db
def test_two_files_link(tmp_path):
    header = ["id", "nhs_number", "forename", "surname", "dob", "postcode", "gender"]
    people = [
        ("Margaret", "Thornton", "1941-02-03", "JU1 2AB", "female"),
        ("William", "Hughes", "1950-06-07", "JU2 3CD", "male"),
        ("Priya", "Patel", "1962-11-20", "JU3 4EF", "female"),
        ("Kenneth", "Okafor", "1938-04-09", "JU4 5GH", "male"),
    ]
    a = _csv(tmp_path / "a.csv", header, [
        [f"A{i}", "", g, f, d, p, s] for i, (g, f, d, p, s) in enumerate(people)
    ])  # fmt: skip
    b_rows = [[f"B{i}", "", g, f, d, p, s] for i, (g, f, d, p, s) in enumerate(people)]
    b_rows[1][2] = "Bill"  # nickname
    b = _csv(tmp_path / "b.csv", header, b_rows)
    out = tmp_path / "m.csv"
    cmd_link(_args("--file", str(a), "--file", str(b), "--out", str(out)))
    rows = list(csv.DictReader(out.open()))
    linked = {(r["id_a"], r["id_b"]) for r in rows if r["decision"] != "new"}
    assert ("A0", "B0") in linked and ("A1", "B1") in linked
    assert all(r["model_version"] == "1" for r in rows)


@pytest.mark.django_db
def test_bad_file_leaves_no_output(tmp_path):
    from joinedup.cli import CommandError

    f = _csv(tmp_path / "a.csv", ["id", "forename"], [["1", "Ann"]])
    out = tmp_path / "m.csv"
    with pytest.raises(CommandError, match="missing required column"):
        cmd_link(_args("--file", str(f), "--out", str(out)))
    assert not out.exists()
