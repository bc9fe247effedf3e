"""The audit is append-only and tamper-evident."""

import itertools

import pytest
from django.db import DatabaseError, connection, transaction

from joinedup.cli import main
from joinedup.governance.access import Decision
from joinedup.governance.models import AuditChainHead, AuditEntry, AuditMaintenance
from joinedup.governance.selectors import audit_chain_verify
from joinedup.governance.services import audit_record_many
from tests.conftest import actor_for


@pytest.fixture
def chain(world):
    actor = actor_for(world.social_worker)
    for _ in range(4):
        audit_record_many(
            actor=actor,
            person_id=world.person.pk,
            action="view_record",
            decisions=[
                ("health", Decision(True, "ok")),
                ("social_care", Decision(True, "ok")),
            ],
        )
    return world


def _tamper(sql: str, params: list) -> None:
    """What someone with the database owner's rights could do behind our back."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A superuser can switch user triggers off for the session.
            cursor.execute("SET session_replication_role = replica")
            cursor.execute(sql, params)
            cursor.execute("SET session_replication_role = DEFAULT")
        else:
            AuditMaintenance.objects.create()
            cursor.execute("DROP TRIGGER governance_auditentry_no_update")
            cursor.execute(sql, params)
            cursor.execute(
                "CREATE TRIGGER governance_auditentry_no_update BEFORE UPDATE ON "
                "governance_auditentry BEGIN SELECT RAISE(ABORT, "
                "'audit entries are append-only: UPDATE refused'); END"
            )
            AuditMaintenance.objects.all().delete()


def test_entries_are_chained_in_sequence(chain):
    seqs = list(
        AuditEntry.objects.order_by("seq").values_list("seq", "prev_hash", "entry_hash")
    )
    assert [s for s, _, _ in seqs] == list(range(1, 9))
    for (_, _, previous), (_, prev_hash, _) in itertools.pairwise(seqs):
        assert prev_hash == previous
    assert audit_chain_verify().ok


def test_verify_command_exits_0_on_an_intact_chain(chain, capsys):
    assert main(["audit", "verify"]) == 0
    assert "intact: 8 entries checked" in capsys.readouterr().out


@pytest.mark.parametrize(
    "statement",
    [
        "UPDATE governance_auditentry SET reason = 'x'",
        "DELETE FROM governance_auditentry",
    ],
)
def test_the_database_refuses_update_and_delete(chain, statement):
    with (
        pytest.raises(DatabaseError, match="append-only"),
        transaction.atomic(),
        connection.cursor() as cursor,
    ):
        cursor.execute(statement)
    assert AuditEntry.objects.count() == 8


def test_a_changed_entry_is_named(chain, capsys):
    _tamper("UPDATE governance_auditentry SET reason = %s WHERE seq = 5", ["innocent"])
    result = audit_chain_verify()
    assert not result.ok and result.first_bad_seq == 5
    assert "changed after it was written" in result.problem
    assert main(["audit", "verify"]) == 2
    assert "broken at entry #5" in capsys.readouterr().err


def test_a_removed_entry_is_named(chain):
    _tamper("DELETE FROM governance_auditentry WHERE seq = 3", [])
    result = audit_chain_verify()
    assert (result.ok, result.first_bad_seq) == (False, 3)
    assert "missing" in result.problem


def test_removing_the_newest_entries_is_noticed(chain):
    _tamper("DELETE FROM governance_auditentry WHERE seq > 6", [])
    result = audit_chain_verify()
    assert not result.ok
    assert result.problem == "entries #7 to #8 were removed"


def test_an_entry_rewritten_with_a_fresh_hash_breaks_the_next_link(chain):
    entry = AuditEntry.objects.get(seq=4)
    values = list(getattr(entry, f) for f in AuditEntry.HASHED)
    values[AuditEntry.HASHED.index("reason")] = "rewritten"
    forged = AuditEntry.hash_of(entry.prev_hash, tuple(values))
    _tamper(
        "UPDATE governance_auditentry SET reason = %s, entry_hash = %s WHERE seq = 4",
        ["rewritten", forged],
    )
    result = audit_chain_verify()
    assert (result.ok, result.first_bad_seq) == (False, 5)


def test_head_tracks_the_last_entry(chain):
    head = AuditChainHead.objects.get(pk=1)
    last = AuditEntry.objects.order_by("-seq").first()
    assert (head.last_seq, head.last_hash) == (last.seq, last.entry_hash)
