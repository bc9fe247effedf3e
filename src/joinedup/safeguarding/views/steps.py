"""The step pages of safeguarding work: adults (decide a concern, the enquiry's
strategy discussion, actions, outcome), children (referral decision, strategy
discussion, s47, initial conference, core group, reviews, plan end) and early
help families (assessment, team around the family, plan, reviews, step up and
down). Each page opens its case through the selectors (the access policy,
audited) and writes through one service; a refusal names the field and saves
nothing."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import path, reverse
from django.views.decorators.http import require_http_methods

from joinedup.errors import Conflict, DomainError, InvalidInput
from joinedup.governance.access import Actor
from joinedup.governance.models import OrganisationType
from joinedup.safeguarding import rules
from joinedup.safeguarding.models import AdultConcern, ChildCase
from joinedup.safeguarding.selectors.steps import (
    FamilyView,
    child_case_open,
    concern_open,
    family_open,
    organisations,
    professionals,
)
from joinedup.safeguarding.services import adults, children, families
from joinedup.safeguarding.views.forms import Field, Form, date, yes_no
from joinedup.web.actors import request_actor
from joinedup.web.problems import problem_page


@dataclass(frozen=True)
class Step:
    key: str
    route: str
    title: str
    button: str
    fields: tuple[Field, ...]
    open: Callable[[Actor, int], Any]
    run: Callable[[Actor, Any, Form], None]
    back: Callable[[Any], str]
    caption: Callable[[Any], str]
    intro: str = ""


# --- Adults --------------------------------------------------------------------


def _concern_url(concern: AdultConcern) -> str:
    return reverse("safeguarding_concern", args=[concern.pk])


def _council_staff(concern: AdultConcern) -> dict[str, str]:
    return professionals(organisation_ids=[concern.council_id])


def _everyone(_: object) -> dict[str, str]:
    return professionals()


def _all_organisations(_: object) -> dict[str, str]:
    return organisations()


def _decide(actor: Actor, concern: AdultConcern, form: Form) -> None:
    adults.concern_decide(
        actor=actor,
        concern_id=concern.pk,
        care_and_support_needs=form.yes_no("care_and_support_needs"),
        experiencing_or_at_risk=form.yes_no("experiencing_or_at_risk"),
        unable_to_protect_self=form.yes_no("unable_to_protect_self"),
        categories=form.list("categories"),
        decision=form.text("decision"),
        reasons=form.text("reasons"),
        enquiry_officer_id=form.int("enquiry_officer"),
    )


def _adult_strategy(actor: Actor, concern: AdultConcern, form: Form) -> None:
    adults.enquiry_strategy_record(
        actor=actor,
        concern_id=concern.pk,
        held_on=form.date("held_on"),
        agencies=form.list("agencies"),
        notes=form.text("notes"),
        member_user_ids=form.list("members"),
    )


def _action(actor: Actor, concern: AdultConcern, form: Form) -> None:
    adults.enquiry_action_add(
        actor=actor,
        concern_id=concern.pk,
        title=form.text("title"),
        organisation_id=form.int("organisation"),
        due_on=form.date("due_on", required=False),
    )


def _close(actor: Actor, concern: AdultConcern, form: Form) -> None:
    adults.enquiry_close(
        actor=actor,
        concern_id=concern.pk,
        risk_outcome=form.text("risk_outcome"),
        outcomes_met=form.text("outcomes_met"),
        person_view_on_outcome=form.text("person_view_on_outcome"),
    )


def _open_concern(actor: Actor, pk: int) -> AdultConcern:
    return concern_open(actor=actor, concern_id=pk)


def _concern_caption(concern: AdultConcern) -> str:
    return f"Adult safeguarding concern {concern.pk}"


ADULT_STEPS = (
    Step(
        "concern_decide",
        "concerns/<int:pk>/decide/",
        "Decide on the concern",
        "Record the decision",
        (
            yes_no(
                "care_and_support_needs",
                "Does the adult have needs for care and support?",
            ),
            yes_no(
                "experiencing_or_at_risk",
                "Are they experiencing, or at risk of, abuse or neglect?",
            ),
            yes_no(
                "unable_to_protect_self",
                "As a result of those needs, are they unable to protect themselves?",
            ),
            Field(
                "categories",
                "Categories of abuse or neglect",
                "checkboxes",
                rules.ABUSE_CATEGORIES,
            ),
            Field("decision", "Decision", "select", rules.ADULT_DECISIONS),
            Field("reasons", "Reasons for the decision", "textarea"),
            Field(
                "enquiry_officer",
                "Enquiry officer (for an enquiry)",
                "select",
                _council_staff,
            ),
        ),
        _open_concern,
        _decide,
        _concern_url,
        _concern_caption,
        "The three-part test of the Care Act 2014 section 42(1): when all three "
        "parts are met the council must make a section 42 enquiry.",
    ),
    Step(
        "enquiry_strategy",
        "concerns/<int:pk>/strategy/",
        "Strategy discussion",
        "Record the strategy discussion",
        (
            date("held_on", "Date of the discussion"),
            Field(
                "agencies",
                "Agencies taking part",
                "checkboxes",
                adults.STRATEGY_AGENCIES,
            ),
            Field("notes", "What was agreed", "textarea"),
            Field(
                "members",
                "Professionals who will work the enquiry",
                "checkboxes",
                _everyone,
                "They will see the enquiry and the person's record.",
            ),
        ),
        _open_concern,
        _adult_strategy,
        _concern_url,
        _concern_caption,
    ),
    Step(
        "enquiry_action",
        "concerns/<int:pk>/actions/new/",
        "Add an action",
        "Add the action",
        (
            Field("title", "What needs doing"),
            Field(
                "organisation",
                "Organisation that will do it",
                "select",
                _all_organisations,
            ),
            date("due_on", "Due by (optional)"),
        ),
        _open_concern,
        _action,
        _concern_url,
        _concern_caption,
        "The action becomes a task for that organisation.",
    ),
    Step(
        "enquiry_close",
        "concerns/<int:pk>/close/",
        "Close the enquiry",
        "Close the enquiry",
        (
            Field(
                "risk_outcome", "Outcome for the risk", "select", rules.RISK_OUTCOMES
            ),
            Field(
                "outcomes_met",
                "Were the person's desired outcomes met?",
                "select",
                rules.DESIRED_OUTCOMES_MET,
            ),
            Field(
                "person_view_on_outcome",
                "The person's view of the outcome (Making Safeguarding Personal)",
                "textarea",
            ),
        ),
        _open_concern,
        _close,
        _concern_url,
        _concern_caption,
    ),
)


# --- Children ------------------------------------------------------------------


def _case_url(case: ChildCase) -> str:
    return reverse("safeguarding_case", args=[case.pk])


def _case_caption(case: ChildCase) -> str:
    return f"Child protection case {case.pk}"


def _open_case(actor: Actor, pk: int) -> ChildCase:
    return child_case_open(actor=actor, case_id=pk)


def _social_workers(case: ChildCase) -> dict[str, str]:
    return professionals(organisation_ids=[case.council_id])


def _child_decide(actor: Actor, case: ChildCase, form: Form) -> None:
    children.child_referral_decide(
        actor=actor,
        case_id=case.pk,
        decision=form.text("decision"),
        reasons=form.text("reasons"),
        decided_on=form.date("decided_on", required=False),
        social_worker_id=form.int("social_worker"),
    )


def _child_strategy(actor: Actor, case: ChildCase, form: Form) -> None:
    children.strategy_discussion_record(
        actor=actor,
        case_id=case.pk,
        held_on=form.date("held_on"),
        agencies=form.list("agencies"),
        s47=form.yes_no("s47"),
        notes=form.text("notes"),
        member_user_ids=form.list("members"),
    )


def _s47(actor: Actor, case: ChildCase, form: Form) -> None:
    children.s47_outcome_record(
        actor=actor,
        case_id=case.pk,
        outcome=form.text("outcome"),
        completed_on=form.date("completed_on", required=False),
    )


def _conference(actor: Actor, case: ChildCase, form: Form) -> None:
    plan = form.yes_no("plan")
    if plan is None:
        raise InvalidInput.for_field("plan", "say whether the child needs a plan")
    children.initial_conference_record(
        actor=actor,
        case_id=case.pk,
        held_on=form.date("held_on"),
        plan=plan,
        category=form.text("category"),
        pre_birth=form.yes_no("pre_birth") is True,
        late_reason=form.text("late_reason"),
        member_user_ids=form.list("members"),
    )


def _core_group(actor: Actor, case: ChildCase, form: Form) -> None:
    children.core_group_add(
        actor=actor, case_id=case.pk, member_user_ids=form.list("members")
    )


def _review(actor: Actor, case: ChildCase, form: Form) -> None:
    keep = form.yes_no("continue_plan")
    if keep is None:
        raise InvalidInput.for_field("continue_plan", "say whether the plan continues")
    children.review_conference_record(
        actor=actor,
        case_id=case.pk,
        held_on=form.date("held_on"),
        continue_plan=keep,
        end_reason=form.text("end_reason"),
    )


def _plan_end(actor: Actor, case: ChildCase, form: Form) -> None:
    children.plan_end(
        actor=actor,
        case_id=case.pk,
        ended_on=form.date("ended_on"),
        reason=form.text("reason"),
    )


CHILD_STEPS = (
    Step(
        "case_decide",
        "cases/<int:pk>/decide/",
        "Decide the response to the referral",
        "Record the decision",
        (
            Field("decision", "Decision", "select", rules.REFERRAL_DECISIONS),
            Field("reasons", "Reasons", "textarea"),
            date("decided_on", "Date of the decision (today if left empty)"),
            Field(
                "social_worker", "Allocated social worker", "select", _social_workers
            ),
        ),
        _open_case,
        _child_decide,
        _case_url,
        _case_caption,
        "Working Together 2023: a decision within one working day of the referral.",
    ),
    Step(
        "case_strategy",
        "cases/<int:pk>/strategy/",
        "Strategy discussion",
        "Record the strategy discussion",
        (
            date("held_on", "Date of the discussion"),
            Field(
                "agencies",
                "Agencies taking part",
                "checkboxes",
                children.CHILD_AGENCIES,
                "Health, police and children's social care at the least.",
            ),
            yes_no("s47", "Do section 47 enquiries start?"),
            Field("notes", "What was agreed", "textarea"),
            Field("members", "Professionals taking part", "checkboxes", _everyone),
        ),
        _open_case,
        _child_strategy,
        _case_url,
        _case_caption,
        "Starting section 47 enquiries starts the clock: the initial child "
        "protection conference within 15 working days.",
    ),
    Step(
        "case_s47",
        "cases/<int:pk>/s47/",
        "Outcome of the section 47 enquiry",
        "Record the outcome",
        (
            Field("outcome", "Outcome", "select", rules.S47_OUTCOMES),
            date("completed_on", "Date completed (today if left empty)"),
        ),
        _open_case,
        _s47,
        _case_url,
        _case_caption,
    ),
    Step(
        "case_conference",
        "cases/<int:pk>/conference/",
        "Initial child protection conference",
        "Record the conference",
        (
            date("held_on", "Date of the conference"),
            Field(
                "late_reason",
                "If after the 15 working day limit: the reason",
                "textarea",
            ),
            yes_no("plan", "Does the child need a child protection plan?"),
            Field("category", "Category of the plan", "select", rules.PLAN_CATEGORIES),
            yes_no("pre_birth", "Is this a pre-birth plan?"),
            Field("members", "Conference members", "checkboxes", _everyone),
        ),
        _open_case,
        _conference,
        _case_url,
        _case_caption,
    ),
    Step(
        "case_core_group",
        "cases/<int:pk>/core-group/",
        "Core group",
        "Add to the core group",
        (Field("members", "Professionals in the core group", "checkboxes", _everyone),),
        _open_case,
        _core_group,
        _case_url,
        _case_caption,
    ),
    Step(
        "case_review",
        "cases/<int:pk>/review/",
        "Review conference",
        "Record the review",
        (
            date("held_on", "Date of the review conference"),
            yes_no("continue_plan", "Does the plan continue?"),
            Field(
                "end_reason", "If the plan ends: why", "select", rules.PLAN_END_REASONS
            ),
        ),
        _open_case,
        _review,
        _case_url,
        _case_caption,
        "Working Together 2023: the first review within three months of the "
        "initial conference, then at intervals of not more than six months.",
    ),
    Step(
        "case_plan_end",
        "cases/<int:pk>/end/",
        "End the child protection plan",
        "End the plan",
        (
            date("ended_on", "Date the plan ends"),
            Field("reason", "Why the plan ends", "select", rules.PLAN_END_REASONS),
        ),
        _open_case,
        _plan_end,
        _case_url,
        _case_caption,
    ),
)


# --- Families -------------------------------------------------------------------


def _family_url(view: FamilyView) -> str:
    return reverse("safeguarding_family", args=[view.family.pk])


def _family_caption(view: FamilyView) -> str:
    return f"Family {view.family.reference}"


def _open_family(actor: Actor, pk: int) -> FamilyView:
    return family_open(actor=actor, family_id=pk)


def _children_of(view: FamilyView) -> dict[str, str]:
    return {
        str(m.member.person_id): m.view.access.person.display_name
        for m in view.children
        if m.view is not None
    }


def _children_councils(_: object) -> dict[str, str]:
    return organisations(types=[OrganisationType.COUNCIL_CHILDRENS_SERVICES])


ASSESSMENT_FIELDS = tuple(
    Field(q.key, f"{section.title}: {q.text}", "textarea")
    for section in families.EARLY_HELP_SECTIONS
    for q in section.questions
)


def _assessment(actor: Actor, view: FamilyView, form: Form) -> None:
    person = form.int("person")
    if person is None:
        raise InvalidInput.for_field("person", "choose the child assessed")
    answers = {
        section.key: {q.key: form.text(q.key) for q in section.questions}
        for section in families.EARLY_HELP_SECTIONS
    }
    families.early_help_assessment_record(
        actor=actor, family_id=view.family.pk, person_id=person, answers=answers
    )


def _team(actor: Actor, view: FamilyView, form: Form) -> None:
    user = form.int("user")
    if user is None:
        raise InvalidInput.for_field("user", "choose the professional")
    families.team_around_family_add(
        actor=actor,
        family_id=view.family.pk,
        user_id=user,
        service=form.text("service"),
    )


def _plan(actor: Actor, view: FamilyView, form: Form) -> None:
    families.family_plan_set(
        actor=actor,
        family_id=view.family.pk,
        plan_text=form.text("plan_text"),
        review_due_on=form.date("review_due_on"),
    )


def _family_review(actor: Actor, view: FamilyView, form: Form) -> None:
    families.family_review_record(
        actor=actor,
        family_id=view.family.pk,
        held_on=form.date("held_on"),
        progress=form.text("progress"),
        next_review_on=form.date("next_review_on", required=False),
    )


def _step_up(actor: Actor, view: FamilyView, form: Form) -> None:
    child = form.int("child")
    if child is None:
        raise InvalidInput.for_field("child", "choose the child")
    families.family_step_up(
        actor=actor,
        family_id=view.family.pk,
        child_id=child,
        council_id=form.int("council"),
        reason=form.text("reason"),
        consent=form.text("consent"),
        lawful_basis=form.text("lawful_basis"),
    )


def _step_down(actor: Actor, view: FamilyView, form: Form) -> None:
    families.family_step_down(
        actor=actor, family_id=view.family.pk, reason=form.text("reason")
    )


FAMILY_STEPS = (
    Step(
        "family_assessment",
        "families/<int:pk>/assessment/",
        "Early help assessment",
        "Save the assessment",
        (Field("person", "Child assessed", "select", _children_of), *ASSESSMENT_FIELDS),
        _open_family,
        _assessment,
        _family_url,
        _family_caption,
        "What the family has told a service once (About me in the shared "
        "assessment) fills the questions left empty.",
    ),
    Step(
        "family_team",
        "families/<int:pk>/team/",
        "Add to the team around the family",
        "Add to the team",
        (
            Field("user", "Professional", "select", _everyone),
            Field("service", "Service they bring", "select", families.TEAM_SERVICES),
        ),
        _open_family,
        _team,
        _family_url,
        _family_caption,
    ),
    Step(
        "family_plan",
        "families/<int:pk>/plan/",
        "Family plan",
        "Save the plan",
        (
            Field("plan_text", "The family plan", "textarea"),
            date("review_due_on", "Review by"),
        ),
        _open_family,
        _plan,
        _family_url,
        _family_caption,
    ),
    Step(
        "family_review",
        "families/<int:pk>/review/",
        "Review the family plan",
        "Record the review",
        (
            date("held_on", "Date of the review"),
            Field("progress", "Progress against the plan", "textarea"),
            date("next_review_on", "Next review (optional)"),
        ),
        _open_family,
        _family_review,
        _family_url,
        _family_caption,
    ),
    Step(
        "family_step_up",
        "families/<int:pk>/step-up/",
        "Step up to children's social care",
        "Step up",
        (
            Field("child", "Child referred", "select", _children_of),
            Field("council", "Children's social care", "select", _children_councils),
            Field("reason", "Why the family is stepped up", "textarea"),
            Field("consent", "Consent to share", "select", rules.CONSENT_STATES),
            Field(
                "lawful_basis",
                "Lawful basis when sharing without consent",
                "select",
                rules.LAWFUL_BASES,
            ),
        ),
        _open_family,
        _step_up,
        _family_url,
        _family_caption,
        "A referral to children's social care for the child, linked to the "
        "family; the early help history is kept.",
    ),
    Step(
        "family_step_down",
        "families/<int:pk>/step-down/",
        "Step down to early help",
        "Step down",
        (Field("reason", "Why the family is stepped down", "textarea"),),
        _open_family,
        _step_down,
        _family_url,
        _family_caption,
    ),
)

STEPS = {s.key: s for s in (*ADULT_STEPS, *CHILD_STEPS, *FAMILY_STEPS)}


def _step_view(step: Step) -> Callable[..., HttpResponse]:
    @login_required
    @require_http_methods(["GET", "POST"])
    def view(request: HttpRequest, pk: int) -> HttpResponse:
        actor = request_actor(request)
        try:
            obj = step.open(actor, pk)
        except DomainError as exc:
            return problem_page(request, exc)
        form = Form.read(
            step.fields, request.POST if request.method == "POST" else None
        )
        errors: dict[str, str] = {}
        status = 200
        if request.method == "POST":
            try:
                step.run(actor, obj, form)
            except (InvalidInput, Conflict) as exc:
                errors = dict(exc.fields) or {"form": exc.detail}
                status = exc.status
            except DomainError as exc:
                return problem_page(request, exc)
            else:
                return HttpResponseRedirect(step.back(obj))
        return render(
            request,
            "safeguarding/step.html",
            {
                "step": step,
                "obj": obj,
                "form": form,
                "errors": errors,
                "summary": form.labelled(errors),
                "back": step.back(obj),
                "caption": step.caption(obj),
            },
            status=status,
        )

    view.__name__ = f"{step.key}_view"
    return view


def step_urls() -> list[Any]:
    return [
        path(s.route, _step_view(s), name=f"safeguarding_{s.key}")
        for s in STEPS.values()
    ]
