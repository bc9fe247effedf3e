"""Governance models: organisations and people's roles, sharing agreements,
consent, break-glass, the register of relationships and the audit."""

from joinedup.governance.models.audit import (
    GENESIS_HASH,
    AuditChainHead,
    AuditEntry,
    AuditMaintenance,
    AuditOutcome,
)
from joinedup.governance.models.consent import (
    ConsentDecision,
    ConsentMethod,
    ConsentRecord,
)
from joinedup.governance.models.core import (
    CLINICAL_ROLES,
    DIRECT_CARE_ROLES,
    SEALED_CATEGORIES,
    AccessCategory,
    ApiToken,
    Membership,
    Organisation,
    OrganisationType,
    PrincipalRole,
    Role,
    Team,
    User,
)
from joinedup.governance.models.overrides import (
    BreakGlass,
    BreakGlassReason,
    RelationshipClaim,
    ReviewStatus,
)
from joinedup.governance.models.relationships import (
    ORGANISATION_KINDS,
    Relationship,
    RelationshipKind,
)
from joinedup.governance.models.sharing import (
    LegalBasis,
    SharingAgreement,
    SharingAgreementParty,
)

__all__ = [
    "CLINICAL_ROLES",
    "DIRECT_CARE_ROLES",
    "GENESIS_HASH",
    "ORGANISATION_KINDS",
    "SEALED_CATEGORIES",
    "AccessCategory",
    "ApiToken",
    "AuditChainHead",
    "AuditEntry",
    "AuditMaintenance",
    "AuditOutcome",
    "BreakGlass",
    "BreakGlassReason",
    "ConsentDecision",
    "ConsentMethod",
    "ConsentRecord",
    "LegalBasis",
    "Membership",
    "Organisation",
    "OrganisationType",
    "PrincipalRole",
    "Relationship",
    "RelationshipClaim",
    "RelationshipKind",
    "ReviewStatus",
    "Role",
    "SharingAgreement",
    "SharingAgreementParty",
    "Team",
    "User",
]
