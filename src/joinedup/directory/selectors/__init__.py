"""Every read in the directory app. Import from here."""

from joinedup.directory.selectors.catalogue import (
    SearchResult,
    directory_export,
    directory_imports,
    directory_needs,
    directory_search,
    service_get,
)
from joinedup.directory.selectors.figures import SpFigures, sp_figures
from joinedup.directory.selectors.prescribing import (
    CaseView,
    sp_case_detail,
    sp_caseload,
    sp_person_cases,
    sp_person_has_cases,
    sp_referrals_waiting,
)

__all__ = [
    "CaseView",
    "SearchResult",
    "SpFigures",
    "directory_export",
    "directory_imports",
    "directory_needs",
    "directory_search",
    "service_get",
    "sp_case_detail",
    "sp_caseload",
    "sp_figures",
    "sp_person_cases",
    "sp_person_has_cases",
    "sp_referrals_waiting",
]
