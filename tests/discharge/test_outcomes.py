import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from joinedup.discharge.outcomes import (
    Discharge,
    Later,
    RateRow,
    at_home_at_91,
    at_home_row,
    delay_buckets,
    pathway_mix,
    readmission_rows,
    readmitted_within_30,
)
from joinedup.discharge.services import stays_sync
from joinedup.governance.models import AuditEntry
from joinedup.record.models import EventKind
from joinedup.web.charts.bars import bar_svg
from tests.discharge.conftest import adt, ready_and_delayed
from tests.factories import PASSWORD, EventFactory

T0 = dt.datetime(2026, 1, 10, 12, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


@pytest.mark.parametrize(
    ("offsets", "expected"),
    [
        ([], False),
        ([-1], False),  # before the discharge
        ([0], False),  # at the very moment of discharge: not after it
        ([0.01], True),
        ([30], True),  # 30 days to the minute counts
        ([30.01], False),
        ([-5, 45, 12], True),
    ],
)
def test_readmitted_within_30(offsets, expected):
    times = sorted(T0 + DAY * o for o in offsets)
    assert readmitted_within_30(T0, times) is expected


@pytest.mark.parametrize(
    ("admissions", "placements", "expected"),
    [
        ([], [], True),
        ([92], [], True),
        ([-3], [-1], True),
        ([91], [], False),
        ([10], [], False),
        ([], [60], False),
        ([], [91.01], True),
    ],
)
def test_at_home_at_91(admissions, placements, expected):
    a = sorted(T0 + DAY * o for o in admissions)
    p = sorted(T0 + DAY * o for o in placements)
    assert at_home_at_91(T0, a, p) is expected


def test_readmission_rows_by_pathway_leave_out_recent_discharges():
    now = T0 + DAY * 100
    discharges = [
        Discharge(1, T0, "0"),
        Discharge(2, T0, "1"),
        Discharge(3, T0, "1"),
        Discharge(4, T0, ""),
        Discharge(5, now - DAY * 10, "1"),  # 30 days not over: not counted
    ]
    later = {
        2: Later([T0 + DAY * 5], [T0 + DAY * 5], []),
        3: Later([T0 + DAY * 5], [], []),  # elective: not counted
        5: Later([now - DAY], [now - DAY], []),
    }
    rows = readmission_rows(discharges, later, now=now)
    assert rows == [
        RateRow("Pathway 0", 0, 1),
        RateRow("Pathway 1", 1, 2),
        RateRow("Pathway 2", 0, 0),
        RateRow("Pathway 3", 0, 0),
        RateRow("Not recorded", 0, 1),
        RateRow("All discharges", 1, 4),
    ]
    assert rows[1].rate == 50 and rows[2].rate is None


def test_at_home_row_counts_pathway_1_at_least_91_days_ago():
    now = T0 + DAY * 120
    discharges = [
        Discharge(1, T0, "1"),
        Discharge(2, T0, "1"),
        Discharge(3, T0, "1"),
        Discharge(4, T0, "0"),  # not pathway 1
        Discharge(5, now - DAY * 90, "1"),  # 91 days not over
    ]
    later = {
        2: Later([T0 + DAY * 40], [], []),  # elective admission: not at home
        3: Later([], [], [T0 + DAY * 20]),  # care-home placement
    }
    assert at_home_row(discharges, later, now=now) == RateRow(
        "Pathway 1 (reablement)", 1, 3
    )


@pytest.mark.parametrize(
    ("delays", "expected"),
    [
        ([], [0, 0, 0, 0]),
        ([0, 1, 6], [2, 0, 0, 0]),
        ([7, 13, 14, 20, 21, 400], [0, 2, 2, 2]),
    ],
)
def test_delay_buckets(delays, expected):
    rows = delay_buckets(delays)
    assert [label for label, _ in rows] == ["1-6", "7-13", "14-20", "21+"]
    assert [n for _, n in rows] == expected


def test_pathway_mix_against_design():
    rows, unrecorded = pathway_mix(["0", "0", "1", "3", "", "9"])
    assert unrecorded == 2
    assert [(r.pathway, r.count, r.expected) for r in rows] == [
        ("0", 2, 50),
        ("1", 1, 45),
        ("2", 0, 4),
        ("3", 1, 1),
    ]
    assert rows[0].percent == 50 and rows[0].difference == 0
    assert rows[3].percent == 25 and rows[3].difference == 24
    empty, none = pathway_mix([])
    assert none == 0 and all(r.percent is None for r in empty)


def test_bar_svg_escapes_and_has_no_styles():
    svg = bar_svg("A <b>", [("x<y", 3), ("z", 0)], label_id="t", marks=[1, 2])
    assert "<b>" not in svg and "x&lt;y" in svg and "style" not in svg
    assert svg.count('data-line="expected"') == 2 and 'aria-describedby="t"' in svg
    assert bar_svg("none", [], label_id="t") == ""


def _login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def test_dashboard_shows_outcomes_buckets_and_mix(client, world, inpatient, now):
    today = timezone.localdate()
    # Delayed now for 8 days (bucket 7-13), reason E.
    ready_and_delayed(
        inpatient,
        world.discharge_coordinator,
        ready_on=today - dt.timedelta(days=8),
        recorded_at=now - dt.timedelta(days=4),
        pathway="1",
        reason="E",
        agency="social_care",
    )
    # An earlier stay: admitted 150 days ago, pathway 1 discharge 140 days ago,
    # emergency readmission 20 days later (not at home at 91 days).
    adt(world, EventKind.ADMISSION, "P1", now - 150 * DAY, site="RJU01")
    adt(
        world,
        EventKind.DISCHARGE,
        "P1-D",
        now - 140 * DAY,
        site="RJU01",
        admission_id="P1",
        pathway="1",
    )
    adt(
        world,
        EventKind.ADMISSION,
        "P2",
        now - 120 * DAY,
        site="RJU01",
        admission_method="emergency",
    )
    adt(
        world,
        EventKind.DISCHARGE,
        "P2-D",
        now - 118 * DAY,
        site="RJU01",
        admission_id="P2",
        pathway="0",
    )
    stays_sync(person_ids=[world.person.pk])
    _login(client, world.discharge_coordinator)
    before = AuditEntry.objects.count()
    response = client.get(reverse("discharge_dashboard"), {"days": "180"})
    assert response.status_code == 200
    assert AuditEntry.objects.count() == before + 1
    out = response.context["dashboard"].outcomes
    assert dict(out.buckets) == {"1-6": 0, "7-13": 1, "14-20": 0, "21+": 0}
    assert out.currently_delayed == 1
    assert [r.count for r in out.mix] == [1, 1, 0, 0]
    rows = {r.label: r for r in out.readmissions}
    assert (rows["Pathway 1"].count, rows["Pathway 1"].of) == (1, 1)
    assert (rows["Pathway 0"].count, rows["Pathway 0"].of) == (0, 1)
    assert (out.at_home.count, out.at_home.of) == (0, 1)
    body = response.content.decode()
    for table in ("buckets-table", "mix-table", "readmission-table", "at-home-table"):
        assert f'id="{table}"' in body
    assert "style=" not in body and "&lt;5" not in body
    # The reason filter applies to who is delayed now.
    other = client.get(reverse("discharge_dashboard"), {"reason": "A"})
    assert other.context["dashboard"].outcomes.currently_delayed == 0


def test_care_home_placement_ends_at_home(client, world, now):
    adt(world, EventKind.ADMISSION, "Q1", now - 130 * DAY, site="RJU01")
    adt(
        world,
        EventKind.DISCHARGE,
        "Q1-D",
        now - 120 * DAY,
        site="RJU01",
        admission_id="Q1",
        pathway="1",
    )
    stays_sync(person_ids=[world.person.pk])
    _login(client, world.discharge_coordinator)
    page = client.get(reverse("discharge_dashboard"), {"days": "180"})
    assert (page.context["dashboard"].outcomes.at_home.count) == 1
    EventFactory(
        person=world.person,
        kind=EventKind.SERVICE_START,
        category="social_care",
        occurred_at=now - 100 * DAY,
        summary="Residential care started",
        detail={"service_type": "residential_care"},
    )
    page = client.get(reverse("discharge_dashboard"), {"days": "180"})
    at_home = page.context["dashboard"].outcomes.at_home
    assert (at_home.count, at_home.of) == (0, 1)


def _stay(world, name, admitted, discharged, person=None, **detail):
    pathway = detail.pop("pathway", None)
    adt(
        world,
        EventKind.ADMISSION,
        name,
        admitted,
        person=person,
        site="RJU01",
        **detail,
    )
    out = {"pathway": pathway} if pathway else {}
    adt(
        world,
        EventKind.DISCHARGE,
        f"{name}-D",
        discharged,
        person=person,
        site="RJU01",
        admission_id=name,
        **out,
    )


def test_outcomes_counted_in_the_database_at_the_window_edges(world):
    from joinedup.discharge.outcomes import outcomes_get
    from tests.conftest import actor_for

    now = timezone.now()
    d1 = now - 190 * DAY  # pathway 1; an elective admission exactly 30 days on
    d2 = d1 + 35 * DAY  # no pathway; an emergency admission exactly 30 days on
    d3 = d2 + 35 * DAY  # pathway 0; the next emergency one 30 days and 1 minute on
    _stay(world, "S1", d1 - 5 * DAY, d1, pathway="1")
    _stay(world, "S2", d1 + 30 * DAY, d2, admission_method="elective")
    _stay(world, "S3", d2 + 30 * DAY, d3, admission_method="emergency", pathway="0")
    # Pathway 1, discharged 10 days ago: too recent to count.
    s4 = d3 + 30 * DAY + dt.timedelta(minutes=1)
    _stay(world, "S4", s4, now - 10 * DAY, admission_method="emergency", pathway="1")
    # Someone the coordinator may not see: never counted.
    _stay(
        world,
        "X1",
        now - 110 * DAY,
        now - 100 * DAY,
        person=world.stranger,
        pathway="2",
    )
    stays_sync(person_ids=[world.person.pk, world.stranger.pk])
    out = outcomes_get(
        actor=actor_for(world.discharge_coordinator),
        first=now - 365 * DAY,
        end=now,
        now=now,
        today=timezone.localdate(),
    )
    rows = {r.label: (r.count, r.of) for r in out.readmissions}
    assert rows == {
        "Pathway 0": (0, 1),
        "Pathway 1": (0, 1),
        "Pathway 2": (0, 0),
        "Pathway 3": (0, 0),
        "Not recorded": (1, 1),
        "All discharges": (1, 3),
    }
    assert (out.at_home.count, out.at_home.of) == (0, 1)  # S1: admitted again
    assert [r.count for r in out.mix] == [1, 2, 0, 0] and out.mix_unrecorded == 1
