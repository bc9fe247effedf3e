"""Level 1 of joined-up care (DESIGN 4.5): the directory of community services in
the Open Referral UK shape, and social prescribing (link workers' cases, the
services people are connected to, ONS4 wellbeing before and after)."""

from joinedup.directory.models.catalogue import (
    DirectoryImport,
    DirectoryOrganization,
    ImportStatus,
    Location,
    Service,
    ServiceAtLocation,
    ServiceContact,
    ServiceStatus,
    TaxonomyTerm,
)
from joinedup.directory.models.prescribing import (
    CaseSource,
    CaseStatus,
    Connection,
    ConnectionStatus,
    PrescribingCase,
    WellbeingScore,
    WellbeingWhen,
)

__all__ = [
    "CaseSource",
    "CaseStatus",
    "Connection",
    "ConnectionStatus",
    "DirectoryImport",
    "DirectoryOrganization",
    "ImportStatus",
    "Location",
    "PrescribingCase",
    "Service",
    "ServiceAtLocation",
    "ServiceContact",
    "ServiceStatus",
    "TaxonomyTerm",
    "WellbeingScore",
    "WellbeingWhen",
]
