"""Signing a person or proxy in through the real one-time code journey."""

from __future__ import annotations

import datetime as dt

from django.test import TestCase
from django.utils import timezone

from joinedup.portal.auth.senders import OUTBOX
from joinedup.portal.models import AuthorityKind, Proxy, ProxyAuthority
from tests.factories import valid_nhs_number

PROXY_NHS_NUMBER = valid_nhs_number(90_000)  # far from the factories' sequence


def date_fields(day: dt.date) -> dict[str, str]:
    return {
        "birth_date-day": str(day.day),
        "birth_date-month": str(day.month),
        "birth_date-year": str(day.year),
    }


def code_ask(client, *, nhs_number: str, birth_date: dt.date, contact: str):
    return client.post(
        "/me/sign-in/",
        {"nhs_number": nhs_number, "contact": contact, **date_fields(birth_date)},
    )


def sign_in(client, *, nhs_number: str, birth_date: dt.date, contact: str):
    """Ask for a code, read it from the test sender's outbox and enter it."""
    sent_before = len(OUTBOX)
    # The code is sent when the request's transaction commits: inside a test's
    # transaction, run the on-commit callbacks as if it had.
    with TestCase.captureOnCommitCallbacks(execute=True):
        response = code_ask(
            client, nhs_number=nhs_number, birth_date=birth_date, contact=contact
        )
    assert response.status_code == 302, response.content.decode()[:500]
    assert len(OUTBOX) == sent_before + 1, "no code was sent"
    return client.post("/me/sign-in/code/", {"code": OUTBOX[-1].code})


def person_sign_in(client, person, contact: str = "ada@example.org"):
    if "@" in contact and person.email != contact:
        person.email = contact
        person.save(update_fields=["email"])
    response = sign_in(
        client,
        nhs_number=person.nhs_number,
        birth_date=person.birth_date,
        contact=contact,
    )
    assert response.status_code == 302 and response["Location"] == "/me/"
    return response


def proxy_make(
    person,
    *,
    recorded_by,
    kind: str = AuthorityKind.LPA_HEALTH_WELFARE,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    nhs_number: str = PROXY_NHS_NUMBER,
) -> ProxyAuthority:
    today = timezone.localdate()
    proxy = Proxy.objects.filter(nhs_number=nhs_number).first() or Proxy.objects.create(
        given_name="Peter",
        family_name="Proxyson",
        nhs_number=nhs_number,
        birth_date=dt.date(1970, 5, 6),
        email="peter@example.org",
        created_at=timezone.now(),
    )
    return ProxyAuthority.objects.create(
        proxy=proxy,
        person=person,
        kind=kind,
        starts_on=starts_on or today - dt.timedelta(days=30),
        ends_on=ends_on or today + dt.timedelta(days=365),
        recorded_by=recorded_by,
        recorded_at=timezone.now(),
    )


def proxy_sign_in(client, authority: ProxyAuthority, *, choose: bool = True):
    proxy = authority.proxy
    response = sign_in(
        client,
        nhs_number=proxy.nhs_number,
        birth_date=proxy.birth_date,
        contact=proxy.email,
    )
    assert response.status_code == 302 and response["Location"] == "/me/choose/"
    if choose:
        response = client.post("/me/choose/", {"person": authority.person_id})
        assert response.status_code == 302, response.content.decode()[:500]
    return response
