import pytest

from joinedup.governance.secondary_use import Purpose, opted_out_excluded, suppress
from joinedup.people.models import Person
from joinedup.record.models import Event
from tests.factories import EventFactory, PersonFactory


@pytest.mark.parametrize(
    ("count", "shown"), [(0, "0"), (1, "<5"), (4, "<5"), (5, "5"), (12345, "12,345")]
)
def test_small_numbers_are_suppressed_outside_direct_care(count, shown):
    assert suppress(count) == shown


def test_direct_care_sees_exact_small_numbers():
    assert suppress(3, purpose=Purpose.DIRECT_CARE) == "3"


def test_opted_out_people_are_left_out_of_planning_but_not_direct_care(db):
    kept = PersonFactory()
    opted = PersonFactory(national_data_opt_out=True)
    EventFactory(person=kept)
    EventFactory(person=opted)
    planning = opted_out_excluded(Person.objects.all(), purpose=Purpose.PLANNING)
    assert list(planning) == [kept]
    care = opted_out_excluded(Person.objects.all(), purpose=Purpose.DIRECT_CARE)
    assert set(care) == {kept, opted}
    events = opted_out_excluded(
        Event.objects.all(), purpose=Purpose.RESEARCH, person_field="person"
    )
    assert [e.person_id for e in events] == [kept.pk]


def test_commissioner_figures_exclude_opt_outs_and_suppress(client, world):
    from tests.factories import PASSWORD

    for _ in range(3):
        PersonFactory(national_data_opt_out=True)
    assert client.login(username="comm", password=PASSWORD)
    page = client.get("/").content.decode()
    # two people in the fixture, none opted out: a small number, suppressed
    assert "&lt;5" in page
