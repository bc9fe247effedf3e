"""The information governance journeys in the web pages."""

import datetime as dt
import html

import pytest
from django.urls import reverse
from django.utils import timezone

from joinedup.governance.models import (
    AuditEntry,
    BreakGlass,
    ConsentRecord,
    RelationshipClaim,
    Role,
    SharingAgreement,
)
from joinedup.governance.services.relationships import relationships_sync
from tests.factories import (
    PASSWORD,
    EventFactory,
    OrganisationFactory,
    professional,
    valid_nhs_number,
)


def _login(client, username):
    assert client.login(username=username, password=PASSWORD)
    return client


def text(response) -> str:
    return html.unescape(response.content.decode())


# --- refused, break-glass and self-claim -------------------------------------------


def test_refused_record_explains_and_offers_a_way_forward(client, world):
    _login(client, "gp")
    response = client.get(reverse("person_detail", args=[world.stranger.pk]))
    page = text(response)
    assert response.status_code == 403
    assert "no legitimate relationship with this person" in page
    assert "Record your relationship with this person" in page  # GP is clinical
    assert "use emergency access (break-glass)" in page


def test_break_glass_without_a_reason_saves_nothing(client, world):
    _login(client, "gp")
    url = reverse("break_glass", args=[world.stranger.pk])
    response = client.post(url, {"reason": "", "justification": "short"})
    page = text(response)
    assert response.status_code == 400
    assert "Select the reason you need emergency access" in page
    assert "at least 10 characters" in page
    assert not BreakGlass.objects.exists()


def test_break_glass_opens_the_record_for_four_hours_and_is_reviewed(client, world):
    EventFactory(person=world.stranger, summary="Seen in clinic")
    _login(client, "gp")
    response = client.post(
        reverse("break_glass", args=[world.stranger.pk]),
        {
            "reason": "vital_interests",
            "justification": "Unconscious in A&E, no history",
        },
    )
    assert response.status_code == 302
    page = text(client.get(response["Location"]))
    assert "Emergency access" in page and "Seen in clinic" in page
    use = BreakGlass.objects.get()
    assert use.expires_at - use.started_at == dt.timedelta(hours=4)
    client.logout()
    _login(client, "ig")
    review = client.get(reverse("break_glass_reviews"))
    assert "Unconscious in A&E" in text(review)
    client.post(
        reverse("break_glass_reviews"),
        {"item": use.pk, "outcome": "escalated", "note": ""},
    )
    use.refresh_from_db()
    assert use.review_status == "pending"  # escalating needs a note
    client.post(
        reverse("break_glass_reviews"),
        {"item": use.pk, "outcome": "appropriate", "note": "Checked with ED"},
    )
    use.refresh_from_db()
    assert use.review_status == "appropriate"
    assert "Nothing is waiting for review" in text(
        client.get(reverse("break_glass_reviews"))
    )


def test_expired_break_glass_no_longer_opens_the_record(client, world):
    _login(client, "gp")
    client.post(
        reverse("break_glass", args=[world.stranger.pk]),
        {
            "reason": "vital_interests",
            "justification": "Unconscious in A&E, no history",
        },
    )
    BreakGlass.objects.update(expires_at=dt.datetime(2020, 1, 1, tzinfo=dt.UTC))
    relationships_sync()  # the register follows writes that bypass save()
    response = client.get(reverse("person_detail", args=[world.stranger.pk]))
    assert response.status_code == 403


def test_break_glass_by_nhs_number_for_someone_not_found(client, world):
    _login(client, "gp")
    url = reverse("break_glass_find")
    bad = client.post(
        url,
        {
            "nhs_number": "123",
            "reason": "legal_duty",
            "justification": "Court order received today",
        },
    )
    assert "must be 10 digits" in text(bad)
    response = client.post(
        url,
        {
            "nhs_number": world.stranger.nhs_number,
            "reason": "legal_duty",
            "justification": "Court order received today",
        },
    )
    assert response["Location"] == reverse("person_detail", args=[world.stranger.pk])


def test_break_glass_by_nhs_number_checks_the_reason_before_looking_anyone_up(
    client, world
):
    _login(client, "gp")
    unknown = valid_nhs_number(98_765)
    response = client.post(
        reverse("break_glass_find"), {"nhs_number": unknown, "reason": ""}
    )
    assert response.status_code == 400
    page = text(response)
    assert "Select the reason you need emergency access" in page
    assert "No one with this NHS number" not in page  # nothing looked up yet
    assert not AuditEntry.objects.filter(action="break_glass_start").exists()
    response = client.post(
        reverse("break_glass_find"),
        {
            "nhs_number": unknown,
            "reason": "vital_interests",
            "justification": "Unconscious in A&E, no history",
        },
    )
    assert response.status_code == 400
    assert "No one with this NHS number is known to JoinedUp" in text(response)
    attempt = AuditEntry.objects.get(action="break_glass_start")
    assert attempt.outcome == "refused" and attempt.person_id is None
    assert unknown not in attempt.reason  # never an NHS number in the audit


def test_commissioner_cannot_break_glass(client, world):
    _login(client, "comm")
    response = client.post(
        reverse("break_glass", args=[world.person.pk]),
        {"reason": "vital_interests", "justification": "Just curious about this one"},
    )
    assert "cannot use emergency access" in text(response)
    assert not BreakGlass.objects.exists()


def test_self_claimed_relationship_gives_access_and_alerts_the_ig_lead(client, world):
    _login(client, "gp")
    response = client.post(
        reverse("relationship_claim", args=[world.stranger.pk]),
        {"reason": "Temporary resident seen in surgery today"},
    )
    assert response.status_code == 302
    assert client.get(response["Location"]).status_code == 200
    client.logout()
    _login(client, "ig")
    assert "Temporary resident seen in surgery today" in text(
        client.get(reverse("claim_alerts"))
    )


def test_social_worker_cannot_self_claim(client, world):
    _login(client, "sw")
    response = client.post(
        reverse("relationship_claim", args=[world.stranger.pk]),
        {"reason": "I think I know them from somewhere"},
    )
    assert "cannot claim a relationship" in text(response)
    assert not RelationshipClaim.objects.exists()


# --- consent ------------------------------------------------------------------------


def test_objection_limits_a_category_to_the_organisations_own_records(client, world):
    EventFactory(
        person=world.person,
        source_system=world.council_system,
        category="social_care",
        summary="Council's own assessment",
    )
    EventFactory(
        person=world.person,
        source_system=world.pas,
        category="health",
        summary="Hospital admission",
    )
    _login(client, "sw")
    url = reverse("consent", args=[world.person.pk])
    bad = client.post(url, {"form": "consent", "decision": "maybe", "method": ""})
    assert bad.status_code == 400
    assert "Select whether the person consents or objects" in text(bad)
    assert not ConsentRecord.objects.exists()
    client.post(
        url,
        {
            "form": "consent",
            "decision": "objection",
            "method": "verbal",
            "category": "health",
            "organisation": "JU-ASC",
        },
    )
    page = text(client.get(reverse("person_detail", args=[world.person.pk])))
    assert "Hospital admission" not in page
    assert "Council's own assessment" in page
    assert "the person objects to sharing health with your organisation" in page
    # consent later given: newest decision wins
    client.post(
        url,
        {
            "form": "consent",
            "decision": "consent",
            "method": "written",
            "category": "health",
            "organisation": "JU-ASC",
        },
    )
    assert "Hospital admission" in text(
        client.get(reverse("person_detail", args=[world.person.pk]))
    )


def test_consent_for_an_unknown_organisation_is_refused(client, world):
    _login(client, "sw")
    response = client.post(
        reverse("consent", args=[world.person.pk]),
        {
            "form": "consent",
            "decision": "objection",
            "method": "verbal",
            "organisation": "NOPE",
        },
    )
    assert "No organisation has the code 'NOPE'" in text(response)
    assert not ConsentRecord.objects.exists()


def test_national_opt_out_is_recorded(client, world):
    _login(client, "sw")
    url = reverse("consent", args=[world.person.pk])
    client.post(url, {"form": "opt_out", "opted_out": "yes"})
    world.person.refresh_from_db()
    assert world.person.national_data_opt_out
    assert "has opted out" in text(client.get(url))


# --- sharing agreements -------------------------------------------------------------


@pytest.fixture
def partner(world):
    """A mental health trust whose IG lead and clinician take part in agreements."""
    trust = OrganisationFactory(
        code="RJW", name="Joinedup MH Trust", type="mental_health_trust"
    )
    professional(Role.IG_LEAD, trust, username="ig.mh")
    professional(Role.COMMUNITY_MATRON, trust, username="matron.mh")
    return trust


def test_agreement_form_refuses_bad_input(client, world, partner):
    _login(client, "ig")
    response = client.post(
        reverse("agreement_new"),
        {
            "title": "Shared care",
            "purpose": "Direct care",
            "legal_basis": "direct_care_duty_to_share",
            "organisations": ["RJW"],
            "categories": [],
            "start_date": "2026-12-01",
            "end_date": "2026-01-01",
        },
    )
    page = text(response)
    assert response.status_code == 400
    assert "Select at least one category of information" in page
    assert "End date must be the same as or after the start date" in page
    assert not SharingAgreement.objects.exists()


def test_agreement_gives_access_only_when_approved_and_stops_when_ended(
    client, world, partner
):
    EventFactory(person=world.person, source_system=world.pas, summary="Admitted")
    EventFactory(
        person=world.person,
        source_system=world.council_system,
        category="social_care",
        summary="Care package",
    )
    _login(client, "ig")
    today = timezone.localdate()
    response = client.post(
        reverse("agreement_new"),
        {
            "title": "Hospital to MH trust",
            "purpose": "Joint care",
            "legal_basis": "direct_care_duty_to_share",
            "organisations": ["RJW"],
            "categories": ["health"],
            "start_date": today.isoformat(),
            "end_date": (today + dt.timedelta(days=365)).isoformat(),
        },
    )
    agreement = SharingAgreement.objects.get()
    assert response["Location"] == reverse("agreement_detail", args=[agreement.pk])
    # The proposer is the ICB; make the hospital the proposing party instead.
    agreement.parties.filter(organisation=world.icb).update(organisation=world.hospital)
    client.logout()

    record_url = reverse("person_detail", args=[world.person.pk])
    _login(client, "matron.mh")
    assert client.get(record_url).status_code == 403  # not approved yet
    client.logout()

    _login(client, "ig.mh")
    client.post(reverse("agreement_detail", args=[agreement.pk]), {"action": "approve"})
    assert "In force" in text(
        client.get(reverse("agreement_detail", args=[agreement.pk]))
    )
    client.logout()

    _login(client, "matron.mh")
    page = text(client.get(record_url))
    assert "Admitted" in page  # health flows
    assert "Care package" not in page  # social care is not in the agreement
    client.logout()

    _login(client, "ig.mh")
    missing_reason = client.post(
        reverse("agreement_detail", args=[agreement.pk]),
        {"action": "end", "reason": ""},
    )
    assert "Enter why the agreement is ending" in text(missing_reason)
    client.post(
        reverse("agreement_detail", args=[agreement.pk]),
        {"action": "end", "reason": "Service decommissioned"},
    )
    client.logout()
    _login(client, "matron.mh")
    assert client.get(record_url).status_code == 403


def test_only_ig_leads_manage_agreements(client, world):
    _login(client, "sw")
    assert "Only information governance leads" in text(
        client.get(reverse("agreement_new"))
    )


# --- access report ------------------------------------------------------------------


def test_access_report_lists_who_saw_the_record_and_exports_csv(client, world):
    _login(client, "sw")
    client.get(reverse("person_detail", args=[world.person.pk]))
    client.logout()
    _login(client, "ig")
    url = reverse("access_report")
    assert "must be 10 digits" in text(client.get(url, {"nhs_number": "12"}))
    page = text(client.get(url, {"nhs_number": world.person.nhs_number}))
    assert "social_worker, Joinedup Council Adult Social Care" in page
    csv = client.get(url, {"nhs_number": world.person.nhs_number, "format": "csv"})
    assert csv["Content-Type"].startswith("text/csv")
    body = csv.content.decode()
    assert body.splitlines()[0].startswith("when,who,role,organisation,action")
    assert "view_record" in body
    assert AuditEntry.objects.filter(
        action="access_report", person=world.person
    ).exists()


def test_access_report_is_for_ig_leads_only(client, world):
    _login(client, "sw")
    response = client.get(
        reverse("access_report"), {"nhs_number": world.person.nhs_number}
    )
    assert "Only information governance leads" in text(response)
