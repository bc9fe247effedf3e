"""The CP-IS-style check on unscheduled care (an ED attendance from HL7 ADT A04,
or a FHIR Encounter of class EMER): when the child attending is on a child
protection plan, looked after, or an unborn child on a pre-birth plan,
children's social care gets a task and a notification, both audited, once per
attendance. The attending clinician sees the flag on the person page (that a
plan exists and the social care contact, never its content).

Called by ingest once the attendance is written, in the same transaction. In the
common case (no flag) it costs one indexed query; a flagged attendance one
more for the batch, then the writes."""

from __future__ import annotations

from collections.abc import Sequence

from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from joinedup.coordination.models import NotificationKind
from joinedup.coordination.services.notifications import notify, team_user_ids
from joinedup.governance.access import Decision
from joinedup.governance.models import AccessCategory
from joinedup.governance.services import audit_record_many
from joinedup.record.models import Event
from joinedup.safeguarding.models import FlagAttendance, ProtectionFlag
from joinedup.safeguarding.services.common import organisation_task, system_actor


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
    # flag (the first flag opened) that were not acted on already.
    first_open_flag = ProtectionFlag.objects.filter(
        person_id=OuterRef("person_id"), ended_on__isnull=True
    ).order_by("started_on", "pk")
    flagged = list(
        Event.objects.filter(keys)
        .annotate(flag_id=Subquery(first_open_flag.values("pk")[:1]))
        .filter(flag_id__isnull=False)
        .exclude(Exists(FlagAttendance.objects.filter(event_id=OuterRef("pk"))))
        .values_list("pk", "person_id", "organisation_id", "occurred_at", "flag_id")
    )
    if not flagged:
        return []
    flags = ProtectionFlag.objects.in_bulk([row[4] for row in flagged])
    made: list[FlagAttendance] = []
    for event_id, person_id, setting_id, occurred_at, flag_id in flagged:
        flag = flags[flag_id]
        actor = system_actor(setting_id)
        task = organisation_task(
            actor=actor,
            person_id=person_id,
            title="Attendance at unscheduled care of a child with a flag",
            organisation_id=flag.council_id,
            team_id=flag.contact_team_id,
            source_ref=f"flag:{flag.pk}:attendance",
            due_on=timezone.localdate(),
        )
        users = team_user_ids(
            team_id=flag.contact_team_id, organisation_id=flag.council_id
        )
        notify(
            user_ids=users,
            kind=NotificationKind.SAFEGUARDING,
            person_id=person_id,
            title="A child with a protection flag attended unscheduled care",
            url=reverse("task_detail", args=[task.pk]),
        )
        made.append(
            FlagAttendance.objects.create(
                flag=flag,
                event_id=event_id,
                person_id=person_id,
                setting_id=setting_id,
                attended_at=occurred_at,
                task=task,
                notified=len(users),
                recorded_at=timezone.now(),
            )
        )
        audit_record_many(
            actor=actor,
            person_id=person_id,
            action="safeguarding_flag_attendance",
            decisions=[
                (
                    AccessCategory.SAFEGUARDING,
                    Decision(True, f"{flag.kind} flag: social care task", "flag"),
                ),
                (
                    AccessCategory.SAFEGUARDING,
                    Decision(True, f"notified {len(users)} in social care", "flag"),
                ),
            ],
        )
    return made
