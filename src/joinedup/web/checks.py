"""`joinedup check`: Django's system checks (with --deploy, its deployment checks)
plus our own."""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.db import connection


def deployment_problems(*, deploy: bool) -> list[str]:
    problems = [
        f"{m.id}: {m.msg}"
        for m in checks.run_checks(include_deployment_checks=deploy)
        if m.level >= checks.WARNING and not m.is_silenced()
    ]
    if not settings.STATICFILES_DIRS:
        problems.append(
            "front-end assets missing: run `npm ci && npm run build` (make demo does)"
        )
    if deploy:
        if not getattr(settings, "SECRET_KEY_FROM_ENVIRONMENT", False):
            problems.append("SECRET_KEY is not set in the environment")
        if connection.vendor != "postgresql":
            problems.append("production needs PostgreSQL: set DATABASE_URL")
        if settings.DEBUG:
            problems.append("JOINEDUP_DEBUG is on")
    return problems
