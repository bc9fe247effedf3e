"""Who may act in the person's own view, on whose record, and what each read
leaves in the audit."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from joinedup.errors import AccessRefused, InvalidInput
from joinedup.governance.access import PortalPrincipal, decide
from joinedup.governance.models import AuditEntry, PrincipalRole
from joinedup.portal.models import AuthorityKind
from joinedup.portal.selectors import own_record_open, upcoming_get
from joinedup.portal.services import proxy_authority_record
from tests.conftest import actor_for
from tests.factories import EventFactory, PersonFactory, involve
from tests.portal.helpers import person_sign_in, proxy_make, proxy_sign_in


def _future_event(person, system, category, kind, days=7):
    return EventFactory(
        person=person,
        source_system=system,
        category=category,
        kind=kind,
        occurred_at=timezone.now() + dt.timedelta(days=days),
        summary=f"Future {category}",
    )


def test_the_person_reads_only_their_own_record_and_each_read_is_audited(client, world):
    person_sign_in(client, world.person, "margaret@example.org")
    before = AuditEntry.objects.count()
    assert client.get("/me/care-team/").status_code == 200
    entry = AuditEntry.objects.order_by("-seq").first()
    assert AuditEntry.objects.count() == before + 1
    assert (entry.person_id, entry.role, entry.actor_id) == (
        world.person.pk,
        "person",
        None,
    )
    assert entry.organisation_id is None and entry.channel == "portal"
    assert entry.via == "self" and entry.outcome == "allowed"
    # There is no way to ask for someone else's record: the session holds it.
    session = client.session
    session["portal_subject"] = world.stranger.pk
    session.save()
    assert client.get("/me/care-team/")["Location"] == "/me/choose/"


def test_a_proxys_reads_are_audited_as_the_proxy_under_their_authority(client, world):
    authority = proxy_make(world.person, recorded_by=world.social_worker)
    proxy_sign_in(client, authority)
    assert client.get("/me/about-me/").status_code == 200
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.role == "proxy" and entry.actor_id is None
    assert entry.person_id == world.person.pk
    assert entry.via == f"proxy_authority:{authority.pk}"
    assert "lasting power of attorney" in entry.reason


def test_a_proxy_sees_a_record_only_while_the_authority_is_in_force(client, world):
    today = timezone.localdate()
    authority = proxy_make(world.person, recorded_by=world.social_worker)
    proxy_sign_in(client, authority)
    assert client.get("/me/").status_code == 200

    # The authority ends: the next page goes back to the choice, which is empty.
    authority.ends_on = today - dt.timedelta(days=1)
    authority.save(update_fields=["ends_on"])
    assert client.get("/me/")["Location"] == "/me/choose/"
    page = client.get("/me/choose/")
    assert "There is no record you can see" in page.content.decode()

    # Not yet started: the same.
    authority.starts_on = today + dt.timedelta(days=1)
    authority.ends_on = today + dt.timedelta(days=10)
    authority.save(update_fields=["starts_on", "ends_on"])
    assert client.get("/me/")["Location"] == "/me/choose/"

    # Revoked: the same.
    authority.starts_on = today
    authority.revoked_at = timezone.now()
    authority.save(update_fields=["starts_on", "revoked_at"])
    assert client.get("/me/")["Location"] == "/me/choose/"


def test_a_stale_proxy_principal_is_refused_and_the_refusal_audited(world):
    authority = proxy_make(world.person, recorded_by=world.social_worker)
    principal = PortalPrincipal(
        person_id=world.person.pk,
        role=PrincipalRole.PROXY,
        authority_id=authority.pk,
        proxy_id=authority.proxy_id,
    )
    authority.revoked_at = timezone.now()
    authority.save(update_fields=["revoked_at"])
    with pytest.raises(AccessRefused):
        own_record_open(principal=principal, action="portal_home", categories=())
    entry = AuditEntry.objects.order_by("-seq").first()
    assert entry.outcome == "refused" and entry.role == "proxy"


def test_a_proxy_for_one_person_cannot_see_another(client, world):
    other = PersonFactory(given_name="Olive")
    authority = proxy_make(world.person, recorded_by=world.social_worker)
    proxy_make(
        other,
        recorded_by=world.social_worker,
        ends_on=timezone.localdate() - dt.timedelta(days=1),
    )
    proxy_sign_in(client, authority, choose=False)
    page = client.get("/me/choose/").content.decode()
    assert "Margaret Thornton" in page and "Olive" not in page
    assert client.post("/me/choose/", {"person": other.pk}).status_code == 400


def test_the_portal_principal_gets_nothing_from_the_professional_policy(world):
    principal = PortalPrincipal(person_id=world.person.pk, role=PrincipalRole.PERSON)
    decision = decide(principal, world.person, "view_record", "health")  # type: ignore[arg-type]
    assert not decision.allowed


def test_sealed_safeguarding_is_never_shown_to_a_proxy(client, world, settings):
    _future_event(world.person, world.pas, "health", "admission", days=3)
    _future_event(
        world.person, world.council_system, "safeguarding", "safeguarding_concern"
    )
    _future_event(world.person, world.pas, "sexual_health", "sexual_health_contact")
    authority = proxy_make(world.person, recorded_by=world.social_worker)

    settings.JOINEDUP_PORTAL_SEALED_FROM_PERSON = []  # local policy: person sees it
    person_view = own_record_open(
        principal=PortalPrincipal(person_id=world.person.pk, role=PrincipalRole.PERSON),
        action="t",
        categories=("health",),
    )
    kinds = {u.what for u in upcoming_get(record=person_view)}
    assert {"Hospital admission", "Safeguarding concern"} <= kinds

    proxy_sign_in(client, authority)
    body = client.get("/me/appointments/").content.decode()
    assert "Hospital admission" in body
    assert "Safeguarding concern" not in body and "Sexual health" not in body
    entry = AuditEntry.objects.order_by("-seq").first()
    assert "safeguarding" not in entry.category and "health" in entry.category


def test_by_default_the_person_is_not_shown_a_safeguarding_concern(client, world):
    _future_event(
        world.person, world.council_system, "safeguarding", "safeguarding_concern"
    )
    person_sign_in(client, world.person, "margaret@example.org")
    body = client.get("/me/appointments/").content.decode()
    assert "Safeguarding concern" not in body


def test_a_professional_records_a_parents_authority_only_until_the_child_is_16(world):
    child = PersonFactory(given_name="Kit", birth_date=dt.date(2015, 6, 1))
    care_actor = actor_for(world.gp)
    involve(child, world.practice, "registered_gp")
    details = {
        "actor": care_actor,
        "person_id": child.pk,
        "proxy_given_name": "Pat",
        "proxy_family_name": "Parent",
        "proxy_nhs_number": "9990009007",
        "proxy_birth_date": dt.date(1985, 1, 1),
        "proxy_email": "pat@example.org",
        "kind": AuthorityKind.PARENT_UNDER_16,
        "starts_on": dt.date(2026, 1, 1),
    }
    with pytest.raises(InvalidInput) as refused:
        proxy_authority_record(**details, ends_on=dt.date(2031, 6, 1))
    assert "ends_on" in refused.value.fields
    authority = proxy_authority_record(**details, ends_on=dt.date(2031, 5, 31))
    assert authority.proxy.email == "pat@example.org"
