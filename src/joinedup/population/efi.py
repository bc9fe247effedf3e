"""The electronic Frailty Index (eFI; Clegg et al., Age and Ageing 2016; DESIGN
4.5): 36 deficits, score = deficits present / 36; fit up to 0.12, mild up to
0.24, moderate up to 0.36, severe above."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from joinedup.errors import InvalidInput

DEFICITS = (
    "activity_limitation",
    "anaemia",
    "arthritis",
    "atrial_fibrillation",
    "cerebrovascular_disease",
    "chronic_kidney_disease",
    "diabetes",
    "dizziness",
    "dyspnoea",
    "falls",
    "foot_problems",
    "fragility_fracture",
    "hearing_impairment",
    "heart_failure",
    "heart_valve_disease",
    "housebound",
    "hypertension",
    "hypotension_syncope",
    "ischaemic_heart_disease",
    "memory_cognitive_problems",
    "mobility_transfer_problems",
    "osteoporosis",
    "parkinsonism_tremor",
    "peptic_ulcer",
    "peripheral_vascular_disease",
    "polypharmacy",
    "requirement_for_care",
    "respiratory_disease",
    "skin_ulcer",
    "sleep_disturbance",
    "social_vulnerability",
    "thyroid_disease",
    "urinary_incontinence",
    "urinary_system_disease",
    "visual_impairment",
    "weight_loss_anorexia",
)
assert len(DEFICITS) == 36  # noqa: S101 - the index is defined over 36 deficits

CATEGORIES = (("fit", 0.12), ("mild", 0.24), ("moderate", 0.36))


@dataclass(frozen=True)
class EfiResult:
    score: float
    category: str
    deficits: list[str]


def efi_category(score: float) -> str:
    for name, upper in CATEGORIES:
        if score <= upper + 1e-12:
            return name
    return "severe"


def efi_evaluate(deficits: Iterable[str]) -> EfiResult:
    """Score a set of deficit keys; each counts once; unknown keys are refused."""
    given = list(dict.fromkeys(deficits))
    unknown = [d for d in given if d not in DEFICITS]
    if unknown:
        raise InvalidInput(
            f"deficits: unknown deficit{'s' if len(unknown) > 1 else ''} "
            f"{', '.join(repr(u) for u in unknown)}",
            fields={"deficits": f"unknown: {', '.join(unknown)}"},
        )
    counted = [d for d in DEFICITS if d in given]
    score = round(len(counted) / len(DEFICITS), 4)
    return EfiResult(score, efi_category(len(counted) / len(DEFICITS)), counted)
