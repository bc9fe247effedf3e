"""Where CHC meets who pays: the one place the CHC services call the care
package side (funding/services/packages.py and funding/selectors/ledger.py).

- `package_funding_move`: a decision, interim funding or a dispute outcome
  moves every current care package of the person to the outcome's funding
  from its effective date (packages.funding_change_for_person).
- `person_costs`: what each partner pays for the person's packages over a
  period under the funding in force (ledger.person_cost_by_funder); the
  reimbursement after a dispute is the difference between before and after
  the outcome's funding is applied."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from joinedup.funding.models.chc import Outcome, Payer
from joinedup.governance.access import Actor

# CHC outcome (DESIGN 4.3) -> the package side's funder.
OUTCOME_FUNDER = {
    Outcome.CHC: "nhs_chc",
    Outcome.FNC: "nhs_fnc",
    Outcome.JOINT: "joint",
    Outcome.SOCIAL_CARE: "council",
}
# Interim payer -> funder.
PAYER_FUNDER = {Payer.NHS: "nhs_chc", Payer.COUNCIL: "council", Payer.SHARED: "joint"}


def package_funding_move(
    *,
    actor: Actor,
    person_id: int,
    funder: str,
    nhs_share_percent: int | None,
    effective_from: dt.date,
    reason: str,
    source_ref: str,
) -> int:
    """Move the person's current care packages to `funder` from
    `effective_from`, inside the caller's transaction (the caller has opened
    the record). Returns how many packages moved."""
    from joinedup.funding.services.packages import funding_change_for_person

    splits = funding_change_for_person(
        actor=actor,
        person_id=person_id,
        effective_from=effective_from,
        funder=funder,
        nhs_share_percent=(
            Decimal(nhs_share_percent)
            if funder == "joint" and nhs_share_percent
            else None
        ),
        reason=reason[:200],
        source_ref=source_ref[:100],
        check_access=False,
    )
    return len(splits)


def person_costs(*, person_id: int, start: dt.date, end: dt.date) -> dict[str, Decimal]:
    """Keys "nhs" (CHC + FNC), "council", "person", "unassigned", "total"."""
    from joinedup.funding.selectors.ledger import person_cost_by_funder

    return person_cost_by_funder(person_id=person_id, start=start, end=end)
