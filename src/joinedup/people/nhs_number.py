"""NHS number rules (DESIGN 4.1): 10 digits, shown 3-3-4, Modulus 11 check digit."""

from __future__ import annotations

import re

NHS_NUMBER_SYSTEM = "https://fhir.nhs.uk/Id/nhs-number"
TEST_RANGE = (9_990_000_000, 9_999_999_999)  # DESIGN 4.1: synthetic/test numbers

_SEPARATORS = re.compile(r"[\s-]")


def nhs_number_check_digit(first_nine: str) -> int | None:
    """The Modulus 11 check digit for nine digits, or None when the remainder makes
    the number invalid (check value 10). DESIGN 4.1: weights 10..2, sum mod 11,
    check = 11 - remainder; 11 means 0; 10 means invalid."""
    if len(first_nine) != 9 or not first_nine.isdigit():
        raise ValueError("need exactly nine digits")
    total = sum(int(d) * w for d, w in zip(first_nine, range(10, 1, -1), strict=True))
    check = 11 - (total % 11)
    if check == 11:
        return 0
    if check == 10:
        return None
    return check


def nhs_number_parse(raw: str) -> str:
    """Normalise an NHS number typed or sent by a system ("943 476 5919",
    "943-476-5919") to its 10 digits, or raise ValueError saying what is wrong."""
    digits = _SEPARATORS.sub("", raw or "")
    if not digits:
        raise ValueError("NHS number is empty")
    if not digits.isdigit():
        raise ValueError("NHS number must contain only digits")
    if len(digits) != 10:
        raise ValueError(f"NHS number must be 10 digits; got {len(digits)}")
    expected = nhs_number_check_digit(digits[:9])
    if expected is None:
        raise ValueError(
            f"NHS number {nhs_number_format(digits)} is not valid: its first nine "
            "digits cannot have a check digit"
        )
    if expected != int(digits[9]):
        raise ValueError(
            f"NHS number {nhs_number_format(digits)} is not valid: "
            "the check digit does not match"
        )
    return digits


def nhs_number_is_valid(raw: str) -> bool:
    try:
        nhs_number_parse(raw)
    except ValueError:
        return False
    return True


def nhs_number_format(digits: str) -> str:
    """Show an NHS number 3-3-4 ("943 476 5919"); anything else is returned as is."""
    if len(digits) == 10 and digits.isdigit():
        return f"{digits[:3]} {digits[3:6]} {digits[6:]}"
    return digits


def nhs_number_looks_like(raw: str) -> bool:
    """True when a search term is meant as an NHS number: only digits and
    separators, with at least nine digits."""
    digits = _SEPARATORS.sub("", raw or "")
    return digits.isdigit() and len(digits) >= 9 and len(digits) <= 12
