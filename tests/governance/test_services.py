import pytest

from joinedup.errors import InvalidInput, NotFound
from joinedup.governance.models import ApiToken, Membership
from joinedup.governance.selectors import token_user_get
from joinedup.governance.services import token_create, user_create


def test_user_create_gives_the_role_at_the_organisation(world):
    user, password = user_create(
        username="new.worker", role="social_worker", org_code="JU-ASC"
    )
    assert user.check_password(password)
    membership = Membership.objects.get(user=user)
    assert (membership.role, membership.organisation.code) == (
        "social_worker",
        "JU-ASC",
    )


@pytest.mark.parametrize(
    ("kwargs", "field", "message"),
    [
        ({"role": "surgeon"}, "role", "unknown role 'surgeon'"),
        ({"org_code": "NOPE"}, "org", "no organisation has the code 'NOPE'"),
        ({"username": "sw"}, "username", "already taken"),
        ({"username": "bad name!"}, "username", "letters, digits"),
        ({"password": "short"}, "password", "too short"),
    ],
)
def test_user_create_refuses_bad_input_naming_the_field(world, kwargs, field, message):
    args = {"username": "someone", "role": "gp", "org_code": "J81001", **kwargs}
    with pytest.raises(InvalidInput) as caught:
        user_create(**args)
    assert field in caught.value.fields
    assert message in caught.value.detail


def test_token_is_stored_as_digest_and_authenticates(world):
    token = token_create(username="sw")
    assert token.startswith("ju_")
    stored = ApiToken.objects.get()
    assert stored.digest != token and token not in stored.digest
    assert token_user_get(token=token) == world.social_worker
    assert token_user_get(token=token + "x") is None


def test_token_for_unknown_user_is_refused(world):
    with pytest.raises(NotFound, match="no active user called 'ghost'"):
        token_create(username="ghost")
