"""The Decision Support Tool with its MDT, the MDT's recommendation, the ICB's
decision, and the Fast Track."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from joinedup.errors import Conflict, InvalidInput
from joinedup.funding.models.chc import (
    OPEN_CASE_STATUSES,
    CaseStatus,
    ChcCase,
    ChcDecision,
    ChcDst,
    ChcFastTrack,
    ChcMdtMember,
    ChcRecommendation,
    ChcReview,
    Outcome,
    Profession,
)
from joinedup.funding.rules.chc import dst_evaluate
from joinedup.funding.services.chc.common import (
    FAST_TRACK_PROFESSIONS,
    FIRST_REVIEW_MONTHS,
    TEXT_MAX,
    add_months,
    case_get_for_write,
    case_locked,
    errors_raise,
    mdt_composition_check,
    not_future,
    open_for_write,
    outcome_share,
    refuse,
    task_finish,
    text_clean,
)
from joinedup.funding.services.chc.referral import (
    case_create,
    icb_choose,
)
from joinedup.funding.services.chc.reviews import (
    review_schedule,
)
from joinedup.governance.access import Actor
from joinedup.governance.models import (
    CLINICAL_ROLES,
    Organisation,
    User,
)

# --- Decision Support Tool ----------------------------------------------------


@dataclass(frozen=True)
class MdtMemberIn:
    name: str
    profession: str
    organisation_name: str = ""


def _order_error(case: ChcCase, step: str) -> InvalidInput:
    missing = {
        CaseStatus.CHECKLIST: "record a positive Checklist first",
        CaseStatus.ASSESSMENT: "record the Decision Support Tool first",
        CaseStatus.RECOMMENDATION: "record the MDT's recommendation first",
    }
    problem = missing.get(case.status)  # type: ignore[call-overload]
    if problem is None:
        return InvalidInput.for_field(
            step, f"the case is {case.get_status_display().lower()}"
        )
    return InvalidInput.for_field(step, problem)


def dst_record(
    *,
    actor: Actor,
    case_id: int,
    levels: Mapping[str, str],
    evidence: Mapping[str, str],
    members: list[MdtMemberIn],
    nature: str,
    intensity: str,
    complexity: str,
    unpredictability: str,
    completed_on: dt.date | None,
) -> ChcDst:
    """The Decision Support Tool: a level and its evidence for each of the 12
    domains (only the levels the domain allows), the MDT, and its view of the
    four characteristics. The tool's indication is computed, never typed."""
    case = case_get_for_write(actor, case_id, "chc_dst_record", icb_only=True)
    errors: dict[str, str] = {}
    try:
        result = dst_evaluate(levels)
    except InvalidInput as exc:
        errors.update(exc.fields)
        result = None
    clean_evidence: dict[str, str] = {}
    for domain, level in levels.items():
        text = (evidence.get(domain) or "").strip()
        if len(text) > TEXT_MAX:
            errors[f"evidence.{domain}"] = f"use {TEXT_MAX} characters or fewer"
        elif not text and level != "no_needs":
            errors[f"evidence.{domain}"] = f"enter the evidence for {domain}"
        clean_evidence[domain] = text
    people: list[MdtMemberIn] = []
    for i, m in enumerate(members):
        name = (m.name or "").strip()
        if not name:
            errors[f"members.{i}.name"] = "enter the professional's name"
        if m.profession not in Profession.values:
            errors[f"members.{i}.profession"] = "choose the professional's profession"
        people.append(MdtMemberIn(name[:200], m.profession, m.organisation_name[:200]))
    if not any(k.startswith("members.") for k in errors):
        problem = mdt_composition_check(m.profession for m in people)
        if problem:
            errors["members"] = problem
    texts = {
        name: text_clean(errors, name, value, f"the MDT's view of {name}")
        for name, value in (
            ("nature", nature),
            ("intensity", intensity),
            ("complexity", complexity),
            ("unpredictability", unpredictability),
        )
    }
    not_future(errors, "completed_on", completed_on)
    with transaction.atomic():
        case = case_locked(case_id)
        if case.status != CaseStatus.ASSESSMENT:
            if case.status in (CaseStatus.CHECKLIST,):
                raise _order_error(case, "dst")
            raise Conflict(
                "The Decision Support Tool for this case is already recorded "
                "or the case is no longer open.",
                fields={"dst": case.get_status_display()},
            )
        checklist_on = case.checklist.completed_on
        if completed_on is not None and completed_on < checklist_on:
            errors["completed_on"] = "cannot be before the Checklist"
        errors_raise(errors)
        assert result is not None and completed_on is not None  # noqa: S101
        dst = ChcDst.objects.create(
            case=case,
            levels=dict(levels),
            evidence=clean_evidence,
            indication=result.indication,
            rule=result.rule,
            reasons=result.reasons,
            counts=result.counts,
            completed_on=completed_on,
            recorded_by_id=actor.user_id,
            recorded_at=timezone.now(),
            **texts,
        )
        ChcMdtMember.objects.bulk_create(
            [
                ChcMdtMember(
                    dst=dst,
                    name=m.name,
                    profession=m.profession,
                    organisation_name=m.organisation_name,
                )
                for m in people
            ]
        )
        case.status = CaseStatus.RECOMMENDATION
        case.save(update_fields=["status"])
        return dst


# --- recommendation -----------------------------------------------------------


def recommendation_record(
    *,
    actor: Actor,
    case_id: int,
    primary_health_need: bool | None,
    rationale: str,
    recommended_on: dt.date | None,
) -> ChcRecommendation:
    """The MDT's recommendation: whether the person has a primary health need
    (eligible for CHC), with its rationale. The tool proposes; the MDT
    recommends; the ICB decides."""
    case = case_get_for_write(
        actor, case_id, "chc_recommendation_record", icb_only=True
    )
    errors: dict[str, str] = {}
    if primary_health_need is None:
        errors["primary_health_need"] = (
            "choose whether the MDT found a primary health need"
        )
    rationale = text_clean(errors, "rationale", rationale, "the MDT's reasons")
    not_future(errors, "recommended_on", recommended_on)
    with transaction.atomic():
        case = case_locked(case_id)
        if case.status in (CaseStatus.CHECKLIST, CaseStatus.ASSESSMENT):
            raise _order_error(case, "recommendation")
        if case.status != CaseStatus.RECOMMENDATION:
            raise Conflict(
                "The recommendation for this case is already recorded or the "
                "case is no longer open.",
                fields={"recommendation": case.get_status_display()},
            )
        if recommended_on is not None and recommended_on < case.dst.completed_on:
            errors["recommended_on"] = "cannot be before the Decision Support Tool"
        errors_raise(errors)
        assert recommended_on is not None  # noqa: S101
        rec = ChcRecommendation.objects.create(
            case=case,
            primary_health_need=bool(primary_health_need),
            rationale=rationale,
            recommended_on=recommended_on,
            recorded_by_id=actor.user_id,
            recorded_at=timezone.now(),
        )
        case.status = CaseStatus.DECISION
        case.save(update_fields=["status"])
        return rec


# --- decision -----------------------------------------------------------------


def decision_record(
    *,
    actor: Actor,
    case_id: int,
    outcome: str,
    effective_from: dt.date | None,
    decided_on: dt.date | None,
    nhs_share_percent: int | None = None,
    decision_maker_role: str = "",
    rationale: str = "",
    breach_reason: str = "",
) -> ChcDecision:
    """The ICB's decision, recorded by its CHC nurse assessor as decision maker.
    After the 28 days a breach reason is required. The person's care packages
    move to the outcome's funding from the effective date; an eligible person's
    first review is scheduled."""
    case = case_get_for_write(actor, case_id, "chc_decision_record", icb_only=True)
    errors: dict[str, str] = {}
    share = outcome_share(errors, outcome, nhs_share_percent)
    not_future(errors, "decided_on", decided_on)
    if effective_from is None:
        errors["effective_from"] = "enter the date the decision takes effect"
    role = (decision_maker_role or "").strip()[:200]
    breach_reason = (breach_reason or "").strip()
    rationale = (rationale or "").strip()
    with transaction.atomic():
        case = case_locked(case_id)
        if case.status in (
            CaseStatus.CHECKLIST,
            CaseStatus.ASSESSMENT,
            CaseStatus.RECOMMENDATION,
        ):
            raise _order_error(case, "decision")
        if case.status != CaseStatus.DECISION:
            raise Conflict(
                "This case is already decided or closed.",
                fields={"decision": case.get_status_display()},
            )
        rec = case.recommendation
        if decided_on is not None and decided_on < rec.recommended_on:
            errors["decided_on"] = "cannot be before the MDT's recommendation"
        if effective_from is not None and effective_from < case.checklist.completed_on:
            errors["effective_from"] = "cannot be before the Checklist"
        eligible = outcome in (Outcome.CHC, Outcome.JOINT)
        if (
            outcome in Outcome.values
            and eligible != rec.primary_health_need
            and not rationale
        ):
            errors["rationale"] = (
                "the decision differs from the MDT's recommendation: record why"
            )
        if (
            decided_on is not None
            and case.due_on is not None
            and decided_on > case.due_on
            and not (breach_reason or case.breach_reason)
        ):
            errors["breach_reason"] = (
                f"the decision is after the 28 days (due {case.due_on:%d/%m/%Y}): "
                "record the reason for the delay"
            )
        errors_raise(errors)
        assert decided_on is not None and effective_from is not None  # noqa: S101
        decision = ChcDecision.objects.create(
            case=case,
            outcome=outcome,
            nhs_share_percent=share,
            effective_from=effective_from,
            decided_on=decided_on,
            decided_by_id=actor.user_id,
            decision_maker_role=role or _role_of(actor),
            rationale=rationale,
            recorded_at=timezone.now(),
        )
        case.status = CaseStatus.DECIDED
        case.decided_on = decided_on
        if breach_reason:
            case.breach_reason = breach_reason
        case.save(update_fields=["status", "decided_on", "breach_reason"])
        _after_decision(actor, case, decision)
        return decision


def _role_of(actor: Actor) -> str:
    title = User.objects.filter(pk=actor.user_id).values_list("job_title", flat=True)
    return (title.first() or "") or actor.role_label


def _after_decision(actor: Actor, case: ChcCase, decision: ChcDecision) -> None:
    from joinedup.funding.services.chc.funding import (
        OUTCOME_FUNDER,
        package_funding_move,
    )

    task_finish(case.task_id, actor=actor, outcome=decision.get_outcome_display())
    package_funding_move(
        actor=actor,
        person_id=case.person_id,
        funder=OUTCOME_FUNDER[decision.outcome],  # type: ignore[index]
        nhs_share_percent=decision.nhs_share_percent,
        effective_from=decision.effective_from,
        reason=f"CHC decision: {decision.get_outcome_display()}",
        source_ref=f"chc_case:{case.pk}",
    )
    if decision.outcome != Outcome.SOCIAL_CARE:
        review_schedule(
            actor=actor,
            case=case,
            due_on=add_months(decision.effective_from, FIRST_REVIEW_MONTHS),
        )


# --- Fast Track ---------------------------------------------------------------


def fast_track_record(
    *,
    actor: Actor,
    person_id: int,
    clinician_name: str,
    clinician_profession: str,
    reason: str,
    signed_on: dt.date | None,
    clinician_organisation: str = "",
    icb_id: int | None = None,
) -> ChcDecision:
    """An appropriate clinician's Fast Track form (a rapidly deteriorating
    condition that may be entering a terminal phase) replaces the Checklist and
    the DST, and the ICB acts on it at once: the person is eligible for CHC from
    the form's date. Uses the person's open case, or opens one."""
    if actor.role not in CLINICAL_ROLES:
        raise refuse(
            actor,
            person_id,
            "chc_fast_track",
            "a Fast Track is recorded by a clinician (GP, nurse, CHC nurse assessor "
            "or discharge coordinator)",
        )
    open_for_write(actor, person_id, "chc_fast_track")
    errors: dict[str, str] = {}
    name = text_clean(errors, "clinician_name", clinician_name, "the clinician's name")
    if clinician_profession not in FAST_TRACK_PROFESSIONS:
        errors["clinician_profession"] = (
            "an appropriate clinician is a registered nurse or a doctor"
        )
    reason = text_clean(errors, "reason", reason, "why the person needs a Fast Track")
    not_future(errors, "signed_on", signed_on)
    if signed_on is not None and signed_on < timezone.localdate() - dt.timedelta(
        days=14
    ):
        errors["signed_on"] = (
            "a Fast Track form is acted on at once: it is over 14 days old"
        )
    if ChcReview.objects.filter(
        case__person_id=person_id, reviewed_on__isnull=True
    ).exists():
        raise Conflict(
            "This person is already eligible for NHS continuing healthcare: "
            "their review reassesses them.",
            fields={"case": "eligible"},
        )
    icb: Organisation | None = None
    has_open = ChcCase.objects.filter(
        person_id=person_id, status__in=OPEN_CASE_STATUSES
    ).exists()
    if not has_open:  # an open case already names its ICB
        try:
            icb = icb_choose(actor, icb_id)
        except InvalidInput as exc:
            errors.update(exc.fields)
    errors_raise(errors)
    assert signed_on is not None  # noqa: S101
    with transaction.atomic():
        case = (
            ChcCase.objects.select_for_update()
            .filter(person_id=person_id, status__in=OPEN_CASE_STATUSES)
            .first()
        )
        if case is None:
            if icb is None:  # the open case was closed meanwhile
                icb = icb_choose(actor, icb_id)
            case = case_create(actor, person_id, icb)
        now = timezone.now()
        ChcFastTrack.objects.create(
            case=case,
            clinician_name=name[:200],
            clinician_profession=clinician_profession,
            clinician_organisation=clinician_organisation.strip()[:200],
            reason=reason,
            signed_on=signed_on,
            recorded_by_id=actor.user_id,
            recorded_at=now,
        )
        decision = ChcDecision.objects.create(
            case=case,
            outcome=Outcome.CHC,
            nhs_share_percent=100,
            effective_from=signed_on,
            decided_on=timezone.localdate(),
            decided_by_id=actor.user_id,
            decision_maker_role=f"{case.icb.name}: Fast Track acted on at once",
            via_fast_track=True,
            recorded_at=now,
        )
        case.status = CaseStatus.DECIDED
        case.fast_track = True
        case.decided_on = decision.decided_on
        case.save(update_fields=["status", "fast_track", "decided_on"])
        _after_decision(actor, case, decision)
        return decision
