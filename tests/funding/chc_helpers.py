"""Shared set-up for the CHC case tests: a CHC nurse assessor at the ICB, a
person in hospital referred by the discharge coordinator, and quick ways to
walk a case to each step."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

from joinedup.funding.models.chc import ChcCase
from joinedup.funding.rules.chc import CHECKLIST_DOMAINS, DST_DOMAINS
from joinedup.funding.services import chc as services
from joinedup.governance.access import Actor
from joinedup.governance.models import Role, User
from tests.conftest import World, actor_for
from tests.factories import professional


@dataclass
class Chc:
    world: World
    nurse: User
    nurse_actor: Actor
    dc_actor: Actor
    sw_actor: Actor


def chc_setup(world: World) -> Chc:
    nurse = professional(
        Role.CHC_ASSESSOR, world.icb, username="chc", job_title="CHC nurse assessor"
    )
    return Chc(
        world=world,
        nurse=nurse,
        nurse_actor=actor_for(nurse),
        dc_actor=actor_for(world.discharge_coordinator),
        sw_actor=actor_for(world.social_worker),
    )


def today() -> dt.date:
    return timezone.localdate()


def positive_scores() -> dict[str, str]:
    return {d: "C" for d in CHECKLIST_DOMAINS} | {"breathing": "A"}


def negative_scores() -> dict[str, str]:
    return {d: "C" for d in CHECKLIST_DOMAINS} | {"mobility": "B"}


def dst_levels(**levels: str) -> dict[str, str]:
    return {d: "no_needs" for d in DST_DOMAINS} | (levels or {"breathing": "priority"})


def evidence_for(levels: dict[str, str]) -> dict[str, str]:
    return {d: f"evidence for {d}" for d, v in levels.items() if v != "no_needs"}


MDT = [
    services.MdtMemberIn("Nia Nurse", "nurse", "Joinedup ICB"),
    services.MdtMemberIn("Sam Walker", "social_worker", "Joinedup Council"),
]


def open_case(c: Chc, days_ago: int = 0) -> ChcCase:
    case = services.chc_case_open(
        actor=c.dc_actor, person_id=c.world.person.pk, icb_id=c.world.icb.pk
    )
    if days_ago:
        ChcCase.objects.filter(pk=case.pk).update(
            opened_at=timezone.now() - dt.timedelta(days=days_ago)
        )
    return case


def to_assessment(c: Chc, days_ago: int = 0) -> ChcCase:
    case = open_case(c, days_ago)
    services.checklist_record(
        actor=c.dc_actor,
        case_id=case.pk,
        scores=positive_scores(),
        completed_on=today() - dt.timedelta(days=days_ago),
    )
    return ChcCase.objects.get(pk=case.pk)


def dst_record(c: Chc, case: ChcCase, **overrides: object) -> object:
    levels = dst_levels()
    kwargs: dict[str, object] = {
        "actor": c.nurse_actor,
        "case_id": case.pk,
        "levels": levels,
        "evidence": evidence_for(levels),
        "members": MDT,
        "nature": "n",
        "intensity": "i",
        "complexity": "c",
        "unpredictability": "u",
        "completed_on": today(),
    } | overrides
    return services.dst_record(**kwargs)  # type: ignore[arg-type]


def to_decision(c: Chc, days_ago: int = 0) -> ChcCase:
    case = to_assessment(c, days_ago)
    on = today() - dt.timedelta(days=days_ago)
    dst_record(c, case, completed_on=on)
    services.recommendation_record(
        actor=c.nurse_actor,
        case_id=case.pk,
        primary_health_need=True,
        rationale="priority in breathing",
        recommended_on=on,
    )
    return ChcCase.objects.get(pk=case.pk)


def decide(c: Chc, case: ChcCase, outcome: str = "chc", **kw: object) -> object:
    args: dict[str, object] = {
        "actor": c.nurse_actor,
        "case_id": case.pk,
        "outcome": outcome,
        "effective_from": today(),
        "decided_on": today(),
    } | kw
    return services.decision_record(**args)  # type: ignore[arg-type]
