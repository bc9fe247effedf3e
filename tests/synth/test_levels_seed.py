"""The levels demo seed: a directory of about 30 services imported as ORUK JSON,
link workers with referrals, cases and ONS4 scores, UCR referrals over four
weeks and a virtual ward; running it again adds nothing."""

from __future__ import annotations

import pytest
from django.utils import timezone

from joinedup.directory.models import PrescribingCase, Service, WellbeingScore
from joinedup.directory.oruk import oruk_parse
from joinedup.discharge.models import VirtualWard
from joinedup.governance.models import OrganisationType, Role
from joinedup.synth.levels import directory_oruk_json, levels_demo_seed
from joinedup.ucr.models import UcrReferral
from tests.factories import OrganisationFactory, PersonFactory, professional

pytestmark = pytest.mark.django_db


def test_the_demo_directory_is_valid_oruk():
    assert 28 <= len(oruk_parse(directory_oruk_json())) <= 32


def test_seed_once(world):
    trust = OrganisationFactory(code="RJC", type=OrganisationType.COMMUNITY_TRUST)
    professional(Role.COMMUNITY_MATRON, trust, username="community.matron")
    for _ in range(5):
        PersonFactory(registered_gp=world.practice)
    today = timezone.localdate()
    accounts = levels_demo_seed(password="demo-pass-123", today=today)
    assert {a[0] for a in accounts} >= {"link.worker", "directory.editor"}
    counts = (
        Service.objects.count(),
        PrescribingCase.objects.count(),
        WellbeingScore.objects.count(),
        UcrReferral.objects.count(),
    )
    assert counts[0] >= 28 and counts[1] >= 1 and counts[2] >= 1 and counts[3] > 50
    assert VirtualWard.objects.filter(site="VW01").exists()
    assert UcrReferral.objects.filter(closed_at__isnull=True).count() == 3
    levels_demo_seed(password="demo-pass-123", today=today)
    assert (
        Service.objects.count(),
        PrescribingCase.objects.count(),
        WellbeingScore.objects.count(),
        UcrReferral.objects.count(),
    ) == counts
