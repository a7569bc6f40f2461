"""No enrollment can be paid twice for one month: a database constraint, not just code.

``test_database_refuses_a_second_payment_line_for_the_same_enrollment_and_month`` is the test that
proves it: it bypasses every service and inserts the second line directly.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import IntegrityError, connection, transaction

from jiuzhu.apps.payments.models import PaymentLine, PayrollBatch
from jiuzhu.apps.payments.services import payroll_approve, payroll_prepare
from tests.conftest import COUNTY, TOWNSHIP_A

from .conftest import MONTH, NEXT, NOW


def _second_batch(region_id):
    return PayrollBatch.objects.create(region_id=region_id, month=MONTH, kind="supplementary", seq=9,
                                       prepared_at=NOW)


def _line_like(line, batch, **overrides):
    fields = dict(batch=batch, enrollment_id=line.enrollment_id, household_id=line.household_id,
                  region_id=line.region_id, month=line.month, program=line.program, klass=line.klass,
                  persons=line.persons, amount=line.amount)
    fields.update(overrides)
    return PaymentLine(**fields)


@pytest.mark.parametrize("status", ["pending", "paid"])
def test_database_refuses_a_second_payment_line_for_the_same_enrollment_and_month(world, status):
    # given: the enrollment's December line, as the payroll wrote it
    batch = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    line = batch.lines.get(enrollment=world.e.a1)
    PaymentLine.objects.filter(pk=line.pk).update(status=status)
    other = _second_batch(COUNTY)
    # when: a second December line for the same enrollment is inserted behind the services' back
    # (ORM save, and raw SQL), in another batch and with another amount
    with pytest.raises(IntegrityError), transaction.atomic():
        _line_like(line, other, amount=Decimal("1.00")).save()
    with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {PaymentLine._meta.db_table} (batch_id, enrollment_id, household_id, region_id, month, "
            "program, klass, persons, amount, status, result_code, result_message) "
            "VALUES (%s, %s, %s, %s, %s, 'dibao', 'A', 2, 650.00, 'pending', '', '')",
            (other.pk, line.enrollment_id, line.household_id, line.region_id, MONTH))
    # then: still exactly one live December line for that enrollment
    assert PaymentLine.objects.filter(enrollment=world.e.a1, month=MONTH).exclude(status="failed").count() == 1


def test_constraint_lets_a_failed_line_be_carried_but_not_twice(world):
    batch = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    line = batch.lines.get(enrollment=world.e.a1)
    PaymentLine.objects.filter(pk=line.pk).update(status="failed")
    other = _second_batch(COUNTY)
    carried = _line_like(line, other, carried_from=line)
    carried.save()  # a failed line does not hold the month: one carried line may
    with pytest.raises(IntegrityError), transaction.atomic():
        _line_like(line, other, carried_from=line).save()
    # another month is another payment
    _line_like(line, other, month=NEXT).save()


def test_two_prepares_of_overlapping_regions_cannot_double_pay(world):
    county = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    payroll_approve(actor=world.checker, batch_id=county.pk, now=NOW)
    # even if the overlap guard is bypassed by deleting the county batch's row from view,
    # the township batch computes no new line for an enrollment that already has one
    PayrollBatch.objects.filter(pk=county.pk).update(kind="supplementary", seq=5)
    township = payroll_prepare(actor=world.maker, region_code=TOWNSHIP_A, month=MONTH, now=NOW)
    assert township.lines.count() == 0
    assert PaymentLine.objects.filter(month=MONTH).count() == 4


def test_even_a_payroll_bug_cannot_write_a_second_line(world, monkeypatch):
    # given: December is paid, and the computation is broken so that it forgets the existing lines
    from jiuzhu.apps.payments import snapshot
    from jiuzhu.batch.payroll import TAKEN_SCHEMA
    from jiuzhu.rules.errors import Conflict

    first = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    PayrollBatch.objects.filter(pk=first.pk).update(kind="supplementary", seq=3)
    monkeypatch.setattr(snapshot, "read_taken", lambda low, high, month: TAKEN_SCHEMA.empty_table())
    # when the month is prepared again, then the bulk write (COPY / executemany) hits the constraint
    with pytest.raises(Conflict) as exc:
        payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    assert exc.value.code == "payroll.double_payment"
    assert PayrollBatch.objects.count() == 1 and PaymentLine.objects.count() == 4
