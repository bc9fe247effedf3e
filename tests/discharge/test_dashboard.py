import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from joinedup.discharge.dashboard import (
    DashboardFilters,
    StayHistory,
    daily_counts,
    dashboard_filters_parse,
)
from joinedup.discharge.models import Readiness
from joinedup.discharge.services import stays_sync
from joinedup.errors import InvalidInput
from joinedup.governance.models import AuditEntry
from joinedup.record.models import EventKind
from tests.discharge.conftest import adt, ready_and_delayed
from tests.factories import PASSWORD

TZ = dt.UTC
D = dt.date(2026, 3, 1)


def _at(day, hour=12):
    return dt.datetime.combine(day, dt.time(hour), tzinfo=TZ)


def _days(n):
    days = [D + dt.timedelta(days=i) for i in range(n)]
    return days, {d: _at(d + dt.timedelta(days=1), 0) for d in days}


def test_daily_counts_delayed_from_the_day_after_ready_until_they_leave():
    days, ends = _days(6)
    stay = StayHistory(
        left_on=D + dt.timedelta(days=3),
        readiness=[(_at(D), D)],
        reasons=[(_at(D + dt.timedelta(days=1)), ("E", "social_care"))],
    )
    patients, delayed = daily_counts(
        [stay], days=days, end_of_day=ends, filters=DashboardFilters()
    )
    # ready on day 0; delayed days 1, 2, 3 (the day they leave counts);
    # delayed at the end of days 1 and 2 only (gone by the end of day 3).
    assert delayed == [0, 1, 1, 1, 0, 0]
    assert patients == [0, 1, 1, 0, 0, 0]


def test_daily_counts_use_records_in_force_at_the_end_of_each_day():
    days, ends = _days(5)
    stay = StayHistory(
        left_on=None,
        # recorded on day 2 that they were ready on day 0: not known before
        readiness=[(_at(D + dt.timedelta(days=2)), D)],
        reasons=[
            (_at(D + dt.timedelta(days=2)), ("A", "social_care")),
            (_at(D + dt.timedelta(days=3)), ("C", "NHS")),
        ],
    )
    counts = daily_counts(
        [stay], days=days, end_of_day=ends, filters=DashboardFilters()
    )
    assert counts == ([0, 0, 1, 1, 1], [0, 0, 1, 1, 1])
    by_a = daily_counts(
        [stay], days=days, end_of_day=ends, filters=DashboardFilters(reason="A")
    )
    assert by_a[0] == [0, 0, 1, 0, 0]
    nhs = daily_counts(
        [stay], days=days, end_of_day=ends, filters=DashboardFilters(agency="NHS")
    )
    assert nhs[0] == [0, 0, 0, 1, 1]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"reason": "Z"}, "reason"),
        ({"agency": "council"}, "agency"),
        ({"days": "7"}, "days"),
    ],
)
def test_filters_parse_refuses_bad_input(params, field):
    with pytest.raises(InvalidInput) as exc:
        dashboard_filters_parse(params)
    assert field in exc.value.fields


def test_filters_parse():
    f = dashboard_filters_parse({"reason": "dii", "agency": "both", "days": "30"})
    assert f == DashboardFilters(reason="DII", agency="both", days=30)


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_dashboard_page_audits_once_and_hides_strangers(client, world, inpatient, now):
    today = timezone.localdate()
    ready_and_delayed(
        inpatient,
        world.discharge_coordinator,
        ready_on=today - dt.timedelta(days=4),
        recorded_at=now - dt.timedelta(days=4),
        pathway="1",
        reason="E",
        agency="social_care",
    )
    adt(
        world,
        EventKind.ADMISSION,
        "VS",
        now - dt.timedelta(days=9),
        person=world.stranger,
        site="RJU01",
    )
    stays_sync(person_ids=[world.stranger.pk])
    stranger_stay = world.stranger.hospital_stays.get()
    Readiness.objects.create(
        stay=stranger_stay,
        ready_on=today - dt.timedelta(days=8),
        clinical_agreed=True,
        mdt_agreed=True,
        expected_pathway="1",
        recorded_by=world.discharge_coordinator,
        recorded_at=now - dt.timedelta(days=8),
    )
    _login(client, world.discharge_coordinator)
    before = AuditEntry.objects.count()
    response = client.get(reverse("discharge_dashboard"), {"days": "30"})
    assert response.status_code == 200
    assert AuditEntry.objects.count() == before + 1
    board = response.context["dashboard"]
    values = [p.value for p in board.patients.points]
    assert len(values) == 30 and max(values) == 1  # the stranger is not counted
    assert values[-3:] == [1, 1, 1] and values[-4] == 0
    body = response.content.decode()
    assert "<svg" in body and 'id="patients-table"' in body and "style=" not in body
    filtered = client.get(reverse("discharge_dashboard"), {"reason": "E", "days": "30"})
    assert max(p.value for p in filtered.context["dashboard"].patients.points) == 1
    other = client.get(reverse("discharge_dashboard"), {"agency": "NHS"})
    assert max(p.value for p in other.context["dashboard"].delayed_days.points) == 0


def test_dashboard_bad_filter_and_other_roles(client, world):
    _login(client, world.discharge_coordinator)
    response = client.get(reverse("discharge_dashboard"), {"reason": "Q"})
    assert response.status_code == 400 and b"choose one of" in response.content
    _login(client, world.gp)
    before = AuditEntry.objects.count()
    assert client.get(reverse("discharge_dashboard")).status_code == 403
    assert AuditEntry.objects.count() == before + 1
