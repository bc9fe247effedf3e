"""The `address` column of batch link files (issue 5): its postcodes are used as
the person index's addresses are, as the record's postcode history."""

import csv

import pytest

from joinedup.people.matching.files import address_postcodes, records_read
from joinedup.people.matching.prepare import row_build


def _csv(path, header, rows):
    with path.open("w", newline="") as f:
        w = csv.writer(f)
        w.writerow(header)
        w.writerows(rows)
    return path


def test_postcodes_found_in_free_text_addresses():
    assert address_postcodes("12 Mill Lane, Juniper, ju1 2ab") == ("JU1 2AB",)
    # several addresses, current first; a postcode written without its space
    assert address_postcodes("Flat 3, Elm Court, JU9 9ZZ | 2 Old Road, JU12AB") == (
        "JU9 9ZZ",
        "JU1 2AB",
    )
    assert address_postcodes("1 A St, SW1A 1AA; 1 A St, SW1A 1AA") == ("SW1A 1AA",)
    # no postcode: no evidence, and no error
    assert address_postcodes("The Old Vicarage, Juniper") == ()
    assert address_postcodes("") == ()


def test_address_stands_in_for_a_missing_postcode_and_joins_the_history(tmp_path):
    f = _csv(
        tmp_path / "a.csv",
        ["id", "forename", "surname", "dob", "postcode", "Address"],
        [
            ["1", "Ann", "Lee", "1940-01-02", "", "4 Park Rd, Juniper JU3 4EF"],
            [
                "2",
                "Bob",
                "Lee",
                "1941-01-02",
                "JU5 6GH",
                "Rose House | 9 Lane, JU1 2AB",
            ],
            ["3", "Cat", "Lee", "1942-01-02", "JU7 8JK", ""],
        ],
    )
    ann, bob, cat = records_read(f)
    assert (ann.postcode, ann.postcodes) == ("JU3 4EF", ("JU3 4EF",))
    # the postcode column stays the current postcode; the address adds history
    assert bob.postcode == "JU5 6GH" and bob.postcodes == ("JU1 2AB",)
    assert row_build(bob)["postcodes"] == ["JU5 6GH", "JU1 2AB"]
    assert (cat.postcode, cat.postcodes) == ("JU7 8JK", ())


def test_address_can_be_mapped(tmp_path):
    from joinedup.people.matching.files import mapping_parse

    f = _csv(
        tmp_path / "a.csv",
        ["id", "forename", "surname", "dob", "home"],
        [["1", "Ann", "Lee", "1940-01-02", "4 Park Rd, JU3 4EF"]],
    )
    (ann,) = records_read(f, mapping_parse("address=home"))
    assert ann.postcode == "JU3 4EF"
    with pytest.raises(Exception, match="no column 'house'"):
        records_read(f, mapping_parse("address=house"))


@pytest.mark.django_db
def test_a_mover_is_found_through_the_address_history(tmp_path):
    """The same person in two files, moved between them: the second file's
    address column holds the former address. With it the pair scores as
    "a postcode in the address history agrees"; without it, as a stranger's
    address."""
    import argparse

    from joinedup.cli.matching import cmd_link, link_arguments

    def run(b_header, b_rows, out):
        p = argparse.ArgumentParser()
        link_arguments(p)
        a = _csv(
            tmp_path / "a.csv",
            ["id", "forename", "surname", "dob", "postcode"],
            [["A1", "Margaret", "Thornbury", "1941-02-03", "JU1 2AB"]],
        )
        b = _csv(tmp_path / "b.csv", b_header, b_rows)
        args = p.parse_args(["--file", str(a), "--file", str(b), "--out", str(out)])
        cmd_link(args)
        rows = list(csv.DictReader(out.open()))
        return {(r["id_a"], r["id_b"]): float(r["match_probability"]) for r in rows}

    # "Peggy" for Margaret and a transposed day/month: not certain on names
    # and date of birth alone
    person = ["B1", "Peggy", "Thornbury", "1941-03-02"]
    without = run(
        ["id", "forename", "surname", "dob", "postcode"],
        [[*person, "KT9 9ZZ"]],
        tmp_path / "without.csv",
    )
    with_history = run(
        ["id", "forename", "surname", "dob", "postcode", "address"],
        [[*person, "KT9 9ZZ", "Oak Care Home, KT9 9ZZ | 2 Mill Lane, JU1 2AB"]],
        tmp_path / "with.csv",
    )
    assert with_history[("A1", "B1")] > without.get(("A1", "B1"), 0.0)
