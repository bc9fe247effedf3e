"""Adult safeguarding (Care Act 2014 s42; Care and Support Statutory Guidance
ch. 14): raise a concern, decide on the three-part test, run the enquiry
(strategy discussion, actions as tasks in each organisation), close it with the
outcome and the person's view (Making Safeguarding Personal)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from joinedup.coordination.models import Task
from joinedup.errors import Conflict, InvalidInput, NotFound
from joinedup.governance.access import Actor
from joinedup.governance.models import OrganisationType
from joinedup.people.models import Person
from joinedup.people.selectors import person_access_open
from joinedup.safeguarding import rules
from joinedup.safeguarding.models import (
    AdultConcern,
    AdultEnquiry,
    CaseKind,
    ConcernStatus,
    MemberRole,
)
from joinedup.safeguarding.services.common import (
    is_member,
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

ADULT_COUNCILS = (OrganisationType.COUNCIL_ADULT_SOCIAL_CARE,)


def _categories(field: str, values: Sequence[str]) -> list[str]:
    chosen = list(dict.fromkeys(str(v) for v in values))
    bad = [c for c in chosen if c not in rules.ABUSE_CATEGORIES]
    if bad:
        raise InvalidInput.for_field(
            field,
            f"unknown category {bad[0][:40]!r}; choose from "
            + ", ".join(rules.ABUSE_CATEGORIES),
        )
    return chosen


def _perpetrator(person_id: int, alleged_id: int | None) -> int | None:
    if alleged_id is None:
        return None
    if alleged_id == person_id:
        raise InvalidInput.for_field(
            "alleged_perpetrator", "cannot be the person the concern is about"
        )
    if not Person.objects.filter(pk=alleged_id).exists():
        raise InvalidInput.for_field("alleged_perpetrator", "no such person")
    return alleged_id


def concern_raise(
    *,
    actor: Actor,
    person_id: int,
    what_happened: str,
    where_happened: str,
    when_happened: str,
    council_id: int | None,
    consent: str,
    person_views: str = "",
    views_not_sought_reason: str = "",
    desired_outcomes: str = "",
    who_is_alleged: str = "",
    alleged_perpetrator_id: int | None = None,
    suspected_categories: Sequence[str] = (),
    lawful_basis: str = "",
    council_team_id: int | None = None,
) -> AdultConcern:
    """Anyone with a relationship raises a concern; the council's safeguarding
    team gets a task. Refused, naming the field, with nothing saved: no what,
    where or when; neither the person's views nor why they were not sought;
    sharing without consent and without a lawful basis."""
    what = text_required("what_happened", what_happened, "say what happened")
    where = text_required("where_happened", where_happened, "say where", 200)
    when = text_required("when_happened", when_happened, "say when", 100)
    views = (person_views or "").strip()
    why_not = (views_not_sought_reason or "").strip()
    if not views and not why_not:
        raise InvalidInput.for_field(
            "person_views",
            "record the person's views and wishes, or why they were not sought "
            "(Making Safeguarding Personal)",
        )
    categories = _categories("suspected_categories", suspected_categories)
    sharing_validate(consent, lawful_basis)
    council = organisation_get("council", council_id)
    if council.type not in ADULT_COUNCILS:
        raise InvalidInput.for_field(
            "council", "must be a council's adult social care service"
        )
    perpetrator = _perpetrator(person_id, alleged_perpetrator_id)
    access = person_access_open(
        actor=actor, person_id=person_id, action="safeguarding_concern_raise"
    )
    with transaction.atomic():
        concern = AdultConcern.objects.create(
            person_id=access.person.pk,
            raised_by_id=actor.user_id,
            raised_by_organisation_id=actor.organisation_id,
            raised_at=timezone.now(),
            what_happened=what,
            where_happened=where,
            when_happened=when,
            who_is_alleged=(who_is_alleged or "").strip()[:200],
            alleged_perpetrator_id=perpetrator,
            suspected_categories=categories,
            person_views=views,
            views_not_sought_reason=why_not,
            desired_outcomes=(desired_outcomes or "").strip(),
            consent=consent,
            lawful_basis="" if consent == "given" else lawful_basis,
            council=council,
            council_team_id=council_team_id,
        )
        sharing_record(
            actor=actor,
            case_kind=CaseKind.ADULT,
            case_id=concern.pk,
            person_id=concern.person_id,
            consent=consent,
            lawful_basis=lawful_basis,
            with_organisation_id=council.pk,
        )
        organisation_task(
            actor=actor,
            person_id=concern.person_id,
            title="Safeguarding adults concern: decide on the three-part test",
            organisation_id=council.pk,
            team_id=council_team_id,
            source_ref=f"adult:{concern.pk}:decision",
            due_on=timezone.localdate() + dt.timedelta(days=2),
        )
    return concern


def _concern_for_update(concern_id: int) -> AdultConcern:
    concern = AdultConcern.objects.select_for_update().filter(pk=concern_id).first()
    if concern is None:
        raise NotFound(
            f"concern: there is no concern with id {concern_id}",
            fields={"concern": "no such concern"},
        )
    return concern


def concern_decide(
    *,
    actor: Actor,
    concern_id: int,
    care_and_support_needs: bool | None,
    experiencing_or_at_risk: bool | None,
    unable_to_protect_self: bool | None,
    categories: Sequence[str],
    decision: str,
    reasons: str,
    enquiry_officer_id: int | None = None,
) -> AdultConcern:
    """The council records the three-part test (s42(1)), the categories of
    abuse and its decision with reasons; a s42 (or other) enquiry opens with
    its enquiry officer."""
    for field, value in (
        ("care_and_support_needs", care_and_support_needs),
        ("experiencing_or_at_risk", experiencing_or_at_risk),
        ("unable_to_protect_self", unable_to_protect_self),
    ):
        if value is None:
            raise InvalidInput.for_field(field, "answer yes or no")
    test = rules.ThreePartTest(
        bool(care_and_support_needs),
        bool(experiencing_or_at_risk),
        bool(unable_to_protect_self),
    )
    chosen = _categories("categories", categories)
    if test.experiencing_or_at_risk and not chosen:
        raise InvalidInput.for_field("categories", "choose at least one category")
    problem = rules.adult_decision_check(test, decision)
    if problem is not None:
        raise InvalidInput.for_field("decision", problem)
    why = text_required("reasons", reasons, "give the reasons for the decision")
    enquiring = decision in (rules.DECISION_S42, rules.DECISION_OTHER_ENQUIRY)
    if enquiring and enquiry_officer_id is None:
        raise InvalidInput.for_field("enquiry_officer", "name the enquiry officer")
    with transaction.atomic():
        concern = _concern_for_update(concern_id)
        own_organisation_check(actor, concern.council_id, "concern")
        person_access_open(
            actor=actor, person_id=concern.person_id, action="safeguarding_decide"
        )
        if concern.status != ConcernStatus.RAISED:
            raise Conflict(
                "This concern has been decided already.",
                fields={"decision": "already decided"},
            )
        concern.care_and_support_needs = test.care_and_support_needs
        concern.experiencing_or_at_risk = test.experiencing_or_at_risk
        concern.unable_to_protect_self = test.unable_to_protect_self
        concern.categories = chosen
        concern.decision = decision
        concern.decision_reasons = why
        concern.decided_by_id = actor.user_id
        concern.decided_at = timezone.now()
        concern.status = (
            ConcernStatus.ENQUIRY if enquiring else ConcernStatus.OTHER_ACTION
        )
        concern.save()
        if enquiring and enquiry_officer_id is not None:
            AdultEnquiry.objects.create(
                concern=concern,
                statutory=decision == rules.DECISION_S42,
                enquiry_officer_id=enquiry_officer_id,
                opened_at=timezone.now(),
            )
            members_add(
                case_kind=CaseKind.ADULT,
                case_id=concern.pk,
                person_ids=[concern.person_id],
                user_ids=[enquiry_officer_id],
                role=MemberRole.ENQUIRY_OFFICER,
                field="enquiry_officer",
            )
        tasks_complete(
            source_ref=f"adult:{concern.pk}:decision",
            actor=actor,
            outcome=rules.ADULT_DECISIONS[decision],
        )
    return concern


def _enquiry_for_update(actor: Actor, concern_id: int) -> AdultEnquiry:
    enquiry = (
        AdultEnquiry.objects.select_for_update()
        .select_related("concern")
        .filter(concern__pk=concern_id)
        .first()
    )
    if enquiry is None:
        raise NotFound(
            f"enquiry: concern {concern_id} has no enquiry",
            fields={"enquiry": "no such enquiry"},
        )
    if enquiry.closed_at is not None:
        raise Conflict("This enquiry is closed.", fields={"enquiry": "closed"})
    if not (
        actor.organisation_id == enquiry.concern.council_id
        or is_member(
            case_kind=CaseKind.ADULT, case_id=concern_id, user_id=actor.user_id
        )
    ):
        own_organisation_check(actor, enquiry.concern.council_id, "enquiry")
    return enquiry


STRATEGY_AGENCIES = {
    "health": "Health",
    "police": "Police",
    "provider": "Care provider",
    "social_care": "Social care",
    "housing": "Housing",
    "other": "Other",
}


def enquiry_strategy_record(
    *,
    actor: Actor,
    concern_id: int,
    held_on: dt.date | None,
    agencies: Sequence[str],
    notes: str,
    member_user_ids: Sequence[object] = (),
) -> AdultEnquiry:
    """The strategy discussion with partners; its members see the enquiry."""
    if held_on is None:
        raise InvalidInput.for_field("held_on", "enter the date of the discussion")
    if held_on > timezone.localdate():
        raise InvalidInput.for_field("held_on", "cannot be in the future")
    chosen = list(dict.fromkeys(agencies))
    bad = [a for a in chosen if a not in STRATEGY_AGENCIES]
    if bad or not chosen:
        raise InvalidInput.for_field(
            "agencies", "choose the agencies: " + ", ".join(STRATEGY_AGENCIES)
        )
    users = user_ids_of("members", member_user_ids)
    with transaction.atomic():
        enquiry = _enquiry_for_update(actor, concern_id)
        enquiry.strategy_held_on = held_on
        enquiry.strategy_agencies = chosen
        enquiry.strategy_notes = (notes or "").strip()
        enquiry.save()
        members_add(
            case_kind=CaseKind.ADULT,
            case_id=concern_id,
            person_ids=[enquiry.concern.person_id],
            user_ids=users,
            role=MemberRole.STRATEGY_PARTNER,
        )
    return enquiry


def enquiry_action_add(
    *,
    actor: Actor,
    concern_id: int,
    title: str,
    organisation_id: int | None,
    team_id: int | None = None,
    due_on: dt.date | None = None,
) -> Task:
    """An action of the enquiry, as a task for an organisation (its team)."""
    what = text_required("title", title, "say what needs doing", 200)
    org = organisation_get("organisation", organisation_id)
    with transaction.atomic():
        enquiry = _enquiry_for_update(actor, concern_id)
        return organisation_task(
            actor=actor,
            person_id=enquiry.concern.person_id,
            title=what,
            organisation_id=org.pk,
            team_id=team_id,
            source_ref=f"adult:{concern_id}:action",
            due_on=due_on,
        )


def enquiry_close(
    *,
    actor: Actor,
    concern_id: int,
    risk_outcome: str,
    outcomes_met: str,
    person_view_on_outcome: str,
) -> AdultEnquiry:
    """Close with the outcome for the risk, whether the person's desired
    outcomes were met and their view (Making Safeguarding Personal). Refused
    without an outcome, nothing saved."""
    if risk_outcome not in rules.RISK_OUTCOMES:
        raise InvalidInput.for_field(
            "risk_outcome",
            "record the outcome: " + ", ".join(rules.RISK_OUTCOMES),
        )
    if outcomes_met not in rules.DESIRED_OUTCOMES_MET:
        raise InvalidInput.for_field(
            "outcomes_met",
            "say whether the person's desired outcomes were met: "
            + ", ".join(rules.DESIRED_OUTCOMES_MET),
        )
    view = text_required(
        "person_view_on_outcome",
        person_view_on_outcome,
        "record the person's view of the outcome, or why it could not be sought",
    )
    with transaction.atomic():
        enquiry = _enquiry_for_update(actor, concern_id)
        own_organisation_check(actor, enquiry.concern.council_id, "enquiry")
        enquiry.risk_outcome = risk_outcome
        enquiry.outcomes_met = outcomes_met
        enquiry.person_view_on_outcome = view
        enquiry.closed_at = timezone.now()
        enquiry.closed_by_id = actor.user_id
        enquiry.save()
        concern = enquiry.concern
        concern.status = ConcernStatus.CLOSED
        concern.save(update_fields=["status"])
        members_end(case_kind=CaseKind.ADULT, case_id=concern_id)
    return enquiry
