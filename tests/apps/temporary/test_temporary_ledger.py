"""临时救助台账 (issue 14 §5) and 表4 of the monthly return (issue 17 §2): one row per payment in the month of
its payment day, names masked, township sees its own and the county all, no formula in the xlsx; the return's
temporary amounts equal the paid temporary amounts to the fen."""

from __future__ import annotations

import io
import zipfile
from datetime import date
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from jiuzhu.apps.audit.models import AuditEvent
from jiuzhu.apps.cases.models import CaseRecord
from jiuzhu.apps.cases.services import case_act, case_submit
from jiuzhu.apps.programs.temporary import limits
from jiuzhu.apps.programs.temporary_ledger import ledger_xlsx, temporary_ledger
from jiuzhu.apps.stats.return_export import monthly_return
from jiuzhu.rules.errors import Forbidden, ValidationFailed
from tests.apps.cases.flow import at
from tests.conftest import COUNTY, PASSWORD, TOWNSHIP_A, TOWNSHIP_B, VILLAGE_A, VILLAGE_B

pytestmark = pytest.mark.django_db
FORMULA = '=HYPERLINK("http://x","点我")'
EMERGENCY = {"kind": "emergency", "category": "fire", "circumstance": "住房失火", "occurred_on": "2026-11-30",
             "need": "1000"}
EXPENDITURE = {"kind": "expenditure", "category": "medical", "circumstance": "突发重病住院，自付医疗费用高",
               "occurred_on": "2026-11-20", "need": "30000"}
VERIFY = {"income_per_capita": "800", "assets_within_limits": True, "verified_on": "2026-11-25"}
SURVEY = {"surveyed_on": "2026-11-25", "investigators": ["王经办", "陈协理"], "findings": "情况属实"}
NOTICE = {"starts_on": "2026-11-25"}


def _act(actor, case, action, day, payload=None):
    return case_act(actor=actor, case_id=case.pk, action=action, payload=payload or {}, now=at(day))


def _open(actor, household, intake, day):
    return case_submit(actor=actor, program="temporary", household_id=household.pk, applicant_id=household.head_id,
                       channel="window", payload=intake, now=at(day))


def _ready(actor, case, day):
    for action, payload in (("ta_record_verification", VERIFY), ("ta_record_survey", SURVEY),
                            ("ta_publish_notice", NOTICE)):
        case = _act(actor, case, action, day, payload)
    return case


@pytest.fixture
def world(caseworker, reviewer, county_user, outsider, household, household_data):
    """A: an emergency paid first 500.55 on 12-01; an expenditure approved by the county in two stages, the
    first paid on 11-30 (recorded 12-02), the second on 12-03; a referral approved 12-05. B: an emergency
    paid first 300.00 on 12-02 (a household of A helped where it happened)."""
    e1 = _open(caseworker, household, {**EMERGENCY, "place_region": VILLAGE_A}, date(2026, 12, 1))
    _act(caseworker, e1, "ta_pay_advance", date(2026, 12, 1), {
        "amount": "500.55", "reason": FORMULA, "recipient": "张建国", "modality": "cash", "receipt_number": "XJ-1"})
    x1 = _act(caseworker, _open(caseworker, household, EXPENDITURE, date(2026, 11, 25)), "ta_accept",
              date(2026, 11, 25))
    x1 = _ready(caseworker, x1, date(2026, 11, 25))
    amount = limits(x1, date(2026, 11, 25))["township"] + Decimal("100.01")
    first = (amount / 2).quantize(Decimal("0.01"))
    x1 = _act(reviewer, x1, "ta_refer_county", date(2026, 11, 26), {"amount": str(amount)})
    x1 = _act(county_user, x1, "ta_county_approve", date(2026, 11, 28), {
        "amount": str(amount), "modality": "bank", "stages": [str(first), str(amount - first)]})
    _act(caseworker, x1, "ta_pay", date(2026, 12, 2), {"modality": "bank", "recipient": "张建国", "paid_on": "2026-11-30"})
    _act(caseworker, x1, "ta_pay", date(2026, 12, 3), {"modality": "bank", "recipient": "张建国", "paid_on": "2026-12-03"})
    r1 = _act(caseworker, _open(caseworker, household, {**EXPENDITURE, "category": "education"}, date(2026, 12, 1)),
              "ta_accept", date(2026, 12, 1))
    r1 = _ready(caseworker, r1, date(2026, 12, 1))
    _act(reviewer, r1, "ta_approve", date(2026, 12, 5), {"amount": "0", "modality": "referral",
                                                         "referral_to": "县教育局", "note": "教育救助"})
    b1 = _open(outsider, household, {**EMERGENCY, "place_region": VILLAGE_B, "confirm_duplicate": True},
               date(2026, 12, 2))
    _act(outsider, b1, "ta_pay_advance", date(2026, 12, 2), {
        "amount": "300", "reason": "火灾", "recipient": "张建国", "modality": "bank"})
    return {"first": first, "second": amount - first, "e1": e1, "x1": x1, "r1": r1, "b1": b1}


def test_township_ledger_rows_by_payment_day_and_masked(world, caseworker, household):
    data = temporary_ledger(actor=caseworker, month="2026-12")
    rows = data["rows"]
    assert data["region"] == TOWNSHIP_A and {r.town for r in rows} == {TOWNSHIP_A}
    assert [(r.case_number, r.item, r.amount) for r in rows] == [
        (world["e1"].number, "先行救助", Decimal("500.55")),
        (world["x1"].number, "第2期（共2期）", world["second"]),
        (world["r1"].number, "转介：县教育局", Decimal("0.00"))]
    advance, stage, referral = rows
    assert advance.level == "乡镇先行救助" and advance.kind == "急难型" and advance.reason == FORMULA
    assert stage.level == "县级审批" and stage.stages == f"{world['first']}、{world['second']}"
    assert stage.paid_on == date(2026, 12, 3) and stage.approved == world["first"] + world["second"]
    assert referral.modality == "转介服务"
    name = household.head_name
    assert all(r.name_masked == name[0] + "*" * (len(name) - 1) and "*" in r.id_number_masked for r in rows)
    november = temporary_ledger(actor=caseworker, month="2026-11")["rows"]
    assert [(r.item, r.amount, r.paid_on) for r in november] == [("第1期（共2期）", world["first"], date(2026, 11, 30))]


def test_county_sees_all_townships_township_only_its_own(world, county_user, outsider, caseworker, village_user):
    everything = temporary_ledger(actor=county_user, month="2026-12")
    assert {r.town for r in everything["rows"]} == {TOWNSHIP_A, TOWNSHIP_B} and everything["region"] == COUNTY
    assert everything["total"] == Decimal("800.55") + world["second"]
    only_b = temporary_ledger(actor=county_user, month="2026-12", region=TOWNSHIP_B)
    assert [r.amount for r in only_b["rows"]] == [Decimal("300.00")]
    assert [r.town for r in temporary_ledger(actor=outsider, month="2026-12")["rows"]] == [TOWNSHIP_B]
    with pytest.raises(Forbidden):
        temporary_ledger(actor=outsider, month="2026-12", region=TOWNSHIP_A)
    with pytest.raises(Forbidden):
        temporary_ledger(actor=village_user, month="2026-12")
    with pytest.raises(ValidationFailed) as exc:
        temporary_ledger(actor=caseworker, month="2026-13")
    assert exc.value.details["field"] == "month" and "月份" in exc.value.message


def test_xlsx_masked_and_never_a_formula(world, county_user, household):
    name, content = ledger_xlsx(actor=county_user, month="2026-12", now=at(date(2026, 12, 7)))
    assert name.endswith(".xlsx") and "临时救助台账" in name
    rows = CalamineWorkbook.from_filelike(io.BytesIO(content)).get_sheet_by_index(0).to_python()
    cells = [c for r in rows for c in r]
    assert FORMULA in cells  # as text
    assert household.head_name not in cells
    assert rows[-1][0] == "合计" and rows[-1][10] == pytest.approx(float(Decimal("800.55") + world["second"]))
    with zipfile.ZipFile(io.BytesIO(content)) as z:
        assert not any("<f>" in z.read(n).decode() for n in z.namelist() if n.startswith("xl/worksheets/"))
    assert AuditEvent.objects.filter(action="temporary.ledger_export", details__rows=4).exists()


def test_ledger_page_and_download(client, world, caseworker, outsider):
    client.login(username=caseworker.username, password=PASSWORD)
    page = client.get("/temporary/ledger/", {"month": "2026-12"})
    text = page.content.decode()
    assert page.status_code == 200 and world["e1"].number in text and world["b1"].number not in text
    r = client.get("/temporary/ledger/", {"month": "2026-12", "format": "xlsx"})
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxmlformats")
    bad = client.get("/temporary/ledger/", {"month": "abc"})
    assert bad.status_code == 422 and "月份" in bad.content.decode()
    client.logout()
    client.login(username=outsider.username, password=PASSWORD)
    r = client.get("/temporary/ledger/", {"month": "2026-12", "region": TOWNSHIP_A, "format": "xlsx"})
    assert r.status_code == 403 and world["e1"].number not in r.content.decode()


def _paid(town_prefix: str, first: date, last: date) -> Decimal:
    """The temporary amounts paid in the period, added up record by record (先行救助 on its day, stages on paid_on)."""
    total = Decimal("0.00")
    for rec in CaseRecord.objects.filter(case__program="temporary", kind__in=("ta_advance", "ta_payment"),
                                         case__region__code__startswith=town_prefix).select_related("event"):
        day = date.fromisoformat(rec.data["paid_on"]) if rec.kind == "ta_payment" else rec.event.at.date()
        if first <= day <= last:
            total += Decimal(rec.data["amount"])
    return total


def test_monthly_return_temporary_equals_paid_amounts_to_the_fen(world):
    """Issue 17 §2: 表4 from the temporary cases by township; totals equal the paid amounts to the fen, and
    the check against the 临时救助台账 (表5) agrees."""
    data = monthly_return(actor=None, month="2026-12", region_code=COUNTY, today=date(2026, 12, 7))
    table = {r[0]: r for r in data.tables[3].rows}
    dec = (date(2026, 12, 1), date(2026, 12, 31))
    assert table["千岛湖镇"][4] == _paid("330127100", *dec) == Decimal("500.55") + world["second"]
    assert table["文昌镇"][4] == _paid("330127101", *dec) == Decimal("300.00")
    assert table["合计"][4] == _paid("330127", *dec)
    assert table["千岛湖镇"][1:4] == [2, 1, 1] and table["千岛湖镇"][7] == Decimal("500.55")
    assert table["文昌镇"][1:4] == [1, 1, 0]
    checks = [r for r in data.check.rows if r[1] == "临时救助"]
    assert len(checks) == 2 and all(r[-1] == "一致" for r in checks) and data.balanced
    nov = monthly_return(actor=None, month="2026-11", region_code=COUNTY, today=date(2026, 12, 7))
    assert {r[0]: r for r in nov.tables[3].rows}["千岛湖镇"][4] == world["first"]
