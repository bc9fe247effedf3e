"""The demo's safeguarding work: concerns at each step, a s42 enquiry with
actions in two organisations, children's cases to a plan (the flag), families
with a team around them and one stepped up; made through the services, once."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from joinedup.coordination.models import Task
from joinedup.governance.models import OrganisationType, Role
from joinedup.safeguarding.models import (
    AdultConcern,
    ChildCase,
    Family,
    FamilyStep,
    ProtectionFlag,
)
from joinedup.safeguarding.selectors.cases import dashboard_get
from joinedup.synth.demo_safeguarding import safeguarding_demo_seed
from tests.conftest import actor_for
from tests.factories import (
    OrganisationFactory,
    PersonFactory,
    care_team_add,
    professional,
)


def test_demo_seeds_safeguarding_work_once(area):
    today = timezone.localdate()
    gp = professional(Role.GP, area.practice, username="gp")
    sw = professional(Role.SOCIAL_WORKER, area.adults, username="social.worker")
    professional(Role.HEALTH_VISITOR, area.community, username="health.visitor")
    csw = professional(
        Role.CHILDRENS_SOCIAL_WORKER, area.children, username="childrens.social.worker"
    )
    OrganisationFactory(code="RYY", type=OrganisationType.COMMUNITY_TRUST)
    for _ in range(3):
        care_team_add(
            PersonFactory(birth_date=dt.date(1940, 1, 1)), gp, area.practice, Role.GP
        )
    for i in range(6):
        PersonFactory(
            family_name=f"Kid{i}", birth_date=today - dt.timedelta(days=400 + 30 * i)
        )
        PersonFactory(family_name=f"Kid{i}", birth_date=dt.date(1990, 1, 1))

    line = safeguarding_demo_seed(today=today)
    assert line.startswith("Safeguarding cases seeded"), line
    assert sorted(AdultConcern.objects.values_list("status", flat=True)) == [
        "closed", "enquiry", "raised",
    ]  # fmt: skip
    open_enquiry = AdultConcern.objects.get(status="enquiry")
    assert (
        Task.objects.filter(source_ref=f"adult:{open_enquiry.pk}:action")
        .values("assignee_organisation")
        .distinct()
        .count()
        == 2
    )
    # Past its decision clock, in s47, on a plan; and the family stepped up.
    assert sorted(ChildCase.objects.values_list("status", flat=True)) == [
        "plan", "referred", "referred", "s47",
    ]  # fmt: skip
    assert ProtectionFlag.objects.filter(ended_on__isnull=True).count() == 1
    assert Family.objects.count() == 2
    assert FamilyStep.objects.filter(direction="up").count() == 1
    board = dashboard_get(actor=actor_for(csw), today=today)
    assert board.plans == 1 and board.counts["referral_decision"] >= 1
    assert board.open_adult == 0
    assert dashboard_get(actor=actor_for(sw), today=today).open_adult == 2

    assert safeguarding_demo_seed(today=today) == "Safeguarding cases already seeded."
    assert AdultConcern.objects.count() == 3
