"""factory_boy factories for every app's models."""

from __future__ import annotations

import datetime as dt

import factory
from django.utils import timezone

from joinedup.coordination.models import CareTeamMember
from joinedup.governance.models import (
    Membership,
    Organisation,
    OrganisationType,
    Role,
    User,
)
from joinedup.people.models import Involvement, InvolvementKind, Person, normalise_name
from joinedup.people.nhs_number import nhs_number_check_digit
from joinedup.record.models import Event, EventKind, SourceKind, SourceSystem

PASSWORD = "correct-horse-battery-staple"


def valid_nhs_number(n: int) -> str:
    """The n-th valid NHS number in the test range (999 000 0000 upwards)."""
    for step in range(10):  # each n owns ten candidates; some have no check digit
        first_nine = str(999_000_000 + 10 * n + step)
        check = nhs_number_check_digit(first_nine)
        if check is not None:
            return f"{first_nine}{check}"
    raise AssertionError("unreachable: one in ten candidates is always valid")


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"ORG{n:03d}")
    name = factory.Sequence(lambda n: f"Organisation {n}")
    type = OrganisationType.ACUTE_TRUST
    contact_phone = "0300 555 0100"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = "Pat"
    last_name = "Professional"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


def professional(role: str, organisation: Organisation, **user_kwargs: object) -> User:
    user = UserFactory(**user_kwargs)
    Membership.objects.create(user=user, organisation=organisation, role=role)
    return user


class SourceSystemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SourceSystem
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"system-{n}")
    name = factory.Sequence(lambda n: f"Source system {n}")
    organisation = factory.SubFactory(OrganisationFactory)
    kind = SourceKind.HL7V2
    identifier_system = factory.LazyAttribute(lambda o: f"https://example.org/{o.code}")
    identifier_label = "Local ID"


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    nhs_number = factory.Sequence(valid_nhs_number)
    nhs_number_status = "01"
    given_name = "Ada"
    family_name = factory.Sequence(lambda n: f"Testperson{chr(65 + n % 26)}{n}")
    given_name_norm = factory.LazyAttribute(lambda o: normalise_name(o.given_name))
    family_name_norm = factory.LazyAttribute(lambda o: normalise_name(o.family_name))
    birth_date = dt.date(1941, 2, 3)
    sex = "female"
    address_line = "1 High Street, Joinedup"
    postcode = "JU1 1AA"


def involve(person: Person, organisation: Organisation, kind: str = "") -> Involvement:
    now = timezone.now()
    return Involvement.objects.create(
        person=person,
        organisation=organisation,
        kind=kind or InvolvementKind.HOSPITAL_PATIENT,
        first_seen=now,
        last_seen=now,
    )


def care_team_add(
    person: Person, user: User, organisation: Organisation, role: str
) -> CareTeamMember:
    return CareTeamMember.objects.create(
        person=person,
        user=user,
        organisation=organisation,
        role=role,
        started_on=dt.date(2026, 1, 1),
    )


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    person = factory.SubFactory(PersonFactory)
    source_system = factory.SubFactory(SourceSystemFactory)
    source_id = factory.Sequence(lambda n: f"EV{n}")
    kind = EventKind.GP_CONSULTATION
    category = "health"
    occurred_at = factory.Sequence(
        lambda n: dt.datetime(2026, 1, 1, 9, tzinfo=dt.UTC) + dt.timedelta(days=n)
    )
    organisation = factory.LazyAttribute(lambda o: o.source_system.organisation)
    summary = "Seen by GP"
    ingested_at = factory.LazyFunction(timezone.now)


__all__ = ["PASSWORD", "Role", "professional"]
