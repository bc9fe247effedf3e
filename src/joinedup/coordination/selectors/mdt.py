"""Reads of MDT meetings: the list, one meeting with its people (names only of
people the reader may see; each person's discussion read is audited), the
people proposed for discussion, one item, and the minutes."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from joinedup.coordination.models import (
    OPEN_REFERRAL_STATUSES,
    OPEN_TASK_STATUSES,
    CareTeamMember,
    ItemSource,
    MdtAttendee,
    MdtItem,
    MdtMeeting,
    Referral,
    Task,
    TaskSource,
)
from joinedup.coordination.services.mdt import mdt_may_run
from joinedup.errors import AccessRefused, NotFound
from joinedup.governance.access import Actor, Decision, people_visible_q
from joinedup.governance.models import (
    DIRECT_CARE_ROLES,
    AccessCategory,
    Membership,
    Team,
)
from joinedup.governance.services import audit_record
from joinedup.people.models import Person
from joinedup.people.selectors import PersonAccess, person_access_open


def _may_see(actor: Actor, meeting: MdtMeeting, attendee_ids: set[int]) -> bool:
    if mdt_may_run(actor, meeting) or actor.user_id in attendee_ids:
        return True
    return Membership.objects.filter(
        user_id=actor.user_id, team_id=meeting.team_id, active=True
    ).exists()


def mdt_meetings_list(*, actor: Actor) -> list[MdtMeeting]:
    """Meetings the actor runs, attends, or whose team they are in."""
    teams = Membership.objects.filter(
        user_id=actor.user_id, active=True, team__isnull=False
    ).values("team_id")
    mine = Q(attendees__user_id=actor.user_id) | Q(team_id__in=teams)
    if actor.role == "mdt_coordinator":
        mine |= Q(created_by_id=actor.user_id) | Q(
            team__organisation_id=actor.organisation_id
        )
    return list(
        MdtMeeting.objects.filter(mine)
        .select_related("team", "team__organisation")
        .distinct()
        .order_by("-starts_at", "-pk")[:200]
    )


@dataclass
class ItemRow:
    item: MdtItem
    visible: bool
    actions: list[Task] = field(default_factory=list)


@dataclass
class Candidate:
    person: Person
    source: str
    source_ref: str
    why: str


@dataclass
class MeetingView:
    meeting: MdtMeeting
    attendees: list[MdtAttendee]
    items: list[ItemRow]
    may_run: bool
    candidates: list[Candidate]
    memberships: list[Membership]


def _meeting(meeting_id: int) -> MdtMeeting:
    meeting = (
        MdtMeeting.objects.select_related(
            "team", "team__organisation", "created_by", "closed_by"
        )
        .filter(pk=meeting_id)
        .first()
    )
    if meeting is None:
        raise NotFound(
            f"meeting: there is no MDT meeting with id {meeting_id}",
            fields={"meeting": "no such meeting"},
        )
    return meeting


def _rows(actor: Actor, meeting: MdtMeeting, action: str) -> list[ItemRow]:
    """The meeting's people, their actions, and which of them the actor may
    see; one audit entry per person whose discussion is shown."""
    items = list(
        MdtItem.objects.filter(meeting=meeting)
        .select_related("person", "recorded_by")
        .order_by("position", "pk")
    )
    ids = [i.person_id for i in items]
    visible = set(
        Person.objects.filter(people_visible_q(actor), pk__in=ids).values_list(
            "pk", flat=True
        )
    )
    actions: dict[str, list[Task]] = {}
    for t in (
        Task.objects.filter(
            source=TaskSource.MDT_ACTION, source_ref__in=[str(i.pk) for i in items]
        )
        .select_related("assignee_user", "assignee_team", "assignee_organisation")
        .order_by("pk")
    ):
        actions.setdefault(t.source_ref, []).append(t)
    rows = []
    for i in items:
        seen = i.person_id in visible
        rows.append(ItemRow(i, seen, actions.get(str(i.pk), []) if seen else []))
        if seen:
            audit_record(
                actor=actor,
                person_id=i.person_id,
                action=action,
                category=AccessCategory.DEMOGRAPHICS,
                decision=Decision(True, f"MDT meeting {meeting.pk} minutes"),
            )
    return rows


def mdt_candidates(*, actor: Actor, meeting: MdtMeeting) -> list[Candidate]:
    """People to propose for discussion: open referrals to the team, current
    delayed discharges, case-finding proposals taken on by the team's members;
    only people the actor may see, and not those already on the list."""
    from joinedup.discharge.models import HospitalStay, Readiness

    today = timezone.localdate()
    listed = MdtItem.objects.filter(meeting=meeting).values("person_id")
    visible = Person.objects.filter(people_visible_q(actor)).values("pk")
    found: dict[int, Candidate] = {}
    for r in (
        Referral.objects.filter(
            to_team_id=meeting.team_id,
            status__in=OPEN_REFERRAL_STATUSES,
            person__in=visible,
        )
        .exclude(person__in=listed)
        .select_related("person")
        .order_by("respond_by", "pk")[:50]
    ):
        found.setdefault(
            r.person_id,
            Candidate(
                r.person,
                ItemSource.REFERRAL,
                str(r.pk),
                f"Referral: {r.get_referral_type_display().lower()}",
            ),
        )
    ready = Readiness.objects.filter(ready_on__lt=today).values("stay_id")
    for s in (
        HospitalStay.objects.filter(
            discharged_at__isnull=True, pk__in=ready, person__in=visible
        )
        .exclude(person__in=listed)
        .select_related("person", "organisation")
        .order_by("admitted_at", "pk")[:50]
    ):
        found.setdefault(
            s.person_id,
            Candidate(
                s.person,
                ItemSource.DISCHARGE_DELAY,
                str(s.pk),
                f"Delayed discharge at {s.organisation.name}",
            ),
        )
    members = Membership.objects.filter(team_id=meeting.team_id, active=True).values(
        "user_id"
    )
    for t in (
        Task.objects.filter(
            Q(assignee_team_id=meeting.team_id) | Q(assignee_user_id__in=members),
            source=TaskSource.CASE_FINDING,
            status__in=OPEN_TASK_STATUSES,
            person__in=visible,
        )
        .exclude(person__in=listed)
        .select_related("person")
        .order_by("pk")[:50]
    ):
        found.setdefault(
            t.person_id,
            Candidate(t.person, ItemSource.CASE_FINDING, str(t.pk), "Case finding"),
        )
    rows = sorted(found.values(), key=lambda c: (c.source, c.person.display_name))
    audit_record(
        actor=actor,
        person_id=None,
        action="list_mdt_candidates",
        category=AccessCategory.DEMOGRAPHICS,
        decision=Decision(True, f"{len(rows)} people proposed"),
    )
    return rows


def mdt_meeting_view(*, actor: Actor, meeting_id: int) -> MeetingView:
    meeting = _meeting(meeting_id)
    attendees = list(
        MdtAttendee.objects.filter(meeting=meeting)
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__last_name")
    )
    if not _may_see(actor, meeting, {a.user_id for a in attendees}):
        raise AccessRefused(
            "Only the meeting's team, its attendees and its coordinators can see it.",
            fields={"meeting": "not your meeting"},
        )
    may_run = mdt_may_run(actor, meeting) and meeting.is_open
    rows = _rows(actor, meeting, "view_mdt_meeting")
    candidates: list[Candidate] = []
    memberships: list[Membership] = []
    if may_run:
        candidates = mdt_candidates(actor=actor, meeting=meeting)
        memberships = list(
            Membership.objects.select_related("user", "organisation")
            .filter(active=True, role__in=DIRECT_CARE_ROLES)
            .exclude(user_id__in=[a.user_id for a in attendees])
            .order_by("organisation__name", "user__last_name", "user__first_name")[:500]
        )
    return MeetingView(meeting, attendees, rows, may_run, candidates, memberships)


@dataclass
class ItemView:
    item: MdtItem
    meeting: MdtMeeting
    access: PersonAccess
    may_run: bool
    actions: list[Task]
    care_team: list[CareTeamMember]
    teams: list[Team]


def mdt_item_view(*, actor: Actor, meeting_id: int, item_id: int) -> ItemView:
    meeting = _meeting(meeting_id)
    item = (
        MdtItem.objects.select_related("recorded_by")
        .filter(pk=item_id, meeting=meeting)
        .first()
    )
    if item is None:
        raise NotFound(
            f"item: there is no item {item_id} in this meeting",
            fields={"item": "no such item"},
        )
    attendee_ids = set(meeting.attendees.values_list("user_id", flat=True))
    if not _may_see(actor, meeting, attendee_ids):
        raise AccessRefused(
            "Only the meeting's team, its attendees and its coordinators can see it.",
            fields={"meeting": "not your meeting"},
        )
    access = person_access_open(
        actor=actor, person_id=item.person_id, action="view_mdt_item"
    )
    may_run = mdt_may_run(actor, meeting) and meeting.is_open
    return ItemView(
        item=item,
        meeting=meeting,
        access=access,
        may_run=may_run,
        actions=list(
            Task.objects.filter(source=TaskSource.MDT_ACTION, source_ref=str(item.pk))
            .select_related("assignee_user", "assignee_team", "assignee_organisation")
            .order_by("pk")
        ),
        care_team=list(
            CareTeamMember.objects.select_related("user", "organisation")
            .filter(person_id=item.person_id, ended_on__isnull=True)
            .order_by("user__last_name")
        )
        if may_run
        else [],
        teams=list(
            Team.objects.select_related("organisation").order_by(
                "organisation__name", "name"
            )
        )
        if may_run
        else [],
    )


@dataclass
class Minutes:
    meeting: MdtMeeting
    attendees: list[MdtAttendee]
    items: list[ItemRow]
    produced_at: dt.datetime


def mdt_minutes(*, actor: Actor, meeting_id: int) -> Minutes:
    """The minutes to export: a read of each person's discussion, audited per
    person; people the reader may not see are left out by name."""
    meeting = _meeting(meeting_id)
    attendees = list(
        MdtAttendee.objects.filter(meeting=meeting)
        .select_related("user", "organisation")
        .order_by("organisation__name", "user__last_name")
    )
    if not _may_see(actor, meeting, {a.user_id for a in attendees}):
        raise AccessRefused(
            "Only the meeting's team, its attendees and its coordinators can see it.",
            fields={"meeting": "not your meeting"},
        )
    return Minutes(
        meeting=meeting,
        attendees=attendees,
        items=_rows(actor, meeting, "export_mdt_minutes"),
        produced_at=timezone.now(),
    )


def mdt_items_for_person(
    *, actor: Actor, person_id: int
) -> tuple[PersonAccess, list[MdtItem]]:
    """The MDT discussions about a person (one audit entry: the record opened)."""
    access = person_access_open(
        actor=actor, person_id=person_id, action="view_mdt_items"
    )
    items = list(
        MdtItem.objects.filter(person_id=person_id)
        .select_related("meeting", "meeting__team")
        .order_by("-meeting__starts_at", "-pk")[:100]
    )
    return access, items
