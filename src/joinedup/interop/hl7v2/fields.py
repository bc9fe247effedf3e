"""What every part of the HL7 v2 parser shares: the problem a message has (with its
acknowledgement code, HL7 table 0357 error code and location) and timestamps."""

from __future__ import annotations

import datetime as dt
import re
import zoneinfo

# HL7 v2 timestamps without an offset are the sender's local time.
LOCAL_TZ = zoneinfo.ZoneInfo("Europe/London")
TS = re.compile(
    r"^(\d{4})(\d{2})(\d{2})(?:(\d{2})(?:(\d{2})(?:(\d{2})(?:\.\d{1,4})?)?)?)?"
    r"([+-]\d{4})?$"
)


class Hl7Problem(Exception):
    """Why a message cannot be applied. `ack_code` AR (reject) or AE (error);
    `error_code` from HL7 table 0357 (100 segment sequence error, 101 required
    field missing, 102 data type error, 103 table value not found, 200 unsupported
    message type, 201 unsupported event code, 203 unsupported version, 204 unknown
    key identifier, 207 application internal error); `location` the field, as
    "PID-3", "PID-3(2)" (its second repetition) or "PV1-3.4" (a component)."""

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


def timestamp_parse(value: str, location: str) -> dt.datetime | None:
    """An HL7 TS (YYYYMMDD[HH[MM[SS[.S]]]][+/-ZZZZ]) as an aware datetime; None when
    empty; Hl7Problem (AE, 102) when not a valid timestamp. `location` names the
    field ("PV1-44 admit time"); its first word is the ERR location."""
    value = value.strip()
    if not value or value == '""':
        return None
    where = location.split(" ", 1)[0]
    match = TS.match(value)
    if match is None:
        raise error(f"{location} {value[:30]!r} is not an HL7 timestamp", "102", where)
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
            f"{location} {value[:30]!r} is not a valid date and time", "102", where
        ) from None
