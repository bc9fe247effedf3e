"""Safeguarding work through the services: what each professional can do, what
is refused (naming the field, nothing saved), and who ends up holding work."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from joinedup.coordination.models import Notification, Task
from joinedup.errors import AccessRefused, InvalidInput
from joinedup.governance.models import AuditEntry
from joinedup.people.selectors import person_access_open
from joinedup.safeguarding.models import (
    AdultConcern,
    ChildCase,
    ChildProtectionPlan,
    FamilyStep,
    ProtectionFlag,
)
from joinedup.safeguarding.services import adults, children, families
from tests.conftest import actor_for

TODAY = timezone.localdate()


def _concern(area, **overrides):
    values = dict(
        actor=actor_for(area.gp),
        person_id=area.adult.pk,
        what_happened="Bruising on both arms; says her nephew grabbed her",
        where_happened="At home",
        when_happened="Last weekend",
        council_id=area.adults.pk,
        consent="given",
        person_views="Wants to feel safe but does not want her nephew arrested",
        desired_outcomes="To stay at home and feel safe",
        suspected_categories=["physical"],
    )
    values.update(overrides)
    return adults.concern_raise(**values)


def test_adult_concern_to_enquiry_to_outcome(area):
    concern = _concern(area)
    task = Task.objects.get(
        source="safeguarding", source_ref=f"adult:{concern.pk}:decision"
    )
    assert task.assignee_organisation_id == area.adults.pk
    council = actor_for(area.asc_worker)
    adults.concern_decide(
        actor=council,
        concern_id=concern.pk,
        care_and_support_needs=True,
        experiencing_or_at_risk=True,
        unable_to_protect_self=True,
        categories=["physical", "psychological"],
        decision="s42_enquiry",
        reasons="All three parts met",
        enquiry_officer_id=area.asc_officer.pk,
    )
    task.refresh_from_db()
    assert task.status == "completed"
    # The enquiry officer may now open the person's record (membership source).
    person_access_open(
        actor=actor_for(area.asc_officer), person_id=area.adult.pk, action="t"
    )
    officer = actor_for(area.asc_officer)
    adults.enquiry_strategy_record(
        actor=officer,
        concern_id=concern.pk,
        held_on=TODAY,
        agencies=["health", "police"],
        notes="Agreed actions",
        member_user_ids=[area.ed.pk],
    )
    for org in (area.practice, area.hospital):
        adults.enquiry_action_add(
            actor=officer, concern_id=concern.pk, title="Review", organisation_id=org.pk
        )
    assert set(
        Task.objects.filter(source_ref=f"adult:{concern.pk}:action").values_list(
            "assignee_organisation_id", flat=True
        )
    ) == {area.practice.pk, area.hospital.pk}
    with pytest.raises(InvalidInput) as refused:
        adults.enquiry_close(
            actor=council, concern_id=concern.pk, risk_outcome="",
            outcomes_met="fully", person_view_on_outcome="Happy",
        )  # fmt: skip
    assert refused.value.fields == {
        "risk_outcome": refused.value.fields["risk_outcome"]
    }
    concern.refresh_from_db()
    assert concern.status == "enquiry" and concern.enquiry.closed_at is None
    adults.enquiry_close(
        actor=council, concern_id=concern.pk, risk_outcome="reduced",
        outcomes_met="partially", person_view_on_outcome="Feels safer",
    )  # fmt: skip
    concern.refresh_from_db()
    assert concern.status == "closed"
    assert concern.enquiry.risk_outcome == "reduced"


def test_concern_without_views_or_reason_is_refused_and_nothing_saved(area):
    with pytest.raises(InvalidInput) as refused:
        _concern(area, person_views="", views_not_sought_reason="")
    assert "person_views" in refused.value.fields
    assert not AdultConcern.objects.exists() and not Task.objects.exists()
    _concern(area, person_views="", views_not_sought_reason="Lacks capacity today")
    assert AdultConcern.objects.count() == 1


def test_concern_needs_a_relationship(area):
    with pytest.raises(AccessRefused):
        _concern(area, actor=actor_for(area.ed))
    assert not AdultConcern.objects.exists()


def test_sharing_without_consent_records_the_lawful_basis_and_is_audited(area):
    with pytest.raises(InvalidInput) as refused:
        _concern(area, consent="refused")
    assert "lawful_basis" in refused.value.fields
    _concern(area, consent="refused", lawful_basis="vital_interests")
    entry = AuditEntry.objects.filter(action="safeguarding_share_without_consent").get()
    assert entry.person_id == area.adult.pk and "vital_interests" in entry.reason


def test_decision_must_follow_the_three_part_test(area):
    concern = _concern(area)
    with pytest.raises(InvalidInput) as refused:
        adults.concern_decide(
            actor=actor_for(area.asc_worker), concern_id=concern.pk,
            care_and_support_needs=True, experiencing_or_at_risk=True,
            unable_to_protect_self=True, categories=["physical"],
            decision="no_further_action", reasons="x",
        )  # fmt: skip
    assert "decision" in refused.value.fields
    concern.refresh_from_db()
    assert concern.status == "raised"


def _child_on_plan(area, *, pre_birth=False):
    gp = actor_for(area.gp)
    case = children.child_referral_make(
        actor=gp, person_id=area.child.pk, council_id=area.children.pk,
        reason="Unexplained injuries", consent="not_sought",
        lawful_basis="safeguarding_individuals_at_risk",
        alleged_perpetrator_id=area.parent.pk,
        received_on=TODAY - dt.timedelta(days=12),
    )  # fmt: skip
    csc = actor_for(area.csc_worker)
    children.child_referral_decide(
        actor=csc, case_id=case.pk, decision="strategy_discussion", reasons="Injuries"
    )
    start = TODAY - dt.timedelta(days=10)
    children.strategy_discussion_record(
        actor=csc, case_id=case.pk, held_on=start,
        agencies=["health", "police", "social_care"], s47=True,
    )  # fmt: skip
    children.s47_outcome_record(
        actor=csc, case_id=case.pk, outcome="concerns_substantiated"
    )
    children.initial_conference_record(
        actor=csc, case_id=case.pk, held_on=TODAY, plan=True, category="physical",
        pre_birth=pre_birth, member_user_ids=[area.health_visitor.pk],
    )  # fmt: skip
    return ChildCase.objects.get(pk=case.pk)


def test_child_protection_journey_raises_the_flag(area):
    case = _child_on_plan(area)
    assert case.decision_due_on == children.rules.referral_decision_due(
        case.received_on
    )
    plan = ChildProtectionPlan.objects.get(case=case)
    assert plan.next_review_due_on == children.rules.add_months(TODAY, 3)
    flag = ProtectionFlag.objects.get(person=area.child)
    assert flag.kind == "cp_plan" and flag.ended_on is None
    assert flag.contact_phone == "01632 960002"
    children.plan_end(
        actor=actor_for(area.csc_worker), case_id=case.pk, ended_on=TODAY,
        reason="no_longer_at_risk",
    )  # fmt: skip
    flag.refresh_from_db()
    assert flag.ended_on == TODAY


def test_plan_without_category_and_late_conference_are_refused(area):
    gp = actor_for(area.gp)
    case = children.child_referral_make(
        actor=gp, person_id=area.child.pk, council_id=area.children.pk,
        reason="Neglect", consent="given", received_on=TODAY - dt.timedelta(days=41),
    )  # fmt: skip
    csc = actor_for(area.csc_worker)
    children.child_referral_decide(
        actor=csc, case_id=case.pk, decision="strategy_discussion", reasons="x"
    )
    held = TODAY - dt.timedelta(days=40)
    children.strategy_discussion_record(
        actor=csc, case_id=case.pk, held_on=held,
        agencies=["health", "police", "social_care"], s47=True,
    )  # fmt: skip
    with pytest.raises(InvalidInput) as refused:
        children.initial_conference_record(
            actor=csc, case_id=case.pk, held_on=TODAY, plan=True, category=""
        )
    assert "category" in refused.value.fields
    with pytest.raises(InvalidInput) as refused:
        children.initial_conference_record(
            actor=csc, case_id=case.pk, held_on=TODAY, plan=True, category="neglect"
        )
    assert "held_on" in refused.value.fields
    assert not ChildProtectionPlan.objects.exists()
    children.initial_conference_record(
        actor=csc, case_id=case.pk, held_on=TODAY, plan=True, category="neglect",
        late_reason="Father's solicitor unavailable",
    )  # fmt: skip
    assert ChildProtectionPlan.objects.count() == 1


def test_strategy_discussion_needs_health_police_and_social_care(area):
    case = children.child_referral_make(
        actor=actor_for(area.gp), person_id=area.child.pk,
        council_id=area.children.pk, reason="x", consent="given",
    )  # fmt: skip
    with pytest.raises(InvalidInput) as refused:
        children.strategy_discussion_record(
            actor=actor_for(area.csc_worker), case_id=case.pk, held_on=TODAY,
            agencies=["health", "social_care"], s47=True,
        )  # fmt: skip
    assert "agencies" in refused.value.fields


def test_flagged_attendance_gives_social_care_a_task_and_a_notification(area):
    from joinedup.record.services import event_record
    from joinedup.safeguarding.services.flags import (
        unscheduled_care_attendances_check,
    )

    _child_on_plan(area)
    event_record(
        person_id=area.child.pk, source_system=area.pas, source_id="V100",
        kind="ae_attendance", category="health", occurred_at=timezone.now(),
        summary="A&E attendance",
    )  # fmt: skip
    made = unscheduled_care_attendances_check(events=[(area.pas.pk, "V100")])
    assert len(made) == 1
    task = made[0].task
    assert task.assignee_organisation_id == area.children.pk
    assert Notification.objects.filter(
        user=area.csc_worker, kind="safeguarding", person=area.child
    ).exists()
    assert (
        AuditEntry.objects.filter(
            action="safeguarding_flag_attendance", person=area.child
        ).count()
        == 2
    )
    # Once per attendance: the same event again changes nothing.
    assert unscheduled_care_attendances_check(events=[(area.pas.pk, "V100")]) == []
    # An unflagged person's attendance: nothing.
    event_record(
        person_id=area.adult.pk, source_system=area.pas, source_id="V101",
        kind="ae_attendance", category="health", occurred_at=timezone.now(),
        summary="A&E attendance",
    )  # fmt: skip
    assert unscheduled_care_attendances_check(events=[(area.pas.pk, "V101")]) == []


def test_early_help_team_around_family_step_up_and_down(area):
    hv = actor_for(area.health_visitor)
    area.child.registered_gp = area.practice
    from tests.factories import care_team_add

    care_team_add(area.child, area.health_visitor, area.community, "health_visitor")
    care_team_add(area.parent, area.health_visitor, area.community, "health_visitor")
    family = families.family_create(
        actor=hv, reference="EH-001",
        members=[(area.child.pk, "child"), (area.parent.pk, "parent")],
        lead_practitioner_id=area.health_visitor.pk,
    )  # fmt: skip
    families.team_around_family_add(
        actor=hv, family_id=family.pk, user_id=area.gp.pk, service="other"
    )
    with pytest.raises(InvalidInput) as refused:
        families.early_help_assessment_record(
            actor=hv, family_id=family.pk, person_id=area.child.pk,
            answers={"development": {"health": ""}},
        )  # fmt: skip
    assert "health" in refused.value.fields
    families.early_help_assessment_record(
        actor=hv, family_id=family.pk, person_id=area.child.pk,
        answers={
            "development": {"health": "Missed immunisations"},
            "parenting": {"basic_care": "Home cold"},
            "family_environment": {"strengths": "Loving grandmother"},
        },
    )  # fmt: skip
    case = families.family_step_up(
        actor=hv, family_id=family.pk, child_id=area.child.pk,
        council_id=area.children.pk, reason="Escalating neglect", consent="given",
    )  # fmt: skip
    assert case.family_id == family.pk
    families.family_step_down(
        actor=actor_for(area.csc_worker), family_id=family.pk, reason="Improving"
    )
    assert list(
        FamilyStep.objects.filter(family=family).values_list("direction", flat=True)
    ) == ["up", "down"]
