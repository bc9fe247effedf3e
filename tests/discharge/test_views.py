import datetime as dt
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from joinedup.discharge.models import DelayReason, SitrepDay
from joinedup.discharge.services import stays_sync
from joinedup.governance.models import AuditEntry
from joinedup.record.models import EventKind
from tests.discharge.conftest import adt, ready_and_delayed
from tests.factories import PASSWORD, PersonFactory, involve


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


def _admit_many(world, n, now):
    people = []
    for i in range(n):
        p = PersonFactory()
        involve(p, world.hospital)
        adt(
            world,
            EventKind.ADMISSION,
            f"VM{i}",
            now - dt.timedelta(days=i + 1),
            person=p,
            ward=f"Ward {i % 3}",
            site="RJU01",
        )
        people.append(p.pk)
    stays_sync(person_ids=people)


def _board_queries(client, url):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_board_query_count_is_fixed(client, world, inpatient, now):
    from joinedup.discharge.models import HospitalStay

    login(client, world.discharge_coordinator)
    url = reverse("discharge_board")
    # Delayed patients bring their hand-off tasks: one query for all of them.
    ready_and_delayed(
        inpatient,
        world.discharge_coordinator,
        ready_on=timezone.localdate() - dt.timedelta(days=1),
        recorded_at=now,
    )
    _board_queries(client, url)  # warm: the first request may set things up
    small = _board_queries(client, url)
    _admit_many(world, 15, now)
    for stay in HospitalStay.objects.exclude(pk=inpatient.pk)[:8]:
        ready_and_delayed(
            stay,
            world.discharge_coordinator,
            ready_on=timezone.localdate() - dt.timedelta(days=1),
            recorded_at=now,
        )
    assert _board_queries(client, url) == small
    # Session, user, roles, agreements, stays, sites, hand-off tasks, the
    # notification count, the session save and the audit entry.
    assert small <= 16, small


def test_board_lists_filters_sorts_and_audits_once(client, world, inpatient, now):
    _admit_many(world, 4, now)
    ready_and_delayed(
        inpatient,
        world.discharge_coordinator,
        ready_on=timezone.localdate() - dt.timedelta(days=3),
        recorded_at=now,
        pathway="1",
        reason="E",
        agency="social_care",
    )
    login(client, world.discharge_coordinator)
    before = AuditEntry.objects.count()
    response = client.get(reverse("discharge_board"), {"delayed": "yes"})
    assert AuditEntry.objects.count() == before + 1
    body = response.content.decode()
    assert "THORNTON" in body and "Social care" in body
    assert response.context["board"].rows[0].days_delayed == 3
    assert len(response.context["board"].rows) == 1
    r = client.get(reverse("discharge_board"), {"sort": "los", "order": "desc"})
    los = [row.length_of_stay for row in r.context["board"].rows]
    assert los == sorted(los, reverse=True) and len(los) == 5
    r = client.get(reverse("discharge_board"), {"ward": "Ward 1"})
    assert {row.stay.ward for row in r.context["board"].rows} == {"Ward 1"}
    partial = client.get(reverse("discharge_board"), HTTP_HX_REQUEST="true")
    assert b"<html" not in partial.content and b"ward-board" in partial.content


def test_board_hides_strangers_and_refuses_other_roles(client, world, now):
    adt(world, EventKind.ADMISSION, "VS", now, person=world.stranger, site="RJU01")
    stays_sync(person_ids=[world.stranger.pk])
    login(client, world.discharge_coordinator)
    assert b"THORNBURY" not in client.get(reverse("discharge_board")).content
    login(client, world.gp)
    assert client.get(reverse("discharge_board")).status_code == 403


def test_board_bad_sort(client, world):
    login(client, world.discharge_coordinator)
    response = client.get(reverse("discharge_board"), {"sort": "nhs"})
    assert response.status_code == 400 and b"There is a problem" in response.content


def test_ready_and_delay_forms(client, world, inpatient):
    login(client, world.discharge_coordinator)
    today = timezone.localdate().strftime("%d/%m/%Y")
    url = reverse("discharge_ready", args=[inpatient.pk])
    bad = client.post(url, {"ready_on": "31/02/2026", "pathway": "1"})
    assert bad.status_code == 400 and b"enter a real date" in bad.content
    ok = client.post(
        url,
        {
            "ready_on": today,
            "pathway": "1",
            "clinical_agreed": "yes",
            "mdt_agreed": "yes",
            "destination": "Home",
        },
    )
    assert ok.status_code == 302
    delay_url = reverse("discharge_delay", args=[inpatient.pk])
    bad = client.post(delay_url, {"reason": "C", "agency": "social_care"})
    assert bad.status_code == 400 and b"always the responsibility" in bad.content
    assert (
        client.post(delay_url, {"reason": "E", "agency": "social_care"}).status_code
        == 302
    )
    page = client.get(reverse("discharge_person", args=[world.person.pk]))
    assert b"delay-history" in page.content
    notice = client.post(
        reverse("discharge_notice", args=[inpatient.pk]),
        {"kind": "assessment", "council": world.council.pk, "sent_on": today},
    )
    assert notice.status_code == 302


def test_person_page_refused_for_stranger(client, world):
    login(client, world.discharge_coordinator)
    r = client.get(reverse("discharge_person", args=[world.stranger.pk]))
    assert r.status_code == 403


def test_sitrep_page_exports_and_regenerates_identically(client, world, now):
    day = timezone.localdate() - dt.timedelta(days=2)
    adt(world, EventKind.ADMISSION, "V1", now - dt.timedelta(days=20), site="RJU01")
    stays_sync(person_ids=[world.person.pk])
    stay = world.person.hospital_stays.get()
    ready_and_delayed(
        stay,
        world.discharge_coordinator,
        ready_on=day - dt.timedelta(days=8),
        recorded_at=now - dt.timedelta(days=10),
        pathway="2",
        reason="DI",
        agency="social_care",
        delay_recorded_at=now - dt.timedelta(days=9),
    )
    login(client, world.discharge_coordinator)
    params = {"site": "RJU01", "date": day.isoformat()}
    page = client.get(reverse("discharge_sitrep"), params)
    f = page.context["figures"]
    assert f["not_meeting_criteria_to_reside"] == 1 and f["remaining"] == 1
    assert f["remaining_by_delay"]["7-13"] == 1
    assert f["remaining_by_reason"]["DI"] == 1
    assert f["remaining_by_agency"]["social_care"] == 1
    # a later change does not alter the kept day
    DelayReason.objects.create(
        stay=stay,
        reason="A",
        agency="NHS",
        recorded_by=world.discharge_coordinator,
        recorded_at=now - dt.timedelta(days=9),
    )
    csv1 = client.get(reverse("discharge_sitrep"), {**params, "format": "csv"})
    assert SitrepDay.objects.count() == 1
    assert "Remaining by delay reason,DI,1" in csv1.content.decode()
    xlsx = client.get(reverse("discharge_sitrep"), {**params, "format": "xlsx"})
    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(1, 1).value == "site"


@pytest.mark.parametrize("date", ["2999-01-01", "yesterday"])
def test_sitrep_bad_date(client, world, date):
    login(client, world.discharge_coordinator)
    r = client.get(reverse("discharge_sitrep"), {"site": "RJU01", "date": date})
    assert r.status_code == 400


def test_board_pages_of_fifty(client, world, inpatient, now):
    _admit_many(world, 60, now)
    login(client, world.discharge_coordinator)
    url = reverse("discharge_board")
    first = client.get(url, {"sort": "los"})
    board = first.context["board"]
    assert (board.total, board.page, board.pages, len(board.rows)) == (61, 1, 2, 50)
    html = first.content.decode()
    assert "61 inpatients" in html and "Page 1 of 2" in html
    assert "page=2" in html and "sort=los" in html
    second = client.get(url, {"sort": "los", "page": "2"}).context["board"]
    assert len(second.rows) == 11
    # Sorted across pages: page 2 carries on where page 1 stopped.
    assert board.rows[-1].length_of_stay <= second.rows[0].length_of_stay
    assert client.get(url, {"page": "9"}).context["board"].page == 2
    bad = client.get(url, {"page": "two"})
    assert bad.status_code == 400
    assert "page" in bad.context["errors"]
