"""The person index's tables: people with their identifiers, names, addresses,
involvements and "About me" (person), identity matching (matching) and the
postcode reference data (areas)."""

from joinedup.people.models.areas import (
    PostcodeArea,
)
from joinedup.people.models.matching import (
    CandidateStatus,
    MatchCandidate,
    MatchingModel,
    PersonMerge,
)
from joinedup.people.models.person import (
    AboutMe,
    Address,
    EthnicCategory,
    Identifier,
    Involvement,
    InvolvementKind,
    NameUse,
    NhsNumberStatus,
    Person,
    PersonName,
    Sex,
    normalise_name,
)

__all__ = [
    "AboutMe",
    "Address",
    "CandidateStatus",
    "EthnicCategory",
    "Identifier",
    "Involvement",
    "InvolvementKind",
    "MatchCandidate",
    "MatchingModel",
    "NameUse",
    "NhsNumberStatus",
    "Person",
    "PersonMerge",
    "PersonName",
    "PostcodeArea",
    "Sex",
    "normalise_name",
]
