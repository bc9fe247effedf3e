"""Care package pages and the REST API (issue 8)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from joinedup.funding.models import CarePackage, FundingSplit
from joinedup.funding.services.packages import package_create
from joinedup.governance.models import AuditEntry
from joinedup.governance.services import token_create
from tests.conftest import actor_for
from tests.factories import PASSWORD

D = dt.date


@pytest.fixture
def package(world):
    return package_create(
        actor=actor_for(world.social_worker),
        person_id=world.person.pk,
        kind="direct_payment",
        provider="Direct payment account",
        cost_per_week="210",
        start_on=D(2026, 1, 1),
    )


def test_social_worker_arranges_a_package_on_the_page(client, world):
    client.login(username="sw", password=PASSWORD)
    url = reverse("funding_person_packages", args=[world.person.pk])
    bad = client.post(
        url,
        {
            "kind": "home_care",
            "provider": "Caring Hands",
            "cost_per_week": "350",
            "start_on": "1/3/2026",
            "end_on": "1/2/2026",
        },
    )
    assert bad.status_code == 400
    assert "the end date must not be before the start date" in bad.content.decode()
    assert not CarePackage.objects.exists()
    ok = client.post(
        url,
        {
            "kind": "home_care",
            "provider": "Caring Hands",
            "cost_per_week": "350",
            "start_on": "1/3/2026",
        },
    )
    assert ok.status_code == 302
    page = client.get(url)
    assert "Caring Hands" in page.content.decode()


def test_package_page_changes_funding_and_shows_errors(client, world, package):
    client.login(username="sw", password=PASSWORD)
    url = reverse("funding_package_funding", args=[package.pk])
    over = client.post(
        url,
        {
            "effective_from": "1/2/2026",
            "funder": "joint",
            "nhs_chc_percent": "70",
            "council_percent": "40",
            "reason": "joint package",
        },
    )
    assert over.status_code == 400
    assert "over 100%" in over.content.decode()
    ok = client.post(
        url,
        {
            "effective_from": "1/2/2026",
            "funder": "joint",
            "nhs_chc_percent": "60",
            "council_percent": "40",
            "reason": "joint package",
        },
    )
    assert ok.status_code == 302
    assert FundingSplit.objects.filter(package=package).count() == 2


def test_direct_payment_balance(client, world, package):
    client.login(username="sw", password=PASSWORD)
    client.post(
        reverse("funding_package_payment", args=[package.pk]),
        {"paid_on": "2026-01-01", "amount": "1000"},
    )
    page = client.get(reverse("funding_package", args=[package.pk]))
    body = page.content.decode()
    assert 'data-testid="direct-payment"' in body
    assert "1,000.00" in body


def test_commissioner_cannot_open_a_package(client, world, package):
    client.login(username="comm", password=PASSWORD)
    assert client.get(reverse("funding_package", args=[package.pk])).status_code == 403
    assert (
        client.get(
            reverse("funding_person_packages", args=[world.person.pk])
        ).status_code
        == 403
    )


def _auth(user):
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(username=user.username)}"}


def test_rest_list_read_create_and_change_funding(client, world, package):
    h = _auth(world.social_worker)
    listed = client.get(f"/api/v1/care-packages/people/{world.person.pk}", **h)
    assert listed.status_code == 200
    assert listed.json()["packages"][0]["kind"] == "direct_payment"
    created = client.post(
        "/api/v1/care-packages",
        {
            "person_id": world.person.pk,
            "kind": "equipment",
            "provider": "Equipment store",
            "cost_per_week": "5.00",
            "start_on": "2026-02-01",
        },
        content_type="application/json",
        **h,
    )
    assert created.status_code == 201, created.content
    pid = created.json()["id"]
    bad = client.post(
        f"/api/v1/care-packages/{pid}/funding",
        {
            "effective_from": "2026-03-01",
            "funder": "joint",
            "nhs_chc_percent": "80",
            "council_percent": "30",
            "reason": "joint",
        },
        content_type="application/json",
        **h,
    )
    assert bad.status_code == 400
    assert bad.json()["error"] == "invalid" and "shares" in bad.json()["fields"]
    ok = client.post(
        f"/api/v1/care-packages/{pid}/funding",
        {
            "effective_from": "2026-03-01",
            "funder": "nhs_chc",
            "nhs_chc_percent": "100",
            "council_percent": "0",
            "reason": "ICB decision",
        },
        content_type="application/json",
        **h,
    )
    assert ok.status_code == 201 and ok.json()["funder_now"] == "nhs_chc"
    assert client.get(f"/api/v1/care-packages/{pid}", **h).status_code == 200
    assert client.get("/api/v1/care-packages/999999", **h).status_code == 404
    end_before = client.post(
        "/api/v1/care-packages",
        {
            "person_id": world.person.pk,
            "kind": "equipment",
            "provider": "X",
            "cost_per_week": "5",
            "start_on": "2026-02-01",
            "end_on": "2026-01-01",
        },
        content_type="application/json",
        **h,
    )
    assert end_before.status_code == 400 and "end_on" in end_before.json()["fields"]


def test_rest_refuses_commissioners_person_data(client, world, package):
    h = _auth(world.commissioner)
    r = client.get(f"/api/v1/care-packages/{package.pk}", **h)
    assert r.status_code == 403 and r.json()["error"] == "access_refused"
    assert AuditEntry.objects.filter(
        action="view_care_package", outcome="refused"
    ).exists()


def test_rest_pooled_budgets_for_commissioners(client, world):
    from joinedup.funding.services.pooled import fund_create, scheme_create

    comm = actor_for(world.commissioner)
    fund = fund_create(
        actor=comm,
        name="BCF",
        host_organisation_id=world.council.pk,
        risk_share="proportional",
        partners=[{"organisation_id": world.icb.pk, "source": "icb"}],
    )
    scheme = scheme_create(
        actor=comm, fund_id=fund.pk, name="Reablement", kind="reablement"
    )
    h = _auth(world.commissioner)
    assert client.get("/api/v1/pooled-budgets", **h).json()[0]["name"] == "BCF"
    board = client.get(f"/api/v1/pooled-budgets/{fund.pk}?year=2026", **h)
    assert (
        board.status_code == 200 and board.json()["schemes"][0]["name"] == "Reablement"
    )
    j = client.post(
        f"/api/v1/pooled-budgets/{fund.pk}/journals",
        {
            "scheme_id": scheme.pk,
            "month": "2026-05-01",
            "amount": "1500.00",
            "description": "Staff",
        },
        content_type="application/json",
        **h,
    )
    assert j.status_code == 201
    bad = client.post(
        f"/api/v1/pooled-budgets/{fund.pk}/journals",
        {
            "scheme_id": scheme.pk,
            "month": "2026-05-01",
            "amount": "0",
            "description": "",
        },
        content_type="application/json",
        **h,
    )
    assert bad.status_code == 400 and {"amount", "description"} <= set(
        bad.json()["fields"]
    )
    sw = _auth(world.social_worker)
    assert client.get(f"/api/v1/pooled-budgets/{fund.pk}", **sw).status_code == 403
    assert client.get("/api/v1/pooled-budgets/99999", **h).status_code == 404
