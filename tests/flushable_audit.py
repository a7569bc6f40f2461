"""Transactional tests (real commits, live servers) end with a flush that empties every table. The
audit log's append-only triggers (events, and chain heads that only move forward) refuse that, so they
are switched off just for that flush and on right after it. Import both fixtures into a module (or conftest) that has transactional tests:

    from tests.flushable_audit import _audit_triggers_back_after_flush, _django_db_helper  # noqa: F401
"""

import importlib

import pytest
from django.db import connection

from jiuzhu.apps.audit.models import AuditChain, AuditEvent

TRIGGERS = importlib.import_module("jiuzhu.apps.audit.migrations.0002_append_only_triggers")
HEAD_TRIGGERS = importlib.import_module("jiuzhu.apps.audit.migrations.0004_keyed_chain_and_head_triggers")
TABLE = AuditEvent._meta.db_table
HEAD_TABLE = AuditChain._meta.db_table


def audit_triggers(on: bool):
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            for sql in (TRIGGERS.SQLITE + HEAD_TRIGGERS.SQLITE if on else TRIGGERS.SQLITE_DROP + HEAD_TRIGGERS.SQLITE_DROP):
                cur.execute(sql)
        else:
            for table in (TABLE, HEAD_TABLE):
                cur.execute(f"ALTER TABLE {table} {'ENABLE' if on else 'DISABLE'} TRIGGER USER")


@pytest.fixture
def _audit_triggers_back_after_flush(django_db_blocker):
    yield
    with django_db_blocker.unblock():
        audit_triggers(on=True)


@pytest.fixture
def _django_db_helper(_audit_triggers_back_after_flush, _django_db_helper):
    # Wraps pytest-django's own helper (whose teardown flushes the tables): set up after the
    # re-enabling fixture, so the order at teardown is: triggers off → flush → triggers on.
    yield _django_db_helper
    audit_triggers(on=False)
