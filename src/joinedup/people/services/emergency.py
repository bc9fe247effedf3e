"""Emergency access (break-glass) to a person found by NHS number: the reason is
checked and recorded before anyone is looked up, and a number that matches no
one is itself an audited, refused attempt."""

from __future__ import annotations

from joinedup.errors import InvalidInput
from joinedup.governance.access import Actor, Decision, Via
from joinedup.governance.models import AccessCategory, BreakGlass
from joinedup.governance.services import audit_record
from joinedup.governance.services.overrides import (
    BREAK_GLASS_HOURS,
    break_glass_start,
    break_glass_validate,
)
from joinedup.people.models import Person
from joinedup.people.nhs_number import nhs_number_parse

UNKNOWN = "No one with this NHS number is known to JoinedUp"


def break_glass_start_for_nhs_number(
    *,
    actor: Actor,
    nhs_number: str,
    reason: str,
    justification: str,
    hours: int = BREAK_GLASS_HOURS,
) -> BreakGlass:
    """Break-glass to the person with this NHS number. Refused (InvalidInput,
    naming the field) for a missing reason or justification before the number
    is looked up; an unknown number leaves a refused audit entry."""
    errors: dict[str, str] = {}
    try:
        break_glass_validate(
            actor=actor, reason=reason, justification=justification, hours=hours
        )
    except InvalidInput as exc:
        errors.update(exc.fields)
    try:
        number = nhs_number_parse(nhs_number)
    except ValueError as exc:
        errors["nhs_number"] = str(exc)
    if errors:
        raise InvalidInput(
            "; ".join(f"{k}: {v}" for k, v in errors.items()), fields=errors
        )
    person_id = (
        Person.objects.filter(nhs_number=number)
        .order_by("pk")
        .values_list("pk", flat=True)
        .first()
    )
    if person_id is None:
        audit_record(
            actor=actor,
            person_id=None,
            action="break_glass_start",
            category=AccessCategory.DEMOGRAPHICS,
            decision=Decision(
                False,
                f"break-glass ({reason}): no person with this NHS number",
                Via.BREAK_GLASS,
            ),
        )
        raise InvalidInput.for_field("nhs_number", UNKNOWN)
    return break_glass_start(
        actor=actor,
        person_id=person_id,
        reason=reason,
        justification=justification,
        hours=hours,
    )
