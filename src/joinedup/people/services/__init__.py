"""Writes to the person index from source systems (HL7 v2, FHIR, CSV ingest).

A source record finds its person by the source system's own identifier first; a new
source record goes through `person_match_or_create`: the person with the same
*verified* NHS number (DESIGN 2 "Identity"), else incremental identity matching
(`people.matching.resolve.person_resolve`, the stored Splink model's parameters):
at or above the upper threshold the record is linked to that person; between the
thresholds a new person is created and the pair queued for human review; below,
a new person. Merged people are never found. With no stored model only the
deterministic steps run (logged once at INFO). Name and address changes keep
their history; the source system's organisation is kept as an Involvement.
Ingest is system activity: no access-audit entries are written.

One write path: `SourceRecordBatch` applies source records in order inside one
transaction (the MLLP listener's group commit, file ingest); a single record (FHIR
API, CSV rows, replays, HL7 cancels and merges) is a batch of one
(`person_from_source_upsert`, `person_match_or_create`). `prefetch` reads the
identifiers and involvements of the whole batch in two queries; `upsert` (with
`SourceRecordBatch.person_match_or_create`, the identity step) then works in
memory, seeing what earlier records of the batch created; `flush` writes
everything with bulk inserts and updates. The deterministic steps stay set-wise;
identity matching then resolves each still unknown record against the index (a
few indexed queries) and against the people created earlier in the batch (in
memory); review pairs are queued after `flush`."""

from joinedup.people.services.batch import (
    SourceRecordBatch,
    person_from_source_upsert,
    person_match_or_create,
    person_record_staged,
)
from joinedup.people.services.source import (
    INVOLVEMENT_BY_ORG_TYPE,
    SourceDemographics,
    caches_clear,
    person_for_source_id,
    person_source_records_move,
)

__all__ = [
    "INVOLVEMENT_BY_ORG_TYPE",
    "SourceDemographics",
    "SourceRecordBatch",
    "caches_clear",
    "person_for_source_id",
    "person_from_source_upsert",
    "person_match_or_create",
    "person_record_staged",
    "person_source_records_move",
]
