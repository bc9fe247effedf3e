"""Write a synthetic area as the extracts its source systems would send, streaming
person by person (an area of 100,000 people is never held in memory):

    organisations.csv          code, name, type, postcode
    source_systems.csv         code, name, org_code, kind, identifier_system,
                               identifier_label
    ground_truth.csv           system_code, local_id, person_key (every source record)
    acute-pas/adt.hl7          HL7 v2.4 ADT, one message a line (see writers_hl7)
    gp-system/<practice>.ndjson   one FHIR transaction Bundle a line per patient
    community-epr/bundles.ndjson  (see writers_fhir)
    mh-epr/bundles.ndjson
    council-sc/clients.csv     client_id, nhs_number, nhs_number_status, forename,
                               surname, date_of_birth (DD/MM/YYYY), gender, address,
                               postcode, phone
    council-sc/assessments.csv assessment_id, client_id, assessment_type, started,
                               completed, outcome
    council-sc/services.csv    service_id, client_id, service_type, start_date,
                               end_date, weekly_hours, weekly_cost
    council-sc/safeguarding.csv  concern_id, client_id, raised, outcome
    reference/postcode_areas.csv and reference/national_data_opt_outs.csv:
                               see writers_reference

Council dates are DD/MM/YYYY, as council systems export them; gender is "Male",
"Female", "Other" or "Not known".
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import pathlib
from collections.abc import Callable
from contextlib import ExitStack
from typing import IO, Any

from joinedup.synth import catalogue as cat
from joinedup.synth.area import Area, EventSpec, PersonSpec, SourceRecordSpec
from joinedup.synth.writers_fhir import record_bundle
from joinedup.synth.writers_hl7 import adt_messages
from joinedup.synth.writers_reference import (
    OPT_OUTS,
    OPT_OUTS_HEADER,
    POSTCODE_AREAS,
    POSTCODE_AREAS_HEADER,
    area_postcodes,
)

CLIENT_HEADER = (
    "client_id",
    "nhs_number",
    "nhs_number_status",
    "forename",
    "surname",
    "date_of_birth",
    "gender",
    "address",
    "postcode",
    "phone",
)
ASSESSMENT_HEADER = (
    "assessment_id",
    "client_id",
    "assessment_type",
    "started",
    "completed",
    "outcome",
)
SERVICE_HEADER = (
    "service_id",
    "client_id",
    "service_type",
    "start_date",
    "end_date",
    "weekly_hours",
    "weekly_cost",
)
SAFEGUARDING_HEADER = ("concern_id", "client_id", "raised", "outcome")
GROUND_TRUTH_HEADER = ("system_code", "local_id", "person_key")
ORGANISATION_HEADER = ("code", "name", "type", "postcode")
SOURCE_SYSTEM_HEADER = (
    "code",
    "name",
    "org_code",
    "kind",
    "identifier_system",
    "identifier_label",
)
COUNCIL_GENDER = {
    "male": "Male",
    "female": "Female",
    "other": "Other",
    "unknown": "Not known",
}
PROGRESS_EVERY = 1000


def council_date(value: dt.date | dt.datetime | None) -> str:
    """DD/MM/YYYY, as council case management systems export dates."""
    if value is None:
        return ""
    return value.strftime("%d/%m/%Y")


class _Writer:
    """The open files of one extract run and what has been written to them."""

    def __init__(self, area: Area, out_dir: pathlib.Path, stack: ExitStack) -> None:
        self.area = area
        self.out = out_dir
        self.stack = stack
        self.systems = {s.code: s for s in area.systems}
        self.orgs = {o.code: o for o in area.organisations}
        self.area_start = dt.datetime.combine(area.start, dt.time(), tzinfo=dt.UTC)
        self.counts = {
            "people": 0,
            "source_records": 0,
            "hl7_messages": 0,
            "fhir_bundles": 0,
            "fhir_resources": 0,
            "council_clients": 0,
            "council_assessments": 0,
            "council_services": 0,
            "council_safeguarding": 0,
            "postcode_areas": 0,
            "national_data_opt_outs": 0,
        }
        self._files: dict[str, IO[str]] = {}
        self._csv: dict[str, Any] = {}

    def file(self, relative: str) -> IO[str]:
        handle = self._files.get(relative)
        if handle is None:
            path = self.out / relative
            path.parent.mkdir(parents=True, exist_ok=True)
            handle = self.stack.enter_context(
                path.open("w", encoding="utf-8", newline="")
            )
            self._files[relative] = handle
        return handle

    def csv(self, relative: str, header: tuple[str, ...]) -> Any:
        writer = self._csv.get(relative)
        if writer is None:
            writer = csv.writer(self.file(relative))
            writer.writerow(header)
            self._csv[relative] = writer
        return writer

    # --- reference files -------------------------------------------------------------

    def reference_files(self) -> None:
        orgs = self.csv("organisations.csv", ORGANISATION_HEADER)
        for o in self.area.organisations:
            orgs.writerow((o.code, o.name, o.type, o.postcode))
        systems = self.csv("source_systems.csv", SOURCE_SYSTEM_HEADER)
        for s in self.area.systems:
            systems.writerow(
                (s.code, s.name, s.org_code, s.kind, s.identifier_system,
                 s.identifier_label)
            )  # fmt: skip
        # Open every extract now, so a small area still has every file.
        self.file("acute-pas/adt.hl7")
        self.file("community-epr/bundles.ndjson")
        self.file("mh-epr/bundles.ndjson")
        for code, org in self.orgs.items():
            if org.type == "gp_practice":
                self.file(f"gp-system/{code}.ndjson")
        self.csv("council-sc/clients.csv", CLIENT_HEADER)
        self.csv("council-sc/assessments.csv", ASSESSMENT_HEADER)
        self.csv("council-sc/services.csv", SERVICE_HEADER)
        self.csv("council-sc/safeguarding.csv", SAFEGUARDING_HEADER)
        self.csv("ground_truth.csv", GROUND_TRUTH_HEADER)
        # Reference data from outside the source systems (writers_reference).
        areas = self.csv(POSTCODE_AREAS, POSTCODE_AREAS_HEADER)
        for row in area_postcodes():
            areas.writerow(row)
            self.counts["postcode_areas"] += 1
        self.csv(OPT_OUTS, OPT_OUTS_HEADER)

    # --- one person ------------------------------------------------------------------

    def person(self, person: PersonSpec) -> None:
        by_record: dict[tuple[str, str], list[EventSpec]] = {}
        for event in person.events:
            by_record.setdefault((event.system_code, event.local_id), []).append(event)
        truth = self.csv("ground_truth.csv", GROUND_TRUTH_HEADER)
        for record in person.records:
            truth.writerow((record.system_code, record.local_id, person.key))
            events = by_record.get((record.system_code, record.local_id), [])
            kind = self.systems[record.system_code].kind
            if kind == "hl7v2":
                self.hl7(person, record, events)
            elif kind == "fhir":
                self.fhir(person, record, events)
            else:
                self.council(record, events)
        self.counts["people"] += 1
        self.counts["source_records"] += len(person.records)
        if person.national_data_opt_out:
            self.csv(OPT_OUTS, OPT_OUTS_HEADER).writerow((person.nhs_number,))
            self.counts["national_data_opt_outs"] += 1

    def hl7(
        self, person: PersonSpec, record: SourceRecordSpec, events: list[EventSpec]
    ) -> None:
        messages = adt_messages(
            person=person,
            record=record,
            events=events,
            org_code=self.systems[record.system_code].org_code,
            area_start=self.area_start,
        )
        handle = self.file(f"{record.system_code}/adt.hl7")
        handle.write("\n".join(messages))
        handle.write("\n")
        self.counts["hl7_messages"] += len(messages)

    def fhir(
        self, person: PersonSpec, record: SourceRecordSpec, events: list[EventSpec]
    ) -> None:
        system = self.systems[record.system_code]
        is_gp = system.code == "gp-system"
        bundle = record_bundle(
            person=person,
            record=record,
            system=system,
            events=events,
            problem_list=is_gp,
        )
        if is_gp:
            relative = f"{system.code}/{person.gp_practice_code}.ndjson"
        else:
            relative = f"{system.code}/bundles.ndjson"
        handle = self.file(relative)
        handle.write(json.dumps(bundle, ensure_ascii=False, separators=(",", ":")))
        handle.write("\n")
        self.counts["fhir_bundles"] += 1
        self.counts["fhir_resources"] += len(bundle["entry"])

    def council(self, record: SourceRecordSpec, events: list[EventSpec]) -> None:
        base = record.system_code
        self.csv(f"{base}/clients.csv", CLIENT_HEADER).writerow(
            (
                record.local_id,
                record.nhs_number or "",
                record.nhs_number_status,
                record.given_name,
                record.family_name,
                council_date(record.birth_date),
                COUNCIL_GENDER.get(record.sex, "Not known"),
                f"{record.address_line}, {cat.TOWN}",
                record.postcode,
                record.phone or "",
            )
        )
        self.counts["council_clients"] += 1
        services: dict[str, list[str]] = {}
        for event in events:
            d = event.detail
            if event.kind == "social_care_assessment":
                self.csv(f"{base}/assessments.csv", ASSESSMENT_HEADER).writerow(
                    (
                        event.source_id,
                        record.local_id,
                        d.get("assessment_type", ""),
                        council_date(event.occurred_at),
                        council_date(event.ended_at),
                        d.get("outcome", ""),
                    )
                )
                self.counts["council_assessments"] += 1
            elif event.kind == "service_start":
                services[d["service_id"]] = [
                    d["service_id"],
                    record.local_id,
                    d.get("service_type", ""),
                    council_date(event.occurred_at),
                    "",
                    d.get("weekly_hours", ""),
                    d.get("weekly_cost", ""),
                ]
            elif event.kind == "service_end":
                row = services.get(d.get("service_id", ""))
                if row is not None:
                    row[4] = council_date(event.occurred_at)
            elif event.kind == "safeguarding_concern":
                self.csv(f"{base}/safeguarding.csv", SAFEGUARDING_HEADER).writerow(
                    (
                        event.source_id,
                        record.local_id,
                        council_date(event.occurred_at),
                        d.get("outcome", ""),
                    )
                )
                self.counts["council_safeguarding"] += 1
        if services:
            writer = self.csv(f"{base}/services.csv", SERVICE_HEADER)
            for row in services.values():
                writer.writerow(row)
            self.counts["council_services"] += len(services)


def extracts_write(
    *,
    area: Area,
    out_dir: pathlib.Path,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Write every extract of the area under `out_dir` (created if missing).
    `progress`, if given, is called with the number of people written since its
    last call (every 1,000 people and at the end). Returns counts: people,
    source_records, hl7_messages, fhir_bundles, fhir_resources, council_clients,
    council_assessments, council_services, council_safeguarding, organisations,
    source_systems."""
    out_dir.mkdir(parents=True, exist_ok=True)
    with ExitStack() as stack:
        writer = _Writer(area, out_dir, stack)
        writer.reference_files()
        pending = 0
        for person in area.iter_people():
            writer.person(person)
            pending += 1
            if progress is not None and pending >= PROGRESS_EVERY:
                progress(pending)
                pending = 0
        if progress is not None and pending:
            progress(pending)
        counts = dict(writer.counts)
    counts["organisations"] = len(area.organisations)
    counts["source_systems"] = len(area.systems)
    return counts
