"""Server time of the level 1 and level 2 pages: the service directory searched
by need and distance from a postcode with 5,000 services, and the urgent
community response queue with 500 open referrals.

    python bench/bench_levels.py [--services 5000] [--referrals 500]
                                 [--requests 200] [--database-url URL]

Builds a throw-away database from the models (like `pytest --no-migrations`),
signs in a GP (directory) and a community matron (queue), and times each page
in-process with Django's test client (no network), counting the SQL queries of
every request.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parent.parent))
from _db import latency_line, throwaway_database

DEFAULT = "postgres://postgres@127.0.0.1:5432/joinedup_bench_levels"
NEEDS = [
    "physical_activity",
    "loneliness",
    "debt_advice",
    "housing_support",
    "transport",
    "carers_support",
    "mental_wellbeing",
    "food",
    "employment",
    "digital_skills",
]


def _directory(services: int) -> None:
    from django.utils import timezone

    from joinedup.directory import rules
    from joinedup.directory.models import (
        DirectoryOrganization,
        Location,
        Service,
        ServiceAtLocation,
        TaxonomyTerm,
    )

    sectors = sorted(rules.sector_centroids())
    terms = TaxonomyTerm.objects.bulk_create(
        [
            TaxonomyTerm(oruk_id=f"need-{code}", taxonomy="needs", code=code, name=code)
            for code in NEEDS
        ]
    )
    orgs = DirectoryOrganization.objects.bulk_create(
        [
            DirectoryOrganization(oruk_id=f"org-{i}", name=f"Provider {i:03d}")
            for i in range(services // 20)
        ]
    )
    now = timezone.now()
    made = Service.objects.bulk_create(
        [
            Service(
                oruk_id=f"svc-{i}",
                organization=orgs[i % len(orgs)],
                name=f"Service {i:05d}",
                description="A community service",
                minimum_age=(None, 18, 65)[i % 3],
                last_modified=now,
            )
            for i in range(services)
        ]
    )
    through = Service.terms.through
    through.objects.bulk_create(
        [
            through(service_id=s.pk, taxonomyterm_id=terms[k % len(terms)].pk)
            for i, s in enumerate(made)
            for k in (i, i * 7 + 3)
        ],
        ignore_conflicts=True,
    )
    # Half with coordinates, half found from the postcode sector's centroid.
    locations = Location.objects.bulk_create(
        [
            Location(
                oruk_id=f"loc-{i}",
                name=f"Venue {i}",
                postal_code=f"{sectors[i % len(sectors)]}AB",
                latitude=52.6 + (i % 50) / 500 if i % 2 else None,
                longitude=-1.55 + (i % 40) / 400 if i % 2 else None,
            )
            for i in range(services)
        ]
    )
    ServiceAtLocation.objects.bulk_create(
        [
            ServiceAtLocation(oruk_id=f"sal-{i}", service=s, location=locations[i])
            for i, s in enumerate(made)
        ]
    )


def _ucr(referrals: int):
    from django.utils import timezone

    from joinedup.coordination.models import Task
    from joinedup.governance.models import (
        Membership,
        Organisation,
        OrganisationType,
        Team,
        User,
    )
    from joinedup.governance.services import relationships_sync
    from joinedup.people.models import Person
    from joinedup.ucr.models import UcrReferral

    trust = Organisation.objects.create(
        code="RJCL", name="Bench Community Trust", type=OrganisationType.COMMUNITY_TRUST
    )
    team = Team.objects.create(organisation=trust, name="Bench UCR")
    matron = User.objects.create_user(username="bench.ucr")
    Membership.objects.create(
        user=matron, organisation=trust, team=team, role="community_matron"
    )
    born = dt.date(1935, 1, 1)
    people = Person.objects.bulk_create(
        [
            Person(
                given_name=f"Given{i}",
                family_name=f"Family{i:04d}",
                given_name_norm=f"given{i}",
                family_name_norm=f"family{i:04d}",
                birth_date=born + dt.timedelta(days=i),
                postcode="JU3 4AB",
            )
            for i in range(referrals)
        ]
    )
    now = timezone.now()
    tasks = Task.objects.bulk_create(
        [
            Task(
                person=p,
                title="Urgent community response (2 hours)",
                source="urgent_community_response",
                assignee_organisation=trust,
                assignee_team=team,
                due_on=timezone.localdate(),
                created_at=now,
                updated_at=now,
            )
            for p in people
        ]
    )
    rows = []
    for i, (p, t) in enumerate(zip(people, tasks, strict=True)):
        received = now - dt.timedelta(minutes=i % 180)
        rows.append(
            UcrReferral(
                person=p,
                source=("nhs_111", "gp", "ambulance", "care_home")[i % 4],
                organisation=trust,
                team=team,
                reason="Fall at home",
                received_at=received,
                due_at=received + dt.timedelta(hours=2),
                recorded_by=matron,
                task=t,
                top_risk=i % 10 == 0,
                contact_at=received + dt.timedelta(minutes=30) if i % 3 == 0 else None,
            )
        )
    UcrReferral.objects.bulk_create(rows)
    relationships_sync([p.pk for p in people])  # the register follows bulk writes
    return matron


def _gp():
    from joinedup.governance.models import (
        Membership,
        Organisation,
        OrganisationType,
        User,
    )

    practice = Organisation.objects.create(
        code="J89999", name="Bench Surgery", type=OrganisationType.GP_PRACTICE
    )
    gp = User.objects.create_user(username="bench.gp")
    Membership.objects.create(user=gp, organisation=practice, role="gp")
    return gp


def _time(client, url: str, n: int) -> tuple[list[float], set[int], str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(5):  # warm up
        response = client.get(url)
        assert response.status_code == 200, response.status_code
    ms: list[float] = []
    queries: set[int] = set()
    for _ in range(n):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        queries.add(len(ctx.captured_queries))
    return ms, queries, response.content.decode()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--services", type=int, default=5000)
    parser.add_argument("--referrals", type=int, default=500)
    parser.add_argument("--requests", type=int, default=200)
    parser.add_argument("--database-url", default=DEFAULT)
    args = parser.parse_args()
    with throwaway_database(args.database_url):
        from django.db import connection
        from django.test import Client

        _directory(args.services)
        matron = _ucr(args.referrals)
        gp = Client()
        gp.force_login(_gp())
        team = Client()
        team.force_login(matron)
        print(
            f"{connection.vendor}, {args.services} services, {args.referrals} open "
            f"UCR referrals, {args.requests} requests per page:"
        )
        for name, client, url, expect in (
            (
                "directory: need + 5 km",
                gp,
                "/directory/?need=physical_activity&postcode=JU3+4AB&within=5",
                "directory-results",
            ),
            (
                "directory: need + near",
                gp,
                "/directory/?need=loneliness&postcode=JU3+4AB&age=70",
                "directory-results",
            ),
            ("UCR queue", team, "/ucr/", "ucr-queue"),
        ):
            ms, queries, html = _time(client, url, args.requests)
            assert expect in html, name
            print(latency_line(name, ms, queries, 24))
    return 0


if __name__ == "__main__":
    sys.exit(main())
