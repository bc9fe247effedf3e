"""The population pages and REST reads: JSNA suppression, CSV, the model card,
case-finding forms, and the documented 4xx answers."""

from __future__ import annotations

import csv
import io

import pytest
from django.urls import reverse
from django.utils import timezone

from joinedup.coordination.models import Task
from joinedup.governance.models import AuditEntry, OrganisationType, Role
from joinedup.governance.services import token_create
from joinedup.population.models import (
    Figure,
    PersonRisk,
    Refresh,
    RefreshStatus,
    RiskModel,
)
from joinedup.population.selectors import jsna_figures, level_counts
from tests.conftest import actor_for
from tests.factories import PASSWORD, OrganisationFactory, PersonFactory, involve
from tests.factories import professional as make_professional

Y1 = "01 Nov 2023 to 31 Oct 2024"
Y3 = "01 Nov 2025 to 31 Oct 2026"


@pytest.fixture
def refresh(world):
    r = Refresh.objects.create(
        started_at=timezone.now(),
        finished_at=timezone.now(),
        status=RefreshStatus.COMPLETE,
        is_current=True,
    )
    rows = [
        ("population", "all", "all", Y1, 1000, 1000),
        ("population", "all", "all", Y3, 1000, 1000),
        ("emergency_admissions", "all", "all", Y1, 80, 1000),
        ("emergency_admissions", "all", "all", Y3, 100, 1000),
        ("population", "sex", "female", Y3, 600, 600),
        ("population", "sex", "male", Y3, 400, 400),
        ("emergency_admissions", "sex", "female", Y3, 97, 600),
        ("emergency_admissions", "sex", "male", Y3, 3, 400),
        ("ltc_diabetes", "all", "all", Y3, 70, 1000),
    ]
    Figure.objects.bulk_create(
        Figure(
            refresh=r, measure=m, dimension=d, group=g, period=p, numerator=n,
            denominator=den,
        )
        for m, d, g, p, n, den in rows
    )  # fmt: skip
    RiskModel.objects.create(
        refresh=r, version="admission-risk-test", trained_at=timezone.now(),
        features=["age"], coefficients={"intercept": -3, "age": 0.2},
        means={"age": 5}, train_period="year 1", test_period="year 3",
        train_people=900, train_outcomes=60, test_people=950, test_outcomes=70,
        auc=0.74, calibration=[
            {"decile": i, "n": 95, "predicted": i / 100, "observed": i / 110}
            for i in range(1, 11)
        ],
    )  # fmt: skip
    return r


def test_small_counts_are_suppressed_and_rates_withheld(world, refresh):
    jsna = jsna_figures(actor=actor_for(world.commissioner), dimension="sex")
    table = next(t for t in jsna.tables if t.key == "emergency_admissions")
    cells = dict(table.rows)
    assert cells["female"][0].shown == "97"
    assert cells["female"][0].rate == pytest.approx(97 / 600 * 1000)
    assert cells["male"][0].shown == "<5" and cells["male"][0].rate is None


def test_unknown_dimension_names_the_field(world, refresh):
    from joinedup.errors import InvalidInput

    with pytest.raises(InvalidInput) as exc:
        jsna_figures(actor=actor_for(world.commissioner), dimension="postcode")
    assert "by" in exc.value.fields


def test_level_counts_leave_out_people_who_opted_out(world, refresh):
    for i, opted in enumerate((False,) * 6 + (True,) * 3):
        p = PersonFactory(national_data_opt_out=opted, registered_gp=world.practice)
        PersonRisk.objects.create(
            refresh=refresh, person=p, practice=world.practice, age=80,
            efi_score=0, efi_category="fit", deficits=[], risk=0.5, factors=[],
            level=3 if i < 2 else 1, rank=i + 1,
        )  # fmt: skip
    counts = level_counts()
    # 4 level-1 people who did not opt out: shown as "<5"; 2 at level 3: "<5"
    assert counts.totals == {1: "<5", 2: "0", 3: "<5"}
    assert counts.by_practice[0][0] == world.practice.name


def test_jsna_page_shows_charts_tables_and_suppression(client, world, refresh):
    client.login(username="comm", password=PASSWORD)
    response = client.get(reverse("population_jsna"), {"by": "sex"})
    body = response.content.decode()
    assert response.status_code == 200
    assert "<svg" in body and 'id="emergency-admissions-table"' in body
    assert "&lt;5" in body and "suppressed" in body
    assert 'data-testid="refreshed"' in body
    # the trend over the years
    assert 'id="emergency-admissions-trend-table"' in body


def test_jsna_csv_export_is_suppressed_too(client, world, refresh):
    client.login(username="comm", password=PASSWORD)
    response = client.get(reverse("population_jsna"), {"by": "sex", "format": "csv"})
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == [
        "measure",
        "unit",
        "dimension",
        "group",
        "period",
        "count",
        "rate",
    ]
    male = next(r for r in rows if r[3] == "male")
    assert male[5] == "<5" and male[6] == ""


def test_jsna_page_with_a_bad_dimension_shows_the_error(client, world, refresh):
    client.login(username="comm", password=PASSWORD)
    response = client.get(reverse("population_jsna"), {"by": "nope"})
    assert response.status_code == 400
    assert "nhsuk-error-summary" in response.content.decode()


def test_pages_say_when_there_are_no_figures_yet(client, world):
    client.login(username="comm", password=PASSWORD)
    for name in ("population_jsna", "population_overview", "population_model_card"):
        body = client.get(reverse(name)).content.decode()
        assert "There are no figures yet" in body, name


def test_model_card_page(client, world, refresh):
    client.login(username="comm", password=PASSWORD)
    body = client.get(reverse("population_model_card")).content.decode()
    assert "admission-risk-test" in body and "0.740" in body
    assert 'id="calibration-table"' in body and "Intended use" in body


@pytest.fixture
def matron_scene(world, refresh):
    trust = OrganisationFactory(
        code="RJV", name="Community Trust", type=OrganisationType.COMMUNITY_TRUST
    )
    matron = make_professional(Role.COMMUNITY_MATRON, trust, username="matron")
    person = PersonFactory(given_name="Edith", family_name="Proposed")
    involve(person, trust)
    PersonRisk.objects.create(
        refresh=refresh, person=person, age=88, efi_score=0.3,
        efi_category="moderate", deficits=["falls"], risk=0.6,
        factors=[["recent_admission", 1.0]], level=3, rank=1,
    )  # fmt: skip
    return matron, person


def test_case_finding_page_accept_and_dismiss(client, world, matron_scene):
    _matron, person = matron_scene
    client.login(username="matron", password=PASSWORD)
    page = client.get(reverse("population_case_finding")).content.decode()
    assert (
        "Edith PROPOSED" in page and "Emergency admission in the last 90 days" in page
    )
    bad = client.post(
        reverse("population_case_finding_dismiss"),
        {"person": person.pk, "reason": ""},
    )
    assert bad.status_code == 400
    assert f'href="#reason-{person.pk}"' in bad.content.decode()
    missing = client.post(reverse("population_case_finding_accept"), {"person": "x"})
    assert missing.status_code == 400
    done = client.post(reverse("population_case_finding_accept"), {"person": person.pk})
    assert done.status_code == 302 and done["Location"].endswith("?done=accepted")
    assert Task.objects.filter(person=person, source="case_finding").exists()
    home = client.get(reverse("home")).content.decode()
    assert "Edith PROPOSED" in home and "Lead professional" in home


def test_case_finding_page_is_refused_to_a_commissioner(client, world, refresh):
    client.login(username="comm", password=PASSWORD)
    assert client.get(reverse("population_case_finding")).status_code == 403


# --- REST -------------------------------------------------------------------------


def _get(client, user, path):
    token = token_create(username=user.username)
    return client.get(path, HTTP_AUTHORIZATION=f"Bearer {token}")


def test_api_refresh_status(client, world, refresh):
    body = _get(client, world.commissioner, "/api/v1/population/refresh").json()
    assert body["id"] == refresh.pk and body["model_version"] == "admission-risk-test"
    assert body["latest_status"] == "complete"


def test_api_jsna_suppressed_and_bad_dimension(client, world, refresh):
    body = _get(client, world.commissioner, "/api/v1/population/jsna?by=sex").json()
    male = next(f for f in body["figures"] if f["group"] == "male")
    assert male["count"] == "<5" and male["rate"] is None
    bad = _get(client, world.commissioner, "/api/v1/population/jsna?by=nope")
    assert bad.status_code == 400 and "by" in bad.json()["fields"]


def test_api_case_finding(client, world, matron_scene):
    matron, person = matron_scene
    before = AuditEntry.objects.count()
    response = _get(client, matron, "/api/v1/population/case-finding")
    assert response.status_code == 200
    assert [p["person_id"] for p in response.json()] == [person.pk]
    assert AuditEntry.objects.count() == before + 1
    refused = _get(client, world.commissioner, "/api/v1/population/case-finding")
    assert refused.status_code == 403 and refused.json()["error"]
    bad = _get(client, matron, "/api/v1/population/case-finding?limit=0")
    assert bad.status_code == 400 and "limit" in bad.json()["fields"]
