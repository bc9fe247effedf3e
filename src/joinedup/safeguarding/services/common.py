"""Writes every kind of case shares: members, the flag, sharing without consent,
tasks for an organisation, and the system's own audited actions."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.utils import timezone

from joinedup.coordination.models import Task, TaskSource
from joinedup.coordination.services.tasks import task_create
from joinedup.errors import AccessRefused, InvalidInput
from joinedup.governance.access import Actor, Decision
from joinedup.governance.models import (
    AccessCategory,
    Membership,
    Organisation,
    Role,
    Team,
)
from joinedup.governance.services import audit_record
from joinedup.safeguarding import rules
from joinedup.safeguarding.models import (
    CaseMember,
    FlagKind,
    ProtectionFlag,
    SharingDecision,
)

SYSTEM_ROLE = "system"


def system_actor(organisation_id: int) -> Actor:
    """The platform acting on its own (an ingest follow-up): audited with no user."""
    return Actor(
        user_id=None,  # type: ignore[arg-type]
        role=SYSTEM_ROLE,
        organisation_id=organisation_id,
        channel="ingest",
    )


def text_required(field: str, value: str, problem: str, limit: int = 4000) -> str:
    value = (value or "").strip()
    if not value:
        raise InvalidInput.for_field(field, problem)
    if len(value) > limit:
        raise InvalidInput.for_field(field, f"must be {limit} characters or fewer")
    return value


def organisation_get(field: str, organisation_id: int | None) -> Organisation:
    org = (
        Organisation.objects.filter(pk=organisation_id).first()
        if organisation_id
        else None
    )
    if org is None:
        raise InvalidInput.for_field(field, "choose an organisation")
    return org


def own_organisation_check(actor: Actor, organisation_id: int, what: str) -> None:
    if actor.organisation_id != organisation_id:
        raise AccessRefused(
            f"Only the organisation holding this {what} can do that.",
            fields={"organisation": f"you do not hold this {what}"},
        )


def sharing_record(
    *,
    actor: Actor,
    case_kind: str,
    case_id: int,
    person_id: int,
    consent: str,
    lawful_basis: str,
    with_organisation_id: int,
) -> SharingDecision:
    """Record what information was shared for safeguarding and on what basis;
    sharing without consent is audited with its lawful basis."""
    problem = rules.sharing_check(consent, lawful_basis)
    if problem is not None:
        raise InvalidInput.for_field(*problem)
    row = SharingDecision.objects.create(
        case_kind=case_kind,
        case_id=case_id,
        person_id=person_id,
        consent=consent,
        lawful_basis="" if consent == "given" else lawful_basis,
        with_organisation_id=with_organisation_id,
        recorded_by_id=actor.user_id,
        recorded_by_organisation_id=actor.organisation_id,
        recorded_at=timezone.now(),
    )
    if consent != "given":
        audit_record(
            actor=actor,
            person_id=person_id,
            action="safeguarding_share_without_consent",
            category=AccessCategory.SAFEGUARDING,
            decision=Decision(True, f"lawful basis: {lawful_basis}", "safeguarding"),
        )
    return row


def sharing_validate(consent: str, lawful_basis: str) -> None:
    problem = rules.sharing_check(consent, lawful_basis)
    if problem is not None:
        raise InvalidInput.for_field(*problem)


def members_add(
    *,
    case_kind: str,
    case_id: int,
    person_ids: Iterable[int],
    user_ids: Iterable[int],
    role: str,
    field: str = "members",
    service: str = "",
) -> list[CaseMember]:
    """Make professionals members of a case (each acting for their primary
    organisation). Members see the case and open the person's record."""
    users = list(dict.fromkeys(int(u) for u in user_ids))
    memberships = {
        m.user_id: m
        for m in Membership.objects.filter(user_id__in=users, active=True).order_by(
            "-is_primary", "pk"
        )
    }
    missing = [u for u in users if u not in memberships]
    if missing:
        raise InvalidInput.for_field(field, f"no such professional: {missing[0]}")
    now = timezone.now()
    made = []
    for person_id in person_ids:
        for user_id in users:
            exists = CaseMember.objects.filter(
                case_kind=case_kind,
                case_id=case_id,
                person_id=person_id,
                user_id=user_id,
                role=role,
                ended_at__isnull=True,
            ).exists()
            if exists:
                continue
            made.append(
                CaseMember.objects.create(
                    case_kind=case_kind,
                    case_id=case_id,
                    person_id=person_id,
                    user_id=user_id,
                    organisation_id=memberships[user_id].organisation_id,
                    role=role,
                    service=service,
                    started_at=now,
                )
            )
    return made


def members_end(
    *, case_kind: str, case_id: int, roles: Iterable[str] | None = None
) -> int:
    rows = CaseMember.objects.filter(
        case_kind=case_kind, case_id=case_id, ended_at__isnull=True
    )
    if roles is not None:
        rows = rows.filter(role__in=list(roles))
    now = timezone.now()
    ended = 0
    for member in rows:  # through save, so the register closes them too
        member.ended_at = now
        member.save(update_fields=["ended_at"])
        ended += 1
    return ended


def is_member(*, case_kind: str, case_id: int, user_id: int) -> bool:
    return CaseMember.objects.filter(
        case_kind=case_kind, case_id=case_id, user_id=user_id, ended_at__isnull=True
    ).exists()


def flag_open(
    *,
    person_id: int,
    kind: str,
    council: Organisation,
    source_ref: str,
    started_on: dt.date,
    contact_team_id: int | None = None,
) -> ProtectionFlag:
    if kind not in FlagKind.values:
        raise InvalidInput.for_field("kind", f"unknown flag {kind!r}")
    return ProtectionFlag.objects.create(
        person_id=person_id,
        kind=kind,
        council=council,
        contact_team_id=contact_team_id,
        contact_phone=council.contact_phone,
        source_ref=source_ref,
        started_on=started_on,
    )


def flag_close(*, source_ref: str, ended_on: dt.date) -> int:
    return ProtectionFlag.objects.filter(
        source_ref=source_ref, ended_on__isnull=True
    ).update(ended_on=ended_on)


def organisation_task(
    *,
    actor: Actor,
    person_id: int,
    title: str,
    organisation_id: int,
    team_id: int | None = None,
    source_ref: str,
    due_on: dt.date | None = None,
) -> Task:
    """A task for a team or an organisation (the record was opened already by
    the calling service). The title says only what kind of work it is."""
    if (
        team_id is not None
        and not Team.objects.filter(
            pk=team_id, organisation_id=organisation_id
        ).exists()
    ):
        raise InvalidInput.for_field("team", "is not part of the organisation named")
    return task_create(
        actor=actor,
        person_id=person_id,
        title=title,
        source=TaskSource.SAFEGUARDING,
        source_ref=source_ref,
        assignee_organisation_id=organisation_id,
        assignee_team_id=team_id,
        due_on=due_on,
        check_access=False,
    )


def tasks_complete(*, source_ref: str, actor: Actor, outcome: str = "") -> int:
    """Complete the open tasks of a step (the council's decision done, say)."""
    from joinedup.coordination.models import OPEN_TASK_STATUSES

    now = timezone.now()
    done = 0
    for task in Task.objects.filter(
        source=TaskSource.SAFEGUARDING,
        source_ref=source_ref,
        status__in=OPEN_TASK_STATUSES,
    ):
        task.status = "completed"
        task.completed_at = now
        task.completed_by_id = actor.user_id
        task.outcome = outcome
        task.updated_at = now
        task.save()
        done += 1
    return done


def is_safeguarding_lead(actor: Actor) -> bool:
    return actor.role == Role.SAFEGUARDING_LEAD


def user_ids_of(field: str, raw: Iterable[object]) -> list[int]:
    ids = []
    for value in raw:
        try:
            ids.append(int(str(value)))
        except ValueError:
            raise InvalidInput.for_field(
                field, f"{str(value)[:20]!r} is not an id"
            ) from None
    return ids
