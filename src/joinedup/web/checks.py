"""`joinedup check`: Django's system checks (with --deploy, its deployment checks)
plus our own."""

from __future__ import annotations

from django.conf import settings
from django.core import checks
from django.db import connection


def _audit_problems(*, deploy: bool) -> list[str]:
    """The audit must be append-only for the application's database user."""
    problems = []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT count(*) FROM pg_trigger WHERE tgname = "
                "'governance_auditentry_append_only' AND NOT tgisinternal"
            )
            if cursor.fetchone()[0] == 0:
                problems.append("the audit's append-only trigger is missing")
            if not deploy:
                return problems
            cursor.execute(
                "SELECT has_table_privilege(current_user, 'governance_auditentry', "
                "'UPDATE') OR has_table_privilege(current_user, "
                "'governance_auditentry', 'DELETE')"
            )
            if cursor.fetchone()[0]:
                problems.append(
                    "the database user may UPDATE or DELETE audit entries: run the "
                    "application as a role without those privileges "
                    "(docs/operations.md, 'Database roles')"
                )
        elif connection.vendor == "sqlite":
            cursor.execute(
                "SELECT count(*) FROM sqlite_master WHERE type = 'trigger' AND name "
                "IN ('governance_auditentry_no_update', "
                "'governance_auditentry_no_delete')"
            )
            if cursor.fetchone()[0] != 2:
                problems.append("the audit's append-only triggers are missing")
    return problems


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
    problems += _audit_problems(deploy=deploy)
    if deploy:
        if not getattr(settings, "SECRET_KEY_FROM_ENVIRONMENT", False):
            problems.append("SECRET_KEY is not set in the environment")
        if connection.vendor != "postgresql":
            problems.append("production needs PostgreSQL: set DATABASE_URL")
        if settings.DEBUG:
            problems.append("JOINEDUP_DEBUG is on")
        if not settings.JOINEDUP_REQUIRE_2FA:
            problems.append("two-factor sign-in is off: unset JOINEDUP_REQUIRE_2FA")
        if not getattr(settings, "SESSION_COOKIE_SECURE", False):
            problems.append("HTTPS settings are off: set JOINEDUP_HTTPS=1")
    return problems
