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


def test_a_link_worker_records_a_self_referral_by_nhs_number(client, world, level1):
    from joinedup.governance.models import RelationshipClaim

    login(client, level1.link_worker)
    bad = client.post(reverse("sp_self_referral"), {"nhs_number": "943 476 5918"})
    assert bad.status_code == 400
    assert "valid 10-digit NHS number" in bad.content.decode()
    assert 'href="#nhs_number"' in bad.content.decode()
    unknown = client.post(reverse("sp_self_referral"), {"nhs_number": "9434765919"})
    assert unknown.status_code == 400 and "no one here" in unknown.content.decode()
    assert not PrescribingCase.objects.exists()
    assert not RelationshipClaim.objects.exists()
    made = client.post(
        reverse("sp_self_referral"), {"nhs_number": world.stranger.nhs_number}
    )
    case = PrescribingCase.objects.get()
    assert made.url == reverse("sp_case", args=[case.pk])
    assert case.source == "self_referral" and case.person_id == world.stranger.pk
    assert client.get(made.url).status_code == 200
    login(client, world.ig_lead)
    alerts = client.get(reverse("claim_alerts")).content.decode()
    assert "Self-referral to social prescribing" in alerts


def test_the_person_page_links_to_social_prescribing_when_there_is_some(
    client, world, level1
):
    from joinedup.directory.services import case_open_self_referral
    from tests.coordination.coordb_helpers import team_actor

    login(client, world.gp)
    record = reverse("person_detail", args=[world.person.pk])
    assert 'data-testid="sp-person-link"' not in client.get(record).content.decode()
    case_open_self_referral(
        actor=team_actor(level1.link_worker), person_id=world.person.pk
    )
    assert 'data-testid="sp-person-link"' in client.get(record).content.decode()
    listing = client.get(reverse("sp_person", args=[world.person.pk]))
    assert "Joinedup Community Connectors" in listing.content.decode()


def test_a_directory_editor_changes_one_service(client, world, level1):
    service = Service.objects.get(name__startswith="Active Lives")
    edit = reverse("directory_service_edit", args=[service.pk])
    login(client, world.gp)
    assert client.get(edit).status_code == 403
    assert client.post(edit, {"status": "inactive"}).status_code == 403
    login(client, level1.editor)
    page = client.get(reverse("directory_service", args=[service.pk]))
    assert edit in page.content.decode()
    form = client.get(edit)
    assert form.status_code == 200 and "Save the service" in form.content.decode()
    bad = client.post(
        edit,
        {"status": "active", "description": "New", "minimum_age": "x"},
    )
    assert bad.status_code == 400 and 'href="#minimum_age"' in bad.content.decode()
    crossed = client.post(
        edit,
        {"status": "active", "minimum_age": "70", "maximum_age": "60"},
    )
    assert crossed.status_code == 400
    assert "must not be below the minimum age" in crossed.content.decode()
    unknown = client.post(edit, {"status": "maybe"})
    assert unknown.status_code == 400 and 'href="#status"' in unknown.content.decode()
    service.refresh_from_db()
    assert (service.status, service.minimum_age) == ("active", 18)
    ok = client.post(
        edit,
        {
            "status": "temporarily closed",
            "description": "Classes resume in May",
            "minimum_age": "50",
            "maximum_age": "",
        },
    )
    assert ok.url == reverse("directory_service", args=[service.pk])
    service.refresh_from_db()
    assert service.status == "temporarily closed" and service.minimum_age == 50
    assert service.maximum_age is None and service.modified_by_id == level1.editor.pk
    assert (
        client.get(reverse("directory_service_edit", args=[99999])).status_code == 404
    )
