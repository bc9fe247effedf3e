"""Funding models. One module per part (chc, packages, pooled); import them here."""

from joinedup.funding.models.chc import (  # noqa: F401
    ChcCase,
    ChcChecklist,
    ChcDecision,
    ChcDispute,
    ChcDisputeStage,
    ChcDst,
    ChcFastTrack,
    ChcInterimFunding,
    ChcMdtMember,
    ChcRecommendation,
    ChcReview,
)
from joinedup.funding.models.packages import (  # noqa: F401
    CarePackage,
    DirectPayment,
    Funder,
    FundingSplit,
    PackageKind,
)
from joinedup.funding.models.pooled import (  # noqa: F401
    Contribution,
    ContributionSource,
    FundPartner,
    FundYear,
    Journal,
    PooledFund,
    RiskShare,
    Scheme,
    SchemeKind,
    SchemePlan,
)
