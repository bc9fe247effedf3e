"""Every read in the person's own view. Each page opens the record once with
`own_record_open`, which checks the portal principal (the person, or a proxy
whose authority is in force today) and writes one audit entry; the page's
reader then takes the opened record. Categories the principal may not see
(`hidden`: sealed safeguarding and sexual health for a proxy, and for the
person what JOINEDUP_PORTAL_SEALED_FROM_PERSON seals) never leave here."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.conf import settings
from django.core.paginator import Page, Paginator
from django.db.models import Count, Max, Q
from django.utils import timezone

from joinedup.errors import AccessRefused, NotFound
from joinedup.governance.access import Decision, PortalPrincipal, Via
from joinedup.governance.models import (
    SEALED_CATEGORIES,
    AccessCategory,
    AuditEntry,
    AuditOutcome,
    ConsentRecord,
    Organisation,
    PrincipalRole,
    Role,
)
from joinedup.governance.services import audit_record
from joinedup.people.models import AboutMe, Person
from joinedup.portal.auth.backends import PortalIdentity
from joinedup.portal.models import AboutMeChange, AccessQuestion, ProxyAuthority

# --- the principal -----------------------------------------------------------------


def authority_in_force(
    *, proxy_id: int, person_id: int, today: dt.date | None = None
) -> ProxyAuthority | None:
    """The proxy's recorded authority for the person that is in force today
    (started, not ended, not revoked), or None."""
    today = today or timezone.localdate()
    return (
        ProxyAuthority.objects.filter(
            proxy_id=proxy_id,
            person_id=person_id,
            starts_on__lte=today,
            ends_on__gte=today,
            revoked_at__isnull=True,
        )
        .order_by("-ends_on", "pk")
        .first()
    )


@dataclass(frozen=True)
class Choice:
    person_id: int
    name: str
    authority: str  # "" for the person themselves
    until: dt.date | None


def records_to_choose(*, identity: PortalIdentity) -> list[Choice]:
    """Whose record the signed-in identity may open: their own, and each person
    they hold an authority for that is in force today. Each person listed is
    audited (the proxy sees their names)."""
    choices: list[Choice] = []
    if identity.person_id is not None:
        person = Person.objects.filter(pk=identity.person_id).first()
        if person is not None:
            choices.append(Choice(person.pk, "Your own record", "", None))
    if identity.proxy_id is not None:
        today = timezone.localdate()
        for authority in (
            ProxyAuthority.objects.select_related("person")
            .filter(
                proxy_id=identity.proxy_id,
                starts_on__lte=today,
                ends_on__gte=today,
                revoked_at__isnull=True,
            )
            .order_by("person__family_name", "pk")
        ):
            choices.append(
                Choice(
                    authority.person_id,
                    f"{authority.person.given_name} {authority.person.family_name}",
                    authority.get_kind_display(),
                    authority.ends_on,
                )
            )
            audit_record(
                actor=PortalPrincipal(
                    person_id=authority.person_id,
                    role=PrincipalRole.PROXY,
                    authority_id=authority.pk,
                    proxy_id=identity.proxy_id,
                ),
                person_id=authority.person_id,
                action="portal_choose",
                category=AccessCategory.DEMOGRAPHICS,
                decision=Decision(
                    True, "proxy authority in force", f"proxy_authority:{authority.pk}"
                ),
            )
    return choices


# --- opening the record ------------------------------------------------------------


@dataclass(frozen=True)
class OwnRecord:
    """A record opened in the person's own view: made only by `own_record_open`."""

    principal: PortalPrincipal
    person: Person
    hidden: frozenset[str]
    authority: ProxyAuthority | None

    @property
    def visible(self) -> list[str]:
        return [c for c in AccessCategory.values if c not in self.hidden]

    @property
    def is_proxy(self) -> bool:
        return self.principal.role == PrincipalRole.PROXY


def hidden_categories(principal: PortalPrincipal) -> frozenset[str]:
    """What the principal never sees: for a proxy, every sealed category
    (safeguarding, sexual health); for the person, what local policy seals
    from them (JOINEDUP_PORTAL_SEALED_FROM_PERSON, safeguarding by default:
    a concern can put the person at risk if disclosed)."""
    sealed_from_person = frozenset(settings.JOINEDUP_PORTAL_SEALED_FROM_PERSON)
    if principal.role == PrincipalRole.PROXY:
        return frozenset(SEALED_CATEGORIES) | sealed_from_person
    return sealed_from_person


def own_record_open(
    *, principal: PortalPrincipal, action: str, categories: tuple[str, ...]
) -> OwnRecord:
    """Check the principal may open the record now and write one audit entry for
    the categories the page reads (minus those hidden from the principal).
    Raises AccessRefused (audited) when a proxy's authority is not in force, and
    NotFound for a record that no longer exists."""
    person = (
        Person.objects.select_related("registered_gp")
        .filter(pk=principal.person_id, merged_into__isnull=True)
        .first()
    )
    if person is None:
        raise NotFound("This record is no longer available.")
    authority = None
    if principal.role == PrincipalRole.PROXY:
        authority = (
            authority_in_force(proxy_id=principal.proxy_id, person_id=person.pk)
            if principal.proxy_id is not None
            else None
        )
        if authority is None or authority.pk != principal.authority_id:
            audit_record(
                actor=principal,
                person_id=person.pk,
                action=action,
                category=AccessCategory.DEMOGRAPHICS,
                decision=Decision(False, "proxy authority not in force", principal.via),
            )
            raise AccessRefused(
                "Your authority to act for this person has ended "
                "or is not yet in force."
            )
        reason = f"proxy: {authority.get_kind_display().lower()}"[:200]
    elif principal.role == PrincipalRole.PERSON:
        reason = "the person's own record"
    else:  # unreachable: the session makes only these two
        raise AccessRefused("Sign in to see your record.")
    hidden = hidden_categories(principal)
    read = [c for c in categories if c not in hidden]
    audit_record(
        actor=principal,
        person_id=person.pk,
        action=action,
        category=",".join(read) or AccessCategory.DEMOGRAPHICS,
        decision=Decision(True, reason, principal.via),
    )
    return OwnRecord(principal, person, hidden, authority)


# --- About me ----------------------------------------------------------------------


@dataclass(frozen=True)
class AboutMeView:
    about: AboutMe | None
    changes: list[AboutMeChange]

    def value(self, key: str) -> str:
        return getattr(self.about, key, "") if self.about else ""


def about_me_get(*, record: OwnRecord) -> AboutMeView:
    about = AboutMe.objects.filter(person=record.person).first()
    changes = list(
        AboutMeChange.objects.select_related("authority__proxy").filter(
            person=record.person
        )[:10]
    )
    return AboutMeView(about, changes)


# --- the care and support plan ---------------------------------------------------


@dataclass(frozen=True)
class PlanAction:
    description: str
    owner: str
    organisation: str
    due_on: dt.date | None
    status: str


@dataclass(frozen=True)
class PlanSummary:
    goals: list[str]
    actions: list[PlanAction]
    contingency: str
    review_on: dt.date | None
    updated_at: dt.datetime


def plan_get(*, record: OwnRecord) -> PlanSummary | None:
    """The current version of the care and support plan: goals in the person's
    words, each action with who owns it, their organisation and the state of its
    task. None when there is no plan (or the plan's category is hidden)."""
    from joinedup.coordination.models import CarePlan, CarePlanVersion, Task
    from joinedup.governance.models import User

    if "social_care" in record.hidden:
        return None
    plan = CarePlan.objects.filter(person=record.person).first()
    if plan is None:
        return None
    current = (
        CarePlanVersion.objects.filter(plan=plan, number=plan.current_version).first()
        or CarePlanVersion.objects.filter(plan=plan).order_by("-number").first()
    )
    if current is None:
        return None
    users = User.objects.in_bulk({a.get("owner_user") or 0 for a in current.actions})
    orgs = Organisation.objects.in_bulk(
        {a.get("owner_organisation") or 0 for a in current.actions}
    )
    tasks = Task.objects.in_bulk({a.get("task") or 0 for a in current.actions})

    def owner(pk: int | None) -> str:
        user = users.get(pk or 0)
        return (user.get_full_name() or user.username) if user else ""

    actions = []
    for a in current.actions:
        task = tasks.get(a.get("task") or 0)
        org = orgs.get(a.get("owner_organisation") or 0)
        actions.append(
            PlanAction(
                description=a.get("description", ""),
                owner=owner(a.get("owner_user")),
                organisation=org.name if org else "",
                due_on=dt.date.fromisoformat(a["due_on"]) if a.get("due_on") else None,
                status=task.get_status_display() if task else "",
            )
        )
    return PlanSummary(
        goals=[g.get("text", "") for g in current.goals],
        actions=actions,
        contingency=current.contingency,
        review_on=current.review_on,
        updated_at=plan.updated_at,
    )


# --- appointments and reviews -----------------------------------------------------

# Tasks the person is shown as coming up: those made by their plan, reviews and
# assessments. Other tasks (work between professionals, and any kind added
# later, such as a safeguarding enquiry) stay out unless added here.
UPCOMING_TASK_SOURCES = ("care_plan_action", "chc_review", "assessment")


@dataclass(frozen=True)
class Upcoming:
    when: dt.date
    what: str
    who: str


def upcoming_get(*, record: OwnRecord, today: dt.date | None = None) -> list[Upcoming]:
    """Appointments booked in the record (events dated from today on, in the
    categories the principal may see), reviews due (the plan's review, review
    and plan tasks with a due date) and MDT meetings that will discuss them;
    soonest first."""
    from joinedup.coordination.models import (
        OPEN_TASK_STATUSES,
        CarePlan,
        CarePlanVersion,
        MdtItem,
        Task,
    )
    from joinedup.record.models import Event

    today = today or timezone.localdate()
    start = dt.datetime.combine(
        today, dt.time(), tzinfo=timezone.get_current_timezone()
    )
    items: list[Upcoming] = []
    for event in (
        Event.objects.select_related("organisation", "source_system__organisation")
        .filter(
            person=record.person, occurred_at__gte=start, category__in=record.visible
        )
        .order_by("occurred_at")[:50]
    ):
        org = event.organisation or event.source_system.organisation
        items.append(
            Upcoming(
                timezone.localtime(event.occurred_at).date(),
                event.get_kind_display(),
                org.name if org else "",
            )
        )
    if "social_care" not in record.hidden:
        plan = CarePlan.objects.filter(person=record.person).first()
        version = (
            CarePlanVersion.objects.filter(
                plan=plan, number=plan.current_version
            ).first()
            if plan
            else None
        )
        if version and version.review_on and version.review_on >= today:
            items.append(
                Upcoming(version.review_on, "Review of your care and support plan", "")
            )
    for task in Task.objects.select_related("assignee_organisation").filter(
        person=record.person,
        status__in=OPEN_TASK_STATUSES,
        source__in=UPCOMING_TASK_SOURCES,
        due_on__gte=today,
    ):
        assert task.due_on is not None  # noqa: S101 (filtered above)
        items.append(
            Upcoming(
                task.due_on, task.get_source_display(), task.assignee_organisation.name
            )
        )
    for item in MdtItem.objects.select_related("meeting__team__organisation").filter(
        person=record.person,
        meeting__starts_at__gte=start,
        meeting__status="planned",
    ):
        items.append(
            Upcoming(
                timezone.localtime(item.meeting.starts_at).date(),
                "Multidisciplinary team meeting about your care",
                item.meeting.team.organisation.name,
            )
        )
    return sorted(items, key=lambda u: u.when)


# --- the care team -----------------------------------------------------------------


@dataclass(frozen=True)
class TeamMember:
    name: str
    role: str
    organisation: str
    phone: str
    is_lead: bool


def care_team_get(*, record: OwnRecord) -> list[TeamMember]:
    """The professionals in the care team now, the lead first, with how to reach
    them (their organisation's phone number)."""
    from joinedup.coordination.models import CareTeamMember

    members = CareTeamMember.objects.select_related("user", "organisation").filter(
        person=record.person, ended_on__isnull=True
    )
    return sorted(
        (
            TeamMember(
                m.user.get_full_name() or m.user.username,
                m.get_role_display(),
                m.organisation.name,
                m.organisation.contact_phone,
                m.is_lead,
            )
            for m in members
        ),
        key=lambda t: (not t.is_lead, t.organisation, t.name),
    )


# --- the personal budget -----------------------------------------------------------


@dataclass(frozen=True)
class Budget:
    provider: str
    organisation: str
    per_week: Decimal
    start_on: dt.date
    end_on: dt.date | None
    budget_to_date: Decimal | None
    paid: Decimal | None
    balance: Decimal | None
    is_direct_payment: bool


def budgets_get(*, record: OwnRecord, today: dt.date | None = None) -> list[Budget]:
    """The person's care packages in force (their personal budget) and, for a
    direct payment, the budget to date, what has been paid and the balance."""
    from joinedup.funding.models import CarePackage, PackageKind
    from joinedup.funding.selectors.packages import direct_payment_account

    if "finance" in record.hidden:
        return []
    today = today or timezone.localdate()
    found = []
    for package in (
        CarePackage.objects.select_related("organisation")
        .prefetch_related("payments")
        .filter(person=record.person, start_on__lte=today)
        .filter(Q(end_on__isnull=True) | Q(end_on__gte=today))
        .order_by("start_on", "pk")
    ):
        account = None
        if package.kind == PackageKind.DIRECT_PAYMENT:
            account = direct_payment_account(
                package, list(package.payments.all()), today=today
            )
        found.append(
            Budget(
                provider=package.provider,
                organisation=package.organisation.name,
                per_week=package.cost_per_week,
                start_on=package.start_on,
                end_on=package.end_on,
                budget_to_date=account.budget_to_date if account else None,
                paid=account.paid if account else None,
                balance=account.balance if account else None,
                is_direct_payment=account is not None,
            )
        )
    return found


# --- who has seen my record -------------------------------------------------------

ACTION_LABELS = {
    "view_record": "Opened your record",
    "view_timeline": "Looked at your history",
    "view_care_plan": "Looked at your care plan",
    "view_care_team": "Looked at your care team",
    "view_consent": "Looked at your consent choices",
    "view_care_packages": "Looked at your care and support costs",
    "break_glass_start": "Used emergency access to open your record",
    "access_report": "Checked who has seen your record",
    "fhir_read": "Read your record through a connected system",
    "fhir_search": "Searched your record through a connected system",
}


@dataclass(frozen=True)
class AccessLine:
    seq: int
    when: dt.datetime
    organisation: str
    role: str
    name: str
    what: str
    allowed: bool
    break_glass: bool
    asked: bool
    may_ask: bool


@dataclass(frozen=True)
class AccessGroup:
    organisation: str
    role: str
    count: int
    last: dt.datetime


@dataclass(frozen=True)
class AccessReport:
    page: Page
    lines: list[AccessLine]
    groups: list[AccessGroup]


def _role_label(role: str) -> str:
    if role in Role.values:
        return Role(role).label
    if role in PrincipalRole.values:
        return PrincipalRole(role).label
    return role


def _entries(person_id: int):
    from joinedup.people.merge import person_ids_for_access_report

    # Everyone's accesses but the person's own views of their own record.
    return AuditEntry.objects.filter(
        person_id__in=person_ids_for_access_report(person_id=person_id)
    ).exclude(role=PrincipalRole.PERSON)


def accesses_get(
    *, record: OwnRecord, page: int = 1, page_size: int = 50
) -> AccessReport:
    """Who has seen the record, newest first: every access from the audit by
    organisation and role (staff names only where JOINEDUP_PORTAL_SHOW_STAFF_NAMES
    is on), emergency (break-glass) access marked, and which the person has
    asked the IG lead about; and a summary by organisation and role."""
    entries = _entries(record.person.pk)
    paginator = Paginator(
        entries.select_related("organisation", "actor").order_by(
            "-occurred_at", "-seq"
        ),
        page_size,
    )
    current = paginator.get_page(page)
    seqs = [e.seq for e in current.object_list]
    asked = set(
        AccessQuestion.objects.filter(
            person=record.person, audit_seq__in=seqs
        ).values_list("audit_seq", flat=True)
    )
    show_names = settings.JOINEDUP_PORTAL_SHOW_STAFF_NAMES
    lines = []
    for e in current.object_list:
        break_glass = e.via == Via.BREAK_GLASS or e.action == "break_glass_start"
        name = ""
        if e.role == PrincipalRole.PROXY:
            name = "Someone acting for you (proxy)"
        elif show_names and e.actor is not None:
            name = e.actor.get_full_name() or e.actor.username
        lines.append(
            AccessLine(
                seq=e.seq,
                when=e.occurred_at,
                organisation=e.organisation.name if e.organisation else "",
                role=_role_label(e.role),
                name=name,
                what=ACTION_LABELS.get(e.action, "Looked at your record"),
                allowed=e.outcome == AuditOutcome.ALLOWED,
                break_glass=break_glass,
                asked=e.seq in asked,
                may_ask=e.organisation_id is not None and e.seq not in asked,
            )
        )
    rows = list(
        entries.filter(outcome=AuditOutcome.ALLOWED)
        .values("organisation_id", "role")
        .annotate(n=Count("*"), last=Max("occurred_at"))
        .order_by("-last")
    )
    orgs = Organisation.objects.only("name").in_bulk(
        {r["organisation_id"] for r in rows if r["organisation_id"]}
    )
    groups = [
        AccessGroup(
            orgs[r["organisation_id"]].name if r["organisation_id"] in orgs else "",
            _role_label(r["role"]),
            r["n"],
            r["last"],
        )
        for r in rows
    ]
    return AccessReport(current, lines, groups)


def access_entry_get(*, record: OwnRecord, seq: int) -> AuditEntry:
    """One entry of the person's access report (for asking about it)."""
    entry = (
        _entries(record.person.pk)
        .select_related("organisation")
        .filter(seq=seq)
        .first()
    )
    if entry is None:
        raise NotFound(
            "access: there is no such access to your record",
            fields={"access": "no such access"},
        )
    return entry


# --- consent choices ---------------------------------------------------------------


@dataclass(frozen=True)
class ConsentChoice:
    category: str
    category_label: str
    organisation: str
    decision: str
    decision_label: str
    recorded_at: dt.datetime
    by_person: bool


def consent_choices_get(*, record: OwnRecord) -> list[ConsentChoice]:
    """The choices in force (newest per category and organisation), whoever
    recorded them."""
    in_force: dict[tuple[str, int | None], ConsentRecord] = {}
    for c in (
        ConsentRecord.objects.select_related("organisation")
        .filter(person=record.person)
        .order_by("-recorded_at", "-id")
    ):
        in_force.setdefault((c.category, c.organisation_id), c)
    labels = dict(AccessCategory.choices)
    return [
        ConsentChoice(
            c.category,
            labels.get(c.category, "All information"),
            c.organisation.name if c.organisation else "All organisations",
            c.decision,
            c.get_decision_display(),
            c.recorded_at,
            c.recorded_by_id is None,
        )
        for c in sorted(
            in_force.values(), key=lambda c: (c.category, c.organisation_id or 0)
        )
    ]


def organisations_for_choices() -> list[Organisation]:
    return list(Organisation.objects.order_by("name"))
