"""Coordination's sources of relationships: membership of the person's care team
(until it ends) and open work (a task or referral held by a user, a team or an
organisation, until it is completed or cancelled: ADR 0005)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Iterator

from joinedup.coordination.models import OPEN_TASK_STATUSES, CareTeamMember, Task
from joinedup.governance.models import RelationshipKind
from joinedup.governance.services.relationships import Row, Source, source_register


def _members(objects: Iterable[CareTeamMember], now: dt.datetime) -> Iterator[Row]:
    for member in objects:
        if member.ended_on is None:
            yield Row(
                person_id=member.person_id,
                kind=RelationshipKind.CARE_TEAM,
                source_app="coordination.care_team",
                source_ref=str(member.pk),
                user_id=member.user_id,
                organisation_id=member.organisation_id,
                detail=member.role,
                started_at=dt.datetime.combine(
                    member.started_on, dt.time(), tzinfo=dt.UTC
                ),
            )


def _tasks(objects: Iterable[Task], now: dt.datetime) -> Iterator[Row]:
    for task in objects:
        if task.status in OPEN_TASK_STATUSES:
            yield Row(
                person_id=task.person_id,
                kind=RelationshipKind.OPEN_WORK,
                source_app="coordination.task",
                source_ref=str(task.pk),
                user_id=task.assignee_user_id,
                team_id=task.assignee_team_id,
                organisation_id=task.assignee_organisation_id,
                detail=task.source,
                started_at=task.created_at,
            )


def register() -> None:
    source_register(
        Source(
            "coordination.care_team",
            CareTeamMember,
            _members,  # type: ignore[arg-type]
            fields=frozenset({"ended_on", "user", "organisation", "person", "role"}),
        )
    )
    source_register(
        Source(
            "coordination.task",
            Task,
            _tasks,  # type: ignore[arg-type]
            fields=frozenset(
                {
                    "status",
                    "assignee_user",
                    "assignee_team",
                    "assignee_organisation",
                    "person",
                    "source",
                }
            ),
        )
    )
