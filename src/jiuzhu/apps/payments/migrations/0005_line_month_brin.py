"""A BRIN index on the payment lines' month (PostgreSQL only): lines are appended batch by batch, so a
month's lines lie in a run of blocks and the index (a few pages per million lines, next to nothing to
maintain on bulk inserts) lets the monthly statistics and the ledger check read one month without
scanning every month's lines. SQLite, used for development and tests, keeps no such index."""

from django.db import migrations

CREATE = "CREATE INDEX IF NOT EXISTS payment_line_month_brin ON payments_paymentline USING brin (month)"
DROP = "DROP INDEX IF EXISTS payment_line_month_brin"


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):

    dependencies = [
        ('payments', '0004_lines_without_database_foreign_keys'),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
