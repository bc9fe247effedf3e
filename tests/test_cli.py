"""The `joinedup` command as scripts use it."""

import pytest

from joinedup.cli import main
from joinedup.governance.selectors import token_user_get


def test_user_create_then_token_create(world, capsys):
    assert main(["user", "create", "new.gp", "--role", "gp", "--org", "J81001"]) == 0
    out = capsys.readouterr().out
    assert "Created new.gp (gp at J81001)." in out
    assert "Password (shown once):" in out
    assert main(["token", "create", "new.gp"]) == 0
    token = capsys.readouterr().out.strip().splitlines()[-1]
    assert token_user_get(token=token).username == "new.gp"


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (
            ["user", "create", "x", "--role", "wizard", "--org", "J81001"],
            "unknown role 'wizard'",
        ),
        (
            ["user", "create", "x", "--role", "gp", "--org", "ZZZ"],
            "no organisation has the code 'ZZZ'",
        ),
        (["token", "create", "nobody"], "no active user called 'nobody'"),
    ],
)
def test_bad_input_exits_2_with_one_line(world, capsys, argv, message):
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert message in err


def test_argument_errors_exit_non_zero(capsys):
    with pytest.raises(SystemExit) as caught:
        main(["generate", "--people", "0", "--out", "x"])
    assert caught.value.code == 2
    assert "must be 1 or more" in capsys.readouterr().err


def test_generate_then_ingest_builds_the_record_and_hospital_stays(
    db, tmp_path, capsys
):
    from joinedup.discharge.models import HospitalStay
    from joinedup.people.models import Person
    from joinedup.record.models import Event

    assert main(["generate", "--people", "40", "--out", str(tmp_path)]) == 0
    assert main(["ingest", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    assert "acute-pas: received" in out
    assert Person.objects.exists() and Event.objects.exists()
    # The stays followed each committed batch (no rebuild of every stay).
    admissions = Event.objects.filter(kind="admission").count()
    assert HospitalStay.objects.count() == admissions > 0
    # Ingesting the same extracts again changes nothing.
    events = Event.objects.count()
    assert main(["ingest", str(tmp_path)]) == 0
    assert Event.objects.count() == events
    assert "duplicate" in capsys.readouterr().out


def test_ingest_of_a_missing_path_is_one_clear_line(db, capsys):
    assert main(["ingest", "/no/such/extract.csv"]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1 and "/no/such/extract.csv" in err


def test_reference_commands_load_areas_and_opt_outs(db, tmp_path, capsys):
    from joinedup.people.models import Person
    from joinedup.synth.generator import area_generate
    from joinedup.synth.writers_reference import OPT_OUTS, POSTCODE_AREAS

    assert main(["generate", "--people", "40", "--out", str(tmp_path)]) == 0
    assert main(["ingest", str(tmp_path)]) == 0
    assert not Person.objects.exclude(lsoa="").exists()  # sources carry no area
    capsys.readouterr()

    assert main(["reference", "postcodes", str(tmp_path / POSTCODE_AREAS)]) == 0
    assert main(["reference", "opt-outs", str(tmp_path / OPT_OUTS)]) == 0
    out = capsys.readouterr().out.strip().splitlines()
    assert len(out) == 2
    assert "postcodes loaded" in out[0] and "areas of" in out[0]
    assert out[1].startswith("National data opt-outs:")

    truth = {p.nhs_number: p for p in area_generate(people=40).iter_people()}
    checked = 0
    for person in Person.objects.filter(nhs_number__in=truth):
        spec = truth[person.nhs_number]
        assert person.national_data_opt_out == spec.national_data_opt_out
        if person.postcode == spec.addresses[-1].postcode:
            assert (person.lsoa, person.imd_decile) == (spec.lsoa, spec.imd_decile)
            checked += 1
    assert checked >= 30


@pytest.mark.parametrize(
    ("argv", "text", "message"),
    [
        (
            ["reference", "postcodes"],
            "postcode,lsoa,imd_decile\nJU1 1AA,E01000001,0\n",
            "line 2 imd_decile: '0' is not a whole number from 1 to 10",
        ),
        (
            ["reference", "postcodes"],
            "postcode,lsoa\nJU1 1AA,E01000001\n",
            "missing imd_decile",
        ),
        (
            ["reference", "opt-outs"],
            "9990000018\n9990000019\n",
            "line 2 nhs_number: the check digit does not match",
        ),
    ],
)
def test_reference_bad_file_exits_2_with_one_line(
    db, tmp_path, capsys, argv, text, message
):
    path = tmp_path / "reference.csv"
    path.write_text(text, encoding="utf-8")
    assert main([*argv, str(path)]) == 2
    err = capsys.readouterr().err.strip()
    assert len(err.splitlines()) == 1
    assert message in err
    assert main([*argv, str(tmp_path / "missing.csv")]) == 2
    assert "cannot read" in capsys.readouterr().err
