"""Safeguarding: what the CP-IS-style flag check adds to the ingest of an ED
arrival, and the safeguarding dashboard with thousands of open cases.

    python bench/bench_safeguarding.py [--arrivals 300] [--cases 5000]
                                       [--requests 100] [--database-url URL]

Builds a throw-away database from the models (like `pytest --no-migrations`).

1. Ingest: HL7 v2 ADT^A04 (an ED registration) through `hl7_message_ingest`, the
   function the MLLP listener's batches go through, one message at a time,
   alternating in the same run between children with an open child protection
   flag (the check then writes a task, a notification and two audit entries) and
   children without one (the check costs one query). The difference of the two
   is what the check adds. Target (issue 15): < 5 ms p95.
2. Dashboard: GET /safeguarding/ for a children's social worker of a council
   holding `--cases` open cases (children's cases at every step, a third on a
   plan, and adult concerns), in-process with Django's test client. Target
   (issue 15): p95 < 300 ms with 5,000 open cases.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))
from _db import django_setup, percentile

DEFAULT = "postgres://postgres@127.0.0.1:5432/joinedup_bench_safeguarding"


def _a04(control_id: str, mrn: str, visit: str, trigger: str = "A04") -> str:
    # HL7 v2.4 ADT^A04 from the ED system of trust RJV (PV1-2 E: emergency).
    return "\r".join(
        [
            f"MSH|^~\\&|EDIS|RJV|JOINEDUP|JOINEDUP|20260318023000||ADT^{trigger}^ADT_A01"
            f"|{control_id}|P|2.4|||AL|NE|GBR|UNICODE UTF-8",
            f"EVN|{trigger}|20260318023000",
            f"PID|1||{mrn}^^^RJV^MR||Bench^Child{mrn}^^^Master^^L||20190505|M",
            "PV1|1|E|ED^^^RJV01|E|||C1234567^Patel^Anil^^^Dr|||180||||19|||||"
            f"{visit}|||||||||||||||||||||||||20260318021500",
        ]
    )


def _orgs():
    from joinedup.governance.models import (
        Membership,
        Organisation,
        OrganisationType,
        Team,
        User,
    )
    from joinedup.record.models import SourceKind, SourceSystem

    hospital = Organisation.objects.create(
        code="RJV", name="Bench Hospital", type=OrganisationType.ACUTE_TRUST
    )
    SourceSystem.objects.create(
        code="bench-ed", name="Bench ED", organisation=hospital,
        kind=SourceKind.HL7V2, identifier_system="https://example.org/bench-ed",
    )  # fmt: skip
    council = Organisation.objects.create(
        code="JU-CSC", name="Bench Children's Services",
        type=OrganisationType.COUNCIL_CHILDRENS_SERVICES, contact_phone="01632 960002",
    )  # fmt: skip
    adults = Organisation.objects.create(
        code="JU-ASC", name="Bench Adult Social Care",
        type=OrganisationType.COUNCIL_ADULT_SOCIAL_CARE,
    )  # fmt: skip
    team = Team.objects.create(organisation=council, name="Front door")
    worker = User.objects.create_user(username="bench.csw", first_name="Bench")
    Membership.objects.create(
        user=worker, organisation=council, team=team, role="childrens_social_worker"
    )
    return council, adults, worker


def _ingest(arrivals: int, council) -> tuple[list[float], list[float], list[float]]:
    from django.db import connection

    from joinedup.interop.hl7v2.ingest import hl7_message_ingest
    from joinedup.people.models import Identifier
    from joinedup.safeguarding.models import FlagAttendance, ProtectionFlag
    from joinedup.safeguarding.services.flags import (
        unscheduled_care_attendances_check,
    )

    n = arrivals * 2
    for i in range(n):  # register each child (A28) so the A04s find them
        assert hl7_message_ingest(_a04(f"REG{i}", f"M{i:05d}", "V", "A28")).ack_code
    people = dict(
        Identifier.objects.filter(value__startswith="M").values_list(
            "value", "person_id"
        )
    )
    today = dt.datetime.now(tz=dt.UTC).date()
    ProtectionFlag.objects.bulk_create(
        [
            ProtectionFlag(
                person_id=people[f"M{i:05d}"],
                kind="cp_plan",
                council=council,
                contact_phone="01632 960002",
                source_ref=f"plan:{i}",
                started_on=today,
            )
            for i in range(0, n, 2)  # the even ones are on a plan
        ]
    )
    flagged: list[float] = []
    plain: list[float] = []
    for i in range(20):  # warm up (not timed)
        hl7_message_ingest(_a04(f"W{i}", f"M{i:05d}", f"WV{i}"))
    for i in range(n):
        text = _a04(f"ED{i}", f"M{i:05d}", f"V{i}")
        started = time.perf_counter()
        result = hl7_message_ingest(text)
        ms = (time.perf_counter() - started) * 1000
        assert result.ack_code == "AA", result
        (flagged if i % 2 == 0 else plain).append(ms)
    assert FlagAttendance.objects.count() >= arrivals
    # The check alone for an unflagged arrival, on the events just written.
    from joinedup.record.models import Event

    keys = list(
        Event.objects.filter(source_id__startswith="V")
        .exclude(person__protection_flags__isnull=False)
        .values_list("source_system_id", "source_id")[:arrivals]
    )
    check: list[float] = []
    for key in keys:
        started = time.perf_counter()
        unscheduled_care_attendances_check(events=[key])
        check.append((time.perf_counter() - started) * 1000)
    print(f"  {connection.vendor}: {n} A04 arrivals, half of children on a plan")
    return flagged, plain, check


def _cases(total: int, council, adults, worker) -> None:
    from django.utils import timezone

    from joinedup.governance.models import User
    from joinedup.people.models import Person
    from joinedup.safeguarding import rules
    from joinedup.safeguarding.models import (
        AdultConcern,
        ChildCase,
        ChildProtectionPlan,
    )

    raiser = User.objects.create_user(username="bench.raiser")
    today = timezone.localdate()
    born = dt.date(2015, 1, 1)
    people = Person.objects.bulk_create(
        [
            Person(
                given_name=f"C{i}",
                family_name=f"Case{i:05d}",
                given_name_norm=f"c{i}",
                family_name_norm=f"case{i:05d}",
                birth_date=born + dt.timedelta(i % 3000),
            )
            for i in range(total)
        ]
    )
    children = people[: total * 4 // 5]
    grown = people[total * 4 // 5 :]
    statuses = ["referred", "strategy", "s47", "conference", "plan", "plan"]
    rows = []
    for i, p in enumerate(children):
        status = statuses[i % len(statuses)]
        received = today - dt.timedelta(days=i % 120)
        strategy = received + dt.timedelta(days=1) if status != "referred" else None
        rows.append(
            ChildCase(
                person=p,
                council=council,
                referred_by=raiser,
                referred_by_organisation=adults,
                received_on=received,
                reason="Bench",
                consent="given",
                status=status,
                decision="" if status == "referred" else "strategy_discussion",
                decided_on=None if status == "referred" else received,
                strategy_held_on=strategy,
                decision_due_on=rules.referral_decision_due(received),
                icpc_due_on=rules.icpc_due(strategy) if strategy else None,
                icpc_held_on=strategy if status == "plan" else None,
            )
        )
    cases = ChildCase.objects.bulk_create(rows, batch_size=2000)
    ChildProtectionPlan.objects.bulk_create(
        [
            ChildProtectionPlan(
                case=c,
                person_id=c.person_id,
                category="neglect",
                started_on=c.icpc_held_on,
                next_review_due_on=rules.review_conference_due(c.icpc_held_on, None),
            )
            for c in cases
            if c.status == "plan"
        ],
        batch_size=2000,
    )
    now = timezone.now()
    AdultConcern.objects.bulk_create(
        [
            AdultConcern(
                person=p,
                raised_by=raiser,
                raised_by_organisation=adults,
                raised_at=now,
                what_happened="Bench",
                where_happened="Home",
                when_happened="Today",
                person_views="Bench",
                consent="given",
                council=council if i % 2 else adults,
            )
            for i, p in enumerate(grown)
        ],
        batch_size=2000,
    )


def _dashboard(requests: int, worker) -> tuple[list[float], set[int], object]:
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(worker)
    for _ in range(5):
        assert client.get("/safeguarding/").status_code == 200
    ms: list[float] = []
    queries: set[int] = set()
    for _ in range(requests):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get("/safeguarding/")
            ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        queries.add(len(ctx.captured_queries))
    from django.utils import timezone

    from joinedup.governance.selectors import actor_from_membership
    from joinedup.safeguarding.selectors.cases import dashboard_get

    actor = actor_from_membership(worker.memberships.get(), channel="web")
    selector: list[float] = []
    for _ in range(requests):
        started = time.perf_counter()
        dashboard_get(actor=actor, today=timezone.localdate())
        selector.append((time.perf_counter() - started) * 1000)
    print(_line("dashboard_get (the selector alone)", selector))

    return ms, queries, response


def _line(name: str, ms: list[float]) -> str:
    return (
        f"  {name:34} p50 {statistics.median(ms):7.2f} ms  "
        f"p95 {percentile(ms, 0.95):7.2f} ms  max {max(ms):7.1f} ms"
    )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--arrivals", type=int, default=300)
    parser.add_argument("--cases", type=int, default=5000)
    parser.add_argument("--requests", type=int, default=100)
    parser.add_argument("--database-url", default=DEFAULT)
    args = parser.parse_args()
    import os

    os.environ["JOINEDUP_REQUIRE_2FA"] = "0"
    django_setup(args.database_url)
    from django.conf import settings
    from django.test.utils import (
        setup_databases,
        setup_test_environment,
        teardown_databases,
    )

    settings.DATABASES["default"].setdefault("TEST", {})["MIGRATE"] = False
    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False)
    try:
        council, adults, worker = _orgs()
        flagged, plain, check = _ingest(args.arrivals, council)
        print(_line("A04, child without a flag", plain))
        print(_line("A04, child on a plan (flag acted on)", flagged))
        print(_line("flag check alone, no flag", check))
        p95_added = percentile(flagged, 0.95) - percentile(plain, 0.95)
        p50_added = statistics.median(flagged) - statistics.median(plain)
        print(
            f"  added by a flag: p50 {p50_added:+.2f} ms, p95 {p95_added:+.2f} ms "
            f"(ratio p95 {percentile(flagged, 0.95) / percentile(plain, 0.95):.2f})"
        )
        _cases(args.cases, council, adults, worker)
        from django.db import connection

        if connection.vendor == "postgresql":
            # What autovacuum does after a bulk load: without table statistics
            # the planner joins plans to cases by nested sequential scans.
            with connection.cursor() as cursor:
                cursor.execute("ANALYZE")
        from joinedup.safeguarding.models import AdultConcern, ChildCase

        open_cases = ChildCase.objects.exclude(status="closed").count() + (
            AdultConcern.objects.exclude(status="closed").count()
        )
        ms, queries, _ = _dashboard(args.requests, worker)
        print(f"  dashboard, {open_cases} open cases ({args.requests} requests):")
        print(_line("GET /safeguarding/", ms) + f"  queries {sorted(queries)}")
    finally:
        teardown_databases(old, verbosity=0)
    return 0


if __name__ == "__main__":
    sys.exit(main())
