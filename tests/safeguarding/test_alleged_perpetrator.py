"""The alleged perpetrator, when they are also a person in the index, is never
notified and sees nothing: no task, notification or audit entry names them, and
their own record (web, REST, FHIR, their access report) shows no trace of the
concern or the child's case."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from joinedup.coordination.models import Notification, Task
from joinedup.governance.models import AuditEntry
from joinedup.governance.services import token_create
from joinedup.record.services import event_record
from joinedup.safeguarding.services import adults, children
from joinedup.safeguarding.services.flags import unscheduled_care_attendances_check
from tests.conftest import actor_for
from tests.factories import PASSWORD

TODAY = timezone.localdate()


def test_alleged_perpetrator_is_never_notified_and_sees_nothing(client, area):
    parent = area.parent
    gp, csc = actor_for(area.gp), actor_for(area.csc_worker)
    concern = adults.concern_raise(
        actor=gp, person_id=area.adult.pk, what_happened="Pushed down the stairs",
        where_happened="Home", when_happened="Friday", council_id=area.adults.pk,
        consent="given", person_views="Frightened of him",
        who_is_alleged="Son-in-law", alleged_perpetrator_id=parent.pk,
    )  # fmt: skip
    adults.concern_decide(
        actor=actor_for(area.asc_worker), concern_id=concern.pk,
        care_and_support_needs=True, experiencing_or_at_risk=True,
        unable_to_protect_self=True, categories=["physical"],
        decision="s42_enquiry", reasons="Met", enquiry_officer_id=area.asc_officer.pk,
    )  # fmt: skip
    adults.enquiry_action_add(
        actor=actor_for(area.asc_officer), concern_id=concern.pk,
        title="Police referral", organisation_id=area.practice.pk,
    )  # fmt: skip
    case = children.child_referral_make(
        actor=gp, person_id=area.child.pk, council_id=area.children.pk,
        reason="Father hits him", consent="not_sought",
        lawful_basis="safeguarding_individuals_at_risk",
        alleged_perpetrator_id=parent.pk, received_on=TODAY - dt.timedelta(days=3),
    )  # fmt: skip
    children.child_referral_decide(
        actor=csc, case_id=case.pk, decision="strategy_discussion", reasons="x"
    )
    children.strategy_discussion_record(
        actor=csc, case_id=case.pk, held_on=TODAY - dt.timedelta(days=2),
        agencies=["health", "police", "social_care"], s47=True,
    )  # fmt: skip
    children.s47_outcome_record(
        actor=csc, case_id=case.pk, outcome="concerns_substantiated"
    )
    children.initial_conference_record(
        actor=csc, case_id=case.pk, held_on=TODAY, plan=True, category="physical"
    )
    for who, source_id in ((area.child, "PV1"), (parent, "PV2")):
        event_record(
            person_id=who.pk, source_system=area.pas, source_id=source_id,
            kind="ae_attendance", category="health", occurred_at=timezone.now(),
            summary="A&E attendance",
        )  # fmt: skip
    made = unscheduled_care_attendances_check(
        events=[(area.pas.pk, "PV1"), (area.pas.pk, "PV2")]
    )
    assert [m.person_id for m in made] == [area.child.pk]

    # Nothing was sent about, or to, the alleged perpetrator.
    assert not Notification.objects.filter(person=parent).exists()
    assert not Task.objects.filter(person=parent).exists()
    assert not AuditEntry.objects.filter(person=parent).exists()
    # Their own record shows nothing: their GP practice opens it on the web ...
    assert client.login(username=area.gp.username, password=PASSWORD)
    page = client.get(f"/safeguarding/people/{parent.pk}/").text
    assert "No safeguarding concerns are recorded" in page
    for text in ("Pushed down", "Father hits", "Child protection", "sealed"):
        assert text not in page
    person_page = client.get(f"/people/{parent.pk}/").text
    assert 'data-testid="protection-flag"' not in person_page
    # ... over REST and FHIR ...
    token = token_create(username=area.gp.username, name="p")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}
    body = client.get(f"/api/v1/safeguarding/people/{parent.pk}", **auth).json()
    assert body["notices"] == [] and body["flags"] == []
    flags = client.get(f"/fhir/R4/Flag?patient={parent.pk}", **auth).json()
    assert flags["total"] == 0
    # ... and the report of who accessed their record lists only those views.
    assert set(
        AuditEntry.objects.filter(person=parent).values_list("actor_id", flat=True)
    ) == {area.gp.pk}
