"""Writes: data sharing agreements (IG leads only)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import transaction
from django.utils import timezone

from joinedup.errors import AccessRefused, Conflict, InvalidInput, NotFound
from joinedup.governance.access import Actor
from joinedup.governance.models import (
    AccessCategory,
    LegalBasis,
    Organisation,
    Role,
    SharingAgreement,
    SharingAgreementParty,
)


def _ig_lead_required(actor: Actor) -> None:
    if actor.role != Role.IG_LEAD:
        raise AccessRefused(
            "Only information governance leads manage sharing agreements."
        )


def _agreement_for_party(actor: Actor, agreement_id: int) -> SharingAgreement:
    agreement = SharingAgreement.objects.filter(pk=agreement_id).first()
    if agreement is None:
        raise NotFound(f"agreement: there is no agreement with id {agreement_id}")
    if not agreement.parties.filter(organisation_id=actor.organisation_id).exists():
        raise AccessRefused("Your organisation is not a party to this agreement.")
    return agreement


@transaction.atomic
def sharing_agreement_create(
    *,
    actor: Actor,
    title: str,
    purpose: str,
    legal_basis: str,
    organisation_codes: Sequence[str],
    categories: Sequence[str],
    start_date: dt.date | None,
    end_date: dt.date | None,
) -> SharingAgreement:
    """Propose an agreement between the actor's organisation and the others named.
    The actor's organisation approves by proposing; each other party's IG lead
    must approve before it takes effect."""
    _ig_lead_required(actor)
    errors: dict[str, str] = {}
    if not title.strip():
        errors["title"] = "Enter a title"
    if not purpose.strip():
        errors["purpose"] = "Enter the purpose of sharing"
    if legal_basis not in LegalBasis.values:
        errors["legal_basis"] = "Select the legal basis"
    unknown = sorted(set(categories) - set(AccessCategory.values))
    if not categories:
        errors["categories"] = "Select at least one category of information"
    elif unknown:
        errors["categories"] = f"Unknown categories: {', '.join(unknown)}"
    if start_date is None:
        errors["start_date"] = "Enter a real start date"
    if end_date is None:
        errors["end_date"] = "Enter a real end date"
    if start_date and end_date and end_date < start_date:
        errors["end_date"] = "End date must be the same as or after the start date"
    partners = list(
        Organisation.objects.filter(code__in=organisation_codes).exclude(
            pk=actor.organisation_id
        )
    )
    missing = sorted(
        set(organisation_codes) - {o.code for o in partners} - {_own_code(actor)}
    )
    if missing:
        errors["organisations"] = f"No organisation has the code {', '.join(missing)}"
    elif not partners:
        errors["organisations"] = "Select at least one other organisation"
    if errors or start_date is None or end_date is None:
        raise InvalidInput(
            "; ".join(f"{k}: {v}" for k, v in errors.items()), fields=errors
        )
    agreement = SharingAgreement.objects.create(
        title=title.strip(),
        purpose=purpose.strip(),
        legal_basis=legal_basis,
        categories=sorted(set(categories)),
        start_date=start_date,
        end_date=end_date,
        created_by_id=actor.user_id,
    )
    now = timezone.now()
    SharingAgreementParty.objects.create(
        agreement=agreement,
        organisation_id=actor.organisation_id,
        approved_by_id=actor.user_id,
        approved_at=now,
    )
    for org in partners:
        SharingAgreementParty.objects.create(agreement=agreement, organisation=org)
    return agreement


def _own_code(actor: Actor) -> str:
    return Organisation.objects.values_list("code", flat=True).get(
        pk=actor.organisation_id
    )


@transaction.atomic
def sharing_agreement_approve(*, actor: Actor, agreement_id: int) -> SharingAgreement:
    _ig_lead_required(actor)
    agreement = _agreement_for_party(actor, agreement_id)
    if agreement.ended_at is not None:
        raise Conflict("This agreement has ended; it cannot be approved.")
    party = agreement.parties.select_for_update().get(
        organisation_id=actor.organisation_id
    )
    if party.approved_at is not None:
        raise Conflict("Your organisation has already approved this agreement.")
    party.approved_by_id = actor.user_id
    party.approved_at = timezone.now()
    party.save(update_fields=["approved_by", "approved_at"])
    return agreement


@transaction.atomic
def sharing_agreement_end(
    *, actor: Actor, agreement_id: int, reason: str
) -> SharingAgreement:
    """End an agreement at once: access through it stops with this commit."""
    _ig_lead_required(actor)
    if not reason.strip():
        raise InvalidInput.for_field("reason", "Enter why the agreement is ending")
    agreement = _agreement_for_party(actor, agreement_id)
    if agreement.ended_at is not None:
        raise Conflict("This agreement has already ended.")
    agreement.ended_at = timezone.now()
    agreement.ended_by_id = actor.user_id
    agreement.ended_reason = reason.strip()[:300]
    agreement.save(update_fields=["ended_at", "ended_by", "ended_reason"])
    return agreement
