"""Store and forward for the MLLP listener: the inbound journal and its worker.

With `--ack stored` (the default) the listener checks each message as far as it
can without the records (size, character set, syntax and required fields, a
known sending facility), commits it to the inbound journal (`InboundMessage`)
and only then answers AA; what fails the check is quarantined and answered AE or
AR naming the field, as before. The journal worker applies the waiting messages
oldest first, in batches, with `hl7_batch_ingest` (receipts, the records, the
follow-up: stays, matching, the safeguarding flag) and deletes them in the same
transaction. So nothing is lost at any point (a message is in the journal,
applied and receipted, or quarantined), nothing is applied twice (MSH-10
receipts), and each sender's messages are applied in the order sent. This is how
interface engines acknowledge: the ACK says the message is safely stored, and the
sender is not held up by the work that follows from it.

What can only be found against the records (e.g. a merge of a patient we do not
hold) is quarantined with its reason when the worker reaches it; the sender has
had its AA, so the integration page is where it shows. `--ack applied` answers
only after the message is applied (the ACK then carries such refusals too), at
the cost of holding every sender for the whole of the work.

A journal row left by a stopped or crashed listener is applied when the next one
starts. One listener (one worker) per database: the worker takes the oldest rows
under a row lock, so a second would wait rather than reorder."""

from __future__ import annotations

import contextlib
import itertools
import logging
import multiprocessing
import threading
import time
from multiprocessing.process import BaseProcess
from typing import Any, Protocol

import psycopg
from django.db import close_old_connections, connection, connections, transaction
from django.utils import timezone

from joinedup.interop.hl7v2.ingest import (
    Hl7Result,
    hl7_accept_ready,
    hl7_batch_ingest,
    journal_statement,
)
from joinedup.interop.hl7v2.journal_process import journal_process_main
from joinedup.interop.hl7v2.parse import AdtMessage
from joinedup.interop.models import InboundMessage

log = logging.getLogger(__name__)

BATCH = 500
RETRY_SECONDS = 1.0
IDLE_SECONDS = 1.0


class JournalNotApplied(Exception):
    """A message of the batch could be neither applied nor quarantined (the
    database failed part-way): the batch stays in the journal for the next try."""


def journal_apply(*, limit: int = BATCH) -> int:
    """Apply up to `limit` of the oldest waiting messages in one transaction and
    remove them from the journal; the number taken (0 when none wait)."""
    with transaction.atomic():
        rows = list(
            InboundMessage.objects.select_for_update()
            .order_by("pk")
            .values_list("pk", "origin", "text")[:limit]
        )
        if not rows:
            return 0
        for origin, run in itertools.groupby(rows, key=lambda row: row[1]):
            texts = [text for _, _, text in run]
            results = hl7_batch_ingest(texts, origin=origin)
            if any(r.ack_code == "AE" and r.quarantine_id is None for r in results):
                raise JournalNotApplied(
                    "a journalled message could not be applied or quarantined"
                )
        InboundMessage.objects.filter(pk__in=[pk for pk, _, _ in rows]).delete()
    return len(rows)


class JournalConnection:
    """The listener's own asynchronous connection to PostgreSQL, for the journal
    write in the event loop: a batch that needs nothing else of the database
    (`hl7_accept_ready`) is committed there without a hand-off to the database
    thread, while the loop goes on reading and checking the next messages. It
    connects when first needed, and once more when the connection is lost
    during a write (the database restarted, an idle connection cut): a batch
    written twice that way is applied once, by its control ids."""

    APPLICATION_NAME = "joinedup mllp journal"  # as pg_stat_activity shows it

    def __init__(self, params: dict[str, Any]) -> None:
        self.params = {**params, "application_name": self.APPLICATION_NAME}
        self.connection: psycopg.AsyncConnection[Any] | None = None

    @classmethod
    def for_default(cls) -> JournalConnection | None:
        """One for the default database, or None when that is not PostgreSQL."""
        if connection.vendor != "postgresql":
            return None
        # Only the libpq settings: Django's cursor and adapter choices are its own.
        given = connection.get_connection_params()
        params = {
            key: value
            for key, value in given.items()
            if key in LIBPQ_SETTINGS and isinstance(value, str | int)
        }
        return cls(params)

    async def batch(
        self, items: list[tuple[str, str]], parsed: list[AdtMessage | None]
    ) -> list[Hl7Result] | None:
        """Journal the batch and give its answers, or None (nothing written) when
        it needs the database thread. Raises when the write fails: no ACK then."""
        ready = hl7_accept_ready(items, parsed)
        if ready is None:
            return None
        rows, results = ready
        statement = journal_statement(rows, timezone.now())
        try:
            await self._execute(statement)
        except psycopg.OperationalError:  # the connection was lost: once more
            log.warning("journal connection lost; connecting again")
            await self._execute(statement)
        return results

    async def _execute(self, statement: tuple[str, list[Any]]) -> None:
        if self.connection is None or self.connection.closed:
            self.connection = await psycopg.AsyncConnection.connect(
                **self.params, autocommit=True
            )
        try:
            await self.connection.execute(*statement)
        except Exception:
            await self.close()
            raise

    async def close(self) -> None:
        if self.connection is not None:
            with contextlib.suppress(Exception):
                await self.connection.close()
            self.connection = None


# What of Django's connection parameters the listener's own connection takes.
LIBPQ_SETTINGS = frozenset({
    "dbname", "user", "password", "host", "port", "passfile", "service",
    "sslmode", "sslrootcert", "sslcert", "sslkey", "sslpassword", "sslcrl",
    "connect_timeout", "options", "application_name", "client_encoding",
    "target_session_attrs", "keepalives", "keepalives_idle",
})  # fmt: skip


def journal_waiting() -> int:
    """How many accepted messages wait to be applied."""
    return InboundMessage.objects.count()


class JournalWorker:
    """Applies the journal until stopped, on its own database connection: in a
    thread of the listener, or (`separate_process`, what `joinedup mllp` does) in
    a process of its own at a lower CPU priority, so that applying a backlog never
    holds up the acknowledgements (the two would otherwise share one interpreter
    lock). Woken by the listener after each commit, and at least once a second
    for rows an earlier run left. On stop it goes on until the journal is empty
    or `drain_seconds` have passed; what is left waits for the next start."""

    def __init__(
        self,
        *,
        drain_seconds: float = 10.0,
        batch: int = BATCH,
        separate_process: bool = False,
    ) -> None:
        self.settings = (drain_seconds, batch, separate_process)
        args: tuple[object, ...]
        if separate_process:
            context = multiprocessing.get_context("spawn")
            self.wake: _Event = context.Event()
            self.stop: _Event = context.Event()
            args = (self.wake, self.stop, drain_seconds, batch)
            self.runner: threading.Thread | BaseProcess = context.Process(
                target=journal_process_main,
                args=args,
                name="mllp-journal",
                daemon=True,
            )
        else:
            self.wake, self.stop = threading.Event(), threading.Event()
            args = (self.wake, self.stop, drain_seconds, batch)
            self.runner = threading.Thread(
                target=journal_work, args=args, name="mllp-journal", daemon=True
            )

    def start(self) -> None:
        self.runner.start()

    def again(self) -> JournalWorker:
        """A new worker like this one (to replace one that stopped)."""
        drain_seconds, batch, separate_process = self.settings
        return JournalWorker(
            drain_seconds=drain_seconds, batch=batch, separate_process=separate_process
        )

    def alive(self) -> bool:
        return self.runner.is_alive()

    def close(self, timeout: float | None = None) -> None:
        self.stop.set()
        self.wake.set()
        self.runner.join(timeout)


class _Event(Protocol):
    def set(self) -> None: ...
    def clear(self) -> None: ...
    def is_set(self) -> bool: ...
    def wait(self, timeout: float | None = None) -> bool: ...


def journal_work(wake: _Event, stop: _Event, drain_seconds: float, batch: int) -> None:
    """The worker's loop (see JournalWorker)."""
    deadline: float | None = None
    try:
        while True:
            if stop.is_set() and deadline is None:
                deadline = time.monotonic() + drain_seconds
            if deadline is not None and time.monotonic() >= deadline:
                break
            wake.clear()
            try:
                close_old_connections()
                taken = journal_apply(limit=batch)
            except Exception as exc:
                log.warning("journal batch not applied (%s); will retry",
                            type(exc).__name__)  # fmt: skip
                connections.close_all()
                time.sleep(RETRY_SECONDS)
                continue
            if taken:
                continue
            if deadline is not None:
                break
            wake.wait(IDLE_SECONDS)
    finally:
        connections.close_all()
    left = _waiting_quietly()
    if left:
        log.warning("%s accepted messages wait in the journal for the next start",
                    left)  # fmt: skip


def _waiting_quietly() -> int:
    try:
        return journal_waiting()
    except Exception:
        return 0
    finally:
        connections.close_all()
