"""The payroll pays the terms in force in the paid month: a change decided in December takes effect
from January (EnrollmentChange.effective_month), so a December batch prepared after the decision
still pays December's amount, class and status. Parity: the columnar batch equals
``selectors.terms_for_month`` per enrollment for random enrollments with random change histories."""

from __future__ import annotations

import random
from datetime import date, timedelta
from decimal import Decimal

import pytest

from jiuzhu.apps.enrollment import selectors
from jiuzhu.apps.enrollment.models import Enrollment
from jiuzhu.apps.enrollment.services import (
    enrollment_adjust,
    enrollment_change,
    enrollment_stop,
    enrollment_suspend,
    enrollments_graduation_end,
)
from jiuzhu.apps.payments.services import payroll_prepare
from jiuzhu.apps.registry.models import Household
from jiuzhu.apps.synthetic.seed import seed_households
from jiuzhu.rules.errors import DomainError
from jiuzhu.rules.workflow.enrollment import TRANSITIONS
from tests.conftest import COUNTY

from .conftest import MONTH, NEXT, NOW


def lines_of(batch) -> dict[int, tuple]:
    return {li.enrollment_id: (li.amount, li.klass) for li in batch.lines.all()}


def test_december_batch_after_december_decisions_pays_december_terms(world):
    # given: on 2 December the a1 amount and class are changed, a2 suspended and b1 stopped — all from January
    enrollment_adjust(actor=world.maker, enrollment_id=world.e.a1.pk, amount="420.00", klass="C",
                      reason="家庭成员就业，收入增加", now=NOW)
    enrollment_suspend(actor=world.maker, enrollment_id=world.e.a2.pk, reason="外出务工，暂无法核实", now=NOW)
    enrollment_stop(actor=world.maker, enrollment_id=world.e.b1.pk, reason="人均收入超过标准", now=NOW)
    assert Enrollment.objects.get(pk=world.e.b1.pk).status == "stopped"
    # when: December's batch is prepared afterwards
    dec = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    # then: December still pays the old terms to all four
    assert lines_of(dec) == {world.e.a1.pk: (Decimal("650.00"), "A"), world.e.a2.pk: (Decimal("1200.50"), "B"),
                             world.e.a3.pk: (Decimal("800.00"), "A"), world.e.b1.pk: (Decimal("999.99"), "C")}
    assert dec.total_amount == Decimal("3650.49")
    # and January pays the new amount and class, not the suspended or stopped ones
    jan = payroll_prepare(actor=world.maker, region_code=COUNTY, month=NEXT, now=NOW)
    assert lines_of(jan) == {world.e.a1.pk: (Decimal("420.00"), "C"), world.e.a3.pk: (Decimal("800.00"), "A")}


# -- parity on random histories ---------------------------------------------------------------------

START_MONTHS = [date(2026, m, 1) for m in range(5, 11)]
PAID_MONTHS = [date(2026, m, 1) for m in range(5, 13)] + [date(2027, m, 1) for m in range(1, 5)]
CHANGE_DAYS = [date(2026, 5, 3) + timedelta(days=9 * i) for i in range(34)]  # May 2026 … Mar 2027


def random_enrollments(rng: random.Random) -> list[int]:
    rows = []
    for hh in Household.objects.filter(enrollments__isnull=True).order_by("pk"):
        rows.append(Enrollment(
            program="dibao" if rng.random() < 0.85 else "tekun", household=hh, region_id=hh.region_id,
            klass=rng.choice(["A", "B", "C", "D"]), amount=Decimal(rng.randrange(10_000, 150_000)) / 100,
            persons=hh.member_count, start_month=rng.choice(START_MONTHS), status="active",
            decided_on=date(2026, 4, 20)))
    return [e.pk for e in Enrollment.objects.bulk_create(rows)]


def random_history(rng: random.Random, actor, ids: list[int]) -> int:
    """Real lifecycle changes (the services) on random days, in time order; the graduation sweep too."""
    made = 0
    for day in CHANGE_DAYS:
        now = NOW.replace(year=day.year, month=day.month, day=day.day)
        enrollments_graduation_end(today=day, now=now)
        for pk in rng.sample(ids, k=len(ids) // 6):
            e = Enrollment.objects.get(pk=pk)
            kinds = [k for k, t in TRANSITIONS.items() if e.status in t.from_statuses
                     and not (k == "graduate" and e.program != "dibao")]
            if not kinds:
                continue
            kind = rng.choice(kinds + ["adjust"] * 2 if "adjust" in kinds else kinds)
            data = {"reason": "随机变更"}
            if kind == "adjust":
                data |= {"amount": str(Decimal(rng.randrange(10_000, 150_000)) / 100),
                         "klass": rng.choice(["A", "B", "C", "D"])}
            elif kind == "graduate":
                data["graduation_reason"] = "employment_income"
            try:
                enrollment_change(actor=actor, enrollment_id=pk, kind=kind, data=data, now=now)
                made += 1
            except DomainError:  # e.g. an adjustment to the same amount and class
                pass
    return made


@pytest.mark.parametrize("seed", [5, 31])
def test_columnar_batch_pays_terms_for_month_of_every_enrollment(world, seed):
    # given random enrollments with random change histories (adjust, suspend, resume, stop, graduate)
    rng = random.Random(seed)
    seed_households(90, region_code=COUNTY, seed=seed, progress=False)
    ids = random_enrollments(rng)
    assert random_history(rng, world.maker, ids) > 100
    late = NOW.replace(year=2027, month=3, day=30)
    enrollments = list(Enrollment.objects.select_related("household").order_by("pk"))
    for month in PAID_MONTHS:
        # when
        batch = payroll_prepare(actor=world.maker, region_code=COUNTY, month=month, now=late)
        # then: exactly the enrollments payable in that month, at that month's amount and class
        terms = selectors.enrollment_terms(month=month, enrollments=enrollments)
        expected = {e.pk: (terms[e.pk].amount, terms[e.pk].klass) for e in enrollments
                    if terms[e.pk].payable and e.household.bank_account_enc}
        assert lines_of(batch) == expected, month
        for e in rng.sample(enrollments, 10):  # the one-enrollment selector agrees with the bulk one
            assert selectors.terms_for_month(e, month) == terms[e.pk]
        assert batch.total_amount == sum((a for a, _ in expected.values()), Decimal(0))
