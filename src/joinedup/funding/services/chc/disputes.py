"""Disputes about a CHC decision (DESIGN 4.3): the person's (local resolution,
then the independent review panel) and the ICB's and council's (the local
joint dispute procedure); interim funding so care is not delayed while a
dispute runs; and, when resolved, the retrospective reimbursement between the
partners from the care packages' costs.

Who records: the ICB's CHC nurse assessors record every step; a social worker
at the council records the council's side of an ICB-council dispute (raising
it, and interim funding). An open dispute holds a task for the ICB, so its CHC
nurses keep their relationship with the person until it is resolved."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from joinedup.coordination.models import TaskSource
from joinedup.coordination.services import task_create
from joinedup.errors import Conflict, InvalidInput, NotFound
from joinedup.funding.models.chc import (
    DISPUTE_STAGES,
    CaseStatus,
    ChcCase,
    ChcDispute,
    ChcDisputeStage,
    ChcInterimFunding,
    ChcReview,
    DisputeKind,
    DisputeResult,
    Outcome,
    Payer,
)
from joinedup.funding.services.chc.common import (
    FIRST_REVIEW_MONTHS,
    add_months,
    errors_raise,
    is_icb_assessor,
    not_future,
    open_for_write,
    outcome_share,
    refuse,
    task_finish,
    text_clean,
)
from joinedup.funding.services.chc.funding import (
    OUTCOME_FUNDER,
    PAYER_FUNDER,
    package_funding_move,
    person_costs,
)
from joinedup.funding.services.chc.reviews import review_schedule
from joinedup.governance.access import Actor
from joinedup.governance.models import Organisation, OrganisationType, Role

COUNCIL_TYPES = (
    OrganisationType.COUNCIL_ADULT_SOCIAL_CARE,
    OrganisationType.COUNCIL_CHILDRENS_SERVICES,
)


def _may_record(actor: Actor, case: ChcCase, council_id: int | None) -> bool:
    if is_icb_assessor(actor, case):
        return True
    return (
        actor.role == Role.SOCIAL_WORKER
        and council_id is not None
        and actor.organisation_id == council_id
    )


def _dispute_for_write(
    actor: Actor, dispute_id: int, action: str, *, council_may: bool
) -> ChcDispute:
    dispute = ChcDispute.objects.select_related("case").filter(pk=dispute_id).first()
    if dispute is None:
        raise NotFound(
            f"dispute: there is no CHC dispute with id {dispute_id}",
            fields={"dispute": "no such dispute"},
        )
    council = (
        dispute.council_id
        if council_may and dispute.kind == DisputeKind.INTERAGENCY
        else None
    )
    if not _may_record(actor, dispute.case, council):
        raise refuse(
            actor,
            dispute.case.person_id,
            action,
            "only the ICB's CHC nurse assessors (or, for its side of an ICB-council "
            "dispute, the council's social workers) record this",
        )
    open_for_write(actor, dispute.case.person_id, action)
    return dispute


def dispute_raise(
    *,
    actor: Actor,
    case_id: int,
    kind: str,
    raised_on: dt.date | None,
    grounds: str,
    council_id: int | None = None,
) -> ChcDispute:
    """Raise a dispute about the case's decision: the person's starts at local
    resolution; the ICB's and council's at the local joint dispute procedure."""
    case = ChcCase.objects.filter(pk=case_id).first()
    if case is None:
        raise NotFound(
            f"case: there is no CHC case with id {case_id}",
            fields={"case": "no such case"},
        )
    if council_id is None and actor.role == Role.SOCIAL_WORKER:
        council_id = actor.organisation_id
    if not _may_record(
        actor, case, council_id if kind == DisputeKind.INTERAGENCY else None
    ):
        raise refuse(
            actor,
            case.person_id,
            "chc_dispute_raise",
            "a dispute is recorded by the ICB's CHC nurse assessors, or by the "
            "council's social workers for an ICB-council dispute",
        )
    open_for_write(actor, case.person_id, "chc_dispute_raise")
    errors: dict[str, str] = {}
    if kind not in DisputeKind.values:
        errors["kind"] = "choose who disputes the decision"
    council = (
        Organisation.objects.filter(pk=council_id, type__in=COUNCIL_TYPES).first()
        if council_id is not None
        else None
    )
    if council is None:
        errors["council"] = "choose the council"
    not_future(errors, "raised_on", raised_on)
    grounds = text_clean(errors, "grounds", grounds, "the grounds of the dispute")
    with transaction.atomic():
        case = ChcCase.objects.select_for_update().get(pk=case_id)
        if case.status != CaseStatus.DECIDED:
            raise InvalidInput.for_field(
                "case", "a dispute is about a decision: the case is not decided yet"
            )
        if raised_on is not None and case.decided_on and raised_on < case.decided_on:
            errors["raised_on"] = "cannot be before the decision"
        errors_raise(errors)
        if case.disputes.filter(resolved_on__isnull=True).exists():
            raise Conflict(
                "This decision already has an open dispute.",
                fields={"dispute": "already open"},
            )
        assert raised_on is not None and council is not None  # noqa: S101
        dispute = ChcDispute.objects.create(
            case=case,
            kind=kind,
            council=council,
            raised_on=raised_on,
            grounds=grounds,
            raised_by_id=actor.user_id,
            recorded_at=timezone.now(),
        )
        ChcDisputeStage.objects.create(
            dispute=dispute,
            stage=DISPUTE_STAGES[kind][0],  # type: ignore[index]
            started_on=raised_on,
            recorded_by_id=actor.user_id,
        )
        dispute.task = task_create(
            actor=actor,
            person_id=case.person_id,
            title="NHS continuing healthcare dispute",
            source=TaskSource.REFERRAL,
            source_ref=f"chc_dispute:{dispute.pk}",
            assignee_organisation_id=case.icb_id,
            check_access=False,
        )
        dispute.save(update_fields=["task"])
        return dispute


def dispute_escalate(
    *, actor: Actor, dispute_id: int, on: dt.date | None, stage_outcome: str
) -> ChcDisputeStage:
    """End the current stage with its outcome and start the next (local
    resolution -> independent review panel)."""
    _dispute_for_write(actor, dispute_id, "chc_dispute_escalate", council_may=False)
    errors: dict[str, str] = {}
    not_future(errors, "on", on)
    stage_outcome = text_clean(
        errors, "stage_outcome", stage_outcome, "the stage's outcome"
    )
    with transaction.atomic():
        dispute = ChcDispute.objects.select_for_update().get(pk=dispute_id)
        if not dispute.is_open:
            raise Conflict("This dispute is resolved.", fields={"dispute": "resolved"})
        current = dispute.current_stage
        assert current is not None  # noqa: S101 - made with the dispute
        stages = DISPUTE_STAGES[dispute.kind]  # type: ignore[index]
        i = stages.index(current.stage)
        if i + 1 >= len(stages):
            raise InvalidInput.for_field(
                "stage",
                f"{current.get_stage_display()} is the last stage: resolve the dispute",
            )
        if on is not None and on < current.started_on:
            errors["on"] = "cannot be before the current stage started"
        errors_raise(errors)
        assert on is not None  # noqa: S101
        current.ended_on = on
        current.outcome = stage_outcome
        current.save(update_fields=["ended_on", "outcome"])
        return ChcDisputeStage.objects.create(
            dispute=dispute,
            stage=stages[i + 1],
            started_on=on,
            recorded_by_id=actor.user_id,
        )


def _payer_share(errors: dict[str, str], payer: str, share: int | None) -> int:
    if payer == Payer.NHS:
        return 100
    if payer == Payer.COUNCIL:
        return 0
    if payer == Payer.SHARED:
        if share is None or not 1 <= share <= 99:
            errors["nhs_share_percent"] = (
                "a shared interim's NHS share is 1 to 99 per cent"
            )
            return 0
        return share
    errors["payer"] = "choose who pays while the dispute runs"
    return 0


def interim_funding_set(
    *,
    actor: Actor,
    dispute_id: int,
    payer: str,
    from_date: dt.date | None,
    nhs_share_percent: int | None = None,
) -> ChcInterimFunding:
    """Who pays while the dispute runs, from what date, so care is not delayed:
    the person's packages move to that funding from the date."""
    dispute = _dispute_for_write(
        actor, dispute_id, "chc_interim_funding", council_may=True
    )
    errors: dict[str, str] = {}
    share = _payer_share(errors, payer, nhs_share_percent)
    if from_date is None:
        errors["from_date"] = "enter the date interim funding starts"
    elif from_date < dispute.case.decision.effective_from:
        errors["from_date"] = "cannot be before the decision took effect"
    elif from_date > timezone.localdate() + dt.timedelta(days=90):
        errors["from_date"] = "is more than 90 days ahead"
    errors_raise(errors)
    assert from_date is not None  # noqa: S101
    with transaction.atomic():
        dispute = ChcDispute.objects.select_for_update().get(pk=dispute_id)
        if not dispute.is_open:
            raise Conflict("This dispute is resolved.", fields={"dispute": "resolved"})
        if ChcInterimFunding.objects.filter(dispute=dispute).exists():
            raise Conflict(
                "Interim funding is already agreed for this dispute.",
                fields={"payer": "already agreed"},
            )
        interim = ChcInterimFunding.objects.create(
            dispute=dispute,
            payer=payer,
            nhs_share_percent=share,
            from_date=from_date,
            recorded_by_id=actor.user_id,
            recorded_at=timezone.now(),
        )
        package_funding_move(
            actor=actor,
            person_id=dispute.case.person_id,
            funder=PAYER_FUNDER[payer],  # type: ignore[index]
            nhs_share_percent=share,
            effective_from=from_date,
            reason=f"CHC dispute interim funding: {interim.get_payer_display()}",
            source_ref=f"chc_dispute:{dispute.pk}",
        )
        return interim


def dispute_resolve(
    *,
    actor: Actor,
    dispute_id: int,
    resolved_on: dt.date | None,
    result: str,
    stage_outcome: str,
    final_outcome: str = "",
    final_nhs_share_percent: int | None = None,
    final_effective_from: dt.date | None = None,
) -> ChcDispute:
    """Resolve a dispute. Upheld or withdrawn: the decision stands. Changed:
    the new outcome applies from its effective date. With interim funding, the
    packages move to the final funding and the reimbursement is what the NHS
    should have paid over the interim period less what it paid (positive: the
    NHS pays the council back; negative: the council pays the NHS back)."""
    dispute = _dispute_for_write(
        actor, dispute_id, "chc_dispute_resolve", council_may=False
    )
    decision = dispute.case.decision
    errors: dict[str, str] = {}
    not_future(errors, "resolved_on", resolved_on)
    if resolved_on is not None and resolved_on < dispute.raised_on:
        errors["resolved_on"] = "cannot be before the dispute was raised"
    stage_outcome = text_clean(
        errors, "stage_outcome", stage_outcome, "how it was resolved"
    )
    if result not in DisputeResult.values:
        errors["result"] = "choose the result"
    share = decision.nhs_share_percent
    outcome = decision.outcome
    effective = decision.effective_from
    if result == DisputeResult.CHANGED:
        share = outcome_share(
            errors, final_outcome, final_nhs_share_percent, prefix="final_"
        )
        outcome = final_outcome
        if final_effective_from is None:
            errors["final_effective_from"] = (
                "enter the date the new outcome takes effect"
            )
        elif final_effective_from < decision.effective_from:
            errors["final_effective_from"] = "cannot be before the original decision"
        else:
            effective = final_effective_from
        if (
            not errors.get("final_outcome")
            and outcome == decision.outcome
            and share == decision.nhs_share_percent
        ):
            errors["final_outcome"] = "is the same as the decision: choose upheld"
    errors_raise(errors)
    assert resolved_on is not None  # noqa: S101
    with transaction.atomic():
        dispute = (
            ChcDispute.objects.select_for_update()
            .select_related("case")
            .get(pk=dispute_id)
        )
        if not dispute.is_open:
            raise Conflict("This dispute is resolved.", fields={"dispute": "resolved"})
        current = dispute.current_stage
        if current is not None:
            current.ended_on = resolved_on
            current.outcome = stage_outcome
            current.save(update_fields=["ended_on", "outcome"])
        interim = ChcInterimFunding.objects.filter(dispute=dispute).first()
        if interim is not None and resolved_on < interim.from_date:
            raise InvalidInput.for_field(
                "resolved_on", "cannot be before interim funding started"
            )
        detail: dict[str, str] = {}
        amount: Decimal | None = None
        payer = ""
        person_id = dispute.case.person_id
        ref = f"chc_dispute:{dispute.pk}"
        if interim is not None:
            paid = person_costs(
                person_id=person_id, start=interim.from_date, end=resolved_on
            )
            if effective > interim.from_date:
                # The decision stood until the new outcome's date.
                package_funding_move(
                    actor=actor,
                    person_id=person_id,
                    funder=OUTCOME_FUNDER[decision.outcome],  # type: ignore[index]
                    nhs_share_percent=decision.nhs_share_percent,
                    effective_from=interim.from_date,
                    reason="CHC dispute resolved: decision stood until the new outcome",
                    source_ref=ref,
                )
            package_funding_move(
                actor=actor,
                person_id=person_id,
                funder=OUTCOME_FUNDER[outcome],  # type: ignore[index]
                nhs_share_percent=share,
                effective_from=effective,
                reason=f"CHC dispute resolved: {DisputeResult(result).label.lower()}",
                source_ref=ref,
            )
            owed = person_costs(
                person_id=person_id, start=interim.from_date, end=resolved_on
            )
            amount = owed["nhs"] - paid["nhs"]
            payer = Payer.NHS if amount > 0 else Payer.COUNCIL if amount < 0 else ""
            detail = {
                "period_start": interim.from_date.isoformat(),
                "period_end": resolved_on.isoformat(),
                "nhs_paid": str(paid["nhs"]),
                "nhs_owed": str(owed["nhs"]),
                "council_paid": str(paid["council"]),
                "council_owed": str(owed["council"]),
                "person_paid": str(paid["person"]),
                "person_owed": str(owed["person"]),
                "total": str(owed["total"]),
            }
            amount = abs(amount)
        elif result == DisputeResult.CHANGED:
            package_funding_move(
                actor=actor,
                person_id=person_id,
                funder=OUTCOME_FUNDER[outcome],  # type: ignore[index]
                nhs_share_percent=share,
                effective_from=effective,
                reason="CHC dispute resolved: decision changed",
                source_ref=ref,
            )
        dispute.resolved_on = resolved_on
        dispute.result = result
        dispute.final_outcome = outcome
        dispute.final_nhs_share_percent = share
        dispute.final_effective_from = effective
        dispute.reimbursement_amount = amount
        dispute.reimbursement_payer = payer
        dispute.reimbursement_detail = detail
        dispute.save(
            update_fields=[
                "resolved_on",
                "result",
                "final_outcome",
                "final_nhs_share_percent",
                "final_effective_from",
                "reimbursement_amount",
                "reimbursement_payer",
                "reimbursement_detail",
            ]
        )
        task_finish(dispute.task_id, actor=actor, outcome=DisputeResult(result).label)
        if (
            outcome != Outcome.SOCIAL_CARE
            and not ChcReview.objects.filter(
                case=dispute.case, reviewed_on__isnull=True
            ).exists()
        ):
            review_schedule(
                actor=actor,
                case=dispute.case,
                due_on=add_months(effective, FIRST_REVIEW_MONTHS),
            )
        return dispute
