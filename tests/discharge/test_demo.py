import datetime as dt

from django.utils import timezone

from joinedup.discharge import rules
from joinedup.discharge.models import DelayReason, Readiness
from joinedup.discharge.services import stays_sync
from joinedup.record.models import EventKind
from joinedup.synth.demo_discharge import discharge_histories_seed
from tests.discharge.conftest import adt
from tests.factories import PersonFactory


def _area(world, now, n=40):
    ids = []
    for i in range(n):
        p = PersonFactory()
        admitted = now - dt.timedelta(days=3 + i % 20)
        adt(world, EventKind.ADMISSION, f"D{i}", admitted, person=p, site="RJU01")
        if i % 2:
            adt(
                world,
                EventKind.DISCHARGE,
                f"X{i}",
                admitted + dt.timedelta(days=2 + i % 5),
                person=p,
                admission_id=f"D{i}",
                pathway=str(i % 4),
                destination="care_home",
            )
        ids.append(p.pk)
    stays_sync(person_ids=ids)


def _snapshot():
    return sorted(
        (r.stay.admission_source_id, r.ready_on, r.expected_pathway)
        for r in Readiness.objects.select_related("stay")
    ), sorted(
        (d.stay.admission_source_id, d.reason, d.agency, d.recorded_at)
        for d in DelayReason.objects.select_related("stay")
    )


def test_seeded_histories_are_plausible_deterministic_and_idempotent(world, now):
    _area(world, now)
    tally = discharge_histories_seed(seed=7, share=0.8)
    assert 15 <= tally.readiness <= 40 and tally.delay_reasons > 0
    today = timezone.localdate()
    for r in Readiness.objects.select_related("stay"):
        stay = r.stay
        assert timezone.localdate(stay.admitted_at) <= r.ready_on <= today
        if stay.discharged_at:
            assert r.ready_on <= timezone.localdate(stay.discharged_at)
            assert r.expected_pathway == stay.discharge_pathway
        assert (
            r.expected_pathway in rules.PATHWAYS
            and r.recorded_at <= now + dt.timedelta(minutes=5)
        )
    for d in DelayReason.objects.select_related("stay"):
        assert rules.reason_validate(d.reason, d.agency) == (d.reason, d.agency)
        ready_on = d.stay.readiness.get().ready_on
        assert timezone.localdate(d.recorded_at) > ready_on
    first = _snapshot()
    again = discharge_histories_seed(seed=7, share=0.8)
    assert (again.readiness, again.delay_reasons) == (0, 0)
    Readiness.objects.all().delete()
    DelayReason.objects.all().delete()
    discharge_histories_seed(seed=7, share=0.8)
    assert _snapshot() == first
