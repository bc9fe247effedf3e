"""Referral pages: send from a person's page with errors shown, the receiving
team's list and actions, the sender's outgoing list."""

from __future__ import annotations

import html

import pytest
from django.urls import reverse
from django.utils import timezone

from joinedup.coordination.models import Referral, ReferralStatus, Task
from joinedup.governance.models import AuditEntry, ConsentRecord
from tests.coordination.coordb_helpers import login, partners_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def partners(world):
    return partners_make(world)


def _form(partners, **overrides):
    data = {
        "referral_type": "community_nursing",
        "to": f"team:{partners.nursing.pk}",
        "urgency": "urgent",
        "reason": "Leg ulcer dressings after discharge",
        "consent_basis": "consent",
    }
    data.update(overrides)
    return data


def _text(response) -> str:
    return html.unescape(response.content.decode())


def test_send_accept_and_see_status_without_chasing(client, world, partners):
    login(client, world.social_worker)
    url = reverse("person_referrals", args=[world.person.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Send a referral" in _text(page)
    response = client.post(url, _form(partners))
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("referral_detail", args=[referral.pk])

    client.logout()
    login(client, partners.nurse)
    incoming = _text(client.get(reverse("referrals")))
    assert "Margaret" in incoming and "Community nursing" in incoming
    assert "Urgent" in incoming
    detail = _text(client.get(reverse("referral_detail", args=[referral.pk])))
    assert "Leg ulcer dressings" in detail and "Accept referral" in detail
    client.post(
        reverse("referral_accept", args=[referral.pk]),
        {"assign_user": str(partners.nurse.pk)},
    )
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    tasks = _text(client.get(reverse("tasks")))
    assert "Respond to referral: Community nursing" in tasks

    client.logout()
    login(client, world.social_worker)
    outgoing = _text(client.get(reverse("referrals") + "?box=outgoing"))
    assert "Accepted" in outgoing and "Responded within the standard" in outgoing
    assert "Nia Nurse" in outgoing


def test_missing_reason_and_basis_are_shown_with_the_form_kept(client, world, partners):
    login(client, world.social_worker)
    url = reverse("person_referrals", args=[world.person.pk])
    response = client.post(url, _form(partners, reason="", consent_basis=""))
    assert response.status_code == 400
    body = _text(response)
    assert "There is a problem" in body
    assert "say why you are referring" in body
    response = client.post(url, _form(partners, consent_basis=""))
    body = _text(response)
    assert "record the basis for sharing" in body
    assert "Leg ulcer dressings after discharge" in body  # kept
    assert not Referral.objects.exists()


def test_own_team_and_objection_errors(client, world, partners):
    login(client, world.social_worker)
    url = reverse("person_referrals", args=[world.person.pk])
    response = client.post(url, _form(partners, to=f"team:{partners.council_team.pk}"))
    assert response.status_code == 400
    assert "is your own team" in _text(response)
    ConsentRecord.objects.create(
        person=world.person,
        category="",
        organisation=partners.trust,
        decision="objection",
        method="written",
        recorded_by=world.social_worker,
        recorded_at=timezone.now(),
    )
    response = client.post(url, _form(partners))
    assert response.status_code == 403
    assert "has objected to sharing" in _text(response)
    assert not Referral.objects.exists() and not Task.objects.exists()


def test_decline_without_reason_shows_the_error(client, world, partners):
    login(client, world.social_worker)
    client.post(reverse("person_referrals", args=[world.person.pk]), _form(partners))
    referral = Referral.objects.get()
    client.logout()
    login(client, partners.nurse)
    url = reverse("referral_decline", args=[referral.pk])
    response = client.post(url, {"decline_reason": ""})
    assert response.status_code == 400
    assert "say why the referral is declined" in _text(response)
    client.post(url, {"decline_reason": "Not housebound"})
    response = client.post(reverse("referral_accept", args=[referral.pk]), {})
    assert response.status_code == 409
    assert "already declined" in _text(response)


def test_a_stranger_is_refused_the_referral_page(client, world, partners):
    login(client, world.social_worker)
    client.post(reverse("person_referrals", args=[world.person.pk]), _form(partners))
    referral = Referral.objects.get()
    client.logout()
    stranger = partners.nurse2
    stranger.memberships.update(team=None, organisation=world.icb)
    login(client, stranger)
    before = AuditEntry.objects.count()
    response = client.get(reverse("referral_detail", args=[referral.pk]))
    assert response.status_code == 403
    assert "Leg ulcer" not in _text(response)
    assert AuditEntry.objects.count() == before + 1
