"""UCR pages: record a referral by NHS number (bad input names the field and
saves nothing), the queue, contact and outcome, the dashboard."""

from __future__ import annotations

import pytest
from django.urls import reverse

from joinedup.governance.models import OrganisationType, Role, Team
from joinedup.ucr.models import UcrReferral
from tests.coordination.coordb_helpers import login
from tests.factories import OrganisationFactory, professional

pytestmark = pytest.mark.django_db


@pytest.fixture
def matron(world):
    trust = OrganisationFactory(
        code="RJC",
        name="Joinedup Community Health",
        type=OrganisationType.COMMUNITY_TRUST,
    )
    team = Team.objects.create(organisation=trust, name="Urgent community response")
    user = professional(Role.COMMUNITY_MATRON, trust, username="ucrm")
    user.memberships.update(team=team)
    return user


def test_record_see_and_close_a_referral(client, world, matron):
    login(client, matron)
    bad = client.post(
        reverse("ucr_queue"),
        {"nhs_number": "123", "source": "nhs_111", "reason": "Fall"},
    )
    assert (
        bad.status_code == 400 and "valid 10-digit NHS number" in bad.content.decode()
    )
    no_reason = client.post(
        reverse("ucr_queue"),
        {"nhs_number": world.stranger.nhs_number, "source": "nhs_111", "reason": ""},
    )
    assert no_reason.status_code == 400
    assert not UcrReferral.objects.exists()
    made = client.post(
        reverse("ucr_queue"),
        {
            "nhs_number": world.stranger.nhs_number,
            "source": "nhs_111",
            "reason": "Fall",
        },
    )
    referral = UcrReferral.objects.get()
    assert made.url == reverse("ucr_referral", args=[referral.pk])
    queue = client.get(reverse("ucr_queue")).content.decode()
    assert world.stranger.display_name in queue and "min left" in queue
    client.post(reverse("ucr_referral_action", args=[referral.pk, "contact"]))
    missing = client.post(
        reverse("ucr_referral_action", args=[referral.pk, "outcome"]),
        {"outcome": "conveyed"},
    )
    assert (
        missing.status_code == 400
        and "nine clinical conditions" in missing.content.decode()
    )
    closed = client.post(
        reverse("ucr_referral_action", args=[referral.pk, "outcome"]),
        {"clinical_reason": "falls", "outcome": "remained_at_home"},
    )
    # Closing ends the team's task; they go back to the queue, told it is done.
    assert closed.url == reverse("ucr_queue") + "?closed=1"
    assert "Outcome recorded" in client.get(closed.url).content.decode()
    board = client.get(reverse("ucr_dashboard")).content.decode()
    assert 'data-testid="ucr-within">1 of 1' in board
    assert 'data-testid="ucr-avoided">1<' in board


def test_the_queue_is_for_the_community_team(client, world):
    login(client, world.gp)
    assert client.get(reverse("ucr_queue")).status_code == 403
    assert client.get(reverse("ucr_dashboard")).status_code == 403
