"""Disputes about a CHC decision (DESIGN 4.3): the person's (local resolution ->
independent review panel) and the ICB's and council's (local joint dispute
procedure), interim funding so care is not delayed, and the retrospective
reimbursement between the partners once resolved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from joinedup.coordination.models import Task, TaskStatus
from joinedup.errors import AccessRefused, Conflict, InvalidInput
from joinedup.funding.models import FundingSplit
from joinedup.funding.models.chc import ChcDispute, ChcInterimFunding, ChcReview
from joinedup.funding.selectors.ledger import person_cost_by_funder
from joinedup.funding.services.chc import disputes
from joinedup.funding.services.packages import package_create
from joinedup.governance.services.overrides import relationship_claim
from tests.funding.chc_helpers import chc_setup, decide, to_decision, today


@pytest.fixture
def c(world):
    return chc_setup(world)


def days(n: int) -> dt.date:
    return today() - dt.timedelta(days=n)


@pytest.fixture
def decided(c):
    """A person in a council-funded nursing placement of £1,400 a week, 70 days
    ago, decided eligible for CHC from 49 days ago."""
    package_create(
        actor=c.sw_actor,
        person_id=c.world.person.pk,
        kind="nursing_placement",
        provider="Elm House",
        cost_per_week=Decimal("1400"),
        start_on=days(70),
    )
    case = to_decision(c, days_ago=50)
    decide(
        c,
        case,
        effective_from=days(49),
        decided_on=today() - dt.timedelta(days=45),
        breach_reason="x",
    )
    case.refresh_from_db()
    return case


def raise_interagency(c, case, on=None):
    return disputes.dispute_raise(
        actor=c.sw_actor,
        case_id=case.pk,
        kind="interagency",
        raised_on=on or days(42),
        grounds="the council says the needs are primarily health needs from earlier",
    )


def test_the_council_raises_a_joint_dispute_at_the_local_procedure(c, decided):
    dispute = raise_interagency(c, decided)
    assert dispute.council == c.world.council and dispute.is_open
    assert [s.stage for s in dispute.stages.all()] == ["local_joint_dispute"]
    task = Task.objects.get(pk=dispute.task_id)
    assert task.assignee_organisation == c.world.icb and task.status == TaskStatus.OPEN


def test_a_dispute_needs_a_decision(c):
    from tests.funding.chc_helpers import to_assessment

    case = to_assessment(c)
    with pytest.raises(InvalidInput) as exc:
        raise_interagency(c, case, on=today())
    assert "not decided" in exc.value.fields["case"]
    assert not ChcDispute.objects.exists()


def test_only_one_open_dispute_per_decision(c, decided):
    raise_interagency(c, decided)
    with pytest.raises(Conflict):
        raise_interagency(c, decided)


def test_a_gp_cannot_raise_a_dispute(c, decided):
    from tests.conftest import actor_for

    with pytest.raises(AccessRefused):
        disputes.dispute_raise(
            actor=actor_for(c.world.gp),
            case_id=decided.pk,
            kind="individual",
            raised_on=today(),
            grounds="x",
            council_id=c.world.council.pk,
        )


def test_the_individual_route_escalates_to_the_independent_review_panel(c, decided):
    dispute = disputes.dispute_raise(
        actor=c.nurse_actor,
        case_id=decided.pk,
        kind="individual",
        raised_on=days(40),
        grounds="the family disagrees with the share",
        council_id=c.world.council.pk,
    )
    assert dispute.current_stage.stage == "local_resolution"
    disputes.dispute_escalate(
        actor=c.nurse_actor,
        dispute_id=dispute.pk,
        on=days(20),
        stage_outcome="not agreed",
    )
    dispute.refresh_from_db()
    stages = list(dispute.stages.all())
    assert [s.stage for s in stages] == ["local_resolution", "independent_review_panel"]
    assert stages[0].ended_on == days(20) and stages[0].outcome == "not agreed"
    with pytest.raises(InvalidInput) as exc:
        disputes.dispute_escalate(
            actor=c.nurse_actor, dispute_id=dispute.pk, on=today(), stage_outcome="x"
        )
    assert "last stage" in exc.value.fields["stage"]


def test_the_joint_procedure_has_no_further_stage(c, decided):
    dispute = raise_interagency(c, decided)
    with pytest.raises(InvalidInput):
        disputes.dispute_escalate(
            actor=c.nurse_actor, dispute_id=dispute.pk, on=today(), stage_outcome="x"
        )


def test_interim_funding_moves_the_packages_from_its_date(c, decided):
    dispute = raise_interagency(c, decided)
    interim = disputes.interim_funding_set(
        actor=c.sw_actor,
        dispute_id=dispute.pk,
        payer="shared",
        nhs_share_percent=50,
        from_date=days(42),
    )
    assert interim.nhs_share_percent == 50
    split = FundingSplit.objects.order_by("-pk").first()
    assert split.funder == "joint" and split.nhs_chc_percent == 50
    assert split.effective_from == days(42)
    costs = person_cost_by_funder(
        person_id=c.world.person.pk, start=days(42), end=days(36)
    )
    assert costs["nhs"] == Decimal("700.00")


def test_interim_funding_is_validated_and_set_once(c, decided):
    dispute = raise_interagency(c, decided)
    with pytest.raises(InvalidInput) as exc:
        disputes.interim_funding_set(
            actor=c.sw_actor, dispute_id=dispute.pk, payer="shared", from_date=None
        )
    assert set(exc.value.fields) == {"nhs_share_percent", "from_date"}
    with pytest.raises(InvalidInput) as exc:
        disputes.interim_funding_set(
            actor=c.sw_actor, dispute_id=dispute.pk, payer="council", from_date=days(60)
        )
    assert "before the decision" in exc.value.fields["from_date"]
    disputes.interim_funding_set(
        actor=c.sw_actor, dispute_id=dispute.pk, payer="council", from_date=days(42)
    )
    with pytest.raises(Conflict):
        disputes.interim_funding_set(
            actor=c.sw_actor, dispute_id=dispute.pk, payer="nhs", from_date=days(42)
        )
    assert ChcInterimFunding.objects.count() == 1


def test_upheld_after_council_interim_the_nhs_pays_the_council_back(c, decided):
    dispute = raise_interagency(c, decided)
    # The council pays in full while the dispute runs (from 42 days ago).
    disputes.interim_funding_set(
        actor=c.sw_actor, dispute_id=dispute.pk, payer="council", from_date=days(42)
    )
    resolved = disputes.dispute_resolve(
        actor=c.nurse_actor,
        dispute_id=dispute.pk,
        resolved_on=days(14),
        result="upheld",
        stage_outcome="the panel upheld the ICB's decision",
    )
    # 29 days (42 to 14 days ago inclusive) at £200 a day, all the NHS's.
    assert resolved.reimbursement_payer == "nhs"
    assert resolved.reimbursement_amount == Decimal("5800.00")
    assert resolved.final_outcome == "chc" and resolved.final_effective_from == days(49)
    costs = person_cost_by_funder(
        person_id=c.world.person.pk, start=days(42), end=days(14)
    )
    assert costs["nhs"] == Decimal("5800.00") and costs["council"] == 0
    assert Task.objects.get(pk=resolved.task_id).status == TaskStatus.COMPLETED


def test_changed_to_joint_after_nhs_interim_the_council_pays_back(c, decided):
    dispute = raise_interagency(c, decided)
    disputes.interim_funding_set(
        actor=c.nurse_actor, dispute_id=dispute.pk, payer="nhs", from_date=days(42)
    )
    resolved = disputes.dispute_resolve(
        actor=c.nurse_actor,
        dispute_id=dispute.pk,
        resolved_on=days(14),
        result="changed",
        stage_outcome="agreed a joint package",
        final_outcome="joint",
        final_nhs_share_percent=75,
        final_effective_from=days(49),
    )
    # The council owes a quarter of 29 days at £200.
    assert resolved.reimbursement_payer == "council"
    assert resolved.reimbursement_amount == Decimal("1450.00")
    split = FundingSplit.objects.order_by("-pk").first()
    assert split.funder == "joint" and split.nhs_chc_percent == 75


def test_a_changed_outcome_must_differ_and_be_complete(c, decided):
    dispute = raise_interagency(c, decided)
    with pytest.raises(InvalidInput) as exc:
        disputes.dispute_resolve(
            actor=c.nurse_actor,
            dispute_id=dispute.pk,
            resolved_on=today(),
            result="changed",
            stage_outcome="x",
            final_outcome="chc",
            final_effective_from=days(49),
        )
    assert "choose upheld" in exc.value.fields["final_outcome"]
    with pytest.raises(InvalidInput) as exc:
        disputes.dispute_resolve(
            actor=c.nurse_actor,
            dispute_id=dispute.pk,
            resolved_on=today(),
            result="changed",
            stage_outcome="",
            final_outcome="joint",
        )
    assert set(exc.value.fields) == {
        "stage_outcome",
        "final_nhs_share_percent",
        "final_effective_from",
    }
    dispute.refresh_from_db()
    assert dispute.is_open


def test_only_the_icb_resolves(c, decided):
    dispute = raise_interagency(c, decided)
    with pytest.raises(AccessRefused):
        disputes.dispute_resolve(
            actor=c.sw_actor,
            dispute_id=dispute.pk,
            resolved_on=today(),
            result="upheld",
            stage_outcome="x",
        )


def test_a_dispute_changed_to_eligible_schedules_a_review(c):
    case = to_decision(c, days_ago=10)
    decide(c, case, outcome="social_care", rationale="panel", effective_from=days(5))
    assert not ChcReview.objects.exists()
    # Not eligible: the ICB's task ended, and with it the relationship. The
    # person asks for a review months later; the CHC nurse states the
    # relationship (audited, on the IG lead's review list) to record it.
    with pytest.raises(AccessRefused):
        disputes.dispute_raise(
            actor=c.nurse_actor,
            case_id=case.pk,
            kind="individual",
            raised_on=today(),
            grounds="x",
            council_id=c.world.council.pk,
        )
    relationship_claim(
        actor=c.nurse_actor,
        person_id=c.world.person.pk,
        reason="the person asked the ICB to review its decision",
    )
    dispute = disputes.dispute_raise(
        actor=c.nurse_actor,
        case_id=case.pk,
        kind="individual",
        raised_on=today(),
        grounds="x",
        council_id=c.world.council.pk,
    )
    disputes.dispute_resolve(
        actor=c.nurse_actor,
        dispute_id=dispute.pk,
        resolved_on=today(),
        result="changed",
        stage_outcome="local resolution found a primary health need",
        final_outcome="chc",
        final_effective_from=days(5),
    )
    assert ChcReview.objects.filter(case=case).count() == 1


def test_a_resolution_before_interim_funding_started_is_refused(c, decided):
    dispute = raise_interagency(c, decided)
    disputes.interim_funding_set(
        actor=c.sw_actor, dispute_id=dispute.pk, payer="council", from_date=days(10)
    )
    with pytest.raises(InvalidInput) as exc:
        disputes.dispute_resolve(
            actor=c.nurse_actor,
            dispute_id=dispute.pk,
            resolved_on=days(20),
            result="upheld",
            stage_outcome="x",
        )
    assert "before interim funding started" in exc.value.fields["resolved_on"]
    dispute.refresh_from_db()
    assert dispute.is_open and dispute.current_stage.ended_on is None
