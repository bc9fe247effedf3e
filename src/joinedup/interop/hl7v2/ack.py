"""HL7 v2 acknowledgements (original mode, HL7 v2.5 chapter 2): MSA-1 AA / AE /
AR, MSA-2 the message's control id, MSA-3 the reason, and, when not accepted, an
ERR segment: ERR-2 error location (ERL: segment ^ sequence ^ field ^ repetition ^
component, e.g. PID^1^3), ERR-3 the HL7 error code (table 0357), ERR-4 severity
E, ERR-8 the reason for a person to read. Senders of v2.3 and v2.4 read ERR-1
(ELD: segment ^ sequence ^ field ^ code), filled for them too. MSH-18 repeats
the character set of the message answered, in which the ACK is encoded."""

from __future__ import annotations

import itertools
import os
import re

from django.utils import timezone

from joinedup.interop.hl7v2.parse import Header

_counter = itertools.count(1)
_PREFIX = f"JU{os.getpid() % 100000:05d}"
# HL7 table 0357, message error condition codes.
ERROR_TEXT = {
    "0": "Message accepted",
    "100": "Segment sequence error",
    "101": "Required field missing",
    "102": "Data type error",
    "103": "Table value not found",
    "200": "Unsupported message type",
    "201": "Unsupported event code",
    "202": "Unsupported processing id",
    "203": "Unsupported version id",
    "204": "Unknown key identifier",
    "205": "Duplicate key identifier",
    "206": "Application record locked",
    "207": "Application internal error",
}
# "PID-3", "PID-3(2)" (second repetition), "PV1-3.4" (fourth component).
_LOCATION = re.compile(r"^([A-Z][A-Z0-9]{2})(?:-(\d+)(?:\((\d+)\))?(?:\.(\d+))?)?$")


def _clean(value: str, limit: int = 200) -> str:
    """A value safe inside one field of the ACK (no delimiters, one line)."""
    for ch in "|^~\\&\r\n\x0b\x1c":
        value = value.replace(ch, " ")
    return value[:limit]


def error_location(location: str) -> list[str]:
    """The components of ERR-2 (ERL) for a location such as "PID-3(2)"."""
    match = _LOCATION.match(location.strip())
    if match is None:
        return []
    segment, position, repetition, component = match.groups()
    parts = [segment, "1"]
    if position:
        parts.append(position)
        if repetition or component:
            parts.append(repetition or "1")
        if component:
            parts.append(component)
    return parts


def _older_than_25(version: str) -> bool:
    match = re.match(r"^2\.(\d+)", version)
    return match is not None and int(match[1]) < 5


def ack_build(
    header: Header | None,
    code: str,
    reason: str = "",
    *,
    error_code: str = "",
    location: str = "",
) -> str:
    """The ACK message text, segments separated by carriage returns."""
    now = timezone.now().strftime("%Y%m%d%H%M%S+0000")
    h = header
    trigger = _clean(h.trigger, 3) if h else ""
    version = _clean(h.version, 8) if h and h.version else "2.4"
    fields = [
        "MSH",
        "^~\\&",
        "JOINEDUP",
        "JOINEDUP",
        _clean(h.sending_application, 40) if h else "",
        _clean(h.sending_facility, 40) if h else "",
        now,
        "",
        f"ACK^{trigger}^ACK" if trigger else "ACK",
        f"{_PREFIX}{next(_counter):09d}",
        "P",
        version,
    ]
    if h is not None and h.charset:
        fields += ["", "", "", "", "", _clean(h.charset, 20)]
    msa = f"MSA|{code}|{_clean(h.control_id, 100) if h else ''}|{_clean(reason)}"
    segments = ["|".join(fields), msa]
    if code != "AA" and reason:
        err_code = error_code or "207"
        text = ERROR_TEXT.get(err_code, "Application internal error")
        erl = error_location(location)
        eld = ""
        if erl and _older_than_25(version):  # ELD: segment^sequence^field^code
            eld = "^".join([*[*erl, ""][:3], f"{err_code}&{text}&HL70357"])
        segments.append(
            f"ERR|{eld}|{'^'.join(erl)}|{err_code}^{text}^HL70357|E||||"
            f"{_clean(reason, 500)}"
        )
    return "\r".join(segments)


def ack_code_of(ack: str) -> str:
    """MSA-1 of an ACK (for clients and tests)."""
    for segment in ack.replace("\n", "\r").split("\r"):
        if segment.startswith("MSA|"):
            return segment.split("|")[1]
    return ""


def ack_error_location(ack: str) -> str:
    """ERR-2 of an ACK, e.g. "PID^1^3" (for clients and tests)."""
    for segment in ack.replace("\n", "\r").split("\r"):
        if segment.startswith("ERR|"):
            parts = segment.split("|")
            return parts[2] if len(parts) > 2 else ""
    return ""
