import contextlib
import datetime as dt

import pytest
from django.utils import timezone

from joinedup.discharge.services import stays_sync
from joinedup.record.models import EventKind
from tests.factories import EventFactory


def adt(world, kind, source_id, when, person=None, **detail):
    return EventFactory(
        person=person or world.person,
        source_system=world.pas,
        source_id=source_id,
        kind=kind,
        category="health",
        occurred_at=when,
        summary=f"{kind} event",
        detail=detail,
    )


@pytest.fixture
def now():
    return timezone.now()


@pytest.fixture
def inpatient(world, now):
    """World's person admitted to the hospital 5 days ago, still in."""
    adt(
        world,
        EventKind.ADMISSION,
        "V1",
        now - dt.timedelta(days=5),
        ward="Ward 7",
        site="RJU01",
        admission_method="emergency",
    )
    stays_sync(person_ids=[world.person.pk])
    return world.person.hospital_stays.get()


def ready_and_delayed(
    stay,
    by,
    *,
    ready_on: dt.date,
    recorded_at: dt.datetime,
    pathway: str = "1",
    reason: str = "E",
    agency: str = "social_care",
    delay_recorded_at: dt.datetime | None = None,
):
    """Record a stay as ready for discharge (clinical and MDT agreement) and its
    current delay reason, as a discharge coordinator would."""
    from joinedup.discharge.models import DelayReason, Readiness

    Readiness.objects.create(
        stay=stay,
        ready_on=ready_on,
        clinical_agreed=True,
        mdt_agreed=True,
        expected_pathway=pathway,
        recorded_by=by,
        recorded_at=recorded_at,
    )
    DelayReason.objects.create(
        stay=stay,
        reason=reason,
        agency=agency,
        recorded_by=by,
        recorded_at=delay_recorded_at or recorded_at,
    )


# --- MESH: a real mesh-sandbox server, started once per test session ----------------

MESH_SHARED_KEY = "TestKey"
# Mailboxes that mesh-sandbox ships (mesh_sandbox/store/data/mailboxes.jsonl).
HOSPITAL_MAILBOX = "X26ABC1"
COUNCIL_MAILBOX = "X26ABC2"
MESH_PASSWORD = "password"


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="session")
def mesh_sandbox(tmp_path_factory):
    """The URL of a mesh-sandbox server (uvicorn, in-memory store, full
    authentication) running as a separate process for the test session."""
    import os
    import subprocess
    import sys
    import time
    import urllib.request

    port = _free_port()
    store = tmp_path_factory.mktemp("mesh")
    env = {
        **os.environ,
        "STORE_MODE": "memory",
        "AUTH_MODE": "full",
        "SHARED_KEY": MESH_SHARED_KEY,
        "MAILBOXES_DATA_DIR": str(store),
    }
    log = (store / "server.log").open("wb")
    proc = subprocess.Popen(  # noqa: S603 - our own interpreter and a fixed module
        [
            sys.executable,
            "-m",
            "uvicorn",
            "mesh_sandbox.api:app",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--workers",
            "1",
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        for _ in range(150):
            if proc.poll() is not None:
                raise RuntimeError("mesh-sandbox exited; see " + str(store))
            try:
                with urllib.request.urlopen(url + "/health", timeout=1):  # noqa: S310
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("mesh-sandbox did not start within 15 s")
        yield url
    finally:
        proc.terminate()
        proc.wait(10)
        log.close()


@pytest.fixture
def mesh_env(mesh_sandbox, monkeypatch):
    """The environment that points JoinedUp at the sandbox as the hospital's
    mailbox, with the world's council at the council mailbox."""
    values = {
        "JOINEDUP_MESH_URL": mesh_sandbox,
        "JOINEDUP_MESH_MAILBOX": HOSPITAL_MAILBOX,
        "JOINEDUP_MESH_PASSWORD": MESH_PASSWORD,
        "JOINEDUP_MESH_SHARED_KEY": MESH_SHARED_KEY,
        "JOINEDUP_MESH_RECIPIENTS": f"JU-ASC={COUNCIL_MAILBOX}",
        "JOINEDUP_MESH_WORKFLOW": "JOINEDUP_CARE_ACT_SCH3",
    }
    for k, v in values.items():
        monkeypatch.setenv(k, v)
    return values


def council_client(url: str):
    """The council's side of MESH: its own mailbox, through mesh-client."""
    from mesh_client import MeshClient

    return MeshClient(
        url,
        COUNCIL_MAILBOX,
        MESH_PASSWORD,
        shared_key=MESH_SHARED_KEY.encode(),
        max_retries=0,
    )


# --- MLLP: the real listener (interop/hl7v2/mllp.py) with stays following --------


@contextlib.contextmanager
def mllp_listener(ack: str = "stored"):
    """The MLLP listener on 127.0.0.1 (a free port) in a thread, as `joinedup
    mllp` runs it (by default: AA once journalled, then applied by the journal
    worker, stays following in the same commit); yields the port."""
    import asyncio
    import threading

    from joinedup.interop.hl7v2 import mllp

    ready = threading.Event()
    stop = threading.Event()
    port: list[int] = []

    def on_ready(p: int) -> None:
        port.append(p)
        ready.set()

    async def main() -> None:
        server = mllp.mllp_listener(host="127.0.0.1", port=0, ack=ack)
        await server.serve(ready=on_ready, stop=stop, handle_signals=False)

    thread = threading.Thread(target=lambda: asyncio.run(main()), daemon=True)
    thread.start()
    assert ready.wait(10), "the MLLP listener did not start"
    try:
        yield port[0]
    finally:
        stop.set()
        thread.join(15)


def journal_settled(timeout: float = 15.0) -> None:
    """Wait until the listener's journal worker has applied every accepted
    message (at once when nothing waits)."""
    import time

    from joinedup.interop.models import InboundMessage

    until = time.monotonic() + timeout
    while InboundMessage.objects.exists():
        assert time.monotonic() < until, "the journal was not applied in time"
        time.sleep(0.02)


def mllp_send(port: int, message: str) -> str:
    """Send one HL7 v2 message framed for MLLP; return the ACK's text once what
    it accepted has been applied."""
    import socket

    with socket.create_connection(("127.0.0.1", port), timeout=15) as sock:
        sock.sendall(b"\x0b" + message.encode() + b"\x1c\r")
        data = b""
        while not data.endswith(b"\x1c\r"):
            chunk = sock.recv(65536)
            if not chunk:
                break
            data += chunk
    journal_settled()
    return data.strip(b"\x0b\x1c\r").decode()


def hl7_adt(world, trigger: str, control_id: str, *, visit: str, when, **kw) -> str:
    """An ADT message from the hospital's PAS about the world's person (whose
    verified NHS number the person index holds, so the message finds them)."""
    from joinedup.people.models import Identifier
    from joinedup.people.nhs_number import NHS_NUMBER_SYSTEM
    from tests.interop.conftest import adt as build

    person = world.person
    Identifier.objects.get_or_create(
        system=NHS_NUMBER_SYSTEM, value=person.nhs_number, defaults={"person": person}
    )
    return build(
        trigger,
        control_id,
        mrn=kw.pop("mrn", "M-E2E-1"),
        nhs=person.nhs_number,
        family=person.family_name,
        given=person.given_name,
        dob=person.birth_date.strftime("%Y%m%d"),
        visit=visit,
        ward=kw.pop("ward", "Ward 7"),
        facility=world.hospital.code,
        when=when.strftime("%Y%m%d%H%M%S+0000"),
        **kw,
    )
