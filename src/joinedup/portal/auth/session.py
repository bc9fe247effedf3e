"""The person's session: kept under its own keys, never django.contrib.auth's.
A browser holds either a professional's session or a person's, never both:
signing in here refuses while a professional is signed in, and a professional
signing in ends the person's session."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest

from joinedup.governance.access import PortalPrincipal
from joinedup.governance.models import PrincipalRole
from joinedup.portal.auth.backends import PortalIdentity

IDENTITY_KEY = "portal_identity"
SUBJECT_KEY = "portal_subject"
CHALLENGE_KEY = "portal_challenge"
PORTAL_KEYS = (IDENTITY_KEY, SUBJECT_KEY, CHALLENGE_KEY)


def staff_signed_in(request: HttpRequest) -> bool:
    user = getattr(request, "user", None)
    return bool(user is not None and user.is_authenticated)


def portal_sign_in(request: HttpRequest, identity: PortalIdentity) -> None:
    """Start the person's session (a new session key: no fixation)."""
    request.session.flush()
    request.session[IDENTITY_KEY] = identity.as_session()
    if identity.person_id is not None and identity.proxy_id is None:
        request.session[SUBJECT_KEY] = identity.person_id


def portal_sign_out(request: HttpRequest) -> None:
    request.session.flush()


def portal_identity(request: HttpRequest) -> PortalIdentity | None:
    if staff_signed_in(request):
        return None
    return PortalIdentity.from_session(request.session.get(IDENTITY_KEY))


def portal_subject_set(request: HttpRequest, person_id: int) -> None:
    request.session[SUBJECT_KEY] = person_id


def portal_principal(request: HttpRequest) -> PortalPrincipal | None:
    """Who is acting on whose record in this request, or None (not signed in, a
    professional's session, no record chosen, or the proxy's authority is no
    longer in force)."""
    from joinedup.portal.selectors import authority_in_force

    identity = portal_identity(request)
    subject = request.session.get(SUBJECT_KEY)
    if identity is None or not isinstance(subject, int):
        return None
    request_id = getattr(request, "id", "")
    if subject == identity.person_id:
        return PortalPrincipal(
            person_id=subject, role=PrincipalRole.PERSON, request_id=request_id
        )
    if identity.proxy_id is None:
        return None
    authority = authority_in_force(proxy_id=identity.proxy_id, person_id=subject)
    if authority is None:
        return None
    return PortalPrincipal(
        person_id=subject,
        role=PrincipalRole.PROXY,
        authority_id=authority.pk,
        proxy_id=identity.proxy_id,
        request_id=request_id,
    )


def portal_forget_on_staff_login(
    sender: Any, request: HttpRequest, **kwargs: Any
) -> None:
    """django.contrib.auth's user_logged_in: drop any person's session keys."""
    if request is None:
        return
    for key in PORTAL_KEYS:
        request.session.pop(key, None)
