import csv
import datetime as dt
import io

import pytest
from django.utils import timezone

from joinedup.discharge.models import DelayReason, Readiness
from joinedup.governance.models import AuditEntry
from joinedup.governance.services import token_create

BASE = "/api/v1/discharge"


@pytest.fixture
def dc(world):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(username='dc')}"}


@pytest.fixture
def gp(world):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(username='gp')}"}


def _post(client, url, body, auth):
    return client.post(url, body, content_type="application/json", **auth)


def test_ready_then_delay_then_stays_and_sitrep(client, dc, inpatient):
    today = timezone.localdate()
    ready = _post(
        client,
        f"{BASE}/stays/{inpatient.pk}/ready",
        {
            "ready_on": (today - dt.timedelta(days=2)).isoformat(),
            "clinical_agreed": True,
            "mdt_agreed": True,
            "pathway": "1",
            "destination": "Home",
        },
        dc,
    )
    assert ready.status_code == 201, ready.content
    assert ready.json()["pathway"] == "1"
    delay = _post(
        client,
        f"{BASE}/stays/{inpatient.pk}/delay",
        {"reason": "E", "agency": "social_care"},
        dc,
    )
    assert delay.status_code == 201 and delay.json()["reason"] == "E"
    before = AuditEntry.objects.count()
    stays = client.get(f"{BASE}/stays", {"delayed": "true"}, **dc)
    assert stays.status_code == 200
    assert AuditEntry.objects.count() == before + 1
    row = stays.json()["stays"][0]
    assert (row["reason"], row["agency"], row["days_delayed"]) == (
        "E",
        "social_care",
        2,
    )
    assert client.get(f"{BASE}/stays", {"delayed": "false"}, **dc).json()["total"] == 0
    sitrep = client.get(f"{BASE}/sitrep", {"site": "RJU01"}, **dc)
    assert sitrep.status_code == 200
    body = sitrep.json()
    assert body["remaining"] == 1 and body["remaining_by_reason"]["E"] == 1
    # The same figures as CSV.
    csv_answer = client.get(f"{BASE}/sitrep", {"site": "RJU01", "format": "csv"}, **dc)
    assert csv_answer.status_code == 200
    assert csv_answer["Content-Type"].startswith("text/csv")
    assert "attachment" in csv_answer["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(csv_answer.content.decode())))
    assert rows[0][0].lower() == "site"
    assert ["RJU01", today.isoformat()] == rows[1][:2]
    assert any(r[3] == "E" and r[4] == "1" for r in rows[1:]), rows
    bad = client.get(f"{BASE}/sitrep", {"site": "RJU01", "format": "pdf"}, **dc)
    assert bad.status_code == 400 and "format" in bad.json()["fields"]


def test_bad_input_is_a_400_with_the_field_and_saves_nothing(client, dc, inpatient):
    today = timezone.localdate()
    not_ready = _post(
        client,
        f"{BASE}/stays/{inpatient.pk}/delay",
        {"reason": "E", "agency": "social_care"},
        dc,
    )
    assert not_ready.status_code == 400 and "reason" in not_ready.json()["fields"]
    early = _post(
        client,
        f"{BASE}/stays/{inpatient.pk}/ready",
        {
            "ready_on": (today - dt.timedelta(days=30)).isoformat(),
            "clinical_agreed": True,
            "mdt_agreed": False,
            "pathway": "7",
        },
        dc,
    )
    assert early.status_code == 400
    assert set(early.json()["fields"]) == {"ready_on", "mdt_agreed", "pathway"}
    missing = _post(client, f"{BASE}/stays/{inpatient.pk}/delay", {"reason": "E"}, dc)
    assert missing.status_code == 400 and "agency" in missing.json()["fields"]
    assert not Readiness.objects.exists() and not DelayReason.objects.exists()
    unknown = _post(
        client, f"{BASE}/stays/999999/delay", {"reason": "E", "agency": "NHS"}, dc
    )
    assert unknown.status_code == 404 and unknown.json()["error"] == "not_found"
    bad_sort = client.get(f"{BASE}/stays", {"sort": "nhs"}, **dc)
    assert bad_sort.status_code == 400 and "sort" in bad_sort.json()["fields"]
    future = client.get(
        f"{BASE}/sitrep",
        {"site": "RJU01", "date": (today + dt.timedelta(days=1)).isoformat()},
        **dc,
    )
    assert future.status_code == 400 and "date" in future.json()["fields"]


def test_other_roles_are_refused_and_audited(client, gp, inpatient):
    before = AuditEntry.objects.count()
    assert client.get(f"{BASE}/stays", **gp).status_code == 403
    r = _post(
        client,
        f"{BASE}/stays/{inpatient.pk}/delay",
        {"reason": "E", "agency": "NHS"},
        gp,
    )
    assert r.status_code == 403 and r.json()["error"] == "access_refused"
    assert client.get(f"{BASE}/sitrep", {"site": "RJU01"}, **gp).status_code == 403
    assert AuditEntry.objects.count() == before + 3
    assert client.get(f"{BASE}/stays").status_code == 401
