"""Social prescribing end to end in services: a GP refers to the link workers,
a link worker takes the person on, records what matters and ONS4 wellbeing
before and after, and connects them to a directory service (a referral to the
leisure trust, with the consent check and its response); commissioners' figures
suppress small numbers."""

from __future__ import annotations

import pytest
from django.utils import timezone

from joinedup.coordination.models import Referral, ReferralStatus, Task, TaskStatus
from joinedup.coordination.services import referral_accept, referral_send
from joinedup.directory import rules
from joinedup.directory.models import (
    CaseSource,
    Connection,
    PrescribingCase,
    Service,
    WellbeingScore,
)
from joinedup.directory.selectors import (
    sp_case_detail,
    sp_caseload,
    sp_figures,
    sp_referrals_waiting,
)
from joinedup.directory.services import (
    case_close,
    case_decline,
    case_open_from_referral,
    case_open_self_referral,
    connection_outcome,
    connection_send,
    wellbeing_record,
    what_matters_record,
)
from joinedup.errors import AccessRefused, Conflict, InvalidInput
from joinedup.governance.access import decide
from joinedup.governance.models import ConsentRecord
from tests.conftest import actor_for
from tests.coordination.coordb_helpers import team_actor
from tests.factories import PersonFactory

pytestmark = pytest.mark.django_db

BEFORE = {"life_satisfaction": 4, "worthwhile": 5, "happiness": 3, "anxiety": 7}
AFTER = {"life_satisfaction": 7, "worthwhile": 7, "happiness": 6, "anxiety": 4}


def _gp_refers(world, level1) -> Referral:
    return referral_send(
        actor=actor_for(world.gp),
        person_id=world.person.pk,
        referral_type="social_prescribing",
        urgency="routine",
        reason="Lonely since her husband died; would like to get out more",
        consent_basis="consent",
        to_team_id=level1.sp_team.pk,
    )


def _case(world, level1) -> PrescribingCase:
    referral = _gp_refers(world, level1)
    return case_open_from_referral(
        actor=team_actor(level1.link_worker), referral_id=referral.pk
    )


def test_a_gp_referral_reaches_the_link_worker_who_takes_it_on(world, level1):
    lw = team_actor(level1.link_worker)
    referral = _gp_refers(world, level1)
    assert [r.pk for r in sp_referrals_waiting(actor=lw)] == [referral.pk]
    case = case_open_from_referral(actor=lw, referral_id=referral.pk)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    assert case.source == CaseSource.GP
    assert case.snomed_code == "871731000000106"
    assert sp_referrals_waiting(actor=lw) == []
    assert [c.pk for c in sp_caseload(actor=lw)] == [case.pk]
    # The link worker now has a relationship: the record opens for them.
    assert decide(lw, world.person, "read", "demographics").allowed
    # Taking it on twice gives the same case.
    assert case_open_from_referral(actor=lw, referral_id=referral.pk).pk == case.pk


def test_only_social_prescribing_referrals_to_your_team_open_a_case(world, level1):
    referral = _gp_refers(world, level1)
    with pytest.raises(AccessRefused):
        case_open_from_referral(
            actor=team_actor(level1.leisure_worker), referral_id=referral.pk
        )
    assert not PrescribingCase.objects.exists()


def test_what_matters_and_wellbeing_before_and_after(world, level1):
    lw = team_actor(level1.link_worker)
    case = _case(world, level1)
    with pytest.raises(InvalidInput) as caught:
        what_matters_record(actor=lw, case_id=case.pk, text="   ")
    assert "what_matters" in caught.value.fields
    what_matters_record(actor=lw, case_id=case.pk, text="Seeing people; my garden")
    with pytest.raises(InvalidInput) as caught:
        wellbeing_record(actor=lw, case_id=case.pk, when="after", scores=AFTER)
    assert "when" in caught.value.fields  # before comes first
    with pytest.raises(InvalidInput) as caught:
        wellbeing_record(
            actor=lw, case_id=case.pk, when="before", scores={**BEFORE, "anxiety": 11}
        )
    assert "anxiety" in caught.value.fields
    assert not WellbeingScore.objects.exists()
    wellbeing_record(actor=lw, case_id=case.pk, when="before", scores=BEFORE)
    with pytest.raises(Conflict):
        wellbeing_record(actor=lw, case_id=case.pk, when="before", scores=BEFORE)
    wellbeing_record(actor=lw, case_id=case.pk, when="after", scores=AFTER)
    view = sp_case_detail(actor=lw, case_id=case.pk)
    assert view.case.what_matters == "Seeing people; my garden"
    assert view.change["life_satisfaction"] == {"change": 3, "improved": True}
    assert view.change["anxiety"] == {"change": -3, "improved": True}


def test_connecting_to_a_provider_on_joinedup_is_a_referral_with_a_response(
    world, level1
):
    lw = team_actor(level1.link_worker)
    case = _case(world, level1)
    service = Service.objects.get(name__startswith="Active Lives")
    with pytest.raises(InvalidInput) as caught:
        connection_send(actor=lw, case_id=case.pk, service_id=service.pk)
    assert "consent_basis" in caught.value.fields
    assert not Connection.objects.exists()
    connection = connection_send(
        actor=lw,
        case_id=case.pk,
        service_id=service.pk,
        reason="Gentle exercise, wants company",
        consent_basis="consent",
    )
    referral = connection.referral
    assert referral.referral_type == "community_service"
    assert referral.to_organisation_id == level1.leisure.pk
    referral_accept(actor=actor_for(level1.leisure_worker), referral_id=referral.pk)
    referral.refresh_from_db()
    assert referral.status == ReferralStatus.ACCEPTED
    connection_outcome(actor=lw, connection_id=connection.pk, status="took_up")
    connection.refresh_from_db()
    assert connection.status == "took_up"


def test_an_objection_to_sharing_with_the_provider_stops_the_connection(world, level1):
    lw = team_actor(level1.link_worker)
    case = _case(world, level1)
    ConsentRecord.objects.create(
        person=world.person,
        category="",
        organisation=level1.leisure,
        decision="objection",
        method="verbal",
        recorded_by=world.gp,
        recorded_at=timezone.now(),
    )
    service = Service.objects.get(name__startswith="Active Lives")
    with pytest.raises(AccessRefused):
        connection_send(
            actor=lw,
            case_id=case.pk,
            service_id=service.pk,
            reason="Exercise",
            consent_basis="consent",
        )
    assert not Connection.objects.exists()
    assert not Referral.objects.filter(referral_type="community_service").exists()


def test_a_provider_not_on_joinedup_is_signposted_and_age_is_checked(world, level1):
    lw = team_actor(level1.link_worker)
    case = _case(world, level1)  # Margaret, born 1941
    befriending = Service.objects.get(name="Telephone befriending")
    connection = connection_send(actor=lw, case_id=case.pk, service_id=befriending.pk)
    assert connection.referral is None
    young = PersonFactory(birth_date=timezone.localdate().replace(year=2000))
    young_case = case_open_self_referral(actor=lw, person_id=young.pk)
    with pytest.raises(InvalidInput) as caught:
        connection_send(actor=lw, case_id=young_case.pk, service_id=befriending.pk)
    assert "service" in caught.value.fields


def test_closing_ends_the_referral_and_the_relationship(world, level1):
    lw = team_actor(level1.link_worker)
    case = _case(world, level1)
    case_close(actor=lw, case_id=case.pk)
    case.refresh_from_db()
    assert case.status == "closed"
    assert Referral.objects.get(pk=case.referral_id).status == ReferralStatus.COMPLETED
    assert Task.objects.get(pk=case.task_id).status == TaskStatus.COMPLETED
    with pytest.raises(Conflict):
        what_matters_record(actor=lw, case_id=case.pk, text="late note")


def test_a_self_referral_gets_a_task_and_can_be_declined(world, level1):
    lw = team_actor(level1.link_worker)
    case = case_open_self_referral(actor=lw, person_id=world.stranger.pk)
    assert case.source == CaseSource.SELF_REFERRAL
    assert Task.objects.get(pk=case.task_id).assignee_team_id == level1.sp_team.pk
    case_decline(actor=lw, case_id=case.pk)
    case.refresh_from_db()
    assert case.snomed_code == rules.SNOMED_DECLINED == "871711000000103"
    assert Task.objects.get(pk=case.task_id).status == TaskStatus.COMPLETED
    assert not decide(lw, world.stranger, "read", "demographics").allowed


def test_others_cannot_open_self_referrals(world, level1):
    with pytest.raises(AccessRefused):
        case_open_self_referral(actor=actor_for(world.gp), person_id=world.person.pk)


def test_commissioners_see_figures_with_small_numbers_suppressed(world, level1):
    lw = team_actor(level1.link_worker)
    service = Service.objects.get(name="Telephone befriending")
    for n in range(6):
        person = PersonFactory(postcode="JU2 3AB" if n < 5 else "JU4 1AA")
        case = case_open_self_referral(actor=lw, person_id=person.pk)
        wellbeing_record(actor=lw, case_id=case.pk, when="before", scores=BEFORE)
        wellbeing_record(actor=lw, case_id=case.pk, when="after", scores=AFTER)
        c = connection_send(actor=lw, case_id=case.pk, service_id=service.pk)
        connection_outcome(
            actor=lw,
            connection_id=c.pk,
            status="took_up" if n < 4 else "did_not_take_up",
        )
    opted_out = PersonFactory(postcode="JU2 3AB", national_data_opt_out=True)
    case_open_self_referral(actor=lw, person_id=opted_out.pk)
    by_area = {
        r.group: r
        for r in sp_figures(actor=actor_for(world.commissioner), dimension="area").rows
    }
    assert by_area["JU2"].referrals == "5"  # the opted-out person is not counted
    assert by_area["JU2"].wellbeing_change["life_satisfaction"] == "+3.0"
    assert by_area["JU4"].referrals == "<5"
    assert by_area["JU4"].wellbeing_change["life_satisfaction"] == ""
    by_service = sp_figures(actor=actor_for(world.commissioner), dimension="service")
    row = next(r for r in by_service.rows if r.group == "Telephone befriending")
    assert row.connections == "6" and row.took_up == "<5" and row.uptake == ""
    with pytest.raises(AccessRefused):
        sp_figures(actor=lw)


def test_a_self_referral_is_on_the_ig_leads_review_list_until_the_case_closes(
    world, level1
):
    from joinedup.governance.models import RelationshipClaim, ReviewStatus
    from joinedup.governance.selectors import relationship_claim_list
    from joinedup.governance.services import relationship_claim_review

    lw = team_actor(level1.link_worker)
    assert not decide(lw, world.stranger, "read", "demographics").allowed
    case = case_open_self_referral(actor=lw, person_id=world.stranger.pk)
    ig = actor_for(world.ig_lead)
    [claim] = relationship_claim_list(actor=ig)
    assert (claim.user_id, claim.person_id) == (
        level1.link_worker.pk,
        world.stranger.pk,
    )
    assert claim.role == "social_prescribing_link_worker"
    assert "Self-referral to social prescribing" in claim.reason
    assert case.claim_id == claim.pk
    assert decide(lw, world.stranger, "read", "demographics").allowed
    relationship_claim_review(actor=ig, claim_id=claim.pk, outcome="appropriate")
    assert RelationshipClaim.objects.get().review_status == ReviewStatus.APPROPRIATE
    assert relationship_claim_list(actor=ig) == []
    case_close(actor=lw, case_id=case.pk)
    # Closing ends the claim as well as the task: no access is left behind.
    assert RelationshipClaim.objects.get().expires_at <= timezone.now()
    assert not decide(lw, world.stranger, "read", "demographics").allowed


def test_a_referral_from_a_gp_raises_no_claim(world, level1):
    from joinedup.governance.models import RelationshipClaim

    referral = referral_send(
        actor=actor_for(world.gp),
        person_id=world.person.pk,
        referral_type="social_prescribing",
        urgency="routine",
        reason="Isolated",
        consent_basis="consent",
        to_team_id=level1.sp_team.pk,
    )
    case_open_from_referral(
        actor=team_actor(level1.link_worker), referral_id=referral.pk
    )
    assert not RelationshipClaim.objects.exists()
