"""Signing in to the person's own view with a one-time code, and keeping the
person's and the professionals' sessions apart."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import TestCase
from django.utils import timezone

from joinedup.errors import InvalidInput
from joinedup.governance.models import DIRECT_CARE_ROLES, PrincipalRole, Role
from joinedup.portal.auth.backends import identity_from_nhs_login
from joinedup.portal.auth.codes import code_verify
from joinedup.portal.auth.senders import OUTBOX
from joinedup.portal.models import SignInChallenge
from tests.factories import PASSWORD
from tests.portal.helpers import code_ask, person_sign_in, proxy_make, proxy_sign_in


@pytest.fixture
def margaret(world):
    world.person.email = "margaret@example.org"
    world.person.phone = "07700 900123"
    world.person.save(update_fields=["email", "phone"])
    return world.person


def _ask(client, person, contact="margaret@example.org", **overrides):
    with TestCase.captureOnCommitCallbacks(execute=True):
        return code_ask(
            client,
            nhs_number=overrides.get("nhs_number", person.nhs_number),
            birth_date=overrides.get("birth_date", person.birth_date),
            contact=contact,
        )


def test_a_person_signs_in_with_a_code_sent_to_their_registered_email(client, margaret):
    # The NHS number typed as it is printed, 3-3-4 with spaces.
    n = margaret.nhs_number
    spaced = f"{n[:3]} {n[3:6]} {n[6:]}"
    response = _ask(client, margaret, nhs_number=spaced)
    assert response.status_code == 302 and response["Location"] == "/me/sign-in/code/"
    assert [s.contact for s in OUTBOX] == ["margaret@example.org"]
    code = OUTBOX[-1].code
    assert len(code) == 6 and code.isdigit()
    # Only a salted hash is at rest.
    challenge = SignInChallenge.objects.get()
    assert (
        code not in challenge.code_hash
        and margaret.nhs_number not in challenge.identity_key
    )

    response = client.post("/me/sign-in/code/", {"code": code})
    assert response.status_code == 302 and response["Location"] == "/me/"
    page = client.get("/me/")
    assert page.status_code == 200 and "Margaret Thornton" in page.content.decode()


def test_the_registered_mobile_number_works_in_any_common_form(client, margaret):
    _ask(client, margaret, contact="+44 7700 900123")
    assert OUTBOX and OUTBOX[-1].contact == "+44 7700 900123"


def test_details_that_match_no_one_get_the_same_answer_and_no_code(client, margaret):
    response = _ask(client, margaret, contact="someone.else@example.org")
    assert response.status_code == 302 and response["Location"] == "/me/sign-in/code/"
    assert OUTBOX == []
    response = client.post("/me/sign-in/code/", {"code": "123456"})
    assert response.status_code == 400
    assert "The code is not right" in response.content.decode()
    assert client.get("/me/")["Location"] == "/me/sign-in/"


@pytest.mark.parametrize(
    ("data", "field", "message"),
    [
        ({"nhs_number": "123"}, "nhs_number", "Enter your 10-digit NHS number"),
        ({"nhs_number": "9990000019"}, "nhs_number", "Enter your 10-digit NHS number"),
        ({"birth_date-month": ""}, "birth_date", "must include a month"),
        ({"birth_date-day": "31", "birth_date-month": "2"}, "birth_date", "real date"),
        ({"birth_date-year": "2999"}, "birth_date", "must be in the past"),
        ({"contact": ""}, "contact", "Enter the email address or mobile number"),
        ({"contact": "0770"}, "contact", "mobile number like"),
    ],
)
def test_bad_sign_in_details_name_the_field_and_save_nothing(
    client, margaret, data, field, message
):
    form = {
        "nhs_number": margaret.nhs_number,
        "contact": "margaret@example.org",
        "birth_date-day": "3",
        "birth_date-month": "2",
        "birth_date-year": "1941",
        **data,
    }
    response = client.post("/me/sign-in/", form)
    body = response.content.decode()
    assert response.status_code == 400
    assert message in body and f'href="#{field}' in body
    assert SignInChallenge.objects.count() == 0 and OUTBOX == []


def test_a_wrong_code_counts_and_after_five_the_code_is_dead(client, margaret):
    _ask(client, margaret)
    right = OUTBOX[-1].code
    wrong = "000000" if right != "000000" else "111111"
    for tries_left in (4, 3, 2, 1):
        response = client.post("/me/sign-in/code/", {"code": wrong})
        assert f"{tries_left} tries left" in response.content.decode()
    response = client.post("/me/sign-in/code/", {"code": wrong})
    assert "Ask for a new code" in response.content.decode()
    response = client.post("/me/sign-in/code/", {"code": right})
    assert response.status_code == 400
    assert "too many times" in response.content.decode()
    assert client.get("/me/").status_code == 302


def test_a_code_expires_and_is_used_only_once(client, margaret):
    _ask(client, margaret)
    code = OUTBOX[-1].code
    SignInChallenge.objects.update(expires_at=timezone.now() - dt.timedelta(seconds=1))
    response = client.post("/me/sign-in/code/", {"code": code})
    assert response.status_code == 400 and "expired" in response.content.decode()

    _ask(client, margaret)
    code = OUTBOX[-1].code
    assert client.post("/me/sign-in/code/", {"code": code}).status_code == 302
    # Replayed (say, from a second browser), the used code is refused.
    used = SignInChallenge.objects.order_by("-pk").first()
    with pytest.raises(InvalidInput, match="has been used"):
        code_verify(challenge_id=used.pk, code=code)


def test_codes_are_rate_limited_per_nhs_number(client, margaret):
    for _ in range(5):
        assert _ask(client, margaret).status_code == 302
    response = _ask(client, margaret)
    assert response.status_code == 429
    assert "too many codes" in response.content.decode()
    assert len(OUTBOX) == 5


def test_a_code_entry_that_is_not_six_digits_names_the_field(client, margaret):
    _ask(client, margaret)
    response = client.post("/me/sign-in/code/", {"code": "12ab"})
    assert response.status_code == 400
    assert "Enter the 6-digit code" in response.content.decode()
    assert SignInChallenge.objects.get().attempts == 0


def test_a_professional_cannot_use_the_persons_view(client, world, margaret):
    assert client.login(username="gp", password=PASSWORD)
    for url in ("/me/", "/me/about-me/", "/me/sign-in/", "/me/who-has-seen-my-record/"):
        response = client.get(url)
        assert response.status_code == 403, url
        assert "signed in as a professional" in response.content.decode()
    assert (
        client.post("/me/sign-in/", {"nhs_number": margaret.nhs_number}).status_code
        == 403
    )
    assert SignInChallenge.objects.count() == 0


def test_a_persons_session_cannot_reach_professional_pages(client, world, margaret):
    person_sign_in(client, margaret, "margaret@example.org")
    response = client.get(f"/people/{margaret.pk}/")
    assert response.status_code == 302 and "/account/login/" in response["Location"]
    assert client.get("/care/tasks/").status_code == 302
    assert client.get(f"/api/v1/people/{margaret.pk}").status_code in (401, 403)
    assert client.get("/governance/access-report/").status_code == 302


def test_a_professional_signing_in_ends_the_persons_session(client, world, margaret):
    person_sign_in(client, margaret, "margaret@example.org")
    assert client.get("/me/").status_code == 200
    client.post("/account/login/", {"username": "gp", "password": PASSWORD})
    assert "portal_identity" not in client.session
    assert client.get("/me/").status_code == 403
    client.post("/account/logout/")
    assert client.get("/me/")["Location"] == "/me/sign-in/"


def test_the_person_and_proxy_roles_are_not_professional_roles():
    for role in PrincipalRole.values:
        assert role not in Role.values and role not in DIRECT_CARE_ROLES


def test_a_proxy_signs_in_and_chooses_whom_they_act_for(client, world, margaret):
    authority = proxy_make(margaret, recorded_by=world.social_worker)
    proxy_sign_in(client, authority, choose=False)
    page = client.get("/me/choose/").content.decode()
    assert "Margaret Thornton" in page and "Lasting power of attorney" in page
    assert "Norman" not in page
    # Choosing someone they are not proxy for is refused, naming the field.
    response = client.post("/me/choose/", {"person": world.stranger.pk})
    assert response.status_code == 400 and 'href="#person"' in response.content.decode()
    assert client.post("/me/choose/", {"person": margaret.pk}).status_code == 302
    assert "Acting for Margaret Thornton" in client.get("/me/").content.decode()


def test_nhs_login_claims_map_to_the_person_only_at_p9(margaret):
    claims = {
        "nhs_number": margaret.nhs_number,
        "birthdate": margaret.birth_date.isoformat(),
        "identity_proofing_level": "P9",
    }
    identity = identity_from_nhs_login(claims)
    assert identity is not None and identity.person_id == margaret.pk
    assert identity.method == "nhs_login"
    assert identity_from_nhs_login({**claims, "identity_proofing_level": "P5"}) is None
    assert identity_from_nhs_login({**claims, "birthdate": "1950-01-01"}) is None
    assert identity_from_nhs_login({**claims, "nhs_number": "1234567890"}) is None
