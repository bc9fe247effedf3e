"""Reads of NHS continuing healthcare cases. Each takes the acting professional,
goes through the access policy and leaves one audit entry. CHC case data is
health and finance information."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Exists, F, OuterRef, Prefetch, Q, QuerySet

from joinedup.errors import AccessRefused, InvalidInput, NotFound
from joinedup.funding.models.chc import (
    OPEN_CASE_STATUSES,
    CaseStatus,
    ChcCase,
    ChcDispute,
    ChcReview,
)
from joinedup.governance.access import Actor, Decision, Scope, people_visible_q
from joinedup.governance.models import (
    AccessCategory,
    Organisation,
    OrganisationType,
    Role,
)
from joinedup.governance.services import audit_record
from joinedup.people.models import Person
from joinedup.people.selectors import PersonAccess, person_access_open

CHC_CATEGORIES = (AccessCategory.HEALTH, AccessCategory.FINANCE)


def _refuse(actor: Actor, action: str, reason: str) -> AccessRefused:
    audit_record(
        actor=actor,
        person_id=None,
        action=action,
        category=AccessCategory.HEALTH,
        decision=Decision(False, reason),
    )
    return AccessRefused(f"You cannot see this page: {reason}.")


def _with_records(cases: QuerySet[ChcCase]) -> QuerySet[ChcCase]:
    return cases.select_related(
        "icb",
        "opened_by",
        "opened_by_organisation",
        "checklist__completed_by",
        "dst",
        "recommendation",
        "decision__decided_by",
        "fast_track_form",
    ).prefetch_related(
        "dst__members",
        Prefetch(
            "disputes",
            queryset=ChcDispute.objects.select_related("council", "interim")
            .prefetch_related("stages")
            .order_by("raised_on", "pk"),
        ),
        Prefetch("reviews", queryset=ChcReview.objects.order_by("due_on", "pk")),
    )


def may_read_chc(access: PersonAccess) -> bool:
    return all(access.may_read(c) for c in CHC_CATEGORIES)


def cases_for_person(*, access: PersonAccess) -> list[ChcCase]:
    """The person's CHC cases, newest first, for an opened record. Empty when
    health or finance information is not shared with the actor; only the
    actor's own ICB's cases when a consent objection limits them to their own
    organisation's records."""
    if not may_read_chc(access):
        return []
    cases = ChcCase.objects.filter(person_id=access.person.pk)
    if any(access.decisions[c].scope == Scope.OWN_ORGANISATION for c in CHC_CATEGORIES):
        cases = cases.filter(
            Q(icb_id=access.actor.organisation_id)
            | Q(opened_by_organisation_id=access.actor.organisation_id)
        )
    return list(_with_records(cases).order_by("-opened_at", "-pk"))


def case_open(
    *, actor: Actor, case_id: int, action: str
) -> tuple[ChcCase, PersonAccess]:
    """One case, after opening its person's record (one audit entry)."""
    person_id = (
        ChcCase.objects.filter(pk=case_id).values_list("person_id", flat=True).first()
    )
    if person_id is None:
        raise NotFound(
            f"case: there is no CHC case with id {case_id}",
            fields={"case": "no such case"},
        )
    access = person_access_open(actor=actor, person_id=person_id, action=action)
    cases = [c for c in cases_for_person(access=access) if c.pk == case_id]
    if not cases:
        raise AccessRefused(
            "You cannot see this case: health and finance information about this "
            "person is not shared with you."
        )
    return cases[0], access


def case_ids(
    *, dispute_id: int | None = None, review_id: int | None = None
) -> tuple[int, int] | None:
    """(case id, person id) of a dispute or a review, to route a page to the
    case (which is then opened through the access policy); None if unknown."""
    if dispute_id is not None:
        return (
            ChcDispute.objects.filter(pk=dispute_id)
            .values_list("case_id", "case__person_id")
            .first()
        )
    if review_id is not None:
        return (
            ChcReview.objects.filter(pk=review_id)
            .values_list("case_id", "case__person_id")
            .first()
        )
    return None


def case_person_id(*, case_id: int) -> int | None:
    return (
        ChcCase.objects.filter(pk=case_id).values_list("person_id", flat=True).first()
    )


def case_after_write(*, case_id: int) -> ChcCase:
    """The case with its records, to answer a write that the actor was just
    allowed to make (the write opened the record and left the audit entry)."""
    return _with_records(ChcCase.objects.filter(pk=case_id)).get()


@dataclass(frozen=True)
class CaseRow:
    case: ChcCase
    person: Person | None  # None when the actor may no longer see the person
    days_elapsed: int | None
    breached: bool


@dataclass(frozen=True)
class Dashboard:
    open_cases: list[CaseRow]
    breaches: list[CaseRow]
    decided_count: int
    reviews_due: list[ChcReview]


def dashboard_get(*, actor: Actor, today: dt.date, breach_days: int = 365) -> Dashboard:
    """The ICB's CHC dashboard for its CHC nurse assessors: open cases with the
    28-day clock, the breaches of the last year with their reasons, and the
    reviews due. A fixed number of queries; one audit entry."""
    if actor.role != Role.CHC_ASSESSOR:
        raise _refuse(
            actor, "chc_dashboard", "the CHC dashboard is for CHC nurse assessors"
        )
    visible = Exists(
        Person.objects.filter(people_visible_q(actor), pk=OuterRef("person_id"))
    )
    mine = ChcCase.objects.filter(icb_id=actor.organisation_id).annotate(
        visible=visible
    )
    open_cases = list(
        mine.filter(status__in=OPEN_CASE_STATUSES, visible=True)
        .select_related("person")
        .order_by(F("due_on").asc(nulls_last=True), "opened_at", "pk")
    )
    since = today - dt.timedelta(days=breach_days)
    breaches = list(
        mine.filter(
            Q(decided_on__gt=F("due_on"), decided_on__gte=since)
            | Q(status__in=OPEN_CASE_STATUSES, due_on__lt=today)
            | Q(status=CaseStatus.CLOSED, due_on__lt=today, closed_at__date__gte=since)
        )
        .select_related("person")
        .order_by("due_on", "pk")
    )
    reviews = list(
        ChcReview.objects.filter(
            case__icb_id=actor.organisation_id,
            reviewed_on__isnull=True,
            due_on__lte=today + dt.timedelta(days=30),
        )
        .filter(
            Exists(
                Person.objects.filter(
                    people_visible_q(actor), pk=OuterRef("case__person_id")
                )
            )
        )
        .select_related("case__person")
        .order_by("due_on", "pk")
    )
    decided = mine.filter(status=CaseStatus.DECIDED).count()
    audit_record(
        actor=actor,
        person_id=None,
        action="chc_dashboard",
        category=AccessCategory.HEALTH,
        decision=Decision(True, f"{len(open_cases)} open CHC cases on the dashboard"),
    )

    def row(c: ChcCase) -> CaseRow:
        return CaseRow(
            case=c,
            person=c.person if c.visible else None,  # type: ignore[attr-defined]
            days_elapsed=c.days_elapsed(today),
            breached=c.breached(today),
        )

    breach_rows = [r for r in (row(c) for c in breaches) if r.breached]
    return Dashboard(
        open_cases=[row(c) for c in open_cases],
        breaches=breach_rows,
        decided_count=decided,
        reviews_due=reviews,
    )


def cases_list(
    *, actor: Actor, status: str = "", today: dt.date, limit: int = 200
) -> list[CaseRow]:
    """Cases the actor works (their ICB's) or opened (their organisation's
    referrals), of people they may see; for the REST list. One audit entry."""
    if status and status not in CaseStatus.values:
        raise InvalidInput.for_field(
            "status", "choose one of: " + ", ".join(CaseStatus.values)
        )
    if not 1 <= limit <= 500:
        raise InvalidInput.for_field("limit", "must be between 1 and 500")
    cases = ChcCase.objects.filter(
        Q(icb_id=actor.organisation_id)
        | Q(opened_by_organisation_id=actor.organisation_id),
        person__in=Person.objects.filter(people_visible_q(actor)),
    )
    if status:
        cases = cases.filter(status=status)
    found = list(
        cases.select_related("person", "icb").order_by("-opened_at", "-pk")[:limit]
    )
    audit_record(
        actor=actor,
        person_id=None,
        action="chc_cases_list",
        category=AccessCategory.HEALTH,
        decision=Decision(True, f"{len(found)} CHC cases"),
    )
    return [
        CaseRow(c, c.person, c.days_elapsed(today), c.breached(today)) for c in found
    ]


def icbs_list() -> list[Organisation]:
    return list(Organisation.objects.filter(type=OrganisationType.ICB).order_by("name"))


def councils_list() -> list[Organisation]:
    return list(
        Organisation.objects.filter(
            type__in=(
                OrganisationType.COUNCIL_ADULT_SOCIAL_CARE,
                OrganisationType.COUNCIL_CHILDRENS_SERVICES,
            )
        ).order_by("name")
    )


def dst_members(dst: object) -> list:
    """The MDT members of a decision support tool record, in the order entered
    (prefetched by the case selectors)."""
    return list(dst.members.all())  # type: ignore[attr-defined]
