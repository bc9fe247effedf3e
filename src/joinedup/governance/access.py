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
import functools
from dataclasses import dataclass, field

from django.db.models import (
    BooleanField,
    DateTimeField,
    Exists,
    Field,
    IntegerField,
    OuterRef,
    Q,
)
from django.db.models.expressions import BaseExpression, RawSQL
from django.utils import timezone

from joinedup.governance.models import (
    DIRECT_CARE_ROLES,
    ORGANISATION_KINDS,
    SEALED_CATEGORIES,
    AccessCategory,
    RelationshipKind,
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


# The kinds of register row that give a relationship, strongest first: the
# decision names the strongest one in force. (Break-glass is separate, and a
# sharing agreement comes last, derived from the agreements in force.)
PRECEDENCE = (
    (RelationshipKind.CARE_TEAM, Via.CARE_TEAM),
    (RelationshipKind.REGISTERED_GP, Via.REGISTERED_GP),
    (RelationshipKind.HOSPITAL_PATIENT, Via.HOSPITAL_PATIENT),
    (RelationshipKind.OPEN_WORK, Via.OPEN_TASK),
    (RelationshipKind.INVOLVEMENT, Via.ORGANISATION_INVOLVED),
    (RelationshipKind.SELF_CLAIMED, Via.SELF_CLAIMED),
)
_VIA_BY_RANK = {rank: via for rank, (_, via) in enumerate(PRECEDENCE, start=1)}


@dataclass(frozen=True)
class Facts:
    """What is true between one actor and one person, for deciding."""

    # The strongest relationship from the register (a Via value), or "".
    registered: str = ""
    agreement_categories: frozenset[str] = frozenset()
    break_glass_until: dt.datetime | None = None
    # (category or "", organisation id or None) of objections in force
    objections: frozenset[tuple[str, int | None]] = field(default_factory=frozenset)

    @property
    def relationship(self) -> str:
        if self.registered:
            return self.registered
        if self.agreement_categories:
            return Via.SHARING_AGREEMENT
        return ""


def relationships_applying(actor: Actor, *, now: dt.datetime) -> Q:
    """THE rule of the register (a filter on Relationship): the rows in force now
    that apply to the actor. They name the user (acting for the row's
    organisation, or any), or name no user but the actor's team, or name
    neither but the actor's organisation. The single-person decision, the
    "people visible to this actor" filter and the access report are all built
    on this one filter, so they cannot disagree."""
    applies = Q(user_id=actor.user_id) & (
        Q(organisation__isnull=True) | Q(organisation_id=actor.organisation_id)
    )
    if actor.team_id is not None:
        applies |= Q(user__isnull=True, team_id=actor.team_id)
    applies |= Q(
        user__isnull=True, team__isnull=True, organisation_id=actor.organisation_id
    )
    return applies & (Q(ended_at__isnull=True) | Q(ended_at__gt=now))


def partners_holding(partners: set[int], *, now: dt.datetime) -> Q:
    """The rows in force by which a partner organisation of a sharing agreement
    knows the person (an involvement, hospital patient or GP registration)."""
    return Q(
        kind__in=ORGANISATION_KINDS,
        user__isnull=True,
        team__isnull=True,
        organisation_id__in=partners,
    ) & (Q(ended_at__isnull=True) | Q(ended_at__gt=now))


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
    "_relationship_rank",
    "_break_glass_until",
    "_has_consent_records",
    "_has_agreements",
)


def _raw(sql: str, params: tuple[object, ...], field: Field) -> RawSQL:
    # Only table names from the models and fixed text are formatted in; every
    # value is a parameter.
    return RawSQL(sql, params, output_field=field)  # noqa: S611


# Stand-ins compiled once into the register's SQL (see `_applying_sql`).
_PROBE_USER, _PROBE_ORGANISATION, _PROBE_TEAM = -7_000_001, -7_000_002, -7_000_003
_PROBE_NOW = dt.datetime(1901, 2, 3, 4, 5, 6, tzinfo=dt.UTC)


@functools.cache
def _applying_sql(vendor: str, has_team: bool) -> tuple[str, tuple[object, ...]]:
    """`relationships_applying` compiled to SQL once per database and shape,
    with stand-in values where the actor's ids and the time go: the per-record
    facts reuse the very filter the lists use without paying Django's query
    compiler on every record opened (about 20 ms)."""
    from django.db import connection

    from joinedup.governance.models import Relationship

    probe = Actor(
        user_id=_PROBE_USER,
        role=Role.GP,
        organisation_id=_PROBE_ORGANISATION,
        team_id=_PROBE_TEAM if has_team else None,
    )
    query = Relationship.objects.filter(
        relationships_applying(probe, now=_PROBE_NOW)
    ).query
    compiler = query.get_compiler(connection=connection)
    where, params = compiler.compile(query.where)
    return where, tuple(params)


def _applying(actor: Actor, now: dt.datetime) -> tuple[str, list[object]]:
    from django.db import connection

    where, probes = _applying_sql(connection.vendor, actor.team_id is not None)
    stamp = connection.ops.adapt_datetimefield_value(_PROBE_NOW)
    values = {
        _PROBE_USER: actor.user_id,
        _PROBE_ORGANISATION: actor.organisation_id,
        _PROBE_TEAM: actor.team_id,
    }
    params: list[object] = []
    for p in probes:
        if p == stamp:
            params.append(connection.ops.adapt_datetimefield_value(now))
        elif isinstance(p, int) and p in values:
            params.append(values[p])
        else:
            raise RuntimeError(f"unexpected parameter in the register's SQL: {p!r}")
    return where, params


def facts_annotations(actor: Actor) -> dict[str, BaseExpression]:
    """Annotations for a Person queryset that answer the relationship questions
    in the same query as the person: one round trip. The strongest relationship
    in force and any break-glass come from the register, filtered by
    `relationships_applying` (compiled once, see `_applying_sql`)."""
    from django.apps import apps
    from django.db import connection

    from joinedup.governance.models import (
        ConsentRecord,
        Relationship,
        SharingAgreement,
        SharingAgreementParty,
    )

    if actor.role not in DIRECT_CARE_ROLES:
        return {}
    now = timezone.now()
    where, params = _applying(actor, now)
    rel = Relationship._meta.db_table
    # By label: governance sits below the person index.
    pid = f"{apps.get_model('people', 'Person')._meta.db_table}.id"
    ranks = " ".join(
        f"WHEN '{kind}' THEN {i}" for i, (kind, _) in enumerate(PRECEDENCE, start=1)
    )
    today = connection.ops.adapt_datefield_value(timezone.localdate())
    consent = ConsentRecord._meta.db_table
    agr = SharingAgreement._meta.db_table
    party = SharingAgreementParty._meta.db_table
    # Table names and kinds come from the models, never from input; values are
    # parameters.
    return {
        "_relationship_rank": _raw(
            f"(SELECT MIN(CASE kind {ranks} END) FROM {rel} "  # noqa: S608
            f"WHERE {rel}.person_id = {pid} AND kind <> 'break_glass' AND ({where}))",
            tuple(params),
            IntegerField(),
        ),
        "_break_glass_until": _raw(
            f"(SELECT MAX(ended_at) FROM {rel} "  # noqa: S608
            f"WHERE {rel}.person_id = {pid} AND kind = 'break_glass' AND ({where}))",
            tuple(params),
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
            (actor.organisation_id, today, today),
            BooleanField(),
        ),
    }


def facts_gather(actor: Actor, person: object) -> Facts:
    """The facts between the actor and one person, who should come from a
    queryset annotated with `facts_annotations(actor)` (otherwise they are
    fetched now). One or two more queries only when the person has consent
    records or the actor's organisation has sharing agreements in force."""
    from joinedup.governance.models import ConsentRecord, Relationship

    if actor.role not in DIRECT_CARE_ROLES:
        return Facts()
    person_id: int = person.pk  # type: ignore[attr-defined]
    now = timezone.now()
    if all(hasattr(person, name) for name in FACT_NAMES):
        fact = {name: getattr(person, name) for name in FACT_NAMES}
    else:
        fact = _facts_fetch(actor, person_id, now=now)
    agreement_categories: set[str] = set()
    if fact["_has_agreements"]:
        agreements = agreements_in_force(actor, today=timezone.localdate())
        partners = set().union(*(p for p, _ in agreements)) if agreements else set()
        involved = set(
            Relationship.objects.filter(
                partners_holding(partners, now=now), person_id=person_id
            ).values_list("organisation_id", flat=True)
        )
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
        registered=_VIA_BY_RANK.get(fact["_relationship_rank"] or 0, ""),
        agreement_categories=frozenset(agreement_categories),
        break_glass_until=fact["_break_glass_until"],
        objections=objections,
    )


def _facts_fetch(actor: Actor, person_id: int, *, now: dt.datetime) -> dict:
    """The facts `facts_annotations` gives, for a person not loaded with them:
    from governance's own tables only."""
    from joinedup.governance.models import (
        ConsentRecord,
        Relationship,
        SharingAgreementParty,
    )

    mine = Relationship.objects.filter(
        relationships_applying(actor, now=now), person_id=person_id
    )
    kinds = set(mine.values_list("kind", flat=True))
    ranks = [i for i, (k, _) in enumerate(PRECEDENCE, start=1) if k in kinds]
    today = timezone.localdate()
    return {
        "_relationship_rank": min(ranks, default=None),
        "_break_glass_until": (
            mine.filter(kind=RelationshipKind.BREAK_GLASS)
            .order_by("-ended_at")
            .values_list("ended_at", flat=True)
            .first()
        ),
        "_has_consent_records": ConsentRecord.objects.filter(
            person_id=person_id
        ).exists(),
        "_has_agreements": SharingAgreementParty.objects.filter(
            organisation_id=actor.organisation_id,
            agreement__ended_at__isnull=True,
            agreement__start_date__lte=today,
            agreement__end_date__gte=today,
        ).exists(),
    }


def objected(facts: Facts, category: str, organisation_id: int) -> bool:
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
    if objected(facts, category, actor.organisation_id):
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
    (and so never reveals others, not even as a count): a register row in force
    that applies to them (`relationships_applying`, the rule the decision uses),
    or a partner of a sharing agreement in force who knows the person."""
    if actor.role not in DIRECT_CARE_ROLES:
        return Q(pk__in=[])
    from joinedup.governance.models import Relationship

    now = timezone.now()
    held = Relationship.objects.filter(relationships_applying(actor, now=now))
    visible = Q(Exists(held.filter(person=OuterRef("pk"))))
    partners: set[int] = set()
    for organisations, categories in agreements_in_force(
        actor, today=timezone.localdate()
    ):
        if categories:
            partners |= organisations
    if partners:
        shared = Relationship.objects.filter(partners_holding(partners, now=now))
        visible |= Q(Exists(shared.filter(person=OuterRef("pk"))))
    return visible


def may_break_glass(actor: Actor) -> bool:
    return actor.role in DIRECT_CARE_ROLES


def may_claim_relationship(actor: Actor) -> bool:
    from joinedup.governance.models import CLINICAL_ROLES

    return actor.role in CLINICAL_ROLES
