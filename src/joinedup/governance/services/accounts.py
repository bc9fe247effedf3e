"""Writes: professionals' accounts and API tokens."""

from __future__ import annotations

import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction

from joinedup.errors import InvalidInput, NotFound
from joinedup.governance.models import ApiToken, Membership, Organisation, Role, User


def _organisation_get(code: str) -> Organisation:
    try:
        return Organisation.objects.get(code=code)
    except Organisation.DoesNotExist:
        raise InvalidInput.for_field(
            "org", f"no organisation has the code {code!r}"
        ) from None


@transaction.atomic
def user_create(
    *,
    username: str,
    role: str,
    org_code: str,
    password: str | None = None,
    first_name: str = "",
    last_name: str = "",
    email: str = "",
    job_title: str = "",
) -> tuple[User, str]:
    """Create a professional's account holding `role` at the organisation `org_code`.
    Returns the user and the password (generated when none is given)."""
    if (
        not username
        or not username.replace(".", "").replace("_", "").replace("-", "").isalnum()
    ):
        raise InvalidInput.for_field(
            "username", "use letters, digits, dots, hyphens or underscores"
        )
    if role not in Role.values:
        raise InvalidInput.for_field(
            "role", f"unknown role {role!r}; one of: {', '.join(Role.values)}"
        )
    organisation = _organisation_get(org_code)
    if User.objects.filter(username=username).exists():
        raise InvalidInput.for_field("username", f"{username!r} is already taken")
    user = User(
        username=username,
        first_name=first_name,
        last_name=last_name,
        email=email,
        job_title=job_title,
        is_staff=role == Role.ADMIN,
        is_superuser=role == Role.ADMIN,
    )
    password = password or secrets.token_urlsafe(12)
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise InvalidInput.for_field("password", " ".join(exc.messages)) from None
    user.set_password(password)
    user.save()
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user, password


def token_create(*, username: str, name: str = "default") -> str:
    """Create an API bearer token for a user. The token is returned once; only its
    digest is kept."""
    try:
        user = User.objects.get(username=username, is_active=True)
    except User.DoesNotExist:
        raise NotFound(
            f"username: no active user called {username!r}",
            fields={"username": "no such active user"},
        ) from None
    token = "ju_" + secrets.token_urlsafe(32)
    ApiToken.objects.create(
        user=user, name=name, digest=ApiToken.digest_of(token), prefix=token[:8]
    )
    return token
