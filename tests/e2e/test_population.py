"""Issue 9's journey: after a population refresh of a synthetic area, a community
matron opens case finding, sees the top-risk people with the reasons, accepts two
into her caseload and finds them on her home page caseload; a commissioner opens
the JSNA figures and sees suppressed, opt-out-respecting figures with charts."""

from __future__ import annotations

import datetime as dt

import pytest
from playwright.sync_api import expect

from joinedup.governance.models import Organisation, OrganisationType, Role
from joinedup.people.models import InvolvementKind, Person
from joinedup.population.models import PersonRisk, Refresh
from joinedup.population.services import population_refresh
from joinedup.record.models import Event
from joinedup.synth.generator import area_generate
from joinedup.synth.load import area_load
from tests.e2e.conftest import screenshot
from tests.factories import PASSWORD, involve, professional


@pytest.fixture
def area(transactional_db, tmp_path):
    area_load(area=area_generate(people=900, seed=11, end=dt.date(2026, 11, 1)))
    # Some people admitted in an emergency have opted out of secondary use.
    admitted = (
        Event.objects.filter(
            kind="admission",
            detail__admission_method="emergency",
            occurred_at__gte=dt.datetime(2026, 1, 1, tzinfo=dt.UTC),
        )
        .values_list("person_id", flat=True)
        .distinct()
    )
    opted = list(admitted[:8])
    Person.objects.filter(pk__in=opted).update(national_data_opt_out=True)
    population_refresh(work_dir=tmp_path)
    trust = Organisation.objects.get(type=OrganisationType.COMMUNITY_TRUST)
    matron = professional(
        Role.COMMUNITY_MATRON, trust, username="matron", first_name="Maria",
        last_name="Cotton",
    )  # fmt: skip
    # The community trust knows the highest-risk people (its district nurses
    # visit them), so the matron may see them.
    for risk in PersonRisk.objects.filter(level=3).order_by("rank")[:6]:
        if not risk.person.involvements.filter(organisation=trust).exists():
            involve(risk.person, trust, InvolvementKind.COMMUNITY_PATIENT)
    icb = Organisation.objects.get(type=OrganisationType.ICB)
    professional(Role.COMMISSIONER, icb, username="commissioner")
    return matron, opted


def _login(page, live_server, username):
    page.goto(f"{live_server.url}/account/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_matron_case_finds_and_commissioner_reads_the_jsna(page, live_server, area):
    _login(page, live_server, "matron")
    page.get_by_test_id("population-panel").get_by_role(
        "link", name="Case finding"
    ).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Case finding")
    expect(page.get_by_test_id("refreshed")).to_contain_text("Figures last refreshed")
    proposals = page.get_by_test_id("proposal")
    expect(proposals.first).to_be_visible()
    assert proposals.count() >= 2
    expect(proposals.first.get_by_test_id("reasons")).not_to_be_empty()
    screenshot(page, "population-case-finding")

    names = []
    for _ in range(2):
        first = page.get_by_test_id("proposal").first
        names.append(first.get_by_role("link").first.inner_text())
        first.get_by_test_id("accept").click()
        expect(page.get_by_test_id("done")).to_contain_text("Added to your caseload")
    for name in names:
        expect(page.get_by_test_id("proposals")).not_to_contain_text(name)
    expect(page.get_by_test_id("caseload-sizes")).to_contain_text("Maria Cotton")

    page.get_by_role("link", name="Home").first.click()
    caseload = page.get_by_test_id("caseload")
    for name in names:
        expect(caseload).to_contain_text(name)
    expect(caseload).to_contain_text("Lead professional")
    page.context.clear_cookies()

    _login(page, live_server, "commissioner")
    page.goto(f"{live_server.url}/population/jsna/")
    expect(page.get_by_role("heading", level=1)).to_have_text(
        "Joint strategic needs assessment figures"
    )
    expect(page.locator("main")).to_contain_text("national data opt-out are not")
    card = page.get_by_test_id("measure-emergency-admissions")
    expect(card.locator("svg").first).to_be_visible()
    # the latest year's count of emergency admissions leaves out opted-out people
    refresh = Refresh.objects.get(is_current=True)
    start = dt.datetime.combine(
        refresh.history_end.replace(year=refresh.history_end.year - 1)
        + dt.timedelta(days=1),
        dt.time(),
        tzinfo=dt.UTC,
    )
    counted = Event.objects.filter(
        kind="admission",
        detail__admission_method="emergency",
        occurred_at__gte=start,
        person__national_data_opt_out=False,
    ).count()
    everyone = Event.objects.filter(
        kind="admission", detail__admission_method="emergency", occurred_at__gte=start
    ).count()
    assert counted < everyone
    trend = page.locator("#emergency-admissions-trend-table")
    expect(trend).to_contain_text(f"{counted:,}")
    page.get_by_label("Break down by").select_option("area")
    page.get_by_role("button", name="Show").click()
    expect(page.locator("main")).to_contain_text("<5")
    screenshot(page, "population-jsna")
