"""The person's own choices kept on their record: the national data opt-out
(for research and planning; DESIGN 2, secondary use)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from joinedup.governance.access import Actor, Decision
from joinedup.governance.models import AccessCategory
from joinedup.governance.services import audit_record
from joinedup.people.models import Person


@transaction.atomic
def national_opt_out_set(*, actor: Actor, person_id: int, opted_out: bool) -> None:
    Person.objects.filter(pk=person_id).update(
        national_data_opt_out=opted_out, updated_at=timezone.now()
    )
    audit_record(
        actor=actor,
        person_id=person_id,
        action="set_national_opt_out" if opted_out else "clear_national_opt_out",
        category=AccessCategory.DEMOGRAPHICS,
        decision=Decision(True, "national data opt-out recorded"),
    )
