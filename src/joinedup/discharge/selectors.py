"""Reads of discharge data. Each takes the acting professional, goes through the
access policy and leaves one audit entry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from django.db.models import OuterRef, Subquery
from django.utils import timezone

from joinedup.coordination.models import Task, TaskSource
from joinedup.discharge import rules
from joinedup.discharge.handoff import tasks_for_stays
from joinedup.discharge.models import DelayReason, HospitalStay, Readiness
from joinedup.errors import AccessRefused, InvalidInput
from joinedup.governance.access import Actor, Decision, people_visible_q
from joinedup.governance.models import (
    AccessCategory,
    Organisation,
    OrganisationType,
    Role,
)
from joinedup.governance.services import audit_record
from joinedup.people.models import Person
from joinedup.people.nhs_number import nhs_number_format
from joinedup.people.selectors import PersonAccess

SORTS = {
    "name": "Name",
    "ward": "Ward",
    "los": "Length of stay",
    "expected": "Expected discharge",
    "ready": "Ready for discharge",
    "delayed": "Days delayed",
}


@dataclass(frozen=True)
class BoardFilters:
    site: str = ""
    ward: str = ""
    delayed: str = ""  # "" all, "yes" delayed only, "no" not delayed
    sort: str = "ward"
    descending: bool = False
    page: int = 1


def board_filters_parse(params: dict[str, str]) -> BoardFilters:
    """Parse the ward board's GET parameters; raises InvalidInput on bad ones."""
    sort = params.get("sort", "") or "ward"
    if sort not in SORTS:
        raise InvalidInput.for_field("sort", "choose one of: " + ", ".join(SORTS))
    delayed = params.get("delayed", "")
    if delayed not in ("", "yes", "no"):
        raise InvalidInput.for_field("delayed", "choose all, delayed or not delayed")
    order = params.get("order", "") or "asc"
    if order not in ("asc", "desc"):
        raise InvalidInput.for_field("order", "choose asc or desc")
    raw_page = params.get("page", "") or "1"
    if not raw_page.isdigit() or not 1 <= int(raw_page) <= 100_000:
        raise InvalidInput.for_field("page", "choose a page number, 1 or more")
    return BoardFilters(
        site=params.get("site", "")[:40],
        ward=params.get("ward", "")[:100],
        delayed=delayed,
        sort=sort,
        descending=order == "desc",
        page=int(raw_page),
    )


_BOARD_VALUES = (
    "id",
    "site",
    "ward",
    "admitted_at",
    "person_id",
    "person__given_name",
    "person__family_name",
    "person__given_name_norm",
    "person__family_name_norm",
    "person__nhs_number",
    "r_ready_on",
    "r_expected",
    "r_pathway",
    "d_reason",
    "d_agency",
    "d_id",
)


@dataclass(frozen=True)
class BoardStay:
    """What the board shows of a stay."""

    pk: int
    site: str
    ward: str
    admitted_at: dt.datetime


@dataclass(frozen=True)
class BoardPerson:
    """What the board shows of a patient."""

    pk: int
    given_name: str
    family_name: str
    given_name_norm: str
    family_name_norm: str
    nhs_number: str | None

    @property
    def display_name(self) -> str:
        # As Person.display_name.
        return f"{self.given_name} {self.family_name.upper()}"

    @property
    def nhs_number_display(self) -> str:
        return nhs_number_format(self.nhs_number or "")


@dataclass(frozen=True)
class BoardRow:
    stay: BoardStay
    person: BoardPerson
    length_of_stay: int
    expected_discharge_on: dt.date | None
    ready_on: dt.date | None
    pathway: str
    reason: str
    agency: str
    days_delayed: int
    # The council's task for the current delay (issue 6 "Hand-offs"), if any.
    handoff: Task | None = None

    @property
    def reason_label(self) -> str:
        return rules.REASONS.get(self.reason, "")

    @property
    def agency_label(self) -> str:
        return rules.AGENCIES.get(self.agency, "")


@dataclass(frozen=True)
class Board:
    rows: list[BoardRow]  # the page asked for (all of them without a page size)
    sites: list[str]
    wards: list[str]
    filters: BoardFilters
    total: int = 0
    page: int = 1
    pages: int = 1


def refusal_audited(actor: Actor, action: str, reason: str) -> AccessRefused:
    audit_record(
        actor=actor,
        person_id=None,
        action=action,
        category=AccessCategory.HEALTH,
        decision=Decision(False, reason),
    )
    return AccessRefused(f"You cannot see this page: {reason}.")


def latest_for_stay(
    model: type, field: str, before: dt.datetime | None = None
) -> Subquery:
    rows = model.objects.filter(stay=OuterRef("pk"))  # type: ignore[attr-defined]
    if before is not None:
        rows = rows.filter(recorded_at__lt=before)
    return Subquery(rows.order_by("-recorded_at", "-id").values(field)[:1])


def ward_board(
    *,
    actor: Actor,
    filters: BoardFilters,
    today: dt.date,
    page_size: int | None = None,
) -> Board:
    """Current inpatients at the actor's hospital whom the actor may see, with
    what the board shows, sorted; with `page_size`, only the page the filters
    ask for (the last page when they ask for more). A fixed number of queries,
    whatever the number of patients; one audit entry."""
    if actor.role != Role.DISCHARGE_COORDINATOR:
        raise refusal_audited(
            actor, "ward_board", "the ward board is for discharge coordinators"
        )
    here = HospitalStay.objects.filter(
        organisation_id=actor.organisation_id, discharged_at__isnull=True
    )
    stays = here.filter(person__in=Person.objects.filter(people_visible_q(actor)))
    if filters.site:
        stays = stays.filter(site=filters.site)
    if filters.ward:
        stays = stays.filter(ward=filters.ward)
    stays = stays.annotate(
        r_ready_on=latest_for_stay(Readiness, "ready_on"),
        r_expected=latest_for_stay(Readiness, "expected_discharge_on"),
        r_pathway=latest_for_stay(Readiness, "expected_pathway"),
        d_reason=latest_for_stay(DelayReason, "reason"),
        d_agency=latest_for_stay(DelayReason, "agency"),
        d_id=latest_for_stay(DelayReason, "id"),
    )
    rows: list[BoardRow] = []
    delay_ids: list[int | None] = []
    # Plain values, not model instances: building a thousand of those costs
    # more than the query.
    for s in stays.values(*_BOARD_VALUES):
        ready_on = s["r_ready_on"]
        days = rules.delayed_days(ready_on, left_on=None, today=today)
        if filters.delayed == "yes" and days == 0:
            continue
        if filters.delayed == "no" and days > 0:
            continue
        rows.append(
            BoardRow(
                stay=BoardStay(
                    pk=s["id"],
                    site=s["site"],
                    ward=s["ward"],
                    admitted_at=s["admitted_at"],
                ),
                person=BoardPerson(
                    pk=s["person_id"],
                    given_name=s["person__given_name"],
                    family_name=s["person__family_name"],
                    given_name_norm=s["person__given_name_norm"],
                    family_name_norm=s["person__family_name_norm"],
                    nhs_number=s["person__nhs_number"],
                ),
                length_of_stay=rules.length_of_stay(
                    timezone.localdate(s["admitted_at"]), left_on=None, today=today
                ),
                expected_discharge_on=s["r_expected"],
                ready_on=ready_on,
                pathway=s["r_pathway"] or "",
                reason=s["d_reason"] or "",
                agency=s["d_agency"] or "",
                days_delayed=days,
            )
        )
        delay_ids.append(s["d_id"])
    key = _sort_key(filters.sort)
    order = sorted(
        range(len(rows)), key=lambda i: key(rows[i]), reverse=filters.descending
    )
    total = len(rows)
    pages, page = 1, 1
    if page_size:
        pages = max(1, -(-total // page_size))
        page = min(filters.page, pages)
        order = order[(page - 1) * page_size : page * page_size]
    # Hand-off tasks only for the rows shown.
    rows = _with_handoffs([rows[i] for i in order], [delay_ids[i] for i in order])
    options = list(here.values_list("site", "ward").distinct())
    audit_record(
        actor=actor,
        person_id=None,
        action="ward_board",
        category=AccessCategory.HEALTH,
        decision=Decision(True, f"{total} inpatients listed"),
    )
    return Board(
        rows=rows,
        total=total,
        page=page,
        pages=pages,
        sites=sorted({s for s, _ in options if s}),
        wards=sorted({w for s, w in options if w and s == (filters.site or s)}),
        filters=filters,
    )


def _with_handoffs(rows: list[BoardRow], delay_ids: list[int | None]) -> list[BoardRow]:
    """The rows with the hand-off task of each current delay (one query)."""
    refs = [str(d) for d in delay_ids if d is not None]
    found = {
        t.source_ref: t
        for t in Task.objects.filter(
            # Never an empty list, so the page always costs the same queries.
            source=TaskSource.DISCHARGE_DELAY,
            source_ref__in=refs or [""],
        ).select_related("assignee_organisation", "assignee_team")
    }
    return [
        replace(r, handoff=found.get(str(d))) if d is not None else r
        for r, d in zip(rows, delay_ids, strict=True)
    ]


def _sort_key(sort: str):
    far = dt.date.max
    keys = {
        "name": lambda r: (r.person.family_name_norm, r.person.given_name_norm),
        "ward": lambda r: (r.stay.site, r.stay.ward, r.person.family_name_norm),
        "los": lambda r: (r.length_of_stay, r.stay.pk),
        "expected": lambda r: (r.expected_discharge_on or far, r.stay.pk),
        "ready": lambda r: (r.ready_on or far, r.stay.pk),
        "delayed": lambda r: (r.days_delayed, r.stay.pk),
    }
    return keys[sort]


@dataclass(frozen=True)
class StayDetail:
    stay: HospitalStay
    readiness: list[Readiness]
    delays: list[DelayReason]
    notices: list
    days_delayed: int
    editable: bool
    handoffs: list[Task] = field(default_factory=list)

    @property
    def current_readiness(self) -> Readiness | None:
        return self.readiness[0] if self.readiness else None

    @property
    def current_delay(self) -> DelayReason | None:
        return self.delays[0] if self.delays else None


def _newest(row: Readiness | DelayReason) -> tuple[dt.datetime, int]:
    return (row.recorded_at, row.pk)


def stays_for_person(*, access: PersonAccess, today: dt.date) -> list[StayDetail]:
    """The person's hospital stays the opened record may show (health: all of
    them, or only the actor's organisation's when limited), newest first, with
    their readiness, delay history and notices."""
    if not access.may_read(AccessCategory.HEALTH):
        return []
    stays = HospitalStay.objects.filter(person_id=access.person.pk)
    if AccessCategory.HEALTH not in access.full_categories:
        stays = stays.filter(organisation_id=access.actor.organisation_id)
    found = list(
        stays.select_related("organisation")
        .prefetch_related(
            "readiness", "delay_reasons", "notices__council", "notices__message"
        )
        .order_by("-admitted_at")[:20]
    )
    handoffs: dict[str, Task] = {
        t.source_ref: t
        for t in tasks_for_stays([s.pk for s in found]).select_related(
            "assignee_organisation", "assignee_team"
        )
    }
    details = []
    for s in found:
        readiness = sorted(
            s.readiness.all(), key=lambda r: (r.recorded_at, r.pk), reverse=True
        )
        delays = sorted(
            s.delay_reasons.all(), key=lambda d: (d.recorded_at, d.pk), reverse=True
        )
        left_on = timezone.localdate(s.discharged_at) if s.discharged_at else None
        details.append(
            StayDetail(
                stay=s,
                readiness=readiness,
                delays=delays,
                notices=sorted(s.notices.all(), key=lambda n: n.kind),
                days_delayed=rules.delayed_days(
                    readiness[0].ready_on if readiness else None,
                    left_on=left_on,
                    today=today,
                ),
                editable=(
                    access.actor.role == Role.DISCHARGE_COORDINATOR
                    and s.organisation_id == access.actor.organisation_id
                    and s.discharged_at is None
                ),
                handoffs=[h for d in delays if (h := handoffs.get(str(d.pk)))],
            )
        )
    return details


def councils_list() -> list[Organisation]:
    return list(
        Organisation.objects.filter(type=OrganisationType.COUNCIL_ADULT_SOCIAL_CARE)
    )


def sites_for_actor(*, actor: Actor) -> list[str]:
    from joinedup.discharge.models import VirtualWard

    wards = VirtualWard.objects.filter(organisation_id=actor.organisation_id)
    return sorted(
        {
            s
            for s in HospitalStay.objects.filter(organisation_id=actor.organisation_id)
            .exclude(site="")
            .values_list("site", flat=True)
            .distinct()
        }
        | set(wards.values_list("site", flat=True))
    )


def stay_person_id(*, stay_id: int) -> int | None:
    """The person a stay belongs to (an id only), to show their page again after
    a form error; the page itself is opened through the access policy."""
    return (
        HospitalStay.objects.filter(pk=stay_id)
        .values_list("person_id", flat=True)
        .first()
    )
