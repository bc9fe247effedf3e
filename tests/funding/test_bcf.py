"""BCF metrics from the platform's own data (DESIGN 4.6), per month, with small
numbers suppressed and opt-outs excluded."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from joinedup.discharge.models import HospitalStay
from joinedup.funding.bcf import first_placements, metrics_compute, monthly
from joinedup.funding.services.pooled import fund_create, scheme_create
from joinedup.people.models import Person
from joinedup.record.models import EventKind
from tests.conftest import actor_for
from tests.factories import PASSWORD, EventFactory, PersonFactory

D = dt.date
UTC = dt.UTC


def test_monthly_suppresses_counts_of_one_to_four():
    months = [D(2026, 1, 1), D(2026, 2, 1), D(2026, 3, 1)]
    figures = monthly(months, {months[0]: 3, months[1]: 10}, 1000, per=100_000)
    assert figures[0].value is None and figures[0].count_shown == "<5"
    assert figures[1].value == 1000.0 and figures[1].count_shown == "10"
    assert figures[2].value == 0.0 and figures[2].count_shown == "0"


def test_first_placement_only():
    assert first_placements(
        [(1, D(2026, 3, 1)), (1, D(2025, 1, 1)), (2, D(2026, 1, 1))]
    ) == {
        1: D(2025, 1, 1),
        2: D(2026, 1, 1),
    }


@pytest.fixture
def older(world):
    """Six people aged 80, each with an emergency falls admission in March
    2026, discharged home; one person has opted out."""
    people = [PersonFactory(birth_date=D(1946, 1, 1)) for _ in range(6)]
    people[5].national_data_opt_out = True
    people[5].save(update_fields=["national_data_opt_out"])
    for i, p in enumerate(people):
        at = dt.datetime(2026, 3, 2 + i, 10, tzinfo=UTC)
        EventFactory(
            person=p,
            source_system=world.pas,
            kind=EventKind.ADMISSION,
            occurred_at=at,
            code="5913000",
            detail={"admission_method": "emergency", "reason": "hip_fracture"},
        )
        HospitalStay.objects.create(
            person=p,
            organisation=world.hospital,
            source_system=world.pas,
            admission_source_id=f"A{i}",
            admitted_at=at,
            discharged_at=at + dt.timedelta(days=5),
            discharge_pathway="1",
            discharge_destination="usual_residence_with_support",
            admission_method="emergency",
        )
    return people


def test_falls_and_usual_residence_from_the_record(world, older):
    metrics = {
        m.definition.key: m
        for m in metrics_compute(
            start=D(2026, 1, 1), end=D(2026, 3, 31), today=D(2026, 11, 1)
        )
    }
    falls = metrics["falls_65"].figures
    assert [f.count for f in falls] == [0, 0, 5]  # the opted-out person is left out
    aged = sum(
        1
        for b in Person.objects.filter(national_data_opt_out=False).values_list(
            "birth_date", flat=True
        )
        if b <= D(1961, 11, 1)
    )
    assert falls[2].of == aged
    assert falls[2].value == pytest.approx(100_000 * 5 / aged)
    home = metrics["usual_residence"].figures[2]
    assert (home.count, home.of, home.value) == (5, 5, 100.0)
    at_home = metrics["at_home_91"].figures[2]
    assert (at_home.count, at_home.of) == (5, 5)
    assert metrics["avoidable_admissions"].figures[2].count == 0


def test_outcomes_page_for_commissioners_only(client, world, older):
    comm = actor_for(world.commissioner)
    fund = fund_create(
        actor=comm,
        name="BCF",
        host_organisation_id=world.council.pk,
        risk_share="proportional",
        partners=[{"organisation_id": world.icb.pk, "source": "icb"}],
    )
    scheme = scheme_create(actor=comm, fund_id=fund.pk, name="Falls", kind="other")
    url = reverse("funding_pooled_outcomes", args=[fund.pk])
    client.login(username="comm", password=PASSWORD)
    page = client.get(url)
    assert page.status_code == 200
    body = page.content.decode()
    assert 'data-testid="bcf-falls_65"' in body and "<svg" in body
    assert client.get(url, {"scheme": str(scheme.pk)}).status_code == 200
    assert client.get(url, {"scheme": "999999"}).status_code == 404
    assert client.get(url, {"months": "7"}).status_code == 400
    client.logout()
    client.login(username="gp", password=PASSWORD)
    assert client.get(url).status_code == 403
