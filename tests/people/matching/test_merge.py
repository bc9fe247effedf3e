"""people/merge.py: person_merge and person_unmerge."""

from __future__ import annotations

import datetime as dt

import pytest
from django.forms.models import model_to_dict
from django.utils import timezone

from joinedup.coordination.models import CareTeamMember
from joinedup.errors import AccessRefused, InvalidInput, NotFound
from joinedup.governance.models import (
    AuditEntry,
    BreakGlass,
    ConsentRecord,
    RelationshipClaim,
    Role,
)
from joinedup.people.merge import (
    person_ids_for_access_report,
    person_merge,
    person_survivor_id,
    person_unmerge,
)
from joinedup.people.models import (
    AboutMe,
    Address,
    Identifier,
    Involvement,
    Person,
    PersonMerge,
    PersonName,
)
from joinedup.people.search import SearchQuery
from joinedup.people.selectors import person_access_open, person_search
from joinedup.record.models import Event
from tests.conftest import actor_for
from tests.factories import (
    EventFactory,
    PersonFactory,
    care_team_add,
    involve,
    professional,
)

RELATED = (
    Event,
    Identifier,
    PersonName,
    Address,
    Involvement,
    CareTeamMember,
    AboutMe,
    ConsentRecord,
    BreakGlass,
    RelationshipClaim,
)


def _row(row) -> tuple:
    return tuple(sorted((model_to_dict(row) | {"pk": row.pk}).items(), key=str))


def _snapshot(*people: Person) -> dict:
    """Every row hanging off these people, and the people themselves."""
    ids = [p.pk for p in people]
    state: dict = {
        model._meta.label: sorted(
            (_row(r) for r in model.objects.filter(person_id__in=ids)), key=str
        )
        for model in RELATED
    }
    state["people"] = [
        model_to_dict(p) for p in Person.objects.filter(pk__in=ids).order_by("pk")
    ]
    return state


@pytest.fixture
def duplicate(world):
    """The world's person recorded twice: a second record known to the council
    and the hospital, with its own events, names, addresses, consent and so on."""
    w = world
    other = PersonFactory(given_name="Maggie", family_name="Thornton", nhs_number=None)
    involve(other, w.council, "social_care_client")  # clashes with the survivor's
    involve(other, w.icb, "other")
    care_team_add(other, w.social_worker, w.council, Role.SOCIAL_WORKER)  # clash
    care_team_add(
        other, w.discharge_coordinator, w.hospital, Role.DISCHARGE_COORDINATOR
    )
    Identifier.objects.create(person=other, system="urn:council", value="C123")
    PersonName.objects.create(
        person=other, given_name="Maggie", family_name="Smith", use="old"
    )
    Address.objects.create(person=other, line="2 Care Home Lane", postcode="JU2 2BB")
    for _ in range(3):
        EventFactory(person=other, source_system=w.council_system)
    EventFactory(person=w.person, source_system=w.pas)
    now = timezone.now()
    ConsentRecord.objects.create(
        person=other,
        category="mental_health",
        organisation=w.hospital,
        decision="objection",
        method="verbal",
        recorded_by=w.social_worker,
        recorded_at=now,
    )
    BreakGlass.objects.create(
        user=w.gp,
        role=Role.GP,
        organisation=w.practice,
        person=other,
        reason="vital_interests",
        justification="unconscious",
        started_at=now,
        expires_at=now + dt.timedelta(hours=1),
    )
    AboutMe.objects.create(
        person=w.person, what_matters_to_me="My garden", updated_at=now
    )
    AboutMe.objects.create(person=other, what_matters_to_me="My cat", updated_at=now)
    person_access_open(
        actor=actor_for(w.social_worker), person_id=other.pk, action="view_record"
    )
    return other


def test_merge_moves_everything_and_unmerge_restores_exactly(world, duplicate):
    w = world
    actor = actor_for(w.social_worker)
    before = _snapshot(w.person, duplicate)
    merge = person_merge(
        actor=actor, survivor_id=w.person.pk, merged_id=duplicate.pk, reason="same DOB"
    )
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id == w.person.pk
    assert Event.objects.filter(person=duplicate).count() == 0
    assert Event.objects.filter(person=w.person).count() == 4
    assert Identifier.objects.filter(person=w.person, value="C123").exists()
    assert PersonName.objects.filter(person=w.person, family_name="Smith").exists()
    assert ConsentRecord.objects.filter(person=w.person).count() == 1
    assert BreakGlass.objects.filter(person=w.person).count() == 1
    # the clashing involvement and care-team membership stay behind
    assert Involvement.objects.filter(person=duplicate).count() == 1
    assert CareTeamMember.objects.filter(person=duplicate).count() == 1
    assert Involvement.objects.filter(person=w.person, organisation=w.icb).exists()
    # About me: the survivor's is kept, the other is in the snapshot
    assert w.person.about_me.what_matters_to_me == "My garden"
    assert merge.snapshot["merged"]["about_me"]["what_matters_to_me"] == "My cat"
    # audit entries never move; the access report follows the merge
    assert AuditEntry.objects.filter(person=duplicate, action="view_record").exists()
    assert set(person_ids_for_access_report(person_id=w.person.pk)) == {
        w.person.pk,
        duplicate.pk,
    }
    assert person_survivor_id(person_id=duplicate.pk) == w.person.pk
    assert person_survivor_id(person_id=w.person.pk) is None
    # both people's decisions audited
    assert AuditEntry.objects.filter(action="merge").count() == 2

    person_unmerge(actor=actor, merge_id=merge.pk, reason="different people")
    after = _snapshot(w.person, duplicate)
    for p in before["people"] + after["people"]:
        p.pop("updated_at", None)
    assert after == before
    assert person_ids_for_access_report(person_id=w.person.pk) == [w.person.pk]
    assert person_survivor_id(person_id=duplicate.pk) is None
    merge.refresh_from_db()
    assert merge.unmerged_at is not None


def test_about_me_moves_when_the_survivor_has_none(world, duplicate):
    w = world
    AboutMe.objects.filter(person=w.person).delete()
    merge = person_merge(
        actor=actor_for(w.social_worker),
        survivor_id=w.person.pk,
        merged_id=duplicate.pk,
        reason="same",
    )
    assert AboutMe.objects.get(person=w.person).what_matters_to_me == "My cat"
    person_unmerge(actor=actor_for(w.social_worker), merge_id=merge.pk, reason="no")
    assert AboutMe.objects.get(person=duplicate).what_matters_to_me == "My cat"
    assert not AboutMe.objects.filter(person=w.person).exists()


def test_merged_person_is_hidden_from_search(world, duplicate):
    w = world
    actor = actor_for(w.social_worker)
    query = SearchQuery(family="THORNTON")
    assert person_search(actor=actor, query=query).paginator.count == 2
    person_merge(
        actor=actor, survivor_id=w.person.pk, merged_id=duplicate.pk, reason="same"
    )
    assert [p.pk for p in person_search(actor=actor, query=query)] == [w.person.pk]


@pytest.mark.parametrize(
    ("reason", "same", "message"),
    [("", False, "reason"), ("   ", False, "reason"), ("ok", True, "merged_id")],
)
def test_bad_input_saves_nothing(world, duplicate, reason, same, message):
    w = world
    with pytest.raises(InvalidInput) as exc:
        person_merge(
            actor=actor_for(w.social_worker),
            survivor_id=w.person.pk,
            merged_id=w.person.pk if same else duplicate.pk,
            reason=reason,
        )
    assert message in exc.value.fields
    assert not PersonMerge.objects.exists()


def test_unknown_people_and_merges(world):
    actor = actor_for(world.social_worker)
    with pytest.raises(NotFound):
        person_merge(
            actor=actor, survivor_id=world.person.pk, merged_id=999999, reason="x"
        )
    with pytest.raises(NotFound):
        person_unmerge(actor=actor, merge_id=999999, reason="x")


def test_merging_twice_or_unmerging_twice_is_refused(world, duplicate):
    w = world
    actor = actor_for(w.social_worker)
    merge = person_merge(
        actor=actor, survivor_id=w.person.pk, merged_id=duplicate.pk, reason="same"
    )
    with pytest.raises(InvalidInput):
        person_merge(
            actor=actor, survivor_id=w.person.pk, merged_id=duplicate.pk, reason="s"
        )
    person_unmerge(actor=actor, merge_id=merge.pk, reason="no")
    with pytest.raises(InvalidInput):
        person_unmerge(actor=actor, merge_id=merge.pk, reason="no")


def test_a_professional_without_access_is_refused_and_audited(world, duplicate):
    w = world
    actor = actor_for(w.social_worker)
    with pytest.raises(AccessRefused):
        person_merge(
            actor=actor, survivor_id=w.stranger.pk, merged_id=duplicate.pk, reason="x"
        )
    assert not PersonMerge.objects.exists()
    assert AuditEntry.objects.filter(
        action="merge", person=w.stranger, outcome="refused"
    ).exists()
    duplicate.refresh_from_db()
    assert duplicate.merged_into_id is None


def test_an_administrator_may_merge(world, duplicate):
    admin = professional(Role.ADMIN, world.icb, username="admin1")
    merge = person_merge(
        actor=actor_for(admin),
        survivor_id=world.stranger.pk,
        merged_id=duplicate.pk,
        reason="checked with the council",
    )
    assert merge.merged_by_id == admin.pk
