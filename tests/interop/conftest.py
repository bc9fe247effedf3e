"""Fixtures for the interoperability tests: ADT builders. (Fresh look-up caches
for every test are in tests/conftest.py.)"""

from __future__ import annotations

from tests.factories import valid_nhs_number

NHS = valid_nhs_number(4242)


def adt(
    trigger: str = "A01",
    control_id: str = "MSG1",
    *,
    mrn: str = "M100",
    nhs: str | None = NHS,
    nhs_status: str = "01",
    family: str = "Thornton",
    given: str = "Margaret",
    dob: str = "19410203",
    visit: str = "V1",
    ward: str = "Elm Ward",
    facility: str = "RJU",
    when: str = "20260110093000+0000",
    extra: str = "",
    pv1: bool = True,
    mrg: str = "",
) -> str:
    """An ADT message like the acute trust's PAS sends (synth/writers_hl7.py)."""
    structure = {"A02": "ADT_A02", "A03": "ADT_A03", "A40": "ADT_A39"}.get(
        trigger, "ADT_A01"
    )
    ids = f"{mrn}^^^RJU^MR" + (f"~{nhs}^^^NHS^NH" if nhs else "")
    pid = ["PID", "1", "", ids, "", f"{family}^{given}", "", dob, "F", "", "",
           "1 High Street^^Joinedup^^JU1 1AA^GBR^H", "", "", "", "", "", "", "",
           "", "", "", "", "", "", "", "", "", "", "", "", "", nhs_status]  # fmt: skip
    segments = [
        f"MSH|^~\\&|PAS|{facility}|JOINEDUP|JOINEDUP|{when}||ADT^{trigger}^{structure}"
        f"|{control_id}|P|2.4|||AL|NE|GBR|UNICODE UTF-8",
        f"EVN|{trigger}|{when}",
        "|".join(pid),
    ]
    if mrg:
        segments.append(f"MRG|{mrg}^^^RJU^MR")
    if pv1:
        fields = [""] * 46
        fields[0], fields[1], fields[2] = "PV1", "1", "I"
        fields[3] = f"{ward}^^^RJU01"
        fields[4] = "E"
        fields[6] = "AMU^^^RJU01" if trigger == "A02" else ""
        fields[19] = visit
        fields[44] = when if trigger == "A01" else ""
        fields[45] = when if trigger == "A03" else ""
        segments.append("|".join(fields).rstrip("|"))
    if trigger == "A03":
        segments.append("ZJU|1|home_with_support")
    if extra:
        segments.append(extra)
    return "\r".join(segments)
