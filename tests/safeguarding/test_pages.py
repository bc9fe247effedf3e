"""The step pages: each step of adult, children's and early help work done on the
web, a refusal naming the field with nothing saved, and sealed content refused
to partners."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from joinedup.coordination.models import Task
from joinedup.people.models import InvolvementKind
from joinedup.safeguarding.models import (
    AdultConcern,
    ChildCase,
    ChildProtectionPlan,
    Conference,
    EarlyHelpAssessment,
    FamilyStep,
)
from joinedup.safeguarding.services import adults, children, families
from tests.conftest import actor_for
from tests.factories import PASSWORD, care_team_add, involve

TODAY = timezone.localdate()


def _as(client, user):
    client.logout()
    assert client.login(username=user.username, password=PASSWORD)
    return client


def _d(day: dt.date) -> str:
    return f"{day.day}/{day.month}/{day.year}"


@pytest.fixture
def concern(area):
    return adults.concern_raise(
        actor=actor_for(area.gp), person_id=area.adult.pk,
        what_happened="Money going missing from her purse", where_happened="Home",
        when_happened="Since March", council_id=area.adults.pk, consent="given",
        person_views="Wants it to stop but to keep seeing her grandson",
        desired_outcomes="Keep control of her money",
    )  # fmt: skip


def test_adult_steps_on_the_web(client, area, concern):
    _as(client, area.asc_worker)
    url = f"/safeguarding/concerns/{concern.pk}/decide/"
    page = client.get(url)
    assert page.status_code == 200 and "Does the adult have needs" in page.text
    decision = {
        "care_and_support_needs": "yes", "experiencing_or_at_risk": "yes",
        "unable_to_protect_self": "yes", "categories": ["financial_material"],
        "decision": "s42_enquiry", "reasons": "All three parts met",
        "enquiry_officer": str(area.asc_officer.pk),
    }  # fmt: skip
    refused = client.post(url, {**decision, "unable_to_protect_self": ""})
    assert refused.status_code == 400
    assert 'href="#unable_to_protect_self"' in refused.text
    assert "answer yes or no" in refused.text
    concern.refresh_from_db()
    assert concern.status == "raised" and concern.decision == ""
    refused = client.post(url, {**decision, "decision": "no_further_action"})
    assert refused.status_code == 400 and 'href="#decision"' in refused.text
    assert client.post(url, decision).status_code == 302
    concern.refresh_from_db()
    assert concern.status == "enquiry"

    _as(client, area.asc_officer)
    strategy = f"/safeguarding/concerns/{concern.pk}/strategy/"
    refused = client.post(strategy, {"held_on": "31/2/2026", "agencies": ["health"]})
    assert refused.status_code == 400 and 'href="#held_on"' in refused.text
    ok = client.post(
        strategy,
        {"held_on": _d(TODAY), "agencies": ["health", "police"], "notes": "Plan",
         "members": [str(area.gp.pk)]},
    )  # fmt: skip
    assert ok.status_code == 302
    action = f"/safeguarding/concerns/{concern.pk}/actions/new/"
    refused = client.post(action, {"title": "Bank check", "organisation": ""})
    assert refused.status_code == 400 and 'href="#organisation"' in refused.text
    for org, title in ((area.practice, "Medication review"), (area.adults, "Bank")):
        assert (
            client.post(action, {"title": title, "organisation": str(org.pk)})
        ).status_code == 302
    assert set(
        Task.objects.filter(source_ref=f"adult:{concern.pk}:action").values_list(
            "assignee_organisation_id", flat=True
        )
    ) == {area.practice.pk, area.adults.pk}

    _as(client, area.asc_worker)
    close = f"/safeguarding/concerns/{concern.pk}/close/"
    refused = client.post(
        close, {"outcomes_met": "fully", "person_view_on_outcome": "Relieved"}
    )
    assert refused.status_code == 400 and 'href="#risk_outcome"' in refused.text
    concern.refresh_from_db()
    assert concern.enquiry.closed_at is None
    client.post(
        close,
        {"risk_outcome": "reduced", "outcomes_met": "partially",
         "person_view_on_outcome": "Relieved; still sees her grandson"},
    )  # fmt: skip
    page = client.get(f"/safeguarding/concerns/{concern.pk}/").text
    assert "Risk reduced" in page and "still sees her grandson" in page
    assert "Medication review" in page


def test_partners_see_that_a_concern_exists_not_its_content(client, area, concern):
    _as(client, area.gp)  # raised it, but does not work the enquiry
    page = client.get(f"/safeguarding/concerns/{concern.pk}/")
    assert page.status_code == 403
    assert "Money going missing" not in page.text
    assert client.get(f"/safeguarding/concerns/{concern.pk}/decide/").status_code == 403
    person = client.get(f"/safeguarding/people/{area.adult.pk}/").text
    assert "Adult safeguarding concern" in person and "This is sealed" in person
    assert "Money going missing" not in person
    # Deciding is for the council that holds the concern, even through a POST.
    _as(client, area.ed)
    assert (
        client.post(f"/safeguarding/concerns/{concern.pk}/decide/", {}).status_code
        == 403
    )
    assert AdultConcern.objects.get().decision == ""


def test_child_protection_steps_on_the_web(client, area):
    # Children's social care holds the child's records (so sees the closed case).
    involve(area.child, area.children, InvolvementKind.SOCIAL_CARE_CLIENT)
    case = children.child_referral_make(
        actor=actor_for(area.gp), person_id=area.child.pk, council_id=area.children.pk,
        reason="Bruising to the face", consent="given",
        received_on=TODAY - dt.timedelta(days=40),
    )  # fmt: skip
    _as(client, area.csc_worker)
    base = f"/safeguarding/cases/{case.pk}"
    assert "Decide the response" in client.get(f"{base}/").text
    assert (
        client.post(f"{base}/decide/", {"decision": "strategy_discussion"}).status_code
        == 400
    )
    client.post(
        f"{base}/decide/",
        {"decision": "strategy_discussion", "reasons": "Injury to a baby",
         "social_worker": str(area.csc_worker.pk)},
    )  # fmt: skip
    held = TODAY - dt.timedelta(days=35)
    refused = client.post(
        f"{base}/strategy/",
        {"held_on": _d(held), "agencies": ["health", "social_care"], "s47": "yes"},
    )
    assert refused.status_code == 400 and 'href="#agencies"' in refused.text
    client.post(
        f"{base}/strategy/",
        {"held_on": _d(held), "agencies": ["health", "police", "social_care"],
         "s47": "yes", "members": [str(area.health_visitor.pk)]},
    )  # fmt: skip
    client.post(f"{base}/s47/", {"outcome": "concerns_substantiated"})
    conference = {"held_on": _d(TODAY), "plan": "yes", "category": "physical"}
    late = client.post(f"{base}/conference/", conference)
    assert late.status_code == 400 and 'href="#held_on"' in late.text
    assert "15 working day limit" in late.text
    no_category = client.post(
        f"{base}/conference/", {**conference, "category": "", "late_reason": "x"}
    )
    assert no_category.status_code == 400 and 'href="#category"' in no_category.text
    assert not Conference.objects.exists() and not ChildProtectionPlan.objects.exists()
    ok = client.post(
        f"{base}/conference/", {**conference, "late_reason": "Parent in hospital"}
    )
    assert ok.status_code == 302
    client.post(f"{base}/core-group/", {"members": [str(area.health_visitor.pk)]})
    client.post(f"{base}/review/", {"held_on": _d(TODAY), "continue_plan": "yes"})
    refused = client.post(f"{base}/end/", {"ended_on": _d(TODAY), "reason": ""})
    assert refused.status_code == 400 and 'href="#reason"' in refused.text
    assert ChildProtectionPlan.objects.get().ended_on is None
    client.post(f"{base}/end/", {"ended_on": _d(TODAY), "reason": "no_longer_at_risk"})
    page = client.get(f"{base}/").text
    assert "Physical abuse" in page and "No longer at continuing risk" in page
    assert ChildCase.objects.get().status == "closed"
    # The health visitor was a conference member: the case's members have left.
    _as(client, area.health_visitor)
    assert client.get(f"{base}/").status_code == 403


def test_family_pages_per_member_and_step_up(client, area):
    hv = area.health_visitor
    care_team_add(area.child, hv, area.community, "health_visitor")
    family = families.family_create(
        actor=actor_for(hv), reference="EH-WEB",
        members=[(area.child.pk, "child")], lead_practitioner_id=hv.pk,
    )  # fmt: skip
    # The parent joins the household; the health visitor has no relationship.
    family.members.create(person=area.parent, role="parent")
    _as(client, hv)
    base = f"/safeguarding/families/{family.pk}"
    page = client.get(f"{base}/").text
    assert "Tom Ashby" in page or "ASHBY" in page.upper()
    assert "A member you cannot see" in page and "Dean" not in page
    refused = client.post(
        f"{base}/assessment/", {"person": str(area.child.pk), "health": ""}
    )
    assert refused.status_code == 400 and 'href="#health"' in refused.text
    assert not EarlyHelpAssessment.objects.exists()
    client.post(
        f"{base}/assessment/",
        {"person": str(area.child.pk), "health": "Missed reviews",
         "basic_care": "Cold home", "strengths": "Grandmother nearby"},
    )  # fmt: skip
    assert EarlyHelpAssessment.objects.count() == 1
    client.post(f"{base}/team/", {"user": str(area.gp.pk), "service": "other"})
    assert "Family plan" in client.get(f"{base}/plan/").text
    client.post(
        f"{base}/plan/",
        {"plan_text": "Weekly visits", "review_due_on": _d(TODAY + dt.timedelta(28))},
    )
    refused = client.post(
        f"{base}/step-up/",
        {"child": str(area.child.pk), "council": str(area.children.pk),
         "reason": "Worse", "consent": "refused"},
    )  # fmt: skip
    assert refused.status_code == 400 and 'href="#lawful_basis"' in refused.text
    assert not FamilyStep.objects.exists()
    client.post(
        f"{base}/step-up/",
        {"child": str(area.child.pk), "council": str(area.children.pk),
         "reason": "Worse", "consent": "given"},
    )  # fmt: skip
    page = client.get(f"{base}/").text
    assert "Stepped up to children" in page and "Weekly visits" in page
    _as(client, area.ed)
    assert client.get(f"{base}/").status_code == 404
