"""Demo discharge histories for the synthetic area: once the stays are built from
the ADT events, a share of the current inpatients and of the stays that ended
recently get plausible ready-for-discharge, pathway and delay-reason records, so
the ward board, the sitrep and the dashboard have content (DESIGN 4.2, section 5).

Deterministic: each stay's draws come from a generator seeded with the seed and
the stay's source identifiers (not database ids). Idempotent: a stay that
already has a readiness record is left alone."""

from __future__ import annotations

import datetime as dt
import random
from bisect import bisect
from dataclasses import dataclass
from itertools import accumulate

from django.db import transaction
from django.utils import timezone

from joinedup.discharge import rules
from joinedup.discharge.models import DelayReason, HospitalStay, Readiness
from joinedup.governance.models import User

RECORDER = "synthetic.discharge"
CHUNK = 2000

# Expected pathway of patients who become ready while still in (they skew away
# from pathway 0, who mostly leave on the day they are ready).
INPATIENT_PATHWAYS = (("0", 35), ("1", 50), ("2", 10), ("3", 5))
# Typical length of delay (days) by pathway, as the mean of a geometric draw.
MEAN_DELAY = {"0": 0.4, "1": 3.5, "2": 6.0, "3": 10.0}
# Plausible (reason, agency) by pathway, with weights. C is always NHS.
REASONS_BY_PATHWAY: dict[str, tuple[tuple[str, str, int], ...]] = {
    "0": (("G", "NHS", 3), ("O", "NHS", 2), ("C", "NHS", 2), ("I", "social_care", 1)),
    "1": (
        ("E", "social_care", 10),
        ("A", "social_care", 4),
        ("F", "NHS", 3),
        ("A", "both", 2),
        ("G", "both", 1),
    ),
    "2": (("C", "NHS", 6), ("A", "both", 3), ("B", "both", 1)),
    "3": (
        ("DII", "social_care", 4),
        ("DI", "social_care", 4),
        ("B", "social_care", 3),
        ("G", "both", 2),
        ("H", "both", 1),
    ),
}
EARLIER_REASON = ("A", "social_care")


@dataclass
class DemoTally:
    readiness: int = 0
    delay_reasons: int = 0


def _choice(rnd: random.Random, options: tuple, weight_at: int = -1) -> tuple:
    cum = list(accumulate(o[weight_at] for o in options))
    return options[bisect(cum, rnd.random() * cum[-1])]


def _delay_days(rnd: random.Random, pathway: str) -> int:
    mean = MEAN_DELAY[pathway]
    p = 1 / (1 + mean)
    days = 0
    while rnd.random() > p and days < 60:
        days += 1
    return days


def _at(day: dt.date, hour: int) -> dt.datetime:
    return dt.datetime.combine(
        day, dt.time(hour), tzinfo=timezone.get_current_timezone()
    )


def stay_history_plan(
    stay: HospitalStay, *, seed: int, share: float, today: dt.date
) -> tuple[Readiness, list[DelayReason]] | None:
    """Pure (no database): the readiness and delay reasons to record for one
    stay, or None when the stay is not drawn. Unsaved model instances."""
    key = f"{seed}:{stay.source_system_id}:{stay.admission_source_id}"
    rnd = random.Random(key)
    if rnd.random() >= share:
        return None
    admitted_on = timezone.localdate(stay.admitted_at)
    left_on = timezone.localdate(stay.discharged_at) if stay.discharged_at else None
    if left_on is None:
        pathway = _choice(rnd, INPATIENT_PATHWAYS)[0]
        delay = min(_delay_days(rnd, pathway), (today - admitted_on).days)
        ready_on = today - dt.timedelta(days=delay)
        destination = ""
    else:
        pathway = (
            stay.discharge_pathway if stay.discharge_pathway in rules.PATHWAYS else "0"
        )
        delay = min(_delay_days(rnd, pathway), (left_on - admitted_on).days)
        ready_on = left_on - dt.timedelta(days=delay)
        destination = stay.discharge_destination
    now = timezone.now()
    readiness = Readiness(
        stay=stay,
        ready_on=ready_on,
        clinical_agreed=True,
        mdt_agreed=True,
        expected_pathway=pathway,
        destination=destination,
        expected_discharge_on=ready_on + dt.timedelta(days=1 + int(rnd.random() * 3)),
        recorded_at=min(now, _at(ready_on, 11)),
    )
    delays: list[DelayReason] = []
    if delay >= 1 and _at(ready_on + dt.timedelta(days=1), 10) <= now:
        reason, agency, _ = _choice(rnd, REASONS_BY_PATHWAY[pathway])
        first = ready_on + dt.timedelta(days=1)
        if delay >= 4 and rnd.random() < 0.3 and reason != EARLIER_REASON[0]:
            delays.append(
                DelayReason(
                    stay=stay,
                    reason=EARLIER_REASON[0],
                    agency=EARLIER_REASON[1],
                    recorded_at=_at(first, 10),
                )
            )
            first = ready_on + dt.timedelta(days=delay // 2)
        rules.reason_validate(reason, agency)
        delays.append(
            DelayReason(
                stay=stay, reason=reason, agency=agency, recorded_at=_at(first, 10)
            )
        )
    return readiness, delays


def _recorder() -> User:
    user, created = User.objects.get_or_create(
        username=RECORDER,
        defaults={
            "first_name": "Synthetic",
            "last_name": "discharge history",
            "is_active": False,
        },
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


def discharge_histories_seed(
    *,
    seed: int,
    share: float = 0.35,
    window_days: int = 180,
    today: dt.date | None = None,
) -> DemoTally:
    """Record demo discharge histories for a share of the current inpatients and
    of the stays that ended in the last `window_days` days (see the module)."""
    today = today or timezone.localdate()
    since = _at(today - dt.timedelta(days=window_days), 0)
    recorder = _recorder()
    ids = list(
        HospitalStay.objects.filter(readiness__isnull=True)
        .exclude(discharged_at__lt=since)
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    tally = DemoTally()
    for start in range(0, len(ids), CHUNK):
        batch = list(HospitalStay.objects.filter(pk__in=ids[start : start + CHUNK]))
        _seed_batch(batch, recorder, seed=seed, share=share, today=today, tally=tally)
    return tally


def _seed_batch(
    batch: list[HospitalStay],
    recorder: User,
    *,
    seed: int,
    share: float,
    today: dt.date,
    tally: DemoTally,
) -> None:
    readiness: list[Readiness] = []
    delays: list[DelayReason] = []
    for stay in batch:
        plan = stay_history_plan(stay, seed=seed, share=share, today=today)
        if plan is None:
            continue
        readiness.append(plan[0])
        delays.extend(plan[1])
    for r in readiness:
        r.recorded_by = recorder
    for d in delays:
        d.recorded_by = recorder
    with transaction.atomic():
        Readiness.objects.bulk_create(readiness, batch_size=500)
        DelayReason.objects.bulk_create(delays, batch_size=500)
    tally.readiness += len(readiness)
    tally.delay_reasons += len(delays)
