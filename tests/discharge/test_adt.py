"""Stays follow ADT messages arriving over the real MLLP listener: an A01 puts the
patient on the board, an A03 discharges the stay and completes the council's
hand-off task."""

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from joinedup.coordination.models import Task, TaskStatus
from joinedup.discharge.models import HospitalStay
from joinedup.discharge.services import delay_record, readiness_record
from tests.conftest import actor_for
from tests.discharge.conftest import hl7_adt, mllp_listener, mllp_send
from tests.factories import PASSWORD


def test_admission_and_discharge_over_mllp_move_the_stay_and_task(
    transactional_db, world
):
    admitted = timezone.now().replace(microsecond=0) - dt.timedelta(days=4)
    with mllp_listener() as port:
        ack = mllp_send(port, hl7_adt(world, "A01", "ADM1", visit="V9", when=admitted))
        assert "MSA|AA|ADM1" in ack, ack
        stay = HospitalStay.objects.get(admission_source_id="V9")
        assert stay.person == world.person
        assert stay.discharged_at is None

        dc = actor_for(world.discharge_coordinator)
        readiness_record(
            actor=dc,
            stay_id=stay.pk,
            ready_on=timezone.localdate() - dt.timedelta(days=1),
            clinical_agreed=True,
            mdt_agreed=True,
            pathway="1",
        )
        delay_record(actor=dc, stay_id=stay.pk, reason="E", agency="social_care")
        task = Task.objects.get()
        assert task.status == TaskStatus.OPEN

        left = timezone.now().replace(microsecond=0)
        ack = mllp_send(port, hl7_adt(world, "A03", "DIS1", visit="V9", when=left))
        assert "MSA|AA|DIS1" in ack, ack
        # The same discharge again is a duplicate: acknowledged, nothing changes.
        again = mllp_send(port, hl7_adt(world, "A03", "DIS1", visit="V9", when=left))
        assert "MSA|AA|DIS1" in again

    stay.refresh_from_db()
    task.refresh_from_db()
    assert stay.discharged_at == left
    assert stay.discharge_pathway == "1"
    assert task.status == TaskStatus.COMPLETED
    assert "left hospital" in task.outcome


def test_discharge_of_an_unknown_stay_makes_no_stay(transactional_db, world):
    # The listener keeps the message (interop decides the ACK); the discharge
    # side invents no stay for an admission it has never seen.
    with mllp_listener() as port:
        mllp_send(
            port, hl7_adt(world, "A03", "DIS9", visit="NOPE", when=timezone.now())
        )
    assert not HospitalStay.objects.exists()


def test_admission_without_visit_number_over_mllp_reaches_the_ward_board(
    transactional_db, world, client
):
    # No PV1-19 and no PID-18: the stay is keyed by hospital number, site and
    # admit time, and the discharge coordinator sees the patient at once.
    admitted = timezone.now().replace(microsecond=0) - dt.timedelta(hours=3)
    message = hl7_adt(world, "A01", "ADM-NOV", visit="", when=admitted)
    assert "|PV1|" not in message and "\rPV1|1|I|" in message
    with mllp_listener() as port:
        ack = mllp_send(port, message)
    assert "MSA|AA|ADM-NOV" in ack, ack
    stay = HospitalStay.objects.get(person=world.person)
    assert stay.admission_source_id.startswith("DK-")
    assert stay.discharged_at is None and stay.ward == "Ward 7"
    assert client.login(username=world.discharge_coordinator.username,
                        password=PASSWORD)  # fmt: skip
    page = client.get(reverse("discharge_board")).content.decode()
    assert "THORNTON" in page and "Ward 7" in page
