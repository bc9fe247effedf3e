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
    assert "Hospital stays from ADT events:" in out
    assert Person.objects.exists() and Event.objects.exists()
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
