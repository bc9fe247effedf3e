"""REST: MDT meetings. List, read (people the reader may not see are left out),
a person's MDT discussions, schedule, and the transitions: add an attendee,
add a person, record the discussion, add an action (a task), close."""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.responses import codes_4xx

from joinedup.config.api import ErrorOut, RecordId, RecordRef
from joinedup.coordination.api.tasks import TaskOut
from joinedup.coordination.api.tasks import out as task_out
from joinedup.coordination.models import MdtItem, MdtMeeting
from joinedup.coordination.selectors.mdt import (
    ItemRow,
    mdt_items_for_person,
    mdt_meeting_view,
    mdt_meetings_list,
)
from joinedup.coordination.services.mdt import (
    mdt_action_add,
    mdt_attendee_add,
    mdt_item_add,
    mdt_item_record,
    mdt_meeting_close,
    mdt_meeting_schedule,
)

router = Router(tags=["MDT meetings"])


class MeetingOut(Schema):
    id: int
    team_id: RecordRef
    title: str
    starts_at: dt.datetime
    place: str
    link: str
    status: str


class MeetingsOut(Schema):
    total: int
    meetings: list[MeetingOut]


class AttendeeOut(Schema):
    user_id: RecordRef
    name: str
    organisation_id: RecordRef
    role: str


class ItemOut(Schema):
    id: int
    person_id: RecordRef | None  # None: a person the reader may not see
    source: str
    discussion: str
    decisions: str
    actions: list[TaskOut]


class MeetingDetailOut(MeetingOut):
    attendees: list[AttendeeOut]
    items: list[ItemOut]


class PersonItemOut(Schema):
    id: int
    meeting_id: RecordRef
    meeting_title: str
    starts_at: dt.datetime
    discussion: str
    decisions: str


class PersonItemsOut(Schema):
    total: int
    items: list[PersonItemOut]


class MeetingIn(Schema):
    team_id: RecordRef | None = None
    title: str = ""
    starts_at: dt.datetime | None = None
    place: str = ""
    link: str = ""


class AttendeeIn(Schema):
    membership_id: RecordRef | None = None


class ItemIn(Schema):
    person_id: RecordRef
    source: str = "manual"
    source_ref: str = ""


class RecordIn(Schema):
    discussion: str = ""
    decisions: str = ""


class MdtActionIn(Schema):
    title: str = ""
    detail: str = ""
    assignee_user_id: RecordRef | None = None
    assignee_team_id: RecordRef | None = None
    due_on: dt.date | None = None


class ItemCreatedOut(Schema):
    id: int
    meeting_id: RecordRef
    person_id: RecordRef
    source: str


def _meeting(m: MdtMeeting) -> dict[str, object]:
    return {
        "id": m.pk,
        "team_id": m.team_id,
        "title": m.title,
        "starts_at": m.starts_at,
        "place": m.place,
        "link": m.link,
        "status": m.status,
    }


def _item(row: ItemRow) -> dict[str, object]:
    i = row.item
    if not row.visible:
        return {
            "id": i.pk,
            "person_id": None,
            "source": "",
            "discussion": "",
            "decisions": "",
            "actions": [],
        }
    return {
        "id": i.pk,
        "person_id": i.person_id,
        "source": i.source,
        "discussion": i.discussion,
        "decisions": i.decisions,
        "actions": [task_out(t) for t in row.actions],
    }


@router.get(
    "",
    response={200: MeetingsOut, codes_4xx: ErrorOut},
    summary="Meetings the actor runs, attends or whose team they are in",
)
def meetings_list(request: HttpRequest) -> dict[str, object]:
    rows = mdt_meetings_list(actor=request.actor)  # type: ignore[attr-defined]
    return {"total": len(rows), "meetings": [_meeting(m) for m in rows]}


@router.get(
    "/people/{person_id}",
    response={200: PersonItemsOut, codes_4xx: ErrorOut},
    summary="A person's MDT discussions",
)
def person_items(request: HttpRequest, person_id: RecordId) -> dict[str, object]:
    _, items = mdt_items_for_person(
        actor=request.actor,  # type: ignore[attr-defined]
        person_id=person_id,
    )
    return {
        "total": len(items),
        "items": [
            {
                "id": i.pk,
                "meeting_id": i.meeting_id,
                "meeting_title": i.meeting.title,
                "starts_at": i.meeting.starts_at,
                "discussion": i.discussion,
                "decisions": i.decisions,
            }
            for i in items
        ],
    }


def _detail(request: HttpRequest, meeting_id: RecordId) -> dict[str, object]:
    view = mdt_meeting_view(
        actor=request.actor,  # type: ignore[attr-defined]
        meeting_id=meeting_id,
    )
    out = _meeting(view.meeting)
    out["attendees"] = [
        {
            "user_id": a.user_id,
            "name": a.user.get_full_name() or a.user.username,
            "organisation_id": a.organisation_id,
            "role": a.role,
        }
        for a in view.attendees
    ]
    out["items"] = [_item(r) for r in view.items]
    return out


@router.get(
    "/{meeting_id}",
    response={200: MeetingDetailOut, codes_4xx: ErrorOut},
    summary="One meeting: attendees, people discussed, decisions and actions",
)
def meeting_read(request: HttpRequest, meeting_id: RecordId) -> dict[str, object]:
    return _detail(request, meeting_id)


@router.post(
    "",
    response={201: MeetingOut, codes_4xx: ErrorOut},
    summary="Schedule a meeting (MDT coordinators)",
)
def meeting_create(request: HttpRequest, body: MeetingIn) -> Status:
    meeting = mdt_meeting_schedule(
        actor=request.actor,  # type: ignore[attr-defined]
        team_id=body.team_id,
        title=body.title,
        starts_at=body.starts_at,
        place=body.place,
        link=body.link,
    )
    return Status(201, _meeting(meeting))


@router.post(
    "/{meeting_id}/attendees",
    response={200: MeetingDetailOut, codes_4xx: ErrorOut},
    summary="Add an attendee (a professional in one of their roles)",
)
def attendee(
    request: HttpRequest, meeting_id: RecordId, body: AttendeeIn
) -> dict[str, object]:
    mdt_attendee_add(
        actor=request.actor,  # type: ignore[attr-defined]
        meeting_id=meeting_id,
        membership_id=body.membership_id,
    )
    return _detail(request, meeting_id)


@router.post(
    "/{meeting_id}/items",
    response={201: ItemCreatedOut, codes_4xx: ErrorOut},
    summary="Put a person on the list to discuss",
)
def item_create(request: HttpRequest, meeting_id: RecordId, body: ItemIn) -> Status:
    item: MdtItem = mdt_item_add(
        actor=request.actor,  # type: ignore[attr-defined]
        meeting_id=meeting_id,
        person_id=body.person_id,
        source=body.source,
        source_ref=body.source_ref,
    )
    return Status(
        201,
        {
            "id": item.pk,
            "meeting_id": meeting_id,
            "person_id": item.person_id,
            "source": item.source,
        },
    )


@router.post(
    "/{meeting_id}/items/{item_id}/record",
    response={200: ItemCreatedOut, codes_4xx: ErrorOut},
    summary="Record the discussion and decisions about one person",
)
def item_record(
    request: HttpRequest, meeting_id: RecordId, item_id: RecordId, body: RecordIn
) -> dict[str, object]:
    item = mdt_item_record(
        actor=request.actor,  # type: ignore[attr-defined]
        item_id=item_id,
        meeting_id=meeting_id,
        discussion=body.discussion,
        decisions=body.decisions,
    )
    return {
        "id": item.pk,
        "meeting_id": item.meeting_id,
        "person_id": item.person_id,
        "source": item.source,
    }


@router.post(
    "/{meeting_id}/items/{item_id}/actions",
    response={201: TaskOut, codes_4xx: ErrorOut},
    summary="Add an action: a task owned by someone in the care team or a team",
)
def action_create(
    request: HttpRequest, meeting_id: RecordId, item_id: RecordId, body: MdtActionIn
) -> Status:
    task = mdt_action_add(
        actor=request.actor,  # type: ignore[attr-defined]
        item_id=item_id,
        meeting_id=meeting_id,
        title=body.title,
        detail=body.detail,
        assignee_user_id=body.assignee_user_id,
        assignee_team_id=body.assignee_team_id,
        due_on=body.due_on,
    )
    return Status(201, task_out(task))


@router.post(
    "/{meeting_id}/close",
    response={200: MeetingOut, codes_4xx: ErrorOut},
    summary="Close the meeting: the minutes are fixed",
)
def close(request: HttpRequest, meeting_id: RecordId) -> dict[str, object]:
    return _meeting(
        mdt_meeting_close(
            actor=request.actor,  # type: ignore[attr-defined]
            meeting_id=meeting_id,
        )
    )
