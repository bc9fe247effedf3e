"""Sign-in security: two-factor authentication, lock-out after repeated failures,
security headers."""

import pytest
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.factories import PASSWORD


@pytest.fixture
def two_factor_on(settings):
    settings.JOINEDUP_REQUIRE_2FA = True


def _code(device: TOTPDevice) -> str:
    code = totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits)
    return f"{code:06d}"


def test_first_sign_in_sets_up_an_authenticator_then_asks_for_codes(
    client, world, two_factor_on
):
    assert client.login(username="sw", password=PASSWORD)
    response = client.get(reverse("person_detail", args=[world.person.pk]))
    assert response.status_code == 302 and response["Location"] == reverse("two_factor")
    setup = client.get(reverse("two_factor")).content.decode()
    assert "Set up your authenticator app" in setup and "<svg" in setup
    device = TOTPDevice.objects.get(user=world.social_worker)
    wrong = client.post(
        reverse("two_factor"),
        {"token": "000000" if _code(device) != "000000" else "111111"},
    )
    assert wrong.status_code == 400
    assert "The code is wrong or has expired" in wrong.content.decode()
    throttled = client.post(reverse("two_factor"), {"token": _code(device)})
    assert "Too many wrong codes" in throttled.content.decode()
    device.refresh_from_db()
    device.throttle_reset()  # as if the few seconds had passed
    ok = client.post(reverse("two_factor"), {"token": _code(device)})
    assert ok.status_code == 302
    assert (
        client.get(reverse("person_detail", args=[world.person.pk])).status_code == 200
    )
    device.refresh_from_db()
    assert device.confirmed


def test_later_sign_ins_ask_only_for_the_code(client, world, two_factor_on):
    device = TOTPDevice.objects.create(user=world.social_worker, confirmed=True)
    assert client.login(username="sw", password=PASSWORD)
    page = client.get(reverse("two_factor")).content.decode()
    assert "Enter the code from your authenticator app" in page
    assert "Set up" not in page
    bad = client.post(reverse("two_factor"), {"token": "12ab"})
    assert "Enter the 6-digit code" in bad.content.decode()
    client.post(reverse("two_factor"), {"token": _code(device)})
    assert client.get(reverse("home")).status_code == 200


def test_repeated_wrong_passwords_lock_the_account_out(client, world, settings):
    settings.AXES_ENABLED = True
    settings.AXES_FAILURE_LIMIT = 3
    url = reverse("login")
    for _ in range(2):
        response = client.post(url, {"username": "sw", "password": "wrong"})
        assert "Enter a correct username and password" in response.content.decode()
    locked = client.post(url, {"username": "sw", "password": "wrong"})
    assert locked.status_code == 429
    assert "Too many attempts to log in" in locked.content.decode()
    still = client.post(url, {"username": "sw", "password": PASSWORD})
    assert still.status_code == 429  # even the right password, until the cool-off


def test_pages_carry_security_headers(client, db):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    nonce = csp.split("'nonce-")[1].split("'")[0]
    assert f'nonce="{nonce}"' in response.content.decode()
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
