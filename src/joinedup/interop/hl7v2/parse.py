"""Parse and validate HL7 v2 ADT messages (DESIGN 4.8), versions 2.3 to 2.5.1,
into plain data.

Every problem becomes an `Hl7Problem` with the acknowledgement code to answer
(AR: rejected, bad structure or unsupported; AE: application error, bad content),
an HL7 table 0357 error code, the location (e.g. "PID-7") and a reason. Reasons
never contain the values of patient fields (names, NHS numbers, dates of birth):
they travel in logs and ACKs. Only what cannot be applied is refused: optional
fields may be empty, unknown segments (Z-segments among them) are ignored.

Segments and fields are split here (text.py) rather than with `hl7.parse`, which
builds a container per field and costs about 0.35 ms a message (a third of the
MLLP budget, see docs/benchmarks.md); `hl7` does the MLLP framing. Only the
standard delimiters are accepted (MSH-1 "|", MSH-2 "^~\\&").

The visit key (what ties the messages of one hospital stay together) is PV1-19
visit number; when the sender leaves it empty, PID-18 patient account number;
else a key made from the hospital number (PID-3), the facility of the assigned
location (PV1-3.4: not the ward, which a transfer changes) and the admit time
(PV1-44). `Visit.key_source` says which ("PV1-19", "PID-18", "derived").
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass, field

from joinedup.interop.hl7v2.fields import (
    LOCAL_TZ,
    Hl7Problem,
    error,
    reject,
    timestamp_parse,
)
from joinedup.interop.hl7v2.patient import LocalIdentifier, Patient, patient_parse
from joinedup.interop.hl7v2.text import Segment, SegmentNameError, segments_split

ENCODING_CHARACTERS = "^~\\&"
SUPPORTED_EVENTS = {
    "A01": "admit",
    "A02": "transfer",
    "A03": "discharge",
    "A04": "register",
    "A05": "pre-admit",
    "A08": "update patient information",
    "A11": "cancel admit",
    "A12": "cancel transfer",
    "A13": "cancel discharge",
    "A28": "add person",
    "A31": "update person",
    "A34": "merge patient information (patient ID only)",
    "A40": "merge patient",
}
VISIT_EVENTS = frozenset({"A01", "A02", "A03", "A04", "A05", "A11", "A12", "A13"})
MERGE_EVENTS = frozenset({"A34", "A40"})
KEY_PV1_19, KEY_PID_18, KEY_DERIVED = "PV1-19", "PID-18", "derived"
KEY_SOURCES = {
    KEY_PV1_19: "the visit number (PV1-19)",
    KEY_PID_18: "the patient account number (PID-18), as no visit number was sent",
    KEY_DERIVED: "hospital number, site and admit time, as neither a visit number "
    "(PV1-19) nor an account number (PID-18) was sent",
}


@dataclass(frozen=True)
class Header:
    sending_application: str
    sending_facility: str
    receiving_application: str
    receiving_facility: str
    message_time: str
    message_code: str
    trigger: str
    control_id: str
    version: str
    charset: str = ""  # MSH-18, first repetition

    @property
    def message_type(self) -> str:
        return f"{self.message_code}^{self.trigger}"


@dataclass(frozen=True)
class Visit:
    patient_class: str  # PV1-2
    ward: str  # PV1-3.1 point of care
    site: str  # PV1-3.4 facility
    admission_type: str  # PV1-4
    prior_ward: str  # PV1-6
    visit_number: str  # the visit key: PV1-19, else PID-18, else derived
    discharge_disposition: str  # PV1-36
    admitted_at: dt.datetime | None  # PV1-44
    discharged_at: dt.datetime | None  # PV1-45
    key_source: str = KEY_PV1_19


@dataclass(frozen=True)
class AdtMessage:
    header: Header
    event: str  # A01 ...
    event_time: dt.datetime  # EVN-6, else EVN-2, else MSH-7
    patient: Patient
    visit: Visit | None = None
    diagnosis_code: str = ""
    diagnosis_display: str = ""
    diagnosis_system: str = ""
    pathway: str = ""  # ZJU-1
    destination: str = ""  # ZJU-2
    merge_local_id: str = ""  # MRG-1 (type MR)
    extra: dict[str, str] = field(default_factory=dict)


def header_parse(text: str) -> tuple[Header, list[Segment]]:
    """Check the envelope: MSH first, standard delimiters, a control id, an
    ADT event we handle. Raises Hl7Problem (AR)."""
    if "\x00" in text:
        raise reject("the message contains NUL characters", "102")
    stripped = text.lstrip("\ufeff\x0b\r\n \t")
    if not stripped.startswith("MSH"):
        raise reject("the message does not start with an MSH segment", "100", "MSH")
    if len(stripped) < 8 or stripped[3] != "|":
        raise reject("wrong field separator in MSH-1: expected '|'", "102", "MSH-1")
    encoding = stripped[4:8]
    if encoding != ENCODING_CHARACTERS:
        raise reject(
            "wrong encoding characters in MSH-2: expected ^~\\& (component, "
            "repetition, escape, subcomponent)",
            "102",
            "MSH-2",
        )
    try:
        segments = segments_split(stripped)
    except SegmentNameError as exc:
        raise reject(str(exc), "100") from None
    msh = segments[0]
    trigger = msh.component(9, 2).upper()
    if not trigger:  # v2.3: the trigger event may travel in EVN-1 only
        evn = next((s for s in segments if s.name == "EVN"), None)
        trigger = evn.component(1).upper() if evn else ""
    header = Header(
        sending_application=msh.component(3),
        sending_facility=msh.component(4),
        receiving_application=msh.component(5),
        receiving_facility=msh.component(6),
        message_time=msh.component(7),
        message_code=msh.component(9, 1).upper(),
        trigger=trigger,
        control_id=msh.field(10).strip(),
        version=msh.component(12),
        charset=msh.field(18).split("~", 1)[0].strip().upper(),
    )
    if not header.control_id:
        raise reject("MSH-10 message control ID is missing", "101", "MSH-10")
    if len(header.control_id) > 100:
        raise reject("MSH-10 message control ID is longer than 100", "102", "MSH-10")
    if not header.sending_facility:
        raise reject("MSH-4 sending facility is missing", "101", "MSH-4")
    if not header.version.startswith("2."):
        raise reject(
            f"MSH-12 version {header.version[:10]!r} is not supported (2.x only)",
            "203",
            "MSH-12",
        )
    if header.message_code != "ADT":
        raise reject(
            f"message type {header.message_code[:10]!r} is not supported (ADT only)",
            "200",
            "MSH-9",
        )
    if header.trigger not in SUPPORTED_EVENTS:
        raise reject(
            f"event {header.trigger[:10]!r} is not supported; supported: "
            + ", ".join(SUPPORTED_EVENTS),
            "201",
            "MSH-9.2",
        )
    return header, segments


def _derived_key(local_id: str, site: str, admitted_at: dt.datetime) -> str:
    """A visit key from what every message of the stay repeats: the hospital
    number, the site and the admit time (to the second, in UTC). Hashed, so the
    key does not show the hospital number."""
    moment = admitted_at.astimezone(dt.UTC).strftime("%Y%m%d%H%M%S")
    digest = hashlib.sha256(f"{local_id}\x1f{site}\x1f{moment}".encode()).hexdigest()
    return f"DK-{digest[:32]}"


def _visit(pv1: Segment, patient: Patient, *, required: bool) -> Visit | None:
    """The visit of PV1; None (only when not `required`) when it has no key."""
    admitted_at = timestamp_parse(pv1.field(44), "PV1-44 admit time")
    discharged_at = timestamp_parse(pv1.field(45), "PV1-45 discharge time")
    site = pv1.component(3, 4)[:20]
    key, source = pv1.component(19), KEY_PV1_19
    if not key and patient.account_number:
        key, source = patient.account_number, KEY_PID_18
    if not key and admitted_at is not None:
        key, source = _derived_key(patient.local_id, site, admitted_at), KEY_DERIVED
    if not key:
        if not required:
            return None
        raise error(
            "PV1-19 visit number is missing, and so are PID-18 patient account "
            "number and PV1-44 admit time, from which the visit could be known",
            "101",
            "PV1-19",
        )
    if len(key) > 80:
        raise error("PV1-19 visit number is longer than 80", "102", "PV1-19")
    return Visit(
        patient_class=pv1.component(2).upper(),
        ward=pv1.component(3, 1)[:100],
        site=site,
        admission_type=pv1.component(4).upper(),
        prior_ward=pv1.component(6, 1)[:100],
        visit_number=key,
        discharge_disposition=pv1.component(36)[:10],
        admitted_at=admitted_at,
        discharged_at=discharged_at,
        key_source=source,
    )


def _merge_local_id(mrg: Segment | None, event: str) -> str:
    if mrg is None:
        raise reject(f"required segment MRG is missing ({event} merge)", "100", "MRG")
    for rep in mrg.repetitions(1):
        type_code = rep[4].upper() if len(rep) > 4 else ""
        if rep and rep[0] and type_code in ("MR", "PI", ""):
            return rep[0][:64]
    raise error(
        "MRG-1 has no prior hospital number (identifier type MR)", "101", "MRG-1"
    )


def adt_parse(text: str) -> AdtMessage:
    """Parse and validate one ADT message; raises Hl7Problem."""
    header, segments = header_parse(text)
    first: dict[str, Segment] = {}
    for seg in segments:
        first.setdefault(seg.name, seg)
    message_time = timestamp_parse(header.message_time, "MSH-7 message time")
    evn = first.get("EVN")
    event_time = None
    if evn is not None:  # EVN-6 when the event occurred, EVN-2 when it was recorded
        event_time = timestamp_parse(evn.field(6), "EVN-6 event occurred")
        event_time = event_time or timestamp_parse(evn.field(2), "EVN-2 event time")
    moment = event_time or message_time
    if moment is None:
        raise error("no event time: EVN-2 and MSH-7 are both empty", "101", "EVN-2")
    pid = first.get("PID")
    if pid is None:
        raise reject("required segment PID is missing", "100", "PID")
    patient = patient_parse(pid, facility=header.sending_facility)
    visit: Visit | None = None
    pv1 = first.get("PV1")
    if header.trigger in VISIT_EVENTS:
        if pv1 is None:
            raise reject(
                f"required segment PV1 is missing (needed for {header.trigger})",
                "100",
                "PV1",
            )
        visit = _visit(pv1, patient, required=True)
    elif header.trigger == "A08" and pv1 is not None:
        visit = _visit(pv1, patient, required=False)
    merge_local_id = ""
    if header.trigger in MERGE_EVENTS:
        merge_local_id = _merge_local_id(first.get("MRG"), header.trigger)
    dg1 = first.get("DG1")
    zju = first.get("ZJU")
    return AdtMessage(
        header=header,
        event=header.trigger,
        event_time=moment,
        patient=patient,
        visit=visit,
        diagnosis_code=dg1.component(3, 1)[:30] if dg1 else "",
        diagnosis_display=dg1.component(3, 2)[:200] if dg1 else "",
        diagnosis_system=dg1.component(3, 3) if dg1 else "",
        pathway=zju.component(1)[:2] if zju else "",
        destination=zju.component(2)[:60] if zju else "",
        merge_local_id=merge_local_id,
    )


__all__ = [
    "KEY_SOURCES",
    "LOCAL_TZ",
    "AdtMessage",
    "Header",
    "Hl7Problem",
    "LocalIdentifier",
    "Patient",
    "Segment",
    "Visit",
    "adt_parse",
    "error",
    "header_parse",
    "reject",
    "timestamp_parse",
]
