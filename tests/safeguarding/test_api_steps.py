"""REST for the steps: an adult enquiry, a child to a plan, a family stepped up;
errors are the shared JSON naming the field, nothing saved; sealed content is
refused to partners."""

from __future__ import annotations

import datetime as dt
import json

from django.utils import timezone

from joinedup.governance.services import token_create
from joinedup.people.models import InvolvementKind
from joinedup.safeguarding.models import ChildProtectionPlan, Conference
from tests.factories import care_team_add, involve

TODAY = timezone.localdate()


def _call(client, user, method, path, body=None):
    token = token_create(username=user.username, name=f"t-{path}-{method}")
    kwargs = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    url = f"/api/v1/safeguarding{path}"
    if method == "get":
        return client.get(url, **kwargs)
    return client.post(
        url, data=json.dumps(body or {}), content_type="application/json", **kwargs
    )


def test_adult_enquiry_over_rest(client, area):
    involve(area.adult, area.adults, InvolvementKind.SOCIAL_CARE_CLIENT)
    made = _call(
        client,
        area.gp,
        "post",
        "/concerns",
        {
            "person_id": area.adult.pk,
            "what_happened": "Left without food",
            "where_happened": "Care home",
            "when_happened": "This week",
            "council_id": area.adults.pk,
            "consent": "given",
            "person_views": "Wants to move",
        },
    )
    concern = made.json()["id"]
    refused = _call(
        client,
        area.asc_worker,
        "post",
        f"/concerns/{concern}/decision",
        {
            "care_and_support_needs": True,
            "experiencing_or_at_risk": True,
            "unable_to_protect_self": True,
            "categories": ["neglect_omission"],
            "decision": "s42_enquiry",
            "reasons": "",
            "enquiry_officer_id": area.asc_officer.pk,
        },
    )
    assert refused.status_code == 400
    assert (
        refused.json()["error"] == "invalid" and "reasons" in refused.json()["fields"]
    )
    ok = _call(
        client,
        area.asc_worker,
        "post",
        f"/concerns/{concern}/decision",
        {
            "care_and_support_needs": True,
            "experiencing_or_at_risk": True,
            "unable_to_protect_self": True,
            "categories": ["neglect_omission", "organisational"],
            "decision": "s42_enquiry",
            "reasons": "Met",
            "enquiry_officer_id": area.asc_officer.pk,
        },
    )
    assert ok.json()["status"] == "enquiry"
    for org in (area.practice, area.hospital):
        assert (
            _call(
                client,
                area.asc_officer,
                "post",
                f"/concerns/{concern}/actions",
                {"title": "Visit", "organisation_id": org.pk},
            ).status_code
            == 201
        )
    bad_date = _call(
        client,
        area.asc_officer,
        "post",
        f"/concerns/{concern}/strategy",
        {"held_on": "2026-02-31", "agencies": ["health"]},
    )
    assert bad_date.status_code == 400
    # Named as the client sent it, not by the handler's argument.
    assert "valid date" in bad_date.json()["fields"]["held_on"]
    refused = _call(
        client,
        area.asc_worker,
        "post",
        f"/concerns/{concern}/close",
        {"outcomes_met": "fully", "person_view_on_outcome": "Fine"},
    )
    assert "risk_outcome" in refused.json()["fields"]
    _call(
        client,
        area.asc_worker,
        "post",
        f"/concerns/{concern}/close",
        {
            "risk_outcome": "removed",
            "outcomes_met": "fully",
            "person_view_on_outcome": "Moved to a new home, happy",
        },
    )
    body = _call(client, area.asc_worker, "get", f"/concerns/{concern}").json()
    assert body["enquiry"]["closed"] and body["enquiry"]["risk_outcome"] == "removed"
    assert {a["organisation_id"] for a in body["enquiry"]["actions"]} == {
        area.practice.pk,
        area.hospital.pk,
    }
    sealed = _call(client, area.gp, "get", f"/concerns/{concern}")
    assert sealed.status_code == 403 and "Left without food" not in sealed.text


def test_child_to_plan_over_rest(client, area):
    involve(area.child, area.children, InvolvementKind.SOCIAL_CARE_CLIENT)
    case = _call(
        client,
        area.gp,
        "post",
        "/children/referrals",
        {
            "person_id": area.child.pk,
            "council_id": area.children.pk,
            "reason": "Disclosure at school",
            "consent": "not_sought",
            "lawful_basis": "safeguarding_individuals_at_risk",
            "received_on": str(TODAY - dt.timedelta(days=30)),
        },
    ).json()["id"]
    csw = area.csc_worker
    _call(
        client,
        csw,
        "post",
        f"/children/cases/{case}/decision",
        {"decision": "strategy_discussion", "reasons": "Disclosure"},
    )
    _call(
        client,
        csw,
        "post",
        f"/children/cases/{case}/strategy",
        {
            "held_on": str(TODAY - dt.timedelta(days=29)),
            "agencies": ["health", "police", "social_care"],
            "s47": True,
        },
    )
    _call(
        client,
        csw,
        "post",
        f"/children/cases/{case}/s47",
        {"outcome": "concerns_substantiated"},
    )
    late = _call(
        client,
        csw,
        "post",
        f"/children/cases/{case}/conferences/initial",
        {"held_on": str(TODAY), "plan": True, "category": "sexual"},
    )
    assert late.status_code == 400 and "held_on" in late.json()["fields"]
    assert not Conference.objects.exists()
    ok = _call(
        client,
        csw,
        "post",
        f"/children/cases/{case}/conferences/initial",
        {
            "held_on": str(TODAY),
            "plan": True,
            "category": "sexual",
            "late_reason": "Police interview first",
        },
    )
    assert ok.status_code == 201 and ok.json()["status"] == "plan"
    body = _call(client, csw, "get", f"/children/cases/{case}").json()
    assert body["plan"]["category"] == "sexual"
    assert body["conferences"][0]["late_reason"] == "Police interview first"
    refused = _call(
        client,
        csw,
        "post",
        f"/children/cases/{case}/plan/end",
        {"ended_on": str(TODAY)},
    )
    assert "reason" in refused.json()["fields"]
    assert ChildProtectionPlan.objects.get().ended_on is None


def test_family_over_rest(client, area):
    hv = area.health_visitor
    care_team_add(area.child, hv, area.community, "health_visitor")
    care_team_add(area.parent, hv, area.community, "health_visitor")
    family = _call(
        client,
        hv,
        "post",
        "/families",
        {
            "reference": "EH-API",
            "lead_practitioner_id": hv.pk,
            "members": [
                {"person_id": area.child.pk, "role": "child"},
                {"person_id": area.parent.pk, "role": "parent"},
            ],
        },
    ).json()["id"]
    assert (
        _call(
            client,
            hv,
            "post",
            f"/families/{family}/team",
            {"user_id": area.gp.pk, "service": "nursery"},
        ).status_code
        == 400
    )
    _call(
        client,
        hv,
        "post",
        f"/families/{family}/team",
        {"user_id": area.gp.pk, "service": "other"},
    )
    made = _call(
        client,
        hv,
        "post",
        f"/families/{family}/assessments",
        {
            "person_id": area.child.pk,
            "answers": {
                "development": {"health": "Speech delay"},
                "parenting": {"basic_care": "Good"},
                "family_environment": {"strengths": "Close family"},
            },
        },
    )
    assert made.status_code == 201
    up = _call(
        client,
        hv,
        "post",
        f"/families/{family}/step-up",
        {
            "child_id": area.child.pk,
            "council_id": area.children.pk,
            "reason": "Injury",
            "consent": "given",
        },
    )
    assert up.status_code == 201
    body = _call(client, hv, "get", f"/families/{family}").json()
    assert body["status"] == "social_care" and body["steps"][0]["direction"] == "up"
    assert {m["role"] for m in body["members"]} == {"child", "parent"}
    assert _call(client, area.ed, "get", f"/families/{family}").status_code == 404
