"""One ingest path, one follow-up: every way in (MLLP frames, HL7 v2 files,
quarantine replay, FHIR bundles, CSV extracts) hands the people and visits it
wrote to the same registered follow-up steps, in the commit that wrote them; a
replayed A01 reaches the ward board; an A01 after its A03 does not reopen the
stay; HL7 v2 files are read in the character set MSH-18 declares."""

from __future__ import annotations

import json

import pytest
from django.utils import timezone

from joinedup.discharge.models import HospitalStay
from joinedup.discharge.selectors import BoardFilters, ward_board
from joinedup.governance.models import Role
from joinedup.interop.csv.ingest import csv_text_ingest
from joinedup.interop.fhir.ingest import fhir_json_ingest
from joinedup.interop.hl7v2.ingest import hl7_file_ingest, hl7_message_ingest
from joinedup.interop.hl7v2.mllp import frame_apply
from joinedup.interop.models import QuarantineItem, QuarantineStatus
from joinedup.people.models import Person
from joinedup.record import followup
from joinedup.record.models import Event, EventKind, SourceSystem
from tests.conftest import actor_for
from tests.factories import PASSWORD, professional
from tests.interop.conftest import adt
from tests.interop.fhir.test_ingest import bundle

pytestmark = pytest.mark.django_db


@pytest.fixture
def seen(monkeypatch) -> list[followup.Touched]:
    """A follow-up step of the test's own, registered beside the apps' steps."""
    calls: list[followup.Touched] = []
    monkeypatch.setitem(followup._steps, "test.seen", (calls.append, "people"))
    return calls


def _pas(world) -> SourceSystem:
    return SourceSystem.objects.get(code="acute-pas")


def _on_board(world, person: Person) -> bool:
    board = ward_board(
        actor=actor_for(world.discharge_coordinator),
        filters=BoardFilters(),
        today=timezone.localdate(),
    )
    return any(row.person.pk == person.pk for row in board.rows)


def test_mllp_frame_hands_its_person_and_visit_to_the_follow_up(world, seen):
    result = frame_apply(adt("A01", "F1", mrn="M7", visit="V7").encode())
    assert result.ack_code == "AA"
    person = Person.objects.get(identifiers__value="M7")
    assert result.touched.people == {person.pk}
    assert result.touched.visits == {(_pas(world).pk, "V7")}
    assert [t.visits for t in seen] == [{(_pas(world).pk, "V7")}]
    # The discharge app's step built the stay in the same commit.
    assert HospitalStay.objects.filter(person=person, admission_source_id="V7")


def test_a_file_of_messages_follows_up_per_batch_without_a_full_rebuild(
    world, seen, tmp_path
):
    path = tmp_path / "adt.hl7"
    path.write_text(
        "\n".join([
            adt("A01", "B1", mrn="M1", visit="V1"),
            adt("A01", "B2", mrn="M2", visit="V2"),
            adt("A03", "B3", mrn="M1", visit="V1", when="20260112100000+0000"),
        ]).replace("\r", "\n") + "\n",
        encoding="utf-8",
    )  # fmt: skip
    tally = hl7_file_ingest(path, batch=2)
    assert tally.applied == 3
    assert len(seen) == 2  # one follow-up per committed batch
    system = _pas(world).pk
    assert set().union(*(t.visits for t in seen)) == {(system, "V1"), (system, "V2")}
    left = HospitalStay.objects.get(admission_source_id="V1")
    assert left.discharged_at is not None
    assert HospitalStay.objects.get(admission_source_id="V2").discharged_at is None


def test_a_replayed_admission_shows_on_the_ward_board(client, world, seen):
    # A PAS sent an impossible date of birth: the A01 is quarantined (AE) and
    # the patient is on no ward board.
    ack = hl7_message_ingest(adt("A01", "Q1", mrn="M9", visit="V9", dob="19411332"))
    assert ack.ack_code == "AE"
    item = QuarantineItem.objects.get()
    assert not HospitalStay.objects.exists()
    seen.clear()

    admin = professional(Role.ADMIN, world.icb, username="integration")
    assert client.login(username=admin.username, password=PASSWORD)
    fixed = item.raw.replace("19411332", "19410203")
    response = client.post(
        f"/integration/quarantine/{item.pk}/", {"action": "replay", "raw": fixed}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == QuarantineStatus.REPLAYED

    person = Person.objects.get(identifiers__value="M9")
    stay = HospitalStay.objects.get(person=person)
    assert (stay.admission_source_id, stay.ward) == ("V9", "Elm Ward")
    assert stay.discharged_at is None
    assert _on_board(world, person)
    assert [t.visits for t in seen] == [{(_pas(world).pk, "V9")}]


def test_a_fhir_bundle_hands_its_people_to_the_follow_up(world, seen):
    result = fhir_json_ingest(json.dumps(bundle()), origin="test")
    assert result.ok, result.reason
    person = Person.objects.get(identifiers__value="G1")
    assert result.touched.people == {person.pk}
    assert [t.people for t in seen] == [{person.pk}]


def test_a_csv_extract_hands_its_people_to_the_follow_up(world, seen):
    csv_text_ingest(
        "client_id,nhs_number,nhs_number_status,forename,surname,date_of_birth,"
        "gender,address,postcode,phone\n"
        "C1,,,Ada,Lovelace,10/12/1940,Female,1 Mill Lane,JU1 2AB,\n",
        source="council-sc", file_name="clients.csv",
    )  # fmt: skip
    person = Person.objects.get(identifiers__value="C1")
    assert [t.people for t in seen] == [{person.pk}]


def test_a_failing_step_leaves_the_messages_applied(world, monkeypatch):
    def broken(touched: followup.Touched) -> None:
        Event.objects.all().delete()  # rolled back with the step
        raise RuntimeError("step failed")

    monkeypatch.setitem(followup._steps, "test.broken", (broken, "people"))
    result = hl7_message_ingest(adt("A01", "S1", mrn="M5", visit="V5"))
    assert result.ack_code == "AA"
    assert Event.objects.filter(source_id="V5").exists()
    assert HospitalStay.objects.filter(admission_source_id="V5").exists()


# HL7 v2.5 chapter 3: an A03 may arrive before the A01 of the same visit (an
# interface engine's queues). PV1-44 gives the admit time, PV1-45 the discharge.
A03_FIRST = (
    "MSH|^~\\&|PAS|RJU|JOINEDUP|JOINEDUP|20260112100000+0000||ADT^A03^ADT_A03|"
    "OOO-2|P|2.5\r"
    "EVN|A03|20260112100000+0000\r"
    "PID|1||M300^^^RJU^MR||Okafor^Grace||19400101|F\r"
    "PV1|1|I|Birch Ward^^^RJU01||||||||||||||||V300|||||||||||||||||||||||||"
    "20260110083000+0000|20260112100000+0000"
)
A01_LATE = (
    "MSH|^~\\&|PAS|RJU|JOINEDUP|JOINEDUP|20260110083000+0000||ADT^A01^ADT_A01|"
    "OOO-1|P|2.5\r"
    "EVN|A01|20260110083000+0000\r"
    "PID|1||M300^^^RJU^MR||Okafor^Grace||19400101|F\r"
    "PV1|1|I|Birch Ward^^^RJU01|E|||||||||||||||V300|||||||||||||||||||||||||"
    "20260110083000+0000"
)


@pytest.mark.parametrize("one_batch", [False, True])
def test_an_admission_after_its_discharge_does_not_reopen_the_stay(world, one_batch):
    if one_batch:
        frame_apply(A03_FIRST.encode())
        frame_apply(A01_LATE.encode())
    else:
        assert hl7_message_ingest(A03_FIRST).ack_code == "AA"
        assert hl7_message_ingest(A01_LATE).ack_code == "AA"
    admission = Event.objects.get(source_id="V300", kind=EventKind.ADMISSION)
    assert admission.ended_at is not None
    assert admission.ended_at.isoformat() == "2026-01-12T10:00:00+00:00"
    stay = HospitalStay.objects.get(admission_source_id="V300")
    assert stay.discharged_at == admission.ended_at
    assert not _on_board(world, stay.person)


def test_a_file_in_latin_1_is_read_as_msh_18_declares(world, tmp_path):
    message = adt("A01", "L1", mrn="M400", visit="V400", given="Zoë", family="Müller")
    message = message.replace("UNICODE UTF-8", "8859/1")
    path = tmp_path / "latin.hl7"
    path.write_bytes(message.encode("latin-1") + b"\n")
    tally = hl7_file_ingest(path)
    assert tally.applied == 1
    person = Person.objects.get(identifiers__value="M400")
    assert (person.given_name, person.family_name) == ("Zoë", "Müller")


def test_a_file_message_not_in_its_declared_character_set_is_quarantined(
    world, tmp_path
):
    good = adt("A01", "U1", mrn="M401", visit="V401")
    bad = adt("A01", "U2", mrn="M402", visit="V402", given="Zoë")  # UTF-8 declared
    path = tmp_path / "mixed.hl7"
    path.write_bytes(good.encode("utf-8") + b"\n" + bad.encode("latin-1") + b"\n")
    tally = hl7_file_ingest(path)
    assert (tally.applied, tally.quarantined) == (1, 1)
    item = QuarantineItem.objects.get()
    assert "not valid" in item.reason and "UNICODE UTF-8" in item.reason
    assert not Person.objects.filter(identifiers__value="M402").exists()
