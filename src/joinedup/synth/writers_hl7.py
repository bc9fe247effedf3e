"""HL7 v2.4 ADT messages for the acute trust's PAS extract (DESIGN 4.8).

One person's PAS record becomes: A28 (add person) when the record is first used, A08
(update) when a person who moved had their address updated, then A04 (A&E
registration), A01 (admit), A02 (transfer) and A03 (discharge) for its events.

Message layout (one message per line, segments separated by carriage returns):

- MSH-3 "PAS", MSH-4 the trust's ODS code, MSH-7 message time, MSH-9 type, MSH-10 the
  event's source id (registration "R" + MRN, update "U" + MRN + "-" + n), MSH-12 2.4,
  MSH-18 "UNICODE UTF-8".
- PID-3 MRN^^^<trust>^MR and, when known, NHS number^^^NHS^NH; PID-5 family^given;
  PID-7 YYYYMMDD; PID-8 M/F/O/U; PID-11 line^^town^^postcode^GBR^H; PID-13 phone;
  PID-32 NHS number verification status (UK Core code, e.g. "01").
- PV1-2 class (E emergency department, I inpatient); PV1-3 ward^^^site; PV1-4
  admission type (E emergency, C elective); PV1-6 prior location (A02); PV1-19 visit
  number (the admission's or attendance's source id); PV1-36 discharge disposition
  (NHS Data Dictionary discharge destination); PV1-44/45 admit/discharge time.
- DG1-3 SNOMED CT code^display^SCT of the admission reason or presenting complaint.
- ZJU (JoinedUp, on A03 only): ZJU-1 Discharge to Assess pathway (0-3), ZJU-2
  destination key.
"""

from __future__ import annotations

import datetime as dt

from joinedup.synth import catalogue as cat
from joinedup.synth.area import AddressSpec, EventSpec, PersonSpec, SourceRecordSpec

_SEX = {"male": "M", "female": "F", "other": "O", "unknown": "U"}
_TRIGGER = {
    "ae_attendance": "A04",
    "admission": "A01",
    "transfer": "A02",
    "discharge": "A03",
}
_STRUCTURE = {"A04": "ADT_A01", "A01": "ADT_A01", "A02": "ADT_A02", "A03": "ADT_A03"}
_STRUCTURE.update({"A28": "ADT_A05", "A08": "ADT_A01"})


def hl7_escape(value: str) -> str:
    """Escape HL7 v2 delimiters in a field value (the escape character first)."""
    if not value:
        return ""
    if any(c in value for c in "\\|^&~\r\n"):
        value = (
            value.replace("\\", "\\E\\")
            .replace("|", "\\F\\")
            .replace("^", "\\S\\")
            .replace("&", "\\T\\")
            .replace("~", "\\R\\")
            .replace("\r", " ")
            .replace("\n", " ")
        )
    return value


def hl7_timestamp(moment: dt.datetime) -> str:
    """A TS value in UTC, e.g. 20240131143000+0000."""
    return moment.astimezone(dt.UTC).strftime("%Y%m%d%H%M%S+0000")


def _msh(org_code: str, moment: dt.datetime, trigger: str, control_id: str) -> str:
    return (
        f"MSH|^~\\&|PAS|{org_code}|JOINEDUP|JOINEDUP|{hl7_timestamp(moment)}||"
        f"ADT^{trigger}^{_STRUCTURE[trigger]}|{hl7_escape(control_id)}|P|2.4|||AL|NE|"
        "GBR|UNICODE UTF-8"
    )


def _pid(record: SourceRecordSpec, org_code: str, address: AddressSpec) -> str:
    ids = f"{hl7_escape(record.local_id)}^^^{org_code}^MR"
    if record.nhs_number:
        ids += f"~{record.nhs_number}^^^NHS^NH"
    name = f"{hl7_escape(record.family_name)}^{hl7_escape(record.given_name)}"
    xad = (
        f"{hl7_escape(address.line)}^^{cat.TOWN}^^{hl7_escape(address.postcode)}^GBR^H"
    )
    phone = ""
    if record.phone:
        use = "CP" if record.phone.startswith("07") else "PH"
        phone = f"{hl7_escape(record.phone)}^PRN^{use}"
    fields = [""] * 33
    fields[0] = "PID"
    fields[1] = "1"
    fields[3] = ids
    fields[5] = name
    fields[7] = record.birth_date.strftime("%Y%m%d")
    fields[8] = _SEX.get(record.sex, "U")
    fields[11] = xad
    fields[13] = phone
    fields[32] = record.nhs_number_status
    return "|".join(fields).rstrip("|")


def _pv1(event: EventSpec, admission: EventSpec | None) -> str:
    d = event.detail
    fields = [""] * 46
    fields[0] = "PV1"
    fields[1] = "1"
    if event.kind == "ae_attendance":
        fields[2] = "E"
        fields[3] = f"Emergency Department^^^{d.get('site', 'RJU01')}"
        fields[4] = "E"
        fields[19] = hl7_escape(event.source_id)
        fields[44] = hl7_timestamp(event.occurred_at)
        if event.ended_at is not None:
            fields[45] = hl7_timestamp(event.ended_at)
    else:
        fields[2] = "I"
        fields[3] = f"{hl7_escape(d.get('ward', ''))}^^^{d.get('site', '')}"
        fields[4] = "C" if d.get("admission_method") == "elective" else "E"
        if event.kind == "transfer":
            fields[6] = f"{hl7_escape(d.get('from_ward', ''))}^^^{d.get('site', '')}"
        visit = event.source_id if event.kind == "admission" else d["admission_id"]
        fields[19] = hl7_escape(visit)
        admitted = admission.occurred_at if admission else None
        if event.kind == "admission":
            admitted = event.occurred_at
        if admitted is not None:
            fields[44] = hl7_timestamp(admitted)
        if event.kind == "discharge":
            fields[36] = d.get("destination_code", "")
            fields[45] = hl7_timestamp(event.occurred_at)
    return "|".join(fields).rstrip("|")


def _message(
    trigger: str,
    moment: dt.datetime,
    control_id: str,
    record: SourceRecordSpec,
    org_code: str,
    address: AddressSpec,
    event: EventSpec | None = None,
    admission: EventSpec | None = None,
) -> str:
    segments = [
        _msh(org_code, moment, trigger, control_id),
        f"EVN|{trigger}|{hl7_timestamp(moment)}",
        _pid(record, org_code, address),
    ]
    if event is not None:
        segments.append(_pv1(event, admission))
        if event.code:
            segments.append(
                f"DG1|1||{event.code}^{hl7_escape(event.code_display)}^SCT||"
                f"{hl7_timestamp(event.occurred_at)}|A"
            )
        if event.kind == "discharge":
            segments.append(
                f"ZJU|{event.detail.get('pathway', '')}|"
                f"{hl7_escape(event.detail.get('destination', ''))}"
            )
    return "\r".join(segments)


def adt_messages(
    *,
    person: PersonSpec,
    record: SourceRecordSpec,
    events: list[EventSpec],
    org_code: str,
    area_start: dt.datetime,
) -> list[str]:
    """The ADT messages for one PAS record, oldest first."""
    recorded = AddressSpec(
        record.address_line, record.postcode, person.addresses[0].from_date
    )
    current = person.addresses[-1]
    moved_at: dt.datetime | None = None
    if (
        len(person.addresses) > 1
        and record.postcode == current.postcode
        and record.address_line == current.line
    ):
        # The PAS heard of the move: the old address until then, an A08 on the day.
        moved_at = dt.datetime.combine(current.from_date, dt.time(10), tzinfo=dt.UTC)
        recorded = person.addresses[-2]

    def address_at(moment: dt.datetime) -> AddressSpec:
        if moved_at is not None and moment >= moved_at:
            return current
        return recorded

    if events:
        registered = max(area_start, events[0].occurred_at - dt.timedelta(minutes=5))
    else:
        registered = area_start + dt.timedelta(hours=9)
    out: list[tuple[dt.datetime, str]] = [
        (
            registered,
            _message(
                "A28", registered, f"R{record.local_id}", record, org_code,
                address_at(registered),
            ),
        )
    ]  # fmt: skip
    if moved_at is not None and registered < moved_at:
        out.append(
            (
                moved_at,
                _message(
                    "A08", moved_at, f"U{record.local_id}-1", record, org_code, current
                ),
            )
        )
    admissions = {e.source_id: e for e in events if e.kind == "admission"}
    for event in events:
        trigger = _TRIGGER.get(event.kind)
        if trigger is None:
            continue
        admission = admissions.get(event.detail.get("admission_id", ""))
        out.append(
            (
                event.occurred_at,
                _message(
                    trigger, event.occurred_at, event.source_id, record, org_code,
                    address_at(event.occurred_at), event, admission,
                ),
            )
        )  # fmt: skip
    out.sort(key=lambda item: item[0])
    return [message for _, message in out]
