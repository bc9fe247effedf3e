"""Chain the audit entries written before the chain existed, then make the audit
append-only: database triggers refuse UPDATE and DELETE of audit rows (on SQLite,
except while a maintenance row exists, which only test teardown writes)."""

from django.db import migrations, models


def chain_existing(apps, schema_editor):
    AuditEntry = apps.get_model("governance", "AuditEntry")
    AuditChainHead = apps.get_model("governance", "AuditChainHead")
    from joinedup.governance.models.audit import AuditEntry as Live, GENESIS_HASH

    prev = GENESIS_HASH
    seq = 0
    for entry in AuditEntry.objects.order_by("id").iterator():
        seq += 1
        entry.seq = seq
        entry.prev_hash = prev
        entry.entry_hash = Live.hash_of(prev, tuple(getattr(entry, f) for f in Live.HASHED))
        entry.save(update_fields=["seq", "prev_hash", "entry_hash"])
        prev = entry.entry_hash
    AuditChainHead.objects.update_or_create(
        pk=1, defaults={"last_seq": seq, "last_hash": prev}
    )


POSTGRES_FORWARD = """
CREATE OR REPLACE FUNCTION governance_audit_append_only() RETURNS trigger AS $$
BEGIN
  RAISE EXCEPTION 'audit entries are append-only: % refused', TG_OP;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER governance_auditentry_append_only
  BEFORE UPDATE OR DELETE ON governance_auditentry
  FOR EACH ROW EXECUTE FUNCTION governance_audit_append_only();
"""
POSTGRES_BACKWARD = """
DROP TRIGGER IF EXISTS governance_auditentry_append_only ON governance_auditentry;
DROP FUNCTION IF EXISTS governance_audit_append_only();
"""
SQLITE_FORWARD = [
    """
CREATE TRIGGER governance_auditentry_no_update
BEFORE UPDATE ON governance_auditentry
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only: UPDATE refused'); END;
""",
    """
CREATE TRIGGER governance_auditentry_no_delete
BEFORE DELETE ON governance_auditentry
WHEN NOT EXISTS (SELECT 1 FROM governance_auditmaintenance)
BEGIN SELECT RAISE(ABORT, 'audit entries are append-only: DELETE refused'); END;
""",
]
SQLITE_BACKWARD = [
    "DROP TRIGGER IF EXISTS governance_auditentry_no_update",
    "DROP TRIGGER IF EXISTS governance_auditentry_no_delete",
]


def triggers_create(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_FORWARD:
            schema_editor.execute(sql)


def triggers_drop(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_BACKWARD, params=None)
    elif vendor == "sqlite":
        for sql in SQLITE_BACKWARD:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [
        ("governance", "0003_sharing_consent_breakglass_audit_chain"),
    ]

    operations = [
        migrations.RunPython(chain_existing, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="auditentry",
            name="seq",
            field=models.BigIntegerField(unique=True),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="prev_hash",
            field=models.CharField(max_length=64),
        ),
        migrations.AlterField(
            model_name="auditentry",
            name="entry_hash",
            field=models.CharField(max_length=64),
        ),
        migrations.RunPython(triggers_create, triggers_drop),
    ]
