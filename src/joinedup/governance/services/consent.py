"""Writes: a person's consent or objection to sharing, and their national data
opt-out."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from joinedup.errors import InvalidInput
from joinedup.governance.access import Actor, Decision
from joinedup.governance.models import (
    AccessCategory,
    ConsentDecision,
    ConsentMethod,
    ConsentRecord,
    Organisation,
)
from joinedup.governance.services.audit import audit_record


@transaction.atomic
def consent_record(
    *,
    actor: Actor,
    person_id: int,
    decision: str,
    method: str,
    category: str = "",
    organisation_code: str = "",
    note: str = "",
) -> ConsentRecord:
    """Record what the person said about sharing `category` ("" for every
    category) with `organisation_code` ("" for every organisation). The caller
    must have opened the record (the access policy decides who may record)."""
    errors: dict[str, str] = {}
    if decision not in ConsentDecision.values:
        errors["decision"] = "Select whether the person consents or objects"
    if method not in ConsentMethod.values:
        errors["method"] = "Select how the person told you"
    if category and category not in AccessCategory.values:
        errors["category"] = f"Unknown category {category!r}"
    organisation = None
    if organisation_code:
        organisation = Organisation.objects.filter(code=organisation_code).first()
        if organisation is None:
            errors["organisation"] = (
                f"No organisation has the code {organisation_code!r}"
            )
    if errors:
        raise InvalidInput(
            "; ".join(f"{k}: {v}" for k, v in errors.items()), fields=errors
        )
    record = ConsentRecord.objects.create(
        person_id=person_id,
        category=category,
        organisation=organisation,
        decision=decision,
        method=method,
        recorded_by_id=actor.user_id,
        recorded_at=timezone.now(),
        note=note.strip(),
    )
    audit_record(
        actor=actor,
        person_id=person_id,
        action=f"record_{decision}",
        category=category or AccessCategory.DEMOGRAPHICS,
        decision=Decision(True, "consent recorded by a professional with access"),
    )
    return record
