"""Server time of "My tasks" and "My caseload" for a professional with a
caseload of 300 people and a few tasks each.

    python bench/bench_tasks.py [--people 300] [--tasks 3] [--requests 300]
                                [--database-url URL]

Builds a throw-away database from the models (like `pytest --no-migrations`),
signs in a community matron, and times each page in-process with Django's test
client (no network), counting the SQL queries of every request. Target (issue
7): p95 under 100 ms with a fixed number of queries.
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

DEFAULT = "postgres://postgres@127.0.0.1:5432/joinedup_bench_tasks"


def _area(people: int, tasks: int):
    from django.utils import timezone

    from joinedup.coordination.models import CareTeamMember, Task
    from joinedup.governance.models import (
        Membership,
        Organisation,
        OrganisationType,
        Team,
        User,
    )
    from joinedup.people.models import Person

    trust = Organisation.objects.create(
        code="RJCB", name="Bench Community Trust", type=OrganisationType.COMMUNITY_TRUST
    )
    team = Team.objects.create(organisation=trust, name="Bench nursing")
    user = User.objects.create_user(username="bench.matron", first_name="Bench")
    Membership.objects.create(
        user=user, organisation=trust, team=team, role="community_matron"
    )
    colleague = User.objects.create_user(username="bench.colleague")
    Membership.objects.create(
        user=colleague, organisation=trust, team=team, role="community_matron"
    )
    born = dt.date(1940, 1, 1)
    persons = Person.objects.bulk_create(
        [
            Person(
                given_name=f"Given{i}",
                family_name=f"Family{i:04d}",
                given_name_norm=f"given{i}",
                family_name_norm=f"family{i:04d}",
                birth_date=born + dt.timedelta(days=i),
            )
            for i in range(people)
        ]
    )
    today = timezone.localdate()
    CareTeamMember.objects.bulk_create(
        [
            CareTeamMember(
                person=p,
                user=user,
                organisation=trust,
                role="community_matron",
                started_on=today,
            )
            for p in persons
        ]
    )
    now = timezone.now()
    rows = []
    for i, p in enumerate(persons):
        for k in range(tasks):
            rows.append(
                Task(
                    person=p,
                    title=f"Task {k}",
                    source="manual",
                    assignee_organisation=trust,
                    assignee_team=team,
                    # most for the matron, some for the team, some a colleague's
                    assignee_user=(user, None, colleague)[(i + k) % 3],
                    due_on=today + dt.timedelta(days=(i + k) % 20 - 5),
                    created_at=now,
                    updated_at=now,
                )
            )
    Task.objects.bulk_create(rows)
    from joinedup.governance.services import relationships_sync

    relationships_sync([p.pk for p in persons])  # the register follows bulk writes
    return user


def _time(client, url: str, n: int) -> tuple[list[float], set[int]]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    for _ in range(10):  # warm up
        assert client.get(url).status_code == 200
    ms: list[float] = []
    queries: set[int] = set()
    for _ in range(n):
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            response = client.get(url)
            ms.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200
        queries.add(len(ctx.captured_queries))
    return ms, queries


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--people", type=int, default=300)
    parser.add_argument("--tasks", type=int, default=3)
    parser.add_argument("--requests", type=int, default=300)
    parser.add_argument("--database-url", default=DEFAULT)
    args = parser.parse_args()
    with throwaway_database(args.database_url):
        from django.db import connection
        from django.test import Client

        user = _area(args.people, args.tasks)
        client = Client()
        client.force_login(user)
        print(
            f"{connection.vendor}, caseload {args.people} people, "
            f"{args.tasks} tasks each, {args.requests} requests per page:"
        )
        for name, url in (
            ("My tasks", "/care/tasks/"),
            ("My team's tasks", "/care/tasks/?view=team"),
            ("Overdue", "/care/tasks/?view=overdue"),
            ("My caseload", "/care/caseload/"),
        ):
            ms, queries = _time(client, url, args.requests)
            print(latency_line(name, ms, queries, 16))
    return 0


if __name__ == "__main__":
    sys.exit(main())
