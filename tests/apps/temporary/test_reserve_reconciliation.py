"""月末对账 of the township 备用金 (R-TA-07, issue 14 §2): opening, allocations, replenishments, draws and
closing of a month, checked to the fen against the ledger, in one aggregation; the township confirms a
finished month; the sheet as xlsx and PDF."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.reserve.models import ReserveFund, ReserveReconciliation
from jiuzhu.apps.reserve.reconciliation import month_rows, parse_month, reserve_reconcile_confirm, township_sheet
from jiuzhu.apps.reserve.replenishment import reserve_replenish_approve, reserve_replenish_request
from jiuzhu.apps.reserve.services import reserve_allocate
from jiuzhu.apps.reserve.sheet_export import reserve_sheet_export
from jiuzhu.rules.errors import Conflict, Forbidden, NotFound, ValidationFailed
from tests.apps.cases.flow import at
from tests.conftest import TOWNSHIP_A, TOWNSHIP_B

from .reserve_fixtures import draws, emergency_case

pytestmark = pytest.mark.django_db
NOV = date(2026, 11, 1)
NOW = at(date(2026, 12, 7))


@pytest.fixture
def ledger(county_user, caseworker, household):
    """Township A: 1000 in October; in November 500 allocated, 300 + 200.50 drawn and replenished; 100 drawn in
    December."""
    reserve_allocate(actor=county_user, township_code=TOWNSHIP_A, amount="1000", now=at(date(2026, 10, 15)))
    case = emergency_case(caseworker, household, at(date(2026, 11, 2)))
    reserve_allocate(actor=county_user, township_code=TOWNSHIP_A, amount="500", now=at(date(2026, 11, 3)))
    draws(caseworker, case, ["300", "200.50"], at(date(2026, 11, 5)))
    request = reserve_replenish_request(actor=caseworker, township_code=TOWNSHIP_A, now=at(date(2026, 11, 10)))
    reserve_replenish_approve(actor=county_user, request_id=request.pk, now=at(date(2026, 11, 20)))
    draws(caseworker, case, ["100"], at(date(2026, 12, 2)), start=3)
    return case


def _row(actor, month=NOV, code=TOWNSHIP_A):
    return {r.code: r for r in month_rows(actor=actor, month=month)}[code]


def test_month_figures_reconcile_to_the_fen(ledger, county_user):
    row = _row(county_user)
    assert (row.opening, row.allocated, row.replenished, row.drawn, row.draws) == (
        Decimal("1000.00"), Decimal("500.00"), Decimal("500.50"), Decimal("500.50"), 2)
    assert row.closing == row.ledger_closing == Decimal("1500.00")
    assert row.after == Decimal("-100.00") and row.balance == Decimal("1400.00")
    assert row.matched and row.status == "待确认"
    december = _row(county_user, date(2026, 12, 1))
    assert december.opening == Decimal("1500.00") and december.closing == Decimal("1400.00") and december.matched
    other = _row(county_user, code=TOWNSHIP_B)
    assert not other.has_fund and other.matched and other.status == "未设立备用金"


def test_one_aggregation_whatever_the_number_of_draws(ledger, county_user, caseworker, django_assert_num_queries):
    with django_assert_num_queries(2):  # the townships in scope, the funds' figures
        first = month_rows(actor=county_user, month=NOV)
    draws(caseworker, ledger, ["1", "2", "3"], at(date(2026, 11, 25)), start=10)
    with django_assert_num_queries(2):
        again = month_rows(actor=county_user, month=NOV)
    assert len(first) == len(again) and _row(county_user).draws == 5


def test_a_ledger_changed_behind_the_services_does_not_reconcile(ledger, county_user, caseworker):
    ReserveFund.objects.filter(pk=TOWNSHIP_A).update(balance=Decimal("1400.01"))
    row = _row(county_user)
    assert not row.matched and row.status == "对账不符"
    with pytest.raises(Conflict) as exc:
        reserve_reconcile_confirm(actor=caseworker, township=TOWNSHIP_A, month="2026-11", now=NOW)
    assert exc.value.code == "reserve.mismatch"
    assert not ReserveReconciliation.objects.exists()


def test_sheet_lists_each_draw_with_case_and_masked_recipient(ledger, caseworker, household):
    sheet = township_sheet(actor=caseworker, township=TOWNSHIP_A, month=NOV)
    kinds = [line["kind"] for line in sheet.lines]
    assert kinds == ["县级拨付", "救助支出", "救助支出", "县级补充"]
    draw = sheet.lines[1]
    name = household.head.name
    assert draw["case"] == ledger.number and draw["amount"] == Decimal("300.00")
    assert draw["recipient"] == name[0] + "*" * (len(name) - 1) and name not in draw["recipient"]


def test_township_confirms_a_finished_month_once(ledger, caseworker, county_user, outsider):
    with pytest.raises(Conflict) as exc:
        reserve_reconcile_confirm(actor=caseworker, township=TOWNSHIP_A, month="2026-12", now=NOW)
    assert exc.value.code == "reserve.month_open"
    done = reserve_reconcile_confirm(actor=caseworker, township=TOWNSHIP_A, month="2026-11", now=NOW)
    assert done.closing == Decimal("1500.00") and done.draw_count == 2
    assert _row(county_user).status == "已确认"
    assert AuditEvent.objects.filter(action="reserve.reconcile_confirm", subject_id=TOWNSHIP_A).count() == 1
    with pytest.raises(Conflict):
        reserve_reconcile_confirm(actor=caseworker, township=TOWNSHIP_A, month="2026-11", now=NOW)
    with pytest.raises(Forbidden):
        reserve_reconcile_confirm(actor=county_user, township=TOWNSHIP_A, month="2026-10", now=NOW)


def test_another_township_sees_and_confirms_nothing_of_a(ledger, outsider):
    assert [r.code for r in month_rows(actor=outsider, month=NOV)] == [TOWNSHIP_B]
    with pytest.raises(NotFound):
        township_sheet(actor=outsider, township=TOWNSHIP_A, month=NOV)
    with pytest.raises(NotFound):
        reserve_reconcile_confirm(actor=outsider, township=TOWNSHIP_A, month="2026-11", now=NOW)
    with pytest.raises(NotFound):
        reserve_sheet_export(actor=outsider, township=TOWNSHIP_A, month=NOV, fmt="xlsx", now=NOW, today=NOW.date())
    assert not AuditEvent.objects.filter(action="reserve.reconcile_export").exists()


@pytest.mark.parametrize("value", ["2026-13", "2026/11", "", "abcd-01", "11-2026"])
def test_bad_month_names_the_field(value):
    with pytest.raises(ValidationFailed) as exc:
        parse_month(value)
    assert exc.value.details["field"] == "month" and "对账月份（month）" in exc.value.message


def test_sheet_as_xlsx_and_pdf(ledger, caseworker):
    name, content = reserve_sheet_export(actor=caseworker, township=TOWNSHIP_A, month=NOV, fmt="xlsx", now=NOW,
                                         today=NOW.date())
    assert name.endswith("2026年11月对账单.xlsx")
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_name("对账单").to_python()
    cells = [c for r in rows for c in r]
    assert ledger.number in cells and 1500.0 in cells and "相符" in cells
    name, pdf = reserve_sheet_export(actor=caseworker, township=TOWNSHIP_A, month=NOV, fmt="pdf", now=NOW,
                                     today=NOW.date())
    assert name.endswith(".pdf") and pdf.startswith(b"%PDF")
    with pytest.raises(ValidationFailed) as exc:
        reserve_sheet_export(actor=caseworker, township=TOWNSHIP_A, month=NOV, fmt="doc", now=NOW, today=NOW.date())
    assert exc.value.details["field"] == "format"
    assert AuditEvent.objects.filter(action="reserve.reconcile_export").count() == 2
