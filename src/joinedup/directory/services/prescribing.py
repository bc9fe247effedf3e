"""Social prescribing: a link worker takes on a person (from a referral, or the
person's own request), records what matters to them, connects them to directory
services (a referral like the others when the provider is on JoinedUp: consent
check and response; otherwise signposting), records ONS4 wellbeing before and
after, and closes the case. The link worker's task is their relationship with the
person while the case is open."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

from django.db import transaction
from django.utils import timezone

from joinedup.coordination.models import (
    ConsentBasis,
    Referral,
    ReferralStatus,
    ReferralType,
    TaskSource,
    Urgency,
)
from joinedup.coordination.services import (
    referral_accept,
    referral_complete,
    referral_send,
    task_complete,
    task_create,
    task_start,
    tasks_close,
)
from joinedup.coordination.services.referrals import referral_on_receiving_side
from joinedup.directory import rules
from joinedup.directory.models import (
    CaseSource,
    CaseStatus,
    Connection,
    ConnectionStatus,
    PrescribingCase,
    ServiceStatus,
    WellbeingScore,
    WellbeingWhen,
)
from joinedup.directory.models import Service as DirectoryService
from joinedup.errors import AccessRefused, Conflict, InvalidInput, NotFound
from joinedup.governance.access import Actor, Decision, Via
from joinedup.governance.models import (
    AccessCategory,
    Membership,
    RelationshipClaim,
    Role,
)
from joinedup.governance.services import audit_record
from joinedup.people.models import Person
from joinedup.people.selectors import person_access_open

TEXT_MAX = 4000
# A self-referral's claim lasts as long as a self-claimed relationship, or until
# the case closes.
SELF_REFERRAL_CLAIM = dt.timedelta(days=30)
SOURCE_BY_ROLE: dict[str, str] = {
    Role.GP: CaseSource.GP,
    Role.SOCIAL_WORKER: CaseSource.SOCIAL_WORKER,
    Role.COMMUNITY_MATRON: CaseSource.COMMUNITY_MATRON,
}


def _link_worker(actor: Actor) -> None:
    if actor.role != Role.SOCIAL_PRESCRIBING_LINK_WORKER:
        raise AccessRefused(
            "Only a social prescribing link worker can do this.",
            fields={"role": "not a social prescribing link worker"},
        )


def _case_for_change(actor: Actor, case_id: int, action: str) -> PrescribingCase:
    _link_worker(actor)
    case = (
        PrescribingCase.objects.select_for_update(of=("self",))
        .select_related("referral")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound(
            f"case: there is no social prescribing case with id {case_id}",
            fields={"case": "no such case"},
        )
    if case.organisation_id != actor.organisation_id:
        raise AccessRefused(
            "This case belongs to another organisation's link workers.",
            fields={"case": "not your organisation's case"},
        )
    person_access_open(actor=actor, person_id=case.person_id, action=action)
    return case


def _open_only(case: PrescribingCase, doing: str) -> None:
    if not case.is_open:
        raise Conflict(
            f"This case is {case.get_status_display().lower()}: it cannot be {doing}.",
            fields={"status": case.status},
        )


def _source_of(referral: Referral) -> str:
    role = (
        Membership.objects.filter(
            user_id=referral.sent_by_id, organisation_id=referral.from_organisation_id
        )
        .values_list("role", flat=True)
        .first()
    )
    return SOURCE_BY_ROLE.get(role or "", str(CaseSource.OTHER))


def case_open_from_referral(*, actor: Actor, referral_id: int) -> PrescribingCase:
    """Take on a social prescribing referral sent to the link worker's team:
    accepts it (if still waiting), puts the link worker in the person's care team
    with the referral's task, and opens the case (SNOMED CT 871731000000106)."""
    _link_worker(actor)
    with transaction.atomic():
        referral = Referral.objects.select_for_update().filter(pk=referral_id).first()
        if referral is None:
            raise NotFound(
                f"referral: there is no referral with id {referral_id}",
                fields={"referral": "no such referral"},
            )
        if referral.referral_type != ReferralType.SOCIAL_PRESCRIBING:
            raise InvalidInput.for_field(
                "referral", "is not a referral for social prescribing"
            )
        if not referral_on_receiving_side(actor, referral):
            raise AccessRefused(
                "This referral was sent to another team.",
                fields={"referral": "not sent to your team"},
            )
        existing = PrescribingCase.objects.filter(referral=referral).first()
        if existing is not None:
            return existing
        if referral.status == ReferralStatus.SENT:
            referral_accept(
                actor=actor, referral_id=referral.pk, assign_user_id=actor.user_id
            )
        elif referral.status != ReferralStatus.ACCEPTED:
            raise Conflict(
                f"This referral is already {referral.get_status_display().lower()}.",
                fields={"status": referral.status},
            )
        person_access_open(
            actor=actor, person_id=referral.person_id, action="sp_case_open"
        )
        return PrescribingCase.objects.create(
            person_id=referral.person_id,
            organisation_id=actor.organisation_id,
            team_id=referral.to_team_id,
            source=_source_of(referral),
            referral=referral,
            task_id=referral.task_id,
            snomed_code=rules.SNOMED_REFERRAL,
            opened_at=timezone.now(),
            opened_by_id=actor.user_id,
        )


def case_open_self_referral(*, actor: Actor, person_id: int) -> PrescribingCase:
    """The person asked the link worker for help themselves: a task for the link
    worker's team (their relationship from now on) and the case. Nobody else
    vouches for this relationship, so it is recorded as a self-claimed one and
    lands on the IG lead's review list; the claim ends when the case closes."""
    _link_worker(actor)
    if not Person.objects.filter(pk=person_id, merged_into__isnull=True).exists():
        raise NotFound(
            f"person: there is no person with id {person_id}",
            fields={"person": "no such person"},
        )
    with transaction.atomic():
        now = timezone.now()
        claim = RelationshipClaim.objects.create(
            user_id=actor.user_id,
            role=actor.role,
            organisation_id=actor.organisation_id,
            person_id=person_id,
            reason="Self-referral to social prescribing recorded by the link worker",
            claimed_at=now,
            expires_at=now + SELF_REFERRAL_CLAIM,
        )
        audit_record(
            actor=actor,
            person_id=person_id,
            action="sp_self_referral_claim",
            category=AccessCategory.DEMOGRAPHICS,
            decision=Decision(
                True, "self-referral: self-claimed relationship", Via.SELF_CLAIMED
            ),
        )
        task = task_create(
            actor=actor,
            person_id=person_id,
            title="Social prescribing: self-referral",
            source=TaskSource.SOCIAL_PRESCRIBING,
            assignee_team_id=actor.team_id,
            assignee_organisation_id=actor.organisation_id,
            check_access=False,
        )
        task_start(actor=actor, task_id=task.pk)
        case = PrescribingCase.objects.create(
            person_id=person_id,
            organisation_id=actor.organisation_id,
            team_id=actor.team_id,
            source=CaseSource.SELF_REFERRAL,
            task=task,
            claim=claim,
            snomed_code=rules.SNOMED_REFERRAL,
            opened_at=now,
            opened_by_id=actor.user_id,
        )
        task.source_ref = str(case.pk)
        task.save(update_fields=["source_ref"])
        # The task now gives the relationship; this opening is audited.
        person_access_open(actor=actor, person_id=person_id, action="sp_self_referral")
    return case


def what_matters_record(*, actor: Actor, case_id: int, text: str) -> PrescribingCase:
    """The "what matters to me" conversation, in the person's words."""
    text = (text or "").strip()
    if not text:
        raise InvalidInput.for_field(
            "what_matters", "write down what matters to the person"
        )
    if len(text) > TEXT_MAX:
        raise InvalidInput.for_field(
            "what_matters", f"must be {TEXT_MAX} characters or fewer"
        )
    with transaction.atomic():
        case = _case_for_change(actor, case_id, "sp_what_matters")
        _open_only(case, "changed")
        case.what_matters = text
        case.what_matters_at = timezone.now()
        case.what_matters_by_id = actor.user_id
        case.save(update_fields=["what_matters", "what_matters_at", "what_matters_by"])
    return case


def wellbeing_record(
    *, actor: Actor, case_id: int, when: str, scores: Mapping[str, object]
) -> WellbeingScore:
    """ONS4 scores before (once, at the start) or after (once, after before)."""
    if when not in WellbeingWhen.values:
        raise InvalidInput.for_field("when", "choose before or after")
    parsed = rules.ons4_parse(scores)
    with transaction.atomic():
        case = _case_for_change(actor, case_id, "sp_wellbeing")
        _open_only(case, "changed")
        have = set(case.wellbeing.values_list("when", flat=True))
        if when in have:
            raise Conflict(
                f"The wellbeing scores {when} are already recorded.",
                fields={"when": "already recorded"},
            )
        if when == WellbeingWhen.AFTER and WellbeingWhen.BEFORE not in have:
            raise InvalidInput.for_field(
                "when", "record the scores before first, then after"
            )
        return WellbeingScore.objects.create(
            case=case,
            when=when,
            recorded_at=timezone.now(),
            recorded_by_id=actor.user_id,
            **parsed,
        )


def connection_send(
    *,
    actor: Actor,
    case_id: int,
    service_id: int | None,
    reason: str = "",
    consent_basis: str = "",
) -> Connection:
    """Connect the person to a directory service. When its provider is on
    JoinedUp a referral is sent (reason and basis for sharing required; a
    recorded objection stops it); otherwise the person is signposted."""
    if service_id is None:
        raise InvalidInput.for_field("service", "choose a service from the directory")
    service = (
        DirectoryService.objects.select_related("organization")
        .filter(pk=service_id)
        .first()
    )
    if service is None:
        raise InvalidInput.for_field("service", "no such service in the directory")
    if service.status != ServiceStatus.ACTIVE:
        raise InvalidInput.for_field(
            "service", f"is {service.get_status_display().lower()}"
        )
    provider = service.organization.organisation_id
    with transaction.atomic():
        case = _case_for_change(actor, case_id, "sp_connect")
        _open_only(case, "changed")
        if Connection.objects.filter(case=case, service=service).exists():
            raise Conflict(
                "The person is already connected to this service.",
                fields={"service": "already connected"},
            )
        person = case.person
        age = person.age_on(timezone.localdate())
        if not rules.age_eligible(age, service.minimum_age, service.maximum_age):
            raise InvalidInput.for_field(
                "service", "the person's age is outside the service's eligibility"
            )
        referral = None
        if provider is not None and provider != actor.organisation_id:
            if consent_basis not in ConsentBasis.values:
                raise InvalidInput.for_field(
                    "consent_basis", "record the basis for sharing with the provider"
                )
            referral = referral_send(
                actor=actor,
                person_id=case.person_id,
                referral_type=ReferralType.COMMUNITY_SERVICE,
                urgency=Urgency.ROUTINE,
                reason=reason.strip() or f"Social prescribing: {service.name}",
                consent_basis=consent_basis,
                to_organisation_id=provider,
            )
        return Connection.objects.create(
            case=case,
            service=service,
            referral=referral,
            connected_at=timezone.now(),
            connected_by_id=actor.user_id,
        )


def connection_outcome(*, actor: Actor, connection_id: int, status: str) -> Connection:
    """Whether the person took up the service."""
    if status not in (ConnectionStatus.TOOK_UP, ConnectionStatus.DID_NOT_TAKE_UP):
        raise InvalidInput.for_field(
            "status", "choose whether the person took up the service"
        )
    connection = Connection.objects.filter(pk=connection_id).first()
    if connection is None:
        raise NotFound(
            "connection: no such connection", fields={"connection": "no such one"}
        )
    with transaction.atomic():
        case = _case_for_change(actor, connection.case_id, "sp_connection_outcome")
        _open_only(case, "changed")
        connection.status = status
        connection.outcome_at = timezone.now()
        connection.save(update_fields=["status", "outcome_at"])
    return connection


def _finish(actor: Actor, case: PrescribingCase, *, outcome: str) -> None:
    if case.claim_id is not None:
        claim = RelationshipClaim.objects.filter(pk=case.claim_id).first()
        now = timezone.now()
        if claim is not None and claim.expires_at > now:
            claim.expires_at = now  # saved through the ORM: the register follows
            claim.save(update_fields=["expires_at"])
    referral = case.referral
    if referral is not None and referral.status == ReferralStatus.ACCEPTED:
        referral_complete(actor=actor, referral_id=referral.pk, outcome=outcome)
    elif case.task_id is not None:
        task = case.task
        if task is not None and task.is_open:
            if case.referral_id is None:
                task_complete(actor=actor, task_id=task.pk, outcome="")
            else:
                tasks_close(
                    type(task).objects.filter(pk=task.pk),
                    status="completed",
                    outcome="",
                    closed_by_user_id=actor.user_id,
                )


def case_close(*, actor: Actor, case_id: int) -> PrescribingCase:
    """The work is done: the case closes, and with it the referral and task (the
    link worker's relationship ends)."""
    with transaction.atomic():
        case = _case_for_change(actor, case_id, "sp_case_close")
        _open_only(case, "closed")
        _finish(actor, case, outcome="Social prescribing case closed")
        case.status = CaseStatus.CLOSED
        case.closed_at = timezone.now()
        case.closed_by_id = actor.user_id
        case.save(update_fields=["status", "closed_at", "closed_by"])
    return case


def case_decline(*, actor: Actor, case_id: int) -> PrescribingCase:
    """The person does not want social prescribing (SNOMED CT 871711000000103)."""
    with transaction.atomic():
        case = _case_for_change(actor, case_id, "sp_case_decline")
        _open_only(case, "declined")
        _finish(actor, case, outcome="The person declined social prescribing")
        case.status = CaseStatus.DECLINED
        case.snomed_code = rules.SNOMED_DECLINED
        case.closed_at = timezone.now()
        case.closed_by_id = actor.user_id
        case.save(update_fields=["status", "snomed_code", "closed_at", "closed_by"])
    return case
