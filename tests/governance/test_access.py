import pytest

from joinedup.errors import AccessRefused
from joinedup.governance.access import decide
from joinedup.governance.models import AuditEntry
from joinedup.people.models import Person
from joinedup.people.selectors import person_access_open
from tests.conftest import actor_for


def _annotated(actor, person):
    return Person.objects.get(pk=person.pk)


def test_care_team_member_may_read_health_and_social_care(world):
    actor = actor_for(world.social_worker)
    person = _annotated(actor, world.person)
    for category in ("demographics", "health", "social_care", "mental_health"):
        decision = decide(actor, person, "view_record", category)
        assert decision.allowed, category
        assert decision.via == "care_team"


def test_involved_organisation_gives_access_without_care_team(world):
    actor = actor_for(world.discharge_coordinator)
    decision = decide(actor, _annotated(actor, world.person), "view_record", "health")
    assert decision.allowed
    assert decision.via == "hospital_patient"


def test_no_relationship_is_refused(world):
    actor = actor_for(world.discharge_coordinator)
    decision = decide(actor, _annotated(actor, world.stranger), "view_record", "health")
    assert not decision.allowed
    assert "no legitimate relationship" in decision.reason


@pytest.mark.parametrize("category", ["safeguarding", "sexual_health"])
def test_sealed_categories_are_limited_to_own_records_even_for_the_care_team(
    world, category
):
    actor = actor_for(world.social_worker)
    decision = decide(actor, _annotated(actor, world.person), "view_record", category)
    assert decision.scope == "own_organisation"
    assert "sealed" in decision.reason


def test_commissioner_has_no_access_to_person_records(world):
    actor = actor_for(world.commissioner)
    decision = decide(
        actor, _annotated(actor, world.person), "view_record", "demographics"
    )
    assert not decision.allowed
    assert "no direct-care access" in decision.reason


def test_opening_a_record_leaves_one_audit_entry_naming_what_was_read(world):
    actor = actor_for(world.social_worker)
    person_access_open(actor=actor, person_id=world.person.pk, action="view_record")
    entry = AuditEntry.objects.get(person=world.person, actor=world.social_worker)
    assert entry.outcome == "allowed"
    assert entry.via == "care_team"
    read = entry.category.split(",")
    assert {"demographics", "health", "social_care"} <= set(read)
    assert "safeguarding*" in read  # sealed: own organisation's records only


def test_refused_opening_is_audited_and_raises(world):
    actor = actor_for(world.gp)
    with pytest.raises(AccessRefused):
        person_access_open(
            actor=actor, person_id=world.stranger.pk, action="view_record"
        )
    refused = AuditEntry.objects.get(person=world.stranger)
    assert (refused.outcome, refused.role) == ("refused", "gp")
    assert refused.reason == "no legitimate relationship with this person"
