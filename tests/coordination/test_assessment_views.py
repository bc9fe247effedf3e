"""Shared assessment pages: start, the nurse finds health sections pre-filled
and completes them, who completed each section, errors named on the form, a
second submission is a clear conflict, amendments, eligibility in words."""

import datetime as dt
import html

import pytest
from django.urls import reverse

from joinedup.coordination.models import Assessment, AssessmentSection
from joinedup.governance.models import AuditEntry, OrganisationType, Role
from joinedup.record.models import EventKind
from tests.factories import (
    PASSWORD,
    EventFactory,
    OrganisationFactory,
    care_team_add,
    professional,
)


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


def test_the_story_start_prefill_complete_and_eligibility(client, world, nurse):
    EventFactory(
        person=world.person,
        source_system=world.gp_system,
        kind=EventKind.DIAGNOSIS,
        code_display="Heart failure",
        summary="Diagnosis recorded: Heart failure",
        occurred_at=dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC),
    )
    login(client, world.social_worker)
    page = client.get(reverse("assessment_list", args=[world.person.pk]))
    assert page.status_code == 200 and "Shared assessments" in text(page)
    assert "No shared assessment has been started" in text(page)
    response = client.post(
        reverse("assessment_list", args=[world.person.pk]), {"kind": "adult"}
    )
    assessment = Assessment.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("assessment_detail", args=[assessment.pk])

    url = reverse("assessment_section", args=[assessment.pk, "care_act_outcomes"])
    response = client.post(
        url,
        {
            "needs_from_impairment_or_illness": "yes",
            "significant_impact_on_wellbeing": "yes",
            "outcome_nutrition": ["needs_assistance"],
            "outcome_toilet_needs": ["endangers_health_safety"],
        },
    )
    assert response.status_code == 302

    login(client, nurse)
    page = client.get(
        reverse("assessment_section", args=[assessment.pk, "health_conditions"])
    )
    body = text(page)
    assert "From GP system, 3 March 2026; confirm or change" in body
    assert ">Heart failure</textarea>" in body
    response = client.post(
        reverse("assessment_section", args=[assessment.pk, "health_conditions"]),
        {"conditions": "Heart failure", "medications": "Bisoprolol"},
    )
    assert response.status_code == 302

    page = client.get(reverse("assessment_detail", args=[assessment.pk]))
    body = text(page)
    assert page.status_code == 200
    assert "Nia Nurse, Community matron, Joinedup Community Trust" in body
    assert "Pat Professional, Social worker, Joinedup Council Adult Social Care" in body
    assert "Confirmed from GP system, 3 March 2026" in body
    assert 'data-testid="eligibility-summary">Eligible<' in body
    assert (
        "Managing toilet needs: only by endangering their own or others' "
        "health or safety" in body
    )


def test_errors_are_named_on_the_form_and_nothing_is_saved(client, world):
    login(client, world.social_worker)
    client.post(reverse("assessment_list", args=[world.person.pk]), {"kind": "adult"})
    assessment = Assessment.objects.get()
    response = client.post(
        reverse("assessment_section", args=[assessment.pk, "care_act_outcomes"]),
        {"outcome_nutrition": ["needs_assistance"]},
    )
    body = text(response)
    assert response.status_code == 400
    assert "There is a problem" in body
    assert 'href="#needs_from_impairment_or_illness"' in body
    assert 'value="needs_assistance" checked' in body  # what was typed is kept
    assert not AssessmentSection.objects.exists()


def test_a_second_submission_is_a_clear_conflict(client, world, nurse):
    login(client, world.social_worker)
    client.post(reverse("assessment_list", args=[world.person.pk]), {"kind": "adult"})
    assessment = Assessment.objects.get()
    url = reverse("assessment_section", args=[assessment.pk, "risks"])
    assert client.post(url, {"risks": "Lives alone"}).status_code == 302
    login(client, nurse)
    response = client.post(url, {"risks": "Something else"})
    body = text(response)
    assert response.status_code == 409
    assert "was already completed" in body and "amend it" in body
    assert "Lives alone" in body  # the answers there now are shown
    assert AssessmentSection.objects.get().answers["risks"] == "Lives alone"


def test_an_amendment_through_the_page_keeps_the_earlier_answer(client, world):
    login(client, world.social_worker)
    client.post(reverse("assessment_list", args=[world.person.pk]), {"kind": "adult"})
    assessment = Assessment.objects.get()
    url = reverse("assessment_section", args=[assessment.pk, "risks"])
    client.post(url, {"risks": "Lives alone"})
    page = client.get(url + "?amend=1")
    assert "Why are you amending this section?" in text(page)
    response = client.post(
        url, {"action": "amend", "risks": "Lives alone; falls", "reason": ""}
    )
    assert response.status_code == 400 and 'href="#reason"' in text(response)
    client.post(
        url, {"action": "amend", "risks": "Lives alone; falls", "reason": "New fall"}
    )
    body = text(client.get(url))
    assert "Lives alone; falls" in body and "Earlier answers" in body
    assert AssessmentSection.objects.count() == 2


def test_a_second_assessment_of_a_kind_in_progress_is_explained(client, world):
    login(client, world.social_worker)
    client.post(reverse("assessment_list", args=[world.person.pk]), {"kind": "adult"})
    response = client.post(
        reverse("assessment_list", args=[world.person.pk]), {"kind": "adult"}
    )
    assert response.status_code == 409
    assert "already has an assessment of this kind in progress" in text(response)


def test_a_stranger_is_refused_and_audited(client, world):
    login(client, world.social_worker)
    before = AuditEntry.objects.count()
    response = client.get(reverse("assessment_list", args=[world.stranger.pk]))
    assert response.status_code == 403
    entry = AuditEntry.objects.order_by("-seq").first()
    assert AuditEntry.objects.count() == before + 1 and entry.outcome == "refused"
    response = client.post(
        reverse("assessment_list", args=[world.stranger.pk]), {"kind": "adult"}
    )
    assert response.status_code == 403 and not Assessment.objects.exists()


def test_unknown_assessment_and_section(client, world):
    login(client, world.social_worker)
    assert client.get(reverse("assessment_detail", args=[999])).status_code == 404
    client.post(reverse("assessment_list", args=[world.person.pk]), {"kind": "adult"})
    assessment = Assessment.objects.get()
    response = client.get(
        reverse("assessment_section", args=[assessment.pk, "hobbies"])
    )
    assert response.status_code == 404


def test_the_assessment_page_query_count_is_fixed(client, world, nurse):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, world.social_worker)
    client.post(reverse("assessment_list", args=[world.person.pk]), {"kind": "adult"})
    assessment = Assessment.objects.get()
    url = reverse("assessment_detail", args=[assessment.pk])
    with CaptureQueriesContext(connection) as empty:
        assert client.get(url).status_code == 200
    for key, answers in (
        ("risks", {"risks": "Lives alone"}),
        ("mobility_falls", {"falls_last_year": "1"}),
        ("housing", {"housing_type": "owner"}),
    ):
        sec_url = reverse("assessment_section", args=[assessment.pk, key])
        assert client.post(sec_url, answers).status_code == 302
    with CaptureQueriesContext(connection) as filled:
        assert client.get(url).status_code == 200
    assert len(filled.captured_queries) == len(empty.captured_queries)
