"""FHIR: the child protection flag as Flag (for anyone who may open the record:
that a plan exists and whom to contact) and child protection plans as
EpisodeOfCare (only for those working the case), validated as FHIR R4B."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from joinedup.governance.models import AuditEntry
from joinedup.governance.services import token_create
from joinedup.interop.fhir.mappers_out import resource_validate
from joinedup.safeguarding.services import children
from tests.conftest import actor_for
from tests.factories import care_team_add

TODAY = timezone.localdate()


def _plan(area):
    case = children.child_referral_make(
        actor=actor_for(area.gp),
        person_id=area.child.pk,
        council_id=area.children.pk,
        reason="Neglect",
        consent="given",
        received_on=TODAY - dt.timedelta(days=5),
    )
    csc = actor_for(area.csc_worker)
    children.child_referral_decide(
        actor=csc,
        case_id=case.pk,
        decision="strategy_discussion",
        reasons="x",
        social_worker_id=area.csc_worker.pk,
    )
    children.strategy_discussion_record(
        actor=csc,
        case_id=case.pk,
        held_on=TODAY - dt.timedelta(days=4),
        agencies=["health", "police", "social_care"],
        s47=True,
    )
    children.s47_outcome_record(
        actor=csc, case_id=case.pk, outcome="concerns_substantiated"
    )
    children.initial_conference_record(
        actor=csc, case_id=case.pk, held_on=TODAY, plan=True, category="neglect"
    )
    return case


def _get(client, user, path):
    token = token_create(username=user.username, name=f"f-{path}")
    return client.get(f"/fhir/R4/{path}", HTTP_AUTHORIZATION=f"Bearer {token}")


def test_flag_and_episode_of_care(client, area):
    _plan(area)
    # A GP with the child registered sees the flag, not the plan.
    bundle = _get(client, area.gp, f"Flag?patient={area.child.pk}").json()
    assert bundle["total"] == 1
    flag = bundle["entry"][0]["resource"]
    resource_validate(flag)
    assert flag["status"] == "active" and flag["code"]["coding"][0]["code"] == "cp_plan"
    assert "01632 960002" in flag["code"]["text"]
    assert "eglect" not in str(flag)  # the category is the plan's content
    read = _get(client, area.gp, f"Flag/{flag['id']}")
    assert read.status_code == 200 and read.json()["id"] == flag["id"]
    assert (
        _get(client, area.gp, f"EpisodeOfCare?patient={area.child.pk}").json()["total"]
        == 0
    )
    # Children's social care, holding the case, sees the plan.
    episodes = _get(
        client, area.csc_worker, f"EpisodeOfCare?patient={area.child.pk}"
    ).json()
    assert episodes["total"] == 1
    episode = episodes["entry"][0]["resource"]
    resource_validate(episode)
    assert episode["status"] == "active"
    assert episode["type"][1]["coding"][0]["code"] == "neglect"
    assert episode["managingOrganization"]["reference"] == (
        f"Organization/{area.children.pk}"
    )
    refused = _get(client, area.gp, f"EpisodeOfCare/{episode['id']}")
    assert refused.status_code == 404
    assert refused.json()["resourceType"] == "OperationOutcome"
    assert AuditEntry.objects.filter(
        action="fhir_search", person_id=area.child.pk
    ).exists()


def test_flag_refused_without_a_relationship(client, area):
    _plan(area)
    response = _get(client, area.ed, f"Flag?patient={area.child.pk}")
    assert response.status_code == 403
    assert response.json()["resourceType"] == "OperationOutcome"


def test_capability_statement_lists_flag_and_episode_of_care(client, area):
    care_team_add(area.child, area.gp, area.practice, "gp")
    types = {
        r["type"] for r in client.get("/fhir/R4/metadata").json()["rest"][0]["resource"]
    }
    assert {"Flag", "EpisodeOfCare"} <= types
