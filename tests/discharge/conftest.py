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
