"""Open Referral UK JSON in and out: hand-written input from the standard's
shape, every bad field named by its path, all-or-nothing import with rejected
files kept, and an export that imports back unchanged."""

from __future__ import annotations

import copy
import json

import pytest

from joinedup.directory.models import (
    DirectoryImport,
    Location,
    Service,
    ServiceAtLocation,
    TaxonomyTerm,
)
from joinedup.directory.oruk import OrukInvalid, oruk_parse
from joinedup.directory.selectors import directory_export
from joinedup.directory.services import directory_import
from joinedup.errors import AccessRefused, InvalidInput
from tests.conftest import actor_for
from tests.directory.conftest import ORUK_FILE, level1_make

pytestmark = pytest.mark.django_db


def _data():
    return json.loads(ORUK_FILE.read_text())


def test_the_hand_written_file_parses_with_locations_terms_and_eligibility():
    specs = oruk_parse(ORUK_FILE.read_text())
    assert [s.name for s in specs] == [
        "Active Lives: gentle exercise classes",
        "Telephone befriending",
        "Carers' coffee morning",
    ]
    leisure = specs[0]
    assert leisure.minimum_age == 18 and leisure.maximum_age is None
    assert [t.code for t in leisure.terms] == ["physical_activity"]
    assert leisure.locations[0][1].postal_code == "JU1 0AB"
    assert leisure.locations[1][1].latitude is None
    assert leisure.contacts[0].phone == "0300 555 0200"


@pytest.mark.parametrize(
    ("change", "path"),
    [
        (lambda d: d["contents"][1].pop("name"), "services[1].name"),
        (
            lambda d: d["contents"][0]["service_at_locations"][0]["location"].update(
                latitude=123
            ),
            "services[0].service_at_locations[0].location.latitude",
        ),
        (
            lambda d: d["contents"][1].update(minimum_age="old"),
            "services[1].minimum_age",
        ),
        (lambda d: d["contents"][0].update(maximum_age=10), "services[0].maximum_age"),
        (lambda d: d["contents"][2].update(status="open"), "services[2].status"),
        (
            lambda d: d["contents"][2]["attributes"][1]["taxonomy_term"].pop(
                "taxonomy"
            ),
            "services[2].attributes[1].taxonomy_term.taxonomy",
        ),
        (
            lambda d: d["contents"][2].update(id=d["contents"][0]["id"]),
            "services[2].id",
        ),
        (lambda d: d["contents"][0].pop("organization"), "services[0].organization"),
    ],
)
def test_a_bad_field_is_named_by_its_path(change, path):
    data = _data()
    change(data)
    with pytest.raises(OrukInvalid) as caught:
        oruk_parse(json.dumps(data))
    assert path in caught.value.errors


def test_not_json_is_refused_with_the_line():
    with pytest.raises(OrukInvalid) as caught:
        oruk_parse('{\n "contents": [\n')
    assert "line" in caught.value.errors["file"]


def test_a_rejected_import_changes_nothing_and_is_kept_with_its_errors(world):
    made = level1_make()
    actor = actor_for(made.editor)
    directory_import(actor=actor, content=ORUK_FILE.read_text())
    before = list(Service.objects.values_list("oruk_id", "name", "minimum_age"))
    data = _data()
    data["contents"][0]["name"] = "Renamed class"
    data["contents"][1]["minimum_age"] = -3  # one bad field anywhere: nothing changes
    with pytest.raises(InvalidInput) as caught:
        directory_import(actor=actor, content=json.dumps(data), filename="bad.json")
    assert "services[1].minimum_age" in caught.value.fields
    assert list(Service.objects.values_list("oruk_id", "name", "minimum_age")) == before
    rejected = DirectoryImport.objects.get(status="rejected")
    assert rejected.filename == "bad.json"
    assert "services[1].minimum_age" in rejected.errors
    assert "Renamed class" in rejected.raw


def test_import_is_for_directory_editors_of_voluntary_or_council_bodies(world):
    made = level1_make()
    with pytest.raises(AccessRefused):
        directory_import(
            actor=actor_for(made.link_worker), content=ORUK_FILE.read_text()
        )
    assert not Service.objects.exists()


def test_export_then_import_again_changes_nothing(world):
    made = level1_make()
    actor = actor_for(made.editor)
    directory_import(actor=actor, content=ORUK_FILE.read_text())
    exported = directory_export()
    counts = (
        Service.objects.count(),
        Location.objects.count(),
        ServiceAtLocation.objects.count(),
        TaxonomyTerm.objects.count(),
    )
    assert counts == (3, 3, 4, 3)
    directory_import(actor=actor, content=json.dumps(exported))
    again = directory_export()
    strip = copy.deepcopy
    for a, b in zip(exported, again, strict=True):
        a, b = strip(a), strip(b)
        a.pop("last_modified"), b.pop("last_modified")
        assert a == b
    assert (
        Service.objects.count(),
        Location.objects.count(),
        ServiceAtLocation.objects.count(),
        TaxonomyTerm.objects.count(),
    ) == counts
    first = exported[0]
    assert first["organization"]["name"] == "Joinedup Leisure Trust"
    assert first["attributes"][0]["taxonomy_term"]["taxonomy"] == "needs"
    assert (
        first["service_at_locations"][0]["location"]["addresses"][0]["postal_code"]
        == "JU1 0AB"
    )
