"""The shared care plan: versions with who and when, actions that become tasks
for owners in the care team, optimistic concurrency (no lost updates), the
pure merge, notifications to the care team, and the access policy."""

import datetime as dt

import pytest
from django.utils import timezone

from joinedup.coordination.models import (
    CarePlan,
    CarePlanVersion,
    Notification,
    Task,
    TaskSource,
    TaskStatus,
)
from joinedup.coordination.selectors.plans import care_plan_get
from joinedup.coordination.services.plans import (
    BOTH,
    SAME,
    THEIRS,
    YOURS,
    ActionIn,
    MergeUnchosen,
    PlanChanged,
    PlanContent,
    care_plan_merge_save,
    care_plan_save,
    content_of,
    plan_content_parse,
    plan_merge,
    plan_merged,
)
from joinedup.errors import AccessRefused, InvalidInput, NotFound
from joinedup.governance.models import AuditEntry, OrganisationType, Role
from joinedup.people.selectors import person_access_open
from tests.conftest import actor_for
from tests.factories import OrganisationFactory, care_team_add, professional

SOON = timezone.localdate() + dt.timedelta(days=14)


@pytest.fixture
def nurse(world):
    trust = OrganisationFactory(
        code="RCT",
        name="Joinedup Community Trust",
        type=OrganisationType.COMMUNITY_TRUST,
    )
    user = professional(
        Role.COMMUNITY_MATRON,
        trust,
        username="nurse",
        first_name="Nia",
        last_name="Nurse",
    )
    care_team_add(world.person, user, trust, Role.COMMUNITY_MATRON)
    return user


def _content(**kwargs):
    base = {
        "goals": ("I want to stay in my own home",),
        "contingency": "Call the duty team",
    }
    base.update(kwargs)
    return PlanContent(**base)


def _create(world, nurse, **kwargs):
    content = _content(
        actions=(ActionIn("", "Check medication weekly", nurse.pk, SOON),), **kwargs
    )
    return care_plan_save(
        actor=actor_for(world.social_worker),
        person_id=world.person.pk,
        base_version=None,
        content=content,
    )


def test_creating_a_plan_creates_version_one_and_a_task_per_action(world, nurse):
    version = _create(world, nurse)
    assert version.number == 1 and version.author == world.social_worker
    assert version.author_organisation == world.council
    task = Task.objects.get()
    assert task.assignee_user == nurse
    assert task.assignee_organisation.name == "Joinedup Community Trust"
    assert task.source == TaskSource.CARE_PLAN_ACTION and task.due_on == SOON
    assert task.source_ref == f"{version.plan_id}:A1"
    assert version.actions[0]["task"] == task.pk
    assert version.actions[0]["owner_organisation"] == task.assignee_organisation_id


def test_the_care_team_but_not_the_author_is_notified(world, nurse):
    _create(world, nurse)
    assert sorted(Notification.objects.values_list("user_id", "kind")) == [
        (nurse.pk, "plan_changed"),
        (nurse.pk, "task_assigned"),
    ]


def test_every_change_is_a_new_version_with_who_and_what_changed(world, nurse):
    v1 = _create(world, nurse)
    v2 = care_plan_save(
        actor=actor_for(nurse),
        person_id=world.person.pk,
        base_version=1,
        content=_content(
            goals=("I want to stay in my own home", "I want to see my grandchildren"),
            actions=content_of(v1).actions,
        ),
    )
    assert v2.number == 2 and v2.author == nurse and v2.changed == ["goals"]
    assert CarePlan.objects.get().current_version == 2
    assert CarePlanVersion.objects.count() == 2
    access = person_access_open(
        actor=actor_for(world.gp), person_id=world.person.pk, action="t"
    )
    view = care_plan_get(access=access)
    assert [g.added_by for g in view.goals] == ["Pat Professional", "Nia Nurse"]
    assert [(h.version.number, h.author) for h in view.history] == [
        (2, "Nia Nurse"),
        (1, "Pat Professional"),
    ]
    assert view.actions[0].agency == "Joinedup Community Trust"
    assert view.actions[0].task_status == "To do"


def test_saving_on_an_old_version_is_refused_and_nothing_is_lost(world, nurse):
    v1 = _create(world, nurse)
    care_plan_save(
        actor=actor_for(nurse),
        person_id=world.person.pk,
        base_version=1,
        content=_content(
            contingency="Call the community nurse", actions=content_of(v1).actions
        ),
    )
    with pytest.raises(PlanChanged) as exc:
        care_plan_save(
            actor=actor_for(world.social_worker),
            person_id=world.person.pk,
            base_version=1,
            content=_content(review_on=SOON, actions=content_of(v1).actions),
        )
    assert exc.value.status == 409 and exc.value.current_version == 2
    assert "Someone changed this plan since you opened it" in exc.value.detail
    assert CarePlan.objects.get().current_version == 2
    assert (
        CarePlanVersion.objects.get(number=2).contingency == "Call the community nurse"
    )


def test_creating_a_plan_that_exists_is_a_conflict(world, nurse):
    _create(world, nurse)
    with pytest.raises(PlanChanged) as exc:
        _create(world, nurse)
    assert "already has a care plan" in exc.value.detail


def test_saving_nothing_new_adds_no_version(world, nurse):
    v1 = _create(world, nurse)
    again = care_plan_save(
        actor=actor_for(nurse),
        person_id=world.person.pk,
        base_version=1,
        content=content_of(v1),
    )
    assert again == v1 and CarePlanVersion.objects.count() == 1


def test_an_owner_outside_the_care_team_is_refused_by_name(world, nurse):
    with pytest.raises(InvalidInput) as exc:
        care_plan_save(
            actor=actor_for(world.social_worker),
            person_id=world.person.pk,
            base_version=None,
            content=_content(actions=(ActionIn("", "Visit", world.gp.pk, SOON),)),
        )
    assert "care team" in exc.value.fields["actions.0.owner"]
    assert not CarePlan.objects.exists() and not Task.objects.exists()


def test_bad_dates_and_missing_goals_are_named(world, nurse):
    past = timezone.localdate() - dt.timedelta(days=3)
    with pytest.raises(InvalidInput) as exc:
        care_plan_save(
            actor=actor_for(world.social_worker),
            person_id=world.person.pk,
            base_version=None,
            content=PlanContent(
                goals=(),
                actions=(ActionIn("", "Visit", nurse.pk, past),),
                review_on=past,
            ),
        )
    assert set(exc.value.fields) == {"goals", "actions.0.due_on", "review_on"}


def test_parsing_names_each_field():
    with pytest.raises(InvalidInput) as exc:
        plan_content_parse(
            {
                "goals": "one\n\n two ",
                "actions": [
                    {"description": "", "owner_user_id": "x", "due_on": "31/2/2026"}
                ],
                "review_on": "soon",
            }
        )
    assert set(exc.value.fields) == {
        "actions.0.description",
        "actions.0.owner",
        "actions.0.due_on",
        "review_on",
    }
    with pytest.raises(InvalidInput) as exc:
        plan_content_parse({"goals": " \n "})
    assert exc.value.fields == {
        "goals": "write at least one goal, in the person's words"
    }
    content = plan_content_parse({"goals": "one\n\n two ", "review_on": "15/3/2030"})
    assert content.goals == ("one", "two") and content.review_on == dt.date(2030, 3, 15)


def test_handing_an_action_on_moves_the_task_and_removing_one_cancels_it(world, nurse):
    v1 = _create(world, nurse)
    sw = actor_for(world.social_worker)
    v2 = care_plan_save(
        actor=sw,
        person_id=world.person.pk,
        base_version=1,
        content=_content(
            actions=(
                ActionIn("A1", "Check medication weekly", world.social_worker.pk, SOON),
            )
        ),
    )
    old, new = Task.objects.order_by("pk")
    assert (
        old.status == TaskStatus.CANCELLED and new.assignee_user == world.social_worker
    )
    assert v2.actions[0]["task"] == new.pk and v2.actions[0]["ref"] == "A1"
    care_plan_save(
        actor=sw,
        person_id=world.person.pk,
        base_version=2,
        content=_content(actions=()),
    )
    new.refresh_from_db()
    assert new.status == TaskStatus.CANCELLED
    assert v1.actions[0]["ref"] == "A1"


def test_a_stranger_is_refused_and_audited(world, nurse):
    before = AuditEntry.objects.filter(outcome="refused").count()
    with pytest.raises(AccessRefused):
        care_plan_save(
            actor=actor_for(world.social_worker),
            person_id=world.stranger.pk,
            base_version=None,
            content=_content(),
        )
    assert AuditEntry.objects.filter(outcome="refused").count() == before + 1


def _versions(**changes):
    base = _content(review_on=SOON)
    return (
        base,
        PlanContent(**{**base.__dict__, **changes.get("theirs", {})}),
        PlanContent(**{**base.__dict__, **changes.get("yours", {})}),
    )


def test_merge_keeps_each_sides_changes_and_flags_clashes():
    base, theirs, yours = _versions(
        theirs={"contingency": "Call 111", "goals": ("Walk to the shop",)},
        yours={"review_on": SOON + dt.timedelta(days=7), "goals": ("Go to church",)},
    )
    status = {
        f.name: f.status for f in plan_merge(base=base, theirs=theirs, yours=yours)
    }
    assert status == {
        "goals": BOTH,
        "actions": SAME,
        "contingency": THEIRS,
        "review_on": YOURS,
    }


def test_merged_content_takes_each_field_from_the_chosen_side():
    _, theirs, yours = _versions(
        theirs={"contingency": "Call 111"}, yours={"goals": ("Go to church",)}
    )
    merged = plan_merged(
        theirs=theirs,
        yours=yours,
        choices={
            "goals": YOURS,
            "actions": THEIRS,
            "contingency": THEIRS,
            "review_on": THEIRS,
        },
    )
    assert merged.goals == ("Go to church",) and merged.contingency == "Call 111"
    with pytest.raises(InvalidInput) as exc:
        plan_merged(theirs=theirs, yours=yours, choices={"goals": "mine"})
    assert "choose_goals" in exc.value.fields


def test_a_removed_actions_ref_is_never_reused(world, nurse):
    _create(world, nurse)
    sw = actor_for(world.social_worker)
    care_plan_save(
        actor=sw,
        person_id=world.person.pk,
        base_version=1,
        content=_content(actions=()),
    )
    v3 = care_plan_save(
        actor=sw,
        person_id=world.person.pk,
        base_version=2,
        content=_content(actions=(ActionIn("", "New visit", nurse.pk, SOON),)),
    )
    assert v3.actions[0]["ref"] == "A2"
    assert Task.objects.get(pk=v3.actions[0]["task"]).source_ref.endswith(":A2")


def test_an_action_removed_meanwhile_but_kept_by_you_comes_back_as_new(world, nurse):
    v1 = _create(world, nurse)
    sw = actor_for(world.social_worker)
    care_plan_save(
        actor=sw,
        person_id=world.person.pk,
        base_version=1,
        content=_content(actions=()),
    )
    v3 = care_plan_save(
        actor=actor_for(nurse),
        person_id=world.person.pk,
        base_version=2,
        content=_content(actions=content_of(v1).actions),  # still refers to A1
    )
    assert [a["ref"] for a in v3.actions] == ["A2"]
    assert Task.objects.get(pk=v3.actions[0]["task"]).status == TaskStatus.OPEN


def test_saving_the_merge_page_takes_each_field_from_the_side_chosen(world, nurse):
    v1 = _create(world, nurse)
    actions = content_of(v1).actions
    care_plan_save(  # the nurse changes the contingency meanwhile
        actor=actor_for(nurse),
        person_id=world.person.pk,
        base_version=1,
        content=_content(contingency="Call the community nurse", actions=actions),
    )
    yours = _content(
        goals=("I want to go to church on Sundays",),
        contingency="Call my daughter",
        actions=actions,
    )
    with pytest.raises(PlanChanged) as clash:
        care_plan_save(
            actor=actor_for(world.social_worker),
            person_id=world.person.pk,
            base_version=1,
            content=yours,
        )
    assert clash.value.yours == yours  # what was not saved comes back to compare
    with pytest.raises(MergeUnchosen) as unchosen:
        care_plan_merge_save(
            actor=actor_for(world.social_worker),
            person_id=world.person.pk,
            base_version=2,
            yours=yours,
            choices={"goals": YOURS, "actions": THEIRS},
        )
    assert set(unchosen.value.fields) == {"choose_contingency", "choose_review_on"}
    assert CarePlan.objects.get().current_version == 2
    version = care_plan_merge_save(
        actor=actor_for(world.social_worker),
        person_id=world.person.pk,
        base_version=2,
        yours=yours,
        choices={
            "goals": YOURS,
            "actions": THEIRS,
            "contingency": THEIRS,
            "review_on": THEIRS,
        },
    )
    merged = content_of(version)
    assert version.number == 3
    assert merged.goals == ("I want to go to church on Sundays",)
    assert merged.contingency == "Call the community nurse"


def test_merging_where_there_is_no_plan_is_not_found(world, nurse):
    with pytest.raises(NotFound):
        care_plan_merge_save(
            actor=actor_for(world.social_worker),
            person_id=world.person.pk,
            base_version=1,
            yours=_content(),
            choices={},
        )
    assert not CarePlan.objects.exists()
