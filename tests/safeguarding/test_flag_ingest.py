"""The CP-IS-style flag on ingest: an ED attendance (HL7 v2 ADT A04, alone or in
a group-committed batch, or a FHIR Encounter of class EMER) of a child on a
plan gives children's social care a task and a notification; the attending
clinician sees the flag on the person page, not the plan's content."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.urls import reverse
from django.utils import timezone

from joinedup.coordination.models import Notification, Task
from joinedup.governance.models import AuditEntry, Relationship, Role
from joinedup.governance.selectors import audit_chain_verify
from joinedup.governance.services import relationships_differences
from joinedup.interop.fhir.ingest import fhir_json_ingest
from joinedup.interop.hl7v2.ingest import hl7_batch_ingest, hl7_message_ingest
from joinedup.people.models import Identifier
from joinedup.safeguarding.models import FlagAttendance, ProtectionFlag
from joinedup.safeguarding.services import children
from joinedup.safeguarding.services.common import flag_open
from tests.conftest import actor_for
from tests.factories import professional


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


# Set-wise: what a flagged attendance writes, for one child or for a batch.


def _a04_of(control_id: str, visit: str, mrn: str, *, event: str = "A04") -> str:
    return _a04(control_id, visit, event=event).replace("700001^", f"{mrn}^")


@pytest.fixture
def second_child_looked_after(area):
    assert hl7_message_ingest(_a04_of("REG2", "W0", "700002", event="A28")).ack_code
    person_id = Identifier.objects.get(value="700002").person_id
    flag_open(
        person_id=person_id, kind="looked_after", council=area.children,
        source_ref="looked_after:90", started_on=timezone.localdate(),
    )  # fmt: skip
    return person_id


def _audit_reasons(person_id):
    return sorted(
        AuditEntry.objects.filter(
            action="safeguarding_flag_attendance", person_id=person_id
        ).values_list("reason", flat=True)
    )


def test_flagged_attendance_tells_every_member_of_the_contact_team(
    area, child_on_plan, django_capture_on_commit_callbacks, mailoutbox
):
    flag = ProtectionFlag.objects.get(person_id=child_on_plan, ended_on__isnull=True)
    flag.contact_team = area.mdt
    flag.save()
    colleague = professional(
        Role.CHILDRENS_SOCIAL_WORKER, area.children, username="sg-csw2"
    )
    colleague.memberships.update(team=area.mdt)
    away = professional(Role.CHILDRENS_SOCIAL_WORKER, area.children, username="sg-x")
    away.memberships.update(team=area.mdt, active=False)  # no longer in the team
    professional(Role.CHILDRENS_SOCIAL_WORKER, area.children, username="sg-other")
    for n, user in enumerate((area.csc_worker, colleague)):
        user.email = f"csw{n}@council.example"
        user.save(update_fields=["email"])
    with django_capture_on_commit_callbacks(execute=True):
        assert hl7_message_ingest(_a04("ED5", "V5")).ack_code == "AA"
    task = Task.objects.get(source_ref=f"flag:{flag.pk}:attendance")
    assert (task.title, task.assignee_organisation_id, task.assignee_team_id) == (
        "Attendance at unscheduled care of a child with a flag",
        area.children.pk,
        area.mdt.pk,
    )
    assert task.due_on == timezone.localdate() and task.created_by_id is None
    link = reverse("task_detail", args=[task.pk])
    team = sorted([area.csc_worker.pk, colleague.pk])
    for kind in ("safeguarding", "task_assigned"):
        told = Notification.objects.filter(person_id=child_on_plan, kind=kind)
        assert sorted(told.values_list("user_id", flat=True)) == team
        assert set(told.values_list("url", flat=True)) == {link}
    attendance = FlagAttendance.objects.get(person_id=child_on_plan)
    assert (attendance.flag_id, attendance.task_id, attendance.notified) == (
        flag.pk,
        task.pk,
        2,
    )
    assert _audit_reasons(child_on_plan) == [
        "cp_plan flag: social care task",
        "notified 2 in social care",
    ]
    # The task is open work of the team in the register, as a saved task's is.
    assert Relationship.objects.filter(
        source_app="coordination.task", source_ref=str(task.pk), team=area.mdt,
        organisation=area.children, ended_at__isnull=True,
    ).exists()  # fmt: skip
    assert relationships_differences([child_on_plan]) == (set(), set())
    # An email to each member told, with the link to the task (and no name).
    sent = [m for m in mailoutbox if link in m.body]
    assert sorted(a for m in sent for a in m.to) == sorted(
        2 * [area.csc_worker.email, colleague.email]
    )
    assert all("Tom" not in m.body and "Ashby" not in m.body for m in sent)


def test_replaying_an_attendance_tells_no_one_again(area, child_on_plan):
    assert hl7_message_ingest(_a04("ED6", "V6")).ack_code == "AA"
    before = (Task.objects.count(), Notification.objects.count())
    hl7_message_ingest(_a04("ED6", "V6"))  # the same message again
    hl7_message_ingest(_a04("ED7", "V6", event="A08"))  # the attendance updated
    assert hl7_batch_ingest([_a04("ED8", "V6")])[0].ack_code == "AA"
    assert (Task.objects.count(), Notification.objects.count()) == before
    assert FlagAttendance.objects.count() == 1
    assert len(_audit_reasons(child_on_plan)) == 2


def test_two_flagged_children_in_one_batch(
    area, child_on_plan, second_child_looked_after
):
    results = hl7_batch_ingest([_a04("ED10", "V10"), _a04_of("ED11", "V11", "700002")])
    assert [r.ack_code for r in results] == ["AA", "AA"]
    for person_id, kind in (
        (child_on_plan, "cp_plan"),
        (second_child_looked_after, "looked_after"),
    ):
        attendance = FlagAttendance.objects.get(person_id=person_id)
        task = attendance.task
        assert task.person_id == person_id and task.source_ref.endswith(":attendance")
        assert Notification.objects.filter(
            user=area.csc_worker, kind="safeguarding", person_id=person_id,
            url=reverse("task_detail", args=[task.pk]),
        ).count() == 1  # fmt: skip
        assert attendance.notified == 1
        assert _audit_reasons(person_id) == [
            f"{kind} flag: social care task",
            "notified 1 in social care",
        ]
    assert audit_chain_verify().ok
    assert relationships_differences([child_on_plan, second_child_looked_after]) == (
        set(),
        set(),
    )


def test_the_check_costs_the_same_statements_for_a_batch_as_for_one(
    area, child_on_plan, second_child_looked_after
):
    """One query with no flag; with flags, one statement per kind of row
    written, however many attendances are flagged: the check, the tasks, their
    register rows, the notifications, the attendances, and the audit chain's
    append (two on PostgreSQL, three on SQLite)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from joinedup.record.services import event_record
    from joinedup.safeguarding.services.flags import (
        unscheduled_care_attendances_check,
    )

    events = []
    for person_id, visit in (
        (child_on_plan, "Q1"),
        (second_child_looked_after, "Q2"),
        (area.adult.pk, "Q3"),  # no flag
    ):
        event_record(
            person_id=person_id, source_system=area.pas, source_id=visit,
            kind="ae_attendance", category="health", occurred_at=timezone.now(),
            summary="A&E attendance",
        )  # fmt: skip
        events.append((area.pas.pk, visit))
    with CaptureQueriesContext(connection) as unflagged:
        assert unscheduled_care_attendances_check(events=events[2:]) == []
    assert len(unflagged) == 1
    with CaptureQueriesContext(connection) as flagged:
        made = unscheduled_care_attendances_check(events=events)
    assert len(made) == 2
    assert len(flagged) == (7 if connection.vendor == "postgresql" else 8)
    assert unscheduled_care_attendances_check(events=events) == []
    assert audit_chain_verify().ok
