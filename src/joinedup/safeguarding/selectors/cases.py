"""Reads of safeguarding cases, the flag, and the dashboard's clocks."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Count, F, Q

from joinedup.governance.access import Actor
from joinedup.governance.models import AccessCategory, Organisation
from joinedup.people.selectors import PersonAccess, person_access_open
from joinedup.safeguarding import rules
from joinedup.safeguarding.models import (
    AdultConcern,
    CaseKind,
    CaseMember,
    ChildCase,
    ChildCaseStatus,
    ChildProtectionPlan,
    ConcernStatus,
    FamilyMember,
    ProtectionFlag,
)


@dataclass(frozen=True)
class Notice:
    """That a case exists and whom to contact; `content` only for those who may
    see it (None otherwise)."""

    kind: str
    case_id: int
    label: str
    contact: Organisation
    content: object | None = None


@dataclass(frozen=True)
class FlagNotice:
    kind: str
    label: str
    contact_name: str
    contact_phone: str
    since: dt.date


@dataclass
class PersonSafeguarding:
    access: PersonAccess
    notices: list[Notice] = field(default_factory=list)
    flags: list[FlagNotice] = field(default_factory=list)


def member_cases(actor: Actor, person_id: int) -> set[tuple[str, int]]:
    return set(
        CaseMember.objects.filter(
            person_id=person_id, user_id=actor.user_id, ended_at__isnull=True
        ).values_list("case_kind", "case_id")
    )


def may_see_content(
    access: PersonAccess,
    *,
    kind: str,
    case_id: int,
    owner_id: int,
    involved: set[int],
    members: set[tuple[str, int]],
) -> bool:
    actor = access.actor
    return rules.content_visible(
        record_allowed=access.may_read(AccessCategory.SAFEGUARDING),
        is_member=(kind, case_id) in members,
        owns_case=actor.organisation_id == owner_id,
        is_safeguarding_lead=actor.role == "safeguarding_lead",
        lead_organisation_involved=actor.organisation_id in involved,
    )


def flags_for(access: PersonAccess) -> list[FlagNotice]:
    """The flags of an opened record: that a plan exists and the contact."""
    if not access.may_read(AccessCategory.DEMOGRAPHICS):
        return []
    return [
        FlagNotice(
            kind=f.kind,
            label=f.get_kind_display(),
            contact_name=f.council.name,
            contact_phone=f.contact_phone,
            since=f.started_on,
        )
        for f in ProtectionFlag.objects.select_related("council").filter(
            person_id=access.person.pk, ended_on__isnull=True
        )
    ]


def person_safeguarding_get(*, actor: Actor, person_id: int) -> PersonSafeguarding:
    """A person's safeguarding: one audited opening of the record, then each
    case as a notice, with its content only where the actor may see it. Cases
    where the person is the alleged perpetrator are never shown on their record."""
    access = person_access_open(
        actor=actor, person_id=person_id, action="safeguarding_view"
    )
    members = member_cases(actor, person_id)
    result = PersonSafeguarding(access=access, flags=flags_for(access))
    for concern in AdultConcern.objects.select_related("council", "enquiry").filter(
        person_id=person_id
    ):
        involved = {concern.council_id, concern.raised_by_organisation_id}
        may = may_see_content(
            access, kind=CaseKind.ADULT, case_id=concern.pk,
            owner_id=concern.council_id, involved=involved, members=members,
        )  # fmt: skip
        result.notices.append(
            Notice(
                CaseKind.ADULT,
                concern.pk,
                f"Adult safeguarding concern ({concern.get_status_display().lower()})",
                concern.council,
                concern if may else None,
            )
        )
    for case in ChildCase.objects.select_related("council").filter(person_id=person_id):
        involved = {case.council_id, case.referred_by_organisation_id}
        may = may_see_content(
            access, kind=CaseKind.CHILD, case_id=case.pk,
            owner_id=case.council_id, involved=involved, members=members,
        )  # fmt: skip
        result.notices.append(
            Notice(
                CaseKind.CHILD,
                case.pk,
                f"Children's social care ({case.get_status_display().lower()})",
                case.council,
                case if may else None,
            )
        )
    return result


def adult_concern_get(*, actor: Actor, concern_id: int) -> tuple[AdultConcern, bool]:
    """The concern and whether its content may be shown (audited opening)."""
    from joinedup.errors import NotFound

    concern = (
        AdultConcern.objects.select_related("council", "raised_by_organisation")
        .filter(pk=concern_id)
        .first()
    )
    if concern is None:
        raise NotFound(
            "concern: no such concern", fields={"concern": "no such concern"}
        )
    access = person_access_open(
        actor=actor, person_id=concern.person_id, action="safeguarding_concern_view"
    )
    may = may_see_content(
        access, kind=CaseKind.ADULT, case_id=concern.pk, owner_id=concern.council_id,
        involved={concern.council_id, concern.raised_by_organisation_id},
        members=member_cases(actor, concern.person_id),
    )  # fmt: skip
    return concern, may


def child_case_get(*, actor: Actor, case_id: int) -> tuple[ChildCase, bool]:
    from joinedup.errors import NotFound

    case = ChildCase.objects.select_related("council").filter(pk=case_id).first()
    if case is None:
        raise NotFound("case: no such case", fields={"case": "no such case"})
    access = person_access_open(
        actor=actor, person_id=case.person_id, action="safeguarding_case_view"
    )
    may = may_see_content(
        access, kind=CaseKind.CHILD, case_id=case.pk, owner_id=case.council_id,
        involved={case.council_id, case.referred_by_organisation_id},
        members=member_cases(actor, case.person_id),
    )  # fmt: skip
    return case, may


def family_view_get(*, actor: Actor, family_id: int) -> list[tuple[object, object]]:
    """Each member of a family with their involvement, as the policy allows per
    member: a member the actor may not see is listed without details."""
    from joinedup.errors import AccessRefused

    rows: list[tuple[object, object]] = []
    for member in FamilyMember.objects.select_related("person").filter(
        family_id=family_id
    ):
        try:
            rows.append(
                (
                    member,
                    person_safeguarding_get(actor=actor, person_id=member.person_id),
                )
            )
        except AccessRefused:
            rows.append((member, None))
    return rows


@dataclass(frozen=True)
class Breach:
    clock: str
    case_kind: str
    case_id: int
    due_on: dt.date


@dataclass
class Dashboard:
    open_adult: int
    open_child: int
    plans: int
    counts: dict[str, int]
    breaches: list[Breach]


def _late(due: str, met: str, today: dt.date) -> Q:
    """`rules.Clock.breached` in SQL: not met and past due, or met after it."""
    return Q(**{f"{met}__isnull": True, f"{due}__lt": today}) | Q(
        **{f"{met}__gt": F(due)}
    )


def dashboard_get(*, actor: Actor, today: dt.date, limit: int = 100) -> Dashboard:
    """The clocks of the actor's organisation's open cases and their breaches:
    ids and dates only (no person data). Counted in the database (a fixed
    number of queries, whatever the caseload); the oldest `limit` breaches of
    each clock are read, then merged."""
    org = actor.organisation_id
    open_adult = (
        AdultConcern.objects.filter(council_id=org)
        .exclude(status=ConcernStatus.CLOSED)
        .count()
    )
    cases = ChildCase.objects.filter(council_id=org).exclude(
        status=ChildCaseStatus.CLOSED
    )
    late_decision = _late("decision_due_on", "decided_on", today)
    late_icpc = Q(icpc_due_on__isnull=False) & _late(
        "icpc_due_on", "icpc_held_on", today
    )
    totals = cases.aggregate(
        open_child=Count("pk"),
        referral_decision=Count("pk", filter=late_decision),
        icpc=Count("pk", filter=late_icpc),
    )
    plans_q = ChildProtectionPlan.objects.filter(
        case__council_id=org, ended_on__isnull=True
    )
    late_review = Q(next_review_due_on__lt=today)
    plan_totals = plans_q.aggregate(
        plans=Count("pk"), review_conference=Count("pk", filter=late_review)
    )
    counts = {
        "referral_decision": totals["referral_decision"],
        "icpc": totals["icpc"],
        "review_conference": plan_totals["review_conference"],
    }
    breaches = [
        Breach("referral_decision", CaseKind.CHILD, pk, due)
        for pk, due in cases.filter(late_decision)
        .order_by("decision_due_on", "pk")
        .values_list("pk", "decision_due_on")[:limit]
    ]
    breaches += [
        Breach("icpc", CaseKind.CHILD, pk, due)
        for pk, due in cases.filter(late_icpc, icpc_due_on__isnull=False)
        .order_by("icpc_due_on", "pk")
        .values_list("pk", "icpc_due_on")[:limit]
        if due is not None  # always: filtered above
    ]
    breaches += [
        Breach("review_conference", CaseKind.CHILD, case_id, due)
        for case_id, due in plans_q.filter(late_review)
        .order_by("next_review_due_on", "case_id")
        .values_list("case_id", "next_review_due_on")[:limit]
    ]
    breaches.sort(key=lambda b: (b.due_on, b.case_id))
    return Dashboard(
        open_adult,
        totals["open_child"],
        plan_totals["plans"],
        counts,
        breaches[:limit],
    )


def council_queue(*, actor: Actor) -> list[AdultConcern | ChildCase]:
    """Concerns and referrals awaiting this organisation's decision (ids only
    are shown; the page links to each, which opens the record)."""
    adults: list[AdultConcern | ChildCase] = list(
        AdultConcern.objects.filter(
            council_id=actor.organisation_id, status=ConcernStatus.RAISED
        ).order_by("raised_at")[:200]
    )
    children = list(
        ChildCase.objects.filter(council_id=actor.organisation_id)
        .filter(~Q(status=ChildCaseStatus.CLOSED))
        .order_by("received_on")[:200]
    )
    return adults + children
