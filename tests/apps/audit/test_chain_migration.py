"""Upgrading a log written as one global chain (migration 0002) to chains per township (0003): the
old events stay verifiable in chain "", their head moves over, new events start their township's
chain, and the append-only triggers still hold (SQLite rebuilds the table and drops its triggers)."""

from datetime import UTC, datetime

import pytest
from django.db import DatabaseError, connection, transaction
from django.db.migrations.executor import MigrationExecutor

from jiuzhu.apps.audit.chain import GENESIS, event_hash
from jiuzhu.apps.audit.services import audit_record, audit_verify
from tests.flushable_audit import _audit_triggers_back_after_flush, _django_db_helper  # noqa: F401

OLD, NEW = [("audit", "0002_append_only_triggers")], [("audit", "0004_keyed_chain_and_head_triggers")]


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.mark.django_db(transaction=True)
def test_upgrade_keeps_the_old_chain_verifiable():
    old = _migrate(OLD)
    Event, Head = old.get_model("audit", "AuditEvent"), old.get_model("audit", "AuditHead")
    prev = GENESIS
    for seq in (1, 2, 3):  # written the way 0002's code wrote them: one chain, no chain column
        fields = {"seq": seq, "at": datetime(2026, 10, seq, 1, tzinfo=UTC), "actor_id": None, "actor_name": "system",
                  "role": "", "region_code": "330127100201", "action": f"old.step{seq}", "subject_type": "thing",
                  "subject_id": str(seq), "before_digest": "", "after_digest": "", "details": {}, "reason": "",
                  "prev_hash": prev}
        fields["hash"] = prev = event_hash(fields)
        Event.objects.create(**fields)
    Head.objects.update_or_create(pk=1, defaults={"seq": 3, "hash": prev})
    try:
        _migrate(NEW)
        # then the old events verify in chain "" and new events chain per township
        assert audit_verify() == (True, None, 3)
        new = audit_record(actor=None, action="new.step", subject_type="thing", subject_id=9,
                           region_code="330127100201")
        assert (new.chain, new.seq, new.prev_hash) == ("330127100", 1, GENESIS)
        sys = audit_record(actor=None, action="new.sys", subject_type="thing", subject_id=10)
        assert (sys.chain, sys.seq, sys.prev_hash) == ("", 4, prev)
        assert audit_verify() == (True, None, 5)
        # the old events are marked legacy (no key id, plain SM3), the new ones keyed
        from jiuzhu.apps.audit.models import AuditEvent

        assert list(AuditEvent.objects.filter(key_id="").values_list("seq", flat=True).order_by("seq")) == [1, 2, 3]
        assert new.key_id and sys.key_id
        # and the chain heads only move forward
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute("UPDATE audit_auditchain SET seq = 1 WHERE chain = ''")
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute("DELETE FROM audit_auditchain")
        # and the log is still append-only
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute("UPDATE audit_auditevent SET reason = 'x' WHERE seq = 2")
        with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as cur:
            cur.execute("DELETE FROM audit_auditevent WHERE seq = 2")
    finally:
        _migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
