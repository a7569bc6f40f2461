"""Issue 14 §2: 临时救助 payments go through the payroll as case lines, and one case stage is paid once.

Every temporary payment (先行救助 or a stage; 备用金, bank, cash, in kind) writes a claim keyed by
(case, reference) in the same transaction; a bank claim becomes a line of the region's next batch (a
supplementary batch once the month's regular batch is approved) and so reaches the bank file; a
备用金 draw is paid when drawn and gets no line."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

import pytest

from jiuzhu.apps.cases.models import Case
from jiuzhu.apps.cases.services import case_act, case_submit
from jiuzhu.apps.payments.claims import case_claim, claims_of
from jiuzhu.apps.payments.models import CaseClaim, PaymentLine, PayrollBatch
from jiuzhu.apps.payments.services import payroll_approve, payroll_export, payroll_prepare, payroll_reconcile
from jiuzhu.apps.registry import pii
from jiuzhu.apps.registry.models import Household
from jiuzhu.apps.reserve.models import ReserveEntry, ReserveFund
from jiuzhu.apps.reserve.services import reserve_allocate
from jiuzhu.apps.stats.monthly_return import ledger_amounts
from jiuzhu.rules.errors import Conflict
from tests.conftest import COUNTY, TOWNSHIP_A, VILLAGE_A

from .conftest import MONTH, NOW, new_account
from .test_reconcile import bank_rows, result_file

EXPENDITURE = {"kind": "expenditure", "category": "medical", "circumstance": "子女突发重病住院，自付医疗费用高",
               "occurred_on": "2026-11-20", "need": "3000"}
EMERGENCY = {"kind": "emergency", "category": "fire", "circumstance": "住房失火", "occurred_on": "2026-12-01",
             "place_region": VILLAGE_A, "need": "600", "confirm_duplicate": True}
STEPS = (("ta_record_verification", {"income_per_capita": "800", "assets_within_limits": True,
                                     "verified_on": "2026-12-02"}),
         ("ta_record_survey", {"surveyed_on": "2026-12-02", "investigators": ["王经办", "陈协理"], "findings": "情况属实"}),
         ("ta_publish_notice", {"starts_on": "2026-12-02"}))
BANK = {"modality": "bank", "recipient": "张建国", "paid_on": "2026-12-02"}


def _act(actor, case, action, payload=None):
    return case_act(actor=actor, case_id=case.pk, action=action, payload=payload, now=NOW)


def with_account(household) -> Household:
    enc, _, masked = pii.seal(new_account(), purpose="bank_account")
    Household.objects.filter(pk=household.pk).update(bank_account_enc=enc, bank_account_masked=masked,
                                                     bank_name="淳安农商银行")
    return household


def staged_case(caseworker, reviewer, household, stages=("300.00", "200.00")) -> Case:
    case = case_submit(actor=caseworker, program="temporary", household_id=household.pk,
                       applicant_id=household.head_id, channel="window", payload=EXPENDITURE, now=NOW)
    case = _act(caseworker, case, "ta_accept", {})
    for action, payload in STEPS:
        case = _act(caseworker, case, action, payload)
    total = sum(Decimal(s) for s in stages)
    return _act(reviewer, case, "ta_approve", {"amount": str(total), "modality": "bank", "stages": list(stages)})


@pytest.fixture
def paying(world, reviewer, household):
    """World's regular December batch prepared and approved; an expenditure case approved in two stages."""
    regular = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    payroll_approve(actor=world.checker, batch_id=regular.pk, now=NOW)
    return world, staged_case(world.caseworker, reviewer, with_account(household)), regular


@pytest.mark.django_db
def test_bank_stage_becomes_a_supplementary_line_in_the_bank_file(paying, tmp_path, settings):
    settings.JIUZHU_FILES_DIR = tmp_path
    world, case, regular = paying
    assert not PaymentLine.objects.filter(case__isnull=False).exists()
    _act(world.caseworker, case, "ta_pay", BANK)
    claim = CaseClaim.objects.get(case=case)
    assert (claim.reference, claim.channel, claim.amount) == ("stage-1", "bank", Decimal("300.00"))

    supp = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    assert supp.kind == PayrollBatch.Kind.SUPPLEMENTARY and supp.number.endswith("BF01")
    line = PaymentLine.objects.get(batch=supp)
    assert (line.case_id, line.reference, line.enrollment_id, line.program) == (case.pk, "stage-1", None, "temporary")
    assert line.amount == Decimal("300.00") and supp.total_amount == Decimal("300.00")
    assert [r["klass"] for r in supp.totals["by_township_class"]] == ["临时救助"]
    payroll_approve(actor=world.checker, batch_id=supp.pk, now=NOW)
    _, path = payroll_export(actor=world.maker, batch_id=supp.pk, now=NOW)
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert rows[1][1] == "张建国" and rows[1][4] == "300.00" and rows[1][6] == "2026年12月临时救助金"
    # the payroll ledger check of the monthly return counts enrollments' lines only (临时救助: its own 台账)
    payroll = ledger_amounts("330127000000", "330127999999", MONTH)
    assert {prog for _, prog in payroll} == {"dibao", "tekun"}
    assert sum(payroll.values()) == regular.total_amount
    assert claims_of(case.pk)[0]["batch"] == supp.number


@pytest.mark.django_db
def test_case_page_lists_the_payments(paying, client):
    world, case, _ = paying
    _act(world.caseworker, case, "ta_pay", BANK)
    client.force_login(world.caseworker)
    page = client.get(f"/cases/{case.pk}/").content.decode()
    assert 'id="case-payments"' in page and "第1期救助" in page and "银行代发" in page and "待纳入发放批次" in page


@pytest.mark.django_db
def test_failed_case_line_is_reissued_once_then_paid(paying, tmp_path, settings):
    settings.JIUZHU_FILES_DIR = tmp_path
    world, case, _ = paying
    _act(world.caseworker, case, "ta_pay", BANK)
    supp = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    payroll_approve(actor=world.checker, batch_id=supp.pk, now=NOW)
    _, path = payroll_export(actor=world.maker, batch_id=supp.pk, now=NOW)
    rows = bank_rows(path)
    payroll_reconcile(actor=world.maker, batch_id=supp.pk, content=result_file(rows, failed=[1]),
                      filename="r.csv", now=NOW)
    failed = PaymentLine.objects.get(batch=supp)
    assert failed.status == "failed"
    again = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    line = PaymentLine.objects.get(batch=again)
    assert (line.case_id, line.reference, line.carried_from_id) == (case.pk, "stage-1", failed.pk)
    payroll_approve(actor=world.checker, batch_id=again.pk, now=NOW)
    _, path = payroll_export(actor=world.maker, batch_id=again.pk, now=NOW)
    assert "（补发）" in path.read_text(encoding="utf-8")
    payroll_reconcile(actor=world.maker, batch_id=again.pk, content=result_file(bank_rows(path)), filename="r.csv",
                      now=NOW)
    assert PaymentLine.objects.get(pk=line.pk).status == "paid"
    with pytest.raises(Conflict) as exc:  # nothing left: no third line for the same stage
        payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    assert exc.value.code == "payroll.month_approved"
    assert PaymentLine.objects.filter(case=case).exclude(status="failed").count() == 1


@pytest.mark.django_db
def test_claim_without_bank_account_waits_and_is_counted(world, reviewer, household):
    regular = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    payroll_approve(actor=world.checker, batch_id=regular.pk, now=NOW)
    case = staged_case(world.caseworker, reviewer, household, stages=("500.00",))
    _act(world.caseworker, case, "ta_pay", BANK)
    with pytest.raises(Conflict):  # nothing payable: the household has no account yet
        payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    with_account(household)
    supp = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    assert PaymentLine.objects.get(batch=supp).case_id == case.pk


@pytest.mark.django_db
def test_reserve_draw_is_paid_without_a_bank_line(world, county_user, household):
    reserve_allocate(actor=county_user, township_code=TOWNSHIP_A, amount="1000", now=NOW)
    with_account(household)
    case = case_submit(actor=world.caseworker, program="temporary", household_id=household.pk,
                       applicant_id=household.head_id, channel="window", payload=EMERGENCY, now=NOW)
    _act(world.caseworker, case, "ta_pay_advance", {"amount": "400", "reason": "火灾", "recipient": "张建国",
                                                    "modality": "bank", "from_reserve": True})
    claim = CaseClaim.objects.get(case=case)
    assert (claim.reference, claim.channel) == ("advance", "reserve")
    batch = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    assert not PaymentLine.objects.filter(batch=batch, case__isnull=False).exists()
    assert claims_of(case.pk)[0]["line_status"] == "已支付"


@pytest.mark.django_db
def test_same_stage_claimed_elsewhere_is_refused_and_nothing_written(world, county_user, reviewer, household):
    """The stage was paid by bank (a concurrent request got there first): paying it from the 备用金 is
    refused with a Chinese message naming the earlier payment; no draw, no record, the balance kept."""
    reserve_allocate(actor=county_user, township_code=TOWNSHIP_A, amount="1000", now=NOW)
    case = staged_case(world.caseworker, reviewer, household)
    case_claim(actor=world.caseworker, case=case, reference="stage-1", channel="bank", amount=Decimal("300"),
               paid_on=MONTH, now=NOW)
    records = case.records.count()
    with pytest.raises(Conflict) as exc:
        _act(world.caseworker, case, "ta_pay", {**BANK, "modality": "cash", "receipt_number": "SJ-1",
                                                "from_reserve": True})
    assert exc.value.code == "payment.claimed"
    assert "第1期救助已于 2026-12-01 经银行代发支付" in exc.value.message and "不能重复支付" in exc.value.message
    assert exc.value.details["field"] == "from_reserve"
    assert case.records.count() == records and not case.records.filter(kind="ta_payment").exists()
    assert ReserveFund.objects.get(pk=TOWNSHIP_A).balance == Decimal("1000.00")
    assert not ReserveEntry.objects.filter(kind="draw").exists()
    assert CaseClaim.objects.filter(case=case).count() == 1


@pytest.mark.django_db
def test_claim_twice_is_refused(world, reviewer, household):
    case = staged_case(world.caseworker, reviewer, household)
    case_claim(actor=world.caseworker, case=case, reference="stage-1", channel="cash", amount=Decimal("300"),
               paid_on=MONTH, now=NOW)
    with pytest.raises(Conflict) as exc:
        case_claim(actor=world.caseworker, case=case, reference="stage-1", channel="bank", amount=Decimal("300"),
                   paid_on=MONTH, now=NOW)
    assert "经现金支付 300.00 元" in exc.value.message
    assert CaseClaim.objects.filter(case=case).count() == 1


@pytest.mark.django_db
def test_database_refuses_a_second_live_line_for_one_case_stage(paying):
    from django.db import IntegrityError, transaction

    world, case, regular = paying
    _act(world.caseworker, case, "ta_pay", BANK)
    supp = payroll_prepare(actor=world.maker, region_code=COUNTY, month=MONTH, now=NOW)
    line = PaymentLine.objects.get(batch=supp)
    with pytest.raises(IntegrityError), transaction.atomic():
        PaymentLine.objects.create(batch=regular, case_id=case.pk, reference="stage-1", household_id=line.household_id,
                                   region_id=line.region_id, month=MONTH, program="temporary", persons=1,
                                   amount=line.amount)
    with pytest.raises(IntegrityError), transaction.atomic():  # neither enrollment nor case
        PaymentLine.objects.create(batch=regular, household_id=line.household_id, region_id=line.region_id,
                                   month=MONTH, program="temporary", persons=1, amount=line.amount)
