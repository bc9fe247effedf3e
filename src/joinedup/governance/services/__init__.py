"""Every write in governance. Import from here: `governance.services.<name>`."""

from joinedup.governance.services.accounts import token_create, user_create
from joinedup.governance.services.audit import audit_record, audit_record_many
from joinedup.governance.services.consent import consent_record
from joinedup.governance.services.overrides import (
    BREAK_GLASS_HOURS,
    break_glass_review,
    break_glass_start,
    relationship_claim,
    relationship_claim_review,
)
from joinedup.governance.services.relationships import (
    relationships_close,
    relationships_differences,
    relationships_open,
    relationships_sync,
)
from joinedup.governance.services.sharing import (
    sharing_agreement_approve,
    sharing_agreement_create,
    sharing_agreement_end,
)

__all__ = [
    "BREAK_GLASS_HOURS",
    "audit_record",
    "audit_record_many",
    "break_glass_review",
    "break_glass_start",
    "consent_record",
    "relationship_claim",
    "relationship_claim_review",
    "relationships_close",
    "relationships_differences",
    "relationships_open",
    "relationships_sync",
    "sharing_agreement_approve",
    "sharing_agreement_create",
    "sharing_agreement_end",
    "token_create",
    "user_create",
]
