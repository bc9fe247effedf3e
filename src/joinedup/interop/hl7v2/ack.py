"""HL7 v2 acknowledgements (original mode): MSA-1 AA / AE / AR, MSA-2 the message's
control id, MSA-3 the reason, and an ERR segment (v2.5 layout) when not accepted."""

from __future__ import annotations

import itertools
import os

from django.utils import timezone

from joinedup.interop.hl7v2.parse import Header

_counter = itertools.count(1)
_PREFIX = f"JU{os.getpid() % 100000:05d}"


def _clean(value: str, limit: int = 200) -> str:
    """A value safe inside one field of the ACK (no delimiters, one line)."""
    for ch in "|^~\\&\r\n\x0b\x1c":
        value = value.replace(ch, " ")
    return value[:limit]


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
    msh = "|".join(
        [
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
            _clean(h.version, 8) if h and h.version else "2.4",
        ]
    )
    msa = f"MSA|{code}|{_clean(h.control_id, 100) if h else ''}|{_clean(reason)}"
    segments = [msh, msa]
    if code != "AA" and reason:
        where = _clean(location, 20).replace("-", "^")
        segments.append(
            f"ERR||{where}|{error_code or '207'}^{_clean(reason, 80)}^HL70357|E||||"
            f"{_clean(reason, 500)}"
        )
    return "\r".join(segments)


def ack_code_of(ack: str) -> str:
    """MSA-1 of an ACK (for clients and tests)."""
    for segment in ack.replace("\n", "\r").split("\r"):
        if segment.startswith("MSA|"):
            return segment.split("|")[1]
    return ""
