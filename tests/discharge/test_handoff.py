"""Hand-offs (issue 6): a delay waiting on social care gives the council a task,
which follows the delay's reason and closes when the patient leaves."""

import pytest
from django.urls import reverse
from django.utils import timezone

from joinedup.coordination.models import Task, TaskSource, TaskStatus
from joinedup.coordination.services import task_complete
from joinedup.discharge import rules
from joinedup.discharge.handoff import council_for
from joinedup.discharge.models import DelayReason
from joinedup.discharge.services import delay_record, readiness_record, stays_sync
from joinedup.governance.models import OrganisationType, Role, Team
from joinedup.record.models import EventKind
from joinedup.record.services import event_cancel
from tests.conftest import actor_for
from tests.discharge.conftest import adt
from tests.factories import PASSWORD, OrganisationFactory, professional


def _ready(world, stay):
    readiness_record(
        actor=actor_for(world.discharge_coordinator),
        stay_id=stay.pk,
        ready_on=timezone.localdate(),
        clinical_agreed=True,
        mdt_agreed=True,
        pathway="1",
    )


def _delay(world, stay, reason, agency):
    return delay_record(
        actor=actor_for(world.discharge_coordinator),
        stay_id=stay.pk,
        reason=reason,
        agency=agency,
    )


def _handoffs():
    return Task.objects.filter(source=TaskSource.DISCHARGE_DELAY).order_by("pk")


@pytest.mark.parametrize(
    ("reason", "agency", "wanted"),
    [
        ("E", "social_care", True),
        ("DI", "both", True),
        ("A", "social_care", True),
        ("E", "NHS", False),
        ("C", "NHS", False),
        ("G", "social_care", False),
    ],
)
def test_handoff_title_only_for_the_councils_reasons(reason, agency, wanted):
    assert bool(rules.handoff_title(reason, agency)) is wanted


def test_care_package_delay_gives_the_councils_brokerage_a_task(world, inpatient):
    brokerage = Team.objects.create(organisation=world.council, name="Brokerage")
    _ready(world, inpatient)
    delay = _delay(world, inpatient, "E", "social_care")
    task = _handoffs().get()
    assert task.title == "Arrange a package of care at home for discharge"
    assert task.source_ref == str(delay.pk)
    assert task.assignee_organisation == world.council
    assert task.assignee_team == brokerage
    assert task.status == TaskStatus.OPEN
    assert task.person == world.person


def test_without_a_brokerage_team_the_council_holds_it(world, inpatient):
    _ready(world, inpatient)
    _delay(world, inpatient, "DII", "both")
    task = _handoffs().get()
    assert (task.assignee_organisation, task.assignee_team) == (world.council, None)


def test_nhs_delay_gives_no_task(world, inpatient):
    _ready(world, inpatient)
    _delay(world, inpatient, "C", "NHS")
    assert not _handoffs().exists()


def test_task_follows_the_reason(world, inpatient):
    _ready(world, inpatient)
    _delay(world, inpatient, "E", "social_care")
    # The same ask again (agency corrected to both): the same task stays open.
    _delay(world, inpatient, "E", "both")
    assert _handoffs().count() == 1
    # Now waiting for a care home: the care package task is cancelled, a new one.
    _delay(world, inpatient, "DI", "social_care")
    first, second = _handoffs()
    assert first.status == TaskStatus.CANCELLED
    assert "DI" in first.outcome
    assert second.status == TaskStatus.OPEN
    assert second.title == rules.SOCIAL_CARE_HANDOFFS["DI"]
    # Now an NHS delay: nothing left for the council.
    _delay(world, inpatient, "C", "NHS")
    assert set(_handoffs().values_list("status", flat=True)) == {TaskStatus.CANCELLED}


def test_discharge_over_adt_completes_the_task(world, inpatient, now):
    _ready(world, inpatient)
    _delay(world, inpatient, "E", "social_care")
    adt(
        world,
        EventKind.DISCHARGE,
        "D1",
        now,
        admission_id="V1",
        pathway="1",
        destination="Home",
    )
    stays_sync(person_ids=[world.person.pk])
    task = _handoffs().get()
    assert task.status == TaskStatus.COMPLETED
    assert task.completed_at is not None
    assert "left hospital" in task.outcome


def test_cancelled_admission_cancels_the_task(world, inpatient, now):
    _ready(world, inpatient)
    _delay(world, inpatient, "E", "social_care")
    event_cancel(
        event=world.person.events.get(source_id="V1"),
        cancelled_by="A11",
        cancelled_at=now,
        note_source_id="N2",
        note_summary="cancelled",
    )
    stays_sync(person_ids=[world.person.pk])
    task = _handoffs().get()
    assert task.status == TaskStatus.CANCELLED
    assert not DelayReason.objects.exists()


def test_council_from_setting_when_the_record_names_none(world, inpatient, monkeypatch):
    world.person.involvements.filter(organisation=world.council).delete()
    monkeypatch.delenv("JOINEDUP_DISCHARGE_COUNCIL", raising=False)
    assert council_for(person_id=world.person.pk) is None
    _ready(world, inpatient)
    # No council known: the delay is still recorded, with no task.
    _delay(world, inpatient, "E", "social_care")
    assert DelayReason.objects.count() == 1
    assert not _handoffs().exists()
    other = OrganisationFactory(
        code="JU-ASC2",
        name="Neighbouring Council",
        type=OrganisationType.COUNCIL_ADULT_SOCIAL_CARE,
    )
    monkeypatch.setenv("JOINEDUP_DISCHARGE_COUNCIL", "JU-ASC2")
    _delay(world, inpatient, "DI", "social_care")
    assert _handoffs().get().assignee_organisation == other


def test_board_and_person_page_show_the_task_status(client, world, inpatient):
    _ready(world, inpatient)
    _delay(world, inpatient, "E", "social_care")
    assert client.login(
        username=world.discharge_coordinator.username, password=PASSWORD
    )
    board = client.get(reverse("discharge_board")).content.decode()
    assert "To do" in board
    assert world.council.name in board
    # The council's social worker completes it; the board says so.
    task = _handoffs().get()
    broker = professional(Role.SOCIAL_WORKER, world.council, username="broker")
    task_complete(actor=actor_for(broker), task_id=task.pk, outcome="Package found")
    board = client.get(reverse("discharge_board")).content.decode()
    assert "Completed" in board
    page = client.get(reverse("discharge_person", args=[world.person.pk]))
    html = page.content.decode()
    assert 'data-testid="handoffs"' in html
    assert "Arrange a package of care at home" in html
    assert "Completed" in html


def test_task_not_created_when_the_delay_is_refused(world, inpatient):
    # A delay on someone not ready is refused: no delay and no task.
    from joinedup.errors import InvalidInput

    with pytest.raises(InvalidInput):
        _delay(world, inpatient, "E", "social_care")
    assert not _handoffs().exists()
