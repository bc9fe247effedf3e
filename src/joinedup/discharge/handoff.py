"""Hand-offs (issue 6): a discharge delay that waits on social care becomes a task
for the council responsible for the person, given to its brokerage team where it
has one. The task is cancelled when the delay's reason changes to one the council
does not own, and completed when the patient leaves hospital (the A03 discharge),
so the council's task list and the ward board always tell the same story."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import QuerySet

from joinedup.coordination.models import (
    OPEN_TASK_STATUSES,
    Task,
    TaskSource,
)
from joinedup.coordination.services import task_cancel, task_create, tasks_close
from joinedup.discharge import rules
from joinedup.discharge.models import DelayReason, HospitalStay
from joinedup.governance.access import Actor
from joinedup.governance.models import Organisation, OrganisationType, Team
from joinedup.people.models import Involvement

log = logging.getLogger(__name__)

# The council to hand off to when the person's record names none (ODS code).
COUNCIL_SETTING = "JOINEDUP_DISCHARGE_COUNCIL"
# A council team whose name contains this receives the tasks.
BROKERAGE_WORD = "brokerage"


@dataclass(frozen=True)
class Recipient:
    organisation: Organisation
    team: Team | None


def council_for(*, person_id: int) -> Recipient | None:
    """The council responsible for the person: the adult social care council
    that knows them (most recently seen), else the council partner configured in
    JOINEDUP_DISCHARGE_COUNCIL; with its brokerage team if it has one."""
    involvement = (
        Involvement.objects.filter(
            person_id=person_id,
            organisation__type=OrganisationType.COUNCIL_ADULT_SOCIAL_CARE,
        )
        .select_related("organisation")
        .order_by("-last_seen", "-pk")
        .first()
    )
    council = involvement.organisation if involvement else None
    if council is None:
        code = os.environ.get(COUNCIL_SETTING, "").strip()
        if code:
            council = Organisation.objects.filter(
                code=code, type=OrganisationType.COUNCIL_ADULT_SOCIAL_CARE
            ).first()
    if council is None:
        return None
    team = (
        Team.objects.filter(organisation=council, name__icontains=BROKERAGE_WORD)
        .order_by("pk")
        .first()
    )
    return Recipient(organisation=council, team=team)


def tasks_for_stays(stay_ids: Iterable[int]) -> QuerySet[Task]:
    """The hand-off tasks of these stays (any status)."""
    refs = [
        str(i)
        for i in DelayReason.objects.filter(stay_id__in=list(stay_ids)).values_list(
            "pk", flat=True
        )
    ]
    return Task.objects.filter(source=TaskSource.DISCHARGE_DELAY, source_ref__in=refs)


def handoff_follow(
    *, actor: Actor, stay: HospitalStay, delay: DelayReason
) -> Task | None:
    """After a delay reason is recorded: keep the open hand-off if the council is
    asked the same thing, else cancel it and, when the new reason is the
    council's, give the council a new task. Returns the open hand-off task, if
    any. Runs inside the caller's transaction; the caller has opened the
    person's record (one audit entry for the whole operation)."""
    title = rules.handoff_title(delay.reason, delay.agency)
    open_tasks = list(
        tasks_for_stays([stay.pk])
        .filter(status__in=OPEN_TASK_STATUSES)
        .exclude(source_ref=str(delay.pk))
    )
    for task in open_tasks:
        if title and task.title == title:
            return task
        task_cancel(
            actor=actor,
            task_id=task.pk,
            reason=f"The delay reason changed to {delay.reason}.",
        )
    if not title:
        return None
    recipient = council_for(person_id=stay.person_id)
    if recipient is None:
        log.warning("no council to hand off delay %s to", delay.pk)
        return None
    return task_create(
        actor=actor,
        person_id=stay.person_id,
        title=title,
        detail=(
            f"Delay reason {delay.reason} ({rules.REASONS[delay.reason]}), "
            f"responsible agency {rules.AGENCIES[delay.agency]}, recorded by the "
            "hospital's discharge coordinator."
        ),
        source=TaskSource.DISCHARGE_DELAY,
        source_ref=str(delay.pk),
        assignee_team_id=recipient.team.pk if recipient.team else None,
        assignee_organisation_id=recipient.organisation.pk,
        check_access=False,
    )


def handoffs_close(*, stay_ids: Iterable[int], status: str, outcome: str) -> int:
    """Close the open hand-off tasks of these stays without a user (the patient
    left hospital, or the admission was cancelled): completed or cancelled, with
    the outcome given. Returns how many were closed."""
    ids = list(stay_ids)
    if not ids:
        return 0
    closed = tasks_close(tasks_for_stays(ids), status=status, outcome=outcome)
    if closed:
        log.info("closed %s discharge hand-off task(s) (%s)", closed, status)
    return closed
