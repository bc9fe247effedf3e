"""Council social care CSV ingest: mapping, row validation, quarantine, replay."""

from __future__ import annotations

import pytest

from joinedup.errors import InvalidInput
from joinedup.governance.models import Role
from joinedup.interop.csv.ingest import csv_text_ingest
from joinedup.interop.models import DailyTotal, QuarantineItem, QuarantineStatus
from joinedup.interop.services import quarantine_replay
from joinedup.people.models import Identifier, Person
from joinedup.record.models import Event, EventKind
from tests.conftest import actor_for
from tests.factories import professional, valid_nhs_number

pytestmark = pytest.mark.django_db

CLIENTS = (
    "client_id,nhs_number,nhs_number_status,forename,surname,date_of_birth,gender,"
    "address,postcode,phone\n"
)
GOOD_NHS = valid_nhs_number(900)


def clients(*rows: str) -> str:
    return CLIENTS + "".join(r + "\n" for r in rows)


def test_clients_and_their_records(world):
    tally = csv_text_ingest(
        clients(f'C1,{GOOD_NHS},01,Ada,Lovelace,10/12/1940,Female,"1 Mill Lane, '
                'Joinedup",JU1 2AB,'),
        source="council-sc", file_name="clients.csv",
    )  # fmt: skip
    assert (tally.applied, tally.quarantined) == (1, 0)
    person = Person.objects.get(identifiers__value="C1")
    assert person.birth_date.isoformat() == "1940-12-10"
    assert person.sex == "female"
    csv_text_ingest(
        "assessment_id,client_id,assessment_type,started,completed,outcome\n"
        "A1,C1,needs_assessment,01/02/2026,08/02/2026,eligible\n",
        source="council-sc", file_name="assessments.csv",
    )  # fmt: skip
    csv_text_ingest(
        "service_id,client_id,service_type,start_date,end_date,weekly_hours,"
        "weekly_cost\nS1,C1,home_care,10/02/2026,,14,350.00\n",
        source="council-sc", file_name="services.csv",
    )  # fmt: skip
    kinds = set(Event.objects.filter(person=person).values_list("kind", flat=True))
    assert kinds == {EventKind.SOCIAL_CARE_ASSESSMENT, EventKind.SERVICE_START}
    service = Event.objects.get(kind=EventKind.SERVICE_START)
    assert service.detail["weekly_hours"] == "14"
    assert service.category == "social_care"


def test_bad_rows_are_quarantined_with_row_numbers_and_good_rows_applied(world):
    tally = csv_text_ingest(
        clients(
            "C1,,03,Ada,Lovelace,10/12/1940,Female,1 Mill Lane,JU1 2AB,",
            "C2,,03,Bob,Smith,31/02/1950,Male,2 Mill Lane,JU1 2AB,",
            "C3,9990000001,01,Cy,Jones,01/01/1950,Male,3 Mill Lane,JU1 2AB,",
            "C4,,03,Di,Brown,1950-01-01,Female,4 Mill Lane,JU1 2AB,",
            "C5,,03,Ed,Green,01/01/1950,Robot,5 Mill Lane,JU1 2AB,",
            "C6,,03,Fi,White,01/01/1950,Female",
        ),
        source="council-sc", file_name="clients.csv",
    )  # fmt: skip
    assert (tally.received, tally.applied, tally.quarantined) == (6, 1, 5)
    reasons = dict(QuarantineItem.objects.values_list("row_number", "reason"))
    assert "date_of_birth is not a valid date (DD/MM/YYYY)" in reasons[3]
    assert "Modulus 11" in reasons[4]
    assert "DD/MM/YYYY" in reasons[5]
    assert "gender: not one of" in reasons[6]
    assert "has 7 values" in reasons[7]
    assert all(r.startswith(f"row {n}:") for n, r in reasons.items())
    assert Identifier.objects.filter(value__in=["C2", "C3", "C4"]).count() == 0
    total = DailyTotal.objects.get(source="council-sc")
    assert (total.received, total.applied, total.quarantined) == (6, 1, 5)


def test_missing_required_columns_quarantine_the_file(world):
    text = "client_id,forename,surname\nC1,Ada,Lovelace\n"
    tally = csv_text_ingest(text, source="council-sc", file_name="clients.csv")
    assert tally.quarantined == 1 and tally.applied == 0
    item = QuarantineItem.objects.get()
    # Only the required field's column is named: optional ones may be absent.
    assert item.reason.startswith("missing column: date_of_birth (")
    assert item.raw == text
    assert not Person.objects.filter(identifiers__value="C1").exists()


def test_record_for_unknown_client_is_quarantined(world):
    csv_text_ingest(
        "concern_id,client_id,raised,outcome\nG1,NOBODY,01/02/2026,no_further_action\n",
        source="council-sc", file_name="safeguarding.csv",
    )  # fmt: skip
    assert "no client with this ID" in QuarantineItem.objects.get().reason


def test_reingest_counts_duplicates(world):
    text = clients("C1,,03,Ada,Lovelace,10/12/1940,Female,1 Mill Lane,JU1 2AB,")
    csv_text_ingest(text, source="council-sc", file_name="clients.csv")
    services = (
        "service_id,client_id,service_type,start_date,end_date,weekly_hours,"
        "weekly_cost\nS1,C1,equipment,10/02/2026,,,20\n"
    )
    csv_text_ingest(services, source="council-sc", file_name="services.csv")
    again = csv_text_ingest(services, source="council-sc", file_name="services.csv")
    assert again.duplicate == 1
    assert Event.objects.count() == 1


def test_unknown_source_and_file(world):
    with pytest.raises(InvalidInput, match="no CSV column mapping"):
        csv_text_ingest("a\n1\n", source="nowhere", file_name="clients.csv")
    with pytest.raises(InvalidInput, match="no mapping"):
        csv_text_ingest("a\n1\n", source="council-sc", file_name="other.csv")


def test_fix_and_replay_a_row(world):
    csv_text_ingest(
        clients("C2,,03,Bob,Smith,31/02/1950,Male,2 Mill Lane,JU1 2AB,"),
        source="council-sc", file_name="clients.csv",
    )  # fmt: skip
    item = QuarantineItem.objects.get()
    admin = professional(Role.ADMIN, world.icb, username="admin")
    still_bad = quarantine_replay(actor=actor_for(admin), item_id=item.pk, raw=item.raw)
    assert not still_bad.applied and "date_of_birth" in still_bad.reason
    fixed = item.raw.replace("31/02/1950", "28/02/1950")
    result = quarantine_replay(actor=actor_for(admin), item_id=item.pk, raw=fixed)
    assert result.applied, result.reason
    item.refresh_from_db()
    assert item.status == QuarantineStatus.REPLAYED and item.replay_count == 2
    assert Person.objects.filter(identifiers__value="C2").exists()
