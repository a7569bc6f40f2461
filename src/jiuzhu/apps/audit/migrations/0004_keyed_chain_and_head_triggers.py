"""Keyed audit chain, and the chain heads protected like the events.

* ``AuditEvent.key_id``: the audit key whose HMAC-SM3 is the event's hash. Every event written before
  this migration gets "" (legacy: plain SM3) and keeps verifying; new events are keyed.
* Triggers on ``audit_auditchain`` (SQLite and PostgreSQL): a head may only move forward — no DELETE
  (nor TRUNCATE), its ``seq`` never decreases and its chain never changes.

On SQLite adding the column rebuilds the events table, which drops its append-only triggers: they are
created again here (and again when going back, after the column is removed).
"""

from importlib import import_module

from django.db import migrations, models

_events = import_module("jiuzhu.apps.audit.migrations.0002_append_only_triggers")

SQLITE = [
    """CREATE TRIGGER IF NOT EXISTS audit_chain_no_delete BEFORE DELETE ON audit_auditchain
       BEGIN SELECT RAISE(ABORT, 'audit chain head moves forward only: DELETE refused'); END;""",
    """CREATE TRIGGER IF NOT EXISTS audit_chain_forward_only BEFORE UPDATE ON audit_auditchain
       WHEN NEW.seq < OLD.seq OR NEW.chain <> OLD.chain
       BEGIN SELECT RAISE(ABORT, 'audit chain head moves forward only: UPDATE refused'); END;""",
]
SQLITE_DROP = ["DROP TRIGGER IF EXISTS audit_chain_no_delete;", "DROP TRIGGER IF EXISTS audit_chain_forward_only;"]

POSTGRES = [
    """CREATE OR REPLACE FUNCTION audit_chain_forward_only() RETURNS trigger AS $$
       BEGIN
         IF TG_OP = 'UPDATE' AND NEW.seq >= OLD.seq AND NEW.chain = OLD.chain THEN RETURN NEW; END IF;
         RAISE EXCEPTION USING MESSAGE = 'audit chain head moves forward only: ' || TG_OP || ' refused';
       END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER audit_chain_forward_only BEFORE UPDATE OR DELETE ON audit_auditchain
       FOR EACH ROW EXECUTE FUNCTION audit_chain_forward_only();""",
    """CREATE TRIGGER audit_chain_no_truncate BEFORE TRUNCATE ON audit_auditchain
       FOR EACH STATEMENT EXECUTE FUNCTION audit_chain_forward_only();""",
]
POSTGRES_DROP = [
    "DROP TRIGGER IF EXISTS audit_chain_forward_only ON audit_auditchain;",
    "DROP TRIGGER IF EXISTS audit_chain_no_truncate ON audit_auditchain;",
    "DROP FUNCTION IF EXISTS audit_chain_forward_only();",
]


def _run(schema_editor, statements):
    for sql in statements.get(schema_editor.connection.vendor, []):
        schema_editor.execute(sql)


def head_triggers(apps, schema_editor):
    _run(schema_editor, {"sqlite": _events.SQLITE + SQLITE, "postgresql": POSTGRES})


def drop_head_triggers(apps, schema_editor):
    _run(schema_editor, {"sqlite": SQLITE_DROP, "postgresql": POSTGRES_DROP})


def event_triggers_back(apps, schema_editor):
    _run(schema_editor, {"sqlite": _events.SQLITE})


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_chains_per_township")]
    operations = [
        migrations.RunPython(migrations.RunPython.noop, event_triggers_back),
        migrations.AddField(
            model_name="auditevent", name="key_id",
            field=models.CharField(blank=True, default="", max_length=16, verbose_name="审计密钥编号"),
        ),
        migrations.RunPython(head_triggers, drop_head_triggers),
    ]
