import datetime as dt

import pytest
from django.utils import timezone

from joinedup.discharge.models import DelayReason, HospitalStay, Readiness
from joinedup.discharge.notices import notice_record
from joinedup.discharge.services import (
    delay_record,
    readiness_record,
    stays_sync,
    stays_sync_all,
)
from joinedup.errors import AccessRefused, InvalidInput
from joinedup.governance.models import AuditEntry
from joinedup.record.models import EventKind
from joinedup.record.services import event_cancel
from tests.conftest import actor_for
from tests.discharge.conftest import adt

T0 = dt.datetime(2026, 1, 5, 10, tzinfo=dt.UTC)


def test_admission_transfer_discharge_build_one_stay(world):
    adt(world, EventKind.ADMISSION, "V1", T0, ward="AMU", site="RJU01")
    adt(
        world,
        EventKind.TRANSFER,
        "T1",
        T0 + dt.timedelta(days=1),
        ward="Ward 7",
        site="RJU02",
        admission_id="V1",
    )
    adt(
        world,
        EventKind.DISCHARGE,
        "D1",
        T0 + dt.timedelta(days=4),
        ward="Ward 7",
        site="RJU02",
        admission_id="V1",
        pathway="1",
        destination="Home",
    )
    tally = stays_sync(person_ids=[world.person.pk])
    assert tally.created == 1
    stay = HospitalStay.objects.get()
    assert (stay.site, stay.ward, stay.discharge_pathway) == ("RJU02", "Ward 7", "1")
    assert stay.discharged_at == T0 + dt.timedelta(days=4)
    again = stays_sync(person_ids=[world.person.pk])
    assert (again.created, again.updated, again.removed) == (0, 0, 0)


def test_cancelled_discharge_reopens_and_cancelled_admission_removes(world):
    adt(world, EventKind.ADMISSION, "V1", T0, ward="AMU", site="RJU01")
    dis = adt(
        world, EventKind.DISCHARGE, "D1", T0 + dt.timedelta(days=2), admission_id="V1"
    )
    stays_sync(person_ids=[world.person.pk])
    assert HospitalStay.objects.get().discharged_at is not None
    event_cancel(
        event=dis,
        cancelled_by="A13",
        cancelled_at=T0 + dt.timedelta(days=2),
        note_source_id="N1",
        note_summary="cancelled",
    )
    assert stays_sync(person_ids=[world.person.pk]).updated == 1
    assert HospitalStay.objects.get().discharged_at is None
    adm = world.person.events.get(source_id="V1")
    event_cancel(
        event=adm,
        cancelled_by="A11",
        cancelled_at=T0 + dt.timedelta(days=3),
        note_source_id="N2",
        note_summary="cancelled",
    )
    assert stays_sync(person_ids=[world.person.pk]).removed == 1
    assert not HospitalStay.objects.exists()


def test_orphan_discharge_makes_no_stay_and_sync_all(world):
    adt(world, EventKind.DISCHARGE, "D9", T0, admission_id="UNKNOWN")
    adt(world, EventKind.ADMISSION, "V2", T0, person=world.stranger, site="X")
    tally = stays_sync_all()
    assert tally.created == 1
    assert HospitalStay.objects.get().person == world.stranger


def test_ready_then_delay_audited(world, inpatient):
    dc = actor_for(world.discharge_coordinator)
    before = AuditEntry.objects.count()
    today = timezone.localdate()
    readiness_record(
        actor=dc,
        stay_id=inpatient.pk,
        ready_on=today,
        clinical_agreed=True,
        mdt_agreed=True,
        pathway="1",
        destination="Home",
    )
    delay_record(actor=dc, stay_id=inpatient.pk, reason="e", agency="social_care")
    delay_record(actor=dc, stay_id=inpatient.pk, reason="F", agency="both")
    # Three records opened, plus the cancelled hand-off of reason E (audited).
    assert AuditEntry.objects.count() == before + 4
    assert list(
        DelayReason.objects.order_by("recorded_at", "id").values_list(
            "reason", flat=True
        )
    ) == ["E", "F"]


def test_bad_ready_input_saves_nothing(world, inpatient):
    dc = actor_for(world.discharge_coordinator)
    with pytest.raises(InvalidInput) as exc:
        readiness_record(
            actor=dc,
            stay_id=inpatient.pk,
            ready_on=timezone.localdate() - dt.timedelta(days=30),
            clinical_agreed=False,
            mdt_agreed=True,
            pathway="7",
        )
    assert {"ready_on", "clinical_agreed", "pathway"} <= set(exc.value.fields)
    assert not Readiness.objects.exists()


def test_delay_on_someone_not_ready(world, inpatient):
    with pytest.raises(InvalidInput) as exc:
        delay_record(
            actor=actor_for(world.discharge_coordinator),
            stay_id=inpatient.pk,
            reason="E",
            agency="social_care",
        )
    assert "reason" in exc.value.fields
    assert not DelayReason.objects.exists()


def test_only_coordinator_at_the_hospital_records(world, inpatient):
    before = AuditEntry.objects.count()
    with pytest.raises(AccessRefused):
        delay_record(
            actor=actor_for(world.social_worker),
            stay_id=inpatient.pk,
            reason="E",
            agency="social_care",
        )
    entry = AuditEntry.objects.order_by("-seq").first()
    assert AuditEntry.objects.count() == before + 1 and entry.outcome == "refused"


def test_notice_recorded_and_checked(world, inpatient):
    dc = actor_for(world.discharge_coordinator)
    now = timezone.now()
    with pytest.raises(InvalidInput):
        notice_record(
            actor=dc,
            stay_id=inpatient.pk,
            kind="assessment",
            council_id=world.hospital.pk,
            sent_at=now,
        )
    with pytest.raises(InvalidInput):
        notice_record(
            actor=dc,
            stay_id=inpatient.pk,
            kind="assessment",
            council_id=world.council.pk,
            sent_at=now,
            acknowledged_at=now - dt.timedelta(hours=1),
        )
    n = notice_record(
        actor=dc,
        stay_id=inpatient.pk,
        kind="assessment",
        council_id=world.council.pk,
        sent_at=now,
    )
    assert n.acknowledged_at is None
