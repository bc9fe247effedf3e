"""The single shared assessment's services and selectors: start, pre-fill with
provenance, complete once, amend, eligibility, and the access policy per
section category."""

import datetime as dt

import pytest
from django.utils import timezone

from joinedup.coordination.models import AssessmentSection
from joinedup.coordination.selectors.assessment import (
    assessment_get,
    assessment_open,
    section_prefill_get,
)
from joinedup.coordination.services.assessment import (
    assessment_section_amend,
    assessment_section_complete,
    assessment_start,
)
from joinedup.errors import AccessRefused, Conflict, InvalidInput, NotFound
from joinedup.governance.models import AuditEntry, ConsentRecord, OrganisationType, Role
from joinedup.people.models import AboutMe
from joinedup.record.models import EventKind
from tests.conftest import actor_for
from tests.factories import (
    EventFactory,
    OrganisationFactory,
    care_team_add,
    professional,
)

ADULT_OUTCOMES = {
    "needs_from_impairment_or_illness": True,
    "significant_impact_on_wellbeing": True,
    "outcome_nutrition": ["needs_assistance"],
    "outcome_personal_hygiene": [
        "significant_pain_distress_anxiety",
        "takes_significantly_longer",
    ],
}


@pytest.fixture
def nurse(world):
    trust = OrganisationFactory(
        code="RCT",
        name="Joinedup Community Trust",
        type=OrganisationType.COMMUNITY_TRUST,
    )
    user = professional(
        Role.COMMUNITY_MATRON,
        trust,
        username="nurse",
        first_name="Nia",
        last_name="Nurse",
    )
    care_team_add(world.person, user, trust, Role.COMMUNITY_MATRON)
    return user


@pytest.fixture
def started(world):
    return assessment_start(
        actor=actor_for(world.social_worker), person_id=world.person.pk, kind="adult"
    )


def test_a_social_worker_starts_an_assessment(world, started):
    assert started.person_id == world.person.pk
    assert started.started_by_organisation == world.council
    assert started.previous is None and started.completed_at is None


def test_a_second_assessment_of_the_same_kind_in_progress_is_a_conflict(world, started):
    with pytest.raises(Conflict) as exc:
        assessment_start(
            actor=actor_for(world.gp), person_id=world.person.pk, kind="adult"
        )
    assert f"assessment {started.pk}" in exc.value.detail
    carer = assessment_start(
        actor=actor_for(world.gp), person_id=world.person.pk, kind="carer"
    )
    assert carer.kind == "carer"


def test_bad_kind_and_unknown_person_are_named(world):
    with pytest.raises(InvalidInput) as exc:
        assessment_start(
            actor=actor_for(world.social_worker),
            person_id=world.person.pk,
            kind="child",
        )
    assert "kind" in exc.value.fields
    with pytest.raises(NotFound):
        assessment_start(
            actor=actor_for(world.social_worker), person_id=999999, kind="adult"
        )


def test_a_stranger_is_refused_and_audited(world):
    before = AuditEntry.objects.filter(outcome="refused").count()
    with pytest.raises(AccessRefused):
        assessment_start(
            actor=actor_for(world.social_worker),
            person_id=world.stranger.pk,
            kind="adult",
        )
    assert AuditEntry.objects.filter(outcome="refused").count() == before + 1


def test_health_sections_are_prefilled_from_the_record_for_the_nurse(
    world, nurse, started
):
    march = dt.datetime(2026, 3, 3, 10, tzinfo=dt.UTC)
    EventFactory(
        person=world.person,
        source_system=world.gp_system,
        kind=EventKind.DIAGNOSIS,
        code_display="Heart failure",
        summary="Diagnosis recorded: Heart failure",
        occurred_at=march,
    )
    EventFactory(
        person=world.person,
        source_system=world.gp_system,
        kind=EventKind.MEDICATION,
        summary="Repeat medication: Furosemide",
        detail={"medication": "Furosemide", "course": "repeat"},
        occurred_at=timezone.now() - dt.timedelta(days=30),
    )
    EventFactory(
        person=world.person,
        source_system=world.gp_system,
        kind=EventKind.FALL,
        summary="Fall recorded",
        occurred_at=timezone.now() - dt.timedelta(days=10),
    )
    access, assessment = assessment_open(
        actor=actor_for(nurse), assessment_id=started.pk, action="t"
    )
    health = section_prefill_get(
        access=access, assessment=assessment, section_key="health_conditions"
    )
    assert health["conditions"].value == "Heart failure"
    assert (
        health["conditions"].text == "from GP system, 3 March 2026; confirm or change"
    )
    assert health["medications"].value == "Furosemide"
    falls = section_prefill_get(
        access=access, assessment=assessment, section_key="mobility_falls"
    )
    assert falls["falls_last_year"].value == 1

    row = assessment_section_complete(
        actor=actor_for(nurse),
        assessment_id=started.pk,
        section_key="health_conditions",
        answers={
            "conditions": "Heart failure",
            "medications": "Furosemide 40mg",
            "allergies": "",
        },
    )
    assert row.completed_by == nurse and row.completed_by_role == Role.COMMUNITY_MATRON
    assert row.provenance["conditions"] == {
        "origin": "record",
        "source": "GP system",
        "on": "2026-03-03",
        "status": "confirmed",
    }
    assert row.provenance["medications"]["status"] == "changed"
    assert "allergies" not in row.provenance


def test_about_me_and_the_address_prefill(world, started):
    AboutMe.objects.create(
        person=world.person,
        how_to_communicate_with_me="Face to face, not the phone",
        updated_at=dt.datetime(2026, 1, 5, 12, tzinfo=dt.UTC),
    )
    access, assessment = assessment_open(
        actor=actor_for(world.social_worker), assessment_id=started.pk, action="t"
    )
    about = section_prefill_get(
        access=access, assessment=assessment, section_key="about_me"
    )
    assert about["how_to_communicate_with_me"].text == (
        "from About me, 5 January 2026; confirm or change"
    )
    housing = section_prefill_get(
        access=access, assessment=assessment, section_key="housing"
    )
    assert housing["home_address"].value == "1 High Street, Joinedup, JU1 1AA"


def test_each_section_shows_who_completed_it(world, nurse, started):
    assessment_section_complete(
        actor=actor_for(world.social_worker),
        assessment_id=started.pk,
        section_key="care_act_outcomes",
        answers=ADULT_OUTCOMES,
    )
    assessment_section_complete(
        actor=actor_for(nurse),
        assessment_id=started.pk,
        section_key="mobility_falls",
        answers={"falls_last_year": 2},
    )
    view = assessment_get(actor=actor_for(world.gp), assessment_id=started.pk)
    by_key = {s.section.key: s for s in view.sections}
    assert by_key["care_act_outcomes"].current.completed_by == world.social_worker
    assert by_key["mobility_falls"].current.completed_by == nurse
    assert by_key["risks"].current is None
    assert view.completed_count == 2


def test_completing_a_section_twice_is_a_conflict_and_keeps_the_first(
    world, nurse, started
):
    assessment_section_complete(
        actor=actor_for(nurse),
        assessment_id=started.pk,
        section_key="mobility_falls",
        answers={"falls_last_year": 2},
    )
    with pytest.raises(Conflict) as exc:
        assessment_section_complete(
            actor=actor_for(world.social_worker),
            assessment_id=started.pk,
            section_key="mobility_falls",
            answers={"falls_last_year": 5},
        )
    assert "already completed" in exc.value.detail
    assert "Joinedup Community Trust" in exc.value.detail
    rows = AssessmentSection.objects.filter(assessment=started, key="mobility_falls")
    assert [r.answers["falls_last_year"] for r in rows] == [2]


def test_an_amendment_keeps_the_earlier_answer_and_needs_a_reason(
    world, nurse, started
):
    first = assessment_section_complete(
        actor=actor_for(nurse),
        assessment_id=started.pk,
        section_key="mobility_falls",
        answers={"falls_last_year": 2, "mobility": "Walks with a frame"},
    )
    with pytest.raises(InvalidInput) as exc:
        assessment_section_amend(
            actor=actor_for(world.social_worker),
            assessment_id=started.pk,
            section_key="mobility_falls",
            answers={"falls_last_year": 3},
            reason=" ",
        )
    assert "reason" in exc.value.fields
    amended = assessment_section_amend(
        actor=actor_for(world.social_worker),
        assessment_id=started.pk,
        section_key="mobility_falls",
        answers={"falls_last_year": 3, "mobility": "Walks with a frame"},
        reason="Fell again last week",
    )
    first.refresh_from_db()
    assert not first.is_current and amended.is_current and amended.supersedes == first
    assert amended.provenance["falls_last_year"]["status"] == "changed"
    assert amended.provenance["mobility"] == first.provenance["mobility"]
    view = assessment_get(actor=actor_for(world.gp), assessment_id=started.pk)
    falls = view.section("mobility_falls")
    assert falls.current == amended and falls.history == [first]


def test_amending_a_section_not_completed_is_a_conflict(world, started):
    with pytest.raises(Conflict):
        assessment_section_amend(
            actor=actor_for(world.social_worker),
            assessment_id=started.pk,
            section_key="risks",
            answers={"risks": "x"},
            reason="because",
        )


def test_bad_answers_are_named_and_nothing_is_written(world, started):
    with pytest.raises(InvalidInput) as exc:
        assessment_section_complete(
            actor=actor_for(world.social_worker),
            assessment_id=started.pk,
            section_key="care_act_outcomes",
            answers={"outcome_nutrition": ["hungry"]},
        )
    assert {"outcome_nutrition", "needs_from_impairment_or_illness"} <= set(
        exc.value.fields
    )
    assert not AssessmentSection.objects.exists()


def test_eligibility_with_reasons_in_words(world, started):
    assessment_section_complete(
        actor=actor_for(world.social_worker),
        assessment_id=started.pk,
        section_key="care_act_outcomes",
        answers=ADULT_OUTCOMES,
    )
    result = assessment_get(
        actor=actor_for(world.social_worker), assessment_id=started.pk
    ).eligibility
    assert result.eligible
    assert [u.key for u in result.unmet] == ["nutrition", "personal_hygiene"]
    assert result.unmet[1].reasons == [
        "only with significant pain, distress or anxiety",
        "only by taking significantly longer than would normally be expected",
    ]


def test_a_carers_assessment_uses_the_carers_rule(world):
    a = assessment_start(
        actor=actor_for(world.social_worker), person_id=world.person.pk, kind="carer"
    )
    assessment_section_complete(
        actor=actor_for(world.social_worker),
        assessment_id=a.pk,
        section_key="care_act_outcomes",
        answers={
            "needs_from_necessary_care": True,
            "health_deteriorating": False,
            "significant_impact_on_wellbeing": True,
            "outcome_recreation": ["needs_assistance"],
        },
    )
    result = assessment_get(
        actor=actor_for(world.social_worker), assessment_id=a.pk
    ).eligibility
    assert result.eligible and result.summary.startswith("The carer's needs")


def test_no_eligibility_until_the_outcomes_are_completed(world, started):
    assert (
        assessment_get(
            actor=actor_for(world.social_worker), assessment_id=started.pk
        ).eligibility
        is None
    )


def test_the_last_section_completes_the_assessment_and_the_next_one_is_prefilled(
    world, started
):
    from joinedup.coordination import assessment_form as form

    sw = actor_for(world.social_worker)
    answers = {
        "about_me": {"what_matters_to_me": "My garden"},
        "care_act_outcomes": ADULT_OUTCOMES,
        "health_conditions": {"allergies": "None known"},
        "mental_health": {"mental_health_needs": "None"},
        "cognition_communication": {"mental_capacity_concern": False},
        "mobility_falls": {"falls_last_year": 0},
        "carers_family": {"has_carer": True},
        "housing": {"housing_type": "owner"},
        "finances": {"receives_benefits": True},
        "risks": {"risks": "Lives alone"},
    }
    assert set(answers) == {s.key for s in form.sections_for("adult")}
    for key, values in answers.items():
        assessment_section_complete(
            actor=sw, assessment_id=started.pk, section_key=key, answers=values
        )
    started.refresh_from_db()
    assert started.completed_at is not None
    second = assessment_start(actor=sw, person_id=world.person.pk, kind="adult")
    assert second.previous == started
    access, assessment = assessment_open(actor=sw, assessment_id=second.pk, action="t")
    risks = section_prefill_get(
        access=access, assessment=assessment, section_key="risks"
    )
    assert risks["risks"].value == "Lives alone"
    assert risks["risks"].source == "previous assessment"


def test_a_section_whose_category_is_not_shared_is_hidden_and_refused(world, started):
    """An objection to sharing finance with the GP practice: the GP does not see
    the council's finance answers and cannot complete the section."""
    assessment_section_complete(
        actor=actor_for(world.social_worker),
        assessment_id=started.pk,
        section_key="finances",
        answers={"finance_notes": "Owns the house"},
    )
    ConsentRecord.objects.create(
        person=world.person,
        category="finance",
        organisation=world.practice,
        decision="objection",
        method="verbal",
        recorded_by=world.social_worker,
        recorded_at=timezone.now(),
    )
    view = assessment_get(actor=actor_for(world.gp), assessment_id=started.pk)
    finances = view.section("finances")
    assert not finances.readable and finances.current is None
    assert view.section("risks").readable
    with pytest.raises(Conflict):
        # Their own organisation may still not overwrite a completed section.
        assessment_section_complete(
            actor=actor_for(world.gp),
            assessment_id=started.pk,
            section_key="finances",
            answers={"finance_notes": "x"},
        )


def test_the_database_refuses_a_second_first_completion_or_a_forked_amendment(
    world, started
):
    """Two professionals submitting at the same moment cannot both win: the
    constraints behind the service's check."""
    from django.db import IntegrityError, transaction

    def row(**kwargs):
        return AssessmentSection.objects.create(
            assessment=started,
            key="risks",
            answers={"risks": "x"},
            completed_by=world.social_worker,
            completed_by_organisation=world.council,
            completed_by_role=Role.SOCIAL_WORKER,
            completed_at=timezone.now(),
            **kwargs,
        )

    first = row()
    with pytest.raises(IntegrityError), transaction.atomic():
        row(is_current=False)
    first.is_current = False
    first.save(update_fields=["is_current"])
    row(supersedes=first)
    with pytest.raises(IntegrityError), transaction.atomic():
        row(supersedes=first, is_current=False)
