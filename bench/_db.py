"""Helpers shared by the benchmarks: a fresh PostgreSQL database, Django, a free
port for a server under test, and percentiles."""

from __future__ import annotations

import os
import socket
import statistics
from collections.abc import Iterator
from contextlib import contextmanager
from urllib.parse import urlparse

DEFAULT_URL = "postgres://postgres@127.0.0.1:5432/joinedup_bench"


def database_recreate(url: str) -> None:
    """Drop and create the database named in `url` (PostgreSQL only)."""
    import psycopg

    parsed = urlparse(url)
    name = parsed.path.lstrip("/")
    admin = (
        parsed._replace(path="/postgres")
        .geturl()
        .replace("postgres://", "postgresql://", 1)
    )
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"')


def django_setup(url: str) -> None:
    os.environ["DATABASE_URL"] = url
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "joinedup.config.settings")
    import django

    django.setup()


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    """The q-quantile (0..1) of the values, nearest rank."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(q * (len(ordered) - 1)))]


@contextmanager
def throwaway_database(url: str, *, keep: bool = False) -> Iterator[None]:
    """Django set up on a throw-away test database built from the models (no
    migrations), as the test suite does; dropped afterwards unless `keep`. Web
    requests sign in without an authenticator app."""
    os.environ["JOINEDUP_REQUIRE_2FA"] = "0"
    django_setup(url)
    from django.conf import settings
    from django.test.utils import (
        setup_databases,
        setup_test_environment,
        teardown_databases,
    )

    settings.DATABASES["default"].setdefault("TEST", {})["MIGRATE"] = False
    setup_test_environment()
    old = setup_databases(verbosity=0, interactive=False, keepdb=keep)
    try:
        yield
    finally:
        if not keep:
            teardown_databases(old, verbosity=0)


def latency_line(name: str, ms: list[float], queries: set[int], width: int) -> str:
    """One page's timings: median, p95, max (milliseconds) and its query counts."""
    return (
        f"  {name:{width}} p50 {statistics.median(ms):7.1f} ms  "
        f"p95 {percentile(ms, 0.95):7.1f} ms  "
        f"max {max(ms):7.1f} ms  queries {sorted(queries)}"
    )
