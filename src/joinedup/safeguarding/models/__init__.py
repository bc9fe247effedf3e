"""Safeguarding models. One module per part; import them here."""

from joinedup.safeguarding.models.adults import (
    AdultConcern,
    AdultEnquiry,
    ConcernStatus,
)
from joinedup.safeguarding.models.children import (
    ChildCase,
    ChildCaseStatus,
    ChildProtectionPlan,
    Conference,
    ConferenceKind,
    LookedAfter,
)
from joinedup.safeguarding.models.common import (
    CaseKind,
    CaseMember,
    FlagAttendance,
    FlagKind,
    MemberRole,
    ProtectionFlag,
    SharingDecision,
)
from joinedup.safeguarding.models.families import (
    EarlyHelpAssessment,
    Family,
    FamilyMember,
    FamilyReview,
    FamilyRole,
    FamilyStatus,
    FamilyStep,
    StepDirection,
)

__all__ = [
    "AdultConcern",
    "AdultEnquiry",
    "CaseKind",
    "CaseMember",
    "ChildCase",
    "ChildCaseStatus",
    "ChildProtectionPlan",
    "ConcernStatus",
    "Conference",
    "ConferenceKind",
    "EarlyHelpAssessment",
    "Family",
    "FamilyMember",
    "FamilyReview",
    "FamilyRole",
    "FamilyStatus",
    "FamilyStep",
    "FlagAttendance",
    "FlagKind",
    "LookedAfter",
    "MemberRole",
    "ProtectionFlag",
    "SharingDecision",
    "StepDirection",
]
