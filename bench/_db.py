"""Helpers shared by the benchmarks: a fresh PostgreSQL database, Django, a free
port for a server under test, and percentiles."""

from __future__ import annotations

import os
import socket
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
