"""Early help and families: the household, the early help assessment on the
shared assessment form engine, the lead practitioner, the team around the
family, the family plan and reviews, step up and step down (history kept)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from django.db import transaction
from django.utils import timezone

from joinedup.coordination import assessment_form as form
from joinedup.coordination.models import AssessmentSection
from joinedup.errors import Conflict, InvalidInput, NotFound
from joinedup.governance.access import Actor
from joinedup.people.selectors import person_access_open
from joinedup.safeguarding.models import (
    CaseKind,
    ChildCase,
    ChildCaseStatus,
    EarlyHelpAssessment,
    Family,
    FamilyMember,
    FamilyReview,
    FamilyRole,
    FamilyStatus,
    FamilyStep,
    MemberRole,
    StepDirection,
)
from joinedup.safeguarding.services.children import child_referral_make
from joinedup.safeguarding.services.common import (
    is_member,
    members_add,
    members_end,
    text_required,
)

TEAM_SERVICES = {
    "health_visitor": "Health visitor",
    "school_nurse": "School nurse",
    "childrens_social_care": "Children's social care",
    "adult_mental_health": "Adult mental health",
    "substance_misuse": "Substance misuse service",
    "education": "School or early years",
    "other": "Other",
}

# The early help assessment on the shared form engine (like the Common
# Assessment Framework: the child's development, parenting capacity, family and
# environment). "About me" questions are the shared assessment's own, so what
# the family has told a service once pre-fills them (tell your story once).
EARLY_HELP_SECTIONS: tuple[form.Section, ...] = (
    form.Section(
        "about_me",
        "About the child and family",
        "social_care",
        (
            form.Question("what_matters", "What matters to the family", form.TEXT),
            form.Question(
                "communication", "How the child and family communicate", form.TEXT
            ),
        ),
    ),
    form.Section(
        "development",
        "The child's development",
        "health",
        (
            form.Question("health", "Health and development", form.TEXT, required=True),
            form.Question("education", "Learning and education", form.TEXT),
            form.Question("emotional", "Emotional wellbeing and behaviour", form.TEXT),
        ),
    ),
    form.Section(
        "parenting",
        "Parents and carers",
        "social_care",
        (
            form.Question(
                "basic_care",
                "Basic care, safety and stability",
                form.TEXT,
                required=True,
            ),
            form.Question(
                "parent_needs",
                "Parents' own needs (health, mental health, substance use)",
                form.TEXT,
            ),
        ),
    ),
    form.Section(
        "family_environment",
        "Family and environment",
        "social_care",
        (
            form.Question("housing", "Housing and finances", form.TEXT),
            form.Question("support", "Wider family and community support", form.TEXT),
            form.Question("strengths", "Strengths", form.TEXT, required=True),
        ),
    ),
)


def _family_for_update(actor: Actor, family_id: int) -> Family:
    family = Family.objects.select_for_update().filter(pk=family_id).first()
    if family is None:
        raise NotFound(
            f"family: there is no family with id {family_id}",
            fields={"family": "no such family"},
        )
    if not (
        actor.organisation_id in (family.organisation_id, family.lead_organisation_id)
        or is_member(
            case_kind=CaseKind.FAMILY, case_id=family.pk, user_id=actor.user_id
        )
    ):
        raise NotFound(
            f"family: there is no family with id {family_id}",
            fields={"family": "no such family"},
        )
    return family


def _member_ids(family: Family) -> list[int]:
    return list(family.members.values_list("person_id", flat=True))


def family_create(
    *,
    actor: Actor,
    reference: str,
    members: Sequence[tuple[int, str]],
    lead_practitioner_id: int | None = None,
) -> Family:
    """A family (household) of children and adults, each with their role; the
    actor needs a relationship with every member."""
    ref = text_required("reference", reference, "give the family a case reference", 40)
    if not members:
        raise InvalidInput.for_field("members", "add at least one child and one adult")
    for _person_id, role in members:
        if role not in FamilyRole.values:
            raise InvalidInput.for_field(
                "members",
                f"unknown role {str(role)[:20]!r}; one of: "
                + ", ".join(FamilyRole.values),
            )
    if not any(r in (FamilyRole.CHILD, FamilyRole.UNBORN) for _, r in members):
        raise InvalidInput.for_field("members", "a family needs at least one child")
    for person_id, _ in members:
        person_access_open(
            actor=actor, person_id=person_id, action="safeguarding_family"
        )
    with transaction.atomic():
        family = Family.objects.create(
            reference=ref,
            organisation_id=actor.organisation_id,
            created_by_id=actor.user_id,
            created_at=timezone.now(),
        )
        FamilyMember.objects.bulk_create(
            [
                FamilyMember(family=family, person_id=p, role=r)
                for p, r in dict(members).items()
            ]
        )
        if lead_practitioner_id is not None:
            _lead_set(family, lead_practitioner_id)
    return family


def _lead_set(family: Family, user_id: int) -> None:
    made = members_add(
        case_kind=CaseKind.FAMILY,
        case_id=family.pk,
        person_ids=_member_ids(family),
        user_ids=[user_id],
        role=MemberRole.LEAD_PRACTITIONER,
        field="lead_practitioner",
    )
    family.lead_practitioner_id = user_id
    if made:
        family.lead_organisation_id = made[0].organisation_id
    family.save()


def lead_practitioner_set(*, actor: Actor, family_id: int, user_id: int) -> Family:
    with transaction.atomic():
        family = _family_for_update(actor, family_id)
        members_end(
            case_kind=CaseKind.FAMILY,
            case_id=family.pk,
            roles=[MemberRole.LEAD_PRACTITIONER],
        )
        _lead_set(family, user_id)
    return family


def team_around_family_add(
    *, actor: Actor, family_id: int, user_id: int, service: str
) -> Family:
    """A professional joins the team around the family, for the service they
    bring; they see the family's early help work and its members' records."""
    if service not in TEAM_SERVICES:
        raise InvalidInput.for_field(
            "service", "choose one of: " + ", ".join(TEAM_SERVICES)
        )
    with transaction.atomic():
        family = _family_for_update(actor, family_id)
        members_add(
            case_kind=CaseKind.FAMILY,
            case_id=family.pk,
            person_ids=_member_ids(family),
            user_ids=[user_id],
            role=MemberRole.TEAM_AROUND_FAMILY,
            field="user",
            service=service,
        )
    return family


def _prefill(person_id: int) -> tuple[dict[str, object], dict[str, str]]:
    """The latest shared assessment's About me answers, for the same questions."""
    section = (
        AssessmentSection.objects.filter(
            assessment__person_id=person_id, key="about_me", is_current=True
        )
        .order_by("-completed_at")
        .first()
    )
    if section is None:
        return {}, {}
    answers = {
        k: v
        for k, v in section.answers.items()
        if k in ("what_matters", "communication") and v not in (None, "")
    }
    return answers, {k: f"assessment {section.assessment_id}" for k in answers}


def early_help_assessment_record(
    *,
    actor: Actor,
    family_id: int,
    person_id: int,
    answers: Mapping[str, Mapping[str, object]],
) -> EarlyHelpAssessment:
    """Validate each section with the shared engine (naming the question at
    fault), pre-filling unanswered About me questions from the person's shared
    assessment."""
    cleaned: dict[str, dict[str, object]] = {}
    prefilled, sources = _prefill(person_id)
    used: dict[str, str] = {}
    for section in EARLY_HELP_SECTIONS:
        raw = dict(answers.get(section.key) or {})
        if section.key == "about_me":
            for key, value in prefilled.items():
                if raw.get(key) in (None, ""):
                    raw[key] = value
                    used[key] = sources[key]
        if not any(v not in (None, "") for v in raw.values()) and not any(
            q.required for q in section.questions
        ):
            cleaned[section.key] = {q.key: None for q in section.questions}
            continue
        cleaned[section.key] = form.answers_clean(section, raw)
    with transaction.atomic():
        family = _family_for_update(actor, family_id)
        if person_id not in _member_ids(family):
            raise InvalidInput.for_field("person", "is not a member of this family")
        person_access_open(
            actor=actor, person_id=person_id, action="safeguarding_early_help"
        )
        return EarlyHelpAssessment.objects.create(
            family=family,
            person_id=person_id,
            answers=cleaned,
            prefilled_from=used,
            completed_by_id=actor.user_id,
            completed_by_organisation_id=actor.organisation_id,
            completed_at=timezone.now(),
        )


def family_plan_set(
    *, actor: Actor, family_id: int, plan_text: str, review_due_on: dt.date | None
) -> Family:
    text = text_required("plan_text", plan_text, "write the family plan")
    if review_due_on is None:
        raise InvalidInput.for_field("review_due_on", "set when the plan is reviewed")
    if review_due_on < timezone.localdate():
        raise InvalidInput.for_field("review_due_on", "is in the past")
    with transaction.atomic():
        family = _family_for_update(actor, family_id)
        family.plan_text = text
        family.plan_review_due_on = review_due_on
        family.save()
    return family


def family_review_record(
    *,
    actor: Actor,
    family_id: int,
    held_on: dt.date | None,
    progress: str,
    next_review_on: dt.date | None = None,
) -> FamilyReview:
    if held_on is None:
        raise InvalidInput.for_field("held_on", "enter the date of the review")
    text = text_required("progress", progress, "record the progress against the plan")
    with transaction.atomic():
        family = _family_for_update(actor, family_id)
        review = FamilyReview.objects.create(
            family=family,
            held_on=held_on,
            progress=text,
            next_review_on=next_review_on,
            recorded_by_id=actor.user_id,
        )
        if next_review_on is not None:
            family.plan_review_due_on = next_review_on
            family.save()
    return review


def family_step_up(
    *,
    actor: Actor,
    family_id: int,
    child_id: int,
    council_id: int | None,
    reason: str,
    consent: str,
    lawful_basis: str = "",
) -> ChildCase:
    """Step up to children's social care: a referral for the child, linked to the
    family, with the early help history kept."""
    why = text_required("reason", reason, "say why the family is stepped up")
    with transaction.atomic():
        family = _family_for_update(actor, family_id)
        if family.status == FamilyStatus.SOCIAL_CARE:
            raise Conflict(
                "The family is stepped up already.", fields={"family": "stepped up"}
            )
        if not family.members.filter(
            person_id=child_id, role__in=[FamilyRole.CHILD, FamilyRole.UNBORN]
        ).exists():
            raise InvalidInput.for_field("child", "is not a child of this family")
        case = child_referral_make(
            actor=actor,
            person_id=child_id,
            council_id=council_id,
            reason=why,
            consent=consent,
            lawful_basis=lawful_basis,
            family_id=family.pk,
        )
        FamilyStep.objects.create(
            family=family,
            direction=StepDirection.UP,
            reason=why,
            case=case,
            at=timezone.now(),
            by_id=actor.user_id,
        )
        family.status = FamilyStatus.SOCIAL_CARE
        family.save()
    return case


def family_step_down(*, actor: Actor, family_id: int, reason: str) -> FamilyStep:
    """Step down to early help (the council, closing its involvement): the
    family's history, steps and cases are kept."""
    why = text_required("reason", reason, "say why the family is stepped down")
    with transaction.atomic():
        family = Family.objects.select_for_update().filter(pk=family_id).first()
        if family is None or family.status != FamilyStatus.SOCIAL_CARE:
            raise Conflict(
                "The family is not with children's social care.",
                fields={"family": "not stepped up"},
            )
        case = (
            ChildCase.objects.filter(family=family)
            .exclude(status=ChildCaseStatus.CLOSED)
            .first()
        )
        if case is not None and case.council_id != actor.organisation_id:
            raise Conflict(
                "Only children's social care can step the family down.",
                fields={"family": "not yours"},
            )
        if case is not None:
            case.status = ChildCaseStatus.CLOSED
            case.closed_on = timezone.localdate()
            if not case.decision:
                case.decision = "early_help"
                case.decision_reasons = why
                case.decided_on = timezone.localdate()
                case.decided_by_id = actor.user_id
            case.save()
        step = FamilyStep.objects.create(
            family=family,
            direction=StepDirection.DOWN,
            reason=why,
            case=case,
            at=timezone.now(),
            by_id=actor.user_id,
        )
        family.status = FamilyStatus.EARLY_HELP
        family.save()
    return step
