"""Parse and validate HL7 v2 ADT messages (DESIGN 4.8) into plain data.

Every problem becomes an `Hl7Problem` with the acknowledgement code to answer
(AR: rejected, bad structure or unsupported; AE: application error, bad content),
an HL7 table 0357 error code, the location (e.g. "PID-7") and a reason. Reasons
never contain the values of patient fields (names, NHS numbers, dates of birth):
they travel in logs and ACKs.

Segments and fields are split here rather than with `hl7.parse`, which builds a
container per field and costs about 0.35 ms a message (a third of the MLLP budget,
see docs/benchmarks.md); `hl7` does the MLLP framing and `hl7.util` nothing else.
Only the standard delimiters are accepted (MSH-1 "|", MSH-2 "^~\\&").
"""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass, field

from joinedup.people.nhs_number import nhs_number_check_digit

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
    "A40": "merge patient",
}
VISIT_EVENTS = frozenset({"A01", "A02", "A03", "A04", "A05", "A11", "A12", "A13"})
# HL7 v2 timestamps without an offset are the sender's local time.
LOCAL_TZ = zoneinfo.ZoneInfo("Europe/London")
_TS = re.compile(
    r"^(\d{4})(\d{2})(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:\.\d{1,4})?)?)?)?"
    r"([+-]\d{4})?$"
)
_SEX = {"M": "male", "F": "female", "O": "other", "U": "unknown", "A": "other"}
_NHS_STATUSES = frozenset(f"0{n}" for n in range(1, 9))
_ESCAPES = {"F": "|", "S": "^", "T": "&", "R": "~", "E": "\\"}


class Hl7Problem(Exception):
    """Why a message cannot be applied. `ack_code` AR (reject) or AE (error);
    `error_code` from HL7 table 0357 (100 segment sequence error, 101 required
    field missing, 102 data type error, 103 table value not found, 200 unsupported
    message type, 201 unsupported event code, 203 unsupported version, 204 unknown
    key identifier, 207 application internal error)."""

    def __init__(
        self, reason: str, *, ack_code: str = "AE", error_code: str = "207",
        location: str = "",
    ) -> None:  # fmt: skip
        super().__init__(reason)
        self.reason = reason
        self.ack_code = ack_code
        self.error_code = error_code
        self.location = location


def reject(reason: str, code: str, location: str = "") -> Hl7Problem:
    return Hl7Problem(reason, ack_code="AR", error_code=code, location=location)


def error(reason: str, code: str, location: str = "") -> Hl7Problem:
    return Hl7Problem(reason, ack_code="AE", error_code=code, location=location)


def unescape(value: str) -> str:
    if "\\" not in value:
        return value
    out: list[str] = []
    i = 0
    while i < len(value):
        ch = value[i]
        end = value.find("\\", i + 1) if ch == "\\" else -1
        if ch == "\\" and end > i:
            seq = value[i + 1 : end]
            if seq in _ESCAPES:
                out.append(_ESCAPES[seq])
            elif seq.startswith("X") and len(seq) % 2 == 1:
                try:
                    out.append(bytes.fromhex(seq[1:]).decode("latin-1"))
                except ValueError:
                    out.append("")
            elif seq in (".br", "H", "N"):
                out.append(" " if seq == ".br" else "")
            i = end + 1
            continue
        out.append(ch)
        i += 1
    return "".join(out)


@dataclass(frozen=True)
class Segment:
    name: str
    fields: list[str]  # fields[n] is SEG-n; for MSH, fields[1] is MSH-1 "|"

    def field(self, n: int) -> str:
        return self.fields[n] if n < len(self.fields) else ""

    def components(self, n: int, repetition: int = 0) -> list[str]:
        reps = self.field(n).split("~")
        if repetition >= len(reps):
            return []
        return [unescape(c.split("&")[0]) for c in reps[repetition].split("^")]

    def component(self, n: int, c: int = 1) -> str:
        comps = self.components(n)
        return comps[c - 1].strip() if c - 1 < len(comps) else ""

    def repetitions(self, n: int) -> list[list[str]]:
        raw = self.field(n)
        if not raw:
            return []
        return [
            [unescape(c.split("&")[0]).strip() for c in rep.split("^")]
            for rep in raw.split("~")
        ]


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

    @property
    def message_type(self) -> str:
        return f"{self.message_code}^{self.trigger}"


@dataclass(frozen=True)
class Patient:
    local_id: str  # PID-3 type MR
    nhs_number: str | None  # PID-3 type NH, validated (DESIGN 4.1)
    nhs_number_status: str  # PID-32, UK Core code
    family_name: str
    given_name: str
    birth_date: dt.date
    sex: str
    address_line: str
    postcode: str
    phone: str


@dataclass(frozen=True)
class Visit:
    patient_class: str  # PV1-2
    ward: str
    site: str
    admission_type: str  # PV1-4
    prior_ward: str  # PV1-6
    visit_number: str  # PV1-19
    discharge_disposition: str  # PV1-36
    admitted_at: dt.datetime | None  # PV1-44
    discharged_at: dt.datetime | None  # PV1-45


@dataclass(frozen=True)
class AdtMessage:
    header: Header
    event: str  # A01 ...
    event_time: dt.datetime  # EVN-2, else MSH-7
    patient: Patient
    visit: Visit | None = None
    diagnosis_code: str = ""
    diagnosis_display: str = ""
    diagnosis_system: str = ""
    pathway: str = ""  # ZJU-1
    destination: str = ""  # ZJU-2
    merge_local_id: str = ""  # MRG-1 (type MR)
    extra: dict[str, str] = field(default_factory=dict)


def segments_split(text: str) -> list[Segment]:
    lines = text.replace("\r\n", "\r").replace("\n", "\r").split("\r")
    segments: list[Segment] = []
    for line in lines:
        line = line.strip("\x00 \t")
        if not line:
            continue
        name = line[:3]
        if not (len(name) == 3 and name.isalnum() and name[0].isalpha()):
            raise reject(
                f"segment {len(segments) + 1} has no valid segment name", "100"
            )
        if name == "MSH":
            # MSH-1 is the field separator itself: keep the numbering of the standard.
            parts = line.split("|")
            segments.append(Segment(name, ["MSH", "|", *parts[1:]]))
        else:
            segments.append(Segment(name, line.split("|")))
    return segments


def header_parse(text: str) -> tuple[Header, list[Segment]]:
    """Check the envelope: MSH first, standard delimiters, a control id, an
    ADT event we handle. Raises Hl7Problem (AR)."""
    if "\x00" in text:
        raise reject("the message contains NUL characters", "102")
    stripped = text.lstrip("\x0b\r\n \t")
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
    segments = segments_split(stripped)
    msh = segments[0]
    header = Header(
        sending_application=msh.component(3),
        sending_facility=msh.component(4),
        receiving_application=msh.component(5),
        receiving_facility=msh.component(6),
        message_time=msh.component(7),
        message_code=msh.component(9, 1),
        trigger=msh.component(9, 2),
        control_id=msh.field(10).strip(),
        version=msh.component(12),
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
            "MSH-9",
        )
    return header, segments


def timestamp_parse(value: str, location: str) -> dt.datetime | None:
    """An HL7 TS (YYYYMMDD[HH[MM[SS[.S]]]][+/-ZZZZ]) as an aware datetime; None when
    empty; Hl7Problem (AE, 102) when not a valid timestamp."""
    value = value.strip()
    if not value:
        return None
    match = _TS.match(value)
    if match is None:
        raise error(
            f"{location} {value[:30]!r} is not an HL7 timestamp", "102", location
        )
    year, month, day, hour, minute, second, offset = match.groups()
    try:
        tz: dt.tzinfo = LOCAL_TZ
        if offset:
            sign = 1 if offset[0] == "+" else -1
            hours, minutes = int(offset[1:3]), int(offset[3:5])
            if hours > 14 or minutes > 59:
                raise ValueError("offset")
            tz = dt.timezone(sign * dt.timedelta(hours=hours, minutes=minutes))
        return dt.datetime(
            int(year), int(month), int(day), int(hour or 0), int(minute or 0),
            int(second or 0), tzinfo=tz,
        )  # fmt: skip
    except ValueError:
        raise error(
            f"{location} {value[:30]!r} is not a valid date and time", "102", location
        ) from None


def _birth_date(value: str) -> dt.date:
    value = value.strip()
    if not value:
        raise error("PID-7 date of birth is missing", "101", "PID-7")
    match = _TS.match(value)
    try:
        if match is None:
            raise ValueError
        born = dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise error("PID-7 date of birth is not a valid date", "102", "PID-7") from None
    if born.year < 1880:
        raise error("PID-7 date of birth is before 1880", "102", "PID-7")
    return born


def _nhs_number(raw: str) -> str:
    """Validate an NHS number (DESIGN 4.1) with a reason that does not repeat it."""
    digits = raw.replace(" ", "").replace("-", "")
    where = "PID-3 NHS number (identifier type NH)"
    if not digits.isdigit():
        raise error(f"{where} must contain only digits", "102", "PID-3")
    if len(digits) != 10:
        raise error(f"{where} must be 10 digits; got {len(digits)}", "102", "PID-3")
    check = nhs_number_check_digit(digits[:9])
    if check is None or check != int(digits[9]):
        raise error(
            f"{where} fails the Modulus 11 check digit (DESIGN 4.1)", "102", "PID-3"
        )
    return digits


def _patient(pid: Segment) -> Patient:
    local_id = ""
    nhs_number: str | None = None
    for rep in pid.repetitions(3):
        value = rep[0] if rep else ""
        id_type = rep[4] if len(rep) > 4 else ""
        if id_type == "MR" and value and not local_id:
            local_id = value
        elif id_type == "NH" and value:
            nhs_number = _nhs_number(value)
    if not local_id:
        raise error(
            "PID-3 has no hospital number (an identifier of type MR)", "101", "PID-3"
        )
    if len(local_id) > 64:
        raise error("PID-3 hospital number is longer than 64", "102", "PID-3")
    family, given = pid.component(5, 1), pid.component(5, 2)
    if not family and not given:
        raise error("PID-5 patient name is missing", "101", "PID-5")
    status = pid.component(32)
    if nhs_number is None:
        status = "07"
    elif not status:
        status = "02"  # not said to be verified: treat as not traced
    elif status not in _NHS_STATUSES:
        raise error(
            "PID-32 NHS number verification status must be 01-08", "103", "PID-32"
        )
    address = pid.components(11)
    street = address[0] if address else ""
    other = address[1] if len(address) > 1 else ""
    line = ", ".join(p for p in (street, other) if p)
    return Patient(
        local_id=local_id,
        nhs_number=nhs_number,
        nhs_number_status=status,
        family_name=family[:100],
        given_name=given[:100],
        birth_date=_birth_date(pid.field(7)),
        sex=_SEX.get(pid.component(8), "unknown"),
        address_line=line[:300],
        postcode=(address[4].strip() if len(address) > 4 else "")[:10],
        phone=pid.component(13)[:30],
    )


def _visit(pv1: Segment) -> Visit:
    visit_number = pv1.component(19)
    if not visit_number:
        raise error("PV1-19 visit number is missing", "101", "PV1-19")
    if len(visit_number) > 80:
        raise error("PV1-19 visit number is longer than 80", "102", "PV1-19")
    return Visit(
        patient_class=pv1.component(2),
        ward=pv1.component(3, 1)[:100],
        site=pv1.component(3, 4)[:20],
        admission_type=pv1.component(4),
        prior_ward=pv1.component(6, 1)[:100],
        visit_number=visit_number,
        discharge_disposition=pv1.component(36)[:10],
        admitted_at=timestamp_parse(pv1.field(44), "PV1-44 admit time"),
        discharged_at=timestamp_parse(pv1.field(45), "PV1-45 discharge time"),
    )


def adt_parse(text: str) -> AdtMessage:
    """Parse and validate one ADT message; raises Hl7Problem."""
    header, segments = header_parse(text)
    first: dict[str, Segment] = {}
    for seg in segments:
        first.setdefault(seg.name, seg)
    message_time = timestamp_parse(header.message_time, "MSH-7 message time")
    evn = first.get("EVN")
    event_time = timestamp_parse(evn.field(2), "EVN-2 event time") if evn else None
    moment = event_time or message_time
    if moment is None:
        raise error("no event time: EVN-2 and MSH-7 are both empty", "101", "EVN-2")
    pid = first.get("PID")
    if pid is None:
        raise reject("required segment PID is missing", "100", "PID")
    patient = _patient(pid)
    visit: Visit | None = None
    pv1 = first.get("PV1")
    if header.trigger in VISIT_EVENTS:
        if pv1 is None:
            raise reject(
                f"required segment PV1 is missing (needed for {header.trigger})",
                "100",
                "PV1",
            )
        visit = _visit(pv1)
    merge_local_id = ""
    if header.trigger == "A40":
        mrg = first.get("MRG")
        if mrg is None:
            raise reject("required segment MRG is missing (A40 merge)", "100", "MRG")
        for rep in mrg.repetitions(1):
            if rep and rep[0] and (len(rep) < 5 or rep[4] in ("MR", "")):
                merge_local_id = rep[0]
                break
        if not merge_local_id:
            raise error(
                "MRG-1 has no prior hospital number (identifier type MR)",
                "101",
                "MRG-1",
            )
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
