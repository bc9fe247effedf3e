import csv
import datetime as dt
import sys

import pytest

from joinedup.cli.matching import cmd_link, link_arguments
from joinedup.errors import InvalidInput
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


def test_bad_date_is_a_missing_value_not_a_refusal(tmp_path):
    f = _csv(
        tmp_path / "a.csv",
        ["id", "forename", "surname", "date_of_birth"],
        [["1", "Ann", "Lee", "1940-01-02"], ["2", "Bob", "Lee", "31/31/1940"]],
    )
    ann, bob = records_read(f)
    assert ann.birth_date == dt.date(1940, 1, 2)
    assert (bob.id, bob.birth_date, bob.birth_year) == ("2", None, None)


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
    from joinedup.cli.common import CommandError

    f = _csv(tmp_path / "a.csv", ["id", "forename"], [["1", "Ann"]])
    out = tmp_path / "m.csv"
    with pytest.raises(CommandError, match="missing required column"):
        cmd_link(_args("--file", str(f), "--out", str(out)))
    assert not out.exists()


# --map --------------------------------------------------------------------------


def test_map_parse_errors_name_the_pair():
    from joinedup.people.matching.files import mapping_parse

    assert mapping_parse("given_name=forename, date_of_birth=born") == {
        "given_name": "forename",
        "birth_date": "born",
    }
    with pytest.raises(InvalidInput, match="'given_name' is not target=column"):
        mapping_parse("given_name")
    with pytest.raises(InvalidInput, match="'=x' is not target=column"):
        mapping_parse("family_name=surname,=x")
    with pytest.raises(InvalidInput, match="unknown target 'nickname'"):
        mapping_parse("nickname=fn")
    with pytest.raises(InvalidInput, match="'sex' is mapped twice"):
        mapping_parse("sex=a,sex=b")


def test_map_renames_and_overrides_aliases(tmp_path):
    from joinedup.people.matching.files import mapping_parse

    f = _csv(
        tmp_path / "a.csv",
        ["ref", "first_name", "Known_As", "Family", "Born"],
        [["7", "Margaret", "Peggy", "Thornton", "03/02/1941"]],
    )
    mapping = mapping_parse("id=ref,given_name=known_as,family_name=family,dob=born")
    (r,) = records_read(f, mapping)
    assert (r.id, r.given_name, r.family_name) == ("7", "Peggy", "Thornton")
    assert r.birth_date.isoformat() == "1941-02-03"


@pytest.mark.parametrize(
    ("mapping", "message"),
    [
        ("given_name=firstname", "no column 'firstname' in the file"),
        ("middle_name=fn", "unknown target 'middle_name'"),
        ("given_name", "'given_name' is not target=column"),
    ],
)
@pytest.mark.django_db
def test_bad_map_exits_2_and_leaves_no_output(tmp_path, capsys, mapping, message):
    from joinedup.cli import main

    f = _csv(
        tmp_path / "a.csv",
        ["id", "fn", "surname", "dob"],
        [["1", "Ann", "Lee", "1940-01-02"]],
    )
    out = tmp_path / "m.csv"
    assert main(["link", "--file", str(f), "--map", mapping, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and "\n" not in err
    assert not out.exists() and not list(tmp_path.glob(".m.csv*"))


@pytest.mark.django_db
def test_map_per_file(tmp_path):
    a = _csv(
        tmp_path / "a.csv",
        ["id", "fn", "sn", "dob", "postcode"],
        [["A1", "Margaret", "Thornton", "1941-02-03", "JU1 2AB"]],
    )
    b = _csv(
        tmp_path / "b.csv",
        ["id", "christian", "sn", "dob", "postcode"],
        [["B1", "Margaret", "Thornton", "1941-02-03", "JU1 2AB"]],
    )
    out = tmp_path / "m.csv"
    cmd_link(
        _args(
            "--file", str(a), "--file", str(b),
            "--map", "given_name=fn,family_name=sn",
            "--map", "given_name=christian,family_name=sn",
            "--out", str(out),
        )
    )  # fmt: skip
    rows = list(csv.DictReader(out.open()))
    assert [(r["id_a"], r["id_b"], r["decision"]) for r in rows] == [
        ("A1", "B1", "link")
    ]


# --evaluate ---------------------------------------------------------------------


def test_accuracy_report_counts_errors_by_level():
    import datetime as dt
    from types import SimpleNamespace

    from joinedup.people.matching.evaluate import Truth, accuracy_report
    from joinedup.people.matching.prepare import MatchRecord

    def rec(rid, postcode, nhs=None):
        return MatchRecord(
            rid, "Ann", "Lee", dt.date(1940, 1, 2), "female", postcode, nhs
        )

    records = [
        rec("a1", "JU1 2AB", "9434765919"),
        rec("b1", "JU1 2AB", "9434765919"),
        rec("a2", "JU1 2AB"),
        rec("b2", "JU9 9ZZ"),  # a mover without an NHS number
        rec("a3", "JU1 2AB"),
        rec("b3", "JU1 2AB"),
    ]
    truth = Truth({"a1": "p1", "b1": "p1", "a2": "p2", "b2": "p2", "a3": "p3",
                   "b3": "p4"})  # fmt: skip
    against = {"address": ("All other comparisons", -3.0), "name": ("Exact", 9.0)}

    def d(a, b, p, contributions):
        return SimpleNamespace(
            left_id=a, right_id=b, match_probability=p, contributions=contributions
        )

    decisions = [
        d("a1", "b1", 1.0, {}),
        d("a2", "b2", 0.5, against),  # true, sent to review: a false negative
        d("a3", "b3", 0.99, {"sex": ("Missing", -1.0), **against}),  # false link
    ]
    lines = accuracy_report(records, truth, decisions, upper=0.95, lower=0.2, model={})
    text = "\n".join(lines)
    assert "precision 0.5000  recall 0.5000" in text
    assert "pairs sent to review: 1 (1 true, 0 false)" in text
    assert "recall, movers without a shared NHS number: 0.0000 (n=1)" in text
    fp = next(line for line in lines if line.startswith("false positives 1,"))
    assert "address: All other comparisons x1" in fp and "sex: Missing x1" in fp
    assert "false negatives 1 (1 in review, 0 below it)" in text
    assert "Ann" not in text and "1940" not in text and "9434765919" not in text


@pytest.mark.django_db
def test_evaluate_prints_report_without_personal_data(capsys):
    from joinedup.people.matching import store
    from joinedup.synth.generator import area_generate
    from joinedup.synth.matching import area_records

    cmd_link(_args("--evaluate", "--people", "400"))
    out = capsys.readouterr().out
    assert "model v1" in out and store.model_active().version == 1  # trained
    for label in ("precision", "recall", "F1", "pairs sent to review",
                  "without a shared NHS number", "movers", "false positives",
                  "false negatives", "missing values (null)"):  # fmt: skip
        assert label in out
    # the synthetic area has every name and date of birth, and no other
    # identifier or address line
    assert "given_name 0, family_name 0, birth_date 0" in out
    assert "identifier 400" not in out and "identifier " in out
    records, _ = area_records(area_generate(people=400))
    for r in records:
        assert r.birth_date.isoformat() not in out
        assert not r.nhs_number or r.nhs_number not in out
        assert f" {r.family_name} " not in out
    assert "\x1b" not in out  # no progress bar when stdout is not a terminal


def test_progress_bar_only_on_a_terminal(monkeypatch):
    import io

    from joinedup.cli import matching as cli

    class Tty(io.StringIO):
        def isatty(self):
            return True

    for stream, shown in ((io.StringIO(), False), (Tty(), True)):
        monkeypatch.setattr(sys, "stdout", stream)
        with cli._progress(2) as bar:
            bar.step("linking")
            bar._progress.refresh()
            bar.step("writing")
        assert bool(stream.getvalue()) is shown
