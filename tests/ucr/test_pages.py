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


def test_the_person_page_links_to_ucr_work_only_when_the_viewer_may_see_it(
    client, world, matron
):
    from django.utils import timezone

    from joinedup.governance.models import ConsentRecord
    from joinedup.ucr.services import ucr_referral_receive
    from tests.coordination.coordb_helpers import team_actor

    login(client, world.gp)
    record = reverse("person_detail", args=[world.person.pk])
    assert 'data-testid="ucr-person-link"' not in client.get(record).content.decode()
    ucr_referral_receive(
        actor=team_actor(matron),
        person_id=world.person.pk,
        source="nhs_111",
        reason="Confused since this morning",
    )
    html = client.get(record).content.decode()
    assert 'data-testid="ucr-person-link"' in html
    listing = client.get(reverse("ucr_person", args=[world.person.pk]))
    assert listing.status_code == 200 and "NHS 111" in listing.content.decode()
    # The person objects to the practice seeing their health information.
    ConsentRecord.objects.create(
        person=world.person,
        category="health",
        organisation=world.practice,
        decision="objection",
        method="verbal",
        recorded_by=world.gp,
        recorded_at=timezone.now(),
    )
    html = client.get(record).content.decode()
    assert 'data-testid="person-name"' in html
    assert 'data-testid="ucr-person-link"' not in html
    listing = client.get(reverse("ucr_person", args=[world.person.pk]))
    assert "NHS 111" not in listing.content.decode()
    # The community team still sees its own referral.
    login(client, matron)
    html = client.get(record).content.decode()
    assert 'data-testid="ucr-person-link"' in html
