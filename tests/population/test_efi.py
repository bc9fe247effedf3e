"""The electronic Frailty Index, case by case."""

import pytest
from hypothesis import given
from hypothesis import strategies as st

from joinedup.errors import InvalidInput
from joinedup.population.efi import DEFICITS, efi_category, efi_evaluate


@pytest.mark.parametrize(
    ("count", "category"),
    [
        (0, "fit"),
        (4, "fit"),
        (5, "mild"),
        (8, "mild"),
        (9, "moderate"),
        (12, "moderate"),
        (13, "severe"),
        (36, "severe"),
    ],
)
def test_categories_at_their_boundaries(count, category):
    # 4/36 = 0.111 fit; 5/36 = 0.139 mild; 8/36 = 0.222; 9/36 = 0.25 moderate;
    # 12/36 = 0.333; 13/36 = 0.361 severe (DESIGN 4.5: <=0.12, <=0.24, <=0.36)
    assert efi_evaluate(DEFICITS[:count]).category == category


def test_each_deficit_counts_once():
    result = efi_evaluate(["falls", "falls", "diabetes"])
    assert result.deficits == ["diabetes", "falls"]
    assert result.score == round(2 / 36, 4)


def test_unknown_deficits_are_named():
    with pytest.raises(InvalidInput) as caught:
        efi_evaluate(["falls", "grumpiness", "snoring"])
    assert caught.value.fields == {"deficits": "unknown: grumpiness, snoring"}


def test_exact_boundary_values():
    assert efi_category(0.12) == "fit"
    assert efi_category(0.24) == "mild"
    assert efi_category(0.36) == "moderate"


@given(st.sets(st.sampled_from(DEFICITS)))
def test_score_is_the_share_of_deficits(present):
    result = efi_evaluate(present)
    assert result.score == round(len(present) / 36, 4)
    assert 0 <= result.score <= 1


def test_rule_endpoint(client, world):
    from joinedup.governance.services import token_create

    auth = {"HTTP_AUTHORIZATION": f"Bearer {token_create(username='sw')}"}
    url = "/api/v1/population/efi/evaluate"
    ok = client.post(
        url, {"deficits": list(DEFICITS[:9])}, content_type="application/json", **auth
    ).json()
    assert ok == {
        "score": 0.25,
        "category": "moderate",
        "deficits_counted": list(DEFICITS[:9]),
    }
    bad = client.post(
        url, {"deficits": ["wobbly"]}, content_type="application/json", **auth
    )
    assert bad.status_code == 400 and "wobbly" in bad.json()["fields"]["deficits"]
