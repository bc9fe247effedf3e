"""The assessment form's validation and the pre-fill rules: pure, no database."""

import datetime as dt

import pytest

from joinedup.coordination import assessment_form as form
from joinedup.coordination import prefill as pf
from joinedup.errors import InvalidInput

TODAY = dt.date(2026, 6, 1)


def fact(kind, text, on, category="health", source="GP system", course=""):
    return pf.RecordFact(kind, category, on, text, source, course)


def test_every_kind_has_the_sections_of_the_issue_with_their_categories():
    for kind in form.KINDS:
        sections = {s.key: s.category for s in form.sections_for(kind)}
        assert sections == {
            "about_me": "demographics",
            "care_act_outcomes": "social_care",
            "health_conditions": "health",
            "mental_health": "mental_health",
            "cognition_communication": "health",
            "mobility_falls": "health",
            "carers_family": "social_care",
            "housing": "social_care",
            "finances": "finance",
            "risks": "social_care",
        }


def test_the_outcomes_section_asks_the_ten_adult_and_eight_carer_outcomes():
    adult = form.section_get("adult", "care_act_outcomes")
    carer = form.section_get("carer", "care_act_outcomes")
    adult_keys = [q.key for q in adult.questions if q.key.startswith("outcome_")]
    carer_keys = [q.key for q in carer.questions if q.key.startswith("outcome_")]
    assert len(adult_keys) == 10 and "outcome_toilet_needs" in adult_keys
    assert len(carer_keys) == 8 and "outcome_recreation" in carer_keys
    assert adult.question("needs_from_impairment_or_illness").required
    assert carer.question("health_deteriorating").required


def test_unknown_kind_and_section_are_named():
    with pytest.raises(InvalidInput) as exc:
        form.sections_for("child")
    assert "kind" in exc.value.fields
    with pytest.raises(InvalidInput) as exc:
        form.section_get("adult", "hobbies")
    assert "section" in exc.value.fields


def test_answers_are_cleaned_from_form_strings_and_json_alike():
    section = form.section_get("adult", "mobility_falls")
    assert form.answers_clean(
        section, {"falls_last_year": "3", "mobility": " slow "}
    ) == {
        "falls_last_year": 3,
        "mobility": "slow",
        "equipment": None,
    }
    outcomes = form.section_get("adult", "care_act_outcomes")
    cleaned = form.answers_clean(
        outcomes,
        {
            "needs_from_impairment_or_illness": "yes",
            "significant_impact_on_wellbeing": True,
            "outcome_nutrition": ["needs_assistance", "needs_assistance"],
        },
    )
    assert cleaned["needs_from_impairment_or_illness"] is True
    assert cleaned["outcome_nutrition"] == ["needs_assistance"]
    assert cleaned["outcome_toilet_needs"] == []


def test_every_bad_answer_is_named_at_once():
    section = form.section_get("adult", "care_act_outcomes")
    with pytest.raises(InvalidInput) as exc:
        form.answers_clean(
            section,
            {
                "outcome_nutrition": ["hungry"],
                "favourite_colour": "blue",
                "significant_impact_on_wellbeing": "perhaps",
            },
        )
    fields = exc.value.fields
    assert "unknown choice" in fields["outcome_nutrition"]
    assert "not a question" in fields["favourite_colour"]
    assert fields["significant_impact_on_wellbeing"] == "answer yes or no"
    assert fields["needs_from_impairment_or_illness"] == "answer this question"


def test_an_empty_section_is_refused():
    with pytest.raises(InvalidInput) as exc:
        form.answers_clean(form.section_get("adult", "risks"), {})
    assert exc.value.fields == {"answers": "answer at least one question"}


@pytest.mark.parametrize("raw", ["-1", "many", "1001"])
def test_integer_answers_are_checked(raw):
    with pytest.raises(InvalidInput) as exc:
        form.answers_clean(
            form.section_get("adult", "mobility_falls"), {"falls_last_year": raw}
        )
    assert "falls_last_year" in exc.value.fields


def test_conditions_and_current_medication_come_from_the_record_with_their_source():
    facts = [
        fact("diagnosis", "Type 2 diabetes", dt.date(2019, 4, 2)),
        fact("diagnosis", "Heart failure", dt.date(2026, 3, 3), source="Hospital PAS"),
        fact("medication", "Metformin", dt.date(2026, 2, 1), course="repeat"),
        fact("medication", "Amoxicillin", dt.date(2026, 2, 1), course="acute"),
        fact("medication", "Old drug", dt.date(2024, 1, 1), course="repeat"),
    ]
    found = pf.record_prefill(facts, today=TODAY)["health_conditions"]
    assert found["conditions"].value == "Heart failure\nType 2 diabetes"
    assert found["conditions"].source == "Hospital PAS and GP system"
    assert found["conditions"].on == dt.date(2026, 3, 3)
    assert found["medications"].value == "Metformin"
    assert found["medications"].text == (
        "from GP system, 1 February 2026; confirm or change"
    )


def test_falls_in_the_last_year_are_counted():
    facts = [
        fact("fall", "Fall recorded", dt.date(2026, 3, 3)),
        fact("fall", "Fall recorded", dt.date(2025, 9, 1)),
        fact("fall", "Fall recorded", dt.date(2024, 9, 1)),
    ]
    found = pf.record_prefill(facts, today=TODAY)["mobility_falls"]["falls_last_year"]
    assert found.value == 2
    assert found.text == "from GP system, 3 March 2026; confirm or change"


def test_mental_health_and_cognition_rules():
    facts = [
        fact("diagnosis", "Depression", dt.date(2025, 1, 1), category="mental_health"),
        fact(
            "diagnosis",
            "Alzheimer's disease",
            dt.date(2025, 5, 1),
            category="mental_health",
        ),
        fact(
            "mental_health_contact",
            "Seen",
            dt.date(2026, 5, 1),
            category="mental_health",
        ),
    ]
    found = pf.record_prefill(facts, today=TODAY)
    assert found["mental_health"]["mental_health_conditions"].value == (
        "Alzheimer's disease\nDepression"
    )
    assert "1 contacts" in found["mental_health"]["mental_health_services"].value
    assert found["cognition_communication"]["memory_cognition"].value == (
        "Alzheimer's disease"
    )
    assert "health_conditions" not in found


def test_nothing_known_prefills_nothing():
    assert pf.record_prefill([], today=TODAY) == {}
    assert pf.about_me_prefill(None) == {}


def test_about_me_fills_its_own_section_and_the_related_questions():
    about = pf.AboutMeFact(
        {"how_to_communicate_with_me": "Speak slowly", "people_important_to_me": ""},
        dt.date(2026, 1, 5),
    )
    found = pf.about_me_prefill(about)
    assert found["about_me"]["how_to_communicate_with_me"].value == "Speak slowly"
    assert found["cognition_communication"]["communication_needs"].source == "About me"
    assert "carers_family" not in found


def test_the_record_wins_then_about_me_then_the_previous_assessment():
    section = form.section_get("adult", "cognition_communication")
    record = {
        "cognition_communication": {
            "memory_cognition": pf.Prefill("Dementia", pf.RECORD, "GP system", TODAY)
        }
    }
    about = pf.about_me_prefill(
        pf.AboutMeFact({"how_to_communicate_with_me": "Write it down"}, TODAY)
    )
    previous = pf.PreviousSection(
        {
            "memory_cognition": "Old",
            "communication_needs": "Old",
            "mental_capacity_concern": False,
        },
        dt.date(2025, 1, 1),
    )
    found = pf.prefill_section(
        section, record=record, about_me=about, previous=previous
    )
    assert found["memory_cognition"].value == "Dementia"
    assert found["communication_needs"].value == "Write it down"
    assert found["mental_capacity_concern"].origin == pf.PREVIOUS
    assert found["mental_capacity_concern"].value is False


def test_provenance_records_confirmed_changed_and_new_answers():
    section = form.section_get("adult", "health_conditions")
    prefilled = {
        "conditions": pf.Prefill(
            "Diabetes", pf.RECORD, "GP system", dt.date(2026, 3, 3)
        ),
        "medications": pf.Prefill(
            "Metformin", pf.RECORD, "GP system", dt.date(2026, 3, 3)
        ),
    }
    provenance = pf.provenance_of(
        section,
        {
            "conditions": " Diabetes ",
            "medications": "Insulin",
            "allergies": "Penicillin",
        },
        prefilled,
    )
    assert provenance["conditions"]["status"] == pf.CONFIRMED
    assert provenance["medications"]["status"] == pf.CHANGED
    assert provenance["allergies"]["status"] == pf.NEW
    assert pf.provenance_words(provenance["conditions"]) == (
        "Confirmed from GP system, 3 March 2026"
    )
    assert pf.provenance_words(provenance["medications"]) == (
        "Changed from what GP system said, 3 March 2026"
    )
    assert pf.provenance_words(provenance["allergies"]) == "Entered at this assessment"


def test_outcomes_of_the_answers_feed_the_eligibility_rule():
    answers = {
        "outcome_nutrition": ["needs_assistance"],
        "outcome_toilet_needs": [],
        "wellbeing_impact": "x",
    }
    assert form.outcomes_of(answers) == {
        "nutrition": ["needs_assistance"],
        "toilet_needs": [],
    }
