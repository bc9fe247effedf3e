"""Writes to the person index from source records."""

import datetime as dt

from joinedup.people.models import Involvement
from joinedup.people.services import SourceDemographics, person_from_source_upsert
from tests.factories import SourceSystemFactory


def test_a_system_hosted_by_the_icb_does_not_involve_the_icb(world):
    """The GP system for all practices runs at the ICB; holding the records does
    not give the ICB's staff a relationship with every patient: the registered
    practice does."""
    hosted = SourceSystemFactory(code="gp-hosted", organisation=world.icb)
    person = person_from_source_upsert(
        source_system=hosted,
        local_id="G1",
        demographics=SourceDemographics(
            nhs_number=None,
            nhs_number_status="03",
            given_name="Alma",
            family_name="Reyes",
            birth_date=dt.date(1950, 5, 6),
            sex="female",
        ),
        seen_at=dt.datetime(2026, 11, 1, tzinfo=dt.UTC),
        gp_practice_code="J81001",
    )
    involved = set(
        Involvement.objects.filter(person=person).values_list(
            "organisation__code", "kind"
        )
    )
    assert involved == {("J81001", "registered_gp")}
