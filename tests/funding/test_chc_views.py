"""The CHC pages: what the CHC nurse and the referrer see and do, errors shown in
the NHS.UK error summary with nothing saved, refusals audited."""

from __future__ import annotations

import datetime as dt
import html

import pytest
from django.urls import reverse

from joinedup.funding.models.chc import CaseStatus, ChcCase, ChcDispute, ChcDst
from joinedup.funding.rules.chc import CHECKLIST_DOMAINS, DST_DOMAINS
from joinedup.funding.services.chc import chc_case_close
from joinedup.governance.models import AuditEntry
from tests.factories import PASSWORD
from tests.funding.chc_helpers import (
    chc_setup,
    decide,
    open_case,
    to_assessment,
    to_decision,
    today,
)


@pytest.fixture
def c(world):
    return chc_setup(world)


def login(client, user):
    assert client.login(username=user.username, password=PASSWORD)
    return client


def text(response) -> str:
    return html.unescape(response.content.decode())


def d(day: dt.date) -> str:
    return day.strftime("%d/%m/%Y")


def test_the_referrer_refers_from_the_persons_chc_page(client, c):
    login(client, c.world.discharge_coordinator)
    page = client.get(reverse("chc_person", args=[c.world.person.pk]))
    assert page.status_code == 200
    assert "No NHS continuing healthcare cases" in text(page)
    response = client.post(
        reverse("chc_refer"), {"person": c.world.person.pk, "icb": c.world.icb.pk}
    )
    case = ChcCase.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("chc_checklist", args=[case.pk])


def test_the_checklist_page_shows_every_domain_and_saves_a_positive_result(client, c):
    case = open_case(c)
    login(client, c.world.discharge_coordinator)
    url = reverse("chc_checklist", args=[case.pk])
    page = text(client.get(url))
    for domain in CHECKLIST_DOMAINS:
        assert f'name="domains.{domain}"' in page
    form = {f"domains.{x}": "C" for x in CHECKLIST_DOMAINS} | {
        "domains.breathing": "A",
        "completed_on": d(today()),
    }
    response = client.post(url, form)
    assert response.status_code == 302
    page = text(client.get(reverse("chc_person", args=[c.world.person.pk])))
    assert "Positive: full assessment needed" in page
    assert "28-day clock" in page


def test_a_checklist_with_a_missing_domain_shows_the_error_summary(client, c):
    case = open_case(c)
    login(client, c.world.discharge_coordinator)
    form = {f"domains.{x}": "C" for x in CHECKLIST_DOMAINS[1:]} | {
        "completed_on": "31/02/2026"
    }
    response = client.post(reverse("chc_checklist", args=[case.pk]), form)
    body = text(response)
    assert response.status_code == 400
    assert "nhsuk-error-summary" in body
    assert 'href="#domains.behaviour"' in body
    assert "Choose a score for behaviour" in body
    assert "enter a real date" in body
    # What was chosen is kept.
    assert 'value="C" checked' in body
    case.refresh_from_db()
    assert case.status == CaseStatus.CHECKLIST


def test_the_dst_form_offers_only_each_domains_levels(client, c):
    case = to_assessment(c)
    login(client, c.nurse)
    body = text(client.get(reverse("chc_dst", args=[case.pk])))
    continence = body.split('id="domains.continence"')[1].split("</select>")[0]
    assert 'value="high"' in continence and 'value="severe"' not in continence
    cognition = body.split('id="domains.cognition"')[1].split("</select>")[0]
    assert 'value="severe"' in cognition and 'value="priority"' not in cognition
    breathing = body.split('id="domains.breathing"')[1].split("</select>")[0]
    assert 'value="priority"' in breathing


def dst_form(**extra):
    form = {f"domains.{x}": "no_needs" for x in DST_DOMAINS} | {
        "domains.breathing": "priority",
        "evidence.breathing": "oxygen at night, unstable",
        "nature": "n",
        "intensity": "i",
        "complexity": "c",
        "unpredictability": "u",
        "members.0.name": "Nia Nurse",
        "members.0.profession": "nurse",
        "members.1.name": "Sam Walker",
        "members.1.profession": "social_worker",
        "completed_on": d(today()),
    }
    return form | extra


def test_the_nurse_records_the_dst(client, c):
    case = to_assessment(c)
    login(client, c.nurse)
    response = client.post(reverse("chc_dst", args=[case.pk]), dst_form())
    assert response.status_code == 302
    dst = ChcDst.objects.get()
    assert dst.indication == "indicated" and dst.members.count() == 2


def test_an_mdt_of_one_shows_the_rule(client, c):
    case = to_assessment(c)
    login(client, c.nurse)
    response = client.post(
        reverse("chc_dst", args=[case.pk]),
        dst_form(**{"members.1.name": "", "members.1.profession": ""}),
    )
    assert response.status_code == 400
    assert "the MDT needs at least two professionals" in text(response)
    assert not ChcDst.objects.exists()


def test_the_referrer_cannot_record_the_dst(client, c):
    case = to_assessment(c)
    login(client, c.world.discharge_coordinator)
    page = client.get(reverse("chc_dst", args=[case.pk]))
    assert "recorded by a CHC nurse assessor" in text(page)
    response = client.post(reverse("chc_dst", args=[case.pk]), dst_form())
    assert response.status_code == 403
    assert not ChcDst.objects.exists()
    assert AuditEntry.objects.filter(
        action="chc_dst_record", outcome="refused"
    ).exists()


def test_recommendation_then_decision_through_the_pages(client, c):
    case = to_assessment(c)
    login(client, c.nurse)
    client.post(reverse("chc_dst", args=[case.pk]), dst_form())
    response = client.post(
        reverse("chc_recommendation", args=[case.pk]),
        {
            "primary_health_need": "yes",
            "rationale": "priority",
            "recommended_on": d(today()),
        },
    )
    assert response.status_code == 302
    response = client.post(
        reverse("chc_decision", args=[case.pk]),
        {
            "outcome": "chc",
            "effective_from": d(today()),
            "decided_on": d(today()),
        },
    )
    assert response.status_code == 302
    page = text(client.get(reverse("chc_person", args=[c.world.person.pk])))
    assert "Fully NHS funded (continuing healthcare)" in page
    assert "Reviews" in page


def test_a_decision_before_the_checklist_shows_a_clear_error(client, c):
    case = open_case(c)
    login(client, c.nurse)
    response = client.post(
        reverse("chc_decision", args=[case.pk]),
        {"outcome": "chc", "effective_from": d(today()), "decided_on": d(today())},
    )
    assert response.status_code == 400
    assert "record a positive Checklist first" in text(response)


def test_the_dashboard_lists_open_cases_and_breaches(client, c):
    late = to_assessment(c, days_ago=35)
    login(client, c.nurse)
    body = text(client.get(reverse("chc_dashboard")))
    assert "1 open case" in body
    assert "Breached" in body and "Not recorded" in body
    client.post(
        reverse("chc_close", args=[late.pk]),
        {"what": "breach_reason", "breach_reason": "MDT could not meet"},
    )
    body = text(client.get(reverse("chc_dashboard")))
    assert "MDT could not meet" in body


def test_the_dashboard_is_for_chc_nurses(client, c):
    login(client, c.world.discharge_coordinator)
    assert client.get(reverse("chc_dashboard")).status_code == 403


def test_fast_track_page(client, c):
    login(client, c.world.discharge_coordinator)
    url = reverse("chc_fast_track") + f"?person={c.world.person.pk}"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "person": c.world.person.pk,
            "clinician_name": "Dr Rao",
            "clinician_profession": "doctor",
            "reason": "end of life",
            "signed_on": d(today()),
            "icb": c.world.icb.pk,
        },
    )
    assert response.status_code == 302
    page = text(client.get(reverse("chc_person", args=[c.world.person.pk])))
    assert "Fast Track" in page and "on the Fast Track" in page


def test_the_council_disputes_and_agrees_interim_funding(client, c):
    case = to_decision(c, days_ago=3)
    decide(c, case, effective_from=today() - dt.timedelta(days=2))
    login(client, c.world.social_worker)
    response = client.post(
        reverse("chc_dispute_new", args=[case.pk]),
        {
            "kind": "interagency",
            "council": c.world.council.pk,
            "raised_on": d(today()),
            "grounds": "needs are health needs since admission",
        },
    )
    dispute = ChcDispute.objects.get()
    assert response["Location"] == reverse("chc_dispute", args=[dispute.pk])
    response = client.post(
        reverse("chc_dispute", args=[dispute.pk]),
        {"what": "interim", "payer": "shared", "from_date": d(today())},
    )
    assert response.status_code == 400
    assert "a shared interim's NHS share is 1 to 99 per cent" in text(response)
    client.post(
        reverse("chc_dispute", args=[dispute.pk]),
        {"what": "interim", "payer": "council", "from_date": d(today())},
    )
    page = text(client.get(reverse("chc_dispute", args=[dispute.pk])))
    assert "Council pays from" in page and "Local joint dispute procedure" in page


def test_a_stranger_gets_no_chc_page_and_is_audited(client, c):
    login(client, c.nurse)
    response = client.get(reverse("chc_person", args=[c.world.stranger.pk]))
    assert response.status_code == 403
    assert AuditEntry.objects.filter(
        person_id=c.world.stranger.pk, outcome="refused"
    ).exists()


def _more_cases(c, n: int) -> None:
    from joinedup.funding.services import chc as services
    from joinedup.people.models import InvolvementKind
    from tests.factories import PersonFactory, involve

    for _ in range(n):
        p = PersonFactory()
        involve(p, c.world.hospital, InvolvementKind.HOSPITAL_PATIENT)
        case = services.chc_case_open(actor=c.dc_actor, person_id=p.pk)
        services.checklist_record(
            actor=c.dc_actor,
            case_id=case.pk,
            scores={x: "C" for x in CHECKLIST_DOMAINS} | {"breathing": "A"},
            completed_on=today(),
        )


def test_the_dashboard_takes_the_same_queries_for_more_cases(client, c):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, c.nurse)
    _more_cases(c, 1)
    with CaptureQueriesContext(connection) as few:
        assert client.get(reverse("chc_dashboard")).status_code == 200
    _more_cases(c, 5)
    with CaptureQueriesContext(connection) as many:
        body = text(client.get(reverse("chc_dashboard")))
    assert "6 open cases" in body
    assert len(many.captured_queries) == len(few.captured_queries)


def test_the_persons_page_takes_the_same_queries_for_more_records(client, c):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    login(client, c.nurse)
    case = open_case(c)
    url = reverse("chc_person", args=[c.world.person.pk])
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    chc_case_close(actor=c.nurse_actor, case_id=case.pk, reason="moved away")
    case = to_decision(c)
    decide(c, case)
    with CaptureQueriesContext(connection) as many:
        assert client.get(url).status_code == 200
    # Fixed: the records' prefetches (MDT, disputes, reviews) and the review
    # task check, not one query per record.
    assert len(many.captured_queries) <= len(few.captured_queries) + 4, (
        len(few.captured_queries),
        len(many.captured_queries),
    )


def test_the_nurse_resolves_and_sees_the_reimbursement(client, c):
    from decimal import Decimal

    from joinedup.funding.services.chc import disputes
    from joinedup.funding.services.packages import package_create

    package_create(
        actor=c.sw_actor,
        person_id=c.world.person.pk,
        kind="nursing_placement",
        provider="Elm House",
        cost_per_week=Decimal("700"),
        start_on=today() - dt.timedelta(days=30),
    )
    case = to_decision(c, days_ago=20)
    twenty_ago = today() - dt.timedelta(days=20)
    decide(c, case, effective_from=twenty_ago, decided_on=twenty_ago)
    dispute = disputes.dispute_raise(
        actor=c.sw_actor,
        case_id=case.pk,
        kind="interagency",
        raised_on=today() - dt.timedelta(days=10),
        grounds="g",
    )
    disputes.interim_funding_set(
        actor=c.sw_actor,
        dispute_id=dispute.pk,
        payer="council",
        from_date=today() - dt.timedelta(days=9),
    )
    login(client, c.nurse)
    url = reverse("chc_dispute", args=[dispute.pk])
    response = client.post(url, {"what": "resolve", "result": "upheld"})
    assert response.status_code == 400
    assert "enter how it was resolved" in text(response)
    response = client.post(
        url,
        {
            "what": "resolve",
            "result": "upheld",
            "stage_outcome": "the procedure upheld the decision",
            "resolved_on": d(today()),
        },
    )
    assert response.status_code == 302
    body = text(client.get(url))
    # Ten days at £100 a day paid by the council should have been the NHS's.
    assert "The NHS (ICB) pays the council £1000.00" in body
