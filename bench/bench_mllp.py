"""HL7 v2 over MLLP into PostgreSQL, ACK after commit.

    python bench/bench_mllp.py [--people 4000] [--senders 4] [--database-url URL]
                               [--ack stored|applied]

Generates an area's PAS extract (ADT A28/A08/A04/A01/A02/A03), starts
`joinedup mllp` as its own process on a scratch PostgreSQL database, and replays
the messages from 4 concurrent senders (each patient's messages on one sender, in
order, as a PAS interface engine would). Each sender waits for the ACK before
sending the next message. Prints messages/s and ACK latency (p50/p95/p99), and,
beside it, the durable-commit floor measured in the same run (one INSERT and
COMMIT, bench_commit_floor.py, before and after the replay) with the ratio ACK
p50 / floor. Targets: issue 4, 1,000 messages/s; issue 13, ACK p50 within 3x of
the floor with 4 senders.

`--ack stored` (the listener's default) acknowledges once a message is checked and
committed to the inbound journal; the journal worker applies it after. The run
then waits for the journal to empty and reports how long after the last ACK the
last message was applied, the messages applied a second end to end, and checks
that every message was receipted (applied or recognised as a duplicate) and none
quarantined. `--ack applied` acknowledges only once applied.
"""

from __future__ import annotations

import argparse
import os
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import zlib
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _db import DEFAULT_URL, database_recreate
from bench_commit_floor import commit_floor


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _read_ack(sock: socket.socket) -> bytes:
    data = b""
    while not data.endswith(b"\x1c\r"):
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("listener closed the connection")
        data += chunk
    return data


def _sender(port: int, messages: list[str], latencies: list[float], codes: dict):
    with socket.create_connection(("127.0.0.1", port)) as sock:
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        for message in messages:
            started = time.perf_counter()
            sock.sendall(b"\x0b" + message.encode() + b"\x1c\r")
            ack = _read_ack(sock)
            latencies.append(time.perf_counter() - started)
            code = ack.split(b"MSA|", 1)[1][:2].decode()
            codes[code] = codes.get(code, 0) + 1


def _floor_database(url: str) -> str:
    """The floor's scratch database, named after the benchmark's own."""
    return url.rsplit("/", 1)[1] + "_commit"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=4000)
    parser.add_argument("--senders", type=int, default=4)
    parser.add_argument("--database-url", default=DEFAULT_URL)
    parser.add_argument("--ack", choices=["stored", "applied"], default="stored")
    args = parser.parse_args()

    out = Path(tempfile.mkdtemp(prefix="joinedup-mllp-"))
    subprocess.run(
        [sys.executable, "-m", "joinedup", "generate", "--people", str(args.people),
         "--out", str(out)],
        check=True, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    database_recreate(args.database_url)
    env = {**os.environ, "DATABASE_URL": args.database_url,
           "JOINEDUP_LOG_LEVEL": "WARNING"}  # fmt: skip
    subprocess.run([sys.executable, "-m", "joinedup", "migrate"], env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    # Organisations and source systems, as the reference files declare them.
    subprocess.run(
        [sys.executable, "-c",
         "import django, os, pathlib; os.environ.setdefault('DJANGO_SETTINGS_MODULE',"
         "'joinedup.config.settings'); django.setup(); "
         "from joinedup.interop.reference import reference_files_load; "
         f"reference_files_load(folder=pathlib.Path({str(out)!r}))"],
        env=env, check=True,
    )  # fmt: skip
    with (out / "acute-pas" / "adt.hl7").open(encoding="utf-8", newline="") as f:
        text = f.read()
    messages = [line for line in text.split("\n") if line.strip()]
    lanes: list[list[str]] = [[] for _ in range(args.senders)]
    for message in messages:
        mrn = message.split("\rPID|", 1)[1].split("|")[2].split("^")[0]
        lanes[zlib.crc32(mrn.encode()) % args.senders].append(message)

    floor_before = commit_floor(database=_floor_database(args.database_url))
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "joinedup", "mllp", "--port", str(port),
         "--ack", args.ack],
        env=env, stdout=subprocess.DEVNULL,
    )  # fmt: skip
    for _ in range(200):
        try:
            socket.create_connection(("127.0.0.1", port)).close()
            break
        except OSError:
            time.sleep(0.05)
    latencies: list[float] = []
    codes: dict[str, int] = {}
    threads = [
        threading.Thread(target=_sender, args=(port, lane, latencies, codes))
        for lane in lanes
    ]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    settled = _journal_settled(args.database_url) - started
    server.send_signal(signal.SIGTERM)
    server.wait(30)
    receipts, quarantined, waiting = _counts(args.database_url)

    floor_after = commit_floor(database=_floor_database(args.database_url))
    floor = statistics.median([floor_before.write_p50, floor_after.write_p50])

    latencies.sort()
    q = statistics.quantiles(latencies, n=100)
    print(
        f"{len(messages):,} ADT messages from {args.senders} senders in "
        f"{elapsed:.1f} s: "
        f"{len(messages) / elapsed:,.0f} messages/s; ACK latency p50 "
        f"{q[49] * 1000:.1f} ms, p95 {q[94] * 1000:.1f} ms, p99 {q[98] * 1000:.1f} ms; "
        f"ACK codes {codes}; listener exit status {server.returncode}"
    )
    print(
        f"durable-commit floor (INSERT and COMMIT p50, same run) {floor * 1000:.2f} ms "
        f"({floor_before.write_p50 * 1000:.2f} before, "
        f"{floor_after.write_p50 * 1000:.2f} after); "
        f"ACK p50 / floor = {q[49] / floor:.1f}x"
    )
    control_ids = {m.split("|", 10)[9] for m in messages}
    print(
        f"ack {args.ack}: the last message applied {settled - elapsed:.2f} s after "
        f"the last ACK; applied end to end {len(messages) / settled:,.0f} "
        f"messages/s; {receipts:,} receipts for {len(control_ids):,} control ids, "
        f"{quarantined} quarantined, {waiting} left in the journal"
    )
    ok = receipts == len(control_ids) and not quarantined and not waiting
    return 0 if ok else 1


def _connect(url: str):  # type: ignore[no-untyped-def]
    import psycopg

    return psycopg.connect(url.replace("postgres://", "postgresql://", 1),
                           autocommit=True)  # fmt: skip


def _journal_settled(url: str, timeout: float = 300.0) -> float:
    """perf_counter() when the inbound journal was first seen empty."""
    with _connect(url) as conn:
        until = time.perf_counter() + timeout
        while time.perf_counter() < until:
            (waiting,) = conn.execute(
                "SELECT count(*) FROM interop_inboundmessage"
            ).fetchone()
            if not waiting:
                break
            time.sleep(0.01)
        return time.perf_counter()


def _counts(url: str) -> tuple[int, int, int]:
    with _connect(url) as conn:
        return tuple(  # type: ignore[return-value]
            conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]  # noqa: S608
            for table in ("interop_messagereceipt", "interop_quarantineitem",
                          "interop_inboundmessage")
        )  # fmt: skip


if __name__ == "__main__":
    sys.exit(main())
