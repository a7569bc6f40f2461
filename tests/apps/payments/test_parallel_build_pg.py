"""Large batches on PostgreSQL are written by several connections (building.py): the batch is never
usable half-built, a dead builder's batch is rebuilt, a failing worker leaves nothing behind.

Real commits are needed, so these tests are transactional; the threshold is lowered to 2 lines."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.payments import building, snapshot
from jiuzhu.apps.payments.models import PaymentLine, PayrollBatch
from jiuzhu.apps.payments.services import payroll_approve, payroll_prepare
from jiuzhu.batch.payroll import TAKEN_SCHEMA
from jiuzhu.rules.errors import Conflict
from tests.conftest import COUNTY
from tests.flushable_audit import _audit_triggers_back_after_flush, _django_db_helper  # noqa: F401

from .conftest import MONTH, NOW

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="parallel writers need PostgreSQL")




@pytest.fixture
def split(transactional_db, settings):
    settings.JIUZHU_PAYROLL_PARALLEL_LINES = 2


def test_large_batch_is_written_by_several_connections(split, world):
    batch = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    assert "building" not in batch.totals and batch.totals["lines"] == 4
    assert PaymentLine.objects.filter(batch=batch).count() == 4
    assert AuditEvent.objects.filter(action="payroll.prepare").count() == 1
    assert not building.builder_alive(batch)  # the advisory lock was released
    assert payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW).pk == batch.pk
    assert payroll_approve(actor=world.checker, batch_id=batch.pk, now=NOW).status == "approved"


def _half_built(world) -> PayrollBatch:
    batch = PayrollBatch.objects.create(region_id=COUNTY, month=MONTH, prepared_at=NOW, prepared_by=world.maker,
                                        totals={"building": True, "lines": 4, "carried": 0, "missing_account": 0})
    e = world.e.a1
    PaymentLine.objects.create(batch=batch, enrollment=e, household_id=e.household_id, region_id=e.region_id,
                               month=MONTH, program="dibao", klass="A", persons=2, amount=e.amount)
    return batch


def test_batch_of_a_dead_builder_is_discarded_and_built_again(split, world):
    stale = _half_built(world)
    batch = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    assert batch.pk != stale.pk and not PayrollBatch.objects.filter(pk=stale.pk).exists()
    assert PaymentLine.objects.filter(month=MONTH).count() == 4
    event = AuditEvent.objects.get(action="payroll.discard_incomplete")
    assert event.subject_id == str(stale.pk) and event.details["lines_written"] == 1


def test_batch_being_built_is_neither_returned_nor_approvable(split, world):
    stale = _half_built(world)
    held, done = threading.Event(), threading.Event()

    def builder():  # another session holding the builder's lock
        building.hold(stale.pk)
        held.set()
        done.wait(10)
        building.release(stale.pk)
        connection.close()

    thread = threading.Thread(target=builder)
    thread.start()
    held.wait(10)
    try:
        with pytest.raises(Conflict) as exc:
            payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
        assert exc.value.code == "payroll.building" and exc.value.details["batch_id"] == stale.pk
        with pytest.raises(Conflict):
            payroll_approve(actor=world.checker, batch_id=stale.pk, now=NOW)
    finally:
        done.set()
        thread.join()
    assert PaymentLine.objects.filter(batch=stale).count() == 1


def test_failing_worker_leaves_no_batch(split, world, monkeypatch):
    # an enrollment already paid for the month, hidden from the computation: a worker hits the constraint
    first = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    PayrollBatch.objects.filter(pk=first.pk).update(kind="supplementary", seq=7)
    monkeypatch.setattr(snapshot, "read_taken", lambda low, high, month: TAKEN_SCHEMA.empty_table())
    with pytest.raises(Conflict) as exc:
        payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    assert exc.value.code == "payroll.double_payment"
    assert list(PayrollBatch.objects.values_list("pk", flat=True)) == [first.pk]
    assert PaymentLine.objects.count() == 4
    assert "写入明细失败" in AuditEvent.objects.get(action="payroll.discard_incomplete").reason
