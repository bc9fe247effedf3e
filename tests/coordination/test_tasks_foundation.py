"""Care team membership and tasks: who may hold them, and the relationship an
open task gives its holder in the access policy."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from joinedup.coordination.models import CareTeamMember, TaskSource, TaskStatus
from joinedup.coordination.services import (
    care_team_join,
    care_team_leave,
    lead_professional_set,
    task_assign,
    task_cancel,
    task_complete,
    task_create,
    task_start,
)
from joinedup.errors import AccessRefused, Conflict, InvalidInput
from joinedup.governance.access import Via, decide, people_visible_q
from joinedup.governance.models import (
    AccessCategory,
    AuditEntry,
    OrganisationType,
    Role,
    Team,
)
from joinedup.people.models import Person
from tests.conftest import actor_for
from tests.factories import OrganisationFactory, professional


@pytest.fixture
def community(world):
    trust = OrganisationFactory(
        code="RJC",
        name="Joinedup Community Health",
        type=OrganisationType.COMMUNITY_TRUST,
    )
    team = Team.objects.create(organisation=trust, name="Neighbourhood nursing")
    nurse = professional(Role.COMMUNITY_MATRON, trust, username="matron")
    nurse.memberships.update(team=team)
    return trust, team, nurse


def _sees(user, person) -> bool:
    actor = actor_for(user)
    m = user.memberships.get()
    actor = type(actor)(
        user_id=actor.user_id,
        role=actor.role,
        organisation_id=actor.organisation_id,
        team_id=m.team_id,
    )
    return decide(actor, person, "read", AccessCategory.HEALTH).allowed


def test_a_task_for_a_team_gives_its_members_a_relationship_until_it_closes(
    world, community
):
    trust, team, nurse = community
    assert not _sees(nurse, world.person)
    task = task_create(
        actor=actor_for(world.social_worker),
        person_id=world.person.pk,
        title="Community nursing assessment",
        source=TaskSource.REFERRAL,
        assignee_team_id=team.pk,
    )
    assert task.assignee_organisation_id == trust.pk
    m = nurse.memberships.get()
    actor = actor_for(nurse)
    actor = type(actor)(
        user_id=actor.user_id,
        role=actor.role,
        organisation_id=actor.organisation_id,
        team_id=m.team_id,
    )
    assert decide(actor, world.person, "read", AccessCategory.HEALTH).via == (
        Via.OPEN_TASK
    )
    assert Person.objects.filter(people_visible_q(actor), pk=world.person.pk).exists()
    task_complete(actor=actor, task_id=task.pk, outcome="seen at home")
    assert not _sees(nurse, world.person)
    assert not Person.objects.filter(
        people_visible_q(actor), pk=world.person.pk
    ).exists()


def test_a_task_cannot_be_given_to_someone_outside_the_care_team(world, community):
    _, _, nurse = community
    with pytest.raises(InvalidInput) as error:
        task_create(
            actor=actor_for(world.social_worker),
            person_id=world.person.pk,
            title="Review medication",
            assignee_user_id=nurse.pk,
        )
    assert "assignee_user" in error.value.fields
    assert not world.person.tasks.exists()


def test_a_task_needs_a_title_and_someone_to_hold_it(world):
    actor = actor_for(world.social_worker)
    with pytest.raises(InvalidInput) as error:
        task_create(actor=actor, person_id=world.person.pk, title="  ")
    assert "title" in error.value.fields
    with pytest.raises(InvalidInput) as error:
        task_create(actor=actor, person_id=world.person.pk, title="Call daughter")
    assert "assignee" in error.value.fields


def test_a_stranger_cannot_create_tasks_for_a_person_they_cannot_see(world):
    with pytest.raises(AccessRefused):
        task_create(
            actor=actor_for(world.gp),
            person_id=world.stranger.pk,
            title="Anything",
            assignee_organisation_id=world.practice.pk,
        )
    assert AuditEntry.objects.filter(
        person_id=world.stranger.pk, outcome="refused"
    ).exists()


def test_only_the_holder_or_creator_changes_a_task_and_closed_tasks_stay_closed(
    world, community
):
    _, _, nurse = community
    sw = actor_for(world.social_worker)
    task = task_create(
        actor=sw,
        person_id=world.person.pk,
        title="Arrange carers' assessment",
        assignee_user_id=world.social_worker.pk,
        due_on=timezone.localdate() + dt.timedelta(days=5),
    )
    with pytest.raises(AccessRefused):
        task_start(actor=actor_for(nurse), task_id=task.pk)
    task = task_start(actor=sw, task_id=task.pk)
    assert task.status == TaskStatus.IN_PROGRESS
    with pytest.raises(InvalidInput):
        task_cancel(actor=sw, task_id=task.pk, reason=" ")
    task_cancel(actor=sw, task_id=task.pk, reason="daughter declined")
    with pytest.raises(Conflict):
        task_complete(actor=sw, task_id=task.pk)


def test_reassigning_moves_the_task_and_its_relationship(world, community):
    trust, _team, nurse = community
    sw = actor_for(world.social_worker)
    care_team_join(actor=sw, person_id=world.person.pk, user_id=nurse.pk)
    task = task_create(
        actor=sw,
        person_id=world.person.pk,
        title="Wound review",
        assignee_user_id=world.social_worker.pk,
    )
    task = task_assign(actor=sw, task_id=task.pk, assignee_user_id=nurse.pk)
    assert (task.assignee_user_id, task.assignee_organisation_id) == (
        nurse.pk,
        trust.pk,
    )


def test_joining_the_care_team_creates_the_relationship_and_leaving_ends_it(
    world, community
):
    _, _, nurse = community
    sw = actor_for(world.social_worker)
    assert not _sees(nurse, world.person)
    member = care_team_join(
        actor=sw, person_id=world.person.pk, user_id=nurse.pk, lead=True
    )
    again = care_team_join(actor=sw, person_id=world.person.pk, user_id=nurse.pk)
    assert again.pk == member.pk
    assert _sees(nurse, world.person)
    leads = CareTeamMember.objects.filter(
        person=world.person, is_lead=True, ended_on__isnull=True
    )
    assert list(leads.values_list("user_id", flat=True)) == [nurse.pk]
    # The lead cannot leave while others remain without a new lead.
    with pytest.raises(Conflict):
        care_team_leave(actor=actor_for(nurse), member_id=member.pk)
    sw_member = CareTeamMember.objects.get(
        person=world.person, user=world.social_worker, ended_on__isnull=True
    )
    lead_professional_set(actor=sw, member_id=sw_member.pk)
    care_team_leave(actor=actor_for(nurse), member_id=member.pk)
    assert not _sees(nurse, world.person)


def test_someone_without_a_direct_care_role_cannot_join_a_care_team(world):
    with pytest.raises(InvalidInput) as error:
        care_team_join(
            actor=actor_for(world.social_worker),
            person_id=world.person.pk,
            user_id=world.commissioner.pk,
        )
    assert "user" in error.value.fields


def test_the_system_closes_only_open_tasks_and_keeps_its_reason(world):
    from joinedup.coordination.models import Task
    from joinedup.coordination.services import tasks_close

    sw = actor_for(world.social_worker)
    open_task = task_create(
        actor=sw,
        person_id=world.person.pk,
        title="Arrange a package of care",
        assignee_organisation_id=world.council.pk,
    )
    done = task_create(
        actor=sw,
        person_id=world.person.pk,
        title="Earlier request",
        assignee_user_id=world.social_worker.pk,
    )
    task_complete(actor=sw, task_id=done.pk, outcome="done by hand")
    closed = tasks_close(
        Task.objects.filter(person=world.person),
        status=TaskStatus.CANCELLED,
        outcome="the patient left hospital",
    )
    assert closed == 1
    open_task.refresh_from_db()
    done.refresh_from_db()
    assert (open_task.status, open_task.outcome) == (
        TaskStatus.CANCELLED,
        "the patient left hospital",
    )
    assert (done.status, done.outcome) == (TaskStatus.COMPLETED, "done by hand")
    with pytest.raises(ValueError):
        tasks_close(Task.objects.all(), status=TaskStatus.OPEN, outcome="")
