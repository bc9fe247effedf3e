"""The synthetic area generator: reproducible, plausible, with identity noise
(DESIGN section 5). Pure: no database."""

from __future__ import annotations

import collections
import datetime as dt
import subprocess
import sys

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from joinedup.people.nhs_number import nhs_number_is_valid
from joinedup.synth import catalogue as cat
from joinedup.synth.area import Area, PersonSpec
from joinedup.synth.generator import (
    DEFAULT_END,
    MAX_PEOPLE,
    area_generate,
    local_id_for,
    nhs_number_for_index,
    person_generate,
)

EVENT_KINDS = {
    "admission",
    "transfer",
    "discharge",
    "ae_attendance",
    "gp_consultation",
    "diagnosis",
    "medication",
    "fall",
    "community_contact",
    "mental_health_contact",
    "social_care_assessment",
    "service_start",
    "service_end",
    "safeguarding_concern",
    "sexual_health_contact",
}
CATEGORIES = {
    "health",
    "social_care",
    "mental_health",
    "sexual_health",
    "safeguarding",
}
ABOUT_ME_HEADINGS = {
    "what_matters_to_me",
    "people_important_to_me",
    "how_to_communicate_with_me",
    "my_wellbeing",
    "important_to_know",
    "daily_routine",
}


@pytest.fixture(scope="module")
def area() -> Area:
    return area_generate(people=2000)


@pytest.fixture(scope="module")
def people(area: Area) -> list[PersonSpec]:
    return list(area.iter_people())


@pytest.fixture(scope="module")
def big_sample() -> list[PersonSpec]:
    return list(area_generate(people=10_000).iter_people())


# --- the area -------------------------------------------------------------------------


def test_area_organisations_and_systems() -> None:
    area = area_generate(people=100)
    assert area.end == DEFAULT_END == dt.date(2026, 11, 1)
    assert area.start == dt.date(2023, 11, 1)
    by_type = collections.Counter(o.type for o in area.organisations)
    assert by_type["gp_practice"] == 4
    for kind in (
        "icb",
        "acute_trust",
        "community_trust",
        "mental_health_trust",
        "council_adult_social_care",
        "council_childrens_services",
        "voluntary_sector",
        "housing_provider",
    ):
        assert by_type[kind] == 1, kind
    codes = {o.code for o in area.organisations}
    assert {"QJU", "RJU", "RJV", "RJW", "JU-ASC", "JU-CS", "JU-VS01"} <= codes
    assert {"J81001", "J81004", "JU-HP01"} <= codes
    assert len(codes) == len(area.organisations)
    systems = {s.code: s for s in area.systems}
    assert systems["acute-pas"].kind == "hl7v2"
    assert systems["acute-pas"].org_code == "RJU"
    assert systems["acute-pas"].identifier_system == (
        "https://fhir.joinedup.example/Id/acute-mrn"
    )
    assert systems["acute-pas"].identifier_label == "Hospital number (MRN)"
    assert systems["gp-system"].kind == "fhir"
    assert systems["gp-system"].org_code == "QJU"
    assert systems["council-sc"].kind == "csv"
    assert systems["council-sc"].org_code == "JU-ASC"
    assert systems["council-sc"].identifier_label == "Council client ID"
    assert systems["community-epr"].org_code == "RJV"
    assert systems["community-epr"].identifier_label == "Community patient ID"
    assert systems["mh-epr"].org_code == "RJW"
    assert all(s.org_code in codes for s in area.systems)


def test_practice_count_grows_with_the_area() -> None:
    area = area_generate(people=70_000)
    assert sum(o.type == "gp_practice" for o in area.organisations) == 10


def test_custom_end_date() -> None:
    area = area_generate(people=10, end=dt.date(2024, 2, 29))
    assert area.start == dt.date(2021, 2, 28)
    limit = dt.datetime(2024, 2, 29, tzinfo=dt.UTC)
    assert all(e.occurred_at < limit for p in area.iter_people() for e in p.events)


@pytest.mark.parametrize("people", [-1, MAX_PEOPLE + 1])
def test_area_size_is_checked(people: int) -> None:
    with pytest.raises(ValueError, match="people must be"):
        area_generate(people=people)


def test_generator_does_not_import_django() -> None:
    code = (
        "import sys, pathlib, tempfile\n"
        "from joinedup.synth.generator import area_generate\n"
        "from joinedup.synth.writers import extracts_write\n"
        "area = area_generate(people=20)\n"
        "extracts_write(area=area, out_dir=pathlib.Path(tempfile.mkdtemp()))\n"
        "assert not [m for m in sys.modules if m.startswith('django')]\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True)  # noqa: S603


# --- reproducibility ------------------------------------------------------------------


def test_same_seed_same_people() -> None:
    first = list(area_generate(people=50, seed=7).iter_people())
    second = list(area_generate(people=50, seed=7).iter_people())
    assert first == second


def test_other_seed_other_people() -> None:
    first = list(area_generate(people=20, seed=1).iter_people())
    second = list(area_generate(people=20, seed=2).iter_people())
    assert [p.birth_date for p in first] != [p.birth_date for p in second]


def test_person_does_not_depend_on_area_size() -> None:
    small = area_generate(people=50)
    large = area_generate(people=200)
    for i in range(50):
        assert person_generate(area=small, index=i) == person_generate(
            area=large, index=i
        )


# --- NHS numbers and local ids --------------------------------------------------------


def test_nhs_numbers_valid_in_test_range_and_unique(people: list[PersonSpec]) -> None:
    numbers = [p.nhs_number for p in people]
    assert len(set(numbers)) == len(numbers)
    for n in numbers:
        assert nhs_number_is_valid(n), n
        assert 9_990_000_000 <= int(n) <= 9_999_999_999


def test_nhs_number_for_index_is_unique_over_a_large_range() -> None:
    numbers = {nhs_number_for_index(i) for i in range(0, MAX_PEOPLE, 7)}
    assert len(numbers) == len(range(0, MAX_PEOPLE, 7))


@given(st.integers(min_value=0, max_value=MAX_PEOPLE - 1))
@settings(max_examples=300)
def test_nhs_number_for_any_index_is_valid(index: int) -> None:
    number = nhs_number_for_index(index)
    assert nhs_number_is_valid(number)
    assert number.startswith("999")


@pytest.mark.parametrize("index", [-1, MAX_PEOPLE])
def test_nhs_number_index_out_of_range(index: int) -> None:
    with pytest.raises(ValueError, match="person index"):
        nhs_number_for_index(index)


def test_local_ids_unique_per_system() -> None:
    for system in ("acute-pas", "gp-system", "council-sc", "community-epr", "mh-epr"):
        ids = {local_id_for(system, i) for i in range(20_000)}
        assert len(ids) == 20_000, system
    dups = {local_id_for("acute-pas", i, duplicate=True) for i in range(20_000)}
    assert not dups & {local_id_for("acute-pas", i) for i in range(20_000)}
    with pytest.raises(ValueError, match="unknown source system"):
        local_id_for("nope", 1)


# --- people ---------------------------------------------------------------------------


def _age(p: PersonSpec, on: dt.date = DEFAULT_END) -> int:
    b = p.birth_date
    return on.year - b.year - ((on.month, on.day) < (b.month, b.day))


def test_demographics_are_plausible(people: list[PersonSpec]) -> None:
    ages = [_age(p) for p in people]
    assert min(ages) >= 0
    assert max(ages) <= 101
    over_65 = sum(a >= 65 for a in ages) / len(ages)
    under_18 = sum(a < 18 for a in ages) / len(ages)
    assert 0.13 <= over_65 <= 0.25
    assert 0.16 <= under_18 <= 0.28
    sexes = collections.Counter(p.sex for p in people)
    assert 0.45 <= sexes["female"] / len(people) <= 0.56
    assert set(sexes) <= {"male", "female", "other", "unknown"}
    assert len({p.key for p in people}) == len(people)
    assert people[0].key == "P0000001"


def test_addresses_postcodes_and_deprivation(people: list[PersonSpec]) -> None:
    moved = sum(len(p.addresses) > 1 for p in people) / len(people)
    assert 0.06 <= moved <= 0.14
    practices = {"J81001", "J81002", "J81003", "J81004"}
    for p in people:
        assert p.addresses
        dates = [a.from_date for a in p.addresses]
        assert dates == sorted(dates)
        assert dates[0] >= p.birth_date
        for a in p.addresses:
            assert a.postcode.startswith("JU")
            outward, inward = a.postcode.split(" ")
            assert 1 <= int(outward[2:]) <= 9
            assert len(inward) == 3 and inward[0].isdigit()
        assert 1 <= p.imd_decile <= 10
        assert p.lsoa.startswith("E01JU")
        assert p.gp_practice_code in practices
    assert len({p.gp_practice_code for p in people}) == 4


def test_conditions_rise_with_age(people: list[PersonSpec]) -> None:
    older = [p for p in people if _age(p) >= 75]
    younger = [p for p in people if 18 <= _age(p) < 40]
    avg_old = sum(len(p.conditions) for p in older) / len(older)
    avg_young = sum(len(p.conditions) for p in younger) / len(younger)
    assert avg_old > 2 * avg_young
    hypertension_old = sum("hypertension" in p.conditions for p in older) / len(older)
    assert 0.3 <= hypertension_old <= 0.8
    keys = set(cat.CONDITIONS_BY_KEY)
    assert all(set(p.conditions) <= keys for p in people)


def test_about_me_and_opt_out(big_sample: list[PersonSpec]) -> None:
    older = [p for p in big_sample if _age(p) >= 65]
    with_about = [p for p in older if p.about_me]
    assert 0.22 <= len(with_about) / len(older) <= 0.38
    assert all(p.about_me is None for p in big_sample if _age(p) < 65)
    for p in with_about:
        assert p.about_me is not None
        assert set(p.about_me) <= ABOUT_ME_HEADINGS
        assert "what_matters_to_me" in p.about_me
    opted_out = sum(p.national_data_opt_out for p in big_sample) / len(big_sample)
    assert 0.015 <= opted_out <= 0.05


def test_snomed_codes_look_like_concept_ids() -> None:
    for cond in cat.CONDITIONS:
        assert cond.snomed.isdigit() and 6 <= len(cond.snomed) <= 18
        assert len(cond.prevalence) == len(cat.CONDITION_AGE_BANDS)
    for reason in cat.EMERGENCY_REASONS + cat.ELECTIVE_REASONS:
        assert reason.snomed.isdigit()
        assert reason.ward in cat.WARDS
    assert cat.CONDITIONS_BY_KEY["type_2_diabetes"].snomed == "44054006"
    assert cat.NICKNAMES["William"] == "Bill"
    assert cat.NICKNAMES["Margaret"] == "Peggy"


# --- events ---------------------------------------------------------------------------


def test_events_per_person_average(people: list[PersonSpec]) -> None:
    average = sum(len(p.events) for p in people) / len(people)
    assert 12 <= average <= 30
    older = [p for p in people if _age(p) >= 75]
    children = [p for p in people if _age(p) < 18]
    assert sum(len(p.events) for p in older) / len(older) > 2 * (
        sum(len(p.events) for p in children) / len(children)
    )


def test_every_event_belongs_to_a_source_record(people: list[PersonSpec]) -> None:
    for p in people:
        records = {(r.system_code, r.local_id) for r in p.records}
        for e in p.events:
            assert (e.system_code, e.local_id) in records, e


def test_events_are_well_formed(area: Area, people: list[PersonSpec]) -> None:
    start = dt.datetime.combine(area.start, dt.time(), tzinfo=dt.UTC)
    end = dt.datetime.combine(area.end, dt.time(), tzinfo=dt.UTC)
    org_codes = {o.code for o in area.organisations}
    seen: set[tuple[str, str]] = set()
    kinds: collections.Counter[str] = collections.Counter()
    for p in people:
        born = dt.datetime.combine(p.birth_date, dt.time(), tzinfo=dt.UTC)
        times = [e.occurred_at for e in p.events]
        assert times == sorted(times)
        for e in p.events:
            kinds[e.kind] += 1
            key = (e.system_code, e.source_id)
            assert key not in seen, key
            seen.add(key)
            assert e.occurred_at.utcoffset() == dt.timedelta(0)
            assert start <= e.occurred_at < end
            assert e.occurred_at >= born
            if e.ended_at is not None:
                assert e.occurred_at <= e.ended_at < end
            assert e.kind in EVENT_KINDS
            assert e.category in CATEGORIES
            assert e.org_code in org_codes
            assert e.summary and len(e.summary) <= 300
            assert p.nhs_number not in e.summary
            assert all(isinstance(v, str) for v in e.detail.values())
    assert EVENT_KINDS - {"sexual_health_contact", "safeguarding_concern"} <= set(kinds)


def test_sealed_categories_are_rare(big_sample: list[PersonSpec]) -> None:
    adults = [p for p in big_sample if _age(p) >= 18]
    with_concern = sum(
        any(e.kind == "safeguarding_concern" for e in p.events) for p in adults
    )
    assert 0.002 <= with_concern / len(adults) <= 0.012
    for p in big_sample:
        for e in p.events:
            if e.kind == "safeguarding_concern":
                assert e.category == "safeguarding"
                assert e.system_code == "council-sc"
            if e.kind == "sexual_health_contact":
                assert e.category == "sexual_health"


def test_admissions_pair_with_discharges(people: list[PersonSpec]) -> None:
    for p in people:
        admissions = {e.source_id: e for e in p.events if e.kind == "admission"}
        for e in p.events:
            if e.kind in ("discharge", "transfer"):
                admission = admissions[e.detail["admission_id"]]
                assert admission.local_id == e.local_id
                assert admission.occurred_at <= e.occurred_at
            if e.kind == "ae_attendance" and "admission_id" in e.detail:
                assert e.detail["outcome"] == "admitted"
                admission = admissions[e.detail["admission_id"]]
                assert e.occurred_at < admission.occurred_at
            if e.kind == "discharge":
                assert admission.ended_at == e.occurred_at
                assert e.detail["pathway"] in {"0", "1", "2", "3"}
                assert {"ward", "site", "admission_method"} <= set(e.detail)
        discharged = {
            e.detail["admission_id"] for e in p.events if e.kind == "discharge"
        }
        for source_id, admission in admissions.items():
            assert admission.detail["admission_method"] in {"emergency", "elective"}
            assert (admission.ended_at is not None) == (source_id in discharged)


def test_some_patients_are_still_in_hospital(big_sample: list[PersonSpec]) -> None:
    inpatients = sum(
        any(e.kind == "admission" and e.ended_at is None for e in p.events)
        for p in big_sample
    )
    assert inpatients >= 5


def test_discharge_to_assess_pathways(big_sample: list[PersonSpec]) -> None:
    pathways = collections.Counter(
        e.detail["pathway"]
        for p in big_sample
        for e in p.events
        if e.kind == "discharge"
    )
    total = sum(pathways.values())
    assert total > 2000
    share = {k: v / total for k, v in pathways.items()}
    # DESIGN 4.2: about 50% / 45% / 4% / 1%.
    assert 0.42 <= share["0"] <= 0.58
    assert 0.37 <= share["1"] <= 0.53
    assert 0.02 <= share["2"] <= 0.07
    assert 0.004 <= share["3"] <= 0.025


def test_services_start_before_they_end(big_sample: list[PersonSpec]) -> None:
    for p in big_sample:
        starts = {e.source_id: e for e in p.events if e.kind == "service_start"}
        for e in p.events:
            if e.kind == "service_start":
                assert e.detail["service_id"] == e.source_id
                assert e.detail["service_type"] in cat.SOCIAL_CARE_SERVICES
                assert "weekly_hours" in e.detail or "weekly_cost" in e.detail
            if e.kind == "service_end":
                start = starts[e.detail["service_id"]]
                assert start.occurred_at < e.occurred_at
                assert start.local_id == e.local_id


# --- source records and identity noise ------------------------------------------------


def test_everyone_has_a_verified_gp_record(people: list[PersonSpec]) -> None:
    for p in people:
        gp = [r for r in p.records if r.system_code == "gp-system"]
        assert len(gp) == 1
        assert gp[0].nhs_number == p.nhs_number
        assert gp[0].nhs_number_status == "01"
        assert gp[0].given_name == p.given_name
        assert gp[0].postcode == p.addresses[-1].postcode


def test_records_only_where_there_is_activity(people: list[PersonSpec]) -> None:
    for p in people:
        systems = {e.system_code for e in p.events}
        for r in p.records:
            if r.system_code != "gp-system" and not r.is_duplicate:
                assert r.system_code in systems


def test_acute_records(big_sample: list[PersonSpec]) -> None:
    acute = [r for p in big_sample for r in p.records if r.system_code == "acute-pas"]
    primary = [r for r in acute if not r.is_duplicate]
    assert all(r.nhs_number for r in primary)
    not_traced = sum(r.nhs_number_status == "02" for r in primary) / len(primary)
    assert 0.01 <= not_traced <= 0.06
    duplicates = len(acute) - len(primary)
    assert 0.003 <= duplicates / len(primary) <= 0.02
    # a duplicate has its own MRN and usually some of the person's events
    dup_people = [p for p in big_sample if any(r.is_duplicate for r in p.records)]
    assert any(e.local_id.startswith("M2") for p in dup_people for e in p.events)


def test_council_records_are_noisy(big_sample: list[PersonSpec]) -> None:
    pairs = [
        (p, r)
        for p in big_sample
        for r in p.records
        if r.system_code == "council-sc" and not r.is_duplicate
    ]
    assert len(pairs) > 200
    missing = sum(r.nhs_number is None for _, r in pairs) / len(pairs)
    assert 0.22 <= missing <= 0.38
    assert all(r.nhs_number_status == "03" for _, r in pairs if r.nhs_number is None)
    nicknames = sum(r.given_name == cat.NICKNAMES.get(p.given_name) for p, r in pairs)
    assert nicknames > 0
    transposed = sum(
        r.birth_date != p.birth_date and r.birth_date.year == p.birth_date.year
        for p, r in pairs
    )
    assert transposed > 0
    swapped = sum(r.given_name == p.family_name for p, r in pairs)
    assert swapped > 0
    movers = [(p, r) for p, r in pairs if len(p.addresses) > 1]
    assert any(r.postcode == p.addresses[0].postcode for p, r in movers)
    over_65 = sum(_age(p) >= 65 for p, _ in pairs) / len(pairs)
    assert over_65 >= 0.5
    assert any(_age(p) < 65 for p, _ in pairs)


def test_mental_health_records_follow_conditions(people: list[PersonSpec]) -> None:
    mh_conditions = {"schizophrenia", "bipolar_disorder", "depression", "anxiety"}
    mh_conditions |= {"dementia", "learning_disability"}
    for p in people:
        if any(r.system_code == "mh-epr" for r in p.records):
            assert mh_conditions & set(p.conditions)
        if {"schizophrenia", "bipolar_disorder"} & set(p.conditions):
            assert any(e.kind == "mental_health_contact" for e in p.events) or (
                _age(p) < 1
            )
