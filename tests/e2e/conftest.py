"""Browser tests need a live server, hence transactional tests whose teardown empties every table;
the audit log's triggers are switched off just for that flush (tests/flushable_audit.py)."""

from tests.flushable_audit import _audit_triggers_back_after_flush, _django_db_helper  # noqa: F401
