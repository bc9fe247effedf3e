"""Reads in governance: who is acting, the audit chain and access reports, and
the IG lead's review lists."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from joinedup.errors import AccessRefused, NotFound
from joinedup.governance.access import Actor
from joinedup.governance.models import (
    GENESIS_HASH,
    ApiToken,
    AuditChainHead,
    AuditEntry,
    AuditOutcome,
    BreakGlass,
    Membership,
    RelationshipClaim,
    ReviewStatus,
    Role,
    SharingAgreement,
    User,
)


def membership_acting(
    *, user: User, membership_id: int | None = None
) -> Membership | None:
    """The membership the user acts in: the one chosen in the session, else their
    primary one, else any active one."""
    memberships = Membership.objects.select_related("organisation", "team").filter(
        user=user, active=True
    )
    chosen = None
    if membership_id is not None:
        chosen = next((m for m in memberships if m.pk == membership_id), None)
    if chosen is None:
        ordered = sorted(memberships, key=lambda m: (not m.is_primary, m.pk))
        chosen = ordered[0] if ordered else None
    return chosen


def actor_from_membership(
    membership: Membership, *, channel: str = "web", request_id: str = ""
) -> Actor:
    return Actor(
        user_id=membership.user_id,
        role=membership.role,
        organisation_id=membership.organisation_id,
        team_id=membership.team_id,
        channel=channel,
        request_id=request_id,
    )


def token_user_get(*, token: str) -> User | None:
    """The active user an API token belongs to, or None for an unknown or revoked
    token. Marks the token as used."""
    digest = ApiToken.digest_of(token)
    found = (
        ApiToken.objects.select_related("user")
        .filter(digest=digest, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if found is None:
        return None
    ApiToken.objects.filter(pk=found.pk).update(last_used_at=timezone.now())
    return found.user


def audit_refused_recent(
    *, days: int = 7, limit: int = 50
) -> tuple[int, list[AuditEntry]]:
    """Refused accesses in the last `days` days, for the IG lead's home page."""
    since = timezone.now() - dt.timedelta(days=days)
    refused = AuditEntry.objects.filter(
        outcome=AuditOutcome.REFUSED, occurred_at__gte=since
    )
    return refused.count(), list(
        refused.select_related("actor", "organisation").order_by("-occurred_at")[:limit]
    )


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    checked: int
    first_bad_seq: int | None = None
    problem: str = ""


def audit_chain_verify(*, chunk: int = 20_000) -> ChainCheck:
    """Recompute the audit chain from the first entry: every entry's hash must
    match its content and the previous entry's hash, sequence numbers must have no
    gaps, and the chain's head must point at the last entry. Names the first entry
    that does not fit."""
    fields = (*AuditEntry.HASHED, "prev_hash", "entry_hash")
    prev, expected, checked = GENESIS_HASH, 1, 0
    while True:
        rows = list(
            AuditEntry.objects.filter(seq__gte=expected)
            .order_by("seq")
            .values_list(*fields)[:chunk]
        )
        if not rows:
            break
        for row in rows:
            values, prev_hash, entry_hash = (
                row[: len(AuditEntry.HASHED)],
                row[-2],
                row[-1],
            )
            seq = values[0]
            if seq != expected:
                return ChainCheck(
                    False, checked, expected, f"entry #{expected} is missing"
                )
            if prev_hash != prev:
                return ChainCheck(
                    False,
                    checked,
                    seq,
                    f"entry #{seq} does not follow entry #{seq - 1}",
                )
            if AuditEntry.hash_of(prev, values) != entry_hash:
                return ChainCheck(
                    False,
                    checked,
                    seq,
                    f"entry #{seq} was changed after it was written",
                )
            prev, expected, checked = entry_hash, expected + 1, checked + 1
    head = AuditChainHead.objects.filter(pk=1).first()
    if head is not None and (head.last_seq != checked or head.last_hash != prev):
        return ChainCheck(
            False,
            checked,
            checked + 1,
            f"entries #{checked + 1} to #{head.last_seq} were removed",
        )
    return ChainCheck(True, checked)


def _ig_lead_required(actor: Actor) -> None:
    if actor.role != Role.IG_LEAD:
        raise AccessRefused("Only information governance leads can see this.")


@dataclass(frozen=True)
class RelationshipLine:
    """One reason someone may open the person's record now: a row of the
    register, or one derived from a sharing agreement in force."""

    kind: str
    kind_label: str
    holder: str  # a user, a team or a whole organisation, by name
    organisation: str
    detail: str
    source: str
    started_at: dt.datetime | None
    ends_at: dt.datetime | None


def person_relationships_in_force(
    *, actor: Actor, person_id: int
) -> list[RelationshipLine]:
    """Why each professional, team and organisation may see the person now: the
    register's rows in force, and the partners of sharing agreements in force
    through which a partner's knowledge of the person extends. IG leads only."""
    _ig_lead_required(actor)
    from joinedup.governance.models import (
        ORGANISATION_KINDS,
        Relationship,
        RelationshipKind,
    )

    now = timezone.now()
    today = timezone.localdate()
    rows = list(
        Relationship.objects.select_related("user", "team", "organisation")
        .filter(person_id=person_id)
        .exclude(ended_at__lte=now)
        .order_by("kind", "started_at", "pk")
    )
    labels = dict(RelationshipKind.choices)
    lines = []
    for r in rows:
        if r.user is not None:
            holder = r.user.get_full_name() or r.user.username
        elif r.team is not None:
            holder = f"Team: {r.team.name}"
        else:
            holder = "Everyone in the organisation"
        lines.append(
            RelationshipLine(
                kind=r.kind,
                kind_label=labels.get(r.kind, r.kind),
                holder=holder,
                organisation=r.organisation.name if r.organisation else "",
                detail=r.detail.replace("_", " "),
                source=r.source_app,
                started_at=r.started_at,
                ends_at=r.ended_at,
            )
        )
    knowing = {
        r.organisation_id
        for r in rows
        if r.kind in ORGANISATION_KINDS and r.user_id is None and r.team_id is None
    }
    agreements = (
        SharingAgreement.objects.filter(
            ended_at__isnull=True, start_date__lte=today, end_date__gte=today
        )
        .exclude(parties__approved_at__isnull=True)
        .prefetch_related("parties__organisation", "parties__teams")
        .distinct()
    )
    for agreement in agreements:
        parties = list(agreement.parties.all())
        if not any(p.organisation_id in knowing for p in parties):
            continue
        for party in parties:
            teams = [t.name for t in party.teams.all()]
            lines.append(
                RelationshipLine(
                    kind=RelationshipKind.SHARING_AGREEMENT,
                    kind_label=labels[RelationshipKind.SHARING_AGREEMENT],
                    holder=(
                        "Teams: " + ", ".join(teams)
                        if teams
                        else "Everyone in the organisation"
                    ),
                    organisation=party.organisation.name,
                    detail=f"{agreement.title}: " + ", ".join(agreement.categories),
                    source="governance.sharing_agreement",
                    started_at=None,
                    ends_at=dt.datetime.combine(
                        agreement.end_date, dt.time(23, 59), tzinfo=dt.UTC
                    ),
                )
            )
    return lines


def break_glass_review_list(
    *, actor: Actor, pending_only: bool = True
) -> list[BreakGlass]:
    _ig_lead_required(actor)
    uses = BreakGlass.objects.select_related("user", "organisation", "reviewed_by")
    if pending_only:
        uses = uses.filter(review_status=ReviewStatus.PENDING)
    return list(uses.order_by("-started_at")[:200])


def relationship_claim_list(
    *, actor: Actor, pending_only: bool = True
) -> list[RelationshipClaim]:
    _ig_lead_required(actor)
    claims = RelationshipClaim.objects.select_related(
        "user", "organisation", "reviewed_by"
    )
    if pending_only:
        claims = claims.filter(review_status=ReviewStatus.PENDING)
    return list(claims.order_by("-claimed_at")[:200])


def sharing_agreement_list(*, actor: Actor) -> list[SharingAgreement]:
    """Agreements the actor's organisation is party to."""
    _ig_lead_required(actor)
    return list(
        SharingAgreement.objects.filter(parties__organisation_id=actor.organisation_id)
        .prefetch_related("parties__organisation")
        .order_by("-created_at")
    )


def sharing_agreement_get(*, actor: Actor, agreement_id: int) -> SharingAgreement:
    _ig_lead_required(actor)
    agreement = (
        SharingAgreement.objects.filter(
            pk=agreement_id, parties__organisation_id=actor.organisation_id
        )
        .prefetch_related("parties__organisation", "parties__approved_by")
        .first()
    )
    if agreement is None:
        raise NotFound(
            f"agreement: there is no agreement with id {agreement_id} "
            "that your organisation is party to"
        )
    return agreement


def agreement_status(agreement: SharingAgreement, *, today: dt.date) -> str:
    parties = list(agreement.parties.all())
    if agreement.ended_at is not None:
        return "Ended"
    if any(p.approved_at is None for p in parties):
        return "Waiting for approval"
    if today < agreement.start_date:
        return "Approved, not started"
    if today > agreement.end_date:
        return "Expired"
    return "In force"
