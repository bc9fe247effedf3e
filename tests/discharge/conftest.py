import datetime as dt

import pytest
from django.utils import timezone

from joinedup.discharge.services import stays_sync
from joinedup.record.models import EventKind
from tests.factories import EventFactory


def adt(world, kind, source_id, when, person=None, **detail):
    return EventFactory(
        person=person or world.person,
        source_system=world.pas,
        source_id=source_id,
        kind=kind,
        category="health",
        occurred_at=when,
        summary=f"{kind} event",
        detail=detail,
    )


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def inpatient(world, now):
    """World's person admitted to the hospital 5 days ago, still in."""
    adt(
        world,
        EventKind.ADMISSION,
        "V1",
        now - dt.timedelta(days=5),
        ward="Ward 7",
        site="RJU01",
        admission_method="emergency",
    )
    stays_sync(person_ids=[world.person.pk])
    return world.person.hospital_stays.get()


def ready_and_delayed(
    stay,
    by,
    *,
    ready_on: dt.date,
    recorded_at: dt.datetime,
    pathway: str = "1",
    reason: str = "E",
    agency: str = "social_care",
    delay_recorded_at: dt.datetime | None = None,
):
    """Record a stay as ready for discharge (clinical and MDT agreement) and its
    current delay reason, as a discharge coordinator would."""
    from joinedup.discharge.models import DelayReason, Readiness

    Readiness.objects.create(
        stay=stay,
        ready_on=ready_on,
        clinical_agreed=True,
        mdt_agreed=True,
        expected_pathway=pathway,
        recorded_by=by,
        recorded_at=recorded_at,
    )
    DelayReason.objects.create(
        stay=stay,
        reason=reason,
        agency=agency,
        recorded_by=by,
        recorded_at=delay_recorded_at or recorded_at,
    )
