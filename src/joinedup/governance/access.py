"""THE access policy (DESIGN section 2): one place decides every read and write of
person data. Views, API handlers and exports never decide for themselves; they call
selectors, and selectors call this module.

A decision has two steps. `facts_gather` finds, in one query in the common case, the
relationships between the acting professional and the person (care team, GP
registration, hospital patient, other involvement of their organisation, sharing
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

from django.db.models import Exists, OuterRef, Q
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


def _facts_sql() -> str:
    """One statement that answers every common relationship question at once.
    Written as SQL (portable between PostgreSQL and SQLite) because this runs on
    every record opened: it costs one round trip and almost no planning."""
    from joinedup.coordination.models import CareTeamMember
    from joinedup.governance.models import (
        BreakGlass,
        ConsentRecord,
        RelationshipClaim,
        SharingAgreement,
        SharingAgreementParty,
    )
    from joinedup.people.models import Involvement

    t = {
        "care": CareTeamMember._meta.db_table,
        "inv": Involvement._meta.db_table,
        "claim": RelationshipClaim._meta.db_table,
        "bg": BreakGlass._meta.db_table,
        "consent": ConsentRecord._meta.db_table,
        "agr": SharingAgreement._meta.db_table,
        "party": SharingAgreementParty._meta.db_table,
    }
    # Table names come from the models, never from input.
    return f"""
        SELECT
          EXISTS (SELECT 1 FROM {t["care"]} WHERE person_id = %(p)s
                  AND user_id = %(u)s AND ended_on IS NULL),
          (SELECT kind FROM {t["inv"]} WHERE person_id = %(p)s
                  AND organisation_id = %(o)s),
          EXISTS (SELECT 1 FROM {t["claim"]} WHERE person_id = %(p)s
                  AND user_id = %(u)s AND organisation_id = %(o)s
                  AND expires_at > %(now)s),
          (SELECT MAX(expires_at) FROM {t["bg"]} WHERE person_id = %(p)s
                  AND user_id = %(u)s AND organisation_id = %(o)s
                  AND expires_at > %(now)s),
          EXISTS (SELECT 1 FROM {t["consent"]} WHERE person_id = %(p)s),
          EXISTS (SELECT 1 FROM {t["party"]} party JOIN {t["agr"]} agr
                  ON agr.id = party.agreement_id
                  WHERE party.organisation_id = %(o)s AND agr.ended_at IS NULL
                  AND agr.start_date <= %(today)s AND agr.end_date >= %(today)s)
    """  # noqa: S608


def facts_gather(actor: Actor, person_id: int, registered_gp_id: int | None) -> Facts:
    """The facts between the actor and one person. One query in the common case;
    one or two more only when the person has consent records or the actor's
    organisation has sharing agreements in force."""
    from django.db import connection
    from django.utils.dateparse import parse_datetime

    from joinedup.governance.models import ConsentRecord
    from joinedup.people.models import Involvement

    if actor.role not in DIRECT_CARE_ROLES:
        return Facts()
    now = timezone.now()
    today = timezone.localdate()
    with connection.cursor() as cursor:
        cursor.execute(
            _facts_sql(),
            {
                "p": person_id,
                "u": actor.user_id,
                "o": actor.organisation_id,
                "now": connection.ops.adapt_datetimefield_value(now),
                "today": connection.ops.adapt_datefield_value(today),
            },
        )
        care, kind, claim, break_glass, has_consent, has_agreements = cursor.fetchone()
    if isinstance(break_glass, str):  # SQLite returns text from an aggregate
        break_glass = parse_datetime(break_glass)
        if break_glass is not None and timezone.is_naive(break_glass):
            break_glass = timezone.make_aware(break_glass, dt.UTC)
    agreement_categories: set[str] = set()
    if has_agreements:
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
    if has_consent:
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
        in_care_team=bool(care),
        registered_here=registered_gp_id == actor.organisation_id,
        involvement_kind=kind or "",
        agreement_categories=frozenset(agreement_categories),
        claim_active=bool(claim),
        break_glass_until=break_glass,
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
        facts = facts_gather(
            actor,
            person.pk,  # type: ignore[attr-defined]
            getattr(person, "registered_gp_id", None),
        )
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
    registration, their organisation's involvement, an active self-claim or
    break-glass, or involvement with a partner in a sharing agreement."""
    if actor.role not in DIRECT_CARE_ROLES:
        return Q(pk__in=[])
    from joinedup.coordination.models import CareTeamMember
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
