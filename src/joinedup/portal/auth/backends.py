"""Backends of the person's own view: each turns proof of identity into a
PortalIdentity (which person, which proxy). They are NOT Django authentication
backends: a person never becomes a django.contrib.auth user, so a person's
session can never pass a professional's login_required, and a professional's
account can never open the person's view.

- One-time code (auth/codes.py): NHS number + date of birth + the registered
  contact (email or mobile), then a six-digit code sent to that contact.
- NHS login (OpenID Connect), later: the callback checks the ID token and calls
  `identity_from_nhs_login` with its claims (docs/portal.md)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass

from joinedup.people.models import Person
from joinedup.people.nhs_number import nhs_number_is_valid
from joinedup.portal.models import Proxy


class Method:
    ONE_TIME_CODE = "one_time_code"
    NHS_LOGIN = "nhs_login"


@dataclass(frozen=True)
class PortalIdentity:
    """Who signed in: a person on record, a proxy, or both (a proxy who is also a
    person on record)."""

    person_id: int | None
    proxy_id: int | None
    method: str

    def as_session(self) -> dict[str, object]:
        return {"person": self.person_id, "proxy": self.proxy_id, "method": self.method}

    @classmethod
    def from_session(cls, data: object) -> PortalIdentity | None:
        if not isinstance(data, dict):
            return None
        person, proxy = data.get("person"), data.get("proxy")
        if not (isinstance(person, int) or isinstance(proxy, int)):
            return None
        return cls(
            person if isinstance(person, int) else None,
            proxy if isinstance(proxy, int) else None,
            str(data.get("method", "")),
        )


def phone_digits(raw: str) -> str:
    """A UK phone number reduced to its national digits: '+44 7700 900123' and
    '07700900123' are the same."""
    digits = re.sub(r"\D", "", raw)
    if digits.startswith("44") and len(digits) > 10:
        digits = "0" + digits[2:]
    return digits


def contact_matches(contact: str, *, email: str, phone: str) -> bool:
    contact = contact.strip()
    if not contact:
        return False
    if "@" in contact:
        return bool(email) and contact.lower() == email.strip().lower()
    digits = phone_digits(contact)
    return len(digits) >= 10 and digits == phone_digits(phone)


def identity_find(
    *, nhs_number: str, birth_date: dt.date, contact: str | None, method: str
) -> PortalIdentity | None:
    """The person and/or proxy with this NHS number and date of birth (and, when
    `contact` is given, this registered contact). A merged-away or deceased
    record never signs in."""
    person = next(
        (
            p
            for p in Person.objects.filter(
                nhs_number=nhs_number,
                birth_date=birth_date,
                merged_into__isnull=True,
                deceased_on__isnull=True,
            ).order_by("pk")
            if contact is None or contact_matches(contact, email=p.email, phone=p.phone)
        ),
        None,
    )
    proxy = next(
        (
            p
            for p in Proxy.objects.filter(
                nhs_number=nhs_number, birth_date=birth_date
            ).order_by("pk")
            if contact is None or contact_matches(contact, email=p.email, phone=p.phone)
        ),
        None,
    )
    if person is None and proxy is None:
        return None
    return PortalIdentity(
        person.pk if person else None, proxy.pk if proxy else None, method
    )


# NHS login's identity proofing levels: P9 is "high" (photo ID checked and the
# person matched to their NHS record); only P9 may see a record.
NHS_LOGIN_REQUIRED_PROOFING = "P9"


def identity_from_nhs_login(claims: Mapping[str, object]) -> PortalIdentity | None:
    """The identity for verified NHS login ID-token (or userinfo) claims:
    `nhs_number` and `birthdate` (YYYY-MM-DD) map to the person (and to a proxy
    with the same details); `identity_proofing_level` must be P9. The token's
    signature, issuer, audience, nonce and expiry are checked by the OpenID
    Connect client before this is called. None when the claims do not prove a
    person on record."""
    if claims.get("identity_proofing_level") != NHS_LOGIN_REQUIRED_PROOFING:
        return None
    nhs_number = str(claims.get("nhs_number", ""))
    if not nhs_number_is_valid(nhs_number):
        return None
    try:
        birth_date = dt.date.fromisoformat(str(claims.get("birthdate", "")))
    except ValueError:
        return None
    return identity_find(
        nhs_number=nhs_number,
        birth_date=birth_date,
        contact=None,
        method=Method.NHS_LOGIN,
    )
