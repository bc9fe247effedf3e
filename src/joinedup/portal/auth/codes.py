"""The one-time code backend: ask for a code with NHS number, date of birth and
the registered contact; enter the six digits to sign in. Only a salted HMAC of
the code is stored; a code expires after JOINEDUP_PORTAL_CODE_MINUTES, allows
JOINEDUP_PORTAL_CODE_ATTEMPTS tries and is used once; codes are limited per NHS
number and per client address (JOINEDUP_PORTAL_CODES_PER_HOUR). The answer to a
request is the same whether or not the details match anyone."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from joinedup.errors import DomainError, InvalidInput
from joinedup.people.nhs_number import nhs_number_parse
from joinedup.portal.auth.backends import Method, PortalIdentity, identity_find
from joinedup.portal.auth.senders import code_sender
from joinedup.portal.models import SignInChallenge

CODE_DIGITS = 6


class TooManyRequests(DomainError):
    code = "too_many_requests"
    status = 429


def _keyed(purpose: str, value: str) -> str:
    return hmac.new(
        settings.SECRET_KEY.encode(), f"{purpose}:{value}".encode(), hashlib.sha256
    ).hexdigest()


def code_hash(code: str, *, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(8)
    return f"{salt}${_keyed('code:' + salt, code)}"


def code_matches(code: str, stored: str) -> bool:
    salt, _, _digest = stored.partition("$")
    return hmac.compare_digest(code_hash(code, salt=salt), stored)


def code_request(
    *, nhs_number: str, birth_date: dt.date | None, contact: str, client_address: str
) -> int:
    """Ask for a code. Returns the challenge id (kept in the session) whether or
    not the details match anyone; the code is sent only when they do. Raises
    InvalidInput naming the field, or TooManyRequests."""
    errors: dict[str, str] = {}
    try:
        nhs_number = nhs_number_parse(nhs_number)
    except ValueError as exc:
        errors["nhs_number"] = f"Enter your 10-digit NHS number ({exc})"
    if birth_date is None:
        errors["birth_date"] = "Enter your date of birth"
    elif birth_date > timezone.localdate():
        errors["birth_date"] = "Your date of birth must be in the past"
    contact = contact.strip()
    if not contact:
        errors["contact"] = "Enter the email address or mobile number we have for you"
    elif "@" not in contact and len(re.sub(r"\D", "", contact)) < 10:
        errors["contact"] = (
            "Enter an email address, or a mobile number like 07700 900123"
        )
    if errors:
        raise InvalidInput(
            "; ".join(f"{k}: {v}" for k, v in errors.items()), fields=errors
        )
    assert birth_date is not None  # noqa: S101 (checked above)
    now = timezone.now()
    hour_ago = now - dt.timedelta(hours=1)
    identity_key = _keyed("nhs", nhs_number)
    client_key = _keyed("client", client_address)
    limit = settings.JOINEDUP_PORTAL_CODES_PER_HOUR
    recent = SignInChallenge.objects.filter(created_at__gte=hour_ago)
    if (
        recent.filter(identity_key=identity_key).count() >= limit
        or recent.filter(client_key=client_key).count() >= limit * 4
    ):
        raise TooManyRequests(
            "You have asked for too many codes. Wait an hour and try again."
        )
    identity = identity_find(
        nhs_number=nhs_number,
        birth_date=birth_date,
        contact=contact,
        method=Method.ONE_TIME_CODE,
    )
    code = f"{secrets.randbelow(10**CODE_DIGITS):0{CODE_DIGITS}d}"
    challenge = SignInChallenge.objects.create(
        identity_key=identity_key,
        client_key=client_key,
        person_id=identity.person_id if identity else None,
        proxy_id=identity.proxy_id if identity else None,
        code_hash=code_hash(code),
        created_at=now,
        expires_at=now + dt.timedelta(minutes=settings.JOINEDUP_PORTAL_CODE_MINUTES),
    )
    if identity is not None:
        sender = code_sender()
        transaction.on_commit(
            lambda: sender.send(contact=contact, code=code, challenge_id=challenge.pk)
        )
    return challenge.pk


def code_verify(*, challenge_id: int | None, code: str) -> PortalIdentity:
    """Check the code entered for the challenge; the identity on success. Every
    try counts, right or wrong; raises InvalidInput on the `code` field."""
    code = re.sub(r"\s", "", code)
    if not re.fullmatch(rf"\d{{{CODE_DIGITS}}}", code):
        raise InvalidInput.for_field("code", "Enter the 6-digit code we sent you")
    now = timezone.now()
    expired = InvalidInput.for_field(
        "code", "This code has expired or has been used. Ask for a new code"
    )
    if challenge_id is None:
        raise expired
    with transaction.atomic():
        challenge = (
            SignInChallenge.objects.select_for_update().filter(pk=challenge_id).first()
        )
        if (
            challenge is None
            or challenge.used_at is not None
            or challenge.expires_at <= now
        ):
            raise expired
        if challenge.attempts >= settings.JOINEDUP_PORTAL_CODE_ATTEMPTS:
            raise InvalidInput.for_field(
                "code",
                "You have entered a wrong code too many times. Ask for a new code",
            )
        challenge.attempts += 1
        right = code_matches(code, challenge.code_hash) and (
            challenge.person_id is not None or challenge.proxy_id is not None
        )
        if right:
            challenge.used_at = now
        challenge.save(update_fields=["attempts", "used_at"])
    if not right:
        left = settings.JOINEDUP_PORTAL_CODE_ATTEMPTS - challenge.attempts
        raise InvalidInput.for_field(
            "code",
            "The code is not right. Check it and try again"
            + (f" ({left} tries left)" if left else ". Ask for a new code"),
        )
    return PortalIdentity(challenge.person_id, challenge.proxy_id, Method.ONE_TIME_CODE)
