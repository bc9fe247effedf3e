"""NHS continuing healthcare rules, case by case (National Framework 2022)."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup.errors import InvalidInput
from joinedup.funding.rules.chc import (
    CHECKLIST_DOMAINS,
    DST_DOMAINS,
    checklist_evaluate,
    dst_evaluate,
)


def checklist(**scores):
    return {d: "C" for d in CHECKLIST_DOMAINS} | scores


def dst(**levels):
    return {d: "no_needs" for d in DST_DOMAINS} | levels


@pytest.mark.parametrize(
    ("scores", "positive", "rule"),
    [
        ({}, False, "none of the rules for a full assessment"),
        ({"mobility": "A", "nutrition": "A"}, True, "two or more A"),
        ({d: "B" for d in CHECKLIST_DOMAINS[:5]}, True, "five or more B"),
        (
            {d: "B" for d in CHECKLIST_DOMAINS[:4]},
            False,
            "none of the rules for a full assessment",
        ),
        (
            {"mobility": "A"}
            | {
                d: "B"
                for d in ("cognition", "nutrition", "continence", "communication")
            },
            True,
            "one A and four or more B",
        ),
        (
            {"mobility": "A"}
            | {d: "B" for d in ("cognition", "nutrition", "continence")},
            False,
            "none of the rules for a full assessment",
        ),
        ({"breathing": "A"}, True, "A in a domain with a Priority level"),
        ({"behaviour": "A"}, True, "A in a domain with a Priority level"),
        ({"drug_therapies": "A"}, True, "A in a domain with a Priority level"),
        (
            {"altered_states_of_consciousness": "A"},
            True,
            "A in a domain with a Priority level",
        ),
        ({"cognition": "A"}, False, "none of the rules for a full assessment"),
    ],
)
def test_checklist_rules(scores, positive, rule):
    result = checklist_evaluate(checklist(**scores))
    assert (result.positive, result.rule) == (positive, rule)


@pytest.mark.parametrize(
    ("levels", "indication", "rule_start"),
    [
        ({}, "not_indicated", "no priority"),
        ({"breathing": "priority"}, "indicated", "priority in a domain"),
        ({"mobility": "severe", "cognition": "severe"}, "indicated", "severe in two"),
        (
            {"mobility": "severe", "cognition": "high", "nutrition": "moderate"},
            "may_be_indicated",
            "one severe with needs",
        ),
        (
            {"mobility": "severe", "cognition": "moderate"},
            "not_indicated",
            "no priority",
        ),
        (
            {"mobility": "high", "cognition": "high"},
            "may_be_indicated",
            "a number of high",
        ),
        (
            {
                "mobility": "high",
                "cognition": "moderate",
                "nutrition": "moderate",
                "continence": "moderate",
            },
            "may_be_indicated",
            "a number of high",
        ),
        (
            {
                "cognition": "moderate",
                "nutrition": "moderate",
                "continence": "moderate",
                "mobility": "moderate",
            },
            "not_indicated",
            "no priority",
        ),
    ],
)
def test_dst_indications(levels, indication, rule_start):
    result = dst_evaluate(dst(**levels))
    assert result.indication == indication
    assert result.rule.startswith(rule_start)


@pytest.mark.parametrize(
    ("domains", "field", "message"),
    [
        (
            dst(cognition="priority"),
            "domains.cognition",
            "cognition has no 'priority' level",
        ),
        (
            dst(continence="severe"),
            "domains.continence",
            "continence has no 'severe' level",
        ),
        (dst(communication="severe"), "domains.communication", "no 'severe' level"),
        (
            dst(psychological_emotional="severe"),
            "domains.psychological_emotional",
            "no 'severe'",
        ),
        (
            {k: v for k, v in dst().items() if k != "mobility"},
            "domains.mobility",
            "missing",
        ),
        (dst(walking="low"), "domains.walking", "unknown domain 'walking'"),
        (dst(mobility="extreme"), "domains.mobility", "'extreme' is not a level"),
    ],
)
def test_impossible_dst_inputs_are_refused_naming_the_domain(domains, field, message):
    with pytest.raises(InvalidInput) as caught:
        dst_evaluate(domains)
    assert message in caught.value.fields[field]


def test_checklist_refuses_other_and_bad_scores():
    with pytest.raises(InvalidInput) as caught:
        checklist_evaluate(checklist(other="A", mobility="D"))
    assert "unknown domain 'other'" in caught.value.fields["domains.other"]
    assert "'D' is not a level" in caught.value.fields["domains.mobility"]


@given(
    st.fixed_dictionaries(
        {d: st.sampled_from(levels) for d, levels in DST_DOMAINS.items()}
    )
)
def test_any_valid_dst_gives_an_indication_consistent_with_its_counts(levels):
    result = dst_evaluate(levels)
    if "priority" in levels.values() or list(levels.values()).count("severe") >= 2:
        assert result.indication == "indicated"
    else:
        assert result.indication in {"may_be_indicated", "not_indicated"}


def test_rule_endpoints(client, world):
    from joinedup.governance.services import token_create

    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_create(username='sw')}"}
    ok = client.post(
        "/api/v1/chc/checklist/evaluate",
        {"domains": checklist(breathing="A")},
        content_type="application/json",
        **auth,
    )
    assert ok.json() == {
        "positive": True,
        "rule": "A in a domain with a Priority level",
        "reasons": ["A in breathing, a domain with a Priority level in the DST"],
    }
    bad = client.post(
        "/api/v1/chc/dst/evaluate",
        {"domains": dst(cognition="priority")},
        content_type="application/json",
        **auth,
    )
    assert bad.status_code == 400
    assert (
        "cognition has no 'priority' level" in bad.json()["fields"]["domains.cognition"]
    )
    spec = client.get("/api/v1/openapi.json").json()
    assert "/api/v1/chc/dst/evaluate" in spec["paths"]
