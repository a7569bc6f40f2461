"""Chains per township, in real concurrent transactions (PostgreSQL): a writer holding one
township's chain head does not hold up another township's writer; a second writer of the same
township waits for the head and then chains after the first one's event."""

import threading

import pytest
from django.db import connection, transaction

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.audit.services import audit_record, audit_verify
from tests.flushable_audit import _audit_triggers_back_after_flush, _django_db_helper  # noqa: F401

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql",
                                reason="needs row locks and concurrent transactions (PostgreSQL only)")


def _record(region, subject):
    return audit_record(actor=None, action="test.write", subject_type="thing", subject_id=subject,
                        region_code=region)


@pytest.mark.django_db(transaction=True)
def test_other_township_does_not_wait_same_township_does():
    holding, release = threading.Event(), threading.Event()
    done = {}

    def first_writer():  # township 100: records, then keeps its transaction open
        try:
            with transaction.atomic():
                _record("330127100201", 1)
                holding.set()
                release.wait(20)
        finally:
            connection.close()

    def writer(name, region, subject):
        try:
            with transaction.atomic():
                _record(region, subject)
            done[name] = True
        finally:
            connection.close()

    holder = threading.Thread(target=first_writer)
    holder.start()
    assert holding.wait(10)
    other = threading.Thread(target=writer, args=("other", "330127101202", 2))
    same = threading.Thread(target=writer, args=("same", "330127100202", 3))
    other.start()
    same.start()
    # when township 100's head is held: township 101's writer commits, township 100's second one waits
    other.join(timeout=10)
    same.join(timeout=1)
    assert done.get("other") is True and not other.is_alive()
    assert same.is_alive() and "same" not in done
    release.set()
    holder.join(timeout=10)
    same.join(timeout=10)
    assert done.get("same") is True
    # then township 100's chain holds both events in commit order, and the whole log verifies
    chain = list(AuditEvent.objects.filter(chain="330127100").order_by("seq").values_list("subject_id", "seq"))
    assert chain == [("1", 1), ("3", 2)]
    assert list(AuditEvent.objects.filter(chain="330127101").values_list("subject_id", "seq")) == [("2", 1)]
    assert audit_verify() == (True, None, 3)
