"""HL7 v2 ADT ingest: mapping, acknowledgements, quarantine and idempotency."""

from __future__ import annotations

import pytest

from joinedup.interop.hl7v2.ack import ack_code_of
from joinedup.interop.hl7v2.ingest import (
    hl7_batch_ingest,
    hl7_message_ingest,
    messages_from_text,
)
from joinedup.interop.models import DailyTotal, MessageReceipt, QuarantineItem
from joinedup.people.models import Identifier, Involvement, Person
from joinedup.record.models import Event, EventKind
from tests.factories import valid_nhs_number
from tests.interop.conftest import NHS, adt

pytestmark = pytest.mark.django_db


def test_admission_creates_person_identifiers_event_and_receipt(world):
    result = hl7_message_ingest(adt("A01", "C1"))
    assert result.ack_code == "AA", result.reason
    assert ack_code_of(result.ack) == "AA"
    assert "MSA|AA|C1" in result.ack
    person = Person.objects.get(identifiers__value="M100")
    assert person.nhs_number == NHS and person.nhs_number_verified
    assert Identifier.objects.filter(person=person, value=NHS).exists()
    assert Involvement.objects.filter(person=person, organisation=world.hospital)
    event = Event.objects.get(person=person)
    assert event.kind == EventKind.ADMISSION
    assert event.source_id == "V1"
    assert event.summary == "Emergency admission to Elm Ward"
    assert event.detail["ward"] == "Elm Ward"
    assert MessageReceipt.objects.filter(source="acute-pas", control_id="C1").exists()
    total = DailyTotal.objects.get(source="acute-pas")
    assert (total.received, total.applied) == (1, 1)


def test_verified_nhs_number_finds_the_existing_person(world):
    world.person.identifiers.create(system="https://fhir.nhs.uk/Id/nhs-number",
                                    value=world.person.nhs_number)  # fmt: skip
    result = hl7_message_ingest(adt("A28", "C1", nhs=world.person.nhs_number))
    assert result.ack_code == "AA"
    assert Identifier.objects.get(value="M100").person == world.person


def test_duplicate_control_id_is_acknowledged_and_not_applied_twice(world):
    first = hl7_message_ingest(adt("A01", "C1"))
    again = hl7_message_ingest(adt("A01", "C1", ward="Other Ward"))
    assert first.ack_code == again.ack_code == "AA"
    assert again.duplicate
    assert Event.objects.get().detail["ward"] == "Elm Ward"
    total = DailyTotal.objects.get(source="acute-pas")
    assert (total.received, total.applied, total.duplicate) == (2, 1, 1)


def test_discharge_ends_the_admission(world):
    hl7_message_ingest(adt("A01", "C1"))
    result = hl7_message_ingest(adt("A03", "C2", when="20260115110000+0000"))
    assert result.ack_code == "AA", result.reason
    admission = Event.objects.get(kind=EventKind.ADMISSION)
    assert admission.ended_at is not None
    discharge = Event.objects.get(kind=EventKind.DISCHARGE)
    assert discharge.detail["pathway"] == "1"
    assert discharge.detail["admission_id"] == "V1"


def test_cancel_admission_marks_it_and_notes_the_cancellation(world):
    hl7_message_ingest(adt("A01", "C1"))
    result = hl7_message_ingest(adt("A11", "C2"))
    assert result.ack_code == "AA", result.reason
    admission = Event.objects.get(kind=EventKind.ADMISSION)
    assert admission.detail["cancelled"] == "true"
    assert admission.summary.startswith("Cancelled: ")
    note = Event.objects.get(kind=EventKind.OTHER)
    assert note.detail["cancels"] == "V1"


def test_cancel_discharge_reopens_the_admission(world):
    hl7_message_ingest(adt("A01", "C1"))
    hl7_message_ingest(adt("A03", "C2"))
    result = hl7_message_ingest(adt("A13", "C3"))
    assert result.ack_code == "AA", result.reason
    assert Event.objects.get(kind=EventKind.ADMISSION).ended_at is None
    assert Event.objects.get(kind=EventKind.DISCHARGE).detail["cancelled"] == "true"


def test_cancel_transfer(world):
    hl7_message_ingest(adt("A01", "C1"))
    hl7_message_ingest(adt("A02", "C2"))
    result = hl7_message_ingest(adt("A12", "C3"))
    assert result.ack_code == "AA", result.reason
    assert Event.objects.get(kind=EventKind.TRANSFER).detail["cancelled"] == "true"


def test_cancel_of_unknown_admission_is_an_application_error(world):
    result = hl7_message_ingest(adt("A11", "C9", visit="NOPE"))
    assert result.ack_code == "AE"
    assert "not on record" in result.reason
    assert not Person.objects.filter(identifiers__value="M100").exists()
    assert QuarantineItem.objects.get().control_id == "C9"


def test_discharge_of_an_unknown_stay_is_refused_and_quarantined(world):
    result = hl7_message_ingest(adt("A03", "C9", visit="NOPE"))
    assert result.ack_code == "AE"
    assert "not on record" in result.reason and "MSA|AE|C9" in result.ack
    assert not Person.objects.filter(identifiers__value="M100").exists()
    assert not Event.objects.exists()
    assert QuarantineItem.objects.get().control_id == "C9"


def test_a_batch_discharges_a_stay_admitted_earlier_in_the_same_batch(world):
    results = hl7_batch_ingest(
        [adt("A01", "C1", visit="V7"),
         adt("A03", "C2", visit="V7"),
         adt("A03", "C3", visit="GONE"),
         adt("A01", "C4", mrn="B1", nhs=None, visit="V8")]
    )  # fmt: skip
    assert [r.ack_code for r in results] == ["AA", "AA", "AE", "AA"]
    assert Event.objects.get(kind=EventKind.ADMISSION, source_id="V7").ended_at
    assert Event.objects.filter(kind=EventKind.DISCHARGE).count() == 1
    assert QuarantineItem.objects.get().control_id == "C3"


def test_merge_moves_the_system_records_to_the_surviving_person(world):
    hl7_message_ingest(adt("A01", "C1", mrn="OLD1", nhs=None, visit="V1"))
    old = Person.objects.get(identifiers__value="OLD1")
    hl7_message_ingest(adt("A28", "C2", mrn="NEW1"))
    result = hl7_message_ingest(adt("A40", "C3", mrn="NEW1", mrg="OLD1", pv1=False))
    assert result.ack_code == "AA", result.reason
    survivor = Person.objects.get(identifiers__value="NEW1")
    assert Identifier.objects.get(value="OLD1").person == survivor
    assert Event.objects.get(kind=EventKind.ADMISSION).person == survivor
    assert Person.objects.filter(pk=old.pk).exists()  # kept
    note = Event.objects.get(kind=EventKind.OTHER)
    assert note.detail["merged_person_id"] == str(old.pk)


def test_merge_with_unknown_prior_identifier(world):
    result = hl7_message_ingest(adt("A40", "C3", mrg="GHOST", pv1=False))
    assert result.ack_code == "AE"
    assert "MRG-1" in result.reason


@pytest.mark.parametrize(
    ("message", "code", "words"),
    [
        (adt("A99", "X1"), "AR", "event 'A99' is not supported"),
        (adt("A01", "X2").replace("ADT^A01", "ORU^R01"), "AR", "ADT only"),
        (adt("A01", "X3").replace("^~\\&", "^~#&", 1), "AR", "encoding characters"),
        ("PID|1||M1^^^RJU^MR", "AR", "does not start with an MSH"),
        (adt("A01", ""), "AR", "MSH-10"),
        (adt("A01", "X4", facility="ZZZ"), "AR", "sending facility"),
        ("\r".join(s for s in adt("A01", "X5").split("\r") if not s.startswith("PID")),
         "AR", "segment PID is missing"),
        (adt("A01", "X6", pv1=False), "AR", "PV1 is missing"),
        (adt("A01", "X7", dob="19411332"), "AE", "date of birth is not a valid date"),
        (adt("A01", "X8", when="20261340"), "AE", "not a valid date"),
        (adt("A01", "X9", nhs="9990000001"), "AE", "Modulus 11"),
        (adt("A01", "X10", nhs="12345"), "AE", "must be 10 digits"),
        (adt("A01", "X11", mrn=""), "AE", "no hospital number"),
        # No visit number, no account number, no admit time: nothing to know
        # the visit by.
        (adt("A03", "X12", visit=""), "AE", "PV1-19 visit number is missing"),
    ],
)  # fmt: skip
def test_bad_messages_are_quarantined_with_a_specific_reason(
    world, message, code, words
):
    result = hl7_message_ingest(message)
    assert result.ack_code == code
    assert words in result.reason
    assert f"MSA|{code}|" in result.ack
    assert "ERR|" in result.ack
    item = QuarantineItem.objects.get()
    assert item.raw == message and words in item.reason
    assert not Event.objects.exists()
    assert not Person.objects.filter(identifiers__value="M100").exists()


def test_unknown_pid_32_code_is_read_as_not_traced_not_refused(world):
    # PID-32 "AL" (HL7 table 0445: the name is an alias) is not an NHS number
    # status: the message is applied, the number held as not traced.
    result = hl7_message_ingest(adt("A01", "X13", nhs_status="AL"))
    assert result.ack_code == "AA", result.reason
    person = Person.objects.get(identifiers__value="M100")
    assert person.nhs_number == NHS and not person.nhs_number_verified


def test_reasons_do_not_repeat_patient_values(world):
    result = hl7_message_ingest(adt("A01", "X9", nhs="9990000001", dob="19411332"))
    assert "9990000001" not in result.reason and "19411332" not in result.reason


def test_batch_isolates_a_failing_message_and_commits_nothing_of_it(world, monkeypatch):
    from joinedup.interop.hl7v2 import ingest

    real = ingest.adt_write

    def explode(plan):
        if plan.message.header.control_id == "BOOM":
            real(plan)  # writes, then fails: nothing of it may be committed
            raise RuntimeError("disk on fire")
        return real(plan)

    monkeypatch.setattr(ingest, "adt_write", explode)
    results = hl7_batch_ingest(
        [adt("A01", "C1", mrn="A1", nhs=None, visit="V1"),
         adt("A01", "BOOM", mrn="B1", nhs=None, visit="V2"),
         adt("A01", "C3", mrn="C1", nhs=None, visit="V3")]
    )  # fmt: skip
    assert [r.ack_code for r in results] == ["AA", "AE", "AA"]
    assert "internal error" in results[1].reason
    assert not Person.objects.filter(identifiers__value="B1").exists()
    assert not MessageReceipt.objects.filter(control_id="BOOM").exists()
    assert QuarantineItem.objects.get().control_id == "BOOM"
    assert Event.objects.count() == 2


def test_batch_duplicate_within_the_batch(world):
    results = hl7_batch_ingest([adt("A01", "C1"), adt("A01", "C1")])
    assert [r.duplicate for r in results] == [False, True]
    assert Event.objects.count() == 1


def test_same_bad_message_twice_is_one_quarantine_item(world):
    hl7_message_ingest(adt("A99", "X1"))
    hl7_message_ingest(adt("A99", "X1"))
    assert QuarantineItem.objects.count() == 1
    assert DailyTotal.objects.get(source="acute-pas").quarantined == 2


def test_messages_from_text_formats():
    one, two = adt("A01", "C1"), adt("A03", "C2")
    assert list(messages_from_text(f"{one}\n{two}\n")) == [one, two]
    framed = f"\x0b{one}\x1c\r\x0b{two}\x1c\r"
    assert list(messages_from_text(framed)) == [one, two]
    lines = one.replace("\r", "\n") + "\n" + two.replace("\r", "\n")
    assert list(messages_from_text(lines)) == [one, two]


def test_messages_from_text_with_crlf_segments_and_a_batch_envelope():
    one, two = adt("A01", "C1"), adt("A03", "C2")
    crlf = "FHS|^~\\&|PAS|RJU\r\nBHS|^~\\&|PAS|RJU\r\n"
    crlf += one.replace("\r", "\r\n") + "\r\n" + two.replace("\r", "\r\n")
    crlf += "\r\nBTS|2\r\nFTS|1\r\n"
    assert list(messages_from_text(crlf)) == [one, two]


def test_unverified_nhs_number_does_not_match(world):
    nhs = valid_nhs_number(77)
    hl7_message_ingest(adt("A28", "C1", mrn="P1", nhs=nhs, nhs_status="01"))
    hl7_message_ingest(adt("A28", "C2", mrn="P2", nhs=nhs, nhs_status="02"))
    first = Person.objects.get(identifiers__value="P1")
    second = Person.objects.get(identifiers__value="P2")
    assert first != second
