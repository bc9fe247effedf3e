"""Care plan pages: create the plan with actions for owners in two
organisations, every contribution shown with its author, form errors named, and
no lost update when two professionals edit at once (the merge page)."""

import datetime as dt
import html
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from joinedup.coordination.models import CarePlan, CarePlanVersion, Task
from joinedup.governance.models import AuditEntry, OrganisationType, Role
from tests.factories import PASSWORD, OrganisationFactory, care_team_add, professional

SOON = (timezone.localdate() + dt.timedelta(days=14)).strftime("%d/%m/%Y")


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


def login(client, user):
    client.logout()
    assert client.login(username=user.username, password=PASSWORD)


def text(response):
    return html.unescape(response.content.decode())


def form(
    base_version="",
    goals="I want to stay at home",
    contingency="",
    rows=(),
    review_on="",
):
    data = {
        "base_version": base_version,
        "goals": goals,
        "contingency": contingency,
        "review_on": review_on,
        "action_count": str(len(rows)),
    }
    for i, (ref, description, owner, due) in enumerate(rows):
        data[f"action-{i}-ref"] = ref
        data[f"action-{i}-description"] = description
        data[f"action-{i}-owner"] = str(owner)
        data[f"action-{i}-due"] = due
    return data


def _create(client, world, nurse):
    login(client, world.social_worker)
    response = client.post(
        reverse("plan_edit", args=[world.person.pk]),
        form(
            contingency="Call the duty social worker",
            rows=[
                ("", "Weekly medication check", nurse.pk, SOON),
                ("", "Arrange day centre place", world.social_worker.pk, ""),
                ("", "", "", ""),
            ],
            review_on=SOON,
        ),
    )
    assert response.status_code == 302, text(response)
    return CarePlan.objects.get()


def test_create_a_plan_and_see_every_contribution_with_its_author(client, world, nurse):
    login(client, world.social_worker)
    page = client.get(reverse("plan_detail", args=[world.person.pk]))
    assert "This person has no care plan yet" in text(page)
    assert client.get(reverse("plan_edit", args=[world.person.pk])).status_code == 200
    _create(client, world, nurse)
    tasks = Task.objects.order_by("pk")
    assert [t.assignee_user for t in tasks] == [nurse, world.social_worker]
    assert {t.assignee_organisation.name for t in tasks} == {
        "Joinedup Community Trust",
        "Joinedup Council Adult Social Care",
    }

    login(client, nurse)
    page = client.get(reverse("plan_edit", args=[world.person.pk]))
    assert 'name="base_version" value="1"' in text(page)
    response = client.post(
        reverse("plan_edit", args=[world.person.pk]),
        form(
            base_version="1",
            goals="I want to stay at home\nI want to walk to the shop",
            contingency="Call the duty social worker",
            rows=[
                ("A1", "Weekly medication check", nurse.pk, SOON),
                ("A2", "Arrange day centre place", world.social_worker.pk, ""),
            ],
            review_on=SOON,
        ),
    )
    assert response.status_code == 302
    body = text(client.get(reverse("plan_detail", args=[world.person.pk])))
    assert "“I want to walk to the shop”" in body
    assert "Added by Nia Nurse, Joinedup Community Trust" in body
    assert "Added by Pat Professional, Joinedup Council Adult Social Care" in body
    assert "Nia Nurse, Community matron, Joinedup Community Trust" in body  # history
    assert "Created the plan" in body and "Goals" in body
    assert "Version 2" in body


def test_form_errors_name_the_action_row(client, world, nurse):
    login(client, world.social_worker)
    response = client.post(
        reverse("plan_edit", args=[world.person.pk]),
        form(
            goals="", rows=[("", "Visit", world.gp.pk, "31/2/2026"), ("", "", "", "")]
        ),
    )
    body = text(response)
    assert response.status_code == 400
    assert 'href="#goals"' in body and 'href="#action-0-due"' in body
    assert "Action 1: enter a real date" in body
    assert not CarePlan.objects.exists()
    response = client.post(
        reverse("plan_edit", args=[world.person.pk]),
        form(rows=[("", "Visit", world.gp.pk, "")]),
    )
    assert response.status_code == 400
    assert "Action 1: is not in the person's care team" in text(response)


def test_two_professionals_editing_at_once_lose_nothing(client, world, nurse):
    _create(client, world, nurse)
    rows = [
        ("A1", "Weekly medication check", nurse.pk, SOON),
        ("A2", "Arrange day centre place", world.social_worker.pk, ""),
    ]
    # The nurse saves first, from version 1.
    login(client, nurse)
    client.post(
        reverse("plan_edit", args=[world.person.pk]),
        form(
            base_version="1",
            contingency="Call the community nurse on 0300 555 0101",
            rows=rows,
            review_on=SOON,
        ),
    )
    # The social worker, who also opened version 1, saves a different change.
    login(client, world.social_worker)
    response = client.post(
        reverse("plan_edit", args=[world.person.pk]),
        form(
            base_version="1",
            goals="I want to stay at home\nI want to go to church on Sundays",
            contingency="Call the duty social worker",
            rows=rows,
            review_on=SOON,
        ),
    )
    body = text(response)
    assert response.status_code == 409
    assert "Someone changed this plan since you opened it" in body
    assert "Version 2 by Nia Nurse, Joinedup Community Trust" in body
    assert "Call the community nurse on 0300 555 0101" in body  # theirs
    assert "I want to go to church on Sundays" in body  # yours, carried over
    assert CarePlan.objects.get().current_version == 2
    # Goals: only the social worker changed them (pre-chosen: yours);
    # contingency: only the nurse changed it (pre-chosen: theirs).
    assert (
        'id="choose_goals-yours" name="choose_goals" type="radio" value="yours" checked'
        in body
    )
    assert (
        'id="choose_contingency-theirs" name="choose_contingency" type="radio" '
        'value="theirs" checked' in body
    )
    yours = json.loads(response.context["yours_json"])
    response = client.post(
        reverse("plan_edit", args=[world.person.pk]),
        {
            "merge": "1",
            "base_version": "2",
            "original_base": "1",
            "yours_json": json.dumps(yours),
            "choose_goals": "yours",
            "choose_actions": "theirs",
            "choose_contingency": "theirs",
            "choose_review_on": "theirs",
        },
    )
    assert response.status_code == 302
    v3 = CarePlanVersion.objects.get(number=3)
    assert [g["text"] for g in v3.goals] == [
        "I want to stay at home",
        "I want to go to church on Sundays",
    ]
    assert v3.contingency == "Call the community nurse on 0300 555 0101"
    assert v3.author == world.social_worker


def test_a_merge_without_a_choice_asks_again(client, world, nurse):
    plan = _create(client, world, nurse)
    response = client.post(
        reverse("plan_edit", args=[world.person.pk]),
        {
            "merge": "1",
            "base_version": str(plan.current_version),
            "yours_json": json.dumps({"goals": ["x"]}),
        },
    )
    assert response.status_code == 409
    assert 'href="#choose_goals"' in text(response)
    assert CarePlan.objects.get().current_version == 1


def test_a_stranger_is_refused_and_audited(client, world):
    login(client, world.social_worker)
    for name in ("plan_detail", "plan_edit"):
        before = AuditEntry.objects.count()
        response = client.get(reverse(name, args=[world.stranger.pk]))
        assert response.status_code == 403
        assert AuditEntry.objects.count() == before + 1
    response = client.post(reverse("plan_edit", args=[world.stranger.pk]), form())
    assert response.status_code == 403 and not CarePlan.objects.exists()


def test_the_plan_page_query_count_does_not_grow_with_the_plan(client, world, nurse):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    _create(client, world, nurse)
    url = reverse("plan_detail", args=[world.person.pk])
    with CaptureQueriesContext(connection) as small:
        assert client.get(url).status_code == 200
    rows = [("A1", "Weekly medication check", nurse.pk, SOON)]
    rows += [("", f"Action {i}", world.social_worker.pk, SOON) for i in range(6)]
    client.post(
        reverse("plan_edit", args=[world.person.pk]),
        form(base_version="1", goals="a\nb\nc\nd", rows=rows),
    )
    with CaptureQueriesContext(connection) as large:
        body = text(client.get(url))
    assert body.count('data-testid="action"') == 7
    assert len(large.captured_queries) == len(small.captured_queries)
