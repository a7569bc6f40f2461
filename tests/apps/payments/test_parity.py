"""Parity: the columnar batch (Arrow snapshot → Ibis/DuckDB → bulk insert) equals a plain per-row
ORM computation of the same rules on a few hundred random enrollments, carried lines included."""

from __future__ import annotations

import random
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest

from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.payments.models import PaymentLine
from jiuzhu.apps.payments.services import payroll_approve, payroll_prepare
from jiuzhu.apps.registry.models import Household
from jiuzhu.apps.synthetic.seed import seed_households
from tests.conftest import COUNTY

from .conftest import MONTH, NOW

NOV = date(2026, 11, 1)
MONTHS = [date(2026, m, 1) for m in range(6, 13)] + [date(2027, 1, 1), date(2027, 2, 1)]


def random_enrollments(rng: random.Random) -> None:
    rows = []
    for hh in Household.objects.filter(enrollments__isnull=True).order_by("pk"):
        status = rng.choices(["active", "graduating", "suspended", "stopped"], [70, 12, 10, 8])[0]
        tekun = rng.random() < 0.15
        rows.append(Enrollment(
            program="tekun" if tekun else "dibao", household=hh, person_id=hh.head_id if tekun else None,
            region_id=hh.region_id, klass=rng.choice(["A", "B", "C", "D", ""]),
            amount=Decimal(rng.choice([0, rng.randrange(1, 300_000)])) / 100, persons=1 if tekun else hh.member_count,
            start_month=rng.choice(MONTHS), status=status,
            graduating_until=rng.choice([None, *MONTHS]) if status == "graduating" else None,
            stopped_month=rng.choice([None, None, *MONTHS]), decided_on=date(2026, 5, 20)))
    Enrollment.objects.bulk_create(rows)


def orm_payable(e: Enrollment, month: date) -> bool:
    if e.status not in ("active", "graduating") or e.start_month > month or e.amount <= 0:
        return False
    if e.status == "graduating" and (e.graduating_until is None or e.graduating_until < month):
        return False
    return e.stopped_month is None or e.stopped_month > month


def orm_expected(month: date) -> set[tuple]:
    """Per row with the ORM: fresh lines and carried lines, as comparable tuples."""
    expected = set()
    for e in Enrollment.objects.select_related("household").order_by("pk"):
        has_account = bool(e.household.bank_account_enc)
        if orm_payable(e, month) and has_account and not PaymentLine.objects.filter(enrollment=e, month=month).exists():
            expected.add((e.pk, e.household_id, e.region_id, month, e.program, e.klass, e.persons, e.amount, None))
    for line in PaymentLine.objects.filter(status="failed", month__lte=month).select_related("household", "enrollment"):
        if PaymentLine.objects.filter(carried_from=line).exists() or not line.household.bank_account_enc:
            continue
        if PaymentLine.objects.filter(enrollment=line.enrollment, month=line.month).exclude(status="failed").exists():
            continue
        expected.add((line.enrollment_id, line.household_id, line.enrollment.region_id, line.month, line.program,
                      line.klass, line.persons, line.amount, line.pk))
    return expected


def as_tuples(batch) -> set[tuple]:
    return {(li.enrollment_id, li.household_id, li.region_id, li.month, li.program, li.klass, li.persons, li.amount,
             li.carried_from_id) for li in batch.lines.all()}


@pytest.mark.parametrize("seed", [11, 23])
def test_columnar_batch_equals_orm_computation(world, seed):
    rng = random.Random(seed)
    seed_households(250, region_code=COUNTY, seed=seed, progress=False)
    random_enrollments(rng)
    # November paid and partly failed, so December carries lines
    nov_expected = orm_expected(NOV)
    nov = payroll_prepare(actor=world.maker, region_code=COUNTY, month=NOV, now=NOW)
    assert as_tuples(nov) == nov_expected
    payroll_approve(actor=world.checker, batch_id=nov.pk, now=NOW)
    ids = list(nov.lines.values_list("pk", flat=True))
    PaymentLine.objects.filter(pk__in=rng.sample(ids, len(ids) // 5)).update(status="failed")
    PaymentLine.objects.filter(batch=nov, status="pending").update(status="paid")
    # when
    expected = orm_expected(MONTH)
    dec = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    # then: the same lines, and the same totals
    got = as_tuples(dec)
    assert got == expected
    assert sum(1 for t in got if t[-1] is not None) == dec.totals["carried"] > 0
    assert dec.total_amount == sum(t[7] for t in expected)
    assert dec.households == len({t[1] for t in expected})
    persons = {t[0]: t[6] for t in expected}
    assert dec.persons == sum(persons.values())
    by_group = defaultdict(lambda: [set(), Decimal(0)])
    for t in expected:
        group = by_group[(t[2][:9] + "000", t[5])]
        group[0].add(t[1])
        group[1] += t[7]
    report = {(r["township"], r["klass"]): (r["households"], Decimal(r["amount"]))
              for r in dec.totals["by_township_class"]}
    assert report == {k: (len(v[0]), v[1]) for k, v in by_group.items()}
