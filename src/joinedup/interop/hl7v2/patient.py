"""The PID segment: who the message is about (HL7 v2.5 chapter 3, section 3.4.2).

- PID-3 patient identifier list (CX, repeating): the NHS number is the
  repetition of identifier type code (CX.5) NH, or, with no type code, of
  assigning authority (CX.4) NHS or the NHS number OID; the first that passes the
  Modulus 11 check (DESIGN 4.1) is used. The hospital number, by which this
  source system's records find the person again, is the MR (medical record
  number) whose assigning authority is the sending facility, else the first MR,
  else the first PI (patient internal identifier), else the first identifier
  with no type code. Every other identifier is kept as a local identifier.
  Feeds of v2.3 that carry the NHS number in PID-2 (external ID) are read too.
- PID-5 patient name (XPN, repeating): the legal name (name type code XPN.7 L),
  else the first name sent.
- PID-18 patient account number: the visit key when PV1-19 is empty.
- PID-32: the NHS number verification status (NHS table, 01-08); another code
  (HL7 table 0445 identity reliability, e.g. AL alias) says nothing about the
  NHS number, which is then treated as not traced (02).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from joinedup.interop.hl7v2.fields import TS, Hl7Problem, error
from joinedup.interop.hl7v2.text import HL7_NULL, Segment, unescape
from joinedup.people.nhs_number import nhs_number_check_digit

SEX = {"M": "male", "F": "female", "O": "other", "U": "unknown", "A": "other"}
NHS_STATUSES = frozenset(f"0{n}" for n in range(1, 9))
NHS_TYPES = frozenset({"NH", "NHS"})
NHS_AUTHORITIES = frozenset({"NHS", "2.16.840.1.113883.2.1.4.1"})


@dataclass(frozen=True)
class LocalIdentifier:
    value: str
    type_code: str  # CX.5, e.g. PI, MR, AN
    authority: str  # CX.4, e.g. RJU


@dataclass(frozen=True)
class Patient:
    local_id: str  # PID-3: the hospital number (see the module docstring)
    nhs_number: str | None  # PID-3 type NH, validated (DESIGN 4.1)
    nhs_number_status: str  # PID-32, UK Core code
    family_name: str
    given_name: str
    birth_date: dt.date
    sex: str
    address_line: str
    postcode: str
    phone: str
    account_number: str = ""  # PID-18
    other_identifiers: tuple[LocalIdentifier, ...] = ()


@dataclass(frozen=True)
class _Cx:
    value: str
    authority: str  # CX.4 HD: namespace id, else universal id
    authority_ids: frozenset[str]  # every subcomponent of CX.4
    type_code: str
    repetition: int  # 1-based

    @property
    def is_nhs_number(self) -> bool:
        if self.type_code:
            return self.type_code in NHS_TYPES
        return bool(self.authority_ids & NHS_AUTHORITIES)


def _cx_list(pid: Segment, n: int) -> list[_Cx]:
    out: list[_Cx] = []
    raw = pid.field(n)
    if not raw:
        return out
    for i, rep in enumerate(raw.split("~"), start=1):
        comps = rep.split("^")

        def comp(k: int, comps: list[str] = comps) -> str:
            value = (
                unescape(comps[k].split("&", 1)[0]).strip() if k < len(comps) else ""
            )
            return "" if value == HL7_NULL else value

        hd = comps[3].split("&") if len(comps) > 3 else []
        ids = frozenset(unescape(h).strip().upper() for h in hd if h.strip())
        value = comp(0)
        if not value:
            continue
        authority = comp(3) or (unescape(hd[1]).strip() if len(hd) > 1 else "")
        out.append(_Cx(value, authority, ids, comp(4).upper(), i))
    return out


def _nhs_number(raw: str, where: str) -> str:
    """Validate an NHS number (DESIGN 4.1) with a reason that does not repeat it."""
    digits = raw.replace(" ", "").replace("-", "")
    field, _, rep = where.partition("(")
    what = f"{field} NHS number (identifier type NH"
    what += f", repetition {rep.rstrip(')')})" if rep else ")"
    if not digits.isdigit():
        raise error(f"{what} must contain only digits", "102", where)
    if len(digits) != 10:
        raise error(f"{what} must be 10 digits; got {len(digits)}", "102", where)
    check = nhs_number_check_digit(digits[:9])
    if check is None or check != int(digits[9]):
        raise error(
            f"{what} fails the Modulus 11 check digit (DESIGN 4.1)", "102", where
        )
    return digits


def _where(field: str, cx: _Cx, many: bool) -> str:
    return f"{field}({cx.repetition})" if many else field


def _identifiers(
    pid: Segment, facility: str
) -> tuple[str, str | None, tuple[LocalIdentifier, ...]]:
    ids = _cx_list(pid, 3)
    nhs_ids = [cx for cx in ids if cx.is_nhs_number]
    many = len(ids) > 1
    nhs_number: str | None = None
    first_problem: Hl7Problem | None = None
    for cx in nhs_ids:
        try:
            nhs_number = _nhs_number(cx.value, _where("PID-3", cx, many))
            break
        except Hl7Problem as problem:  # try the next repetition
            first_problem = first_problem or problem
    if nhs_number is None and first_problem is not None:
        raise first_problem
    if not nhs_ids:  # v2.3 feeds: the NHS number in PID-2
        for cx in _cx_list(pid, 2):
            if cx.is_nhs_number:
                nhs_number = _nhs_number(cx.value, "PID-2")
                break
    local = [cx for cx in ids if not cx.is_nhs_number]
    ranked = sorted(
        (cx for cx in local if cx.type_code in ("MR", "PI", "")),
        key=lambda cx: (
            {"MR": 0, "PI": 2, "": 3}[cx.type_code]
            - (1 if cx.type_code == "MR" and cx.authority in (facility, "") else 0),
            cx.repetition,
        ),
    )
    if not ranked:
        raise error(
            "PID-3 has no hospital number (an identifier of type MR or PI)",
            "101",
            "PID-3",
        )
    chosen = ranked[0]
    if len(chosen.value) > 64:
        raise error(
            "PID-3 hospital number is longer than 64",
            "102",
            _where("PID-3", chosen, many),
        )
    others = tuple(
        LocalIdentifier(cx.value[:64], cx.type_code[:10], cx.authority[:40])
        for cx in local
        if cx is not chosen
    )
    return chosen.value, nhs_number, others


def _name(pid: Segment) -> tuple[str, str]:
    names = [(r + [""] * 7)[:7] for r in pid.repetitions(5)]
    names = [r for r in names if r[0] or r[1]]
    if not names:
        raise error("PID-5 patient name is missing", "101", "PID-5")
    legal = [r for r in names if r[6].upper() == "L"]
    family, given = (legal or names)[0][:2]
    return family[:100], given[:100]


def _birth_date(value: str) -> dt.date:
    value = value.strip()
    if not value or value == HL7_NULL:
        raise error("PID-7 date of birth is missing", "101", "PID-7")
    match = TS.match(value)
    try:
        if match is None:
            raise ValueError
        born = dt.date(int(match[1]), int(match[2]), int(match[3]))
    except ValueError:
        raise error("PID-7 date of birth is not a valid date", "102", "PID-7") from None
    if born.year < 1880:
        raise error("PID-7 date of birth is before 1880", "102", "PID-7")
    return born


def patient_parse(pid: Segment, *, facility: str) -> Patient:
    """The patient of a PID segment; raises Hl7Problem (AE) naming the field."""
    local_id, nhs_number, others = _identifiers(pid, facility)
    family, given = _name(pid)
    codes = [r[0] for r in pid.repetitions(32) if r and r[0]]
    status = next((c for c in codes if c in NHS_STATUSES), "")
    if nhs_number is None:
        status = "07"  # number not present and trace not required
    elif not status:
        status = "02"  # not said to be verified: treat as not traced
    address = pid.components(11)
    street = address[0] if address else ""
    other = address[1] if len(address) > 1 else ""
    line = ", ".join(p for p in (street, other) if p)
    account = pid.component(18)
    if len(account) > 80:
        raise error("PID-18 patient account number is longer than 80", "102", "PID-18")
    return Patient(
        local_id=local_id,
        nhs_number=nhs_number,
        nhs_number_status=status,
        family_name=family,
        given_name=given,
        birth_date=_birth_date(pid.field(7).split("^", 1)[0]),
        sex=SEX.get(pid.component(8).upper(), "unknown"),
        address_line=line[:300],
        postcode=(address[4] if len(address) > 4 else "")[:10],
        phone=pid.component(13)[:30],
        account_number=account,
        other_identifiers=others,
    )
