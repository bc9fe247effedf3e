import datetime as dt
import random

import pytest
from django.urls import reverse
from django.utils import timezone

from joinedup.discharge import rules
from joinedup.discharge.dashboard import (
    DashboardFilters,
    StayHistory,
    daily_counts,
    daily_counts_by_day,
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


def _daily_counts_day_by_day(stays, *, days, end_of_day, filters):
    """The definition, day by day: the records in force at the end of each day."""

    def in_force(records, moment):
        found = [value for at, value in records if at <= moment]
        return found[-1] if found else None

    patients = [0] * len(days)
    delayed = [0] * len(days)
    for stay in stays:
        for i, day in enumerate(days):
            ready_on = in_force(stay.readiness, end_of_day[day])
            if ready_on is None:
                continue
            if filters.reason or filters.agency:
                current = in_force(stay.reasons, end_of_day[day])
                if current is None:
                    continue
                if filters.reason and current[0] != filters.reason:
                    continue
                if filters.agency and current[1] != filters.agency:
                    continue
            if rules.is_delayed_on(day, ready_on=ready_on, left_on=stay.left_on):
                delayed[i] += 1
                if stay.left_on is None or stay.left_on > day:
                    patients[i] += 1
    return patients, delayed


def test_daily_counts_agree_with_the_day_by_day_definition():
    rng = random.Random(6)
    days, ends = _days(40)
    choices = [("A", "social_care"), ("C", "NHS"), ("E", "social_care")]
    stays = []
    for _ in range(300):
        base = D + dt.timedelta(days=rng.randint(-5, 40))

        def moment(base=base):
            # Some on the stroke of midnight, some at the same moment.
            return _at(base + dt.timedelta(days=rng.randint(0, 8)), rng.choice([0, 12]))

        readiness = sorted(
            (
                (moment(), base + dt.timedelta(days=rng.randint(-3, 6)))
                for _ in range(rng.randint(0, 3))
            ),
            key=lambda r: r[0],
        )
        reasons = sorted(
            ((moment(), rng.choice(choices)) for _ in range(rng.randint(0, 3))),
            key=lambda r: r[0],
        )
        left_on = rng.choice([None, base + dt.timedelta(days=rng.randint(0, 20))])
        stays.append(StayHistory(left_on=left_on, readiness=readiness, reasons=reasons))
    for filters in (
        DashboardFilters(),
        DashboardFilters(reason="A"),
        DashboardFilters(agency="NHS"),
        DashboardFilters(reason="E", agency="social_care"),
    ):
        got = daily_counts(stays, days=days, end_of_day=ends, filters=filters)
        want = _daily_counts_day_by_day(
            stays, days=days, end_of_day=ends, filters=filters
        )
        assert got == want and sum(want[1]) > 0
        # From the first day at whose end each record is in force, as the
        # database gives them (the date of a moment before the record).
        by_day = [
            StayHistory(
                left_on=s.left_on,
                readiness=[(_from_day(at), v) for at, v in s.readiness],
                reasons=[(_from_day(at), v) for at, v in s.reasons],
            )
            for s in stays
        ]
        assert daily_counts_by_day(by_day, days=days, filters=filters) == want


def _from_day(at):
    return (at - dt.timedelta(microseconds=1)).date()


def test_a_readiness_recorded_at_midnight_counts_from_the_day_before(
    client, world, inpatient
):
    today = timezone.localdate()
    midnight = timezone.make_aware(
        dt.datetime.combine(today - dt.timedelta(days=3), dt.time.min)
    )
    ready_and_delayed(
        inpatient,
        world.discharge_coordinator,
        ready_on=today - dt.timedelta(days=6),
        recorded_at=midnight,
    )
    _login(client, world.discharge_coordinator)
    response = client.get(reverse("discharge_dashboard"), {"days": "30"})
    values = [p.value for p in response.context["dashboard"].delayed_days.points]
    # The last point is yesterday; the record stood at the end of 4 days ago.
    assert values[-5:] == [0, 1, 1, 1, 1]
