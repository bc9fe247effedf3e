"""CSV extracts as councils' systems really write them (hand-written files under
files/): a UTF-8 byte order mark, Windows-1252 text, ";" between values, quoted
values over several lines, DD/MM/YYYY dates, optional columns left out and
optional values left empty. Each is read through its declared mapping
(mappings/council-west.yaml, found through JOINEDUP_CSV_MAPPINGS_DIR)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from joinedup.errors import InvalidInput
from joinedup.governance.models import OrganisationType
from joinedup.interop.csv.ingest import csv_bytes_ingest, csv_file_ingest
from joinedup.interop.csv.mapping import mapping_load
from joinedup.interop.csv.reading import NotText, csv_decode
from joinedup.interop.models import QuarantineItem
from joinedup.people.models import Person
from joinedup.record.models import Event, EventKind, SourceKind
from tests.factories import OrganisationFactory, SourceSystemFactory

pytestmark = pytest.mark.django_db

HERE = Path(__file__).parent
WEST = HERE / "files" / "council-west"
SC = HERE / "files" / "council-sc"


@pytest.fixture
def west(world, settings):
    settings.JOINEDUP_CSV_MAPPINGS_DIR = str(HERE / "mappings")
    council = OrganisationFactory(
        code="JU-WEST", name="West Council Adult Social Care",
        type=OrganisationType.COUNCIL_ADULT_SOCIAL_CARE,
    )  # fmt: skip
    return SourceSystemFactory(
        code="council-west", organisation=council, kind=SourceKind.CSV
    )


def _person(local_id: str) -> Person:
    return Person.objects.get(identifiers__value=local_id)


def test_the_mapping_declares_how_its_files_are_read(west):
    mapping = mapping_load("council-west")
    clients = mapping.for_file("clients.csv")
    services = mapping.for_file("services.csv")
    assert (clients.encoding, clients.delimiter) == ("cp1252", ";")
    assert clients.date_formats == ("%d/%m/%Y",)
    assert (services.encoding, services.delimiter) == ("utf-8", ",")
    assert services.date_formats == ("%d/%m/%Y", "%Y-%m-%d")
    default = mapping_load("council-sc").for_file("clients.csv")
    assert (default.encoding, default.delimiter) == ("utf-8", ",")


def test_windows_1252_semicolons_and_a_multi_line_address(west):
    tally = csv_file_ingest(WEST / "clients.csv", source="council-west")
    assert (tally.applied, tally.quarantined) == (3, 1)  # the blank row is no row
    zoe = _person("W1")
    assert (zoe.given_name, zoe.family_name) == ("Zoë", "Bélanger")
    assert zoe.address_line == "Flat 2, 14 Quay Street"
    assert zoe.nhs_number == "9990001413"
    assert zoe.birth_date == dt.date(1941, 3, 7)
    sean = _person("W2")
    assert (sean.given_name, sean.family_name) == ("Seán", "Ó Briain")
    assert sean.postcode == "JU5 6GH"
    assert (sean.nhs_number, sean.nhs_number_status) == (None, "07")


def test_missing_optional_values_are_missing_not_refusals(west):
    # No Telephone column at all; W4 has no gender, address or postcode.
    csv_file_ingest(WEST / "clients.csv", source="council-west")
    francois = _person("W4")
    assert (francois.given_name, francois.family_name) == ("François", "Lefèvre")
    assert (francois.sex, francois.address_line, francois.phone) == ("unknown", "", "")


def test_a_bad_row_is_quarantined_naming_its_column(west):
    csv_file_ingest(WEST / "clients.csv", source="council-west")
    item = QuarantineItem.objects.get()
    assert item.reason == "row 4: DOB is not a valid date (DD/MM/YYYY)"
    assert "Renée" not in item.reason  # never the value
    assert item.row_number == 4
    assert "Marchand" in item.raw and item.raw.startswith("Person ID;NHS No;")
    assert not Person.objects.filter(identifiers__value="W3").exists()


def test_notes_with_pound_signs_dashes_and_line_breaks(west):
    csv_file_ingest(WEST / "clients.csv", source="council-west")
    tally = csv_file_ingest(WEST / "assessments.csv", source="council-west")
    assert (tally.applied, tally.quarantined) == (2, 1)
    done = Event.objects.get(source_id="WA1")
    assert done.detail["outcome"] == (
        "Eligible \u2013 client contribution £45.00 a week;\nreviewed with daughter"
    )
    assert done.ended_at is not None
    assert Event.objects.get(source_id="WA2").ended_at is None
    item = QuarantineItem.objects.get(record_type="assessments.csv")
    assert item.reason == "row 4: Start is not a valid date (DD/MM/YYYY)"


def test_a_file_of_its_own_format_in_the_same_extract(west):
    csv_file_ingest(WEST / "clients.csv", source="council-west")
    tally = csv_file_ingest(WEST / "services.csv", source="council-west")
    assert (tally.applied, tally.quarantined) == (2, 0)
    home_care = Event.objects.get(source_id="WS1")
    assert home_care.detail["weekly_hours"] == "10.5"
    assert home_care.detail["weekly_cost"] == "1250.50"
    day_centre = Event.objects.get(source_id="WS2")
    assert day_centre.occurred_at.date() == dt.date(2026, 2, 12)  # ISO date
    assert "weekly_hours" not in day_centre.detail
    assert Event.objects.get(source_id="WS2-end").kind == EventKind.SERVICE_END


def test_a_utf8_byte_order_mark_and_crlf_with_the_default_mapping(world):
    tally = csv_file_ingest(SC / "clients.csv", source="council-sc")
    assert (tally.applied, tally.quarantined) == (2, 0)
    chloe = _person("S1")
    assert (chloe.given_name, chloe.family_name) == ("Chloé", "Dubois")
    assert chloe.phone == "01632 960222"  # the last column, before the CR LF
    bjorn = _person("S2")
    assert (bjorn.given_name, bjorn.family_name, bjorn.sex) == (
        "Björn", "Åström", "unknown"
    )  # fmt: skip


def test_windows_1252_where_utf8_is_declared_is_refused_whole_saying_why(world):
    data = (SC / "clients-windows-1252.csv").read_bytes()
    tally = csv_bytes_ingest(data, source="council-sc", file_name="clients.csv")
    assert tally.applied == 0 and tally.quarantined == 2
    item = QuarantineItem.objects.get()
    assert item.reason.startswith("line 2: byte 0xE9 is not utf-8 text")
    assert "encoding: windows-1252" in item.reason
    assert not Person.objects.filter(identifiers__value="S1").exists()


def test_byte_order_marks_win_over_the_declared_encoding():
    text = "client_id,surname\nC1,Ó Briain\n"
    assert csv_decode(b"\xef\xbb\xbf" + text.encode(), "cp1252") == text
    assert csv_decode(text.encode("utf-16"), "utf-8") == text  # "Unicode text"
    assert csv_decode(text.encode("cp1252"), "cp1252") == text
    with pytest.raises(NotText, match="line 2: byte 0xD3 is not utf-8"):
        csv_decode(text.encode("cp1252"), "utf-8")


def test_a_mapping_with_a_bad_declaration_is_refused(world, settings, tmp_path):
    settings.JOINEDUP_CSV_MAPPINGS_DIR = str(tmp_path)
    (tmp_path / "council-x.yaml").write_text(
        "source_system: council-x\nencoding: klingon\nfiles: {}\n", encoding="utf-8"
    )
    with pytest.raises(InvalidInput, match="encoding 'klingon' is not one Python"):
        mapping_load("council-x")
    (tmp_path / "council-y.yaml").write_text(
        "source_system: council-y\ndelimiter: ';;'\nfiles: {}\n", encoding="utf-8"
    )
    with pytest.raises(InvalidInput, match="delimiter must be one character"):
        mapping_load("council-y")


def test_a_quarantined_row_is_fixed_and_replayed_in_its_own_format(west, world):
    from joinedup.governance.models import Role
    from joinedup.interop.services import quarantine_replay
    from tests.conftest import actor_for
    from tests.factories import professional

    csv_file_ingest(WEST / "clients.csv", source="council-west")
    item = QuarantineItem.objects.get()
    admin = actor_for(professional(Role.ADMIN, world.icb, username="admin"))
    fixed = item.raw.replace("31/02/1950", "28/02/1950")
    result = quarantine_replay(actor=admin, item_id=item.pk, raw=fixed)
    assert result.applied, result.reason
    renee = _person("W3")
    assert (renee.given_name, renee.birth_date) == ("Renée", dt.date(1950, 2, 28))
