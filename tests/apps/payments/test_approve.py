"""Maker-checker: prepared by one county user, approved by another, then locked."""

from __future__ import annotations

import pytest

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.payments.models import PaymentLine, PayrollBatch
from jiuzhu.apps.payments.services import payroll_approve, payroll_prepare
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.conftest import COUNTY, TOWNSHIP_A

from .conftest import MONTH, NOW


@pytest.fixture
def batch(world):
    return payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)


def _state(batch):
    batch.refresh_from_db()
    return batch.status, batch.approved_by_id, AuditEvent.objects.filter(action="payroll.approve").count()


def test_checker_approves_and_the_batch_is_locked(world, batch):
    approved = payroll_approve(actor=world.checker, batch_id=batch.pk, now=NOW)
    assert (approved.status, approved.approved_by, approved.approved_at) == ("approved", world.checker, NOW)
    event = AuditEvent.objects.get(action="payroll.approve")
    assert event.subject_id == str(batch.pk) and event.actor_name == "county_checker"
    with pytest.raises(Conflict) as exc:
        payroll_approve(actor=world.checker, batch_id=batch.pk, now=NOW)
    assert exc.value.code == "payroll.already_approved"


def test_approving_ones_own_batch_is_refused(world, batch):
    before = _state(batch)
    with pytest.raises(Forbidden) as exc:
        payroll_approve(actor=world.maker, batch_id=batch.pk, now=NOW)
    assert exc.value.code == "payroll.self_approval"
    assert "不能审核自己生成的批次" in exc.value.message
    assert _state(batch) == before == ("prepared", None, 0)


def test_township_staff_cannot_approve_and_outsiders_do_not_see_it(world):
    batch = payroll_prepare(actor=world.maker, region_code=TOWNSHIP_A, month=MONTH, now=NOW)
    with pytest.raises(Forbidden):  # township A's own batch: visible, but not theirs to approve
        payroll_approve(actor=world.caseworker, batch_id=batch.pk, now=NOW)
    with pytest.raises(NotFound):  # township B's caseworker: as if it did not exist
        payroll_approve(actor=world.outsider, batch_id=batch.pk, now=NOW)
    with pytest.raises(ValidationFailed):
        payroll_approve(actor=None, batch_id=batch.pk, now=NOW)
    with pytest.raises(NotFound):
        payroll_approve(actor=world.checker, batch_id=987654, now=NOW)
    assert _state(batch)[0] == "prepared"


def test_lines_changed_behind_the_batch_block_approval(world, batch):
    line = batch.lines.first()
    PaymentLine.objects.filter(pk=line.pk).update(amount=line.amount + 1)
    with pytest.raises(Conflict) as exc:
        payroll_approve(actor=world.checker, batch_id=batch.pk, now=NOW)
    assert exc.value.code == "payroll.totals_mismatch"
    assert PayrollBatch.objects.get(pk=batch.pk).status == "prepared"


def test_console_prepared_batch_is_approved_by_a_named_user(world):
    batch = payroll_prepare(actor=None, region_code=COUNTY, month=MONTH, now=NOW)
    assert batch.prepared_by is None
    assert payroll_approve(actor=world.maker, batch_id=batch.pk, now=NOW).status == "approved"
