"""CHC cases step by step (National Framework 2022; DESIGN 4.3): referral and the
ICB's relationship, the Checklist, the DST and its MDT, the recommendation, the
ICB decision, the 28-day clock, Fast Track and reviews. Order is enforced and a
refused or invalid step saves nothing."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from joinedup.coordination.models import Task, TaskSource, TaskStatus
from joinedup.errors import AccessRefused, Conflict, InvalidInput
from joinedup.funding.models import CarePackage, FundingSplit
from joinedup.funding.models.chc import (
    CaseStatus,
    ChcCase,
    ChcChecklist,
    ChcDecision,
    ChcDst,
    ChcRecommendation,
    ChcReview,
)
from joinedup.funding.services import chc as services
from joinedup.funding.services.packages import package_create
from joinedup.governance.access import decide
from joinedup.governance.models import AuditEntry, Role
from tests.conftest import actor_for
from tests.factories import OrganisationFactory, professional
from tests.funding.chc_helpers import (
    chc_setup,
    dst_levels,
    dst_record,
    evidence_for,
    negative_scores,
    open_case,
    positive_scores,
    to_assessment,
    to_decision,
    today,
)
from tests.funding.chc_helpers import (
    decide as decide_case,
)


@pytest.fixture
def c(world):
    return chc_setup(world)


# --- referral and the ICB's relationship --------------------------------------


def test_before_a_referral_the_icb_nurse_cannot_see_the_person(c):
    decision = decide(c.nurse_actor, c.world.person, "view", "health")
    assert not decision.allowed


def test_a_referral_opens_a_case_and_gives_the_icb_a_relationship(c):
    case = open_case(c)
    assert case.status == CaseStatus.CHECKLIST and case.icb == c.world.icb
    task = Task.objects.get(pk=case.task_id)
    assert task.assignee_organisation == c.world.icb and task.assignee_user is None
    assert (
        task.source == TaskSource.REFERRAL and task.source_ref == f"chc_case:{case.pk}"
    )
    decision = decide(c.nurse_actor, c.world.person, "view", "health")
    assert decision.allowed and decision.via == "open_task"


def test_a_second_open_case_for_the_same_person_is_refused(c):
    open_case(c)
    with pytest.raises(Conflict):
        open_case(c)
    assert ChcCase.objects.count() == 1


def test_a_stranger_cannot_be_referred_and_the_refusal_is_audited(c):
    before = AuditEntry.objects.count()
    with pytest.raises(AccessRefused):
        services.chc_case_open(
            actor=c.dc_actor, person_id=c.world.stranger.pk, icb_id=c.world.icb.pk
        )
    assert ChcCase.objects.count() == 0
    assert AuditEntry.objects.filter(outcome="refused").count() == 1
    assert AuditEntry.objects.count() == before + 1


def test_the_icb_must_be_an_icb(c):
    with pytest.raises(InvalidInput) as exc:
        services.chc_case_open(
            actor=c.dc_actor, person_id=c.world.person.pk, icb_id=c.world.council.pk
        )
    assert "icb" in exc.value.fields
    assert ChcCase.objects.count() == 0 and Task.objects.count() == 0


def test_commissioners_cannot_refer(c):
    with pytest.raises(AccessRefused):
        services.chc_case_open(
            actor=actor_for(c.world.commissioner), person_id=c.world.person.pk
        )


# --- Checklist ------------------------------------------------------------------


def test_a_positive_checklist_starts_the_28_day_clock(c):
    case = open_case(c)
    checklist = services.checklist_record(
        actor=c.dc_actor,
        case_id=case.pk,
        scores=positive_scores(),
        completed_on=today() - dt.timedelta(days=2),
    )
    assert (
        checklist.positive and checklist.rule == "A in a domain with a Priority level"
    )
    assert checklist.completed_by == c.world.discharge_coordinator
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSMENT
    assert case.clock_started_on == today() - dt.timedelta(days=2)
    assert case.due_on == today() + dt.timedelta(days=26)
    assert case.days_elapsed(today()) == 2 and not case.breached(today())


def test_a_negative_checklist_closes_the_case_and_ends_the_icb_task(c):
    case = open_case(c)
    checklist = services.checklist_record(
        actor=c.dc_actor,
        case_id=case.pk,
        scores=negative_scores(),
        completed_on=today(),
    )
    assert not checklist.positive
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED and case.due_on is None
    assert Task.objects.get(pk=case.task_id).status == TaskStatus.COMPLETED
    assert not decide(c.nurse_actor, c.world.person, "view", "health").allowed


def test_a_checklist_with_a_missing_domain_names_it_and_saves_nothing(c):
    case = open_case(c)
    scores = positive_scores()
    del scores["mobility"]
    with pytest.raises(InvalidInput) as exc:
        services.checklist_record(
            actor=c.dc_actor, case_id=case.pk, scores=scores, completed_on=today()
        )
    assert "domains.mobility" in exc.value.fields
    assert not ChcChecklist.objects.exists()


def test_a_checklist_in_the_future_is_refused(c):
    case = open_case(c)
    with pytest.raises(InvalidInput) as exc:
        services.checklist_record(
            actor=c.dc_actor,
            case_id=case.pk,
            scores=positive_scores(),
            completed_on=today() + dt.timedelta(days=1),
        )
    assert exc.value.fields == {"completed_on": "cannot be in the future"}


def test_a_second_checklist_is_a_conflict(c):
    case = to_assessment(c)
    with pytest.raises(Conflict):
        services.checklist_record(
            actor=c.dc_actor,
            case_id=case.pk,
            scores=positive_scores(),
            completed_on=today(),
        )


# --- order ----------------------------------------------------------------------


def test_a_decision_before_the_checklist_is_refused_with_a_clear_error(c):
    case = open_case(c)
    with pytest.raises(InvalidInput) as exc:
        decide_case(c, case)
    assert exc.value.fields == {"decision": "record a positive Checklist first"}
    assert not ChcDecision.objects.exists()


def test_a_dst_before_the_checklist_is_refused(c):
    case = open_case(c)
    with pytest.raises(InvalidInput) as exc:
        dst_record(c, case)
    assert exc.value.fields == {"dst": "record a positive Checklist first"}


def test_a_recommendation_without_a_dst_is_refused(c):
    case = to_assessment(c)
    with pytest.raises(InvalidInput) as exc:
        services.recommendation_record(
            actor=c.nurse_actor,
            case_id=case.pk,
            primary_health_need=True,
            rationale="x",
            recommended_on=today(),
        )
    assert exc.value.fields == {
        "recommendation": "record the Decision Support Tool first"
    }
    assert not ChcRecommendation.objects.exists()


def test_a_decision_without_a_recommendation_is_refused(c):
    case = to_assessment(c)
    dst_record(c, case)
    with pytest.raises(InvalidInput) as exc:
        decide_case(c, case)
    assert exc.value.fields == {"decision": "record the MDT's recommendation first"}


# --- DST --------------------------------------------------------------------------


def test_the_dst_records_levels_evidence_mdt_and_the_tools_indication(c):
    case = to_assessment(c)
    levels = dst_levels(behaviour="severe", cognition="severe")
    dst = dst_record(c, case, levels=levels, evidence=evidence_for(levels))
    assert dst.indication == "indicated" and dst.rule == "severe in two or more domains"
    assert [m.profession for m in dst.members.all()] == ["nurse", "social_worker"]
    case.refresh_from_db()
    assert case.status == CaseStatus.RECOMMENDATION


def test_a_dst_with_missing_domains_names_each_and_saves_nothing(c):
    case = to_assessment(c)
    levels = dst_levels()
    del levels["continence"], levels["other"]
    with pytest.raises(InvalidInput) as exc:
        dst_record(c, case, levels=levels)
    assert {"domains.continence", "domains.other"} <= set(exc.value.fields)
    assert not ChcDst.objects.exists()
    case.refresh_from_db()
    assert case.status == CaseStatus.ASSESSMENT


def test_a_level_the_domain_does_not_have_is_refused(c):
    case = to_assessment(c)
    levels = dst_levels(continence="severe", cognition="priority")
    with pytest.raises(InvalidInput) as exc:
        dst_record(c, case, levels=levels, evidence=evidence_for(levels))
    assert "no 'severe' level" in exc.value.fields["domains.continence"]
    assert "no 'priority' level" in exc.value.fields["domains.cognition"]


def test_evidence_is_required_for_each_domain_with_needs(c):
    case = to_assessment(c)
    with pytest.raises(InvalidInput) as exc:
        dst_record(c, case, evidence={})
    assert exc.value.fields == {
        "evidence.breathing": "enter the evidence for breathing"
    }


@pytest.mark.parametrize(
    ("professions", "valid"),
    [
        (["nurse"], False),
        (["nurse", "nurse"], False),
        (["social_worker", "care_manager"], False),
        (["nurse", "doctor"], True),
        (["nurse", "social_worker"], True),
        (["occupational_therapist", "physiotherapist", "nurse"], True),
    ],
)
def test_the_mdt_rule(professions, valid):
    assert (services.mdt_composition_check(professions) == "") is valid


def test_an_mdt_of_one_profession_is_refused(c):
    case = to_assessment(c)
    members = [services.MdtMemberIn("A", "nurse"), services.MdtMemberIn("B", "nurse")]
    with pytest.raises(InvalidInput) as exc:
        dst_record(c, case, members=members)
    assert "different health professions" in exc.value.fields["members"]


def test_the_four_characteristics_are_required(c):
    case = to_assessment(c)
    with pytest.raises(InvalidInput) as exc:
        dst_record(c, case, nature="", unpredictability="  ")
    assert set(exc.value.fields) == {"nature", "unpredictability"}


def test_only_the_icbs_assessor_records_the_dst(c):
    case = to_assessment(c)
    with pytest.raises(AccessRefused):
        dst_record(c, case, actor=c.dc_actor)
    other_icb = OrganisationFactory(code="QXX", name="Other ICB", type="icb")
    other_icb_nurse = professional(Role.CHC_ASSESSOR, other_icb, username="wrong")
    with pytest.raises(AccessRefused):
        dst_record(c, case, actor=actor_for(other_icb_nurse))
    assert not ChcDst.objects.exists()


# --- recommendation and decision --------------------------------------------------


def test_the_icb_decides_with_its_decision_maker(c):
    case = to_decision(c)
    decision = decide_case(c, case, decision_maker_role="CHC clinical lead")
    assert (
        decision.decided_by == c.nurse
        and decision.decision_maker_role == "CHC clinical lead"
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED and case.decided_on == today()
    assert Task.objects.get(pk=case.task_id).status == TaskStatus.COMPLETED


def test_the_decision_maker_defaults_to_the_job_title(c):
    decision = decide_case(c, to_decision(c))
    assert decision.decision_maker_role == "CHC nurse assessor"


def test_eligibility_schedules_the_three_month_review_for_the_icb(c):
    case = to_decision(c)
    decide_case(c, case)
    review = ChcReview.objects.get(case=case)
    assert review.due_on == services.add_months(today(), 3)
    task = Task.objects.get(pk=review.task_id)
    assert (
        task.source == TaskSource.CHC_REVIEW
        and task.assignee_organisation == c.world.icb
    )
    assert task.due_on == review.due_on and task.status == TaskStatus.OPEN
    # The review task carries the ICB's relationship on.
    assert decide(c.nurse_actor, c.world.person, "view", "health").via == "open_task"


def test_a_review_schedules_the_next_within_a_year(c):
    case = to_decision(c)
    decide_case(c, case)
    review = ChcReview.objects.get(case=case)
    services.review_record(
        actor=c.nurse_actor,
        review_id=review.pk,
        reviewed_on=today(),
        eligibility_continues=True,
    )
    assert Task.objects.get(pk=review.task_id).status == TaskStatus.COMPLETED
    nxt = ChcReview.objects.exclude(pk=review.pk).get(case=case)
    assert nxt.due_on == today() + dt.timedelta(days=365)


def test_social_care_funded_schedules_no_review(c):
    case = to_decision(c)
    decide_case(c, case, outcome="social_care", rationale="the ICB panel disagreed")
    assert not ChcReview.objects.exists()


def test_a_decision_against_the_recommendation_needs_its_reasons(c):
    case = to_decision(c)
    with pytest.raises(InvalidInput) as exc:
        decide_case(c, case, outcome="social_care")
    assert "differs from the MDT's recommendation" in exc.value.fields["rationale"]


def test_a_joint_package_needs_the_nhs_share(c):
    case = to_decision(c)
    with pytest.raises(InvalidInput) as exc:
        decide_case(c, case, outcome="joint")
    assert "nhs_share_percent" in exc.value.fields
    with pytest.raises(InvalidInput):
        decide_case(c, case, outcome="joint", nhs_share_percent=100)
    decision = decide_case(c, case, outcome="joint", nhs_share_percent=60)
    assert decision.nhs_share_percent == 60


def test_an_unknown_outcome_is_refused(c):
    with pytest.raises(InvalidInput) as exc:
        decide_case(c, to_decision(c), outcome="maybe")
    assert exc.value.fields["outcome"] == "choose the outcome"


# --- 28-day clock -------------------------------------------------------------------


def test_a_late_decision_needs_the_breach_reason(c):
    case = to_decision(c, days_ago=40)
    assert case.breached(today())
    with pytest.raises(InvalidInput) as exc:
        decide_case(c, case)
    assert "after the 28 days" in exc.value.fields["breach_reason"]
    decide_case(c, case, breach_reason="waiting for the MDT's social worker")
    case.refresh_from_db()
    assert case.breach_reason == "waiting for the MDT's social worker"
    assert case.breached(today()) and case.days_elapsed(today()) == 40


def test_a_breach_reason_recorded_earlier_is_enough(c):
    case = to_decision(c, days_ago=30)
    services.breach_reason_record(actor=c.nurse_actor, case_id=case.pk, reason="x")
    decide_case(c, case)


def test_a_breach_reason_on_a_case_within_its_days_is_refused(c):
    case = to_assessment(c)
    with pytest.raises(InvalidInput):
        services.breach_reason_record(actor=c.nurse_actor, case_id=case.pk, reason="x")


def test_closing_a_breached_case_needs_the_reason(c):
    case = to_assessment(c, days_ago=35)
    with pytest.raises(InvalidInput) as exc:
        services.chc_case_close(actor=c.nurse_actor, case_id=case.pk, reason="died")
    assert "breach_reason" in exc.value.fields
    services.chc_case_close(
        actor=c.nurse_actor, case_id=case.pk, reason="died", breach_reason="MDT late"
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.CLOSED


# --- Fast Track -----------------------------------------------------------------


def test_a_fast_track_is_acted_on_at_once(c):
    decision = services.fast_track_record(
        actor=c.dc_actor,
        person_id=c.world.person.pk,
        clinician_name="Dr Rao",
        clinician_profession="doctor",
        reason="rapidly deteriorating, may be entering a terminal phase",
        signed_on=today() - dt.timedelta(days=1),
        icb_id=c.world.icb.pk,
    )
    case = decision.case
    assert case.fast_track and case.status == CaseStatus.DECIDED
    assert decision.via_fast_track and decision.outcome == "chc"
    assert decision.effective_from == today() - dt.timedelta(days=1)
    assert not ChcChecklist.objects.exists() and not ChcDst.objects.exists()
    assert ChcReview.objects.filter(case=case).count() == 1


def test_a_fast_track_on_an_open_case_decides_it(c):
    case = to_assessment(c)
    services.fast_track_record(
        actor=c.nurse_actor,
        person_id=c.world.person.pk,
        clinician_name="Nia",
        clinician_profession="nurse",
        reason="end of life",
        signed_on=today(),
    )
    case.refresh_from_db()
    assert case.status == CaseStatus.DECIDED and case.fast_track


def test_a_fast_track_needs_an_appropriate_clinician(c):
    with pytest.raises(InvalidInput) as exc:
        services.fast_track_record(
            actor=c.dc_actor,
            person_id=c.world.person.pk,
            clinician_name="",
            clinician_profession="social_worker",
            reason="",
            signed_on=None,
            icb_id=c.world.icb.pk,
        )
    assert set(exc.value.fields) == {
        "clinician_name",
        "clinician_profession",
        "reason",
        "signed_on",
    }
    assert not ChcCase.objects.exists()


def test_a_social_worker_cannot_record_a_fast_track(c):
    with pytest.raises(AccessRefused):
        services.fast_track_record(
            actor=c.sw_actor,
            person_id=c.world.person.pk,
            clinician_name="x",
            clinician_profession="nurse",
            reason="x",
            signed_on=today(),
        )


# --- who pays -------------------------------------------------------------------


def test_the_decision_moves_the_packages_to_the_nhs_from_its_date(c):
    start = today() - dt.timedelta(days=60)
    package = package_create(
        actor=c.sw_actor,
        person_id=c.world.person.pk,
        kind="nursing_placement",
        provider="Elm House",
        cost_per_week=Decimal("1400"),
        start_on=start,
    )
    case = to_decision(c, days_ago=5)
    decide_case(c, case, effective_from=today() - dt.timedelta(days=1))
    split = FundingSplit.objects.filter(package=package).order_by("-pk").first()
    assert split.funder == "nhs_chc" and split.nhs_chc_percent == 100
    assert split.effective_from == today() - dt.timedelta(days=1)
    assert split.source_ref == f"chc_case:{case.pk}"
    assert CarePackage.objects.count() == 1


def test_a_fast_track_for_someone_already_eligible_is_a_conflict(c):
    decide_case(c, to_decision(c))
    with pytest.raises(Conflict):
        services.fast_track_record(
            actor=c.nurse_actor,
            person_id=c.world.person.pk,
            clinician_name="Nia",
            clinician_profession="nurse",
            reason="end of life",
            signed_on=today(),
        )
    assert ChcCase.objects.count() == 1
