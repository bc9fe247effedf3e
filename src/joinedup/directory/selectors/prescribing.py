"""Reading social prescribing: the link worker's waiting referrals and caseload
(people they may see only), one case (the person's record opened and audited),
and a person's cases."""

from __future__ import annotations

from dataclasses import dataclass

from joinedup.coordination.models import Referral, ReferralStatus, ReferralType
from joinedup.coordination.selectors.referrals import referrals_incoming
from joinedup.directory import rules
from joinedup.directory.models import (
    CaseStatus,
    Connection,
    PrescribingCase,
    WellbeingScore,
    WellbeingWhen,
)
from joinedup.errors import NotFound
from joinedup.governance.access import Actor, Decision, people_visible_q
from joinedup.governance.models import AccessCategory, Role
from joinedup.governance.services import audit_record
from joinedup.people.models import Person
from joinedup.people.selectors import PersonAccess, person_access_open


def sp_referrals_waiting(*, actor: Actor) -> list[Referral]:
    """Social prescribing referrals to the link worker's team not yet taken on."""
    if actor.role != Role.SOCIAL_PRESCRIBING_LINK_WORKER:
        return []
    taken = set(
        PrescribingCase.objects.filter(referral__isnull=False).values_list(
            "referral_id", flat=True
        )
    )
    return [
        r
        for r in referrals_incoming(actor=actor, status="open")
        if r.referral_type == ReferralType.SOCIAL_PRESCRIBING
        and r.pk not in taken
        and r.status in (ReferralStatus.SENT, ReferralStatus.ACCEPTED)
    ]


def sp_caseload(*, actor: Actor) -> list[PrescribingCase]:
    """Open cases of the link worker's organisation, of people they may see."""
    if actor.role != Role.SOCIAL_PRESCRIBING_LINK_WORKER:
        return []
    rows = list(
        PrescribingCase.objects.filter(
            organisation_id=actor.organisation_id,
            status=CaseStatus.OPEN,
            person__in=Person.objects.filter(people_visible_q(actor)).values("pk"),
        )
        .select_related("person")
        .order_by("opened_at", "pk")[:500]
    )
    audit_record(
        actor=actor,
        person_id=None,
        action="list_sp_caseload",
        category=AccessCategory.DEMOGRAPHICS,
        decision=Decision(True, f"{len(rows)} cases"),
    )
    return rows


@dataclass
class CaseView:
    access: PersonAccess
    case: PrescribingCase
    connections: list[Connection]
    before: WellbeingScore | None
    after: WellbeingScore | None

    @property
    def change(self) -> dict | None:
        if self.before is None or self.after is None:
            return None
        keys = rules.ONS4_QUESTIONS
        return rules.ons4_change(
            {k: getattr(self.before, k) for k in keys},
            {k: getattr(self.after, k) for k in keys},
        )

    @property
    def rows(self) -> list[tuple[str, int | None, int | None, str]]:
        """Per ONS4 question: the question, before, after, and the change."""
        change = self.change or {}
        out = []
        for key, question in rules.ONS4_QUESTIONS.items():
            c = change.get(key)
            label = ""
            if c is not None:
                label = f"{c['change']:+d}" + (" (better)" if c["improved"] else "")
            out.append(
                (
                    question,
                    getattr(self.before, key) if self.before else None,
                    getattr(self.after, key) if self.after else None,
                    label,
                )
            )
        return out

    @property
    def snomed_term(self) -> str:
        return rules.SNOMED_TERMS.get(self.case.snomed_code, "")


def sp_case_detail(*, actor: Actor, case_id: int) -> CaseView:
    case = (
        PrescribingCase.objects.select_related("referral", "opened_by")
        .filter(pk=case_id)
        .first()
    )
    if case is None:
        raise NotFound(
            f"case: there is no social prescribing case with id {case_id}",
            fields={"case": "no such case"},
        )
    access = person_access_open(actor=actor, person_id=case.person_id, action="sp_case")
    scores = {w.when: w for w in case.wellbeing.all()}
    connections = list(
        case.connections.select_related(
            "service", "service__organization", "referral"
        ).order_by("connected_at")
    )
    return CaseView(
        access,
        case,
        connections,
        scores.get(WellbeingWhen.BEFORE),
        scores.get(WellbeingWhen.AFTER),
    )


def sp_person_cases(
    *, actor: Actor, person_id: int
) -> tuple[PersonAccess, list[PrescribingCase]]:
    access = person_access_open(
        actor=actor, person_id=person_id, action="sp_person_cases"
    )
    cases = list(
        PrescribingCase.objects.filter(person_id=person_id)
        .select_related("organisation")
        .order_by("-opened_at")
    )
    return access, cases


def sp_person_has_cases(*, access: PersonAccess) -> bool:
    """Whether the person opened in `access` (already decided and audited) has
    social prescribing: whoever may open the record may see the list of cases
    (dates, organisation, status); only the link workers open a case."""
    return PrescribingCase.objects.filter(person_id=access.person.pk).exists()
