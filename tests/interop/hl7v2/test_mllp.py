"""The MLLP listener over a real socket on 127.0.0.1: ACK after commit, AA/AE/AR,
duplicates, truncated frames and bad encodings, each with the ACK once the message
is journalled (the default) and once it is applied."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from joinedup.interop.hl7v2.ack import ack_code_of, ack_error_location
from joinedup.interop.hl7v2.mllp import mllp_serve
from joinedup.interop.models import MessageReceipt, QuarantineItem
from joinedup.record.models import Event
from tests.discharge.conftest import journal_settled
from tests.interop.conftest import adt

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(params=["stored", "applied"])
def listener(world, request) -> Iterator[int]:
    yield from _serve(request.param)


@pytest.fixture
def small_listener(world, settings) -> Iterator[int]:
    """A listener that refuses messages over 2,000 bytes."""
    settings.JOINEDUP_HL7_MAX_BYTES = 2000
    yield from _serve("stored")


def _serve(ack: str) -> Iterator[int]:
    ready = threading.Event()
    stop = threading.Event()
    port: list[int] = []

    def on_ready(p: int) -> None:
        port.append(p)
        ready.set()

    thread = threading.Thread(
        target=mllp_serve,
        kwargs={"host": "127.0.0.1", "port": 0, "ack": ack, "ready": on_ready,
                "stop": stop, "handle_signals": False},
        daemon=True,
    )  # fmt: skip
    thread.start()
    assert ready.wait(10), "the listener did not start"
    yield port[0]
    stop.set()
    thread.join(15)
    assert not thread.is_alive()


def _read_frame(sock: socket.socket) -> str:
    data = b""
    while not data.endswith(b"\x1c\r"):
        chunk = sock.recv(65536)
        if not chunk:
            raise ConnectionError("closed")
        data += chunk
    assert data.startswith(b"\x0b")
    return data[1:-2].decode("utf-8")


def send(port: int, *payloads: bytes) -> list[str]:
    """The ACKs, once what they accepted has been applied."""
    with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
        acks = []
        for payload in payloads:
            sock.sendall(payload)
            acks.append(_read_frame(sock))
    journal_settled()
    return acks


def frame(message: str) -> bytes:
    return b"\x0b" + message.encode("utf-8") + b"\x1c\r"


def test_aa_after_commit_and_duplicate(listener, request):
    acks = send(listener, frame(adt("A01", "C1")), frame(adt("A01", "C1")))
    assert [ack_code_of(a) for a in acks] == ["AA", "AA"]
    if request.node.callspec.params["listener"] == "applied":
        assert "duplicate" in acks[1]  # known as one before the answer
    assert Event.objects.count() == 1  # applied once
    assert MessageReceipt.objects.filter(control_id="C1").count() == 1


def test_ar_and_ae_with_reasons(listener):
    unknown, bad_nhs = send(
        listener, frame(adt("A99", "C2")), frame(adt("A01", "C3", nhs="9990000001"))
    )
    assert ack_code_of(unknown) == "AR" and "A99" in unknown
    assert ack_code_of(bad_nhs) == "AE" and "Modulus 11" in bad_nhs
    assert QuarantineItem.objects.count() == 2


def test_wrong_character_encoding_is_rejected_and_kept(listener):
    raw = frame(adt("A01", "C4", family="Th\u00f6rnton")).replace(
        "Thö".encode(), b"Th\xf6"
    )
    (ack,) = send(listener, raw)
    assert ack_code_of(ack) == "AR"
    assert "UTF-8" in ack
    assert QuarantineItem.objects.get().control_id == "C4"


def test_frame_without_start_block(listener):
    (ack,) = send(listener, adt("A01", "C5").encode() + b"\x1c\r")
    assert ack_code_of(ack) == "AR"
    assert "start block" in QuarantineItem.objects.get().reason


def test_truncated_frame_is_quarantined_not_acknowledged(listener):
    with socket.create_connection(("127.0.0.1", listener), timeout=10) as sock:
        sock.sendall(b"\x0b" + adt("A01", "C6").encode()[:80])
        sock.shutdown(socket.SHUT_WR)
        assert sock.recv(1024) == b""  # closed without an ACK
    for _ in range(100):
        if QuarantineItem.objects.exists():
            break
        threading.Event().wait(0.05)
    item = QuarantineItem.objects.get()
    assert "truncated" in item.reason
    assert not Event.objects.exists()


def test_concurrent_senders(listener):
    results: dict[int, list[str]] = {}

    def sender(n: int) -> None:
        results[n] = send(
            listener,
            *(frame(adt("A01", f"S{n}-{i}", mrn=f"M{n}-{i}", nhs=None,
                        visit=f"V{n}-{i}")) for i in range(10)),
        )  # fmt: skip

    threads = [threading.Thread(target=sender, args=(n,)) for n in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(30)
    assert all(ack_code_of(a) == "AA" for acks in results.values() for a in acks)
    journal_settled()
    assert Event.objects.count() == 40


def test_message_over_the_size_limit_is_refused_and_the_connection_goes_on(
    small_listener,
):
    big = adt("A01", "BIG1", extra="NTE|1|P|" + "lives alone; " * 400)
    assert len(big) > 5000
    too_big, fine = send(small_listener, frame(big), frame(adt("A01", "OK1")))
    assert ack_code_of(too_big) == "AR"
    assert "over the limit of 2,000 bytes" in too_big and "MSA|AR|BIG1" in too_big
    assert ack_code_of(fine) == "AA"
    item = QuarantineItem.objects.get()
    assert item.control_id == "BIG1" and "over the limit" in item.reason
    assert item.raw.startswith(big[:1000]) and "bytes in all]" in item.raw
    assert Event.objects.get().source_id == "V1"  # only the message that fits


def test_latin_1_declared_in_msh_18_is_read_and_answered_in_latin_1(listener):
    message = adt("A01", "L1", family="Bront\u00eb").replace("UNICODE UTF-8", "8859/1")
    with socket.create_connection(("127.0.0.1", listener), timeout=10) as sock:
        sock.sendall(b"\x0b" + message.encode("latin-1") + b"\x1c\r")
        data = b""
        while not data.endswith(b"\x1c\r"):
            data += sock.recv(65536)
    ack = data[1:-2].decode("latin-1")
    journal_settled()
    assert ack_code_of(ack) == "AA"
    assert ack.split("\r")[0].split("|")[17] == "8859/1"
    from joinedup.people.models import Person

    assert Person.objects.get(identifiers__value="M100").family_name == "Bront\u00eb"


def test_refusal_names_the_field_in_err_2(listener):
    (ack,) = send(listener, frame(adt("A01", "E1", nhs="9990000001")))
    assert ack_code_of(ack) == "AE"
    assert ack_error_location(ack) == "PID^1^3^2"
