"""Child protection (Children Act 1989 s47; Working Together 2023): referral,
decision within one working day, strategy discussion, s47 enquiry, the initial
conference within 15 working days, the plan (category, core group, reviews),
its end; looked-after episodes. Plans and looked-after episodes keep the
unscheduled care flag."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from joinedup.errors import Conflict, InvalidInput, NotFound
from joinedup.governance.access import Actor
from joinedup.governance.models import Organisation, OrganisationType
from joinedup.people.models import Person
from joinedup.people.selectors import person_access_open
from joinedup.safeguarding import rules
from joinedup.safeguarding.models import (
    CaseKind,
    ChildCase,
    ChildCaseStatus,
    ChildProtectionPlan,
    Conference,
    ConferenceKind,
    FlagKind,
    LookedAfter,
    MemberRole,
)
from joinedup.safeguarding.services.common import (
    flag_close,
    flag_open,
    members_add,
    members_end,
    organisation_get,
    organisation_task,
    own_organisation_check,
    sharing_record,
    sharing_validate,
    tasks_complete,
    text_required,
    user_ids_of,
)

CHILD_AGENCIES = {
    "health": "Health",
    "police": "Police",
    "social_care": "Children's social care",
    "education": "Education",
    "other": "Other",
}


def _council(council_id: int | None) -> Organisation:
    council = organisation_get("council", council_id)
    if council.type != OrganisationType.COUNCIL_CHILDRENS_SERVICES:
        raise InvalidInput.for_field(
            "council", "must be a council's children's services"
        )
    return council


def child_referral_make(
    *,
    actor: Actor,
    person_id: int,
    council_id: int | None,
    reason: str,
    consent: str,
    lawful_basis: str = "",
    received_on: dt.date | None = None,
    alleged_perpetrator_id: int | None = None,
    family_id: int | None = None,
    council_team_id: int | None = None,
) -> ChildCase:
    """A referral to children's social care; its team gets a task due in one
    working day (the decision clock)."""
    why = text_required("reason", reason, "say why you are worried about the child")
    sharing_validate(consent, lawful_basis)
    council = _council(council_id)
    received = received_on or timezone.localdate()
    if received > timezone.localdate():
        raise InvalidInput.for_field("received_on", "cannot be in the future")
    if alleged_perpetrator_id is not None:
        if alleged_perpetrator_id == person_id:
            raise InvalidInput.for_field(
                "alleged_perpetrator", "cannot be the child referred"
            )
        if not Person.objects.filter(pk=alleged_perpetrator_id).exists():
            raise InvalidInput.for_field("alleged_perpetrator", "no such person")
    access = person_access_open(
        actor=actor, person_id=person_id, action="safeguarding_child_referral"
    )
    with transaction.atomic():
        case = ChildCase.objects.create(
            person_id=access.person.pk,
            council=council,
            referred_by_id=actor.user_id,
            referred_by_organisation_id=actor.organisation_id,
            received_on=received,
            reason=why,
            alleged_perpetrator_id=alleged_perpetrator_id,
            consent=consent,
            lawful_basis="" if consent == "given" else lawful_basis,
            family_id=family_id,
            decision_due_on=rules.referral_decision_due(received),
        )
        sharing_record(
            actor=actor,
            case_kind=CaseKind.CHILD,
            case_id=case.pk,
            person_id=case.person_id,
            consent=consent,
            lawful_basis=lawful_basis,
            with_organisation_id=council.pk,
        )
        organisation_task(
            actor=actor,
            person_id=case.person_id,
            title="Referral to children's social care: decide the response",
            organisation_id=council.pk,
            team_id=council_team_id,
            source_ref=f"child:{case.pk}:decision",
            due_on=max(case.decision_due_on, timezone.localdate()),
        )
    return case


def _case_for_update(actor: Actor, case_id: int) -> ChildCase:
    case = ChildCase.objects.select_for_update().filter(pk=case_id).first()
    if case is None:
        raise NotFound(
            f"case: there is no child protection case with id {case_id}",
            fields={"case": "no such case"},
        )
    own_organisation_check(actor, case.council_id, "case")
    if case.status == ChildCaseStatus.CLOSED:
        raise Conflict("This case is closed.", fields={"case": "closed"})
    return case


def child_referral_decide(
    *,
    actor: Actor,
    case_id: int,
    decision: str,
    reasons: str,
    decided_on: dt.date | None = None,
    social_worker_id: int | None = None,
) -> ChildCase:
    if decision not in rules.REFERRAL_DECISIONS:
        raise InvalidInput.for_field(
            "decision", "choose one of: " + ", ".join(rules.REFERRAL_DECISIONS)
        )
    why = text_required("reasons", reasons, "give the reasons for the decision")
    day = decided_on or timezone.localdate()
    with transaction.atomic():
        case = _case_for_update(actor, case_id)
        if case.decision:
            raise Conflict(
                "The referral is decided already.", fields={"decision": "decided"}
            )
        if day < case.received_on:
            raise InvalidInput.for_field("decided_on", "cannot be before the referral")
        person_access_open(
            actor=actor, person_id=case.person_id, action="safeguarding_decide"
        )
        case.decision = decision
        case.decision_reasons = why
        case.decided_on = day
        case.decided_by_id = actor.user_id
        if social_worker_id is not None:
            case.social_worker_id = social_worker_id
        if decision == "strategy_discussion":
            case.status = ChildCaseStatus.STRATEGY
        elif decision in ("no_further_action", "early_help"):
            case.status = ChildCaseStatus.CLOSED
            case.closed_on = day
        case.save()
        if social_worker_id is not None:
            members_add(
                case_kind=CaseKind.CHILD,
                case_id=case.pk,
                person_ids=[case.person_id],
                user_ids=[social_worker_id],
                role=MemberRole.SOCIAL_WORKER,
                field="social_worker",
            )
        tasks_complete(
            source_ref=f"child:{case.pk}:decision",
            actor=actor,
            outcome=rules.REFERRAL_DECISIONS[decision],
        )
    return case


def strategy_discussion_record(
    *,
    actor: Actor,
    case_id: int,
    held_on: dt.date | None,
    agencies: Sequence[str],
    s47: bool | None,
    notes: str = "",
    member_user_ids: Sequence[object] = (),
) -> ChildCase:
    """The strategy discussion (WT 2023: social care, health and police at the
    least); starting s47 enquiries starts the 15-working-day conference clock."""
    if held_on is None:
        raise InvalidInput.for_field("held_on", "enter the date of the discussion")
    if held_on > timezone.localdate():
        raise InvalidInput.for_field("held_on", "cannot be in the future")
    chosen = list(dict.fromkeys(agencies))
    missing = [a for a in ("health", "police", "social_care") if a not in chosen]
    if missing or any(a not in CHILD_AGENCIES for a in chosen):
        raise InvalidInput.for_field(
            "agencies",
            "a strategy discussion needs health, police and children's social care",
        )
    if s47 is None:
        raise InvalidInput.for_field("s47", "say whether s47 enquiries start")
    users = user_ids_of("members", member_user_ids)
    with transaction.atomic():
        case = _case_for_update(actor, case_id)
        if case.status not in (ChildCaseStatus.STRATEGY, ChildCaseStatus.REFERRED):
            raise Conflict(
                "The strategy discussion is recorded already.",
                fields={"held_on": "already recorded"},
            )
        if held_on < case.received_on:
            raise InvalidInput.for_field("held_on", "cannot be before the referral")
        case.strategy_held_on = held_on
        case.strategy_agencies = chosen
        case.strategy_s47 = s47
        case.strategy_notes = (notes or "").strip()
        if s47:
            case.status = ChildCaseStatus.S47
            case.s47_started_on = held_on
            case.icpc_due_on = rules.icpc_due(held_on)
        else:
            case.status = ChildCaseStatus.CLOSED
            case.closed_on = held_on
        case.save()
        members_add(
            case_kind=CaseKind.CHILD,
            case_id=case.pk,
            person_ids=[case.person_id],
            user_ids=users,
            role=MemberRole.STRATEGY_PARTNER,
        )
    return case


def s47_outcome_record(
    *, actor: Actor, case_id: int, outcome: str, completed_on: dt.date | None = None
) -> ChildCase:
    if outcome not in rules.S47_OUTCOMES:
        raise InvalidInput.for_field(
            "outcome", "choose one of: " + ", ".join(rules.S47_OUTCOMES)
        )
    day = completed_on or timezone.localdate()
    with transaction.atomic():
        case = _case_for_update(actor, case_id)
        if case.status != ChildCaseStatus.S47:
            raise Conflict("No s47 enquiry is open.", fields={"outcome": "no enquiry"})
        case.s47_outcome = outcome
        case.s47_completed_on = day
        if outcome == "concerns_substantiated":
            case.status = ChildCaseStatus.CONFERENCE
        else:
            case.status = ChildCaseStatus.CLOSED
            case.closed_on = day
        case.save()
    return case


def initial_conference_record(
    *,
    actor: Actor,
    case_id: int,
    held_on: dt.date | None,
    plan: bool,
    category: str = "",
    pre_birth: bool = False,
    late_reason: str = "",
    member_user_ids: Sequence[object] = (),
) -> Conference:
    """The initial child protection conference: within 15 working days of the
    strategy discussion (a later date needs a reason); a plan needs a category.
    Conference members see the case; a plan raises the unscheduled care flag."""
    if held_on is None:
        raise InvalidInput.for_field("held_on", "enter the date of the conference")
    if plan and category not in rules.PLAN_CATEGORIES:
        raise InvalidInput.for_field(
            "category",
            "a child protection plan needs a category: "
            + ", ".join(rules.PLAN_CATEGORIES),
        )
    users = user_ids_of("members", member_user_ids)
    with transaction.atomic():
        case = _case_for_update(actor, case_id)
        if case.status not in (ChildCaseStatus.S47, ChildCaseStatus.CONFERENCE):
            raise Conflict(
                "An initial conference follows a s47 enquiry.",
                fields={"held_on": "no s47 enquiry on this case"},
            )
        if case.strategy_held_on is None:  # unreachable: s47 starts at strategy
            raise Conflict("No strategy discussion.", fields={"held_on": "no strategy"})
        problem = rules.icpc_date_check(case.strategy_held_on, held_on, late_reason)
        if problem is not None:
            raise InvalidInput.for_field("held_on", problem)
        conference = Conference.objects.create(
            case=case,
            kind=ConferenceKind.INITIAL,
            held_on=held_on,
            late_reason=(late_reason or "").strip(),
            plan_decided=plan,
            chaired_by_id=actor.user_id,
            recorded_at=timezone.now(),
        )
        case.icpc_held_on = held_on
        members_add(
            case_kind=CaseKind.CHILD,
            case_id=case.pk,
            person_ids=[case.person_id],
            user_ids=users,
            role=MemberRole.CONFERENCE_MEMBER,
        )
        if plan:
            cp_plan = ChildProtectionPlan.objects.create(
                case=case,
                person_id=case.person_id,
                category=category,
                pre_birth=pre_birth,
                started_on=held_on,
                next_review_due_on=rules.review_conference_due(held_on, None),
            )
            case.status = ChildCaseStatus.PLAN
            flag_open(
                person_id=case.person_id,
                kind=FlagKind.PRE_BIRTH if pre_birth else FlagKind.CP_PLAN,
                council=case.council,
                source_ref=f"plan:{cp_plan.pk}",
                started_on=held_on,
            )
        else:
            case.status = ChildCaseStatus.CLOSED
            case.closed_on = held_on
        case.save()
    return conference


def _plan_of(case: ChildCase) -> ChildProtectionPlan:
    plan = ChildProtectionPlan.objects.filter(case=case, ended_on__isnull=True).first()
    if plan is None:
        raise Conflict("The child has no plan in force.", fields={"plan": "no plan"})
    return plan


def plan_end(
    *, actor: Actor, case_id: int, ended_on: dt.date | None, reason: str
) -> ChildProtectionPlan:
    if reason not in rules.PLAN_END_REASONS:
        raise InvalidInput.for_field(
            "reason", "say why the plan ends: " + ", ".join(rules.PLAN_END_REASONS)
        )
    day = ended_on or timezone.localdate()
    with transaction.atomic():
        case = _case_for_update(actor, case_id)
        plan = _plan_of(case)
        if day < plan.started_on:
            raise InvalidInput.for_field(
                "ended_on", "cannot be before the plan started"
            )
        plan.ended_on = day
        plan.end_reason = reason
        plan.save()
        flag_close(source_ref=f"plan:{plan.pk}", ended_on=day)
        case.status = ChildCaseStatus.CLOSED
        case.closed_on = day
        case.save()
        members_end(case_kind=CaseKind.CHILD, case_id=case.pk)
    return plan


def review_conference_record(
    *,
    actor: Actor,
    case_id: int,
    held_on: dt.date | None,
    continue_plan: bool,
    end_reason: str = "",
) -> Conference:
    """A review conference: 3 months after the initial one, then every 6 months
    (WT 2023). Ending the plan needs a reason."""
    if held_on is None:
        raise InvalidInput.for_field("held_on", "enter the date of the conference")
    if not continue_plan and end_reason not in rules.PLAN_END_REASONS:
        raise InvalidInput.for_field(
            "end_reason", "say why the plan ends: " + ", ".join(rules.PLAN_END_REASONS)
        )
    with transaction.atomic():
        case = _case_for_update(actor, case_id)
        plan = _plan_of(case)
        if held_on < (plan.last_review_on or plan.started_on):
            raise InvalidInput.for_field("held_on", "is before the last conference")
        conference = Conference.objects.create(
            case=case,
            kind=ConferenceKind.REVIEW,
            held_on=held_on,
            plan_decided=continue_plan,
            chaired_by_id=actor.user_id,
            recorded_at=timezone.now(),
        )
        plan.last_review_on = held_on
        plan.next_review_due_on = rules.review_conference_due(plan.started_on, held_on)
        plan.save()
    if not continue_plan:
        plan_end(actor=actor, case_id=case_id, ended_on=held_on, reason=end_reason)
    return conference


def core_group_add(
    *, actor: Actor, case_id: int, member_user_ids: Sequence[object]
) -> int:
    users = user_ids_of("members", member_user_ids)
    if not users:
        raise InvalidInput.for_field("members", "choose at least one professional")
    with transaction.atomic():
        case = _case_for_update(actor, case_id)
        _plan_of(case)
        made = members_add(
            case_kind=CaseKind.CHILD,
            case_id=case.pk,
            person_ids=[case.person_id],
            user_ids=users,
            role=MemberRole.CORE_GROUP,
        )
    return len(made)


def looked_after_start(
    *, actor: Actor, person_id: int, started_on: dt.date | None = None
) -> LookedAfter:
    council = _council(actor.organisation_id)
    person_access_open(
        actor=actor, person_id=person_id, action="safeguarding_looked_after"
    )
    day = started_on or timezone.localdate()
    with transaction.atomic():
        row = LookedAfter.objects.create(
            person_id=person_id, council=council, started_on=day
        )
        flag_open(
            person_id=person_id,
            kind=FlagKind.LOOKED_AFTER,
            council=council,
            source_ref=f"looked_after:{row.pk}",
            started_on=day,
        )
    return row


def looked_after_end(*, actor: Actor, looked_after_id: int, ended_on: dt.date) -> None:
    row = LookedAfter.objects.filter(pk=looked_after_id, ended_on__isnull=True).first()
    if row is None:
        raise NotFound(
            "looked_after: no such episode", fields={"id": "no such episode"}
        )
    own_organisation_check(actor, row.council_id, "episode")
    with transaction.atomic():
        row.ended_on = ended_on
        row.save()
        flag_close(source_ref=f"looked_after:{row.pk}", ended_on=ended_on)
