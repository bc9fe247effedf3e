"""The care team page: members across organisations, the lead marked, join
(which gives the new member access), set lead, leave (which ends it)."""

import html
import re

import pytest
from django.urls import reverse

from joinedup.coordination.models import CareTeamMember
from joinedup.governance.models import AuditEntry, Membership, OrganisationType, Role
from tests.factories import PASSWORD, OrganisationFactory, professional


@pytest.fixture
def nurse(world):
    trust = OrganisationFactory(
        code="RCT",
        name="Joinedup Community Trust",
        type=OrganisationType.COMMUNITY_TRUST,
    )
    return professional(
        Role.COMMUNITY_MATRON,
        trust,
        username="nurse",
        first_name="Nia",
        last_name="Nurse",
    )


def login(client, user):
    client.logout()
    assert client.login(username=user.username, password=PASSWORD)


def text(response):
    """The page's text without tags, spaces collapsed."""
    return " ".join(
        re.sub(r"<[^>]+>", " ", html.unescape(response.content.decode())).split()
    ).replace(" ,", ",")


def test_join_lead_and_leave(client, world, nurse):
    page_url = reverse("team_page", args=[world.person.pk])
    login(client, nurse)
    assert client.get(page_url).status_code == 403  # no relationship yet

    login(client, world.social_worker)
    page = client.get(page_url)
    body = text(page)
    assert page.status_code == 200 and "No lead professional has been chosen" in body
    assert "Nia Nurse (Community matron, Joinedup Community Trust)" in body
    membership = Membership.objects.get(user=nurse)
    response = client.post(
        page_url, {"action": "join", "membership": membership.pk, "lead": "yes"}
    )
    assert response.status_code == 302
    body = text(client.get(page_url))
    assert (
        "Lead professional: Nia Nurse, Community matron, Joinedup Community Trust"
        in body
    )
    assert "2 professionals from 2 organisations" in body

    login(client, nurse)
    assert client.get(page_url).status_code == 200  # joining gave access

    sw_member = CareTeamMember.objects.get(user=world.social_worker)
    client.post(page_url, {"action": "lead", "member": sw_member.pk})
    assert CareTeamMember.objects.get(pk=sw_member.pk).is_lead
    nurse_member = CareTeamMember.objects.get(user=nurse)
    response = client.post(page_url, {"action": "leave", "member": nurse_member.pk})
    assert response.status_code == 302
    assert client.get(page_url).status_code == 403  # leaving ended it


def test_the_lead_cannot_leave_while_others_remain(client, world, nurse):
    page_url = reverse("team_page", args=[world.person.pk])
    login(client, world.social_worker)
    client.post(
        page_url,
        {"action": "join", "membership": Membership.objects.get(user=nurse).pk},
    )
    sw_member = CareTeamMember.objects.get(user=world.social_worker)
    client.post(page_url, {"action": "lead", "member": sw_member.pk})
    response = client.post(page_url, {"action": "leave", "member": sw_member.pk})
    assert response.status_code == 409
    assert "Choose another lead professional before the lead leaves" in text(response)


def test_bad_input_is_named(client, world):
    page_url = reverse("team_page", args=[world.person.pk])
    login(client, world.social_worker)
    response = client.post(page_url, {"action": "join", "membership": ""})
    assert (
        response.status_code == 400
        and 'href="#membership"' in response.content.decode()
    )
    commissioner = Membership.objects.get(user=world.commissioner)
    response = client.post(page_url, {"action": "join", "membership": commissioner.pk})
    assert response.status_code == 400 and "no direct-care role" in text(response)
    response = client.post(page_url, {"action": "lead", "member": "999"})
    assert response.status_code == 400
    response = client.post(page_url, {"action": "dance"})
    assert response.status_code == 400


def test_a_stranger_is_refused_and_audited(client, world):
    login(client, world.social_worker)
    before = AuditEntry.objects.count()
    response = client.get(reverse("team_page", args=[world.stranger.pk]))
    assert response.status_code == 403
    assert AuditEntry.objects.count() == before + 1
    assert AuditEntry.objects.order_by("-seq").first().outcome == "refused"
