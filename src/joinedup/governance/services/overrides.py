"""Writes: break-glass access, self-claimed relationships, and their review by the
IG lead."""

from __future__ import annotations

import datetime as dt

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from joinedup.errors import AccessRefused, Conflict, InvalidInput, NotFound
from joinedup.governance.access import (
    Actor,
    Decision,
    Via,
    may_break_glass,
    may_claim_relationship,
)
from joinedup.governance.models import (
    AccessCategory,
    BreakGlass,
    BreakGlassReason,
    RelationshipClaim,
    ReviewStatus,
    Role,
)
from joinedup.governance.services.audit import audit_record

BREAK_GLASS_HOURS = 4
CLAIM_DAYS = 30
MAX_BREAK_GLASS_HOURS = 12


def _person_exists(person_id: int) -> None:
    # By label, as the foreign keys name it: governance sits below the index.
    person = apps.get_model("people", "Person")
    if not person._default_manager.filter(pk=person_id).exists():
        raise NotFound(f"person: there is no person with id {person_id}")


def break_glass_validate(
    *, actor: Actor, reason: str, justification: str, hours: int = BREAK_GLASS_HOURS
) -> None:
    """Refuse emergency access before anything is looked up: the role, the
    reason, the justification and the duration, each error naming its field."""
    if not may_break_glass(actor):
        raise AccessRefused(
            f"The role {actor.role_label} cannot use emergency access (break-glass)."
        )
    errors: dict[str, str] = {}
    if reason not in BreakGlassReason.values:
        errors["reason"] = "Select the reason you need emergency access"
    if len(justification.strip()) < 10:
        errors["justification"] = (
            "Explain why you need access now (at least 10 characters)"
        )
    if not 1 <= hours <= MAX_BREAK_GLASS_HOURS:
        errors["hours"] = f"Access lasts between 1 and {MAX_BREAK_GLASS_HOURS} hours"
    if errors:
        raise InvalidInput(
            "; ".join(f"{k}: {v}" for k, v in errors.items()), fields=errors
        )


@transaction.atomic
def break_glass_start(
    *,
    actor: Actor,
    person_id: int,
    reason: str,
    justification: str,
    hours: int = BREAK_GLASS_HOURS,
) -> BreakGlass:
    """Emergency access to a person's record for a few hours, with a stated
    reason; it lands on the IG lead's review list."""
    break_glass_validate(
        actor=actor, reason=reason, justification=justification, hours=hours
    )
    _person_exists(person_id)
    now = timezone.now()
    use = BreakGlass.objects.create(
        user_id=actor.user_id,
        role=actor.role,
        organisation_id=actor.organisation_id,
        person_id=person_id,
        reason=reason,
        justification=justification.strip(),
        started_at=now,
        expires_at=now + dt.timedelta(hours=hours),
    )
    audit_record(
        actor=actor,
        person_id=person_id,
        action="break_glass_start",
        category=AccessCategory.DEMOGRAPHICS,
        decision=Decision(True, f"break-glass: {reason}", Via.BREAK_GLASS),
    )
    return use


@transaction.atomic
def relationship_claim(
    *, actor: Actor, person_id: int, reason: str
) -> RelationshipClaim:
    """A clinician states a legitimate relationship the system does not know;
    it gives access for 30 days and raises an alert for the IG lead."""
    if not may_claim_relationship(actor):
        raise AccessRefused(
            f"The role {actor.role_label} cannot claim a relationship; "
            "ask to be added to the care team."
        )
    if len(reason.strip()) < 10:
        raise InvalidInput.for_field(
            "reason",
            "Explain your relationship with the person (at least 10 characters)",
        )
    _person_exists(person_id)
    now = timezone.now()
    claim = RelationshipClaim.objects.create(
        user_id=actor.user_id,
        role=actor.role,
        organisation_id=actor.organisation_id,
        person_id=person_id,
        reason=reason.strip(),
        claimed_at=now,
        expires_at=now + dt.timedelta(days=CLAIM_DAYS),
    )
    audit_record(
        actor=actor,
        person_id=person_id,
        action="claim_relationship",
        category=AccessCategory.DEMOGRAPHICS,
        decision=Decision(True, "self-claimed relationship", Via.SELF_CLAIMED),
    )
    return claim


def _review(
    model: type[BreakGlass] | type[RelationshipClaim],
    *,
    actor: Actor,
    item_id: int,
    outcome: str,
    note: str,
) -> None:
    if actor.role != Role.IG_LEAD:
        raise AccessRefused("Only information governance leads review these.")
    if outcome not in (ReviewStatus.APPROPRIATE, ReviewStatus.ESCALATED):
        raise InvalidInput.for_field("outcome", "Select appropriate or escalated")
    if outcome == ReviewStatus.ESCALATED and not note.strip():
        raise InvalidInput.for_field("note", "Say why you are escalating it")
    with transaction.atomic():
        item = model.objects.select_for_update().filter(pk=item_id).first()
        if item is None:
            raise NotFound(f"there is nothing to review with id {item_id}")
        if item.review_status != ReviewStatus.PENDING:
            raise Conflict("This has already been reviewed.")
        item.review_status = outcome
        item.reviewed_by_id = actor.user_id
        item.reviewed_at = timezone.now()
        item.review_note = note.strip()
        item.save(
            update_fields=["review_status", "reviewed_by", "reviewed_at", "review_note"]
        )


def break_glass_review(
    *, actor: Actor, use_id: int, outcome: str, note: str = ""
) -> None:
    _review(BreakGlass, actor=actor, item_id=use_id, outcome=outcome, note=note)


def relationship_claim_review(
    *, actor: Actor, claim_id: int, outcome: str, note: str = ""
) -> None:
    _review(
        RelationshipClaim, actor=actor, item_id=claim_id, outcome=outcome, note=note
    )
