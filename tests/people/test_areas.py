"""Reference data: postcode -> LSOA -> IMD decile, and national data opt-outs
(people/areas.py), and the synthetic area's reference files."""

from __future__ import annotations

import csv
import pathlib

import pytest

from joinedup.errors import InvalidInput
from joinedup.people.areas import (
    opt_outs_apply,
    person_areas_apply,
    postcode_areas_load,
)
from joinedup.people.models import Person, PostcodeArea
from joinedup.synth.generator import area_generate, lsoa_and_imd
from joinedup.synth.writers import extracts_write
from joinedup.synth.writers_reference import OPT_OUTS, POSTCODE_AREAS
from tests.factories import PersonFactory, valid_nhs_number

pytestmark = pytest.mark.django_db

GOOD = "postcode,lsoa,imd_decile\nJU1 1AA,E01000001,2\nju2 3bd,e01000002,9\n"


def _file(tmp_path: pathlib.Path, text: str, name: str = "areas.csv") -> pathlib.Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def _areas() -> dict[str, tuple[str, str, int]]:
    return {
        a.key: (a.postcode, a.lsoa, a.imd_decile) for a in PostcodeArea.objects.all()
    }


# --- postcode_areas_load -------------------------------------------------------------


def test_load_normalises_postcodes_and_lsoa(tmp_path):
    tally = postcode_areas_load(path=_file(tmp_path, GOOD))
    assert (tally.loaded, tally.replaced) == (2, 0)
    assert _areas() == {
        "JU11AA": ("JU1 1AA", "E01000001", 2),
        "JU23BD": ("JU2 3BD", "E01000002", 9),
    }


def test_reload_is_idempotent_and_replaces(tmp_path):
    postcode_areas_load(path=_file(tmp_path, GOOD))
    again = postcode_areas_load(path=_file(tmp_path, GOOD))
    assert (again.loaded, again.replaced) == (2, 2)
    assert len(_areas()) == 2
    postcode_areas_load(
        path=_file(tmp_path, "postcode,lsoa,imd_decile\nJU9 9ZZ,E01000009,5\n")
    )
    assert _areas() == {"JU99ZZ": ("JU9 9ZZ", "E01000009", 5)}


@pytest.mark.parametrize(
    ("row", "field", "problem"),
    [
        ("JU1,E01000003,4", "postcode", "'JU1' is not a UK postcode"),
        (",E01000003,4", "postcode", "'' is not a UK postcode"),
        ("JU3 1AA,E01000003,11", "imd_decile", "'11' is not a whole number from 1"),
        ("JU3 1AA,E01000003,0", "imd_decile", "'0' is not a whole number from 1"),
        ("JU3 1AA,E01000003,four", "imd_decile", "'four' is not a whole number"),
        ("JU3 1AA,,4", "lsoa", "must be an LSOA code"),
        ("JU1 1AA,E01000003,4", "postcode", "repeats line 2"),
    ],
)
def test_bad_row_is_named_by_line_and_field_and_nothing_changes(
    tmp_path, row, field, problem
):
    postcode_areas_load(
        path=_file(tmp_path, "postcode,lsoa,imd_decile\nJU8 1AA,E1,3\n")
    )
    before = _areas()
    with pytest.raises(InvalidInput) as caught:
        postcode_areas_load(path=_file(tmp_path, GOOD + row + "\n", "new.csv"))
    assert f"line 4 {field}: {problem}" in caught.value.detail
    assert "nothing loaded" in caught.value.detail
    assert f"line 4 {field}" in caught.value.fields
    assert _areas() == before


def test_every_bad_row_is_counted_and_the_first_few_shown(tmp_path):
    rows = "".join(f"JU1 {i}AA,E01,12\n" for i in range(9))
    with pytest.raises(InvalidInput) as caught:
        postcode_areas_load(path=_file(tmp_path, "postcode,lsoa,imd_decile\n" + rows))
    detail = caught.value.detail
    assert "9 bad row(s)" in detail and "line 2 imd_decile" in detail
    assert "and 4 more" in detail
    assert len(detail.splitlines()) == 1
    assert not PostcodeArea.objects.exists()


def test_missing_columns_and_missing_file_are_refused(tmp_path):
    with pytest.raises(InvalidInput) as caught:
        postcode_areas_load(path=_file(tmp_path, "postcode,decile\nJU1 1AA,3\n"))
    assert caught.value.fields.keys() == {"header"}
    assert "missing lsoa, imd_decile" in caught.value.detail
    with pytest.raises(InvalidInput) as caught:
        postcode_areas_load(path=tmp_path / "nowhere.csv")
    assert caught.value.fields.keys() == {"file"}


def test_a_file_that_is_not_utf8_text_is_refused(tmp_path):
    path = tmp_path / "latin1.csv"
    path.write_bytes(b"postcode,lsoa,imd_decile\nJU1 1AA,E01\xff,3\n")
    for load in (postcode_areas_load, opt_outs_apply):
        with pytest.raises(InvalidInput) as caught:
            load(path=path)
        assert caught.value.fields.keys() == {"file"}
        assert "not readable UTF-8 text" in caught.value.detail
    assert not PostcodeArea.objects.exists()


# --- person_areas_apply --------------------------------------------------------------


def test_apply_sets_from_current_postcode_and_clears_unknown(tmp_path):
    spaced = PersonFactory(postcode="JU1 1AA")
    untidy = PersonFactory(postcode="ju23bd")
    elsewhere = PersonFactory(postcode="ZZ9 9ZZ", lsoa="E01999999", imd_decile=4)
    homeless = PersonFactory(postcode="", lsoa="E01999999", imd_decile=4)
    postcode_areas_load(path=_file(tmp_path, GOOD))

    assert person_areas_apply() == 4

    got = {
        p.pk: (p.lsoa, p.imd_decile)
        for p in Person.objects.filter(
            pk__in=[spaced.pk, untidy.pk, elsewhere.pk, homeless.pk]
        )
    }
    assert got == {
        spaced.pk: ("E01000001", 2),
        untidy.pk: ("E01000002", 9),
        elsewhere.pk: ("", None),
        homeless.pk: ("", None),
    }


def test_apply_follows_a_move_and_can_be_limited_to_some_people(tmp_path):
    mover = PersonFactory(postcode="JU1 1AA")
    other = PersonFactory(postcode="JU1 1AA")
    postcode_areas_load(path=_file(tmp_path, GOOD))
    person_areas_apply()
    Person.objects.filter(pk__in=[mover.pk, other.pk]).update(postcode="JU2 3BD")

    assert person_areas_apply(person_ids=[mover.pk]) == 1

    mover.refresh_from_db()
    other.refresh_from_db()
    assert (mover.lsoa, mover.imd_decile) == ("E01000002", 9)
    assert (other.lsoa, other.imd_decile) == ("E01000001", 2)


def test_apply_without_reference_data_changes_nothing():
    person = PersonFactory(postcode="JU1 1AA", lsoa="E01000001", imd_decile=2)
    assert person_areas_apply() == 0
    person.refresh_from_db()
    assert (person.lsoa, person.imd_decile) == ("E01000001", 2)


# --- opt_outs_apply ------------------------------------------------------------------


def test_opt_outs_file_is_the_full_current_list(tmp_path):
    listed = PersonFactory()
    no_longer = PersonFactory(national_data_opt_out=True)
    never = PersonFactory()
    unknown = valid_nhs_number(900)
    spaced = listed.nhs_number[:3] + " " + listed.nhs_number[3:]
    tally = opt_outs_apply(
        path=_file(tmp_path, f"{spaced}\n\n{unknown}\n{listed.nhs_number}\n", "o.txt")
    )
    assert (tally.listed, tally.opted_out, tally.not_found) == (2, 1, 1)
    flags = dict(
        Person.objects.filter(pk__in=[listed.pk, no_longer.pk, never.pk]).values_list(
            "pk", "national_data_opt_out"
        )
    )
    assert flags == {listed.pk: True, no_longer.pk: False, never.pk: False}


def test_opt_outs_csv_with_an_nhs_number_column(tmp_path):
    person = PersonFactory()
    text = f"request_id,nhs_number\n1,{person.nhs_number}\n"
    tally = opt_outs_apply(path=_file(tmp_path, text, "o.csv"))
    assert tally.opted_out == 1
    person.refresh_from_db()
    assert person.national_data_opt_out is True


def test_an_invalid_nhs_number_refuses_the_whole_file(tmp_path):
    was_out = PersonFactory(national_data_opt_out=True)
    listed = PersonFactory()
    bad = listed.nhs_number[:9] + str((int(listed.nhs_number[9]) + 1) % 10)
    text = f"nhs_number\n{listed.nhs_number}\n{bad}\n12345\n"
    with pytest.raises(InvalidInput) as caught:
        opt_outs_apply(path=_file(tmp_path, text, "o.csv"))
    detail = caught.value.detail
    assert "2 bad row(s), nothing loaded" in detail
    assert "line 3 nhs_number: the check digit does not match" in detail
    assert "line 4 nhs_number: NHS number must be 10 digits" in detail
    assert bad not in detail and f"{bad[:3]} {bad[3:6]}" not in detail
    was_out.refresh_from_db()
    listed.refresh_from_db()
    assert was_out.national_data_opt_out is True
    assert listed.national_data_opt_out is False


def test_opt_outs_header_without_nhs_number_and_empty_file(tmp_path):
    with pytest.raises(InvalidInput) as caught:
        opt_outs_apply(path=_file(tmp_path, "nhs_no\n9990000018\n", "o.csv"))
    assert caught.value.fields.keys() == {"header"}
    with pytest.raises(InvalidInput) as caught:
        opt_outs_apply(path=_file(tmp_path, "", "o.csv"))
    assert caught.value.fields.keys() == {"file"}


# --- the synthetic area's reference files --------------------------------------------


def _rows(path: pathlib.Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def test_generate_writes_reference_files_matching_the_area(tmp_path):
    area = area_generate(people=300)
    counts = extracts_write(area=area, out_dir=tmp_path)
    areas = {r["postcode"]: (r["lsoa"], int(r["imd_decile"])) for r in _rows(
        tmp_path / POSTCODE_AREAS
    )}  # fmt: skip
    assert (
        counts["postcode_areas"] == len(areas) == len(_rows(tmp_path / POSTCODE_AREAS))
    )
    opted = [r["nhs_number"] for r in _rows(tmp_path / OPT_OUTS)]
    assert counts["national_data_opt_outs"] == len(opted)
    people = list(area.iter_people())
    for person in people:
        for address in person.addresses:
            assert areas[address.postcode] == lsoa_and_imd(address.postcode)
        assert areas[person.addresses[-1].postcode] == (person.lsoa, person.imd_decile)
    assert set(opted) == {p.nhs_number for p in people if p.national_data_opt_out}
    assert 0 < len(opted) < len(people)
    # The files load as they are.
    assert postcode_areas_load(path=tmp_path / POSTCODE_AREAS).loaded == len(areas)
    assert opt_outs_apply(path=tmp_path / OPT_OUTS).listed == len(opted)


def test_population_refresh_sets_areas_from_postcodes_first(tmp_path):
    import datetime as dt

    from joinedup.population.models import Figure
    from joinedup.population.services import population_refresh
    from joinedup.synth.load import area_load
    from joinedup.synth.writers_reference import area_postcodes

    area_load(area=area_generate(people=900, seed=11, end=dt.date(2026, 11, 1)))
    Person.objects.update(lsoa="", imd_decile=None)  # as ingest leaves them
    path = tmp_path / "areas.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(("postcode", "lsoa", "imd_decile"))
        writer.writerows(area_postcodes())
    postcode_areas_load(path=path)

    refresh = population_refresh(work_dir=tmp_path / "work")

    assert not Person.objects.filter(imd_decile__isnull=True).exists()
    by_imd = Figure.objects.filter(refresh=refresh, dimension="imd_quintile")
    assert by_imd.exists()
    assert not by_imd.filter(group="not known").exists()
