"""Every write in the directory app. Import from here."""

from joinedup.directory.services.catalogue import (
    directory_import,
    directory_organization_link,
    service_update,
)
from joinedup.directory.services.prescribing import (
    case_close,
    case_decline,
    case_open_from_referral,
    case_open_self_referral,
    connection_outcome,
    connection_send,
    wellbeing_record,
    what_matters_record,
)

__all__ = [
    "case_close",
    "case_decline",
    "case_open_from_referral",
    "case_open_self_referral",
    "connection_outcome",
    "connection_send",
    "directory_import",
    "directory_organization_link",
    "service_update",
    "wellbeing_record",
    "what_matters_record",
]
