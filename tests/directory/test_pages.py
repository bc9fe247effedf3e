"""Directory and social prescribing pages: search, import with errors named,
the link worker's journey through the forms, and who may see what."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from joinedup.coordination.services import referral_send
from joinedup.directory.models import (
    Connection,
    PrescribingCase,
    Service,
    WellbeingScore,
)
from tests.conftest import actor_for
from tests.coordination.coordb_helpers import login
from tests.directory.conftest import ORUK_FILE

pytestmark = pytest.mark.django_db


def test_search_page_and_bad_postcode(client, world, level1):
    login(client, world.gp)
    page = client.get(reverse("directory_search"), {"need": "physical_activity"})
    assert page.status_code == 200
    assert "Active Lives" in page.content.decode()
    bad = client.get(reverse("directory_search"), {"postcode": "NOWHERE"})
    assert bad.status_code == 400
    assert "is not a postcode" in bad.content.decode()


def test_import_page_names_the_bad_field_and_changes_nothing(client, world, level1):
    login(client, level1.editor)
    data = json.loads(ORUK_FILE.read_text())
    data["contents"][0]["status"] = "maybe"
    before = Service.objects.count()
    page = client.post(
        reverse("directory_import"),
        {"file": SimpleUploadedFile("d.json", json.dumps(data).encode())},
    )
    assert page.status_code == 400
    assert "services[0].status" in page.content.decode()
    assert Service.objects.count() == before
    empty = client.post(reverse("directory_import"), {})
    assert (
        empty.status_code == 400
        and "choose an ORUK JSON file" in empty.content.decode()
    )


def test_a_link_worker_works_a_case_through_the_pages(client, world, level1):
    referral = referral_send(
        actor=actor_for(world.gp),
        person_id=world.person.pk,
        referral_type="social_prescribing",
        urgency="routine",
        reason="Isolated",
        consent_basis="consent",
        to_team_id=level1.sp_team.pk,
    )
    login(client, level1.link_worker)
    home = client.get(reverse("sp_home"))
    assert world.person.display_name in home.content.decode()
    taken = client.post(reverse("sp_take_on", args=[referral.pk]))
    case = PrescribingCase.objects.get()
    assert taken.url == reverse("sp_case", args=[case.pk])
    act = lambda a, **d: client.post(reverse("sp_case_action", args=[case.pk, a]), d)  # noqa: E731
    bad = act("wellbeing", when="before", before_life_satisfaction="4")
    assert bad.status_code == 400 and "answer this question" in bad.content.decode()
    assert not WellbeingScore.objects.exists()
    ok = act(
        "wellbeing",
        when="before",
        before_life_satisfaction="4",
        before_worthwhile="5",
        before_happiness="3",
        before_anxiety="8",
    )
    assert ok.status_code == 302
    service = Service.objects.get(name__startswith="Active Lives")
    missing = act("connect", service=str(service.pk))
    assert (
        missing.status_code == 400 and "basis for sharing" in missing.content.decode()
    )
    act("connect", service=str(service.pk), consent_basis="consent", reason="Exercise")
    assert Connection.objects.get().referral is not None
    page = client.get(reverse("sp_case", args=[case.pk]))
    assert "Active Lives" in page.content.decode()


def test_figures_are_for_commissioners(client, world, level1):
    login(client, world.gp)
    assert client.get(reverse("sp_figures")).status_code == 403
    login(client, world.commissioner)
    assert client.get(reverse("sp_figures"), {"by": "area"}).status_code == 200
