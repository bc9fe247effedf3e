"""Set-wise group commit (`hl7_batch_ingest`) gives exactly what applying the same
messages one by one (`hl7_message_ingest`) gives: results, people, identifiers,
name and address history, involvements, events, receipts, quarantine and totals."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from joinedup.interop.hl7v2.ingest import hl7_batch_ingest, hl7_message_ingest
from joinedup.interop.models import DailyTotal, MessageReceipt, QuarantineItem
from joinedup.people.models import Address, Identifier, Involvement, Person, PersonName
from joinedup.record.models import Event
from tests.factories import valid_nhs_number
from tests.interop.conftest import NHS, adt

pytestmark = pytest.mark.django_db

OTHER_NHS = valid_nhs_number(5151)


def _first(world) -> list[str]:
    """New people, a known person (by verified NHS number), duplicates, bad
    messages, a cancel and a merge in the middle, discharges ending admissions of
    the same batch, name changes."""
    known = world.person.nhs_number
    return [
        adt("A28", "C1", mrn="P1", nhs=NHS),
        adt("A01", "C2", mrn="P1", visit="V1"),
        adt("A01", "C2", mrn="P1", visit="V1", ward="Other Ward"),  # duplicate
        adt("A99", "X1"),  # unsupported: AR
        adt("A01", "C3", mrn="P2", nhs=known, visit="V2"),  # the known person
        adt("A08", "C4", mrn="P1", family="Smith"),  # name change
        adt("A03", "C5", mrn="P1", visit="V1", when="20260112100000+0000"),
        adt("A01", "C6", mrn="P3", nhs=NHS, visit="V3"),  # P1's person, same batch
        adt("A11", "C7", mrn="P2", visit="V2"),  # cancel: one at a time
        adt("A01", "C8", mrn="P4", nhs=None, visit="V4"),
        adt("A40", "C9", mrn="P4", nhs=None, mrg="P2", pv1=False),  # merge
        adt("A01", "C10", mrn="P2", nhs=None, visit="V5"),  # found after the merge
        adt("A01", "X9", nhs="9990000001"),  # bad NHS number: AE
        adt("A28", "C11", mrn="P5", nhs=OTHER_NHS, nhs_status="02"),
        adt("A08", "C12", mrn="P1", family="Smith", given="Ann"),  # and again
        adt("A01", "C13", mrn="P6", nhs=None, visit="V6"),
        adt("A11", "C14", mrn="P6", visit="NOPE"),  # cancel of nothing: AE
        adt("A99", "X1"),  # the same bad message again: one quarantine item
    ]


def _second() -> list[str]:
    """People now in the database: updates, a re-admission, a later discharge."""
    return [
        adt("A08", "D1", mrn="P1", family="Jones", when="20260201090000+0000"),
        adt("A01", "D2", mrn="P5", nhs=OTHER_NHS, nhs_status="01", visit="V7"),
        adt("A01", "D3", mrn="P1", visit="V1", ward="Ash Ward"),  # updates V1
        adt("A03", "D4", mrn="P4", nhs=None, visit="V4", when="20260101000000+0000"),
        adt("A28", "D5", mrn="P7", nhs=OTHER_NHS, nhs_status="01"),  # P5's person
        adt("A01", "C2", mrn="P1", visit="V1"),  # duplicate of the first batch
    ]


def _key(person_id: int) -> tuple[str, ...]:
    return tuple(
        sorted(
            Identifier.objects.filter(person_id=person_id).values_list(
                "value", flat=True
            )
        )
    )


def _snapshot(*, seen_times: bool = True) -> dict[str, Any]:
    people = Person.objects.filter(identifiers__isnull=False).distinct()
    fields = ("nhs_number", "nhs_number_status", "given_name", "family_name",
              "given_name_norm", "family_name_norm", "birth_date", "sex",
              "address_line", "postcode", "phone")  # fmt: skip
    return {
        "people": sorted((_key(p.pk), [getattr(p, f) for f in fields]) for p in people),
        "identifiers": sorted(
            (i.system, i.value, _key(i.person_id), i.source_system_id)
            for i in Identifier.objects.all()
        ),
        "names": sorted(
            (
                _key(n.person_id),
                n.given_name,
                n.family_name,
                n.use,
                str(n.period_start),
                str(n.period_end),
            )
            for n in PersonName.objects.all()
        ),
        "addresses": sorted(
            (
                _key(a.person_id),
                a.line,
                a.postcode,
                str(a.period_start),
                str(a.period_end),
            )
            for a in Address.objects.all()
        ),
        "involvements": sorted(
            (_key(i.person_id), i.organisation_id, i.kind)
            + ((i.first_seen, i.last_seen) if seen_times else ())
            for i in Involvement.objects.all()
        ),
        "events": sorted(
            (
                e.source_id,
                _key(e.person_id),
                e.kind,
                e.category,
                e.occurred_at,
                str(e.ended_at),
                e.code,
                e.summary,
                sorted(e.detail.items()),
                e.provenance,
                e.organisation_id,
            )
            for e in Event.objects.all()
        ),
        "receipts": sorted(
            MessageReceipt.objects.values_list("source", "control_id", "message_type")
        ),
        "quarantine": sorted(
            QuarantineItem.objects.values_list("source", "control_id", "reason", "raw")
        ),
        "totals": sorted(
            DailyTotal.objects.values_list(
                "source", "received", "applied", "duplicate", "quarantined"
            )
        ),
    }


class _Undo(Exception):
    pass


def _run(world, batches: list[list[str]], *, set_wise: bool) -> tuple[list, dict]:
    outcome: tuple[list, dict] = ([], {})
    try:
        with transaction.atomic():
            world.person.identifiers.create(
                system="https://fhir.nhs.uk/Id/nhs-number",
                value=world.person.nhs_number,
            )
            results = []
            for batch in batches:
                if set_wise:
                    results += hl7_batch_ingest(batch)
                else:
                    results += [hl7_message_ingest(m) for m in batch]
            outcome = (
                [(r.ack_code, r.reason, r.control_id, r.duplicate, r.source)
                 for r in results],
                _snapshot(),
            )  # fmt: skip
            raise _Undo
    except _Undo:
        pass
    return outcome


def test_a_mixed_batch_gives_the_same_results_as_one_by_one(world):
    batches = [_first(world), _second()]
    batch_results, batch_state = _run(world, batches, set_wise=True)
    single_results, single_state = _run(world, batches, set_wise=False)
    assert batch_results == single_results
    codes = [r[0] for r in batch_results]
    assert codes.count("AR") == 2 and codes.count("AE") == 2
    assert sum(r[3] for r in batch_results) == 2  # duplicates
    for table in single_state:
        assert batch_state[table] == single_state[table], table
    assert len(batch_state["quarantine"]) == 3


def _with_pv1(message: str, visit: str, *, admit: str = "", left: str = "") -> str:
    """The message with its PV1 replaced: PV1-19 visit, PV1-44 admit time, PV1-45
    discharge time (a PV1 added when the message has none)."""
    fields = [""] * 46
    fields[:5] = ["PV1", "1", "I", "Elm Ward^^^RJU01", "E"]
    fields[6] = "AMU^^^RJU01"
    fields[19], fields[44], fields[45] = visit, admit, left
    pv1 = "|".join(fields).rstrip("|")
    segments = [x for x in message.split("\r") if not x.startswith("PV1|")]
    return "\r".join([*segments[:3], pv1, *segments[3:]])


def _out_of_order() -> list[str]:
    """A feed that starts mid-stay: an update before its admission, discharges
    and a transfer of stays never admitted here, visits without a visit number."""
    t0, t1 = "20260105080000+0000", "20260110093000+0000"

    def msg(trigger: str, cid: str, mrn: str) -> str:
        return adt(trigger, cid, mrn=mrn, nhs=None)

    return [
        _with_pv1(msg("A08", "O1", "Q1"), "W1", admit=t0),  # opens W1
        _with_pv1(msg("A01", "O2", "Q1"), "W1", admit=t0),  # completes it
        _with_pv1(msg("A03", "O3", "Q2"), "W2", admit=t0, left=t1),  # opens+ends
        _with_pv1(msg("A03", "O4", "Q3"), "W3", left=t1),  # no admit time: AE
        _with_pv1(msg("A02", "O5", "Q4"), "W4", admit=t0),  # opens W4
        _with_pv1(msg("A01", "O6", "Q5"), "", admit=t0),  # derived visit key
        _with_pv1(msg("A03", "O7", "Q5"), "", admit=t0, left=t1),
    ]


def test_an_out_of_order_feed_gives_the_same_results_set_wise(world):
    batches = [_out_of_order()]
    batch_results, batch_state = _run(world, batches, set_wise=True)
    single_results, single_state = _run(world, batches, set_wise=False)
    assert batch_results == single_results
    assert [r[0] for r in batch_results] == ["AA"] * 3 + ["AE"] + ["AA"] * 3
    for table in single_state:
        assert batch_state[table] == single_state[table], table
    opened = [e for e in batch_state["events"] if e[2] == "admission"]
    assert len(opened) == 4, opened  # W1, W2 from its A03, W4 from its A02, Q5's
    assert sum(1 for e in opened if e[5] != "None") == 2  # W2 and Q5's ended


def test_a_batch_of_new_admissions_uses_a_fixed_number_of_queries(world):
    def messages(prefix: str, n: int) -> list[str]:
        return [
            adt("A01", f"{prefix}{i}", mrn=f"{prefix}M{i}", nhs=None,
                visit=f"{prefix}V{i}")
            for i in range(n)
        ]  # fmt: skip

    hl7_batch_ingest(messages("W", 2))  # warm the look-up caches
    with CaptureQueriesContext(connection) as small:
        hl7_batch_ingest(messages("S", 5))
    with CaptureQueriesContext(connection) as large:
        results = hl7_batch_ingest(messages("L", 50))
    assert {r.ack_code for r in results} == {"AA"}
    # Ten times the messages, (about) the same statements: SQLite splits a bulk
    # insert into several statements at its bound-parameter limit.
    # The register of relationships follows the new involvements and GP
    # registrations with four statements per batch (read the sources, read the
    # register, insert), whatever the batch's size. The hospital stays of the
    # new admissions follow in the same transaction (the ingest follow-up: a
    # savepoint, read the visits' events and stays, insert): 5 statements, where
    # they were rebuilt after the commit in a transaction of their own (6 more
    # statements, one more durable commit). With the stored matching model read
    # once per batch and the day's totals updated once: 25 on SQLite.
    assert len(small.captured_queries) <= 25
    assert len(large.captured_queries) <= len(small.captured_queries) + 3
    assert Event.objects.filter(source_id__startswith="LV").count() == 50


def test_a_failure_after_staging_rolls_back_and_applies_one_by_one(world, monkeypatch):
    from joinedup.interop.hl7v2 import ingest

    real = ingest.adt_write
    calls: list[bool] = []

    def explode(plan):
        calls.append(plan.batch is not None)
        real(plan)
        if plan.message.header.control_id == "BOOM":
            raise RuntimeError("disk on fire")

    monkeypatch.setattr(ingest, "adt_write", explode)
    results = hl7_batch_ingest(
        [adt("A01", "C1", mrn="A1", nhs=None, visit="V1"),
         adt("A01", "BOOM", mrn="B1", nhs=None, visit="V2"),
         adt("A01", "C3", mrn="C1", nhs=None, visit="V3")]
    )  # fmt: skip
    assert calls[:2] == [True, True] and calls[2:] == [False, False, False]
    assert [r.ack_code for r in results] == ["AA", "AE", "AA"]
    assert not Person.objects.filter(identifiers__value="B1").exists()
    assert Event.objects.count() == 2
    assert MessageReceipt.objects.count() == 2
