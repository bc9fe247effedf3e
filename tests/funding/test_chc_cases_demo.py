"""The demo's CHC cases: one at each step for the CHC nurse's dashboard, made
through the services, and only once."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from joinedup.discharge.models import HospitalStay
from joinedup.funding.models.chc import CaseStatus, ChcCase, ChcDispute
from joinedup.funding.selectors.chc import dashboard_get
from joinedup.funding.services.packages import package_create
from joinedup.governance.models import Role
from joinedup.people.models import InvolvementKind
from joinedup.synth.demo_chc import chc_demo_seed
from tests.conftest import actor_for
from tests.factories import PersonFactory, care_team_add, involve, professional


def test_demo_cases_fill_the_dashboard_once(world):
    nurse = professional(Role.CHC_ASSESSOR, world.icb, username="chc.assessor")
    dc = professional(
        Role.DISCHARGE_COORDINATOR, world.hospital, username="discharge.coordinator"
    )
    sw = professional(Role.SOCIAL_WORKER, world.council, username="social.worker")
    now = timezone.now()
    for i in range(3):
        p = PersonFactory()
        involve(p, world.hospital, InvolvementKind.HOSPITAL_PATIENT)
        HospitalStay.objects.create(
            person=p,
            organisation=world.hospital,
            source_system=world.pas,
            admission_source_id=f"DEMO{i}",
            admitted_at=now - dt.timedelta(days=40),
        )
    for _ in range(2):
        p = PersonFactory()
        involve(p, world.council, InvolvementKind.SOCIAL_CARE_CLIENT)
        care_team_add(p, sw, world.council, Role.SOCIAL_WORKER)
        package_create(
            actor=actor_for(sw),
            person_id=p.pk,
            kind="home_care",
            provider="Carers Ltd",
            cost_per_week=Decimal("500"),
            start_on=timezone.localdate() - dt.timedelta(days=100),
        )
    own = PersonFactory()
    care_team_add(own, nurse, world.icb, Role.CHC_ASSESSOR)

    line = chc_demo_seed()
    assert line == "CHC cases seeded: 6.", line
    statuses = sorted(ChcCase.objects.values_list("status", flat=True))
    assert statuses == sorted(
        [
            CaseStatus.CHECKLIST,
            CaseStatus.ASSESSMENT,
            CaseStatus.DECISION,
            CaseStatus.DECIDED,
            CaseStatus.DECIDED,
            CaseStatus.DECIDED,
        ]
    )
    assert ChcCase.objects.filter(fast_track=True).count() == 1
    dispute = ChcDispute.objects.get()
    assert dispute.interim.payer == "council"
    board = dashboard_get(actor=actor_for(nurse), today=timezone.localdate())
    assert len(board.open_cases) == 3
    assert len(board.breaches) == 2  # one open and late, one decided late
    assert chc_demo_seed() == "CHC cases already seeded."
    assert ChcCase.objects.count() == 6
    assert dc.pk
