"""The CP-IS-style flag on ingest: an ED attendance (HL7 v2 ADT A04, alone or in
a group-committed batch, or a FHIR Encounter of class EMER) of a child on a
plan gives children's social care a task and a notification; the attending
clinician sees the flag on the person page, not the plan's content."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.utils import timezone

from joinedup.coordination.models import Notification, Task
from joinedup.interop.fhir.ingest import fhir_json_ingest
from joinedup.interop.hl7v2.ingest import hl7_batch_ingest, hl7_message_ingest
from joinedup.people.models import Identifier
from joinedup.safeguarding.models import FlagAttendance
from joinedup.safeguarding.services import children
from tests.conftest import actor_for


def _a04(control_id: str, visit: str, *, event: str = "A04") -> str:
    # HL7 v2.4 ADT^A04 (register a patient: an ED attendance), PV1-2 E.
    return "\r".join(
        [
            f"MSH|^~\\&|EDIS|RJV|JOINEDUP|JOINEDUP|20260318023000||ADT^{event}^ADT_A01|"
            f"{control_id}|P|2.4|||AL|NE|GBR|UNICODE UTF-8",
            f"EVN|{event}|20260318023000",
            "PID|1||700001^^^RJV^MR||Ashby^Tom^^^Master^^L||20190505|M|||"
            "3 Mill Lane^^Joinedup^^JU6 3XY^GBR^H",
            "PV1|1|E|ED^^^RJV01|E|||C1234567^Patel^Anil^^^Dr|||180||||19|||||"
            f"{visit}|||||||||||||||||||||||||20260318021500",
        ]
    )


@pytest.fixture
def child_on_plan(area):
    assert hl7_message_ingest(_a04("REG1", "V0", event="A28")).ack_code == "AA"
    person_id = Identifier.objects.get(value="700001").person_id
    gp = actor_for(area.ed)  # the hospital now knows the child
    today = timezone.localdate()
    case = children.child_referral_make(
        actor=gp, person_id=person_id, council_id=area.children.pk,
        reason="Bruising", consent="given", received_on=today - dt.timedelta(days=3),
    )  # fmt: skip
    csc = actor_for(area.csc_worker)
    children.child_referral_decide(
        actor=csc, case_id=case.pk, decision="strategy_discussion", reasons="x"
    )
    children.strategy_discussion_record(
        actor=csc, case_id=case.pk, held_on=today - dt.timedelta(days=2),
        agencies=["health", "police", "social_care"], s47=True,
    )  # fmt: skip
    children.s47_outcome_record(
        actor=csc, case_id=case.pk, outcome="concerns_substantiated"
    )
    children.initial_conference_record(
        actor=csc, case_id=case.pk, held_on=today, plan=True, category="emotional"
    )
    return person_id


def _assert_social_care_told(area, person_id, count=1):
    assert FlagAttendance.objects.filter(person_id=person_id).count() == count
    task = Task.objects.filter(source_ref__endswith=":attendance").get()
    assert task.assignee_organisation_id == area.children.pk
    assert Notification.objects.filter(
        user=area.csc_worker, kind="safeguarding", person_id=person_id
    ).exists()


def test_a04_of_a_child_on_a_plan(area, child_on_plan):
    assert hl7_message_ingest(_a04("ED1", "V1")).ack_code == "AA"
    _assert_social_care_told(area, child_on_plan)
    # The same message again (a duplicate control id) notifies no one again.
    hl7_message_ingest(_a04("ED1", "V1"))
    assert FlagAttendance.objects.count() == 1


def test_a04_in_a_batch(area, child_on_plan):
    results = hl7_batch_ingest([_a04("ED2", "V2"), _a04("ED3", "V3", event="A08")])
    assert [r.ack_code for r in results] == ["AA", "AA"]
    _assert_social_care_told(area, child_on_plan)


def test_fhir_emergency_encounter(area, child_on_plan):
    encounter = {
        "resourceType": "Encounter",
        "identifier": [
            {"system": "https://fhir.joinedup.example/Id/event/ed-pas", "value": "ENC9"}
        ],
        "status": "arrived",
        "class": {
            "system": "http://terminology.hl7.org/CodeSystem/v3-ActCode",
            "code": "EMER",
        },
        "subject": {"reference": f"Patient/{child_on_plan}"},
        "period": {"start": "2026-03-18T02:15:00Z"},
    }
    result = fhir_json_ingest(json.dumps(encounter), origin="test")
    assert result.ok, result
    _assert_social_care_told(area, child_on_plan)


def test_ed_clinician_sees_the_flag_not_the_plan(client, area, child_on_plan):
    from tests.factories import PASSWORD

    hl7_message_ingest(_a04("ED4", "V4"))
    assert client.login(username=area.ed.username, password=PASSWORD)
    page = client.get(f"/people/{child_on_plan}/").content.decode()
    assert 'data-testid="protection-flag"' in page
    assert "Child protection plan" in page and "01632 960002" in page
    assert "Emotional abuse" not in page  # the plan's category is content
