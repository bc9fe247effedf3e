from django.db import connection

from joinedup.cli import main


def test_check_passes_for_development(db, capsys):
    assert main(["check"]) == 0
    assert "No problems found." in capsys.readouterr().out


def test_deploy_check_lists_what_production_lacks(db, capsys, settings):
    settings.JOINEDUP_REQUIRE_2FA = False
    assert main(["check", "--deploy"]) == 2
    out = capsys.readouterr().out
    assert "two-factor sign-in is off" in out
    assert "HTTPS settings are off" in out
    if connection.vendor == "postgresql":  # the test runs as a superuser
        assert "may UPDATE or DELETE audit entries" in out


def test_check_notices_a_missing_audit_trigger(db, capsys):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "DROP TRIGGER governance_auditentry_append_only "
                "ON governance_auditentry"
            )
        else:
            cursor.execute("DROP TRIGGER governance_auditentry_no_update")
    assert main(["check"]) == 2
    assert "append-only trigger" in capsys.readouterr().out
