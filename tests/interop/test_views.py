"""The integration team's pages: access for admin only, replay and discard."""

from __future__ import annotations

import pytest

from joinedup.governance.models import Role
from joinedup.interop.hl7v2.ingest import hl7_message_ingest, journal_insert
from joinedup.interop.hl7v2.journal import journal_apply
from joinedup.interop.models import QuarantineItem, QuarantineStatus
from joinedup.record.models import Event
from tests.factories import PASSWORD, professional
from tests.interop.conftest import adt

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin(world):
    return professional(Role.ADMIN, world.icb, username="integration")


@pytest.fixture
def item(world):
    hl7_message_ingest(adt("A01", "Q1", dob="19411332"))
    return QuarantineItem.objects.get()


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)


@pytest.mark.parametrize(
    "url", ["/integration/", "/integration/quarantine/", "/integration/quarantine/{}/"]
)
@pytest.mark.parametrize("who", ["social_worker", "ig_lead", "gp", "commissioner"])
def test_other_roles_are_refused(client, world, item, url, who):
    login(client, getattr(world, who))
    response = client.get(url.format(item.pk))
    assert response.status_code == 403
    assert b"19411332" not in response.content


def test_signed_out_is_sent_to_login(client, item):
    response = client.get("/integration/quarantine/")
    assert response.status_code == 302 and "login" in response["Location"]


def test_dashboard_and_list(client, admin, item):
    login(client, admin)
    page = client.get("/integration/")
    assert page.status_code == 200
    assert b"acute-pas" in page.content
    listing = client.get("/integration/quarantine/")
    assert listing.status_code == 200
    assert b"PID-7 date of birth is not a valid date" in listing.content
    assert b"19411332" not in listing.content  # raw content only on the item page


def test_dashboard_says_what_the_listener_accepted_and_has_not_applied(
    client, admin, world
):
    login(client, admin)
    assert (
        b"None: every message the MLLP listener acknowledged"
        in client.get("/integration/").content
    )
    journal_insert([
        ("RJU", "W1", "mllp", adt("A01", "W1", visit="W1")),
        ("RJU", "W2", "mllp", adt("A01", "W2", visit="W2")),
    ])  # fmt: skip
    page = client.get("/integration/").content.decode()
    assert "2 HL7 v2 messages acknowledged by the MLLP listener and not yet " in page
    assert journal_apply() == 2
    assert "None: every message" in client.get("/integration/").content.decode()


def test_detail_shows_raw_and_replay_after_fix(client, admin, item):
    login(client, admin)
    page = client.get(f"/integration/quarantine/{item.pk}/")
    assert page.status_code == 200 and b"19411332" in page.content
    still_bad = client.post(
        f"/integration/quarantine/{item.pk}/", {"action": "replay", "raw": item.raw}
    )
    assert still_bad.status_code == 400
    assert b"There is a problem" in still_bad.content
    fixed = item.raw.replace("19411332", "19410203")
    response = client.post(
        f"/integration/quarantine/{item.pk}/", {"action": "replay", "raw": fixed}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == QuarantineStatus.REPLAYED
    assert item.resolved_by == admin
    assert Event.objects.filter(source_id="V1").exists()


def test_discard_needs_a_reason(client, admin, item):
    login(client, admin)
    url = f"/integration/quarantine/{item.pk}/"
    missing = client.post(url, {"action": "discard", "reason": " "})
    assert missing.status_code == 400 and b"discarded" in missing.content
    done = client.post(url, {"action": "discard", "reason": "resent corrected"})
    assert done.status_code == 302
    item.refresh_from_db()
    assert item.status == QuarantineStatus.DISCARDED
    assert item.discard_reason == "resent corrected"
    again = client.post(url, {"action": "discard", "reason": "twice"})
    assert again.status_code == 400


def test_an_item_that_does_not_exist_is_the_not_found_page(client, admin, item):
    login(client, admin)
    response = client.get(f"/integration/quarantine/{item.pk + 1000}/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode() or (
        "not found" in response.content.decode().lower()
    )
