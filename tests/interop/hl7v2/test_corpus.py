"""The HL7 v2 conformance corpus (tests/interop/hl7v2/corpus/): hand-written ADT
feeds after HL7 v2.4/v2.5 chapters 2 and 3 and NHS practice, one case a file,
each with what it must give in `<case>.expect.json`.

Every message of a case goes through what the MLLP listener does with a frame
(`frame_apply`: size limit, MSH-18 character set, then group commit with the
stays following in the ingest follow-up), one after another as a sender
waiting for each ACK would send them.

A case file holds one message or several (each starts at its MSH segment), a
segment a line. The expectation file says:
  about          what the case is (HL7 chapter/NHS practice it follows)
  segment_end    "CR" (default: the standard), "LF" or "CRLF": how the segments
                 are ended on the wire
  max_bytes      JOINEDUP_HL7_MAX_BYTES for this case
  acks           MSA-1 of each message, in order
  reasons        per message, words MSA-3 must hold (or null)
  err_locations  per message, ERR-2 (or null)
  facts          what the person index, the record and the ward board then show
                 about the patient whose hospital number is facts.mrn
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from joinedup.discharge.models import HospitalStay
from joinedup.discharge.selectors import BoardFilters, ward_board
from joinedup.interop.hl7v2.ack import ack_code_of, ack_error_location
from joinedup.interop.hl7v2.mllp import frame_apply
from joinedup.interop.models import QuarantineItem
from joinedup.people.models import Identifier, Person
from joinedup.record.models import Event, EventKind
from tests.conftest import actor_for

pytestmark = pytest.mark.django_db

CORPUS = Path(__file__).parent / "corpus"
CASES = sorted(CORPUS.glob("*.hl7"))
ENDS = {"CR": b"\r", "LF": b"\n", "CRLF": b"\r\n"}


def corpus_messages(raw: bytes, segment_end: bytes = b"\r") -> list[bytes]:
    """The messages of a case file as they travel: each segment ended by
    `segment_end`."""
    messages: list[list[bytes]] = []
    for line in raw.replace(b"\r\n", b"\n").replace(b"\r", b"\n").split(b"\n"):
        if not line.strip():
            continue
        if line.startswith(b"MSH|") or not messages:
            messages.append([])
        messages[-1].append(line)
    return [b"".join(s + segment_end for s in m) for m in messages]


def _expectation(case: Path) -> dict[str, Any]:
    return json.loads(case.with_suffix(".expect.json").read_text())


def test_the_corpus_is_large_enough_and_every_case_has_its_expectation():
    assert len(CASES) >= 40
    for case in CASES:
        expect = _expectation(case)
        assert expect["about"] and expect["acks"], case.name
        n = len(corpus_messages(case.read_bytes()))
        assert n == len(expect["acks"]), f"{case.name}: {n} messages"


def _person(world, mrn: str) -> Person:
    return Identifier.objects.get(system=world.pas.identifier_system, value=mrn).person


def _check_facts(world, facts: dict[str, Any]) -> None:
    if "quarantined" in facts:
        assert QuarantineItem.objects.count() == facts["quarantined"]
    if "people" in facts:
        assert (
            Person.objects.filter(identifiers__source_system=world.pas)
            .distinct()
            .count()
            == facts["people"]
        )
    if "mrn" not in facts:
        assert facts.get("stays", 0) == HospitalStay.objects.count()
        return
    if facts.get("absent"):
        assert not Identifier.objects.filter(value=facts["mrn"]).exists()
        assert not Event.objects.exists()
        return
    person = _person(world, facts["mrn"])
    for name in ("nhs_number", "family_name", "given_name", "address_line",
                 "postcode", "sex"):  # fmt: skip
        if name in facts:
            assert getattr(person, name) == facts[name], name
    if "nhs_verified" in facts:
        assert person.nhs_number_verified == facts["nhs_verified"]
    if "also_mrn" in facts:  # a merge: the other hospital number, same person
        assert _person(world, facts["also_mrn"]) == person
    events = list(Event.objects.filter(person=person).order_by("occurred_at", "id"))
    if "events" in facts:
        assert sorted(e.kind for e in events) == sorted(facts["events"])
    if "cancelled" in facts:
        cancelled = [e.kind for e in events if e.detail.get("cancelled") == "true"]
        assert sorted(cancelled) == sorted(facts["cancelled"])
    admissions = [e for e in events if e.kind == EventKind.ADMISSION]
    if "visit_key_source" in facts:
        (admission,) = admissions
        source = admission.detail.get("visit_key_source", "PV1-19")
        assert source == facts["visit_key_source"]
        if source != "PV1-19":  # shown where the event is: provenance, summary
            assert f"visit key from {source}" in admission.provenance
            assert "no visit number sent" in admission.summary
    if "visit_key" in facts:
        (admission,) = admissions
        if facts["visit_key"] == "derived":
            assert admission.source_id.startswith("DK-")
        else:
            assert admission.source_id == facts["visit_key"]
    if "summary" in facts:
        assert any(facts["summary"] in e.summary for e in events), [
            e.summary for e in events
        ]
    if "other_identifiers" in facts:
        kept = admissions[0].detail.get("other_identifiers", []) if admissions else []
        assert sorted(i["type"] or i["authority"] for i in kept) == sorted(
            facts["other_identifiers"]
        )
    stays = list(HospitalStay.objects.filter(person=person))
    if "stays" in facts:
        assert len(stays) == facts["stays"]
    if "stay" in facts:
        (stay,) = stays
        want = facts["stay"]
        assert (stay.discharged_at is None) == want["open"]
        for name in ("ward", "site", "discharge_pathway", "admission_method"):
            if name in want:
                assert getattr(stay, name) == want[name], name
        if "admitted_at" in want:
            assert stay.admitted_at.isoformat() == want["admitted_at"]
    if "on_board" in facts:
        board = ward_board(
            actor=actor_for(world.discharge_coordinator),
            filters=BoardFilters(),
            today=timezone.localdate(),
        )
        on_board = any(r.person.pk == person.pk for r in board.rows)
        assert on_board == facts["on_board"]


@pytest.mark.parametrize("case", CASES, ids=lambda p: p.stem)
def test_corpus_case(world, settings, case):
    expect = _expectation(case)
    if "max_bytes" in expect:
        settings.JOINEDUP_HL7_MAX_BYTES = expect["max_bytes"]
    end = ENDS[expect.get("segment_end", "CR")]
    payloads = corpus_messages(case.read_bytes(), end)
    results = [frame_apply(p, origin=f"corpus:{case.name}") for p in payloads]
    got = [r.ack_code for r in results]
    assert got == expect["acks"], [r.reason for r in results]
    for result in results:
        assert ack_code_of(result.ack) == result.ack_code
        if result.ack_code != "AA":
            # Refused: the reason in MSA-3 and ERR, the message kept with it.
            assert result.reason and "ERR|" in result.ack
            item = QuarantineItem.objects.get(pk=result.quarantine_id)
            assert item.reason == result.reason
    for result, words in zip(results, expect.get("reasons", []), strict=False):
        if words:
            assert words in result.reason, result.reason
            assert words in result.ack
    for result, where in zip(results, expect.get("err_locations", []), strict=False):
        if where:
            assert ack_error_location(result.ack) == where, result.ack
    _check_facts(world, expect.get("facts", {}))
