"""The shapes of a synthetic area: what the generator produces and what writers and
loaders consume.

Everything here is plain data (frozen dataclasses), free of Django, so the generator
and the extract writers can be tested without a database.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field


@dataclass(frozen=True)
class OrgSpec:
    code: str  # ODS-style code, e.g. "RJU01"
    name: str
    type: str  # DESIGN section 3 organisation types, e.g. "acute_trust"
    postcode: str


@dataclass(frozen=True)
class SourceSystemSpec:
    code: str  # e.g. "acute-pas"
    name: str  # e.g. "Joinedup General Hospital PAS"
    org_code: str  # the organisation that runs the system
    kind: str  # "hl7v2" | "fhir" | "csv"
    identifier_system: str  # URI of its local identifiers
    identifier_label: str  # e.g. "Hospital number (MRN)"


@dataclass(frozen=True)
class SourceRecordSpec:
    """How one source system knows a person: its local id and its (noisy) copy of
    the demographics."""

    system_code: str
    local_id: str
    nhs_number: str | None
    nhs_number_status: str  # UK Core verification status code, e.g. "01"
    given_name: str
    family_name: str
    birth_date: dt.date
    sex: str  # "male" | "female" | "other" | "unknown"
    address_line: str
    postcode: str
    phone: str | None
    is_duplicate: bool = False  # a second record for the same person in one system


@dataclass(frozen=True)
class EventSpec:
    system_code: str
    source_id: str  # unique within the source system
    local_id: str  # the person's local id in that system
    kind: str  # record.EventKind value, e.g. "admission"
    category: str  # DESIGN access category, e.g. "health"
    occurred_at: dt.datetime  # timezone-aware (UTC)
    org_code: str
    summary: str  # short, no free text about the person beyond the coded fact
    code: str = ""  # SNOMED CT concept id where known
    code_display: str = ""
    ended_at: dt.datetime | None = None
    detail: dict[str, str] = field(default_factory=dict)  # e.g. ward, pathway


@dataclass(frozen=True)
class AddressSpec:
    line: str
    postcode: str
    from_date: dt.date


@dataclass(frozen=True)
class PersonSpec:
    key: str  # ground-truth person key, e.g. "P0000001"
    nhs_number: str
    given_name: str
    family_name: str
    previous_family_name: str | None
    birth_date: dt.date
    sex: str
    addresses: tuple[AddressSpec, ...]  # oldest first; the last one is current
    phone: str | None
    gp_practice_code: str
    imd_decile: int  # 1 most deprived .. 10 least
    lsoa: str
    conditions: tuple[str, ...]  # condition keys, see synth.catalogue
    records: tuple[SourceRecordSpec, ...]
    events: tuple[EventSpec, ...]
    about_me: dict[str, str] | None = None  # PRSB "About me" heading -> text
    national_data_opt_out: bool = False


@dataclass(frozen=True)
class Area:
    seed: int
    people_count: int
    start: dt.date  # first day of the generated history
    end: dt.date  # "today" of the area
    organisations: tuple[OrgSpec, ...]
    systems: tuple[SourceSystemSpec, ...]

    def iter_people(self) -> Iterator[PersonSpec]:
        """Yield every person, deterministically, one at a time (streaming: an area
        of 100,000 people is never held in memory at once)."""
        from joinedup.synth.generator import person_generate

        for index in range(self.people_count):
            yield person_generate(area=self, index=index)
