"""Demo NHS continuing healthcare cases for the CHC nurse assessor's dashboard:
one at each step (awaiting Checklist, in assessment, a breached case awaiting
decision), an eligible person with a review due, a joint package under an
ICB-council dispute with interim funding, and a Fast Track. Made through the
services (so the order rules, the ICB's tasks and the package funding moves
are the real ones), as the demo's discharge coordinator, social worker and CHC
nurse. Once: nothing is added when the ICB already has cases."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from django.utils import timezone

from joinedup.errors import DomainError
from joinedup.funding.models.chc import ChcCase
from joinedup.funding.rules.chc import CHECKLIST_DOMAINS, DST_DOMAINS
from joinedup.funding.services import chc as services
from joinedup.funding.services.chc import disputes
from joinedup.governance.access import Actor
from joinedup.governance.models import Membership, Role
from joinedup.governance.selectors import actor_from_membership

NURSE, COORDINATOR, SOCIAL_WORKER = (
    "chc.assessor",
    "discharge.coordinator",
    "social.worker",
)
MDT = [
    services.MdtMemberIn("Nia Evans", "nurse", "Community nursing"),
    services.MdtMemberIn("Sam Walker", "social_worker", "Adult social care"),
]


def _actor(username: str, role: str) -> Actor | None:
    m = (
        Membership.objects.filter(user__username=username, role=role, active=True)
        .order_by("pk")
        .first()
    )
    return actor_from_membership(m, channel="cli") if m else None


def _scores(positive: bool) -> dict[str, str]:
    scores = {d: "C" for d in CHECKLIST_DOMAINS}
    if positive:
        scores |= {"breathing": "A", "mobility": "B", "cognition": "B"}
    return scores


def _levels() -> dict[str, str]:
    return {d: "no_needs" for d in DST_DOMAINS} | {
        "behaviour": "high",
        "cognition": "severe",
        "mobility": "high",
        "nutrition": "moderate",
        "skin_integrity": "high",
    }


def _inpatients(organisation_id: int, limit: int) -> list[int]:
    from joinedup.discharge.models import HospitalStay

    return list(
        HospitalStay.objects.filter(
            organisation_id=organisation_id, discharged_at__isnull=True
        )
        .order_by("person__birth_date", "pk")
        .values_list("person_id", flat=True)
        .distinct()[:limit]
    )


def _caseload(user_id: int, limit: int, exclude: set[int]) -> list[int]:
    from joinedup.coordination.models import CareTeamMember

    ids = (
        CareTeamMember.objects.filter(user_id=user_id, ended_on__isnull=True)
        .order_by("pk")
        .values_list("person_id", flat=True)
    )
    return [p for p in ids if p not in exclude][:limit]


def _walk(
    nurse: Actor,
    opener: Actor,
    person_id: int,
    today: dt.date,
    *,
    opened: int,
    checklist: int | None = None,
    dst: int | None = None,
    recommended: int | None = None,
    decided: int | None = None,
    **decision: object,
) -> ChcCase:
    """Open a case `opened` days ago and take it through the steps dated
    so many days ago."""
    case = services.chc_case_open(actor=opener, person_id=person_id)
    ChcCase.objects.filter(pk=case.pk).update(
        opened_at=timezone.now() - dt.timedelta(days=opened)
    )

    def ago(n: int) -> dt.date:
        return today - dt.timedelta(days=n)

    if checklist is not None:
        services.checklist_record(
            actor=nurse,
            case_id=case.pk,
            scores=_scores(True),
            completed_on=ago(checklist),
        )
    if dst is not None:
        levels = _levels()
        services.dst_record(
            actor=nurse,
            case_id=case.pk,
            levels=levels,
            evidence={
                d: "Observed by the MDT" for d, v in levels.items() if v != "no_needs"
            },
            members=MDT,
            nature="Advanced dementia with complex physical health needs",
            intensity="Support needed day and night",
            complexity="Behaviour and skin needs interact",
            unpredictability="Falls and distress without warning",
            completed_on=ago(dst),
        )
    if recommended is not None:
        services.recommendation_record(
            actor=nurse,
            case_id=case.pk,
            primary_health_need=decision.get("outcome", "chc") in ("chc", "joint"),
            rationale="The MDT weighed the four characteristics together",
            recommended_on=ago(recommended),
        )
    if decided is not None:
        services.decision_record(
            actor=nurse,
            case_id=case.pk,
            effective_from=ago(decided),
            decided_on=ago(decided),
            decision_maker_role="CHC clinical lead for the ICB",
            **decision,  # type: ignore[arg-type]
        )
    return ChcCase.objects.get(pk=case.pk)


def chc_demo_seed(*, today: dt.date | None = None) -> str:
    """Seed the demo CHC cases (once); returns a line to show."""
    today = today or timezone.localdate()
    nurse = _actor(NURSE, Role.CHC_ASSESSOR)
    coordinator = _actor(COORDINATOR, Role.DISCHARGE_COORDINATOR)
    social_worker = _actor(SOCIAL_WORKER, Role.SOCIAL_WORKER)
    if nurse is None or coordinator is None or social_worker is None:
        return "CHC cases not seeded: the demo accounts are missing."
    if ChcCase.objects.filter(icb_id=nurse.organisation_id).exists():
        return "CHC cases already seeded."
    inpatients = _inpatients(coordinator.organisation_id, 3)
    council = _caseload(social_worker.user_id, 2, set(inpatients))
    own = _caseload(nurse.user_id, 1, set(inpatients) | set(council))
    steps: list[tuple[str, Callable[[], object]]] = []
    if len(inpatients) >= 3:
        a, b, c = inpatients
        steps += [
            (
                "awaiting Checklist",
                lambda: _walk(nurse, coordinator, a, today, opened=1),
            ),
            (
                "in assessment",
                lambda: _walk(nurse, coordinator, b, today, opened=12, checklist=10),
            ),
            (
                "breached, awaiting decision",
                lambda: _walk(
                    nurse,
                    coordinator,
                    c,
                    today,
                    opened=36,
                    checklist=34,
                    dst=20,
                    recommended=15,
                ),
            ),
        ]
    if len(council) >= 2:
        d, e = council

        def disputed() -> object:
            case = _walk(
                nurse,
                social_worker,
                e,
                today,
                opened=80,
                checklist=75,
                dst=60,
                recommended=50,
                decided=45,
                outcome="joint",
                nhs_share_percent=60,
                breach_reason="The MDT was rearranged when the family could not attend",
            )
            dispute = disputes.dispute_raise(
                actor=social_worker,
                case_id=case.pk,
                kind="interagency",
                raised_on=today - dt.timedelta(days=40),
                grounds="The council considers the needs primarily health needs",
            )
            return disputes.interim_funding_set(
                actor=social_worker,
                dispute_id=dispute.pk,
                payer="council",
                from_date=today - dt.timedelta(days=40),
            )

        steps += [
            (
                "eligible",
                lambda: _walk(
                    nurse,
                    social_worker,
                    d,
                    today,
                    opened=60,
                    checklist=55,
                    dst=40,
                    recommended=35,
                    decided=30,
                    outcome="chc",
                ),
            ),
            ("disputed", disputed),
        ]
    if own:
        steps.append(
            (
                "Fast Track",
                lambda: services.fast_track_record(
                    actor=nurse,
                    person_id=own[0],
                    clinician_name="Dr Amara Okafor",
                    clinician_profession="doctor",
                    clinician_organisation="Riverside Surgery",
                    reason="Rapidly deteriorating; may be entering a terminal phase",
                    signed_on=today - dt.timedelta(days=2),
                ),
            )
        )
    made, failed = 0, []
    for label, step in steps:
        try:
            step()
            made += 1
        except DomainError as exc:
            failed.append(f"{label} ({exc.detail})")
    line = f"CHC cases seeded: {made}."
    return line + (f" Not seeded: {'; '.join(failed)}." if failed else "")
