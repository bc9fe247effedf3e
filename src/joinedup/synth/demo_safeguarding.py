"""Demo safeguarding work for the new roles: adult concerns (one awaiting the
council's decision, a s42 enquiry with actions in two organisations, one closed
with the person's view), children's cases (a referral past its one-working-day
decision, a s47 enquiry with its conference due, a child on a plan, so the ED
flag shows), and early help families (one with an assessment, a team around
the family and a plan; one stepped up). Made through the services as the demo's
GP, social worker, health visitor and children's social worker. Once: nothing
is added when any safeguarding case exists."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.db import transaction
from django.utils import timezone

from joinedup.coordination.models import CareTeamMember
from joinedup.errors import DomainError
from joinedup.governance.access import Actor
from joinedup.governance.models import Membership, Organisation, OrganisationType, Role
from joinedup.governance.selectors import actor_from_membership
from joinedup.governance.services import relationships_sync
from joinedup.people.models import Person
from joinedup.safeguarding.models import AdultConcern, ChildCase, Family
from joinedup.safeguarding.services import adults, children, families

GP, SOCIAL_WORKER, HEALTH_VISITOR, CSW = (
    "gp",
    "social.worker",
    "health.visitor",
    "childrens.social.worker",
)


def _actor(username: str, role: str) -> Actor | None:
    m = (
        Membership.objects.filter(user__username=username, role=role, active=True)
        .order_by("pk")
        .first()
    )
    return actor_from_membership(m, channel="cli") if m else None


def _try(step: Callable[[], int]) -> int:
    """One part of the demo: skipped whole (rolled back) when the synthetic area
    cannot support it; how many cases it made."""
    try:
        with transaction.atomic():
            return step()
    except DomainError:
        return 0


def _care_team_join(
    actor: Actor, role: str, people: list[Person], today: dt.date
) -> None:
    have = set(
        CareTeamMember.objects.filter(
            user_id=actor.user_id, person__in=people
        ).values_list("person_id", flat=True)
    )
    CareTeamMember.objects.bulk_create(
        [
            CareTeamMember(
                person=p,
                user_id=actor.user_id,
                organisation_id=actor.organisation_id,
                role=role,
                started_on=today,
            )
            for p in people
            if p.pk not in have
        ]
    )
    relationships_sync([p.pk for p in people], sources=["coordination.care_team"])


CATEGORIES = ("physical", "financial_material", "self_neglect")


def _adults_seed(today: dt.date) -> int:
    gp, sw = _actor(GP, Role.GP), _actor(SOCIAL_WORKER, Role.SOCIAL_WORKER)
    if gp is None or sw is None:
        return 0
    people = list(
        Person.objects.filter(care_team__user_id=gp.user_id)
        .order_by("pk")
        .distinct()[:3]
    )
    partners = list(
        Organisation.objects.filter(
            type__in=[OrganisationType.GP_PRACTICE, OrganisationType.COMMUNITY_TRUST]
        ).order_by("type", "code")[:2]
    )
    made = 0
    for i, person in enumerate(people):
        concern = adults.concern_raise(
            actor=gp,
            person_id=person.pk,
            what_happened=[
                "Unexplained bruising on both forearms",
                "Money missing from the purse; a new 'friend' visits daily",
                "Home very cold, little food, missed medication",
            ][i],
            where_happened="At home",
            when_happened="Over the past two weeks",
            council_id=sw.organisation_id,
            consent="given",
            person_views="Wants to stay at home and feel safe",
            desired_outcomes="To stay at home; to keep seeing family",
            suspected_categories=[CATEGORIES[i]],
        )
        made += 1
        if i == 0:
            continue  # awaiting the council's decision
        adults.concern_decide(
            actor=sw,
            concern_id=concern.pk,
            care_and_support_needs=True,
            experiencing_or_at_risk=True,
            unable_to_protect_self=True,
            categories=concern.suspected_categories,
            decision="s42_enquiry",
            reasons="All three parts of the test are met",
            enquiry_officer_id=sw.user_id,
        )
        adults.enquiry_strategy_record(
            actor=sw,
            concern_id=concern.pk,
            held_on=today - dt.timedelta(days=2),
            agencies=["health", "social_care"],
            notes="Actions agreed with the GP and the community team",
            member_user_ids=[gp.user_id],
        )
        for org in partners:
            adults.enquiry_action_add(
                actor=sw,
                concern_id=concern.pk,
                title="Review and report back to the enquiry officer",
                organisation_id=org.pk,
                due_on=today + dt.timedelta(days=7),
            )
        if i == 2:
            adults.enquiry_close(
                actor=sw,
                concern_id=concern.pk,
                risk_outcome="reduced",
                outcomes_met="partially",
                person_view_on_outcome="Feels safer; wants the visits to continue",
            )
    return made


def _children(today: dt.date, limit: int) -> list[Person]:
    born_after = today.replace(year=today.year - 16)
    return list(
        Person.objects.filter(
            birth_date__gt=born_after, deceased_on__isnull=True
        ).order_by("-birth_date", "pk")[:limit]
    )


def _adult_of(child: Person, today: dt.date, exclude: set[int]) -> Person | None:
    adults_q = Person.objects.filter(
        birth_date__lt=today.replace(year=today.year - 20),
        birth_date__gt=today.replace(year=today.year - 50),
        deceased_on__isnull=True,
    ).exclude(pk__in=exclude)
    return (
        adults_q.filter(family_name=child.family_name).order_by("pk").first()
        or adults_q.order_by("pk").first()
    )


def _children_seed(today: dt.date) -> int:
    hv = _actor(HEALTH_VISITOR, Role.HEALTH_VISITOR)
    csw = _actor(CSW, Role.CHILDRENS_SOCIAL_WORKER)
    gp = _actor(GP, Role.GP)
    if hv is None or csw is None:
        return 0
    kids = _children(today, 7)
    parents: list[Person] = []
    used = {k.pk for k in kids}
    for kid in kids[4:]:
        parent = _adult_of(kid, today, used)
        if parent is not None:
            used.add(parent.pk)
            parents.append(parent)
    _care_team_join(hv, Role.HEALTH_VISITOR, kids + parents, today)
    council = csw.organisation_id
    made = 0

    def referral(child: Person, days_ago: int, reason: str) -> ChildCase:
        return children.child_referral_make(
            actor=hv,
            person_id=child.pk,
            council_id=council,
            reason=reason,
            consent="not_sought",
            lawful_basis="safeguarding_individuals_at_risk",
            received_on=today - dt.timedelta(days=days_ago),
        )

    def to_s47(case: ChildCase, held_days_ago: int) -> None:
        children.child_referral_decide(
            actor=csw,
            case_id=case.pk,
            decision="strategy_discussion",
            reasons="Possible significant harm",
            decided_on=case.received_on,
            social_worker_id=csw.user_id,
        )
        children.strategy_discussion_record(
            actor=csw,
            case_id=case.pk,
            held_on=today - dt.timedelta(days=held_days_ago),
            agencies=["health", "police", "social_care"],
            s47=True,
            member_user_ids=[hv.user_id],
        )

    if kids:
        referral(kids[0], 4, "Baby brought to clinic with a bruise; no explanation")
        made += 1
    if len(kids) > 1:
        case = referral(kids[1], 8, "Disclosure at nursery")
        to_s47(case, 7)
        made += 1
    if len(kids) > 2:
        case = referral(kids[2], 40, "Persistent neglect; missed health reviews")
        to_s47(case, 39)
        children.s47_outcome_record(
            actor=csw, case_id=case.pk, outcome="concerns_substantiated"
        )
        members = [hv.user_id] + ([gp.user_id] if gp else [])
        children.initial_conference_record(
            actor=csw,
            case_id=case.pk,
            held_on=today - dt.timedelta(days=20),
            plan=True,
            category="neglect",
            member_user_ids=members,
        )
        children.core_group_add(actor=csw, case_id=case.pk, member_user_ids=members)
        made += 1
    for i, kid in enumerate(kids[4:6]):
        if i >= len(parents):
            break

        def family_make(
            kid: Person = kid, parent: Person = parents[i], i: int = i
        ) -> int:
            family = families.family_create(
                actor=hv,
                reference=f"EH-DEMO-{i + 1}",
                members=[(kid.pk, "child"), (parent.pk, "parent")],
                lead_practitioner_id=hv.user_id,
            )
            families.early_help_assessment_record(
                actor=hv,
                family_id=family.pk,
                person_id=kid.pk,
                answers={
                    "development": {"health": "Missed the 1 year review"},
                    "parenting": {"basic_care": "Parent struggling after a loss"},
                    "family_environment": {"strengths": "Grandmother nearby"},
                },
            )
            if gp is not None:
                families.team_around_family_add(
                    actor=hv, family_id=family.pk, user_id=gp.user_id, service="other"
                )
            families.family_plan_set(
                actor=hv,
                family_id=family.pk,
                plan_text="Weekly health visitor contact; GP review of the parent",
                review_due_on=today + dt.timedelta(days=42),
            )
            if i == 1:
                families.family_step_up(
                    actor=hv,
                    family_id=family.pk,
                    child_id=kid.pk,
                    council_id=council,
                    reason="Concerns escalated despite early help",
                    consent="given",
                )
            return 1

        made += _try(family_make)
    return made


def safeguarding_demo_seed(*, today: dt.date | None = None) -> str:
    if (
        AdultConcern.objects.exists()
        or ChildCase.objects.exists()
        or (Family.objects.exists())
    ):
        return "Safeguarding cases already seeded."
    day = today or timezone.localdate()
    made = _try(lambda: _adults_seed(day)) + _try(lambda: _children_seed(day))
    return f"Safeguarding cases seeded: {made}."
