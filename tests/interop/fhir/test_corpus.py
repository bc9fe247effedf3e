"""Hand-written FHIR R4 bundles of the kind other servers send (corpus/*.json),
each POSTed to /fhir/R4 by an integration account and checked against what
corpus/expected.yaml says it must do: accepted or refused, how many entries were
created, updated, ignored or refused, what landed in the quarantine, and the
facts of the person index (NHS number and its verification status, ethnic
category, registered GP, events)."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
import yaml

from joinedup.governance.models import OrganisationType, Role
from joinedup.governance.services import token_create
from joinedup.interop.models import QuarantineItem
from joinedup.people.models import Identifier
from joinedup.record.models import Event, SourceKind
from tests.factories import OrganisationFactory, SourceSystemFactory, professional

CORPUS = Path(__file__).parent / "corpus"
EXPECTED = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))
COUNTS = ("created", "updated", "ignored", "refused")


def test_every_bundle_has_an_expected_outcome_and_there_are_twenty():
    files = sorted(p.name for p in CORPUS.glob("*.json"))
    assert files == sorted(EXPECTED)
    assert len(files) >= 20


@pytest.fixture
def senders(world):
    """The two servers the corpus comes from: the practice's GP system and a
    community trust's EPR, each with its patient identifier system."""
    SourceSystemFactory(
        code="riverside-gp",
        organisation=world.practice,
        kind=SourceKind.FHIR,
        identifier_system="https://fhir.riverside.example.nhs.uk/Id/local-patient-id",
    )
    community = OrganisationFactory(
        code="RYX", name="Joinedup Community Trust",
        type=OrganisationType.COMMUNITY_TRUST,
    )  # fmt: skip
    SourceSystemFactory(
        code="community-epr",
        organisation=community,
        kind=SourceKind.FHIR,
        identifier_system="https://fhir.community.example.nhs.uk/Id/patient",
    )
    professional(Role.ADMIN, world.icb, username="integration")
    return {"HTTP_AUTHORIZATION": f"Bearer {token_create(username='integration')}"}


def _post(client, text: str, auth: dict) -> tuple[int, dict]:
    response = client.post(
        "/fhir/R4", data=text, content_type="application/fhir+json", **auth
    )
    assert response["Content-Type"].startswith("application/fhir+json")
    return response.status_code, response.json()


def _counts(body: dict) -> dict[str, int]:
    counts = dict.fromkeys(COUNTS, 0)
    for entry in body.get("entry", []):
        response = entry["response"]
        issues = (response.get("outcome") or {}).get("issue", [])
        if response["status"].startswith("201"):
            counts["created"] += 1
        elif response["status"].startswith("4"):
            counts["refused"] += 1
        elif any(i["severity"] == "information" for i in issues):
            counts["ignored"] += 1
        else:
            counts["updated"] += 1
    return counts


def _diagnostics(body: dict) -> str:
    issues = list(body.get("issue", []))
    for entry in body.get("entry", []):
        issues += (entry["response"].get("outcome") or {}).get("issue", [])
    return " | ".join(i.get("diagnostics", "") for i in issues)


def _check_person(facts: dict) -> None:
    system, value = facts["identifier"].split("|", 1)
    person = (
        Identifier.objects.select_related("person__registered_gp")
        .get(system=system, value=value)
        .person
    )
    for key, expected in facts.items():
        if key == "identifier":
            continue
        if key == "gp":
            actual = person.registered_gp.code if person.registered_gp else None
        elif key == "event_codes":
            actual = sorted(
                Event.objects.filter(person=person).values_list("code", flat=True)
            )
        elif key == "birth_date":
            actual, expected = person.birth_date, dt.date.fromisoformat(expected)
        else:
            actual = getattr(person, key)
        assert actual == expected, f"{facts['identifier']}: {key}"


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_corpus_bundle(client, senders, settings, name):
    case = EXPECTED[name]
    for setting, value in (case.get("settings") or {}).items():
        setattr(settings, setting, value)
    text = (CORPUS / name).read_text(encoding="utf-8")
    json.loads(text)  # the corpus itself is well-formed JSON

    status, body = _post(client, text, senders)

    assert status == case["status"], _diagnostics(body)
    if case["outcome"] == "refused":
        assert body["resourceType"] == "OperationOutcome"
        assert not Event.objects.exists()
    else:
        assert body["resourceType"] == "Bundle"
        assert body["type"].endswith("-response")
        counts = _counts(body)
        assert counts == {k: case.get(k, 0) for k in COUNTS}, _diagnostics(body)
        assert (counts["refused"] > 0) == (case["outcome"] == "partial")
    if "reason" in case:
        assert case["reason"] in _diagnostics(body)
    assert QuarantineItem.objects.count() == case.get("quarantined", 0)
    for facts in case.get("people", []):
        _check_person(facts)
    if "again" in case:
        status, body = _post(client, text, senders)
        assert status == 200
        assert _counts(body) == {k: case["again"].get(k, 0) for k in COUNTS}
