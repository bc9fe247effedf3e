"""`joinedup mllp`: an HL7 v2 listener over MLLP (asyncio, `hl7.mllp`).

Each connection reads framed messages (<VT> message <FS><CR>) one at a time. A
message is handed to the group committer, which takes whatever messages are
waiting, from every connection, in one database transaction on one database
thread; only after that transaction has committed is each message's ACK written
back (AA, or AE/AR with the reason). So a crash or kill between receiving and
acknowledging never loses a message the sender believes was accepted: the sender
has no AA and sends it again, and a message that had in fact been committed is
recognised by its control id (MSH-10) and not applied twice.

What the transaction does depends on `ack`: "stored" (the default) checks each
message and commits it to the inbound journal, which the journal worker applies
right after (journal.py: store and forward, as interface engines acknowledge);
"applied" applies the messages themselves before answering. With "stored" the
check that needs no database runs in the event loop as each message arrives
(while the batch before commits), and on PostgreSQL a batch that needs nothing
else is journalled over the listener's own asynchronous connection, in the
event loop, with no hand-off to the database thread (`JournalConnection`);
refusals to quarantine, and the first message of a sending facility, go to the
database thread. The loop is uvloop's where it is installed.

Bytes become text in the character set MSH-18 declares (text.py). A frame over
`JOINEDUP_HL7_MAX_BYTES` (default 10 MB) is read to its end without being kept
whole, quarantined (its first 64 KB) and refused with an AR that says so; the
connection stays open for the next message.

SIGTERM/SIGINT: stop accepting connections, finish and acknowledge the messages in
flight, apply what the journal holds (for up to 10 s), then exit.
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from django.db import close_old_connections, connections
from hl7.mllp import start_hl7_server

from joinedup.interop.hl7v2.ingest import (
    Hl7Result,
    hl7_accept_parse,
    hl7_batch_accept,
    hl7_batch_ingest,
    hl7_max_bytes,
    hl7_unreadable_record,
    oversize_kept,
    oversize_reason,
)
from joinedup.interop.hl7v2.journal import JournalConnection, JournalWorker
from joinedup.interop.hl7v2.text import CHARSETS, charset_declared, payload_decode

log = logging.getLogger(__name__)

START, END = b"\x0b", b"\x1c\r"
KEPT = 64 * 1024  # of a frame over the size limit, for the quarantine
MAX_BATCH = 500
DRAIN_SECONDS = 10.0
CONNECTION_CHECK_SECONDS = 1.0
ACK_MODES = ("stored", "applied")
WORKER_RESTART_SECONDS = 5.0

Items = list[tuple[str, str]]  # (message text, origin) of a batch
# A batch's items, with what `prepare` made of each as it arrived, to results.
Process = Callable[[Items, list[Any]], list[Hl7Result]]
_Queued = tuple[str, str, Any, "asyncio.Future[Hl7Result]"]  # and its future


def frame_read(payload: bytes, *, limit: int | None = None) -> tuple[str, str]:
    """The text of one MLLP frame's payload and, when it cannot be applied as it
    is, the reason: over the size limit, or not in the character set MSH-18
    declares (then the text is what the quarantine keeps)."""
    limit = hl7_max_bytes() if limit is None else limit
    if len(payload) > limit:
        text = payload[:KEPT].decode("utf-8", "replace")
        return oversize_kept(text, len(payload)), oversize_reason(len(payload), limit)
    return payload_decode(payload)


def frame_apply(payload: bytes, *, origin: str = "mllp") -> Hl7Result:
    """One frame's payload read and applied as the listener with `ack` "applied"
    does, without the socket (group commit of one message): for file replays and
    the corpus."""
    text, problem = frame_read(payload)
    if problem:
        return hl7_unreadable_record(text, reason=problem, origin=origin)
    return _applied([(text, origin)], [None])[0]


def _applied(items: Items, prepared: list[Any]) -> list[Hl7Result]:
    """Apply a batch before answering (`ack` "applied"); the batch's origin is
    its first message's."""
    return hl7_batch_ingest([text for text, _ in items], origin=items[0][1])


def ack_bytes(ack: str, payload: bytes) -> bytes:
    """The ACK encoded as the message it answers was (its MSH-18)."""
    codec = CHARSETS.get(charset_declared(payload), "utf-8")
    return ack.encode(codec, "replace")


class GroupCommitter:
    """Applies queued messages in batches on one database thread. `prepare`, when
    given, runs on each message as it arrives, in the event loop (so while the
    batch before is committing), and what it gives goes to `process` with the
    message. `direct`, when given, is tried first on each batch, in the event
    loop; it answers None to leave the batch to `process`."""

    def __init__(
        self,
        *,
        max_batch: int = MAX_BATCH,
        process: Process | None = None,
        prepare: Callable[[str], Any] | None = None,
        direct: JournalConnection | None = None,
        committed: Callable[[], None] | None = None,
    ) -> None:
        self.max_batch = max_batch
        self.process = process or _applied
        self.prepare = prepare
        self.direct = direct
        self.committed = committed  # called after each batch has committed
        self.queue: asyncio.Queue[_Queued | None] = asyncio.Queue()
        self.executor = ThreadPoolExecutor(1, thread_name_prefix="mllp-db")
        self.batches = 0
        self._checked = 0.0
        self._suspect = True

    async def submit(self, text: str, origin: str = "mllp") -> Hl7Result:
        future: asyncio.Future[Hl7Result] = asyncio.get_running_loop().create_future()
        prepared = self.prepare(text) if self.prepare is not None else None
        await self.queue.put((text, origin, prepared, future))
        return await future

    async def run_in_db(self, func: Callable[[], Hl7Result]) -> Hl7Result:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, _with_connection(func))

    def _batch(self, items: Items, prepared: list[Any]) -> list[Hl7Result]:
        # Django's connection check (a "SELECT 1" round trip with health checks
        # on) costs as much as a message: once a second, or after trouble.
        now = time.monotonic()
        if self._suspect or now - self._checked >= CONNECTION_CHECK_SECONDS:
            close_old_connections()
            self._checked, self._suspect = now, False
        self._suspect = True  # until the batch has come back
        results = self.process(items, prepared)
        self._suspect = any(r.ack_code == "AE" and r.quarantine_id is None
                            for r in results)  # fmt: skip
        if self.committed is not None:
            self.committed()
        return results

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        while True:
            item = await self.queue.get()
            if item is None:
                break
            batch = [item]
            while len(batch) < self.max_batch:
                try:
                    more = self.queue.get_nowait()
                except asyncio.QueueEmpty:
                    break
                if more is None:
                    self.queue.put_nowait(None)  # stop after this batch
                    break
                batch.append(more)
            items = [(text, origin) for text, origin, _, _ in batch]
            prepared = [item[2] for item in batch]
            try:
                results = await self._direct(items, prepared)
                if results is None:
                    results = await loop.run_in_executor(
                        self.executor, self._batch, items, prepared
                    )
            except Exception as exc:  # the database is unreachable: no ACK at all
                log.exception("batch of %s messages failed", len(batch))
                for *_, future in batch:
                    if not future.done():
                        future.set_exception(exc)
                continue
            self.batches += 1
            for (*_, future), result in zip(batch, results, strict=True):
                if not future.done():
                    future.set_result(result)

    async def _direct(
        self, items: Items, prepared: list[Any]
    ) -> list[Hl7Result] | None:
        if self.direct is None:
            return None
        results = await self.direct.batch(items, prepared)
        if results is not None and self.committed is not None:
            self.committed()
        return results

    async def close(self) -> None:
        await self.queue.put(None)
        if self.direct is not None:
            await self.direct.close()
        loop = asyncio.get_running_loop()
        await loop.run_in_executor(self.executor, connections.close_all)
        self.executor.shutdown(wait=True)


def _with_connection(func: Callable[[], Hl7Result]) -> Callable[[], Hl7Result]:
    def run() -> Hl7Result:
        close_old_connections()
        return func()

    return run


class MllpServer:
    def __init__(
        self,
        *,
        host: str,
        port: int,
        committer: GroupCommitter,
        worker: JournalWorker | None = None,
    ) -> None:
        self.host = host
        self.port = port
        self.committer = committer
        self.worker = worker  # applies the journal (`ack` "stored")
        self.stopping = False
        self.in_flight = 0
        self.connections: set[asyncio.Task[None]] = set()
        self.received = 0
        self.limit = hl7_max_bytes()

    async def _answer(
        self, writer: asyncio.StreamWriter, ack: str, payload: bytes = b""
    ) -> None:
        writer.write(START + ack_bytes(ack, payload) + END)
        await writer.drain()

    async def _oversize(self, reader: asyncio.StreamReader) -> tuple[bytes, int] | None:
        """Read an over-long frame to its end block, keeping only its start: (the
        start of its payload, the payload's size), or None when the connection
        closed first."""
        kept, size = b"", 0
        while True:
            try:
                chunk = await reader.readuntil(END)
                last = True
            except asyncio.LimitOverrunError as exc:
                chunk = await reader.readexactly(max(exc.consumed, 1))
                last = False
            except asyncio.IncompleteReadError:
                return None
            if not size and chunk[:1] == START:
                chunk = chunk[1:]
            if last:
                chunk = chunk[: -len(END)]
            size += len(chunk)
            if len(kept) < KEPT:
                kept += chunk[: KEPT - len(kept)]
            if last:
                return kept, size

    async def handle(
        self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter
    ) -> None:
        task = asyncio.current_task()
        if task is not None:
            self.connections.add(task)
        peer = writer.get_extra_info("peername")
        origin = f"mllp:{peer[0]}" if peer else "mllp"
        try:
            while not self.stopping:
                try:
                    data = await reader.readuntil(END)
                except asyncio.IncompleteReadError as exc:
                    partial = exc.partial.strip(b"\x0b\x1c\r\n \x00")
                    if partial:
                        await self._truncated(exc.partial, origin)
                    break
                except asyncio.LimitOverrunError:
                    if not await self._refuse_oversize(reader, writer, origin):
                        break
                    continue
                self.in_flight += 1
                try:
                    await self._one(data, origin, writer)
                finally:
                    self.in_flight -= 1
        except (ConnectionError, asyncio.CancelledError):
            pass
        except Exception as exc:  # the database failed: the message has no ACK
            log.warning("MLLP connection from %s closed unanswered (%s)",
                        origin, type(exc).__name__)  # fmt: skip
        finally:
            if task is not None:
                self.connections.discard(task)
            writer.close()
            with contextlib.suppress(Exception):
                await writer.wait_closed()

    async def _refuse_oversize(
        self,
        reader: asyncio.StreamReader,
        writer: asyncio.StreamWriter,
        origin: str,
    ) -> bool:
        """Answer a frame over the size limit with an AR; False when the
        connection closed before its end."""
        read = await self._oversize(reader)
        if read is None:
            return False
        kept, size = read
        self.received += 1
        log.warning("MLLP frame of %s bytes from %s: over the limit", size, origin)
        text = oversize_kept(kept.decode("utf-8", "replace"), size)
        reason = oversize_reason(size, self.limit)
        result = await self.committer.run_in_db(
            lambda: hl7_unreadable_record(text, reason=reason, origin=origin)
        )
        await self._answer(writer, result.ack, kept)
        return True

    async def _one(
        self, data: bytes, origin: str, writer: asyncio.StreamWriter
    ) -> None:
        self.received += 1
        start = data.find(START)
        payload = data[start + 1 : -len(END)] if start >= 0 else data[: -len(END)]
        text, problem = frame_read(payload, limit=self.limit)
        if start < 0:
            problem = "MLLP frame does not begin with the start block character <VT>"
        if problem:
            result = await self.committer.run_in_db(
                lambda: hl7_unreadable_record(text, reason=problem, origin=origin)
            )
        else:
            result = await self.committer.submit(text, origin)
        await self._answer(writer, result.ack, payload)

    async def _truncated(self, partial: bytes, origin: str) -> None:
        text = partial.lstrip(START).decode("utf-8", "replace")
        reason = (
            "MLLP frame truncated: the connection closed before the end block "
            "<FS><CR>; not acknowledged, so the sender will send it again"
        )
        with contextlib.suppress(Exception):
            await self.committer.run_in_db(
                lambda: hl7_unreadable_record(
                    text, reason=reason, origin=origin, acknowledged=False
                )
            )

    async def serve(
        self,
        *,
        ready: Callable[[int], None] | None = None,
        stop: threading.Event | None = None,
        handle_signals: bool = True,
    ) -> None:
        stopped = asyncio.Event()
        loop = asyncio.get_running_loop()
        if handle_signals:
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, stopped.set)
        if self.worker is not None:
            self.worker.start()
        committer_task = asyncio.create_task(self.committer.run())
        server = await start_hl7_server(
            # A frame's end block must come within the limit (and its two bytes).
            self.handle,
            self.host,
            self.port,
            limit=self.limit + len(END) + 1,
        )
        self.port = server.sockets[0].getsockname()[1]
        log.info("MLLP listener on %s:%s", self.host, self.port)
        if ready is not None:
            ready(self.port)
        restarted = time.monotonic()
        while not stopped.is_set():
            if stop is not None and stop.is_set():
                break
            if (
                self.worker is not None
                and not self.worker.alive()
                and time.monotonic() - restarted >= WORKER_RESTART_SECONDS
            ):
                # What it had taken is still in the journal: nothing is lost.
                log.error("the journal worker stopped; starting another")
                restarted = time.monotonic()
                self.worker = self.worker.again()
                self.committer.committed = self.worker.wake.set
                self.worker.start()
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(stopped.wait(), 0.1)
        log.info("MLLP listener stopping: finishing messages in flight")
        self.stopping = True
        server.close()
        waited = 0.0
        while self.in_flight and waited < DRAIN_SECONDS:
            await asyncio.sleep(0.05)
            waited += 0.05
        for task in list(self.connections):
            task.cancel()
        await asyncio.gather(*self.connections, return_exceptions=True)
        await self.committer.close()
        await committer_task
        if self.worker is not None:
            await loop.run_in_executor(None, self.worker.close)
        log.info("MLLP listener stopped after %s messages", self.received)


def mllp_listener(
    *,
    host: str = "127.0.0.1",
    port: int = 2575,
    ack: str = "stored",
    separate_process: bool = False,
) -> MllpServer:
    """The listener, not yet serving: with `ack` "stored" a committer that
    journals and a journal worker (in a process of its own with
    `separate_process`); with "applied" a committer that applies."""
    if ack not in ACK_MODES:
        raise ValueError(f"ack must be one of {', '.join(ACK_MODES)}, not {ack!r}")
    if ack == "applied":
        return MllpServer(host=host, port=port, committer=GroupCommitter())
    worker = JournalWorker(separate_process=separate_process)
    committer = GroupCommitter(
        process=hl7_batch_accept,
        prepare=hl7_accept_parse,
        direct=JournalConnection.for_default(),
        committed=worker.wake.set,
    )
    return MllpServer(host=host, port=port, committer=committer, worker=worker)


def mllp_serve(
    *,
    host: str = "127.0.0.1",
    port: int = 2575,
    ack: str = "stored",
    separate_process: bool = False,
    ready: Callable[[int], None] | None = None,
    stop: threading.Event | None = None,
    handle_signals: bool = True,
) -> None:
    """Run the listener until SIGTERM/SIGINT (or `stop` is set). `ack`: "stored"
    (AA once checked and journalled; applied right after by the journal worker,
    in a process of its own with `separate_process`) or "applied" (AA once
    applied)."""

    # What Django and the apps loaded at start lives as long as the process:
    # moved out of the collector's sight, a collection no longer walks it while
    # a sender waits for its ACK.
    gc.collect()
    gc.freeze()

    async def main() -> None:
        server = mllp_listener(
            host=host, port=port, ack=ack, separate_process=separate_process
        )
        await server.serve(ready=ready, stop=stop, handle_signals=handle_signals)

    with asyncio.Runner(loop_factory=_loop_factory()) as runner:
        runner.run(main())


def _loop_factory() -> Callable[[], asyncio.AbstractEventLoop] | None:
    """uvloop's event loop where it is installed (it answers a message in less
    time than the standard loop); otherwise the standard one."""
    try:
        import uvloop
    except ImportError:
        return None
    return uvloop.new_event_loop
