"""The source extracts written from a synthetic area: HL7 v2 ADT, FHIR bundles, council
CSVs and the ground truth. Pure: no database."""

from __future__ import annotations

import csv
import datetime as dt
import json
import pathlib
import random
import uuid
from dataclasses import dataclass

import hl7
import pytest
from fhir.resources.R4B.bundle import Bundle

from joinedup.synth.area import AddressSpec, PersonSpec, SourceRecordSpec
from joinedup.synth.generator import area_generate
from joinedup.synth.writers import (
    ASSESSMENT_HEADER,
    CLIENT_HEADER,
    GROUND_TRUTH_HEADER,
    SERVICE_HEADER,
    extracts_write,
)
from joinedup.synth.writers_fhir import (
    _NAMESPACE,
    NHS_NUMBER_SYSTEM,
    NHS_STATUS_SYSTEM,
    NHS_STATUS_URL,
    ODS_SYSTEM,
    _urn,
)
from joinedup.synth.writers_hl7 import adt_messages, hl7_escape

PEOPLE = 400


@dataclass
class Extract:
    out: pathlib.Path
    counts: dict[str, int]
    people: list[PersonSpec]
    progress: list[int]

    @property
    def records(self) -> dict[tuple[str, str], SourceRecordSpec]:
        return {(r.system_code, r.local_id): r for p in self.people for r in p.records}


@pytest.fixture(scope="module")
def extract(tmp_path_factory: pytest.TempPathFactory) -> Extract:
    area = area_generate(people=PEOPLE)
    out = tmp_path_factory.mktemp("extract")
    calls: list[int] = []
    counts = extracts_write(area=area, out_dir=out, progress=calls.append)
    return Extract(out, counts, list(area.iter_people()), calls)


def _day(value: str) -> dt.date:
    """A council DD/MM/YYYY date."""
    day, month, year = (int(part) for part in value.split("/"))
    return dt.date(year, month, day)


def _rows(path: pathlib.Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8", newline="") as handle:
        return list(csv.DictReader(handle))


def _header(path: pathlib.Path) -> tuple[str, ...]:
    with path.open(encoding="utf-8", newline="") as handle:
        return tuple(next(csv.reader(handle)))


def _hl7_messages(extract: Extract) -> list[str]:
    path = extract.out / "acute-pas" / "adt.hl7"
    with path.open(encoding="utf-8", newline="") as handle:  # keep the \r
        text = handle.read()
    assert text.endswith("\n")
    return text[:-1].split("\n")


def _bundles(extract: Extract) -> list[tuple[str, dict]]:
    out = []
    for path in sorted(extract.out.glob("*/*.ndjson")):
        for line in path.read_text(encoding="utf-8").splitlines():
            out.append((path.parent.name, json.loads(line)))
    return out


# --- files and counts -----------------------------------------------------------------


def test_files_and_counts(extract: Extract) -> None:
    names = {str(p.relative_to(extract.out)) for p in extract.out.rglob("*.*")}
    assert {
        "organisations.csv",
        "source_systems.csv",
        "ground_truth.csv",
        "acute-pas/adt.hl7",
        "community-epr/bundles.ndjson",
        "mh-epr/bundles.ndjson",
        "council-sc/clients.csv",
        "council-sc/assessments.csv",
        "council-sc/services.csv",
        "council-sc/safeguarding.csv",
        "gp-system/J81001.ndjson",
        "gp-system/J81004.ndjson",
    } <= names
    counts = extract.counts
    assert counts["people"] == PEOPLE
    assert counts["hl7_messages"] == len(_hl7_messages(extract))
    assert counts["fhir_bundles"] == len(_bundles(extract))
    assert counts["council_clients"] == len(
        _rows(extract.out / "council-sc" / "clients.csv")
    )
    assert counts["organisations"] == len(_rows(extract.out / "organisations.csv"))
    assert counts["source_systems"] == 5
    assert sum(extract.progress) == PEOPLE


def test_csv_headers(extract: Extract) -> None:
    council = extract.out / "council-sc"
    assert (
        _header(council / "clients.csv")
        == CLIENT_HEADER
        == (
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
    )
    assert (
        _header(council / "assessments.csv")
        == ASSESSMENT_HEADER
        == (
            "assessment_id",
            "client_id",
            "assessment_type",
            "started",
            "completed",
            "outcome",
        )
    )
    assert (
        _header(council / "services.csv")
        == SERVICE_HEADER
        == (
            "service_id",
            "client_id",
            "service_type",
            "start_date",
            "end_date",
            "weekly_hours",
            "weekly_cost",
        )
    )
    assert (
        _header(extract.out / "ground_truth.csv")
        == GROUND_TRUTH_HEADER
        == (
            "system_code",
            "local_id",
            "person_key",
        )
    )


def test_output_is_reproducible(tmp_path: pathlib.Path) -> None:
    area = area_generate(people=60)
    extracts_write(area=area, out_dir=tmp_path / "a")
    extracts_write(area=area, out_dir=tmp_path / "b")
    files = sorted(p.relative_to(tmp_path / "a") for p in (tmp_path / "a").rglob("*.*"))
    assert files
    for rel in files:
        assert (tmp_path / "a" / rel).read_bytes() == (
            tmp_path / "b" / rel
        ).read_bytes()


# --- ground truth ---------------------------------------------------------------------


def test_ground_truth_covers_every_source_record(extract: Extract) -> None:
    rows = _rows(extract.out / "ground_truth.csv")
    truth = {(r["system_code"], r["local_id"]): r["person_key"] for r in rows}
    assert len(truth) == len(rows)
    expected = {
        (r.system_code, r.local_id): p.key for p in extract.people for r in p.records
    }
    assert truth == expected
    assert extract.counts["source_records"] == len(rows)


def test_every_extract_record_is_in_the_ground_truth(extract: Extract) -> None:
    truth = {
        (r["system_code"], r["local_id"])
        for r in _rows(extract.out / "ground_truth.csv")
    }
    for message in _hl7_messages(extract):
        pid = hl7.parse(message).segment("PID")
        mrn = str(pid[3][0][0])
        assert ("acute-pas", mrn) in truth
    for system, bundle in _bundles(extract):
        patient = bundle["entry"][0]["resource"]
        local = [i["value"] for i in patient["identifier"] if "-id" in i["system"]]
        assert len(local) == 1
        assert (system, local[0]) in truth
    for row in _rows(extract.out / "council-sc" / "clients.csv"):
        assert ("council-sc", row["client_id"]) in truth


# --- HL7 v2 ---------------------------------------------------------------------------


def test_hl7_messages_parse_and_identify_the_patient(extract: Extract) -> None:
    records = extract.records
    control_ids: set[str] = set()
    triggers: set[str] = set()
    for message in _hl7_messages(extract):
        assert "\n" not in message
        parsed = hl7.parse(message)
        msh = parsed.segment("MSH")
        assert str(msh[4]) == "RJU"
        assert str(msh[12]) == "2.4"
        control = str(msh[10])
        assert control not in control_ids
        control_ids.add(control)
        message_type = str(msh[9])
        trigger = message_type.split("^")[1]
        triggers.add(trigger)
        assert str(parsed.segment("EVN")[1]) == trigger
        pid = parsed.segment("PID")
        ids = pid[3]
        mrn = ids[0]
        assert str(mrn[4]) == "MR"
        assert str(mrn[3]) == "RJU"
        record = records[("acute-pas", str(mrn[0]))]
        if record.nhs_number:
            nhs = ids[1]
            assert str(nhs[0]) == record.nhs_number
            assert str(nhs[4]) == "NH"
            assert str(nhs[3]) == "NHS"
        else:
            assert len(ids) == 1
        assert str(pid[7]) == record.birth_date.strftime("%Y%m%d")
        assert str(pid[8]) in {"M", "F", "O", "U"}
        assert str(pid[32]) == record.nhs_number_status
        assert parsed.unescape(str(pid[5][0][0])) == record.family_name
        if trigger in {"A01", "A02", "A03", "A04"}:
            pv1 = parsed.segment("PV1")
            assert str(pv1[2]) in {"I", "E"}
            assert str(pv1[19])
            assert len(str(pv1[44])) == len("20240101120000+0000")
        if trigger == "A03":
            assert str(parsed.segment("ZJU")[1]) in {"0", "1", "2", "3"}
            assert str(parsed.segment("PV1")[45])
    assert {"A28", "A01", "A03", "A04"} <= triggers


def test_hl7_escaping() -> None:
    assert hl7_escape("A|B^C&D~E\\F") == "A\\F\\B\\S\\C\\T\\D\\R\\E\\E\\F"
    assert hl7_escape("") == ""
    assert hl7_escape("Plain") == "Plain"
    record = SourceRecordSpec(
        system_code="acute-pas",
        local_id="M1000001",
        nhs_number=None,
        nhs_number_status="03",
        given_name="Jo^Anne",
        family_name="Smith & Sons|Ltd~\\",
        birth_date=dt.date(1950, 1, 2),
        sex="female",
        address_line="Flat 2, 1 High Street",
        postcode="JU1 1AB",
        phone=None,
    )
    address = AddressSpec("Flat 2, 1 High Street", "JU1 1AB", dt.date(2000, 1, 1))
    person = PersonSpec(
        key="P1",
        nhs_number="9990000018",
        given_name="Jo^Anne",
        family_name="Smith & Sons|Ltd~\\",
        previous_family_name=None,
        birth_date=dt.date(1950, 1, 2),
        sex="female",
        addresses=(address,),
        phone=None,
        gp_practice_code="J81001",
        imd_decile=5,
        lsoa="E01JU0001",
        conditions=(),
        records=(record,),
        events=(),
    )
    start = dt.datetime(2023, 11, 1, tzinfo=dt.UTC)
    (message,) = adt_messages(
        person=person, record=record, events=[], org_code="RJU", area_start=start
    )
    parsed = hl7.parse(message)
    name = parsed.segment("PID")[5][0]
    assert parsed.unescape(str(name[0])) == "Smith & Sons|Ltd~\\"
    assert parsed.unescape(str(name[1])) == "Jo^Anne"
    assert len(parsed.segment("PID")[3]) == 1  # no NHS number repetition


def test_hl7_movers_get_an_update(extract: Extract) -> None:
    updates = [m for m in _hl7_messages(extract) if "ADT^A08" in m]
    assert updates
    for message in updates:
        pid = hl7.parse(message).segment("PID")
        record = extract.records[("acute-pas", str(pid[3][0][0]))]
        assert str(pid[11][0][4]) == record.postcode  # the new, current postcode


# --- FHIR -----------------------------------------------------------------------------


def test_fhir_bundles_validate(extract: Extract) -> None:
    bundles = _bundles(extract)
    systems = {s for s, _ in bundles}
    assert {"gp-system", "community-epr", "mh-epr"} <= systems
    rng = random.Random(4)
    sample = rng.sample(bundles, 30)
    # make sure each system is validated at least once
    for system in ("community-epr", "mh-epr"):
        sample.append(next(b for b in bundles if b[0] == system))
    for _system, bundle in sample:
        Bundle.model_validate(bundle)


def test_fhir_bundles_are_transactions_with_uk_core_patients(extract: Extract) -> None:
    records = extract.records
    people = {(r.system_code, r.local_id): p for p in extract.people for r in p.records}
    full_urls: set[str] = set()
    for system, bundle in _bundles(extract):
        assert bundle["resourceType"] == "Bundle"
        assert bundle["type"] == "transaction"
        for entry in bundle["entry"]:
            assert entry["fullUrl"].startswith("urn:uuid:")
            assert entry["fullUrl"] not in full_urls
            full_urls.add(entry["fullUrl"])
            assert entry["request"]["method"] in {"PUT", "POST"}
            assert entry["request"]["url"].startswith(entry["resource"]["resourceType"])
        patient = bundle["entry"][0]["resource"]
        assert patient["resourceType"] == "Patient"
        local = next(i for i in patient["identifier"] if "-id" in i["system"])
        record = records[(system, local["value"])]
        person = people[(system, local["value"])]
        nhs = [i for i in patient["identifier"] if i["system"] == NHS_NUMBER_SYSTEM]
        if record.nhs_number:
            (identifier,) = nhs
            assert identifier["value"] == record.nhs_number
            (ext,) = identifier["extension"]
            assert ext["url"] == NHS_STATUS_URL
            coding = ext["valueCodeableConcept"]["coding"][0]
            assert coding["system"] == NHS_STATUS_SYSTEM
            assert coding["code"] == record.nhs_number_status
        else:
            assert not nhs
        assert patient["birthDate"] == record.birth_date.isoformat()
        assert patient["name"][0]["family"] == record.family_name
        gp = patient["generalPractitioner"][0]["identifier"]
        assert gp == {"system": ODS_SYSTEM, "value": person.gp_practice_code}
        for entry in bundle["entry"][1:]:
            assert (
                entry["resource"]["subject"]["reference"]
                == bundle["entry"][0]["fullUrl"]
            )


def test_gp_bundles_are_filed_by_practice(extract: Extract) -> None:
    for path in extract.out.glob("gp-system/*.ndjson"):
        for line in path.read_text(encoding="utf-8").splitlines():
            patient = json.loads(line)["entry"][0]["resource"]
            practice = patient["generalPractitioner"][0]["identifier"]["value"]
            assert path.stem == practice
    gp_bundles = sum(1 for s, _ in _bundles(extract) if s == "gp-system")
    assert gp_bundles == PEOPLE


# --- council CSV ----------------------------------------------------------------------


def test_council_clients(extract: Extract) -> None:
    rows = _rows(extract.out / "council-sc" / "clients.csv")
    records = extract.records
    assert rows
    for row in rows:
        record = records[("council-sc", row["client_id"])]
        born = _day(row["date_of_birth"])
        assert born == record.birth_date
        assert row["nhs_number"] == (record.nhs_number or "")
        assert row["nhs_number_status"] == record.nhs_number_status
        assert row["gender"] in {"Male", "Female", "Other", "Not known"}
        assert row["postcode"] == record.postcode
        assert row["address"].endswith(", Joinedup")


def test_council_assessments_and_services(extract: Extract) -> None:
    clients = {
        r["client_id"] for r in _rows(extract.out / "council-sc" / "clients.csv")
    }
    assessments = _rows(extract.out / "council-sc" / "assessments.csv")
    services = _rows(extract.out / "council-sc" / "services.csv")
    assert assessments and services
    for row in assessments:
        assert row["client_id"] in clients
        started = _day(row["started"])
        if row["completed"]:
            assert _day(row["completed"]) >= started
    ids = [row["service_id"] for row in services]
    assert len(ids) == len(set(ids))
    for row in services:
        assert row["client_id"] in clients
        assert row["weekly_hours"] or row["weekly_cost"]
        if row["end_date"]:
            start = _day(row["start_date"])
            assert _day(row["end_date"]) >= start


def test_full_urls_are_uuid5() -> None:
    for key in ("gp-system/G00000001", "mh-epr/MH0000011-3", "ü"):
        assert _urn(key) == f"urn:uuid:{uuid.uuid5(_NAMESPACE, key)}"
