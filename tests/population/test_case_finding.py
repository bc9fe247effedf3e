"""Case finding: who is proposed, to whom, and what accepting or dismissing does."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from joinedup.coordination.models import CareTeamMember, Task, TaskSource
from joinedup.coordination.selectors import caseload_list
from joinedup.errors import AccessRefused, Conflict, InvalidInput, NotFound
from joinedup.governance.models import AuditEntry, OrganisationType, Role
from joinedup.population.models import (
    CaseFindingDismissal,
    PersonRisk,
    Refresh,
    RefreshStatus,
)
from joinedup.population.selectors import case_finding_list, caseload_sizes
from joinedup.population.services import case_finding_accept, case_finding_dismiss
from tests.conftest import actor_for
from tests.factories import (
    OrganisationFactory,
    PersonFactory,
    care_team_add,
    involve,
    professional,
)


@pytest.fixture
def scene(world):
    trust = OrganisationFactory(
        code="RJV", name="Community Trust", type=OrganisationType.COMMUNITY_TRUST
    )
    matron = professional(
        Role.COMMUNITY_MATRON, trust, username="matron", first_name="Maria"
    )
    refresh = Refresh.objects.create(
        started_at=timezone.now(),
        finished_at=timezone.now(),
        status=RefreshStatus.COMPLETE,
        is_current=True,
    )
    people = []
    for rank, risk in enumerate((0.7, 0.6, 0.5, 0.4), start=1):
        p = PersonFactory(given_name=f"Level{rank}")
        involve(p, trust)
        PersonRisk.objects.create(
            refresh=refresh, person=p, age=84, efi_score=0.3,
            efi_category="moderate", deficits=["falls", "polypharmacy"], risk=risk,
            factors=[["prior_emergency", 0.9], ["efi", 0.4]], level=3, rank=rank,
        )  # fmt: skip
        people.append(p)
    low = PersonFactory(given_name="Lowrisk")
    involve(low, trust)
    PersonRisk.objects.create(
        refresh=refresh, person=low, age=40, efi_score=0, efi_category="fit",
        deficits=[], risk=0.02, factors=[], level=1, rank=50,
    )  # fmt: skip
    # the stranger is level 3 too, but the matron has no reason to see them
    PersonRisk.objects.create(
        refresh=refresh, person=world.stranger, age=90, efi_score=0.4,
        efi_category="severe", deficits=[], risk=0.9, factors=[], level=3, rank=0,
    )  # fmt: skip
    return trust, matron, people, low


def test_lists_level_three_people_the_matron_may_see_highest_risk_first(world, scene):
    _trust, matron, people, _low = scene
    before = AuditEntry.objects.count()
    proposals = case_finding_list(actor=actor_for(matron))
    assert [p.person_id for p in proposals] == [p.pk for p in people]
    first = proposals[0]
    assert first.reasons == [
        "Emergency admissions in the last 3 years",
        "Frailty (electronic Frailty Index)",
    ]
    assert first.deficits == ["Falls", "Polypharmacy (5+ medicines)"]
    assert world.stranger.pk not in [p.person_id for p in proposals]
    assert AuditEntry.objects.count() == before + 1
    assert AuditEntry.objects.order_by("-seq").first().action == "list_case_finding"


def test_people_with_a_lead_professional_are_not_proposed(world, scene):
    _trust, matron, people, _low = scene
    member = care_team_add(
        people[0], world.social_worker, world.council, "social_worker"
    )
    CareTeamMember.objects.filter(pk=member.pk).update(is_lead=True)
    ids = [p.person_id for p in case_finding_list(actor=actor_for(matron))]
    assert people[0].pk not in ids and people[1].pk in ids


def test_other_roles_may_not_use_case_finding(world, scene):
    with pytest.raises(AccessRefused):
        case_finding_list(actor=actor_for(world.commissioner))
    with pytest.raises(AccessRefused):
        case_finding_accept(actor=actor_for(world.gp), person_id=scene[2][0].pk)


def test_accept_makes_the_matron_lead_with_a_case_finding_task(world, scene):
    trust, matron, people, _low = scene
    actor = actor_for(matron)
    member, task = case_finding_accept(actor=actor, person_id=people[0].pk)
    assert member.is_lead and member.user == matron and member.organisation == trust
    assert task.source == TaskSource.CASE_FINDING
    assert task.assignee_user == matron and task.status == "open"
    assert task.due_on == timezone.localdate() + dt.timedelta(days=14)
    assert Task.objects.filter(person=people[0], source="case_finding").count() == 1
    assert people[0].pk not in [p.person_id for p in case_finding_list(actor=actor)]
    assert people[0].pk in [m.person_id for m in caseload_list(actor=actor)]
    sizes = caseload_sizes(actor=actor)
    assert [(s.name, s.people) for s in sizes] == [(matron.get_full_name(), 1)]


def test_cannot_accept_someone_not_proposed(world, scene):
    _trust, matron, _people, low = scene
    with pytest.raises(NotFound):
        case_finding_accept(actor=actor_for(matron), person_id=low.pk)


def test_dismiss_needs_a_reason_and_is_remembered(world, scene):
    _trust, matron, people, _low = scene
    actor = actor_for(matron)
    with pytest.raises(InvalidInput) as exc:
        case_finding_dismiss(actor=actor, person_id=people[1].pk, reason="  ")
    assert "reason" in exc.value.fields
    assert not CaseFindingDismissal.objects.exists()
    case_finding_dismiss(
        actor=actor, person_id=people[1].pk, reason="Already under the HF nurse"
    )
    assert people[1].pk not in [p.person_id for p in case_finding_list(actor=actor)]
    with pytest.raises(Conflict):
        case_finding_dismiss(actor=actor, person_id=people[1].pk, reason="again")


def test_a_dismissed_person_returns_when_their_risk_rises_materially(world, scene):
    _trust, matron, people, _low = scene
    actor = actor_for(matron)
    case_finding_dismiss(actor=actor, person_id=people[1].pk, reason="Stable")
    risk = PersonRisk.objects.get(person=people[1])
    risk.risk = 0.65  # +0.05: not material
    risk.save(update_fields=["risk"])
    assert people[1].pk not in [p.person_id for p in case_finding_list(actor=actor)]
    risk.risk = 0.7  # +0.10: material
    risk.save(update_fields=["risk"])
    assert people[1].pk in [p.person_id for p in case_finding_list(actor=actor)]


def test_no_refresh_no_proposals(world):
    trust = OrganisationFactory(code="RJV", type=OrganisationType.COMMUNITY_TRUST)
    matron = professional(Role.COMMUNITY_MATRON, trust)
    assert case_finding_list(actor=actor_for(matron)) == []
