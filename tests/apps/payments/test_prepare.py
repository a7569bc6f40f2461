"""payroll_prepare: who is paid for a month, totals by township and class, idempotent re-runs,
approved months refused with the batch id, supplementary batches for changes after approval."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.payments.models import PaymentLine, PayrollBatch
from jiuzhu.apps.payments.selectors import batch_totals, township_subtotals
from jiuzhu.apps.payments.services import payroll_approve, payroll_prepare
from jiuzhu.rules.errors import Conflict, Forbidden, ValidationFailed
from tests.conftest import COUNTY, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A

from .conftest import MONTH, NEXT, NOW, enroll, make_household


def state():
    return (list(PayrollBatch.objects.order_by("pk").values()), list(PaymentLine.objects.order_by("pk").values()),
            AuditEvent.objects.count())


def test_regular_batch_pays_every_payable_enrollment_once(world):
    # when
    batch = payroll_prepare(actor=world.maker, region_code=COUNTY, month="2026-12", now=NOW)
    # then
    assert (batch.kind, batch.seq, batch.status, batch.month) == ("regular", 1, "prepared", MONTH)
    assert batch.number == "330127000000-202612-ZC01"
    lines = {line.enrollment_id: line for line in batch.lines.all()}
    assert set(lines) == {world.e.a1.pk, world.e.a2.pk, world.e.a3.pk, world.e.b1.pk}
    assert all(line.status == "pending" and line.month == MONTH for line in lines.values())
    assert lines[world.e.a2.pk].amount == Decimal("1200.50")
    assert (batch.households, batch.persons, batch.total_amount) == (4, 10, Decimal("3650.49"))
    assert batch.prepared_by == world.maker
    assert AuditEvent.objects.filter(action="payroll.prepare", subject_id=str(batch.pk)).count() == 1


def test_totals_by_township_and_class(world):
    batch = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    rows = {(r["township"], r["klass"]): r for r in batch_totals(batch=batch)}
    assert set(rows) == {(TOWNSHIP_A, "A"), (TOWNSHIP_A, "B"), (TOWNSHIP_B, "C")}
    a = rows[(TOWNSHIP_A, "A")]
    assert (a["households"], a["persons"], a["lines"], a["amount"]) == (2, 3, 2, Decimal("1450.00"))
    assert a["township_name"] == "千岛湖镇"
    subtotals = {s["township"]: s for s in township_subtotals(batch_totals(batch=batch))}
    assert subtotals[TOWNSHIP_A]["amount"] == Decimal("2650.50")
    assert subtotals[TOWNSHIP_B]["persons"] == 4


def test_running_the_month_again_changes_nothing(world):
    first = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    before = state()
    enroll(make_household(VILLAGE_A, head="新增户"))  # even with a new enrollment meanwhile
    again = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    assert again.pk == first.pk
    assert state() == before


def test_approved_month_is_refused_with_the_batch_id(world):
    batch = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    payroll_approve(actor=world.checker, batch_id=batch.pk, now=NOW)
    before = state()
    with pytest.raises(Conflict) as exc:
        payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    assert exc.value.code == "payroll.month_approved"
    assert exc.value.details["batch_id"] == batch.pk
    assert batch.number in exc.value.message and str(batch.pk) in exc.value.message
    assert "2026年12月已审核的批次" in exc.value.message
    assert state() == before


def test_enrollment_added_after_approval_goes_into_a_supplementary_batch(world):
    regular = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    payroll_approve(actor=world.checker, batch_id=regular.pk, now=NOW)
    late = enroll(make_household(VILLAGE_A, head="补发户"), amount="321.00", klass="D", persons=1)
    # when
    supp = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    # then
    assert (supp.kind, supp.seq, supp.number) == ("supplementary", 1, "330127000000-202612-BF01")
    assert [(line.enrollment_id, line.amount) for line in supp.lines.all()] == [(late.pk, Decimal("321.00"))]
    assert payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW).pk == supp.pk
    payroll_approve(actor=world.checker, batch_id=supp.pk, now=NOW)
    second_late = enroll(make_household(VILLAGE_A, head="再补户"))
    supp2 = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    assert (supp2.seq, [line.enrollment_id for line in supp2.lines.all()]) == (2, [second_late.pk])
    assert PaymentLine.objects.filter(month=MONTH).count() == 6


@pytest.mark.parametrize("change, paid", [
    ({"status": "suspended"}, False),
    ({"status": "stopped", "stopped_month": date(2026, 12, 1)}, False),
    ({"stopped_month": date(2026, 12, 1)}, False),
    ({"stopped_month": date(2027, 1, 1)}, True),
    ({"start_month": date(2027, 1, 1)}, False),
    ({"start_month": date(2026, 12, 1)}, True),
    ({"status": "graduating", "graduating_until": date(2026, 12, 1)}, True),
    ({"status": "graduating", "graduating_until": date(2026, 11, 1)}, False),
    ({"status": "graduating", "graduating_until": None}, False),
    ({"amount": Decimal("0.00")}, False),
])
def test_who_is_payable_for_the_month(world, change, paid):
    target = world.e.a1
    for key, value in change.items():
        setattr(target, key, value)
    target.save()
    batch = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    assert batch.lines.filter(enrollment=target).exists() is paid


def test_household_without_bank_account_is_left_out_and_counted(world):
    hh = make_household(VILLAGE_A, head="无账户", account=None)
    e = enroll(hh)
    batch = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    assert not batch.lines.filter(enrollment=e).exists()
    assert batch.totals["missing_account"] == 1
    # the account is entered after approval → the enrollment is paid in a supplementary batch
    payroll_approve(actor=world.checker, batch_id=batch.pk, now=NOW)
    from jiuzhu.apps.registry import pii

    hh.bank_account_enc, _, hh.bank_account_masked = pii.seal("6217000011112222333", purpose="bank_account")
    hh.save()
    supp = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    assert [line.enrollment_id for line in supp.lines.all()] == [e.pk]


def test_township_batch_only_covers_its_township_and_overlaps_are_refused(world):
    batch = payroll_prepare(actor=world.maker, region_code=TOWNSHIP_A, month=MONTH, now=NOW)
    assert {line.region_id[:9] for line in batch.lines.all()} == {TOWNSHIP_A[:9]}
    assert batch.lines.count() == 3
    with pytest.raises(Conflict) as exc:
        payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    assert exc.value.code == "payroll.overlap" and exc.value.details["batch_id"] == batch.pk
    other = payroll_prepare(actor=world.maker, region_code=TOWNSHIP_B, month=MONTH, now=NOW)
    assert [line.enrollment_id for line in other.lines.all()] == [world.e.b1.pk]


def test_next_month_is_a_new_regular_batch(world):
    dec = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    payroll_approve(actor=world.checker, batch_id=dec.pk, now=NOW)
    jan = payroll_prepare(actor=world.maker, region_code=COUNTY, month=NEXT, now=NOW)
    assert (jan.kind, jan.month, jan.lines.count()) == ("regular", NEXT, 4)


@pytest.mark.parametrize("region, month, field", [
    ("330127999000", "2026-12", "region"), (VILLAGE_A, "2026-12", "region"),
    (COUNTY, "2026-13", "month"), (COUNTY, "12/2026", "month"), (COUNTY, "2027-02", "month"),
])
def test_bad_region_or_month_changes_nothing(world, region, month, field):
    before = state()
    with pytest.raises(ValidationFailed) as exc:
        payroll_prepare(actor=world.maker, region_code=region, month=month, now=NOW)
    assert exc.value.details["field"] == field
    assert state() == before


def test_only_county_staff_prepare(world):
    with pytest.raises(Forbidden):
        payroll_prepare(actor=world.caseworker, region_code=TOWNSHIP_A, month=MONTH, now=NOW)
    assert not PayrollBatch.objects.exists()


@pytest.mark.parametrize("month, refused", [
    ("0001-01", True),   # today this created a batch for year 1
    ("2025-12", True),   # before the region's first enrollment (2026-01)
    ("2026-01", False),  # the first enrollment's start month
    ("2027-01", False),  # next month may be prepared
    ("2027-02", True),   # after next month
])
def test_payroll_month_must_lie_within_the_enrollment_period_of_the_regions_data(world, month, refused):
    """Issue 12 §3.7: a payroll month must lie within the enrollment period of the region's data
    (today `0001-01` creates a batch): from the earliest enrollment's start month to next month."""
    # given the world's enrollments, all starting 2026-01, and the business day 2026-12-02 (NOW)
    before = state()
    # when the county prepares the month
    if refused:
        with pytest.raises(ValidationFailed) as exc:
            payroll_prepare(actor=world.maker, region_code=COUNTY, month=month, now=NOW)
        # then it is refused naming the field month, in Chinese, and nothing is written
        assert exc.value.details["field"] == "month" and "发放" in exc.value.message
        assert state() == before
    else:
        batch = payroll_prepare(actor=world.maker, region_code=COUNTY, month=month, now=NOW)
        assert f"{batch.month:%Y-%m}" == month


def test_payroll_month_of_a_region_without_enrollments_starts_this_month(world):
    """Issue 12 §3.7: a region with no enrollment data has no past month to pay."""
    # given township B's only enrollment removed: it has no enrollment data
    world.e.b1.delete()
    # when a past month is prepared for it, then it is refused naming month
    with pytest.raises(ValidationFailed) as exc:
        payroll_prepare(actor=world.maker, region_code=TOWNSHIP_B, month="2026-11", now=NOW)
    assert exc.value.code == "payroll.month_past" and exc.value.details["field"] == "month"
    # and this month is allowed
    assert payroll_prepare(actor=world.maker, region_code=TOWNSHIP_B, month="2026-12", now=NOW).lines.count() == 0
