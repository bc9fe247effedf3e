"""The register of relationships: the services that create relationships open
and close its rows, the decision for one person and the "people visible to this
actor" filter agree on any state, and the register equals what its sources say."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from joinedup.coordination.models import Task
from joinedup.coordination.services.tasks import tasks_close
from joinedup.governance.access import Actor, Via, decide, people_visible_q
from joinedup.governance.models import (
    BreakGlass,
    Membership,
    OrganisationType,
    Relationship,
    RelationshipClaim,
    RelationshipKind,
    Role,
    SharingAgreement,
    SharingAgreementParty,
    Team,
)
from joinedup.governance.services import relationships_differences, relationships_sync
from joinedup.people.models import Involvement, InvolvementKind, Person
from tests.conftest import actor_for
from tests.factories import (
    PASSWORD,
    OrganisationFactory,
    PersonFactory,
    UserFactory,
    care_team_add,
    involve,
    professional,
)


def _open(person: Person) -> set[tuple[str, int | None, int | None, int | None]]:
    now = timezone.now()
    return {
        (r.kind, r.user_id, r.team_id, r.organisation_id)
        for r in Relationship.objects.filter(person=person).exclude(ended_at__lte=now)
    }


@pytest.mark.django_db
def test_care_team_membership_opens_and_leaving_closes_the_relationship(world):
    member = care_team_add(world.person, world.gp, world.practice, Role.GP)
    assert (RelationshipKind.CARE_TEAM, world.gp.pk, None, world.practice.pk) in _open(
        world.person
    )
    member.ended_on = timezone.localdate()
    member.save()
    assert (RelationshipKind.CARE_TEAM, world.gp.pk, None, world.practice.pk) not in (
        _open(world.person)
    )
    # The history is kept: the row is closed, not deleted.
    closed = Relationship.objects.get(kind=RelationshipKind.CARE_TEAM, user=world.gp)
    assert closed.ended_at is not None
    assert relationships_differences() == (set(), set())


@pytest.mark.django_db
def test_a_task_closed_by_the_system_ends_the_relationship(world):
    now = timezone.now()
    task = Task.objects.create(
        person=world.stranger,
        title="Review",
        assignee_organisation=world.council,
        created_at=now,
        updated_at=now,
    )
    actor = actor_for(world.social_worker)
    assert decide(actor, world.stranger, "view", "demographics").via == Via.OPEN_TASK
    tasks_close(Task.objects.filter(pk=task.pk), status="completed", outcome="done")
    assert not decide(actor, world.stranger, "view", "demographics").allowed
    assert relationships_differences() == (set(), set())


@pytest.mark.django_db
def test_a_change_of_gp_practice_moves_the_registration(world):
    other = OrganisationFactory(type=OrganisationType.GP_PRACTICE)
    world.person.registered_gp = other
    world.person.save()
    gps = {o for k, _, _, o in _open(world.person) if k == "registered_gp"}
    assert gps == {other.pk}
    assert relationships_differences() == (set(), set())


@pytest.mark.django_db
def test_the_register_follows_bulk_writes_once_synced(world):
    now = timezone.now()
    Involvement.objects.bulk_create(
        [
            Involvement(
                person=world.stranger,
                organisation=world.council,
                kind=InvolvementKind.SOCIAL_CARE_CLIENT,
                first_seen=now,
                last_seen=now,
            )
        ]
    )
    missing, extra = relationships_differences()
    assert {r.kind for r in missing} == {RelationshipKind.INVOLVEMENT} and not extra
    assert relationships_sync([world.stranger.pk]) == (1, 0)
    assert relationships_differences() == (set(), set())
    actor = actor_for(world.social_worker)
    assert Person.objects.filter(people_visible_q(actor), pk=world.stranger.pk).exists()


@pytest.mark.django_db
def test_the_access_report_shows_why_each_holder_may_see_the_person(client, world):
    care_team_add(world.person, world.gp, world.practice, Role.GP)
    client.login(username=world.ig_lead.username, password=PASSWORD)
    response = client.get(
        reverse("access_report"), {"nhs_number": world.person.nhs_number}
    )
    assert response.status_code == 200
    body = response.content.decode()
    table = body[body.index('data-testid="relationships"') :]
    table = table[: table.index("</table>")]
    assert "In the person&#x27;s care team" in table
    assert world.practice.name in table
    assert "registered GP practice" in table


# --- the decision and the visibility filter agree --------------------------

ROLES = (Role.GP, Role.SOCIAL_WORKER, Role.DISCHARGE_COORDINATOR)


@st.composite
def states(draw: st.DrawFn) -> dict[str, object]:
    n_people = 3
    ints = st.integers
    return {
        "registered": draw(st.lists(ints(-1, 2), min_size=n_people, max_size=n_people)),
        "involvements": draw(st.sets(st.tuples(ints(0, 2), ints(0, 2)), max_size=4)),
        "care_team": draw(
            st.dictionaries(
                st.tuples(ints(0, 2), ints(0, 3)), st.booleans(), max_size=4
            )
        ),
        # (person, org, team?, user?, status)
        "tasks": draw(
            st.lists(
                st.tuples(
                    ints(0, 2),
                    ints(0, 2),
                    st.booleans(),
                    ints(-1, 3),
                    st.sampled_from(["open", "in_progress", "completed"]),
                ),
                max_size=4,
            )
        ),
        "claims": draw(st.sets(st.tuples(ints(0, 2), ints(0, 3), st.booleans()))),
        "break_glass": draw(st.sets(st.tuples(ints(0, 2), ints(0, 3), st.booleans()))),
        "agreement": draw(st.one_of(st.none(), st.tuples(ints(0, 2), ints(0, 2)))),
    }


@pytest.mark.django_db(transaction=False)
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(state=states())
def test_the_decision_and_the_visibility_filter_agree(state, django_db_blocker):
    with transaction.atomic():
        _check_agreement(state)
        transaction.set_rollback(True)


def _check_agreement(state: dict) -> None:
    today = timezone.localdate()
    now = timezone.now()
    orgs = [
        OrganisationFactory(type=OrganisationType.GP_PRACTICE),
        OrganisationFactory(type=OrganisationType.COUNCIL_ADULT_SOCIAL_CARE),
        OrganisationFactory(type=OrganisationType.ACUTE_TRUST),
    ]
    teams = [Team.objects.create(organisation=o, name=f"Team {o.pk}") for o in orgs]
    users = []
    for i in range(4):
        org = orgs[i % 3]
        user = professional(ROLES[i % 3], org)
        if i == 3:  # the fourth works in a team
            Membership.objects.filter(user=user).update(team=teams[i % 3])
        users.append(user)
    people = [PersonFactory() for _ in range(3)]
    for p, gp in zip(people, state["registered"], strict=True):
        if gp >= 0:
            p.registered_gp = orgs[gp]
            p.save()
    for p, o in state["involvements"]:
        involve(people[p], orgs[o], InvolvementKind.OTHER)
    for (p, u), ended in state["care_team"].items():
        member = care_team_add(people[p], users[u], orgs[u % 3], ROLES[u % 3])
        if ended:
            member.ended_on = today
            member.save()
    for p, o, to_team, u, status in state["tasks"]:
        Task.objects.create(
            person=people[p],
            title="Work",
            assignee_organisation=orgs[o],
            assignee_team=teams[o] if to_team else None,
            assignee_user=users[u] if u >= 0 else None,
            status=status,
            created_at=now,
            updated_at=now,
        )
    for model, rows in ((RelationshipClaim, "claims"), (BreakGlass, "break_glass")):
        for p, u, expired in state[rows]:
            when = now - dt.timedelta(days=1) if expired else now
            extra = {"claimed_at": when} if model is RelationshipClaim else {
                "started_at": when, "justification": "Vital", "reason": "legal_duty"
            }  # fmt: skip
            model.objects.create(
                user=users[u],
                role=ROLES[u % 3],
                organisation=orgs[u % 3],
                person=people[p],
                expires_at=when + dt.timedelta(hours=12),
                **({"reason": "Seen in clinic"} if model is RelationshipClaim else {}),
                **extra,
            )
    if state["agreement"] is not None:
        a, b = state["agreement"]
        agreement = SharingAgreement.objects.create(
            title="Partnership",
            purpose="Joint care",
            legal_basis="direct_care_duty_to_share",
            categories=["health"],
            start_date=today - dt.timedelta(days=1),
            end_date=today + dt.timedelta(days=30),
            created_by=users[0],
        )
        for o in {a, b}:
            SharingAgreementParty.objects.create(
                agreement=agreement, organisation=orgs[o], approved_at=now
            )
    assert relationships_differences() == (set(), set())
    for user in users:
        membership = Membership.objects.get(user=user)
        actor = Actor(
            user_id=user.pk,
            role=membership.role,
            organisation_id=membership.organisation_id,
            team_id=membership.team_id,
        )
        visible = set(
            Person.objects.filter(people_visible_q(actor)).values_list("pk", flat=True)
        )
        for person in people:
            allowed = decide(actor, person, "view", "demographics").allowed
            assert allowed == (person.pk in visible), (user.pk, person.pk, state)


def test_an_unknown_user_sees_no_one(db, world):
    stranger = UserFactory()
    actor = Actor(user_id=stranger.pk, role=Role.GP, organisation_id=0)
    assert not Person.objects.filter(people_visible_q(actor)).exists()
