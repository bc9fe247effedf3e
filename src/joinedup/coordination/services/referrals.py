"""Referrals between agencies: send, accept, decline, complete, withdraw.

Sending checks the sender's relationship with the person (the access policy),
the basis for sharing and the person's recorded objections, then creates the
receiving side's task (source=referral): holding it is their legitimate
relationship until the referral is declined, completed or withdrawn."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from joinedup.coordination.models import (
    OPEN_REFERRAL_STATUSES,
    RESPONSE_STANDARDS,
    ConsentBasis,
    NotificationKind,
    Referral,
    ReferralStatus,
    ReferralType,
    TaskSource,
    Urgency,
)
from joinedup.coordination.services.notifications import notify, team_user_ids
from joinedup.coordination.services.tasks import (
    task_assign,
    task_cancel,
    task_complete,
    task_create,
    task_start,
)
from joinedup.coordination.services.team import care_team_join
from joinedup.errors import AccessRefused, Conflict, InvalidInput, NotFound
from joinedup.governance.access import Actor, Decision, facts_gather, objected
from joinedup.governance.models import (
    DIRECT_CARE_ROLES,
    AccessCategory,
    Membership,
    Organisation,
    Team,
)
from joinedup.governance.services import audit_record
from joinedup.people.selectors import person_access_open

REASON_MAX = 4000


def working_days_add(start: dt.date, days: int) -> dt.date:
    """The date `days` working days (Monday to Friday) after `start`. Bank
    holidays are not counted out (local standards say whether they should)."""
    day = start
    left = days
    while left > 0:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            left -= 1
    return day


def working_days_between(start: dt.date, end: dt.date) -> int:
    """Working days from `start` to `end` (negative when `end` is earlier)."""
    if end < start:
        return -working_days_between(end, start)
    days = 0
    day = start
    while day < end:
        day += dt.timedelta(days=1)
        if day.weekday() < 5:
            days += 1
    return days


def respond_by(*, referral_type: str, urgency: str, sent_on: dt.date) -> dt.date:
    standard = RESPONSE_STANDARDS[referral_type]
    days = standard.urgent if urgency == Urgency.URGENT else standard.routine
    return working_days_add(sent_on, days)


def _receiver(
    actor: Actor, to_organisation_id: int | None, to_team_id: int | None
) -> tuple[Organisation, Team | None]:
    if to_team_id is not None:
        team = Team.objects.select_related("organisation").filter(pk=to_team_id).first()
        if team is None:
            raise InvalidInput.for_field("to_team", "no such team")
        if (
            to_organisation_id is not None
            and to_organisation_id != team.organisation_id
        ):
            raise InvalidInput.for_field(
                "to_team", "is not part of the organisation chosen"
            )
        organisation = team.organisation
    else:
        team = None
        if to_organisation_id is None:
            raise InvalidInput.for_field(
                "to_organisation", "choose the organisation to refer to"
            )
        found = Organisation.objects.filter(pk=to_organisation_id).first()
        if found is None:
            raise InvalidInput.for_field("to_organisation", "no such organisation")
        organisation = found
    own_team = team is not None and team.pk == actor.team_id
    own_organisation = team is None and organisation.pk == actor.organisation_id
    if own_team or own_organisation:
        raise InvalidInput.for_field(
            "to_team" if own_team else "to_organisation",
            "is your own team: refer to another team or organisation",
        )
    return organisation, team


def referral_send(
    *,
    actor: Actor,
    person_id: int,
    referral_type: str,
    urgency: str,
    reason: str,
    consent_basis: str,
    to_organisation_id: int | None = None,
    to_team_id: int | None = None,
) -> Referral:
    """Send a referral. Refused (with nothing written) without a reason or a
    basis for sharing, to the sender's own team, or when the person has
    objected to sharing this kind of information with the receiving
    organisation."""
    if referral_type not in ReferralType.values:
        raise InvalidInput.for_field("referral_type", "choose the kind of referral")
    if urgency not in Urgency.values:
        raise InvalidInput.for_field("urgency", "choose urgent or routine")
    reason = reason.strip()
    if not reason:
        raise InvalidInput.for_field(
            "reason", "say why you are referring and what you are asking for"
        )
    if len(reason) > REASON_MAX:
        raise InvalidInput.for_field(
            "reason", f"must be {REASON_MAX} characters or fewer"
        )
    if consent_basis not in ConsentBasis.values:
        raise InvalidInput.for_field(
            "consent_basis",
            "record the basis for sharing: the person's consent, their best "
            "interests or a legal duty",
        )
    organisation, team = _receiver(actor, to_organisation_id, to_team_id)
    # Opened (and audited, refused or not) before anything is written.
    access = person_access_open(
        actor=actor, person_id=person_id, action="referral_send"
    )
    category = RESPONSE_STANDARDS[referral_type].category
    facts = facts_gather(actor, access.person)
    if objected(facts, category, organisation.pk):
        raise AccessRefused(
            f"The person has objected to sharing their "
            f"{AccessCategory(category).label.lower()} information with "
            f"{organisation.name}. The referral was not sent: talk to the "
            "person, or to your information governance lead if there is a "
            "legal duty to share.",
            fields={"to_organisation": "the person objects to sharing with it"},
        )
    with transaction.atomic():
        now = timezone.now()
        referral = Referral.objects.create(
            person_id=person_id,
            referral_type=referral_type,
            urgency=urgency,
            reason=reason,
            consent_basis=consent_basis,
            from_organisation_id=actor.organisation_id,
            from_team_id=actor.team_id,
            sent_by_id=actor.user_id,
            sent_at=now,
            to_organisation=organisation,
            to_team=team,
            respond_by=respond_by(
                referral_type=referral_type,
                urgency=urgency,
                sent_on=timezone.localdate(now),
            ),
        )
        task = task_create(
            actor=actor,
            person_id=person_id,
            title=f"Respond to referral: {ReferralType(referral_type).label}",
            source=TaskSource.REFERRAL,
            source_ref=str(referral.pk),
            assignee_team_id=team.pk if team else None,
            assignee_organisation_id=organisation.pk,
            due_on=referral.respond_by,
            check_access=False,
        )
        referral.task = task
        referral.save(update_fields=["task"])
        notify(
            user_ids=[
                u
                for u in team_user_ids(
                    team_id=team.pk if team else None, organisation_id=organisation.pk
                )
                if u != actor.user_id
            ],
            kind=NotificationKind.REFERRAL_NEW,
            person_id=person_id,
            title=f"New referral: {ReferralType(referral_type).label.lower()}",
            url=reverse("referral_detail", args=[referral.pk]),
        )
    return referral


def referral_on_receiving_side(actor: Actor, referral: Referral) -> bool:
    """The actor works in direct care in the receiving team (or organisation,
    when the referral names no team)."""
    if actor.role not in DIRECT_CARE_ROLES:
        return False
    if actor.organisation_id != referral.to_organisation_id:
        return False
    if referral.to_team_id is None:
        return True
    if actor.team_id == referral.to_team_id:
        return True
    return Membership.objects.filter(
        user_id=actor.user_id,
        team_id=referral.to_team_id,
        active=True,
        role__in=DIRECT_CARE_ROLES,
    ).exists()


def referral_on_sending_side(actor: Actor, referral: Referral) -> bool:
    if actor.user_id == referral.sent_by_id:
        return True
    if actor.organisation_id != referral.from_organisation_id:
        return False
    return referral.from_team_id is not None and actor.team_id == referral.from_team_id


def _referral_for_change(
    actor: Actor, referral_id: int, action: str, *, side: str
) -> Referral:
    referral = Referral.objects.select_for_update().filter(pk=referral_id).first()
    if referral is None:
        raise NotFound(
            f"referral: there is no referral with id {referral_id}",
            fields={"referral": "no such referral"},
        )
    allowed = (
        referral_on_receiving_side(actor, referral)
        if side == "receiver"
        else referral_on_sending_side(actor, referral)
    )
    if not allowed:
        audit_record(
            actor=actor,
            person_id=referral.person_id,
            action=action,
            category=AccessCategory.DEMOGRAPHICS,
            decision=Decision(False, f"not on the referral's {side} side"),
        )
        who = "receiving team" if side == "receiver" else "sender"
        raise AccessRefused(
            f"Only the {who} can do this to the referral.",
            fields={"referral": f"you are not the {who}"},
        )
    return referral


def _audit(actor: Actor, referral: Referral, action: str, reason: str) -> None:
    audit_record(
        actor=actor,
        person_id=referral.person_id,
        action=action,
        category=AccessCategory.DEMOGRAPHICS,
        decision=Decision(True, reason, "open_task"),
    )


def _tell_sender(actor: Actor, referral: Referral, what: str) -> None:
    notify(
        user_ids=[referral.sent_by_id] if referral.sent_by_id != actor.user_id else [],
        kind=NotificationKind.REFERRAL_UPDATE,
        person_id=referral.person_id,
        title=f"Referral {what}: {referral.get_referral_type_display().lower()}",
        url=reverse("referral_detail", args=[referral.pk]),
    )


def _conflict_unless(referral: Referral, *statuses: str, doing: str) -> None:
    if referral.status not in statuses:
        raise Conflict(
            f"This referral cannot be {doing}: it is already "
            f"{referral.get_status_display().lower()}.",
            fields={"status": referral.status},
        )


def referral_accept(
    *, actor: Actor, referral_id: int, assign_user_id: int | None = None
) -> Referral:
    """The receiving side accepts; naming a professional (of the receiving team)
    puts them in the person's care team and gives them the task."""
    with transaction.atomic():
        referral = _referral_for_change(
            actor, referral_id, "referral_accept", side="receiver"
        )
        _conflict_unless(referral, ReferralStatus.SENT, doing="accepted")
        if assign_user_id is not None:
            members = Membership.objects.filter(
                user_id=assign_user_id,
                organisation_id=referral.to_organisation_id,
                active=True,
                role__in=DIRECT_CARE_ROLES,
            )
            if referral.to_team_id is not None:
                members = members.filter(team_id=referral.to_team_id)
            if not members.exists():
                raise InvalidInput.for_field(
                    "assign_user", "is not a professional in the receiving team"
                )
            care_team_join(
                actor=actor,
                person_id=referral.person_id,
                user_id=assign_user_id,
                organisation_id=referral.to_organisation_id,
                reason="accepted a referral",
            )
        now = timezone.now()
        referral.status = ReferralStatus.ACCEPTED
        referral.responded_at = now
        referral.responded_by_id = actor.user_id
        referral.assigned_user_id = assign_user_id
        referral.save(
            update_fields=["status", "responded_at", "responded_by", "assigned_user"]
        )
        if referral.task_id is not None:
            task_start(actor=actor, task_id=referral.task_id)
            if assign_user_id is not None:
                task_assign(
                    actor=actor,
                    task_id=referral.task_id,
                    assignee_user_id=assign_user_id,
                    assignee_team_id=referral.to_team_id,
                    assignee_organisation_id=referral.to_organisation_id,
                )
        _audit(actor, referral, "referral_accept", "referral accepted")
        _tell_sender(actor, referral, "accepted")
    return referral


def referral_decline(*, actor: Actor, referral_id: int, reason: str) -> Referral:
    reason = reason.strip()
    if not reason:
        raise InvalidInput.for_field(
            "decline_reason", "say why the referral is declined, so the sender can act"
        )
    with transaction.atomic():
        referral = _referral_for_change(
            actor, referral_id, "referral_decline", side="receiver"
        )
        _conflict_unless(referral, ReferralStatus.SENT, doing="declined")
        referral.status = ReferralStatus.DECLINED
        referral.responded_at = referral.closed_at = timezone.now()
        referral.responded_by_id = referral.closed_by_id = actor.user_id
        referral.decline_reason = reason
        referral.save(
            update_fields=[
                "status",
                "responded_at",
                "responded_by",
                "closed_at",
                "closed_by",
                "decline_reason",
            ]
        )
        if referral.task_id is not None:
            task_cancel(
                actor=actor, task_id=referral.task_id, reason="referral declined"
            )
        _audit(actor, referral, "referral_decline", "referral declined")
        _tell_sender(actor, referral, "declined")
    return referral


def referral_complete(*, actor: Actor, referral_id: int, outcome: str = "") -> Referral:
    with transaction.atomic():
        referral = _referral_for_change(
            actor, referral_id, "referral_complete", side="receiver"
        )
        _conflict_unless(referral, ReferralStatus.ACCEPTED, doing="completed")
        referral.status = ReferralStatus.COMPLETED
        referral.closed_at = timezone.now()
        referral.closed_by_id = actor.user_id
        referral.outcome = outcome.strip()
        referral.save(update_fields=["status", "closed_at", "closed_by", "outcome"])
        if referral.task_id is not None:
            task_complete(actor=actor, task_id=referral.task_id, outcome="")
        _audit(actor, referral, "referral_complete", "referral completed")
        _tell_sender(actor, referral, "completed")
    return referral


def referral_withdraw(*, actor: Actor, referral_id: int, reason: str) -> Referral:
    """The sender withdraws a referral no longer needed."""
    reason = reason.strip()
    if not reason:
        raise InvalidInput.for_field("reason", "say why the referral is withdrawn")
    with transaction.atomic():
        referral = _referral_for_change(
            actor, referral_id, "referral_withdraw", side="sender"
        )
        _conflict_unless(referral, *OPEN_REFERRAL_STATUSES, doing="withdrawn")
        referral.status = ReferralStatus.WITHDRAWN
        referral.closed_at = timezone.now()
        referral.closed_by_id = actor.user_id
        referral.outcome = reason
        referral.save(update_fields=["status", "closed_at", "closed_by", "outcome"])
        if referral.task_id is not None:
            # The sender created the task, so may cancel it.
            task_cancel(
                actor=actor, task_id=referral.task_id, reason="referral withdrawn"
            )
        _audit(actor, referral, "referral_withdraw", "referral withdrawn")
        holder = referral.assigned_user_id
        notify(
            user_ids=[holder]
            if holder
            else team_user_ids(
                team_id=referral.to_team_id,
                organisation_id=referral.to_organisation_id,
            ),
            kind=NotificationKind.REFERRAL_UPDATE,
            person_id=referral.person_id,
            title="Referral withdrawn by the sender",
            url=reverse("referral_detail", args=[referral.pk]),
        )
    return referral
