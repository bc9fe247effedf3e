"""Commissioners' urgent community response figures by area: the share reached
within 2 hours, outcomes and admissions avoided, with people who opted out left
out and counts below 5 shown as "<5"."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from joinedup.discharge.models import HospitalStay, StaySetting
from joinedup.errors import AccessRefused, InvalidInput
from joinedup.governance.models import AuditEntry, OrganisationType
from joinedup.ucr.figures import Referred, area_figures, district, ucr_figures
from joinedup.ucr.models import UcrReferral
from tests.conftest import actor_for
from tests.coordination.coordb_helpers import login
from tests.factories import OrganisationFactory, PersonFactory

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _referred(n: int, postcode: str, *, minutes: int | None, outcome: str = ""):
    return Referred(
        person_id=n,
        postcode=postcode,
        received_at=T0,
        due_at=T0 + dt.timedelta(hours=2),
        contact_at=None if minutes is None else T0 + dt.timedelta(minutes=minutes),
        outcome=outcome,
    )


def test_district_is_the_outward_code():
    assert district("ju3 4ab") == "JU3"
    assert district("JU12 9ZZ") == "JU12"
    assert district("") == "Unknown"


def test_area_figures_count_the_clock_outcomes_and_admissions_avoided():
    now = T0 + dt.timedelta(hours=3)
    referred = [
        _referred(1, "JU1 1AA", minutes=30, outcome="remained_at_home"),
        _referred(2, "JU1 2AB", minutes=90, outcome="remained_at_home"),
        _referred(3, "JU1 3AA", minutes=100, outcome="conveyed"),
        _referred(4, "JU1 4AA", minutes=119, outcome="remained_at_home"),
        _referred(5, "JU1 5AA", minutes=121, outcome="admitted"),  # late
        _referred(6, "JU1 6AA", minutes=None),  # never reached: due, not within
        _referred(7, "JU2 1AA", minutes=10, outcome="remained_at_home"),
    ]
    # Person 2 stayed at home but was admitted 30 hours later: not avoided.
    admissions = {2: [T0 + dt.timedelta(hours=30)]}
    rows, total = area_figures(referred, admissions, now=now)
    ju1, ju2 = rows
    assert ju1.area == "JU1"
    assert (ju1.referrals, ju1.due, ju1.within_2h) == ("6", "6", "<5")
    assert ju1.share == ""  # 4 reached within 2 hours is too few to show a share
    assert ju1.outcomes == {
        "remained_at_home": "<5",
        "conveyed": "<5",
        "admitted": "<5",
    }
    assert ju1.avoided == "<5"
    assert (ju2.referrals, ju2.avoided, ju2.share) == ("<5", "<5", "")
    assert (total.area, total.referrals, total.within_2h) == ("All areas", "7", "5")
    assert total.share == "71%"
    # A referral whose clock is still running is not yet due.
    running = [_referred(8, "JU1 1AA", minutes=None)]
    _, early = area_figures(running, {}, now=T0 + dt.timedelta(minutes=20))
    assert (early.referrals, early.due) == ("<5", "0")


@pytest.fixture
def referrals(world):
    trust = OrganisationFactory(
        code="RJC", name="Community Health", type=OrganisationType.COMMUNITY_TRUST
    )
    now = timezone.now()

    def make(postcode: str, minutes: int, outcome: str, **person):
        p = PersonFactory(postcode=postcode, **person)
        received = now - dt.timedelta(days=3)
        return UcrReferral.objects.create(
            person=p,
            source="nhs_111",
            organisation=trust,
            reason="Fall at home",
            received_at=received,
            due_at=received + dt.timedelta(hours=2),
            recorded_by=world.gp,
            contact_at=received + dt.timedelta(minutes=minutes),
            outcome=outcome,
            closed_at=received + dt.timedelta(hours=4),
        )

    for minutes in (20, 45, 60, 80, 100):
        made = make("JU3 4AB", minutes, "remained_at_home")
    # The fifth stayed at home but was admitted 20 hours later: not avoided.
    HospitalStay.objects.create(
        person=made.person,
        organisation=world.hospital,
        source_system=world.pas,
        admission_source_id="UCR-FIG-1",
        site="RJU01",
        setting=StaySetting.INPATIENT,
        admitted_at=made.received_at + dt.timedelta(hours=20),
    )
    make("JU3 5AA", 150, "conveyed")
    make("JU4 1AA", 30, "remained_at_home")
    # Opted out: not counted at all for planning.
    make("JU4 2AA", 30, "remained_at_home", national_data_opt_out=True)
    return world


def test_commissioners_see_figures_by_area_with_small_numbers_suppressed(
    referrals,
):
    figures = ucr_figures(actor=actor_for(referrals.commissioner), days=28)
    by_area = {r.area: r for r in figures.rows}
    assert set(by_area) == {"JU3", "JU4"}
    ju3 = by_area["JU3"]
    assert (ju3.referrals, ju3.due, ju3.within_2h, ju3.share) == ("6", "6", "5", "83%")
    assert ju3.outcomes["remained_at_home"] == "5"
    assert ju3.outcomes["conveyed"] == "<5"
    assert ju3.avoided == "<5"  # 4: one of the five was admitted
    ju4 = by_area["JU4"]
    assert (ju4.referrals, ju4.share, ju4.avoided) == ("<5", "", "<5")
    assert figures.total.referrals == "7"
    assert AuditEntry.objects.filter(action="ucr_figures").exists()


def test_figures_are_for_commissioners_and_the_period_is_checked(referrals):
    with pytest.raises(AccessRefused):
        ucr_figures(actor=actor_for(referrals.gp))
    assert AuditEntry.objects.filter(action="ucr_figures").exists()
    with pytest.raises(InvalidInput) as bad:
        ucr_figures(actor=actor_for(referrals.commissioner), days=1000)
    assert "days" in bad.value.fields


def test_figures_page(client, referrals):
    login(client, referrals.commissioner)
    page = client.get(reverse("ucr_figures"))
    html = page.content.decode()
    assert page.status_code == 200
    assert "JU3" in html and "83%" in html and "&lt;5" in html
    assert 'data-testid="ucr-figures-total"' in html
    bad = client.get(reverse("ucr_figures"), {"days": "lots"})
    assert bad.status_code == 400 and "whole number of days" in bad.content.decode()
    login(client, referrals.gp)
    assert client.get(reverse("ucr_figures")).status_code == 403
