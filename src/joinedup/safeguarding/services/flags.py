"""The CP-IS-style check on unscheduled care (an ED attendance from HL7 ADT A04,
or a FHIR Encounter of class EMER): when the child attending is on a child
protection plan, looked after, or an unborn child on a pre-birth plan,
children's social care gets a task and a notification, both audited, once per
attendance. The attending clinician sees the flag on the person page (that a
plan exists and the social care contact, never its content).

Called by ingest once the attendance is written, in the same transaction. In the
common case (no flag) it costs one indexed query, which also brings what a
flagged attendance needs of its flag; the flagged attendances of a batch are
then written set-wise, a statement per kind of row for the whole batch (tasks,
their register rows, notifications, attendances, the audit entries)."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from joinedup.coordination.models import NotificationKind, TaskSource
from joinedup.coordination.services.notifications import (
    TeamNotice,
    notify_teams,
    task_team_notice,
)
from joinedup.coordination.services.tasks import OrganisationTask, tasks_create_many
from joinedup.governance.access import Decision
from joinedup.governance.models import AccessCategory
from joinedup.governance.services import audit_record_many
from joinedup.governance.services.audit import audit_deferred
from joinedup.record.models import Event
from joinedup.safeguarding.models import FlagAttendance, ProtectionFlag
from joinedup.safeguarding.services.common import system_actor

TASK_TITLE = "Attendance at unscheduled care of a child with a flag"
NOTICE_TITLE = "A child with a protection flag attended unscheduled care"


def unscheduled_care_attendances_check(
    *, events: Sequence[tuple[int, str]]
) -> list[FlagAttendance]:
    """`events`: (source system id, source id) of attendances just written.
    Returns the flagged attendances acted on now (none already seen)."""
    if not events:
        return []
    keys = Q()
    for system_id, source_id in events:
        keys |= Q(source_system_id=system_id, source_id=source_id)
    # One query whatever the outcome: the attendances of people with an open
    # flag (the first flag opened) that were not acted on already, with what
    # acting on them needs of the flag.
    first_open_flag = ProtectionFlag.objects.filter(
        person_id=OuterRef("person_id"), ended_on__isnull=True
    ).order_by("started_on", "pk")

    def of_flag(field: str) -> Subquery:
        return Subquery(first_open_flag.values(field)[:1])

    flagged = list(
        Event.objects.filter(keys)
        .annotate(flag_id=of_flag("pk"))
        .filter(flag_id__isnull=False)
        .exclude(Exists(FlagAttendance.objects.filter(event_id=OuterRef("pk"))))
        .annotate(
            flag_kind=of_flag("kind"),
            flag_council_id=of_flag("council_id"),
            flag_team_id=of_flag("contact_team_id"),
        )
        .order_by("pk")
        .values_list(
            "pk",
            "person_id",
            "organisation_id",
            "occurred_at",
            "flag_id",
            "flag_kind",
            "flag_council_id",
            "flag_team_id",
        )
    )
    if not flagged:
        return []
    today = timezone.localdate()
    with transaction.atomic(savepoint=False):
        tasks = tasks_create_many(
            source=TaskSource.SAFEGUARDING,
            tasks=[
                OrganisationTask(
                    person_id=person_id,
                    title=TASK_TITLE,
                    source_ref=f"flag:{flag_id}:attendance",
                    organisation_id=council_id,
                    team_id=team_id,
                    due_on=today,
                )
                for (_, person_id, _, _, flag_id, _, council_id, team_id) in flagged
            ],
        )
        urls = [reverse("task_detail", args=[task.pk]) for task in tasks]
        notices: list[TeamNotice] = []
        for task, url in zip(tasks, urls, strict=True):
            # What giving the task tells its team, then the flag's own notice.
            notice = task_team_notice(task, url)
            if notice is not None:
                notices.append(notice)
            notices.append(
                TeamNotice(
                    organisation_id=task.assignee_organisation_id,
                    team_id=task.assignee_team_id,
                    kind=NotificationKind.SAFEGUARDING,
                    person_id=task.person_id,
                    title=NOTICE_TITLE,
                    url=url,
                )
            )
        told = notify_teams(notices)
        now = timezone.now()
        made = FlagAttendance.objects.bulk_create(
            [
                FlagAttendance(
                    flag_id=flag_id,
                    event_id=event_id,
                    person_id=person_id,
                    setting_id=setting_id,
                    attended_at=occurred_at,
                    task=task,
                    notified=len(told[(NotificationKind.SAFEGUARDING, url)]),
                    recorded_at=now,
                )
                for (
                    event_id,
                    person_id,
                    setting_id,
                    occurred_at,
                    flag_id,
                    *_,
                ), task, url in zip(flagged, tasks, urls, strict=True)
            ]
        )
        # Every entry of the batch appended to the chain at once.
        with audit_deferred():
            for row, attendance in zip(flagged, made, strict=True):
                kind = row[5]
                audit_record_many(
                    actor=system_actor(attendance.setting_id),
                    person_id=attendance.person_id,
                    action="safeguarding_flag_attendance",
                    decisions=[
                        (
                            AccessCategory.SAFEGUARDING,
                            Decision(True, f"{kind} flag: social care task", "flag"),
                        ),
                        (
                            AccessCategory.SAFEGUARDING,
                            Decision(
                                True,
                                f"notified {attendance.notified} in social care",
                                "flag",
                            ),
                        ),
                    ],
                )
    return made
