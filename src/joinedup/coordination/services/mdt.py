"""MDT meetings: schedule, add attendees and people to discuss, record the
discussion and decisions per person, add actions (each a task, source
mdt_action, owned by someone in the person's care team or by a team), close.
The MDT coordinator role runs the meeting."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from joinedup.coordination.models import (
    ItemSource,
    MdtAttendee,
    MdtItem,
    MdtMeeting,
    MeetingStatus,
    NotificationKind,
    Task,
    TaskSource,
)
from joinedup.coordination.services.notifications import notify
from joinedup.coordination.services.tasks import task_create
from joinedup.errors import AccessRefused, Conflict, InvalidInput, NotFound
from joinedup.governance.access import Actor
from joinedup.governance.models import Membership, Role, Team
from joinedup.people.selectors import person_access_open

TEXT_MAX = 10_000


def _coordinator(actor: Actor) -> None:
    if actor.role != Role.MDT_COORDINATOR:
        raise AccessRefused(
            "Only an MDT coordinator can run MDT meetings. Change role if you hold it.",
            fields={"role": "not an MDT coordinator"},
        )


def mdt_may_run(actor: Actor, meeting: MdtMeeting) -> bool:
    """MDT coordinators who scheduled the meeting or work in the organisation
    of the team that meets."""
    if actor.role != Role.MDT_COORDINATOR:
        return False
    return (
        meeting.created_by_id == actor.user_id
        or meeting.team.organisation_id == actor.organisation_id
    )


def _meeting_for_change(actor: Actor, meeting_id: int) -> MdtMeeting:
    _coordinator(actor)
    meeting = (
        MdtMeeting.objects.select_for_update()
        .select_related("team")
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise NotFound(
            f"meeting: there is no MDT meeting with id {meeting_id}",
            fields={"meeting": "no such meeting"},
        )
    if not mdt_may_run(actor, meeting):
        raise AccessRefused(
            "Only the coordinators of the meeting's team can change it.",
            fields={"meeting": "not your team's meeting"},
        )
    if meeting.status != MeetingStatus.SCHEDULED:
        raise Conflict(
            "This meeting is closed: its minutes can no longer change.",
            fields={"status": meeting.status},
        )
    return meeting


def mdt_meeting_schedule(
    *,
    actor: Actor,
    team_id: int | None,
    title: str,
    starts_at: dt.datetime | None,
    place: str = "",
    link: str = "",
) -> MdtMeeting:
    _coordinator(actor)
    team = Team.objects.filter(pk=team_id).first() if team_id is not None else None
    if team is None:
        raise InvalidInput.for_field("team", "choose the team that meets")
    title = title.strip() or f"{team.name} MDT"
    if len(title) > 200:
        raise InvalidInput.for_field("title", "must be 200 characters or fewer")
    if starts_at is None:
        raise InvalidInput.for_field("starts_at", "enter the date and time")
    if timezone.is_naive(starts_at):
        raise InvalidInput.for_field("starts_at", "needs a time zone")
    place, link = place.strip(), link.strip()
    if not place and not link:
        raise InvalidInput.for_field("place", "enter a place or a link to the call")
    if len(place) > 200:
        raise InvalidInput.for_field("place", "must be 200 characters or fewer")
    if link:
        try:
            URLValidator(schemes=["https"])(link)
        except ValidationError:
            raise InvalidInput.for_field(
                "link", "enter a full https:// link to the call"
            ) from None
    with transaction.atomic():
        meeting = MdtMeeting.objects.create(
            team=team,
            title=title,
            starts_at=starts_at,
            place=place,
            link=link,
            created_by_id=actor.user_id,
            created_at=timezone.now(),
        )
        MdtAttendee.objects.create(
            meeting=meeting,
            user_id=actor.user_id,
            organisation_id=actor.organisation_id,
            role=actor.role,
        )
    return meeting


def mdt_attendee_add(
    *, actor: Actor, meeting_id: int, membership_id: int | None
) -> MdtAttendee:
    """Add a professional (in one of their roles) to the meeting; adding them
    again changes nothing."""
    with transaction.atomic():
        meeting = _meeting_for_change(actor, meeting_id)
        membership = (
            Membership.objects.filter(pk=membership_id, active=True).first()
            if membership_id is not None
            else None
        )
        if membership is None:
            raise InvalidInput.for_field("attendee", "choose who attends")
        attendee, _ = MdtAttendee.objects.get_or_create(
            meeting=meeting,
            user_id=membership.user_id,
            defaults={
                "organisation_id": membership.organisation_id,
                "role": membership.role,
            },
        )
    return attendee


def mdt_item_add(
    *,
    actor: Actor,
    meeting_id: int,
    person_id: int,
    source: str = ItemSource.MANUAL,
    source_ref: str = "",
) -> MdtItem:
    """Put a person on the meeting's list (the coordinator must be able to see
    their record: the access policy decides, and the opening is audited)."""
    if source not in ItemSource.values:
        raise InvalidInput.for_field("source", f"unknown source {source!r}")
    # Opened (and audited, refused or not) before anything is written.
    person_access_open(actor=actor, person_id=person_id, action="mdt_item_add")
    with transaction.atomic():
        meeting = _meeting_for_change(actor, meeting_id)
        if MdtItem.objects.filter(meeting=meeting, person_id=person_id).exists():
            raise Conflict(
                "This person is already on the meeting's list.",
                fields={"person": "already on the list"},
            )
        position = MdtItem.objects.filter(meeting=meeting).count() + 1
        item = MdtItem.objects.create(
            meeting=meeting,
            person_id=person_id,
            source=source,
            source_ref=source_ref[:60],
            position=position,
            added_by_id=actor.user_id,
            added_at=timezone.now(),
        )
    return item


def _item_opened(
    actor: Actor, item_id: int, action: str, meeting_id: int | None
) -> MdtItem:
    """The item, its person's record opened (and audited, refused or not)
    before anything is written."""
    item = MdtItem.objects.filter(pk=item_id).first()
    if item is None or (meeting_id is not None and item.meeting_id != meeting_id):
        raise NotFound(
            f"item: there is no MDT item with id {item_id}",
            fields={"item": "no such item"},
        )
    _coordinator(actor)
    person_access_open(actor=actor, person_id=item.person_id, action=action)
    return item


def mdt_item_record(
    *,
    actor: Actor,
    item_id: int,
    discussion: str,
    decisions: str,
    meeting_id: int | None = None,
) -> MdtItem:
    """Record what was discussed and decided about one person."""
    discussion, decisions = discussion.strip(), decisions.strip()
    if not discussion and not decisions:
        raise InvalidInput.for_field(
            "discussion", "record what was discussed or decided"
        )
    for name, text in (("discussion", discussion), ("decisions", decisions)):
        if len(text) > TEXT_MAX:
            raise InvalidInput.for_field(
                name, f"must be {TEXT_MAX} characters or fewer"
            )
    item = _item_opened(actor, item_id, "mdt_item_record", meeting_id)
    with transaction.atomic():
        _meeting_for_change(actor, item.meeting_id)
        item.discussion = discussion
        item.decisions = decisions
        item.recorded_by_id = actor.user_id
        item.recorded_at = timezone.now()
        item.save(
            update_fields=["discussion", "decisions", "recorded_by", "recorded_at"]
        )
    return item


def mdt_action_add(
    *,
    actor: Actor,
    item_id: int,
    title: str,
    detail: str = "",
    assignee_user_id: int | None = None,
    assignee_team_id: int | None = None,
    due_on: dt.date | None = None,
    meeting_id: int | None = None,
) -> Task:
    """An action agreed for a person: a task for someone in their care team or
    a team (never an outsider: the task is a relationship with the person)."""
    if assignee_user_id is None and assignee_team_id is None:
        raise InvalidInput.for_field(
            "assignee", "choose who owns the action: someone in the care team or a team"
        )
    item = _item_opened(actor, item_id, "mdt_action_add", meeting_id)
    with transaction.atomic():
        _meeting_for_change(actor, item.meeting_id)
        task = task_create(
            actor=actor,
            person_id=item.person_id,
            title=title,
            detail=detail,
            source=TaskSource.MDT_ACTION,
            source_ref=str(item.pk),
            assignee_user_id=assignee_user_id,
            assignee_team_id=assignee_team_id,
            due_on=due_on,
            check_access=False,
        )
    return task


def mdt_meeting_close(*, actor: Actor, meeting_id: int) -> MdtMeeting:
    with transaction.atomic():
        meeting = _meeting_for_change(actor, meeting_id)
        meeting.status = MeetingStatus.CLOSED
        meeting.closed_at = timezone.now()
        meeting.closed_by_id = actor.user_id
        meeting.save(update_fields=["status", "closed_at", "closed_by"])
        notify(
            user_ids=[
                u
                for u in meeting.attendees.values_list("user_id", flat=True)
                if u != actor.user_id
            ],
            kind=NotificationKind.MDT,
            person_id=None,
            title="MDT meeting closed: the minutes are ready",
            url=reverse("mdt_meeting", args=[meeting.pk]),
        )
    return meeting
