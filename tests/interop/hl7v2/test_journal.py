"""Store and forward (hl7v2/journal.py): with the listener's default ACK a message
is answered AA once checked and journalled, then applied in order by the journal
worker; what only the records can refuse is quarantined with its reason; nothing
left in the journal is lost, by a stop, a crash or a failing database."""

from __future__ import annotations

import time

import pytest
from django.db import connection

from joinedup.interop.hl7v2 import journal
from joinedup.interop.hl7v2.ack import ack_code_of
from joinedup.interop.hl7v2.ingest import Hl7Result, journal_insert
from joinedup.interop.hl7v2.journal import (
    JournalNotApplied,
    JournalWorker,
    journal_apply,
)
from joinedup.interop.models import InboundMessage, MessageReceipt, QuarantineItem
from joinedup.record.models import Event
from tests.discharge.conftest import journal_settled, mllp_listener, mllp_send
from tests.interop.conftest import adt

pytestmark = pytest.mark.django_db(transaction=True)


def test_messages_are_applied_in_the_order_sent(world):
    with mllp_listener() as port:
        admitted = mllp_send(port, adt("A01", "J1", visit="V5"))
        cancelled = mllp_send(port, adt("A11", "J2", visit="V5"))
    assert ack_code_of(admitted) == ack_code_of(cancelled) == "AA"
    # The cancel found the admission it cancels: the A01 was applied first.
    assert not QuarantineItem.objects.exists()
    assert Event.objects.filter(source_id="V5").exists()
    assert set(MessageReceipt.objects.values_list("control_id", flat=True)) == {
        "J1",
        "J2",
    }


@pytest.mark.parametrize("ack", ["stored", "applied"])
def test_what_only_the_records_can_refuse_is_quarantined_with_its_reason(world, ack):
    with mllp_listener(ack=ack) as port:
        answer = mllp_send(port, adt("A11", "J3", visit="NOT-HELD"))
    item = QuarantineItem.objects.get()
    assert "not on record" in item.reason and item.control_id == "J3"
    # Journalled, the sender has its AA; applied first, the AE carries the reason.
    assert ack_code_of(answer) == ("AA" if ack == "stored" else "AE")
    assert not InboundMessage.objects.exists()


def test_a_journal_left_by_an_earlier_run_is_applied_at_start(world):
    journal_insert([
        ("RJU", "LEFT1", "mllp:10.0.0.1", adt("A01", "LEFT1", visit="V7")),
        ("RJU", "LEFT2", "mllp:10.0.0.1", adt("A03", "LEFT2", visit="V7")),
    ])  # fmt: skip
    with mllp_listener():
        journal_settled()
    assert MessageReceipt.objects.filter(control_id__startswith="LEFT").count() == 2
    assert Event.objects.filter(source_id="V7").exists()


def test_a_message_journalled_twice_is_applied_once(world):
    """What a journal write retried after a lost connection may leave."""
    message = adt("A01", "TWICE1", visit="VT1")
    journal_insert([("RJU", "TWICE1", "mllp", message)] * 2)
    assert journal_apply() == 2
    assert MessageReceipt.objects.filter(control_id="TWICE1").count() == 1
    assert Event.objects.filter(source_id="VT1").count() == 1
    assert not QuarantineItem.objects.exists()
    assert not InboundMessage.objects.exists()


def test_a_batch_neither_applied_nor_quarantined_stays_in_the_journal(
    world, monkeypatch
):
    journal_insert([("RJU", "KEEP1", "mllp", adt("A01", "KEEP1", visit="V8"))])

    def database_gone(texts, *, origin):
        # What hl7_batch_ingest answers when it could not even quarantine.
        return [Hl7Result("AE", "temporarily unable to store the message", "KEEP1",
                          "MSA|AE|KEEP1")]  # fmt: skip

    monkeypatch.setattr(journal, "hl7_batch_ingest", database_gone)
    with pytest.raises(JournalNotApplied):
        journal_apply()
    assert InboundMessage.objects.get().control_id == "KEEP1"
    monkeypatch.undo()
    assert journal_apply() == 1
    assert not InboundMessage.objects.exists()
    assert MessageReceipt.objects.filter(control_id="KEEP1").exists()


def test_the_worker_in_a_process_of_its_own_applies_the_journal(world, monkeypatch):
    """What `joinedup mllp` runs: the worker spawned with the database the
    listener uses, at a lower CPU priority."""
    settings = connection.settings_dict
    if connection.vendor == "postgresql":
        url = (
            f"postgres://{settings['USER']}:{settings['PASSWORD'] or ''}@"
            f"{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/"
            f"{settings['NAME']}"
        )
    else:
        url = f"sqlite:///{settings['NAME']}"
    monkeypatch.setenv("DATABASE_URL", url)
    journal_insert([("RJU", "PROC1", "mllp", adt("A01", "PROC1", visit="V9"))])
    worker = JournalWorker(separate_process=True, drain_seconds=5)
    worker.start()
    try:
        until = time.monotonic() + 60
        while InboundMessage.objects.exists() and time.monotonic() < until:
            time.sleep(0.05)
    finally:
        worker.close(30)
    assert not worker.alive()
    assert MessageReceipt.objects.filter(control_id="PROC1").exists()
    assert Event.objects.filter(source_id="V9").exists()


@pytest.mark.skipif(
    connection.vendor != "postgresql",
    reason="the listener's own journal connection is PostgreSQL's",
)
def test_a_lost_journal_connection_costs_no_message(world):
    """On PostgreSQL the listener journals over a connection of its own; when
    the database cuts it (a restart, an idle connection dropped), the next
    message is still acknowledged and applied once."""
    from joinedup.interop.hl7v2.journal import JournalConnection

    def cut() -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE application_name = %s",
                [JournalConnection.APPLICATION_NAME],
            )
            return cursor.fetchone()[0]

    with mllp_listener() as port:
        # The first message of a facility is checked on the database thread;
        # the next ones are journalled over the listener's own connection.
        first = mllp_send(port, adt("A01", "CUT1", visit="VC1"))
        second = mllp_send(port, adt("A01", "CUT2", visit="VC2"))
        assert cut() == 1
        after = mllp_send(port, adt("A01", "CUT3", visit="VC3"))
        journal_settled()
    assert [ack_code_of(a) for a in (first, second, after)] == ["AA", "AA", "AA"]
    receipts = MessageReceipt.objects.filter(control_id__startswith="CUT")
    assert sorted(receipts.values_list("control_id", flat=True)) == [
        "CUT1",
        "CUT2",
        "CUT3",
    ]
    assert Event.objects.filter(source_id="VC3").count() == 1
    assert not QuarantineItem.objects.exists()
