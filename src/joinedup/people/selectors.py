"""Every read of person data in the person index. Each selector takes the acting
professional and goes through the access policy; each leaves an audit entry."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.paginator import EmptyPage, Page, Paginator
from django.db.models import QuerySet
from django.utils import timezone

from joinedup.errors import AccessRefused, InvalidInput, NotFound
from joinedup.governance.access import (
    Actor,
    Decision,
    Scope,
    decide,
    facts_annotations,
    facts_gather,
    may_break_glass,
    may_claim_relationship,
    people_visible_q,
)
from joinedup.governance.models import (
    SEALED_CATEGORIES,
    AccessCategory,
    AuditEntry,
    Role,
)
from joinedup.governance.secondary_use import Purpose, opted_out_excluded, suppress
from joinedup.governance.services import audit_record
from joinedup.people.models import Person
from joinedup.people.search import SearchQuery

PAGE_SIZE_MAX = 100


def page_of(queryset: QuerySet, *, page: int, page_size: int) -> Page:
    if page < 1:
        raise InvalidInput.for_field("page", "must be 1 or more")
    if not 1 <= page_size <= PAGE_SIZE_MAX:
        raise InvalidInput.for_field(
            "page_size", f"must be between 1 and {PAGE_SIZE_MAX}"
        )
    paginator = Paginator(queryset, page_size, allow_empty_first_page=True)
    try:
        return paginator.page(page)
    except EmptyPage:
        raise InvalidInput.for_field(
            "page", f"there are only {paginator.num_pages} pages"
        ) from None


def person_search(
    *, actor: Actor, query: SearchQuery, page: int = 1, page_size: int = 25
) -> Page:
    """People matching the search that the actor may see (and only those: a person
    outside the actor's relationships is never revealed, not even as a count)."""
    people = Person.objects.select_related("registered_gp").filter(
        people_visible_q(actor), merged_into__isnull=True
    )
    if query.nhs_number:
        people = people.filter(nhs_number=query.nhs_number)
    if query.birth_date:
        people = people.filter(birth_date=query.birth_date)
    if query.family:
        people = people.filter(family_name_norm__startswith=query.family)
    if query.given:
        people = people.filter(given_name_norm__startswith=query.given)
    result = page_of(
        people.order_by("family_name_norm", "given_name_norm", "birth_date", "pk"),
        page=page,
        page_size=page_size,
    )
    audit_record(
        actor=actor,
        person_id=None,
        action="search",
        category=AccessCategory.DEMOGRAPHICS,
        decision=Decision(True, f"{result.paginator.count} results"),
    )
    return result


def person_list(*, actor: Actor, page: int = 1, page_size: int = 25) -> Page:
    """Every person the actor may see (the same rule as the search, so nobody
    outside their relationships is revealed), one page at a time in a stable
    order (family name, given name, date of birth, id). One audit entry per page
    read: a list access, with no person named in it."""
    people = Person.objects.select_related("registered_gp").filter(
        people_visible_q(actor), merged_into__isnull=True
    )
    result = page_of(
        people.order_by("family_name_norm", "given_name_norm", "birth_date", "pk"),
        page=page,
        page_size=page_size,
    )
    audit_record(
        actor=actor,
        person_id=None,
        action="list",
        category=AccessCategory.DEMOGRAPHICS,
        decision=Decision(
            True,
            f"page {result.number} of {result.paginator.num_pages}: "
            f"{len(result.object_list)} of {result.paginator.count} people",
        ),
    )
    return result


@dataclass(frozen=True)
class SealedNotice:
    category: str
    organisation_name: str
    contact_phone: str


@dataclass
class PersonAccess:
    """An opened record: the person, the relationship relied on and, per
    category, whether the actor may read it all or only their own organisation's
    records. Made only by `person_access_open`."""

    actor: Actor
    person: Person
    via: str
    allowed_categories: frozenset[str]
    decisions: dict[str, Decision] = field(default_factory=dict)
    break_glass_until: dt.datetime | None = None

    def may_read(self, category: str) -> bool:
        return category in self.allowed_categories

    @property
    def full_categories(self) -> list[str]:
        return sorted(
            c for c in self.allowed_categories if self.decisions[c].scope == Scope.ALL
        )

    @property
    def own_organisation_categories(self) -> list[str]:
        return sorted(
            c
            for c in self.allowed_categories
            if self.decisions[c].scope == Scope.OWN_ORGANISATION
        )

    @property
    def limited(self) -> list[Decision]:
        """Categories limited to the actor's own records by an objection."""
        return [
            d
            for c, d in self.decisions.items()
            if d.scope == Scope.OWN_ORGANISATION and c not in SEALED_CATEGORIES
        ]


@dataclass(frozen=True)
class RefusalHelp:
    """What a refused professional can do next, in plain words."""

    reason: str
    person_id: int
    may_break_glass: bool
    may_claim: bool


class RecordRefused(AccessRefused):
    def __init__(self, detail: str, *, help: RefusalHelp) -> None:
        super().__init__(detail)
        self.help = help


def _audit_categories(decisions: dict[str, Decision]) -> str:
    """The categories read, for the one audit entry of an opened record; those
    limited to the actor's own organisation's records are marked with "*"."""
    return ",".join(
        c + ("*" if d.scope == Scope.OWN_ORGANISATION else "")
        for c, d in decisions.items()
        if d.allowed
    )


def _audit_summary(decisions: dict[str, Decision]) -> Decision:
    base = decisions[AccessCategory.DEMOGRAPHICS]
    if not base.allowed:
        return base
    refused = [c for c, d in decisions.items() if not d.allowed]
    reason = base.reason + (f"; refused: {', '.join(refused)}" if refused else "")
    return Decision(True, reason, base.via)


def person_access_open(*, actor: Actor, person_id: int, action: str) -> PersonAccess:
    """Decide, for every category, whether the actor may read this person's record,
    write one audit entry (the categories read, or why the record was refused),
    and return the opened record; raise RecordRefused (an
    AccessRefused) when the actor may not see the person at all and NotFound for an
    unknown person."""
    person = (
        Person.objects.select_related("registered_gp", "about_me")
        .annotate(**facts_annotations(actor))
        .filter(pk=person_id)
        .first()
    )
    if person is None:
        raise NotFound(
            f"person: there is no person with id {person_id}",
            fields={"id": "no such person"},
        )
    facts = facts_gather(actor, person)
    decisions = {
        category: decide(actor, person, action, category, facts)
        for category in AccessCategory.values
    }
    base = decisions[AccessCategory.DEMOGRAPHICS]
    audit_record(
        actor=actor,
        person_id=person.pk,
        action=action,
        category=(
            _audit_categories(decisions)
            if base.allowed
            else AccessCategory.DEMOGRAPHICS
        ),
        decision=_audit_summary(decisions),
    )
    if not base.allowed:
        raise RecordRefused(
            f"You cannot see this person's record: {base.reason}.",
            help=RefusalHelp(
                reason=base.reason,
                person_id=person.pk,
                may_break_glass=may_break_glass(actor),
                may_claim=may_claim_relationship(actor),
            ),
        )
    return PersonAccess(
        actor=actor,
        person=person,
        via=base.via,
        allowed_categories=frozenset(c for c, d in decisions.items() if d.allowed),
        decisions=decisions,
        break_glass_until=facts.break_glass_until,
    )


@dataclass(frozen=True)
class PersonRecord:
    """What the shared record page and the API show about a person."""

    access: PersonAccess
    identifiers: list
    previous_names: list
    previous_addresses: list
    involvements: list
    sealed: list[SealedNotice]


def person_record_get(*, access: PersonAccess) -> PersonRecord:
    from joinedup.record.models import Event

    person = access.person
    identifiers = list(
        person.identifiers.select_related("source_system").order_by("system")
    )
    previous_names = [n for n in person.names.all() if n.period_end is not None]
    previous_addresses = [a for a in person.addresses.all() if a.period_end is not None]
    involvements = list(
        person.involvements.select_related("organisation").order_by("kind")
    )
    sealed_rows = (
        Event.objects.filter(person=person, category__in=SEALED_CATEGORIES)
        .exclude(organisation_id=access.actor.organisation_id)
        .values_list("category", "organisation__name", "organisation__contact_phone")
        .distinct()
        .order_by("category", "organisation__name")
    )
    return PersonRecord(
        access=access,
        identifiers=identifiers,
        previous_names=previous_names,
        previous_addresses=previous_addresses,
        involvements=involvements,
        sealed=[SealedNotice(*row) for row in sealed_rows],
    )


@dataclass(frozen=True)
class AreaFigure:
    label: str
    count: int

    @property
    def shown(self) -> str:
        return suppress(self.count, purpose=Purpose.PLANNING)


def area_figures(*, actor: Actor, today: dt.date) -> list[AreaFigure]:
    """Aggregate figures for commissioners: no person is identifiable; people with a
    national data opt-out are excluded (secondary use) and small numbers are
    suppressed."""
    from joinedup.record.models import Event, EventKind

    people = Person.objects.filter(
        national_data_opt_out=False, deceased_on__isnull=True
    )
    over_65 = today.replace(year=today.year - 65)
    since = timezone.now() - dt.timedelta(days=30)
    figures = [
        AreaFigure("People in the area", people.count()),
        AreaFigure(
            "People aged 65 and over", people.filter(birth_date__lte=over_65).count()
        ),
        AreaFigure(
            "People known to adult social care",
            people.filter(involvements__kind="social_care_client").distinct().count(),
        ),
        AreaFigure(
            "Emergency and elective admissions in the last 30 days",
            opted_out_excluded(
                Event.objects.filter(kind=EventKind.ADMISSION, occurred_at__gte=since),
                purpose=Purpose.PLANNING,
                person_field="person",
            ).count(),
        ),
    ]
    audit_record(
        actor=actor,
        person_id=None,
        action="area_figures",
        category=AccessCategory.DEMOGRAPHICS,
        decision=Decision(True, "aggregate figures, opt-outs excluded"),
    )
    return figures


def person_id_for_nhs_number(*, nhs_number: str) -> int | None:
    """The id of the person with this NHS number, for emergency access and access
    reports only: both are audited by their callers and reveal nothing else."""
    return (
        Person.objects.filter(nhs_number=nhs_number)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )


def consent_history(*, access: PersonAccess) -> list:
    """The person's consent and objection records, newest first."""
    from joinedup.governance.models import ConsentRecord

    return list(
        ConsentRecord.objects.select_related("organisation", "recorded_by")
        .filter(person_id=access.person.pk)
        .order_by("-recorded_at", "-id")
    )


def person_access_report(
    *, actor: Actor, person_id: int, limit: int = 5000
) -> list[AuditEntry]:
    """Who accessed the person's record, what and when, newest first: for a
    subject access request. IG leads only; the report itself is audited."""
    if actor.role != Role.IG_LEAD:
        raise AccessRefused("Only information governance leads can see this.")
    from joinedup.people.merge import person_ids_for_access_report

    if not Person.objects.filter(pk=person_id).exists():
        raise NotFound(f"person: there is no person with id {person_id}")
    entries = list(
        AuditEntry.objects.select_related("actor", "organisation")
        .filter(person_id__in=person_ids_for_access_report(person_id=person_id))
        .order_by("-seq")[:limit]
    )
    audit_record(
        actor=actor,
        person_id=person_id,
        action="access_report",
        category=AccessCategory.DEMOGRAPHICS,
        decision=Decision(True, "subject access: who has seen this record"),
    )
    return entries
