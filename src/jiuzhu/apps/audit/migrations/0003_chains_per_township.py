"""One hash chain per township instead of one global chain.

Existing events stay in chain "" with their sequence numbers and hashes (the hash covers ``chain``
only when it is not empty), so a log written before this migration still verifies. The global head
becomes chain ""'s head. On SQLite, changing the table rebuilds it and drops its triggers: they are
created again at the end.
"""

from importlib import import_module

from django.db import migrations, models

_triggers = import_module("jiuzhu.apps.audit.migrations.0002_append_only_triggers")


def move_head(apps, schema_editor):
    head = apps.get_model("audit", "AuditHead").objects.filter(pk=1).first()
    apps.get_model("audit", "AuditChain").objects.get_or_create(
        chain="", defaults={"seq": head.seq if head else 0, "hash": head.hash if head else "0" * 64})


def move_head_back(apps, schema_editor):
    chain = apps.get_model("audit", "AuditChain").objects.filter(chain="").first()
    apps.get_model("audit", "AuditHead").objects.update_or_create(
        pk=1, defaults={"seq": chain.seq if chain else 0, "hash": chain.hash if chain else "0" * 64})


def recreate_sqlite_triggers(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        for sql in _triggers.SQLITE:
            schema_editor.execute(sql)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_append_only_triggers")]
    operations = [
        migrations.CreateModel(
            name="AuditChain",
            fields=[
                ("chain", models.CharField(max_length=12, primary_key=True, serialize=False)),
                ("seq", models.BigIntegerField(default=0)),
                ("hash", models.CharField(default="0" * 64, max_length=64)),
            ],
        ),
        migrations.RunPython(move_head, move_head_back),
        migrations.DeleteModel(name="AuditHead"),
        migrations.AddField(
            model_name="auditevent", name="chain",
            field=models.CharField(blank=True, default="", max_length=12, verbose_name="哈希链"),
        ),
        migrations.AlterField(
            model_name="auditevent", name="seq", field=models.BigIntegerField(verbose_name="序号"),
        ),
        migrations.AddConstraint(
            model_name="auditevent",
            constraint=models.UniqueConstraint(fields=("chain", "seq"), name="audit_event_chain_seq"),
        ),
        migrations.AlterModelOptions(
            name="auditevent", options={"ordering": ["id"], "verbose_name": "审计事件", "verbose_name_plural": "审计事件"},
        ),
        migrations.RunPython(recreate_sqlite_triggers, migrations.RunPython.noop),
    ]
