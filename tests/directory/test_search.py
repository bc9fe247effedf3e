"""Searching the directory by need, distance from a postcode and eligibility."""

from __future__ import annotations

import pytest

from joinedup.directory.rules import distance_km, postcode_centroid
from joinedup.directory.selectors import directory_search
from joinedup.errors import InvalidInput

pytestmark = pytest.mark.django_db


def test_postcode_centroids_and_distance():
    north = postcode_centroid("ju1 0ab")
    assert north is not None and north.key == "JU1 0"
    assert postcode_centroid("JU1") is not None  # a district alone
    assert postcode_centroid("SW1A 1AA") is None
    # One degree of latitude is about 111 km.
    assert distance_km((52.0, -1.5), (53.0, -1.5)) == pytest.approx(111.2, abs=0.2)


def test_search_by_need(level1):
    names = [r.service.name for r in directory_search(need="physical_activity")]
    assert names == ["Active Lives: gentle exercise classes"]
    with pytest.raises(InvalidInput) as caught:
        directory_search(need="astrology")
    assert "need" in caught.value.fields


def test_nearest_first_from_a_postcode_and_within_a_distance(level1):
    near_north = directory_search(postcode="JU1 0XY")
    assert near_north[0].service.name == "Active Lives: gentle exercise classes"
    assert near_north[0].distance_km < 0.5
    near_south = directory_search(postcode="JU9 5QQ")
    assert near_south[0].service.name == "Telephone befriending"
    # The pool has no coordinates: its postcode's centroid is used.
    pool = directory_search(postcode="JU9 9AB", need="physical_activity")[0]
    assert pool.location.name == "Southfields Pool"
    close = directory_search(postcode="JU1 0XY", within_km=2)
    assert [r.service.name for r in close] == ["Active Lives: gentle exercise classes"]
    with pytest.raises(InvalidInput) as caught:
        directory_search(postcode="ZZ99 9ZZ")
    assert "postcode" in caught.value.fields


def test_eligibility_by_age_and_circumstance(level1):
    young = [r.service.name for r in directory_search(need="loneliness", age=40)]
    assert young == []  # befriending is for 65 and over; the carers' group for carers
    older = [r.service.name for r in directory_search(need="loneliness", age=80)]
    assert older == ["Telephone befriending"]
    carer = [
        r.service.name
        for r in directory_search(need="loneliness", age=40, circumstance="carer")
    ]
    assert carer == ["Carers' coffee morning"]
