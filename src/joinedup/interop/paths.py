"""`joinedup ingest PATH...`: dispatch files and folders to the right adapter.

*.hl7 -> HL7 v2; *.ndjson / *.json -> FHIR; *.csv in a folder named after a source
with a CSV mapping (or with --source) -> council CSV. A folder written by `joinedup
generate` is walked: its reference files (organisations.csv, source_systems.csv)
are loaded first, ground_truth.csv is left alone (it is for scoring matching)."""

from __future__ import annotations

import pathlib
from collections.abc import Callable
from dataclasses import dataclass, field

from joinedup.errors import InvalidInput
from joinedup.interop.csv.ingest import csv_file_ingest, csv_files_order
from joinedup.interop.csv.mapping import mapping_sources
from joinedup.interop.fhir.ingest import fhir_json_ingest, fhir_ndjson_ingest
from joinedup.interop.hl7v2.ingest import hl7_file_ingest
from joinedup.interop.reference import (
    ORGANISATIONS,
    SOURCE_SYSTEMS,
    reference_files_load,
)
from joinedup.interop.services import Tally

KNOWN_SUFFIXES = (".hl7", ".ndjson", ".json", ".csv")
# reference/postcode_areas.csv and reference/national_data_opt_outs.csv are
# loaded by `joinedup reference` (people/areas.py), not ingested.
NOT_INGESTED = {
    ORGANISATIONS,
    SOURCE_SYSTEMS,
    "ground_truth.csv",
    "postcode_areas.csv",
    "national_data_opt_outs.csv",
}


@dataclass
class IngestPlan:
    reference_folders: list[pathlib.Path] = field(default_factory=list)
    hl7: list[pathlib.Path] = field(default_factory=list)
    fhir: list[pathlib.Path] = field(default_factory=list)
    csv: dict[str, list[pathlib.Path]] = field(default_factory=dict)

    def files(self) -> int:
        return len(self.hl7) + len(self.fhir) + sum(map(len, self.csv.values()))


def _add_file(plan: IngestPlan, path: pathlib.Path, source: str | None) -> None:
    suffix = path.suffix.lower()
    if suffix == ".hl7":
        plan.hl7.append(path)
    elif suffix in (".ndjson", ".json"):
        plan.fhir.append(path)
    elif suffix == ".csv":
        name = source or path.parent.name
        if name not in mapping_sources():
            raise InvalidInput(
                f"{path}: cannot tell which source this CSV comes from; give "
                f"--source (one of: {', '.join(mapping_sources())})"
            )
        plan.csv.setdefault(name, []).append(path)
    else:
        raise InvalidInput(f"{path}: unknown kind of file (.hl7, .ndjson, .json, .csv)")


def ingest_plan(paths: list[pathlib.Path], *, source: str | None = None) -> IngestPlan:
    plan = IngestPlan()
    for path in paths:
        if path.is_dir():
            if (path / SOURCE_SYSTEMS).exists():
                plan.reference_folders.append(path)
            for child in sorted(path.rglob("*")):
                if (
                    child.is_file()
                    and child.name not in NOT_INGESTED
                    and child.suffix.lower() in KNOWN_SUFFIXES
                ):
                    _add_file(plan, child, source)
        elif path.is_file():
            _add_file(plan, path, source)
        else:
            raise InvalidInput(f"{path}: no such file or folder")
    return plan


def paths_ingest(
    paths: list[pathlib.Path],
    *,
    source: str | None = None,
    progress: Callable[[str], None] | None = None,
) -> Tally:
    """Ingest everything under `paths`; returns the counts per source."""
    plan = ingest_plan(paths, source=source)
    tally = Tally()
    for folder in plan.reference_folders:
        reference_files_load(folder=folder)
    for path in plan.hl7:
        if progress:
            progress(str(path))
        tally.merge(hl7_file_ingest(path))
    for path in plan.fhir:
        if progress:
            progress(str(path))
        if path.suffix.lower() == ".ndjson":
            fhir_ndjson_ingest(path, tally=tally)
        else:
            text = path.read_text(encoding="utf-8", errors="replace")
            fhir_json_ingest(text, origin=path.name, tally=tally)
    for name, files in plan.csv.items():
        for path in csv_files_order(files, name):
            if progress:
                progress(str(path))
            csv_file_ingest(path, source=name, tally=tally)
    return tally
