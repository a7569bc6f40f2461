"""Township 临时救助备用金 (R-TA-07, issue 14 §2): allocation, draws tied to a case, never negative."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.db import IntegrityError, transaction

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.cases.services import case_act, case_submit
from jiuzhu.apps.reserve.models import ReserveEntry, ReserveFund
from jiuzhu.apps.reserve.selectors import fund_balances
from jiuzhu.apps.reserve.services import reserve_allocate
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.apps.cases.flow import at
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A

pytestmark = pytest.mark.django_db
NOW = at(date(2026, 12, 7))
EMERGENCY = {"kind": "emergency", "category": "fire", "circumstance": "住房失火", "occurred_on": "2026-12-06",
             "place_region": VILLAGE_A, "need": "500"}
ADVANCE = {"amount": "300", "reason": "火灾后基本生活无着", "recipient": "张建国", "modality": "cash",
           "receipt_number": "XJ-1", "from_reserve": True}


def _case(actor, household):
    return case_submit(actor=actor, program="temporary", household_id=household.pk, applicant_id=household.head_id,
                       channel="window", payload=EMERGENCY, now=NOW)


def test_allocate_then_pay_first_from_the_fund(county_user, caseworker, household):
    """R-TA-07: the county allocates; the township's 先行救助 draws the same day, tied to the case."""
    reserve_allocate(actor=county_user, township_code=TOWNSHIP_A, amount="1000", note="年度拨付", now=NOW)
    case = _case(caseworker, household)
    case = case_act(actor=caseworker, case_id=case.pk, action="ta_pay_advance", payload=ADVANCE, now=NOW)
    fund = ReserveFund.objects.get(pk=TOWNSHIP_A)
    assert fund.balance == Decimal("700.00")
    draw = ReserveEntry.objects.get(kind="draw")
    assert draw.case_id == case.pk and draw.balance_after == Decimal("700.00") and draw.reference == "advance"
    assert AuditEvent.objects.filter(action="reserve.draw").count() == 1
    rows = {r["code"]: r for r in fund_balances(actor=county_user)}
    assert rows[TOWNSHIP_A]["balance"] == Decimal("700.00") and rows[TOWNSHIP_A]["drawn"] == Decimal("300.00")
    assert rows[TOWNSHIP_A]["reconciled"]
    assert rows[TOWNSHIP_B]["balance"] == Decimal(0)
    assert [r["code"] for r in fund_balances(actor=caseworker)] == [TOWNSHIP_A]


def test_draw_exceeding_balance_is_refused_and_nothing_written(county_user, caseworker, household):
    """Bad input: a draw exceeding the fund balance → refused, nothing written (not even the case step)."""
    reserve_allocate(actor=county_user, township_code=TOWNSHIP_A, amount="100", now=NOW)
    case = _case(caseworker, household)
    with pytest.raises(Conflict) as exc:
        case_act(actor=caseworker, case_id=case.pk, action="ta_pay_advance", payload=ADVANCE, now=NOW)
    assert exc.value.code == "reserve.insufficient" and "100.00" in exc.value.message
    assert ReserveFund.objects.get(pk=TOWNSHIP_A).balance == Decimal("100.00")
    assert not ReserveEntry.objects.filter(kind="draw").exists()
    case.refresh_from_db()
    assert case.state == "accepted" and not case.records.filter(kind="ta_advance").exists()


def test_balance_check_constraint(county_user):
    """The database refuses a negative balance whatever the code does."""
    reserve_allocate(actor=county_user, township_code=TOWNSHIP_A, amount="10", now=NOW)
    with pytest.raises(IntegrityError), transaction.atomic():
        ReserveFund.objects.filter(pk=TOWNSHIP_A).update(balance=Decimal("-0.01"))


def test_allocation_bad_input_and_scope(county_user, caseworker, outsider):
    with pytest.raises(Forbidden):
        reserve_allocate(actor=caseworker, township_code=TOWNSHIP_A, amount="10", now=NOW)
    with pytest.raises(ValidationFailed):
        reserve_allocate(actor=county_user, township_code=TOWNSHIP_A, amount="-5", now=NOW)
    with pytest.raises(ValidationFailed):
        reserve_allocate(actor=county_user, township_code=TOWNSHIP_A, amount="abc", now=NOW)
    with pytest.raises(NotFound):
        reserve_allocate(actor=county_user, township_code=VILLAGE_A, amount="5", now=NOW)
    assert not ReserveFund.objects.exists()
