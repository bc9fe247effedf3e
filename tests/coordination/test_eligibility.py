"""Care Act 2014 eligibility (SI 2015/313), case by case."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup.coordination.eligibility import (
    ADULT_OUTCOMES,
    REASONS,
    adult_eligibility,
    carer_eligibility,
)
from joinedup.errors import InvalidInput


def adult(outcomes, impairment=True, impact=True):
    return adult_eligibility(
        needs_from_impairment_or_illness=impairment,
        outcomes=outcomes,
        significant_impact_on_wellbeing=impact,
    )


def carer(outcomes, necessary=True, deteriorating=False, impact=True):
    return carer_eligibility(
        needs_from_necessary_care=necessary,
        health_deteriorating=deteriorating,
        outcomes=outcomes,
        significant_impact_on_wellbeing=impact,
    )


TWO = {
    "nutrition": ["needs_assistance"],
    "personal_hygiene": ["takes_significantly_longer"],
}


def test_adult_unable_to_achieve_two_outcomes_with_impact_is_eligible():
    result = adult(TWO)
    assert result.eligible
    assert [u.key for u in result.unmet] == ["nutrition", "personal_hygiene"]
    assert result.unmet[0].reasons == ["not without assistance"]


@pytest.mark.parametrize(
    ("outcomes", "impairment", "impact"),
    [
        ({"nutrition": ["needs_assistance"]}, True, True),  # only one outcome
        (TWO, False, True),  # not from an impairment or illness
        (TWO, True, False),  # no significant impact on wellbeing
        ({"nutrition": [], "personal_hygiene": []}, True, True),  # achievable
    ],
)
def test_adult_not_eligible(outcomes, impairment, impact):
    assert not adult(outcomes, impairment, impact).eligible


def test_carer_one_outcome_is_enough():
    assert carer({"recreation": ["significant_pain_distress_anxiety"]}).eligible


def test_carer_health_deteriorating_is_enough_without_outcomes():
    assert carer({}, deteriorating=True).eligible
    assert not carer({}, deteriorating=False).eligible
    assert not carer({}, deteriorating=True, necessary=False).eligible
    assert not carer({}, deteriorating=True, impact=False).eligible


@pytest.mark.parametrize(
    ("outcomes", "field", "message"),
    [
        (
            {"flying": ["needs_assistance"]},
            "outcomes.flying",
            "unknown outcome 'flying'",
        ),
        ({"nutrition": ["tired"]}, "outcomes.nutrition", "unknown reason 'tired'"),
        (
            {"recreation": ["needs_assistance"]},
            "outcomes.recreation",
            "unknown outcome",
        ),
    ],
)
def test_unknown_outcomes_and_reasons_are_named(outcomes, field, message):
    with pytest.raises(InvalidInput) as caught:
        adult(outcomes)
    assert message in caught.value.fields[field]


@given(
    st.dictionaries(
        st.sampled_from(list(ADULT_OUTCOMES)),
        st.lists(st.sampled_from(list(REASONS)), max_size=3),
    ),
    st.booleans(),
    st.booleans(),
)
def test_adult_rule_matches_its_definition(outcomes, impairment, impact):
    unmet = sum(1 for reasons in outcomes.values() if reasons)
    assert adult(outcomes, impairment, impact).eligible == (
        impairment and impact and unmet >= 2
    )


def test_rule_endpoint(client, world):
    from joinedup.governance.services import token_create

    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_create(username='sw')}"}
    url = "/api/v1/care-act/eligibility/evaluate"
    body = {
        "kind": "adult",
        "needs_from_impairment_or_illness": True,
        "outcomes": TWO | {"toilet_needs": []},
        "significant_impact_on_wellbeing": True,
    }
    answer = client.post(url, body, content_type="application/json", **auth).json()
    assert answer["eligible"] is True
    assert answer["unmet_outcomes"][1]["reasons"] == [
        "only by taking significantly longer than would normally be expected"
    ]
    missing = client.post(
        url, {**body, "kind": "carer"}, content_type="application/json", **auth
    )
    assert missing.status_code == 400
    assert missing.json()["fields"] == {
        "needs_from_necessary_care": "is required for a carer"
    }
    unknown = client.post(
        url,
        {**body, "outcomes": {"sleep": ["needs_assistance"]}},
        content_type="application/json",
        **auth,
    )
    assert "unknown outcome 'sleep'" in unknown.json()["fields"]["outcomes.sleep"]
