"""THE access policy (DESIGN section 2): one place decides every read and write of
person data. Views, API handlers and exports never decide for themselves; they call
selectors, and selectors call this module.

A decision has two steps. `facts_gather` finds, in one query in the common case, the
relationships between the acting professional and the person (care team, GP
registration, hospital patient, other involvement of their organisation, an open
task or referral held by them, their team or their organisation, sharing
agreements, a self-claimed relationship, break-glass) and the person's consent
objections. `decide` is then a pure function of those facts:

1. Only direct-care roles see person records (commissioners see aggregates).
2. Without a legitimate relationship or break-glass, nothing is shown.
3. A relationship through a sharing agreement covers only the agreement's
   categories (and demographics, without which nothing can be shared safely).
4. Sealed categories (safeguarding, sexual health) are read only from the actor's
   own organisation's records; others see that they exist and whom to contact.
   Break-glass does not unseal them.
5. A consent objection to sharing a category with the actor's organisation limits
   it to the organisation's own records, unless break-glass is active.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Exists, Field, OuterRef, Q
from django.db.models.expressions import RawSQL
from django.utils import timezone

from joinedup.governance.models import (
    DIRECT_CARE_ROLES,
    SEALED_CATEGORIES,
    AccessCategory,
    Role,
)


@dataclass(frozen=True)
class Actor:
    """Who is acting: a user in one of their roles at one organisation."""

    user_id: int
    role: str
    organisation_id: int
    team_id: int | None = None
    channel: str = "web"  # web | api | cli
    request_id: str = ""

    @property
    def role_label(self) -> str:
        return Role(self.role).label if self.role in Role.values else self.role


class Scope:
    ALL = "all"
    OWN_ORGANISATION = "own_organisation"  # only the actor's organisation's records


@dataclass(frozen=True)
class Decision:
    allowed: bool
    reason: str
    via: str = ""
    scope: str = Scope.ALL


class Via:
    CARE_TEAM = "care_team"
    REGISTERED_GP = "registered_gp"
    HOSPITAL_PATIENT = "hospital_patient"
    OPEN_TASK = "open_task"
    ORGANISATION_INVOLVED = "organisation_involved"
    SHARING_AGREEMENT = "sharing_agreement"
    SELF_CLAIMED = "self_claimed"
    BREAK_GLASS = "break_glass"


@dataclass(frozen=True)
class Facts:
    """What is true between one actor and one person, for deciding."""

    in_care_team: bool = False
    registered_here: bool = False
    involvement_kind: str = ""  # the actor's organisation's involvement, if any
    holds_open_task: bool = False  # a task or referral held by the actor's side
    agreement_categories: frozenset[str] = frozenset()
    claim_active: bool = False
    break_glass_until: dt.datetime | None = None
    # (category or "", organisation id or None) of objections in force
    objections: frozenset[tuple[str, int | None]] = field(default_factory=frozenset)

    @property
    def relationship(self) -> str:
        if self.in_care_team:
            return Via.CARE_TEAM
        if self.registered_here:
            return Via.REGISTERED_GP
        if self.involvement_kind == "hospital_patient":
            return Via.HOSPITAL_PATIENT
        if self.holds_open_task:
            return Via.OPEN_TASK
        if self.involvement_kind:
            return Via.ORGANISATION_INVOLVED
        if self.claim_active:
            return Via.SELF_CLAIMED
        if self.agreement_categories:
            return Via.SHARING_AGREEMENT
        return ""


def agreements_in_force(
    actor: Actor, *, today: dt.date
) -> list[tuple[set[int], set[str]]]:
    """The sharing agreements in force that include the actor's organisation (and
    team, where the agreement names teams): for each, the partner organisations
    and the categories that flow. One query."""
    from joinedup.governance.models import SharingAgreement

    agreements = (
        SharingAgreement.objects.filter(
            ended_at__isnull=True,
            start_date__lte=today,
            end_date__gte=today,
            parties__organisation_id=actor.organisation_id,
        )
        .exclude(parties__approved_at__isnull=True)
        .prefetch_related("parties__teams")
        .distinct()
    )
    found = []
    for agreement in agreements:
        mine = [
            p
            for p in agreement.parties.all()
            if p.organisation_id == actor.organisation_id
        ]
        teams = {t.pk for p in mine for t in p.teams.all()}
        if teams and actor.team_id not in teams:
            continue
        partners = {
            p.organisation_id
            for p in agreement.parties.all()
            if p.organisation_id != actor.organisation_id
        }
        found.append((partners, set(agreement.categories)))
    return found


FACT_NAMES = (
    "_in_care_team",
    "_involvement_kind",
    "_holds_open_task",
    "_claim_active",
    "_break_glass_until",
    "_has_consent_records",
    "_has_agreements",
)


def _raw(sql: str, params: tuple[object, ...], field: Field) -> RawSQL:
    # Only table names from the models and fixed text are formatted in; every
    # value is a parameter.
    return RawSQL(sql, params, output_field=field)  # noqa: S611


def facts_annotations(actor: Actor) -> dict[str, RawSQL]:
    """Annotations for a Person queryset that answer every common relationship
    question in the same query as the person: one round trip. Written as SQL
    (portable between PostgreSQL and SQLite) because it runs on every record
    opened and an ORM subquery's planning and compiling cost more than the
    answer."""
    from django.db import connection
    from django.db.models import BooleanField, CharField, DateTimeField

    from joinedup.coordination.models import CareTeamMember, Task
    from joinedup.governance.models import (
        BreakGlass,
        ConsentRecord,
        RelationshipClaim,
        SharingAgreement,
        SharingAgreementParty,
    )
    from joinedup.people.models import Involvement, Person

    if actor.role not in DIRECT_CARE_ROLES:
        return {}
    now = connection.ops.adapt_datetimefield_value(timezone.now())
    today = connection.ops.adapt_datefield_value(timezone.localdate())
    pid = f"{Person._meta.db_table}.id"
    care = CareTeamMember._meta.db_table
    task = Task._meta.db_table
    inv = Involvement._meta.db_table
    claim = RelationshipClaim._meta.db_table
    bg = BreakGlass._meta.db_table
    consent = ConsentRecord._meta.db_table
    agr = SharingAgreement._meta.db_table
    party = SharingAgreementParty._meta.db_table
    u, o = actor.user_id, actor.organisation_id
    # Table names come from the models, never from input; values are parameters.
    return {
        "_in_care_team": _raw(
            f"EXISTS (SELECT 1 FROM {care} WHERE person_id = {pid} "  # noqa: S608
            "AND user_id = %s AND ended_on IS NULL)",
            (u,),
            BooleanField(),
        ),
        "_involvement_kind": _raw(
            f"(SELECT kind FROM {inv} WHERE person_id = {pid} "  # noqa: S608
            "AND organisation_id = %s)",
            (o,),
            CharField(),
        ),
        # Held by the actor, or (when no one person holds it) by their team, or
        # (when no team either) by their organisation: a referral's receiving side.
        "_holds_open_task": _raw(
            f"EXISTS (SELECT 1 FROM {task} WHERE person_id = {pid} "  # noqa: S608
            "AND status IN ('open', 'in_progress') AND (assignee_user_id = %s "
            "OR (assignee_user_id IS NULL AND (assignee_team_id = %s OR "
            "(assignee_team_id IS NULL AND assignee_organisation_id = %s)))))",
            (u, actor.team_id or 0, o),
            BooleanField(),
        ),
        "_claim_active": _raw(
            f"EXISTS (SELECT 1 FROM {claim} WHERE person_id = {pid} "  # noqa: S608
            "AND user_id = %s AND organisation_id = %s AND expires_at > %s)",
            (u, o, now),
            BooleanField(),
        ),
        "_break_glass_until": _raw(
            f"(SELECT MAX(expires_at) FROM {bg} WHERE person_id = {pid} "  # noqa: S608
            "AND user_id = %s AND organisation_id = %s AND expires_at > %s)",
            (u, o, now),
            DateTimeField(),
        ),
        "_has_consent_records": _raw(
            f"EXISTS (SELECT 1 FROM {consent} WHERE person_id = {pid})",  # noqa: S608
            (),
            BooleanField(),
        ),
        "_has_agreements": _raw(
            f"EXISTS (SELECT 1 FROM {party} p JOIN {agr} a "  # noqa: S608
            "ON a.id = p.agreement_id WHERE p.organisation_id = %s "
            "AND a.ended_at IS NULL AND a.start_date <= %s AND a.end_date >= %s)",
            (o, today, today),
            BooleanField(),
        ),
    }


def facts_gather(actor: Actor, person: object) -> Facts:
    """The facts between the actor and one person, who should come from a
    queryset annotated with `facts_annotations(actor)` (otherwise they are
    fetched now). One or two more queries only when the person has consent
    records or the actor's organisation has sharing agreements in force."""
    from joinedup.governance.models import ConsentRecord
    from joinedup.people.models import Involvement, Person

    if actor.role not in DIRECT_CARE_ROLES:
        return Facts()
    person_id: int = person.pk  # type: ignore[attr-defined]
    if not all(hasattr(person, name) for name in FACT_NAMES):
        person = (
            Person.objects.annotate(**facts_annotations(actor))
            .only("pk", "registered_gp_id")
            .get(pk=person_id)
        )
    registered_gp_id = getattr(person, "registered_gp_id", None)
    fact = {name: getattr(person, name) for name in FACT_NAMES}
    today = timezone.localdate()
    agreement_categories: set[str] = set()
    if fact["_has_agreements"]:
        agreements = agreements_in_force(actor, today=today)
        partners = set().union(*(p for p, _ in agreements)) if agreements else set()
        involved = set(
            Involvement.objects.filter(
                person_id=person_id, organisation_id__in=partners
            ).values_list("organisation_id", flat=True)
        )
        if registered_gp_id in partners:
            involved.add(registered_gp_id)
        for partner_ids, categories in agreements:
            if partner_ids & involved:
                agreement_categories |= categories
    objections: frozenset[tuple[str, int | None]] = frozenset()
    if fact["_has_consent_records"]:
        # The newest record per (category, organisation) is in force.
        in_force: dict[tuple[str, int | None], str] = {}
        for category, org_id, decision in (
            ConsentRecord.objects.filter(person_id=person_id)
            .order_by("-recorded_at", "-id")
            .values_list("category", "organisation_id", "decision")
        ):
            in_force.setdefault((category, org_id), decision)
        objections = frozenset(k for k, v in in_force.items() if v == "objection")
    return Facts(
        in_care_team=bool(fact["_in_care_team"]),
        registered_here=registered_gp_id == actor.organisation_id,
        involvement_kind=fact["_involvement_kind"] or "",
        holds_open_task=bool(fact["_holds_open_task"]),
        agreement_categories=frozenset(agreement_categories),
        claim_active=bool(fact["_claim_active"]),
        break_glass_until=fact["_break_glass_until"],
        objections=objections,
    )


def _objected(facts: Facts, category: str, organisation_id: int) -> bool:
    return any(
        c in ("", category) and o in (None, organisation_id)
        for c, o in facts.objections
    )


def decide(
    actor: Actor, person: object, action: str, category: str, facts: Facts | None = None
) -> Decision:
    """Decide whether `actor` may perform `action` on `category` data of `person`
    (a Person). Pass `facts` to decide several categories with one gathering."""
    if category not in AccessCategory.values:
        return Decision(False, f"unknown category {category!r}")
    if actor.role not in DIRECT_CARE_ROLES:
        return Decision(
            False,
            f"the role {actor.role_label} has no direct-care access to person records",
        )
    if facts is None:
        facts = facts_gather(actor, person)
    via = facts.relationship
    break_glass = facts.break_glass_until is not None
    if not via and not break_glass:
        return Decision(False, "no legitimate relationship with this person")
    if (
        via == Via.SHARING_AGREEMENT
        and not break_glass
        and category != AccessCategory.DEMOGRAPHICS
        and category not in facts.agreement_categories
    ):
        return Decision(False, f"the sharing agreement does not cover {category}", via)
    via = via or Via.BREAK_GLASS
    if category in SEALED_CATEGORIES:
        return Decision(
            True,
            f"{category} is sealed: only your organisation's own records",
            via,
            Scope.OWN_ORGANISATION,
        )
    if _objected(facts, category, actor.organisation_id):
        if break_glass:
            return Decision(
                True,
                f"objection to sharing {category} overridden by break-glass",
                Via.BREAK_GLASS,
            )
        return Decision(
            True,
            f"the person objects to sharing {category} with your organisation: "
            "only your organisation's own records",
            via,
            Scope.OWN_ORGANISATION,
        )
    if break_glass and via == Via.BREAK_GLASS:
        return Decision(True, "break-glass access", Via.BREAK_GLASS)
    return Decision(True, f"legitimate relationship: {via}", via)


def people_visible_q(actor: Actor) -> Q:
    """A filter on Person that keeps only people the actor may find in a search
    (and so never reveals others, not even as a count): care team, GP
    registration, their organisation's involvement, an open task held by them,
    their team or organisation, an active self-claim or break-glass, or
    involvement with a partner in a sharing agreement."""
    if actor.role not in DIRECT_CARE_ROLES:
        return Q(pk__in=[])
    from joinedup.coordination.models import OPEN_TASK_STATUSES, CareTeamMember, Task
    from joinedup.governance.models import BreakGlass, RelationshipClaim
    from joinedup.people.models import Involvement

    now = timezone.now()
    organisations = {actor.organisation_id}
    for partners, _ in agreements_in_force(actor, today=timezone.localdate()):
        organisations |= partners
    return (
        Q(
            Exists(
                Involvement.objects.filter(
                    person=OuterRef("pk"), organisation_id__in=organisations
                )
            )
        )
        | Q(registered_gp_id=actor.organisation_id)
        | Q(
            Exists(
                CareTeamMember.objects.filter(
                    person=OuterRef("pk"), user_id=actor.user_id, ended_on__isnull=True
                )
            )
        )
        | Q(
            Exists(
                Task.objects.filter(
                    Q(assignee_user_id=actor.user_id)
                    | Q(
                        assignee_user__isnull=True,
                        assignee_team_id=actor.team_id or 0,
                    )
                    | Q(
                        assignee_user__isnull=True,
                        assignee_team__isnull=True,
                        assignee_organisation_id=actor.organisation_id,
                    ),
                    person=OuterRef("pk"),
                    status__in=OPEN_TASK_STATUSES,
                )
            )
        )
        | Q(
            Exists(
                RelationshipClaim.objects.filter(
                    person=OuterRef("pk"), user_id=actor.user_id, expires_at__gt=now
                )
            )
        )
        | Q(
            Exists(
                BreakGlass.objects.filter(
                    person=OuterRef("pk"), user_id=actor.user_id, expires_at__gt=now
                )
            )
        )
    )


def may_break_glass(actor: Actor) -> bool:
    return actor.role in DIRECT_CARE_ROLES


def may_claim_relationship(actor: Actor) -> bool:
    from joinedup.governance.models import CLINICAL_ROLES

    return actor.role in CLINICAL_ROLES
